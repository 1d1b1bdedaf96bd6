"""Plotly figures of an RVTools analysis: DataFrames in, figures out.

Built to read with real exports: clusters run down the vertical axis (horizontal bars), so
any number of clusters with long names stays readable; the height grows with the bars;
legends sit above the plot, out of the labels' way; every axis has a title with its unit;
sizes use the binary unit that fits the largest value; hover texts come from
:mod:`workbench.formatting`. No figure sets a width: the page decides.

Each figure exists twice: ``*_spec`` builds the figure as plain JSON (a dict, built in about
a millisecond, what :class:`workbench.ui.charts.Chart` sends), and ``*_figure`` wraps it in a
validated ``plotly.graph_objects.Figure`` for notebooks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from workbench.formatting import NO_CLUSTER, count, label, money, ratio, size, size_unit

PALETTE = {
    "supply": "#1f3a5f",
    "supply_n1": "#7d93b2",
    "demand": "#d9822b",
    "demand_on": "#b5531a",
    "free": "#9cc59a",
    "short": "#b3261e",
    "spare": "#4e8a4b",
}
SEVERITY_COLOURS = {"high": "#b3261e", "medium": "#d9822b", "low": "#e0b400", "info": "#7d93b2"}
LABEL_CHARS = 40
"""Tick labels longer than this are cut in the middle (the hover shows them whole)."""
BAR_PX = 9
"""Height of one bar in pixels; figures grow with clusters x series."""

TEMPLATE: dict[str, Any] = {
    "layout": {
        "font": {
            "family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
            "size": 12,
            "color": "#1f2933",
        },
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "colorway": list(PALETTE.values()),
        "xaxis": {
            "gridcolor": "#e3e6ea",
            "zerolinecolor": "#9aa5b1",
            "linecolor": "#9aa5b1",
            "ticks": "outside",
            "automargin": True,
        },
        "yaxis": {"gridcolor": "#e3e6ea", "linecolor": "#9aa5b1", "automargin": True},
        "hoverlabel": {"namelength": -1},
        "separators": ".,",
    }
}
"""A small template of our own (plotly's default adds ~10 KB to every figure's JSON)."""

Spec = dict[str, Any]


def _names(frame: pd.DataFrame) -> list[str]:
    return [name or NO_CLUSTER for name in frame["cluster"]]


def _short(text: str) -> str:
    """``text`` cut in the middle to :data:`LABEL_CHARS`, keeping both ends (names often differ
    only at their start or their end)."""
    if len(text) <= LABEL_CHARS:
        return text
    tail = LABEL_CHARS // 3
    return text[: LABEL_CHARS - tail - 1] + "…" + text[-tail:]


def _value(value: Any, decimals: int = 2) -> float | None:
    """A plain float for JSON (None for a missing or infinite value)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else round(number, decimals)


def _category_axis(names: list[str]) -> dict[str, Any]:
    """A category axis listing ``names`` top to bottom, long ones shortened."""
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": names,
        "autorange": "reversed",
        "automargin": True,
        "tickmode": "array",
        "tickvals": names,
        "ticktext": [_short(n) for n in names],
        "ticklabelstandoff": 6,
    }


def _value_axis(title: str, **more) -> dict[str, Any]:
    return {"title": {"text": title}, "tickformat": ",", "automargin": True, **more}


def _height(rows: int, bars_per_row: int) -> int:
    return max(210, 150 + rows * max(bars_per_row, 1) * BAR_PX + rows * 6)


def _spec(traces: list[dict], title: str, height: int, **layout) -> Spec:
    return {
        "data": traces,
        "layout": {
            "template": TEMPLATE,
            "title": {
                "text": f"<b>{title}</b>",
                "x": 0,
                "xanchor": "left",
                "xref": "paper",
                "y": 1,
                "yref": "container",
                "yanchor": "top",
                "pad": {"t": 10},
                "automargin": True,
                "font": {"size": 15},
            },
            "legend": {
                "orientation": "h",
                "x": 0,
                "xanchor": "left",
                "y": 1,
                "yanchor": "bottom",
                "traceorder": "normal",
            },
            "height": height,
            "margin": {"t": 60, "b": 40, "l": 10, "r": 20},
            "barmode": "group",
            "bargap": 0.25,
            "bargroupgap": 0.05,
            **layout,
        },
    }


def _bar(
    name: str, names: list[str], values: Iterable[Any], shown: Iterable[str], colour: str, **more
) -> dict:
    return {
        "type": "bar",
        "name": name,
        "orientation": "h",
        "y": list(names),
        "x": [_value(v) for v in values],
        "marker": {"color": colour},
        "customdata": list(shown),
        "hovertemplate": "%{y}: %{customdata}<extra>%{fullData.name}</extra>",
        **more,
    }


def _unit(*columns: pd.Series) -> tuple[str, float]:
    return size_unit(max((float(c.abs().max()) for c in columns if len(c)), default=0.0))


def demand_supply_spec(capacity: pd.DataFrame) -> Spec:
    """Per cluster: cores against vCPUs, and host RAM against vRAM; N+1 supply shown.

    ``capacity`` has the columns of :func:`workbench.capacity.cluster_capacity`.
    """
    names = _names(capacity)
    unit, factor = _unit(capacity["memory_mib"], capacity["vram_mib"])
    series = [
        ("Supply (cores | host RAM)", "cores", "memory_mib", "supply"),
        ("Supply after losing the largest host (N+1)", "n1_cores", "n1_memory_mib", "supply_n1"),
        ("Demand, all VMs (vCPUs | vRAM)", "vcpus", "vram_mib", "demand"),
        ("Demand, powered-on VMs", "vcpus_on", "vram_on_mib", "demand_on"),
    ]
    traces = []
    for name, cpu, memory, colour in series:
        traces.append(
            _bar(
                name,
                names,
                capacity[cpu],
                map(count, capacity[cpu]),
                PALETTE[colour],
                legendgroup=colour,
            )
        )
        traces.append(
            _bar(name, names, capacity[memory] / factor, map(size, capacity[memory]), PALETTE[colour],
                 legendgroup=colour, showlegend=False, xaxis="x2")
        )  # fmt: skip
    return _spec(
        traces,
        "Demand against supply per cluster",
        _height(len(names), len(series)),
        yaxis=_category_axis(names),
        xaxis=_value_axis("CPU: cores | vCPUs", domain=[0, 0.485]),
        xaxis2=_value_axis(f"Memory ({unit})", domain=[0.515, 1], anchor="y"),
    )


def ratios_spec(capacity: pd.DataFrame) -> Spec:
    """vCPU per core and vRAM per GiB of RAM, per cluster (powered-on VMs), with N+1."""
    names = _names(capacity)
    series = [
        ("vCPU : core", "vcpu_per_core_on", "demand_on"),
        ("vCPU : core after losing the largest host (N+1)", "n1_vcpu_per_core_on", "supply_n1"),
        ("vRAM : RAM", "vram_per_ram_on", "demand"),
    ]
    traces = [
        _bar(name, names, capacity[c], map(ratio, capacity[c]), PALETTE[colour])
        for name, c, colour in series
    ]
    return _spec(
        traces,
        "Consolidation ratios (powered-on VMs)",
        _height(len(names), len(series)),
        yaxis=_category_axis(names),
        xaxis=_value_axis("Demand per unit of supply (x : 1)"),
    )


def storage_spec(capacity: pd.DataFrame) -> Spec:
    """Provisioned and in-use VM storage against the datastores each cluster sees."""
    names = _names(capacity)
    columns = [
        ("Datastore capacity", "datastore_capacity_mib", "supply"),
        ("Datastore free", "datastore_free_mib", "free"),
        ("VM provisioned", "provisioned_mib", "demand"),
        ("VM in use", "in_use_mib", "demand_on"),
    ]
    unit, factor = _unit(*(capacity[c] for _n, c, _k in columns))
    traces = [
        _bar(name, names, capacity[c] / factor, map(size, capacity[c]), PALETTE[colour])
        for name, c, colour in columns
    ]
    return _spec(
        traces,
        "Storage per cluster",
        _height(len(names), len(columns)),
        yaxis=_category_axis(names),
        xaxis=_value_axis(f"Storage ({unit})"),
    )


def headroom_spec(capacity: pd.DataFrame) -> Spec:
    """RAM left after losing each cluster's largest host (N+1); clusters short of RAM in red."""
    names = _names(capacity)
    headroom = capacity["n1_memory_headroom_mib"]
    unit, factor = _unit(headroom)
    traces = []
    for name, short, colour in (
        ("Short: powered-on vRAM does not fit", True, "short"),
        ("Spare", False, "spare"),
    ):
        mask = [(v < 0) == short for v in headroom]
        picked = headroom[mask]
        traces.append(
            _bar(name, [n for n, m in zip(names, mask, strict=True) if m], picked / factor, map(size, picked),
                 PALETTE[colour], showlegend=True)
        )  # fmt: skip
    return _spec(
        traces,
        "RAM headroom after losing the largest host (N+1)",
        _height(len(names), 1),
        barmode="relative",
        yaxis=_category_axis(names),
        xaxis=_value_axis(f"Host RAM left over powered-on vRAM ({unit})", zerolinewidth=2),
    )


def risk_spec(checks: pd.DataFrame) -> Spec:
    """VMs hit per risk check (evaluated checks that hit at least one VM), coloured by severity."""
    shown = checks[checks["evaluated"] & (checks["vms"] > 0)].sort_values("vms", ascending=False)
    titles = [str(t) for t in shown["title"]]
    traces = []
    for severity, colour in SEVERITY_COLOURS.items():
        rows = shown[shown["severity"] == severity]
        if rows.empty:
            continue
        traces.append({
            "type": "bar",
            "orientation": "h",
            "name": f"{label(severity)} severity",
            "y": [str(t) for t in rows["title"]],
            "x": [int(v) for v in rows["vms"]],
            "marker": {"color": colour},
            "customdata": [[count(v), str(e)] for v, e in zip(rows["vms"], rows["explanation"], strict=True)],
            "hovertemplate": "%{y}: %{customdata[0]} VMs<br>%{customdata[1]}<extra>%{fullData.name}</extra>",
        })  # fmt: skip
    spec = _spec(
        traces,
        "VMs per migration risk",
        _height(len(titles), 1),
        barmode="relative",
        yaxis=_category_axis(titles),
        xaxis=_value_axis("VMs affected", rangemode="tozero"),
    )
    if not titles:
        spec["layout"]["annotations"] = [
            {"text": "No risk found in the selected clusters.", "showarrow": False, "xref": "paper", "yref": "paper",
             "x": 0.5, "y": 0.5}
        ]  # fmt: skip
    return spec


VENDOR_COLOURS = ("#1f3a5f", "#d9822b", "#4e8a4b", "#7d93b2", "#b5531a")


def cost_spec(options: pd.DataFrame) -> Spec:
    """Total cost of every feasible lot, vendors side by side per lot code (USD).

    ``options``: one scenario's rows of :attr:`workbench.sizing.Recommendation.options`.
    Lots no vendor can carry the demand with are left out; the cheapest lot comes first.
    """
    feasible = options[options["feasible"].astype(bool)]
    cheapest = feasible.groupby("lot")["total_usd"].min().sort_values()
    lots = cheapest.index.tolist()
    traces = []
    for number, (vendor, rows) in enumerate(feasible.groupby("vendor", sort=True)):
        rows = rows.set_index("lot")
        shown = [
            f"{money(rows.at[lot, 'total_usd'])} ({count(rows.at[lot, 'hosts'])} hosts, "
            f"{rows.at[lot, 'model'] or ''})"
            if lot in rows.index
            else "not offered"
            for lot in lots
        ]
        traces.append(
            _bar(
                vendor,
                lots,
                [rows["total_usd"].get(lot) for lot in lots],
                shown,
                VENDOR_COLOURS[number % len(VENDOR_COLOURS)],
            )
        )
    return _spec(
        traces,
        "Total cost per lot (hosts x price, support and licences included)",
        _height(len(lots), len(traces)),
        yaxis=_category_axis(lots),
        xaxis=_value_axis("Total cost (USD)", tickprefix="$"),
    )


def demand_supply_figure(capacity: pd.DataFrame) -> go.Figure:
    """:func:`demand_supply_spec` as a Figure."""
    return go.Figure(demand_supply_spec(capacity))


def ratios_figure(capacity: pd.DataFrame) -> go.Figure:
    """:func:`ratios_spec` as a Figure."""
    return go.Figure(ratios_spec(capacity))


def storage_figure(capacity: pd.DataFrame) -> go.Figure:
    """:func:`storage_spec` as a Figure."""
    return go.Figure(storage_spec(capacity))


def headroom_figure(capacity: pd.DataFrame) -> go.Figure:
    """:func:`headroom_spec` as a Figure."""
    return go.Figure(headroom_spec(capacity))


def risk_figure(checks: pd.DataFrame) -> go.Figure:
    """:func:`risk_spec` as a Figure."""
    return go.Figure(risk_spec(checks))


FIGURES: dict[str, Callable[[pd.DataFrame], Spec]] = {
    "demand_supply": demand_supply_spec,
    "headroom": headroom_spec,
    "ratios": ratios_spec,
    "storage": storage_spec,
}
"""The per-cluster figures of the capacity dashboard, in page order (the risk figure follows)."""
