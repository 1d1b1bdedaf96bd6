"""The gateway to SurrealDB: one URL picks the engine; every user action is a unit of work.

The embedded on-disk engine (surrealkv) takes an exclusive directory lock that fails at once
when another process holds it. A Jupyter kernel and each Voila kernel are separate
processes, so a connection kept open would lock every other kernel out. Each unit of work
therefore waits on a cross-process file lock, opens the store, runs the whole user action
and closes it again (about 10 ms on these machines). ``mem://`` and server URLs keep one
connection: the first has nothing to share, the second is shared by the server itself.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import filelock
import surrealdb
from surrealdb import RecordID
from surrealdb.errors import parse_query_error, parse_rpc_error

from workbench.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    StoreLockedError,
    StoreUnavailableError,
)
from workbench.settings import Settings

__all__ = ["Store", "Session", "RecordID", "record_id"]

SERVER_SCHEMES = ("ws", "wss", "http", "https")
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
        "workflow_template",
        "server_inventory",
        "hardware_pool_status",
        "procurement_request",
        "rvtools_import",
        "project_document",
        "document_template",
        "schema_migration",
    }
)


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


def _translate(exc: Exception) -> Exception:
    """Turn an SDK error into a named workbench error where the cause is the user's."""
    text = str(exc)
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
    if isinstance(exc, surrealdb.errors.TransportError):
        return StoreUnavailableError(f"The store is unavailable: {text}")
    return exc


class Session:
    """An open store inside one unit of work. Only ``workbench.store`` uses it."""

    def __init__(self, connection: Any):
        self._connection = connection

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Run SurrealQL with bound parameters; return one result per statement."""
        try:
            response = self._connection.query_raw(sql, to_db(params or {}))
            if response.get("error") is not None:
                raise parse_rpc_error(response["error"])
            results = response.get("result") or []
            failed = [r for r in results if r.get("status") == "ERR"]
            if failed:
                # In a failed transaction every statement reports "not executed"; the
                # one that failed for a reason is the one worth reporting.
                root = next((r for r in failed if (r.get("details") or {}).get("kind") != "NotExecuted"), failed[0])
                raise parse_query_error(root)
        except surrealdb.errors.SurrealError as exc:
            translated = _translate(exc)
            if translated is exc:
                raise
            raise translated from exc
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


class Store:
    """The workbench's one gateway to SurrealDB.

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

    @property
    def is_embedded_on_disk(self) -> bool:
        """True when every unit of work opens and closes the on-disk engine."""
        return self.path is not None

    # -- connections ---------------------------------------------------------------------

    def _connect(self) -> Any:
        try:
            connection = surrealdb.Surreal(self.url)
            if self.scheme in SERVER_SCHEMES:
                if hasattr(connection, "connect"):
                    connection.connect()
                if self.settings.username:
                    connection.signin(
                        {"username": self.settings.username, "password": self.settings.password or ""}
                    )
            connection.use(self.settings.namespace, self.settings.database)
            return connection
        except surrealdb.errors.SurrealError as exc:
            raise StoreUnavailableError(f"Cannot open the store at {self.url}: {exc}") from exc
        except OSError as exc:
            raise StoreUnavailableError(f"Cannot reach the store at {self.url}: {exc}") from exc

    def _open_embedded(self, deadline: float) -> Any:
        # Something outside our lock protocol (another tool) may hold the engine's own lock:
        # keep trying until the same deadline.
        while True:
            try:
                return self._connect()
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

    @contextmanager
    def unit_of_work(self, timeout: float | None = None) -> Iterator[Session]:
        """One user action on the store: lock, open, work, close.

        Nested calls in the same thread reuse the open session, so a facade method may call
        another without deadlocking.

        Raises
        ------
        StoreLockedError
            When another process held the embedded store for longer than ``timeout``
            seconds (default: ``settings.lock_timeout``).
        """
        active = getattr(self._local, "session", None)
        if active is not None:
            yield active
            return
        timeout = self.settings.lock_timeout if timeout is None else timeout
        with self._mutex:
            if self._file_lock is None:
                session = Session(self._shared())
                self._local.session = session
                try:
                    yield session
                finally:
                    self._local.session = None
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
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
            try:
                if not self._wait_for_engine_lock(deadline):
                    raise StoreLockedError(
                        f"The store {self.path} is open in a program that does not use the "
                        "workbench's lock (its LOCK file stayed held). Close that program."
                    )
                self._write_holder()
                connection = self._open_embedded(deadline)
                session = Session(connection)
                self._local.session = session
                try:
                    yield session
                finally:
                    self._local.session = None
                    connection.close()
            finally:
                self._file_lock.release()

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
                    self._shared_connection.close()
                finally:
                    self._shared_connection = None

    def __repr__(self) -> str:
        return f"Store({self.url!r})"
