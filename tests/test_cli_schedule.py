"""``workbench schedule compute``: a plan file in, dates out, no store touched."""

from __future__ import annotations

import json
import subprocess
import sys

PLAN = {
    "start": "2026-04-02",
    "calendar": "working",
    "holidays": ["2026-04-03", "2026-04-06"],
    "tasks": [
        {"id": "A", "duration_days": 3},
        {"id": "B", "duration_days": 2},
        {"id": "C", "duration_days": 1},
        {"id": "D", "duration_days": 2, "constraint": {"type": "FNLT", "date": "2026-04-02"}},
    ],
    "links": [{"from": "A", "to": "B", "lag_days": 1}, {"from": "B", "to": "C", "type": "FS"}],
}


def _write(tmp_path, document) -> str:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return str(path)


def test_compute_json_gives_every_task_and_the_critical_path(run, tmp_path):
    code, out, err = run("schedule", "compute", _write(tmp_path, PLAN), "--json")
    assert (code, err) == (0, "")
    plain = json.loads(out)
    assert plain["project_finish"] == "2026-04-14"
    assert plain["critical_path"] == ["A", "B", "C"]
    tasks = {t["id"]: t for t in plain["tasks"]}
    assert tasks["B"]["early_start"] == "2026-04-10"
    assert tasks["D"]["total_float"] == -1  # 2 days, due by the end of the first
    assert tasks["D"]["critical"] is True
    assert not (tmp_path / "store").exists()  # no store is needed, none is made


def test_compute_prints_a_table_a_person_reads(run, tmp_path):
    code, out, _ = run("schedule", "compute", _write(tmp_path, PLAN))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "Task", "Days", "Start", "Finish", "Late", "start", "Late", "finish", "Float", "Free", "Critical",
    ]  # fmt: skip
    assert lines[1].split() == [
        "A", "3", "2026-04-02", "2026-04-08", "2026-04-02", "2026-04-08", "0", "0", "yes",
    ]  # fmt: skip
    assert "Project: 2026-04-02 to 2026-04-14, 7 working days." in out
    assert "Critical path: A -> B -> C" in out
    assert "1 task(s) cannot meet their deadline (negative float): D" in out


def test_compute_reads_standard_input():
    done = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "schedule", "compute", "-", "--json"],
        input=json.dumps(PLAN),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["length_days"] == 7


def test_bad_plans_give_one_line_and_an_exit_code(run, tmp_path):
    cases = [
        ("{", 2, "plan.json is not valid JSON: Expecting property name enclosed in double quotes"),
        ({"start": "2026-01-01", "tasks": [{"id": "A"}]}, 2, "tasks[0] has no duration_days"),
        (
            {
                "start": "2026-01-01",
                "tasks": [{"id": "A", "duration_days": 1}, {"id": "B", "duration_days": 1}],
                "links": [{"from": "A", "to": "B"}, {"from": "B", "to": "A"}],
            },
            2,
            "The dependencies form a loop: A -> B -> A.",
        ),
    ]
    for document, expected_code, message in cases:
        code, out, err = run("schedule", "compute", _write(tmp_path, document))
        assert (code, out) == (expected_code, "")
        assert err.startswith("error: ") and message in err
        assert err.count("\n") == 1
    code, _, err = run("schedule", "compute", str(tmp_path / "missing.json"))
    assert code == 3 and "There is no plan file" in err
    (tmp_path / "latin1.json").write_bytes(b'{"start": "caf\xe9"}')
    code, _, err = run("schedule", "compute", str(tmp_path / "latin1.json"))
    assert code == 2 and "is not UTF-8 text" in err
