"""Workflow templates: the shipped sets, stored sets, and a set made into a project's plan."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from workbench.errors import ConflictError, InvalidInputError, NotFoundError, ScheduleCycleError
from workbench.projects import PROJECT_TYPES
from workbench.templates import SHIPPED, check_set, sets


def test_every_project_type_has_a_shipped_set_that_schedules():
    shipped = sets([])
    assert set(shipped) == set(PROJECT_TYPES)
    for items in shipped.values():
        check_set(items)  # names unique, links inside the set, no loop
    names = [t.workflow_name for t in shipped["vmware_migration"]]
    assert names == [
        "Assessment",
        "Design",
        "Hardware procurement",
        "Commissioning",
        "Migration waves",
        "Decommissioning",
    ]
    kinds = {link.type for t in SHIPPED for link in t.links}
    assert kinds == {"finish_to_start", "start_to_start", "finish_to_finish"}


def test_instantiating_a_set_builds_the_linked_plan(ws):
    project = ws.projects.create(
        "Move", "vmware_migration", start_date=date(2026, 3, 2), calendar="working"
    )
    made = ws.workflows.instantiate(project, durations={"design": 20})
    assert [w.name for w in made][:2] == ["Assessment", "Design"]
    frame = ws.workflows.frame(project).set_index("name")
    assert frame.loc["Design", "duration_days"] == 20
    assert frame.loc["Hardware procurement", "depends_on"] == "Design (SS+10)"
    assert frame.loc["Decommissioning", "depends_on"] == "Migration waves (FS+5)"
    # Assessment 10 working days from Monday 2 March: to Friday 13 March; Design 20 days
    # from the 16th; procurement starts 10 working days into design (30 March).
    assert frame.loc["Assessment", "end_date"] == pd.Timestamp("2026-03-13")
    assert frame.loc["Hardware procurement", "start_date"] == pd.Timestamp("2026-03-30")
    assert frame["critical"].all()
    assert ws.workflows.get("Design", project).wizard_state == {
        "template": "VMware migration: Design"
    }
    with pytest.raises(ConflictError, match="already has a workflow named “Assessment”"):
        ws.workflows.instantiate(project)
    assert len(ws.workflows.list(project)) == 6


def test_a_set_can_follow_an_existing_workflow(ws):
    project = ws.projects.create("Refresh", "hardware_refresh", start_date=date(2026, 3, 2))
    ws.workflows.add(project, "Kick-off", "other", duration_days=2)
    ws.workflows.instantiate(project, "lifecycle_planning", after="Kick-off")
    frame = ws.workflows.frame(project).set_index("name")
    assert frame.loc["Inventory review", "depends_on"] == "Kick-off (FS)"
    assert frame.loc["Inventory review", "start_date"] == pd.Timestamp("2026-03-04")
    with pytest.raises(NotFoundError, match="No template set named 'nope'"):
        ws.workflows.instantiate(project, "nope")
    with pytest.raises(NotFoundError, match="durations"):
        ws.workflows.instantiate(project, "new_solution", durations={"Nothing": 3})
    assert len(ws.workflows.list(project)) == 5  # nothing of the refused sets was written


def test_changing_a_shipped_set_copies_it_into_the_store(ws):
    ws.workflows.save_template(
        "VMware migration: Pilot wave",
        "vmware_migration",
        "migration_wave",
        workflow_name="Pilot wave",
        default_duration_days=5,
        depends_on=[{"after": "Commissioning", "type": "FS", "lag_days": 2}],
        position=5,
    )
    table = ws.workflows.templates("vmware_migration")
    assert len(table) == 7 and not table["shipped"].any()
    assert table.set_index("workflow_name").loc["Pilot wave", "depends_on"] == (
        "Commissioning (FS+2)"
    )
    ws.workflows.delete_template("vmware migration: pilot wave")
    assert len(ws.workflows.templates("vmware_migration")) == 6
    assert ws.workflows.templates("new_solution")["shipped"].all()  # untouched sets stay


def test_a_new_set_of_ones_own(ws):
    ws.workflows.save_template("DR test: Prepare", "dr_test", "other", workflow_name="Prepare")
    ws.workflows.save_template(
        "DR test: Fail over", "dr_test", "other", workflow_name="Fail over",
        default_duration_days=1, depends_on=["Prepare"],
    )  # fmt: skip
    assert list(ws.workflows.templates("dr_test")["workflow_name"]) == ["Prepare", "Fail over"]
    project = ws.projects.create("DR", "new_solution", start_date=date(2026, 3, 2))
    ws.workflows.instantiate(project, "dr_test")
    assert ws.workflows.frame(project)["depends_on"].tolist() == ["", "Prepare (FS)"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"depends_on": ["Nowhere"]}, InvalidInputError, "does not make"),
        ({"workflow_type": "party"}, InvalidInputError, "Type must be one of"),
        ({"default_duration_days": -3}, InvalidInputError, "Duration must be a whole number"),
        ({"depends_on": [{"after": "Prepare", "type": "XX"}]}, InvalidInputError, "not one of FS"),
    ],
)
def test_bad_templates_are_refused(ws, kwargs, error, message):
    ws.workflows.save_template("DR test: Prepare", "dr_test", "other", workflow_name="Prepare")
    values = {"workflow_type": "other", **kwargs}
    with pytest.raises(error, match=message):
        ws.workflows.save_template("DR test: X", "dr_test", values.pop("workflow_type"), **values)
    assert list(ws.workflows.templates("dr_test")["workflow_name"]) == ["Prepare"]


def test_a_looping_set_is_refused(ws):
    ws.workflows.save_template("L: a", "loop", "other", workflow_name="a")
    ws.workflows.save_template("L: b", "loop", "other", workflow_name="b", depends_on=["a"])
    with pytest.raises(ScheduleCycleError, match="loops: (a -> b -> a|b -> a -> b)"):
        ws.workflows.save_template("L: a", "loop", "other", workflow_name="a", depends_on=["b"])


def test_a_set_keeps_its_last_template(ws):
    names = list(ws.workflows.templates("hardware_refresh")["name"])
    for name in reversed(names[1:]):
        ws.workflows.delete_template(name)
    with pytest.raises(InvalidInputError, match="the last template of set 'hardware_refresh'"):
        ws.workflows.delete_template(names[0])
    assert list(ws.workflows.templates("hardware_refresh")["name"]) == names[:1]
