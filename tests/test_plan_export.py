"""A project's plan exported as .xlsx and as MS Project XML, read back with MPXJ."""

from __future__ import annotations

import shutil
from datetime import date

import openpyxl
import pytest

from tests.conftest import require
from workbench.errors import InvalidInputError, NotFoundError


@pytest.fixture
def planned(ws):
    project = ws.projects.create(
        "Move", "vmware_migration", start_date=date(2026, 3, 30), calendar="working",
        holidays=["2026-04-03", "2026-04-06"], target_end_date=date(2026, 5, 1),
    )  # fmt: skip
    ws.workflows.add(project, "Assessment", "assessment", duration_days=5, progress_percentage=60)
    ws.workflows.add(project, "Design", "design", duration_days=8, depends_on=["Assessment"])
    ws.workflows.add(
        project, "Procurement", "hardware_procurement", duration_days=10,
        depends_on=[{"workflow": "Design", "type": "SS", "lag_days": 3}],
    )  # fmt: skip
    ws.workflows.add(
        project, "Runbook", "other", duration_days=4,
        depends_on=[{"workflow": "Design", "type": "FF", "lag_days": 2}],
    )  # fmt: skip
    ws.workflows.add(
        project, "Old support", "lifecycle_planning", duration_days=3,
        depends_on=[{"workflow": "Procurement", "type": "SF", "lag_days": -1}],
    )  # fmt: skip
    ws.workflows.add(
        project, "Go-live", "other", duration_days=0, depends_on=["Procurement", "Runbook"],
        finish_no_later_than="2026-05-29",
    )  # fmt: skip
    ws.workflows.save_baseline(project, "Signed off")
    ws.workflows.update("Design", project, duration_days=10)
    return ws, project


@pytest.fixture(scope="module")
def mpxj_reader():
    require(
        shutil.which("java") is not None,
        "no Java runtime for MPXJ (apt install default-jre-headless)",
    )
    import jpype
    import mpxj  # noqa: F401  (puts the MPXJ jars on the class path)

    if not jpype.isJVMStarted():
        jpype.startJVM()
    from org.mpxj.reader import UniversalProjectReader

    return UniversalProjectReader


def test_ms_project_xml_reads_back_with_every_task_date_and_link(planned, mpxj_reader, tmp_path):
    ws, project = planned
    path = ws.workflows.export_plan(project, tmp_path / "move.xml")
    read = mpxj_reader().read(str(path))
    tasks = {str(t.getName()): t for t in read.getTasks() if t.getName() is not None}
    ours = {w.name: w for w in ws.workflows.list(project)}
    assert set(tasks) == set(ours)
    for name, workflow in ours.items():
        task = tasks[name]
        assert date.fromisoformat(str(task.getStart())[:10]) == workflow.start_date, name
        assert date.fromisoformat(str(task.getFinish())[:10]) == workflow.end_date, name
        assert float(task.getDuration().getDuration()) == workflow.duration_days, name
        assert int(task.getPercentageComplete()) == workflow.progress_percentage, name
        assert bool(task.getCritical()) == workflow.critical, name
    links = ws.workflows.links(project)
    read_links = {
        (str(r.getPredecessorTask().getName()), name): (
            str(r.getType()),
            float(r.getLag().getDuration()),
        )
        for name, task in tasks.items()
        for r in task.getPredecessors()
    }
    assert read_links == {
        (link.predecessor, link.successor): (link.type, float(link.lag_days))
        for link in links.itertuples()
    }
    assert str(tasks["Go-live"].getConstraintType()) == "FINISH_NO_LATER_THAN"
    assert bool(tasks["Go-live"].getMilestone())
    # The baseline went along: Design was 8 days when it was taken.
    assert str(tasks["Design"].getBaselineFinish())[:10] == "2026-04-17"
    holidays = [str(e.getFromDate()) for e in read.getDefaultCalendar().getCalendarExceptions()]
    assert holidays == ["2026-04-03", "2026-04-06"]


def test_the_xlsx_plan_has_the_tasks_links_and_variance(planned, tmp_path):
    ws, project = planned
    path = ws.workflows.export_plan(project, tmp_path / "move.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Plan", "Links", "Project"]
    rows = list(book["Plan"].iter_rows(values_only=True))
    header = rows[0]
    plan = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(plan) == {w.name for w in ws.workflows.list(project)}
    design = plan["Design"]
    assert design["Days"] == 10 and design["Critical"] == "yes"
    assert design["Finish variance (days)"] == 4  # two working days, over a weekend
    assert plan["Procurement"]["Depends on"] == "Design (SS+3)"
    links = list(book["Links"].iter_rows(values_only=True))[1:]
    assert ("Procurement", "Old support", "SF", -1) in links
    facts = dict(book["Project"].iter_rows(values_only=True))
    assert facts["Baseline"] == "Signed off" and facts["Calendar"] == "working days"


def test_bad_exports_are_refused(planned, tmp_path):
    ws, project = planned
    with pytest.raises(InvalidInputError, match="as .xlsx or as .xml"):
        ws.workflows.export_plan(project, tmp_path / "move.pdf")
    with pytest.raises(NotFoundError, match="no baseline named 'nope'"):
        ws.workflows.export_plan(project, tmp_path / "move.xlsx", baseline="nope")
    assert not (tmp_path / "move.xlsx").exists()


def test_plan_export_command(run, tmp_path):
    assert run("project", "create", "P", "--type", "new_solution", "--start", "2026-03-02")[0] == 0
    assert run("workflow", "add", "P", "A", "--type", "design", "--days", "3")[0] == 0
    code, out, err = run("plan", "export", "P", "-o", str(tmp_path / "p.xml"))
    assert (code, err) == (0, "")
    assert out == f"Plan written: {tmp_path / 'p.xml'} (MS Project XML).\n"
    assert (tmp_path / "p.xml").read_text().startswith("<?xml")
    code, _, err = run("plan", "export", "P", "-o", str(tmp_path / "nowhere" / "p.xlsx"))
    assert code == 5 and "cannot be written" in err
