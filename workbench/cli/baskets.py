"""``workbench basket inspect FILE [--json]``: read a vendor basket and print its lots (no store)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from workbench.cli.common import text_table


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


def register(commands: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
    group = commands.add_parser("basket", help="vendor hardware baskets").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    inspect = group.add_parser("inspect", help="read a basket .xlsx and print its lots (no store)")
    inspect.add_argument("file", help="the vendor's basket .xlsx (Dell or Lenovo layout)")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.set_defaults(func=cmd_basket_inspect)
