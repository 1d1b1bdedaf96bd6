"""The document library dashboard: a project's generated documents (HLD, LLD, migration plan,
hardware BOM, network diagram), generating a new version into a template, moving a version
along draft -> review -> approved -> archived, downloading it with its attachments, a
preview of its first pages, and deleting a version.

The store is read once at start and again after each generation, status move or deletion
(or on Reload); picking another project or document only redraws from what was read. Every
:class:`~workbench.errors.WorkbenchError` becomes a one-line message beside the part of the
page that caused it.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable
from typing import Any

import ipywidgets as widgets

from workbench import formatting as fmt
from workbench.api import Workbench
from workbench.documents import (
    DOCUMENT_TYPES,
    STATUSES,
    TITLES,
    TRANSITIONS,
    default_template,
)
from workbench.errors import WorkbenchError
from workbench.ui import STYLE, dashboard, escaped, message
from workbench.ui.download import DownloadButton

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
    "png": "image/png",
}
"""The media type each downloadable part is saved as."""

ATTACHMENTS = (
    ("png", "Network diagram (.png)"),
    ("svg", "Network diagram (.svg)"),
    ("xlsx", "BOM spreadsheet (.xlsx)"),
)
"""The attachments a document may carry, in the order their buttons show, with their labels."""

MOVES = {
    "draft": "Back to draft",
    "review": "Send for review",
    "approved": "Approve",
    "archived": "Archive",
}
"""The button that moves a version to each status (only the moves TRANSITIONS allows show)."""

STATUS_PHRASES = {
    "draft": "a draft again",
    "review": "in review",
    "approved": "approved",
    "archived": "archived",
}
"""How a move reads in its confirmation ("High-Level Design v2 is now in review.")."""

STATUS_COLOURS = {
    "draft": ("#3e4c59", "#e4e7eb"),
    "review": ("#8a4b00", "#fff1e0"),
    "approved": ("#1d5e2b", "#e8f5e9"),
    "archived": ("#616e7c", "#f5f7fa"),
}
"""Text and background of each status badge."""

PREVIEW_PAGES = 2
PREVIEW_WIDTH_PX = 800
"""Pages rendered for the preview and their width in pixels (shown smaller, sharp on HiDPI)."""

NO_PROJECT_MESSAGE = "No project yet: create one on the Projects dashboard first."

DOCUMENTS_STYLE = """<style>
.wb-doc-badge { display: inline-block; border-radius: 4px; padding: 0 7px; font-size: 12px;
                white-space: nowrap; }
table.wb-grid tr.wb-doc-selected td { background: #e3ecf7 !important; }
table.wb-grid td.wb-nowrap { white-space: nowrap; }
table.wb-grid tr.wb-doc-selected td:first-child { box-shadow: inset 3px 0 0 #1f3a5f; }
.wb-doc-panel { background: #f6f7f9; border-radius: 8px; padding: 8px 12px; margin: 6px 0; }
table.wb-doc-facts { border-collapse: collapse; font-size: 13px; margin: 4px 0 8px; }
table.wb-doc-facts th { color: #52606d; font-weight: normal; text-align: right;
                        vertical-align: top; padding: 2px 12px 2px 0; width: 86px;
                        white-space: nowrap; }
table.wb-doc-facts td { padding: 2px 0; }
.wb-doc-page img { border: 1px solid #d9dde3; box-shadow: 0 2px 6px rgba(0,0,0,.08);
                   background: white; }
.wb-doc-label { text-align: right; padding-right: 8px; line-height: 28px; }
</style>"""


# -- labels --------------------------------------------------------------------------------


def type_label(kind: str) -> str:
    """A document type as people read it: ``"HLD"``, ``"Migration plan"``, ``"Hardware BOM"``."""
    # The label table is keyed in lower case; "HLD" itself would read "Hld".
    return fmt.label(str(kind).lower())


def type_options() -> list[tuple[str, str]]:
    """The document types for a dropdown: ``("High-Level Design (HLD)", "HLD")``, with the
    short name's words the title lacks in brackets ("Hardware Bill of Materials (BOM)")."""
    options = []
    for kind in DOCUMENT_TYPES:
        title = TITLES[kind]
        extra = [w for w in type_label(kind).split() if w.casefold() not in title.casefold()]
        options.append((f"{title} ({' '.join(extra)})" if extra else title, kind))
    return options


def status_badge(status: str) -> str:
    """A document status as a coloured badge (HTML)."""
    fg, bg = STATUS_COLOURS.get(status, ("#3e4c59", "#e4e7eb"))
    return (
        f'<span class="wb-doc-badge wb-doc-{escaped(status)}" style="color:{fg};background:{bg}">'
        f"{escaped(fmt.label(status))}</span>"
    )


def next_statuses(status: str) -> tuple[str, ...]:
    """The statuses a version may move to from ``status`` (:data:`TRANSITIONS`), in the
    order of :data:`STATUSES`."""
    allowed = set(TRANSITIONS.get(status, ()))
    return tuple(s for s in STATUSES if s in allowed)


def ordered(documents: Iterable[Any]) -> list[Any]:
    """Documents by type (:data:`DOCUMENT_TYPES` order), then name, newest version first."""
    rank = {kind: i for i, kind in enumerate(DOCUMENT_TYPES)}
    by_version = sorted(documents, key=lambda d: fmt.natural_key(d.version), reverse=True)
    return sorted(
        by_version,
        key=lambda d: (rank.get(d.document_type, len(rank)), d.document_name.casefold()),
    )


def document_label(doc: Any) -> str:
    """How a version reads in the document picker: name, version, status, when generated."""
    return (
        f"{doc.document_name} v{doc.version} · {fmt.label(doc.status)} · "
        f"{fmt.moment(doc.generated_at)}"
    )


def project_options(projects: Iterable[Any], documents: Iterable[Any]) -> list[tuple[str, str]]:
    """Projects for the dropdown, by name, each with how many document versions it has."""
    counts: dict[str, int] = {}
    for doc in documents:
        counts[doc.project_id] = counts.get(doc.project_id, 0) + 1
    out = []
    for p in sorted(projects, key=lambda p: fmt.natural_key(p.name)):
        n = counts.get(p.ref, 0)
        many = "no documents" if n == 0 else f"{fmt.count(n)} document{'' if n == 1 else 's'}"
        out.append((f"{p.name} ({many})", p.ref))
    return out


def last_customer(documents: Iterable[Any]) -> str | None:
    """The customer named on the cover of the newest of ``documents`` that names one."""
    named = [d for d in documents if (d.generation_config or {}).get("customer")]
    if not named:
        return None
    newest = max(named, key=lambda d: (d.generated_at is not None, d.generated_at or 0))
    return str(newest.generation_config["customer"])


def template_options(
    templates: Iterable[Any], kind: str
) -> tuple[list[tuple[str, str]], str | None]:
    """The Word templates a type can be generated into (its own and custom ones), the default
    first and marked, and the default's id.

    Returns
    -------
    (options, default)
        ``options`` as (label, template id); ``default`` the id to preselect (None when the
        type has no template).
    """
    usable = [
        t for t in templates if t.template_type in (kind, "custom") and t.file_format == "docx"
    ]
    chosen = default_template(usable, kind)
    rest = sorted(
        (t for t in usable if chosen is None or t.id != chosen.id),
        key=lambda t: (
            t.template_type != kind,
            fmt.natural_key(t.template_name),
            fmt.natural_key(t.version),
        ),
    )
    options = [(f"{chosen.label} (default)", chosen.id)] if chosen else []
    options += [
        (t.label + (" (custom)" if t.template_type == "custom" else ""), t.id) for t in rest
    ]
    return options, (chosen.id if chosen else None)


# -- tables --------------------------------------------------------------------------------


def documents_table_html(documents: list[Any], selected: str | None = None) -> str:
    """The project's document versions as a table: type, name, version, status, size,
    generated (when, by), approved (by, when); the selected version's row marked.

    Parameters
    ----------
    documents : list of ProjectDocument
        As :meth:`workbench.api.documents.Documents.list` returns them (sizes in bytes).
    selected : str, optional
        The id of the version to mark.

    Returns
    -------
    str
        Escaped HTML; an info message when there is no document.
    """
    if not documents:
        return message(
            "This project has no documents yet: generate one with the form above.", "info"
        )
    head = [
        ("Type", False),
        ("Name", False),
        ("Version", True),
        ("Status", False),
        ("Size", True),
        ("Generated", False),
        ("By", False),
        ("Approved by", False),
        ("Approved on", False),
    ]
    cells = "".join(
        f'<th class="wb-num">{html.escape(h)}</th>' if num else f"<th>{html.escape(h)}</th>"
        for h, num in head
    )
    rows = []
    for d in ordered(documents):
        mark = ' class="wb-doc-selected"' if d.id == selected else ""
        rows.append(
            f"<tr{mark}><td>{escaped(type_label(d.document_type))}</td>"
            f"<td>{escaped(d.document_name)}</td>"
            f"<td class='wb-num'>{escaped(d.version)}</td>"
            f"<td>{status_badge(d.status)}</td>"
            f"<td class='wb-num'>{fmt.file_size(d.file_size)}</td>"
            f"<td class='wb-nowrap'>{fmt.moment(d.generated_at)}</td>"
            f"<td>{escaped(d.generated_by)}</td>"
            f"<td>{escaped(d.approved_by)}</td>"
            f"<td class='wb-nowrap'>{fmt.day(d.approval_date)}</td></tr>"
        )
    return (
        f'<div class="wb-scroll"><table class="wb-grid wb-documents-table"><tr>{cells}</tr>'
        f"{''.join(rows)}</table></div>"
    )


def document_details_html(doc: Any) -> str:
    """What one version is: reference, template, contents, content hash, and its status
    history (who moved it when, with their notes)."""
    sections = (doc.metadata or {}).get("sections") or {}
    contents = ", ".join(
        f"{fmt.count(sections[k])} {word if sections[k] == 1 else word + 's'}"
        for k, word in (("sections", "section"), ("tables", "table"), ("figures", "figure"))
        if k in sections
    )
    attachments = sorted((doc.metadata or {}).get("attachments") or {})
    facts = [
        ("Reference", escaped((doc.metadata or {}).get("reference"))),
        ("Template", escaped(doc.generated_from_template)),
        ("Contents", html.escape(contents) if contents else fmt.MISSING),
        ("Attachments", html.escape(", ".join(a.upper() for a in attachments)) or "none"),
        (
            "Content hash",
            f"<code title='{escaped(doc.content_hash)}'>{escaped((doc.content_hash or '')[:16])}</code>"
            if doc.content_hash
            else fmt.MISSING,
        ),
    ]
    config = {k: v for k, v in (doc.generation_config or {}).items() if v not in (None, "")}
    if config:
        facts.append(
            ("Settings", escaped(", ".join(f"{fmt.label(k)}: {v}" for k, v in config.items())))
        )
    moves = [
        f"{escaped(fmt.label(h.get('status')))} {fmt.moment(h.get('at'))} ({escaped(h.get('by'))}"
        + (f": “{escaped(h['note'])}”" if h.get("note") else "")
        + ")"
        for h in doc.status_history
    ]
    if moves:
        facts.append(("Status history", " → ".join(moves)))
    rows = "".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in facts)
    return f'<table class="wb-doc-facts">{rows}</table>'


def part_filename(doc: Any, part: str) -> str:
    """The name a downloaded part is saved under: the document's own name with the part's
    extension (``Northwind-...-Network-Diagram-v1.svg``)."""
    if part == "document":
        return doc.filename
    return doc.filename.rsplit(".", 1)[0] + f".{part}"


# -- the app -------------------------------------------------------------------------------


class DocumentsApp:
    """The document library of one project at a time: generate, list, move status, download,
    preview and delete versions.

    Parameters
    ----------
    ws : Workbench
    project : str, optional
        The project to open on (name or id); default: the project of the newest document,
        else the first project by name.
    """

    def __init__(self, ws: Workbench, project: Any = None):
        self.ws = ws
        self.projects: list[Any] = []
        self.templates: list[Any] = []
        self.documents: list[Any] = []
        self._quiet = False
        self._busy = False
        wide = {"style": {"description_width": "90px"}, "layout": widgets.Layout(width="480px")}

        self.status = widgets.HTML()
        self.reload_button = widgets.Button(
            description="Reload", tooltip="Read the documents again (changes made elsewhere)"
        )
        self.project = widgets.Dropdown(description="Project", **wide)

        self.kind = widgets.Dropdown(options=type_options(), description="Type", **wide)
        self.template = widgets.Dropdown(description="Template", **wide)
        self.customer = widgets.Text(
            description="Customer", placeholder="on the cover (default: the project's name)", **wide
        )
        self.generate_button = widgets.Button(
            description="Generate", button_style="primary", tooltip="Write a new version"
        )
        self.generate_message = widgets.HTML()

        self.count = widgets.HTML()
        self.table = widgets.HTML()
        self.document = widgets.Dropdown(
            description="Document",
            style={"description_width": "90px"},
            layout=widgets.Layout(width="640px", max_width="100%"),
        )
        self.details = widgets.HTML()
        self.move_buttons = {
            s: widgets.Button(
                description=MOVES[s],
                button_style="success" if s == "approved" else "",
                layout=widgets.Layout(width="auto"),
            )
            for s in STATUSES
        }
        self.note = widgets.Text(
            description="Note",
            placeholder="optional, kept in the status history",
            **wide,
        )
        self.final_note = widgets.HTML()
        self.downloads = {
            "document": DownloadButton(
                lambda: self._file("document"), description="Download .docx"
            ),
            **{
                part: DownloadButton(lambda part=part: self._file(part), description=text)
                for part, text in ATTACHMENTS
            },
        }
        self.preview_button = widgets.Button(
            description="Show the first pages", tooltip="Convert to PDF and show its first pages"
        )
        self.pages = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.preview_message = widgets.HTML()
        self.delete_button = widgets.Button(description="Delete…", button_style="danger")
        self.confirm_text = widgets.HTML()
        self.force = widgets.Checkbox(
            description="It is approved: delete it anyway",
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self.confirm_button = widgets.Button(description="Yes, delete", button_style="danger")
        self.cancel_button = widgets.Button(description="Cancel")
        self.confirm_box = widgets.VBox(
            [self.confirm_text, self.force, widgets.HBox([self.confirm_button, self.cancel_button])]
        )
        self.action_message = widgets.HTML()

        for control, css in (
            (self.status, "wb-docs-status"),
            (self.project, "wb-docs-project"),
            (self.kind, "wb-docs-type"),
            (self.template, "wb-docs-template"),
            (self.customer, "wb-docs-customer"),
            (self.generate_button, "wb-docs-generate"),
            (self.generate_message, "wb-docs-generate-message"),
            (self.count, "wb-docs-count"),
            (self.table, "wb-docs-table"),
            (self.document, "wb-docs-choice"),
            (self.details, "wb-docs-details"),
            (self.note, "wb-docs-note"),
            (self.final_note, "wb-docs-final"),
            (self.preview_button, "wb-docs-preview"),
            (self.pages, "wb-docs-pages"),
            (self.preview_message, "wb-docs-preview-message"),
            (self.delete_button, "wb-docs-delete"),
            (self.force, "wb-docs-force"),
            (self.confirm_button, "wb-docs-confirm-delete"),
            (self.cancel_button, "wb-docs-cancel-delete"),
            (self.action_message, "wb-docs-message"),
        ):
            control.add_class(css)
        for status, button in self.move_buttons.items():
            button.add_class(f"wb-docs-move-{status}")
        for part, button in self.downloads.items():
            button.add_class(f"wb-docs-download-{part}")

        self.reload_button.on_click(lambda _b: self.reload())
        self.project.observe(lambda _c: self._quiet or self._on_project(), names="value")
        self.kind.observe(lambda _c: self._quiet or self._on_kind(), names="value")
        self.generate_button.on_click(lambda _b: self.generate())
        self.document.observe(lambda _c: self._quiet or self._on_document(), names="value")
        for status, button in self.move_buttons.items():
            button.on_click(lambda _b, status=status: self.move(status))
        self.preview_button.on_click(lambda _b: self.preview())
        self.delete_button.on_click(lambda _b: self.ask_delete())
        self.force.observe(lambda _c: self._arm_delete(), names="value")
        self.confirm_button.on_click(lambda _b: self.delete())
        self.cancel_button.on_click(lambda _b: self._show_confirm(False))

        def label(text: str) -> widgets.HTML:
            # Lined up with the dropdowns' descriptions (90 px plus the widget's own gap).
            return widgets.HTML(
                f'<div class="wb-doc-label">{html.escape(text)}</div>',
                layout=widgets.Layout(width="98px"),
            )

        form = widgets.VBox(
            [
                widgets.HTML("<h3>Generate a new version</h3>"),
                self.kind,
                self.template,
                self.customer,
                widgets.HBox([label(""), self.generate_button]),
                widgets.HTML(
                    '<div class="wb-note" style="margin:4px 0 0">The document is written from '
                    "the project's data as it is now (its newest RVTools import, sizing, plan "
                    "and hardware bookings) into the template. It starts as a draft; earlier "
                    "versions stay as they were.</div>"
                ),
                self.generate_message,
            ]
        )
        form.add_class("wb-doc-panel")
        self.moves = widgets.HBox([label("Status"), *self.move_buttons.values()])
        self.download_row = widgets.HBox(
            [label("Download"), *self.downloads.values()],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        self.panel = widgets.VBox(
            [
                self.document,
                self.details,
                self.moves,
                self.note,
                self.final_note,
                self.download_row,
                widgets.HBox([label("Preview"), self.preview_button]),
                self.preview_message,
                self.pages,
                widgets.HBox([label("Delete"), self.delete_button]),
                self.confirm_box,
                self.action_message,
            ]
        )
        self.panel.add_class("wb-doc-panel")
        self.widget = widgets.VBox(
            [
                widgets.HTML(STYLE + DOCUMENTS_STYLE),
                widgets.HBox([self.project, self.reload_button]),
                self.status,
                form,
                widgets.HTML("<h3>Documents</h3>"),
                self.count,
                self.table,
                widgets.HTML("<h3>Work with one version</h3>"),
                self.panel,
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.widget.add_class("wb-documents")
        self._show_confirm(False)
        self.reload(project)

    # -- reading and drawing ---------------------------------------------------------------

    @property
    def selected(self) -> Any | None:
        """The version the picker shows (None without one)."""
        return next((d for d in self.documents if d.id == self.document.value), None)

    def _project_documents(self) -> list[Any]:
        return [d for d in self.documents if d.project_id == self.project.value]

    def reload(
        self, project: Any = None, select: str | None = None, *, documents_only: bool = False
    ) -> None:
        """Read projects, templates and documents, then draw everything once.

        Parameters
        ----------
        project : str, optional
            Show this project (name or id) instead of the one shown.
        select : str, optional
            The id of the version to pick (default: keep the one picked, else the first).
        documents_only : bool
            After an action on a document: read the documents again, not the projects and
            templates the action cannot have changed (Reload reads everything).
        """
        try:
            if not documents_only:
                self.projects = self.ws.projects.list()
                self.templates = self.ws.templates.list()
            self.documents = self.ws.documents.list()
            wanted = self.ws.projects.get(project).ref if project is not None else None
        except WorkbenchError as exc:
            self.status.value = message(str(exc))
            return
        self.status.value = ""
        options = project_options(self.projects, self.documents)
        refs = [ref for _label, ref in options]
        current = wanted or (self.project.value if self.project.value in refs else None)
        if current is None and refs:
            current = self._newest_project(refs)
        moved = current != self.project.value
        self._quiet = True
        try:
            with self.project.hold_sync():
                self.project.options = options
                self.project.value = current
        finally:
            self._quiet = False
        if not refs:
            self.status.value = message(NO_PROJECT_MESSAGE, "info")
        self.generate_button.disabled = not refs
        # A template or customer picked for this project stays picked across actions.
        self._fill_templates(keep=True)
        if moved or not self.customer.value:
            self._fill_customer()
        self._draw(select)

    def _newest_project(self, refs: list[str]) -> str:
        """The project of the newest document, else the first project."""
        dated = [d for d in self.documents if d.generated_at is not None]
        if dated:
            newest = max(dated, key=lambda d: d.generated_at).project_id
            if newest in refs:
                return newest
        return refs[0]

    def _fill_templates(self, keep: bool = False) -> None:
        options, default = template_options(self.templates, self.kind.value)
        values = [v for _label, v in options]
        chosen = self.template.value if keep and self.template.value in values else default
        with self.template.hold_sync():
            self.template.options = options or [("(no template of this type)", "")]
            self.template.value = chosen or (values[0] if values else "")

    def _fill_customer(self) -> None:
        """The customer of the newest version of this type in the project (else of any
        type), so a new version keeps the cover an earlier one had."""
        docs = self._project_documents()
        same = [d for d in docs if d.document_type == self.kind.value]
        self.customer.value = last_customer(same) or last_customer(docs) or ""

    def _on_kind(self) -> None:
        self._fill_templates()
        self._fill_customer()

    def _on_project(self) -> None:
        self.generate_message.value = ""
        self.action_message.value = ""
        self._fill_customer()
        self._draw(None)

    def _draw(self, select: str | None) -> None:
        """The table, the picker and the chosen version's panel, from what was read."""
        docs = ordered(self._project_documents())
        ids = [d.id for d in docs]
        current = (
            select
            if select in ids
            else (self.document.value if self.document.value in ids else None)
        )
        current = current or (ids[0] if ids else None)
        n = len(docs)
        self.count.value = (
            f'<div class="wb-note" style="margin:0 0 4px">{fmt.count(n)} '
            f"version{'' if n == 1 else 's'}, newest first per document. Pick one below to "
            "move its status, download, preview or delete it.</div>"
            if n
            else ""
        )
        self.table.value = documents_table_html(docs, current)
        self._quiet = True
        try:
            with self.document.hold_sync():
                self.document.options = [(document_label(d), d.id) for d in docs]
                self.document.value = current
        finally:
            self._quiet = False
        self._show_document()

    def _on_document(self) -> None:
        self.generate_message.value = self.action_message.value = ""
        self.table.value = documents_table_html(
            ordered(self._project_documents()), self.document.value
        )
        self._show_document()

    def _show_document(self) -> None:
        """The chosen version's details, its allowed moves, downloads; the preview cleared."""
        doc = self.selected
        self._show_confirm(False)
        self.pages.children = ()
        self.preview_message.value = ""
        self.panel.layout.display = None if doc else "none"
        if doc is None:
            return
        self.details.value = document_details_html(doc)
        allowed = next_statuses(doc.status)
        for status, button in self.move_buttons.items():
            button.layout.display = None if status in allowed else "none"
        self.moves.layout.display = None if allowed else "none"
        self.note.layout.display = None if allowed else "none"
        self.final_note.value = (
            ""
            if allowed
            else message(
                f"{doc.document_name} v{doc.version} is {doc.status}: its status is final. "
                "Generate a new version to change the document.",
                "info",
            )
        )
        present = set((doc.metadata or {}).get("attachments") or {})
        for part, button in self.downloads.items():
            button.layout.display = None if part == "document" or part in present else "none"
            button.note, button.failed = "", False

    # -- actions ---------------------------------------------------------------------------

    def generate(self) -> None:
        """Generate the next version of the chosen type into the chosen template."""
        if self._busy or not self.project.value:
            return
        self.action_message.value = ""
        kind, template = self.kind.value, self.template.value or None
        button = self.generate_button
        self._busy, button.disabled = True, True
        button.description = "Generating…"
        self.generate_message.value = message(
            f"Writing the {TITLES[kind]} from the project's data…", "info"
        )
        started = time.monotonic()
        try:
            doc = self.ws.documents.generate(
                self.project.value,
                kind,
                template,
                by="dashboard",
                customer=self.customer.value.strip() or None,
            )
        except WorkbenchError as exc:
            self.generate_message.value = message(str(exc))
            return
        finally:
            self._busy, button.disabled = False, False
            button.description = "Generate"
        took = time.monotonic() - started
        self.reload(select=doc.id, documents_only=True)
        self.generate_message.value = message(
            f"Generated {doc.document_name} v{doc.version} ({fmt.file_size(doc.file_size)}) "
            f"from {doc.generated_from_template} in {fmt.number(took, 1)} s: a draft, picked "
            "below.",
            "success",
        )

    def move(self, status: str) -> None:
        """Move the chosen version to ``status`` (with the note, if any)."""
        doc = self.selected
        if doc is None:
            return
        self.generate_message.value = ""  # one message at a time: the latest action's
        try:
            moved = self.ws.documents.set_status(
                doc, status, by="dashboard", note=self.note.value.strip() or None
            )
        except WorkbenchError as exc:
            self.action_message.value = message(str(exc))
            return
        self.note.value = ""
        self.reload(select=moved.id, documents_only=True)
        self.action_message.value = message(
            f"{moved.document_name} v{moved.version} is now "
            f"{STATUS_PHRASES.get(moved.status, moved.status)}"
            + (f" (approved by {moved.approved_by})." if moved.status == "approved" else "."),
            "success",
        )

    def _file(self, part: str) -> tuple[str, bytes, str]:
        doc = self.selected
        if doc is None:
            raise WorkbenchError("Pick a document first.")
        data = self.ws.documents.download(doc, part)
        kind = doc.file_format if part == "document" else part
        return part_filename(doc, part), data, MIME.get(kind, "application/octet-stream")

    def preview(self) -> None:
        """Show the first pages (PDF through LibreOffice, then PNG); a failed conversion shows
        its message instead."""
        doc = self.selected
        if doc is None or self._busy:
            return
        button = self.preview_button
        self._busy, button.disabled = True, True
        button.description = "Converting…"
        self.pages.children = ()
        self.preview_message.value = message(
            "Converting to PDF with LibreOffice (a few seconds the first time)…", "info"
        )
        try:
            images = self.ws.documents.preview(doc, pages=PREVIEW_PAGES, width_px=PREVIEW_WIDTH_PX)
        except WorkbenchError as exc:
            self.preview_message.value = message(str(exc))
            return
        finally:
            self._busy, button.disabled = False, False
            button.description = "Show the first pages"
        if self.selected is None or self.selected.id != doc.id:
            return  # another version was picked meanwhile
        self.preview_message.value = (
            f'<div class="wb-note" style="margin:0">The first {fmt.count(len(images))} '
            f"page{'' if len(images) == 1 else 's'} of {escaped(doc.document_name)} "
            f"v{escaped(doc.version)}, as LibreOffice lays them out (Word may differ "
            "slightly).</div>"
        )
        pages = []
        for data in images:
            image = widgets.Image(
                value=data,
                format="png",
                layout=widgets.Layout(width="420px", height="auto", margin="0 12px 12px 0"),
            )
            image.add_class("wb-doc-page")
            pages.append(image)
        self.pages.children = tuple(pages)

    def ask_delete(self) -> None:
        """Ask before deleting; an approved version also needs the box ticked."""
        doc = self.selected
        if doc is None:
            return
        approved = doc.status == "approved"
        self.confirm_text.value = message(
            f"Delete {doc.document_name} v{doc.version} ({doc.status}) and its files? This "
            "cannot be undone"
            + ("; it is approved, so tick the box to confirm." if approved else "."),
            "info",
        )
        self.force.value = False
        self.force.layout.display = None if approved else "none"
        self._show_confirm(True)
        self._arm_delete()

    def _arm_delete(self) -> None:
        doc = self.selected
        self.confirm_button.disabled = bool(
            doc is not None and doc.status == "approved" and not self.force.value
        )

    def delete(self) -> None:
        """Delete the chosen version (after the confirmation)."""
        doc = self.selected
        if doc is None:
            return
        force = doc.status == "approved" and self.force.value
        self._show_confirm(False)
        self.generate_message.value = ""
        try:
            self.ws.documents.delete(doc, force=force)
        except WorkbenchError as exc:
            self.action_message.value = message(str(exc))
            return
        self.reload(documents_only=True)
        self.action_message.value = message(
            f"Deleted {doc.document_name} v{doc.version} and its files.", "success"
        )

    def _show_confirm(self, shown: bool) -> None:
        self.confirm_box.layout.display = None if shown else "none"
        self.delete_button.disabled = shown


def documents_dashboard(ws: Workbench | None = None, project: Any = None) -> widgets.Widget:
    """The document library dashboard widget (a plain message if the store cannot be opened)."""

    def build() -> widgets.Widget:
        import workbench

        return DocumentsApp(ws or workbench.open(), project).widget

    return dashboard(build)


__all__ = [
    "DocumentsApp",
    "default_template",
    "document_details_html",
    "document_label",
    "documents_dashboard",
    "documents_table_html",
    "last_customer",
    "next_statuses",
    "ordered",
    "part_filename",
    "project_options",
    "status_badge",
    "template_options",
    "type_label",
    "type_options",
]
