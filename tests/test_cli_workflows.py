"""``workbench workflow ...`` and ``workbench project schedule``: plain and JSON."""

from __future__ import annotations

import json


def _plan(run):
    assert run("project", "create", "Move", "--type", "vmware_migration", "--start", "2026-03-02",
               "--calendar", "working", "--holidays", "2026-04-03,2026-04-06")[0] == 0  # fmt: skip
    for args in (
        ("Assessment", "--type", "assessment", "--days", "10"),
        ("Design", "--type", "design", "--days", "15", "--after", "Assessment"),
        ("Procurement", "--type", "hardware_procurement", "--days", "30", "--after", "Design:SS:5"),
        ("Wave 1: web", "--type", "migration_wave", "--days", "5", "--after", "Procurement"),
        ("Go-live", "--type", "other", "--days", "0", "--after", "Wave 1: web"),
    ):
        code, out, err = run("workflow", "add", "Move", *args)
        assert (code, err) == (0, ""), err
        assert out.startswith(f"Added workflow {args[0]!r} (workflow:")


def test_a_plan_built_on_the_command_line(run):
    _plan(run)
    code, out, _ = run("workflow", "list", "Move")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["Workflow", "Type", "Status", "Done"]
    assert lines[3].split() == [
        "Procurement", "Hardware", "procurement", "Not", "started", "0%", "30", "2026-03-23",
        "2026-05-05", "0", "yes", "Design", "(SS+5)",
    ]  # fmt: skip
    assert "Wave 1: web (FS)" in lines[5]
    code, out, _ = run("project", "schedule", "Move")
    assert "Project: 2026-03-02 to 2026-05-12, 50 working days." in out
    assert "Critical path: Assessment -> Design -> Procurement -> Wave 1: web -> Go-live" in out
    code, out, _ = run("project", "schedule", "Move", "--json")
    plain = json.loads(out)
    assert plain["project_finish"] == "2026-05-12"
    assert [t["name"] for t in plain["tasks"]][:2] == ["Assessment", "Design"]
    assert plain["critical_path_names"][-1] == "Go-live"
    assert all(t["id"].startswith("workflow:") for t in plain["tasks"])
    code, out, _ = run("workflow", "list", "Move", "--json")
    listed = json.loads(out)
    assert listed[2]["name"] == "Procurement"
    assert listed[2]["schedule"]["critical"] is True
    code, out, _ = run("project", "show", "Move")
    assert "Scheduled end: 2026-05-12" in out
    assert "Calendar: working days (off: Sat, Sun; 2 holidays)" in out


def test_updates_links_baselines_and_deletes(run):
    _plan(run)
    assert run("workflow", "baseline", "Move", "--save", "Plan of record")[1] == (
        "Baseline 'Plan of record' saved: 5 workflows, finish 2026-05-12.\n"
    )
    code, out, _ = run("workflow", "update", "Assessment", "--project", "Move", "--days", "12",
                       "--progress", "40", "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["status"] == "in_progress"
    code, out, _ = run("workflow", "baseline", "Move")
    assert out.splitlines()[0] == "Against baseline 'Plan of record' (days, + is later):"
    assert out.splitlines()[2].split()[-1] == "+4"
    code, out, _ = run("workflow", "link", "Assessment", "Go-live", "--project", "Move",
                       "--type", "FF", "--lag", "3")  # fmt: skip
    assert out == "Linked: 'Go-live' after 'Assessment' (FF, lag 3 days).\n"
    assert run("workflow", "unlink", "Assessment", "Go-live", "--project", "Move")[0] == 0
    code, out, _ = run("workflow", "show", "Go-live", "--project", "Move", "--json")
    go_live = json.loads(out)
    code, out, _ = run("workflow", "delete", go_live["id"])
    assert out == f"Deleted workflow 'Go-live' ({go_live['id']}).\n"
    code, out, _ = run("workflow", "list", "Move", "--json")
    assert [w["name"] for w in json.loads(out)][-1] == "Wave 1: web"


def test_mistakes_are_one_plain_line_and_nothing_changes(run):
    _plan(run)
    before = run("workflow", "list", "Move", "--json")[1]
    cases = [
        (("workflow", "link", "Go-live", "Assessment", "--project", "Move"), 2,
         "would form a loop: Assessment -> Design -> Procurement -> Wave 1: web -> Go-live -> Assessment."),
        (("workflow", "update", "Go-live", "--project", "Move", "--status", "completed"), 2,
         "cannot be completed before its finish-to-start predecessor “Wave 1: web”"),
        (("workflow", "add", "Move", "design", "--type", "design"), 4, "already has a workflow named"),
        (("workflow", "add", "Move", "X", "--type", "design", "--after", "Nobody"), 3,
         "No workflow named “Nobody”"),
        (("workflow", "add", "Move", "X", "--type", "design", "--after", "Design:SS:soon"), 2,
         "the lag after the link type must be a whole number"),
        (("workflow", "add", "Move", "X", "--type", "design", "--days", "-2"), 2,
         "Duration must be a whole number of days from 0"),
        (("workflow", "show", "Design"), 2, "give its project"),
        (("workflow", "update", "Design", "--project", "Move"), 2, "Nothing to change"),
        (("workflow", "list", "Nowhere"), 3, "No project named 'Nowhere'."),
    ]  # fmt: skip
    for args, expected, message in cases:
        code, out, err = run(*args)
        assert (code, out) == (expected, ""), (args, code, out, err)
        assert err.startswith("error: ") and message in err, err
        assert err.count("\n") == 1
    assert run("workflow", "list", "Move", "--json")[1] == before


def test_a_baseline_of_a_project_without_workflows(run):
    assert run("project", "create", "Empty", "--type", "new_solution")[0] == 0
    assert run("workflow", "baseline", "Empty", "--save", "b1")[0] == 0
    code, out, err = run("workflow", "baseline", "Empty")
    assert (code, out, err) == (0, "No workflows to compare with baseline 'b1'.\n", "")
