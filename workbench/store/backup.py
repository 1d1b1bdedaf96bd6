"""Backup and restore: every record and every data file in one checked archive.

``backup`` takes the records (ids included), the schema text and the migration ledger and
copies the data directory's files, all inside one unit of work: the unit holds the
cross-process lock, so no kernel writes between the records and the files. The archive
format (a zip with a sha256 manifest, read as hostile) is :mod:`workbench.io.backup_archive`.

``restore`` checks the whole archive and extracts its files into a staging folder before it
touches the store. Then, in one unit of work: the migration ledgers are compared, the
target must hold no records or files (unless ``force``), and one transaction empties the
target (with ``force``) and inserts every record. Only when it has committed are the
staged files moved into place; a failure before leaves the target as it was.

Values are stored in SurrealDB's own CBOR tags, so they come back with their types:
datetimes to the nanosecond, decimals, record ids, nested objects and arrays, NULL apart
from NONE. ``created_at`` is kept because an INSERT with a value skips its DEFAULT;
``updated_at`` (``VALUE time::now()``) keeps the given value only while the restore binds
``$workbench_restore`` (schema 0008).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import metadata
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from surrealdb.cbor import CBORDecodeError, CBORTag, dumps
from surrealdb.data.cbor import decode, default_encoder
from surrealdb.data.types import constants
from surrealdb.data.types.set import SurrealSet
from surrealdb.errors import SurrealError

from workbench import formatting as fmt
from workbench.errors import ConflictError, ImportRejectedError, SchemaError, StoreUnavailableError
from workbench.io import backup_archive
from workbench.io.backup_archive import (
    FILES_PREFIX,
    RECORDS_PREFIX,
    RECORDS_SUFFIX,
    SCHEMA_MEMBER,
    WORK_PREFIX,
    ArchiveWriter,
    VerifiedArchive,
    data_files,
)
from workbench.store.connection import TABLES, RecordID, Session, Store
from workbench.store.migrations import Migration, applied, describe_schema, load_migrations, migrate

__all__ = ["BackupSummary", "backup", "restore", "encode_records", "decode_records"]

NOT_RESTORED = frozenset({"schema_migration", "store_identity"})
"""The target keeps its own ledger (compared, not copied) and its own identity."""
NOT_BACKED_UP = frozenset({"store_identity"})
RESTORE_PARAMETER = "workbench_restore"
"""Bound to true only by :func:`restore`: ``updated_at`` then keeps the value given."""
PATH_FIELDS = {
    "rvtools_import": ("raw_data_path",),
    "project_document": ("file_path",),
    "document_template": ("template_file_path",),
}
"""Fields holding absolute paths into the data directory: moved along with the home."""
BESIDE_STORE = (".lock", ".holder.json", ".identity")
_BATCH = 1000
_RECORD_LINK = re.compile(r"record<([^>]+)>")

_LOAD = """BEGIN TRANSACTION;
FOR $table IN $clear { DELETE type::table($table) RETURN NONE; };
FOR $batch IN $batches { LET $into = $batch.table; LET $rows = $batch.rows; INSERT INTO $into $rows RETURN NONE; };
COMMIT TRANSACTION;"""


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds, or what a restore brought back.

    Attributes
    ----------
    path : Path
        The archive.
    records : Mapping of str to int
        Records per table (every table backed up, zeros included).
    files : int
        Data files.
    bytes : int
        Total size of the data files (bytes, uncompressed).
    schema : str
        The last migration of the schema the records were written under.
    created_at : str
        When the backup was taken (ISO 8601, UTC).
    """

    path: Path
    records: Mapping[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0
    schema: str = ""
    created_at: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "records", MappingProxyType(dict(sorted(self.records.items()))))

    @property
    def total_records(self) -> int:
        """Records over all tables."""
        return sum(self.records.values())

    def describe(self) -> str:
        """A few lines for the command line."""
        tables = ", ".join(f"{table} {count:,}" for table, count in self.records.items() if count)
        return (
            f"{self.path}: {self.total_records:,} records ({tables or 'none'}), "
            f"{self.files:,} files ({fmt.size(self.bytes / 2**20)}), schema {self.schema or '?'}, "
            f"taken {fmt.moment(dt.datetime.fromisoformat(self.created_at)) if self.created_at else '?'}"
        )


# -- values -----------------------------------------------------------------------------------


def _tagged(value: Any) -> Any:
    """Give values whose plain CBOR form would lose something the SDK's exact tags."""
    if isinstance(value, dict):
        return {key: _tagged(item) for key, item in value.items()}
    if isinstance(value, SurrealSet):
        return CBORTag(constants.TAG_SET, [_tagged(item) for item in value])
    if isinstance(value, (list, tuple)):
        return [_tagged(item) for item in value]
    if isinstance(value, dt.datetime):
        # cbor2's own datetime form stops at microseconds; SurrealDB's [seconds, nanos]
        # keeps what the engine stored (the SDK decodes it to a PreciseDatetime).
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        seconds = delta.days * 86400 + delta.seconds
        nanos = delta.microseconds * 1000 + getattr(value, "nanosecond", 0)
        return CBORTag(constants.TAG_DATETIME_COMPACT, [seconds, nanos])
    if isinstance(value, Decimal):
        return CBORTag(constants.TAG_DECIMAL_STRING, str(value))
    if isinstance(value, RecordID):
        return CBORTag(constants.TAG_RECORD_ID, [value.table_name, _tagged(value.id)])
    return value


def encode_records(value: Any) -> bytes:
    """Encode store values exactly, in canonical CBOR (equal values give equal bytes)."""
    return dumps(_tagged(value), default=default_encoder, canonical=True)


def decode_records(data: bytes) -> Any:
    """Decode what :func:`encode_records` wrote, into the SDK's value types.

    Raises
    ------
    ValueError
        The bytes are not valid CBOR of SurrealDB values.
    """
    try:
        return decode(data)
    except (
        CBORDecodeError,
        SurrealError,
        RecursionError,
        ValueError,
        TypeError,
        IndexError,
        KeyError,
    ) as exc:
        raise ValueError(f"not valid record data ({type(exc).__name__}: {exc})") from None


# -- the store's side -------------------------------------------------------------------------


def _tables(session: Session) -> list[str]:
    """The tables of TABLES the store defines, in name order."""
    defined = set(session.one("INFO FOR DB")["tables"])
    return sorted(TABLES & defined)


def table_order(session: Session) -> list[str]:
    """Tables with the ones they link to first: the order to insert, reversed to delete.

    Taken from the store's own field definitions (``record<table>``), so a table added by a
    later migration falls into place. Links within a table (workflow dependencies) do not
    order anything: the engine does not require a linked record to exist, and everything
    lands in one transaction.
    """
    schema = describe_schema(session)
    tables = [t for t in sorted(schema["tables"]) if t in TABLES]
    needs: dict[str, set[str]] = {}
    for table in tables:
        fields = schema["tables"][table].get("fields") or {}
        linked = {
            m
            for text in fields.values()
            for group in _RECORD_LINK.findall(text)
            for m in re.split(r"\s*\|\s*", group)
        }
        needs[table] = {t for t in linked if t in tables and t != table}
    order: list[str] = []
    while needs:
        ready = sorted(t for t, deps in needs.items() if deps <= set(order))
        if not ready:  # a cycle between tables: the transaction copes, any order will do
            ready = sorted(needs)
        for table in ready:
            order.append(table)
            del needs[table]
    return order


def dump_records(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every record of every table of TABLES the store defines (but its identity), by id."""
    return {
        table: session.one("SELECT * FROM type::table($table) ORDER BY id", {"table": table})
        for table in _tables(session)
        if table not in NOT_BACKED_UP
    }


def _schema_text(session: Session) -> str:
    schema = describe_schema(session)
    lines = ["-- The store's schema as INFO FOR DB / INFO FOR TABLE described it, for the record."]
    for _kind, definitions in sorted(schema["db"].items()):
        if isinstance(definitions, dict):
            lines += [
                f"{text};" for _, text in sorted(definitions.items()) if isinstance(text, str)
            ]
    for info in schema["tables"].values():
        for kind in ("fields", "indexes", "events"):
            lines += [
                f"{text};"
                for _, text in sorted((info.get(kind) or {}).items())
                if isinstance(text, str)
            ]
    return "\n".join(lines) + "\n"


def _ledger(session: Session) -> list[dict[str, Any]]:
    rows = session.one("SELECT name, number, checksum FROM schema_migration ORDER BY number")
    return [{"name": r["name"], "number": r["number"], "checksum": r["checksum"]} for r in rows]


def _excluded(store: Store, home: Path) -> set[Path]:
    """What a backup leaves out of the data directory: the store itself and what lives beside it."""
    excluded = {home / "logs"}
    if store.path is not None:
        excluded.add(store.path)
        excluded |= {Path(str(store.path) + suffix) for suffix in BESIDE_STORE}
    return excluded


def _workbench_version() -> str:
    try:
        return metadata.version("workbench")
    except metadata.PackageNotFoundError:
        return "unknown"


def backup(store: Store, home: Path, path: Path) -> BackupSummary:
    """Write every record and every data file into one archive at ``path``.

    Taken inside one unit of work, which holds the store's cross-process lock, so no
    dashboard or kernel writes between the records and the files. The archive is written
    beside ``path`` under a temporary name and renamed into place when complete (an
    existing file at ``path`` is replaced only then).

    Parameters
    ----------
    store : Store
        The store to back up.
    home : Path
        The data directory; everything under it is copied except the store's folder, the
        files beside it (``<store>.lock``, ``.holder.json``, ``.identity``) and ``logs/``.
        Symbolic links and special files are not copied.
    path : Path
        Where to write the archive (a zip file).

    Returns
    -------
    BackupSummary

    Raises
    ------
    InvalidInputError
        ``path`` is a folder or its folder does not exist.
    StoreUnavailableError, StoreLockedError
        The store or the disk failed; no archive is left at ``path``.
    """
    home = Path(home).resolve()
    path = Path(path).resolve()
    with ArchiveWriter(path) as writer, store.unit_of_work() as session:
        created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        ledger = _ledger(session)
        writer.add_bytes(SCHEMA_MEMBER, _schema_text(session).encode("utf-8"))
        counts = {}
        for table, rows in dump_records(session).items():
            writer.add_bytes(f"{RECORDS_PREFIX}{table}{RECORDS_SUFFIX}", encode_records(rows))
            counts[table] = len(rows)
        files, skipped = data_files(home, _excluded(store, home) | {path, writer.temporary})
        total = sum(writer.add_file(FILES_PREFIX + f.relative, f) for f in files)
        writer.finish(
            {
                "created_at": created,
                "workbench_version": _workbench_version(),
                "source": {"home": str(home), "store": store.url, "identity": store.identity},
                "schema": {"level": ledger[-1]["name"] if ledger else None, "ledger": ledger},
                "records": counts,
                "files": {"count": len(files), "bytes": total, "skipped": skipped},
            }
        )
    return BackupSummary(
        path=path,
        records=counts,
        files=len(files),
        bytes=total,
        schema=ledger[-1]["name"] if ledger else "",
        created_at=created,
    )


# -- restore ----------------------------------------------------------------------------------


def _backup_level(path: Path, ledger: list[dict[str, Any]], migrations: list[Migration]) -> int:
    """How many of ``migrations`` the backup's schema had; refuse a ledger this code cannot honour."""
    known = {m.name: m for m in migrations}
    unknown = [row["name"] for row in ledger if row["name"] not in known]
    if unknown:
        raise SchemaError(
            f"The backup {path} was written by a newer workbench: its schema has migrations this "
            f"workbench does not know ({', '.join(unknown)}). Upgrade the workbench, then restore."
        )
    changed = [row["name"] for row in ledger if known[row["name"]].checksum != row["checksum"]]
    if changed:
        raise SchemaError(
            f"The backup {path} was written under different versions of migrations "
            f"{', '.join(changed)}; this workbench cannot vouch for its records."
        )
    names = [row["name"] for row in sorted(ledger, key=lambda r: r["number"])]
    if names != [m.name for m in migrations[: len(names)]]:
        raise SchemaError(
            f"The backup {path} has a migration ledger with gaps ({', '.join(names)})."
        )
    return len(names)


def _rows(path: Path, archive: VerifiedArchive) -> dict[str, list[dict[str, Any]]]:
    """Decode and check every table's records; refuse anything a backup never holds."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for table, data in backup_archive.iter_tables(archive):
        if table not in TABLES or table in NOT_BACKED_UP:
            raise ImportRejectedError(
                f"The backup {path} was refused: it holds records of table {table!r}."
            )
        try:
            rows = decode_records(data)
        except ValueError as exc:
            raise ImportRejectedError(
                f"The backup {path} was refused: the {table} records are {exc}."
            ) from None
        if (
            not isinstance(rows, list)
            or len(rows) != archive.records[table]
            or not all(
                isinstance(r, dict)
                and isinstance(r.get("id"), RecordID)
                and r["id"].table_name == table
                for r in rows
            )
        ):
            raise ImportRejectedError(
                f"The backup {path} was refused: the {table} records are not {archive.records[table]} records of that table."
            )
        tables[table] = rows
    return tables


def _relocate(tables: dict[str, list[dict[str, Any]]], source: str, home: Path) -> None:
    """Point paths into the backup's data directory at the same files under ``home``."""
    old = PurePosixPath(source)
    if old == PurePosixPath(home):
        return
    for table, names in PATH_FIELDS.items():
        for row in tables.get(table, []):
            for name in names:
                value = row.get(name)
                if isinstance(value, str) and PurePosixPath(value).is_relative_to(old):
                    row[name] = str(home.joinpath(*PurePosixPath(value).relative_to(old).parts))


def _top_level(home: Path, excluded: set[Path]) -> list[Path]:
    """Entries of ``home`` a restore replaces: all but the store's own and its work folders."""
    if not home.is_dir():
        return []
    return sorted(
        p for p in home.iterdir() if p not in excluded and not p.name.startswith(WORK_PREFIX)
    )


def _occupied(session: Session, tables: list[str]) -> list[str]:
    return [
        table
        for table in tables
        if table not in NOT_RESTORED
        and session.one("SELECT VALUE id FROM type::table($table) LIMIT 1", {"table": table})
    ]


def restore(
    store: Store,
    home: Path,
    path: Path,
    *,
    force: bool = False,
    migrations: list[Migration] | None = None,
) -> BackupSummary:
    """Bring back the records and data files of a backup, all or nothing.

    The archive is checked completely, and its files extracted into a staging folder inside
    ``home``, before the store is opened. Then, in one unit of work: the migration ledgers
    are compared, the target must be empty (no record outside ``schema_migration`` and
    ``store_identity``, no data file) unless ``force``, and one transaction deletes the
    target's records (``force``) and inserts the backup's with their ids, ``created_at`` and
    ``updated_at``. When it has committed, the target's old data files are removed and the
    staged files moved into place. The target keeps its own identity and ledger.

    Paths into the backup's data directory (``rvtools_import.raw_data_path``, document file
    paths) are moved to ``home`` when the backup was taken elsewhere.

    Schema levels: the backup's ledger must name migrations this workbench knows, with the
    same checksums. A target at the same level receives the records as they are. A new
    store (no ledger yet) is migrated to the backup's level, receives the records, and is
    then brought up to date by the later migrations, which so transform the restored data
    as they would have in place. A target already past the backup's level is refused (a
    later migration's data changes cannot be replayed onto it): restore into a new store.

    Parameters
    ----------
    store : Store
        The target store (may be new: no schema yet).
    home : Path
        The target's data directory.
    path : Path
        The archive written by :func:`backup`.
    force : bool
        Replace whatever the target holds.
    migrations : list of Migration, optional
        The migrations this workbench knows (default: the ``schema/`` files).

    Returns
    -------
    BackupSummary
        What was restored.

    Raises
    ------
    ImportRejectedError
        The archive is damaged or not a backup; nothing was touched.
    SchemaError
        The backup's schema is not one this workbench and this store can take.
    ConflictError
        The target holds records or data files and ``force`` was not given.
    InvalidInputError
        A record breaks the target's schema (the transaction rolled back).
    StoreUnavailableError, StoreLockedError
        The store or the disk failed.
    """
    home = Path(home).resolve()
    path = Path(path)
    migrations = load_migrations() if migrations is None else migrations
    # The archive may lie in the data directory: it is neither replaced nor counted.
    excluded = _excluded(store, home) | {path.resolve()}
    try:
        home.mkdir(parents=True, exist_ok=True)
        work = home / f"{WORK_PREFIX}{uuid.uuid4().hex[:12]}"
        work.mkdir()
    except OSError as exc:
        raise StoreUnavailableError(
            f"Cannot prepare the restore in {home}: {exc.strerror or exc}."
        ) from exc
    try:
        forbidden = {p.relative_to(home).parts[0] for p in excluded if p.is_relative_to(home)}
        archive = backup_archive.read_archive(path, work / "files", forbidden=forbidden)
        manifest = archive.manifest
        ledger = manifest["schema"]["ledger"]
        level = _backup_level(path, ledger, migrations)
        tables = _rows(path, archive)
        recorded = sorted((r["name"], r["checksum"]) for r in tables.get("schema_migration", []))
        if recorded != sorted((r["name"], r["checksum"]) for r in ledger):
            raise ImportRejectedError(
                f"The backup {path} was refused: its ledger records differ from its manifest."
            )
        _relocate(tables, manifest["source"]["home"], home)
        with store.unit_of_work(migrating=True) as session:
            done = applied(session)
            if not done:
                migrate(store, migrations[:level])
                done = applied(session)
            _same_level(path, ledger, done, migrations)
            defined = _tables(session)
            occupied = _occupied(session, defined)
            old_files = _top_level(home, excluded)
            if not force and (occupied or data_files(home, excluded)[0]):
                raise ConflictError(
                    f"The store at {store.where} is not empty"
                    + (
                        f" (records in {', '.join(occupied)})"
                        if occupied
                        else " (data files in its folder)"
                    )
                    + "; restore into an empty store, or force it to replace everything."
                )
            order = [t for t in table_order(session) if t not in NOT_RESTORED]
            batches = [
                {"table": table, "rows": rows[i : i + _BATCH]}
                for table in order
                for rows in [tables.get(table, [])]
                for i in range(0, len(rows), _BATCH)
            ]
            missing = set(tables) - set(order) - NOT_RESTORED
            if missing:
                raise SchemaError(
                    f"This store has no table {', '.join(sorted(missing))} for the backup's records."
                )
            aside = _set_aside(old_files, work / "old")
            try:
                session.query(
                    _LOAD,
                    {"clear": list(reversed(order)), "batches": batches, RESTORE_PARAMETER: True},
                )
            except BaseException:
                _put_back(aside)
                raise
            _move_in(archive.staging, home, work)
            if level < len(migrations):
                migrate(store, migrations)
        shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        if work.exists() and not (work / "kept").exists():
            shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupSummary(
        path=path,
        records={t: len(rows) for t, rows in tables.items() if t not in NOT_RESTORED},
        files=len(archive.files),
        bytes=archive.file_bytes,
        schema=manifest["schema"].get("level") or "",
        created_at=str(manifest.get("created_at", "")),
    )


def _same_level(
    path: Path, ledger: list[dict[str, Any]], done: dict[str, str], migrations: list[Migration]
) -> None:
    theirs = {row["name"]: row["checksum"] for row in ledger}
    if theirs == done:
        return
    if set(theirs) < set(done):
        raise SchemaError(
            f"The backup {path} was taken at schema {max(theirs, default='(none)')}, and this store is "
            f"already at {max(done)}. Restore it into a new store: it is created at the backup's "
            "level, and the later migrations then bring the restored records up to date."
        )
    if set(done) < set(theirs):
        raise SchemaError(
            f"This store is at schema {max(done, default='(none)')}, older than the backup's "
            f"{max(theirs)}: run `workbench migrate` first."
        )
    raise SchemaError(f"The migrations applied to this store differ from the backup's ({path}).")


def _set_aside(entries: list[Path], folder: Path) -> list[tuple[Path, Path]]:
    """Move ``entries`` into ``folder`` (renames: undone by :func:`_put_back`)."""
    moved: list[tuple[Path, Path]] = []
    try:
        folder.mkdir()
        for entry in entries:
            target = folder / entry.name
            os.replace(entry, target)
            moved.append((entry, target))
    except OSError as exc:
        _put_back(moved)
        raise StoreUnavailableError(
            f"Cannot move the old data files aside: {exc.strerror or exc}."
        ) from exc
    return moved


def _put_back(moved: list[tuple[Path, Path]]) -> None:
    for original, aside in reversed(moved):
        try:
            os.replace(aside, original)
        except OSError:
            pass  # best effort; the folder named in the error still holds them


def _move_in(staging: Path, home: Path, work: Path) -> None:
    """Move the staged top-level entries into ``home``; the records have landed already."""
    try:
        for entry in sorted(staging.iterdir()):
            os.replace(entry, home / entry.name)
    except OSError as exc:
        (work / "kept").touch()
        raise StoreUnavailableError(
            f"The records were restored, but moving the data files into {home} failed "
            f"({exc.strerror or exc}); the remaining files are in {staging}. Move them into {home}."
        ) from exc
