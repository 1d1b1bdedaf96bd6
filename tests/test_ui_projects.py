"""The projects dashboard's widgets, driven without a browser."""

from __future__ import annotations

from datetime import date

from workbench.ui.projects import ProjectsApp, projects_dashboard


def test_form_creates_and_table_filters(ws):
    ws.load_demo()
    app = ProjectsApp(ws)
    assert "<b>6</b>" in app.count.value
    app.name.value = "<script>alert(1)</script>"
    app.start_date.value = date(2026, 3, 1)
    app.target_end_date.value = date(2026, 2, 1)
    app.create_button.click()
    assert "before start_date" in app.form_message.value and ws.projects.count() == 6
    app.target_end_date.value = date(2026, 9, 1)
    app.create_button.click()
    assert "wb-success" in app.form_message.value and ws.projects.count() == 7
    assert "<script>" not in app.table.value and "&lt;script&gt;" in app.table.value
    assert app.name.value == ""
    app.text_filter.value = "script"
    assert app.count.value == "<b>1</b> project"
    app.status_filter.value = "completed"
    assert "No projects match" in app.table.value


def test_dashboard_shows_a_message_when_the_store_cannot_open(monkeypatch):
    monkeypatch.setenv("WORKBENCH_DB", "nosuch://x")
    widget = projects_dashboard()
    assert "is not understood" in widget.value
