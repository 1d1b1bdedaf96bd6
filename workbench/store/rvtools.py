"""RVTools import records: the SurrealQL for the ``rvtools_import`` table. Every value is bound."""

from __future__ import annotations

from typing import Any

from workbench.errors import NotFoundError
from workbench.store.connection import RecordID, Session, record_id


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for key in ("id", "project_id"):
        if isinstance(out.get(key), RecordID):
            out[key] = out[key].id
    return out


def create(session: Session, project_key: str, values: dict[str, Any]) -> dict[str, Any]:
    """Store a new import in 'processing' state."""
    content = dict(
        values, project_id=record_id("project", project_key), processing_status="processing"
    )
    return _plain(session.one("CREATE ONLY rvtools_import CONTENT $values", {"values": content}))


def find(session: Session, key: str) -> dict[str, Any]:
    """The import with this id; :class:`NotFoundError` if none."""
    row = session.one("SELECT * FROM ONLY $id", {"id": record_id("rvtools_import", key)})
    if not row:
        raise NotFoundError(f"No RVTools import with id {key!r}.")
    return _plain(row)


def complete(session: Session, key: str, values: dict[str, Any]) -> dict[str, Any]:
    """Mark a processing import completed, with its results."""
    patch = dict(values, processing_status="completed", worker_pid=None, worker_host=None)
    return _plain(
        session.one(
            "UPDATE ONLY $id MERGE $patch", {"id": record_id("rvtools_import", key), "patch": patch}
        )
    )


def fail(session: Session, key: str, message: str) -> None:
    """Mark an import failed, keeping why."""
    session.one(
        "UPDATE ONLY $id MERGE {processing_status: 'failed', error_message: $message, raw_data_path: NONE,"
        " worker_pid: NONE, worker_host: NONE}",
        {"id": record_id("rvtools_import", key), "message": message},
    )


def update(session: Session, key: str, patch: dict[str, Any]) -> dict[str, Any]:
    """Merge ``patch`` into a stored import."""
    return _plain(
        session.one(
            "UPDATE ONLY $id MERGE $patch", {"id": record_id("rvtools_import", key), "patch": patch}
        )
    )


def select(session: Session, project_key: str | None = None) -> list[dict[str, Any]]:
    """Imports, newest first, of one project or of all."""
    if project_key is None:
        rows = session.one("SELECT * FROM rvtools_import ORDER BY import_date DESC")
    else:
        rows = session.one(
            "SELECT * FROM rvtools_import WHERE project_id = $project ORDER BY import_date DESC",
            {"project": record_id("project", project_key)},
        )
    return [_plain(r) for r in rows]


def same_file(session: Session, project_key: str, sha256: str) -> list[dict[str, Any]]:
    """Completed imports of a project with this file checksum, oldest first."""
    rows = session.one(
        "SELECT id, filename, import_date FROM rvtools_import WHERE project_id = $project"
        " AND file_sha256 = $sha AND processing_status = 'completed' ORDER BY import_date",
        {"project": record_id("project", project_key), "sha": sha256},
    )
    return [_plain(r) for r in rows]


def processing_on(session: Session, host: str) -> list[dict[str, Any]]:
    """Imports still marked 'processing' by a worker on ``host``."""
    rows = session.one(
        "SELECT * FROM rvtools_import WHERE processing_status = 'processing' AND worker_host = $host",
        {"host": host},
    )
    return [_plain(r) for r in rows]


def ids(session: Session) -> set[str]:
    """Ids of every stored import."""
    return {r["id"].id for r in session.one("SELECT id FROM rvtools_import")}


def delete(session: Session, key: str) -> None:
    """Remove one import record."""
    session.one("DELETE $id", {"id": record_id("rvtools_import", key)})
