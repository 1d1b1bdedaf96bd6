"""The projects dashboard: a filtered projects table and a "new project" form."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from workbench.api import Workbench
from workbench.errors import WorkbenchError
from workbench.projects import PRIORITIES, PROJECT_STATUSES, PROJECT_TYPES
from workbench.ui import dashboard, message

ANY = "(any)"
TABLE_COLUMNS = {
    "name": "Project",
    "project_type": "Type",
    "status": "Status",
    "priority": "Priority",
    "start_date": "Start",
    "target_end_date": "Target end",
    "progress_percentage": "Progress %",
    "assigned_team": "Team",
}


TABLE_STYLE = """<style>
table.wb-projects { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
table.wb-projects th { background: #1f3a5f; color: white; text-align: left; padding: 6px 10px; }
table.wb-projects td { padding: 5px 10px; border-bottom: 1px solid #e3e6ea; }
table.wb-projects tr:nth-child(even) td { background: #f6f7f9; }
</style>"""


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _options(values: tuple[str, ...], with_any: bool = False) -> list[tuple[str, str]]:
    options = [(_label(v), v) for v in values]
    return [(ANY, ANY), *options] if with_any else options


def projects_table_html(frame: pd.DataFrame) -> str:
    """The projects table as escaped HTML (names come from users)."""
    if frame.empty:
        return message("No projects match these filters.", "info")
    shown = frame[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS).copy()
    for column in ("Type", "Status", "Priority"):
        shown[column] = shown[column].map(_label)
    for column in ("Start", "Target end"):
        shown[column] = shown[column].dt.strftime("%Y-%m-%d").fillna("")
    return shown.to_html(index=False, escape=True, classes="wb-projects", border=0, na_rep="")


class ProjectsApp:
    """Projects table with filters, and a form that creates projects through the facade."""

    def __init__(self, ws: Workbench):
        self.ws = ws
        layout = widgets.Layout(width="220px")
        self.status_filter = widgets.Dropdown(options=_options(PROJECT_STATUSES, True), description="Status", layout=layout)
        self.type_filter = widgets.Dropdown(options=_options(PROJECT_TYPES, True), description="Type", layout=layout)
        self.priority_filter = widgets.Dropdown(options=_options(PRIORITIES, True), description="Priority", layout=layout)
        self.text_filter = widgets.Text(placeholder="name or description", description="Search", layout=layout)
        self.starts_from = widgets.DatePicker(description="Starts from")
        self.starts_until = widgets.DatePicker(description="Starts until")
        self.refresh_button = widgets.Button(description="Refresh", tooltip="Reload from the store")
        self.count = widgets.HTML()
        self.table = widgets.HTML()
        self.filter_message = widgets.HTML()

        self.name = widgets.Text(description="Name", placeholder="e.g. Contoso VMware exit")
        self.project_type = widgets.Dropdown(options=_options(PROJECT_TYPES), description="Type")
        self.priority = widgets.Dropdown(options=_options(PRIORITIES), value="medium", description="Priority")
        self.status = widgets.Dropdown(options=_options(PROJECT_STATUSES), value="planning", description="Status")
        self.start_date = widgets.DatePicker(description="Start")
        self.target_end_date = widgets.DatePicker(description="Target end")
        self.team = widgets.Text(description="Team", placeholder="comma-separated names")
        self.description = widgets.Textarea(description="Description")
        self.create_button = widgets.Button(description="Create project", button_style="primary")
        self.form_message = widgets.HTML()

        for control in (self.status_filter, self.type_filter, self.priority_filter, self.starts_from, self.starts_until):
            control.observe(lambda _change: self.refresh(), names="value")
        self.text_filter.observe(lambda _change: self.refresh(), names="value")
        self.refresh_button.on_click(lambda _button: self.refresh())
        self.create_button.on_click(lambda _button: self.create())

        for control, css in (
            (self.table, "wb-table"),
            (self.create_button, "wb-create"),
            (self.name, "wb-name"),
            (self.form_message, "wb-form-message"),
            (self.count, "wb-count"),
            (self.text_filter, "wb-search"),
        ):
            control.add_class(css)

        filters = widgets.VBox(
            [
                widgets.HBox([self.status_filter, self.type_filter, self.priority_filter, self.text_filter]),
                widgets.HBox([self.starts_from, self.starts_until, self.refresh_button]),
            ]
        )
        form = widgets.VBox(
            [
                widgets.HTML("<h3>New project</h3>"),
                widgets.HBox([self.name, self.project_type]),
                widgets.HBox([self.priority, self.status]),
                widgets.HBox([self.start_date, self.target_end_date]),
                self.team,
                self.description,
                self.create_button,
                self.form_message,
            ]
        )
        self.widget = widgets.VBox(
            [widgets.HTML(TABLE_STYLE), filters, self.filter_message, self.count, self.table, form]
        )
        self.refresh()

    def filters(self) -> dict[str, Any]:
        """The current filter values, as keyword arguments of ``ws.projects.list``."""
        chosen = {
            "status": self.status_filter.value,
            "project_type": self.type_filter.value,
            "priority": self.priority_filter.value,
            "text": self.text_filter.value,
            "starts_from": self.starts_from.value,
            "starts_until": self.starts_until.value,
        }
        return {k: v for k, v in chosen.items() if v not in (None, "", ANY)}

    def refresh(self) -> None:
        """Reload the table from the store with the current filters."""
        try:
            frame = self.ws.projects.frame(**self.filters())
        except WorkbenchError as exc:
            self.filter_message.value = message(str(exc))
            return
        self.filter_message.value = ""
        self.count.value = f"<b>{len(frame)}</b> project{'s' if len(frame) != 1 else ''}"
        self.table.value = projects_table_html(frame)

    def create(self) -> None:
        """Create a project from the form; show errors next to the form."""
        try:
            project = self.ws.projects.create(
                self.name.value,
                self.project_type.value,
                priority=self.priority.value,
                status=self.status.value,
                start_date=self.start_date.value,
                target_end_date=self.target_end_date.value,
                assigned_team=self.team.value,
                description=self.description.value or None,
                created_by="dashboard",
            )
        except WorkbenchError as exc:
            self.form_message.value = message(str(exc))
            return
        self.form_message.value = message(f"Created project {project.name!r}.", "success")
        self.name.value = ""
        self.description.value = ""
        self.team.value = ""
        self.start_date.value = None
        self.target_end_date.value = None
        self.refresh()


def projects_dashboard(ws: Workbench | None = None) -> widgets.Widget:
    """The projects dashboard widget (a plain message if the store cannot be opened)."""

    def build() -> widgets.Widget:
        import workbench

        return ProjectsApp(ws or workbench.open()).widget

    return dashboard(build)


__all__ = ["ProjectsApp", "projects_dashboard", "projects_table_html"]
