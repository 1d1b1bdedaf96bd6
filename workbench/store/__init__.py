"""The only package that imports surrealdb: connection, unit of work, migrations, repositories."""

from workbench.store.connection import RecordID, Session, Store, record_id
from workbench.store.migrations import migrate, pending

__all__ = ["RecordID", "Session", "Store", "migrate", "pending", "record_id"]
