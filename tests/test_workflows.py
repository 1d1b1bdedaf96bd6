"""ws.workflows: a project's plan stored, scheduled on every change, rolled up, baselined."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.errors import ConflictError, InvalidInputError, NotFoundError, ScheduleCycleError
from workbench.workflows import Workflow, apply_fields, clean_fields, rolled_up_progress

MONDAY = date(2026, 3, 2)


@pytest.fixture
def project(ws):
    return ws.projects.create("Move", "vmware_migration", start_date=MONDAY)


def _dates(ws, project):
    return {w.name: (w.start_date, w.end_date) for w in ws.workflows.list(project)}


def _stored(ws, project):
    """Everything stored about the plan, for "nothing changed" checks."""
    with ws.store.unit_of_work() as session:
        return session.query(
            "SELECT * FROM workflow ORDER BY id; SELECT * FROM workflow_link ORDER BY id;"
            "SELECT * FROM project;"
        )


def test_a_plan_is_scheduled_as_it_is_built(ws, project):
    ws.workflows.add(project, "Assessment", "assessment", duration_days=5)
    ws.workflows.add(project, "Design", "design", duration_days=10, depends_on=["Assessment"])
    ws.workflows.add(
        project,
        "Procurement",
        "hardware_procurement",
        duration_days=20,
        depends_on=[{"workflow": "design", "type": "SS", "lag_days": 3}],
    )
    ws.workflows.add(
        project, "Wave 1", "migration_wave", duration_days=5, depends_on=["Procurement"]
    )
    assert _dates(ws, project) == {
        "Assessment": (date(2026, 3, 2), date(2026, 3, 6)),
        "Design": (date(2026, 3, 7), date(2026, 3, 16)),
        "Procurement": (date(2026, 3, 10), date(2026, 3, 29)),
        "Wave 1": (date(2026, 3, 30), date(2026, 4, 3)),
    }
    stored = ws.projects.get("Move")
    assert stored.scheduled_end_date == date(2026, 4, 3)
    wave = ws.workflows.get("Wave 1", project)
    assert wave.schedule == {
        "late_start": "2026-03-30",
        "late_finish": "2026-04-03",
        "total_float": 0,
        "free_float": 0,
        "critical": True,
    }
    # The seed's dependency list names the predecessors, kept equal to the links.
    procurement = ws.workflows.get("Procurement", project)
    design = ws.workflows.get("Design", project)
    assert procurement.dependencies == (design.id,)
    links = ws.workflows.links(project)
    assert links[["predecessor", "successor", "type", "lag_days"]].values.tolist() == [
        ["Assessment", "Design", "FS", 0],
        ["Design", "Procurement", "SS", 3],
        ["Procurement", "Wave 1", "FS", 0],
    ]


def test_one_workflow_with_links_of_two_types(ws, project):
    ws.workflows.add(project, "A", "design", duration_days=2)
    ws.workflows.add(project, "B", "design", duration_days=6)
    ws.workflows.add(
        project,
        "C",
        "commissioning",
        duration_days=3,
        depends_on=["A", {"workflow": "B", "type": "start_to_start", "lag_days": 2}],
    )
    assert _dates(ws, project)["C"] == (date(2026, 3, 4), date(2026, 3, 6))
    ws.workflows.update("A", project, duration_days=5)
    assert _dates(ws, project)["C"] == (date(2026, 3, 7), date(2026, 3, 9))


def test_the_workflow_defaults_type_and_lag_of_its_links(ws, project):
    ws.workflows.add(project, "A", "design", duration_days=4)
    ws.workflows.add(
        project,
        "B",
        "design",
        duration_days=1,
        depends_on=["A"],
        dependency_type="FF",
        lag_days=2,
    )
    links = ws.workflows.links(project)
    assert links[["type", "lag_days"]].values.tolist() == [["FF", 2]]
    assert _dates(ws, project)["B"] == (date(2026, 3, 7), date(2026, 3, 7))


def test_dates_move_with_every_change_and_the_calendar(ws, project):
    ws.workflows.add(project, "A", "design", duration_days=5)
    ws.workflows.add(project, "B", "design", duration_days=2, depends_on=["A"])
    ws.projects.update(project, calendar="working", holidays=["2026-03-09"])
    # Working days: A Monday-Friday, B skips the weekend and the Monday holiday.
    assert _dates(ws, project) == {
        "A": (date(2026, 3, 2), date(2026, 3, 6)),
        "B": (date(2026, 3, 10), date(2026, 3, 11)),
    }
    ws.projects.update(project, start_date="2026-03-16")
    assert _dates(ws, project)["B"] == (date(2026, 3, 23), date(2026, 3, 24))
    ws.workflows.update("B", project, start_no_earlier_than="2026-04-01")
    assert _dates(ws, project)["B"] == (date(2026, 4, 1), date(2026, 4, 2))
    assert ws.projects.get(project.ref).scheduled_end_date == date(2026, 4, 2)
    ws.workflows.update("B", project, start_no_earlier_than=None)
    assert _dates(ws, project)["B"] == (date(2026, 3, 23), date(2026, 3, 24))


def test_a_deadline_that_cannot_be_met_shows_as_negative_float(ws, project):
    ws.workflows.add(project, "A", "design", duration_days=5, finish_no_later_than="2026-03-04")
    workflow = ws.workflows.get("A", project)
    assert workflow.total_float == -2
    assert workflow.critical
    assert workflow.constraint_type == "finish_no_later_than"


def test_a_loop_is_refused_and_nothing_is_written(ws, project):
    ws.workflows.add(project, "A", "design")
    ws.workflows.add(project, "B", "design", depends_on=["A"])
    ws.workflows.add(project, "C", "design", depends_on=["B"])
    before = _stored(ws, project)
    with pytest.raises(ScheduleCycleError, match="would form a loop: A -> B -> C -> A") as caught:
        ws.workflows.link("C", "A", project)
    assert caught.value.loop == ["A", "B", "C"]
    with pytest.raises(ScheduleCycleError):
        ws.workflows.update("A", project, depends_on=["C"])
    assert _stored(ws, project) == before


def test_a_workflow_cannot_complete_before_its_finish_predecessors(ws, project):
    ws.workflows.add(project, "Build", "commissioning", duration_days=5)
    ws.workflows.add(project, "Docs", "other", depends_on=[{"workflow": "Build", "type": "FF"}])
    ws.workflows.add(project, "Test", "other", depends_on=[{"workflow": "Build", "type": "SS"}])
    with pytest.raises(InvalidInputError, match="finish-to-finish predecessor “Build”"):
        ws.workflows.update("Docs", project, status="completed")
    ws.workflows.update("Test", project, status="completed")  # start-to-start: allowed
    ws.workflows.update("Build", project, progress_percentage=100)
    assert ws.workflows.get("Build", project).status == "completed"
    assert ws.workflows.update("Docs", project, status="completed").progress_percentage == 100


def test_project_progress_is_the_duration_weighted_mean(ws, project):
    ws.workflows.add(project, "Long", "design", duration_days=30)
    ws.workflows.add(project, "Short", "design", duration_days=10)
    ws.workflows.add(project, "Dropped", "design", duration_days=50)
    ws.workflows.update("Short", project, progress_percentage=100)
    ws.workflows.update("Long", project, progress_percentage=20)
    ws.workflows.update("Dropped", project, status="cancelled")
    # (30 x 20 + 10 x 100) / 40 = 40; the cancelled one counts for nothing.
    assert ws.projects.get("Move").progress_percentage == 40


def test_status_and_progress_stay_consistent():
    blank = Workflow(id="w", project_id="p", name="A", workflow_type="design")
    assert apply_fields(blank, clean_fields({"progress_percentage": 30}, changes=True)).status == (
        "in_progress"
    )
    done = apply_fields(blank, clean_fields({"status": "completed"}, changes=True))
    assert done.progress_percentage == 100
    with pytest.raises(InvalidInputError, match="completed means 100 %"):
        apply_fields(
            blank, clean_fields({"status": "completed", "progress_percentage": 50}, changes=True)
        )
    with pytest.raises(InvalidInputError, match="give its progress too"):
        apply_fields(done, clean_fields({"status": "in_progress"}, changes=True))
    assert rolled_up_progress([]) is None
    milestones = [
        Workflow(
            id=k,
            project_id="p",
            name=k,
            workflow_type="other",
            duration_days=0,
            progress_percentage=v,
        )
        for k, v in (("a", 0), ("b", 100))
    ]
    assert rolled_up_progress(milestones) == 50


def test_deleting_a_workflow_takes_its_links_and_reschedules(ws, project):
    ws.workflows.add(project, "A", "design", duration_days=5)
    ws.workflows.add(project, "B", "design", duration_days=5, depends_on=["A"])
    ws.workflows.add(project, "C", "design", duration_days=5, depends_on=["B"])
    ws.workflows.delete("B", project)
    assert _dates(ws, project)["C"] == (MONDAY, date(2026, 3, 6))
    assert ws.workflows.links(project).empty
    with ws.store.unit_of_work() as session:
        assert session.one("SELECT VALUE id FROM workflow_link") == []


def test_deleting_the_project_takes_its_plan(ws, project):
    ws.workflows.add(project, "A", "design")
    ws.workflows.add(project, "B", "design", depends_on=["A"])
    ws.workflows.save_baseline(project, "v1")
    ws.projects.delete(project)
    with ws.store.unit_of_work() as session:
        counts = session.query(
            "SELECT VALUE id FROM workflow; SELECT VALUE id FROM workflow_link;"
            "SELECT VALUE id FROM workflow_baseline;"
        )
    assert counts == [[], [], []]


def test_names_are_unique_within_a_project_ignoring_case(ws, project):
    ws.workflows.add(project, "Design", "design")
    with pytest.raises(ConflictError, match="already has a workflow named “Design”"):
        ws.workflows.add(project, " DESIGN ", "design")
    other = ws.projects.create("Other", "hardware_refresh", start_date=MONDAY)
    ws.workflows.add(other, "Design", "design")  # another project: fine
    with pytest.raises(ConflictError):
        ws.workflows.add(project, "Build", "design")
        ws.workflows.update("Build", project, name="design")
    assert sorted(w.name for w in ws.workflows.list(project)) == ["Build", "Design"]


def test_workflows_are_named_by_id_or_by_name_within_their_project(ws, project):
    made = ws.workflows.add(project, "A", "design")
    assert ws.workflows.get(made.ref).name == "A"
    assert ws.workflows.get("  a ", project).id == made.id
    with pytest.raises(InvalidInputError, match="give its project"):
        ws.workflows.get("A")
    with pytest.raises(NotFoundError, match="No workflow named “B”"):
        ws.workflows.get("B", project)
    with pytest.raises(NotFoundError, match="No workflow with id workflow:nope"):
        ws.workflows.get("workflow:nope")
    other = ws.projects.create("Other", "hardware_refresh")
    with pytest.raises(NotFoundError):
        ws.workflows.get(made.ref, other)  # an id of another project's workflow
    # A workflow named like another's id is a name, never that id.
    ws.workflows.add(project, made.id, "design")
    assert ws.workflows.get(made.id, project).name == made.id


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"workflow_type": "party"}, "Type must be one of"),
        ({"duration_days": -1}, "Duration must be a whole number of days from 0"),
        ({"duration_days": 2.5}, "Duration must be a whole number"),
        ({"progress_percentage": 101}, "Progress must be a whole number from 0 to 100"),
        ({"status": "done"}, "Status must be one of"),
        ({"dependency_type": "FX"}, "not one of FS, SS, FF, SF"),
        ({"lag_days": 10**6}, "Lag must be a whole number of days"),
        ({"start_no_earlier_than": "soon"}, "must be a date like 2026-03-31"),
        (
            {"start_no_earlier_than": "2026-03-03", "finish_no_later_than": "2026-03-09"},
            "one date constraint",
        ),
        ({"assigned_to": [1]}, "Assigned to must be text"),
        ({"start_date": "2026-03-03"}, "Dates are computed"),
        ({"name": "\u200b"}, "Name has no visible character"),
        ({"name": "bad\ud800"}, "not valid text"),
        ({"depends_on": ["Nobody"]}, "No workflow named “Nobody”"),
        ({"depends_on": [{"workflow": "A", "kind": "FS"}]}, "A dependency is a workflow"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_written(ws, project, fields, message):
    ws.workflows.add(project, "A", "design")
    before = _stored(ws, project)
    values = {"workflow_type": "design", **fields}
    with pytest.raises((InvalidInputError, NotFoundError), match=message):
        ws.workflows.add(project, values.pop("name", "B"), values.pop("workflow_type"), **values)
    assert _stored(ws, project) == before


def test_a_link_is_replaced_not_doubled_and_can_be_removed(ws, project):
    ws.workflows.add(project, "A", "design", duration_days=3)
    ws.workflows.add(project, "B", "design", duration_days=2, depends_on=["A"])
    ws.workflows.link("A", "B", project, type="SS", lag_days=1)
    assert ws.workflows.links(project)[["type", "lag_days"]].values.tolist() == [["SS", 1]]
    assert _dates(ws, project)["B"] == (date(2026, 3, 3), date(2026, 3, 4))
    ws.workflows.unlink("A", "B", project)
    assert ws.workflows.links(project).empty
    assert ws.workflows.get("B", project).dependencies == ()
    with pytest.raises(NotFoundError, match="does not depend on"):
        ws.workflows.unlink("A", "B", project)
    with pytest.raises(InvalidInputError, match="cannot depend on itself"):
        ws.workflows.link("A", "A", project)


def test_a_baseline_measures_slippage(ws, project):
    ws.workflows.add(project, "A", "design", duration_days=5)
    ws.workflows.add(project, "B", "design", duration_days=5, depends_on=["A"])
    saved = ws.workflows.save_baseline(project, "Plan of record")
    assert saved["workflows"] == 2
    assert saved["project_finish"] == date(2026, 3, 11)
    ws.workflows.update("A", project, duration_days=8)
    ws.workflows.add(project, "C", "design", duration_days=1)
    variance = ws.workflows.variance(project).set_index("name")
    assert variance.loc["A", "start_variance_days"] == 0
    assert variance.loc["A", "finish_variance_days"] == 3
    assert variance.loc["B", "start_variance_days"] == 3
    assert variance.loc["C", "finish_variance_days"] is pd_na()
    with pytest.raises(ConflictError, match="already has a baseline named"):
        ws.workflows.save_baseline(project, "plan of RECORD")
    ws.workflows.save_baseline(project, "Re-plan")
    assert [b["name"] for b in ws.workflows.baselines(project)] == ["Plan of record", "Re-plan"]
    assert (ws.workflows.variance(project)["finish_variance_days"].fillna(0) == 0).all()
    assert ws.workflows.variance(project, "plan of record")["baseline"].iloc[0] == "Plan of record"
    ws.workflows.delete_baseline(project, "re-plan")
    with pytest.raises(NotFoundError, match="no baseline named 'Re-plan'"):
        ws.workflows.variance(project, "Re-plan")


def pd_na():
    import pandas as pd

    return pd.NA


def test_a_plan_without_a_project_start_starts_today(ws):
    bare = ws.projects.create("Undated", "new_solution")
    ws.workflows._today = lambda: date(2026, 5, 4)
    ws.workflows.add(bare, "A", "design", duration_days=2)
    assert ws.projects.get("Undated").start_date == date(2026, 5, 4)
    assert _dates(ws, bare)["A"] == (date(2026, 5, 4), date(2026, 5, 5))


def test_nested_values_are_replaced_not_merged(ws, project):
    ws.workflows.add(project, "A", "design", hardware_requirements={"hosts": 4, "vcpus": 100})
    ws.workflows.update("A", project, hardware_requirements={"hosts": 6})
    assert ws.workflows.get("A", project).hardware_requirements == {"hosts": 6}


def test_the_status_rule_holds_for_adds_links_and_reopening(ws, project):
    ws.workflows.add(project, "A", "design")
    with pytest.raises(InvalidInputError, match="“B” cannot be completed before"):
        ws.workflows.add(project, "B", "design", status="completed", depends_on=["A"])
    ws.workflows.add(project, "C", "design", status="completed")
    with pytest.raises(InvalidInputError, match="“C” cannot be completed before"):
        ws.workflows.link("A", "C", project)
    ws.workflows.update("A", project, status="completed")
    ws.workflows.link("A", "C", project)
    with pytest.raises(InvalidInputError, match="“A” cannot be in progress while its"):
        ws.workflows.update("A", project, status="in_progress", progress_percentage=50)
    assert ws.workflows.get("A", project).status == "completed"


def test_project_changes_that_replan_keep_their_rules(ws, project):
    ws.workflows.add(project, "A", "design")
    ws.projects.create("Other", "new_solution")
    with pytest.raises(InvalidInputError, match="cannot be cleared: its workflows"):
        ws.projects.update(project, start_date=None)
    with pytest.raises(ConflictError, match="A project named 'other' already exists"):
        ws.projects.update(project, name="other", start_date="2026-04-01")
    assert ws.projects.get(project.ref).start_date == MONDAY
