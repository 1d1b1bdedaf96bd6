"""Projects: the rules a project obeys, as pure functions over plain values.

No storage here: the store persists what these functions accept, and the facade wires the
two together. Dates are calendar dates (``datetime.date``); the store keeps them as
midnight UTC.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from workbench.errors import InvalidInputError
from workbench.schedule import CALENDARS as CALENDAR_KINDS
from workbench.text import check_nested_text, clean_text

if TYPE_CHECKING:
    import pandas as pd

PROJECT_TYPES = ("vmware_migration", "lifecycle_planning", "new_solution", "hardware_refresh")
PROJECT_STATUSES = ("planning", "active", "on_hold", "completed", "cancelled")
PRIORITIES = ("low", "medium", "high", "critical")
NAME_MAX_LENGTH = 200
ID_PREFIX = "project:"
"""How a project id is written wherever a project may be named (see parse_reference)."""

DATE_FIELDS = ("start_date", "target_end_date", "actual_end_date")
EDITABLE_FIELDS = (
    "name",
    "description",
    "project_type",
    "status",
    "priority",
    "start_date",
    "target_end_date",
    "actual_end_date",
    "progress_percentage",
    "created_by",
    "assigned_team",
    "metadata",
    "calendar",
    "holidays",
    "weekend",
)
SCHEDULE_FIELDS = ("start_date", "calendar", "holidays", "weekend")
"""Project fields its workflows' schedule hangs on: changing one schedules them again."""
CALENDARS = CALENDAR_KINDS
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Fields that may be cleared (set to None) after creation.
OPTIONAL_FIELDS = ("description", "start_date", "target_end_date", "actual_end_date", "created_by")


@dataclass(frozen=True)
class Project:
    """A project as stored: ``id`` is the record key (``project:<id>`` in SurrealQL)."""

    id: str
    name: str
    project_type: str
    status: str = "planning"
    priority: str = "medium"
    description: str | None = None
    start_date: date | None = None
    target_end_date: date | None = None
    actual_end_date: date | None = None
    progress_percentage: int = 0
    created_by: str | None = None
    assigned_team: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    calendar: str = "calendar"
    holidays: tuple[date, ...] = ()
    weekend: tuple[int, ...] = (5, 6)
    scheduled_end_date: date | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def ref(self) -> str:
        """How to name this project by id anywhere a project is asked for: ``project:<id>``."""
        return ID_PREFIX + self.id

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (dates as ISO strings; ``id`` written ``project:<id>``)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = self.ref if f.name == "id" else getattr(self, f.name)
            if isinstance(value, (date, datetime)):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = [v.isoformat() if isinstance(v, date) else v for v in value]
            out[f.name] = value
        return out


@dataclass(frozen=True)
class ProjectFilter:
    """What to list. Empty tuples and None mean "any"; dates are inclusive bounds."""

    status: tuple[str, ...] = ()
    project_type: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    starts_from: date | None = None
    starts_until: date | None = None
    ends_from: date | None = None
    ends_until: date | None = None
    text: str | None = None


# -- single values ---------------------------------------------------------------------------

FIELD_LABELS = {
    "name": "Name",
    "description": "Description",
    "project_type": "Type",
    "status": "Status",
    "priority": "Priority",
    "start_date": "Start date",
    "target_end_date": "Target end date",
    "actual_end_date": "Actual end date",
    "progress_percentage": "Progress",
    "created_by": "Created by",
    "assigned_team": "Team",
    "metadata": "Metadata",
    "calendar": "Calendar",
    "holidays": "Holidays",
    "weekend": "Weekend",
    "starts_from": "Starts from",
    "starts_until": "Starts until",
    "ends_from": "Ends from",
    "ends_until": "Ends until",
    "text": "Search text",
}
"""How messages (and forms) name each field: people read these, not the field names."""


def invalid(field_name: str, text: str) -> InvalidInputError:
    """An :class:`InvalidInputError` about one field; ``error.field`` names it for forms."""
    error = InvalidInputError(text)
    error.field = field_name
    return error


def _shown(value: Any) -> str:
    """A value as a person typed it, quoted, without Python's escapes."""
    text = str(value)
    return "“" + (text if len(text) <= 60 else text[:57] + "…") + "”"


def _choice(value: Any, choices: tuple[str, ...], field_name: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise invalid(
            field_name,
            f"{FIELD_LABELS[field_name]} must be one of {', '.join(choices)}; got {_shown(value)}.",
        )
    return value


def _choices(value: Any, choices: tuple[str, ...], label: str) -> tuple[str, ...]:
    if value is None or value == "" or value == ():
        return ()
    values = [value] if isinstance(value, str) else list(value)
    return tuple(_choice(v, choices, label) for v in values)


def field_text(
    value: Any,
    field_name: str,
    *,
    required: bool,
    max_length: int | None = None,
    multiline: bool = False,
    labels: dict[str, str] | None = None,
) -> str | None:
    """:func:`workbench.text.clean_text` of one field; the error names the field (by its
    label in ``labels``, default :data:`FIELD_LABELS`) and carries it for forms."""
    try:
        return clean_text(
            value,
            (labels or FIELD_LABELS)[field_name],
            required=required,
            max_length=max_length,
            multiline=multiline,
        )
    except InvalidInputError as exc:
        raise invalid(field_name, str(exc)) from None


def _name(value: Any) -> str:
    name = field_text(value, "name", required=True, max_length=NAME_MAX_LENGTH)
    if name.casefold().startswith(ID_PREFIX):
        raise invalid(
            "name",
            f"A project name cannot start with “{ID_PREFIX}”: that is how project ids are written.",
        )
    return name


def parse_reference(project: Any) -> tuple[str, str]:
    """How a command or API call names a project: ``("id", key)`` or ``("name", name)``.

    The one rule for every surface: a :class:`Project`, or text written ``project:<id>``,
    refers to a project by id; any other text is a name (trimmed, NFC; matched ignoring
    case). A name can therefore never reach another project through its id.

    Raises
    ------
    InvalidInputError
        Neither a Project nor text; empty; invalid text.
    """
    if isinstance(project, Project):
        return "id", project.id
    text = clean_text(project, "project", required=True) if isinstance(project, str) else None
    if text is None:
        raise InvalidInputError(f"A project is named by its name or project:<id>; got {project!r}.")
    if text.casefold().startswith(ID_PREFIX):
        key = text[len(ID_PREFIX) :].strip()
        if not key:
            raise InvalidInputError(
                "A project id is written project:<id>, with the id after the colon."
            )
        return "id", key
    return "name", text


def parse_date(value: Any, label: str = "date") -> date | None:
    """A calendar date from a date, datetime, pandas Timestamp or ISO string; None stays None.

    Raises
    ------
    InvalidInputError
        If the value is not a date.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    pandas = sys.modules.get("pandas")  # NaT can only arrive where pandas is loaded
    if pandas is not None and value is pandas.NaT:
        return None
    if isinstance(value, datetime):  # includes pandas.Timestamp
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text)
        except ValueError:
            pass
    raise invalid(
        label,
        f"{FIELD_LABELS.get(label, label)} must be a date like 2026-03-31; got {_shown(value)}.",
    )


def check_progress(value: Any) -> int:
    """A whole percentage 0..100; :class:`InvalidInputError` (field ``progress_percentage``) if not."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or value != value
        or int(value) != value
        or not 0 <= value <= 100
    ):
        raise invalid(
            "progress_percentage",
            f"Progress must be a whole number from 0 to 100 (percent); got {_shown(value)}.",
        )
    return int(value)


def _team(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [part for part in value.split(",")]
    if not isinstance(value, Iterable):
        raise invalid("assigned_team", "Team must be a list of names.")
    team = [field_text(member, "assigned_team", required=False) for member in value]
    return list(dict.fromkeys(m for m in team if m))


def _metadata(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise invalid("metadata", "Metadata must be a mapping with text keys.")
    try:
        return dict(check_nested_text(value, "Metadata"))
    except InvalidInputError as exc:
        raise invalid("metadata", str(exc)) from None


def _holidays(value: Any) -> list[date]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, Iterable):
        raise invalid("holidays", "Holidays must be a list of dates.")
    return sorted({parse_date(day, "holidays") for day in value} - {None})


def _weekend(value: Any) -> list[int]:
    if value is None:
        return [5, 6]
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, Iterable):
        raise invalid("weekend", "Weekend must be a list of days of the week.")
    days = set()
    for item in value:
        text = str(item).strip().lower()
        if isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 6:
            days.add(item)
        elif text in WEEKDAYS or text in (d[:3] for d in WEEKDAYS):
            days.add(next(i for i, d in enumerate(WEEKDAYS) if text in (d, d[:3])))
        else:
            raise invalid("weekend", f"Weekend: {_shown(item)} is not a day of the week.")
    if len(days) == 7:
        raise invalid("weekend", "Weekend cannot be every day: nothing could be scheduled.")
    return sorted(days)


_CLEANERS = {
    "name": _name,
    "description": lambda v: field_text(
        v, "description", required=False, max_length=20_000, multiline=True
    ),
    "project_type": lambda v: _choice(v, PROJECT_TYPES, "project_type"),
    "status": lambda v: _choice(v, PROJECT_STATUSES, "status"),
    "priority": lambda v: _choice(v, PRIORITIES, "priority"),
    "start_date": lambda v: parse_date(v, "start_date"),
    "target_end_date": lambda v: parse_date(v, "target_end_date"),
    "actual_end_date": lambda v: parse_date(v, "actual_end_date"),
    "progress_percentage": check_progress,
    "created_by": lambda v: field_text(v, "created_by", required=False, max_length=200),
    "assigned_team": _team,
    "metadata": _metadata,
    "calendar": lambda v: _choice(v, CALENDARS, "calendar"),
    "holidays": _holidays,
    "weekend": _weekend,
}


def _check_known(values: Mapping[str, Any]) -> None:
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    if unknown:
        raise invalid(
            unknown[0],
            f"Unknown project field(s): {', '.join(unknown)}. Known: {', '.join(EDITABLE_FIELDS)}.",
        )


def _check_dates(values: Mapping[str, Any]) -> None:
    start = values.get("start_date")
    for field_name in ("target_end_date", "actual_end_date"):
        end = values.get(field_name)
        if start is not None and end is not None and end < start:
            raise invalid(
                field_name,
                f"{FIELD_LABELS[field_name]} ({end}) is before the start date ({start}).",
            )


# -- whole records ---------------------------------------------------------------------------


def validate_new(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check a new project's fields; return them cleaned, defaults filled, Nones dropped.

    Raises
    ------
    InvalidInputError
        On an unknown field, a missing name or type, a value outside its enum, a bad
        date, target/actual end before start, or progress outside 0..100.
    """
    _check_known(values)
    if "project_type" not in values or values.get("project_type") in (None, ""):
        raise invalid("project_type", f"Type is required: one of {', '.join(PROJECT_TYPES)}.")
    clean = {"status": "planning", "priority": "medium", "progress_percentage": 0}
    for name, value in values.items():
        if name in ("status", "priority", "progress_percentage", "calendar") and value is None:
            continue
        clean[name] = _CLEANERS[name](value)
    if "name" not in clean:
        raise invalid("name", "Name is required.")
    _check_dates(clean)
    return {k: v for k, v in clean.items() if v is not None}


def validate_changes(current: Project, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Check changes to ``current``; return the cleaned patch (None means "clear the field").

    Raises
    ------
    InvalidInputError
        As :func:`validate_new`, judged on the project as it would be after the change;
        also when a required field would be cleared.
    """
    _check_known(changes)
    patch: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None and name not in OPTIONAL_FIELDS:
            raise invalid(name, f"{FIELD_LABELS.get(name, name)} cannot be cleared.")
        patch[name] = _CLEANERS[name](value)
    after = {name: getattr(current, name) for name in DATE_FIELDS}
    after.update({k: v for k, v in patch.items() if k in DATE_FIELDS})
    _check_dates(after)
    return patch


def validate_filter(
    status: Any = None,
    project_type: Any = None,
    priority: Any = None,
    starts_from: Any = None,
    starts_until: Any = None,
    ends_from: Any = None,
    ends_until: Any = None,
    text: Any = None,
) -> ProjectFilter:
    """A :class:`ProjectFilter` from loose arguments (one value or several per enum).

    Raises
    ------
    InvalidInputError
        A value outside its enum, a bad date, or a range whose start is after its end
        (no project could match: that is a mistake worth saying, not an empty list).
    """
    where = ProjectFilter(
        status=_choices(status, PROJECT_STATUSES, "status"),
        project_type=_choices(project_type, PROJECT_TYPES, "project_type"),
        priority=_choices(priority, PRIORITIES, "priority"),
        starts_from=parse_date(starts_from, "starts_from"),
        starts_until=parse_date(starts_until, "starts_until"),
        ends_from=parse_date(ends_from, "ends_from"),
        ends_until=parse_date(ends_until, "ends_until"),
        text=field_text(text, "text", required=False, max_length=200),
    )
    for low, high in (("starts_from", "starts_until"), ("ends_from", "ends_until")):
        first, last = getattr(where, low), getattr(where, high)
        if first is not None and last is not None and first > last:
            raise invalid(
                low,
                f"“{FIELD_LABELS[low]}” ({first}) is after “{FIELD_LABELS[high]}” ({last}): "
                "no project can match. Swap or clear one of them.",
            )
    return where


def stored_date(value: Any) -> date | None:
    """A calendar date from what the store gives back (midnight UTC datetimes)."""
    return value.date() if isinstance(value, datetime) else value


def from_record(row: Mapping[str, Any]) -> Project:
    """A :class:`Project` from a stored row (record id already reduced to its key)."""
    as_date = stored_date
    return Project(
        id=str(row["id"]),
        name=row["name"],
        project_type=row["project_type"],
        status=row.get("status", "planning"),
        priority=row.get("priority", "medium"),
        description=row.get("description"),
        start_date=as_date(row.get("start_date")),
        target_end_date=as_date(row.get("target_end_date")),
        actual_end_date=as_date(row.get("actual_end_date")),
        progress_percentage=int(row.get("progress_percentage", 0)),
        created_by=row.get("created_by"),
        assigned_team=tuple(row.get("assigned_team") or ()),
        metadata=dict(row.get("metadata") or {}),
        calendar=row.get("calendar") or "calendar",
        holidays=tuple(as_date(d) for d in row.get("holidays") or ()),
        weekend=tuple(row["weekend"]) if row.get("weekend") is not None else (5, 6),
        scheduled_end_date=as_date(row.get("scheduled_end_date")),
        created_at=row.get("created_at"),
        updated_at=row.get("updated_at"),
    )


FRAME_COLUMNS = [
    "id",
    *(f for f in EDITABLE_FIELDS if f not in ("metadata", "calendar", "holidays", "weekend")),
    "scheduled_end_date",
    "calendar",
    "created_at",
    "updated_at",
]


def projects_frame(projects: Iterable[Project]) -> pd.DataFrame:
    """Projects as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        One row per project, columns ``id``, ``name``, ``description``, ``project_type``,
        ``status``, ``priority``, ``start_date``, ``target_end_date``, ``actual_end_date``
        (datetime64, day precision), ``progress_percentage`` (int, percent; rolled up from
        the workflows when there are any), ``created_by``, ``assigned_team``
        (comma-separated names), ``scheduled_end_date`` (datetime64: the last day of the
        workflows' schedule), ``calendar`` ('calendar' or 'working'), ``created_at``,
        ``updated_at`` (datetime64, UTC).
    """
    import pandas as pd  # here, not at the top: the command line lists projects without it

    rows = [
        {
            **{c: getattr(p, c) for c in FRAME_COLUMNS},
            "assigned_team": ", ".join(p.assigned_team),
        }
        for p in projects
    ]
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    for column in (*DATE_FIELDS, "scheduled_end_date"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("created_at", "updated_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["progress_percentage"] = frame["progress_percentage"].astype("int64")
    return frame
