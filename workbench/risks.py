"""Migration risks found in an RVTools export: what will slow down or block moving each VM.

Pure functions over :class:`~workbench.io.rvtools.RVToolsExport`. Each check has an id, a
severity, a plain explanation and the VMs it hits. Checks look at VMs that are not
templates and not vCLS agents (vSphere manages those itself). A check whose columns are
missing from the file (an older or trimmed export) is reported as not evaluated rather than
as finding nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute

from workbench.cpu_models import cpu_vendor
from workbench.io.rvtools import RVToolsExport

SEVERITIES = ("high", "medium", "low", "info")

SNAPSHOT_MAX_AGE_DAYS = 7
SNAPSHOT_LARGE_MIB = 50 * 1024
SNAPSHOT_CHAIN_DEPTH = 3
LARGE_VCPUS = 32
LARGE_MEMORY_MIB = 512 * 1024
LARGE_PROVISIONED_MIB = 10 * 1024 * 1024
OLD_HW_VERSION = 11
GUEST_DISK_FREE_PCT = 10
TOOLS_GUEST_MANAGED = 2147483647
"""The Tools version vCenter reports for OS-packaged tools (open-vm-tools) it does not manage."""

# End of vendor support (the last date anything is still patched). Sources: the vendors'
# published lifecycle pages.
GUEST_OS_END_OF_SUPPORT: tuple[tuple[str, date], ...] = (
    (r"windows server 2003", date(2015, 7, 14)),
    (r"windows server 2008", date(2020, 1, 14)),
    (r"windows server 2012", date(2023, 10, 10)),
    (r"windows server 2016", date(2027, 1, 12)),
    (r"windows server 2019", date(2029, 1, 9)),
    (r"windows (xp|vista|7|8)\b", date(2023, 1, 10)),
    (r"windows 10", date(2025, 10, 14)),
    (r"windows 2000|windows nt", date(2010, 7, 13)),
    (r"(red hat enterprise linux|rhel|centos|oracle linux)[^0-9]*[2-5]\b", date(2017, 3, 31)),
    (r"(red hat enterprise linux|rhel|centos|oracle linux)[^0-9]*6\b", date(2020, 11, 30)),
    (r"centos[^0-9]*7\b", date(2024, 6, 30)),
    (r"(red hat enterprise linux|rhel|oracle linux)[^0-9]*7\b", date(2024, 6, 30)),
    (r"centos[^0-9]*8\b", date(2021, 12, 31)),
    (r"(suse linux enterprise|sles)[^0-9]*(8|9|10|11)\b", date(2019, 3, 31)),
    (r"(suse linux enterprise|sles)[^0-9]*12\b", date(2024, 10, 31)),
    (r"ubuntu[^0-9]*(1[0-8]|[4-9])\.\d", date(2023, 5, 31)),
    (r"ubuntu[^0-9]*20\.04", date(2025, 5, 31)),
    (r"debian gnu/linux ([1-9]|10)\b", date(2024, 6, 30)),
    (r"debian gnu/linux 11\b", date(2026, 8, 31)),
    (r"freebsd[^0-9]*(\d|1[0-2])\b", date(2023, 12, 31)),
)
"""(pattern, last day of vendor support). Names with "or later" (vSphere's guest OS family
for a powered-off VM, e.g. "Windows Server 2016 or later") are never matched: the real
version is unknown."""

# ESXi end of general support, by major.minor.
ESXI_END_OF_SUPPORT: dict[tuple[int, int], date] = {
    (5, 0): date(2016, 8, 24),
    (5, 1): date(2016, 8, 24),
    (5, 5): date(2018, 9, 19),
    (6, 0): date(2020, 3, 12),
    (6, 5): date(2022, 10, 15),
    (6, 7): date(2022, 10, 15),
    (7, 0): date(2025, 10, 2),
    (8, 0): date(2027, 10, 11),
}


@dataclass(frozen=True)
class RiskCheck:
    """One migration-risk check.

    Attributes
    ----------
    id : str
        Stable identifier, snake_case.
    severity : {'high', 'medium', 'low', 'info'}
        high: blocks or breaks a migration until fixed; medium: needs work or a decision;
        low: worth cleaning up; info: worth knowing.
    title, explanation : str
        For people: what was found and why it matters when migrating.
    needs : tuple of (sheet, column)
        What the check reads; when one is missing from the file it is not evaluated.
    """

    id: str
    severity: str
    title: str
    explanation: str
    needs: tuple[tuple[str, str], ...]
    find: Callable[[_Context], pd.DataFrame]


class _Context:
    """The export, restricted to VMs worth migrating, with helpers the checks share."""

    def __init__(self, export: RVToolsExport, as_of: date):
        self.export = export
        self.as_of = as_of
        vms = export.vms
        self.vms = vms.loc[
            ~vms["is_template"] & ~vms["is_vcls"], [c for c in _VM_COLUMNS if c in vms]
        ]
        self.keys = pyarrow.array(self.vms["vm_key"], type=pyarrow.large_string())
        stamp = export.meta.get("export_time")
        self.captured = pd.Timestamp(stamp) if stamp else pd.Timestamp(as_of)

    def sheet(self, name: str) -> pd.DataFrame:
        """A VM sheet, every row: checks group its rows by VM, and :func:`assess` keeps
        the hits of the VMs checked (cheaper than copying each sheet's rows of them)."""
        return self.export[name]

    def checked(self, keys: pd.Series) -> np.ndarray:
        """Which of these VM keys belong to the VMs checked."""
        values = pyarrow.array(keys.astype("str"), type=pyarrow.large_string())
        return pyarrow.compute.is_in(values, value_set=self.keys).to_numpy(zero_copy_only=False)

    def vm_hits(self, mask: pd.Series, detail: pd.Series | str) -> pd.DataFrame:
        mask = mask.fillna(False).astype(bool)
        text = detail[mask] if isinstance(detail, pd.Series) else detail
        return pd.DataFrame({"vm_key": self.vms["vm_key"][mask], "detail": text})


# The vInfo columns the checks read (the context keeps only these).
_VM_COLUMNS = (
    "vm_key",
    "vm",
    "vcenter",
    "cluster",
    "host",
    "hw_version",
    "vcpus",
    "memory_mib",
    "provisioned_mib",
    "ft_state",
    "cbt",
    "is_powered_on",
    "is_suspended",
    "is_inaccessible",
    "is_orphaned",
    "is_srm_placeholder",
    "connection_state",
    "consolidation_needed",
    "os_tools",
    "os_config",
    "fixed_passthru_hotplug",
    "latency_sensitivity",
    "annotation",
)


def _per_vm(
    frame: pd.DataFrame, describe: Callable[[list[tuple]], str], *columns: str
) -> pd.DataFrame:
    """One hit per VM from a multi-row sheet (disks, snapshots...), detail joined:
    ``describe`` gets the VM's rows as tuples of ``columns``, in file order."""
    if frame.empty:
        return pd.DataFrame(columns=["vm_key", "detail"])
    groups: dict[str, list[tuple]] = {}
    for key, *values in zip(
        frame["vm_key"].tolist(), *(frame[c].tolist() for c in columns), strict=True
    ):
        groups.setdefault(key, []).append(tuple(values))
    return pd.DataFrame(
        [(key, describe(rows)) for key, rows in groups.items()], columns=["vm_key", "detail"]
    )


def _disks(rows: list[tuple]) -> str:
    return ", ".join(f"{d} ({c / 1024:,.0f} GiB)" if pd.notna(c) else str(d) for d, c in rows)


def _esxi_version(text: str) -> tuple[int, int] | None:
    match = re.search(r"ESXi (\d+)\.(\d+)", text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def _guest_os_end(text: str) -> date | None:
    lowered = (text or "").lower()
    if "or later" in lowered:
        return None
    for pattern, ends in GUEST_OS_END_OF_SUPPORT:
        if re.search(pattern, lowered):
            return ends
    return None


# ---------------------------------------------------------------------------- checks


def _snapshots(ctx: _Context) -> pd.DataFrame:
    snaps = ctx.sheet("vSnapshot")
    return _per_vm(snaps, lambda g: f"{len(g)} snapshot{'s' if len(g) > 1 else ''}")


def _old_snapshots(ctx: _Context) -> pd.DataFrame:
    snaps = ctx.sheet("vSnapshot")
    age = (ctx.captured - snaps["snapshot_time"]).dt.days
    old = snaps.assign(_age=age)[age > SNAPSHOT_MAX_AGE_DAYS]
    return _per_vm(old, lambda g: f"oldest {int(max(a for (a,) in g))} days", "_age")


def _large_snapshots(ctx: _Context) -> pd.DataFrame:
    snaps = ctx.sheet("vSnapshot")
    sizes = snaps.groupby("vm_key")["size_total_mib"].sum()
    big = sizes[sizes >= SNAPSHOT_LARGE_MIB]
    return pd.DataFrame(
        {"vm_key": big.index, "detail": [f"{v / 1024:,.0f} GiB of snapshots" for v in big]}
    )


def _deep_chains(ctx: _Context) -> pd.DataFrame:
    snaps = ctx.sheet("vSnapshot")
    depth = snaps.groupby("vm_key").size()
    deep = depth[depth >= SNAPSHOT_CHAIN_DEPTH]
    return pd.DataFrame(
        {"vm_key": deep.index, "detail": [f"{n} snapshots in the chain" for n in deep]}
    )


def _disk_check(
    predicate: Callable[[pd.DataFrame], pd.Series],
) -> Callable[[_Context], pd.DataFrame]:
    def find(ctx: _Context) -> pd.DataFrame:
        disks = ctx.sheet("vDisk")
        return _per_vm(
            disks[predicate(disks).fillna(False).astype(bool)], _disks, "disk", "capacity_mib"
        )

    return find


def _rdm(mode: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda d: (
        d["raw"].fillna(False).astype(bool) & (d["raw_compatibility_mode"].str.lower() == mode)
    )


def _cdrom(ctx: _Context) -> pd.DataFrame:
    cds = ctx.sheet("vCD")
    connected = cds[cds["connected"].fillna(False).astype(bool)]
    return _per_vm(
        connected, lambda g: ", ".join(f"{n} ({t})" for n, t in g), "device_node", "device_type"
    )


def _usb(ctx: _Context) -> pd.DataFrame:
    return _per_vm(
        ctx.sheet("vUSB"),
        lambda g: ", ".join(f"{n} {t}".strip() for n, t in g),
        "device_node",
        "device_type",
    )


def _tools(status: str, powered_on_only: bool = False) -> Callable[[_Context], pd.DataFrame]:
    def find(ctx: _Context) -> pd.DataFrame:
        tools = ctx.sheet("vTools")
        hit = tools["tools_status"] == status
        if powered_on_only:
            hit &= tools["powerstate"] == "poweredOn"
        chosen = tools[hit]
        return pd.DataFrame(
            {
                "vm_key": chosen["vm_key"],
                "detail": "Tools version " + chosen["tools_version"].astype("str"),
            }
        )

    return find


def _tools_unmanaged(ctx: _Context) -> pd.DataFrame:
    tools = ctx.sheet("vTools")
    chosen = tools[tools["tools_version"] == TOOLS_GUEST_MANAGED]
    return pd.DataFrame({"vm_key": chosen["vm_key"], "detail": "guest-managed (open-vm-tools)"})


def _vm_flag(column: str, detail: str) -> Callable[[_Context], pd.DataFrame]:
    return lambda ctx: ctx.vm_hits(ctx.vms[column].fillna(False).astype(bool), detail)


def _old_hw(ctx: _Context) -> pd.DataFrame:
    hw = ctx.vms["hw_version"]
    return ctx.vm_hits(
        (hw < OLD_HW_VERSION).fillna(False).astype(bool), "virtual hardware vmx-" + hw.astype("str")
    )


def _large(
    column: str, limit: float, describe: Callable[[float], str]
) -> Callable[[_Context], pd.DataFrame]:
    def find(ctx: _Context) -> pd.DataFrame:
        values = ctx.vms[column].astype("float64")
        return ctx.vm_hits(values >= limit, values.map(describe))

    return find


def _fault_tolerance(ctx: _Context) -> pd.DataFrame:
    state = ctx.vms["ft_state"]
    return ctx.vm_hits(~state.isin(["", "notConfigured"]), "FT " + state)


def _cbt_off(ctx: _Context) -> pd.DataFrame:
    cbt = ctx.vms["cbt"]
    return ctx.vm_hits((cbt == False) & ctx.vms["is_powered_on"], "CBT disabled")  # noqa: E712 (nullable)


def _guest_os_eol(ctx: _Context) -> pd.DataFrame:
    os_name = ctx.vms["os_tools"].where(ctx.vms["os_tools"] != "", ctx.vms["os_config"])
    known = {name: _guest_os_end(name) for name in os_name.unique()}  # a few dozen names
    ends = pd.Series([known[name] for name in os_name.tolist()], index=os_name.index, dtype=object)
    past = ends.map(lambda d: d is not None and d < ctx.as_of)
    return ctx.vm_hits(
        past, os_name + ", support ended " + ends.map(lambda d: d.isoformat() if d else "")
    )


def _esxi_eol(ctx: _Context) -> pd.DataFrame:
    hosts = ctx.export.hosts
    ended = {}
    for row in hosts.itertuples():
        version = _esxi_version(row.esx_version)
        ends = ESXI_END_OF_SUPPORT.get(version) if version else None
        if ends and ends < ctx.as_of:
            ended[(row.vcenter, row.host)] = (
                f"{row.host}: {row.esx_version}, support ended {ends.isoformat()}"
            )
    details = pd.Series(
        [
            ended.get((v, h))
            for v, h in zip(ctx.vms["vcenter"].tolist(), ctx.vms["host"].tolist(), strict=True)
        ],
        index=ctx.vms.index,
    )
    return ctx.vm_hits(details.notna(), details)


def _passthrough(ctx: _Context) -> pd.DataFrame:
    memory = ctx.sheet("vMemory")
    locked = set(
        memory.loc[memory["reservation_locked_to_max"].fillna(False).astype(bool), "vm_key"]
    )
    hotplug = ctx.vms["fixed_passthru_hotplug"].fillna(False).astype(bool)
    mask = ctx.vms["vm_key"].isin(locked) | hotplug
    detail = pd.Series(
        [
            "; ".join(
                text
                for flag, text in (
                    (key in locked, "memory reservation locked to max"),
                    (plug, "fixed passthrough hot-plug"),
                )
                if flag
            )
            for key, plug in zip(ctx.vms["vm_key"].tolist(), hotplug.tolist(), strict=True)
        ],
        index=ctx.vms.index,
    )
    return ctx.vm_hits(mask, "possible: " + detail)


def _unreachable(ctx: _Context) -> pd.DataFrame:
    return ctx.vm_hits(
        ctx.vms["is_inaccessible"] | ctx.vms["is_orphaned"],
        "connection state " + ctx.vms["connection_state"],
    )


def _duplicate_names(ctx: _Context) -> pd.DataFrame:
    names = ctx.vms["vm"].str.casefold()
    counts = names.map(names.value_counts())
    return ctx.vm_hits(counts > 1, counts.map(lambda n: f"{n} VMs share this name"))


def _memory_reservation(ctx: _Context) -> pd.DataFrame:
    memory = ctx.sheet("vMemory")
    chosen = memory[memory["reservation_mib"].fillna(0) > 0]
    return pd.DataFrame(
        {
            "vm_key": chosen["vm_key"],
            "detail": chosen["reservation_mib"].map(lambda v: f"{v:,.0f} MiB reserved"),
        }
    )


def _guest_disk_full(ctx: _Context) -> pd.DataFrame:
    parts = ctx.sheet("vPartition")
    full = parts[parts["free_pct"] < GUEST_DISK_FREE_PCT]
    return _per_vm(
        full, lambda g: ", ".join(f"{d} {p:.0f}% free" for d, p in g), "disk", "free_pct"
    )


def _standalone(ctx: _Context) -> pd.DataFrame:
    return ctx.vm_hits(ctx.vms["cluster"] == "", "host " + ctx.vms["host"])


def _latency(ctx: _Context) -> pd.DataFrame:
    level = ctx.vms["latency_sensitivity"]
    return ctx.vm_hits(level == "high", "latency sensitivity high")


def _cpu_vendor_mix(ctx: _Context) -> pd.DataFrame:
    hosts = ctx.export.hosts
    vendors = hosts["cpu_model"].astype("str").map(cpu_vendor)
    # Standalone hosts (cluster '') of one vCenter are one group: VMs move between them too.
    groups = pd.DataFrame(
        {"vcenter": hosts["vcenter"], "cluster": hosts["cluster"], "cpu_vendor": vendors}
    ).dropna(subset=["cpu_vendor"])
    counts = groups.groupby(["vcenter", "cluster", "cpu_vendor"]).size()
    mixed: dict[tuple[str, str], str] = {}
    for (vcenter, cluster), per_vendor in counts.groupby(level=[0, 1]):
        if len(per_vendor) > 1:
            where = f"cluster {cluster}" if cluster else "standalone hosts"
            mixed[(vcenter, cluster)] = f"{where}: " + ", ".join(
                f"{n} {vendor} host{'s' if n > 1 else ''}"
                for (_, _, vendor), n in per_vendor.items()
            )
    details = pd.Series(
        [
            mixed.get((v, c))
            for v, c in zip(ctx.vms["vcenter"].tolist(), ctx.vms["cluster"].tolist(), strict=True)
        ],
        index=ctx.vms.index,
        dtype=object,
    )
    return ctx.vm_hits(details.notna(), details)


_ORACLE_OS = re.compile(r"oracle|solaris", re.IGNORECASE)
# "oracle" anywhere, or "ora" as a word of its own or followed by db/digits ("ora-rman",
# "oradb01", "ora12"); not "orange", "aurora", "borax".
_ORACLE_NAME = re.compile(r"oracle|(?:^|[^a-z])ora(?:db|\d|[^a-z]|$)", re.IGNORECASE)


def _oracle(ctx: _Context) -> pd.DataFrame:
    vms = ctx.vms
    blank = pd.Series("", index=vms.index)
    tools, config = vms.get("os_tools", blank).fillna(""), vms.get("os_config", blank).fillna("")
    os_name = tools.where(tools != "", config)
    annotation = vms.get("annotation", blank)
    rows = []
    for os_text, name, cluster, note in zip(
        os_name.tolist(),
        vms["vm"].fillna("").tolist(),
        vms["cluster"].fillna("").tolist(),
        annotation.fillna("").astype("str").tolist(),
        strict=True,
    ):
        why = []
        if _ORACLE_OS.search(os_text):
            why.append(f"guest OS {os_text}")
        if _ORACLE_NAME.search(name):
            why.append("VM name")
        if "oracle" in cluster.lower():
            why.append(f"cluster {cluster}")
        if "oracle" in note.lower():
            why.append("annotation")
        rows.append("; ".join(why))
    details = pd.Series(rows, index=vms.index, dtype=object)
    return ctx.vm_hits(details != "", "Oracle hint: " + details)


def _nic_switches(ctx: _Context) -> pd.DataFrame:
    nics = ctx.sheet("vNetwork")
    return pd.DataFrame(
        {
            "vm_key": nics["vm_key"].astype("str"),
            "vcenter": nics["vcenter"].astype("str"),
            "switch": nics["switch"].fillna("").astype("str"),
            "network": nics["network"].fillna("").astype("str"),
        }
    )


def _standard_switch(ctx: _Context) -> pd.DataFrame:
    nics = _nic_switches(ctx)
    standard = set(
        zip(ctx.sheet("vSwitch")["vcenter"], ctx.sheet("vSwitch")["switch"], strict=True)
    )
    distributed = set(
        zip(ctx.sheet("dvSwitch")["vcenter"], ctx.sheet("dvSwitch")["switch"], strict=True)
    )
    pairs = list(zip(nics["vcenter"].tolist(), nics["switch"].tolist(), strict=True))
    hit = [p in standard and p not in distributed for p in pairs]
    chosen = nics[hit]
    return _per_vm(
        chosen,
        lambda g: ", ".join(f"{n or '(no network)'} on {s}" for n, s in dict.fromkeys(g)),
        "network",
        "switch",
    )


def _ephemeral(ctx: _Context) -> pd.DataFrame:
    ports = ctx.sheet("dvPort")
    ephemeral = ports[ports["binding"].fillna("").str.lower() == "ephemeral"]
    keys = set(zip(ephemeral["vcenter"], ephemeral["switch"], ephemeral["port"], strict=True))
    nics = _nic_switches(ctx)
    hit = [
        key in keys
        for key in zip(
            nics["vcenter"].tolist(), nics["switch"].tolist(), nics["network"].tolist(), strict=True
        )
    ]
    return _per_vm(
        nics[hit],
        lambda g: ", ".join(f"{n} on {s} (ephemeral)" for n, s in dict.fromkeys(g)),
        "network",
        "switch",
    )


def _gib(value: float) -> str:
    return f"{value / 1024:,.0f} GiB"


CHECKS: tuple[RiskCheck, ...] = (
    RiskCheck(
        "snapshots_present",
        "medium",
        "VM has snapshots",
        "Most migration tools refuse or slow down on VMs with snapshots; consolidate them first.",
        (("vSnapshot", "vm"),),
        _snapshots,
    ),
    RiskCheck(
        "snapshot_old",
        "high",
        f"Snapshot older than {SNAPSHOT_MAX_AGE_DAYS} days",
        "Old snapshots grow without bound and take long to consolidate; someone forgot them.",
        (("vSnapshot", "snapshot_time"),),
        _old_snapshots,
    ),
    RiskCheck(
        "snapshot_large",
        "high",
        f"Snapshots of {SNAPSHOT_LARGE_MIB // 1024} GiB or more",
        "Large delta disks make consolidation long and risky and inflate what must be copied.",
        (("vSnapshot", "size_total_mib"),),
        _large_snapshots,
    ),
    RiskCheck(
        "snapshot_chain_deep",
        "medium",
        f"{SNAPSHOT_CHAIN_DEPTH} or more snapshots",
        "Deep chains slow disk I/O and consolidation; some tools cannot read them.",
        (("vSnapshot", "vm"),),
        _deep_chains,
    ),
    RiskCheck(
        "rdm_physical",
        "high",
        "Physical-mode RDM",
        "A physical raw device mapping cannot be converted or snapshotted; the LUN must be re-presented "
        "to the target or the data copied in the guest.",
        (("vDisk", "raw"), ("vDisk", "raw_compatibility_mode")),
        _disk_check(_rdm("physicalmode")),
    ),
    RiskCheck(
        "rdm_virtual",
        "medium",
        "Virtual-mode RDM",
        "A virtual RDM can be converted to a virtual disk during migration, but needs planning and space.",
        (("vDisk", "raw"), ("vDisk", "raw_compatibility_mode")),
        _disk_check(_rdm("virtualmode")),
    ),
    RiskCheck(
        "scsi_bus_sharing",
        "high",
        "SCSI bus sharing",
        "Shared SCSI buses mean a guest cluster (MSCS/WSFC, Oracle RAC); all nodes move together with their "
        "shared disks.",
        (("vDisk", "shared_bus"),),
        _disk_check(lambda d: d["shared_bus"].isin(["physicalSharing", "virtualSharing"])),
    ),
    RiskCheck(
        "multi_writer",
        "high",
        "Multi-writer disk",
        "Disks opened by several VMs at once (clusters, RAC) cannot be copied VM by VM.",
        (("vDisk", "sharing_mode"),),
        _disk_check(lambda d: d["sharing_mode"] == "sharingMultiWriter"),
    ),
    RiskCheck(
        "independent_disk",
        "medium",
        "Independent disk",
        "Independent disks are left out of snapshots, so snapshot-based migration and backup tools skip them.",
        (("vDisk", "disk_mode"),),
        _disk_check(lambda d: d["disk_mode"].str.startswith("independent")),
    ),
    RiskCheck(
        "cdrom_connected",
        "low",
        "CD/DVD connected",
        "A connected ISO or host device blocks vMotion and fails conversion; disconnect it.",
        (("vCD", "connected"),),
        _cdrom,
    ),
    RiskCheck(
        "usb_device",
        "medium",
        "USB device attached",
        "USB passthrough does not follow the VM to another host or platform.",
        (("vUSB", "vm"),),
        _usb,
    ),
    RiskCheck(
        "tools_not_running",
        "medium",
        "VMware Tools not running (powered on)",
        "Without running Tools there is no quiescing, no guest IP and no clean shutdown during cut-over.",
        (("vTools", "tools_status"),),
        _tools("toolsNotRunning", powered_on_only=True),
    ),
    RiskCheck(
        "tools_not_installed",
        "high",
        "VMware Tools not installed",
        "No drivers for paravirtual devices and no guest operations; conversion may leave the guest unbootable.",
        (("vTools", "tools_status"),),
        _tools("toolsNotInstalled"),
    ),
    RiskCheck(
        "tools_old",
        "low",
        "VMware Tools out of date",
        "Old Tools lack current drivers and fixes; update before migrating.",
        (("vTools", "tools_status"),),
        _tools("toolsOld"),
    ),
    RiskCheck(
        "tools_unmanaged",
        "info",
        "VMware Tools managed by the guest OS",
        "open-vm-tools is updated by the guest's package manager; check its version in the guest.",
        (("vTools", "tools_version"),),
        _tools_unmanaged,
    ),
    RiskCheck(
        "hw_version_old",
        "medium",
        f"Virtual hardware older than vmx-{OLD_HW_VERSION}",
        "Old hardware versions limit devices and firmware and are unsupported on recent platforms.",
        (("vInfo", "hw_version"),),
        _old_hw,
    ),
    RiskCheck(
        "large_vm_cpu",
        "medium",
        f"{LARGE_VCPUS} vCPUs or more",
        "Very wide VMs need target hosts with enough cores per NUMA node.",
        (("vInfo", "vcpus"),),
        _large("vcpus", LARGE_VCPUS, lambda v: f"{v:.0f} vCPUs"),
    ),
    RiskCheck(
        "large_vm_memory",
        "medium",
        f"{LARGE_MEMORY_MIB // 1024} GiB of memory or more",
        "Very large memory needs matching target hosts and a long memory copy at cut-over.",
        (("vInfo", "memory_mib"),),
        _large("memory_mib", LARGE_MEMORY_MIB, _gib),
    ),
    RiskCheck(
        "large_vm_storage",
        "medium",
        f"{LARGE_PROVISIONED_MIB // 1024 // 1024} TiB provisioned or more",
        "Copying this much data needs its own window or pre-seeding.",
        (("vInfo", "provisioned_mib"),),
        _large("provisioned_mib", LARGE_PROVISIONED_MIB, _gib),
    ),
    RiskCheck(
        "suspended",
        "medium",
        "Suspended VM",
        "A suspended VM holds memory state on disk that most tools cannot migrate; resume or power it off.",
        (("vInfo", "powerstate"),),
        _vm_flag("is_suspended", "suspended"),
    ),
    RiskCheck(
        "fault_tolerance",
        "high",
        "Fault Tolerance configured",
        "FT VMs must have FT turned off to migrate, and most targets have no equivalent.",
        (("vInfo", "ft_state"),),
        _fault_tolerance,
    ),
    RiskCheck(
        "cbt_off",
        "low",
        "Changed Block Tracking off (powered on)",
        "Replication-based migration and backup tools need CBT for incremental copies.",
        (("vInfo", "cbt"),),
        _cbt_off,
    ),
    RiskCheck(
        "guest_os_eol",
        "medium",
        "Guest OS past end of support",
        "An unsupported guest OS may have no drivers or support on the target platform.",
        (("vInfo", "os_config"),),
        _guest_os_eol,
    ),
    RiskCheck(
        "esxi_eol",
        "medium",
        "Running on ESXi past end of support",
        "Old ESXi limits which migration tools and hardware versions work; the source may need upgrades first.",
        (("vHost", "esx_version"), ("vInfo", "host")),
        _esxi_eol,
    ),
    RiskCheck(
        "passthrough_possible",
        "high",
        "Possible PCI passthrough or vGPU",
        "RVTools has no passthrough or vGPU column; a memory reservation locked to the maximum or fixed "
        "passthrough hot-plug usually means one. Check the VM: such devices do not migrate.",
        (("vMemory", "reservation_locked_to_max"),),
        _passthrough,
    ),
    RiskCheck(
        "inaccessible_or_orphaned",
        "high",
        "VM inaccessible or orphaned",
        "vCenter cannot reach the VM's files or host; it cannot be migrated until fixed.",
        (("vInfo", "connection_state"),),
        _unreachable,
    ),
    RiskCheck(
        "consolidation_needed",
        "medium",
        "Disk consolidation needed",
        "Left-over delta disks; consolidate before migrating.",
        (("vInfo", "consolidation_needed"),),
        _vm_flag("consolidation_needed", "consolidation needed"),
    ),
    RiskCheck(
        "srm_placeholder",
        "info",
        "SRM placeholder",
        "A Site Recovery Manager placeholder is not a real VM; leave it out of migration scope.",
        (("vInfo", "srm_placeholder"),),
        _vm_flag("is_srm_placeholder", "SRM placeholder"),
    ),
    RiskCheck(
        "duplicate_vm_name",
        "low",
        "VM name used more than once",
        "Names repeat across folders and vCenters; migration waves must identify VMs by ID.",
        (("vInfo", "vm"),),
        _duplicate_names,
    ),
    RiskCheck(
        "memory_reservation",
        "low",
        "Memory reservation",
        "Reservations must be honoured by the target hosts' free memory.",
        (("vMemory", "reservation_mib"),),
        _memory_reservation,
    ),
    RiskCheck(
        "latency_sensitive",
        "medium",
        "Latency sensitivity high",
        "High latency sensitivity pins CPUs and needs full reservations on the target.",
        (("vInfo", "latency_sensitivity"),),
        _latency,
    ),
    RiskCheck(
        "guest_disk_full",
        "low",
        f"Guest partition under {GUEST_DISK_FREE_PCT}% free",
        "Nearly full guest disks make agents and conversion fail; clean up or grow first.",
        (("vPartition", "free_pct"), ("vPartition", "vm")),
        _guest_disk_full,
    ),
    RiskCheck(
        "standalone_host",
        "info",
        "VM on a host outside any cluster",
        "No DRS or HA: moving it needs downtime planned by hand.",
        (("vInfo", "cluster"),),
        _standalone,
    ),
    RiskCheck(
        "cpu_vendor_mix",
        "medium",
        "Cluster mixes AMD and Intel hosts",
        "There is no live vMotion between AMD and Intel hosts (EVC only evens out generations of one "
        "vendor): VMs move between them powered off, and DRS and HA keep them on their vendor's hosts.",
        (("vHost", "cpu_model"), ("vInfo", "host")),
        _cpu_vendor_mix,
    ),
    RiskCheck(
        "oracle_guest",
        "medium",
        "Possible Oracle software",
        "Oracle counts licences on every host the VM could run on (its cluster, or more), not on "
        "the VM: the target needs a dedicated, sized cluster before these VMs move. Found from the "
        "guest OS, the VM name, the cluster name or the annotation: confirm with the owner.",
        # The VM name is always there; the OS columns and the annotation add to it when present.
        (("vInfo", "vm"),),
        _oracle,
    ),
    RiskCheck(
        "standard_vswitch",
        "medium",
        "VM on a standard vSwitch port group",
        "Layer-2 extension to the target (such as HCX Network Extension) works on distributed port "
        "groups only; standard vSwitch port groups must be moved to a distributed switch first or "
        "the VMs re-addressed.",
        (("vNetwork", "switch"), ("vSwitch", "switch")),
        _standard_switch,
    ),
    RiskCheck(
        "ephemeral_port_group",
        "low",
        "Distributed port group with ephemeral binding",
        "Ephemeral ports are created at power-on and not kept by vCenter; network extension and "
        "migration tools map static-binding port groups, so check or change the binding before "
        "migrating.",
        (("dvPort", "binding"), ("vNetwork", "network")),
        _ephemeral,
    ),
)

CHECK_COLUMNS = ["id", "severity", "title", "explanation", "evaluated", "vms"]
HIT_COLUMNS = ["check_id", "severity", "vm_key", "vm", "cluster", "detail"]


@dataclass
class RiskReport:
    """The checks run on one export and what they found.

    Attributes
    ----------
    checks : pandas.DataFrame
        One row per check: ``id``, ``severity``, ``title``, ``explanation``,
        ``evaluated`` (bool: False when the file lacks what the check reads), ``vms``
        (int: VMs hit).
    hits : pandas.DataFrame
        One row per (check, VM): ``check_id``, ``severity``, ``vm_key``, ``vm``,
        ``cluster``, ``detail``.
    """

    checks: pd.DataFrame
    hits: pd.DataFrame

    def counts(self) -> dict[str, int | None]:
        """check id -> VMs hit; None for a check the file has no data for."""
        return {row.id: int(row.vms) if row.evaluated else None for row in self.checks.itertuples()}

    def for_clusters(self, clusters: list[str]) -> RiskReport:
        """The same report restricted to VMs in these clusters."""
        hits = self.hits[self.hits["cluster"].isin(clusters)].reset_index(drop=True)
        checks = self.checks.copy()
        checks["vms"] = checks["id"].map(hits.groupby("check_id").size()).fillna(0).astype("int64")
        return RiskReport(checks=checks, hits=hits)


def assess(export: RVToolsExport, as_of: date | datetime | None = None) -> RiskReport:
    """Run every check in :data:`CHECKS`.

    Parameters
    ----------
    as_of : date, optional
        The day against which end-of-support dates are judged (default: today). Snapshot
        ages are measured at the export's own time when the file records it.
    """
    as_of = as_of.date() if isinstance(as_of, datetime) else (as_of or date.today())
    ctx = _Context(export, as_of)
    missing = export.quality.missing_columns
    # A sheet the file lacks, even one the reader does not insist on (vUSB, vSwitch ...),
    # means its checks are not evaluated rather than finding nothing.
    in_file = export.meta.get("sheets")
    absent = set(export.quality.missing_sheets)
    if in_file:
        absent |= {sheet for sheet in export.tables if sheet not in in_file}
    checks: list[dict[str, Any]] = []
    keys: list[pd.Series] = []
    details: list[pd.Series] = []
    ids: list[str] = []
    names = ctx.vms.set_index("vm_key")[["vm", "cluster"]]
    for check in CHECKS:
        evaluated = all(
            sheet not in absent and column not in missing.get(sheet, ())
            for sheet, column in check.needs
        )
        checks.append(
            {
                "id": check.id,
                "severity": check.severity,
                "title": check.title,
                "explanation": check.explanation,
                "evaluated": evaluated,
                "vms": 0,
            }
        )
        if evaluated:
            hits = check.find(ctx)
            if len(hits):
                keys.append(hits["vm_key"].astype("str"))
                details.append(hits["detail"].astype("str"))
                ids.extend([check.id] * len(hits))
    # All checks' hits at once: one per (check, VM), of the VMs checked, in check order.
    columns = ["vm_key", "detail", "check_id", "severity"]
    if keys:
        severity = {check.id: check.severity for check in CHECKS}
        hits = pd.DataFrame(
            {
                "vm_key": pd.concat(keys, ignore_index=True),
                "detail": pd.concat(details, ignore_index=True),
                "check_id": ids,
                "severity": [severity[i] for i in ids],
            }
        )
        hits = hits.drop_duplicates(["check_id", "vm_key"])
        hits = hits[ctx.checked(hits["vm_key"])]
        found = hits["check_id"].value_counts()
        for row in checks:
            row["vms"] = int(found.get(row["id"], 0))
    else:
        hits = pd.DataFrame(columns=columns)
    hits = hits.join(names, on="vm_key")
    hits = hits[HIT_COLUMNS].astype({c: "str" for c in HIT_COLUMNS}).reset_index(drop=True)
    return RiskReport(checks=pd.DataFrame(checks, columns=CHECK_COLUMNS), hits=hits)
