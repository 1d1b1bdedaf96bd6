"""Workflows: the rules a project's workflows obey, and how they become a schedule.

Pure functions over plain values; the store persists what they accept. A project's plan is
its workflows plus the links between them (one row per link, each with its own type and
lag). Every change is applied to the plan in memory, checked (names, links, loops, status
rules) and scheduled (:mod:`workbench.schedule`) before anything is written, and the
facade then writes the change, every date it moved and the project's roll-up in one
transaction.

Scheduling rules beyond :mod:`workbench.schedule`:

- A cancelled workflow stays in the plan as a 0-day step, so the links through it still
  hold; it counts for nothing in the project's progress.
- A workflow without a duration takes 1 day (MS Project's "1 day?").
- Project progress is the duration-weighted mean of its workflows' progress (cancelled
  ones left out; with only milestones, the plain mean).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from workbench import schedule as scheduling
from workbench.errors import InvalidInputError, NotFoundError
from workbench.projects import (
    _shown,
    check_progress,
    field_text,
    invalid,
    parse_date,
    stored_date,
)
from workbench.text import check_nested_text, fold_name

if TYPE_CHECKING:
    import pandas as pd

WORKFLOW_TYPES = (
    "assessment",
    "design",
    "migration_wave",
    "hardware_procurement",
    "lifecycle_planning",
    "commissioning",
    "decommissioning",
    "other",
)
WORKFLOW_STATUSES = ("not_started", "in_progress", "completed", "blocked", "cancelled")
DEPENDENCY_TYPES = tuple(scheduling.LINK_TYPES.values())
"""finish_to_start, start_to_start, finish_to_finish, start_to_finish."""
CONSTRAINTS = tuple(scheduling.CONSTRAINT_TYPES.values())
"""start_no_earlier_than, finish_no_later_than."""
ID_PREFIX = "workflow:"
NAME_MAX_LENGTH = 200
DEFAULT_DURATION_DAYS = 1
DONE = ("completed", "cancelled")

EDITABLE_FIELDS = (
    "name",
    "description",
    "workflow_type",
    "duration_days",
    "status",
    "progress_percentage",
    "assigned_to",
    "dependency_type",
    "lag_days",
    "start_no_earlier_than",
    "finish_no_later_than",
    "hardware_requirements",
    "wizard_state",
)
FIELD_LABELS = {
    "name": "Name",
    "description": "Description",
    "workflow_type": "Type",
    "duration_days": "Duration",
    "status": "Status",
    "progress_percentage": "Progress",
    "assigned_to": "Assigned to",
    "dependency_type": "Dependency type",
    "lag_days": "Lag",
    "start_no_earlier_than": "Start no earlier than",
    "finish_no_later_than": "Finish no later than",
    "hardware_requirements": "Hardware requirements",
    "wizard_state": "Wizard state",
    "depends_on": "Depends on",
}


@dataclass(frozen=True)
class Workflow:
    """A workflow as stored: ``id`` is the record key (``workflow:<id>`` in SurrealQL).

    ``start_date`` and ``end_date`` are the scheduled (early) dates, inclusive;
    ``schedule`` holds ``late_start``, ``late_finish`` (ISO dates), ``total_float`` and
    ``free_float`` (days of the project's calendar) and ``critical``.
    """

    id: str
    project_id: str
    name: str
    workflow_type: str
    duration_days: int = DEFAULT_DURATION_DAYS
    description: str | None = None
    status: str = "not_started"
    progress_percentage: int = 0
    assigned_to: tuple[str, ...] = ()
    start_date: date | None = None
    end_date: date | None = None
    dependencies: tuple[str, ...] = ()
    dependency_type: str = "finish_to_start"
    lag_days: int = 0
    constraint_type: str | None = None
    constraint_date: date | None = None
    hardware_requirements: dict[str, Any] = field(default_factory=dict)
    wizard_state: dict[str, Any] = field(default_factory=dict)
    schedule: dict[str, Any] = field(default_factory=dict)
    vm_list: tuple[dict[str, Any], ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def ref(self) -> str:
        """``workflow:<id>``: how to name this workflow by id anywhere."""
        return ID_PREFIX + self.id

    @property
    def critical(self) -> bool:
        return bool(self.schedule.get("critical"))

    @property
    def total_float(self) -> int | None:
        return self.schedule.get("total_float")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (dates as ISO text, ids written ``table:<id>``)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "id":
                value = self.ref
            elif f.name == "project_id":
                value = "project:" + value
            elif f.name == "dependencies":
                value = [ID_PREFIX + key for key in value]
            if isinstance(value, (date, datetime)):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


@dataclass(frozen=True)
class WorkflowLink:
    """A dependency: ``successor`` waits on ``predecessor`` (record keys).

    ``link_type`` is one of :data:`DEPENDENCY_TYPES`; ``lag_days`` counts days of the
    project's calendar, negative for a lead.
    """

    predecessor: str
    successor: str
    link_type: str = "finish_to_start"
    lag_days: int = 0

    @property
    def code(self) -> str:
        """FS, SS, FF or SF."""
        return scheduling.LINK_CODES[self.link_type]


@dataclass(frozen=True)
class ProjectCalendar:
    """What a project's schedule hangs on: its start and its calendar."""

    start: date
    calendar: str = "calendar"
    holidays: tuple[date, ...] = ()
    weekend: tuple[int, ...] = (5, 6)

    def build(self) -> scheduling.Calendar:
        return scheduling.Calendar(
            self.start, self.calendar == "working", self.holidays, self.weekend
        )


@dataclass
class Plan:
    """A project's workflows and links, as they are or as a change would leave them."""

    workflows: dict[str, Workflow]
    links: list[WorkflowLink]

    def named(self, name: str) -> Workflow | None:
        key = fold_name(name)
        return next((w for w in self.workflows.values() if fold_name(w.name) == key), None)


# -- values ----------------------------------------------------------------------------------


def _text(value: Any, field_name: str, *, required: bool, max_length: int, multiline=False):
    return field_text(
        value,
        field_name,
        required=required,
        max_length=max_length,
        multiline=multiline,
        labels=FIELD_LABELS,
    )


def _choice(value: Any, choices: Sequence[str], field_name: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise invalid(
            field_name,
            f"{FIELD_LABELS[field_name]} must be one of {', '.join(choices)}; got {_shown(value)}.",
        )
    return value


def _days(value: Any, field_name: str, minimum: int) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or value != value
        or int(value) != value
        or not minimum <= value <= scheduling.MAX_DAYS
    ):
        raise invalid(
            field_name,
            f"{FIELD_LABELS[field_name]} must be a whole number of days from {minimum:,} to "
            f"{scheduling.MAX_DAYS:,}; got {_shown(value)}.",
        )
    return int(value)


def _people(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, Iterable):
        raise invalid("assigned_to", "Assigned to must be a list of names.")
    people = [_text(person, "assigned_to", required=False, max_length=200) for person in value]
    return tuple(dict.fromkeys(p for p in people if p))


def _mapping(value: Any, field_name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise invalid(field_name, f"{FIELD_LABELS[field_name]} must be a mapping with text keys.")
    try:
        return dict(check_nested_text(value, FIELD_LABELS[field_name]))
    except InvalidInputError as exc:
        raise invalid(field_name, str(exc)) from None


def dependency_type(value: Any) -> str:
    """The seed's name of a link type from its name or its code (FS, SS, FF, SF)."""
    try:
        return scheduling.LINK_TYPES[scheduling.link_type(value, "Dependency type")]
    except InvalidInputError as exc:
        raise invalid("dependency_type", str(exc)) from None


_CLEANERS = {
    "name": lambda v: _text(v, "name", required=True, max_length=NAME_MAX_LENGTH),
    "description": lambda v: _text(
        v, "description", required=False, max_length=20_000, multiline=True
    ),
    "workflow_type": lambda v: _choice(v, WORKFLOW_TYPES, "workflow_type"),
    "duration_days": lambda v: _days(v, "duration_days", 0),
    "status": lambda v: _choice(v, WORKFLOW_STATUSES, "status"),
    "progress_percentage": check_progress,
    "assigned_to": _people,
    "dependency_type": dependency_type,
    "lag_days": lambda v: _days(v, "lag_days", -scheduling.MAX_DAYS),
    "start_no_earlier_than": lambda v: parse_date(v, "start_no_earlier_than"),
    "finish_no_later_than": lambda v: parse_date(v, "finish_no_later_than"),
    "hardware_requirements": lambda v: _mapping(v, "hardware_requirements"),
    "wizard_state": lambda v: _mapping(v, "wizard_state"),
}
_OPTIONAL = ("description", "start_no_earlier_than", "finish_no_later_than")


def _check_known(values: Mapping[str, Any]) -> None:
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    if unknown:
        hint = ""
        if {"start_date", "end_date"} & set(unknown):
            hint = (
                " Dates are computed from durations and links; to pin one, give "
                "start_no_earlier_than or finish_no_later_than."
            )
        raise invalid(
            unknown[0],
            f"Unknown workflow field(s): {', '.join(unknown)}.{hint}",
        )


def clean_fields(values: Mapping[str, Any], *, changes: bool) -> dict[str, Any]:
    """Checked values of the editable fields (``None`` clears an optional one on a change).

    Raises
    ------
    InvalidInputError
        An unknown field, a value outside its rule, both kinds of date constraint at once,
        or (on a change) clearing a required field.
    """
    _check_known(values)
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if value is None and changes and name not in _OPTIONAL:
            raise invalid(name, f"{FIELD_LABELS[name]} cannot be cleared.")
        clean[name] = None if value is None and name in _OPTIONAL else _CLEANERS[name](value)
    if clean.get("start_no_earlier_than") and clean.get("finish_no_later_than"):
        raise invalid(
            "finish_no_later_than",
            "A workflow takes one date constraint: start no earlier than, or finish no later than.",
        )
    return clean


def new_key() -> str:
    """A fresh record key for a workflow (20 lower-case letters and digits)."""
    return secrets.token_hex(10)


def apply_fields(workflow: Workflow, clean: Mapping[str, Any]) -> Workflow:
    """``workflow`` with checked fields applied, status and progress kept consistent:
    100 % means completed, completed means 100 %, and progress past 0 starts the work."""
    changes = {k: v for k, v in clean.items() if k in {f.name for f in fields(Workflow)}}
    if "start_no_earlier_than" in clean or "finish_no_later_than" in clean:
        kind, day = None, None
        for name in ("start_no_earlier_than", "finish_no_later_than"):
            if clean.get(name) is not None:
                kind, day = name, clean[name]
        if kind is None:  # cleared: only the constraint that was named goes
            kept = workflow.constraint_type not in clean
            kind = workflow.constraint_type if kept else None
            day = workflow.constraint_date if kept else None
        changes["constraint_type"], changes["constraint_date"] = kind, day
    after = replace(workflow, **changes)
    status, progress = after.status, after.progress_percentage
    if "status" in clean and "progress_percentage" in clean:
        if status != "cancelled" and (status == "completed") != (progress == 100):
            raise invalid(
                "progress_percentage",
                f"Status {status.replace('_', ' ')} and progress {progress} % disagree: "
                "completed means 100 %.",
            )
    elif "status" in clean:
        if status == "completed":
            progress = 100
        elif status == "not_started":
            progress = 0
        elif progress == 100 and status != "cancelled":
            raise invalid(
                "progress_percentage",
                f"“{workflow.name}” is at 100 %; give its progress too when it is "
                f"{status.replace('_', ' ')} again.",
            )
    elif "progress_percentage" in clean and status != "cancelled":
        if progress == 100:
            status = "completed"
        elif progress > 0 and status in ("not_started", "completed"):
            status = "in_progress"
        elif progress == 0 and status == "completed":
            status = "not_started"
    return replace(after, status=status, progress_percentage=progress)


def check_statuses(before: Plan, plan: Plan) -> None:
    """A workflow cannot be completed before its finish-to-start and finish-to-finish
    predecessors are completed (or cancelled); checked for every link a change touched:
    a workflow completed, a predecessor reopened, a link added.

    Raises
    ------
    InvalidInputError
    """
    changed = {key for key, w in plan.workflows.items() if before.workflows.get(key) != w}
    added = set(plan.links) - set(before.links)
    for link in plan.links:
        after, first = plan.workflows[link.successor], plan.workflows[link.predecessor]
        if (
            after.status != "completed"
            or link.link_type not in ("finish_to_start", "finish_to_finish")
            or first.status in DONE
        ):
            continue
        kind = link.link_type.replace("_", "-")
        if link.successor in changed or link in added:
            raise invalid(
                "status",
                f"“{after.name}” cannot be completed before its {kind} predecessor "
                f"“{first.name}” ({first.status.replace('_', ' ')}).",
            )
        if link.predecessor in changed:
            raise invalid(
                "status",
                f"“{first.name}” cannot be {first.status.replace('_', ' ')} while its {kind} "
                f"successor “{after.name}” is completed; reopen “{after.name}” first.",
            )


def link_to(
    plan: Plan, successor: Workflow, spec: Any, default_type: str, default_lag: int
) -> WorkflowLink:
    """A link to ``successor`` from a spec: a workflow (name, ``workflow:<id>`` or
    :class:`Workflow`) or a mapping ``{"workflow", "type", "lag_days"}``.

    Raises
    ------
    InvalidInputError
        An unknown predecessor, a link to itself, a bad type or lag.
    """
    kind, lag = default_type, default_lag
    target = spec
    if isinstance(spec, Mapping):
        extra = set(spec) - {"workflow", "type", "lag_days"}
        if extra or "workflow" not in spec:
            raise invalid(
                "depends_on",
                "A dependency is a workflow, or {workflow, type, lag_days}; got "
                f"{_shown(dict(spec))}.",
            )
        target = spec["workflow"]
        if spec.get("type") is not None:
            kind = dependency_type(spec["type"])
        if spec.get("lag_days") is not None:
            lag = _days(spec["lag_days"], "lag_days", -scheduling.MAX_DAYS)
    predecessor = resolve(plan, target)
    if predecessor.id == successor.id:
        raise invalid("depends_on", f"“{successor.name}” cannot depend on itself.")
    return WorkflowLink(predecessor.id, successor.id, kind, lag)


def resolve(plan: Plan, reference: Any) -> Workflow:
    """The workflow of ``plan`` a reference names: a :class:`Workflow`, ``workflow:<id>``
    or a name (trimmed, ignoring case).

    Raises
    ------
    NotFoundError
    """
    if isinstance(reference, Workflow):
        key = reference.id
    elif isinstance(reference, str) and reference.strip().casefold().startswith(ID_PREFIX):
        key = reference.strip()[len(ID_PREFIX) :].strip()
    elif isinstance(reference, str):
        found = plan.named(reference)
        if found is None:
            raise NotFoundError(f"No workflow named {_shown(reference.strip())} in this project.")
        return found
    else:
        raise InvalidInputError(
            f"A workflow is named by its name or workflow:<id>; got {_shown(reference)}."
        )
    if key not in plan.workflows:
        raise NotFoundError(f"No workflow with id workflow:{key} in this project.")
    return plan.workflows[key]


def check_names(plan: Plan) -> None:
    """Names are unique within a project, ignoring case.

    Raises
    ------
    ConflictError
    """
    from workbench.errors import ConflictError

    seen: dict[str, str] = {}
    for workflow in plan.workflows.values():
        key = fold_name(workflow.name)
        if key in seen:
            raise ConflictError(
                f"This project already has a workflow named {_shown(seen[key])} "
                "(names are unique within a project, ignoring case)."
            )
        seen[key] = workflow.name


def check_links(plan: Plan) -> None:
    """One link per pair of workflows.

    Raises
    ------
    InvalidInputError
    """
    pairs: set[tuple[str, str]] = set()
    for link in plan.links:
        pair = (link.predecessor, link.successor)
        if pair in pairs:
            first, then = (plan.workflows[k].name for k in pair)
            raise invalid(
                "depends_on", f"“{then}” already depends on “{first}”; a pair takes one link."
            )
        pairs.add(pair)


# -- scheduling ------------------------------------------------------------------------------


def compute(calendar: ProjectCalendar, plan: Plan) -> scheduling.Schedule:
    """The schedule of a plan. Task ids are workflow keys.

    Raises
    ------
    ScheduleCycleError
        Naming the workflows of the loop.
    InvalidInputError
    """
    tasks = []
    for workflow in plan.workflows.values():
        constraint = None
        if workflow.constraint_type and workflow.constraint_date:
            constraint = scheduling.Constraint(
                scheduling.CONSTRAINT_CODES[workflow.constraint_type], workflow.constraint_date
            )
        duration = 0 if workflow.status == "cancelled" else workflow.duration_days
        tasks.append(scheduling.Task(workflow.id, duration, constraint))
    links = [
        scheduling.Link(link.predecessor, link.successor, link.code, link.lag_days)
        for link in plan.links
    ]
    try:
        return scheduling.compute(tasks, links, calendar.build())
    except scheduling.ScheduleCycleError as exc:
        # Start the loop at the workflow that comes first in the current schedule.
        place = {w.id: i for i, w in enumerate(ordered(plan))}
        keys = exc.loop
        first = min(range(len(keys)), key=lambda i: place[keys[i]])
        loop = keys[first:] + keys[:first]
        names = [plan.workflows[key].name for key in loop]
        raise scheduling.ScheduleCycleError(
            "These dependencies would form a loop: " + " -> ".join([*names, names[0]]) + ".",
            loop=names,
        ) from None


def scheduled(plan: Plan, result: scheduling.Schedule) -> Plan:
    """``plan`` with every workflow's dates, float and criticality from ``result`` and its
    ``dependencies`` equal to its links."""
    predecessors: dict[str, list[str]] = {key: [] for key in plan.workflows}
    for link in plan.links:
        predecessors[link.successor].append(link.predecessor)
    updated = {}
    for task in result.tasks:
        workflow = plan.workflows[task.id]
        updated[task.id] = replace(
            workflow,
            start_date=task.early_start,
            end_date=task.early_finish,
            dependencies=tuple(predecessors[task.id]),
            schedule={
                "late_start": task.late_start.isoformat(),
                "late_finish": task.late_finish.isoformat(),
                "total_float": task.total_float,
                "free_float": task.free_float,
                "critical": task.critical,
            },
        )
    return Plan(updated, list(plan.links))


def rolled_up_progress(workflows: Iterable[Workflow]) -> int | None:
    """Duration-weighted progress of the workflows that are not cancelled, in percent;
    None when there are none."""
    active = [w for w in workflows if w.status != "cancelled"]
    if not active:
        return None
    weight = sum(w.duration_days for w in active)
    if weight == 0:
        return round(sum(w.progress_percentage for w in active) / len(active))
    return round(sum(w.duration_days * w.progress_percentage for w in active) / weight)


# -- records ---------------------------------------------------------------------------------

STORED_FIELDS = (
    "name",
    "description",
    "workflow_type",
    "duration_days",
    "status",
    "progress_percentage",
    "assigned_to",
    "start_date",
    "end_date",
    "dependency_type",
    "lag_days",
    "constraint_type",
    "constraint_date",
    "hardware_requirements",
    "wizard_state",
    "schedule",
    "vm_list",
)
"""Workflow fields the workbench writes (project_id and dependencies are links, added by
the store; created_at and updated_at are the database's)."""


def record_values(workflow: Workflow) -> dict[str, Any]:
    """The stored fields of a workflow (None for a cleared optional field)."""
    values = {name: getattr(workflow, name) for name in STORED_FIELDS}
    values["assigned_to"] = list(workflow.assigned_to)
    values["vm_list"] = [dict(vm) for vm in workflow.vm_list]
    return values


def from_record(row: Mapping[str, Any]) -> Workflow:
    """A :class:`Workflow` from a stored row (record ids already reduced to keys)."""

    as_date = stored_date
    duration = row.get("duration_days")
    return Workflow(
        id=str(row["id"]),
        project_id=str(row["project_id"]),
        name=row["name"],
        workflow_type=row["workflow_type"],
        duration_days=DEFAULT_DURATION_DAYS if duration is None else int(duration),
        description=row.get("description"),
        status=row.get("status") or "not_started",
        progress_percentage=int(row.get("progress_percentage") or 0),
        assigned_to=tuple(row.get("assigned_to") or ()),
        start_date=as_date(row.get("start_date")),
        end_date=as_date(row.get("end_date")),
        dependencies=tuple(str(d) for d in row.get("dependencies") or ()),
        dependency_type=row.get("dependency_type") or "finish_to_start",
        lag_days=int(row.get("lag_days") or 0),
        constraint_type=row.get("constraint_type"),
        constraint_date=as_date(row.get("constraint_date")),
        hardware_requirements=dict(row.get("hardware_requirements") or {}),
        wizard_state=dict(row.get("wizard_state") or {}),
        schedule=dict(row.get("schedule") or {}),
        vm_list=tuple(row.get("vm_list") or ()),
        created_at=row.get("created_at"),
        updated_at=row.get("updated_at"),
    )


def link_from_record(row: Mapping[str, Any]) -> WorkflowLink:
    return WorkflowLink(
        predecessor=str(row["predecessor"]),
        successor=str(row["successor"]),
        link_type=row.get("link_type") or "finish_to_start",
        lag_days=int(row.get("lag_days") or 0),
    )


def project_calendar(row: Mapping[str, Any], today: date) -> ProjectCalendar:
    """A project's calendar from its stored row; a project without a start date starts
    ``today`` (the facade then stores that date)."""

    as_date = stored_date
    return ProjectCalendar(
        start=as_date(row.get("start_date")) or today,
        calendar=row.get("calendar") or "calendar",
        holidays=tuple(as_date(d) for d in row.get("holidays") or ()),
        weekend=tuple(row.get("weekend") if row.get("weekend") is not None else (5, 6)),
    )


FRAME_COLUMNS = [
    "id",
    "name",
    "workflow_type",
    "status",
    "progress_percentage",
    "duration_days",
    "start_date",
    "end_date",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "critical",
    "constraint_type",
    "constraint_date",
    "depends_on",
    "assigned_to",
]


def workflows_frame(plan: Plan) -> pd.DataFrame:
    """A project's workflows in schedule order (start, then name).

    Returns
    -------
    pandas.DataFrame
        One row per workflow: ``id`` (``workflow:<id>``), ``name``, ``workflow_type``,
        ``status``, ``progress_percentage`` (percent), ``duration_days``, ``start_date``,
        ``end_date``, ``late_start``, ``late_finish`` (datetime64, inclusive days),
        ``total_float``, ``free_float`` (days of the project's calendar), ``critical``
        (bool), ``constraint_type``, ``constraint_date``, ``depends_on`` (text:
        ``name (FS+2)`` per link, lags in days), ``assigned_to`` (comma-separated).
    """
    import pandas as pd

    names = {key: w.name for key, w in plan.workflows.items()}
    incoming: dict[str, list[str]] = {}
    for link in plan.links:
        lag = f"{link.lag_days:+d}" if link.lag_days else ""
        incoming.setdefault(link.successor, []).append(
            f"{names[link.predecessor]} ({link.code}{lag})"
        )
    rows = [
        {
            "id": w.ref,
            "name": w.name,
            "workflow_type": w.workflow_type,
            "status": w.status,
            "progress_percentage": w.progress_percentage,
            "duration_days": w.duration_days,
            "start_date": w.start_date,
            "end_date": w.end_date,
            "late_start": w.schedule.get("late_start"),
            "late_finish": w.schedule.get("late_finish"),
            "total_float": w.schedule.get("total_float"),
            "free_float": w.schedule.get("free_float"),
            "critical": bool(w.schedule.get("critical")),
            "constraint_type": w.constraint_type,
            "constraint_date": w.constraint_date,
            "depends_on": ", ".join(incoming.get(w.id, [])),
            "assigned_to": ", ".join(w.assigned_to),
        }
        for w in ordered(plan)
    ]
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    for column in ("start_date", "end_date", "late_start", "late_finish", "constraint_date"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("total_float", "free_float"):
        frame[column] = frame[column].astype("Int64")
    return frame


def ordered(plan: Plan) -> list[Workflow]:
    """Workflows by scheduled start, then end, then name."""
    return sorted(
        plan.workflows.values(),
        key=lambda w: (w.start_date or date.max, w.end_date or date.max, w.name.casefold()),
    )
