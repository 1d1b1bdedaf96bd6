"""A bill of materials for one sized option: what a consultant sends with the recommendation.

Pure: from a ranked option (a row of :attr:`workbench.sizing.Recommendation.options`), its
lot and the calculation trace to a :class:`Bom` of plain tables; ``workbench.io.bom_xlsx``
writes it. The priced lines are the servers (hardware with the chosen support tier) and,
when sized, the licences; the lot's component lines follow, quantities for all servers,
priced as part of the server line. So the BOM's totals are the option's totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from workbench.baskets import Lot

# The lines table of a BOM, in order.
LINE_COLUMNS = [
    "line",  # 1, 2, ... for priced lines; "1.1", "1.2" ... for a server's components
    "lot",
    "part_number",
    "description",
    "quantity",
    "unit_usd",
    "extended_usd",
    "unit_eur",
    "extended_eur",
    "support",
]


@dataclass(frozen=True)
class Bom:
    """A bill of materials.

    Attributes
    ----------
    title : str
        E.g. "Bill of materials: Dell SMI2 x 6 (policy)".
    header : list of (label, value)
        Project, import, vendor, basket, quarter, validity, rate, generated at.
    lines : pandas.DataFrame
        Columns :data:`LINE_COLUMNS`; money in USD and EUR, None on component lines.
    totals : dict
        ``usd`` and ``eur``: sums of the priced lines (equal to the option's totals).
    settings : list of (label, value)
        The sizing settings used, in words.
    trace : pandas.DataFrame
        The option's calculation trace: ``step``, ``formula``, ``value``, ``unit``.
    demand : pandas.DataFrame
        Demand per cluster of the sized selection.
    """

    title: str
    header: list[tuple[str, Any]]
    lines: pd.DataFrame
    totals: dict[str, float]
    settings: list[tuple[str, Any]]
    trace: pd.DataFrame
    demand: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def support_label(tier: str | None, years: Any) -> str:
    """ "3-year ProSupport", "1-year warranty", "net (no support tier)"."""
    names = {
        "prosupport": "ProSupport",
        "prosupport_plus": "ProSupport Plus",
        "warranty": "warranty",
        "net": "net price",
        "list": "list price",
    }
    name = names.get(tier or "", (tier or "").replace("_", " "))
    if years is None or pd.isna(years):
        return name
    return f"{int(years)}-year {name}"


def build_bom(
    option: dict[str, Any],
    lot: Lot,
    *,
    header: list[tuple[str, Any]],
    settings: list[tuple[str, Any]],
    trace: pd.DataFrame,
    demand: pd.DataFrame,
    licences: dict[str, Any] | None = None,
    generated_at: datetime | None = None,
) -> Bom:
    """The BOM of one ranked option.

    Parameters
    ----------
    option : dict
        One row of the ranked options: ``vendor``, ``lot``, ``model``, ``hosts``,
        ``unit_usd``, ``total_usd``, ``total_eur``, ``tier``, ``years``, ``scenario``.
    lot : Lot
        The lot, for its component lines.
    licences : dict, optional
        ``description``, ``quantity``, ``unit_usd``, ``unit_eur`` of a licence line when the
        option's totals include licences.
    """
    hosts = int(option["hosts"])
    unit_usd = float(option["unit_usd"])
    licence_usd = licence_eur = 0.0
    if licences:
        licence_usd = float(licences["quantity"]) * float(licences["unit_usd"])
        licence_eur = float(licences["quantity"]) * float(licences["unit_eur"])
    total_eur = float(option["total_eur"])
    # EUR per server from the option's own conversion (the basket's rate and convention).
    unit_eur = (total_eur - licence_eur) / hosts if hosts else 0.0
    support = support_label(option.get("tier"), option.get("years"))
    server = {
        "line": "1",
        "lot": option["lot"],
        "part_number": lot.part_number or lot.model or option["lot"],
        "description": f"{option['lot']}: {lot.model or lot.description}, {support}",
        "quantity": hosts,
        "unit_usd": unit_usd,
        "extended_usd": round(unit_usd * hosts, 2),
        "unit_eur": round(unit_eur, 2),
        "extended_eur": round(total_eur - licence_eur, 2),
        "support": support,
    }
    rows = [server]
    for number, component in enumerate(lot.components, start=1):
        each = component.quantity if component.quantity is not None else 1
        text = component.specification or ""
        rows.append(
            {
                "line": f"1.{number}",
                "lot": option["lot"],
                "part_number": component.part_number or "",
                "description": f"{component.item}: {text}" if text else component.item,
                "quantity": each * hosts,
                "unit_usd": None,
                "extended_usd": None,
                "unit_eur": None,
                "extended_eur": None,
                "support": "included",
            }
        )
    if licences:
        rows.append(
            {
                "line": "2",
                "lot": "",
                "part_number": "",
                "description": licences["description"],
                "quantity": licences["quantity"],
                "unit_usd": float(licences["unit_usd"]),
                "extended_usd": round(licence_usd, 2),
                "unit_eur": float(licences["unit_eur"]),
                "extended_eur": round(licence_eur, 2),
                "support": "",
            }
        )
    lines = pd.DataFrame(rows, columns=LINE_COLUMNS)
    priced = lines["unit_usd"].notna()
    totals = {
        "usd": round(float(lines.loc[priced, "extended_usd"].sum()), 2),
        "eur": round(float(lines.loc[priced, "extended_eur"].sum()), 2),
    }
    moment = (generated_at or datetime.now()).replace(microsecond=0)
    return Bom(
        title=f"Bill of materials: {option['vendor']} {option['lot']} x {hosts}"
        f" ({option.get('scenario', 'policy')})",
        header=[*header, ("Generated", moment.isoformat(sep=" "))],
        lines=lines,
        totals=totals,
        settings=settings,
        trace=trace,
        demand=demand,
        notes=[
            "Component lines are the contents of each server, priced in the server line.",
            "EUR at the basket's own rate and convention.",
        ],
    )
