"""Migration waves: groups packed into waves (pure), and waves made into a project's plan."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.demo import write_synthetic_rvtools
from workbench.errors import InvalidInputError
from workbench.waves import TB_MIB, HostCapacity, hosts_for, plan_waves


def vm_table(rows: list[tuple[str, str, int, float, float]], **extra) -> pd.DataFrame:
    """(name, cluster, vcpus, memory GiB, storage TB) per VM."""
    frame = pd.DataFrame(
        {
            "vm_key": [f"vc/{i}" for i in range(len(rows))],
            "vm": [r[0] for r in rows],
            "cluster": [r[1] for r in rows],
            "vcpus": [r[2] for r in rows],
            "memory_mib": [r[3] * 1024 for r in rows],
            "provisioned_mib": [r[4] * TB_MIB for r in rows],
        }
    )
    return frame.assign(**extra)


def test_one_wave_per_group_without_limits():
    vms = vm_table([("a", "A", 2, 8, 1), ("b", "B", 4, 16, 1), ("c", "A", 2, 8, 1)])
    plan = plan_waves(vms)
    assert [w.groups for w in plan.waves] == [("A",), ("B",)]
    assert plan.waves[0].vcpus == 4 and plan.waves[0].memory_mib == 16 * 1024
    assert [vm["name"] for vm in plan.waves[0].vms] == ["a", "c"]


def test_groups_are_packed_largest_first_within_the_limits():
    # Groups of 5, 4, 3, 2 and 1 VMs, at most 6 per wave: [5, 1], [4, 2], [3].
    rows = [
        (f"{g}{i}", g, 1, 1, 0.1)
        for g, n in zip("ABCDE", (5, 4, 3, 2, 1), strict=True)
        for i in range(n)
    ]
    plan = plan_waves(vm_table(rows), max_vms=6)
    assert [w.groups for w in plan.waves] == [("A", "E"), ("B", "D"), ("C",)]
    assert [w.vm_count for w in plan.waves] == [6, 6, 3]
    assert plan.warnings == []


def test_a_group_too_big_is_a_wave_of_its_own_with_a_warning():
    rows = [("big1", "Big", 1, 1, 3.0), ("big2", "Big", 1, 1, 3.0), ("s", "Small", 1, 1, 0.5)]
    plan = plan_waves(vm_table(rows), max_tb=4)
    assert [w.groups for w in plan.waves] == [("Big",), ("Small",)]
    assert plan.warnings == [
        "Group 'Big' (2 VMs, 6.0 TB) is larger than a wave allows; it is a wave of its own "
        "(groups are never split)."
    ]


def test_any_column_groups_custom_attributes_included_and_blanks_together():
    rows = [("a", "A", 1, 1, 0), ("b", "A", 1, 1, 0), ("c", "B", 1, 1, 0)]
    vms = vm_table(rows, **{"App owner": ["Finance", None, "Finance"]})
    plan = plan_waves(vms, group_by="App owner")
    assert [w.groups for w in plan.waves] == [("Finance",), ("(none)",)]
    assert plan.waves[0].clusters == ("A", "B")
    with pytest.raises(InvalidInputError, match="no column 'Owner'"):
        plan_waves(vms, group_by="Owner")
    with pytest.raises(InvalidInputError, match="from 1"):
        plan_waves(vms, max_vms=0)
    with pytest.raises(InvalidInputError, match="above 0"):
        plan_waves(vms, max_tb=-1)
    with pytest.raises(InvalidInputError, match="no VM"):
        plan_waves(vms.iloc[0:0])


def test_hosts_needed_from_the_per_host_capacity():
    capacity = HostCapacity(cpu_per_host=100, ram_per_host_mib=512 * 1024, basis="test")
    assert hosts_for(250, 100 * 1024, capacity) == 3  # CPU-bound
    assert hosts_for(50, 1100 * 1024, capacity) == 3  # RAM-bound
    assert hosts_for(0, 0, capacity) == 0
    assert hosts_for(10, 10, None) is None


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 12), min_size=1, max_size=15),
    limit=st.integers(1, 20),
)
def test_every_vm_lands_in_exactly_one_wave_and_no_group_is_split(sizes, limit):
    rows = [(f"g{g}-{i}", f"g{g}", 1, 1, 0.01) for g, n in enumerate(sizes) for i in range(n)]
    plan = plan_waves(vm_table(rows), max_vms=limit)
    keys = [vm["key"] for w in plan.waves for vm in w.vms]
    assert sorted(keys) == sorted(f"vc/{i}" for i in range(len(rows)))
    homes = {}
    for wave in plan.waves:
        for group in wave.groups:
            assert group not in homes
            homes[group] = wave.number
        assert wave.vm_count <= limit or len(wave.groups) == 1
    # First fit never needs more than twice the lower bound on waves.
    fitting = sum(n for n in sizes if n <= limit)
    assert len(plan.waves) <= sum(n > limit for n in sizes) + max(1, 2 * math.ceil(fitting / limit))


@pytest.fixture(scope="module")
def export_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("waves") / "RVTools_waves.xlsx"
    write_synthetic_rvtools(path, 120, seed=3)
    return path


def test_waves_replace_the_template_step_and_are_replanned(ws, export_path):
    project = ws.projects.create("Move", "vmware_migration", start_date=date(2026, 3, 2))
    record = ws.rvtools.upload("Move", export_path, progress=False)
    ws.workflows.instantiate(project)
    preview = ws.workflows.preview_waves(record.id, group_by="folder", max_vms=30)
    assert sum(w.vm_count for w in preview.waves) == sum(
        1
        for _ in ws.rvtools.export(record.id)
        .vms.query("~is_template and ~is_vcls and ~is_srm_placeholder")
        .itertuples()
    )
    assert "the source hosts' average" in preview.capacity.basis  # no sizing stored yet
    waves, plan = ws.workflows.create_waves(
        project, record.id, group_by="folder", max_vms=30, vms_per_day=10,
        replace_workflow="Migration waves",
    )  # fmt: skip
    frame = ws.workflows.frame(project).set_index("name")
    assert "Migration waves" not in frame.index
    assert frame.loc["Wave 1", "depends_on"] == "Commissioning (FS)"
    assert frame.loc["Wave 2", "depends_on"] == "Wave 1 (FS+2)"
    assert frame.loc["Decommissioning", "depends_on"] == f"Wave {len(waves)} (FS+5)"
    first = ws.workflows.get("Wave 1", project)
    assert first.workflow_type == "migration_wave"
    assert first.duration_days == math.ceil(len(first.vm_list) / 10)
    requirements = first.hardware_requirements
    assert requirements["vms"] == len(first.vm_list) <= 30 or len(preview.waves[0].groups) == 1
    assert requirements["vcpus"] == sum(vm["vcpus"] for vm in first.vm_list)
    assert requirements["hosts_needed"] >= 1
    # Planned again: the old waves go, the chain keeps its place in the plan.
    again, _ = ws.workflows.create_waves(project, record.id, group_by="cluster")
    frame = ws.workflows.frame(project).set_index("name")
    assert len(again) == frame.index.str.startswith("Wave ").sum()
    assert frame.loc["Wave 1", "depends_on"] == "Commissioning (FS)"
    assert frame.loc["Decommissioning", "depends_on"] == f"Wave {len(again)} (FS+5)"


def test_waves_planned_again_keep_their_progress_people_links_and_baseline(ws, export_path):
    project = ws.projects.create("Again", "vmware_migration", start_date=date(2026, 3, 2))
    record = ws.rvtools.upload("Again", export_path, progress=False)
    ws.workflows.instantiate(project)
    settings = dict(group_by="folder", max_vms=30, replace_workflow="Migration waves")
    waves, _ = ws.workflows.create_waves(project, record.id, **settings)
    ws.workflows.update("Wave 1", project, progress_percentage=50, assigned_to=["ann"])
    ws.workflows.add(project, "Firewall change", "other", depends_on=["Wave 2"])
    ws.workflows.save_baseline(project, "v1")
    settings.pop("replace_workflow")
    again, _ = ws.workflows.create_waves(project, record.id, **settings)
    assert [w.id for w in again] == [w.id for w in waves]
    first = ws.workflows.get("Wave 1", project)
    assert (first.status, first.progress_percentage, first.assigned_to) == (
        "in_progress",
        50,
        ("ann",),
    )
    frame = ws.workflows.frame(project).set_index("name")
    assert frame.loc["Firewall change", "depends_on"] == "Wave 2 (FS)"
    variance = ws.workflows.variance(project).set_index("name")
    assert variance.loc["Wave 1", "finish_variance_days"] == 0
    # Fewer waves: the ones left over go, their links move to the last wave.
    fewer, _ = ws.workflows.create_waves(project, record.id, group_by="cluster")
    frame = ws.workflows.frame(project).set_index("name")
    assert len(fewer) < len(waves) and f"Wave {len(waves)}" not in frame.index
    assert frame.loc["Decommissioning", "depends_on"] == f"Wave {len(fewer)} (FS+5)"
