"""``workbench project list | show | create | update | delete``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from workbench import formatting as fmt
from workbench.cli.common import open_workbench as _open
from workbench.cli.common import text_table
from workbench.errors import InvalidInputError
from workbench.projects import PRIORITIES, PROJECT_STATUSES, PROJECT_TYPES, Project


def _print_projects(projects: list[Project], as_json: bool) -> None:
    if as_json:
        print(json.dumps([p.to_dict() for p in projects], indent=2, default=str))
        return
    if not projects:
        print("No projects.")
        return
    rows = [
        {
            "name": p.name,
            "type": fmt.label(p.project_type),
            "status": fmt.label(p.status),
            "priority": fmt.label(p.priority),
            "start": fmt.day(p.start_date),
            "end": fmt.day(p.target_end_date),
            "progress": fmt.percent(p.progress_percentage / 100),
        }
        for p in projects
    ]
    print(text_table(rows, _LIST_COLUMNS))


_LIST_COLUMNS = [
    ("name", "Project", "<", 32),
    ("type", "Type", "<", 18),
    ("status", "Status", "<", 9),
    ("priority", "Priority", "<", 8),
    ("start", "Start", "<", 10),
    ("end", "Target end", "<", 10),
    ("progress", "Progress", ">", 8),
]


def _print_project(project: Project, as_json: bool) -> None:
    if as_json:
        print(json.dumps(project.to_dict(), indent=2, default=str))
        return
    lines = [
        ("Id", project.ref),
        ("Name", project.name),
        ("Type", fmt.label(project.project_type)),
        ("Status", fmt.label(project.status)),
        ("Priority", fmt.label(project.priority)),
        ("Start date", fmt.day(project.start_date)),
        ("Target end date", fmt.day(project.target_end_date)),
        ("Actual end date", fmt.day(project.actual_end_date)),
        ("Progress", fmt.percent(project.progress_percentage / 100)),
        ("Scheduled end", fmt.day(project.scheduled_end_date)),
        ("Calendar", _calendar_text(project)),
        ("Team", ", ".join(project.assigned_team) or fmt.MISSING),
        ("Created by", project.created_by or fmt.MISSING),
        ("Created", fmt.moment(project.created_at)),
        ("Updated", fmt.moment(project.updated_at)),
        ("Description", project.description or fmt.MISSING),
    ]
    lines += [
        (f"Metadata {key}", json.dumps(value, default=str))
        for key, value in project.metadata.items()
    ]
    for label, value in lines:
        print(f"{label:>16}: {value}")


def _calendar_text(project: Project) -> str:
    if project.calendar != "working":
        return "every day counts"
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    off = ", ".join(days[d] for d in project.weekend) or "none"
    text = f"working days (off: {off}"
    if project.holidays:
        text += f"; {fmt.count(len(project.holidays))} holidays"
    return text + ")"


def cmd_project_schedule(args: argparse.Namespace) -> int:
    from workbench.cli.schedule import print_schedule

    ws = _open(args)
    schedule = ws.workflows.schedule(args.project)
    names = {w.id: w.name for w in ws.workflows.list(args.project)}
    if args.json:
        plain = schedule.to_json()
        for task in plain["tasks"]:
            task["name"] = names[task["id"]]
            task["id"] = "workflow:" + task["id"]
        plain["critical_path_names"] = [names[key] for key in plain["critical_path"]]
        plain["critical_path"] = ["workflow:" + key for key in plain["critical_path"]]
        print(json.dumps(plain, indent=2))
        return 0
    if not schedule.tasks:
        print("No workflows.")
        return 0
    print_schedule(schedule, names)
    return 0


def cmd_project_list(args: argparse.Namespace) -> int:
    filters = {
        "status": args.status,
        "project_type": args.type,
        "priority": args.priority,
        "starts_from": args.starts_from,
        "starts_until": args.starts_until,
        "ends_from": args.ends_from,
        "ends_until": args.ends_until,
        "text": args.text,
    }
    _print_projects(_open(args).projects.list(**filters), args.json)
    return 0


def cmd_project_show(args: argparse.Namespace) -> int:
    _print_project(_open(args).projects.get(args.project), args.json)
    return 0


def _field_values(args: argparse.Namespace) -> dict[str, Any]:
    values = {
        "name": getattr(args, "new_name", None),
        "project_type": args.type,
        "description": args.description,
        "status": args.status,
        "priority": args.priority,
        "start_date": args.start,
        "target_end_date": args.target_end,
        "actual_end_date": args.actual_end,
        "progress_percentage": args.progress,
        "created_by": getattr(args, "created_by", None),
        "assigned_team": args.team,
        "calendar": args.calendar,
        "holidays": args.holidays,
        "weekend": args.weekend,
    }
    return {k: v for k, v in values.items() if v is not None}


def cmd_project_create(args: argparse.Namespace) -> int:
    values = _field_values(args)
    if not args.type:
        raise InvalidInputError(f"--type is required: one of {', '.join(PROJECT_TYPES)}.")
    values.pop("project_type")
    project = _open(args).projects.create(args.name, args.type, **values)
    if not args.json:
        print(f"Created project {project.name!r} ({project.ref}).")
    _print_project(project, args.json)
    return 0


def cmd_project_update(args: argparse.Namespace) -> int:
    changes = _field_values(args)
    for name in args.clear or []:
        changes[name] = None
    if not changes:
        raise InvalidInputError("Nothing to change: give at least one field option or --clear.")
    project = _open(args).projects.update(args.project, **changes)
    _print_project(project, args.json)
    return 0


def cmd_project_delete(args: argparse.Namespace) -> int:
    ws = _open(args)
    project = ws.projects.get(args.project)
    ws.projects.delete(project)
    print(f"Deleted project {project.name!r} ({project.ref}).")
    return 0


def _project_fields(parser: argparse.ArgumentParser, *, creating: bool) -> None:
    parser.add_argument(
        "--type", choices=PROJECT_TYPES, help="project type" + (" (required)" if creating else "")
    )
    parser.add_argument("--description")
    parser.add_argument("--status", choices=PROJECT_STATUSES)
    parser.add_argument("--priority", choices=PRIORITIES)
    parser.add_argument("--start", metavar="YYYY-MM-DD", help="start date")
    parser.add_argument("--target-end", metavar="YYYY-MM-DD", help="target end date")
    parser.add_argument("--actual-end", metavar="YYYY-MM-DD", help="actual end date")
    parser.add_argument("--progress", type=int, metavar="0-100", help="progress in percent")
    parser.add_argument("--team", help="comma-separated names")
    parser.add_argument(
        "--calendar",
        choices=("calendar", "working"),
        help="what a day of the schedule is: any day, or a working day",
    )
    parser.add_argument("--holidays", metavar="DATES", help="comma-separated YYYY-MM-DD days off")
    parser.add_argument("--weekend", metavar="DAYS", help="comma-separated days off (sat,sun)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def register(commands: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
    project = commands.add_parser("project", help="projects").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    listing = project.add_parser("list", help="list projects")
    listing.add_argument("--status", action="append", choices=PROJECT_STATUSES)
    listing.add_argument("--type", action="append", choices=PROJECT_TYPES)
    listing.add_argument("--priority", action="append", choices=PRIORITIES)
    listing.add_argument("--starts-from", metavar="YYYY-MM-DD")
    listing.add_argument("--starts-until", metavar="YYYY-MM-DD")
    listing.add_argument("--ends-from", metavar="YYYY-MM-DD")
    listing.add_argument("--ends-until", metavar="YYYY-MM-DD")
    listing.add_argument("--text", help="substring of name or description")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_project_list)

    show = project.add_parser("show", help="show one project")
    show.add_argument("project", help="project name, or project:<id>")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=cmd_project_show)

    create = project.add_parser("create", help="create a project")
    create.add_argument("name")
    _project_fields(create, creating=True)
    create.add_argument("--created-by")
    create.set_defaults(func=cmd_project_create)

    update = project.add_parser("update", help="change a project")
    update.add_argument("project", help="project name, or project:<id>")
    update.add_argument("--name", dest="new_name", help="new name")
    _project_fields(update, creating=False)
    update.add_argument(
        "--clear",
        action="append",
        choices=("description", "start_date", "target_end_date", "actual_end_date"),
        help="clear an optional field",
    )
    update.set_defaults(func=cmd_project_update)

    schedule = project.add_parser(
        "schedule", help="a project's workflow dates, float and critical path"
    )
    schedule.add_argument("project", help="project name, or project:<id>")
    schedule.add_argument("--json", action="store_true", help="print JSON")
    schedule.set_defaults(func=cmd_project_schedule)

    delete = project.add_parser("delete", help="delete a project and what it owns")
    delete.add_argument("project", help="project name, or project:<id>")
    delete.set_defaults(func=cmd_project_delete)
