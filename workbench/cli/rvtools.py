"""``workbench rvtools inspect | import | list | show | select | delete | generate``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from workbench.cli.common import as_of as _as_of
from workbench.cli.common import open_workbench as _open
from workbench.errors import InvalidInputError


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


def register(commands: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
    rvtools = commands.add_parser("rvtools", help="RVTools exports").add_subparsers(dest="action", required=True, metavar="ACTION")
    inspect = rvtools.add_parser("inspect", help="read an export and print its totals (no store)")
    inspect.add_argument("file", help=".xlsx, a folder of RVTools CSV files, or a .zip of them")
    inspect.add_argument("--as-of", metavar="YYYY-MM-DD", help="judge end-of-support risks on this day (default: today)")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.set_defaults(func=cmd_rvtools_inspect)
    upload = rvtools.add_parser("import", help="import an export into a project")
    upload.add_argument("file")
    upload.add_argument("--project", required=True, help="project name, or project:<id>")
    upload.add_argument("--by", help="who imports it")
    upload.add_argument("--as-of", metavar="YYYY-MM-DD", help="judge end-of-support risks on this day")
    upload.add_argument("--json", action="store_true", help="print JSON")
    upload.set_defaults(func=cmd_rvtools_import)
    listing = rvtools.add_parser("list", help="list imports")
    listing.add_argument("--project", help="project name, or project:<id>")
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
