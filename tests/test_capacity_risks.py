"""Capacity figures and migration-risk checks on exports built to have known answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from workbench import capacity, risks
from workbench.demo import write_synthetic_rvtools
from workbench.errors import InvalidInputError
from workbench.io.rvtools import read_rvtools
from workbench.io.xlsx_writer import write_xlsx

AS_OF = date(2026, 11, 26)

HOST = [
    "Host",
    "Cluster",
    "# CPU",
    "# Cores",
    "Speed",
    "# Memory",
    "HT Active",
    "in Maintenance Mode",
    "ESX Version",
    "VI SDK Server",
]
CLUSTER = [
    "Name",
    "NumHosts",
    "numEffectiveHosts",
    "NumCpuCores",
    "TotalCpu",
    "TotalMemory",
    "VI SDK Server",
]
VINFO = [
    "VM",
    "Powerstate",
    "Template",
    "CPUs",
    "Memory",
    "Provisioned MiB",
    "In Use MiB",
    "Cluster",
    "Host",
    "VM ID",
    "VI SDK Server",
]
DATASTORE = [
    "Name",
    "Capacity MiB",
    "Free MiB",
    "In Use MiB",
    "Provisioned MiB",
    "Hosts",
    "URL",
    "Type",
    "VI SDK Server",
]


@pytest.fixture
def small(tmp_path):
    """Cluster A: hosts of 32 and 16 cores (512 and 256 GiB); cluster B: one 8-core host.
    A third cluster row (C) in vCluster lies about its memory."""
    hosts = [
        [
            "a1",
            "A",
            2.0,
            32.0,
            2000.0,
            524288.0,
            "True",
            "False",
            "VMware ESXi 8.0.3 build-1",
            "vc",
        ],
        [
            "a2",
            "A",
            2.0,
            16.0,
            2000.0,
            262144.0,
            "False",
            "True",
            "VMware ESXi 6.7.0 build-1",
            "vc",
        ],
        ["b1", "B", 1.0, 8.0, 3000.0, 131072.0, "True", "False", "VMware ESXi 8.0.3 build-1", "vc"],
    ]
    clusters = [
        ["A", 2.0, 1.0, 48.0, 96000.0, 786432.0, "vc"],
        ["B", 1.0, 1.0, 8.0, 24000.0, 999999.0, "vc"],
    ]
    vms = [
        ["v1", "poweredOn", "False", 8.0, 65536.0, 100.0, 50.0, "A", "a1", "vm-1", "vc"],
        ["v2", "poweredOff", "False", 4.0, 32768.0, 200.0, 20.0, "A", "a2", "vm-2", "vc"],
        ["t1", "poweredOff", "True", 2.0, 4096.0, 40.0, 4.0, "A", "a1", "vm-3", "vc"],
        ["v3", "poweredOn", "False", 16.0, 131072.0, 300.0, 30.0, "B", "b1", "vm-4", "vc"],
    ]
    stores = [
        ["shared", 1000.0, 400.0, 600.0, 700.0, "a1, a2, b1", "ds:///s/", "NFS", "vc"],
        ["local-a", 100.0, 50.0, 50.0, 50.0, "a1", "ds:///a/", "VMFS", "vc"],
    ]
    path = tmp_path / "small.xlsx"
    write_xlsx(
        path,
        {
            "vInfo": (VINFO, vms),
            "vHost": (HOST, hosts),
            "vCluster": (CLUSTER, clusters),
            "vDatastore": (DATASTORE, stores),
        },
    )
    return read_rvtools(path)


def test_cluster_capacity_figures(small):
    frame = capacity.cluster_capacity(small).set_index("cluster")
    a, b = frame.loc["A"], frame.loc["B"]
    assert (a.hosts, a.effective_hosts, a.sockets, a.cores, a.threads) == (2, 1, 4, 48, 80)
    assert a.cpu_mhz == 48 * 2000 and a.memory_mib == 786432
    assert (a.vms, a.vms_on, a.templates, a.vcpus, a.vcpus_on) == (2, 1, 1, 12, 8)
    assert a.vram_mib == 98304 and a.vram_on_mib == 65536
    assert a.vcpu_per_core == pytest.approx(12 / 48) and a.vram_per_ram == pytest.approx(
        98304 / 786432
    )
    # N+1: losing the largest host (32 cores, 512 GiB) leaves 16 cores and 256 GiB.
    assert (a.largest_host_cores, a.n1_cores, a.n1_memory_mib) == (32, 16, 262144)
    assert a.n1_vcpu_per_core_on == pytest.approx(8 / 16)
    assert a.n1_memory_headroom_mib == 262144 - 65536
    # A single-host cluster has nothing left after losing it.
    assert (
        b.n1_cores == 0 and b.n1_memory_headroom_mib == -131072 and pd.isna(b.n1_vcpu_per_core_on)
    )
    # The shared datastore is counted in both clusters, once each.
    assert (a.datastores, a.datastore_capacity_mib) == (2, 1100)
    assert (b.datastores, b.datastore_capacity_mib) == (1, 1000)


def test_environment_counts_shared_datastores_once(small):
    summary = capacity.environment_summary(small)
    assert summary["datastores"] == 2 and summary["datastore_capacity_mib"] == 1100
    assert summary["vms"] == 3 and summary["templates"] == 1 and summary["vcpus_on"] == 24
    assert summary["host_threads"] == 32 * 2 + 16 + 8 * 2


def test_selection_and_unknown_clusters(small):
    assert capacity.cluster_capacity(small, ["B"])["cluster"].tolist() == ["B"]
    with pytest.raises(InvalidInputError, match="'Z'"):
        capacity.cluster_capacity(small, ["Z"])


def test_reconciliation_reports_a_lying_vcluster(small):
    rec = small.quality.reconciliation.set_index(["cluster", "measure"])
    assert rec.loc[("A", "total_memory_mib"), "agrees"]
    assert not rec.loc[("B", "total_memory_mib"), "agrees"]
    assert rec.loc[("B", "total_memory_mib"), "difference"] == 999999 - 131072
    assert any("Cluster 'B'" in w for w in small.quality.warnings)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """A generated export with one VM planted for each check."""
    path = tmp_path_factory.mktemp("risks") / "gen.xlsx"
    write_synthetic_rvtools(path, 80, seed=5)
    export = read_rvtools(path)
    vms = export.vms
    candidates = vms[
        ~vms["is_template"] & ~vms["is_vcls"] & vms["is_powered_on"] & (vms["cluster"] != "")
    ]
    keys = iter(candidates["vm_key"].tolist())
    targets: dict[str, str] = {}

    def plant(check: str, sheet: str, changes: dict, new_row: bool = False) -> None:
        key = next(keys)
        targets[check] = key
        frame = export.tables[sheet]
        if new_row or not (frame["vm_key"] == key).any():
            template = export.tables["vInfo"][export.tables["vInfo"]["vm_key"] == key].iloc[0]
            row = {c: template[c] if c in template.index else pd.NA for c in frame.columns}
            row.update(changes)
            export.tables[sheet] = pd.concat(
                [frame, pd.DataFrame([row]).astype(frame.dtypes.to_dict(), errors="ignore")],
                ignore_index=True,
            )
        else:
            for column, value in changes.items():
                export.tables[sheet].loc[frame["vm_key"] == key, column] = value

    captured = export.meta["export_time"]
    plant(
        "snapshots_present",
        "vSnapshot",
        {"snapshot_time": captured, "size_total_mib": 10.0},
        new_row=True,
    )
    plant(
        "snapshot_old",
        "vSnapshot",
        {"snapshot_time": captured - timedelta(days=30), "size_total_mib": 10.0},
        new_row=True,
    )
    plant(
        "snapshot_large",
        "vSnapshot",
        {"snapshot_time": captured, "size_total_mib": 80_000.0},
        new_row=True,
    )
    key = next(keys)
    targets["snapshot_chain_deep"] = key
    template = export.vms[export.vms["vm_key"] == key].iloc[0]
    snaps = export.tables["vSnapshot"]
    extra = pd.DataFrame(
        [
            {c: template[c] if c in template.index else pd.NA for c in snaps.columns}
            | {"snapshot_time": captured, "size_total_mib": 1.0}
        ]
        * 3
    )
    export.tables["vSnapshot"] = pd.concat(
        [snaps, extra.astype(snaps.dtypes.to_dict(), errors="ignore")], ignore_index=True
    )
    plant("rdm_physical", "vDisk", {"raw": True, "raw_compatibility_mode": "physicalMode"})
    plant("rdm_virtual", "vDisk", {"raw": True, "raw_compatibility_mode": "virtualMode"})
    plant("scsi_bus_sharing", "vDisk", {"shared_bus": "virtualSharing"})
    plant("multi_writer", "vDisk", {"sharing_mode": "sharingMultiWriter"})
    plant("independent_disk", "vDisk", {"disk_mode": "independent_nonpersistent"})
    plant("cdrom_connected", "vCD", {"connected": True})
    plant("usb_device", "vUSB", {"device_node": "USB 1", "device_type": "key"}, new_row=True)
    plant("tools_not_running", "vTools", {"tools_status": "toolsNotRunning"})
    plant("tools_not_installed", "vTools", {"tools_status": "toolsNotInstalled"})
    plant("tools_old", "vTools", {"tools_status": "toolsOld"})
    plant("tools_unmanaged", "vTools", {"tools_version": 2147483647})
    plant("hw_version_old", "vInfo", {"hw_version": 8})
    plant("large_vm_cpu", "vInfo", {"vcpus": 64})
    plant("large_vm_memory", "vInfo", {"memory_mib": 1024.0 * 1024})
    plant("large_vm_storage", "vInfo", {"provisioned_mib": 20.0 * 1024 * 1024})
    plant("suspended", "vInfo", {"is_suspended": True, "powerstate": "suspended"})
    plant("fault_tolerance", "vInfo", {"ft_state": "running"})
    plant("cbt_off", "vInfo", {"cbt": False})
    plant("guest_os_eol", "vInfo", {"os_tools": "Microsoft Windows Server 2008 R2 (64-bit)"})
    plant("passthrough_possible", "vMemory", {"reservation_locked_to_max": True})
    plant(
        "inaccessible_or_orphaned", "vInfo", {"is_orphaned": True, "connection_state": "orphaned"}
    )
    plant("consolidation_needed", "vInfo", {"consolidation_needed": True})
    plant("srm_placeholder", "vInfo", {"is_srm_placeholder": True})
    plant("duplicate_vm_name", "vInfo", {"vm": "twin"})
    targets_twin = targets["duplicate_vm_name"]
    plant("memory_reservation", "vMemory", {"reservation_mib": 2048.0})
    plant("latency_sensitive", "vInfo", {"latency_sensitivity": "high"})
    plant("guest_disk_full", "vPartition", {"free_pct": 2.0, "disk": "C:\\"}, new_row=True)
    plant("standalone_host", "vInfo", {"cluster": ""})
    export.tables["vInfo"].loc[export.tables["vInfo"]["vm_key"] == next(keys), "vm"] = "Twin"
    old_host = export.hosts.index[0]
    export.hosts.loc[old_host, "esx_version"] = "VMware ESXi 6.5.0 build-1"
    host = export.hosts.loc[old_host, "host"]
    on_old = export.vms[
        (export.vms["host"] == host) & ~export.vms["is_template"] & ~export.vms["is_vcls"]
    ]
    targets["esxi_eol"] = on_old["vm_key"].iloc[0]
    plant_network_checks(export, targets, keys)
    assert targets_twin
    return export, targets


def add_rows(export, sheet: str, rows: list[dict]) -> None:
    """Append rows (the columns given, the rest empty) to one of the export's sheets."""
    frame = export.tables[sheet]
    extra = pd.DataFrame([{c: row.get(c, pd.NA) for c in frame.columns} for row in rows])
    export.tables[sheet] = pd.concat(
        [frame, extra.astype(frame.dtypes.to_dict(), errors="ignore")], ignore_index=True
    )


def plant_network_checks(export, targets: dict[str, str], keys) -> None:
    """The checks of hosts' CPU vendors, Oracle hints and switches (issue 9): the generated
    export has no switch sheets, so they are added here and named as in the file."""
    vms = export.vms
    for check in ("oracle_guest", "cpu_vendor_mix", "standard_vswitch", "ephemeral_port_group"):
        targets[check] = next(keys)
    oracle = vms["vm_key"] == targets["oracle_guest"]
    export.tables["vInfo"].loc[oracle, "os_tools"] = "Oracle Linux 9 (64-bit)"
    mixed = vms[vms["vm_key"] == targets["cpu_vendor_mix"]].iloc[0]
    same = export.hosts[
        (export.hosts["cluster"] == mixed["cluster"])
        & (export.hosts["vcenter"] == mixed["vcenter"])
    ]
    assert len(same) >= 2
    export.hosts.loc[same.index[0], "cpu_model"] = "AMD EPYC 9354 32-Core Processor"
    export.hosts.loc[same.index[1], "cpu_model"] = "Intel(R) Xeon(R) Gold 6430"
    for check, switch, network in (
        ("standard_vswitch", "vSwitch-planted", "VM Network"),
        ("ephemeral_port_group", "dvs-planted", "eph-planted"),
    ):
        vm = vms[vms["vm_key"] == targets[check]].iloc[0]
        add_rows(
            export,
            "vNetwork",
            [
                {
                    "vm": vm["vm"],
                    "vm_key": vm["vm_key"],
                    "vcenter": vm["vcenter"],
                    "switch": switch,
                    "network": network,
                }
            ],
        )
    vcenter = vms["vcenter"].iloc[0]
    add_rows(export, "vSwitch", [{"vcenter": vcenter, "host": "h", "switch": "vSwitch-planted"}])
    add_rows(export, "dvSwitch", [{"vcenter": vcenter, "switch": "dvs-planted"}])
    add_rows(
        export,
        "dvPort",
        [
            {
                "vcenter": vcenter,
                "switch": "dvs-planted",
                "port": "eph-planted",
                "binding": "ephemeral",
            }
        ],
    )
    export.meta["sheets"] = [*export.meta["sheets"], "vSwitch", "vPort", "dvSwitch", "dvPort"]


def test_there_are_at_least_twenty_checks_with_ids_and_explanations():
    assert len(risks.CHECKS) >= 20
    assert len({c.id for c in risks.CHECKS}) == len(risks.CHECKS)
    for check in risks.CHECKS:
        assert check.severity in risks.SEVERITIES and len(check.explanation) > 30


def test_every_check_finds_the_vm_planted_for_it(planted):
    export, targets = planted
    report = risks.assess(export, as_of=AS_OF)
    assert set(targets) == {c.id for c in risks.CHECKS}
    for check, key in targets.items():
        hit = report.hits[(report.hits["check_id"] == check) & (report.hits["vm_key"] == key)]
        assert len(hit) == 1, check
        assert hit["detail"].iloc[0], check
    counts = report.counts()
    assert all(counts[c] >= 1 for c in targets)


def test_templates_and_vcls_agents_are_never_hit(planted):
    export, _ = planted
    report = risks.assess(export, as_of=AS_OF)
    excluded = set(export.vms.loc[export.vms["is_template"] | export.vms["is_vcls"], "vm_key"])
    assert not set(report.hits["vm_key"]) & excluded


def test_end_of_support_depends_on_the_day(planted):
    export, _ = planted
    early = risks.assess(export, as_of=date(2019, 1, 1)).counts()
    late = risks.assess(export, as_of=AS_OF).counts()
    assert early["guest_os_eol"] < late["guest_os_eol"]


def test_checks_without_data_are_not_evaluated(small):
    report = risks.assess(small, as_of=AS_OF)
    counts = report.counts()
    assert counts["snapshots_present"] is None and counts["tools_old"] is None
    assert counts["esxi_eol"] == 1  # v2 runs on a2 (ESXi 6.7)


def test_restricting_a_report_to_clusters(planted):
    export, _ = planted
    report = risks.assess(export, as_of=AS_OF)
    cluster = export.vms.loc[~export.vms["is_vcls"], "cluster"].iloc[0]
    part = report.for_clusters([cluster])
    assert set(part.hits["cluster"]) <= {cluster}
    assert part.checks["vms"].sum() == len(part.hits)


def test_snapshot_age_is_measured_at_export_time(planted):
    export, targets = planted
    export = type(export)(
        tables=export.tables,
        meta=dict(export.meta, export_time=datetime(2030, 1, 1)),
        quality=export.quality,
    )
    hits = risks.assess(export, as_of=AS_OF).hits
    assert targets["snapshots_present"] in set(
        hits.loc[hits["check_id"] == "snapshot_old", "vm_key"]
    )


@pytest.mark.parametrize(
    "os_name,ended",
    [
        ("Microsoft Windows Server 2012 R2 (64-bit)", True),
        ("Microsoft Windows Server 2016 or later (64-bit)", False),
        ("Microsoft Windows Server 2016 Standard", False),
        ("Microsoft Windows Server 2022 Datacenter", False),
        ("CentOS 7 (64-bit)", True),
        ("Red Hat Enterprise Linux 8 (64-bit)", False),
        ("Ubuntu 18.04.6 LTS", True),
        ("Ubuntu 20.04.6 LTS", True),
        ("Ubuntu 22.04.4 LTS", False),
        ("Ubuntu Linux (64-bit)", False),
        ("Debian GNU/Linux 10 (64-bit)", True),
        ("Debian GNU/Linux 11 (64-bit)", True),
        ("Debian GNU/Linux 12 (64-bit)", False),
        ("SUSE Linux Enterprise 15 (64-bit)", False),
    ],
)
def test_guest_os_end_of_support(os_name, ended):
    end = risks._guest_os_end(os_name)
    assert (end is not None and end < AS_OF) is ended


def test_storage_of_a_selection_counts_shared_datastores_once(small):
    from workbench.rvtools_imports import capacity_analysis

    assert capacity.storage_seen_by(small, ["A", "B"]) == {
        "datastores": 2,
        "datastore_capacity_mib": 1100,
        "datastore_free_mib": 450,
    }
    assert capacity.storage_seen_by(small, ["B"])["datastore_capacity_mib"] == 1000
    totals = capacity_analysis(small, ["A", "B"], AS_OF)["totals"]
    assert totals["datastore_capacity_mib"] == 1100  # not 1100 + 1000
    assert totals["vcpus"] == 12 + 16
