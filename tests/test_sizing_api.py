"""ws.sizing and the `size`/`bom` commands on real baskets and a generated export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import REAL_DELL, REAL_LENOVO, REPO, require
from workbench.demo import write_synthetic_rvtools
from workbench.errors import InvalidInputError, NotFoundError

DELL, LENOVO = REAL_DELL, REAL_LENOVO


@pytest.fixture(scope="module")
def export_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sizing") / "RVTools_sizing.xlsx"
    write_synthetic_rvtools(path, 400, seed=5)
    return path


@pytest.fixture
def sized(ws, export_path):
    require(DELL.exists() and LENOVO.exists(), "the real baskets are not in ../shared/data")
    ws.baskets.import_file(DELL)
    ws.baskets.import_file(LENOVO)
    ws.projects.create("Sizing", "vmware_migration")
    record = ws.rvtools.upload("Sizing", export_path, progress=False)
    return ws, record


def test_recommend_ranks_both_vendors_and_keeps_the_ranking(sized):
    ws, record = sized
    assert ws.sizing.latest(record.id) is None
    result = ws.sizing.recommend(record.id, cpu_ratio=5, growth=0.1)
    options = result.options
    assert set(options["scenario"]) == {"policy", "today"}
    assert len(options[options.scenario == "policy"]) == 36
    assert options["basket_id"].str.startswith("hardware_basket:").all()
    policy = options[(options.scenario == "policy") & options.feasible].sort_values("rank")
    assert policy["rank"].tolist() == list(range(1, len(policy) + 1))
    assert policy["total_usd"].is_monotonic_increasing
    kept = ws.sizing.latest(record.id)
    assert kept.settings["cpu_ratio"] == 5 and kept.settings["growth"] == 0.1
    assert kept.options[["vendor", "lot", "hosts", "total_usd"]].equals(
        options[["vendor", "lot", "hosts", "total_usd"]]
    )
    # A selection narrows the demand.
    clusters = sorted({c["cluster"] for c in record.clusters_data if c["cluster"]})
    ws.rvtools.select_clusters(record.id, clusters[:1])
    smaller = ws.sizing.recommend(record.id, keep=False, cpu_ratio=5, growth=0.1)
    assert smaller.demand["vms"] < result.demand["vms"]


def test_settings_are_checked_in_words(sized):
    ws, record = sized
    with pytest.raises(InvalidInputError, match="Unknown sizing setting"):
        ws.sizing.recommend(record.id, cpu_ratios=4)
    with pytest.raises(InvalidInputError, match="vCPU:core ratio"):
        ws.sizing.recommend(record.id, cpu_ratio=0)


def test_no_basket_is_a_plain_error(ws, export_path):
    ws.projects.create("Nothing to rank", "vmware_migration")
    record = ws.rvtools.upload("Nothing to rank", export_path, progress=False)
    with pytest.raises(NotFoundError, match="No hardware basket"):
        ws.sizing.recommend(record.id)


def test_the_bom_totals_are_the_rankings(sized, tmp_path):
    ws, record = sized
    result = ws.sizing.recommend(record.id)
    options = result.options
    for vendor in sorted(set(options.vendor)):
        best = options[
            (options.scenario == "policy") & options.feasible & (options.vendor == vendor)
        ]
        best = best.sort_values("total_usd").iloc[0]
        path = ws.sizing.export_bom(record.id, vendor, best.lot, tmp_path / f"{vendor}.xlsx")
        sheet = openpyxl.load_workbook(path)["BOM"]
        values = [c.value for row in sheet.iter_rows() for c in row]
        assert round(float(best.total_usd), 2) in values
        assert round(float(best.total_eur), 2) in values
        assert best.hosts in values
    with pytest.raises(NotFoundError, match="No 'policy' option"):
        ws.sizing.bom(record.id, "Dell", "NOPE1")
    with pytest.raises(InvalidInputError, match=".xlsx"):
        ws.sizing.export_bom(record.id, "Dell", best.lot, tmp_path / "bom.pdf")


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", "--home", str(home), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_size_a_file_without_a_store(export_path, tmp_path):
    require(DELL.exists() and LENOVO.exists(), "the real baskets are not in ../shared/data")
    done = _cli(
        "size",
        str(export_path),
        "--basket",
        str(DELL),
        "--basket",
        str(LENOVO),
        "--ha",
        "2",
        "--cpu-ratio",
        "6",
        "--json",
        home=tmp_path / "home",
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert set(got["demand"]) >= {"vms", "vcpus", "memory_mib", "storage_mib"}
    keys = {
        "scenario",
        "vendor",
        "lot",
        "compute_hosts",
        "storage_hosts",
        "hosts",
        "limiting",
        "feasible",
        "reason",
        "unit_usd",
        "total_usd",
        "total_eur",
        "tier",
        "years",
    }
    assert len(got["options"]) == 72 and all(keys <= set(o) for o in got["options"])
    assert got["settings"]["ha_failures"] == 2 and got["settings"]["cpu_ratio"] == 6
    assert not (tmp_path / "home").exists()  # nothing stored
    text = _cli("size", str(export_path), "--basket", str(DELL), home=tmp_path / "home")
    assert text.returncode == 0 and "Policy settings:" in text.stdout
    assert max(len(line) for line in text.stdout.splitlines()) <= 120
    bad = _cli(
        "size",
        str(export_path),
        "--basket",
        str(DELL),
        "--target-util",
        "3",
        home=tmp_path / "home",
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_size_an_import_and_write_its_bom(tmp_path, export_path):
    require(DELL.exists(), "the real baskets are not in ../shared/data")
    home = tmp_path / "home"
    assert _cli("init", home=home).returncode == 0
    assert (
        _cli("project", "create", "CLI sizing", "--type", "vmware_migration", home=home).returncode
        == 0
    )
    imported = _cli(
        "rvtools", "import", str(export_path), "--project", "CLI sizing", "--json", home=home
    )
    assert imported.returncode == 0, imported.stderr
    import_id = json.loads(imported.stdout)["id"]
    done = _cli("size", import_id, "--basket", str(DELL), "--json", home=home)
    assert done.returncode == 0, done.stderr
    best = min(
        (
            o
            for o in json.loads(done.stdout)["options"]
            if o["feasible"] and o["scenario"] == "policy"
        ),
        key=lambda o: o["total_usd"],
    )
    out = tmp_path / "bom.xlsx"
    bom = _cli(
        "bom",
        import_id,
        "--vendor",
        best["vendor"],
        "--lot",
        best["lot"],
        "-o",
        str(out),
        home=home,
    )
    assert bom.returncode == 0, bom.stderr
    assert openpyxl.load_workbook(out).sheetnames[0] == "BOM"


def test_prepared_inputs_rank_alike(sized):
    ws, record = sized
    inputs = ws.sizing.prepare(record.id)
    assert inputs.import_id == record.id and len(inputs.lots)
    again = ws.sizing.recommend(record.id, keep=False, inputs=inputs, cpu_ratio=3)
    fresh = ws.sizing.recommend(record.id, keep=False, cpu_ratio=3)
    assert again.options.equals(fresh.options) and again.trace.equals(fresh.trace)
