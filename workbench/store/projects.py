"""Project records: the SurrealQL for the ``project`` table. Every value is bound."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from workbench.errors import ConflictError, NotFoundError
from workbench.projects import ProjectFilter, parse_reference
from workbench.store.connection import RecordID, Session, record_id

# Each filter is a fixed fragment; only the bound values vary.
# Upper date bounds are written as "< the next day": SurrealDB 3.2.4 answers `<=` on the
# leading column of the compound index idx_project_dates without the rows equal to the
# bound (regression test: test_inclusive_date_bounds_on_the_compound_index). NONE sorts
# below every date, so undated projects are excluded explicitly.
_FILTER_FRAGMENTS = {
    "status": "status IN $status",
    "project_type": "project_type IN $project_type",
    "priority": "priority IN $priority",
    "starts_from": "start_date >= $starts_from",
    "starts_until": "(start_date != NONE AND start_date < $starts_until)",
    "ends_from": "target_end_date >= $ends_from",
    "ends_until": "(target_end_date != NONE AND target_end_date < $ends_until)",
    "text": "(string::lowercase(name) CONTAINS $text"
    " OR string::lowercase(description ?? '') CONTAINS $text)",
}


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["id"] = row["id"].id if isinstance(row["id"], RecordID) else row["id"]
    return out


def create(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """Store a validated new project; :class:`ConflictError` if the name is taken."""
    try:
        row = session.one("CREATE ONLY project CONTENT $values", {"values": values})
    except ConflictError as exc:
        raise ConflictError(
            f"A project named {values['name']!r} already exists (names are unique ignoring case)."
        ) from exc
    return _plain(row)


def find(session: Session, project: Any) -> dict[str, Any]:
    """The project ``project`` refers to (see :func:`workbench.projects.parse_reference`).

    A :class:`~workbench.projects.Project` or a ``project:<id>`` string is looked up by id;
    any other text by name, ignoring case, so a name can never reach another project's id.
    """
    kind, value = parse_reference(project)
    if kind == "id":
        row = session.one("SELECT * FROM ONLY $id", {"id": record_id("project", value)})
        if not row:
            raise NotFoundError(f"No project with id project:{value}.")
        return _plain(row)
    # name_key is the lower-cased name, kept by the database (schema 0007).
    rows = session.one(
        "SELECT * FROM project WHERE name_key = string::lowercase($name) LIMIT 1", {"name": value}
    )
    if not rows:
        raise NotFoundError(
            f"No project named {value!r}."
            + (" Ids are written project:<id>." if _looks_like_id(value) else "")
        )
    return _plain(rows[0])


def _looks_like_id(text: str) -> bool:
    return text.isascii() and text.isalnum() and len(text) >= 16


def select(session: Session, where: ProjectFilter) -> list[dict[str, Any]]:
    """Projects matching ``where``, by start date (undated last), then name."""
    params: dict[str, Any] = {}
    for name in _FILTER_FRAGMENTS:
        value = getattr(where, name)
        if value not in (None, ()):
            params[name] = list(value) if isinstance(value, tuple) else value
    for bound in ("starts_until", "ends_until"):
        if bound in params:
            params[bound] = params[bound] + timedelta(days=1)
    if "text" in params:
        params["text"] = params["text"].lower()
    sql = "SELECT * FROM project"
    if params:
        sql += " WHERE " + " AND ".join(_FILTER_FRAGMENTS[name] for name in params)
    sql += " ORDER BY name"
    rows = [_plain(row) for row in session.one(sql, params)]
    # SurrealQL has no NULLS LAST: undated projects go after dated ones here.
    return sorted(rows, key=lambda r: (r.get("start_date") is None, r.get("start_date") or 0))


def update(session: Session, key: str, patch: dict[str, Any]) -> dict[str, Any]:
    """Apply a validated patch (None clears a field); return the project after."""
    try:
        row = session.one(
            "UPDATE ONLY $id MERGE $patch RETURN AFTER",
            {"id": record_id("project", key), "patch": patch},
        )
    except ConflictError as exc:
        raise ConflictError(f"A project named {patch.get('name')!r} already exists.") from exc
    if not row:
        raise NotFoundError(f"No project with id {key!r}.")
    return _plain(row)


def delete(session: Session, key: str, name: str) -> None:
    """Delete a project with its workflows, imports and documents (cascade).

    Raises
    ------
    ConflictError
        While servers are allocated to it or procurement requests point at it.
    """
    try:
        session.query("DELETE $id", {"id": record_id("project", key)})
    except ConflictError as exc:
        holder = getattr(exc, "referenced_by", "") or ""
        what = (
            "servers allocated to it (release them first)"
            if holder.startswith("server_inventory")
            else "procurement requests (delete those never ordered; ordered or delivered ones "
            "keep the project as the record of a purchase)"
            if holder.startswith("procurement_request")
            else holder
        )
        raise ConflictError(f"Project {name!r} cannot be deleted: it still has {what}.") from exc


def count(session: Session) -> int:
    """How many projects are stored."""
    rows = session.one("SELECT count() AS n FROM project GROUP ALL")
    return int(rows[0]["n"]) if rows else 0
