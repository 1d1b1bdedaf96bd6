"""The checks added for issue 9: hosts' CPU vendor mix, Oracle hints, standard vSwitch port
groups and ephemeral distributed port groups, on small files written with RVTools' own
headers and on the real exports (counts checked by hand against the files)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import SHARED_DATA, require
from workbench import risks
from workbench.io.rvtools import read_rvtools
from workbench.io.xlsx_writer import write_xlsx

AS_OF = date(2026, 11, 26)
NEW = ("cpu_vendor_mix", "oracle_guest", "standard_vswitch", "ephemeral_port_group")

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
    "OS according to the VMware Tools",
    "Annotation",
    "VI SDK Server",
]
HOST = ["Host", "Cluster", "# CPU", "# Cores", "Speed", "# Memory", "CPU Model", "VI SDK Server"]
NETWORK = [
    "VM",
    "Powerstate",
    "Template",
    "Network",
    "Switch",
    "Connected",
    "VM ID",
    "VI SDK Server",
]
VSWITCH = ["Host", "Datacenter", "Cluster", "Switch", "# Ports", "VI SDK Server"]
DVSWITCH = ["Switch", "Datacenter", "Name", "Vendor", "Version", "VI SDK Server"]
DVPORT = ["Port", "Switch", "Type", "# Ports", "VLAN", "VI SDK Server"]
INTEL = "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz"
AMD = "AMD EPYC 7543 32-Core Processor"


def vm(name, cluster, host, os="Microsoft Windows Server 2022 (64-bit)", note="", n=0):
    return [
        name,
        "poweredOn",
        "False",
        2.0,
        4096.0,
        100.0,
        50.0,
        cluster,
        host,
        f"vm-{n}",
        os,
        note,
        "vc",
    ]


@pytest.fixture
def export(tmp_path):
    """Cluster A mixes an AMD and an Intel host; B is all Intel. VMs: a1 and a2 in A; b1 an
    Oracle Linux guest; 'ora-db01' named for Oracle; b3 with an Oracle annotation; b4 on a
    standard vSwitch; b5 on an ephemeral dvPort group, b6 on a static one; 'orange' and
    'aurora' are not Oracle."""
    vms = [
        vm("a1", "A", "ha1", n=1),
        vm("a2", "A", "ha2", n=2),
        vm("b1", "B", "hb1", os="Oracle Linux 8 (64-bit)", n=3),
        vm("ora-db01", "B", "hb1", n=4),
        vm("b3", "B", "hb1", note="Oracle EBS database", n=5),
        vm("b4", "B", "hb1", n=6),
        vm("b5", "B", "hb1", n=7),
        vm("b6", "B", "hb1", n=8),
        vm("orange", "B", "hb1", n=9),
        vm("aurora", "B", "hb1", n=10),
    ]
    hosts = [
        ["ha1", "A", 2.0, 32.0, 2000.0, 524288.0, AMD, "vc"],
        ["ha2", "A", 2.0, 32.0, 2000.0, 524288.0, INTEL, "vc"],
        ["hb1", "B", 2.0, 32.0, 2000.0, 524288.0, INTEL, "vc"],
    ]
    network = [
        ["b4", "poweredOn", "False", "VM Network", "vSwitch0", "True", "vm-6", "vc"],
        ["b5", "poweredOn", "False", "PG-eph", "dvs1", "True", "vm-7", "vc"],
        ["b6", "poweredOn", "False", "PG-static", "dvs1", "True", "vm-8", "vc"],
    ]
    path = tmp_path / "network.xlsx"
    write_xlsx(
        path,
        {
            "vInfo": (VINFO, vms),
            "vNetwork": (NETWORK, network),
            "vHost": (HOST, hosts),
            "vSwitch": (VSWITCH, [["hb1", "DC", "B", "vSwitch0", 128.0, "vc"]]),
            "dvSwitch": (DVSWITCH, [["dvs1", "DC", "dvs1", "VMware, Inc.", "8.0.3", "vc"]]),
            "dvPort": (
                DVPORT,
                [
                    ["PG-eph", "dvs1", "ephemeral", 0.0, 10.0, "vc"],
                    ["PG-static", "dvs1", "earlyBinding", 8.0, 11.0, "vc"],
                ],
            ),
        },
    )
    return read_rvtools(path)


def hits(report, check):
    found = report.hits[report.hits["check_id"] == check]
    return dict(zip(found["vm"], found["detail"], strict=True))


def test_the_new_checks_on_a_small_file(export):
    report = risks.assess(export, as_of=AS_OF)
    mix = hits(report, "cpu_vendor_mix")
    assert set(mix) == {"a1", "a2"} and "1 AMD host, 1 Intel host" in mix["a1"]
    oracle = hits(report, "oracle_guest")
    assert set(oracle) == {"b1", "ora-db01", "b3"}
    assert "guest OS Oracle Linux 8" in oracle["b1"] and "annotation" in oracle["b3"]
    assert hits(report, "standard_vswitch") == {"b4": "VM Network on vSwitch0"}
    assert hits(report, "ephemeral_port_group") == {"b5": "PG-eph on dvs1 (ephemeral)"}


def test_without_the_switch_sheets_the_network_checks_are_not_evaluated(tmp_path):
    path = tmp_path / "bare.xlsx"
    write_xlsx(
        path,
        {
            "vInfo": (VINFO, [vm("x", "A", "h", n=1)]),
            "vHost": (HOST, [["h", "A", 1.0, 8.0, 2000.0, 65536.0, INTEL, "vc"]]),
        },
    )
    counts = risks.assess(read_rvtools(path), as_of=AS_OF).counts()
    assert counts["standard_vswitch"] is None and counts["ephemeral_port_group"] is None
    assert counts["cpu_vendor_mix"] == 0 and counts["oracle_guest"] == 0


# Counted by hand from the files: vNetwork rows whose Switch is a vSwitch name (templates
# and vCLS left out), VMs by VM ID; Oracle: the guest OS column, the 'AH-Oracle1' cluster's
# VMs and the 'ora-' names of 06; no export has AMD hosts or a VM on an ephemeral port group
# (06 has one ephemeral port group, with no port in use).
REAL = {
    "02_lonati_rvtools-4.7.1_vc8.0.3_233vm.xlsx": (0, 1, 224, 0),
    "03_ovh-pcc_rvtools-4.4.3_vc7.0.3_124vm.xlsx": (0, 0, 0, 0),
    "04_bcspa2_rvtools-4.7.1_vc6.7_32vm.xlsx": (0, 0, 32, 0),
    "05_bcspa1_rvtools-4.7.1_vc6.0-esxi5.5_19vm.xlsx": (0, 1, 19, 0),
    "06_acme1-aeris_rvtools-4.6.1_vc8.0.3_1304vm.xlsx": (0, 26, 873, 0),
    "07_acme1-creambell_rvtools-4.6.1_vc8.0.3_339vm.xlsx": (0, 0, 278, 0),
    "10_billsample_rvtools-3.x-trimmed_131vm.xlsx": (0, 2, None, None),
    "11_sizingworkshop_rvtools-3.x-trimmed_805vm.xlsx": (0, 0, None, None),
    "12_kubev2v-example1_rvtools-4.x-anonymised_9vm.xlsx": (0, 0, None, None),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_the_new_checks_on_real_exports(name):
    path = SHARED_DATA / "rvtools" / name
    require(path.exists(), f"{path} is not there")
    counts = risks.assess(read_rvtools(path), as_of=AS_OF).counts()
    assert tuple(counts[c] for c in NEW) == REAL[name]
