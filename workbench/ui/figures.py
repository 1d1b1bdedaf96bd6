"""Plotly figures of an RVTools analysis. Each takes DataFrames and returns a Figure.

Built to read with real exports: clusters run down the vertical axis (horizontal bars), so
any number of clusters with long names stays readable; the height grows with the bars;
legends sit above the plot, out of the labels' way; every axis has a title with its unit;
sizes use the binary unit that fits the largest value; hover texts come from
:mod:`workbench.formatting`. No figure sets a width: the page decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workbench.formatting import NO_CLUSTER, count, label, ratio, size, size_unit

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
"""Tick labels longer than this are shortened with an ellipsis (the hover shows them whole)."""
BAR_PX = 9
"""Height of one bar in pixels; figures grow with clusters x series."""

TEMPLATE = go.layout.Template(
    layout=dict(
        font=dict(
            family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
            size=12,
            color="#1f2933",
        ),
        plot_bgcolor="white",
        paper_bgcolor="white",
        colorway=list(PALETTE.values()),
        xaxis=dict(
            gridcolor="#e3e6ea",
            zerolinecolor="#9aa5b1",
            linecolor="#9aa5b1",
            ticks="outside",
            automargin=True,
        ),
        yaxis=dict(gridcolor="#e3e6ea", linecolor="#9aa5b1", automargin=True),
        hoverlabel=dict(namelength=-1),
        separators=".,",
    )
)
"""A small template of our own (the default one adds ~10 KB to every figure's JSON)."""


def _names(frame: pd.DataFrame) -> list[str]:
    return [name or NO_CLUSTER for name in frame["cluster"]]


def _short(text: str) -> str:
    """``text`` cut in the middle to :data:`LABEL_CHARS`, keeping both ends (names often differ
    only at their start or their end)."""
    if len(text) <= LABEL_CHARS:
        return text
    tail = LABEL_CHARS // 3
    return text[: LABEL_CHARS - tail - 1] + "…" + text[-tail:]


def _category_axis(names: list[str], title: str | None = None) -> dict:
    """A category axis listing ``names`` top to bottom, long ones shortened."""
    return dict(
        type="category",
        categoryorder="array",
        categoryarray=names,
        autorange="reversed",
        automargin=True,
        tickmode="array",
        tickvals=names,
        ticktext=[_short(n) for n in names],
        title=dict(text=title),
        ticklabelstandoff=6,
    )


def _height(rows: int, bars_per_row: int) -> int:
    return max(210, 150 + rows * max(bars_per_row, 1) * BAR_PX + rows * 6)


def _layout(figure: go.Figure, title: str, height: int, **more) -> go.Figure:
    figure.update_layout(
        template=TEMPLATE,
        title=dict(
            text=f"<b>{title}</b>",
            x=0,
            xanchor="left",
            xref="paper",
            y=1,
            yref="container",
            yanchor="top",
            pad=dict(t=10),
            automargin=True,
            font=dict(size=15),
        ),
        legend=dict(
            orientation="h",
            x=0,
            xanchor="left",
            y=1,
            yanchor="bottom",
            yref="paper",
            traceorder="normal",
        ),
        height=height,
        margin=dict(t=60, b=40, l=10, r=20),
        **({"barmode": "group", "bargap": 0.25, "bargroupgap": 0.05} | more),
    )
    return figure


def _bar(
    name: str, names: list[str], values: Iterable[float], shown: Iterable[str], colour: str, **more
) -> go.Bar:
    return go.Bar(
        name=name,
        y=names,
        x=list(values),
        orientation="h",
        marker_color=colour,
        customdata=list(shown),
        hovertemplate="%{y}: %{customdata}<extra>%{fullData.name}</extra>",
        **more,
    )


def _sizes(values: pd.Series, unit: str, factor: float) -> tuple[list[float], list[str]]:
    return [round(float(v) / factor, 2) for v in values], [size(v) for v in values]


def _unit(*columns: pd.Series) -> tuple[str, float]:
    return size_unit(max((float(c.abs().max()) for c in columns if len(c)), default=0.0))


def demand_supply_figure(capacity: pd.DataFrame) -> go.Figure:
    """Per cluster: cores against vCPUs, and host RAM against vRAM; N+1 supply shown.

    ``capacity`` has the columns of :func:`workbench.capacity.cluster_capacity`.
    """
    names = _names(capacity)
    unit, factor = _unit(capacity["memory_mib"], capacity["vram_mib"])
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.03)
    series = [
        ("Supply (cores | host RAM)", "cores", "memory_mib", "supply"),
        ("Supply after losing the largest host (N+1)", "n1_cores", "n1_memory_mib", "supply_n1"),
        ("Demand, all VMs (vCPUs | vRAM)", "vcpus", "vram_mib", "demand"),
        ("Demand, powered-on VMs", "vcpus_on", "vram_on_mib", "demand_on"),
    ]
    for name, cpu, memory, colour in series:
        figure.add_trace(
            _bar(
                name,
                names,
                capacity[cpu],
                map(count, capacity[cpu]),
                PALETTE[colour],
                legendgroup=colour,
            ),
            row=1,
            col=1,
        )
        values, shown = _sizes(capacity[memory], unit, factor)
        figure.add_trace(
            _bar(name, names, values, shown, PALETTE[colour], legendgroup=colour, showlegend=False),
            row=1,
            col=2,
        )
    _layout(figure, "Demand against supply per cluster", _height(len(names), len(series)))
    figure.update_layout(yaxis=_category_axis(names))
    figure.update_xaxes(title_text="CPU: cores | vCPUs", tickformat=",", row=1, col=1)
    figure.update_xaxes(title_text=f"Memory ({unit})", tickformat=",", row=1, col=2)
    return figure


def ratios_figure(capacity: pd.DataFrame) -> go.Figure:
    """vCPU per core and vRAM per GiB of RAM, per cluster (powered-on VMs), with N+1."""
    names = _names(capacity)
    series = [
        ("vCPU : core", "vcpu_per_core_on", "demand_on"),
        ("vCPU : core after losing the largest host (N+1)", "n1_vcpu_per_core_on", "supply_n1"),
        ("vRAM : RAM", "vram_per_ram_on", "demand"),
    ]
    figure = go.Figure()
    for name, column, colour in series:
        values = capacity[column]
        figure.add_trace(_bar(name, names, values.round(2), map(ratio, values), PALETTE[colour]))
    _layout(
        figure,
        "Consolidation ratios (powered-on VMs)",
        _height(len(names), len(series)),
        yaxis=_category_axis(names),
        xaxis=dict(title=dict(text="Demand per unit of supply (x : 1)"), tickformat=","),
    )
    return figure


def storage_figure(capacity: pd.DataFrame) -> go.Figure:
    """Provisioned and in-use VM storage against the datastores each cluster sees."""
    names = _names(capacity)
    columns = [
        ("Datastore capacity", "datastore_capacity_mib", "supply"),
        ("Datastore free", "datastore_free_mib", "free"),
        ("VM provisioned", "provisioned_mib", "demand"),
        ("VM in use", "in_use_mib", "demand_on"),
    ]
    unit, factor = _unit(*(capacity[c] for _n, c, _k in columns))
    figure = go.Figure()
    for name, column, colour in columns:
        values, shown = _sizes(capacity[column], unit, factor)
        figure.add_trace(_bar(name, names, values, shown, PALETTE[colour]))
    _layout(
        figure,
        "Storage per cluster",
        _height(len(names), len(columns)),
        yaxis=_category_axis(names),
        xaxis=dict(title=dict(text=f"Storage ({unit})"), tickformat=","),
    )
    return figure


def headroom_figure(capacity: pd.DataFrame) -> go.Figure:
    """RAM left after losing each cluster's largest host (N+1); clusters short of RAM in red."""
    names = _names(capacity)
    headroom = capacity["n1_memory_headroom_mib"]
    unit, factor = _unit(headroom)
    figure = go.Figure()
    for name, short, colour in (
        ("Short: powered-on vRAM does not fit", True, "short"),
        ("Spare", False, "spare"),
    ):
        mask = (headroom < 0) if short else ~(headroom < 0)
        values, shown = _sizes(headroom[mask], unit, factor)
        figure.add_trace(
            _bar(
                name,
                [n for n, m in zip(names, mask, strict=True) if m],
                values,
                shown,
                PALETTE[colour],
                showlegend=True,
            )
        )
    _layout(
        figure,
        "RAM headroom after losing the largest host (N+1)",
        _height(len(names), 1),
        barmode="relative",
        yaxis=_category_axis(names),
        xaxis=dict(
            title=dict(text=f"Host RAM left over powered-on vRAM ({unit})"),
            tickformat=",",
            zerolinewidth=2,
        ),
    )
    return figure


def risk_figure(checks: pd.DataFrame) -> go.Figure:
    """VMs hit per risk check (evaluated checks that hit at least one VM), coloured by severity."""
    shown = checks[checks["evaluated"] & (checks["vms"] > 0)].sort_values("vms", ascending=False)
    titles = [str(t) for t in shown["title"]]
    figure = go.Figure()
    for severity, colour in SEVERITY_COLOURS.items():
        rows = shown[shown["severity"] == severity]
        if rows.empty:
            continue
        figure.add_trace(
            go.Bar(
                name=f"{label(severity)} severity",
                y=list(rows["title"]),
                x=list(rows["vms"]),
                orientation="h",
                marker_color=colour,
                customdata=[
                    [count(v), e] for v, e in zip(rows["vms"], rows["explanation"], strict=True)
                ],
                hovertemplate="%{y}: %{customdata[0]} VMs<br>%{customdata[1]}<extra>%{fullData.name}</extra>",
            )
        )
    _layout(
        figure,
        "VMs per migration risk",
        _height(len(titles), 1),
        barmode="relative",
        yaxis=_category_axis(titles),
        xaxis=dict(title=dict(text="VMs affected"), tickformat=",", rangemode="tozero"),
    )
    if not titles:
        figure.add_annotation(
            text="No risk found in the selected clusters.",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
        )
    return figure


FIGURES: dict[str, Callable[[pd.DataFrame], go.Figure]] = {
    "demand_supply": demand_supply_figure,
    "headroom": headroom_figure,
    "ratios": ratios_figure,
    "storage": storage_figure,
}
"""The per-cluster figures of the capacity dashboard, in page order (the risk figure follows)."""
