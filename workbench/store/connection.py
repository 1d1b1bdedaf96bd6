"""The gateway to SurrealDB: one URL picks the engine; every user action is a unit of work.

The embedded on-disk engine (surrealkv) takes an exclusive directory lock that fails at once
when another process holds it. A Jupyter kernel and each Voila kernel are separate
processes, so a connection kept open would lock every other kernel out. Each unit of work
therefore waits on a cross-process file lock, opens the store, runs the whole user action
and closes it again (about 10 ms on these machines). ``mem://`` and server URLs keep one
connection: the first has nothing to share, the second is shared by the server itself.
"""

from __future__ import annotations

import errno
import fcntl
import getpass
import json
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import filelock
import surrealdb
from surrealdb import RecordID
from surrealdb.connections.blocking_embedded import BlockingEmbeddedSurrealConnection
from surrealdb.connections.blocking_ws import BlockingWsSurrealConnection
from surrealdb.connections.utils_mixin import mapped_engine_errors
from surrealdb.errors import parse_query_error, parse_rpc_error

from workbench.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    StoreLockedError,
    StoreUnavailableError,
)
from workbench.settings import Settings
from workbench.store.engine_host import EngineStalled, HostedEngine, hosts, raise_open_file_limit
from workbench.store.watch import EngineWatch

__all__ = ["Store", "Session", "RecordID", "record_id"]

SERVER_SCHEMES = ("ws", "wss", "http", "https")
OPEN_BOUND = 20.0
"""Seconds an open (with its first query) may take before its engine host is replaced; an
open takes about 10 ms here, a stalled one never returns."""
OPEN_ATTEMPTS = 3
"""Opens tried, each in a fresh engine host, before a unit of work gives up."""
WATCH_MARGIN = 30.0
"""Seconds the hang watch waits beyond the engine bound for a hosted engine: the host's own
bound ends a stalled call first, the watch only catches a frozen parent."""
EMBEDDED_SCHEMES = ("surrealkv", "mem", "memory")

# Tables the workbench may name in a query. Table names cannot be bound as parameters
# in every position, so they are only ever taken from this set.
TABLES = frozenset(
    {
        "vendor",
        "hardware_basket",
        "hardware_lot",
        "hardware_lot_component",
        "hardware_lot_price",
        "hardware_option",
        "basket_import",
        "project",
        "workflow",
        "workflow_link",
        "workflow_baseline",
        "workflow_template",
        "server_inventory",
        "hardware_pool_status",
        "procurement_request",
        "pool_journal",
        "rvtools_import",
        "project_document",
        "document_template",
        "schema_migration",
        "store_identity",
    }
)


class _HostedConnection(BlockingEmbeddedSurrealConnection):
    """The SDK's embedded connection with its engine in an engine host (same CBOR bytes)."""

    def __init__(self, url: str, open_engine: Callable[[], HostedEngine]) -> None:
        BlockingWsSurrealConnection.__init__(self, url)  # sets attributes, opens nothing
        self.raw_url = url
        with mapped_engine_errors("opening the database"):
            self._db = open_engine()
        self._closed = False


def record_id(table: str, key: str | RecordID) -> RecordID:
    """A RecordID for ``table`` from a key, a ``table:key`` string or a RecordID.

    Raises
    ------
    InvalidInputError
        If the table is unknown or the id names another table.
    """
    if table not in TABLES:
        raise InvalidInputError(f"Unknown table {table!r}.")
    if isinstance(key, RecordID):
        if key.table_name != table:
            raise InvalidInputError(f"{key} is not a {table} id.")
        return key
    if not isinstance(key, str) or not key.strip():
        raise InvalidInputError(f"A {table} id must be a non-empty string, got {key!r}.")
    prefix = table + ":"
    return RecordID(table, key[len(prefix) :] if key.startswith(prefix) else key)


def to_db(value: Any) -> Any:
    """Convert Python values the SDK cannot encode (dates, naive datetimes) recursively."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, dict):
        return {k: to_db(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_db(v) for v in value]
    return value


_UNIQUE = re.compile(r"index `(?P<index>[^`]+)` already contains (?P<value>.+?), with record")
_REJECT = re.compile(r"Cannot delete `(?P<record>[^`]+)` as it is referenced by `(?P<by>[^`]+)`")
_INVALID = ("must conform to", "Couldn't coerce", "Expected a", "but expected", "is readonly")
# What the engine says when the file system fails under it, and what to do about it.
_FILE_SYSTEM = {
    "No space left on device": " Free some space on that disk.",
    "Read-only file system": " The disk is mounted read-only.",
    "Permission denied": " Check the folder's owner and permissions.",
    "Disk quota exceeded": " Free some space within the quota.",
    "Input/output error": " The disk reports errors.",
    "No such file or directory": " Files of the store are missing.",
}


_THROWN = re.compile(r"workbench-(?P<kind>conflict|invalid):(?P<message>.*)", re.S)


def _translate(exc: Exception) -> Exception:
    """Turn an SDK error into a named workbench error where the cause is the user's."""
    text = str(exc)
    # A check inside a transaction refuses with THROW "workbench-<kind>:<message>".
    if m := _THROWN.search(text):
        err = (ConflictError if m["kind"] == "conflict" else InvalidInputError)(m["message"])
        return err
    if m := _UNIQUE.search(text):
        err = ConflictError(f"{m['value']} already exists ({m['index']}).")
        err.index = m["index"]
        return err
    if m := _REJECT.search(text):
        err = ConflictError(f"{m['record']} is still referenced by {m['by']}.")
        err.referenced_by = m["by"]
        return err
    if any(marker in text for marker in _INVALID):
        return InvalidInputError(text)
    if fault := next((marker for marker in _FILE_SYSTEM if marker in text), None):
        return StoreUnavailableError(f"The store cannot be used: {fault}.{_FILE_SYSTEM[fault]}")
    if isinstance(exc, surrealdb.errors.TransportError):
        return StoreUnavailableError(f"The store is unavailable: {text}")
    return exc


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def file_system_error(path: Path | str, exc: OSError) -> StoreUnavailableError:
    """A one-line :class:`StoreUnavailableError` naming ``path`` and what the system said."""
    cause = exc.strerror or _first_line(str(exc)) or type(exc).__name__
    where = exc.filename if getattr(exc, "filename", None) else path
    hint = {
        errno.ENOSPC: " Free some space on that disk.",
        errno.EROFS: " The disk is mounted read-only.",
        errno.EACCES: " Check the folder's owner and permissions.",
        errno.EPERM: " Check the folder's owner and permissions.",
        errno.ENOTDIR: " A file stands where a folder is expected.",
        errno.EEXIST: " A file stands where a folder is expected.",
    }.get(exc.errno or 0, "")
    err = StoreUnavailableError(f"The store at {path} cannot be used: {cause} ({where}).{hint}")
    err.errno = exc.errno
    return err


class Session:
    """An open store inside one unit of work. Only ``workbench.store`` uses it.

    ``guard`` runs before every statement (the on-disk store checks that its folder is
    still the one it opened); ``watch`` bounds each call into the engine.
    """

    def __init__(
        self,
        connection: Any,
        *,
        guard: Callable[[], None] | None = None,
        watch: EngineWatch | None = None,
        label: str = "the store",
    ):
        self._connection = connection
        self._guard = guard
        self._watch = watch
        self._label = label

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Run SurrealQL with bound parameters; return one result per statement."""
        if self._guard is not None:
            self._guard()
        watching = (
            self._watch.watching(f"a query on {self._label}") if self._watch else nullcontext()
        )
        try:
            with watching:
                response = self._connection.query_raw(sql, to_db(params or {}))
            if response.get("error") is not None:
                raise parse_rpc_error(response["error"])
            results = response.get("result") or []
            failed = [r for r in results if r.get("status") == "ERR"]
            if failed:
                # In a failed transaction every statement reports "not executed"; the
                # one that failed for a reason is the one worth reporting.
                root = next(
                    (r for r in failed if (r.get("details") or {}).get("kind") != "NotExecuted"),
                    failed[0],
                )
                raise parse_query_error(root)
        except surrealdb.errors.SurrealError as exc:
            translated = _translate(exc)
            if translated is exc:
                raise
            if isinstance(translated, StoreUnavailableError):
                translated = StoreUnavailableError(
                    str(translated).replace("The store", f"The store at {self._label}", 1)
                )
            raise translated from exc
        except UnicodeEncodeError as exc:
            # A lone surrogate cannot be encoded for the engine; the rules in
            # workbench.text refuse it earlier, this is the last line.
            raise InvalidInputError(
                "A value is not valid text (it holds a lone surrogate, such as bytes that are "
                "not UTF-8)."
            ) from exc
        return [r.get("result") for r in results]

    def one(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        """Run a single statement and return its result."""
        return self.query(sql, params)[-1]

    def transaction(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Run several statements all or nothing (SurrealDB rolls back on any failure)."""
        return self.query("BEGIN TRANSACTION;\n" + sql + "\nCOMMIT TRANSACTION;", params)

    def get(self, table: str, key: str | RecordID) -> dict[str, Any]:
        """The record ``table:key``; :class:`NotFoundError` if there is none."""
        rid = record_id(table, key)
        rows = self.one("SELECT * FROM ONLY $id", {"id": rid})
        if not rows:
            raise NotFoundError(f"No {table} with id {rid.id!r}.")
        return rows


@dataclass(frozen=True)
class _Holder:
    pid: int
    host: str
    user: str
    command: str
    since: str

    def describe(self) -> str:
        return f"process {self.pid} ({self.command}) of {self.user}@{self.host}, since {self.since}"


IDENTITY_SUFFIX = ".identity"
_IDENTITY_PROBE = "SELECT VALUE identity FROM ONLY store_identity:current; SELECT VALUE name FROM schema_migration LIMIT 1;"


class Store:
    """The workbench's one gateway to SurrealDB.

    A store is created only on purpose: by :func:`workbench.store.migrate` (``workbench
    init``/``migrate``, or ``workbench.open()`` on a new data directory). Every other unit of
    work first checks, before anything is written, that the store is the one this process
    and its data directory know: the identity recorded in it (``store_identity:current``)
    must match the copy beside it (``<store>.identity``) and what this process saw before.
    A vanished, replaced or schema-less store raises :class:`StoreUnavailableError`.

    Parameters
    ----------
    settings : Settings
        ``db_url`` picks the engine: ``surrealkv://PATH``, ``mem://``, ``ws(s)://HOST:PORT``.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.url = settings.db_url
        scheme, sep, rest = self.url.partition("://")
        if not sep or scheme not in SERVER_SCHEMES + EMBEDDED_SCHEMES:
            raise InvalidInputError(
                f"Store URL {self.url!r} is not understood: use surrealkv://PATH, mem:// "
                "or ws://HOST:PORT."
            )
        self.scheme = scheme
        self.path: Path | None = None
        if scheme == "surrealkv":
            if not rest:
                raise InvalidInputError("surrealkv:// needs a directory: surrealkv://PATH.")
            self.path = Path(rest).expanduser().resolve()
            self.url = f"surrealkv://{self.path}"
        self._local = threading.local()
        self._mutex = threading.RLock()
        self._shared_connection: Any = None
        self._file_lock: filelock.BaseFileLock | None = None
        if self.path is not None:
            self._file_lock = filelock.FileLock(str(self.path) + ".lock", thread_local=False)
        self.identity: str | None = None
        """The store's identity once a unit of work has seen it."""
        self.watch = EngineWatch(
            settings.home / "logs",
            settings.engine_timeout
            + (min(WATCH_MARGIN, settings.engine_timeout) if self.path is not None else 0.0),
        )
        raise_open_file_limit()

    @property
    def is_embedded_on_disk(self) -> bool:
        """True when every unit of work opens and closes the on-disk engine."""
        return self.path is not None

    @property
    def where(self) -> str:
        """The store's folder or URL, for messages."""
        return str(self.path) if self.path is not None else self.url

    # -- connections ---------------------------------------------------------------------

    def _connect(self, host: Any = None) -> Any:
        try:
            with self.watch.watching(f"the open of {self.where}"):
                if host is not None:
                    connection = _HostedConnection(
                        self.url,
                        lambda: HostedEngine(host, self.url, self._open_bound, self.where),
                    )
                else:
                    connection = surrealdb.Surreal(self.url)
                if self.scheme in SERVER_SCHEMES:
                    if hasattr(connection, "connect"):
                        connection.connect()
                    if self.settings.username:
                        connection.signin(
                            {
                                "username": self.settings.username,
                                "password": self.settings.password or "",
                            }
                        )
                connection.use(self.settings.namespace, self.settings.database)
            return connection
        except surrealdb.errors.SurrealError as exc:
            translated = _translate(exc)
            if isinstance(translated, StoreUnavailableError):
                raise StoreUnavailableError(
                    str(translated).replace("The store", f"The store at {self.where}", 1)
                ) from exc
            raise StoreUnavailableError(f"Cannot open the store at {self.url}: {exc}") from exc
        except OSError as exc:
            raise StoreUnavailableError(f"Cannot reach the store at {self.url}: {exc}") from exc

    def _close(self, connection: Any) -> None:
        with self.watch.watching(f"the close of {self.where}"):
            connection.close()

    @property
    def _open_bound(self) -> float:
        return min(OPEN_BOUND, self.settings.engine_timeout)

    def _open_embedded(self, deadline: float, host: Any) -> Any:
        # Something outside our lock protocol (another tool) may hold the engine's own lock:
        # keep trying until the same deadline.
        while True:
            try:
                return self._connect(host)
            except StoreUnavailableError as exc:
                if "already locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    def _wait_for_engine_lock(self, deadline: float) -> bool:
        """Wait until no engine holds the store's own LOCK file (a flock); False on timeout.

        A program outside the workbench's lock protocol (another tool on the same folder)
        would otherwise only show up as an engine error; probing makes the wait bounded.
        """
        assert self.path is not None
        try:
            fd = os.open(self.path / "LOCK", os.O_RDONLY)
        except FileNotFoundError:
            return True
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        return False
                    time.sleep(0.002)
                    continue
                fcntl.flock(fd, fcntl.LOCK_UN)
                return True
        finally:
            os.close(fd)

    def _holder_path(self) -> Path:
        assert self.path is not None
        return Path(str(self.path) + ".holder.json")

    def _write_holder(self) -> None:
        holder = _Holder(
            pid=os.getpid(),
            host=socket.gethostname(),
            user=getpass.getuser(),
            command=" ".join(Path(sys.argv[0]).name.split()[:1] + sys.argv[1:3]) or "python",
            since=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        try:
            self._holder_path().write_text(json.dumps(holder.__dict__))
        except OSError:
            pass  # the holder note is a courtesy for error messages, never a requirement

    def holder(self) -> str | None:
        """Who holds the on-disk store, as last written by the holder, if known."""
        try:
            return _Holder(**json.loads(self._holder_path().read_text())).describe()
        except (OSError, ValueError, TypeError):
            return None

    # -- identity ------------------------------------------------------------------------

    @property
    def identity_path(self) -> Path | None:
        """The copy of the store's identity kept beside an on-disk store."""
        return None if self.path is None else Path(str(self.path) + IDENTITY_SUFFIX)

    def _identity_beside(self) -> str | None:
        if self.identity_path is None:
            return None
        try:
            return self.identity_path.read_text("utf-8").strip() or None
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise file_system_error(self.where, exc) from exc

    def _gone(self, what: str) -> StoreUnavailableError:
        known = self.identity or self._identity_beside()
        remedy = (
            f" Put it back, or remove {self.identity_path} and run `workbench restore FILE` to "
            "bring back a backup (or `workbench init` to start a new, empty store)."
            if self.identity_path is not None and self.identity_path.exists()
            else " Restart this kernel or command to start afresh."
        )
        return StoreUnavailableError(
            f"The store at {self.where} {what}; nothing was written"
            + (f" (expected store {known})." if known else ".")
            + remedy
        )

    def _check_folder(self, creating: bool) -> bool:
        """Before the engine opens (and would create) the folder: True if it exists."""
        assert self.path is not None
        try:
            if self.path.is_dir():
                return True
            if self.path.exists():
                raise NotADirectoryError(
                    errno.ENOTDIR, "a file stands where the store folder should be", str(self.path)
                )
        except OSError as exc:
            raise file_system_error(self.where, exc) from exc
        if self.identity is not None or self._identity_beside() is not None:
            raise self._gone("is missing: it was deleted or moved")
        if not creating:
            raise StoreUnavailableError(
                f"No store at {self.where}: create one with `workbench init` (or workbench.open())."
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise file_system_error(self.where, exc) from exc
        return False

    def _probe_identity(self, connection: Any) -> tuple[str | None, bool]:
        """(identity recorded in the store, whether it has a migration ledger)."""
        with self.watch.watching(f"a query on {self.where}"):
            response = connection.query_raw(_IDENTITY_PROBE, {})
        results = response.get("result") or []
        values = [r.get("result") if r.get("status") == "OK" else None for r in results]
        values += [None] * (2 - len(values))
        identity = values[0] if isinstance(values[0], str) else None
        return identity, bool(values[1])

    def _check_identity(self, connection: Any, migrating: bool) -> None:
        identity, has_ledger = self._probe_identity(connection)
        beside = self._identity_beside()
        expected = self.identity or beside
        if identity is None:
            if expected is None and (has_ledger or migrating):
                return  # new (the migrations create it) or written before schema 0007
            raise self._gone(
                "has no schema: it is empty or was replaced"
                if not has_ledger
                else "has lost its identity: it was replaced by another store"
            )
        if expected is not None and identity != expected:
            raise self._gone(f"was replaced by another store ({identity})")
        self.identity = identity
        if self.identity_path is not None and beside is None:
            try:
                self.identity_path.write_text(identity + "\n", "utf-8")
            except OSError as exc:
                raise file_system_error(self.where, exc) from exc

    def _folder_guard(self) -> Callable[[], None]:
        assert self.path is not None
        path = self.path
        try:
            inode = os.stat(path).st_ino
        except OSError as exc:
            raise file_system_error(self.where, exc) from exc

        def still_there() -> None:
            try:
                same = os.stat(path).st_ino == inode
            except FileNotFoundError:
                same = False
            except OSError as exc:
                raise file_system_error(self.where, exc) from exc
            if not same:
                raise self._gone("vanished while in use: it was deleted or replaced")

        return still_there

    # -- units of work -------------------------------------------------------------------

    @contextmanager
    def unit_of_work(
        self, timeout: float | None = None, *, migrating: bool = False
    ) -> Iterator[Session]:
        """One user action on the store: lock, open, check identity, work, close.

        Nested calls in the same thread reuse the open session, so a facade method may call
        another without deadlocking.

        Parameters
        ----------
        timeout : float, optional
            Seconds to wait for another process holding the embedded store
            (default: ``settings.lock_timeout``).
        migrating : bool
            Only for :func:`workbench.store.migrate`: a new store may be created.

        Raises
        ------
        StoreLockedError
            When another process held the embedded store for longer than ``timeout``.
        StoreUnavailableError
            The store is missing, replaced or without schema, or the file system fails.
        """
        active = getattr(self._local, "session", None)
        if active is not None:
            yield active
            return
        timeout = self.settings.lock_timeout if timeout is None else timeout
        with self._mutex:
            if self._file_lock is None:
                connection = self._shared()
                self._check_identity(connection, migrating)
                session = Session(connection, watch=self.watch, label=self.where)
                self._local.session = session
                try:
                    yield session
                finally:
                    self._local.session = None
                return
            self._check_folder(migrating)
            deadline = time.monotonic() + timeout
            try:
                self._file_lock.acquire(timeout=timeout)
            except filelock.Timeout:
                who = self.holder()
                raise StoreLockedError(
                    f"The store {self.path} stayed busy for {timeout:g} s"
                    + (f"; it is held by {who}." if who else ".")
                    + " Try again, or stop the process that holds it."
                ) from None
            except OSError as exc:
                raise file_system_error(self.where, exc) from exc
            try:
                # Checked again under the lock: another process may have removed it.
                self._check_folder(migrating)
                try:
                    free = self._wait_for_engine_lock(deadline)
                except OSError as exc:
                    raise file_system_error(self.where, exc) from exc
                if not free:
                    raise StoreLockedError(
                        f"The store {self.path} is open in a program that does not use the "
                        "workbench's lock (its LOCK file stayed held). Close that program."
                    )
                self._write_holder()
                connection, host, guard = self._open_checked(deadline, migrating)
                try:
                    session = Session(connection, guard=guard, watch=self.watch, label=self.where)
                    self._local.session = session
                    try:
                        yield session
                        guard()  # the action's writes went to a folder that is still there
                    except EngineStalled as exc:
                        self._note_stall(exc, "ended the host and the action")
                        raise StoreUnavailableError(
                            f"The store at {self.where} stopped answering for {exc.bound:g} s "
                            f"during {exc.what}; its engine was ended. What this action wrote "
                            "may or may not have been saved: look, then try again."
                        ) from None
                    finally:
                        self._local.session = None
                finally:
                    self._close_hosted(connection, host)
            finally:
                self._file_lock.release()

    def _open_checked(self, deadline: float, migrating: bool) -> tuple[Any, Any, Callable]:
        """Open the on-disk store in an engine host and check its identity.

        An open that stalls (see :mod:`workbench.store.engine_host`) ends its host and is
        tried again in a fresh one, up to :data:`OPEN_ATTEMPTS` times; nothing was written.
        """
        for attempt in range(1, OPEN_ATTEMPTS + 1):
            host = hosts.acquire()
            connection = None
            try:
                connection = self._open_embedded(deadline, host)
                guard = self._folder_guard()
                self._check_identity(connection, migrating)
            except EngineStalled as exc:
                host.kill()
                last = attempt == OPEN_ATTEMPTS
                self._note_stall(exc, "gave up" if last else "opened it again in a fresh host")
                if last:
                    raise StoreUnavailableError(
                        f"The store at {self.where} did not open: its engine stalled "
                        f"{OPEN_ATTEMPTS} times in a row. Nothing was written; try again."
                    ) from None
                continue
            except BaseException:
                if connection is not None:
                    self._close_hosted(connection, host)
                else:
                    # The open may have got as far as the engine (then holding its LOCK)
                    # before failing: this host is not safe to reuse.
                    host.kill()
                raise
            connection._db.bound = self.settings.engine_timeout
            return connection, host, guard
        raise AssertionError("unreachable")  # pragma: no cover

    def _close_hosted(self, connection: Any, host: Any) -> None:
        try:
            if not host.dead:  # a host ended mid-action has nothing left to close
                self._close(connection)
        except EngineStalled as exc:
            # The action had finished (or already failed): ending the host loses nothing.
            self._note_stall(exc, "ended the host")
        finally:
            hosts.release(host)

    def _note_stall(self, exc: EngineStalled, outcome: str) -> None:
        self.watch.note_stall(
            f"the store engine (host process {exc.pid}) did not answer within "
            f"{exc.bound:g} s during {exc.what}; the workbench {outcome}."
        )

    def confirm_identity(self, session: Session) -> str:
        """After the migrations: remember the store's identity and keep its copy beside it.

        Raises
        ------
        StoreUnavailableError
            The store has no identity, or not the expected one.
        """
        self._check_identity(session._connection, migrating=False)
        assert self.identity is not None
        return self.identity

    def _shared(self) -> Any:
        if self._shared_connection is None:
            self._shared_connection = self._connect()
        return self._shared_connection

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Run one query as its own unit of work."""
        with self.unit_of_work() as session:
            return session.query(sql, params)

    def close(self) -> None:
        """Close a kept connection (mem://, servers). Embedded on-disk stores hold none."""
        with self._mutex:
            if self._shared_connection is not None:
                try:
                    self._close(self._shared_connection)
                finally:
                    self._shared_connection = None

    def __repr__(self) -> str:
        return f"Store({self.url!r})"
