"""The network topology (workbench/network.py) and its diagram (workbench/io/diagrams.py): small
hand-built tables with exact answers, the real exports against their raw cells, and the
drawing's bytes (valid, identical on every render, bounded for big exports)."""

from __future__ import annotations

import ast
import hashlib
import io
import os
import struct
import subprocess
import sys
import threading
import time
from functools import cache
from pathlib import Path

import defusedxml.ElementTree as SafeET
import matplotlib
import pandas as pd
import pytest
from PIL import Image
from python_calamine import CalamineWorkbook

from tests.conftest import REPO, SHARED_DATA, require
from workbench import network
from workbench.errors import InvalidInputError
from workbench.io import diagrams
from workbench.io.diagrams import render_network_diagram
from workbench.io.rvtools import read_rvtools
from workbench.network import NetworkTopology, network_topology, port_group_table, vlan_label

RVTOOLS = SHARED_DATA / "rvtools"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------------------ small tables


def frame(columns: str, *rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns.split())


def small_tables() -> dict[str, pd.DataFrame]:
    """Cluster C1: esx1..esx3 share vSwitch0 (esx3 has an extra port group), esx1 and esx2
    carry vSwitch1; cluster C2: esx10 and esx2b; esx9 is outside any cluster. dvs-A spans
    C1 and C2, dvs-B is C2 only."""
    return {
        "vHost": frame(
            "host cluster",
            ("esx10", "C1"),
            ("esx1", "C1"),
            ("esx2", "C1"),
            ("esx3", "C1"),
            ("esx2b", "C2"),
            ("esx9", ""),
        ),
        "vSwitch": frame(
            "host cluster switch mtu",
            ("esx1", "C1", "vSwitch0", 1500),
            ("esx2", "C1", "vSwitch0", 1500),
            ("esx10", "C1", "vSwitch0", 9000),
            ("esx3", "C1", "vSwitch0", 1500),
            ("esx1", "C1", "vSwitch1", 9000),
            ("esx2", "C1", "vSwitch1", 9000),
            ("esx9", "", "vSwitch0", 1500),
        ),
        "vPort": frame(
            "host cluster port_group switch vlan",
            *[
                (h, "C1", pg, "vSwitch0", vlan)
                for h in ("esx1", "esx2", "esx10", "esx3")
                for pg, vlan in (("Management", "0"), ("VM 120", "120"))
            ],
            ("esx3", "C1", "Guest trunk", "vSwitch0", "4095"),
            ("esx1", "C1", "Storage", "vSwitch1", "30"),
            ("esx2", "C1", "Storage", "vSwitch1", "30"),
            ("esx9", "", "Management", "vSwitch0", "0"),
        ),
        "dvSwitch": frame(
            "switch host_members max_mtu vcenter",
            ("dvs-A", "esx1, esx2b, esx10", 9000, "vc1"),
            ("dvs-B", "esx2b", 1600, "vc1"),
        ),
        "dvPort": frame(
            "port switch vlan vcenter",
            ("dvs-A-DVUplinks-12", "dvs-A", "0-4094", "vc1"),
            ("Web", "dvs-A", "200", "vc1"),
            ("Trunk", "dvs-A", "100-200, 300", "vc1"),
            ("App", "dvs-B", "", "vc1"),
        ).assign(
            **{
                "Active Uplink": ["", "Uplink 10, Uplink 2", "Uplink 1", ""],
                "Standby Uplink": ["", "", "", "lag0"],
            }
        ),
        "vNetwork": frame(
            "vm host cluster switch network vcenter",
            ("web1", "esx1", "C1", "vSwitch0", "VM 120", "vc1"),
            ("web2", "esx10", "C1", "vSwitch0", "VM 120", "vc1"),
            ("web2", "esx10", "C1", "dvs-A", "Web", "vc1"),
            ("tmpl", "esx2", "C1", "", "Storage", "vc1"),  # a template: no switch named
            ("db", "esx2b", "C2", "dvs-B", "App", "vc1"),
            ("lost", "esx1", "C1", "vSwitch9", "Gone", "vc1"),
            ("off", "esx1", "C1", "", "", "vc1"),  # an adapter attached to nothing
            ("solo", "esx9", "", "vSwitch0", "Management", "vc1"),
        ),
    }


def test_hosts_are_in_natural_order_with_hosts_outside_clusters_last():
    topology = network_topology(small_tables())
    assert topology.hosts.to_dict("records") == [
        {"cluster": "C1", "host": "esx1"},
        {"cluster": "C1", "host": "esx2"},
        {"cluster": "C1", "host": "esx3"},
        {"cluster": "C1", "host": "esx10"},
        {"cluster": "C2", "host": "esx2b"},
        {"cluster": "", "host": "esx9"},
    ]


def test_standard_switches_collapse_per_cluster():
    topology = network_topology(small_tables())
    switches = topology.switches.set_index("switch_id")
    standard = switches[switches["kind"] == "standard"]
    assert standard[["name", "cluster", "hosts"]].to_dict("index") == {
        "vss:C1/vSwitch0": {"name": "vSwitch0", "cluster": "C1", "hosts": 3},
        "vss:C1/vSwitch0 #2": {"name": "vSwitch0", "cluster": "C1", "hosts": 1},
        "vss:C1/vSwitch1": {"name": "vSwitch1", "cluster": "C1", "hosts": 2},
        "vss:host esx9/vSwitch0": {"name": "vSwitch0", "cluster": "", "hosts": 1},
    }
    # esx10's vSwitch0 has the same port groups but a larger MTU: same switch, largest MTU.
    assert standard["mtu"].tolist() == [9000, 1500, 9000, 1500]
    links = topology.host_links
    assert sorted(links.loc[links["switch_id"] == "vss:C1/vSwitch0", "host"]) == [
        "esx1",
        "esx10",
        "esx2",
    ]
    assert links.loc[links["switch_id"] == "vss:C1/vSwitch0 #2", "host"].tolist() == ["esx3"]
    assert any("vSwitch0 has different port groups" in w and "C1" in w for w in topology.warnings)
    assert any("different MTUs" in w and "1500, 9000" in w for w in topology.warnings)


def test_port_groups_vlans_and_vm_counts():
    topology = network_topology(small_tables())
    groups = {
        (row.switch_id, row.name): (
            row.vlan,
            None if pd.isna(row.vlan_id) else row.vlan_id,
            row.vms,
        )
        for row in topology.port_groups.itertuples()
    }
    assert groups == {
        ("vss:C1/vSwitch0", "Management"): ("0", 0, 0),
        ("vss:C1/vSwitch0", "VM 120"): ("120", 120, 2),
        ("vss:C1/vSwitch0 #2", "Guest trunk"): ("trunk 0-4094", None, 0),
        ("vss:C1/vSwitch0 #2", "Management"): ("0", 0, 0),
        ("vss:C1/vSwitch0 #2", "VM 120"): ("120", 120, 0),
        ("vss:C1/vSwitch1", "Storage"): ("30", 30, 1),
        ("dvs:dvs-A", "Trunk"): ("trunk 100-200,300", None, 0),
        ("dvs:dvs-A", "Web"): ("200", 200, 1),
        ("dvs:dvs-B", "App"): ("", None, 1),
        ("vss:host esx9/vSwitch0", "Management"): ("0", 0, 1),
    }
    assert topology.port_groups["vlan_id"].dtype == "Int64"
    assert topology.port_groups["vms"].dtype == "int64"
    assert any(w.startswith("1 VM network adapter(s)") and "Gone" in w for w in topology.warnings)


def test_distributed_switches_hosts_uplinks_and_clusters():
    topology = network_topology(small_tables())
    switches = topology.switches.set_index("switch_id")
    assert switches.loc["dvs:dvs-A"].to_dict() == {
        "kind": "distributed",
        "name": "dvs-A",
        "cluster": "C1, C2",
        "hosts": 3,
        "uplinks": "Uplink 1, Uplink 2, Uplink 10",
        "mtu": 9000,
    }
    assert switches.loc["dvs:dvs-B", "cluster"] == "C2"
    assert switches.loc["dvs:dvs-B", "uplinks"] == "lag0"
    # The uplink port group is the switch's own, not a network.
    assert "dvs-A-DVUplinks-12" not in set(topology.port_groups["name"])
    links = topology.host_links
    assert sorted(links.loc[links["switch_id"] == "dvs:dvs-A", "host"]) == [
        "esx1",
        "esx10",
        "esx2b",
    ]


def test_frames_have_the_documented_columns_and_types():
    topology = network_topology(small_tables())
    assert list(topology.hosts.columns) == network.HOST_COLUMNS
    assert list(topology.switches.columns) == network.SWITCH_COLUMNS
    assert list(topology.port_groups.columns) == network.PORT_GROUP_COLUMNS
    assert list(topology.host_links.columns) == network.HOST_LINK_COLUMNS
    assert topology.switches["switch_id"].is_unique
    assert topology.switches["hosts"].dtype == "int64"
    assert topology.switches["mtu"].dtype == "Int64"
    empty = network_topology({})
    assert [list(f.columns) for f in (empty.switches, empty.port_groups)] == [
        network.SWITCH_COLUMNS,
        network.PORT_GROUP_COLUMNS,
    ]
    assert empty.switches["mtu"].dtype == "Int64"


def test_cluster_filter():
    topology = network_topology(small_tables(), clusters=["C2"])
    assert topology.hosts["host"].tolist() == ["esx2b"]
    assert topology.switches["switch_id"].tolist() == ["dvs:dvs-A", "dvs:dvs-B"]
    switches = topology.switches.set_index("switch_id")
    # Within the selection dvs-A has one host; web2's adapter is on a host left out.
    assert switches.loc["dvs:dvs-A", "hosts"] == 1
    assert switches.loc["dvs:dvs-A", "cluster"] == "C2"
    assert topology.port_groups.set_index("name")["vms"].to_dict() == {
        "App": 1,
        "Trunk": 0,
        "Web": 0,
    }


def test_cluster_filter_keeps_distributed_switches_whose_hosts_are_unknown():
    tables = small_tables()
    tables["dvSwitch"] = pd.concat(
        [
            tables["dvSwitch"],
            frame("switch host_members max_mtu vcenter", ("dvs-C", "", 1500, "vc1")),
        ]
    )
    names = set(network_topology(tables, clusters=["C1"]).switches["name"])
    assert names == {"vSwitch0", "vSwitch1", "dvs-A", "dvs-C"}
    outside = network_topology(tables, clusters=["(no cluster)"])
    assert set(outside.switches["switch_id"]) == {"vss:host esx9/vSwitch0", "dvs:dvs-C"}


@pytest.mark.parametrize(
    "clusters,message",
    [
        (["C3"], "No cluster C3"),
        ("C1", "list of cluster names"),
        ([1], "must be text"),
    ],
)
def test_bad_cluster_filters_are_refused(clusters, message):
    with pytest.raises(InvalidInputError, match=message):
        network_topology(small_tables(), clusters=clusters)


def test_bad_tables_are_refused():
    with pytest.raises(InvalidInputError, match="dict"):
        network_topology([("vHost", pd.DataFrame())])
    with pytest.raises(InvalidInputError, match="vSwitch table must be a pandas DataFrame"):
        network_topology({"vSwitch": [{"host": "esx1"}]})
    with pytest.raises(InvalidInputError, match="NetworkTopology"):
        port_group_table({"switches": pd.DataFrame()})


def test_no_network_sheets_say_so():
    topology = network_topology({"vHost": small_tables()["vHost"]})
    assert len(topology.hosts) == 6
    assert topology.switches.empty and topology.port_groups.empty
    assert any("No switch or port group is known" in w for w in topology.warnings)
    assert any("VM counts per port group are unknown" in w for w in topology.warnings)
    nothing = network_topology({})
    assert any("Hosts are taken from the switch sheets" in w for w in nothing.warnings)


def test_one_missing_sheet_each_is_named():
    tables = small_tables()
    del tables["vPort"]
    topology = network_topology(tables)
    assert any(
        "Port groups of standard vSwitches are unknown: the vPort sheet is not in the export" in w
        for w in topology.warnings
    )
    # Without port groups every host's vSwitch0 of C1 is alike again.
    assert topology.switches.set_index("switch_id").loc["vss:C1/vSwitch0", "hosts"] == 4

    tables = small_tables()
    tables["dvSwitch"] = tables["dvSwitch"].iloc[0:0]
    topology = network_topology(tables)
    assert any(
        "Distributed switches are known only from their port groups: the dvSwitch sheet is "
        "empty, so their hosts are unknown" in w
        for w in topology.warnings
    )
    assert set(topology.switches["switch_id"]) >= {"dvs:dvs-A", "dvs:dvs-B"}
    assert (topology.switches.set_index("name").loc[["dvs-A", "dvs-B"], "hosts"] == 0).all()

    tables = small_tables()
    tables["dvSwitch"] = tables["dvSwitch"].iloc[1:]
    topology = network_topology(tables)
    assert any("dvs-A appear in dvPort but not in dvSwitch" in w for w in topology.warnings)
    assert topology.switches.set_index("name").loc["dvs-A", "hosts"] == 0

    tables = small_tables()
    tables["dvPort"] = tables["dvPort"].iloc[0:0]
    assert any(
        "Port groups of distributed switches are unknown: the dvPort sheet is empty" in w
        for w in network_topology(tables).warnings
    )


def test_an_empty_dvswitch_sheet_is_no_news():
    tables = small_tables()
    tables["dvSwitch"] = tables["dvSwitch"].iloc[0:0]
    tables["dvPort"] = tables["dvPort"].iloc[0:0]
    assert not any("istributed" in w for w in network_topology(tables).warnings)
    del tables["dvSwitch"]
    assert any(
        "Distributed switches are unknown: the dvSwitch sheet is not in the export" in w
        for w in network_topology(tables).warnings
    )


def test_a_sheet_without_its_key_column_is_not_used():
    tables = small_tables()
    tables["vPort"] = tables["vPort"].drop(columns="port_group")
    topology = network_topology(tables)
    assert any("The vPort sheet lacks port_group" in w for w in topology.warnings)
    assert not topology.port_groups["switch_id"].str.startswith("vss:").any()


def test_vnic_gives_the_uplinks_of_standard_switches():
    tables = small_tables()
    tables["vNIC"] = frame(
        "Host Cluster Switch",
        ("esx1", "C1", "vSwitch0"),
        ("esx2", "C1", "vSwitch0"),
        ("esx10", "C1", "vSwitch0"),
        ("esx1", "C1", "vSwitch1"),
    ).assign(**{"Network Device": ["vmnic0", "vmnic1", "vmnic10", "vmnic2"]})
    switches = network_topology(tables).switches.set_index("switch_id")
    assert switches.loc["vss:C1/vSwitch0", "uplinks"] == "vmnic0, vmnic1, vmnic10"
    assert switches.loc["vss:C1/vSwitch1", "uplinks"] == "vmnic2"
    assert switches.loc["vss:C1/vSwitch0 #2", "uplinks"] == ""
    assert not any("vNIC" in w for w in network_topology(tables).warnings)
    assert any("vNIC" in w for w in network_topology(small_tables()).warnings)


@pytest.mark.parametrize(
    "cell,kind,expected",
    [
        ("0", "standard", ("0", 0)),
        ("120", "standard", ("120", 120)),
        ("120.0", "distributed", ("120", 120)),
        ("4095", "standard", ("trunk 0-4094", None)),
        ("0-4094", "distributed", ("trunk 0-4094", None)),
        ("100 - 200, 300", "distributed", ("trunk 100-200,300", None)),
        ("", "distributed", ("", None)),
        ("pvlan 12", "distributed", ("pvlan 12", None)),
    ],
)
def test_vlan_label(cell, kind, expected):
    assert vlan_label(cell, kind) == expected


def test_port_group_table():
    table = port_group_table(network_topology(small_tables()))
    assert list(table.columns) == ["Switch", "Type", "Port group", "VLAN", "VMs", "Hosts"]
    assert table.values.tolist() == [
        ["dvs-A", "Distributed", "Trunk", "trunk 100-200,300", 0, 3],
        ["dvs-A", "Distributed", "Web", "200", 1, 3],
        ["dvs-B", "Distributed", "App", "", 1, 1],
        ["vSwitch0 (C1)", "Standard", "Management", "0", 0, 3],
        ["vSwitch0 (C1)", "Standard", "VM 120", "120", 2, 3],
        ["vSwitch0 (C1)", "Standard", "Guest trunk", "trunk 0-4094", 0, 1],
        ["vSwitch0 (C1)", "Standard", "Management", "0", 0, 1],
        ["vSwitch0 (C1)", "Standard", "VM 120", "120", 0, 1],
        ["vSwitch0 (esx9)", "Standard", "Management", "0", 1, 1],
        ["vSwitch1 (C1)", "Standard", "Storage", "30", 1, 2],
    ]
    assert table["VMs"].dtype == "int64" and table["Hosts"].dtype == "int64"


def test_the_domain_module_draws_nothing():
    source = Path(network.__file__).read_text()
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {m.split(".")[0] for m in imported} & {"matplotlib", "plotly", "surrealdb"}
    drawing = ast.parse(Path(diagrams.__file__).read_text())
    modules = {node.module for node in ast.walk(drawing) if isinstance(node, ast.ImportFrom)} | {
        a.name for node in ast.walk(drawing) if isinstance(node, ast.Import) for a in node.names
    }
    assert "matplotlib.pyplot" not in modules and "workbench.network" not in modules


# ----------------------------------------------------------------------------------- diagram


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == PNG_SIGNATURE
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append(data[at + 4 : at + 8])
        at += 12 + length
    return chunks


def check_images(svg: bytes, png: bytes, title: str) -> tuple[int, int]:
    """Both images are well-formed; returns the PNG's size in pixels."""
    root = SafeET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    width_pt = float(root.get("width").removesuffix("pt"))
    assert b"clipPath" not in svg  # nothing clipped: no salted ids
    assert f"<dc:title>{title}</dc:title>".encode() in svg
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg
    chunks = png_chunks(png)
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND"
    assert not {b"tEXt", b"iTXt", b"zTXt", b"tIME"} & set(chunks)
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    with Image.open(io.BytesIO(png)) as image:
        size = image.size
    # The PNG and the SVG are the same figure: DPI pixels per inch, 72 points per inch.
    assert abs(size[0] - width_pt / 72 * diagrams.DPI) <= 1
    return size


def test_small_diagram_is_valid_and_sized_to_its_content():
    topology = network_topology(small_tables())
    svg, png = render_network_diagram(topology, "Small & <odd> $title$")
    width, height = check_images(svg, png, "Small &amp; &lt;odd&gt; $title$")
    assert 700 <= width <= 2000
    rows = 30  # the blocks of C1, C2 and (no cluster), their switches and port groups
    assert height <= (1.6 + rows * diagrams.ROW) * diagrams.DPI
    empty_svg, empty_png = render_network_diagram(network_topology({}), "Nothing")
    assert check_images(empty_svg, empty_png, "Nothing")[1] < height


def test_same_topology_same_bytes_even_unsalted():
    topology = network_topology(small_tables())
    # With no salt matplotlib draws a random one per render: identical bytes prove no
    # element depends on it. The render itself leaves the setting alone.
    with matplotlib.rc_context({"svg.hashsalt": None}):
        first = render_network_diagram(topology, "Network")
        second = render_network_diagram(network_topology(small_tables()), "Network")
        assert matplotlib.rcParams["svg.hashsalt"] is None
    assert first == second
    assert render_network_diagram(topology, "Other")[0] != first[0]


def test_same_bytes_in_processes_with_other_hash_seeds():
    # Sets iterate in an order that changes with PYTHONHASHSEED; nothing drawn may follow it.
    code = (
        "import hashlib\n"
        "from tests.test_network import small_tables\n"
        "from workbench.network import network_topology\n"
        "from workbench.io.diagrams import render_network_diagram\n"
        "svg, png = render_network_diagram(network_topology(small_tables()), 'Seeds')\n"
        "print(hashlib.sha256(svg).hexdigest(), hashlib.sha256(png).hexdigest())\n"
    )
    svg, png = render_network_diagram(network_topology(small_tables()), "Seeds")
    expected = f"{hashlib.sha256(svg).hexdigest()} {hashlib.sha256(png).hexdigest()}"
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        assert done.stdout.strip() == expected


def test_renders_in_threads_do_not_meet():
    topology = network_topology(small_tables())
    expected = render_network_diagram(topology, "Threads")
    results: list[tuple[bytes, bytes]] = []

    def work():
        results.append(render_network_diagram(topology, "Threads"))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results == [expected] * 3


def test_the_diagram_refuses_what_is_not_a_topology():
    with pytest.raises(InvalidInputError, match="hosts is missing"):
        render_network_diagram(object(), "x")
    topology = network_topology(small_tables())
    with pytest.raises(InvalidInputError, match="title must be text"):
        render_network_diagram(topology, None)
    broken = NetworkTopology(
        topology.hosts,
        topology.switches.drop(columns="kind"),
        topology.port_groups,
        topology.host_links,
    )
    with pytest.raises(InvalidInputError, match="switches lack kind"):
        render_network_diagram(broken, "x")


def big_tables(clusters: int, hosts: int, groups: int) -> dict[str, pd.DataFrame]:
    """``clusters`` x ``hosts`` hosts with a vSwitch0 of 4 port groups each, and one
    distributed switch over all of them with ``groups`` port groups."""
    names = [
        (f"Cluster {c:02d}", f"esx{c:02d}-{h}.example.test")
        for c in range(clusters)
        for h in range(hosts)
    ]
    return {
        "vHost": pd.DataFrame(names, columns=["cluster", "host"]),
        "vSwitch": pd.DataFrame(
            [(h, c, "vSwitch0", 1500) for c, h in names],
            columns=["host", "cluster", "switch", "mtu"],
        ),
        "vPort": pd.DataFrame(
            [(h, c, f"PG {i}", "vSwitch0", str(i)) for c, h in names for i in range(4)],
            columns=["host", "cluster", "port_group", "switch", "vlan"],
        ),
        "dvSwitch": pd.DataFrame(
            [("dvs-big", ", ".join(h for _, h in names), 9000)],
            columns=["switch", "host_members", "max_mtu"],
        ),
        "dvPort": pd.DataFrame(
            [
                (f"Segment {i:04d} with a long descriptive name", "dvs-big", str(100 + i % 3900))
                for i in range(groups)
            ],
            columns=["port", "switch", "vlan"],
        ),
        "vNetwork": pd.DataFrame(
            [
                (h, c, "dvs-big", f"Segment {i % groups:04d} with a long descriptive name")
                for i, (c, h) in enumerate(names * 10)
            ],
            columns=["host", "cluster", "switch", "network"],
        ),
    }


def test_a_switch_shows_at_most_its_cap_of_port_groups():
    # 100 and 1,000 port groups on one switch draw the same: the cap, then "+N more".
    heights = []
    for groups in (100, 1000):
        svg, png = render_network_diagram(network_topology(big_tables(1, 2, groups)), "Cap")
        heights.append(check_images(svg, png, "Cap")[1])
    assert heights[0] == heights[1]
    few = render_network_diagram(network_topology(big_tables(1, 2, 10)), "Cap")
    assert check_images(*few, "Cap")[1] < heights[0]


def test_a_big_topology_renders_fast_and_bounded():
    topology = network_topology(big_tables(40, 8, 2000))
    assert len(topology.port_groups) == 2000 + 40 * 4
    assert len(topology.hosts) == 320
    started = time.perf_counter()
    svg, png = render_network_diagram(topology, "Big")
    elapsed = time.perf_counter() - started
    width, height = check_images(svg, png, "Big")
    assert elapsed < 10, f"{elapsed:.1f} s"  # ~1.5 s on an idle machine
    assert width <= 3000 and height <= 8000
    limit = (1.25 + 0.22 * 2 + diagrams.MAX_ROWS * diagrams.ROW + 0.3) * diagrams.DPI
    assert height <= limit + 1
    assert len(svg) < 5_000_000 and len(png) < 5_000_000


# ------------------------------------------------------------------------------ real exports

# Hand-checked against the files: switches (standard, distributed), port groups, hosts, and
# the VM adapters left uncounted (disconnected adapters of templates naming port groups
# their host does not have).
REAL = {
    "02_lonati_rvtools-4.7.1_vc8.0.3_233vm.xlsx": (11, 0, 64, 8, 0),
    "03_ovh-pcc_rvtools-4.4.3_vc7.0.3_124vm.xlsx": (1, 2, 26, 5, 0),
    "06_acme1-aeris_rvtools-4.6.1_vc8.0.3_1304vm.xlsx": (40, 1, 145, 35, 5),
    "07_acme1-creambell_rvtools-4.6.1_vc8.0.3_339vm.xlsx": (24, 0, 54, 20, 6),
}


@cache
def real_tables(name: str) -> dict[str, pd.DataFrame]:
    path = RVTOOLS / name
    require(path.is_file(), f"{path} is not there")
    return read_rvtools(path).tables


def raw_rows(name: str, sheet: str) -> list[dict]:
    book = CalamineWorkbook.from_path(str(RVTOOLS / name))
    if sheet not in book.sheet_names:
        return []
    rows = book.get_sheet_by_name(sheet).to_python()
    headers = [str(h).strip() for h in rows[0]]
    return [dict(zip(headers, row, strict=False)) for row in rows[1:] if str(row[0]).strip()]


def raw_vlan(cell) -> str:
    text = str(cell).strip()
    return str(int(float(text))) if text else ""


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_exports_against_their_raw_cells(name):
    topology = network_topology(real_tables(name))
    standard, distributed, groups, hosts, uncounted = REAL[name]
    kinds = topology.switches["kind"].value_counts().to_dict()
    assert (kinds.get("standard", 0), kinds.get("distributed", 0)) == (standard, distributed)
    assert (len(topology.port_groups), len(topology.hosts)) == (groups, hosts)

    # Every (cluster, vSwitch) of the raw sheet is drawn, carried by as many hosts.
    raw_hosts: dict[tuple[str, str], set[str]] = {}
    for row in raw_rows(name, "vSwitch"):
        raw_hosts.setdefault((row["Cluster"], row["Switch"]), set()).add(row["Host"])
    std = topology.switches[topology.switches["kind"] == "standard"]
    drawn = std.groupby(["cluster", "name"])["hosts"].sum().to_dict()
    assert drawn == {key: len(found) for key, found in raw_hosts.items()}

    # Every (vSwitch, port group, VLAN) of vPort is a port group of a switch of that name.
    named = topology.port_groups.merge(topology.switches, on="switch_id", suffixes=("", "_s"))
    shown = {
        (r.name_s, r.name, "4095" if r.vlan == network.TRUNK_ALL else r.vlan)
        for r in named[named["kind"] == "standard"].itertuples()
    }
    assert shown == {
        (r["Switch"], r["Port Group"], raw_vlan(r["VLAN"])) for r in raw_rows(name, "vPort")
    }

    # Every adapter attached to a network is counted once, but the hand-checked few.
    adapters = [r for r in raw_rows(name, "vNetwork") if str(r["Network"]).strip()]
    assert topology.port_groups["vms"].sum() == len(adapters) - uncounted
    assert any("not counted" in w for w in topology.warnings) == (uncounted > 0)


@pytest.mark.shared_data
def test_real_distributed_switches():
    topology = network_topology(real_tables("03_ovh-pcc_rvtools-4.4.3_vc7.0.3_124vm.xlsx"))
    distributed = topology.switches[topology.switches["kind"] == "distributed"]
    assert distributed[["hosts", "uplinks", "mtu"]].values.tolist() == [
        [5, "lag0", 9000],
        [5, "lag1", 9000],
    ]
    raw = raw_rows("03_ovh-pcc_rvtools-4.4.3_vc7.0.3_124vm.xlsx", "dvPort")
    # Two of the 27 rows are the switches' own uplink port groups.
    assert len(raw) == 27
    assert len(topology.port_groups[topology.port_groups["switch_id"].str.startswith("dvs:")]) == 25

    aeris = network_topology(real_tables("06_acme1-aeris_rvtools-4.6.1_vc8.0.3_1304vm.xlsx"))
    dvs = aeris.switches[aeris.switches["kind"] == "distributed"].iloc[0]
    assert (dvs["name"], dvs["cluster"], dvs["hosts"], dvs["uplinks"]) == (
        "NR-Eng-vDS",
        "NR-Eng-Cluster1",
        5,
        "Uplink 1, Uplink 2",
    )
    only = network_topology(
        real_tables("06_acme1-aeris_rvtools-4.6.1_vc8.0.3_1304vm.xlsx"), clusters=["AH-Oracle1"]
    )
    assert set(only.switches["kind"]) == {"standard"}
    assert len(only.hosts) == 2


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "name",
    [
        "03_ovh-pcc_rvtools-4.4.3_vc7.0.3_124vm.xlsx",
        "02_lonati_rvtools-4.7.1_vc8.0.3_233vm.xlsx",
        "06_acme1-aeris_rvtools-4.6.1_vc8.0.3_1304vm.xlsx",
        "11_sizingworkshop_rvtools-3.x-trimmed_805vm.xlsx",
    ],
)
def test_real_diagrams(name):
    topology = network_topology(real_tables(name))
    started = time.perf_counter()
    svg, png = render_network_diagram(topology, f"Virtual network – {name[:2]}")
    elapsed = time.perf_counter() - started
    width, height = check_images(svg, png, f"Virtual network – {name[:2]}")
    assert elapsed < 15, f"{elapsed:.1f} s"
    assert width <= 3000 and height <= 8000
    assert render_network_diagram(topology, f"Virtual network – {name[:2]}") == (svg, png)


@pytest.mark.shared_data
def test_real_export_without_network_sheets():
    topology = network_topology(real_tables("10_billsample_rvtools-3.x-trimmed_131vm.xlsx"))
    assert len(topology.hosts) == 8 and topology.switches.empty
    assert any("old or trimmed" in w for w in topology.warnings)
    table = port_group_table(topology)
    assert table.empty and list(table.columns) == network.TABLE_COLUMNS
