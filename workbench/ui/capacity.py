"""The capacity dashboard: pick an RVTools import, select clusters, see demand against supply,
ratios, storage and migration risks."""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from workbench.api import Workbench
from workbench.errors import WorkbenchError
from workbench.formatting import (
    CAPACITY_TABLE,
    NO_CLUSTER,
    cluster_name,
    count,
    label,
    report,
    size,
    timestamp,
)
from workbench.rvtools_imports import RVToolsAnalysis
from workbench.ui import NO_IMPORT_MESSAGE, STYLE, ImportChooser, dashboard, message
from workbench.ui.charts import Chart
from workbench.ui.figures import FIGURES, risk_spec

SHORT_NOTE = (
    "Red: after losing its largest host, the cluster's host RAM would not hold the vRAM of its powered-on VMs "
    "(negative N+1 headroom)."
)
NUMERIC_KINDS = ("count", "number", "size", "ratio", "percent")


def capacity_table_html(capacity: pd.DataFrame) -> str:
    """Per-cluster capacity as escaped HTML (cluster names come from client files); negative N+1
    RAM headroom is highlighted."""
    if capacity.empty:
        return message("No cluster selected.", "info")
    shown = report(capacity, CAPACITY_TABLE)
    kinds = [CAPACITY_TABLE[c][1] for c in CAPACITY_TABLE if c in capacity.columns]
    short = (
        (capacity["n1_memory_headroom_mib"] < 0).tolist()
        if "n1_memory_headroom_mib" in capacity
        else []
    )
    headroom_label = CAPACITY_TABLE["n1_memory_headroom_mib"][0]
    head = "".join(
        f'<th class="{"wb-num" if kind in NUMERIC_KINDS else ""}">{html.escape(name)}</th>'
        for name, kind in zip(shown.columns, kinds, strict=True)
    )
    rows = []
    for index, values in enumerate(shown.itertuples(index=False)):
        cells = []
        for name, kind, value in zip(shown.columns, kinds, values, strict=True):
            classes = ["wb-num"] if kind in NUMERIC_KINDS else []
            if name == headroom_label and short and short[index]:
                classes.append("wb-short")
            cells.append(f'<td class="{" ".join(classes)}">{html.escape(str(value))}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<div class="wb-note">{html.escape(SHORT_NOTE)}</div>' if any(short) else ""
    return f'<div class="wb-scroll"><table class="wb-grid wb-capacity"><tr>{head}</tr>{"".join(rows)}</table></div>{note}'


def risk_table_html(checks: pd.DataFrame, hits: pd.DataFrame, examples: int = 5) -> str:
    """Risk checks with VM counts and a few example VMs, escaped."""
    rows = []
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    # Risks found first (by severity, then VMs), then the checks that found nothing, then
    # those the file could not answer.
    found_first = checks.assign(
        _rank=[
            0 if e and v > 0 else (1 if e else 2)
            for e, v in zip(checks["evaluated"], checks["vms"], strict=True)
        ],
        _severity=checks["severity"].map(order),
        _vms=-checks["vms"].fillna(0),
    ).sort_values(["_rank", "_severity", "_vms"], kind="stable")
    for check in found_first.itertuples():
        if not check.evaluated:
            found_count, sample = "not in file", ""
        else:
            found = hits[hits["check_id"] == check.id]
            found_count = count(check.vms)
            sample = ", ".join(found["vm"].head(examples)) + (
                " ..." if len(found) > examples else ""
            )
        rows.append(
            f'<tr><td class="wb-sev-{html.escape(check.severity)}">{html.escape(label(check.severity))}</td>'
            f'<td>{html.escape(check.title)}</td><td class="wb-num">{html.escape(found_count)}</td>'
            f"<td>{html.escape(sample)}</td><td>{html.escape(check.explanation)}</td></tr>"
        )
    return (
        '<table class="wb-grid wb-risks"><tr><th>Severity</th><th>Risk</th><th class="wb-num">VMs</th><th>Examples</th>'
        "<th>Why it matters</th></tr>" + "".join(rows) + "</table>"
    )


def summary_html(summary: dict, capacity: pd.DataFrame) -> str:
    """Headline figures of the export and of the selected clusters."""
    short = (
        int((capacity["n1_memory_headroom_mib"] < 0).sum())
        if "n1_memory_headroom_mib" in capacity
        else 0
    )
    kpis = [
        ("VMs", count(summary["vms"]), ""),
        ("powered on", count(summary["powered_on"]), ""),
        ("templates", count(summary["templates"]), ""),
        ("hosts", count(summary["hosts"]), ""),
        ("clusters", count(summary["clusters"]), ""),
        ("selected vCPUs", count(capacity["vcpus"].sum()), ""),
        ("selected cores", count(capacity["cores"].sum()), ""),
        ("selected vRAM", size(capacity["vram_mib"].sum()), ""),
        ("selected host RAM", size(capacity["memory_mib"].sum()), ""),
        ("selected clusters short of RAM at N+1", count(short), " wb-short" if short else ""),
    ]
    source = f"RVTools {summary.get('rvtools_version') or '(version unknown)'}"
    if summary.get("vcenters"):
        source += " - vCenter " + ", ".join(summary["vcenters"])
    if summary.get("export_time"):
        source += f" - exported {timestamp(summary['export_time'])}"
    cells = "".join(
        f'<div class="wb-kpi{extra}"><b>{html.escape(v)}</b>{html.escape(k)}</div>'
        for k, v, extra in kpis
    )
    return f'<div class="wb-source">{html.escape(source)}</div><div class="wb-kpis">{cells}</div>'


def selection_note(names: list[str], chosen: list[str]) -> str:
    """ "3 of 13 clusters selected", counting clusters as the summary does ((no cluster) apart)."""
    real = [n for n in names if cluster_name(n) != NO_CLUSTER]
    picked = [n for n in chosen if cluster_name(n) != NO_CLUSTER]
    text = f"{count(len(picked))} of {count(len(real))} clusters selected"
    if len(picked) < len(chosen):
        text += f", and {NO_CLUSTER}"
    return text


class CapacityApp:
    """Capacity of one import: selection of clusters, figures, tables.

    The page is built once; a change sends only what changed. An import's analysis is read
    once and kept (switching back costs nothing); a cluster selection only recomputes the
    selection's rows, risks and figures. Each figure is a :class:`~workbench.ui.charts.Chart`
    (figure JSON, one plotly.js per page).
    """

    def __init__(self, ws: Workbench, import_id: str | None = None):
        self.ws = ws
        self.analysis: RVToolsAnalysis | None = None
        self._analyses: dict[str, RVToolsAnalysis] = {}
        self._loading = False
        chooser = ImportChooser(ws)
        self.imports, self.chooser = chooser.imports, chooser.dropdown
        self.clusters = widgets.SelectMultiple(
            description="Clusters", rows=8, layout=widgets.Layout(width="auto", min_width="420px")
        )
        self.save_button = widgets.Button(
            description="Save selection", tooltip="Store these clusters as the import's selection"
        )
        self.all_button = widgets.Button(description="All clusters")
        self.selection_note = widgets.HTML()
        self.status = widgets.HTML()
        self.summary = widgets.HTML()
        self.charts = {name: Chart() for name in FIGURES}
        self.risk_chart = Chart()
        self.chart_box = widgets.VBox(
            list(self.charts.values()), layout=widgets.Layout(width="100%")
        )
        self.capacity_table = widgets.HTML()
        self.risk_table = widgets.HTML()
        self.quality = widgets.HTML()
        for control, css in (
            (self.chooser, "wb-import"),
            (self.clusters, "wb-clusters"),
            (self.save_button, "wb-save"),
            (self.summary, "wb-summary"),
            (self.chart_box, "wb-charts"),
            (self.risk_chart, "wb-risk-chart"),
            (self.capacity_table, "wb-capacity-table"),
            (self.risk_table, "wb-risk-table"),
            (self.status, "wb-status"),
            (self.selection_note, "wb-selection-note"),
        ):
            control.add_class(css)
        self.chooser.observe(lambda change: self.load(change["new"]), names="value")
        self.clusters.observe(lambda _change: self.render(), names="value")
        self.save_button.on_click(lambda _button: self.save())
        self.all_button.on_click(lambda _button: self._select_all())
        self.widget = widgets.VBox(
            [
                widgets.HTML(STYLE),
                self.chooser,
                widgets.HBox(
                    [
                        self.clusters,
                        widgets.VBox([self.all_button, self.save_button, self.selection_note]),
                    ]
                ),
                self.status,
                self.summary,
                self.chart_box,
                widgets.HTML("<h3>Capacity per cluster</h3>"),
                self.capacity_table,
                widgets.HTML("<h3>Migration risks</h3>"),
                self.risk_chart,
                self.risk_table,
                widgets.HTML("<h3>Data quality</h3>"),
                self.quality,
            ],
            layout=widgets.Layout(width="100%"),
        )
        chosen = chooser.first(import_id)
        if chosen is None:
            self.status.value = message(NO_IMPORT_MESSAGE, "info")
            return
        self._loading = True  # the chooser's first value loads once, below
        try:
            self.chooser.value = chosen
        finally:
            self._loading = False
        self.load(chosen)

    @property
    def figures(self) -> list[Chart]:
        """Every chart of the page, in page order."""
        return [*self.charts.values(), self.risk_chart]

    def load(self, import_id: str) -> None:
        """Show an import (its analysis read once per app) and its stored selection."""
        if self._loading:
            return
        try:
            if import_id not in self._analyses:
                self._analyses[import_id] = self.ws.rvtools.analysis(import_id)
            self.analysis = self._analyses[import_id]
        except WorkbenchError as exc:
            self.analysis = None
            self.status.value = message(str(exc))
            return
        names = self.analysis.clusters["cluster"].tolist()
        self._loading = True  # options and value together: one render, not two
        try:
            # One message: the page never sees a value without its options.
            with self.clusters.hold_sync():
                self.clusters.options = [(cluster_name(name), name) for name in names]
                self.clusters.rows = max(2, min(len(names), 16))  # up to 16 clusters: no scrolling
                self.clusters.value = tuple(
                    n for n in (self.analysis.selected or names) if n in names
                )
        finally:
            self._loading = False
        self.quality.value = self._quality_html()
        self.render()

    def selected(self) -> list[str]:
        """The clusters currently selected in the list."""
        return list(self.clusters.value)

    def render(self) -> None:
        """Redraw figures and tables for the current selection (no store access)."""
        if self.analysis is None or self._loading:
            return
        chosen = self.selected()
        clusters = self.analysis.clusters
        capacity = clusters[clusters["cluster"].isin(chosen)].reset_index(drop=True)
        report_ = self.analysis.all_risks.for_clusters(chosen)
        # Build everything first, then send it in one burst: the page redraws while the kernel
        # is idle instead of drawing each part while the next one is being built.
        values = {
            self.selection_note: html.escape(selection_note(clusters["cluster"].tolist(), chosen)),
            self.summary: summary_html(self.analysis.summary, capacity),
            self.capacity_table: capacity_table_html(capacity),
            self.risk_table: risk_table_html(report_.checks, report_.hits),
        }
        specs = {} if capacity.empty else {name: build(capacity) for name, build in FIGURES.items()}
        risks_spec = None if capacity.empty else risk_spec(report_.checks)
        for widget, value in values.items():
            widget.value = value
        if capacity.empty:
            self.chart_box.layout.display = "none"
            self.risk_chart.layout.display = "none"
            self.status.value = message("Select at least one cluster.", "info")
            return
        self.status.value = ""
        for name, spec in specs.items():
            self.charts[name].show(spec)
        self.risk_chart.show(risks_spec)
        self.chart_box.layout.display = None
        self.risk_chart.layout.display = None

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
        self.status.value = message(
            f"Saved: {count(len(record.selected_clusters))} cluster(s) selected for sizing.",
            "success",
        )

    def _select_all(self) -> None:
        self.clusters.value = tuple(value for _label, value in self.clusters.options)

    def _quality_html(self) -> str:
        quality = self.analysis.quality
        lines = list(quality.warnings)  # dropped rows and unreadable cells are among them
        lines += [
            f"{p['sheet']}.{p['column']}: {count(p['values'])} placeholder date(s) read as unknown"
            for p in quality.placeholders
        ]
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


__all__ = [
    "CapacityApp",
    "capacity_dashboard",
    "capacity_table_html",
    "risk_table_html",
    "summary_html",
]
