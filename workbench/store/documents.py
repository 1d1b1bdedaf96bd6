"""Document library records: ``document_template`` and ``project_document``. Every value is
bound; a new version's number is worked out inside the transaction that writes it."""

from __future__ import annotations

from typing import Any

from workbench.errors import NotFoundError
from workbench.store.connection import RecordID, Session, record_id

TEMPLATE_SELECT = "SELECT * FROM document_template"
DOCUMENT_SELECT = """
SELECT *, project_id.name AS project_name, template_id.template_name AS template_name,
    template_id.version AS template_version, workflow_id.name AS workflow_name
FROM project_document
"""


def _plain(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """Record ids as ``table:key`` text whatever the key looks like (the SDK's ``str`` adds
    angle brackets to keys that start with a digit)."""
    if row is None:
        return None
    return {
        name: f"{value.table_name}:{value.id}" if isinstance(value, RecordID) else value
        for name, value in row.items()
    }


def templates(session: Session, template_type: str | None = None) -> list[dict[str, Any]]:
    """Every template (of one type), by type, name and version."""
    where = " WHERE template_type = $type" if template_type else ""
    rows = session.one(
        TEMPLATE_SELECT + where + " ORDER BY template_type, name_key, version",
        {"type": template_type},
    )
    return sorted(
        (_plain(r) for r in rows or []),
        key=lambda r: (r["template_type"], r["name_key"], int(r["version"])),
    )


def template(session: Session, key: str) -> dict[str, Any]:
    """One template by id.

    Raises
    ------
    NotFoundError
    """
    row = session.one("SELECT * FROM ONLY $id", {"id": record_id("document_template", key)})
    if not row:
        raise NotFoundError(f"No document template {key}.")
    return _plain(row)


def templates_named(session: Session, name_key: str) -> list[dict[str, Any]]:
    """Every version of one template name (lower case), oldest first."""
    rows = session.one(TEMPLATE_SELECT + " WHERE name_key = $name", {"name": name_key}) or []
    return sorted((_plain(r) for r in rows), key=lambda r: int(r["version"]))


def create_template(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """Store a template; with ``is_default`` the type's other templates stop being default."""
    results = session.transaction(
        """
        IF $values.is_default {
            UPDATE document_template SET is_default = false
                WHERE template_type = $values.template_type AND is_default = true;
        };
        CREATE document_template CONTENT $values;
        """,
        {"values": values},
    )
    return _plain(results[-2][0])  # the CREATE; the last result is the COMMIT


def set_default(session: Session, key: str) -> None:
    """Make one template its type's default, in one transaction."""
    session.transaction(
        """
        LET $row = (SELECT template_type FROM ONLY $id);
        UPDATE document_template SET is_default = false
            WHERE template_type = $row.template_type AND is_default = true AND id != $id;
        UPDATE $id SET is_default = true;
        """,
        {"id": record_id("document_template", key)},
    )


def delete_template(session: Session, key: str) -> None:
    """Delete a template (the store refuses while a document was generated from it)."""
    session.query("DELETE $id", {"id": record_id("document_template", key)})


def documents(
    session: Session,
    project_id: str | None = None,
    document_type: str | None = None,
) -> list[dict[str, Any]]:
    """Documents, all or of one project / type, newest version first within a name."""
    clauses, params = [], {}
    if project_id:
        clauses.append("project_id = $project")
        params["project"] = record_id("project", project_id)
    if document_type:
        clauses.append("document_type = $type")
        params["type"] = document_type
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = session.one(DOCUMENT_SELECT + where, params) or []
    return sorted(
        (_plain(r) for r in rows),
        key=lambda r: (
            r.get("project_name") or "",
            r["document_type"],
            r["name_key"],
            -int(r["version"]),
        ),
    )


def document(session: Session, key: str) -> dict[str, Any]:
    """One document by id.

    Raises
    ------
    NotFoundError
    """
    rows = session.one(
        DOCUMENT_SELECT + " WHERE id = $id", {"id": record_id("project_document", key)}
    )
    if not rows:
        raise NotFoundError(f"No document {key}.")
    return _plain(rows[0])


def versions_of(session: Session, project_id: str, document_type: str, name_key: str) -> list[str]:
    """The versions stored for one document name."""
    rows = session.one(
        "SELECT VALUE version FROM project_document WHERE project_id = $project "
        "AND document_type = $type AND name_key = $name",
        {"project": record_id("project", project_id), "type": document_type, "name": name_key},
    )
    return list(rows or [])


def document_with_file(session: Session, key: str) -> list[Any]:
    """The ids of the documents whose file is ``key``."""
    return (
        session.one("SELECT VALUE id FROM project_document WHERE file_path = $key", {"key": key})
        or []
    )


def create_document(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """Store a generated document's record."""
    created = session.one("CREATE project_document CONTENT $values", {"values": values})
    return _plain(created[0])


def update_document(session: Session, key: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Merge ``changes`` into one document."""
    return session.one(
        "UPDATE ONLY $id MERGE $changes",
        {"id": record_id("project_document", key), "changes": changes},
    )


def update_document_if(
    session: Session, key: str, status: str, changes: dict[str, Any]
) -> dict[str, Any] | None:
    """Merge ``changes`` only while the document's status is still ``status``; None when it
    is not (someone moved it meanwhile)."""
    rows = session.one(
        "UPDATE $id MERGE $changes WHERE status = $status",
        {"id": record_id("project_document", key), "changes": changes, "status": status},
    )
    return _plain(rows[0]) if rows else None


def delete_document(session: Session, key: str) -> None:
    """Delete one document's record."""
    session.query("DELETE $id", {"id": record_id("project_document", key)})


def referenced_files(session: Session) -> dict[str, list[str]]:
    """Every file key the library's records name (templates and documents)."""
    templates_ = session.one("SELECT VALUE template_file_path FROM document_template") or []
    docs = (
        session.one(
            "SELECT file_path, inputs_path, metadata.attachments AS attachments FROM project_document"
        )
        or []
    )
    keys: list[str] = []
    for row in docs:
        keys += [row["file_path"]] + ([row["inputs_path"]] if row.get("inputs_path") else [])
        keys += list((row.get("attachments") or {}).values())
    return {"templates": list(templates_), "documents": keys}
