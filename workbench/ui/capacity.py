"""The capacity dashboard: pick an RVTools import, select clusters, see demand against supply,
ratios, storage and migration risks."""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from workbench.api import Workbench
from workbench.errors import WorkbenchError
from workbench.rvtools_imports import RVToolsAnalysis
from workbench.ui import dashboard, message
from workbench.ui.figures import demand_supply_figure, ratios_figure, risk_figure, storage_figure

STYLE = """<style>
table.wb-grid { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
table.wb-grid th { background: #1f3a5f; color: white; text-align: left; padding: 5px 9px; }
table.wb-grid td { padding: 4px 9px; border-bottom: 1px solid #e3e6ea; }
table.wb-grid tr:nth-child(even) td { background: #f6f7f9; }
.wb-kpis { display: flex; flex-wrap: wrap; gap: 10px; margin: 6px 0; }
.wb-kpi { background: #eef3f9; border-radius: 6px; padding: 6px 12px; min-width: 110px; }
.wb-kpi b { display: block; font-size: 18px; color: #1f3a5f; }
.wb-sev-high { color: #b3261e; font-weight: bold; } .wb-sev-medium { color: #b5531a; }
</style>"""

CAPACITY_COLUMNS = {
    "cluster": "Cluster", "hosts": "Hosts", "cores": "Cores", "memory_mib": "RAM GiB", "vms": "VMs", "vms_on": "On",
    "vcpus": "vCPUs", "vram_mib": "vRAM GiB", "vcpu_per_core_on": "vCPU:core (on)", "vram_per_ram_on": "vRAM:RAM (on)",
    "n1_vcpu_per_core_on": "vCPU:core N+1", "n1_memory_headroom_mib": "RAM headroom N+1 GiB",
    "provisioned_mib": "Provisioned TiB", "datastore_capacity_mib": "Datastores TiB",
}


def _gib(value: float) -> str:
    return f"{value / 1024:,.0f}"


def _tib(value: float) -> str:
    return f"{value / 1024 / 1024:,.1f}"


def capacity_table_html(capacity: pd.DataFrame) -> str:
    """Per-cluster capacity as escaped HTML (cluster names come from client files)."""
    if capacity.empty:
        return message("No cluster selected.", "info")
    shown = capacity[list(CAPACITY_COLUMNS)].copy()
    shown["cluster"] = shown["cluster"].replace("", "(no cluster)")
    for column in ("memory_mib", "vram_mib", "n1_memory_headroom_mib"):
        shown[column] = shown[column].map(_gib)
    for column in ("provisioned_mib", "datastore_capacity_mib"):
        shown[column] = shown[column].map(_tib)
    for column in ("vcpu_per_core_on", "vram_per_ram_on", "n1_vcpu_per_core_on"):
        shown[column] = shown[column].map(lambda v: "-" if pd.isna(v) else f"{v:.2f}")
    return shown.rename(columns=CAPACITY_COLUMNS).to_html(index=False, escape=True, classes="wb-grid", border=0)


def risk_table_html(checks: pd.DataFrame, hits: pd.DataFrame, examples: int = 5) -> str:
    """Risk checks with VM counts and a few example VMs, escaped."""
    rows = []
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    for check in checks.sort_values(["severity", "vms"], key=lambda s: s.map(order) if s.name == "severity" else -s).itertuples():
        if not check.evaluated:
            count, sample = "not in file", ""
        else:
            found = hits[hits["check_id"] == check.id]
            count = str(check.vms)
            sample = ", ".join(found["vm"].head(examples)) + (" ..." if len(found) > examples else "")
        rows.append(
            f'<tr><td class="wb-sev-{check.severity}">{html.escape(check.severity)}</td><td>{html.escape(check.title)}</td>'
            f"<td>{html.escape(count)}</td><td>{html.escape(sample)}</td><td>{html.escape(check.explanation)}</td></tr>"
        )
    return (
        '<table class="wb-grid wb-risks"><tr><th>Severity</th><th>Risk</th><th>VMs</th><th>Examples</th><th>Why it matters</th></tr>'
        + "".join(rows) + "</table>"
    )


def summary_html(summary: dict, capacity: pd.DataFrame) -> str:
    """Headline figures of the export and of the selected clusters."""
    kpis = [
        ("VMs", f"{summary['vms']:,}"), ("powered on", f"{summary['powered_on']:,}"), ("templates", f"{summary['templates']:,}"),
        ("hosts", f"{summary['hosts']:,}"), ("clusters", f"{summary['clusters']:,}"),
        ("selected vCPUs", f"{int(capacity['vcpus'].sum()):,}"), ("selected cores", f"{int(capacity['cores'].sum()):,}"),
        ("selected vRAM GiB", _gib(capacity["vram_mib"].sum())), ("selected RAM GiB", _gib(capacity["memory_mib"].sum())),
    ]
    source = f"RVTools {summary.get('rvtools_version') or '(version unknown)'}"
    if summary.get("vcenters"):
        source += " - vCenter " + ", ".join(summary["vcenters"])
    if summary.get("export_time"):
        source += f" - exported {summary['export_time'][:16].replace('T', ' ')}"
    cells = "".join(f'<div class="wb-kpi"><b>{html.escape(v)}</b>{html.escape(k)}</div>' for k, v in kpis)
    return f'<div class="wb-source">{html.escape(source)}</div><div class="wb-kpis">{cells}</div>'


class CapacityApp:
    """Capacity of one import: selection of clusters, figures, tables."""

    def __init__(self, ws: Workbench, import_id: str | None = None):
        self.ws = ws
        self.analysis: RVToolsAnalysis | None = None
        self.imports = [i for i in ws.rvtools.list() if i.processing_status == "completed"]
        projects = {p.id: p.name for p in ws.projects.list()}
        options = [
            (f"{projects.get(i.project_id, '?')} - {i.filename} ({i.import_date:%Y-%m-%d %H:%M})" if i.import_date else i.filename, i.id)
            for i in self.imports
        ]
        self.chooser = widgets.Dropdown(options=options, description="Import", layout=widgets.Layout(width="640px"))
        self.clusters = widgets.SelectMultiple(description="Clusters", rows=8, layout=widgets.Layout(width="420px"))
        self.save_button = widgets.Button(description="Save selection", tooltip="Store these clusters as the import's selection")
        self.all_button = widgets.Button(description="All clusters")
        self.status = widgets.HTML()
        self.summary = widgets.HTML()
        self.charts = widgets.VBox()
        self.capacity_table = widgets.HTML()
        self.risk_table = widgets.HTML()
        self.quality = widgets.HTML()
        for control, css in ((self.chooser, "wb-import"), (self.clusters, "wb-clusters"), (self.save_button, "wb-save"),
                             (self.summary, "wb-summary"), (self.charts, "wb-charts"),
                             (self.capacity_table, "wb-capacity-table"), (self.risk_table, "wb-risk-table"),
                             (self.status, "wb-status")):
            control.add_class(css)
        self.chooser.observe(lambda change: self.load(change["new"]), names="value")
        self.clusters.observe(lambda _change: self.render(), names="value")
        self.save_button.on_click(lambda _button: self.save())
        self.all_button.on_click(lambda _button: self._select_all())
        self.widget = widgets.VBox([
            widgets.HTML(STYLE), self.chooser,
            widgets.HBox([self.clusters, widgets.VBox([self.all_button, self.save_button])]),
            self.status, self.summary, self.charts,
            widgets.HTML("<h3>Capacity per cluster</h3>"), self.capacity_table,
            widgets.HTML("<h3>Migration risks</h3>"), self.risk_table,
            widgets.HTML("<h3>Data quality</h3>"), self.quality,
        ])
        if not self.imports:
            self.status.value = message(
                "No RVTools import yet. Import one with: workbench rvtools import FILE --project NAME", "info"
            )
            return
        chosen = import_id if import_id in {i.id for i in self.imports} else self.imports[0].id
        if self.chooser.value == chosen:
            self.load(chosen)
        else:
            self.chooser.value = chosen  # triggers load

    def load(self, import_id: str) -> None:
        """Read an import's analysis and show its stored selection."""
        try:
            self.analysis = self.ws.rvtools.analysis(import_id)
        except WorkbenchError as exc:
            self.analysis = None
            self.status.value = message(str(exc))
            return
        names = self.analysis.clusters["cluster"].tolist()
        self.clusters.options = [(name or "(no cluster)", name) for name in names]
        self.clusters.value = tuple(self.analysis.selected or names)
        self.quality.value = self._quality_html()
        self.render()

    def selected(self) -> list[str]:
        """The clusters currently selected in the list."""
        return list(self.clusters.value)

    def render(self) -> None:
        """Redraw figures and tables for the current selection (no store access)."""
        if self.analysis is None:
            return
        chosen = self.selected()
        capacity = self.analysis.clusters[self.analysis.clusters["cluster"].isin(chosen)].reset_index(drop=True)
        report = self.analysis.all_risks.for_clusters(chosen)
        self.summary.value = summary_html(self.analysis.summary, capacity)
        self.capacity_table.value = capacity_table_html(capacity)
        self.risk_table.value = risk_table_html(report.checks, report.hits)
        if capacity.empty:
            self.charts.children = ()
            self.status.value = message("Select at least one cluster.", "info")
            return
        self.status.value = ""
        figures = [demand_supply_figure(capacity), ratios_figure(capacity), storage_figure(capacity), risk_figure(report.checks)]
        self.charts.children = tuple(go.FigureWidget(f) for f in figures)

    def save(self) -> None:
        """Store the selection (its capacity analysis is stored with it)."""
        if self.analysis is None:
            return
        try:
            record = self.ws.rvtools.select_clusters(self.analysis.record.id, self.selected())
        except WorkbenchError as exc:
            self.status.value = message(str(exc))
            return
        self.analysis.selected = list(record.selected_clusters)
        self.status.value = message(f"Saved: {len(record.selected_clusters)} cluster(s) selected for sizing.", "success")

    def _select_all(self) -> None:
        self.clusters.value = tuple(value for _label, value in self.clusters.options)

    def _quality_html(self) -> str:
        quality = self.analysis.quality
        lines = list(quality.warnings)  # dropped rows and unreadable cells are among them
        lines += [f"{p['sheet']}.{p['column']}: {p['values']} placeholder date(s) read as unknown" for p in quality.placeholders]
        if quality.missing_sheets:
            lines.append("Sheets not in the file: " + ", ".join(quality.missing_sheets))
        if not lines:
            return message("No data-quality findings.", "success")
        return "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>"


def capacity_dashboard(ws: Workbench | None = None, import_id: str | None = None) -> widgets.Widget:
    """The capacity dashboard widget (a plain message if the store cannot be opened)."""

    def build() -> widgets.Widget:
        import workbench

        return CapacityApp(ws or workbench.open(), import_id).widget

    return dashboard(build)


__all__ = ["CapacityApp", "capacity_dashboard", "capacity_table_html", "risk_table_html", "summary_html"]
