"""The ``workbench`` command. Errors become one plain line on stderr and an exit code."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from workbench.errors import (
    ConflictError,
    ImportRejectedError,
    InvalidInputError,
    NotFoundError,
    StoreUnavailableError,
    WorkbenchError,
)
from workbench.projects import PRIORITIES, PROJECT_STATUSES, PROJECT_TYPES, Project
from workbench.text import has_surrogates

EXIT_CODES = {
    InvalidInputError: 2, NotFoundError: 3, ConflictError: 4, StoreUnavailableError: 5, ImportRejectedError: 6,
}


def _open(args: argparse.Namespace):
    import workbench

    return workbench.open(args.db, home=args.home)


def _print_projects(projects: list[Project], as_json: bool) -> None:
    if as_json:
        print(json.dumps([p.to_dict() for p in projects], indent=2, default=str))
        return
    if not projects:
        print("No projects.")
        return
    from workbench.projects import projects_frame

    frame = projects_frame(projects)[
        ["id", "name", "project_type", "status", "priority", "start_date", "target_end_date", "progress_percentage"]
    ]
    print(frame.to_string(index=False, na_rep="-"))


def _print_project(project: Project, as_json: bool) -> None:
    if as_json:
        print(json.dumps(project.to_dict(), indent=2, default=str))
        return
    for key, value in project.to_dict().items():
        if value in (None, [], {}):
            value = "-"
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        print(f"{key:>20}: {value}")


# -- commands --------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    ws = _open(args)
    print(f"Store ready: {ws.store.url} (data directory {ws.settings.home})")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    import workbench

    ws = workbench.open(args.db, home=args.home, apply_migrations=False)
    applied = ws.migrate()
    print("Applied: " + ", ".join(applied) if applied else "Schema is up to date.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    ws = _open(args)
    created = ws.load_demo(if_empty=args.if_empty)
    print(f"Demo data: {created} project(s) created." if created else "Demo data: nothing to add.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from workbench.ui.voila import serve

    ws = _open(args)  # migrate before any dashboard kernel starts
    env = dict(os.environ, WORKBENCH_HOME=str(ws.settings.home), WORKBENCH_DB=ws.settings.db_url)
    return serve(port=args.port, host=args.host, folder=args.dashboards, env=env)


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


def _as_of(args: argparse.Namespace):
    from workbench.projects import parse_date

    return parse_date(args.as_of, "--as-of") if getattr(args, "as_of", None) else None


def _print_totals(totals: dict[str, Any]) -> None:
    print(f"RVTools {totals['rvtools_version'] or 'version unknown'}; vCenter: {', '.join(totals['vcenters']) or 'unknown'}")
    print(
        f"VMs {totals['vms']} ({totals['powered_on']} powered on), templates {totals['templates']}, "
        f"vCPUs {totals['vcpus']}, memory {totals['memory_mib'] / 1024:,.0f} GiB, "
        f"provisioned {totals['provisioned_mib'] / 1024 / 1024:,.1f} TiB, in use {totals['in_use_mib'] / 1024 / 1024:,.1f} TiB"
    )
    print(
        f"Hosts {totals['hosts']}, cores {totals['host_cores']}, memory {totals['host_memory_mib'] / 1024:,.0f} GiB, "
        f"clusters {totals['clusters']}"
    )
    for name, figures in totals["per_cluster"].items():
        print(
            f"  {name or '(no cluster)'}: {figures['vms']} VMs, {figures['vcpus']} vCPUs on "
            f"{figures['hosts']} hosts / {figures['host_cores']} cores"
        )
    found = {k: v for k, v in totals.get("risks", {}).items() if v}
    if found:
        print("Risks (VMs): " + ", ".join(f"{k} {v}" for k, v in found.items()))
    for warning in totals.get("warnings", []):
        print(f"warning: {warning}")


def cmd_rvtools_inspect(args: argparse.Namespace) -> int:
    from workbench.rvtools_api import inspect

    totals = inspect(args.file, as_of=_as_of(args))
    if args.json:
        print(json.dumps(totals, indent=2))
    else:
        _print_totals(totals)
    return 0


def cmd_rvtools_import(args: argparse.Namespace) -> int:
    record = _open(args).rvtools.upload(args.project, args.file, imported_by=args.by, progress=not args.json, as_of=_as_of(args))
    if args.json:
        print(json.dumps(record.to_dict(), indent=2))
    else:
        print(
            f"Imported {record.filename} into the project (import id {record.id}): "
            f"{record.total_vms} VMs, {record.total_hosts} hosts, {record.total_clusters} clusters."
        )
        for warning in record.data_quality.get("warnings", []):
            print(f"warning: {warning}")
    return 0


def cmd_rvtools_list(args: argparse.Namespace) -> int:
    imports = _open(args).rvtools.list(args.project)
    if args.json:
        print(json.dumps([i.to_dict() for i in imports], indent=2))
    elif not imports:
        print("No RVTools imports.")
    else:
        from workbench.rvtools_imports import imports_frame

        print(imports_frame(imports).drop(columns=["error_message"]).to_string(index=False, na_rep="-"))
    return 0


def cmd_rvtools_show(args: argparse.Namespace) -> int:
    ws = _open(args)
    record = ws.rvtools.get(args.import_id)
    if args.json:
        print(json.dumps(record.to_dict(), indent=2))
        return 0
    print(f"{record.filename} ({record.processing_status}), imported {record.import_date} by {record.imported_by or '-'}")
    if record.error_message:
        print(f"error: {record.error_message}")
    if record.processing_status == "completed":
        analysis = ws.rvtools.analysis(record.id, as_of=_as_of(args))
        columns = ["cluster", "hosts", "cores", "memory_mib", "vms", "vcpus", "vcpu_per_core", "vram_per_ram", "n1_memory_headroom_mib"]
        print(analysis.capacity[columns].to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
        counts = {k: v for k, v in analysis.risks.counts().items() if v}
        print("Risks (VMs): " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "none"))
    return 0


def cmd_rvtools_select(args: argparse.Namespace) -> int:
    record = _open(args).rvtools.select_clusters(args.import_id, [] if args.all else args.clusters, as_of=_as_of(args))
    print("Selected: " + (", ".join(record.selected_clusters) or "all clusters"))
    return 0


def cmd_rvtools_delete(args: argparse.Namespace) -> int:
    _open(args).rvtools.delete(args.import_id)
    print(f"Deleted RVTools import {args.import_id}.")
    return 0


def cmd_rvtools_generate(args: argparse.Namespace) -> int:
    from workbench.demo import write_synthetic_rvtools

    if args.vms < 1:
        raise InvalidInputError("--vms must be at least 1.")
    synthetic = write_synthetic_rvtools(args.out, args.vms, seed=args.seed, fmt=args.format, delimiter=args.delimiter)
    print(f"Wrote {args.out}: {synthetic.truth['vms']} VMs, {synthetic.truth['hosts']} hosts, {synthetic.truth['clusters']} clusters.")
    return 0


# -- parser ----------------------------------------------------------------------------------


def _project_fields(parser: argparse.ArgumentParser, *, creating: bool) -> None:
    parser.add_argument("--type", choices=PROJECT_TYPES, help="project type" + (" (required)" if creating else ""))
    parser.add_argument("--description")
    parser.add_argument("--status", choices=PROJECT_STATUSES)
    parser.add_argument("--priority", choices=PRIORITIES)
    parser.add_argument("--start", metavar="YYYY-MM-DD", help="start date")
    parser.add_argument("--target-end", metavar="YYYY-MM-DD", help="target end date")
    parser.add_argument("--actual-end", metavar="YYYY-MM-DD", help="actual end date")
    parser.add_argument("--progress", type=int, metavar="0-100", help="progress in percent")
    parser.add_argument("--team", help="comma-separated names")
    parser.add_argument("--json", action="store_true", help="print JSON")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="Infra Workbench command line.")
    parser.add_argument("--db", help="store URL (default: $WORKBENCH_DB or surrealkv://HOME/store)")
    parser.add_argument("--home", help="data directory (default: $WORKBENCH_HOME or the user data dir)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("init", help="create the data directory and bring the schema up to date").set_defaults(func=cmd_init)
    commands.add_parser("migrate", help="apply pending schema migrations").set_defaults(func=cmd_migrate)
    demo = commands.add_parser("demo", help="load generated demo projects")
    demo.add_argument("--if-empty", action="store_true", help="only when the store has no project")
    demo.set_defaults(func=cmd_demo)
    serve = commands.add_parser("serve", help="serve the Voila dashboards")
    serve.add_argument("--port", type=int, default=8866)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--dashboards", help="folder of dashboard notebooks (default: ./dashboards)")
    serve.set_defaults(func=cmd_serve)

    project = commands.add_parser("project", help="projects").add_subparsers(dest="action", required=True, metavar="ACTION")
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
    show.add_argument("project", help="project id or name")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=cmd_project_show)

    create = project.add_parser("create", help="create a project")
    create.add_argument("name")
    _project_fields(create, creating=True)
    create.add_argument("--created-by")
    create.set_defaults(func=cmd_project_create)

    update = project.add_parser("update", help="change a project")
    update.add_argument("project", help="project id or name")
    update.add_argument("--name", dest="new_name", help="new name")
    _project_fields(update, creating=False)
    update.add_argument(
        "--clear",
        action="append",
        choices=("description", "start_date", "target_end_date", "actual_end_date"),
        help="clear an optional field",
    )
    update.set_defaults(func=cmd_project_update)

    delete = project.add_parser("delete", help="delete a project and what it owns")
    delete.add_argument("project", help="project id or name")
    delete.set_defaults(func=cmd_project_delete)

    rvtools = commands.add_parser("rvtools", help="RVTools exports").add_subparsers(dest="action", required=True, metavar="ACTION")
    inspect = rvtools.add_parser("inspect", help="read an export and print its totals (no store)")
    inspect.add_argument("file", help=".xlsx, a folder of RVTools CSV files, or a .zip of them")
    inspect.add_argument("--as-of", metavar="YYYY-MM-DD", help="judge end-of-support risks on this day (default: today)")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.set_defaults(func=cmd_rvtools_inspect)
    upload = rvtools.add_parser("import", help="import an export into a project")
    upload.add_argument("file")
    upload.add_argument("--project", required=True, help="project id or name")
    upload.add_argument("--by", help="who imports it")
    upload.add_argument("--as-of", metavar="YYYY-MM-DD", help="judge end-of-support risks on this day")
    upload.add_argument("--json", action="store_true", help="print JSON")
    upload.set_defaults(func=cmd_rvtools_import)
    listing = rvtools.add_parser("list", help="list imports")
    listing.add_argument("--project", help="project id or name")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_rvtools_list)
    show = rvtools.add_parser("show", help="show an import: capacity per selected cluster, risks")
    show.add_argument("import_id")
    show.add_argument("--as-of", metavar="YYYY-MM-DD")
    show.add_argument("--json", action="store_true", help="print the stored record as JSON")
    show.set_defaults(func=cmd_rvtools_show)
    select = rvtools.add_parser("select", help="choose the clusters to size")
    select.add_argument("import_id")
    select.add_argument("clusters", nargs="*", metavar="CLUSTER")
    select.add_argument("--all", action="store_true", help="select every cluster")
    select.add_argument("--as-of", metavar="YYYY-MM-DD")
    select.set_defaults(func=cmd_rvtools_select)
    remove = rvtools.add_parser("delete", help="delete an import and its files")
    remove.add_argument("import_id")
    remove.set_defaults(func=cmd_rvtools_delete)
    generate = rvtools.add_parser("generate", help="write a synthetic RVTools 4.7 export")
    generate.add_argument("out", help="output file (.xlsx, .zip) or folder (csv)")
    generate.add_argument("--vms", type=int, default=300)
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument("--format", choices=("xlsx", "csv", "csv-zip"), default="xlsx")
    generate.add_argument("--delimiter", choices=(",", ";"), default=",")
    generate.set_defaults(func=cmd_rvtools_generate)
    return parser


def _check_arguments(argv: Sequence[str]) -> None:
    """Refuse arguments that are not text: bytes that are not UTF-8 arrive as lone surrogates."""
    for position, argument in enumerate(argv, start=1):
        if has_surrogates(argument):
            shown = argument.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise InvalidInputError(f"Argument {position} ({shown!r}) is not valid UTF-8 text.")


def _exit_code(exc: WorkbenchError) -> int:
    return next((code for kind, code in EXIT_CODES.items() if isinstance(exc, kind)), 1)


def _quiet_broken_pipe() -> int:
    # The reader went away (`workbench ... | head`): stop quietly. Point stdout at /dev/null
    # so that the interpreter's final flush does not complain either.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 141  # as a program killed by SIGPIPE


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        _check_arguments(argv)
        args = build_parser().parse_args(argv)
        return args.func(args)
    except WorkbenchError as exc:
        try:
            print(f"error: {exc}", file=sys.stderr)
        except BrokenPipeError:
            pass
        return _exit_code(exc)
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
