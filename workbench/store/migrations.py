"""Schema migrations: ``schema/NNNN_name.surql`` applied in order and recorded in a ledger.

Each file runs in one transaction together with its ledger entry, so a failing migration
leaves neither half a schema nor a ledger line claiming it was applied. A file already
applied is never run again; if its text changed since, the store refuses to guess.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from workbench.errors import SchemaError
from workbench.store.connection import Session, Store

_NAME = re.compile(r"^(?P<number>\d{4})_(?P<slug>[a-z0-9_]+)\.surql$")

IDENTITY_MIGRATION = "0007_store_identity_and_name_keys"
"""The migration that gives a store its identity (see Store.unit_of_work)."""

LEDGER = """
DEFINE TABLE IF NOT EXISTS schema_migration SCHEMAFULL
    COMMENT 'One row per applied schema/NNNN_name.surql file';
DEFINE FIELD IF NOT EXISTS name ON schema_migration TYPE string;
DEFINE FIELD IF NOT EXISTS number ON schema_migration TYPE int;
DEFINE FIELD IF NOT EXISTS checksum ON schema_migration TYPE string;
DEFINE FIELD IF NOT EXISTS applied_at ON schema_migration TYPE datetime
    DEFAULT time::now() READONLY;
DEFINE INDEX IF NOT EXISTS idx_schema_migration_name ON schema_migration FIELDS name UNIQUE;
"""


@dataclass(frozen=True)
class Migration:
    """One schema file."""

    number: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def schema_dir() -> Path:
    """The folder of migration files: packaged in a wheel, or ``schema/`` in a checkout."""
    packaged = resources.files("workbench") / "_schema"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "schema"


def load_migrations(folder: Path | None = None) -> list[Migration]:
    """Every migration file in ``folder``, in order.

    Raises
    ------
    SchemaError
        On a badly named file or two files with the same number.
    """
    folder = folder or schema_dir()
    migrations: list[Migration] = []
    for path in sorted(folder.glob("*.surql")):
        match = _NAME.match(path.name)
        if not match:
            raise SchemaError(f"Migration file {path.name!r} is not named NNNN_name.surql.")
        migrations.append(Migration(int(match["number"]), path.stem, path.read_text("utf-8")))
    numbers = [m.number for m in migrations]
    if len(set(numbers)) != len(numbers):
        raise SchemaError(f"Two migration files share a number in {folder}.")
    return migrations


def applied(session: Session) -> dict[str, str]:
    """Names of applied migrations and their checksums."""
    session.query(LEDGER)
    rows = session.one("SELECT name, checksum, number FROM schema_migration ORDER BY number")
    return {row["name"]: row["checksum"] for row in rows}


def pending(store: Store, migrations: list[Migration] | None = None) -> list[Migration]:
    """Migrations not yet applied to ``store``."""
    migrations = load_migrations() if migrations is None else migrations
    with store.unit_of_work() as session:  # asking never creates a store
        done = applied(session)
    return [m for m in migrations if m.name not in done]


def migrate(store: Store, migrations: list[Migration] | None = None) -> list[str]:
    """Apply every pending migration in order; return the names applied (empty if none).

    Raises
    ------
    SchemaError
        If an applied migration's file changed, or the store knows migrations that the
        files on disk do not (a newer workbench wrote this store).
    """
    migrations = load_migrations() if migrations is None else migrations
    names_on_disk = {m.name for m in migrations}
    newly_applied: list[str] = []
    with store.unit_of_work(migrating=True) as session:
        done = applied(session)
        unknown = sorted(set(done) - names_on_disk)
        if unknown:
            raise SchemaError(
                f"The store has migrations this workbench does not know ({', '.join(unknown)}); "
                "upgrade the workbench."
            )
        for migration in migrations:
            if migration.name in done:
                if done[migration.name] != migration.checksum:
                    raise SchemaError(
                        f"Migration {migration.name} was changed after it was applied. "
                        "Write a new migration instead of editing an applied one."
                    )
                continue
            session.transaction(
                migration.sql + "\n;CREATE schema_migration CONTENT "
                "{name: $name, number: $number, checksum: $checksum};",
                {
                    "name": migration.name,
                    "number": migration.number,
                    "checksum": migration.checksum,
                },
            )
            newly_applied.append(migration.name)
        if any(m.name == IDENTITY_MIGRATION for m in migrations):
            store.confirm_identity(session)
    return newly_applied


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def describe_schema(session: Session) -> dict[str, dict]:
    """``INFO FOR DB`` and ``INFO FOR TABLE`` of every table: the schema as the store sees it."""
    info = session.one("INFO FOR DB")
    tables = {}
    for table in sorted(info["tables"]):
        # INFO FOR TABLE takes an identifier, not a parameter: names come from the store
        # itself and must look like identifiers.
        if not _IDENTIFIER.match(table):
            raise SchemaError(f"Unexpected table name {table!r} in the store.")
        tables[table] = session.one("INFO FOR TABLE " + table)
    return {"db": info, "tables": tables}
