"""``workbench basket inspect | import | list | lots | delete``: vendor hardware baskets.

``inspect`` reads a file and needs no store; the others work on the stored baskets.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from workbench.cli.common import open_workbench, text_table


def _money(value: Any) -> float | None:
    return None if value is None else float(value)


def basket_summary(basket) -> dict[str, Any]:
    """A basket as JSON-ready data: vendor, rate, validity, lots with prices and warnings."""
    from workbench.baskets import describe_disks, describe_nics

    def day(value):
        return value.isoformat() if value else None

    return {
        "vendor": basket.vendor,
        "name": basket.name,
        "quarter": basket.quarter,
        "layout": basket.layout,
        "quotation": basket.quotation,
        "valid_from": day(basket.valid_from),
        "valid_until": day(basket.valid_until),
        "currency_rate": {
            "rate": _money(basket.exchange_rate),
            "convention": basket.exchange_rate_convention,
            "valid_until": day(basket.exchange_rate_valid_until),
        },
        "options": len(basket.options),
        "countries": len(basket.countries),
        "warnings": list(basket.warnings),
        "lots": [
            {
                "code": lot.code,
                "category": lot.category,
                "model": lot.model,
                "form_factor": lot.form_factor,
                "cpu_vendor": lot.cpu_vendor,
                "sockets": lot.sockets,
                "cores_per_cpu": lot.cores_per_cpu,
                "cpu_model": lot.cpu_model,
                "ram_gb": lot.ram_gib,
                "data_disks": describe_disks(lot.data_disks),
                "raw_tb": lot.raw_tb,
                "cache_disks": describe_disks(lot.cache_disks),
                "boot_disk": lot.boot_disk,
                "nics": describe_nics(lot.nics),
                "prices": [
                    {
                        "tier": price.tier,
                        "years": price.years,
                        "includes_hardware": price.includes_hardware,
                        "usd": _money(price.usd),
                        "eur": _money(price.eur),
                    }
                    for price in lot.prices
                ],
                "warnings": list(lot.warnings),
            }
            for lot in basket.lots
        ],
    }


_COLUMNS = [
    ("code", "Lot", "<", 5),
    ("model", "Model", "<", 21),
    ("cpu", "CPU", "<", 13),
    ("cores", "Cores", ">", 7),
    ("ram", "RAM GB", ">", 6),
    ("disks", "Data disks", "<", 36),
    ("usd", "Net USD", ">", 10),
    ("eur", "Net EUR", ">", 10),
    ("warnings", "Warn", ">", 4),
]


def _amount(value) -> str:
    return "" if value is None else f"{float(value):,.0f}"


def cmd_basket_inspect(args: argparse.Namespace) -> int:
    from workbench.baskets import describe_disks, headline_price
    from workbench.io.baskets import read_basket

    basket = read_basket(args.file)
    if args.json:
        print(json.dumps(basket_summary(basket), indent=2, ensure_ascii=False))
        return 0
    rate = basket.exchange_rate
    convention = {
        "usd_per_eur": f"EUR = USD / {rate}",
        "eur_per_usd": f"EUR = USD x {rate}",
    }.get(basket.exchange_rate_convention or "", "no EUR/USD rate")
    until = basket.exchange_rate_valid_until
    print(
        f"{basket.vendor}: {basket.name} ({basket.quarter or 'quarter unknown'}), "
        f"{len(basket.lots)} lots, {len(basket.options)} options, "
        f"{len(basket.countries)} countries"
    )
    print(f"Rate: {convention}" + (f", until {until.isoformat()}" if until else ""))
    rows = []
    tiers = set()
    for lot in basket.lots:
        price = headline_price(lot)
        if price is not None:
            tiers.add(price.tier if price.years is None else f"{price.tier} {price.years}y")
        cores = (
            f"{lot.sockets}x{lot.cores_per_cpu if lot.cores_per_cpu is not None else '?'}"
            if lot.sockets
            else ""
        )
        cpu = " ".join(filter(None, [lot.cpu_vendor, lot.cpu_model]))
        rows.append(
            {
                "code": lot.code,
                "model": lot.model or "",
                "cpu": cpu,
                "cores": cores,
                "ram": "" if lot.ram_gib is None else str(lot.ram_gib),
                "disks": describe_disks(lot.data_disks),
                "usd": _amount(price.usd if price else None),
                "eur": _amount(price.eur if price else None),
                "warnings": str(len(lot.warnings)) if lot.warnings else "",
            }
        )
    print()
    print(text_table(rows, _COLUMNS))
    if tiers:
        print(f"\nNet: the {', '.join(sorted(tiers))} price.")
    for warning in basket.warnings:
        print(f"warning: {warning}")
    for lot in basket.lots:
        for warning in lot.warnings:
            print(f"warning: {lot.code} {warning}")
    return 0


def _summary_json(summary) -> dict[str, Any]:
    """A stored basket's summary as JSON-ready data."""
    return {
        "id": summary.id,
        "vendor": summary.vendor,
        "name": summary.name,
        "quarter": summary.quarter,
        "lots": summary.lots,
        "options": summary.options,
        "warnings": summary.warnings,
        "valid_from": summary.valid_from.isoformat() if summary.valid_from else None,
        "valid_until": summary.valid_until.isoformat() if summary.valid_until else None,
        "currency_rate": {
            "rate": _money(summary.exchange_rate),
            "convention": summary.exchange_rate_convention,
        },
        "source_filename": summary.source_filename,
    }


def cmd_basket_import(args: argparse.Namespace) -> int:
    ws = open_workbench(args)
    summary = ws.baskets.import_file(args.file, imported_by=args.by, replace=args.replace)
    if args.json:
        print(json.dumps(dict(_summary_json(summary), imported=summary.imported), indent=2))
    elif not summary.imported:
        print(f"Already stored (the same file): {summary.id}, nothing changed.")
    else:
        warned = f", {summary.warnings} warning(s)" if summary.warnings else ""
        print(
            f"Stored {summary.vendor}: {summary.name} ({summary.quarter}) as {summary.id}: "
            f"{summary.lots} lots, {summary.options} options{warned}."
        )
    return 0


_LIST_COLUMNS = [
    ("id", "Basket", "<", 33),
    ("vendor", "Vendor", "<", 16),
    ("name", "Name", "<", 28),
    ("quarter", "Quarter", "<", 7),
    ("lots", "Lots", ">", 4),
    ("valid_until", "Valid until", "<", 11),
    ("warnings", "Warn", ">", 4),
]


def cmd_basket_list(args: argparse.Namespace) -> int:
    baskets = open_workbench(args).baskets.list()
    if args.json:
        print(json.dumps([_summary_json(b) for b in baskets], indent=2))
    elif not baskets:
        print("No baskets. Store one with: workbench basket import FILE")
    else:
        rows = [
            {
                "id": b.id,
                "vendor": b.vendor,
                "name": b.name,
                "quarter": b.quarter,
                "lots": str(b.lots),
                "valid_until": b.valid_until.isoformat() if b.valid_until else "",
                "warnings": str(b.warnings) if b.warnings else "",
            }
            for b in baskets
        ]
        print(text_table(rows, _LIST_COLUMNS))
    return 0


_LOTS_COLUMNS = [
    ("vendor", "Vendor", "<", 12),
    ("lot", "Lot", "<", 5),
    ("model", "Model", "<", 21),
    ("cores", "Cores", ">", 5),
    ("ram", "RAM GiB", ">", 7),
    ("raw", "Raw TB", ">", 6),
    ("tier", "Tier", "<", 36),
    ("usd", "USD", ">", 10),
    ("eur", "EUR", ">", 10),
]


def cmd_basket_lots(args: argparse.Namespace) -> int:
    lots = open_workbench(args).baskets.lots(vendor=args.vendor, basket=args.basket)
    if args.json:
        print(lots.to_json(orient="records", indent=2, date_format="iso", default_handler=str))
        return 0
    if lots.empty:
        print("No lots. Store a basket with: workbench basket import FILE")
        return 0

    from workbench import formatting as fmt

    def shown(value: Any, text) -> str:
        return "" if fmt.is_missing(value) else text(value)

    rows = [
        {
            "vendor": row["vendor"],
            "lot": row["lot"],
            "model": row["model"] or "",
            "cores": shown(row["cores"], fmt.count),
            "ram": shown(row["ram_gib"], fmt.count),
            "raw": shown(row["raw_tb"], fmt.number),
            "tier": row["tier"]
            + shown(row["years"], lambda years: f" {int(years)}y")
            + ("" if row["includes_hardware"] else " (support only)"),
            "usd": shown(row["usd"], fmt.count),
            "eur": shown(row["eur"], fmt.count),
        }
        for row in lots.to_dict(orient="records")
    ]
    print(text_table(rows, _LOTS_COLUMNS))
    return 0


def cmd_basket_delete(args: argparse.Namespace) -> int:
    ws = open_workbench(args)
    basket = ws.baskets.get(args.basket)
    ws.baskets.delete(args.basket)
    print(
        f"Deleted {basket.vendor}: {basket.name} ({basket.quarter}) and its {len(basket.lots)} lots."
    )
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
    group = commands.add_parser("basket", help="vendor hardware baskets").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    inspect = group.add_parser("inspect", help="read a basket .xlsx and print its lots (no store)")
    inspect.add_argument("file", help="the vendor's basket .xlsx (Dell or Lenovo layout)")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.set_defaults(func=cmd_basket_inspect)

    store = group.add_parser("import", help="store a basket .xlsx (the same file again: no change)")
    store.add_argument("file", help="the vendor's basket .xlsx (Dell or Lenovo layout)")
    store.add_argument("--by", help="who imports it (kept in the history)")
    store.add_argument(
        "--replace",
        action="store_true",
        help="replace a stored basket of the same vendor, quarter and name (lots keep their ids)",
    )
    store.add_argument("--json", action="store_true", help="print JSON")
    store.set_defaults(func=cmd_basket_import)

    listing = group.add_parser("list", help="the stored baskets")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_basket_list)

    lots = group.add_parser("lots", help="the stored lots, one line per price tier")
    lots.add_argument("--vendor", help="only this vendor's baskets")
    lots.add_argument("--basket", help="only this basket (id or name)")
    lots.add_argument("--json", action="store_true", help="print JSON")
    lots.set_defaults(func=cmd_basket_lots)

    delete = group.add_parser("delete", help="delete a stored basket and its lots")
    delete.add_argument("basket", help="the basket's id (or its name when it names one)")
    delete.set_defaults(func=cmd_basket_delete)
