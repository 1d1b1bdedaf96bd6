"""Project rules (pure) and the projects facade on an in-memory store."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import workbench
from workbench.errors import ConflictError, InvalidInputError, NotFoundError
from workbench.projects import (
    PRIORITIES,
    PROJECT_STATUSES,
    PROJECT_TYPES,
    parse_date,
    validate_changes,
    validate_filter,
    validate_new,
)
from workbench.text import is_visible

# -- pure rules ------------------------------------------------------------------------------


def test_defaults_are_filled_and_text_trimmed():
    clean = validate_new({"name": "  Alpha  ", "project_type": "hardware_refresh"})
    assert clean == {
        "name": "Alpha",
        "project_type": "hardware_refresh",
        "status": "planning",
        "priority": "medium",
        "progress_percentage": 0,
    }


@pytest.mark.parametrize(
    "values, fragment",
    [
        ({"project_type": "vmware_migration"}, "Name is required"),
        ({"name": "   ", "project_type": "vmware_migration"}, "Name must not be empty"),
        ({"name": "x" * 201, "project_type": "vmware_migration"}, "longer than 200"),
        ({"name": "a\x00b", "project_type": "vmware_migration"}, "control characters"),
        ({"name": "A"}, "Type is required"),
        ({"name": "A", "project_type": "vmware"}, "Type must be one of"),
        ({"name": "A", "project_type": "new_solution", "status": "done"}, "Status must be one of"),
        (
            {"name": "A", "project_type": "new_solution", "priority": "urgent"},
            "Priority must be one of",
        ),
        (
            {"name": "A", "project_type": "new_solution", "progress_percentage": 101},
            "from 0 to 100",
        ),
        ({"name": "A", "project_type": "new_solution", "progress_percentage": -1}, "from 0 to 100"),
        (
            {"name": "A", "project_type": "new_solution", "progress_percentage": 5.5},
            "from 0 to 100",
        ),
        (
            {"name": "A", "project_type": "new_solution", "progress_percentage": True},
            "from 0 to 100",
        ),
        (
            {"name": "A", "project_type": "new_solution", "start_date": "31/12/2026"},
            "must be a date",
        ),
        (
            {"name": "A", "project_type": "new_solution", "start_date": "2026-02-30"},
            "must be a date",
        ),
        (
            {
                "name": "A",
                "project_type": "new_solution",
                "start_date": "2026-05-01",
                "target_end_date": "2026-04-30",
            },
            "before the start date",
        ),
        ({"name": "A", "project_type": "new_solution", "colour": "red"}, "Unknown project field"),
        (
            {"name": "A", "project_type": "new_solution", "metadata": ["x"]},
            "Metadata must be a mapping",
        ),
    ],
)
def test_invalid_new_projects_are_refused_with_a_reason(values, fragment):
    with pytest.raises(InvalidInputError, match=fragment) as caught:
        validate_new(values)
    # Messages speak labels, never field names or Python reprs; forms find the field.
    text = str(caught.value)
    assert caught.value.field in {*values, "name", "project_type"} and "\\" not in text
    if not text.startswith("Unknown project field"):
        assert caught.value.field not in text.split(";")[0], text


def test_messages_quote_values_without_reprs():
    with pytest.raises(InvalidInputError) as caught:
        validate_new({"name": "A", "project_type": "new_solution", "start_date": "O'Brien's day"})
    assert "“O'Brien's day”" in str(caught.value) and caught.value.field == "start_date"


def test_contradicting_filters_say_so():
    with pytest.raises(
        InvalidInputError, match="“Starts from” .* is after “Starts until”.*no project can match"
    ):
        validate_filter(starts_from="2026-05-01", starts_until="2026-04-01")
    with pytest.raises(InvalidInputError, match="Ends from"):
        validate_filter(ends_from="2026-05-01", ends_until="2026-04-01")
    assert validate_filter(starts_from="2026-04-01", starts_until="2026-04-01").starts_from == date(
        2026, 4, 1
    )


def test_changes_are_judged_on_the_project_after_the_change():
    current = workbench.Project(
        id="p", name="A", project_type="new_solution", start_date=date(2026, 1, 1)
    )
    with pytest.raises(InvalidInputError, match="before the start date"):
        validate_changes(current, {"target_end_date": "2025-12-31"})
    assert (
        validate_changes(current, {"start_date": None, "target_end_date": "2025-12-31"})[
            "start_date"
        ]
        is None
    )
    with pytest.raises(InvalidInputError, match="cannot be cleared"):
        validate_changes(current, {"name": None})


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_dates_read_back_whatever_form_they_come_in(day):
    assert parse_date(day) == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(datetime(day.year, day.month, day.day, 13, 5)) == day
    assert parse_date(pd.Timestamp(day)) == day


@given(
    name=st.text(min_size=1, max_size=200).filter(
        lambda s: (
            is_visible(s)
            and not any(unicodedata.category(c) == "Cc" for c in s)
            and not s.strip().casefold().startswith("project:")
        )
    ),
    project_type=st.sampled_from(PROJECT_TYPES),
    status=st.sampled_from(PROJECT_STATUSES),
    priority=st.sampled_from(PRIORITIES),
    progress=st.integers(0, 100),
    start=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    days=st.integers(0, 3000),
)
def test_every_valid_project_is_accepted(
    name, project_type, status, priority, progress, start, days
):
    end = start + timedelta(days=days) if start else None
    clean = validate_new(
        dict(
            name=name,
            project_type=project_type,
            status=status,
            priority=priority,
            progress_percentage=progress,
            start_date=start,
            target_end_date=end,
        )
    )
    assert (
        clean["name"] == unicodedata.normalize("NFC", name).strip()
        and clean["progress_percentage"] == progress
    )


# -- facade on mem:// ------------------------------------------------------------------------


def make_some(ws):
    ws.projects.create(
        "Alpha migration",
        "vmware_migration",
        status="active",
        priority="high",
        start_date="2026-01-10",
        target_end_date="2026-06-30",
        description="Move the Paris farm",
    )
    ws.projects.create(
        "Beta refresh",
        "hardware_refresh",
        status="planning",
        priority="low",
        start_date="2026-03-01",
        target_end_date="2026-09-30",
    )
    ws.projects.create(
        "Gamma plan",
        "lifecycle_planning",
        status="completed",
        priority="medium",
        start_date="2025-05-01",
        target_end_date="2025-12-31",
        progress_percentage=100,
    )
    ws.projects.create("Delta", "new_solution")


def names(projects):
    return [p.name for p in projects]


def test_create_get_update_delete_round_trip(ws):
    created = ws.projects.create(
        "Alpha",
        "vmware_migration",
        start_date=date(2026, 1, 1),
        assigned_team=["Ana", "Bram", "Ana"],
        metadata={"client": {"code": 7}},
    )
    assert created.id and created.status == "planning" and created.assigned_team == ("Ana", "Bram")
    assert (
        ws.projects.get(created)
        == created
        == ws.projects.get("Alpha")
        == ws.projects.get(f"project:{created.id}")
    )
    assert ws.projects.get(created.ref).metadata == {"client": {"code": 7}}

    updated = ws.projects.update(
        "Alpha", status="active", progress_percentage=40, description="now running"
    )
    assert (updated.status, updated.progress_percentage, updated.description) == (
        "active",
        40,
        "now running",
    )
    assert updated.created_at == created.created_at and updated.updated_at > created.updated_at
    assert ws.projects.update(created.ref, description=None).description is None

    ws.projects.delete("Alpha")
    with pytest.raises(NotFoundError):
        ws.projects.get(created.ref)
    with pytest.raises(NotFoundError):
        ws.projects.delete("Alpha")


def test_filters(ws):
    make_some(ws)
    assert names(ws.projects.list()) == ["Gamma plan", "Alpha migration", "Beta refresh", "Delta"]
    assert names(ws.projects.list(status="active")) == ["Alpha migration"]
    assert names(ws.projects.list(status=["active", "planning"])) == [
        "Alpha migration",
        "Beta refresh",
        "Delta",
    ]
    assert names(ws.projects.list(project_type="hardware_refresh")) == ["Beta refresh"]
    assert names(ws.projects.list(priority=["low", "high"])) == ["Alpha migration", "Beta refresh"]
    assert names(ws.projects.list(starts_from="2026-01-01")) == ["Alpha migration", "Beta refresh"]
    assert names(ws.projects.list(starts_until="2026-01-10")) == ["Gamma plan", "Alpha migration"]
    assert names(ws.projects.list(ends_from="2026-07-01", ends_until="2026-12-31")) == [
        "Beta refresh"
    ]
    assert names(ws.projects.list(text="PARIS")) == ["Alpha migration"]
    assert names(ws.projects.list(text="ta")) == ["Beta refresh", "Delta"]
    assert names(ws.projects.list(status="active", text="beta")) == []
    with pytest.raises(InvalidInputError):
        ws.projects.list(status="running")


def test_frame_columns_and_types(ws):
    make_some(ws)
    frame = ws.projects.frame(status="completed")
    assert list(frame["name"]) == ["Gamma plan"]
    assert frame.loc[0, "start_date"] == pd.Timestamp("2025-05-01")
    assert str(frame["progress_percentage"].dtype) == "int64"
    assert ws.projects.frame(text="nothing").empty


def test_names_are_unique(ws):
    ws.projects.create("Alpha", "vmware_migration")
    with pytest.raises(ConflictError, match="already exists"):
        ws.projects.create("Alpha", "new_solution")
    ws.projects.create("Beta", "vmware_migration")
    with pytest.raises(ConflictError, match="already exists"):
        ws.projects.update("Beta", name="Alpha")
    assert ws.projects.count() == 2


def test_refused_update_changes_nothing(ws):
    before = ws.projects.create("Alpha", "vmware_migration", start_date="2026-01-01")
    with pytest.raises(InvalidInputError):
        ws.projects.update("Alpha", status="active", target_end_date="2025-01-01")
    assert ws.projects.get("Alpha") == before


def test_delete_cascades_to_workflows_but_not_past_allocated_servers(ws):
    project = ws.projects.create("Alpha", "vmware_migration")
    pid = workbench.store.record_id("project", project.id)
    with ws.store.unit_of_work() as session:
        session.query(
            "CREATE workflow CONTENT {project_id: $p, name: 'Wave 1', workflow_type: 'migration_wave'}",
            {"p": pid},
        )
        server = session.one(
            "CREATE ONLY server_inventory CONTENT {server_name: 'esx01', status: 'allocated', allocated_to_project: $p}",
            {"p": pid},
        )
    with pytest.raises(ConflictError, match="servers allocated"):
        ws.projects.delete("Alpha")
    assert ws.store.query("SELECT count() AS n FROM workflow GROUP ALL")[0][0]["n"] == 1
    ws.store.query(
        "UPDATE $s SET status = 'available', allocated_to_project = NONE", {"s": server["id"]}
    )
    ws.projects.delete("Alpha")
    assert ws.store.query("SELECT * FROM workflow")[0] == []
    assert ws.projects.count() == 0


def test_demo_data_loads_once(ws):
    assert ws.load_demo(if_empty=True) == 6
    assert ws.load_demo(if_empty=True) == 0
    assert ws.load_demo() == 0
    statuses = {p.status for p in ws.projects.list()}
    assert {"completed", "active", "planning"} <= statuses


def test_inclusive_date_bounds_on_the_compound_index(ws):
    """Regression: SurrealDB 3.2.4 dropped rows equal to a `<=` bound on idx_project_dates."""
    ws.projects.create(
        "On the day", "new_solution", start_date="2026-01-10", target_end_date="2026-02-01"
    )
    ws.projects.create("Same day, no end", "new_solution", start_date="2026-01-10")
    ws.projects.create(
        "Day after", "new_solution", start_date="2026-01-11", target_end_date="2026-02-02"
    )
    ws.projects.create("Undated", "new_solution")
    assert set(names(ws.projects.list(starts_until="2026-01-10"))) == {
        "On the day",
        "Same day, no end",
    }
    assert set(names(ws.projects.list(starts_from="2026-01-10", starts_until="2026-01-10"))) == {
        "On the day",
        "Same day, no end",
    }
    assert names(ws.projects.list(ends_until="2026-02-01")) == ["On the day"]
    assert names(ws.projects.list(ends_from="2026-02-02")) == ["Day after"]
