"""The workbench command: JSON on reads, plain errors with exit codes, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from workbench.cli import main


@pytest.fixture
def run(tmp_path, capsys):
    """Here the command on the default store of a data directory (conftest's ``run`` names
    the store by URL)."""

    def invoke(*args):
        code = main(["--home", str(tmp_path), *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return invoke


def test_project_lifecycle(run):
    assert run("init")[0] == 0
    code, out, _ = run(
        "project",
        "create",
        "Alpha",
        "--type",
        "vmware_migration",
        "--start",
        "2026-01-01",
        "--team",
        "Ana,Bram",
        "--json",
    )
    assert code == 0
    created = json.loads(out)
    assert created["name"] == "Alpha" and created["assigned_team"] == ["Ana", "Bram"]
    run("project", "create", "Beta", "--type", "hardware_refresh", "--status", "active")

    code, out, _ = run("project", "list", "--status", "active", "--json")
    assert [p["name"] for p in json.loads(out)] == ["Beta"]
    code, out, _ = run("project", "list", "--text", "alp")
    assert "Alpha" in out and "Beta" not in out

    code, out, _ = run(
        "project", "update", "Alpha", "--progress", "30", "--description", "moving", "--json"
    )
    assert json.loads(out)["progress_percentage"] == 30
    code, out, _ = run("project", "update", "Alpha", "--clear", "description", "--json")
    assert json.loads(out)["description"] is None
    code, out, _ = run("project", "show", created["id"], "--json")
    assert json.loads(out)["start_date"] == "2026-01-01"

    assert run("project", "delete", "Alpha")[0] == 0
    assert json.loads(run("project", "list", "--json")[1]) == [
        json.loads(run("project", "show", "Beta", "--json")[1])
    ]


@pytest.mark.parametrize(
    "args, code, message",
    [
        (("project", "show", "nope"), 3, "No project named 'nope'"),
        (("project", "create", "X"), 2, "--type is required"),
        (
            ("project", "create", "X", "--type", "new_solution", "--start", "2026-13-01"),
            2,
            "Start date must be a date",
        ),
        (
            ("project", "create", "X", "--type", "new_solution", "--progress", "120"),
            2,
            "from 0 to 100",
        ),
        (("project", "update", "nope", "--progress", "1"), 3, "No project"),
    ],
)
def test_errors_are_one_plain_line(run, args, code, message):
    run("init")
    got, out, err = run(*args)
    assert got == code and message in err and err.startswith("error: ") and "Traceback" not in err


def test_duplicate_name_is_a_conflict(run):
    run("project", "create", "X", "--type", "new_solution")
    code, _, err = run("project", "create", "X", "--type", "new_solution")
    assert code == 4 and "already exists" in err


def test_installed_command_reports_a_bad_store_url_without_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "--db", "postgres://nowhere", "project", "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "is not understood" in result.stderr and "Traceback" not in result.stderr


def test_backup_then_restore_into_a_new_data_directory(tmp_path, capsys):
    source, target, archive = tmp_path / "source", tmp_path / "target", tmp_path / "backup.zip"
    assert (
        main(
            [
                "--home",
                str(source),
                "project",
                "create",
                "Kept",
                "--type",
                "new_solution",
                "--progress",
                "30",
            ]
        )
        == 0
    )
    assert main(["--home", str(source), "backup", str(archive)]) == 0
    assert "Backup written" in capsys.readouterr().out and archive.stat().st_size > 0
    assert main(["--home", str(target), "restore", str(archive)]) == 0
    assert "Restored" in capsys.readouterr().out
    assert main(["--home", str(target), "project", "show", "kept", "--json"]) == 0
    restored = json.loads(capsys.readouterr().out)
    assert restored["name"] == "Kept" and restored["progress_percentage"] == 30

    # A store that holds something is refused unless forced; a damaged archive always.
    assert main(["--home", str(target), "restore", str(archive)]) == 4
    assert "not empty" in capsys.readouterr().err
    assert main(["--home", str(target), "restore", str(archive), "--force"]) == 0
    damaged = tmp_path / "damaged.zip"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["--home", str(target), "restore", str(damaged), "--force"]) == 6
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "refused" in err and len(err.strip().splitlines()) == 1
