"""Widgets and figures for notebooks and Voila dashboards. Errors become plain messages."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from workbench.errors import WorkbenchError


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


def dashboard(build: Callable[[], Any]) -> Any:
    """Build a dashboard's widget; a :class:`WorkbenchError` shows as a message instead."""
    try:
        return build()
    except WorkbenchError as exc:
        return widgets.HTML(message(str(exc)))
