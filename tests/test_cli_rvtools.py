"""The rvtools commands: inspect without a store, import, list, show, select, delete, generate."""

from __future__ import annotations

import json

from workbench.demo import synthetic_rvtools


def test_generate_then_inspect_reports_the_generated_truth(run, tmp_path):
    target = tmp_path / "gen.xlsx"
    code, out, _ = run("rvtools", "generate", str(target), "--vms", "90", "--seed", "4")
    assert code == 0 and "Wrote" in out
    code, out, _ = run("rvtools", "inspect", str(target), "--json", "--as-of", "2026-11-26")
    assert code == 0
    got = json.loads(out)
    truth = synthetic_rvtools(90, seed=4).truth
    assert {k: got[k] for k in truth} == truth
    assert got["rvtools_version"] == "4.7.1.4" and got["vcenters"] == ["vcsa01.demo.example"]
    assert len(got["risks"]) >= 20 and got["warnings"] == []
    code, out, _ = run("rvtools", "inspect", str(target))
    assert code == 0 and "VMs " in out and "Hosts " in out
    assert not (tmp_path / "store").exists()  # inspect needs no store


def test_import_list_show_select_delete(run, tmp_path):
    target = tmp_path / "gen.zip"
    run(
        "rvtools", "generate", str(target), "--vms", "60", "--format", "csv-zip", "--delimiter", ";"
    )
    run("project", "create", "Exit", "--type", "vmware_migration")
    code, out, _ = run(
        "rvtools", "import", str(target), "--project", "Exit", "--by", "cli", "--json"
    )
    assert code == 0
    record = json.loads(out)
    assert record["processing_status"] == "completed" and record["imported_by"] == "cli"

    code, out, _ = run("rvtools", "list", "--project", "Exit", "--json")
    assert [(r["id"], r["project"]) for r in json.loads(out)] == [(record["id"], "Exit")]
    code, out, _ = run("rvtools", "list")
    assert code == 0 and "Exit" in out and max(map(len, out.splitlines())) <= 120
    code, out, _ = run("rvtools", "show", record["id"])
    assert (
        code == 0 and "CL-Prod-A" in out and "Risks (VMs hit)" in out and "in project “Exit”" in out
    )
    assert (
        "_mib" not in out and "snapshots_present" not in out and " GiB" in out
    )  # titles and units, not ids
    code, shown, _ = run("rvtools", "show", record["id"], "--json")
    shown = json.loads(shown)
    # The same content as the text, not the whole stored record.
    assert {c["cluster"] for c in shown["clusters"]} <= {
        "CL-Prod-A",
        "CL-Prod-B",
        "CL-Dev",
        "(no cluster)",
    }
    assert {r["title"] for r in shown["risks"]} and "environment_summary" not in shown["import"]
    assert all(r["title"] in out for r in shown["risks"])

    code, _, err = run("rvtools", "select", record["id"], "nope")
    assert code == 2 and "No cluster named 'nope'" in err
    code, out, _ = run("rvtools", "select", record["id"], "CL-Prod-A")
    assert code == 0 and "CL-Prod-A" in out
    code, out, _ = run("rvtools", "show", record["id"], "--json")
    assert json.loads(out)["import"]["selected_clusters"] == ["CL-Prod-A"]
    assert [c["cluster"] for c in json.loads(out)["clusters"]] == ["CL-Prod-A"]

    assert run("rvtools", "delete", record["id"])[0] == 0
    code, _, err = run("rvtools", "show", record["id"])
    assert code == 3 and err.startswith("error: No RVTools import")


def test_errors_are_one_line_with_exit_codes(run, tmp_path):
    code, _, err = run("rvtools", "inspect", str(tmp_path / "missing.xlsx"))
    assert code == 6 and "There is no file" in err and "Traceback" not in err
    target = tmp_path / "gen.xlsx"
    run("rvtools", "generate", str(target), "--vms", "5")
    code, _, err = run("rvtools", "import", str(target), "--project", "nobody")
    assert code == 3 and "No project" in err
    code, _, err = run("rvtools", "generate", str(tmp_path / "x.xlsx"), "--vms", "0")
    assert code == 2
