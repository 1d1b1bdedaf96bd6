"""The projects dashboard's widgets, driven without a browser."""

from __future__ import annotations

from datetime import date

from workbench.ui.projects import NEW, ProjectsApp, projects_dashboard


def test_form_creates_and_table_filters(ws):
    ws.load_demo()
    app = ProjectsApp(ws)
    assert "<b>6</b>" in app.count.value
    assert app.buttons.children == (app.create_button,)
    app.name.value = "<script>alert(1)</script>"
    app.start_date.value = date(2026, 3, 1)
    app.target_end_date.value = date(2026, 2, 1)
    app.create_button.click()
    # The form's own labels, no field names, no reprs.
    assert (
        "Target end date (2026-02-01) is before the start date (2026-03-01)"
        in app.form_message.value
    )
    assert "target_end_date" not in app.form_message.value and ws.projects.count() == 6
    app.target_end_date.value = date(2026, 9, 1)
    app.create_button.click()
    assert "wb-success" in app.form_message.value and ws.projects.count() == 7
    assert "<script>" not in app.table.value and "&lt;script&gt;" in app.table.value
    assert app.name.value == "" and app.picker.value == NEW
    app.text_filter.value = "script"
    assert app.count.value == "<b>1</b> project"
    app.status_filter.value = "completed"
    assert "No projects match" in app.table.value


def test_table_reads_as_labels_dates_and_percentages(ws):
    ws.projects.create(
        "Contoso exit",
        "vmware_migration",
        status="on_hold",
        start_date="2026-01-05",
        progress_percentage=40,
    )
    html = ProjectsApp(ws).table.value
    assert (
        "VMware migration" in html and "On hold" in html and "2026-01-05" in html and "40%" in html
    )
    assert "vmware_migration" not in html and "00:00" not in html


def test_edit_every_field_then_delete_with_confirmation(ws):
    ws.projects.create("O'Brien's move", "vmware_migration", start_date="2026-01-05")
    app = ProjectsApp(ws)
    ref = ws.projects.get("O'Brien's move").ref
    app.picker.value = ref
    assert app.name.value == "O'Brien's move" and app.buttons.children == (
        app.save_button,
        app.delete_button,
    )

    app.progress.value = 250  # the slider clamps; a bad end date is refused in plain words
    app.target_end_date.value = date(2025, 12, 31)
    app.save_button.click()
    assert (
        "Target end date (2025-12-31) is before the start date (2026-01-05)"
        in app.form_message.value
    )
    assert "\\'" not in app.form_message.value

    app.name.value = "O'Brien's move, phase 2"
    app.project_type.value = "hardware_refresh"
    app.status.value = "active"
    app.priority.value = "high"
    app.target_end_date.value = date(2026, 6, 30)
    app.actual_end_date.value = date(2026, 6, 1)
    app.progress.value = 65
    app.team.value = "Ana, Bram"
    app.description.value = "Second wave"
    app.save_button.click()
    saved = ws.projects.get(ref)
    assert "wb-success" in app.form_message.value
    assert (saved.name, saved.project_type, saved.status, saved.priority) == (
        "O'Brien's move, phase 2",
        "hardware_refresh",
        "active",
        "high",
    )
    assert (saved.target_end_date, saved.actual_end_date, saved.progress_percentage) == (
        date(2026, 6, 30),
        date(2026, 6, 1),
        65,
    )
    assert saved.assigned_team == ("Ana", "Bram") and saved.description == "Second wave"
    assert "phase 2" in app.table.value

    app.description.value = ""
    app.save_button.click()
    assert ws.projects.get(ref).description is None  # emptied means cleared

    app.delete_button.click()
    assert app.confirm_box.layout.display is None and "cannot be undone" in app.confirm_text.value
    app.cancel_button.click()
    assert ws.projects.count() == 1 and app.confirm_box.layout.display == "none"
    app.delete_button.click()
    app.confirm_button.click()
    assert (
        ws.projects.count() == 0 and "Deleted" in app.form_message.value and app.picker.value == NEW
    )


def test_contradicting_filters_give_a_hint(ws):
    ws.projects.create("A", "new_solution", start_date="2026-03-01")
    app = ProjectsApp(ws)
    app.starts_from.value = date(2026, 5, 1)
    app.starts_until.value = date(2026, 4, 1)
    assert (
        "is after" in app.filter_message.value
        and "no project can match" in app.filter_message.value
    )


def test_dashboard_shows_a_message_when_the_store_cannot_open(monkeypatch):
    monkeypatch.setenv("WORKBENCH_DB", "nosuch://x")
    widget = projects_dashboard()
    assert "is not understood" in widget.value
