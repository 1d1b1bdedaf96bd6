"""The projects dashboard: a filtered projects table and a form to create, edit and delete."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from workbench import formatting as fmt
from workbench.api import Workbench
from workbench.errors import WorkbenchError
from workbench.projects import FIELD_LABELS, PRIORITIES, PROJECT_STATUSES, PROJECT_TYPES
from workbench.ui import dashboard, message

ANY = "(any)"
TABLE_COLUMNS = {
    "name": "Project",
    "project_type": "Type",
    "status": "Status",
    "priority": "Priority",
    "start_date": "Start",
    "target_end_date": "Target end",
    "progress_percentage": "Progress",
    "assigned_team": "Team",
}


TABLE_STYLE = """<style>
table.wb-projects { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
table.wb-projects th { background: #1f3a5f; color: white; text-align: left; padding: 6px 10px; }
table.wb-projects td { padding: 5px 10px; border-bottom: 1px solid #e3e6ea; }
table.wb-projects tr:nth-child(even) td { background: #f6f7f9; }
</style>"""


def _options(values: tuple[str, ...], with_any: bool = False) -> list[tuple[str, str]]:
    options = [(fmt.label(v), v) for v in values]
    return [(ANY, ANY), *options] if with_any else options


def projects_table_html(frame: pd.DataFrame) -> str:
    """The projects table as escaped HTML (names come from users)."""
    if frame.empty:
        return message("No projects match these filters.", "info")
    shown = frame[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS).copy()
    for column in ("Type", "Status", "Priority"):
        shown[column] = shown[column].map(fmt.label)
    for column in ("Start", "Target end"):
        shown[column] = shown[column].map(fmt.day)
    shown["Progress"] = shown["Progress"].map(lambda v: fmt.percent(v / 100))
    return shown.to_html(
        index=False, escape=True, classes="wb-projects", border=0, na_rep=fmt.MISSING
    )


NEW = "new"
"""The choice of the project picker that means "a new project"."""


class ProjectsApp:
    """Projects table with filters, and one form that creates, edits and deletes projects."""

    def __init__(self, ws: Workbench):
        self.ws = ws
        layout = widgets.Layout(width="220px")
        self.status_filter = widgets.Dropdown(
            options=_options(PROJECT_STATUSES, True), description="Status", layout=layout
        )
        self.type_filter = widgets.Dropdown(
            options=_options(PROJECT_TYPES, True), description="Type", layout=layout
        )
        self.priority_filter = widgets.Dropdown(
            options=_options(PRIORITIES, True), description="Priority", layout=layout
        )
        self.text_filter = widgets.Text(
            placeholder="name or description", description="Search", layout=layout
        )
        self.starts_from = widgets.DatePicker(description=FIELD_LABELS["starts_from"])
        self.starts_until = widgets.DatePicker(description=FIELD_LABELS["starts_until"])
        self.refresh_button = widgets.Button(description="Refresh", tooltip="Reload from the store")
        self.count = widgets.HTML()
        self.table = widgets.HTML()
        self.filter_message = widgets.HTML()

        wide = {"style": {"description_width": "120px"}, "layout": widgets.Layout(width="420px")}
        self.picker = widgets.Dropdown(
            options=[("New project", NEW)], value=NEW, description="Project", **wide
        )
        self.name = widgets.Text(
            description=FIELD_LABELS["name"], placeholder="e.g. Contoso VMware exit", **wide
        )
        self.project_type = widgets.Dropdown(
            options=_options(PROJECT_TYPES), description=FIELD_LABELS["project_type"], **wide
        )
        self.status = widgets.Dropdown(
            options=_options(PROJECT_STATUSES),
            value="planning",
            description=FIELD_LABELS["status"],
            **wide,
        )
        self.priority = widgets.Dropdown(
            options=_options(PRIORITIES),
            value="medium",
            description=FIELD_LABELS["priority"],
            **wide,
        )
        self.start_date = widgets.DatePicker(description=FIELD_LABELS["start_date"], **wide)
        self.target_end_date = widgets.DatePicker(
            description=FIELD_LABELS["target_end_date"], **wide
        )
        self.actual_end_date = widgets.DatePicker(
            description=FIELD_LABELS["actual_end_date"], **wide
        )
        self.progress = widgets.IntSlider(
            value=0,
            min=0,
            max=100,
            step=5,
            description=FIELD_LABELS["progress_percentage"] + " %",
            **wide,
        )
        self.team = widgets.Text(
            description=FIELD_LABELS["assigned_team"], placeholder="comma-separated names", **wide
        )
        self.description = widgets.Textarea(description=FIELD_LABELS["description"], **wide)
        self.create_button = widgets.Button(description="Create project", button_style="primary")
        self.save_button = widgets.Button(description="Save changes", button_style="primary")
        self.delete_button = widgets.Button(description="Delete…", button_style="danger")
        self.confirm_text = widgets.HTML()
        self.confirm_button = widgets.Button(description="Yes, delete", button_style="danger")
        self.cancel_button = widgets.Button(description="Cancel")
        self.confirm_box = widgets.VBox(
            [self.confirm_text, widgets.HBox([self.confirm_button, self.cancel_button])]
        )
        self.form_message = widgets.HTML()

        for control in (
            self.status_filter,
            self.type_filter,
            self.priority_filter,
            self.starts_from,
            self.starts_until,
        ):
            control.observe(lambda _change: self.refresh(), names="value")
        self.text_filter.observe(lambda _change: self.refresh(), names="value")
        self.refresh_button.on_click(lambda _button: self.refresh())
        self._rebuilding = False
        self.picker.observe(
            lambda change: self._rebuilding or self.load(change["new"]), names="value"
        )
        self.create_button.on_click(lambda _button: self.create())
        self.save_button.on_click(lambda _button: self.save())
        self.delete_button.on_click(lambda _button: self.ask_delete())
        self.confirm_button.on_click(lambda _button: self.delete())
        self.cancel_button.on_click(lambda _button: self._show_confirm(False))

        for control, css in (
            (self.table, "wb-table"),
            (self.picker, "wb-picker"),
            (self.create_button, "wb-create"),
            (self.save_button, "wb-save"),
            (self.delete_button, "wb-delete"),
            (self.confirm_button, "wb-confirm-delete"),
            (self.cancel_button, "wb-cancel-delete"),
            (self.name, "wb-name"),
            (self.progress, "wb-progress"),
            (self.form_message, "wb-form-message"),
            (self.filter_message, "wb-filter-message"),
            (self.count, "wb-count"),
            (self.text_filter, "wb-search"),
        ):
            control.add_class(css)

        filters = widgets.VBox(
            [
                widgets.HBox(
                    [self.status_filter, self.type_filter, self.priority_filter, self.text_filter]
                ),
                widgets.HBox([self.starts_from, self.starts_until, self.refresh_button]),
            ]
        )
        self.buttons = widgets.HBox()
        form = widgets.VBox(
            [
                widgets.HTML("<h3>Create, edit or delete a project</h3>"),
                self.picker,
                widgets.HBox(
                    [
                        widgets.VBox(
                            [self.name, self.project_type, self.status, self.priority, self.team]
                        ),
                        widgets.VBox(
                            [
                                self.start_date,
                                self.target_end_date,
                                self.actual_end_date,
                                self.progress,
                            ]
                        ),
                    ]
                ),
                self.description,
                self.buttons,
                self.confirm_box,
                self.form_message,
            ]
        )
        self.widget = widgets.VBox(
            [widgets.HTML(TABLE_STYLE), filters, self.filter_message, self.count, self.table, form]
        )
        self._show_confirm(False)
        self.refresh()
        self.load(NEW)

    # -- the table -------------------------------------------------------------------------

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
        """Reload the table and the project picker from the store with the current filters."""
        try:
            frame = self.ws.projects.frame(**self.filters())
            everyone = self.ws.projects.list()
        except WorkbenchError as exc:
            self.filter_message.value = message(str(exc))
            return
        self.filter_message.value = ""
        self.count.value = f"<b>{len(frame)}</b> project{'s' if len(frame) != 1 else ''}"
        self.table.value = projects_table_html(frame)
        chosen = self.picker.value
        options = [("New project", NEW)] + [
            (p.name, p.ref) for p in sorted(everyone, key=lambda p: p.name.casefold())
        ]
        still_there = chosen in {value for _, value in options}
        # Replacing the options passes the value through "New project": keep the form as it
        # is while the picker is rebuilt, and reload it only if its project went away.
        self._rebuilding = True
        try:
            self.picker.options = options
            self.picker.value = chosen if still_there else NEW
        finally:
            self._rebuilding = False
        if not still_there:
            self.load(NEW)

    # -- the form --------------------------------------------------------------------------

    def load(self, choice: str) -> None:
        """Fill the form with the chosen project (or empty it for a new one)."""
        self._show_confirm(False)
        self.form_message.value = ""
        project = None
        if choice != NEW:
            try:
                project = self.ws.projects.get(choice)
            except WorkbenchError as exc:
                self.form_message.value = message(str(exc))
                return
        self.name.value = project.name if project else ""
        self.project_type.value = project.project_type if project else PROJECT_TYPES[0]
        self.status.value = project.status if project else "planning"
        self.priority.value = project.priority if project else "medium"
        self.start_date.value = project.start_date if project else None
        self.target_end_date.value = project.target_end_date if project else None
        self.actual_end_date.value = project.actual_end_date if project else None
        self.progress.value = project.progress_percentage if project else 0
        self.team.value = ", ".join(project.assigned_team) if project else ""
        self.description.value = (project.description or "") if project else ""
        self.buttons.children = (
            (self.save_button, self.delete_button) if project else (self.create_button,)
        )

    def _fields(self) -> dict[str, Any]:
        return {
            "name": self.name.value,
            "project_type": self.project_type.value,
            "status": self.status.value,
            "priority": self.priority.value,
            "start_date": self.start_date.value,
            "target_end_date": self.target_end_date.value,
            "actual_end_date": self.actual_end_date.value,
            "progress_percentage": self.progress.value,
            "assigned_team": self.team.value,
            "description": self.description.value.strip() or None,
        }

    def _fail(self, exc: WorkbenchError) -> None:
        self.form_message.value = message(str(exc))

    def create(self) -> None:
        """Create a project from the form; show errors next to the form."""
        values = self._fields()
        try:
            project = self.ws.projects.create(
                values.pop("name"), values.pop("project_type"), created_by="dashboard", **values
            )
        except WorkbenchError as exc:
            return self._fail(exc)
        self.refresh()
        self.load(NEW)
        self.form_message.value = message(f"Created project “{project.name}”.", "success")

    def save(self) -> None:
        """Save the form's values into the chosen project."""
        try:
            project = self.ws.projects.update(self.picker.value, **self._fields())
        except WorkbenchError as exc:
            return self._fail(exc)
        self.refresh()
        self.form_message.value = message(f"Saved “{project.name}”.", "success")

    def ask_delete(self) -> None:
        """Ask before deleting: a project takes its workflows, imports and documents with it."""
        name = dict((value, label) for label, value in self.picker.options).get(
            self.picker.value, ""
        )
        self.confirm_text.value = message(
            f"Delete “{name}” with its workflows, RVTools imports and documents? This cannot be undone.",
            "info",
        )
        self._show_confirm(True)

    def delete(self) -> None:
        """Delete the chosen project (after the confirmation)."""
        self._show_confirm(False)
        try:
            project = self.ws.projects.get(self.picker.value)
            self.ws.projects.delete(project)
        except WorkbenchError as exc:
            return self._fail(exc)
        self.refresh()
        self.load(NEW)
        self.form_message.value = message(f"Deleted “{project.name}”.", "success")

    def _show_confirm(self, shown: bool) -> None:
        self.confirm_box.layout.display = None if shown else "none"
        self.delete_button.disabled = shown


def projects_dashboard(ws: Workbench | None = None) -> widgets.Widget:
    """The projects dashboard widget (a plain message if the store cannot be opened)."""

    def build() -> widgets.Widget:
        import workbench

        return ProjectsApp(ws or workbench.open()).widget

    return dashboard(build)


__all__ = ["ProjectsApp", "projects_dashboard", "projects_table_html"]
