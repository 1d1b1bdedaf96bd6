"""Sizing: from an RVTools inventory to host counts, a price and a calculation trace per lot.

Pure (pandas and numpy only). The method and every default follow ``SIZING.md`` (the
project's sizing note): scope, allocation-based demand with growth, usable capacity per
host, compute hosts, vSAN storage hosts, policy minimum plus failures to tolerate, a
placement check that bin-packs the VMs on the hosts left after the failures, optional
licences, and the price of the chosen support tier. Two scenarios are computed side by
side: ``policy`` (the settings) and ``today`` (the vCPU:core ratio and memory overcommit
replaced by the ratios measured on the same export's hosts).

Units: memory and VM storage in MiB, host RAM in GiB (as baskets state it), raw storage in
TB (decimal, as vendors state disks), money in USD and EUR (each lot row's own amounts).
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.capacity import host_supply
from workbench.cpu_models import cpu_model_number, cpu_vendor
from workbench.errors import InvalidInputError
from workbench.io.rvtools import RVToolsExport

MIB_PER_GIB = 1024
BYTES_PER_MIB = 1024 * 1024
TB = 10**12


@dataclass(frozen=True)
class VsanPolicy:
    """A vSAN storage policy: capacity factor F and the hosts it needs at least."""

    label: str
    factor: float
    min_hosts: int
    esa: bool = False
    factor_large: float | None = None  # ESA RAID-5 adaptive: 4+1 from 6 hosts on
    large_from_hosts: int | None = None


# SIZING.md step 6 (VMware vSAN 7 planning guide; yellow-bricks for ESA RAID-5 adaptive).
VSAN_POLICIES: dict[str, VsanPolicy] = {
    "raid1_ftt1": VsanPolicy("RAID-1 mirror, FTT=1", 2.0, 3),
    "raid5_osa": VsanPolicy("RAID-5 (OSA 3+1), FTT=1", 1.33, 4),
    "esa_raid5": VsanPolicy(
        "ESA RAID-5 adaptive (2+1 for 3-5 hosts, 4+1 for 6+)",
        1.5,
        3,
        esa=True,
        factor_large=1.25,
        large_from_hosts=6,
    ),
    "raid6": VsanPolicy("RAID-6 (4+2), FTT=2", 1.5, 6),
    "raid1_ftt2": VsanPolicy("RAID-1 mirror, FTT=2", 3.0, 5),
}
STORAGE_CHOICES = ("external", *VSAN_POLICIES)

# Indicative per-core throughput by CPU generation, Xeon Scalable 1st gen (Skylake-SP) =
# 1.0. These are rough relative figures for the optional generation normalisation (SIZING.md
# step 3), not measured results: replace or extend them with per-core SPECrate figures of
# the exact models when a sizing must be defended. (pattern on the CPU text, label, score)
CPU_BENCHMARKS: tuple[tuple[str, str, float], ...] = (
    (r"E5-\d{4}\s*v2", "Xeon E5 v2 (Ivy Bridge)", 0.60),
    (r"E5-\d{4}\s*v3", "Xeon E5 v3 (Haswell)", 0.70),
    (r"E5-\d{4}\s*v4", "Xeon E5 v4 (Broadwell)", 0.80),
    (r"^Intel [3-8]1\d\d", "Xeon Scalable 1st gen (Skylake)", 1.00),
    (r"^Intel [3-8]2\d\d", "Xeon Scalable 2nd gen (Cascade Lake)", 1.05),
    (r"^Intel [3-8]3\d\d", "Xeon Scalable 3rd gen (Ice Lake)", 1.20),
    (r"^Intel [3-8]4\d\d", "Xeon Scalable 4th gen (Sapphire Rapids)", 1.40),
    (r"^Intel [3-8]5\d\d", "Xeon Scalable 5th gen (Emerald Rapids)", 1.50),
    (r"^AMD 7\d\d1", "EPYC 7001 (Naples)", 0.85),
    (r"^AMD 7\d\d2", "EPYC 7002 (Rome)", 1.05),
    (r"^AMD 7\d\d3", "EPYC 7003 (Milan)", 1.25),
    (r"^AMD 9\d\d4", "EPYC 9004 (Genoa)", 1.55),
)

SCENARIOS = ("policy", "today")

OPTION_COLUMNS = [
    "scenario",
    "vendor",
    "basket",
    "lot",
    "model",
    "cpu_vendor",
    "cores",
    "ram_gib",
    "raw_tb",
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
    "spare_cpu",
    "spare_ram",
    "spare_storage",
    "cpu_vendor_differs",
    "rank",
]
# Counts that may be missing (an infeasible lot has no host count): nullable integers.
_INTEGER_COLUMNS = ("compute_hosts", "storage_hosts", "hosts", "years", "cores", "rank")
TRACE_COLUMNS = ["scenario", "vendor", "lot", "tier", "step", "formula", "value", "unit"]


@dataclass(frozen=True)
class SizingSettings:
    """Every setting of the sizing method (SIZING.md), with its published default.

    Attributes
    ----------
    include_powered_off : bool
        Count powered-off VMs (default True). Templates never count; vCLS agents and SRM
        placeholders are always left out.
    storage_basis : {'in_use', 'provisioned'}
        VM storage demand: In Use MiB (default) or Provisioned MiB (Azure Migrate AVS
        "as on-premises").
    growth : float
        Demand growth per year as a fraction (0.2 = 20 %), default 0.
    years : float
        Growth horizon in years (default 3); separate from the support term.
    cpu_ratio : float
        vCPU:core ratio R (default 4.0: AVS, "above 4:1 may impact").
    target_utilisation : float
        U, the share of a host's capacity planned for use (default 0.8: AVS).
    reserve_cores : float
        Hypervisor reserve in physical cores per host (default 0). SIZING.md names the
        reserve without a figure and the AVS assessment, whose 4:1 and 80 % are the
        defaults here, reserves no cores beyond the utilisation target; set 1-2 when
        vSAN or NSX services run on the hosts.
    reserve_ram_gib : float
        Hypervisor reserve in GiB per host (default 32).
    memory_overcommit : float
        M, vRAM per GiB of RAM (default 1.0: no overcommit).
    cpu_generation : bool
        Normalise cores by per-core benchmark (target / source) from ``cpu_benchmarks``
        (default off; AVS does not normalise).
    cpu_benchmarks : tuple of (pattern, label, score)
        The per-core table used when ``cpu_generation`` is on; extend it with your own.
    count_smt : bool
        Count hyper-threads as 0.5 core each (kubev2v migration-planner), assuming two
        threads per core (default off).
    ha_failures : int
        Host failures to tolerate: 1 for N+1 (default), 2 for N+2.
    min_hosts : int
        Smallest cluster before the failures are added (default 1).
    storage : str
        'external' (default: storage is not in the lots) or a vSAN policy of
        :data:`VSAN_POLICIES`.
    slack : float
        vSAN free space kept (default 0.25; SIZING.md: 25-30 %).
    dedupe : float
        Deduplication and compression ratio (default 1.0 unless measured).
    esa_overhead : float
        vSAN ESA filesystem overhead (default 0.131).
    rebuild_reserve_hosts : int
        Hosts' raw capacity kept free for rebuilds (default 1).
    support_tier : str or None
        Price tier (``prosupport``, ``warranty`` ...); None (default) takes the cheapest
        tier that includes the hardware with the support term asked for.
    support_years : int
        Support term in years (default 3).
    windows_price_per_core_year, vmware_price_per_core_year : float or None
        USD per licensed core and year; None (default) leaves that licence out.
        Windows Server: per server the sum over CPUs of max(8, cores per CPU), at least 16.
        VMware VCF/VVF: per CPU max(16, cores per CPU).
    """

    include_powered_off: bool = True
    storage_basis: str = "in_use"
    growth: float = 0.0
    years: float = 3.0
    cpu_ratio: float = 4.0
    target_utilisation: float = 0.8
    reserve_cores: float = 0.0
    reserve_ram_gib: float = 32.0
    memory_overcommit: float = 1.0
    cpu_generation: bool = False
    cpu_benchmarks: tuple[tuple[str, str, float], ...] = field(default=CPU_BENCHMARKS)
    count_smt: bool = False
    ha_failures: int = 1
    min_hosts: int = 1
    storage: str = "external"
    slack: float = 0.25
    dedupe: float = 1.0
    esa_overhead: float = 0.131
    rebuild_reserve_hosts: int = 1
    support_tier: str | None = None
    support_years: int = 3
    windows_price_per_core_year: float | None = None
    vmware_price_per_core_year: float | None = None

    def validate(self) -> SizingSettings:
        """Check every setting; raise :class:`InvalidInputError` naming the first wrong one
        in words. Returns the settings."""

        def number(value: Any, label: str) -> float:
            if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
                raise InvalidInputError(f"{label} must be a number")
            return float(value)

        def whole(value: Any, label: str, lowest: int) -> None:
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise InvalidInputError(f"{label} must be a whole number")
            if value < lowest:
                raise InvalidInputError(f"{label} must be at least {lowest}")

        if self.storage_basis not in ("in_use", "provisioned"):
            raise InvalidInputError("Storage basis must be 'in_use' or 'provisioned'")
        if number(self.growth, "Growth per year") < 0:
            raise InvalidInputError("Growth per year must be 0 or more")
        if number(self.years, "Growth horizon (years)") < 0:
            raise InvalidInputError("Growth horizon (years) must be 0 or more")
        if number(self.cpu_ratio, "vCPU:core ratio") <= 0:
            raise InvalidInputError("vCPU:core ratio must be above 0")
        utilisation = number(self.target_utilisation, "Target utilisation")
        if not 0 < utilisation <= 1:
            raise InvalidInputError("Target utilisation must be above 0 and at most 100 %")
        if number(self.reserve_cores, "Hypervisor reserve (cores per host)") < 0:
            raise InvalidInputError("Hypervisor reserve (cores per host) must be 0 or more")
        if number(self.reserve_ram_gib, "Hypervisor reserve (GiB per host)") < 0:
            raise InvalidInputError("Hypervisor reserve (GiB per host) must be 0 or more")
        if number(self.memory_overcommit, "Memory overcommit") <= 0:
            raise InvalidInputError("Memory overcommit must be above 0")
        whole(self.ha_failures, "Host failures to tolerate", 0)
        whole(self.min_hosts, "Minimum hosts", 1)
        if self.storage not in STORAGE_CHOICES:
            raise InvalidInputError(
                f"Storage must be one of {', '.join(STORAGE_CHOICES)} (got {self.storage!r})"
            )
        slack = number(self.slack, "vSAN slack space")
        if not 0 <= slack < 1:
            raise InvalidInputError("vSAN slack space must be at least 0 and below 100 %")
        if number(self.dedupe, "Deduplication ratio") <= 0:
            raise InvalidInputError("Deduplication ratio must be above 0")
        if number(self.esa_overhead, "vSAN ESA overhead") < 0:
            raise InvalidInputError("vSAN ESA overhead must be 0 or more")
        whole(self.rebuild_reserve_hosts, "Rebuild reserve (hosts)", 0)
        whole(self.support_years, "Support term (years)", 1)
        for value, label in (
            (self.windows_price_per_core_year, "Windows Server price per core and year"),
            (self.vmware_price_per_core_year, "VMware price per core and year"),
        ):
            if value is not None and number(value, label) < 0:
                raise InvalidInputError(f"{label} must be 0 or more")
        for entry in self.cpu_benchmarks:
            try:
                pattern, _label, score = entry
                re.compile(pattern)
            except (ValueError, TypeError, re.error) as exc:
                raise InvalidInputError(
                    "Each CPU benchmark entry must be (pattern, label, score per core)"
                ) from exc
            if number(score, "CPU benchmark score") <= 0:
                raise InvalidInputError("CPU benchmark score must be above 0")
        return self

    @property
    def growth_factor(self) -> float:
        """(1 + growth) ^ years."""
        return (1.0 + self.growth) ** self.years

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON types."""
        data = asdict(self)
        data["cpu_benchmarks"] = [list(entry) for entry in self.cpu_benchmarks]
        return data


@dataclass(frozen=True)
class Demand:
    """What the VMs in scope ask for.

    Attributes
    ----------
    clusters : tuple of str
        Clusters selected (empty: the whole export).
    vms, vcpus : int
        VMs in scope and their vCPUs (``vcpus`` after growth, rounded up).
    memory_mib, storage_mib : float
        vRAM and storage after growth (MiB); ``*_before_growth`` the measured sums.
    growth_factor : float
        (1 + growth) ^ years applied to the totals.
    vm_vcpus, vm_memory_mib : numpy.ndarray
        Per VM in scope (measured, before growth): for the placement check.
    excluded : dict
        VMs left out: ``templates``, ``vcls``, ``srm_placeholders``, ``powered_off``.
    source_cpu_vendors : tuple of str
        CPU vendors of the selected clusters' hosts ("Intel", "AMD").
    source_cpu_score : float or None
        Core-weighted per-core benchmark of those hosts (None when the table knows none).
    source_cores, source_memory_mib : float
        Physical cores and RAM (MiB) of those hosts.
    vcpu_per_core, vram_per_ram : float or None
        Today's ratios: the VMs in scope over those hosts (None without hosts).
    """

    clusters: tuple[str, ...]
    vms: int
    vcpus: int
    memory_mib: float
    storage_mib: float
    vcpus_before_growth: int
    memory_mib_before_growth: float
    storage_mib_before_growth: float
    growth_factor: float
    storage_basis: str
    vm_vcpus: np.ndarray = field(repr=False)
    vm_memory_mib: np.ndarray = field(repr=False)
    excluded: dict[str, int] = field(default_factory=dict)
    source_cpu_vendors: tuple[str, ...] = ()
    source_cpu_score: float | None = None
    source_cores: float = 0.0
    source_memory_mib: float = 0.0
    vcpu_per_core: float | None = None
    vram_per_ram: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The totals as plain JSON types (per-VM arrays summarised by their largest VM)."""
        largest = _largest(self.vm_vcpus, self.vm_memory_mib)
        return {
            "clusters": list(self.clusters),
            "vms": int(self.vms),
            "vcpus": int(self.vcpus),
            "memory_mib": float(self.memory_mib),
            "storage_mib": float(self.storage_mib),
            "vcpus_before_growth": int(self.vcpus_before_growth),
            "memory_mib_before_growth": float(self.memory_mib_before_growth),
            "storage_mib_before_growth": float(self.storage_mib_before_growth),
            "growth_factor": float(self.growth_factor),
            "storage_basis": self.storage_basis,
            "largest_vm_vcpus": largest[0],
            "largest_vm_memory_mib": largest[1],
            "excluded": {k: int(v) for k, v in self.excluded.items()},
            "source_cpu_vendors": list(self.source_cpu_vendors),
            "source_cpu_score": self.source_cpu_score,
            "source_cores": float(self.source_cores),
            "source_memory_mib": float(self.source_memory_mib),
            "vcpu_per_core": self.vcpu_per_core,
            "vram_per_ram": self.vram_per_ram,
        }


def _largest(vcpus: np.ndarray, memory: np.ndarray) -> tuple[int, float]:
    if not len(vcpus):
        return 0, 0.0
    return int(vcpus.max()), float(memory.max())


def cpu_score(text: str | None, table: tuple[tuple[str, str, float], ...] = CPU_BENCHMARKS):
    """Per-core benchmark score and label of a CPU description from ``table``, or None.

    The patterns are tried on the text itself and on ``"<vendor> <model number>"``
    ("Intel 6248R", "AMD 9354"), so basket text without a brand ("2 x 8462Y") matches too.
    """
    if not text:
        return None
    vendor, model = cpu_vendor(text), cpu_model_number(text)
    keys = [text] + ([f"{vendor} {model}"] if vendor and model else [])
    for pattern, label, score in table:
        if any(re.search(pattern, key, re.IGNORECASE) for key in keys):
            return float(score), label
    return None


def demand(
    export: RVToolsExport,
    clusters: list[str] | None = None,
    settings: SizingSettings | None = None,
) -> Demand:
    """The demand of the VMs in scope (SIZING.md steps 1-2) and today's ratios.

    Parameters
    ----------
    export : RVToolsExport
    clusters : list of str, optional
        Cluster names (vInfo/vHost/vCluster); default: every VM of the export.
    settings : SizingSettings, optional
        ``include_powered_off``, ``storage_basis``, ``growth`` and ``years`` are used.

    Raises
    ------
    InvalidInputError
        A cluster name the export does not have, or invalid settings.
    """
    settings = (settings or SizingSettings()).validate()
    vms = export.vms
    hosts = export.hosts
    if clusters is not None:
        clusters = list(clusters)
        known = set(vms["cluster"]) | set(hosts["cluster"]) | set(export.clusters["cluster"])
        unknown = sorted(set(clusters) - known)
        if unknown:
            raise InvalidInputError(
                f"No cluster named {', '.join(map(repr, unknown))} in this export."
            )
        vms = vms[vms["cluster"].isin(clusters)]
        hosts = hosts[hosts["cluster"].isin(clusters)]
    template = vms["is_template"].fillna(False).to_numpy(bool)
    vcls = vms["is_vcls"].fillna(False).to_numpy(bool) & ~template
    srm = vms["is_srm_placeholder"].fillna(False).to_numpy(bool) & ~template & ~vcls
    keep = ~template & ~vcls & ~srm
    powered_off = keep & ~vms["is_powered_on"].fillna(False).to_numpy(bool)
    if not settings.include_powered_off:
        keep &= ~powered_off
    chosen = vms[keep]
    vm_vcpus = chosen["vcpus"].fillna(0).to_numpy("float64")
    vm_memory = chosen["memory_mib"].fillna(0).to_numpy("float64")
    basis = "in_use_mib" if settings.storage_basis == "in_use" else "provisioned_mib"
    storage = float(chosen[basis].fillna(0).sum())
    factor = settings.growth_factor
    vcpus = int(vm_vcpus.sum())
    memory = float(vm_memory.sum())

    supply = host_supply(hosts)
    cores = float(supply["cores"].sum())
    ram = float(supply["memory_mib"].sum())
    vendors = sorted({v for v in map(cpu_vendor, hosts["cpu_model"].astype("str")) if v})
    scores = [
        (score[0], c)
        for model, c in zip(hosts["cpu_model"].astype("str"), supply["cores"], strict=True)
        if (score := cpu_score(model, settings.cpu_benchmarks)) and c > 0
    ]
    weight = sum(c for _, c in scores)
    return Demand(
        clusters=tuple(clusters or ()),
        vms=int(keep.sum()),
        vcpus=int(math.ceil(vcpus * factor - 1e-9)),
        memory_mib=memory * factor,
        storage_mib=storage * factor,
        vcpus_before_growth=vcpus,
        memory_mib_before_growth=memory,
        storage_mib_before_growth=storage,
        growth_factor=factor,
        storage_basis=settings.storage_basis,
        vm_vcpus=vm_vcpus,
        vm_memory_mib=vm_memory,
        excluded={
            "templates": int(template.sum()),
            "vcls": int(vcls.sum()),
            "srm_placeholders": int(srm.sum()),
            "powered_off": int(powered_off.sum()) if not settings.include_powered_off else 0,
        },
        source_cpu_vendors=tuple(vendors),
        source_cpu_score=sum(s * c for s, c in scores) / weight if weight else None,
        source_cores=cores,
        source_memory_mib=ram,
        vcpu_per_core=vcpus / cores if cores else None,
        vram_per_ram=memory / ram if ram else None,
    )


# ------------------------------------------------------------------------- placement


def pack(
    vcpus: np.ndarray,
    memory_mib: np.ndarray,
    cpu_per_host: float,
    ram_per_host_mib: float,
    hosts: int,
) -> tuple[bool, int]:
    """Two-dimensional first-fit decreasing of VMs onto identical hosts.

    VMs are sorted by their larger share of a host (vCPU or RAM), largest first; each goes
    to the first host with room for both. Identical VM shapes are packed together: for
    identical items first fit fills host after host, so grouping them gives exactly the
    first-fit-decreasing result while doing one numpy step per shape, not per VM.

    Parameters
    ----------
    vcpus, memory_mib : numpy.ndarray
        Per VM (vCPU, MiB).
    cpu_per_host, ram_per_host_mib : float
        Usable capacity of one host (vCPU, MiB).
    hosts : int
        Hosts available.

    Returns
    -------
    (bool, int)
        Whether every VM found a host among ``hosts``, and the hosts first fit used when
        it may open as many as it needs (at least ``hosts`` is never reported below the
        used count; when everything fits this is the count actually used, <= ``hosts``).
    """
    if not len(vcpus):
        return True, 0
    shapes, counts = np.unique(np.stack([vcpus, memory_mib], axis=1), axis=0, return_counts=True)
    return _pack_shapes(shapes[:, 0], shapes[:, 1], counts, cpu_per_host, ram_per_host_mib, hosts)


def _pack_shapes(
    shape_c: np.ndarray,
    shape_r: np.ndarray,
    counts: np.ndarray,
    cpu_per_host: float,
    ram_per_host_mib: float,
    hosts: int,
) -> tuple[bool, int]:
    """:func:`pack` on VM shapes (vCPU, MiB) with their counts (a shape may repeat)."""
    if not len(counts) or counts.sum() == 0:
        return True, 0
    if cpu_per_host <= 0 or ram_per_host_mib <= 0:
        return False, 0
    if (shape_c > cpu_per_host).any() or (shape_r > ram_per_host_mib).any():
        return False, 0
    share = np.maximum(shape_c / cpu_per_host, shape_r / ram_per_host_mib)
    order = np.lexsort((-shape_r, -shape_c, -share))
    items = int(counts.sum())
    # Any-fit never opens host k+1 while k hosts each lack room for some VM: each such host
    # is fuller than (capacity - largest VM) in one resource, which bounds the hosts used.
    big_c, big_r = shape_c.max(), shape_r.max()
    free_c, free_r = cpu_per_host - big_c, ram_per_host_mib - big_r
    if free_c > 0 and free_r > 0:
        bound = (shape_c * counts).sum() / free_c + (shape_r * counts).sum() / free_r
        limit = int(min(items, max(hosts, math.floor(bound) + 1)))
    else:
        limit = items
    limit = max(limit, hosts, 1)
    room_c = np.full(limit, float(cpu_per_host))
    room_r = np.full(limit, float(ram_per_host_mib))
    eps = 1e-9
    for index in order:
        c, r = shape_c[index], shape_r[index]
        left = int(counts[index])
        fits = np.minimum(
            np.floor((room_c + eps) / c) if c > 0 else np.full(limit, np.inf),
            np.floor((room_r + eps) / r) if r > 0 else np.full(limit, np.inf),
        )
        fits = np.minimum(fits, left)
        before = np.cumsum(fits) - fits
        take = np.clip(left - before, 0, fits)
        room_c -= take * c
        room_r -= take * r
    used_mask = (room_c < cpu_per_host - eps) | (room_r < ram_per_host_mib - eps)
    used = int(np.flatnonzero(used_mask).max() + 1) if used_mask.any() else 0
    return used <= hosts, used


# ---------------------------------------------------------------------------- recommend


@dataclass
class Recommendation:
    """Sizing options of every lot, side by side for both scenarios.

    Attributes
    ----------
    options : pandas.DataFrame
        One row per scenario and lot, columns :data:`OPTION_COLUMNS` first:
        ``scenario`` ('policy' | 'today'), ``vendor``, ``basket``, ``lot``, ``model``,
        ``cpu_vendor``, ``cores`` (per host), ``ram_gib`` (per host), ``raw_tb`` (data
        disks per host, TB), ``compute_hosts`` (N_c, before minimum and HA),
        ``storage_hosts`` (N_s; 0 with external storage), ``hosts`` (final N),
        ``limiting`` ('cpu' | 'memory' | 'storage' | 'minimum'), ``feasible``, ``reason``
        (why not, or a note), ``unit_usd`` (one host at the chosen tier), ``total_usd`` and
        ``total_eur`` (hosts plus licences over the term), ``tier``, ``years``,
        ``spare_cpu``, ``spare_ram``, ``spare_storage`` (fraction of the final hosts'
        usable capacity left), ``cpu_vendor_differs`` (the lot's CPU vendor is not the
        source hosts': no live vMotion across vendors), ``rank`` (1 = cheapest feasible,
        per scenario). Extra columns: ``cpu_per_host`` (vCPU), ``ram_per_host_mib``,
        ``licence_usd``, ``placement_hosts`` (hosts first fit used).
    trace : pandas.DataFrame
        One row per step per option: ``scenario``, ``vendor``, ``lot``, ``tier``,
        ``step``, ``formula`` (numbers substituted), ``value``, ``unit``.
    settings, demand : dict
        What the options were computed from (plain JSON types).
    """

    options: pd.DataFrame
    trace: pd.DataFrame
    settings: dict[str, Any]
    demand: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """Everything as plain JSON types (NaN becomes None)."""
        return {
            "settings": _plain(self.settings),
            "demand": _plain(self.demand),
            "options": _records(self.options),
            "trace": _records(self.trace),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Recommendation:
        """The ranking back from :meth:`to_json`, with the same columns and dtypes."""
        options = pd.DataFrame(data["options"])
        if options.empty:
            options = pd.DataFrame(columns=OPTION_COLUMNS)
        for column in _INTEGER_COLUMNS:
            if column in options:
                options[column] = options[column].astype("Int64")
        for column in ("feasible", "cpu_vendor_differs"):
            if column in options:
                options[column] = options[column].astype(bool)
        return cls(
            options=options,
            trace=pd.DataFrame(data["trace"], columns=TRACE_COLUMNS),
            settings=data["settings"],
            demand=data["demand"],
        )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    return value if isinstance(value, str) else str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    columns = list(frame.columns)
    return [
        {c: _plain(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def _fmt(value: float, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _price(rows: list[dict[str, Any]], settings: SizingSettings) -> dict[str, Any] | None:
    """The unit price at the chosen tier: a tier row that includes the hardware, or net
    plus a support uplift; None when the lot has no such price."""
    term = settings.support_years
    net = [r for r in rows if r["tier"] == "net" and pd.notna(r["usd"])]
    candidates = []
    for row in map(_Row, rows):
        if pd.isna(row.usd):
            continue
        if settings.support_tier is not None and row.tier != settings.support_tier:
            continue
        in_term = pd.notna(row.years) and int(row.years) == term
        if row.includes_hardware and (in_term or settings.support_tier is not None):
            if pd.notna(row.years) and int(row.years) != term:
                continue
            candidates.append(
                {
                    "tier": row.tier,
                    "years": _int(row.years),
                    "usd": float(row.usd),
                    "eur": _float(row.eur),
                    "formula": f"{row.tier} ({_fmt(row.usd)} USD, hardware included)",
                }
            )
        elif not row.includes_hardware and in_term and net:
            base = net[0]
            eur = (
                float(base["eur"]) + float(row.eur)
                if pd.notna(base["eur"]) and pd.notna(row.eur)
                else None
            )
            candidates.append(
                {
                    "tier": row.tier,
                    "years": _int(row.years),
                    "usd": float(base["usd"]) + float(row.usd),
                    "eur": eur,
                    "formula": f"net {_fmt(base['usd'])} + {row.tier} {_fmt(row.usd)} USD",
                }
            )
    if not candidates:
        return None
    return min(candidates, key=lambda c: c["usd"])


class _Row:
    """Attribute access to one lot row's dict."""

    def __init__(self, data: dict[str, Any]):
        self.__dict__.update(data)


def _licence_cores(sockets: int | None, per_cpu: int | None, cores: int) -> tuple[int, int]:
    """(Windows Server cores, VMware cores) to license on one host."""
    if sockets and per_cpu:
        windows = max(16, sockets * max(8, per_cpu))
        vmware = sockets * max(16, per_cpu)
    else:  # CPU split unknown: treat it as one CPU
        windows = max(16, max(8, cores))
        vmware = max(16, cores)
    return windows, vmware


def _lots(lots: pd.DataFrame) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """One (attributes, price rows) per lot of each basket."""
    missing = [
        c for c in ("vendor", "basket", "lot", "cores", "ram_gib", "tier", "usd") if c not in lots
    ]
    if missing:
        raise InvalidInputError(f"The lots table lacks the columns {', '.join(missing)}.")
    result = []
    for _key, rows in lots.groupby(["vendor", "basket", "lot"], sort=False, dropna=False):
        records = rows.to_dict("records")
        result.append((records[0], records))
    return result


def recommend(
    demand: Demand, lots: pd.DataFrame, settings: SizingSettings | None = None
) -> Recommendation:
    """Size every lot for the demand, in both scenarios, and rank them by total cost.

    Parameters
    ----------
    demand : Demand
        From :func:`demand`.
    lots : pandas.DataFrame
        Columns :data:`workbench.baskets.LOT_COLUMNS` (one row per lot and price tier).
    settings : SizingSettings, optional

    Returns
    -------
    Recommendation
    """
    settings = (settings or SizingSettings()).validate()
    options: list[dict[str, Any]] = []
    trace: list[tuple] = []
    grouped = _lots(lots)
    # The VMs' shapes once: packing works on distinct (vCPU, MiB) pairs and their counts.
    if len(demand.vm_vcpus):
        shapes, counts = np.unique(
            np.stack([demand.vm_vcpus, demand.vm_memory_mib], axis=1), axis=0, return_counts=True
        )
    else:
        shapes, counts = np.zeros((0, 2)), np.zeros(0, "int64")
    for scenario in SCENARIOS:
        for attrs, rows in grouped:
            options.append(
                _size_lot(scenario, attrs, rows, demand, settings, trace, (shapes, counts))
            )
    frame = pd.DataFrame(options)
    if frame.empty:
        frame = pd.DataFrame(columns=OPTION_COLUMNS)
    else:
        ranked = []
        for _scenario, part in frame.groupby("scenario", sort=False):
            part = part.assign(
                _order=~part["feasible"].astype(bool), _cost=part["total_usd"].astype(float)
            ).sort_values(["_order", "_cost", "vendor", "lot"], na_position="last", kind="stable")
            part["rank"] = np.arange(1, len(part) + 1)
            ranked.append(part.drop(columns=["_order", "_cost"]))
        frame = pd.concat(ranked, ignore_index=True)
        extra = [c for c in frame.columns if c not in OPTION_COLUMNS]
        frame = frame[OPTION_COLUMNS + extra]
        for column in _INTEGER_COLUMNS:
            frame[column] = frame[column].astype("Int64")
    return Recommendation(
        options=frame.reset_index(drop=True),
        trace=pd.DataFrame(trace, columns=TRACE_COLUMNS),
        settings=settings.to_dict(),
        demand=demand.to_dict(),
    )


def _size_lot(
    scenario: str,
    attrs: dict[str, Any],
    rows: list[dict[str, Any]],
    demand: Demand,
    settings: SizingSettings,
    trace: list[tuple],
    shapes: tuple[np.ndarray, np.ndarray],
) -> dict[str, Any]:
    """One option: the steps of SIZING.md 3-9 for one lot in one scenario."""
    s = settings
    vendor, lot = str(attrs.get("vendor") or ""), str(attrs.get("lot") or "")
    price = _price(rows, s)
    tier = price["tier"] if price else (s.support_tier or "")

    def step(name: str, formula: str, value: Any, unit: str) -> None:
        trace.append((scenario, vendor, lot, tier, name, formula, value, unit))

    cores = _int(attrs.get("cores"))
    ram_gib = _float(attrs.get("ram_gib"))
    raw_tb = _float(attrs.get("raw_tb"))
    lot_vendor = attrs.get("cpu_vendor") or cpu_vendor(str(attrs.get("cpu_model") or ""))
    lot_vendor = lot_vendor if isinstance(lot_vendor, str) and lot_vendor else None
    differs = bool(
        lot_vendor and demand.source_cpu_vendors and set(demand.source_cpu_vendors) != {lot_vendor}
    )
    option: dict[str, Any] = {
        "scenario": scenario,
        "vendor": vendor,
        "basket": attrs.get("basket"),
        "lot": lot,
        "model": attrs.get("model"),
        "cpu_vendor": lot_vendor,
        "cores": cores,
        "ram_gib": ram_gib,
        "raw_tb": raw_tb,
        "compute_hosts": None,
        "storage_hosts": None,
        "hosts": None,
        "limiting": None,
        "feasible": False,
        "reason": "",
        "unit_usd": price["usd"] if price else np.nan,
        "total_usd": np.nan,
        "total_eur": np.nan,
        "tier": tier,
        "years": price["years"] if price else s.support_years,
        "spare_cpu": np.nan,
        "spare_ram": np.nan,
        "spare_storage": np.nan,
        "cpu_vendor_differs": differs,
        "rank": None,
        "cpu_per_host": np.nan,
        "ram_per_host_mib": np.nan,
        "licence_usd": np.nan,
        "placement_hosts": None,
    }

    def infeasible(reason: str) -> dict[str, Any]:
        option["reason"] = reason
        step("infeasible", reason, None, "")
        return option

    # Ratios of the scenario.
    ratio, overcommit = s.cpu_ratio, s.memory_overcommit
    if scenario == "today":
        if not demand.vcpu_per_core or not demand.vram_per_ram:
            return infeasible("today's ratios are unknown: no hosts measured for this scope")
        ratio, overcommit = demand.vcpu_per_core, demand.vram_per_ram
        step(
            "today's ratios",
            f"vCPU:core = {_fmt(demand.vcpus_before_growth)} vCPU / {_fmt(demand.source_cores)} cores "
            f"= {ratio:.3f}; vRAM:RAM = {_fmt(demand.memory_mib_before_growth / 1024)} GiB / "
            f"{_fmt(demand.source_memory_mib / 1024)} GiB = {overcommit:.3f}",
            round(ratio, 4),
            "vCPU per core",
        )
    if not cores or cores <= 0:
        return infeasible("the lot states no CPU cores")
    if not ram_gib or ram_gib <= 0:
        return infeasible("the lot states no RAM")

    # Step 3: CPU generation and SMT.
    effective = float(cores)
    if s.count_smt:
        step(
            "SMT",
            f"{cores} cores + {cores} threads x 0.5 = {_fmt(cores * 1.5)}",
            cores * 1.5,
            "cores",
        )
        effective = cores * 1.5
    if s.cpu_generation:
        target = cpu_score(str(attrs.get("cpu_model") or ""), s.cpu_benchmarks)
        if target and demand.source_cpu_score:
            gen = target[0] / demand.source_cpu_score
            step(
                "CPU generation",
                f"{_fmt(effective)} cores x {target[0]:.2f} ({target[1]}) / "
                f"{demand.source_cpu_score:.2f} (source hosts) = {_fmt(effective * gen)}",
                round(effective * gen, 3),
                "cores",
            )
            effective *= gen
        else:
            step("CPU generation", "no benchmark for the target or source CPU: factor 1", 1.0, "")

    # Step 4: usable capacity per host.
    u = s.target_utilisation
    cpu_h = (effective - s.reserve_cores) * ratio * u
    ram_h = (ram_gib - s.reserve_ram_gib) * MIB_PER_GIB * overcommit * u
    step(
        "usable CPU per host",
        f"CPU_h = ({_fmt(effective)} cores - {_fmt(s.reserve_cores)} reserve) x {ratio:.3g} vCPU:core "
        f"x {u:.0%} = {_fmt(cpu_h)}",
        round(cpu_h, 3),
        "vCPU",
    )
    step(
        "usable RAM per host",
        f"RAM_h = ({_fmt(ram_gib)} GiB - {_fmt(s.reserve_ram_gib)} GiB reserve) x {overcommit:.3g} "
        f"overcommit x {u:.0%} = {_fmt(ram_h / 1024)} GiB",
        round(ram_h / 1024, 3),
        "GiB",
    )
    option["cpu_per_host"] = cpu_h
    option["ram_per_host_mib"] = ram_h
    if cpu_h <= 0:
        return infeasible("no CPU is left per host after the hypervisor reserve")
    if ram_h <= 0:
        return infeasible("no RAM is left per host after the hypervisor reserve")

    # Step 5: compute hosts.
    n_cpu = math.ceil(demand.vcpus / cpu_h - 1e-9) if demand.vcpus else 0
    n_ram = math.ceil(demand.memory_mib / ram_h - 1e-9) if demand.memory_mib else 0
    step(
        "demand",
        f"{demand.vms:,} VMs: {_fmt(demand.vcpus_before_growth)} vCPU, "
        f"{_fmt(demand.memory_mib_before_growth / 1024)} GiB vRAM, "
        f"{_fmt(demand.storage_mib_before_growth / 1024**2)} TiB {demand.storage_basis} storage "
        f"x growth {demand.growth_factor:.4g} (= (1 + {s.growth:g}) ^ {s.years:g})",
        demand.vms,
        "VMs",
    )
    step(
        "compute hosts (CPU)",
        f"ceil({_fmt(demand.vcpus)} vCPU / {_fmt(cpu_h)}) = {n_cpu}",
        n_cpu,
        "hosts",
    )
    step(
        "compute hosts (RAM)",
        f"ceil({_fmt(demand.memory_mib / 1024)} GiB / {_fmt(ram_h / 1024)} GiB) = {n_ram}",
        n_ram,
        "hosts",
    )
    n_c = max(n_cpu, n_ram)
    option["compute_hosts"] = n_c

    # Step 6: storage hosts.
    n_s, policy_min, storage_need_tb = 0, 0, None
    policy = VSAN_POLICIES.get(s.storage)
    if policy is None:
        step("storage hosts", "external storage: no storage hosts", 0, "hosts")
    else:
        if not raw_tb or raw_tb <= 0:
            return infeasible(f"the lot carries no data disks for vSAN ({policy.label})")
        policy_min = policy.min_hosts
        stored_tb = demand.storage_mib * BYTES_PER_MIB / TB
        overhead = 1 + s.esa_overhead if policy.esa else 1.0

        def storage_hosts(factor: float) -> tuple[int, float]:
            need = stored_tb * factor * overhead / s.dedupe / (1 - s.slack)
            need += s.rebuild_reserve_hosts * raw_tb
            return math.ceil(need / raw_tb - 1e-9), need

        factor = policy.factor
        n_s, storage_need_tb = storage_hosts(factor)
        if policy.factor_large and policy.large_from_hosts:
            big = policy.large_from_hosts
            n_large, need_large = storage_hosts(policy.factor_large)
            final_large = max(n_c, n_large, policy_min, s.min_hosts) + s.ha_failures
            final_small = max(n_c, n_s, policy_min, s.min_hosts) + s.ha_failures
            if final_large >= big:
                factor, n_s, storage_need_tb = policy.factor_large, n_large, need_large
            elif final_small >= big:
                # Below 6 hosts the 2+1 factor needs 6 or more: 6 hosts with 4+1 do it.
                factor, storage_need_tb = policy.factor_large, need_large
                n_s = max(n_large, big - s.ha_failures)
        step(
            "storage raw need",
            f"Raw = {_fmt(stored_tb, 3)} TB x {factor:g} ({policy.label})"
            + (f" x {overhead:.3f} ESA overhead" if policy.esa else "")
            + f" / {s.dedupe:g} dedupe / (1 - {s.slack:g} slack) + {s.rebuild_reserve_hosts} x "
            f"{_fmt(raw_tb, 2)} TB rebuild reserve = {_fmt(storage_need_tb, 3)} TB",
            round(storage_need_tb, 4),
            "TB",
        )
        step(
            "storage hosts",
            f"ceil({_fmt(storage_need_tb, 3)} TB / {_fmt(raw_tb, 2)} TB per host) = {n_s}",
            n_s,
            "hosts",
        )
    option["storage_hosts"] = n_s

    # Step 7: minimum, HA and the placement check.
    minimum = max(policy_min, s.min_hosts)
    base = max(n_c, n_s, minimum)
    candidates = [("cpu", n_cpu), ("memory", n_ram), ("storage", n_s), ("minimum", minimum)]
    limiting = next(name for name, n in candidates if n == base)
    hosts = base + s.ha_failures
    step(
        "hosts with HA",
        f"N = max(N_c {n_c}, N_s {n_s}, minimum {minimum}) + {s.ha_failures} failure(s) "
        f"to tolerate = {hosts}",
        hosts,
        "hosts",
    )
    growth = demand.growth_factor
    big_c, big_r = _largest(demand.vm_vcpus, demand.vm_memory_mib)
    if big_c > cpu_h or big_r > ram_h:
        return infeasible(
            f"the largest VM ({big_c} vCPU, {_size(big_r)}) does not fit one host of this lot "
            f"({_fmt(cpu_h)} vCPU, {_size(ram_h)} usable)"
        )
    # A VM that fits today fits however much the estate grows: growth adds VMs.
    vm_c = np.minimum(shapes[0][:, 0] * growth, cpu_h)
    vm_r = np.minimum(shapes[0][:, 1] * growth, ram_h)
    survivors = hosts - s.ha_failures
    fits, used = _pack_shapes(vm_c, vm_r, shapes[1], cpu_h, ram_h, survivors)
    option["placement_hosts"] = used
    if fits:
        step(
            "placement check",
            f"first-fit decreasing of {demand.vms:,} VMs (x growth {growth:.4g}) on N - FTT = "
            f"{hosts} - {s.ha_failures} = {survivors} hosts: fits on {used}",
            used,
            "hosts",
        )
    else:
        raised = used + s.ha_failures
        step(
            "placement check",
            f"first-fit decreasing of {demand.vms:,} VMs does not fit on {survivors} hosts; it needs "
            f"{used}: N raised from {hosts} to {used} + {s.ha_failures} = {raised}",
            raised,
            "hosts",
        )
        hosts = raised
        option["reason"] = f"placement needs {used} hosts before failures (formula: {survivors})"
    option["hosts"] = hosts
    option["limiting"] = limiting
    option["feasible"] = True

    # Spare capacity on the final hosts.
    option["spare_cpu"] = 1 - demand.vcpus / (hosts * cpu_h)
    option["spare_ram"] = 1 - demand.memory_mib / (hosts * ram_h)
    if storage_need_tb is not None:
        option["spare_storage"] = 1 - storage_need_tb / (hosts * raw_tb)

    # Steps 8-9: licences and price.
    licence = 0.0
    per_cpu, sockets = _int(attrs.get("cores_per_cpu")), _int(attrs.get("sockets"))
    windows_cores, vmware_cores = _licence_cores(sockets, per_cpu, cores)
    term = s.support_years
    for price_per_core, lic_cores, label in (
        (s.windows_price_per_core_year, windows_cores, "Windows Server"),
        (s.vmware_price_per_core_year, vmware_cores, "VMware VCF/VVF"),
    ):
        if price_per_core is None:
            continue
        cost = hosts * lic_cores * price_per_core * term
        licence += cost
        step(
            f"licences {label}",
            f"{hosts} hosts x {lic_cores} cores x {_fmt(price_per_core)} USD x {term} years "
            f"= {_fmt(cost)}",
            round(cost, 2),
            "USD",
        )
    option["licence_usd"] = licence
    if price is None:
        wanted = s.support_tier or "a tier including the hardware"
        option["reason"] = (
            option["reason"] + "; " if option["reason"] else ""
        ) + f"no price for {wanted} with a {term}-year term"
        step("price", option["reason"], None, "USD")
        return option
    total = hosts * price["usd"] + licence
    option["total_usd"] = total
    if price["eur"] is not None and price["usd"]:
        # Licences are quoted in USD: converted at the lot's own EUR/USD ratio.
        option["total_eur"] = hosts * price["eur"] + licence * price["eur"] / price["usd"]
    step(
        "price",
        f"{hosts} hosts x {_fmt(price['usd'])} USD ({price['formula']}) + {_fmt(licence)} USD "
        f"licences = {_fmt(total)} USD",
        round(total, 2),
        "USD",
    )
    return option


def _size(mib: float) -> str:
    if mib >= 1024 * 1024:
        return f"{mib / 1024 / 1024:.3g} TiB"
    return f"{mib / 1024:,.0f} GiB"
