"""Plotly figures of an RVTools analysis. Each takes DataFrames and returns a Figure."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

PALETTE = {"supply": "#1f3a5f", "supply_n1": "#7d93b2", "demand": "#d9822b", "demand_on": "#b5531a", "free": "#9cc59a"}


def _names(frame: pd.DataFrame) -> list[str]:
    return [name or "(no cluster)" for name in frame["cluster"]]


def demand_supply_figure(capacity: pd.DataFrame) -> go.Figure:
    """Per cluster: cores against vCPUs, and host RAM against vRAM (GiB); N+1 supply shown.

    ``capacity`` has the columns of :func:`workbench.capacity.cluster_capacity`.
    """
    names = _names(capacity)
    figure = make_subplots(rows=1, cols=2, subplot_titles=("CPU: cores and vCPUs", "Memory: GiB"))
    series = [
        ("Supply (cores | host RAM)", capacity["cores"], capacity["memory_mib"] / 1024, "supply"),
        ("Supply after losing the largest host", capacity["n1_cores"], capacity["n1_memory_mib"] / 1024, "supply_n1"),
        ("Demand, all VMs (vCPUs | vRAM)", capacity["vcpus"], capacity["vram_mib"] / 1024, "demand"),
        ("Demand, powered-on VMs", capacity["vcpus_on"], capacity["vram_on_mib"] / 1024, "demand_on"),
    ]
    for label, cpu, memory, colour in series:
        for column, values in ((1, cpu), (2, memory)):
            figure.add_trace(
                go.Bar(name=label, x=names, y=values.round(1), marker_color=PALETTE[colour], legendgroup=colour,
                       showlegend=column == 1),
                row=1, col=column,
            )
    figure.update_layout(barmode="group", height=420, margin=dict(t=60, b=40, l=40, r=20), legend_orientation="h",
                         title="Demand against supply per cluster")
    return figure


def ratios_figure(capacity: pd.DataFrame) -> go.Figure:
    """vCPU per core and vRAM per GiB of RAM, per cluster (powered-on VMs), with N+1."""
    names = _names(capacity)
    figure = go.Figure()
    figure.add_trace(go.Bar(name="vCPU : core", x=names, y=capacity["vcpu_per_core_on"].round(2), marker_color=PALETTE["demand_on"]))
    figure.add_trace(go.Bar(name="vCPU : core after losing a host", x=names, y=capacity["n1_vcpu_per_core_on"].round(2),
                            marker_color=PALETTE["supply_n1"]))
    figure.add_trace(go.Bar(name="vRAM : RAM", x=names, y=capacity["vram_per_ram_on"].round(2), marker_color=PALETTE["demand"]))
    figure.update_layout(barmode="group", height=360, title="Consolidation ratios (powered-on VMs)",
                         margin=dict(t=60, b=40, l=40, r=20), legend_orientation="h")
    return figure


def storage_figure(capacity: pd.DataFrame) -> go.Figure:
    """Provisioned and in-use VM storage against the datastores each cluster sees (TiB)."""
    names = _names(capacity)
    tib = 1024 * 1024
    figure = go.Figure()
    figure.add_trace(go.Bar(name="Datastore capacity", x=names, y=(capacity["datastore_capacity_mib"] / tib).round(2),
                            marker_color=PALETTE["supply"]))
    figure.add_trace(go.Bar(name="Datastore free", x=names, y=(capacity["datastore_free_mib"] / tib).round(2),
                            marker_color=PALETTE["free"]))
    figure.add_trace(go.Bar(name="VM provisioned", x=names, y=(capacity["provisioned_mib"] / tib).round(2),
                            marker_color=PALETTE["demand"]))
    figure.add_trace(go.Bar(name="VM in use", x=names, y=(capacity["in_use_mib"] / tib).round(2), marker_color=PALETTE["demand_on"]))
    figure.update_layout(barmode="group", height=360, title="Storage per cluster (TiB)", yaxis_title="TiB",
                         margin=dict(t=60, b=40, l=40, r=20), legend_orientation="h")
    return figure


def risk_figure(checks: pd.DataFrame) -> go.Figure:
    """VMs hit per risk check (evaluated checks that hit at least one VM), by severity."""
    colours = {"high": "#b3261e", "medium": "#d9822b", "low": "#e0b400", "info": "#7d93b2"}
    shown = checks[checks["evaluated"] & (checks["vms"] > 0)].sort_values("vms")
    figure = go.Figure(
        go.Bar(x=shown["vms"], y=shown["title"], orientation="h", marker_color=[colours[s] for s in shown["severity"]],
               hovertext=shown["explanation"])
    )
    figure.update_layout(height=max(260, 24 * len(shown) + 80), title="VMs per migration risk", margin=dict(t=50, b=30, l=20, r=20))
    return figure
