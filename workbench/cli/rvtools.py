"""``workbench rvtools inspect | import | list | show | select | delete | generate``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from workbench import formatting as fmt
from workbench.cli.common import as_of as _as_of
from workbench.cli.common import open_workbench as _open
from workbench.cli.common import text_table
from workbench.errors import InvalidInputError


def _risk_titles() -> dict[str, tuple[str, str]]:
    from workbench.risks import CHECKS

    return {check.id: (check.severity, check.title) for check in CHECKS}


_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def _risk_lines(counts: dict[str, int | None]) -> list[str]:
    """Risk checks that hit VMs, worst first: severity, title, VMs."""
    titles = _risk_titles()
    found = [(titles[k][0], titles[k][1], v) for k, v in counts.items() if v and k in titles]
    found.sort(key=lambda item: (_SEVERITY_ORDER.get(item[0], 9), -item[2], item[1]))
    if not found:
        return ["Risks: none found."]
    widest = max(len(title) for _, title, _ in found)
    return ["Risks (VMs hit):"] + [
        f"  {sev:<6}  {title:<{widest}}  {fmt.count(n):>6}" for sev, title, n in found
    ]


def _print_totals(totals: dict[str, Any]) -> None:
    print(
        f"RVTools {totals['rvtools_version'] or 'version unknown'}; vCenter: {', '.join(totals['vcenters']) or 'unknown'}"
    )
    print(
        f"VMs {fmt.count(totals['vms'])} ({fmt.count(totals['powered_on'])} powered on), "
        f"templates {fmt.count(totals['templates'])}, vCPUs {fmt.count(totals['vcpus'])}, "
        f"memory {fmt.size(totals['memory_mib'])}, provisioned {fmt.size(totals['provisioned_mib'])}, "
        f"in use {fmt.size(totals['in_use_mib'])}"
    )
    print(
        f"Hosts {fmt.count(totals['hosts'])}, cores {fmt.count(totals['host_cores'])}, "
        f"memory {fmt.size(totals['host_memory_mib'])}, clusters {fmt.count(totals['clusters'])}"
    )
    rows = [
        {
            "cluster": fmt.cluster_name(name),
            "vms": fmt.count(figures["vms"]),
            "vcpus": fmt.count(figures["vcpus"]),
            "hosts": fmt.count(figures["hosts"]),
            "cores": fmt.count(figures["host_cores"]),
        }
        for name, figures in totals["per_cluster"].items()
    ]
    if rows:
        print()
        print(text_table(rows, _TOTALS_COLUMNS))
    print()
    print("\n".join(_risk_lines(totals.get("risks", {}))))
    for warning in totals.get("warnings", []):
        print(f"warning: {warning}")


_TOTALS_COLUMNS = [
    ("cluster", "Cluster", "<", 40),
    ("vms", "VMs", ">", 8),
    ("vcpus", "vCPUs", ">", 8),
    ("hosts", "Hosts", ">", 6),
    ("cores", "Cores", ">", 7),
]


def cmd_rvtools_inspect(args: argparse.Namespace) -> int:
    from workbench.api.rvtools import inspect

    totals = inspect(args.file, as_of=_as_of(args))
    if args.json:
        print(json.dumps(totals, indent=2))
    else:
        _print_totals(totals)
    return 0


def cmd_rvtools_import(args: argparse.Namespace) -> int:
    record = _open(args).rvtools.upload(
        args.project, args.file, imported_by=args.by, progress=not args.json, as_of=_as_of(args)
    )
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


_LIST_COLUMNS = [
    ("id", "Import", "<", 20),
    ("project", "Project", "<", 24),
    ("file", "File", "<", 24),
    ("status", "Status", "<", 10),
    ("date", "Imported", "<", 10),
    ("vms", "VMs", ">", 6),
    ("hosts", "Hosts", ">", 5),
    ("clusters", "Clusters", ">", 8),
]


def cmd_rvtools_list(args: argparse.Namespace) -> int:
    ws = _open(args)
    imports = ws.rvtools.list(args.project)
    names = {p.id: p.name for p in ws.projects.list()}
    if args.json:
        listed = [dict(i.to_dict(), project=names.get(i.project_id)) for i in imports]
        print(json.dumps([_brief(i) for i in listed], indent=2))
    elif not imports:
        print("No RVTools imports.")
    else:
        rows = [
            {
                "id": i.id,
                "project": names.get(i.project_id, fmt.MISSING),
                "file": i.filename,
                "status": i.processing_status,
                "date": fmt.day(i.import_date),
                "vms": fmt.count(i.total_vms),
                "hosts": fmt.count(i.total_hosts),
                "clusters": fmt.count(i.total_clusters),
            }
            for i in imports
        ]
        print(text_table(rows, _LIST_COLUMNS))
    return 0


_BRIEF_FIELDS = (
    "id",
    "project",
    "filename",
    "file_size",
    "processing_status",
    "import_date",
    "imported_by",
    "rvtools_version",
    "total_vms",
    "total_hosts",
    "total_clusters",
    "selected_clusters",
    "error_message",
)


def _brief(record: dict[str, Any]) -> dict[str, Any]:
    """What a person reads about an import, without the stored summaries."""
    return {key: record.get(key) for key in _BRIEF_FIELDS}


_CAPACITY_COLUMNS = [
    ("cluster", "Cluster", "<", 36),
    ("hosts", "Hosts", ">", 6),
    ("cores", "Cores", ">", 7),
    ("ram", "RAM", ">", 11),
    ("vms", "VMs", ">", 7),
    ("vcpus", "vCPUs", ">", 7),
    ("vcpu_per_core", "vCPU:core", ">", 10),
    ("vram_per_ram", "vRAM:RAM", ">", 9),
    ("headroom", "N+1 RAM headroom", ">", 17),
]


def cmd_rvtools_show(args: argparse.Namespace) -> int:
    ws = _open(args)
    record = ws.rvtools.get(args.import_id)
    project = ws.projects.get(f"project:{record.project_id}")
    shown: dict[str, Any] = {"import": _brief(dict(record.to_dict(), project=project.name))}
    analysis = None
    if record.processing_status == "completed":
        analysis = ws.rvtools.analysis(record.id, as_of=_as_of(args))
        frame = analysis.capacity
        shown["clusters"] = [
            {
                "cluster": fmt.cluster_name(row.cluster),
                "hosts": int(row.hosts),
                "cores": int(row.cores),
                "memory_mib": float(row.memory_mib),
                "vms": int(row.vms),
                "vcpus": int(row.vcpus),
                "vcpu_per_core": float(row.vcpu_per_core),
                "vram_per_ram": float(row.vram_per_ram),
                "n1_memory_headroom_mib": float(row.n1_memory_headroom_mib),
            }
            for row in frame.itertuples()
        ]
        titles = _risk_titles()
        shown["risks"] = [
            {"check": key, "severity": titles[key][0], "title": titles[key][1], "vms": vms}
            for key, vms in analysis.risks.counts().items()
            if vms and key in titles
        ]
        shown["warnings"] = list(record.data_quality.get("warnings", []))
    if args.json:
        print(json.dumps(shown, indent=2, default=str))
        return 0
    brief = shown["import"]
    print(f"{record.filename}, in project “{project.name}”")
    print(
        f"Import {record.id}: {record.processing_status}, imported {fmt.moment(record.import_date)}"
        f" by {record.imported_by or fmt.MISSING}; RVTools {record.rvtools_version or 'version unknown'}"
    )
    if record.error_message:
        print(f"error: {record.error_message}")
    if analysis is None:
        return 0
    print(
        f"{fmt.count(brief['total_vms'])} VMs, {fmt.count(brief['total_hosts'])} hosts, "
        f"{fmt.count(brief['total_clusters'])} clusters; sized: "
        + (", ".join(record.selected_clusters) or "all clusters")
    )
    print()
    rows = [
        {
            "cluster": c["cluster"],
            "hosts": fmt.count(c["hosts"]),
            "cores": fmt.count(c["cores"]),
            "ram": fmt.size(c["memory_mib"]),
            "vms": fmt.count(c["vms"]),
            "vcpus": fmt.count(c["vcpus"]),
            "vcpu_per_core": fmt.ratio(c["vcpu_per_core"]),
            "vram_per_ram": fmt.ratio(c["vram_per_ram"]),
            "headroom": ("short " if c["n1_memory_headroom_mib"] < 0 else "")
            + fmt.size(abs(c["n1_memory_headroom_mib"])),
        }
        for c in shown["clusters"]
    ]
    print(text_table(rows, _CAPACITY_COLUMNS))
    print()
    print("\n".join(_risk_lines({r["check"]: r["vms"] for r in shown["risks"]})))
    for warning in shown["warnings"]:
        print(f"warning: {warning}")
    return 0


def cmd_rvtools_select(args: argparse.Namespace) -> int:
    record = _open(args).rvtools.select_clusters(
        args.import_id, [] if args.all else args.clusters, as_of=_as_of(args)
    )
    print("Selected: " + (", ".join(record.selected_clusters) or "all clusters"))
    return 0


def cmd_rvtools_delete(args: argparse.Namespace) -> int:
    _open(args).rvtools.delete(args.import_id)
    print(f"Deleted RVTools import {args.import_id}.")
    return 0


def cmd_rvtools_generate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from workbench.demo import write_synthetic_rvtools

    if args.vms < 1:
        raise InvalidInputError("--vms must be at least 1.")
    steps = 16 if args.format == "xlsx" else 1  # the inventory, then each of the 15 sheets
    with tqdm(total=steps, desc=f"Generate {args.vms:,} VMs", unit="step", leave=False) as bar:

        def advance(step: str) -> None:
            bar.set_postfix_str(step)
            bar.update()

        synthetic = write_synthetic_rvtools(
            args.out,
            args.vms,
            seed=args.seed,
            fmt=args.format,
            delimiter=args.delimiter,
            on_step=advance,
        )
    truth = synthetic.truth
    print(
        f"Wrote {args.out}: {fmt.count(truth['vms'])} VMs, {fmt.count(truth['hosts'])} hosts, "
        f"{fmt.count(truth['clusters'])} clusters."
    )
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
    rvtools = commands.add_parser("rvtools", help="RVTools exports").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    inspect = rvtools.add_parser("inspect", help="read an export and print its totals (no store)")
    inspect.add_argument("file", help=".xlsx, a folder of RVTools CSV files, or a .zip of them")
    inspect.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="judge end-of-support risks on this day (default: today)",
    )
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.set_defaults(func=cmd_rvtools_inspect)
    upload = rvtools.add_parser("import", help="import an export into a project")
    upload.add_argument("file")
    upload.add_argument("--project", required=True, help="project name, or project:<id>")
    upload.add_argument("--by", help="who imports it")
    upload.add_argument(
        "--as-of", metavar="YYYY-MM-DD", help="judge end-of-support risks on this day"
    )
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
