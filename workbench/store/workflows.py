"""Workflow records: the SurrealQL for ``workflow``, ``workflow_link`` and
``workflow_baseline``. Every value is bound.

A change to a project's plan is written whole in one transaction: the workflows it added
or changed (with every date the schedule moved), the ones it deleted, the links when they
changed, and the project's roll-up. Either all of it lands or none of it.
"""

from __future__ import annotations

from typing import Any

from workbench.errors import ConflictError, NotFoundError
from workbench.store.connection import RecordID, Session, record_id

# CONTENT, not MERGE: nested objects (hardware requirements, wizard state) are replaced, not
# merged key by key. Defaults do not apply on an update, so every field is written.
_SAVE = """
FOR $gone IN $deleted { DELETE $gone; };
FOR $row IN $workflows { UPSERT $row.id CONTENT $row.values; };
IF $relink {
    DELETE workflow_link WHERE project_id = $project;
    INSERT INTO workflow_link $links;
};
UPDATE $project MERGE $project_patch;
"""


def _key(value: Any) -> Any:
    return value.id if isinstance(value, RecordID) else value


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for name in ("id", "project_id", "predecessor", "successor"):
        if name in out:
            out[name] = _key(out[name])
    if "dependencies" in out:
        out["dependencies"] = [_key(d) for d in out["dependencies"] or ()]
    return out


def load(session: Session, project_key: str) -> tuple[list[dict], list[dict]]:
    """A project's workflow rows and link rows."""
    project = record_id("project", project_key)
    workflows, links = session.query(
        "SELECT * FROM workflow WHERE project_id = $project;"
        "SELECT * FROM workflow_link WHERE project_id = $project;",
        {"project": project},
    )
    return [_plain(r) for r in workflows], [_plain(r) for r in links]


def project_of(session: Session, workflow_key: str) -> str:
    """The key of the project a workflow belongs to; :class:`NotFoundError` if none."""
    row = session.one(
        "SELECT VALUE project_id FROM ONLY $id", {"id": record_id("workflow", workflow_key)}
    )
    if not row:
        raise NotFoundError(f"No workflow with id workflow:{workflow_key}.")
    return _key(row)


def save(
    session: Session,
    project_key: str,
    *,
    workflows: list[tuple[str, dict[str, Any], list[str], Any]],
    deleted: list[str],
    links: list[dict[str, Any]] | None,
    project_patch: dict[str, Any],
) -> None:
    """Write a change to a project's plan in one transaction.

    Parameters
    ----------
    workflows : list of (key, values, predecessor keys, created_at or None)
        Workflows to write whole (new or changed).
    deleted : list of str
        Workflow keys to delete (their links go with them).
    links : list of dict, optional
        Every link of the project (``predecessor``, ``successor``, ``link_type``,
        ``lag_days``), when they changed; None keeps the stored ones.
    project_patch : dict
        Fields of the project to set (progress, scheduled end, start).

    Raises
    ------
    ConflictError
        A workflow name already used in the project (unique ignoring case).
    """
    project = record_id("project", project_key)
    rows = []
    for key, values, predecessors, created_at in workflows:
        content = dict(
            values,
            project_id=project,
            dependencies=[record_id("workflow", p) for p in predecessors],
        )
        if created_at is not None:
            content["created_at"] = created_at
        rows.append({"id": record_id("workflow", key), "values": content})
    link_rows = [
        {
            "project_id": project,
            "predecessor": record_id("workflow", link["predecessor"]),
            "successor": record_id("workflow", link["successor"]),
            "link_type": link["link_type"],
            "lag_days": link["lag_days"],
        }
        for link in links or ()
    ]
    try:
        session.transaction(
            _SAVE,
            {
                "deleted": [record_id("workflow", key) for key in deleted],
                "workflows": rows,
                "relink": links is not None,
                "project": project,
                "links": link_rows,
                "project_patch": project_patch,
            },
        )
    except ConflictError as exc:
        index = getattr(exc, "index", "")
        if index == "idx_workflow_name_key":
            raise ConflictError(
                "This project already has a workflow of that name (names are unique within "
                "a project, ignoring case)."
            ) from exc
        if index in ("idx_project_name", "idx_project_name_key"):
            raise ConflictError(
                f"A project named {project_patch.get('name')!r} already exists (names are "
                "unique ignoring case)."
            ) from exc
        raise


def save_baseline(
    session: Session, project_key: str, name: str, workflows: list[dict], finish: Any
) -> dict[str, Any]:
    """Store a named baseline; :class:`ConflictError` if the project has one of that name."""
    try:
        row = session.one(
            "CREATE ONLY workflow_baseline CONTENT $values",
            {
                "values": {
                    "project_id": record_id("project", project_key),
                    "name": name,
                    "workflows": workflows,
                    "project_finish": finish,
                }
            },
        )
    except ConflictError as exc:
        raise ConflictError(
            f"This project already has a baseline named {name!r}; pick another name or "
            "delete that one first."
        ) from exc
    return _plain(row)


def baselines(session: Session, project_key: str) -> list[dict[str, Any]]:
    """A project's baselines, oldest first."""
    rows = session.one(
        "SELECT * FROM workflow_baseline WHERE project_id = $project ORDER BY created_at",
        {"project": record_id("project", project_key)},
    )
    return [_plain(r) for r in rows]


def delete_baseline(session: Session, project_key: str, name: str) -> None:
    """Delete a baseline by name (ignoring case); :class:`NotFoundError` if none."""
    gone = session.one(
        "DELETE workflow_baseline WHERE project_id = $project AND name_key = "
        "string::lowercase($name) RETURN BEFORE",
        {"project": record_id("project", project_key), "name": name},
    )
    if not gone:
        raise NotFoundError(f"This project has no baseline named {name!r}.")


def templates(session: Session) -> list[dict[str, Any]]:
    """Every stored workflow template."""
    return [_plain(r) for r in session.one("SELECT * FROM workflow_template")]


def save_templates(
    session: Session, *, replace_set: str | None, rows: list[dict[str, Any]]
) -> None:
    """Write templates in one transaction: with ``replace_set``, the stored templates of
    that set are deleted first; ``rows`` are written whole (new or changed), by name.

    Raises
    ------
    ConflictError
        Another template already has one of these names.
    """
    try:
        session.transaction(
            """
            IF $replace_set != NONE { DELETE workflow_template WHERE template_data.set = $replace_set; };
            FOR $row IN $rows { CREATE workflow_template CONTENT $row; };
            """,
            {"replace_set": replace_set, "rows": rows},
        )
    except ConflictError as exc:
        raise ConflictError(
            "Another template already has that name (template names are unique)."
        ) from exc
