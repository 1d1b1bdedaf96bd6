"""The only package that imports surrealdb: connection, unit of work, migrations, repositories."""

from workbench.store.deferred import import_sdk

# Before any module of this package imports the SDK: see deferred.py (CLI start-up time).
import_sdk()

from workbench.store.connection import RecordID, Session, Store, record_id  # noqa: E402
from workbench.store.migrations import migrate, pending  # noqa: E402

__all__ = ["RecordID", "Session", "Store", "migrate", "pending", "record_id"]
