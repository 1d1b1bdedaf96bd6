"""Sizing (workbench/sizing.py): host counts computed by hand, the two scenarios, settings
validation, properties of the method, and one real export."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.conftest import SHARED_DATA, require
from workbench import sizing
from workbench.baskets import LOT_COLUMNS
from workbench.errors import InvalidInputError
from workbench.io.rvtools import read_rvtools
from workbench.io.xlsx_writer import write_xlsx
from workbench.sizing import Demand, SizingSettings

GIB = 1024
TB_MIB = 10**12 / 2**20  # one decimal TB in MiB


def lot_rows(lot="L1", cores=32, ram_gib=512, raw_tb=None, cpu="Intel", usd=10_000.0, **more):
    """The rows of one lot: net, and a 3-year tier including the hardware."""
    base = {c: None for c in LOT_COLUMNS} | {
        "basket_id": "",
        "vendor": more.get("vendor", "Dell"),
        "basket": "Q3",
        "quarter": "2025-Q3",
        "lot": lot,
        "model": f"R{lot}",
        "cpu_vendor": cpu,
        "cpu_model": "2 x 6430" if cpu == "Intel" else "2 x 9354",
        "sockets": 2 if cores else None,
        "cores_per_cpu": cores // 2 if cores else None,
        "cores": cores,
        "ram_gib": ram_gib,
        "raw_tb": raw_tb,
        "warnings": "",
    }
    return [
        base
        | {"tier": "net", "years": None, "includes_hardware": True, "usd": usd, "eur": usd * 0.9},
        base
        | {
            "tier": "prosupport",
            "years": 3,
            "includes_hardware": True,
            "usd": usd * 1.2,
            "eur": usd * 1.2 * 0.9,
        },
    ]


def lots(*groups) -> pd.DataFrame:
    frame = pd.DataFrame([row for group in groups for row in group], columns=LOT_COLUMNS)
    for column in ("sockets", "cores_per_cpu", "cores", "ram_gib", "years"):
        frame[column] = frame[column].astype("Int64")
    return frame


def make_demand(vms: list[tuple[int, float]], storage_mib: float = 0.0, vendors=("Intel",)):
    """A Demand of VMs given as (vCPU, GiB); today's ratios unknown."""
    vcpus = np.array([v for v, _ in vms], float)
    memory = np.array([m * GIB for _, m in vms], float)
    return Demand(
        clusters=(),
        vms=len(vms),
        vcpus=int(vcpus.sum()),
        memory_mib=float(memory.sum()),
        storage_mib=storage_mib,
        vcpus_before_growth=int(vcpus.sum()),
        memory_mib_before_growth=float(memory.sum()),
        storage_mib_before_growth=storage_mib,
        growth_factor=1.0,
        storage_basis="in_use",
        vm_vcpus=vcpus,
        vm_memory_mib=memory,
        source_cpu_vendors=tuple(vendors),
    )


def policy(result, lot="L1"):
    options = result.options
    return options[(options["scenario"] == "policy") & (options["lot"] == lot)].iloc[0]


# Lot L1: 32 cores, 512 GiB. Defaults: CPU_h = 32 x 4 x 0.8 = 102.4 vCPU,
# RAM_h = (512 - 32) x 1.0 x 0.8 = 384 GiB.


def test_cpu_bound():
    result = sizing.recommend(make_demand([(4, 8)] * 100), lots(lot_rows()))
    row = policy(result)
    # ceil(400 / 102.4) = 4, ceil(800 / 384) = 3 -> 4 + 1
    assert (row.compute_hosts, row.storage_hosts, row.hosts, row.limiting) == (4, 0, 5, "cpu")
    assert row.feasible and row.tier == "prosupport" and row.years == 3
    assert row.unit_usd == 12_000 and row.total_usd == 60_000
    assert row.total_eur == pytest.approx(60_000 * 0.9)
    assert row.spare_cpu == pytest.approx(1 - 400 / (5 * 102.4))
    assert list(result.options.columns[: len(sizing.OPTION_COLUMNS)]) == sizing.OPTION_COLUMNS


def test_ram_bound():
    row = policy(sizing.recommend(make_demand([(2, 64)] * 50), lots(lot_rows())))
    # ceil(100 / 102.4) = 1, ceil(3200 / 384) = 9 -> 9 + 1
    assert (row.compute_hosts, row.hosts, row.limiting) == (9, 10, "memory")


def test_storage_bound_with_a_vsan_policy():
    demand = make_demand([(2, 8)] * 10, storage_mib=20 * TB_MIB)
    settings = SizingSettings(storage="raid1_ftt1")
    row = policy(sizing.recommend(demand, lots(lot_rows(raw_tb=10.0)), settings))
    # Raw = 20 TB x 2.0 / 1 / (1 - 0.25) + 10 TB rebuild = 63.33 TB -> ceil(6.33) = 7 -> 7 + 1
    assert (row.compute_hosts, row.storage_hosts, row.hosts, row.limiting) == (1, 7, 8, "storage")
    assert row.spare_storage == pytest.approx(1 - (20 * 2 / 0.75 + 10) / 80)


def test_vsan_policy_minimum_and_a_lot_without_disks():
    demand = make_demand([(2, 8)] * 2, storage_mib=1 * TB_MIB)
    settings = SizingSettings(storage="raid6")
    result = sizing.recommend(demand, lots(lot_rows(raw_tb=50.0), lot_rows("L2")), settings)
    row = policy(result)
    assert (row.hosts, row.limiting) == (7, "minimum")  # RAID-6 needs 6, + 1
    bare = policy(result, "L2")
    assert not bare.feasible and "no data disks" in bare.reason


def test_esa_raid5_adaptive_factor():
    # 3-5 hosts: 2+1 (1.5); from 6 hosts: 4+1 (1.25). 40 TB x 1.25 x 1.131 / 0.75 + 10 = 85.4
    demand = make_demand([(2, 8)] * 2, storage_mib=40 * TB_MIB)
    settings = SizingSettings(storage="esa_raid5")
    row = policy(sizing.recommend(demand, lots(lot_rows(raw_tb=10.0)), settings))
    assert row.storage_hosts == math.ceil((40 * 1.25 * 1.131 / 0.75 + 10) / 10) == 9
    small = make_demand([(2, 8)] * 2, storage_mib=5 * TB_MIB)
    row = policy(sizing.recommend(small, lots(lot_rows(raw_tb=10.0)), settings))
    assert row.storage_hosts == math.ceil((5 * 1.5 * 1.131 / 0.75 + 10) / 10) == 3


def test_n_plus_two():
    result = sizing.recommend(
        make_demand([(4, 8)] * 100), lots(lot_rows()), SizingSettings(ha_failures=2)
    )
    assert policy(result).hosts == 6


def test_a_vm_too_large_for_the_lot_makes_it_infeasible():
    demand = make_demand([(48, 1536)] + [(2, 4)] * 5)
    result = sizing.recommend(demand, lots(lot_rows(), lot_rows("BIG", cores=64, ram_gib=2048)))
    row = policy(result)
    assert not row.feasible
    assert "the largest VM (48 vCPU, 1.5 TiB) does not fit one host of this lot" in row.reason
    assert policy(result, "BIG").feasible and policy(result, "BIG")["rank"] == 1
    assert policy(result)["rank"] == 2  # feasible first


def test_external_storage_needs_no_storage_hosts():
    demand = make_demand([(2, 8)] * 10, storage_mib=500 * TB_MIB)
    row = policy(sizing.recommend(demand, lots(lot_rows(raw_tb=10.0))))
    assert (row.storage_hosts, row.hosts) == (0, 2)


def test_placement_raises_the_formula():
    # 10 VMs of 60 vCPU: the formula says ceil(600 / 102.4) = 6, but one fits per host.
    result = sizing.recommend(make_demand([(60, 8)] * 10), lots(lot_rows()))
    row = policy(result)
    assert (row.compute_hosts, row.hosts) == (6, 11)
    steps = result.trace[(result.trace["lot"] == "L1") & (result.trace["scenario"] == "policy")]
    check = steps[steps["step"] == "placement check"].iloc[0]
    assert "raised from 7 to 10 + 1 = 11" in check.formula


def test_lots_missing_cores_or_ram_and_vendor_flag():
    frame = lots(
        lot_rows("NOCORE", cores=None), lot_rows("NORAM", ram_gib=None), lot_rows("AMD", cpu="AMD")
    )
    result = sizing.recommend(make_demand([(2, 8)] * 4), frame)
    assert "no CPU cores" in policy(result, "NOCORE").reason
    assert "no RAM" in policy(result, "NORAM").reason
    assert policy(result, "AMD").cpu_vendor_differs and policy(result, "AMD").feasible


def test_licences_and_explicit_tier():
    settings = SizingSettings(
        support_tier="net", windows_price_per_core_year=10.0, vmware_price_per_core_year=100.0
    )
    row = policy(sizing.recommend(make_demand([(4, 8)] * 100), lots(lot_rows()), settings))
    # 5 hosts; Windows 2 x max(8, 16) = 32 cores; VMware 2 x max(16, 16) = 32 cores; 3 years
    licences = 5 * 32 * 10 * 3 + 5 * 32 * 100 * 3
    assert row.tier == "net" and row.total_usd == 5 * 10_000 + licences


def test_trace_and_json():
    result = sizing.recommend(make_demand([(4, 8)] * 100), lots(lot_rows()))
    assert list(result.trace.columns) == sizing.TRACE_COLUMNS
    steps = set(result.trace["step"])
    assert {
        "usable CPU per host",
        "compute hosts (CPU)",
        "hosts with HA",
        "placement check",
        "price",
    } <= steps
    cpu = result.trace[result.trace["step"] == "usable CPU per host"].iloc[0]
    assert "(32 cores - 0 reserve) x 4 vCPU:core x 80% = 102.40" in cpu.formula
    json.dumps(result.to_json())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cpu_ratio": 0}, "vCPU:core ratio must be above 0"),
        ({"target_utilisation": 1.5}, "Target utilisation must be above 0 and at most 100 %"),
        ({"storage": "raid9"}, "Storage must be one of"),
        ({"ha_failures": -1}, "Host failures to tolerate must be at least 0"),
        ({"storage_basis": "used"}, "Storage basis must be"),
        ({"slack": 1.0}, "vSAN slack space must be at least 0 and below 100 %"),
        ({"memory_overcommit": float("nan")}, "Memory overcommit must be a number"),
        ({"support_years": 0}, "Support term (years) must be at least 1"),
    ],
)
def test_settings_validation_speaks_in_labels(changes, message):
    with pytest.raises(InvalidInputError) as error:
        SizingSettings(**changes).validate()
    assert message in str(error.value)
    # Labels, never the field names (snake_case) behind them.
    assert not any(name in str(error.value) for name in changes if "_" in name)


# ------------------------------------------------------------------ a small export

HOST = ["Host", "Cluster", "# CPU", "# Cores", "Speed", "# Memory", "CPU Model", "VI SDK Server"]
VINFO = [
    "VM",
    "Powerstate",
    "Template",
    "SRM Placeholder",
    "CPUs",
    "Memory",
    "Provisioned MiB",
    "In Use MiB",
    "Cluster",
    "Host",
    "VM ID",
    "VI SDK Server",
]
CPU = "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz"


@pytest.fixture
def small(tmp_path):
    """Cluster A: two hosts of 32 cores and 512 GiB; 8 VMs of 16 vCPU and 64 GiB (today
    2.0 vCPU per core and 0.5 vRAM per RAM), a template, a vCLS agent, an SRM placeholder
    and a powered-off VM in cluster B."""
    hosts = [[f"a{n}", "A", 2.0, 32.0, 3000.0, 512.0 * GIB, CPU, "vc"] for n in (1, 2)]
    hosts.append(
        ["b1", "B", 2.0, 16.0, 3000.0, 256.0 * GIB, "AMD EPYC 7543 32-Core Processor", "vc"]
    )
    vms = [
        [
            f"v{n}",
            "poweredOn",
            "False",
            "False",
            16.0,
            64.0 * GIB,
            2000.0,
            1000.0,
            "A",
            "a1",
            f"vm-{n}",
            "vc",
        ]
        for n in range(8)
    ]
    vms += [
        ["tpl", "poweredOff", "True", "False", 4.0, 4096.0, 10.0, 10.0, "A", "a1", "vm-90", "vc"],
        [
            "vCLS-1234",
            "poweredOn",
            "False",
            "False",
            1.0,
            128.0,
            10.0,
            10.0,
            "A",
            "a1",
            "vm-91",
            "vc",
        ],
        ["srm", "poweredOff", "False", "True", 8.0, 8192.0, 10.0, 10.0, "A", "a2", "vm-92", "vc"],
        [
            "off",
            "poweredOff",
            "False",
            "False",
            2.0,
            2048.0,
            500.0,
            100.0,
            "B",
            "b1",
            "vm-93",
            "vc",
        ],
    ]
    path = tmp_path / "small.xlsx"
    write_xlsx(path, {"vInfo": (VINFO, vms), "vHost": (HOST, hosts)})
    return read_rvtools(path)


def test_demand_scope_and_today_ratios(small):
    need = sizing.demand(small, ["A"])
    assert (need.vms, need.vcpus, need.memory_mib) == (8, 128, 512.0 * GIB)
    assert need.storage_mib == 8000.0 and need.excluded["templates"] == 1
    assert need.excluded["vcls"] == 1 and need.excluded["srm_placeholders"] == 1
    assert need.vcpu_per_core == pytest.approx(2.0) and need.vram_per_ram == pytest.approx(0.5)
    assert need.source_cpu_vendors == ("Intel",)
    whole = sizing.demand(small)
    assert whole.vms == 9 and whole.source_cpu_vendors == ("AMD", "Intel")
    on = sizing.demand(
        small, settings=SizingSettings(include_powered_off=False, storage_basis="provisioned")
    )
    assert on.vms == 8 and on.storage_mib == 16000.0 and on.excluded["powered_off"] == 1
    grown = sizing.demand(small, ["A"], SizingSettings(growth=0.2, years=2))
    assert grown.memory_mib == pytest.approx(512 * GIB * 1.44) and grown.vcpus == math.ceil(
        128 * 1.44
    )
    assert grown.vcpus_before_growth == 128
    with pytest.raises(InvalidInputError, match="No cluster named 'Z'"):
        sizing.demand(small, ["Z"])


def test_today_scenario_uses_measured_ratios(small):
    result = sizing.recommend(sizing.demand(small, ["A"]), lots(lot_rows()))
    options = result.options.set_index("scenario")
    # policy: ceil(128 / 102.4) = 2, ceil(512 / 384) = 2 -> 3
    assert options.loc["policy", "hosts"] == 3
    # today: CPU_h = 32 x 2.0 x 0.8 = 51.2, RAM_h = 480 x 0.5 x 0.8 = 192 GiB:
    # ceil(128 / 51.2) = 3, ceil(512 / 192) = 3 -> 4; 3 VMs per host, 8 VMs on 3 hosts.
    assert options.loc["today", "compute_hosts"] == 3 and options.loc["today", "hosts"] == 4
    today = result.trace[
        (result.trace["scenario"] == "today") & (result.trace["step"] == "today's ratios")
    ]
    assert "= 2.000" in today.iloc[0].formula


# -------------------------------------------------------------------- properties

shapes = st.lists(
    st.tuples(st.integers(1, 24), st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128])),
    min_size=1,
    max_size=60,
)


def hosts_for(vms, settings=None, lot=None):
    row = policy(sizing.recommend(make_demand(vms), lots(lot or lot_rows()), settings))
    return row.hosts


@hsettings(max_examples=40, deadline=None)
@given(shapes, shapes)
def test_more_demand_never_needs_fewer_hosts(vms, more):
    assert hosts_for(vms + more) >= hosts_for(vms)


@hsettings(max_examples=40, deadline=None)
@given(shapes)
def test_n_plus_two_needs_at_least_n_plus_one(vms):
    assert hosts_for(vms, SizingSettings(ha_failures=2)) >= hosts_for(
        vms, SizingSettings(ha_failures=1)
    )


@hsettings(max_examples=40, deadline=None)
@given(shapes, st.floats(1.0, 8.0), st.floats(0.0, 4.0))
def test_a_higher_cpu_ratio_never_needs_more_hosts(vms, ratio, more):
    low = hosts_for(vms, SizingSettings(cpu_ratio=ratio))
    assert hosts_for(vms, SizingSettings(cpu_ratio=ratio + more)) <= low


@hsettings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 40), st.integers(1, 200)), min_size=1, max_size=80),
    st.floats(40, 200),
    st.floats(200, 1000),
    st.integers(1, 30),
)
def test_placement_never_accepts_hosts_below_demand(vms, cpu_h, ram_h, hosts):
    vcpus = np.array([v for v, _ in vms], float)
    memory = np.array([m for _, m in vms], float)
    fits, used = sizing.pack(vcpus, memory, cpu_h, ram_h, hosts)
    if fits:
        assert used <= hosts
        assert vcpus.sum() <= hosts * cpu_h + 1e-6 and memory.sum() <= hosts * ram_h + 1e-6
        assert vcpus.sum() <= used * cpu_h + 1e-6 and memory.sum() <= used * ram_h + 1e-6
    if (vcpus <= cpu_h).all() and (memory <= ram_h).all():
        # Whatever it reports, first fit really placed them on `used` hosts.
        assert sizing.pack(vcpus, memory, cpu_h, ram_h, used) == (True, used)


# ----------------------------------------------------------------- a real export


def test_a_real_export():
    path = SHARED_DATA / "rvtools" / "06_acme1-aeris_rvtools-4.6.1_vc8.0.3_1304vm.xlsx"
    require(path.exists(), f"{path} is not there")
    export = read_rvtools(path)
    need = sizing.demand(export)
    live = export.vms[
        ~export.vms["is_template"] & ~export.vms["is_vcls"] & ~export.vms["is_srm_placeholder"]
    ]
    assert need.vms == len(live) and need.vcpus == int(live["vcpus"].fillna(0).sum())
    assert need.vcpu_per_core and need.vram_per_ram
    frame = lots(
        lot_rows(),
        lot_rows("BIG", cores=64, ram_gib=2048),
        lot_rows("AMD", cpu="AMD", cores=64, ram_gib=1024),
    )
    result = sizing.recommend(need, frame)
    assert len(result.options) == 6 and result.options["feasible"].any()
    cheapest = result.options[
        (result.options["scenario"] == "policy") & (result.options["rank"] == 1)
    ].iloc[0]
    assert cheapest.hosts >= cheapest.compute_hosts + 1
    assert cheapest.cpu_vendor_differs == (set(need.source_cpu_vendors) != {cheapest.cpu_vendor})
    json.dumps(result.to_json())
