"""ws.rvtools: imports are stored all or nothing, files included."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

import workbench
from workbench.demo import write_synthetic_rvtools
from workbench.errors import ImportRejectedError, InvalidInputError, NotFoundError, WorkbenchError
from workbench.io import rvtools_parquet
from workbench.io.rvtools import read_rvtools


@pytest.fixture(scope="module")
def export_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "RVTools_export.xlsx"
    write_synthetic_rvtools(path, 150, seed=2)
    return path


def _files(ws) -> list[Path]:
    folder = ws.rvtools.folder
    return sorted(folder.rglob("*")) if folder.exists() else []


def test_upload_stores_record_original_and_tables(ws, export_path):
    project = ws.projects.create("Migration", "vmware_migration")
    record = ws.rvtools.upload("Migration", export_path, imported_by="ana", progress=False)
    assert record.processing_status == "completed" and record.project_id == project.id
    assert record.filename == export_path.name and record.file_size == export_path.stat().st_size
    assert record.imported_by == "ana" and len(record.file_sha256) == 64
    export = read_rvtools(export_path)
    assert record.total_vms == int((~export.vms["is_template"]).sum())
    assert record.total_hosts == len(export.hosts)
    assert record.environment_summary["vms"] == record.total_vms
    assert {c["cluster"] for c in record.clusters_data} == set(export.clusters["cluster"]) | set(
        export.hosts["cluster"]
    )
    assert record.capacity_analysis["selected"] == [] and record.capacity_analysis["risks"]
    folder = Path(record.raw_data_path)
    assert (folder / "original" / export_path.name).read_bytes() == export_path.read_bytes()
    assert (folder / "tables" / "vInfo.parquet").exists()
    tables = ws.rvtools.tables(record.id)
    assert tables["vInfo"].equals(export.vms) and tables["vDatastore"].equals(export["vDatastore"])
    assert ws.rvtools.get(record.id) == record
    assert ws.rvtools.frame("Migration")["id"].tolist() == [record.id]


def test_tables_and_analysis_need_a_completed_import(ws, export_path):
    ws.projects.create("P", "vmware_migration")
    record = ws.rvtools.upload("P", export_path, progress=False)
    with pytest.raises(NotFoundError, match="No table vNope"):
        ws.rvtools.tables(record.id, ["vNope"])
    with pytest.raises(NotFoundError):
        ws.rvtools.analysis("nosuchimport")


def test_select_clusters_stores_the_selection_and_its_capacity(ws, export_path):
    ws.projects.create("P", "vmware_migration")
    record = ws.rvtools.upload("P", export_path, progress=False)
    clusters = sorted(c["cluster"] for c in record.clusters_data if c["cluster"])
    chosen = clusters[:1]
    updated = ws.rvtools.select_clusters(record.id, chosen)
    assert updated.selected_clusters == chosen
    assert [c["cluster"] for c in updated.capacity_analysis["clusters"]] == chosen
    analysis = ws.rvtools.analysis(record.id)
    assert analysis.capacity["cluster"].tolist() == chosen
    assert set(analysis.risks.hits["cluster"]) <= set(chosen)
    assert len(analysis.clusters) == len(record.clusters_data)
    with pytest.raises(InvalidInputError, match="No cluster named 'nope'"):
        ws.rvtools.select_clusters(record.id, ["nope"])
    assert ws.rvtools.get(record.id).selected_clusters == chosen
    assert ws.rvtools.select_clusters(record.id, []).selected_clusters == []


def test_unknown_project_stores_nothing(ws, export_path):
    with pytest.raises(NotFoundError):
        ws.rvtools.upload("nobody", export_path, progress=False)
    assert ws.rvtools.list() == [] and _files(ws) == []


def test_a_failure_while_storing_leaves_a_failed_record_and_no_files(ws, export_path, monkeypatch):
    ws.projects.create("P", "vmware_migration")

    def broken(export, folder):
        (folder / "tables").mkdir()
        (folder / "tables" / "half.parquet").write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rvtools_parquet, "write_export", broken)
    with pytest.raises(WorkbenchError, match="No space left"):
        ws.rvtools.upload("P", export_path, progress=False)
    [record] = ws.rvtools.list()
    assert record.processing_status == "failed" and "No space left" in record.error_message
    assert record.raw_data_path is None and _files(ws) == []
    with pytest.raises(NotFoundError, match="failed"):
        ws.rvtools.tables(record.id)


def test_delete_removes_record_and_files(ws, export_path):
    ws.projects.create("P", "vmware_migration")
    record = ws.rvtools.upload("P", export_path, progress=False)
    ws.rvtools.delete(record.id)
    assert ws.rvtools.list() == [] and _files(ws) == []
    with pytest.raises(NotFoundError):
        ws.rvtools.delete(record.id)


def test_deleting_the_project_removes_its_imports_and_files(ws, export_path):
    ws.projects.create("P", "vmware_migration")
    ws.rvtools.upload("P", export_path, progress=False)
    ws.projects.delete("P")
    assert ws.rvtools.list() == [] and _files(ws) == []


def test_a_csv_folder_is_kept_file_by_file(ws, tmp_path):
    ws.projects.create("P", "vmware_migration")
    folder = tmp_path / "csv"
    write_synthetic_rvtools(folder, 30, fmt="csv", delimiter=";")
    record = ws.rvtools.upload("P", folder, progress=False)
    kept = sorted(p.name for p in (Path(record.raw_data_path) / "original").iterdir())
    assert kept == sorted(p.name for p in folder.iterdir())


def test_a_rejected_file_stores_nothing(ws, tmp_path):
    ws.projects.create("P", "vmware_migration")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ImportRejectedError):
        ws.rvtools.upload("P", bad, progress=False)
    assert ws.rvtools.list() == [] and _files(ws) == []


def _crash_during_import(url: str, home: str, path: str) -> None:
    """Child process: start an import and die while writing its tables."""

    def die(export, folder):
        (folder / "tables").mkdir()
        (folder / "tables" / "vInfo.parquet").write_bytes(b"partial")
        os._exit(9)

    rvtools_parquet.write_export = die
    with workbench.open(url, home=home) as bench:
        bench.rvtools.upload("P", path, progress=False)


@pytest.mark.multiprocess
def test_a_crash_mid_import_is_cleaned_up_by_the_next_call(
    disk_ws, disk_url, tmp_path, export_path
):
    disk_ws.projects.create("P", "vmware_migration")
    child = multiprocessing.get_context("spawn").Process(
        target=_crash_during_import, args=(disk_url, str(tmp_path), str(export_path))
    )
    child.start()
    child.join(120)
    assert child.exitcode == 9
    assert any(p.name.startswith(".staging-") for p in disk_ws.rvtools.folder.iterdir())
    [record] = disk_ws.rvtools.list()
    assert record.processing_status == "failed" and "Interrupted" in record.error_message
    assert list(disk_ws.rvtools.folder.iterdir()) == []
    # The store works on: a new import succeeds.
    assert disk_ws.rvtools.upload("P", export_path, progress=False).processing_status == "completed"


def test_importing_the_same_file_again_is_allowed_and_flagged(ws, export_path):
    ws.projects.create("P", "vmware_migration")
    first = ws.rvtools.upload("P", export_path, progress=False)
    assert not any("already imported" in w for w in first.data_quality["warnings"])
    second = ws.rvtools.upload("P", export_path, progress=False)
    assert second.id != first.id and second.processing_status == "completed"
    assert any(first.id in w for w in second.data_quality["warnings"])
    ws.projects.create("Q", "vmware_migration")
    other = ws.rvtools.upload("Q", export_path, progress=False)
    assert not any("already imported" in w for w in other.data_quality["warnings"])


def _same_analysis(got, expected) -> None:
    import pandas as pd

    assert got.summary == expected.summary and got.selected == expected.selected
    pd.testing.assert_frame_equal(got.clusters, expected.clusters)
    pd.testing.assert_frame_equal(got.capacity, expected.capacity)
    for mine, theirs in ((got.risks, expected.risks), (got.all_risks, expected.all_risks)):
        pd.testing.assert_frame_equal(mine.checks, theirs.checks)
        pd.testing.assert_frame_equal(mine.hits, theirs.hits)
    assert got.quality.to_dict() == expected.quality.to_dict()


def _fresh_analysis(record, export_path, as_of):
    from workbench import rvtools_imports as rules

    export = read_rvtools(export_path)
    return rules.analyse(record, rules.derive(export, as_of), export.quality)


def test_the_analysis_is_derived_once_per_day_and_kept_beside_the_tables(
    ws, export_path, monkeypatch
):
    from datetime import date

    from workbench import risks
    from workbench import rvtools_imports as rules

    ws.projects.create("Kept", "vmware_migration")
    record = ws.rvtools.upload("Kept", export_path, progress=False)
    ws.rvtools.select_clusters(record.id, [record.clusters_data[0]["cluster"]])
    record = ws.rvtools.get(record.id)
    derived = Path(record.raw_data_path) / rvtools_parquet.DERIVED_DIR
    today = date.today()
    assert [p.name for p in derived.iterdir()] == [rules.derived_key(today)]

    # Today's analysis comes from what the upload kept: the checks never run again.
    calls = []
    real_assess = risks.assess
    monkeypatch.setattr(risks, "assess", lambda *a, **k: calls.append(1) or real_assess(*a, **k))
    kept = ws.rvtools.analysis(record.id)
    assert calls == []
    monkeypatch.undo()
    _same_analysis(kept, _fresh_analysis(record, export_path, today))
    assert kept.selected == record.selected_clusters and len(kept.capacity) == 1

    # Another day is derived once, and replaces what was kept.
    other = date(2031, 6, 30)
    later = ws.rvtools.analysis(record.id, as_of=other)
    _same_analysis(later, _fresh_analysis(record, export_path, other))
    assert [p.name for p in derived.iterdir()] == [rules.derived_key(other)]
    assert later.all_risks.checks["vms"].tolist() != kept.all_risks.checks["vms"].tolist()

    # Other code (a changed check) never reads what older code kept.
    monkeypatch.setattr(rules, "_code_version", "another-version")
    assert rules.derived_key(other) not in {p.name for p in derived.iterdir()}
    _same_analysis(ws.rvtools.analysis(record.id, as_of=other), later)
    assert [p.name for p in derived.iterdir()] == [rules.derived_key(other)]


def test_damaged_or_unwritable_kept_analysis_is_derived_again(ws, export_path):
    import shutil
    from datetime import date

    from workbench import rvtools_imports as rules

    ws.projects.create("Damaged", "vmware_migration")
    record = ws.rvtools.upload("Damaged", export_path, progress=False)
    today = date.today()
    expected = _fresh_analysis(record, export_path, today)
    derived = Path(record.raw_data_path) / rvtools_parquet.DERIVED_DIR
    kept = derived / rules.derived_key(today)

    (kept / "risk_hits.parquet").write_bytes(b"PAR1 not really")
    _same_analysis(ws.rvtools.analysis(record.id), expected)
    assert (kept / "risk_hits.parquet").read_bytes()[:4] == b"PAR1"
    assert len((kept / "risk_hits.parquet").read_bytes()) > 20  # written again

    (kept / "document.json").write_text("{not json")
    _same_analysis(ws.rvtools.analysis(record.id), expected)

    # Nowhere to keep it (a file where the folder goes): still answered, nothing left over.
    shutil.rmtree(derived)
    derived.write_text("in the way")
    _same_analysis(ws.rvtools.analysis(record.id), expected)
    assert derived.read_text() == "in the way"
