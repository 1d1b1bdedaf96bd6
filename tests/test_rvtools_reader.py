"""The reader on generated and hand-made exports: formats, header variants, encodings."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import INVENTORY_FIGURES
from workbench import capacity
from workbench.demo import synthetic_rvtools, write_synthetic_rvtools
from workbench.errors import ImportRejectedError
from workbench.io.rvtools import parse_rvtools, read_rvtools
from workbench.io.xlsx_writer import write_xlsx

TOTAL_KEYS = (*INVENTORY_FIGURES, "per_cluster")


def _totals(export):
    totals = capacity.inventory_totals(export)
    return {k: totals[k] for k in TOTAL_KEYS}


@pytest.mark.parametrize(
    "fmt,delimiter", [("xlsx", ","), ("csv", ","), ("csv", ";"), ("csv-zip", ";")]
)
def test_every_format_gives_the_generated_truth(fmt, delimiter, tmp_path):
    target = tmp_path / (
        "export.zip" if fmt == "csv-zip" else "export.xlsx" if fmt == "xlsx" else "csv"
    )
    synthetic = write_synthetic_rvtools(target, 120, seed=3, fmt=fmt, delimiter=delimiter)
    export = read_rvtools(target)
    assert _totals(export) == synthetic.truth
    assert export.meta["rvtools_version"] == "4.7.1.4"
    assert export.meta["source_format"] == ("xlsx" if fmt == "xlsx" else "csv")
    assert export.vms["creation_date"].dtype.kind == "M"
    assert export.vms["vcpus"].dtype == "Int64"
    assert export.vms["template"].dtype == "boolean"
    assert {"Backup status", "Owner"} <= set(export.vms.columns)  # custom attributes kept
    assert not export.quality.unreadable_values


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(vms=st.integers(min_value=1, max_value=400), seed=st.integers(min_value=0, max_value=10_000))
def test_totals_equal_the_generated_truth_for_any_size(vms, seed, tmp_path):
    path = tmp_path / f"gen-{vms}-{seed}.xlsx"
    synthetic = write_synthetic_rvtools(path, vms, seed=seed)
    export = read_rvtools(path)
    assert _totals(export) == synthetic.truth
    # Invariants that hold for any export.
    frame = capacity.cluster_capacity(export)
    assert frame["vms"].sum() == synthetic.truth["vms"]
    assert frame["hosts"].sum() == synthetic.truth["hosts"]
    assert (frame["n1_cores"] <= frame["cores"]).all()
    assert export.vms["vm_key"].is_unique
    assert export.quality.reconciliation["agrees"].all()


def test_the_generator_is_seeded():
    a, b = synthetic_rvtools(50, seed=11), synthetic_rvtools(50, seed=11)
    assert a.sheets == b.sheets and a.truth == b.truth
    assert synthetic_rvtools(50, seed=12).sheets != a.sheets


def _xlsx(tmp_path, sheets, name="hand.xlsx"):
    path = tmp_path / name
    write_xlsx(path, sheets)
    return path


OLD_VINFO = [
    "VM",
    "Powerstate",
    "Template",
    "CPUs",
    "Memory",
    "Provisioned MB",
    "In Use MB",
    "Cluster",
    "Host",
    "Latency Sensitivity",
    "PowerOn",
    "Connection state",
    "VI SDK Server",
    "VM ID",
    "Last Backup",
]


def test_3x_headers_encodings_and_sheet_names(tmp_path):
    rows = [
        [
            "a",
            "poweredOn",
            "False",
            2.0,
            4096.0,
            1000.0,
            500.0,
            "C1",
            "h1",
            1.0,
            "2018/10/05 12:22:47",
            "connected",
            "vc1",
            "vm-1",
            "yesterday",
        ],
        [
            "a",
            "suspended",
            "FALSE",
            4.0,
            8192.0,
            2000.0,
            900.0,
            "C1",
            "h1",
            3.0,
            "4/4/2018 5:25:31 PM",
            "orphaned",
            "vc2",
            "vm-1",
            "",
        ],
        ["", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
        [
            "tpl",
            "poweredOff",
            "True",
            1.0,
            1024.0,
            100.0,
            10.0,
            "C1",
            "h1",
            "",
            "",
            "inaccessible",
            "vc1",
            "vm-9",
            "",
        ],
        [
            "vCLS-1234abcd",
            "poweredOn",
            "False",
            1.0,
            128.0,
            10.0,
            5.0,
            "C1",
            "h1",
            "",
            "",
            "connected",
            "vc1",
            "vm-3",
            "",
        ],
    ]
    disks = (
        [
            "VM",
            "Capacity MB",
            "Raw",
            "Disk Mode",
            "Shared Bus",
            "Raw Comp. Mode",
            "VI SDK Server",
            "VM ID",
        ],
        [["a", 1000.0, "True", "independent_persistent", 2.0, "physicalMode", "vc1", "vm-1"]],
    )
    path = _xlsx(tmp_path, {"tabvInfo": (OLD_VINFO, rows), "tabvDisk": disks})
    export = read_rvtools(path)
    vms = export.vms
    assert list(vms["vm"]) == ["a", "a", "tpl", "vCLS-1234abcd"]
    assert vms["vm_key"].tolist() == [
        "vc1/vm-1",
        "vc2/vm-1",
        "vc1/vm-9",
        "vc1/vm-3",
    ]  # same name and ID, two vCenters
    assert vms["provisioned_mib"].tolist() == [
        1000.0,
        2000.0,
        100.0,
        10.0,
    ]  # MB headers are MiB values
    assert vms["latency_sensitivity"].tolist()[:2] == ["normal", "high"]  # 3.x numeric enum
    assert vms["power_on_time"].tolist()[:2] == [
        pd.Timestamp("2018-10-05 12:22:47"),
        pd.Timestamp("2018-04-04 17:25:31"),
    ]
    assert vms["is_suspended"].tolist() == [False, True, False, False]
    assert vms["is_template"].tolist() == [False, False, True, False]
    assert vms["is_vcls"].tolist() == [False, False, False, True]
    assert vms["is_orphaned"].tolist() == [False, True, False, False]
    assert vms["is_inaccessible"].tolist() == [False, False, True, False]
    assert "Last Backup" in vms.columns
    assert export.quality.dropped_rows == [{"sheet": "vInfo", "rows": 1, "reason": "blank row"}]
    assert export["vDisk"]["shared_bus"].tolist() == ["physicalSharing"]
    assert export.meta["header_units"] == "MB"
    assert any("version is unknown" in w for w in export.quality.warnings)


def test_db_column_names_and_trailing_spaces(tmp_path):
    headers = [
        "vInfoVMName",
        "vInfoPowerstate",
        "vInfoTemplate",
        "vInfoCPUs",
        "vInfoMemory",
        "vInfoProvisioned",
        "vInfoInUse",
        "vInfoCluster ",
        " vInfoHost",
    ]
    path = _xlsx(
        tmp_path,
        {"vInfo": (headers, [["x", "poweredOn", "False", 2.0, 2048.0, 10.0, 5.0, "C", "h"]])},
    )
    vms = read_rvtools(path).vms
    assert vms.loc[
        0, ["vm", "vcpus", "memory_mib", "provisioned_mib", "in_use_mib", "cluster", "host"]
    ].tolist() == ["x", 2, 2048.0, 10.0, 5.0, "C", "h"]


def test_unreadable_values_are_reported_not_guessed(tmp_path):
    headers = ["VM", "Powerstate", "Template", "CPUs", "Memory"]
    path = _xlsx(tmp_path, {"vInfo": (headers, [["x", "poweredOn", "maybe", "two", 1024.0]])})
    export = read_rvtools(path)
    assert pd.isna(export.vms.loc[0, "vcpus"]) and pd.isna(export.vms.loc[0, "template"])
    columns = {u["column"]: u["example"] for u in export.quality.unreadable_values}
    assert columns == {"vcpus": "two", "template": "maybe"}


def test_future_versions_are_flagged(tmp_path):
    meta = (
        ["RVTools major version", "RVTools version", "xlsx creation datetime", "Server"],
        [[4.9, "4.9.2.1", datetime(2027, 1, 1), "vc"]],
    )
    path = _xlsx(
        tmp_path,
        {
            "vInfo": (["VM", "Powerstate", "Template", "CPUs"], [["x", "poweredOn", "False", 1.0]]),
            "vMetaData": meta,
        },
    )
    export = read_rvtools(path)
    assert export.meta["rvtools_version"] == "4.9.2.1"
    assert any("newer than" in w for w in export.quality.warnings)


def test_a_vinfo_without_rvtools_columns_is_refused(tmp_path):
    path = _xlsx(tmp_path, {"vInfo": (["Name", "Colour"], [["x", "red"]])})
    with pytest.raises(ImportRejectedError, match="none of the RVTools columns"):
        read_rvtools(path)


def test_parse_rvtools_takes_bytes_and_refuses_a_lone_csv(tmp_path):
    path = tmp_path / "x.xlsx"
    write_synthetic_rvtools(path, 10)
    assert (
        len(parse_rvtools(path.read_bytes()).vms)
        == synthetic_rvtools(10).truth["vms"] + synthetic_rvtools(10).truth["templates"]
    )
    with pytest.raises(ImportRejectedError, match="needs its name"):
        parse_rvtools(b"VM,Powerstate\nx,poweredOn\n")


def test_a_single_csv_file_by_path(tmp_path):
    path = tmp_path / "RVTools_tabvInfo.csv"
    path.write_text(
        "VM;Powerstate;Template;CPUs;Memory\nx;poweredOn;False;2;1024,5\n", encoding="utf-8"
    )
    vms = read_rvtools(path).vms
    assert vms.loc[0, "memory_mib"] == 1024.5 and vms.loc[0, "vcpus"] == 2
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(ImportRejectedError, match="RVTools_tabvInfo.csv"):
        read_rvtools(other)


def test_a_merged_export_of_two_vcenters_keeps_their_clusters_apart(tmp_path):
    one = synthetic_rvtools(60, seed=1, vcenter="vc-east.example")
    two = synthetic_rvtools(40, seed=2, vcenter="vc-west.example")
    merged = {}
    for sheet, (headers, rows) in one.sheets.items():
        other_headers, other_rows = two.sheets[sheet]
        assert other_headers == headers
        merged[sheet] = (headers, rows + other_rows)
    path = tmp_path / "merged.xlsx"
    write_xlsx(path, merged)
    export = read_rvtools(path)
    totals = capacity.inventory_totals(export)
    assert sorted(totals["vcenters"]) == ["vc-east.example", "vc-west.example"]
    for key in ("vms", "vcpus", "memory_mib", "hosts", "host_cores"):
        assert totals[key] == one.truth[key] + two.truth[key], key
    east = totals["per_cluster"]["vc-east.example/CL-Prod-A"]
    assert {k: east[k] for k in ("vms", "vcpus", "hosts")} == {
        k: one.truth["per_cluster"]["CL-Prod-A"][k] for k in ("vms", "vcpus", "hosts")
    }
    assert "CL-Prod-A" not in totals["per_cluster"]
    assert export.vms["vm_key"].is_unique  # the same VM IDs in both vCenters stay apart
    assert export.quality.reconciliation["agrees"].all()
    assert any("several vCenters" in w for w in export.quality.warnings)


def test_custom_columns_never_overwrite_or_collide(tmp_path):
    headers = [
        "VM",
        "Powerstate",
        "Template",
        "CPUs",
        "Owner",
        "Owner",
        "Owner",
        "vcenter",
        "Datacenter",
        "Datacenter",
        "",
    ]
    row = ["x", "poweredOn", "False", 1.0, "a", "b", "c", "tag value", "DC1", "DC-copy", "loose"]
    path = _xlsx(tmp_path, {"vInfo": (headers, [row])})
    export = read_rvtools(path)
    vms = export.vms
    assert vms.loc[0, ["Owner", "Owner (2)", "Owner (3)"]].tolist() == ["a", "b", "c"]
    assert vms.loc[0, "vcenter (2)"] == "tag value" and vms.loc[0, "vcenter"] == ""
    assert vms.loc[0, "datacenter"] == "DC1" and vms.loc[0, "Datacenter"] == "DC-copy"
    assert vms.loc[0, "unnamed"] == "loose"
    assert export.quality.custom_columns["vInfo"] == [
        "Owner",
        "Owner (2)",
        "Owner (3)",
        "vcenter (2)",
        "Datacenter",
        "unnamed",
    ]


def test_repeated_custom_headers_with_parentheses_get_numbered(tmp_path):
    headers = ["VM", "Powerstate", "Template", "CPUs", "Size (GB)", "Size (GB)", "Size (GB)"]
    path = _xlsx(tmp_path, {"vInfo": (headers, [["x", "poweredOn", "False", 1.0, "1", "2", "3"]])})
    vms = read_rvtools(path).vms
    assert vms.loc[0, ["Size (GB)", "Size (GB) (2)", "Size (GB) (3)"]].tolist() == ["1", "2", "3"]


def test_booleans_in_any_spelling(tmp_path):
    headers = ["VM", "Powerstate", "Template", "CPUs", "CBT"]
    rows = [
        [f"v{i}", "poweredOn", template, 1.0, cbt]
        for i, (template, cbt) in enumerate(
            [("False", "TRUE"), ("false", "yes"), (False, 1.0), ("", "No"), ("FALSE", "maybe")]
        )
    ]
    export = read_rvtools(_xlsx(tmp_path, {"vInfo": (headers, rows)}))
    assert export.vms["template"].tolist()[:3] == [False, False, False]
    assert pd.isna(export.vms["template"][3])
    assert export.vms["cbt"].tolist()[:4] == [True, True, True, False] and pd.isna(
        export.vms["cbt"][4]
    )
    assert {u["column"]: u["example"] for u in export.quality.unreadable_values} == {"cbt": "maybe"}
