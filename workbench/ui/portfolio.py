"""The portfolio dashboard: every project by status, priority and progress, and one project's
plan as a Gantt chart with its links, critical path, a baseline and today."""

from __future__ import annotations

import html
from datetime import date

import ipywidgets as widgets
import pandas as pd

from workbench.api import Workbench
from workbench.errors import NotFoundError, WorkbenchError
from workbench.formatting import count, day, label, percent
from workbench.projects import projects_frame
from workbench.ui import STYLE, dashboard, message
from workbench.ui.charts import Chart
from workbench.ui.gantt import gantt_spec, progress_spec, status_priority_spec

PORTFOLIO_STYLE = """<style>
table.wb-portfolio td.wb-late { color: #b3261e; font-weight: bold; }
table.wb-portfolio td.wb-early { color: #1d5e2b; }
table.wb-plan td.wb-critical { color: #b3261e; font-weight: bold; }
</style>"""
NO_BASELINE = "(none)"


def portfolio_table_html(projects: pd.DataFrame) -> str:
    """One row per project: type, status, priority, progress, start, scheduled and target
    end, and the slip of the scheduled end past the target (red when late)."""
    head = (
        "<tr><th>Project</th><th>Type</th><th>Status</th><th>Priority</th>"
        '<th class="wb-num">Done</th><th>Start</th><th>Scheduled end</th><th>Target end</th>'
        '<th class="wb-num">Slip (days)</th></tr>'
    )
    rows = []
    for p in projects.itertuples():
        slip = ""
        css = ""
        if pd.notna(p.scheduled_end_date) and pd.notna(p.target_end_date):
            days = (p.scheduled_end_date - p.target_end_date).days
            slip = f"{days:+d}"
            css = " wb-late" if days > 0 else " wb-early"
        rows.append(
            "<tr>"
            f"<td>{html.escape(p.name)}</td><td>{html.escape(label(p.project_type))}</td>"
            f"<td>{html.escape(label(p.status))}</td><td>{html.escape(label(p.priority))}</td>"
            f'<td class="wb-num">{percent(p.progress_percentage / 100)}</td>'
            f"<td>{day(p.start_date)}</td><td>{day(p.scheduled_end_date)}</td>"
            f'<td>{day(p.target_end_date)}</td><td class="wb-num{css}">{slip or "–"}</td>'
            "</tr>"
        )
    note = (
        '<div class="wb-note">Scheduled end: the last day of the project\'s workflows as '
        "scheduled; slip: how far it lies past the target end (red: late).</div>"
    )
    return (
        f'<div class="wb-scroll"><table class="wb-grid wb-portfolio">{head}{"".join(rows)}'
        f"</table></div>{note}"
    )


def plan_table_html(workflows: pd.DataFrame) -> str:
    """A project's workflows in schedule order with dates, float and links."""
    head = (
        "<tr><th>Workflow</th><th>Type</th><th>Status</th><th class='wb-num'>Done</th>"
        "<th class='wb-num'>Days</th><th>Start</th><th>Finish</th>"
        "<th class='wb-num'>Float</th><th>Depends on</th></tr>"
    )
    rows = []
    for w in workflows.itertuples():
        css = ' class="wb-critical"' if w.critical else ""
        rows.append(
            f"<tr><td{css}>{html.escape(w.name)}</td><td>{html.escape(label(w.workflow_type))}</td>"
            f"<td>{html.escape(label(w.status))}</td>"
            f'<td class="wb-num">{percent(w.progress_percentage / 100)}</td>'
            f'<td class="wb-num">{count(w.duration_days)}</td>'
            f"<td>{day(w.start_date)}</td><td>{day(w.end_date)}</td>"
            f'<td class="wb-num">{count(w.total_float) if pd.notna(w.total_float) else "–"}</td>'
            f"<td>{html.escape(w.depends_on)}</td></tr>"
        )
    note = (
        '<div class="wb-note">Red: on the critical path (no float: any delay moves the '
        "project's end). Links: FS finish-to-start, SS start-to-start, FF finish-to-finish, "
        "SF start-to-finish, with their lag in days.</div>"
    )
    return (
        f'<div class="wb-scroll"><table class="wb-grid wb-plan">{head}{"".join(rows)}'
        f"</table></div>{note}"
    )


def kpis_html(projects: pd.DataFrame, today: date) -> str:
    late = sum(
        1
        for p in projects.itertuples()
        if pd.notna(p.scheduled_end_date)
        and pd.notna(p.target_end_date)
        and p.scheduled_end_date > p.target_end_date
        and p.status not in ("completed", "cancelled")
    )
    running = int((projects["status"] == "active").sum())
    done = projects["progress_percentage"].mean() / 100 if len(projects) else 0
    items = [
        ("projects", count(len(projects)), False),
        ("active", count(running), False),
        ("late against target", count(late), late > 0),
        ("average progress", percent(done), False),
    ]
    cells = "".join(
        f'<div class="wb-kpi{" wb-short" if short else ""}"><b>{html.escape(v)}</b>'
        f"{html.escape(k)}</div>"
        for k, v, short in items
    )
    return f'<div class="wb-kpis">{cells}</div>'


class PortfolioApp:
    """Every project, and the plan of the one chosen."""

    def __init__(self, ws: Workbench, project: str | None = None, today: date | None = None):
        self.ws = ws
        self.today = today or date.today()
        listed = ws.projects.list()  # one read; the frame and the chooser come from it
        projects = projects_frame(listed)
        self.projects = projects
        self.kpis = widgets.HTML(kpis_html(projects, self.today))
        self.table = widgets.HTML(portfolio_table_html(projects))
        self.status_chart = Chart(status_priority_spec(projects))
        self.progress_chart = Chart(progress_spec(projects))
        # A project has a scheduled end exactly when it has workflows (their roll-up).
        with_plans = [p.name for p in listed if p.scheduled_end_date is not None]
        running = [p.name for p in listed if p.status == "active" and p.name in with_plans]
        first = project if project in with_plans else (running or with_plans or [None])[0]
        self.chooser = widgets.Dropdown(
            options=with_plans,
            value=first,
            description="Project",
            layout=widgets.Layout(width="auto", max_width="100%"),
        )
        self.baseline = widgets.Dropdown(
            description="Baseline", layout=widgets.Layout(width="auto", max_width="100%")
        )
        self.gantt = Chart()
        self.gantt.add_class("wb-gantt")
        self.chooser.add_class("wb-project-choice")
        self.baseline.add_class("wb-baseline-choice")
        self.plan_table = widgets.HTML()
        self.note = widgets.HTML()
        self.chooser.observe(self._on_project, names="value")
        self.baseline.observe(self._on_baseline, names="value")
        self._on_project()
        charts = widgets.HBox(
            [self.status_chart, self.progress_chart],
            layout=widgets.Layout(width="100%", flex_flow="row wrap"),
        )
        for chart in (self.status_chart, self.progress_chart):
            chart.layout = widgets.Layout(flex="1 1 420px", min_width="320px")
        self.widget = widgets.VBox(
            [
                widgets.HTML(STYLE + PORTFOLIO_STYLE),
                self.kpis,
                charts,
                self.table,
                widgets.HTML("<h3>Plan</h3>"),
                widgets.HBox([self.chooser, self.baseline]),
                self.note,
                self.gantt,
                self.plan_table,
            ],
            layout=widgets.Layout(width="100%"),
        )

    def _on_project(self, _change=None) -> None:
        if self.chooser.value is None:
            self.note.value = message(
                "No project has workflows yet: add some with workbench workflow add, or "
                "from a template (ws.workflows.instantiate).",
                "info",
            )
            return
        try:
            names = [b["name"] for b in self.ws.workflows.baselines(self.chooser.value)]
        except WorkbenchError as exc:
            self.note.value = message(str(exc))
            return
        options = [*reversed(names), NO_BASELINE]
        # Setting the options may set the value: draw once, after both are in place.
        self.baseline.unobserve(self._on_baseline, names="value")
        self.baseline.options = options
        self.baseline.value = options[0]
        self.baseline.observe(self._on_baseline, names="value")
        self._draw()

    def _on_baseline(self, _change=None) -> None:
        self._draw()

    def _draw(self) -> None:
        project = self.chooser.value
        try:
            workflows = self.ws.workflows.frame(project)
            links = self.ws.workflows.links(project)
            baseline = None
            if self.baseline.value and self.baseline.value != NO_BASELINE:
                try:
                    baseline = self.ws.workflows.variance(project, self.baseline.value)
                except NotFoundError:
                    baseline = None
            schedule = self.ws.projects.get(project)
        except WorkbenchError as exc:
            self.note.value = message(str(exc))
            return
        finish = day(schedule.scheduled_end_date)
        critical = int(workflows["critical"].sum())
        self.note.value = (
            f'<div class="wb-note">{count(len(workflows))} workflows, {count(critical)} on the '
            f"critical path; scheduled end {finish}"
            + (f", target {day(schedule.target_end_date)}" if schedule.target_end_date else "")
            + f"; {'working days' if schedule.calendar == 'working' else 'calendar days'}.</div>"
        )
        self.gantt.show(
            gantt_spec(workflows, links, baseline=baseline, today=self.today, title=project)
        )
        self.plan_table.value = plan_table_html(workflows)


def portfolio_dashboard(ws: Workbench | None = None, project: str | None = None) -> widgets.Widget:
    """The portfolio dashboard widget (a plain message if the store cannot be opened)."""

    def build() -> widgets.Widget:
        import workbench

        return PortfolioApp(ws or workbench.open(), project).widget

    return dashboard(build)


__all__ = [
    "PortfolioApp",
    "kpis_html",
    "plan_table_html",
    "portfolio_dashboard",
    "portfolio_table_html",
]
