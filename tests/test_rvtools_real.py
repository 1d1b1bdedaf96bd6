"""Every real export in ../shared/data/rvtools: the reader's totals against totals computed
here from the raw cells, with as little logic as possible (header lookup by the exact texts
RVTools writes, sums of the cells), and a full import through the facade."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tests.conftest import INVENTORY_FIGURES, SHARED_DATA, require
from workbench import capacity
from workbench.api.rvtools import inspect
from workbench.cli import main
from workbench.io.rvtools import read_rvtools

RVTOOLS = SHARED_DATA / "rvtools"
FILES = sorted(p.name for p in RVTOOLS.glob("*.xlsx")) if RVTOOLS.is_dir() else []
# The test must not depend on the folder being there to be collected; CI fails if it is not.
PARAMS = FILES or ["(no shared data)"]

pytestmark = pytest.mark.shared_data


def _path(name: str) -> Path:
    require(RVTOOLS.is_dir() and name in FILES, f"{RVTOOLS} is not there")
    return RVTOOLS / name


def _sheet(book: CalamineWorkbook, name: str) -> list[dict]:
    """Rows of a sheet as {header: cell}; rows whose first cell is empty are not data."""
    if name not in book.sheet_names:
        return []
    rows = book.get_sheet_by_name(name).to_python()
    headers = [str(h).strip() for h in rows[0]]
    return [dict(zip(headers, row, strict=False)) for row in rows[1:] if str(row[0]).strip()]


def _cell(row: dict, *headers: str) -> float:
    for header in headers:
        if header in row:
            value = row[header]
            return float(value) if value not in ("", None) else 0.0
    raise KeyError(headers)


def _raw_totals(path: Path) -> dict:
    book = CalamineWorkbook.from_path(str(path))
    vinfo = _sheet(book, "vInfo")
    vhost = [r for r in _sheet(book, "vHost") if str(r.get("Host", "")).strip()]
    vcluster = _sheet(book, "vCluster")
    live = [r for r in vinfo if str(r["Template"]) != "True"]

    def vm_sums(rows):
        return {
            "vms": len(rows),
            "powered_on": sum(r["Powerstate"] == "poweredOn" for r in rows),
            "vcpus": int(sum(_cell(r, "CPUs") for r in rows)),
            "memory_mib": sum(_cell(r, "Memory") for r in rows),
            "provisioned_mib": sum(_cell(r, "Provisioned MiB", "Provisioned MB") for r in rows),
            "in_use_mib": sum(_cell(r, "In Use MiB", "In Use MB") for r in rows),
        }

    def host_sums(rows):
        return {
            "hosts": len(rows),
            "host_cores": int(sum(_cell(r, "# Cores") for r in rows)),
            "host_memory_mib": sum(_cell(r, "# Memory") for r in rows),
        }

    names = {str(r["Name"]).strip() for r in vcluster} | {str(r["Cluster"]).strip() for r in vhost}
    names.discard("")
    per_cluster = {}
    for name in names | {str(r["Cluster"]).strip() for r in vinfo + vhost}:
        per_cluster[name] = {
            **vm_sums([r for r in live if str(r["Cluster"]).strip() == name]),
            "templates": sum(
                str(r["Template"]) == "True" and str(r["Cluster"]).strip() == name for r in vinfo
            ),
            **host_sums([r for r in vhost if str(r["Cluster"]).strip() == name]),
        }
    meta = _sheet(book, "vMetaData")
    servers = {str(r.get("VI SDK Server", "")).strip() for r in vinfo} | {
        str(r.get("Server", "")).strip() for r in meta
    }
    servers.discard("")
    return {
        "rvtools_version": meta[0]["RVTools version"] if meta else None,
        "vcenters": servers,
        **vm_sums(live),
        "templates": sum(str(r["Template"]) == "True" for r in vinfo),
        **host_sums(vhost),
        "clusters": len(names),
        "per_cluster": per_cluster,
    }


@pytest.mark.parametrize("name", PARAMS)
def test_inspect_totals_match_the_raw_cells(name, capsys):
    path = _path(name)
    expected = _raw_totals(path)
    assert main(["rvtools", "inspect", str(path), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["rvtools_version"] == expected["rvtools_version"]
    assert set(got["vcenters"]) == expected["vcenters"]
    for key in INVENTORY_FIGURES:
        assert got[key] == pytest.approx(expected[key]), key
    assert set(got["per_cluster"]) == set(expected["per_cluster"])
    for cluster, figures in expected["per_cluster"].items():
        for key, value in figures.items():
            assert got["per_cluster"][cluster][key] == pytest.approx(value), (cluster, key)
    assert set(got["risks"]) >= {"rdm_physical", "snapshots_present", "guest_os_eol"}
    assert isinstance(got["warnings"], list)


@pytest.mark.parametrize("name", PARAMS)
def test_imports_with_zero_errors(name, ws):
    path = _path(name)
    project = ws.projects.create(f"Import {name}", "vmware_migration")
    record = ws.rvtools.upload(project, path, imported_by="test", progress=False)
    assert record.processing_status == "completed" and record.error_message is None
    export = read_rvtools(path)
    assert record.total_vms == capacity.inventory_totals(export)["vms"]
    assert not export.quality.unreadable_values or all(
        u["sheet"] == "vLicense" for u in export.quality.unreadable_values
    )
    # Parquet round trip: the stored tables are the parsed ones.
    tables = ws.rvtools.tables(record.id)
    for sheet in ("vInfo", "vHost", "vDisk"):
        assert tables[sheet].equals(export[sheet]), sheet
    analysis = ws.rvtools.analysis(record.id)
    assert len(analysis.capacity) == len(capacity.cluster_capacity(export))


@pytest.mark.parametrize("name", PARAMS)
def test_cluster_reconciliation_is_reported(name):
    export = read_rvtools(_path(name))
    rec = export.quality.reconciliation
    if export["vCluster"].empty or export.hosts.empty:
        assert rec.empty
        return
    assert set(rec["measure"]) == {"hosts", "cpu_cores", "total_memory_mib", "total_cpu_mhz"}
    assert set(rec["cluster"]) == set(export["vCluster"]["cluster"])
    for row in rec[~rec["agrees"]].itertuples():
        assert any(
            f"Cluster {row.cluster!r}: vCluster {row.measure}" in w for w in export.quality.warnings
        )


def test_the_files_documented_as_reconciling_do(shared_data):
    for name in (
        "03_ovh-pcc_rvtools-4.4.3_vc7.0.3_124vm.xlsx",
        "06_acme1-aeris_rvtools-4.6.1_vc8.0.3_1304vm.xlsx",
    ):
        rec = read_rvtools(RVTOOLS / name).quality.reconciliation
        assert len(rec) and rec["agrees"].all(), name
        memory = rec[rec["measure"] == "total_memory_mib"]
        assert (memory["difference"].abs() <= 16).all()


def test_version_quirks(shared_data):
    ovh = read_rvtools(RVTOOLS / "03_ovh-pcc_rvtools-4.4.3_vc7.0.3_124vm.xlsx")
    # Excel re-save: a blank row and a totals row in vHost, float build numbers in vSource.
    reasons = {(d["sheet"], d["reason"].split(" ")[0]) for d in ovh.quality.dropped_rows}
    assert ("vHost", "blank") in reasons and ("vHost", "no") in reasons
    assert ovh["vSource"]["build"].iloc[0] == "20845200"
    assert "Post-it" in ovh.vms.columns and "Rack" in ovh.hosts.columns
    assert int(ovh.vms["is_inaccessible"].sum()) == 1

    old = read_rvtools(RVTOOLS / "10_billsample_rvtools-3.x-trimmed_131vm.xlsx")
    assert old.meta["header_units"] == "MB" and old.meta["rvtools_version"] is None
    disks = old["vDisk"]
    assert set(disks.loc[disks["raw"].fillna(False).astype(bool), "shared_bus"]) <= {
        "physicalSharing",
        "noSharing",
        "virtualSharing",
    }
    assert "vm" in old.quality.missing_columns["vPartition"]
    assert any("vPartition has no VM column" in w for w in old.quality.warnings)

    aeris = read_rvtools(RVTOOLS / "06_acme1-aeris_rvtools-4.6.1_vc8.0.3_1304vm.xlsx")
    assert int((aeris.vms["is_inaccessible"] | aeris.vms["is_orphaned"]).sum()) == 13
    assert aeris.vms["creation_date"].min().year > 1970  # epoch placeholders became unknown
    assert any(p["column"] == "creation_date" for p in aeris.quality.placeholders)
    assert aeris.vms["vm_key"].is_unique

    creambell = read_rvtools(RVTOOLS / "07_acme1-creambell_rvtools-4.6.1_vc8.0.3_339vm.xlsx")
    assert creambell.vms["vm"].duplicated().any() and creambell.vms["vm_key"].is_unique


def test_physical_rdms_match_the_raw_cells(shared_data):
    path = RVTOOLS / "05_bcspa1_rvtools-4.7.1_vc6.0-esxi5.5_19vm.xlsx"
    rows = _sheet(CalamineWorkbook.from_path(str(path)), "vDisk")
    vms = {r["VM"] for r in rows if r["Raw"] == "True" and r["Raw Comp. Mode"] == "physicalMode"}
    counts = inspect(path)["risks"]
    assert counts["rdm_physical"] == len(vms) > 0
    shared = {r["VM"] for r in rows if r["Shared Bus"] in ("physicalSharing", "virtualSharing")}
    assert counts["scsi_bus_sharing"] == len(shared)


def test_stale_and_huge_dimensions_are_ignored(shared_data):
    # 11 declares A1:N3504 for 806 rows; 12 (LibreOffice) declares A1:CL1048576 for 10 rows.
    assert (
        len(read_rvtools(RVTOOLS / "11_sizingworkshop_rvtools-3.x-trimmed_805vm.xlsx").vms) == 805
    )
    assert (
        len(read_rvtools(RVTOOLS / "12_kubev2v-example1_rvtools-4.x-anonymised_9vm.xlsx").vms) == 9
    )
