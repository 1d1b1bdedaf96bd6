"""Charts as PNG images for Word documents, drawn offline with matplotlib.

DataFrames in, PNG bytes out. Each chart is sized for an A4 page: 16 cm wide (the text width
between 2.5 cm margins) at 150 dpi, its height growing with the rows it shows. Charts read
like the dashboards' (:mod:`workbench.ui.figures`, :mod:`workbench.ui.gantt`): the same
colours, clusters and workflows down the vertical axis, long names cut in the middle, axis
titles with units, sizes in the binary unit of the largest value.

Matplotlib is used only through :class:`matplotlib.figure.Figure` on an Agg canvas: no
``pyplot``, no global figure registry and no ``rcParams`` changes, so calls from several
threads do not meet (matplotlib keys its font cache on the thread). The same input gives the
same bytes: the PNG carries no software or date metadata. Empty input gives a small image
saying there is no data; malformed input (not a DataFrame, a column missing, a value of the
wrong kind) raises :class:`~workbench.errors.InvalidInputError`.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from workbench.errors import InvalidInputError
from workbench.formatting import cluster_name, count, day, number, size_unit

DPI = 150
"""Pixels per inch of every image."""
WIDTH_PX = 945
"""Width of every image in pixels: 16 cm at :data:`DPI`, an A4 page's text width."""
WIDTH_IN = WIDTH_PX / DPI
"""Width of every image in inches (6.3)."""
FONT = "DejaVu Sans"
"""Ships with matplotlib, so every machine draws the same glyphs."""
LABEL_CHARS = 38
"""Row labels longer than this are cut in the middle (names often differ at either end)."""
MAX_ROWS = 400
"""Rows (workflows, clusters) drawn at most; more would make an image too tall to print."""
TOP_DATES_ROWS = 40
"""A Gantt chart of more workflows shows its dates above the rows as well as below."""
MAX_PANELS = 5
"""Forecast panels drawn at most (the total and the models short of servers come first)."""
ALL_MODELS = "All models"
"""The forecast's total over every model (as :data:`workbench.pool.ALL_MODELS`)."""

# The dashboards' colours (workbench/ui/figures.py, ui/gantt.py, ui/pool.py).
COLOURS = {
    "supply": "#1f3a5f",
    "supply_n1": "#7d93b2",
    "demand": "#d9822b",
    "demand_on": "#b5531a",
    "short": "#b3261e",
    "critical": "#b3261e",
    "normal": "#1f3a5f",
    "done_critical": "#6e120d",
    "done": "#0d1b2e",
    "today": "#d9822b",
    "available": "#7d93b2",
    "text": "#1f2933",
    "muted": "#616e7c",
    "grid": "#e3e6ea",
    "axis": "#9aa5b1",
}

CAPACITY_COLUMNS = [
    "cluster",
    "cores",
    "n1_cores",
    "vcpus",
    "vcpus_on",
    "memory_mib",
    "n1_memory_mib",
    "vram_mib",
    "vram_on_mib",
    "datastore_capacity_mib",
    "provisioned_mib",
    "provisioned_on_mib",
]
"""Columns :func:`capacity_chart_png` reads (of :func:`workbench.capacity.cluster_capacity`)."""
GANTT_COLUMNS = ["name", "start_date", "end_date"]
"""Columns :func:`gantt_png` needs; ``progress_percentage``, ``critical``, ``duration_days``
and ``status`` are read when present."""
FORECAST_COLUMNS = ["week", "model", "available", "demand"]
"""Columns :func:`forecast_png` needs; ``shortfall`` is read when present."""

# Points; small enough for 16 cm, large enough to read once printed.
_TITLE_PT, _TEXT_PT, _SMALL_PT = 10.5, 8, 7


# -- public ---------------------------------------------------------------------------------


def capacity_chart_png(capacity: pd.DataFrame, title: str) -> bytes:
    """Per-cluster demand against capacity for vCPU, memory and storage, as a PNG.

    Three panels side by side share the clusters (one row each, in the frame's order):
    CPU (cores against vCPUs), memory (host RAM against vRAM) and storage (datastore
    capacity against VM provisioned storage). Each row has up to four bars: capacity,
    capacity after losing the largest host (N+1; CPU and memory only), demand of all VMs and
    demand of the powered-on VMs. Memory and storage are in the binary unit of each panel's
    largest value.

    Parameters
    ----------
    capacity : pandas.DataFrame
        :func:`workbench.capacity.cluster_capacity`; the columns read are
        :data:`CAPACITY_COLUMNS`: ``cluster`` (name; '' for hosts and VMs outside any
        cluster), ``cores``, ``n1_cores``, ``vcpus``, ``vcpus_on`` (counts),
        ``memory_mib``, ``n1_memory_mib``, ``vram_mib``, ``vram_on_mib``,
        ``datastore_capacity_mib``, ``provisioned_mib``, ``provisioned_on_mib`` (MiB).
    title : str
        The chart's heading.

    Returns
    -------
    bytes
        A PNG 16 cm wide at 150 dpi (945 px), taller with more clusters; at most
        :data:`MAX_ROWS` clusters are drawn, a note says how many were left out.

    Raises
    ------
    InvalidInputError
        ``capacity`` is not a DataFrame, lacks a column, or holds a value that is not a
        number.
    """
    title = _title(title)
    if _is_empty(capacity):
        return _no_data(title, "No clusters to show.")
    _require(capacity, CAPACITY_COLUMNS, "capacity")
    numbers = {c: _numeric(capacity[c], c) for c in CAPACITY_COLUMNS[1:]}
    names = [cluster_name(name) for name in capacity["cluster"]]
    shown, hidden = min(len(names), MAX_ROWS), max(0, len(names) - MAX_ROWS)
    names = names[:shown]
    numbers = {c: v[:shown] for c, v in numbers.items()}

    series = [
        ("Capacity", "supply"),
        ("Capacity after losing the largest host (N+1)", "supply_n1"),
        ("Demand, all VMs", "demand"),
        ("Demand, powered-on VMs", "demand_on"),
    ]
    panels = [
        ("CPU", "Cores | vCPUs", None, ["cores", "n1_cores", "vcpus", "vcpus_on"]),
        ("Memory", "Host RAM | vRAM", "size", ["memory_mib", "n1_memory_mib", "vram_mib", "vram_on_mib"]),
        ("Storage", "Datastores | provisioned", "size", ["datastore_capacity_mib", None, "provisioned_mib", "provisioned_on_mib"]),
    ]  # fmt: skip
    row_in = 0.1 + 0.075 * len(series)
    header_in, footer_in = 0.95, 0.55 + (0.2 if hidden else 0)
    height = header_in + footer_in + row_in * shown
    fig = _figure(height)
    axes = fig.subplots(1, len(panels), sharey=True)
    _place(fig, height, header_in, footer_in, left_in=_label_width(names), wspace=0.08)
    positions = np.arange(shown)
    bar = 0.8 / len(series)
    for ax, (heading, what, kind, columns) in zip(axes, panels, strict=True):
        values = [numbers[c] if c else None for c in columns]
        unit, factor = ("", 1.0)
        if kind == "size":
            unit, factor = size_unit(
                max(float(np.abs(np.nan_to_num(v)).max()) for v in values if v is not None)
            )
        for k, ((_label, colour), data) in enumerate(zip(series, values, strict=True)):
            if data is None:
                continue
            ax.barh(
                positions - 0.4 + bar * (k + 0.5),
                np.nan_to_num(data / factor),
                height=bar * 0.92,
                color=COLOURS[colour],
                linewidth=0,
            )
        _style(ax, grid="x")
        ax.set_title(
            heading, fontsize=_TEXT_PT, fontweight="bold", family=FONT, color=COLOURS["text"]
        )
        ax.set_xlabel(
            f"{what} ({unit})" if unit else what,
            fontsize=_SMALL_PT,
            family=FONT,
            color=COLOURS["text"],
        )
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=kind is None, min_n_ticks=2))
        ax.xaxis.set_major_formatter(FuncFormatter(_tick))
        ax.set_xlim(left=0)
    axes[0].set_yticks(positions, [_escape(_short(n)) for n in names])
    axes[0].set_ylim(shown - 0.5, -0.5)  # first cluster on top
    _heading(fig, title)
    _legend(fig, [Patch(color=COLOURS[c], label=name) for name, c in series], columns=2)
    if hidden:
        _note(fig, f"{count(hidden)} more clusters not shown.")
    return _png(fig)


def gantt_png(schedule: pd.DataFrame, title: str, today: date | None = None) -> bytes:
    """A project's Gantt chart as a PNG.

    One row per workflow, in the frame's order (schedule order), top to bottom: a bar from
    its first day to the end of its last (dates are inclusive), its done share drawn darker
    from the start, critical workflows in red, milestones (0 days) as diamonds at the end of
    their day, and today as a dashed line (or a note when today is outside the plan).
    Cancelled workflows are drawn as 0-day steps, as the scheduler plans them. Undated
    workflows keep their row without a bar.

    Parameters
    ----------
    schedule : pandas.DataFrame
        :meth:`workbench.api.workflows.Workflows.frame` (:data:`workbench.workflows.FRAME_COLUMNS`):
        ``name``, ``start_date``, ``end_date`` (dates, inclusive) are needed;
        ``progress_percentage`` (0-100), ``critical`` (bool), ``duration_days`` (days of
        the project's calendar, 0 for a milestone) and ``status`` are read when present.
        :meth:`workbench.schedule.Schedule.frame` works too (``id``, ``early_start``,
        ``early_finish``, ``duration_days``, ``critical``; no progress).
    title : str
        The chart's heading.
    today : date, optional
        Where the dashed line goes (default: today's date). Give it for a reproducible image.

    Returns
    -------
    bytes
        A PNG 16 cm wide at 150 dpi (945 px), about 0.5 cm taller per workflow; at most
        :data:`MAX_ROWS` workflows are drawn, a note says how many were left out.

    Raises
    ------
    InvalidInputError
        ``schedule`` is not a DataFrame, lacks a column, or holds a date or number that
        does not read as one.
    """
    title = _title(title)
    if today is None:
        today = date.today()
    elif isinstance(today, datetime):
        today = today.date()
    elif not isinstance(today, date):
        raise InvalidInputError(f"Today must be a date; got {today!r}.")
    if _is_empty(schedule):
        return _no_data(title, "No workflows to show.")
    schedule = _from_schedule_frame(schedule)
    _require(schedule, GANTT_COLUMNS, "schedule")
    total = len(schedule)
    frame = schedule.iloc[:MAX_ROWS]
    hidden = total - len(frame)
    n = len(frame)
    names = [_text(v) for v in frame["name"]]
    starts = _dates(frame["start_date"], "start_date")
    ends = _dates(frame["end_date"], "end_date")
    progress = (
        np.clip(
            np.nan_to_num(_numeric(frame["progress_percentage"], "progress_percentage")), 0, 100
        )
        if "progress_percentage" in frame
        else np.zeros(n)
    )
    critical = (
        np.array([_flag(v) for v in frame["critical"]], dtype=bool)
        if "critical" in frame
        else np.zeros(n, dtype=bool)
    )
    durations = (
        _numeric(frame["duration_days"], "duration_days")
        if "duration_days" in frame
        else np.full(n, np.nan)
    )
    cancelled = (
        np.array([_text(s) == "cancelled" for s in frame["status"]], dtype=bool)
        if "status" in frame
        else np.zeros(n, dtype=bool)
    )
    milestone = ((durations == 0) | cancelled) & ~np.isnat(starts)
    bar = ~milestone & ~np.isnat(starts) & ~np.isnat(ends)
    bad = bar & (ends < starts)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InvalidInputError(
            f"Workflow {names[first]!r} ends ({day(ends[first])}) before it starts "
            f"({day(starts[first])})."
        )

    # Date numbers (days); a bar covers its first day's morning to its last day's evening.
    left = _day_numbers(starts)
    right = _day_numbers(ends) + 1.0
    dated = np.concatenate([left[bar], right[bar], left[milestone] + 1.0])
    today_x = float(date2num(today))
    first, last = (float(dated.min()), float(dated.max())) if dated.size else (today_x, today_x)
    span = max(last - first, 7.0)
    lo, hi = first - span * 0.02, last + span * 0.02
    notes = []
    if not lo <= today_x <= hi:
        where = "before the plan starts" if today_x < lo else "after the plan ends"
        notes.append(f"Today ({day(today)}) is {where}.")
    if hidden:
        notes.append(f"{count(hidden)} more workflows not shown.")
    # A tall chart repeats its dates above the rows, so the first rows can be read too.
    dates_on_top = n > TOP_DATES_ROWS
    row_in = 0.19
    header_in = 0.75 + (0.25 if dates_on_top else 0)
    footer_in = 0.55 + (0.2 if notes else 0)
    height = header_in + footer_in + row_in * max(n, 3)
    fig = _figure(height)
    ax = fig.add_subplot()
    _place(fig, height, header_in, footer_in, left_in=_label_width(names, _SMALL_PT))
    rows = np.arange(n)
    for is_critical in (False, True):
        pick = bar & (critical == is_critical)
        if not pick.any():
            continue
        width = right[pick] - left[pick]
        ax.barh(rows[pick], width, left=left[pick], height=0.56, linewidth=0,
                color=COLOURS["critical" if is_critical else "normal"], alpha=0.5)  # fmt: skip
        done = pick & (progress > 0)
        if done.any():
            ax.barh(rows[done], (right[done] - left[done]) * progress[done] / 100, left=left[done],
                    height=0.56, linewidth=0, color=COLOURS["done_critical" if is_critical else "done"])  # fmt: skip
    if milestone.any():
        # A milestone falls at the end of its day, where the work it closes ends.
        ax.scatter(left[milestone] + 1.0, rows[milestone], marker="D", s=28, zorder=3, linewidths=0.6,
                   edgecolors="white", color=[COLOURS["critical" if c else "normal"] for c in critical[milestone]])  # fmt: skip
    ax.set_xlim(lo, hi)
    ax.set_ylim(max(n, 3) - 0.5, -0.5)
    _style(ax, grid="x")
    ax.set_yticks(rows, [_escape(_short(name)) for name in names])
    ax.tick_params(axis="y", labelsize=_SMALL_PT, length=0)
    ax.tick_params(axis="x", top=dates_on_top, labeltop=dates_on_top)
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=7))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: day(num2date(v).date())))
    ax.set_xlabel("Date", fontsize=_SMALL_PT, family=FONT, color=COLOURS["text"])
    if lo <= today_x <= hi:
        ax.axvline(
            today_x, color=COLOURS["today"], linewidth=1.3, linestyle=(0, (4, 2.5)), zorder=4
        )
        if not dates_on_top:  # else the legend's "Today" says what the line is
            ax.annotate("today", (today_x, 1), xycoords=("data", "axes fraction"), xytext=(3, 1),
                        textcoords="offset points", fontsize=_SMALL_PT, family=FONT, color=COLOURS["today"])  # fmt: skip
    _heading(fig, title)
    handles = [
        Patch(color=COLOURS["normal"], alpha=0.5, label="Workflow"),
        Patch(color=COLOURS["critical"], alpha=0.5, label="Critical"),
        Patch(color=COLOURS["done"], label="Done"),
        Line2D([], [], marker="D", linestyle="", color=COLOURS["normal"], markersize=5, label="Milestone"),
        Line2D([], [], color=COLOURS["today"], linestyle=(0, (4, 2.5)), label="Today"),
    ]  # fmt: skip
    _legend(fig, handles, columns=5)
    if notes:
        _note(fig, " ".join(notes))
    return _png(fig)


def forecast_png(forecast: pd.DataFrame, title: str, model: str | None = None) -> bytes:
    """The hardware pool's weekly available servers against demand, shortfalls marked, as a PNG.

    One panel per model: bars of the servers available each week, demand as a step line,
    and each week short of servers with its gap (demand above what is available) in red and
    the panel's heading saying by how many and from which week.

    Parameters
    ----------
    forecast : pandas.DataFrame
        :meth:`workbench.api.pool.Pool.forecast` (:data:`workbench.pool.FORECAST_COLUMNS`):
        ``week`` (the Monday, a date), ``model`` (a model, or ``"All models"`` summing
        them), ``available``, ``demand`` (servers) are needed; ``shortfall`` (servers) is
        read when present, else max(0, demand - available).
    title : str
        The chart's heading.
    model : str, optional
        Draw this model only. By default: ``"All models"`` first, then the models short
        of servers, then the others, :data:`MAX_PANELS` panels at most (a note counts the
        models left out).

    Returns
    -------
    bytes
        A PNG 16 cm wide at 150 dpi (945 px), about 3.8 cm taller per panel.

    Raises
    ------
    InvalidInputError
        ``forecast`` is not a DataFrame, lacks a column, holds a week that is not a date
        or a count that is not a number, or has no rows for ``model``.
    """
    title = _title(title)
    if _is_empty(forecast):
        return _no_data(title, "No forecast to show.")
    _require(forecast, FORECAST_COLUMNS, "forecast")
    weeks = _dates(forecast["week"], "week")
    frame = pd.DataFrame(
        {
            "week": weeks,
            "model": [_text(m) for m in forecast["model"]],
            "available": np.nan_to_num(_numeric(forecast["available"], "available")),
            "demand": np.nan_to_num(_numeric(forecast["demand"], "demand")),
        }
    )
    if "shortfall" in forecast:
        frame["shortfall"] = np.nan_to_num(_numeric(forecast["shortfall"], "shortfall"))
    else:
        frame["shortfall"] = (frame["demand"] - frame["available"]).clip(lower=0)
    frame = frame[~frame["week"].isna()]
    if frame.empty:
        return _no_data(title, "No forecast to show.")
    models = list(dict.fromkeys(frame["model"]))
    short = {m for m in models if (frame.loc[frame["model"] == m, "shortfall"] > 0).any()}
    if model is not None:
        if model not in models:
            raise InvalidInputError(
                f"No model named {model!r} in this forecast; it has {', '.join(map(repr, models))}."
            )
        chosen = [model]
    else:
        # The total first, then what is short (the reason to read the chart), then the rest.
        chosen = sorted(models, key=lambda m: (m != ALL_MODELS, m not in short))
    hidden = len(chosen) - MAX_PANELS
    chosen = chosen[:MAX_PANELS]
    panel_in = 1.5
    header_in, footer_in = 0.8, 0.5 + (0.2 if hidden > 0 else 0)
    height = header_in + footer_in + panel_in * len(chosen)
    fig = _figure(height)
    axes = fig.subplots(len(chosen), 1, sharex=True, squeeze=False)[:, 0]
    _place(fig, height, header_in, footer_in, left_in=0.65, hspace=0.55)
    for ax, name in zip(axes, chosen, strict=True):
        rows = frame[frame["model"] == name].sort_values("week")
        x = _day_numbers(rows["week"].to_numpy(dtype="datetime64[D]"))
        available, demand = rows["available"].to_numpy(), rows["demand"].to_numpy()
        gap = rows["shortfall"].to_numpy()
        ax.bar(x + 3.5, available, width=5.6, color=COLOURS["available"], linewidth=0)
        lacking = gap > 0
        if lacking.any():
            ax.bar(x[lacking] + 3.5, gap[lacking], bottom=demand[lacking] - gap[lacking], width=5.6,
                   color=COLOURS["short"], alpha=0.85, linewidth=0)  # fmt: skip
        # Demand holds for the whole week: a step from Monday to the next Monday.
        edges = np.append(x, x[-1] + 7) if len(x) else x
        ax.stairs(demand, edges, color=COLOURS["demand"], linewidth=1.8, baseline=None)
        _style(ax, grid="y")
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True, min_n_ticks=2))
        ax.yaxis.set_major_formatter(FuncFormatter(_tick))
        top = max(float(available.max(initial=0)), float(demand.max(initial=0)), 1.0)
        ax.set_ylim(min(0.0, float(available.min(initial=0)) * 1.1), top * 1.15)
        ax.set_ylabel("Servers", fontsize=_SMALL_PT, family=FONT, color=COLOURS["text"])
        heading = _escape(_short(name))
        if lacking.any():
            first = rows["week"].iloc[int(np.flatnonzero(lacking)[0])]
            heading += (
                f": short by up to {count(gap.max())} from the week of {day(first)}"
                f" ({count(lacking.sum())} of {count(len(rows))} weeks)"
            )
        ax.set_title(heading, loc="left", fontsize=_TEXT_PT, family=FONT,
                     color=COLOURS["short"] if lacking.any() else COLOURS["text"])  # fmt: skip
        ax.tick_params(axis="x", labelbottom=True)
    axes[-1].xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=8))
    axes[-1].xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: day(num2date(v).date())))
    axes[-1].set_xlabel(
        "Week (from Monday)", fontsize=_SMALL_PT, family=FONT, color=COLOURS["text"]
    )
    _heading(fig, title)
    handles = [
        Patch(color=COLOURS["available"], label="Available"),
        Line2D([], [], color=COLOURS["demand"], linewidth=1.8, label="Demand"),
        Patch(color=COLOURS["short"], alpha=0.85, label="Shortfall"),
    ]
    _legend(fig, handles, columns=3)
    if hidden > 0:
        _note(fig, f"{count(hidden)} more models not shown.")
    return _png(fig)


# -- input ----------------------------------------------------------------------------------


def _title(title: Any) -> str:
    if not isinstance(title, str):
        raise InvalidInputError(f"A chart's title must be text; got {type(title).__name__}.")
    return title


def _is_empty(frame: Any) -> bool:
    """No rows at all. A frame with no columns either (``pd.DataFrame()``) is empty too,
    whereas one with rows is checked for its columns."""
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInputError(f"A chart needs a DataFrame; got {type(frame).__name__}.")
    return len(frame) == 0


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidInputError(f"The {what} table lacks the column(s) {', '.join(missing)}.")


def _numeric(values: pd.Series, column: str) -> np.ndarray:
    """Floats (NaN where empty); a value that is no number is an error, not a gap."""
    try:
        numbers = pd.to_numeric(values, errors="coerce")
    except TypeError as error:  # e.g. a list in a cell
        raise InvalidInputError(f"Column {column} holds a value that is not a number.") from error
    bad = numbers.isna() & values.notna()
    if bad.any():
        example = values[bad].iloc[0]
        raise InvalidInputError(f"Column {column} holds {str(example)[:40]!r}, not a number.")
    out = numbers.to_numpy(dtype="float64", na_value=np.nan)
    if np.isinf(out).any():
        raise InvalidInputError(f"Column {column} holds an infinite number.")
    return out


def _dates(values: pd.Series, column: str) -> np.ndarray:
    """Days as ``datetime64[D]`` (NaT where empty); text or numbers that are no date fail."""
    try:
        stamps = pd.to_datetime(values, errors="coerce")
    except (TypeError, ValueError) as error:
        raise InvalidInputError(f"Column {column} holds a value that is not a date.") from error
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    bad = stamps.isna() & values.notna()
    if bad.any():
        example = values[bad].iloc[0]
        raise InvalidInputError(f"Column {column} holds {str(example)[:40]!r}, not a date.")
    return stamps.to_numpy(dtype="datetime64[D]")


def _day_numbers(days: np.ndarray) -> np.ndarray:
    """matplotlib's date numbers (days since 1970-01-01) of ``datetime64[D]``; NaN for NaT."""
    out = days.astype("datetime64[D]").astype("int64").astype("float64")
    out[np.isnat(days)] = np.nan
    return out


def _flag(value: Any) -> bool:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return False
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    raise InvalidInputError(f"Column critical holds {str(value)[:40]!r}, not true or false.")


def _text(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _from_schedule_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:meth:`workbench.schedule.Schedule.frame` read as the workflows' frame."""
    if "name" in frame.columns or "early_start" not in frame.columns:
        return frame
    return frame.rename(
        columns={"id": "name", "early_start": "start_date", "early_finish": "end_date"}
    )


# -- drawing --------------------------------------------------------------------------------


def _figure(height_in: float) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)  # attaches itself: an Agg canvas of this figure's own
    return fig


def _place(fig: Figure, height_in: float, header_in: float, footer_in: float, left_in: float,
           **spacing: float) -> None:  # fmt: skip
    """Margins in inches, so headings and labels keep their size whatever the height."""
    fig.subplots_adjust(
        left=left_in / WIDTH_IN,
        right=1 - 0.3 / WIDTH_IN,  # room for the last date label
        top=1 - header_in / height_in,
        bottom=footer_in / height_in,
        **spacing,
    )


def _label_width(names: Sequence[str], points: float = _TEXT_PT) -> float:
    """Inches the row labels need: about 0.6 em per character, within 0.8 to 2.6 inches."""
    longest = max((len(_short(n)) for n in names), default=0)
    return min(2.6, max(0.8, 0.12 + longest * points * 0.6 / 72))


def _style(ax, grid: str) -> None:
    ax.set_facecolor("white")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(COLOURS["axis"])
        ax.spines[side].set_linewidth(0.8)
    ax.tick_params(labelsize=_SMALL_PT, colors=COLOURS["axis"], labelcolor=COLOURS["text"],
                   labelfontfamily=FONT, width=0.8, length=3)  # fmt: skip
    ax.set_axisbelow(True)
    ax.grid(axis=grid, color=COLOURS["grid"], linewidth=0.8)
    ax.grid(axis="y" if grid == "x" else "x", visible=False)


def _heading(fig: Figure, title: str) -> None:
    """The title on one line; one too long for the width is cut with an ellipsis."""
    title = " ".join(title.split())[:200]  # more never fits; fewer measurements below
    text = fig.text(0.12 / WIDTH_IN, 1 - 0.1 / fig.get_figheight(), _escape(title), ha="left",
                    va="top", fontsize=_TITLE_PT, fontweight="bold", family=FONT,
                    color=COLOURS["text"])  # fmt: skip
    room = (WIDTH_IN - 0.3) * DPI
    renderer = fig.canvas.get_renderer()
    keep = len(title)
    while keep > 1 and text.get_window_extent(renderer).width > room:
        keep -= 2
        text.set_text(_escape(title[:keep].rstrip() + "…"))


def _legend(fig: Figure, handles: list, columns: int) -> None:
    legend = fig.legend(handles=handles, loc="upper left", ncols=columns, frameon=False,
                        bbox_to_anchor=(0.12 / WIDTH_IN - 0.005, 1 - 0.32 / fig.get_figheight()),
                        prop={"family": FONT, "size": _SMALL_PT}, handlelength=1.6,
                        columnspacing=1.2, borderaxespad=0)  # fmt: skip
    for text in legend.get_texts():
        text.set_color(COLOURS["text"])


def _note(fig: Figure, text: str) -> None:
    y = 0.06 / fig.get_figheight()
    fig.text(1 - 0.15 / WIDTH_IN, y, _escape(text), ha="right", va="bottom", fontsize=_SMALL_PT,
             style="italic", family=FONT, color=COLOURS["muted"])  # fmt: skip


def _no_data(title: str, message: str) -> bytes:
    fig = _figure(1.1)
    _heading(fig, title)
    fig.text(0.5, 0.35, message, ha="center", va="center", fontsize=_TEXT_PT, family=FONT,
             color=COLOURS["muted"])  # fmt: skip
    return _png(fig)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    # Software: None drops matplotlib's version text; Agg writes no date, so the same input
    # always gives the same bytes.
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def _tick(value: float, _pos: int | None = None) -> str:
    """Axis numbers with thousands separators, decimals only where a tick needs them."""
    return number(value, 0) if abs(value - round(value)) < 1e-9 else number(value, 1)


def _short(text: str) -> str:
    """``text`` cut in the middle to :data:`LABEL_CHARS`, keeping both ends."""
    text = " ".join(str(text).split())  # a line break in a name would break the row
    if len(text) <= LABEL_CHARS:
        return text
    tail = LABEL_CHARS // 3
    return text[: LABEL_CHARS - tail - 1] + "…" + text[-tail:]


def _escape(text: str) -> str:
    """A dollar sign stays a dollar sign (two would start matplotlib's math mode)."""
    return text.replace("$", r"\$")
