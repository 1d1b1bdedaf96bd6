"""``workbench size`` and ``workbench bom``: rank hardware lots for an inventory, write a BOM."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from workbench.cli.common import open_workbench, text_table

# --flag -> SizingSettings field, type, help.
SETTINGS = [
    ("--cpu-ratio", "cpu_ratio", float, "vCPU:core ratio (default 4)"),
    ("--target-util", "target_utilisation", float, "target utilisation, 0-1 (default 0.8)"),
    ("--reserve-cores", "reserve_cores", float, "hypervisor reserve, cores per host (default 0)"),
    (
        "--reserve-ram-gib",
        "reserve_ram_gib",
        float,
        "hypervisor reserve, GiB per host (default 32)",
    ),
    ("--memory-overcommit", "memory_overcommit", float, "vRAM per GiB of RAM (default 1.0)"),
    ("--growth", "growth", float, "demand growth per year, 0.2 = 20 %% (default 0)"),
    ("--years", "years", float, "growth horizon in years (default 3)"),
    ("--ha", "ha_failures", int, "host failures tolerated: 1 = N+1 (default), 2 = N+2"),
    ("--min-hosts", "min_hosts", int, "smallest cluster before HA (default 1)"),
    ("--support-years", "support_years", int, "support term in years (default 3)"),
    ("--tier", "support_tier", str, "price tier (default: the cheapest with the term)"),
]


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    chosen = {
        field: getattr(args, flag[2:].replace("-", "_"))
        for flag, field, _kind, _help in SETTINGS
        if getattr(args, flag[2:].replace("-", "_")) is not None
    }
    if args.storage is not None:
        chosen["storage"] = args.storage
    if args.powered_off is not None:
        chosen["include_powered_off"] = args.powered_off == "include"
    if args.storage_basis is not None:
        chosen["storage_basis"] = args.storage_basis
    return chosen


def _json(result, clusters: list[str] | None) -> dict[str, Any]:
    from workbench.sizing import OPTION_COLUMNS

    plain = result.to_json()
    return {
        "clusters": clusters or [],
        "demand": plain["demand"],  # vms, vcpus, memory_mib, storage_mib, ...
        "settings": plain["settings"],
        # An option: its rank first, then every column of the ranking.
        "options": [
            {k: o.get(k) for k in ["rank", *(c for c in OPTION_COLUMNS if c != "rank")]}
            for o in plain["options"]
        ],
    }


def _print(result) -> None:
    from workbench.formatting import count, label, size

    demand = result.demand
    print(
        f"Demand: {count(demand['vms'])} VMs, {count(demand['vcpus'])} vCPUs, "
        f"{size(demand['memory_mib'])} vRAM, {size(demand['storage_mib'])} storage"
        + (
            f" (growth x {demand['growth_factor']:.2f})"
            if demand.get("growth_factor", 1) != 1
            else ""
        )
    )
    options = result.options
    for scenario in ("policy", "today"):
        shown = options[options["scenario"] == scenario].sort_values(
            ["feasible", "rank"], ascending=[False, True]
        )
        if shown.empty:
            continue
        title = "Policy settings" if scenario == "policy" else "Keeping today's ratios"
        print(f"\n{title}:")
        rows = []
        for o in shown.itertuples():
            note = "" if o.feasible else str(o.reason)
            if o.feasible and o.cpu_vendor_differs:
                note = f"{o.cpu_vendor}: no live vMotion from today's hosts"
            rows.append(
                {
                    "rank": str(int(o.rank)) if o.feasible and o.rank == o.rank else "-",
                    "vendor": o.vendor,
                    "lot": o.lot,
                    "model": o.model or "",
                    "hosts": f"{int(o.hosts)}" if o.feasible else "-",
                    "limiting": label(o.limiting) if o.feasible else "",
                    "usd": f"${o.total_usd:,.0f}"
                    if o.feasible and o.total_usd == o.total_usd
                    else "-",
                    "eur": f"€{o.total_eur:,.0f}"
                    if o.feasible and o.total_eur == o.total_eur
                    else "-",
                    "tier": f"{o.tier or ''} {int(o.years)}y"
                    if o.years == o.years and o.years is not None
                    else (o.tier or ""),
                    "note": note,
                }
            )
        print(
            text_table(
                rows,
                [
                    ("rank", "#", ">", 3),
                    ("vendor", "Vendor", "<", 12),
                    ("lot", "Lot", "<", 5),
                    ("model", "Model", "<", 18),
                    ("hosts", "Hosts", ">", 5),
                    ("limiting", "Limit", "<", 8),
                    ("usd", "Total USD", ">", 12),
                    ("eur", "Total EUR", ">", 12),
                    ("tier", "Support", "<", 18),
                    ("note", "Note", "<", 28),
                ],
            )
        )


def cmd_size(args: argparse.Namespace) -> int:
    from workbench.errors import InvalidInputError

    settings = _settings(args)
    clusters = [c.strip() for c in args.clusters.split(",") if c.strip()] if args.clusters else None
    source = Path(args.source)
    if source.exists():
        # A file (or CSV folder): no store needed.
        from workbench import baskets as basket_rules
        from workbench import sizing
        from workbench.io.baskets import read_basket
        from workbench.io.rvtools import read_rvtools

        if not args.basket:
            raise InvalidInputError("Sizing a file needs at least one --basket FILE.")
        import pandas as pd

        lots = pd.concat(
            [basket_rules.lots_frame(read_basket(b)) for b in args.basket], ignore_index=True
        )
        chosen = sizing.SizingSettings(**settings).validate()
        result = sizing.recommend(
            sizing.demand(read_rvtools(source), clusters, chosen), lots, chosen
        )
    else:
        ws = open_workbench(args)
        if args.clusters:
            ws.rvtools.select_clusters(args.source, clusters)
        for basket in args.basket or []:
            if Path(basket).exists():
                ws.baskets.import_file(basket)
        named = [b for b in args.basket or [] if not Path(b).exists()] or None
        result = ws.sizing.recommend(args.source, baskets=named, **settings)
    if args.json:
        print(json.dumps(_json(result, clusters), indent=2, default=str))
    else:
        _print(result)
    return 0


def cmd_bom(args: argparse.Namespace) -> int:
    ws = open_workbench(args)
    path = ws.sizing.export_bom(
        args.import_id, args.vendor, args.lot, args.output, scenario=args.scenario
    )
    print(f"BOM written to {path}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    size = commands.add_parser(
        "size",
        help="rank every basket lot for an RVTools export or import",
        description="Rank every lot of the baskets by total cost for the VMs of an RVTools "
        "export (a file: nothing is stored) or of a stored import (its selected clusters; "
        "the ranking is kept with the import).",
    )
    size.add_argument("source", help="RVTools file, or the id of a stored import")
    size.add_argument(
        "--basket",
        action="append",
        metavar="FILE|NAME",
        help="basket file (repeatable); with an import id also a stored basket's id or name",
    )
    size.add_argument(
        "--clusters", help="comma-separated cluster names (default: all / the stored selection)"
    )
    for flag, _field, kind, text in SETTINGS:
        size.add_argument(flag, type=kind, help=text)
    size.add_argument(
        "--storage",
        help="external (default) or a vSAN policy: raid1_ftt1, raid5_osa, esa_raid5, raid6, raid1_ftt2",
    )
    size.add_argument("--storage-basis", choices=["in_use", "provisioned"])
    size.add_argument("--powered-off", choices=["include", "exclude"])
    size.add_argument("--json", action="store_true", help="print JSON")
    size.set_defaults(func=cmd_size)

    bom = commands.add_parser("bom", help="write the BOM of a ranked option (.xlsx)")
    bom.add_argument("import_id")
    bom.add_argument("--vendor", required=True)
    bom.add_argument("--lot", required=True)
    bom.add_argument("--scenario", choices=["policy", "today"], default="policy")
    bom.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    bom.set_defaults(func=cmd_bom)
