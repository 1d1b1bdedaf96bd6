"""Capacity of a VMware environment from an RVTools export: supply, demand, ratios, N+1.

Pure functions over :class:`~workbench.io.rvtools.RVToolsExport`. Sizes are MiB,
frequencies MHz. "Demand" counts VMs that are not templates; the ``_on`` variants count the
powered-on ones only. Supply comes from the vHost rows (one row per host), so it follows the
hosts really in the export; vCluster's own totals are checked against them in the reader's
quality report.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import InvalidInputError
from workbench.io.rvtools import RVToolsExport

CLUSTER_COLUMNS = [
    "cluster",
    "vcenter",
    "hosts",
    "effective_hosts",
    "sockets",
    "cores",
    "threads",
    "cpu_mhz",
    "memory_mib",
    "vms",
    "vms_on",
    "templates",
    "vcpus",
    "vcpus_on",
    "vram_mib",
    "vram_on_mib",
    "provisioned_mib",
    "provisioned_on_mib",
    "in_use_mib",
    "in_use_on_mib",
    "vcpu_per_core",
    "vcpu_per_core_on",
    "vram_per_ram",
    "vram_per_ram_on",
    "largest_host_cores",
    "largest_host_memory_mib",
    "n1_cores",
    "n1_memory_mib",
    "n1_vcpu_per_core_on",
    "n1_memory_headroom_mib",
    "datastores",
    "datastore_capacity_mib",
    "datastore_free_mib",
]


_POWERED_ON = {
    "vcpus": "vcpus_on",
    "vram_mib": "vram_on_mib",
    "provisioned_mib": "provisioned_on_mib",
    "in_use_mib": "in_use_on_mib",
}


_VM_FIGURES = [
    "cluster",
    "is_template",
    "is_powered_on",
    "vcpus",
    "memory_mib",
    "provisioned_mib",
    "in_use_mib",
]


def _str(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _demand(vms: pd.DataFrame) -> pd.DataFrame:
    """Per cluster demand of non-template VMs (all and powered on)."""
    vms = vms[_VM_FIGURES]
    live = vms[~vms["is_template"]]
    on = live["is_powered_on"]
    frame = pd.DataFrame(
        {
            "cluster": live["cluster"],
            "vms": 1,
            "vms_on": on.astype(int),
            "vcpus": live["vcpus"].fillna(0).astype("int64"),
            "vram_mib": live["memory_mib"].fillna(0.0),
            "provisioned_mib": live["provisioned_mib"].fillna(0.0),
            "in_use_mib": live["in_use_mib"].fillna(0.0),
        }
    )
    for column, powered_on in _POWERED_ON.items():
        frame[powered_on] = frame[column].where(on, 0)
    grouped = frame.groupby("cluster", sort=True).sum(numeric_only=True)
    templates = vms[vms["is_template"]].groupby("cluster").size().rename("templates")
    return grouped.join(templates, how="outer").fillna(0)


def host_supply(hosts: pd.DataFrame) -> pd.DataFrame:
    """What each vHost row supplies.

    Returns
    -------
    pandas.DataFrame
        Columns: ``cluster``, ``vcenter``, ``hosts`` (1), ``in_service`` (1 unless in
        maintenance mode), ``sockets``, ``cores``, ``threads`` (cores x 2 with
        hyper-threading active), ``cpu_mhz`` (cores x core MHz), ``memory_mib``.
    """
    cores = hosts["cpu_cores"].fillna(0).astype("int64")
    return pd.DataFrame(
        {
            "cluster": hosts["cluster"],
            "vcenter": hosts["vcenter"],
            "hosts": 1,
            "in_service": (~hosts["in_maintenance_mode"].fillna(False).astype(bool)).astype(int),
            "sockets": hosts["cpu_sockets"].fillna(0).astype("int64"),
            "cores": cores,
            "threads": np.where(hosts["ht_active"].fillna(False).astype(bool), cores * 2, cores),
            "cpu_mhz": cores * hosts["cpu_mhz"].fillna(0.0),
            "memory_mib": hosts["memory_mib"].fillna(0.0),
        }
    )


def _supply(hosts: pd.DataFrame, clusters: pd.DataFrame) -> pd.DataFrame:
    """Per cluster supply from vHost rows, with vCluster's effective host count when known."""
    frame = host_supply(hosts)
    grouped = frame.groupby("cluster", sort=True).agg(
        vcenter=("vcenter", lambda s: ", ".join(sorted({v for v in s if v}))),
        hosts=("hosts", "sum"),
        in_service=("in_service", "sum"),
        sockets=("sockets", "sum"),
        cores=("cores", "sum"),
        threads=("threads", "sum"),
        cpu_mhz=("cpu_mhz", "sum"),
        memory_mib=("memory_mib", "sum"),
        largest_host_cores=("cores", "max"),
        largest_host_memory_mib=("memory_mib", "max"),
    )
    effective = (
        clusters.groupby("cluster")["effective_hosts"].sum(min_count=1)
        if len(clusters)
        else pd.Series(dtype=float)
    )
    grouped["effective_hosts"] = (
        effective.reindex(grouped.index)
        .astype("Float64")
        .fillna(grouped["in_service"].astype("Float64"))
    )
    return grouped.drop(columns="in_service")


def host_clusters(hosts: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(vcenter, host name) -> cluster name, from vHost."""
    return dict(
        zip(zip(hosts["vcenter"], hosts["host"], strict=True), hosts["cluster"], strict=True)
    )


def datastore_clusters(export: RVToolsExport) -> pd.DataFrame:
    """Which compute clusters see each datastore (through the hosts that mount it).

    Returns
    -------
    pandas.DataFrame
        Columns: ``datastore_id`` (vcenter + URL, or name when there is no URL),
        ``datastore``, ``cluster``, ``capacity_mib``, ``free_mib``, ``in_use_mib``,
        ``provisioned_mib``, ``type``. One row per (datastore, cluster); a datastore no
        clustered host mounts has cluster ''.
    """
    stores = export["vDatastore"]
    columns = [
        "datastore_id",
        "datastore",
        "cluster",
        "capacity_mib",
        "free_mib",
        "in_use_mib",
        "provisioned_mib",
        "type",
    ]
    if stores.empty:
        return pd.DataFrame(columns=columns)
    lookup = host_clusters(export.hosts)
    rows = []
    for store in stores.itertuples():
        ident = f"{store.vcenter}/{store.url or store.datastore}"
        mounted = {h.strip() for h in str(store.hosts).split(",") if h.strip()}
        clusters = sorted({lookup.get((store.vcenter, h), "") for h in mounted}) or [""]
        for cluster in clusters:
            rows.append(
                (
                    ident,
                    store.datastore,
                    cluster,
                    store.capacity_mib,
                    store.free_mib,
                    store.in_use_mib,
                    store.provisioned_mib,
                    store.type,
                )
            )
    return pd.DataFrame(rows, columns=columns)


def storage_seen_by(export: RVToolsExport, clusters: list[str] | None = None) -> dict[str, Any]:
    """Datastores mounted by hosts of these clusters (default: every datastore), each once
    even when several of the clusters share it.

    Returns
    -------
    dict
        ``datastores`` (count), ``datastore_capacity_mib``, ``datastore_free_mib``.
    """
    stores = datastore_clusters(export)
    if clusters is not None:
        stores = stores[stores["cluster"].isin(clusters)]
    unique = stores.drop_duplicates("datastore_id")
    return {
        "datastores": int(len(unique)),
        "datastore_capacity_mib": _number(unique["capacity_mib"].fillna(0).sum()),
        "datastore_free_mib": _number(unique["free_mib"].fillna(0).sum()),
    }


def cluster_capacity(export: RVToolsExport, clusters: list[str] | None = None) -> pd.DataFrame:
    """Supply against demand for each compute cluster.

    Parameters
    ----------
    clusters : list of str, optional
        Keep only these cluster names (default: all). VMs and hosts outside any cluster
        are grouped under the cluster name ''.

    Returns
    -------
    pandas.DataFrame
        One row per cluster, columns :data:`CLUSTER_COLUMNS`: supply (``hosts``,
        ``effective_hosts``, ``sockets``, ``cores``, ``threads``, ``cpu_mhz`` = cores x core
        MHz, ``memory_mib``), demand of non-template VMs (``vms``, ``vcpus``, ``vram_mib``,
        ``provisioned_mib``, ``in_use_mib``; ``_on`` = powered on only), ratios
        (``vcpu_per_core``, ``vram_per_ram``), N+1 (``n1_cores``, ``n1_memory_mib``: what
        is left after losing the largest host; ``n1_vcpu_per_core_on``;
        ``n1_memory_headroom_mib`` = n1 memory - powered-on vRAM, negative when the cluster
        cannot absorb a host failure), and shared storage (``datastores``,
        ``datastore_capacity_mib``, ``datastore_free_mib``: each datastore once per cluster).
    """
    supply = _supply(export.hosts, export.clusters)
    demand = _demand(export.vms)
    frame = supply.join(demand, how="outer")
    known = set(frame.index)
    if len(export.clusters):
        known |= set(export.clusters["cluster"])
    frame = frame.reindex(sorted(known))
    stores = datastore_clusters(export).drop_duplicates(["datastore_id", "cluster"])
    storage = stores.groupby("cluster").agg(
        datastores=("datastore_id", "nunique"),
        datastore_capacity_mib=("capacity_mib", "sum"),
        datastore_free_mib=("free_mib", "sum"),
    )
    frame = frame.join(storage, how="left")
    counts = [
        "hosts",
        "sockets",
        "cores",
        "threads",
        "vms",
        "vms_on",
        "templates",
        "vcpus",
        "vcpus_on",
        "datastores",
        "largest_host_cores",
    ]
    for column in CLUSTER_COLUMNS[1:]:
        if column not in frame:
            frame[column] = np.nan
    for column in counts:
        frame[column] = frame[column].fillna(0).astype("int64")
    for column in (
        "cpu_mhz",
        "memory_mib",
        "vram_mib",
        "vram_on_mib",
        "provisioned_mib",
        "provisioned_on_mib",
        "in_use_mib",
        "in_use_on_mib",
        "largest_host_memory_mib",
        "datastore_capacity_mib",
        "datastore_free_mib",
    ):
        frame[column] = frame[column].astype("float64").fillna(0.0)
    frame["vcenter"] = frame["vcenter"].map(_str)
    frame["effective_hosts"] = frame["effective_hosts"].astype("Float64").fillna(0).astype("int64")
    cores = frame["cores"].replace(0, np.nan)
    ram = frame["memory_mib"].replace(0, np.nan)
    frame["vcpu_per_core"] = frame["vcpus"] / cores
    frame["vcpu_per_core_on"] = frame["vcpus_on"] / cores
    frame["vram_per_ram"] = frame["vram_mib"] / ram
    frame["vram_per_ram_on"] = frame["vram_on_mib"] / ram
    frame["n1_cores"] = (frame["cores"] - frame["largest_host_cores"]).clip(lower=0)
    frame["n1_memory_mib"] = (frame["memory_mib"] - frame["largest_host_memory_mib"]).clip(lower=0)
    frame["n1_vcpu_per_core_on"] = frame["vcpus_on"] / frame["n1_cores"].replace(0, np.nan)
    frame["n1_memory_headroom_mib"] = frame["n1_memory_mib"] - frame["vram_on_mib"]
    frame = frame.rename_axis("cluster").reset_index()[CLUSTER_COLUMNS]
    if clusters is not None:
        unknown = sorted(set(clusters) - set(frame["cluster"]))
        if unknown:
            raise InvalidInputError(
                f"No cluster named {', '.join(map(repr, unknown))} in this export."
            )
        frame = frame[frame["cluster"].isin(clusters)].reset_index(drop=True)
    return frame


def inventory_totals(export: RVToolsExport) -> dict[str, Any]:
    """The headline counts of an export (what ``workbench rvtools inspect`` prints).

    VM figures count vInfo rows that are not templates, any power state; ``powered_on``
    counts those powered on. Host figures count vHost rows. ``clusters`` counts distinct
    non-empty cluster names in vCluster and vHost.

    Returns
    -------
    dict
        ``rvtools_version``, ``vcenters``, ``vms``, ``templates``, ``powered_on``,
        ``vcpus``, ``memory_mib``, ``provisioned_mib``, ``in_use_mib``, ``hosts``,
        ``host_cores``, ``host_memory_mib``, ``clusters``, ``per_cluster`` ({cluster: {vms,
        powered_on, templates, vcpus, memory_mib, provisioned_mib, in_use_mib, hosts,
        host_cores, host_memory_mib}}; '' holds VMs and hosts outside any cluster).
    """
    vms = export.vms
    hosts = export.hosts
    live = ~vms["is_template"].to_numpy()
    # One frame of per-row figures, summed by cluster once (grouping beats a mask per cluster).
    rows = pd.DataFrame(
        {
            "cluster": pd.concat([vms["cluster"], hosts["cluster"]], ignore_index=True),
            "vms": np.concatenate([live, np.zeros(len(hosts), bool)]).astype("int64"),
            "powered_on": np.concatenate(
                [live & vms["is_powered_on"].to_numpy(), np.zeros(len(hosts), bool)]
            ).astype("int64"),
            "templates": np.concatenate([~live, np.zeros(len(hosts), bool)]).astype("int64"),
            **{
                column: np.concatenate(
                    [
                        np.where(live, vms[column].fillna(0).to_numpy("float64"), 0.0),
                        np.zeros(len(hosts)),
                    ]
                )
                for column in ("vcpus", "memory_mib", "provisioned_mib", "in_use_mib")
            },
            "hosts": np.concatenate([np.zeros(len(vms), "int64"), np.ones(len(hosts), "int64")]),
            "host_cores": np.concatenate(
                [np.zeros(len(vms)), hosts["cpu_cores"].fillna(0).to_numpy("float64")]
            ),
            "host_memory_mib": np.concatenate(
                [np.zeros(len(vms)), hosts["memory_mib"].fillna(0).to_numpy("float64")]
            ),
        }
    )
    names = sorted((set(export.clusters["cluster"]) | set(hosts["cluster"])) - {""})
    sums = (
        rows.groupby("cluster", sort=True)
        .sum()
        .reindex(sorted(set(names) | set(rows["cluster"])), fill_value=0)
    )
    per_cluster = {name: _figures(values) for name, values in sums.iterrows()}
    total = _figures(rows.drop(columns="cluster").sum())
    return {
        "rvtools_version": export.meta["rvtools_version"],
        "vcenters": list(export.meta["vcenters"]),
        "vms": total["vms"],
        "templates": total["templates"],
        "powered_on": total["powered_on"],
        "vcpus": total["vcpus"],
        "memory_mib": total["memory_mib"],
        "provisioned_mib": total["provisioned_mib"],
        "in_use_mib": total["in_use_mib"],
        "hosts": total["hosts"],
        "host_cores": total["host_cores"],
        "host_memory_mib": total["host_memory_mib"],
        "clusters": len(names),
        "per_cluster": per_cluster,
    }


_COUNTS = ("vms", "powered_on", "templates", "vcpus", "hosts", "host_cores")
_SIZES = ("memory_mib", "provisioned_mib", "in_use_mib", "host_memory_mib")


def _figures(values: pd.Series) -> dict[str, Any]:
    """One cluster's (or the whole export's) summed figures as plain numbers."""
    figures = {k: int(values[k]) for k in _COUNTS}
    figures.update({k: _number(values[k]) for k in _SIZES})
    return {
        k: figures[k]
        for k in (
            "vms",
            "powered_on",
            "vcpus",
            "memory_mib",
            "provisioned_mib",
            "in_use_mib",
            "templates",
            "hosts",
            "host_cores",
            "host_memory_mib",
        )
    }


def _number(value: float) -> int | float:
    """Whole MiB as int (RVTools sizes are whole MiB), otherwise the float."""
    value = float(value)
    return int(value) if value.is_integer() else round(value, 3)


def environment_summary(export: RVToolsExport) -> dict[str, Any]:
    """The environment at a glance, JSON-ready.

    Returns
    -------
    dict
        Everything in :func:`inventory_totals` except ``per_cluster``, plus:
        ``export_time`` (ISO text or None), ``powered_off``, ``suspended``, ``vcls``,
        ``srm_placeholders``, ``orphaned``, ``inaccessible`` (VM counts),
        ``vcpus_on``, ``memory_on_mib``, ``host_sockets``, ``host_threads``,
        ``host_cpu_mhz``, ``datastores``, ``datastore_capacity_mib``,
        ``datastore_free_mib`` (each datastore once), ``vcpu_per_core``,
        ``vram_per_ram``, ``esxi_versions`` ({version: hosts}), ``guest_os`` (top 15
        {os: vms}), ``cluster_names``.
    """
    totals = inventory_totals(export)
    vms = export.vms[
        [
            *_VM_FIGURES,
            "is_powered_off",
            "is_suspended",
            "is_vcls",
            "is_srm_placeholder",
            "is_orphaned",
            "is_inaccessible",
            "os_tools",
            "os_config",
        ]
    ]
    live = vms[~vms["is_template"]]
    on = live[live["is_powered_on"]]
    hosts = export.hosts
    supply = host_supply(hosts)
    os_column = live["os_tools"].where(live["os_tools"] != "", live["os_config"])
    summary = {k: v for k, v in totals.items() if k != "per_cluster"}
    summary.update(
        export_time=export.meta["export_time"].isoformat() if export.meta["export_time"] else None,
        powered_off=int(live["is_powered_off"].sum()),
        suspended=int(live["is_suspended"].sum()),
        vcls=int(vms["is_vcls"].sum()),
        srm_placeholders=int(vms["is_srm_placeholder"].sum()),
        orphaned=int(vms["is_orphaned"].sum()),
        inaccessible=int(vms["is_inaccessible"].sum()),
        vcpus_on=int(on["vcpus"].fillna(0).sum()),
        memory_on_mib=_number(on["memory_mib"].fillna(0).sum()),
        host_sockets=int(supply["sockets"].sum()),
        host_threads=int(supply["threads"].sum()),
        host_cpu_mhz=_number(supply["cpu_mhz"].sum()),
        **storage_seen_by(export),
        vcpu_per_core=round(totals["vcpus"] / totals["host_cores"], 3)
        if totals["host_cores"]
        else None,
        vram_per_ram=round(totals["memory_mib"] / totals["host_memory_mib"], 3)
        if totals["host_memory_mib"]
        else None,
        esxi_versions={
            k: int(v) for k, v in hosts["esx_version"].replace("", "unknown").value_counts().items()
        },
        guest_os={
            k: int(v) for k, v in os_column.replace("", "unknown").value_counts().head(15).items()
        },
        cluster_names=sorted(totals["per_cluster"]),
    )
    return summary
