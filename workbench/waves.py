"""Migration waves from an RVTools inventory: VMs grouped, groups packed into waves.

Pure: a VM table in, waves out. VMs are grouped by any vInfo column (cluster, folder,
resource pool, a custom attribute...); a group is never split across waves. Groups are
packed first fit, largest first, into waves of at most ``max_vms`` VMs and ``max_tb`` TB of
storage; a group larger than a wave's limit gets a wave of its own, with a warning. Each
wave carries its VM list and its hardware requirements (vCPU, RAM, storage, and the hosts
that hold them at a stated per-host capacity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.errors import InvalidInputError

if TYPE_CHECKING:
    import pandas as pd

TB_MIB = 1e12 / 2**20
"""MiB in one TB (10^12 bytes): wave limits are in TB as vendors and consultants say it."""
NO_VALUE = "(none)"
"""The group of VMs whose grouping column is empty."""


@dataclass(frozen=True)
class HostCapacity:
    """What one target host holds, and where that figure comes from.

    Attributes
    ----------
    cpu_per_host : float
        vCPUs per host.
    ram_per_host_mib : float
        vRAM per host, MiB.
    basis : str
        For people, e.g. "Lenovo DHC2 SR630 V3 (policy: 4:1, 80 %)".
    """

    cpu_per_host: float
    ram_per_host_mib: float
    basis: str


@dataclass(frozen=True)
class Wave:
    """One wave.

    ``memory_mib`` and ``storage_mib`` are MiB; ``hosts_needed`` is how many hosts of the
    plan's :class:`HostCapacity` hold the wave's VMs (compute only, no HA spare).
    """

    number: int
    groups: tuple[str, ...]
    vms: tuple[dict[str, Any], ...]
    vcpus: int
    memory_mib: float
    storage_mib: float
    clusters: tuple[str, ...]
    hosts_needed: int | None

    @property
    def vm_count(self) -> int:
        return len(self.vms)

    def requirements(self, capacity: HostCapacity | None) -> dict[str, Any]:
        """The workflow's ``hardware_requirements``."""
        return {
            "vms": self.vm_count,
            "vcpus": self.vcpus,
            "memory_mib": round(self.memory_mib, 1),
            "storage_mib": round(self.storage_mib, 1),
            "hosts_needed": self.hosts_needed,
            "host_basis": capacity.basis if capacity else None,
            "clusters": list(self.clusters),
        }


@dataclass(frozen=True)
class WavePlan:
    """Waves in order, what they were made from, and what deserves a word."""

    waves: list[Wave]
    group_by: str
    max_vms: int | None
    max_tb: float | None
    capacity: HostCapacity | None
    warnings: list[str] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """One row per wave: ``wave``, ``groups`` (text), ``vms``, ``vcpus``,
        ``memory_mib``, ``storage_mib`` (MiB), ``hosts_needed``, ``clusters`` (text)."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "wave": w.number,
                    "groups": ", ".join(w.groups),
                    "vms": w.vm_count,
                    "vcpus": w.vcpus,
                    "memory_mib": w.memory_mib,
                    "storage_mib": w.storage_mib,
                    "hosts_needed": w.hosts_needed,
                    "clusters": ", ".join(w.clusters),
                }
                for w in self.waves
            ],
            columns=[
                "wave",
                "groups",
                "vms",
                "vcpus",
                "memory_mib",
                "storage_mib",
                "hosts_needed",
                "clusters",
            ],
        )


def hosts_for(vcpus: float, memory_mib: float, capacity: HostCapacity | None) -> int | None:
    """Hosts of ``capacity`` holding this demand: max of CPU and RAM, rounded up."""
    if capacity is None or capacity.cpu_per_host <= 0 or capacity.ram_per_host_mib <= 0:
        return None
    return max(
        math.ceil(vcpus / capacity.cpu_per_host - 1e-9),
        math.ceil(memory_mib / capacity.ram_per_host_mib - 1e-9),
        1 if vcpus or memory_mib else 0,
    )


def plan_waves(
    vms: pd.DataFrame,
    *,
    group_by: str = "cluster",
    max_vms: int | None = None,
    max_tb: float | None = None,
    capacity: HostCapacity | None = None,
    storage_column: str = "provisioned_mib",
) -> WavePlan:
    """Group VMs and pack the groups into waves.

    Parameters
    ----------
    vms : pandas.DataFrame
        vInfo rows to move (canonical columns ``vm_key``, ``vm``, ``cluster``, ``vcpus``,
        ``memory_mib``, ``provisioned_mib``, plus whatever ``group_by`` names).
    group_by : str
        A column of ``vms``; empty values form the group "(none)".
    max_vms, max_tb : optional
        Limits per wave (VMs; TB of ``storage_column``). Neither: one wave per group.
    capacity : HostCapacity, optional
        For each wave's ``hosts_needed``.

    Raises
    ------
    InvalidInputError
        An unknown column, a limit below 1 VM or 0 TB, no VM to move.
    """
    if group_by not in vms.columns:
        raise InvalidInputError(
            f"The VMs have no column {group_by!r} to group by; some there are: "
            + ", ".join(c for c in vms.columns[:40] if not c.startswith("is_"))
            + "."
        )
    if max_vms is not None and (
        isinstance(max_vms, bool) or not isinstance(max_vms, int) or max_vms < 1
    ):
        raise InvalidInputError(
            f"The most VMs per wave must be a whole number from 1; got {max_vms!r}."
        )
    if max_tb is not None and (
        isinstance(max_tb, bool) or not isinstance(max_tb, (int, float)) or not max_tb > 0
    ):
        raise InvalidInputError(f"The most TB per wave must be above 0; got {max_tb!r}.")
    if vms.empty:
        raise InvalidInputError("There is no VM to plan waves for in this selection.")
    key = vms[group_by].astype("object").where(vms[group_by].notna(), "")
    key = key.map(lambda v: str(v).strip() or NO_VALUE)
    table = vms.assign(_group=key.to_numpy())
    storage = table[storage_column].fillna(0).astype("float64")
    table = table.assign(_storage=storage.to_numpy())
    groups = []
    for name, rows in table.groupby("_group", sort=True):
        groups.append(
            {
                "name": str(name),
                "rows": rows,
                "vms": len(rows),
                "storage": float(rows["_storage"].sum()),
            }
        )
    limit_mib = max_tb * TB_MIB if max_tb is not None else None
    warnings = []
    bins: list[dict[str, Any]] = []
    # First fit, largest first (by VMs, then storage, then name for a stable order).
    for group in sorted(groups, key=lambda g: (-g["vms"], -g["storage"], g["name"])):
        too_many = max_vms is not None and group["vms"] > max_vms
        too_big = limit_mib is not None and group["storage"] > limit_mib
        if too_many or too_big:
            warnings.append(
                f"Group {group['name']!r} ({group['vms']:,} VMs, "
                f"{group['storage'] / TB_MIB:,.1f} TB) is larger than a wave allows; it is a "
                "wave of its own (groups are never split)."
            )
            bins.append({"groups": [group], "vms": group["vms"], "storage": group["storage"]})
            continue
        if max_vms is None and limit_mib is None:
            bins.append({"groups": [group], "vms": group["vms"], "storage": group["storage"]})
            continue
        for wave in bins:
            fits_vms = max_vms is None or wave["vms"] + group["vms"] <= max_vms
            fits_tb = limit_mib is None or wave["storage"] + group["storage"] <= limit_mib
            oversized = len(wave["groups"]) == 1 and (
                (max_vms is not None and wave["vms"] > max_vms)
                or (limit_mib is not None and wave["storage"] > limit_mib)
            )
            if fits_vms and fits_tb and not oversized:
                wave["groups"].append(group)
                wave["vms"] += group["vms"]
                wave["storage"] += group["storage"]
                break
        else:
            bins.append({"groups": [group], "vms": group["vms"], "storage": group["storage"]})
    waves = []
    import pandas as pd

    for number, wave in enumerate(bins, 1):
        rows = [g["rows"] for g in wave["groups"]]
        chosen = pd.concat(rows) if len(rows) > 1 else rows[0]
        vcpus = int(chosen["vcpus"].fillna(0).sum())
        memory = float(chosen["memory_mib"].fillna(0).sum())
        listed = tuple(
            {
                "key": str(key),
                "name": str(name),
                "cluster": str(cluster or ""),
                "vcpus": int(cpus),
                "memory_mib": float(memory_mib),
                "storage_mib": float(storage_mib),
            }
            for key, name, cluster, cpus, memory_mib, storage_mib in zip(
                chosen["vm_key"].tolist(),
                chosen["vm"].tolist(),
                chosen["cluster"].fillna("").tolist(),
                chosen["vcpus"].fillna(0).tolist(),
                chosen["memory_mib"].fillna(0).tolist(),
                chosen["_storage"].tolist(),
                strict=True,
            )
        )
        waves.append(
            Wave(
                number=number,
                groups=tuple(g["name"] for g in wave["groups"]),
                vms=listed,
                vcpus=vcpus,
                memory_mib=memory,
                storage_mib=float(wave["storage"]),
                clusters=tuple(sorted({v["cluster"] for v in listed if v["cluster"]})),
                hosts_needed=hosts_for(vcpus, memory, capacity),
            )
        )
    return WavePlan(
        waves=waves,
        group_by=group_by,
        max_vms=max_vms,
        max_tb=max_tb,
        capacity=capacity,
        warnings=warnings,
    )
