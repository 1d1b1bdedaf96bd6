"""``workbench workflow add | list | show | update | delete | link | unlink | baseline``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from workbench import formatting as fmt
from workbench.cli.common import open_workbench as _open
from workbench.cli.common import text_table
from workbench.errors import InvalidInputError
from workbench.workflows import DEPENDENCY_TYPES, WORKFLOW_STATUSES, WORKFLOW_TYPES

_LIST_COLUMNS = [
    ("name", "Workflow", "<", 28),
    ("type", "Type", "<", 20),
    ("status", "Status", "<", 11),
    ("progress", "Done", ">", 5),
    ("days", "Days", ">", 5),
    ("start", "Start", "<", 10),
    ("end", "Finish", "<", 10),
    ("float", "Float", ">", 5),
    ("critical", "Critical", "<", 8),
    ("depends_on", "Depends on", "<", 40),
]
_LINK_TYPES = ("FS", "SS", "FF", "SF", *DEPENDENCY_TYPES)


def _print_workflows(frame, as_json: bool, workflows) -> None:
    if as_json:
        print(json.dumps([w.to_dict() for w in workflows], indent=2, default=str))
        return
    if frame.empty:
        print("No workflows.")
        return
    rows = [
        {
            "name": row.name,
            "type": fmt.label(row.workflow_type),
            "status": fmt.label(row.status),
            "progress": fmt.percent(row.progress_percentage / 100),
            "days": fmt.count(row.duration_days),
            "start": fmt.day(row.start_date),
            "end": fmt.day(row.end_date),
            "float": fmt.count(row.total_float),
            "critical": "yes" if row.critical else "",
            "depends_on": row.depends_on,
        }
        for row in frame.itertuples()
    ]
    print(text_table(rows, _LIST_COLUMNS))


def _print_workflow(workflow, as_json: bool) -> None:
    if as_json:
        print(json.dumps(workflow.to_dict(), indent=2, default=str))
        return
    schedule = workflow.schedule
    constraint = (
        f"{fmt.label(workflow.constraint_type)} {fmt.day(workflow.constraint_date)}"
        if workflow.constraint_type
        else fmt.MISSING
    )
    lines = [
        ("Id", workflow.ref),
        ("Name", workflow.name),
        ("Type", fmt.label(workflow.workflow_type)),
        ("Status", fmt.label(workflow.status)),
        ("Progress", fmt.percent(workflow.progress_percentage / 100)),
        ("Duration", f"{fmt.count(workflow.duration_days)} days"),
        ("Start", fmt.day(workflow.start_date)),
        ("Finish", fmt.day(workflow.end_date)),
        ("Late start", fmt.day(schedule.get("late_start"))),
        ("Late finish", fmt.day(schedule.get("late_finish"))),
        ("Total float", f"{fmt.count(schedule.get('total_float'))} days"),
        ("Free float", f"{fmt.count(schedule.get('free_float'))} days"),
        ("Critical", "yes" if workflow.critical else "no"),
        ("Constraint", constraint),
        ("Link defaults", f"{fmt.label(workflow.dependency_type)}, lag {workflow.lag_days} days"),
        ("Assigned to", ", ".join(workflow.assigned_to) or fmt.MISSING),
        ("Description", workflow.description or fmt.MISSING),
    ]
    for label, value in lines:
        print(f"{label:>14}: {value}")


def _depends_on(items: list[str] | None) -> list[Any] | None:
    """``--after NAME[:TYPE[:LAG]]`` options as dependency specs. Only a trailing link
    type (and lag) is split off, so a name may hold colons ("Wave 1: web")."""
    if items is None:
        return None
    types = {t.casefold() for t in _LINK_TYPES}
    specs: list[Any] = []
    for item in items:
        parts = item.split(":")
        spec: dict[str, Any] = {"workflow": item}
        if len(parts) >= 3 and parts[-2].strip().casefold() in types:
            try:
                lag = int(parts[-1])
            except ValueError:
                raise InvalidInputError(
                    f"--after {item!r}: the lag after the link type must be a whole number of days."
                ) from None
            spec = {"workflow": ":".join(parts[:-2]), "type": parts[-2].strip(), "lag_days": lag}
        elif len(parts) >= 2 and parts[-1].strip().casefold() in types:
            spec = {"workflow": ":".join(parts[:-1]), "type": parts[-1].strip()}
        specs.append(spec)
    return specs


def _fields(args: argparse.Namespace) -> dict[str, Any]:
    values = {
        "name": getattr(args, "new_name", None),
        "workflow_type": getattr(args, "type", None),
        "duration_days": args.days,
        "description": args.description,
        "status": args.status,
        "progress_percentage": args.progress,
        "assigned_to": args.assigned_to,
        "dependency_type": args.link_type,
        "lag_days": args.lag,
        "start_no_earlier_than": args.not_before,
        "finish_no_later_than": args.due,
    }
    return {k: v for k, v in values.items() if v is not None}


def cmd_add(args: argparse.Namespace) -> int:
    values = _fields(args)
    values.pop("workflow_type", None)
    workflow = _open(args).workflows.add(
        args.project, args.name, args.type, depends_on=_depends_on(args.after), **values
    )
    if not args.json:
        print(f"Added workflow {workflow.name!r} ({workflow.ref}).")
    _print_workflow(workflow, args.json)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    ws = _open(args)
    frame = ws.workflows.frame(args.project)
    _print_workflows(frame, args.json, ws.workflows.list(args.project) if args.json else [])
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    _print_workflow(_open(args).workflows.get(args.workflow, args.project), args.json)
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    changes = _fields(args)
    for name in args.clear or []:
        changes[name] = None
    after = _depends_on(args.after)
    if not changes and after is None:
        raise InvalidInputError("Nothing to change: give at least one field option or --clear.")
    workflow = _open(args).workflows.update(
        args.workflow, args.project, depends_on=after, **changes
    )
    _print_workflow(workflow, args.json)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    ws = _open(args)
    workflow = ws.workflows.get(args.workflow, args.project)
    ws.workflows.delete(workflow)
    print(f"Deleted workflow {workflow.name!r} ({workflow.ref}).")
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    made = _open(args).workflows.link(
        args.predecessor, args.successor, args.project, type=args.link_type, lag_days=args.lag
    )
    lag = f", lag {made.lag_days} days" if made.lag_days else ""
    print(f"Linked: {args.successor!r} after {args.predecessor!r} ({made.code}{lag}).")
    return 0


def cmd_unlink(args: argparse.Namespace) -> int:
    _open(args).workflows.unlink(args.predecessor, args.successor, args.project)
    print(f"Unlinked: {args.successor!r} no longer depends on {args.predecessor!r}.")
    return 0


def cmd_baseline(args: argparse.Namespace) -> int:
    ws = _open(args)
    if args.save:
        saved = ws.workflows.save_baseline(args.project, args.save)
        print(
            f"Baseline {saved['name']!r} saved: {fmt.count(saved['workflows'])} workflows, "
            f"finish {fmt.day(saved['project_finish'])}."
        )
        return 0
    variance = ws.workflows.variance(args.project, args.name)
    chosen = args.name or ws.workflows.baselines(args.project)[-1]["name"]
    if args.json:
        print(variance.to_json(orient="records", date_format="iso", indent=2))
        return 0
    rows = [
        {
            "name": row.name,
            "start": fmt.day(row.start_date),
            "end": fmt.day(row.end_date),
            "baseline_end": fmt.day(row.baseline_end),
            "variance": fmt.MISSING
            if fmt.is_missing(row.finish_variance_days)
            else f"{int(row.finish_variance_days):+d}",
        }
        for row in variance.itertuples()
    ]
    if variance.empty:
        print(f"No workflows to compare with baseline {chosen!r}.")
        return 0
    print(f"Against baseline {variance['baseline'].iloc[0]!r} (days, + is later):")
    print(
        text_table(
            rows,
            [
                ("name", "Workflow", "<", 28),
                ("start", "Start", "<", 10),
                ("end", "Finish", "<", 10),
                ("baseline_end", "Baseline", "<", 10),
                ("variance", "Slip", ">", 6),
            ],
        )
    )
    return 0


def _workflow_fields(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=int, help="duration in days of the project's calendar")
    parser.add_argument("--description")
    parser.add_argument("--status", choices=WORKFLOW_STATUSES)
    parser.add_argument("--progress", type=int, metavar="0-100", help="progress in percent")
    parser.add_argument("--assigned-to", help="comma-separated names")
    parser.add_argument(
        "--after",
        action="append",
        metavar="NAME[:TYPE[:LAG]]",
        help="a predecessor, e.g. Design or Design:SS:2 (repeat for several)",
    )
    parser.add_argument(
        "--link-type", choices=_LINK_TYPES, help="default type of this workflow's links (FS)"
    )
    parser.add_argument("--lag", type=int, help="default lag of its links, days (negative: lead)")
    parser.add_argument("--not-before", metavar="YYYY-MM-DD", help="start no earlier than")
    parser.add_argument("--due", metavar="YYYY-MM-DD", help="finish no later than")
    parser.add_argument("--json", action="store_true", help="print JSON")


def register(commands: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
    group = commands.add_parser("workflow", help="workflows of a project").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    add = group.add_parser("add", help="add a workflow to a project")
    add.add_argument("project", help="project name, or project:<id>")
    add.add_argument("name")
    add.add_argument("--type", required=True, choices=WORKFLOW_TYPES)
    _workflow_fields(add)
    add.set_defaults(func=cmd_add)

    listing = group.add_parser("list", help="a project's workflows in schedule order")
    listing.add_argument("project", help="project name, or project:<id>")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_list)

    for name, helptext, func in (
        ("show", "show one workflow", cmd_show),
        ("delete", "delete a workflow and its links", cmd_delete),
    ):
        command = group.add_parser(name, help=helptext)
        command.add_argument("workflow", help="workflow name (with --project), or workflow:<id>")
        command.add_argument("--project", help="project of a workflow named by name")
        if name == "show":
            command.add_argument("--json", action="store_true", help="print JSON")
        command.set_defaults(func=func)

    update = group.add_parser("update", help="change a workflow")
    update.add_argument("workflow", help="workflow name (with --project), or workflow:<id>")
    update.add_argument("--project", help="project of a workflow named by name")
    update.add_argument("--name", dest="new_name", help="new name")
    update.add_argument("--type", choices=WORKFLOW_TYPES)
    _workflow_fields(update)
    update.add_argument(
        "--clear",
        action="append",
        choices=("description", "start_no_earlier_than", "finish_no_later_than"),
        help="clear an optional field",
    )
    update.set_defaults(func=cmd_update)

    for name, helptext, func in (
        ("link", "make SUCCESSOR depend on PREDECESSOR", cmd_link),
        ("unlink", "remove the link between two workflows", cmd_unlink),
    ):
        command = group.add_parser(name, help=helptext)
        command.add_argument("predecessor")
        command.add_argument("successor")
        command.add_argument("--project", help="project of workflows named by name")
        if name == "link":
            command.add_argument("--type", dest="link_type", choices=_LINK_TYPES)
            command.add_argument("--lag", type=int, help="days; negative for a lead")
        command.set_defaults(func=func)

    baseline = group.add_parser(
        "baseline", help="save a baseline of a project's dates, or show the slip against one"
    )
    baseline.add_argument("project", help="project name, or project:<id>")
    baseline.add_argument("--save", metavar="NAME", help="save the current dates under NAME")
    baseline.add_argument("--name", help="the baseline to compare with (default: the latest)")
    baseline.add_argument("--json", action="store_true", help="print JSON")
    baseline.set_defaults(func=cmd_baseline)
