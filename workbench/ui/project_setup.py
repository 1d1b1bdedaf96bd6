"""The project-setup wizard: basics, template, dates and calendar, team, RVTools export, review.

Every step's answers are written to the project when the user moves on (the project itself
for its fields, ``metadata["setup"]`` for the wizard's own: the step reached, the template,
the wave settings, the import), so a setup left half-way resumes where it stopped, after a
kernel restart or in another browser. The RVTools step imports the uploaded file at once
(files up to :data:`workbench.ui.voila.UPLOAD_LIMIT_BYTES`); the review step builds the
plan: the template's workflows and, from the import, the migration waves.
"""

from __future__ import annotations

import html
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from workbench.api import Workbench
from workbench.errors import InvalidInputError, WorkbenchError
from workbench.formatting import count, day, label, size
from workbench.projects import PRIORITIES, PROJECT_TYPES, Project
from workbench.ui import STYLE, dashboard, message

STEPS = ("Basics", "Template", "Dates and calendar", "Team", "RVTools export", "Review")
NO_TEMPLATE = "(none: I will add workflows myself)"
SETUP_STYLE = """<style>
.wb-steps { display: flex; gap: 6px; flex-wrap: wrap; margin: 4px 0 12px; }
.wb-step { padding: 4px 10px; border-radius: 12px; background: #eef3f9; color: #52606d; font-size: 13px; }
.wb-step.wb-current { background: #1f3a5f; color: white; font-weight: bold; }
.wb-step.wb-done { background: #e8f5e9; color: #1d5e2b; }
.wb-setup .widget-label { min-width: 150px; }
</style>"""


def steps_html(current: int, reached: int) -> str:
    """The step bar: done steps green, the current one dark."""
    items = []
    for number, name in enumerate(STEPS, start=1):
        css = "wb-current" if number == current else ("wb-done" if number < reached else "")
        items.append(f'<span class="wb-step {css}">{number} {html.escape(name)}</span>')
    return f'<div class="wb-steps">{"".join(items)}</div>'


def _many(number: int | None, noun: str) -> str:
    return f"{count(number)} {noun}{'' if number == 1 else 's'}"


def _holidays(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


class ProjectSetup:
    """The wizard; ``widget`` is what the dashboard shows."""

    def __init__(self, ws: Workbench, today: date | None = None):
        self.ws = ws
        self.today = today or date.today()
        self.project: Project | None = None
        self.setup: dict[str, Any] = {}
        self.step = 1
        style = {"description_width": "150px"}
        wide = widgets.Layout(width="560px")

        # 1 Basics
        self.resume_choice = widgets.Dropdown(description="Resume", style=style, layout=wide)
        self.resume_button = widgets.Button(description="Resume this setup", icon="play")
        self.name = widgets.Text(description="Name", style=style, layout=wide)
        self.project_type = widgets.Dropdown(
            options=[(label(t), t) for t in PROJECT_TYPES],
            description="Type",
            style=style,
            layout=wide,
        )
        self.priority = widgets.Dropdown(
            options=[(label(p), p) for p in PRIORITIES],
            value="medium",
            description="Priority",
            style=style,
            layout=wide,
        )
        self.description = widgets.Textarea(
            description="Description", style=style, layout=widgets.Layout(width="560px")
        )
        self.resume_row = widgets.HBox([self.resume_choice, self.resume_button])
        basics = widgets.VBox(
            [
                self.resume_row,
                widgets.HTML("<b>Or a new project:</b>"),
                self.name,
                self.project_type,
                self.priority,
                self.description,
            ]
        )
        # 2 Template
        self.template = widgets.Dropdown(description="Template set", style=style, layout=wide)
        self.template_preview = widgets.HTML()
        template = widgets.VBox([self.template, self.template_preview])
        # 3 Dates and calendar
        self.start = widgets.DatePicker(description="Start", style=style)
        self.target_end = widgets.DatePicker(description="Target end", style=style)
        self.calendar = widgets.ToggleButtons(
            options=[("Working days", "working"), ("Every day", "calendar")],
            description="Calendar",
            style=style,
        )
        self.holidays = widgets.Textarea(
            description="Holidays",
            placeholder="2027-04-02, 2027-04-05 (working-day calendars)",
            style=style,
            layout=widgets.Layout(width="560px"),
        )
        dates = widgets.VBox([self.start, self.target_end, self.calendar, self.holidays])
        # 4 Team
        self.team = widgets.Text(
            description="Team", placeholder="Ana, Bram, Chloe", style=style, layout=wide
        )
        self.created_by = widgets.Text(description="Set up by", style=style, layout=wide)
        team = widgets.VBox([self.team, self.created_by])
        # 5 RVTools export
        self.upload = widgets.FileUpload(
            accept=".xlsx,.zip,.csv", multiple=False, description="RVTools export"
        )
        self.upload.add_class("wb-upload")
        self.upload_output = widgets.Output()
        self.import_summary = widgets.HTML()
        self.import_summary.add_class("wb-import-summary")
        self.group_by = widgets.Dropdown(
            options=[
                ("Cluster", "cluster"),
                ("Folder", "folder"),
                ("Resource pool", "resource_pool"),
            ],
            value="cluster",
            description="Waves by",
            style=style,
            layout=wide,
        )
        self.max_vms = widgets.BoundedIntText(
            value=50, min=1, max=100_000, description="VMs per wave (max)", style=style
        )
        export = widgets.VBox(
            [
                widgets.HTML(
                    '<div class="wb-note">An RVTools export (.xlsx, or a .zip of its CSV '
                    "files), up to 100 MiB. Optional: skip this step with Next.</div>"
                ),
                self.upload,
                self.upload_output,
                self.import_summary,
                self.group_by,
                self.max_vms,
            ]
        )
        # 6 Review
        self.review = widgets.HTML()
        self.build_button = widgets.Button(
            description="Create the plan", button_style="success", icon="check"
        )
        self.build_button.add_class("wb-build")
        review = widgets.VBox([self.review, self.build_button])

        self.panels = [basics, template, dates, team, export, review]
        self.steps = widgets.HTML()
        self.note = widgets.HTML()
        self.note.add_class("wb-setup-message")
        self.back = widgets.Button(description="Back", icon="arrow-left")
        self.next = widgets.Button(description="Next", button_style="primary", icon="arrow-right")
        self.next.add_class("wb-next")
        self.back.add_class("wb-back")
        self.body = widgets.Box([basics])
        self.widget = widgets.VBox(
            [
                widgets.HTML(STYLE + SETUP_STYLE),
                self.steps,
                self.body,
                self.note,
                widgets.HBox([self.back, self.next]),
            ]
        )
        self.widget.add_class("wb-setup")
        self.resume_button.on_click(lambda _b: self._guard(self._resume))
        self.next.on_click(lambda _b: self._guard(self._next))
        self.back.on_click(lambda _b: self._guard(self._back))
        self.build_button.on_click(lambda _b: self._guard(self._build))
        self.template.observe(lambda _c: self._preview_template(), names="value")
        self.upload.observe(lambda _c: self._guard(self._uploaded), names="value")
        self._load_resumable()
        self._show(1)

    # -- plumbing --------------------------------------------------------------------------

    def _guard(self, action) -> None:
        """Run a step's action; a WorkbenchError becomes the message under the step."""
        try:
            self.note.value = ""
            action()
        except WorkbenchError as exc:
            self.note.value = message(str(exc))

    def _show(self, step: int) -> None:
        # Fill the step first, then show it: the page never shows a half-filled step.
        if step == 2:
            self._offer_templates()
        if step == 6:
            self.review.value = self._review_html()
        self.step = step
        reached = int(self.setup.get("step", 1))
        self.body.children = [self.panels[step - 1]]
        self.back.disabled = step == 1
        self.next.layout.display = "none" if step == len(STEPS) else None
        self.resume_row.layout.display = None if step == 1 and not self.project else "none"
        self.steps.value = steps_html(step, reached)

    def _save(self, **changes: Any) -> None:
        """Write the project's fields and the wizard's state (the step reached)."""
        metadata = dict(self.project.metadata)
        metadata["setup"] = dict(self.setup)
        self.project = self.ws.projects.update(self.project.ref, metadata=metadata, **changes)

    def _load_resumable(self) -> None:
        choices = [
            (f"{p.name} (step {p.metadata['setup'].get('step', 1)} of {len(STEPS)})", p.ref)
            for p in self.ws.projects.list()
            if isinstance(p.metadata.get("setup"), dict) and not p.metadata["setup"].get("finished")
        ]
        self.resume_choice.options = choices or [("no setup in progress", "")]
        self.resume_choice.value = self.resume_choice.options[0][1]
        self.resume_choice.disabled = self.resume_button.disabled = not choices

    # -- steps -----------------------------------------------------------------------------

    def _resume(self) -> None:
        if not self.resume_choice.value:
            return
        self.project = self.ws.projects.get(self.resume_choice.value)
        self.setup = dict(self.project.metadata.get("setup") or {})
        p = self.project
        self.name.value = p.name
        self.project_type.value = p.project_type
        self.priority.value = p.priority
        self.description.value = p.description or ""
        self.start.value = p.start_date
        self.target_end.value = p.target_end_date
        self.calendar.value = p.calendar
        self.holidays.value = ", ".join(d.isoformat() for d in p.holidays)
        self.team.value = ", ".join(p.assigned_team)
        self.created_by.value = p.created_by or ""
        if self.setup.get("import_id"):
            self.import_summary.value = self._import_html(self.setup["import_id"])
            self._offer_groupings(self.setup["import_id"])
        if self.setup.get("group_by") in {v for _, v in self.group_by.options}:
            self.group_by.value = self.setup["group_by"]
        self.max_vms.value = int(self.setup.get("max_vms", 50))
        self.note.value = message(f"Resumed the setup of “{p.name}”.", "info")
        self._show(min(int(self.setup.get("step", 2)), len(STEPS)))

    def _next(self) -> None:
        step = self.step
        if step == 1:
            values = {
                "project_type": self.project_type.value,
                "priority": self.priority.value,
                "description": self.description.value or None,
            }
            if self.project is None:
                self.setup = {"step": 2}
                self.project = self.ws.projects.create(
                    self.name.value, metadata={"setup": self.setup}, **values
                )
                return self._show(2)
            if self.name.value.strip() != self.project.name:
                values["name"] = self.name.value
        elif step == 2:
            self.setup["template"] = self.template.value
            values = {}
        elif step == 3:
            if self.start.value is None:
                raise InvalidInputError("The plan needs a start date.")
            values = {
                "start_date": self.start.value,
                "target_end_date": self.target_end.value,
                "calendar": self.calendar.value,
                "holidays": _holidays(self.holidays.value),
            }
        elif step == 4:
            values = {"assigned_team": self.team.value, "created_by": self.created_by.value or None}
        else:
            self.setup["group_by"] = self.group_by.value
            self.setup["max_vms"] = int(self.max_vms.value)
            values = {}
        self.setup["step"] = max(int(self.setup.get("step", 1)), step + 1)
        self._save(**values)
        self._show(step + 1)

    def _back(self) -> None:
        self._show(max(1, self.step - 1))

    def _offer_templates(self) -> None:
        sets = self.ws.workflows.template_sets()
        options = [
            (f"{label(name)} ({len(items)} workflows)", name) for name, items in sets.items()
        ]
        options.append((NO_TEMPLATE, ""))
        self.template.options = options
        chosen = self.setup.get("template", self.project.project_type if self.project else "")
        self.template.value = chosen if chosen in {v for _, v in options} else ""
        self._preview_template()

    def _preview_template(self) -> None:
        if not self.template.value:
            self.template_preview.value = ""
            return
        table = self.ws.workflows.templates(self.template.value)
        rows = "".join(
            f"<tr><td>{html.escape(r.workflow_name)}</td><td class='wb-num'>{count(r.default_duration_days)}</td>"
            f"<td>{html.escape(r.depends_on)}</td></tr>"
            for r in table.itertuples()
        )
        self.template_preview.value = (
            "<table class='wb-grid'><tr><th>Workflow</th><th class='wb-num'>Days</th>"
            f"<th>Depends on</th></tr>{rows}</table>"
        )

    def _uploaded(self) -> None:
        if not self.upload.value:
            return
        item = self.upload.value[0]
        name = Path(item["name"]).name or "RVTools_export.xlsx"
        folder = Path(tempfile.mkdtemp(prefix="workbench-upload-"))
        path = folder / name
        path.write_bytes(bytes(item["content"]))
        self.import_summary.value = message(
            f"Importing {name} ({size(path.stat().st_size / 2**20)})…", "info"
        )
        self.upload_output.clear_output()
        try:
            with self.upload_output:
                record = self.ws.rvtools.upload(
                    self.project.ref,
                    path,
                    imported_by=self.created_by.value or "project setup",
                    progress=True,
                )
        finally:
            path.unlink(missing_ok=True)
            folder.rmdir()
            self.upload.value = ()
        self.upload_output.clear_output()
        self.setup["import_id"] = record.id
        self._save()
        self.import_summary.value = self._import_html(record.id)
        self._offer_groupings(record.id)

    def _offer_groupings(self, import_id: str) -> None:
        """Waves by cluster, folder, resource pool, or any custom attribute of the export."""
        record = self.ws.rvtools.get(import_id)
        custom = ((record.data_quality or {}).get("custom_columns") or {}).get("vInfo") or []
        chosen = self.group_by.value
        self.group_by.options = [
            ("Cluster", "cluster"),
            ("Folder", "folder"),
            ("Resource pool", "resource_pool"),
            *((f"Custom attribute: {name}", name) for name in custom),
        ]
        self.group_by.value = (
            chosen if chosen in {v for _, v in self.group_by.options} else "cluster"
        )

    def _import_html(self, import_id: str) -> str:
        record = self.ws.rvtools.get(import_id)
        warnings = (record.data_quality or {}).get("warnings") or []
        shown = "".join(f"<li>{html.escape(w)}</li>" for w in warnings[:8])
        more = f"<li>… and {count(len(warnings) - 8)} more</li>" if len(warnings) > 8 else ""
        return message(
            f"Imported {record.filename}: {count(record.total_vms)} VMs, "
            f"{count(record.total_hosts)} hosts, {count(record.total_clusters)} clusters "
            f"(RVTools {record.rvtools_version or 'version unknown'}).",
            "success",
        ) + (f"<div class='wb-note'>Warnings:</div><ul>{shown}{more}</ul>" if warnings else "")

    def _review_html(self) -> str:
        p = self.project
        template = self.setup.get("template") or ""
        rows = [
            ("Project", f"{p.name} ({label(p.project_type)}, {label(p.priority)} priority)"),
            ("Template", label(template) if template else "none"),
            ("Start", day(p.start_date)),
            ("Target end", day(p.target_end_date)),
            (
                "Calendar",
                "working days" + (f", {count(len(p.holidays))} holidays" if p.holidays else "")
                if p.calendar == "working"
                else "every day",
            ),
            ("Team", ", ".join(p.assigned_team) or "–"),
            (
                "RVTools export",
                self.ws.rvtools.get(self.setup["import_id"]).filename
                if self.setup.get("import_id")
                else "none",
            ),
            (
                "Waves",
                f"by {label(self.setup.get('group_by', 'cluster')).lower()}, at most "
                f"{count(self.setup.get('max_vms', 50))} VMs each"
                if self.setup.get("import_id")
                else "–",
            ),
        ]
        body = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows
        )
        done = (
            message("This setup is finished: the plan exists.", "success")
            if self.setup.get("finished")
            else ""
        )
        return f"<table class='wb-grid'>{body}</table>{done}"

    def _build(self) -> None:
        if self.setup.get("finished"):
            self.note.value = message("The plan was created already.", "info")
            return
        template = self.setup.get("template") or ""
        if template and not self.ws.workflows.list(self.project.ref):
            self.ws.workflows.instantiate(self.project.ref, template)
        import_id = self.setup.get("import_id")
        made, notes = [], []
        if import_id:
            names = {w.name for w in self.ws.workflows.list(self.project.ref)}
            made, wave_plan = self.ws.workflows.create_waves(
                self.project.ref,
                import_id,
                group_by=self.setup.get("group_by", "cluster"),
                max_vms=int(self.setup.get("max_vms", 50)),
                replace_workflow="Migration waves" if "Migration waves" in names else None,
            )
            notes = wave_plan.warnings
        self.setup.update(finished=True, step=len(STEPS))
        self._save()
        workflows = self.ws.workflows.list(self.project.ref)
        self.review.value = self._review_html()
        self.note.value = message(
            f"Plan created: {count(len(workflows))} workflows"
            + (f" including {count(len(made))} migration waves" if made else "")
            + f", scheduled end {day(self.ws.projects.get(self.project.ref).scheduled_end_date)}.",
            "success",
        ) + "".join(message(note, "info") for note in notes[:5])
        self.note.value += (
            '<div class="wb-note">See the plan as a Gantt chart in the '
            '<a href="portfolio.ipynb" target="_blank">Portfolio dashboard</a>.</div>'
        )
        self.build_button.disabled = True


def project_setup_dashboard(ws: Workbench | None = None) -> widgets.Widget:
    """The project-setup wizard (a plain message if the store cannot be opened)."""

    def build() -> widgets.Widget:
        import workbench

        return ProjectSetup(ws or workbench.open()).widget

    return dashboard(build)


__all__ = ["ProjectSetup", "project_setup_dashboard", "steps_html"]
