"""Write a project's plan for project managers: .xlsx, and MS Project XML (MSPDI).

The MSPDI file opens in MS Project and ProjectLibre: one task per workflow with its
scheduled start and finish (08:00 to 17:00, 8 hours a day), duration, percent complete,
constraint, total and free slack, critical flag and baseline 0, and its predecessor links
with type and lag; the project's calendar as the standard calendar (working days and
holidays, or every day working for a calendar-day project). Inputs are plain DataFrames and
a mapping (the io layer does not import the domain).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd

from workbench.errors import StoreUnavailableError
from workbench.io.bom_xlsx import put_cell, save_workbook

MSPDI_NAMESPACE = "http://schemas.microsoft.com/project"
# MSPDI link types: 0 finish-finish, 1 finish-start, 2 start-finish, 3 start-start.
LINK_TYPE_CODES = {"FF": 0, "FS": 1, "SF": 2, "SS": 3}
# MSPDI constraint types: 0 as soon as possible, 4 start no earlier than, 7 finish no later than.
CONSTRAINT_CODES = {"start_no_earlier_than": 4, "finish_no_later_than": 7}
MINUTES_PER_DAY = 480
TENTHS_PER_DAY = MINUTES_PER_DAY * 10
"""Lags and slacks in MSPDI are tenths of a minute."""


def _day(value: Any) -> date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _at(day: date, clock: str) -> str:
    return f"{day.isoformat()}T{clock}"


def _hours(days: int) -> str:
    return f"PT{days * 8}H0M0S"


def _element(tag: str, value: Any) -> str:
    return f"<{tag}>{escape(str(value))}</{tag}>"


def write_mspdi(
    path: str | Path,
    project: Mapping[str, Any],
    workflows: pd.DataFrame,
    links: pd.DataFrame,
    baseline: pd.DataFrame | None = None,
) -> Path:
    """Write the plan as MS Project XML.

    Parameters
    ----------
    project : mapping
        ``name``, ``start_date``, ``scheduled_end_date``, ``calendar`` ('calendar' or
        'working'), ``holidays`` (dates), ``weekend`` (``date.weekday()`` numbers).
    workflows : pandas.DataFrame
        :func:`workbench.workflows.workflows_frame` columns (schedule order).
    links : pandas.DataFrame
        ``predecessor_id``, ``successor_id``, ``type`` (FS/SS/FF/SF), ``lag_days``.
    baseline : pandas.DataFrame, optional
        ``id``, ``baseline_start``, ``baseline_end`` per workflow (baseline 0).

    Raises
    ------
    StoreUnavailableError
        The file cannot be written.
    """
    uid = {key: number for number, key in enumerate(workflows["id"], start=1)}
    planned = baseline.set_index("id") if baseline is not None and not baseline.empty else None
    working = project.get("calendar") == "working"
    given = project.get("weekend")
    weekend = set((5, 6) if given is None else given) if working else set()
    start = _day(project.get("start_date")) or min(
        (_day(v) for v in workflows["start_date"] if _day(v)), default=date.today()
    )
    finish = _day(project.get("scheduled_end_date")) or start
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        f'<Project xmlns="{MSPDI_NAMESPACE}">',
        _element("SaveVersion", 14),
        _element("Name", f"{project['name']}.xml"),
        _element("Title", project["name"]),
        _element("ScheduleFromStart", 1),
        _element("StartDate", _at(start, "08:00:00")),
        _element("FinishDate", _at(finish, "17:00:00")),
        _element("CalendarUID", 1),
        _element("DefaultStartTime", "08:00:00"),
        _element("DefaultFinishTime", "17:00:00"),
        _element("MinutesPerDay", MINUTES_PER_DAY),
        _element("MinutesPerWeek", MINUTES_PER_DAY * (7 - len(weekend))),
        _element("DaysPerMonth", 20 if working else 30),
        _element("DurationFormat", 7),
        _element("WorkFormat", 2),
        "<Calendars><Calendar>",
        _element("UID", 1),
        _element("Name", "Working days" if working else "Every day"),
        _element("IsBaseCalendar", 1),
        "<WeekDays>",
    ]
    # MSPDI day types: 1 Sunday ... 7 Saturday; date.weekday(): 0 Monday ... 6 Sunday.
    for day_type in range(1, 8):
        weekday = (day_type + 5) % 7
        if weekday in weekend:
            parts.append(
                f"<WeekDay><DayType>{day_type}</DayType><DayWorking>0</DayWorking></WeekDay>"
            )
        else:
            parts.append(
                f"<WeekDay><DayType>{day_type}</DayType><DayWorking>1</DayWorking><WorkingTimes>"
                "<WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>"
                "<WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime>"
                "</WorkingTimes></WeekDay>"
            )
    for holiday in sorted(_day(h) for h in project.get("holidays") or () if working):
        parts.append(
            "<WeekDay><DayType>0</DayType><DayWorking>0</DayWorking><TimePeriod>"
            f"<FromDate>{_at(holiday, '00:00:00')}</FromDate>"
            f"<ToDate>{_at(holiday, '23:59:00')}</ToDate></TimePeriod></WeekDay>"
        )
    parts.append("</WeekDays></Calendar></Calendars><Tasks>")
    incoming: dict[str, list[Any]] = {}
    for link in links.itertuples():
        incoming.setdefault(link.successor_id, []).append(link)
    for number, w in enumerate(workflows.itertuples(), start=1):
        first, last = _day(w.start_date), _day(w.end_date)
        cancelled = w.status == "cancelled"
        days = 0 if cancelled else int(w.duration_days)  # scheduled as a 0-day step
        milestone = days == 0
        task = [
            "<Task>",
            _element("UID", number),
            _element("ID", number),
            _element("Name", w.name),
            _element("Type", 1),
            _element("IsNull", 0),
            _element("OutlineNumber", number),
            _element("OutlineLevel", 1),
        ]
        if first and last:
            task += [
                _element("Start", _at(first, "17:00:00" if milestone else "08:00:00")),
                _element("Finish", _at(last, "17:00:00")),
            ]
        task += [
            _element("Duration", _hours(days)),
            _element("DurationFormat", 7),
            _element("Milestone", int(milestone)),
            _element("Critical", int(bool(w.critical))),
            _element("PercentComplete", int(w.progress_percentage)),
            _element("Active", 0 if cancelled else 1),
        ]
        if pd.notna(w.total_float):
            task.append(_element("TotalSlack", int(w.total_float) * TENTHS_PER_DAY))
        if pd.notna(w.free_float):
            task.append(_element("FreeSlack", int(w.free_float) * TENTHS_PER_DAY))
        kind = (
            CONSTRAINT_CODES.get(w.constraint_type) if isinstance(w.constraint_type, str) else None
        )
        task.append(_element("ConstraintType", kind or 0))
        if kind and _day(w.constraint_date):
            clock = "08:00:00" if kind == 4 else "17:00:00"
            task.append(_element("ConstraintDate", _at(_day(w.constraint_date), clock)))
        if isinstance(w.assigned_to, str) and w.assigned_to:
            task.append(_element("Notes", f"Assigned to: {w.assigned_to}"))
        for link in incoming.get(w.id, []):
            if link.predecessor_id not in uid:
                continue
            task.append(
                "<PredecessorLink>"
                + _element("PredecessorUID", uid[link.predecessor_id])
                + _element("Type", LINK_TYPE_CODES[link.type])
                + _element("CrossProject", 0)
                + _element("LinkLag", int(link.lag_days) * TENTHS_PER_DAY)
                + _element("LagFormat", 7)
                + "</PredecessorLink>"
            )
        if planned is not None and w.id in planned.index:
            was_first = _day(planned.at[w.id, "baseline_start"])
            was_last = _day(planned.at[w.id, "baseline_end"])
            if was_first and was_last:
                task.append(
                    "<Baseline>"
                    + _element("Number", 0)
                    + _element("Start", _at(was_first, "17:00:00" if milestone else "08:00:00"))
                    + _element("Finish", _at(was_last, "17:00:00"))
                    + "</Baseline>"
                )
        task.append("</Task>")
        parts.append("".join(task))
    parts.append("</Tasks></Project>\n")
    target = Path(path)
    try:
        target.write_text("\n".join(parts), encoding="utf-8")
    except OSError as exc:
        raise StoreUnavailableError(
            f"The plan cannot be written to {target}: {exc.strerror or exc}."
        ) from None
    return target


_PLAN_COLUMNS = [
    ("name", "Workflow", 30, None),
    ("workflow_type", "Type", 20, None),
    ("status", "Status", 12, None),
    ("progress_percentage", "Done %", 8, "0"),
    ("duration_days", "Days", 7, "0"),
    ("start_date", "Start", 12, "yyyy-mm-dd"),
    ("end_date", "Finish", 12, "yyyy-mm-dd"),
    ("late_start", "Late start", 12, "yyyy-mm-dd"),
    ("late_finish", "Late finish", 12, "yyyy-mm-dd"),
    ("total_float", "Total float (days)", 10, "0"),
    ("free_float", "Free float (days)", 10, "0"),
    ("critical", "Critical", 9, None),
    ("constraint_type", "Constraint", 22, None),
    ("constraint_date", "Constraint date", 12, "yyyy-mm-dd"),
    ("depends_on", "Depends on", 40, None),
    ("assigned_to", "Assigned to", 20, None),
    ("baseline_start", "Baseline start", 12, "yyyy-mm-dd"),
    ("baseline_end", "Baseline finish", 12, "yyyy-mm-dd"),
    ("finish_variance_days", "Finish variance (days)", 10, "+0;-0;0"),
]


def write_plan_xlsx(
    path: str | Path,
    project: Mapping[str, Any],
    workflows: pd.DataFrame,
    links: pd.DataFrame,
    baseline: pd.DataFrame | None = None,
) -> Path:
    """Write the plan as .xlsx: "Plan" (one row per workflow: dates, float, critical,
    constraint, links, baseline and variance), "Links" (type and lag), "Project".

    Raises
    ------
    StoreUnavailableError
        The file cannot be written.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    bold = Font(bold=True)
    band = PatternFill("solid", fgColor="DCE3EC")
    red = Font(color="B3261E", bold=True)
    table = workflows.copy()
    if baseline is not None and not baseline.empty:
        table = table.merge(
            baseline[["id", "baseline_start", "baseline_end", "finish_variance_days"]],
            on="id",
            how="left",
        )
    book = Workbook()
    sheet = book.active
    sheet.title = "Plan"
    for column, (_, heading, width, _) in enumerate(_PLAN_COLUMNS, start=1):
        cell = put_cell(sheet, 1, column, heading)
        cell.font, cell.fill = bold, band
        sheet.column_dimensions[cell.column_letter].width = width
    for row, record in enumerate(table.to_dict("records"), start=2):
        for column, (key, _, _, number_format) in enumerate(_PLAN_COLUMNS, start=1):
            value = record.get(key)
            if key == "critical":
                value = "yes" if value else ""
            elif key in ("status", "workflow_type", "constraint_type") and isinstance(value, str):
                value = value.replace("_", " ")
            elif number_format == "yyyy-mm-dd":
                value = _day(value)
            elif value is pd.NA:
                value = None
            cell = put_cell(sheet, row, column, value, number_format)
            if key == "name" and record.get("critical"):
                cell.font = red
    sheet.freeze_panes = "B2"
    links_sheet = book.create_sheet("Links")
    for column, heading in enumerate(("Predecessor", "Successor", "Type", "Lag (days)"), 1):
        cell = put_cell(links_sheet, 1, column, heading)
        cell.font, cell.fill = bold, band
    for row, link in enumerate(links.itertuples(), start=2):
        for column, value in enumerate(
            (link.predecessor, link.successor, link.type, int(link.lag_days)), start=1
        ):
            put_cell(links_sheet, row, column, value, "0")
    for letter, width in zip("ABCD", (30, 30, 8, 10), strict=True):
        links_sheet.column_dimensions[letter].width = width
    about = book.create_sheet("Project")
    facts = [
        ("Project", project["name"]),
        ("Start", _day(project.get("start_date"))),
        ("Scheduled end", _day(project.get("scheduled_end_date"))),
        ("Target end", _day(project.get("target_end_date"))),
        (
            "Calendar",
            "working days" if project.get("calendar") == "working" else "every day counts",
        ),
        ("Holidays", ", ".join(d.isoformat() for d in map(_day, project.get("holidays") or ()))),
        (
            "Baseline",
            baseline["baseline"].iloc[0] if baseline is not None and not baseline.empty else "",
        ),
        ("Durations, lags and floats", "days of the project's calendar"),
    ]
    for row, (label, value) in enumerate(facts, start=1):
        put_cell(about, row, 1, label).font = bold
        put_cell(about, row, 2, value, "yyyy-mm-dd")
    about.column_dimensions["A"].width = 26
    about.column_dimensions["B"].width = 40
    return save_workbook(book, path, "The plan")
