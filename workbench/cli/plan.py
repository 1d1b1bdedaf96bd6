"""``workbench plan export NAME -o FILE``: a project's plan as .xlsx or MS Project XML."""

from __future__ import annotations

import argparse

from workbench.cli.common import open_workbench


def cmd_export(args: argparse.Namespace) -> int:
    path = open_workbench(args).workflows.export_plan(
        args.project, args.output, baseline=args.baseline
    )
    kind = "MS Project XML" if path.suffix.lower() == ".xml" else "Excel workbook"
    print(f"Plan written: {path} ({kind}).")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
    group = commands.add_parser("plan", help="export a project's plan").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    export = group.add_parser(
        "export",
        help="write the plan as .xlsx or .xml (MS Project XML, opens in MS Project and ProjectLibre)",
    )
    export.add_argument("project", help="project name, or project:<id>")
    export.add_argument("-o", "--output", required=True, help="file to write: .xlsx or .xml")
    export.add_argument("--baseline", help="baseline to include (default: the latest)")
    export.set_defaults(func=cmd_export)
