"""Diagrams for documents, drawn offline with matplotlib: SVG and PNG bytes.

The network diagram reads left to right: clusters with their hosts, the switches they carry
(standard vSwitches blue, distributed switches orange), and each switch's port groups with
their VLAN and VM count. Lines join hosts to switches and switches to port groups.

Drawn on a :class:`matplotlib.figure.Figure` with the Agg and SVG canvases directly: no
``pyplot``, no change to matplotlib's global settings, so renders in several threads do not
meet. Every font, size and colour is given explicitly, so a notebook's style does not leak
in. The same topology gives the same bytes: no dates or software versions are written, and
nothing is drawn that needs one of the random ids matplotlib's SVG writer salts with
``svg.hashsalt`` (nothing is clipped; lines are single paths, not collections), so the
setting is left alone rather than changed for the whole process.

The io layer does not import the domain: the topology is anything with the frames of
:class:`workbench.network.NetworkTopology`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.patches import FancyBboxPatch, PathPatch
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Affine2D

from workbench.errors import InvalidInputError
from workbench.formatting import MISSING, NO_CLUSTER

DPI = 110
"""Pixels per inch of the PNG."""
ROW = 0.2
"""Height of one row (a host, a port group), inches."""
FONT = 7.0
"""Text size, points."""
LABEL_CHARS = 40
"""Names longer than this are cut in the middle (both ends are kept: names often differ
only at the end)."""
DETAIL_CHARS = 60
"""The lines under a switch's name (kind, hosts, MTU, uplinks) are cut at this length."""
MAX_PORT_GROUPS = 40
"""Port groups drawn per switch at most; the rest are one "+N more" box."""
MAX_HOSTS = 32
"""Hosts drawn per cluster at most."""
MAX_ROWS = 300
"""Rows drawn at most: with :data:`ROW` and :data:`DPI`, a PNG of about 7,000 px at most."""
SWITCH_ROWS = 3
"""A switch box is at least this many rows high (name, kind and hosts, MTU and uplinks)."""
# Caps tried in turn until the drawing fits MAX_ROWS: (port groups per switch, hosts).
# Two port groups always fit beside a switch's name, so that is the last step.
_CAPS = (
    (MAX_PORT_GROUPS, MAX_HOSTS),
    (32, 24),
    (24, 16),
    (20, 16),
    (16, 12),
    (12, 12),
    (10, 8),
    (8, 8),
    (6, 6),
    (4, 4),
    (2, 4),
)
_SHARED = "\x00shared"
_FAMILY = "DejaVu Sans"  # bundled with matplotlib: nothing is fetched

INK = "#1a1a1a"
MUTED = "#5f6b7a"
LINE = "#9aa5b4"
CLUSTER_FILL = "#f3f5f8"
STANDARD_FILL, STANDARD_EDGE = "#e3ecf7", "#1f3a5f"
DISTRIBUTED_FILL, DISTRIBUTED_EDGE = "#fbe3cf", "#b5531a"


class Topology(Protocol):
    """What the diagram reads: the frames of :class:`workbench.network.NetworkTopology`."""

    hosts: pd.DataFrame
    switches: pd.DataFrame
    port_groups: pd.DataFrame
    host_links: pd.DataFrame


_COLUMNS = {
    "hosts": ("cluster", "host"),
    "switches": ("switch_id", "kind", "name", "cluster", "hosts", "uplinks", "mtu"),
    "port_groups": ("switch_id", "name", "vlan", "vms"),
    "host_links": ("host", "switch_id"),
}


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    """``text`` cut in the middle to ``limit`` characters, keeping both ends."""
    text = str(text)
    if len(text) <= limit:
        return text
    tail = (limit - 1) // 3
    return text[: limit - tail - 1] + "…" + text[-tail:]


@lru_cache(maxsize=4096)
def _advance(char: str, bold: bool) -> float:
    """How far one character of the diagram's font moves the pen at :data:`FONT`, inches."""
    font = get_font(findfont(FontProperties(family=_FAMILY, weight="bold" if bold else "normal")))
    font.set_size(FONT, 72)
    return font.load_char(ord(char)).linearHoriAdvance / 65536 / 72


def _width(text: str, size: float = FONT, bold: bool = False) -> float:
    """Width of ``text`` in the diagram's font, inches (boxes are sized to their labels)."""
    # 5 % more than the font's own advances: hinting at PNG sizes widens text a little.
    return 1.05 * sum(_advance(char, bold) for char in text) * size / FONT


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


# ------------------------------------------------------------------------------------ plan


@dataclass
class _Switch:
    record: dict[str, Any]
    groups: list[dict[str, Any]]
    cap: int = MAX_PORT_GROUPS

    @property
    def shown(self) -> list[dict[str, Any]]:
        return self.groups[: self.cap]

    @property
    def more(self) -> int:
        return max(0, len(self.groups) - self.cap)

    @property
    def rows(self) -> int:
        return max(SWITCH_ROWS, len(self.shown) + (1 if self.more else 0))


@dataclass
class _Block:
    key: str
    hosts: list[str]
    switches: list[_Switch] = field(default_factory=list)
    host_cap: int = MAX_HOSTS
    switch_cap: int | None = None

    @property
    def title(self) -> str:
        if self.key == _SHARED:
            return "Across clusters"
        name = self.key or NO_CLUSTER
        return f"{name} · {len(self.hosts)} host{'s' if len(self.hosts) != 1 else ''}"

    @property
    def shown_hosts(self) -> list[str]:
        return self.hosts[: self.host_cap]

    @property
    def shown_switches(self) -> list[_Switch]:
        return self.switches if self.switch_cap is None else self.switches[: self.switch_cap]

    @property
    def more_switches(self) -> int:
        return len(self.switches) - len(self.shown_switches)

    def rows(self) -> float:
        left = 1 + len(self.shown_hosts) + (1 if len(self.hosts) > self.host_cap else 0)
        shown = self.shown_switches
        right = sum(s.rows for s in shown) + 0.5 * max(0, len(shown) - 1)
        right += 1.5 if self.more_switches else 0
        return max(left, right)


def _plan(topology: Topology) -> tuple[list[_Block], dict[str, int]]:
    """Blocks (switches shared by clusters, then one per cluster), cut to fit MAX_ROWS, and
    how much was left out (clusters, switches, port groups, hosts)."""
    hosts = topology.hosts
    cluster_of = dict(zip(map(_text, hosts["host"]), map(_text, hosts["cluster"]), strict=True))
    blocks: dict[str, _Block] = {}
    for host, cluster in cluster_of.items():
        blocks.setdefault(cluster, _Block(cluster, [])).hosts.append(host)
    links = topology.host_links
    hosts_of: dict[str, list[str]] = {}
    for host, switch_id in zip(
        map(_text, links["host"]), map(_text, links["switch_id"]), strict=True
    ):
        hosts_of.setdefault(switch_id, []).append(host)
    groups_of: dict[str, list[dict[str, Any]]] = {}
    for group in topology.port_groups.to_dict("records"):
        groups_of.setdefault(_text(group["switch_id"]), []).append(group)

    shared = _Block(_SHARED, [])
    for record in topology.switches.to_dict("records"):
        switch_id = _text(record["switch_id"])
        clusters = {cluster_of.get(h) for h in hosts_of.get(switch_id, [])} - {None}
        # A switch belongs to its cluster's block when all its hosts are in that cluster.
        key = clusters.pop() if len(clusters) == 1 else _SHARED
        block = blocks.get(key, shared)
        block.switches.append(_Switch(record, groups_of.get(switch_id, [])))
    # Switches shared by clusters (distributed ones, mostly) are the backbone: drawn first,
    # so they are the last to be left out of a big export.
    ordered = ([shared] if shared.switches else []) + list(blocks.values())

    def total() -> float:
        return sum(b.rows() for b in ordered) + 1.5 * max(0, len(ordered) - 1)

    for groups_cap, hosts_cap in _CAPS:
        for block in ordered:
            block.host_cap = hosts_cap
            for switch in block.switches:
                switch.cap = groups_cap
        if total() <= MAX_ROWS:
            break
    else:
        # Still too tall: draw blocks until the rows are spent, the last one cut short.
        kept, used = [], 0.0
        for block in ordered:
            room = MAX_ROWS - used - (1.5 if kept else 0)
            if room < SWITCH_ROWS + 1.5:
                break
            while block.rows() > room and (block.switch_cap is None or block.switch_cap > 0):
                block.switch_cap = (
                    len(block.switches) if block.switch_cap is None else block.switch_cap
                ) - 1
            if block.rows() > room:
                break
            kept.append(block)
            used += block.rows() + (1.5 if len(kept) > 1 else 0)
        ordered = kept

    left_out = {
        "clusters": len(blocks) - sum(1 for b in ordered if b.key != _SHARED),
        "switches": 0,
        "port_groups": 0,
        "hosts": 0,
    }
    drawn_switches = {_text(s.record["switch_id"]) for b in ordered for s in b.shown_switches}
    for record in topology.switches.to_dict("records"):
        if _text(record["switch_id"]) not in drawn_switches:
            left_out["switches"] += 1
    drawn_groups = sum(len(s.shown) for b in ordered for s in b.shown_switches)
    left_out["port_groups"] = len(topology.port_groups) - drawn_groups
    left_out["hosts"] = len(cluster_of) - sum(len(b.shown_hosts) for b in ordered)
    return ordered, left_out


# ------------------------------------------------------------------------------------ draw


class _Canvas:
    """Boxes, texts and lines on a figure in inches, y growing downwards."""

    def __init__(self, width: float, height: float):
        self.figure = Figure(figsize=(width, height), dpi=DPI, facecolor="white")
        self.transform = Affine2D().scale(1, -1).translate(0, height) + self.figure.dpi_scale_trans
        self.lines: dict[
            tuple[str, float], list[tuple[tuple[float, float], tuple[float, float]]]
        ] = {}

    def box(self, x, y, w, h, face, edge, width=0.8, dashed=False, round_=0.04) -> None:
        self.figure.add_artist(
            FancyBboxPatch(
                (x, y),
                w,
                h,
                boxstyle=f"round,pad=0,rounding_size={round_}",
                transform=self.transform,
                facecolor=face,
                edgecolor=edge,
                linewidth=width,
                linestyle="--" if dashed else "-",
                clip_on=False,
                zorder=2,
            )
        )

    def text(self, x, y, text, size=FONT, weight="normal", color=INK, ha="left", style="normal"):
        self.figure.add_artist(
            Text(
                x,
                y,
                text,
                transform=self.transform,
                fontfamily=_FAMILY,
                fontsize=size,
                fontweight=weight,
                fontstyle=style,
                color=color,
                ha=ha,
                va="center",
                parse_math=False,  # a "$" in a port group's name is text, not TeX
                usetex=False,
                clip_on=False,
                zorder=3,
            )
        )

    def line(self, start, end, color=LINE, width=0.6) -> None:
        self.lines.setdefault((color, width), []).append((start, end))

    def draw_lines(self) -> None:
        # One path per colour: a line collection would get a salted SVG id.
        for (color, width), segments in sorted(self.lines.items()):
            vertices = [point for segment in segments for point in segment]
            codes = [Path.MOVETO, Path.LINETO] * len(segments)
            self.figure.add_artist(
                PathPatch(
                    Path(vertices, codes),
                    transform=self.transform,
                    fill=False,
                    edgecolor=color,
                    linewidth=width,
                    clip_on=False,
                    zorder=1,
                )
            )


def _vlan(text: str) -> str:
    if not text:
        return f"VLAN {MISSING}"
    return text if text.startswith("trunk") else f"VLAN {text}"


def _vms(value: Any) -> str:
    number = int(value) if not pd.isna(value) else 0
    return f"{number:,} VM" + ("" if number == 1 else "s")


def _switch_lines(record: dict[str, Any]) -> list[str]:
    """The lines under a switch's name: kind, hosts and MTU; then its uplinks."""
    hosts = int(record["hosts"]) if not pd.isna(record["hosts"]) else 0
    kind = "Distributed switch" if record["kind"] == "distributed" else "Standard vSwitch"
    details = f"{kind} · {hosts} host{'s' if hosts != 1 else ''}"
    if not pd.isna(record["mtu"]):
        details += f" · MTU {int(record['mtu'])}"
    uplinks = _text(record["uplinks"])
    return [details, f"Uplinks: {uplinks}"] if uplinks else [details]


def _check(topology: Any, title: Any) -> None:
    if not isinstance(title, str):
        raise InvalidInputError("The diagram's title must be text.")
    for name, columns in _COLUMNS.items():
        frame = getattr(topology, name, None)
        if not isinstance(frame, pd.DataFrame):
            raise InvalidInputError(
                "render_network_diagram needs a network topology (workbench.network."
                f"network_topology()); {name} is missing."
            )
        lacking = [c for c in columns if c not in frame.columns]
        if lacking:
            raise InvalidInputError(f"The topology's {name} lack {', '.join(lacking)}.")


def render_network_diagram(topology: Topology, title: str) -> tuple[bytes, bytes]:
    """Draw a network topology as SVG and PNG.

    Parameters
    ----------
    topology : workbench.network.NetworkTopology
        As made by :func:`workbench.network.network_topology`.
    title : str
        Written at the top of the diagram (and as the SVG's title).

    Returns
    -------
    tuple of bytes
        ``(svg, png)``: an SVG document (UTF-8; text drawn as paths, so it looks the same
        everywhere) and a PNG at :data:`DPI` pixels per inch. The figure is as tall as its
        content: :data:`ROW` inches per host or port group, at most :data:`MAX_ROWS` rows;
        a switch shows at most :data:`MAX_PORT_GROUPS` port groups and a cluster
        :data:`MAX_HOSTS` hosts (fewer when the export is big), the rest summed up in
        "+N more" boxes and a note under the legend. The same input gives the same bytes.

    Raises
    ------
    InvalidInputError
        ``topology`` lacks a frame or column of a NetworkTopology, or ``title`` is not text.
    """
    _check(topology, title)
    blocks, left_out = _plan(topology)
    columns = _Columns.fit(blocks)
    title = _short(title, 120)
    notes = _notes(topology, left_out)
    rows = sum(b.rows() for b in blocks) + 1.5 * max(0, len(blocks) - 1)
    top = 1.25 + 0.22 * len(notes)
    width = max(
        [columns.right + 0.3, _width(title, 12, bold=True) + 0.6, 7.4]
        + [_width(note) + 0.6 for note in notes]
    )
    canvas = _Canvas(width, top + max(rows, 1) * ROW + 0.3)
    _header(canvas, topology, title, notes)

    host_at: dict[str, tuple[float, float]] = {}
    switch_at: dict[str, tuple[float, float]] = {}
    cluster_at: dict[str, tuple[float, float]] = {}
    y = top
    for block in blocks:
        _draw_block(canvas, block, y, columns, host_at, switch_at)
        cluster_at[block.key] = (columns.host_x + columns.host_w + 0.1, y + 0.5 * ROW)
        y += (block.rows() + 1.5) * ROW
    _draw_links(canvas, topology, blocks, columns, host_at, switch_at, cluster_at)
    canvas.draw_lines()
    return _save(canvas.figure, title)


def _draw_links(
    canvas: _Canvas,
    topology: Topology,
    blocks: list[_Block],
    at: _Columns,
    host_at: dict[str, tuple[float, float]],
    switch_at: dict[str, tuple[float, float]],
    cluster_at: dict[str, tuple[float, float]],
) -> None:
    """Hosts to the switches of their cluster, one line each; clusters to the switches they
    share, through one vertical bus per shared switch (a line per host would be a wall)."""
    shared = {
        _text(s.record["switch_id"]): s.record["kind"]
        for b in blocks
        if b.key == _SHARED
        for s in b.shown_switches
    }
    cluster_of = dict(
        zip(map(_text, topology.hosts["host"]), map(_text, topology.hosts["cluster"]), strict=True)
    )
    clusters_on: dict[str, set[str]] = {}
    for host, switch_id in zip(
        map(_text, topology.host_links["host"]),
        map(_text, topology.host_links["switch_id"]),
        strict=True,
    ):
        if switch_id in shared:
            if host in cluster_of:
                clusters_on.setdefault(switch_id, set()).add(cluster_of[host])
        elif host in host_at and switch_id in switch_at:
            canvas.line(host_at[host], switch_at[switch_id])
    for k, (switch_id, kind) in enumerate(shared.items()):
        # Sorted: a set's order changes with the process's hash seed, and so would the bytes.
        clusters = sorted(clusters_on.get(switch_id, ()))
        stubs = [cluster_at[c] for c in clusters if c in cluster_at]
        if not stubs or switch_id not in switch_at:
            continue
        color = DISTRIBUTED_EDGE if kind == "distributed" else STANDARD_EDGE
        bus = at.switch_x - 0.3 - 0.12 * (k % 6)
        sx, sy = switch_at[switch_id]
        canvas.line((sx, sy), (bus, sy), color, 0.8)
        ends = [sy] + [y for _, y in stubs]
        canvas.line((bus, min(ends)), (bus, max(ends)), color, 0.8)
        for x, y in stubs:
            canvas.line((x, y), (bus, y), color, 0.8)


@dataclass(frozen=True)
class _Columns:
    """Where the columns of the diagram start and how wide they are, inches."""

    host_w: float
    switch_w: float
    group_w: float
    vlan_w: float
    vms_w: float
    cluster_x: float = 0.3

    @classmethod
    def fit(cls, blocks: list[_Block]) -> _Columns:
        """Widths that hold the longest label drawn (names are cut to LABEL_CHARS)."""
        switches = [s for b in blocks for s in b.shown_switches]
        groups = [g for s in switches for g in s.shown]
        return cls(
            host_w=max(
                [1.4]
                + [_width(_short(b.title), bold=True) + 0.2 for b in blocks]
                + [_width(_short(h)) + 0.2 for b in blocks for h in b.shown_hosts]
            ),
            switch_w=max(
                [2.0]
                + [_width(_short(_text(s.record["name"])), bold=True) + 0.25 for s in switches]
                + [
                    _width(_short(t, DETAIL_CHARS), FONT - 0.5) + 0.25
                    for s in switches
                    for t in _switch_lines(s.record)
                ]
            ),
            group_w=max([1.4] + [_width(_short(_text(g["name"]))) + 0.15 for g in groups]),
            vlan_w=max([0.8] + [_width(_vlan(_text(g["vlan"]))) + 0.1 for g in groups]),
            vms_w=max([0.6] + [_width(_vms(g["vms"])) + 0.05 for g in groups]),
        )

    @property
    def host_x(self) -> float:
        return self.cluster_x + 0.1

    @property
    def switch_x(self) -> float:
        return self.host_x + self.host_w + 1.2  # room for the host -> switch lines

    @property
    def group_x(self) -> float:
        return self.switch_x + self.switch_w + 0.6

    @property
    def vlan_x(self) -> float:
        return self.group_x + self.group_w + 0.12

    @property
    def right(self) -> float:
        return self.vlan_x + self.vlan_w + self.vms_w


def _notes(topology: Topology, left_out: dict[str, int]) -> list[str]:
    notes = []
    if topology.switches.empty:
        notes.append("No switch or port group is known in this export.")
    names = {
        "clusters": ("cluster", "clusters"),
        "switches": ("switch", "switches"),
        "port_groups": ("port group", "port groups"),
        "hosts": ("host", "hosts"),
    }
    hidden = [f"{n:,} {names[what][n != 1]}" for what, n in left_out.items() if n > 0]
    if hidden:
        notes.append(
            "Not drawn, for room: "
            + ", ".join(hidden)
            + " (the port group table lists all; fewer clusters per diagram show more)."
        )
    return notes


def _header(canvas: _Canvas, topology: Topology, title: str, notes: list[str]) -> None:
    canvas.text(0.3, 0.35, title, size=12, weight="bold")
    kinds = topology.switches["kind"].map(_text)
    standard, distributed = int((kinds == "standard").sum()), int((kinds == "distributed").sum())
    vms = int(pd.to_numeric(topology.port_groups["vms"], errors="coerce").fillna(0).sum())
    summary = (
        f"{len(topology.hosts):,} hosts · {standard:,} standard and {distributed:,} "
        f"distributed switches · {len(topology.port_groups):,} port groups · "
        f"{vms:,} VM network adapters"
    )
    canvas.text(0.3, 0.62, summary, color=MUTED)
    x = 0.3
    for face, edge, label in (
        (CLUSTER_FILL, LINE, "Cluster and hosts"),
        (STANDARD_FILL, STANDARD_EDGE, "Standard vSwitch (per cluster)"),
        (DISTRIBUTED_FILL, DISTRIBUTED_EDGE, "Distributed switch"),
        ("white", LINE, "Port group, VLAN, VMs attached"),
    ):
        canvas.box(x, 0.82, 0.22, 0.14, face, edge, width=1.0, round_=0.02)
        canvas.text(x + 0.3, 0.89, label, color=MUTED)
        x += 0.3 + _width(label) + 0.35
    for i, note in enumerate(notes):
        canvas.text(0.3, 1.15 + 0.22 * i, note, color=INK, style="italic")


def _draw_block(
    canvas: _Canvas,
    block: _Block,
    y: float,
    at: _Columns,
    host_at: dict[str, tuple[float, float]],
    switch_at: dict[str, tuple[float, float]],
) -> None:
    """One cluster: its box of hosts on the left, its switches and their port groups."""
    more_hosts = len(block.hosts) - len(block.shown_hosts)
    left_rows = 1 + len(block.shown_hosts) + (1 if more_hosts else 0)
    canvas.box(at.cluster_x, y, at.host_w + 0.2, left_rows * ROW + 0.05, CLUSTER_FILL, LINE)
    canvas.text(at.host_x, y + 0.5 * ROW + 0.02, _short(block.title), weight="bold")
    for i, host in enumerate(block.shown_hosts):
        row_y = y + (1.5 + i) * ROW
        canvas.box(at.host_x, row_y - 0.39 * ROW, at.host_w, 0.78 * ROW, "white", LINE)
        canvas.text(at.host_x + 0.06, row_y, _short(host))
        host_at[host] = (at.host_x + at.host_w, row_y)
    if more_hosts:
        row_y = y + (1.5 + len(block.shown_hosts)) * ROW
        canvas.text(
            at.host_x + 0.06, row_y, f"+{more_hosts:,} more hosts", color=MUTED, style="italic"
        )

    top = y
    for switch in block.shown_switches:
        record = switch.record
        distributed = record["kind"] == "distributed"
        face, edge = (
            (DISTRIBUTED_FILL, DISTRIBUTED_EDGE) if distributed else (STANDARD_FILL, STANDARD_EDGE)
        )
        height = switch.rows * ROW
        canvas.box(
            at.switch_x,
            top + 0.02,
            at.switch_w,
            height - 0.04,
            face,
            edge,
            width=1.6 if distributed else 1.0,
        )
        canvas.text(at.switch_x + 0.1, top + 0.13, _short(_text(record["name"])), weight="bold")
        for i, line in enumerate(_switch_lines(record)):
            canvas.text(
                at.switch_x + 0.1,
                top + 0.3 + 0.15 * i,
                _short(line, DETAIL_CHARS),
                size=FONT - 0.5,
                color=MUTED,
            )
        switch_at[_text(record["switch_id"])] = (at.switch_x, top + SWITCH_ROWS * ROW / 2)
        rows = [(g["name"], g) for g in switch.shown]
        if switch.more:
            rows.append((f"+{switch.more:,} more port groups", None))
        for i, (name, group) in enumerate(rows):
            row_y = top + (i + 0.5) * ROW
            canvas.line((at.switch_x + at.switch_w, row_y), (at.group_x, row_y), edge, 0.7)
            canvas.box(
                at.group_x,
                row_y - 0.39 * ROW,
                at.group_w,
                0.78 * ROW,
                "white",
                LINE,
                dashed=group is None,
            )
            if group is None:
                canvas.text(at.group_x + 0.06, row_y, name, color=MUTED, style="italic")
                continue
            canvas.text(at.group_x + 0.06, row_y, _short(_text(name)))
            canvas.text(at.vlan_x, row_y, _vlan(_text(group["vlan"])))
            canvas.text(at.right, row_y, _vms(group["vms"]), color=MUTED, ha="right")
        top += height + 0.5 * ROW
    if block.more_switches:
        canvas.text(
            at.switch_x + 0.1,
            top + 0.5 * ROW,
            f"+{block.more_switches:,} more switches",
            color=MUTED,
            style="italic",
        )


def _save(figure: Figure, title: str) -> tuple[bytes, bytes]:
    png = io.BytesIO()
    # Without "Software" the PNG carries no text chunk at all (no version, no time).
    FigureCanvasAgg(figure).print_png(png, metadata={"Software": None})
    svg = io.BytesIO()
    # The SVG canvas sets the figure to 72 dpi for good, so it comes last.
    FigureCanvasSVG(figure).print_svg(svg, metadata={"Date": None, "Creator": None, "Title": title})
    return svg.getvalue(), png.getvalue()
