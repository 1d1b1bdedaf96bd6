"""The virtual network of a VMware environment from an RVTools export: hosts, switches, port
groups and VLANs, as a consultant draws them.

Pure functions over the canonical tables of :mod:`workbench.io.rvtools` (vHost, vSwitch,
vPort, dvSwitch, dvPort, vNetwork; an optional vNIC table gives the uplinks of standard
switches). Any of them may be missing or empty, as in old or trimmed exports: what could not
be known is said in :attr:`NetworkTopology.warnings`, never raised.

Standard vSwitches are per host in RVTools; the same vSwitch (same name, same port groups
with the same VLANs) on several hosts of a cluster is one switch here, with ``hosts``
counting them. Hosts whose copy differs make a second switch of that name, and a warning.
Hosts outside any cluster keep their own switches. Hosts are known by name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench.errors import InvalidInputError
from workbench.formatting import NO_CLUSTER, is_missing, natural_key

STANDARD = "standard"
DISTRIBUTED = "distributed"
SHEETS = ("vHost", "vSwitch", "vPort", "dvSwitch", "dvPort", "vNetwork")
"""The sheets :func:`network_topology` reads (``vNIC`` too, when given)."""

HOST_COLUMNS = ["cluster", "host"]
SWITCH_COLUMNS = ["switch_id", "kind", "name", "cluster", "hosts", "uplinks", "mtu"]
PORT_GROUP_COLUMNS = ["switch_id", "name", "vlan", "vlan_id", "vms"]
HOST_LINK_COLUMNS = ["host", "switch_id"]
TABLE_COLUMNS = ["Switch", "Type", "Port group", "VLAN", "VMs", "Hosts"]
TRUNK_ALL = "trunk 0-4094"
"""How VLAN 4095 on a standard port group (every VLAN passed to the guest) reads."""

# Columns without which a sheet's rows say nothing about the network.
_REQUIRED = {
    "vHost": ("host",),
    "vSwitch": ("host", "switch"),
    "vPort": ("host", "switch", "port_group"),
    "dvSwitch": ("switch",),
    "dvPort": ("switch", "port"),
    "vNetwork": ("network",),
    "vNIC": ("host", "switch", "network_device"),
}
# The reader keeps columns it has no canonical name for under their RVTools header.
_ALIASES = {
    "Host": "host",
    "Cluster": "cluster",
    "Switch": "switch",
    "Network Device": "network_device",
    "Active Uplink": "active_uplink",
    "Standby Uplink": "standby_uplink",
}
# The port group a distributed switch keeps for its own uplinks ("<switch>-DVUplinks-42",
# "dvUplink_x"): not a network a VM joins, so it is not drawn as one.
_UPLINK_PORT_GROUP = re.compile(r"dv-?uplinks?", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:\.0+)?")
_VLAN_LIST = re.compile(r"\d+(?:\s*-\s*\d+)?(?:\s*,\s*\d+(?:\s*-\s*\d+)?)*")


@dataclass(frozen=True)
class NetworkTopology:
    """The virtual network of an export (or of some of its clusters).

    Attributes
    ----------
    hosts : pandas.DataFrame
        One row per ESXi host: ``cluster`` (str, '' outside any cluster), ``host`` (str).
    switches : pandas.DataFrame
        One row per switch as drawn: ``switch_id`` (str, unique), ``kind`` ('standard' |
        'distributed'), ``name`` (str), ``cluster`` (str: the cluster of a standard switch,
        '' on a host outside any cluster; for a distributed switch the clusters of its
        hosts, comma-joined, '' when unknown), ``hosts`` (int, hosts carrying it),
        ``uplinks`` (str, physical NICs or uplink names, comma-joined in natural order, ''
        when unknown), ``mtu`` (Int64, bytes; the largest when hosts differ).
    port_groups : pandas.DataFrame
        One row per port group of a switch: ``switch_id``, ``name``, ``vlan`` (str as shown:
        ``'0'``, ``'120'``, ``'trunk 0-4094'``, '' when unknown), ``vlan_id`` (Int64, NA for
        trunks and unknown), ``vms`` (int, VM network adapters attached, templates and
        powered-off VMs included).
    host_links : pandas.DataFrame
        Which host carries which switch: ``host``, ``switch_id``.
    warnings : tuple of str
        What could not be known or looked odd, in plain sentences.
    """

    hosts: pd.DataFrame
    switches: pd.DataFrame
    port_groups: pd.DataFrame
    host_links: pd.DataFrame
    warnings: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------- helpers


def _natural_key(text: str) -> tuple[tuple[Any, ...], str]:
    """Natural order (``esx2`` before ``esx10``), ties broken by the text itself."""
    return natural_key(text), text


def _texts(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return [""] * len(frame)
    return ["" if is_missing(v) else str(v).strip() for v in frame[column].tolist()]


def _whole(value: Any) -> int | None:
    if is_missing(value):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number == number and number.is_integer() else None


def _ints(frame: pd.DataFrame, column: str) -> list[int | None]:
    if column not in frame.columns:
        return [None] * len(frame)
    return [_whole(v) for v in frame[column].tolist()]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _some(names: Iterable[str], shown: int = 5) -> str:
    """A few names in natural order, and how many more there are."""
    ordered = sorted(set(names), key=_natural_key)
    more = len(ordered) - shown
    return ", ".join(ordered[:shown]) + (f" and {more} more" if more > 0 else "")


def _joined(names: Iterable[str]) -> str:
    return ", ".join(sorted(set(names), key=_natural_key))


def vlan_label(text: str, kind: str = STANDARD) -> tuple[str, int | None]:
    """How an RVTools VLAN cell reads in a document, and its VLAN ID.

    Parameters
    ----------
    text : str
        The VLAN cell of vPort or dvPort: ``'120'``, ``'120.0'`` (Excel), ``'4095'``,
        ``'0-4094'``, ``'100-200, 300'``, ''.
    kind : {'standard', 'distributed'}
        The switch's kind: 4095 means "every VLAN, tagged by the guest" only on a standard
        port group.

    Returns
    -------
    tuple of (str, int or None)
        The text shown and the VLAN ID (0-4094): ``('120', 120)``; ``('trunk 0-4094', None)``
        for 4095 on a standard port group; ``('trunk 100-200,300', None)`` for ranges and
        lists; ``('', None)`` for an empty cell; anything else as written, without an ID.
    """
    text = str(text).strip()
    if _NUMBER.fullmatch(text):
        number = int(float(text))
        if number == 4095 and kind == STANDARD:
            return TRUNK_ALL, None
        if 0 <= number <= 4094:
            return str(number), number
        return str(number), None
    if _VLAN_LIST.fullmatch(text):
        items = [re.sub(r"\s+", "", item) for item in text.split(",")]
        return "trunk " + ",".join(items), None
    return text, None


class _Sheet:
    """One input table with the state :func:`network_topology` reports on."""

    def __init__(self, tables: Mapping[str, Any], name: str):
        self.name = name
        self.absent = name not in tables
        frame = tables.get(name)
        if frame is None:
            frame = pd.DataFrame()
        if not isinstance(frame, pd.DataFrame):
            raise InvalidInputError(
                f"The {name} table must be a pandas DataFrame, not {type(frame).__name__}."
            )
        renames = {k: v for k, v in _ALIASES.items() if k in frame.columns and v not in frame}
        self.frame = frame.rename(columns=renames) if renames else frame
        self.lacking = [c for c in _REQUIRED[name] if c not in self.frame.columns]
        self.rows = 0 if self.lacking else len(self.frame)

    def texts(self, column: str) -> list[str]:
        return _texts(self.frame, column) if self.rows else []

    def ints(self, column: str) -> list[int | None]:
        return _ints(self.frame, column) if self.rows else []

    def why_not(self) -> str:
        if self.absent:
            return f"the {self.name} sheet is not in the export"
        if self.lacking and len(self.frame):
            return f"the {self.name} sheet lacks {', '.join(self.lacking)}"
        return f"the {self.name} sheet is empty"


def _cluster_filter(clusters: Any) -> set[str] | None:
    if clusters is None:
        return None
    if isinstance(clusters, str) or not isinstance(clusters, Iterable):
        raise InvalidInputError("clusters must be a list of cluster names.")
    wanted = set()
    for name in clusters:
        if not isinstance(name, str):
            raise InvalidInputError(f"A cluster name must be text, not {name!r}.")
        # Hosts outside any cluster are named "(no cluster)" wherever people pick clusters.
        wanted.add("" if name.strip() == NO_CLUSTER else name.strip())
    return wanted


# --------------------------------------------------------------------------------- topology


def network_topology(
    tables: Mapping[str, pd.DataFrame], clusters: list[str] | None = None
) -> NetworkTopology:
    """The hosts, switches, port groups and VLANs of an export.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables as read by :func:`workbench.io.rvtools.read_rvtools` or
        ``ws.rvtools.tables(import_id, sheets=[...])``: vHost, vSwitch, vPort, dvSwitch,
        dvPort, vNetwork, any of them missing or empty. An optional ``vNIC`` table
        (``host``, ``switch``, ``network_device``, or RVTools' own headers) gives the
        physical NICs of standard switches.
    clusters : list of str, optional
        Only the hosts of these clusters (``''`` or ``'(no cluster)'`` for hosts outside any
        cluster), their standard switches, and the distributed switches that any of them
        carries or whose hosts are unknown. Default: everything.

    Returns
    -------
    NetworkTopology
        Frames ``hosts``, ``switches``, ``port_groups``, ``host_links`` (columns listed on
        :class:`NetworkTopology`), sorted in natural order, and ``warnings``.

    Raises
    ------
    InvalidInputError
        ``tables`` is not a mapping of DataFrames, or a cluster asked for is not in it.
    """
    if not isinstance(tables, Mapping):
        raise InvalidInputError("tables must be a dict of sheet name to DataFrame.")
    wanted = _cluster_filter(clusters)
    sheets = {name: _Sheet(tables, name) for name in (*SHEETS, "vNIC")}
    warnings: list[str] = _sheet_warnings(sheets)

    host_cluster = _host_clusters(sheets)
    if wanted is not None:
        known = set(host_cluster.values())
        if host_cluster and wanted - known:
            missing = ", ".join(sorted(wanted - known, key=_natural_key))
            have = ", ".join(sorted((c or NO_CLUSTER for c in known), key=_natural_key))
            raise InvalidInputError(f"No cluster {missing} in this export (it has: {have}).")
        if not host_cluster:
            warnings.append(
                "The cluster filter could not be applied: no host is known, so every "
                "distributed switch is shown."
            )
    kept = {h for h, c in host_cluster.items() if wanted is None or c in wanted}

    builder = _Builder(host_cluster, kept, warnings)
    builder.standard(sheets["vSwitch"], sheets["vPort"], sheets["vNIC"])
    builder.distributed(sheets["dvSwitch"], sheets["dvPort"], sheets["vNIC"])
    builder.count_vms(sheets["vNetwork"], wanted)
    return builder.topology()


def _sheet_warnings(sheets: dict[str, _Sheet]) -> list[str]:
    warnings = []
    for sheet in sheets.values():
        if sheet.lacking and len(sheet.frame):
            warnings.append(
                f"The {sheet.name} sheet lacks {', '.join(sheet.lacking)}; its rows are not used."
            )
    network = ("vSwitch", "vPort", "dvSwitch", "dvPort")
    if not any(sheets[name].rows for name in network):
        warnings.append(
            "No switch or port group is known: the vSwitch, vPort, dvSwitch and dvPort sheets "
            "are missing or empty (an old or trimmed RVTools export)."
        )
    else:
        vswitch, vport, dvswitch, dvport = (sheets[name] for name in network)
        if not vswitch.rows and not vport.rows:
            warnings.append(
                f"Standard vSwitches are unknown: {vswitch.why_not()} and {vport.why_not()}."
            )
        elif not vswitch.rows:
            warnings.append(f"MTUs of standard vSwitches are unknown: {vswitch.why_not()}.")
        elif not vport.rows:
            warnings.append(f"Port groups of standard vSwitches are unknown: {vport.why_not()}.")
        # An empty dvSwitch sheet is the normal answer for an environment without
        # distributed switches; only its absence, or port groups without it, is news.
        if not dvswitch.rows and (dvswitch.absent or dvport.rows):
            warnings.append(
                f"Distributed switches are known only from their port groups: "
                f"{dvswitch.why_not()}, so their hosts are unknown."
                if dvport.rows
                else f"Distributed switches are unknown: {dvswitch.why_not()}."
            )
        if dvswitch.rows and not dvport.rows:
            warnings.append(f"Port groups of distributed switches are unknown: {dvport.why_not()}.")
    if not sheets["vHost"].rows:
        warnings.append(
            f"Hosts are taken from the switch sheets only: {sheets['vHost'].why_not()}."
        )
    if not sheets["vNetwork"].rows:
        warnings.append(
            f"VM counts per port group are unknown (shown as 0): {sheets['vNetwork'].why_not()}."
        )
    return warnings


def _host_clusters(sheets: dict[str, _Sheet]) -> dict[str, str]:
    """Host name -> cluster: vHost first, then the per-host switch sheets."""
    found: dict[str, str] = {}
    for name in ("vHost", "vSwitch", "vPort"):
        sheet = sheets[name]
        for host, cluster in zip(sheet.texts("host"), sheet.texts("cluster"), strict=True):
            if host and host not in found:
                found[host] = cluster
    return found


class _Builder:
    """Collects switches, port groups and links, then sorts them into frames."""

    def __init__(self, host_cluster: dict[str, str], kept: set[str], warnings: list[str]):
        self.host_cluster = host_cluster
        self.kept = kept
        self.warnings = warnings
        self.switches: dict[str, dict[str, Any]] = {}
        self.port_groups: dict[tuple[str, str], dict[str, Any]] = {}
        self.links: set[tuple[str, str]] = set()
        # Look-ups for placing VM NICs on port groups.
        self.standard_on_host: dict[tuple[str, str], str] = {}
        self.distributed_by_key: dict[tuple[str, str], str] = {}
        self.distributed_by_name: dict[str, list[str]] = {}

    def _add_switch(self, record: dict[str, Any]) -> str:
        switch_id, number = record["switch_id"], 2
        while switch_id in self.switches:
            switch_id, number = f"{record['switch_id']} #{number}", number + 1
        record["switch_id"] = switch_id
        self.switches[switch_id] = record
        return switch_id

    def _add_port_group(self, switch_id: str, name: str, vlan: str, kind: str) -> None:
        shown, vlan_id = vlan_label(vlan, kind)
        self.port_groups.setdefault(
            (switch_id, name),
            {"switch_id": switch_id, "name": name, "vlan": shown, "vlan_id": vlan_id, "vms": 0},
        )

    # -- standard vSwitches: one per host in RVTools, collapsed per cluster ----------------

    def standard(self, vswitch: _Sheet, vport: _Sheet, vnic: _Sheet) -> None:
        mtus: dict[tuple[str, str], set[int]] = {}
        groups: dict[tuple[str, str], dict[str, str]] = {}
        for host, switch, mtu in zip(
            vswitch.texts("host"), vswitch.texts("switch"), vswitch.ints("mtu"), strict=True
        ):
            if host in self.kept and switch:
                mtus.setdefault((host, switch), set()).update([mtu] if mtu else [])
                groups.setdefault((host, switch), {})
        for host, switch, group, vlan in zip(
            vport.texts("host"),
            vport.texts("switch"),
            vport.texts("port_group"),
            vport.texts("vlan"),
            strict=True,
        ):
            if host in self.kept and switch and group:
                groups.setdefault((host, switch), {})[group] = vlan
                mtus.setdefault((host, switch), set())
        nics: dict[tuple[str, str], set[str]] = {}
        for host, switch, device in zip(
            vnic.texts("host"), vnic.texts("switch"), vnic.texts("network_device"), strict=True
        ):
            if switch and device:
                nics.setdefault((host, switch), set()).add(device)
        if groups and not vnic.rows:
            self.warnings.append(
                "Uplinks of standard vSwitches are not shown: they come from the vNIC "
                "sheet, which was not given."
            )

        # Same name and same port groups (with their VLANs) within a cluster: one switch.
        # Hosts outside any cluster each keep their own.
        variants: dict[tuple[str, str], dict[tuple, list[str]]] = {}
        for (host, switch), port_groups in groups.items():
            cluster = self.host_cluster.get(host, "")
            scope = cluster if cluster else f"host {host}"
            signature = tuple(sorted(port_groups.items()))
            variants.setdefault((scope, switch), {}).setdefault(signature, []).append(host)

        for (scope, switch), found in variants.items():
            ordered = sorted(
                found.items(),
                key=lambda item: (-len(item[1]), _natural_key(min(item[1], key=_natural_key))),
            )
            cluster = self.host_cluster.get(ordered[0][1][0], "")
            if len(ordered) > 1:
                counts = " + ".join(str(len(hosts)) for _, hosts in ordered)
                self.warnings.append(
                    f"{switch} has different port groups or VLANs on the hosts of cluster "
                    f"{cluster}: shown as {len(ordered)} switches ({counts} hosts)."
                )
            for signature, hosts in ordered:
                values = set().union(*(mtus[(host, switch)] for host in hosts))
                if len(values) > 1:
                    self.warnings.append(
                        f"{switch} in {cluster or scope} has different MTUs on its hosts "
                        f"({', '.join(map(str, sorted(values)))}): the largest is shown."
                    )
                switch_id = self._add_switch(
                    {
                        "switch_id": f"vss:{scope}/{switch}",
                        "kind": STANDARD,
                        "name": switch,
                        "cluster": cluster,
                        "hosts": len(hosts),
                        "uplinks": _joined(
                            d for host in hosts for d in nics.get((host, switch), ())
                        ),
                        "mtu": max(values) if values else None,
                    }
                )
                for host in hosts:
                    self.links.add((host, switch_id))
                    self.standard_on_host[(host, switch)] = switch_id
                for group, vlan in signature:
                    self._add_port_group(switch_id, group, vlan, STANDARD)

    # -- distributed switches: one per vCenter and name ---------------------------------

    def distributed(self, dvswitch: _Sheet, dvport: _Sheet, vnic: _Sheet) -> None:
        vcenter = "vcenter" if "vcenter" in dvswitch.frame else "vi_sdk_server"
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for center, name, members, mtu in zip(
            dvswitch.texts(vcenter),
            dvswitch.texts("switch"),
            dvswitch.texts("host_members"),
            dvswitch.ints("max_mtu"),
            strict=True,
        ):
            if name and (center, name) not in found:
                found[(center, name)] = {"members": _split(members), "mtu": mtu, "ports": []}
        by_name: dict[str, list[tuple[str, str]]] = {}
        for key in found:
            by_name.setdefault(key[1], []).append(key)

        vcenter = "vcenter" if "vcenter" in dvport.frame else "vi_sdk_server"
        orphans: set[str] = set()
        for center, name, port, vlan, active, standby in zip(
            dvport.texts(vcenter),
            dvport.texts("switch"),
            dvport.texts("port"),
            dvport.texts("vlan"),
            dvport.texts("active_uplink"),
            dvport.texts("standby_uplink"),
            strict=True,
        ):
            if not (name and port):
                continue
            key = (center, name)
            if key not in found:
                if len(by_name.get(name, [])) == 1:
                    key = by_name[name][0]
                else:
                    found[key] = {"members": [], "mtu": None, "ports": []}
                    by_name.setdefault(name, []).append(key)
                    orphans.add(name)
            found[key]["ports"].append((port, vlan, _split(active) + _split(standby)))
        # Without any dvSwitch row the sheet warning already says the hosts are unknown.
        if orphans and dvswitch.rows:
            self.warnings.append(
                f"Distributed switch(es) {_joined(orphans)} appear in dvPort but not in "
                "dvSwitch: their hosts are unknown."
            )

        nics: dict[str, set[tuple[str, str]]] = {}
        for host, switch, device in zip(
            vnic.texts("host"), vnic.texts("switch"), vnic.texts("network_device"), strict=True
        ):
            if switch and device:
                nics.setdefault(switch, set()).add((host, device))

        strangers: set[str] = set()
        hosts_known = bool(self.host_cluster)
        for (center, name), switch in found.items():
            members = switch["members"]
            if hosts_known:
                strangers |= {m for m in members if m not in self.host_cluster}
                hosts = sorted({m for m in members if m in self.kept}, key=_natural_key)
            else:
                hosts = sorted(set(members), key=_natural_key)
            # Kept when one of its hosts remains, or when nobody knows its hosts.
            if members and not hosts:
                continue
            uplinks = {u for _, _, names in switch["ports"] for u in names}
            if not uplinks:
                uplinks = {d for h, d in nics.get(name, ()) if h in hosts}
            clusters = {self.host_cluster.get(h, "") for h in hosts} - {""}
            switch_id = f"dvs:{center}/{name}" if len(by_name[name]) > 1 else f"dvs:{name}"
            switch_id = self._add_switch(
                {
                    "switch_id": switch_id,
                    "kind": DISTRIBUTED,
                    "name": name,
                    "cluster": _joined(clusters),
                    "hosts": len(hosts),
                    "uplinks": _joined(uplinks),
                    "mtu": switch["mtu"],
                }
            )
            self.distributed_by_key[(center, name)] = switch_id
            self.distributed_by_name.setdefault(name, []).append(switch_id)
            for host in hosts:
                self.links.add((host, switch_id))
                if not hosts_known:
                    # Nothing else names the hosts: the switch's member list does.
                    self.host_cluster[host] = ""
                    self.kept.add(host)
            for port, vlan, _ in switch["ports"]:
                if not _UPLINK_PORT_GROUP.search(port):
                    self._add_port_group(switch_id, port, vlan, DISTRIBUTED)
        if strangers:
            self.warnings.append(
                f"{len(strangers)} host(s) listed as members of distributed switches are not "
                f"in vHost ({_some(strangers)}); they are left out."
            )

    # -- VM network adapters per port group ---------------------------------------------

    def count_vms(self, vnetwork: _Sheet, wanted: set[str] | None) -> None:
        on_host: dict[str, set[str]] = {}
        for host, switch_id in self.links:
            on_host.setdefault(host, set()).add(switch_id)
        by_name: dict[str, set[str]] = {}
        for switch_id, group in self.port_groups:
            by_name.setdefault(group, set()).add(switch_id)
        vcenter = "vcenter" if "vcenter" in vnetwork.frame else "vi_sdk_server"
        unplaced: dict[str, int] = {}
        for host, cluster, center, switch, network in zip(
            vnetwork.texts("host"),
            vnetwork.texts("cluster"),
            vnetwork.texts(vcenter),
            vnetwork.texts("switch"),
            vnetwork.texts("network"),
            strict=True,
        ):
            if not network:
                continue  # an adapter attached to nothing
            if wanted is not None and host not in self.kept and (host or cluster not in wanted):
                continue
            switch_id = self._place(host, center, switch, network, on_host, by_name)
            if switch_id is None:
                unplaced[network] = unplaced.get(network, 0) + 1
            else:
                self.port_groups[(switch_id, network)]["vms"] += 1
        if unplaced and self.port_groups:
            self.warnings.append(
                f"{sum(unplaced.values())} VM network adapter(s) name a network that no switch "
                f"of their host carries ({_some(unplaced)}); they are not counted."
            )

    def _place(
        self,
        host: str,
        center: str,
        switch: str,
        network: str,
        on_host: dict[str, set[str]],
        by_name: dict[str, set[str]],
    ) -> str | None:
        """The switch whose port group ``network`` the adapter is on, or None."""
        standard = self.standard_on_host.get((host, switch))
        if standard and (standard, network) in self.port_groups:
            return standard
        key = (center, switch)
        candidates = (
            [self.distributed_by_key[key]]
            if key in self.distributed_by_key
            else self.distributed_by_name.get(switch, [])
        )
        hits = [c for c in candidates if (c, network) in self.port_groups]
        if len(hits) == 1:
            return hits[0]
        # Templates and disconnected adapters often name no switch: the network's name
        # decides when one switch of the host (or of the whole export) has it.
        for pool in (on_host.get(host, set()), by_name.get(network, set())):
            hits = [c for c in pool if (c, network) in self.port_groups]
            if len(hits) == 1:
                return hits[0]
        return None

    # -- frames ------------------------------------------------------------------------

    def topology(self) -> NetworkTopology:
        host_rows = sorted(
            ((self.host_cluster[h], h) for h in self.kept),
            key=lambda r: (r[0] == "", _natural_key(r[0]), _natural_key(r[1])),
        )
        order = sorted(
            self.switches.values(),
            key=lambda s: (
                s["cluster"] == "",
                _natural_key(s["cluster"]),
                s["kind"] != STANDARD,
                _natural_key(s["name"]),
                _natural_key(s["switch_id"]),
            ),
        )
        rank = {s["switch_id"]: i for i, s in enumerate(order)}
        groups = sorted(
            self.port_groups.values(),
            key=lambda g: (rank[g["switch_id"]], _natural_key(g["name"])),
        )
        host_rank = {h: i for i, (_, h) in enumerate(host_rows)}
        links = sorted(self.links, key=lambda link: (host_rank.get(link[0], -1), rank[link[1]]))
        return NetworkTopology(
            hosts=_frame(host_rows, HOST_COLUMNS, {}),
            switches=_frame(
                [tuple(s[c] for c in SWITCH_COLUMNS) for s in order],
                SWITCH_COLUMNS,
                {"hosts": "int64", "mtu": "Int64"},
            ),
            port_groups=_frame(
                [tuple(g[c] for c in PORT_GROUP_COLUMNS) for g in groups],
                PORT_GROUP_COLUMNS,
                {"vlan_id": "Int64", "vms": "int64"},
            ),
            host_links=_frame(links, HOST_LINK_COLUMNS, {}),
            warnings=tuple(self.warnings),
        )


def _frame(rows: list[tuple], columns: list[str], dtypes: dict[str, str]) -> pd.DataFrame:
    data = {c: [row[i] for row in rows] for i, c in enumerate(columns)}
    frame = pd.DataFrame({c: pd.Series(v, dtype=dtypes.get(c, object)) for c, v in data.items()})
    return frame.reset_index(drop=True)


# ---------------------------------------------------------------------------------- tables


def port_group_table(topology: NetworkTopology) -> pd.DataFrame:
    """The port groups of a topology as a document table.

    Returns
    -------
    pandas.DataFrame
        Columns: ``Switch`` (str: a distributed switch's name; a standard switch's name with
        its cluster, or its host outside any cluster, in brackets), ``Type`` ('Standard' |
        'Distributed'), ``Port group`` (str), ``VLAN`` (str as shown), ``VMs`` (int, VM
        network adapters attached), ``Hosts`` (int, hosts carrying the switch). Sorted by
        switch, then port group, in natural order.

    Raises
    ------
    InvalidInputError
        ``topology`` is not a :class:`NetworkTopology`.
    """
    if not isinstance(topology, NetworkTopology):
        raise InvalidInputError("port_group_table needs a NetworkTopology (network_topology()).")
    hosts_of: dict[str, list[str]] = {}
    for host, switch_id in zip(
        topology.host_links["host"], topology.host_links["switch_id"], strict=True
    ):
        hosts_of.setdefault(switch_id, []).append(host)
    switches = {}
    for position, row in enumerate(topology.switches.itertuples(index=False)):
        if row.kind == STANDARD:
            scope = row.cluster or ", ".join(hosts_of.get(row.switch_id, []))
            label = f"{row.name} ({scope})" if scope else row.name
        else:
            label = row.name
        switches[row.switch_id] = (label, row.kind.capitalize(), int(row.hosts), position)
    rows = []
    for group in topology.port_groups.itertuples(index=False):
        label, kind, hosts, position = switches[group.switch_id]
        rows.append(
            (
                (_natural_key(label), position, _natural_key(group.name)),
                (label, kind, group.name, group.vlan, int(group.vms), hosts),
            )
        )
    rows.sort(key=lambda r: r[0])
    return _frame([r[1] for r in rows], TABLE_COLUMNS, {"VMs": "int64", "Hosts": "int64"})
