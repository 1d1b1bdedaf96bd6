"""``workbench schedule compute FILE``: a plan's dates, float and critical path, no store."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workbench.cli.common import text_table

_COLUMNS = [
    ("id", "Task", "<", 30),
    ("days", "Days", ">", 5),
    ("early_start", "Start", "<", 10),
    ("early_finish", "Finish", "<", 10),
    ("late_start", "Late start", "<", 10),
    ("late_finish", "Late finish", "<", 11),
    ("total_float", "Float", ">", 6),
    ("free_float", "Free", ">", 6),
    ("critical", "Critical", "<", 8),
]


def read_plan(source: str) -> Any:
    """The JSON document of a plan file (``-`` reads standard input)."""
    from workbench.errors import InvalidInputError, NotFoundError

    if source == "-":
        text, name = sys.stdin.read(), "standard input"
    else:
        path = Path(source)
        if not path.is_file():
            raise NotFoundError(f"There is no plan file at {path}.")
        name = path.name
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidInputError(f"{name} is not UTF-8 text.") from None
        except OSError as exc:
            raise NotFoundError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None


def print_schedule(schedule, names: dict[str, str] | None = None) -> None:
    """A schedule as a terminal table, then its finish and critical path; ``names`` shows
    task ids (workflow keys) as names."""
    from workbench.formatting import count, day

    names = names or {}
    rows = [
        {
            "id": names.get(task.id, task.id),
            "days": count(task.duration_days),
            "early_start": day(task.early_start),
            "early_finish": day(task.early_finish),
            "late_start": day(task.late_start),
            "late_finish": day(task.late_finish),
            "total_float": count(task.total_float),
            "free_float": count(task.free_float),
            "critical": "yes" if task.critical else "",
        }
        for task in schedule.tasks
    ]
    print(text_table(rows, _COLUMNS))
    unit = "working days" if schedule.calendar.working_days else "days"
    print(
        f"\nProject: {day(schedule.start)} to {day(schedule.finish)}, "
        f"{count(schedule.length_days)} {unit}."
    )
    if schedule.critical_path:
        print("Critical path: " + " -> ".join(names.get(t, t) for t in schedule.critical_path))
    late = [t for t in schedule.tasks if t.total_float < 0]
    if late:
        print(
            f"{count(len(late))} task(s) cannot meet their deadline "
            "(negative float): "
            + ", ".join(names.get(t.id, t.id) for t in late[:10])
            + ("…" if len(late) > 10 else "")
        )


def cmd_compute(args: argparse.Namespace) -> int:
    from workbench.schedule import compute, plan_from_json

    tasks, links, calendar = plan_from_json(read_plan(args.file))
    schedule = compute(tasks, links, calendar)
    if args.json:
        print(json.dumps(schedule.to_json(), indent=2))
    else:
        print_schedule(schedule)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
    group = commands.add_parser("schedule", help="compute a plan's dates (critical path method)")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    compute = actions.add_parser(
        "compute",
        help="dates, float and critical path of a plan file (no store)",
        description=(
            "Reads a plan as JSON: {start, calendar: calendar|working, holidays, "
            "tasks: [{id, duration_days, constraint: {type: SNET|FNLT, date}}], "
            "links: [{from, to, type: FS|SS|FF|SF, lag_days}]}."
        ),
    )
    compute.add_argument("file", help="plan file (JSON), or - for standard input")
    compute.add_argument("--json", action="store_true", help="print JSON")
    compute.set_defaults(func=cmd_compute)
