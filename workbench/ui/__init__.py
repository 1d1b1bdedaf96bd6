"""Widgets and figures for notebooks and Voila dashboards. Errors become plain messages."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from workbench.errors import WorkbenchError

# The dashboards' shared look: tables, key figures, notes.
STYLE = """<style>
table.wb-grid { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
.wb-scroll { overflow-x: auto; max-width: 100%; }
table.wb-grid th { background: #1f3a5f; color: white; text-align: left; padding: 5px 9px; }
table.wb-grid td { padding: 4px 9px; border-bottom: 1px solid #e3e6ea; }
table.wb-grid td.wb-num, table.wb-grid th.wb-num { text-align: right; white-space: nowrap; }
table.wb-capacity td { white-space: nowrap; }
table.wb-capacity th.wb-num { white-space: normal; }
table.wb-grid tr:nth-child(even) td { background: #f6f7f9; }
table.wb-grid td.wb-short { background: #fdecea !important; color: #b3261e; font-weight: bold; }
.wb-note { color: #52606d; font-size: 12px; margin: -6px 0 12px; }
.wb-kpis { display: flex; flex-wrap: wrap; gap: 10px; margin: 6px 0; }
.wb-kpi { background: #eef3f9; border-radius: 6px; padding: 6px 12px; min-width: 110px; }
.wb-kpi b { display: block; font-size: 18px; color: #1f3a5f; }
.wb-kpi.wb-short { background: #fdecea; } .wb-kpi.wb-short b { color: #b3261e; }
.wb-sev-high { color: #b3261e; font-weight: bold; } .wb-sev-medium { color: #b5531a; }
.wb-clusters select { font-family: inherit; }
</style>"""


def escaped(value: Any) -> str:
    """A value as escaped HTML text, a dash when missing (names come from users and files)."""
    from workbench.formatting import MISSING, is_missing

    return html.escape(MISSING if is_missing(value) else str(value))


def message(text: str, kind: str = "error") -> str:
    """HTML for a short message; ``kind`` is 'error', 'success' or 'info'. Text is escaped."""
    colours = {
        "error": ("#8a1c1c", "#fdecea"),
        "success": ("#1d5e2b", "#e8f5e9"),
        "info": ("#1f3a5f", "#eef3f9"),
    }
    fg, bg = colours[kind]
    return (
        f'<div class="wb-message wb-{kind}" style="color:{fg};background:{bg};'
        f'padding:8px 12px;border-radius:6px;margin:6px 0">{html.escape(text)}</div>'
    )


NO_IMPORT_MESSAGE = (
    "No RVTools import yet. Import one with: workbench rvtools import FILE --project NAME"
)


class ImportChooser:
    """The completed RVTools imports as a dropdown ("project - file (when)"), newest first.

    ``imports`` the records offered; ``dropdown`` the widget; :meth:`first` the import to
    show at start.
    """

    def __init__(self, ws: Any, **layout: str):
        from workbench.formatting import moment

        self.imports = [i for i in ws.rvtools.list() if i.processing_status == "completed"]
        projects = {p.id: p.name for p in ws.projects.list()}
        self.dropdown = widgets.Dropdown(
            options=[
                (
                    f"{projects.get(i.project_id, '?')} - {i.filename} ({moment(i.import_date)})",
                    i.id,
                )
                for i in self.imports
            ],
            description="Import",
            layout=widgets.Layout(width="auto", max_width="100%", **layout),
        )

    def first(self, import_id: str | None) -> str | None:
        """``import_id`` when it is offered, else the newest import (None without any)."""
        if import_id in {i.id for i in self.imports}:
            return import_id
        return self.imports[0].id if self.imports else None


def dashboard(build: Callable[[], Any]) -> Any:
    """Build a dashboard's widget; a :class:`WorkbenchError` shows as a message instead."""
    try:
        return build()
    except WorkbenchError as exc:
        return widgets.HTML(message(str(exc)))
