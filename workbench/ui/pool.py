"""The hardware-pool dashboard: which server is booked by whom and when, what is left against
what the projects need, lifecycle alerts, book values and procurement, and a form to allocate
or reserve servers and to release them.

Figures follow :mod:`workbench.ui.figures`: ``*_spec`` builds plain JSON for
:class:`workbench.ui.charts.Chart`, ``*_figure`` wraps it in a ``go.Figure`` for notebooks.

- :func:`timeline_spec`: one row per server, grouped by model (a header row per model) and
  sorted by location then name; each booking a bar in its project's colour, allocations
  solid, reservations hatched and lighter; servers in maintenance or decommissioned on a grey
  band with their state written; end of life as a red tick; today as a dashed line.
- :func:`forecast_spec`: per week, servers available (bars) against demand (a step line) for
  one model or all models, the weeks short as red markers.
"""

from __future__ import annotations

import html
import ipaddress
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from workbench import pool as rules
from workbench.api import Workbench
from workbench.errors import WorkbenchError
from workbench.formatting import count, day, is_missing, label, many, money, natural_key
from workbench.ui import STYLE, dashboard, escaped, message
from workbench.ui.charts import Chart
from workbench.ui.figures import Spec, _short, _spec
from workbench.ui.gantt import today_line

PROJECT_COLOURS = (
    "#1f3a5f",
    "#2a9d8f",
    "#d9822b",
    "#7b5ea7",
    "#4e8a4b",
    "#c2185b",
    "#3d7cc9",
    "#8d6e63",
    "#b59a00",
    "#00838f",
)
"""Booking colours by project; red is kept for shortfalls and grey for servers out of use."""
COLOURS = {
    "available": "#7d93b2",
    "demand": "#d9822b",
    "short": "#b3261e",
    "today": "#d9822b",
    "group": "#eef3f9",
    "out_of_use": "#9aa5b1",
    "muted": "#7b8794",
    "group_text": "#1f3a5f",
}
OUT_OF_USE = {"maintenance": "in maintenance", "decommissioned": "decommissioned"}
ROW_PX = 22
DAY_MS = 86_400_000
PAST_DAYS = 14
"""The timeline starts this many days before today (a booking that just ended stays in view)."""
AHEAD_DAYS = 365
MAX_AHEAD_DAYS = 3 * 365
"""The timeline reaches a year ahead, further (up to three years) when a booking starts later."""
FREE_FROM = 28
"""The form's default window: from today for four weeks."""
WEEK_CHOICES = (("13 weeks", 13), ("26 weeks", 26), ("52 weeks", 52))
NO_WORKFLOW = ""
ALERT_ROWS = 100
NO_SERVERS_MESSAGE = (
    "The pool has no servers yet. Add them from an RVTools import's hosts "
    "(ws.pool.import_hosts), an inventory file (ws.pool.import_file) or one by one "
    "(ws.pool.add)."
)

POOL_STYLE = """<style>
table.wb-grid td.wb-overdue { color: #b3261e; font-weight: bold; }
table.wb-grid tr.wb-overdue td { background: #fdecea !important; }
.wb-badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px;
            white-space: nowrap; }
.wb-level-expired { background: #b3261e; color: white; }
.wb-level-30 { background: #fdecea; color: #b3261e; font-weight: bold; }
.wb-level-90 { background: #fff1e0; color: #b5531a; }
.wb-level-180 { background: #fdf7d9; color: #6b5800; }
.wb-shortfalls ul { margin: 4px 0 10px; padding-left: 20px; }
.wb-shortfalls li { color: #b3261e; font-weight: bold; }
.wb-pool-form { background: #f6f7f9; border-radius: 8px; padding: 8px 12px; }
.wb-pool-servers select { font-family: inherit; }
.wb-note { line-height: 1.45; }
.wb-legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; margin: 2px 0 4px;
             color: #1f2933; }
.wb-legend span { white-space: nowrap; }
.wb-legend i { display: inline-block; vertical-align: middle; margin-right: 5px; }
.wb-swatch { width: 22px; height: 11px; border: 1px solid; box-sizing: border-box; }
.wb-tick { width: 0; height: 14px; border-left: 3px solid; }
.wb-dash { width: 18px; height: 0; border-top: 2px dashed; }
</style>"""
LEVEL_CLASSES = {
    "expired": "wb-level-expired",
    "within 30 days": "wb-level-30",
    "within 90 days": "wb-level-90",
    "within 180 days": "wb-level-180",
}


# -- names and colours ---------------------------------------------------------------------


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def short_names(names: Iterable[str]) -> dict[str, str]:
    """Host names without their domain (``esx0101.demo.example`` -> ``esx0101``) wherever that
    keeps them apart; IP addresses and names whose short form repeats stay whole."""
    names = list(dict.fromkeys(names))
    shorts = {n: n if _is_address(n) else n.split(".", 1)[0] or n for n in names}
    seen: dict[str, int] = {}
    for short in shorts.values():
        seen[short.casefold()] = seen.get(short.casefold(), 0) + 1
    return {n: s if seen[s.casefold()] == 1 else n for n, s in shorts.items()}


def project_colours(projects: Iterable[str]) -> dict[str, str]:
    """A colour per project name, by name order, so a colour never moves when a project's
    first booking is made (pass every project, not only those booked)."""
    ordered = sorted(set(projects), key=natural_key)
    return {name: PROJECT_COLOURS[i % len(PROJECT_COLOURS)] for i, name in enumerate(ordered)}


def _tint(colour: str, amount: float) -> str:
    """``colour`` mixed with white (``amount`` 0: unchanged, 1: white)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def _date(value: Any) -> date | None:
    if is_missing(value):
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def live_bookings(bookings: pd.DataFrame) -> pd.DataFrame:
    """Bookings that hold a server at all: a booking released before it began is stored with
    an empty window and holds nothing."""
    return bookings[bookings["end"] > bookings["start"]]


# -- the timeline --------------------------------------------------------------------------


def timeline_rows(servers: pd.DataFrame) -> list[tuple[str, Any]]:
    """The timeline's rows top to bottom: ``("group", (model, servers))`` headers, each
    followed by its ``("server", record)`` rows, by location then name."""
    rows: list[tuple[str, Any]] = []
    frame = servers.assign(
        _model=servers["group"].fillna("(model not given)"),
        _location=servers["location"].fillna(""),
    )
    models = sorted(
        frame["_model"].unique(), key=lambda m: (m == "(model not given)", natural_key(m))
    )
    for model in models:
        members = frame[frame["_model"] == model]
        ordered = sorted(
            members.to_dict("records"),
            key=lambda r: (natural_key(r["_location"]), natural_key(r["server_name"])),
        )
        rows.append(("group", (model, ordered)))
        rows.extend(("server", record) for record in ordered)
    return rows


def _group_title(model: str, members: list[dict[str, Any]]) -> str:
    lots = sorted({m["lot"] for m in members if not is_missing(m.get("lot"))})
    places = sorted({m["location"] for m in members if not is_missing(m.get("location"))})
    where = ", ".join(places) if len(places) <= 2 else f"{count(len(places))} locations"
    parts = [f"<b>{escaped(model)}</b>" + (f" (lot {escaped(', '.join(lots))})" if lots else "")]
    parts.append(many(len(members), "server"))
    if where:
        parts.append(escaped(where))
    return " · ".join(parts)


def timeline_range(
    bookings: pd.DataFrame, today: date, keep: Iterable[str] = ()
) -> tuple[date, date]:
    """The dates the timeline shows: two weeks back to a year ahead, further when a booking
    starts later (at most three years ahead), and always the whole of the ``keep`` bookings
    (those just made)."""
    first = today - timedelta(days=PAST_DAYS)
    last = today + timedelta(days=AHEAD_DAYS)
    live = live_bookings(bookings)
    if len(live):
        starts = [d for d in map(_date, live["start"]) if d is not None]
        latest = max(starts, default=today)
        if latest > last - timedelta(days=30):
            last = min(latest + timedelta(days=90), today + timedelta(days=MAX_AHEAD_DAYS))
    kept = live[live["id"].isin(set(keep))]
    for start, end in zip(kept["start"], kept["end"], strict=True):
        first = min(first, _date(start) - timedelta(days=7))
        last = max(last, _date(end) + timedelta(days=7))
    return first, last


def _booking_hover(b: dict[str, Any], server: str) -> str:
    start, end = _date(b["start"]), _date(b["end"])
    days = (end - start).days
    lines = [
        f"<b>{escaped(server)}</b>",
        f"{escaped(b['project'])}",
        f"Workflow: {escaped(b['workflow'])}",
        f"{label(b['kind'])} from {day(start)} until {day(end)} ({many(days, 'day')})",
    ]
    if not is_missing(b.get("notes")) and b.get("notes"):
        lines.append(f"Notes: {escaped(b['notes'])}")
    return "<br>".join(lines)


def timeline_spec(
    servers: pd.DataFrame,
    bookings: pd.DataFrame,
    *,
    today: date | None = None,
    colours: dict[str, str] | None = None,
    highlight: Iterable[str] = (),
    title: str = "Availability per server",
) -> Spec:
    """Every server's bookings over time.

    Parameters
    ----------
    servers : pandas.DataFrame
        :meth:`workbench.api.pool.Pool.frame` (:data:`workbench.pool.SERVER_COLUMNS`).
    bookings : pandas.DataFrame
        :meth:`workbench.api.pool.Pool.bookings` (:data:`workbench.pool.BOOKING_COLUMNS`);
        ``end`` is exclusive (the server is free again that day).
    today : date, optional
        Where the dashed line goes (default: today).
    colours : dict, optional
        Project name -> colour (default: :func:`project_colours` of the booked projects).
    highlight : ids of bookings
        Outlined in black (the bookings just made); the range always shows them whole.

    Returns
    -------
    dict
        The figure as plain JSON; its height grows with the servers.
    """
    today = today or date.today()
    highlight = set(highlight)
    rows = timeline_rows(servers)
    position = {record["id"]: i for i, (kind, record) in enumerate(rows) if kind == "server"}
    shown = short_names(servers["server_name"])
    live = live_bookings(bookings)
    live = live[live["server_id"].isin(position)]
    colours = colours or project_colours(live["project"])
    first, last = timeline_range(bookings, today, highlight)
    names = {r["id"]: r["server_name"] for kind, r in rows if kind == "server"}

    traces: list[dict[str, Any]] = []
    records = live.to_dict("records")
    for project in sorted({b["project"] for b in records}, key=natural_key):
        colour = colours.get(project, PROJECT_COLOURS[0])
        for kind in rules.BOOKING_KINDS:
            chosen = [b for b in records if b["project"] == project and b["kind"] == kind]
            if not chosen:
                continue
            new = [b["id"] in highlight for b in chosen]
            marker: dict[str, Any] = {
                "color": colour if kind == "allocation" else _tint(colour, 0.72),
                "line": {
                    "color": ["#111111" if n else colour for n in new],
                    "width": [2.5 if n else 1 for n in new],
                },
            }
            if kind == "reservation":
                marker["pattern"] = {"shape": "/", "fgcolor": colour, "size": 7, "solidity": 0.3}
            traces.append(
                {
                    "type": "bar",
                    "orientation": "h",
                    "name": escaped(project) + ("" if kind == "allocation" else " (reserved)"),
                    "legendgroup": escaped(project),
                    "base": [day(b["start"]) for b in chosen],
                    "x": [(_date(b["end"]) - _date(b["start"])).days * DAY_MS for b in chosen],
                    "y": [position[b["server_id"]] for b in chosen],
                    "width": 0.62,
                    "marker": marker,
                    "hovertext": [_booking_hover(b, names[b["server_id"]]) for b in chosen],
                    "hoverinfo": "text",
                }
            )
    ends = [
        (i, _date(r["end_of_life"]))
        for i, (kind, r) in enumerate(rows)
        if kind == "server" and _date(r["end_of_life"]) and first <= _date(r["end_of_life"]) <= last
    ]
    if ends:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "End of life",
                "x": [day(d) for _i, d in ends],
                "y": [i for i, _d in ends],
                "marker": {
                    "symbol": "line-ns-open",
                    "size": 16,
                    "line": {"width": 3, "color": COLOURS["short"]},
                    "color": COLOURS["short"],
                },
                "hovertext": [
                    f"<b>{escaped(rows[i][1]['server_name'])}</b><br>End of life {day(d)}"
                    for i, d in ends
                ],
                "hoverinfo": "text",
            }
        )

    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    ticks: list[str] = []
    for i, (kind, record) in enumerate(rows):
        if kind == "group":
            model, members = record
            ticks.append("")
            shapes.append(_band(i, COLOURS["group"], 1.0))
            annotations.append(
                _row_note(i, _group_title(model, members), COLOURS["group_text"], COLOURS["group"])
            )
            continue
        where = record.get("location")
        tick = escaped(_short(shown[record["server_name"]]))
        state = OUT_OF_USE.get(record["status"])
        if state:
            tick = f"<span style='color:{COLOURS['muted']}'>{tick}</span>"
            shapes.append(_band(i, COLOURS["out_of_use"], 0.22))
            annotations.append(_row_note(i, f"<i>{state}</i>", COLOURS["muted"], "#e8ebee"))
        if not is_missing(where) and where:
            tick += f"  <span style='color:{COLOURS['muted']}'>{escaped(_short(where))}</span>"
        ticks.append(tick)
    shapes.append(today_line(today))
    # Dates above the plot (a tall chart is read from its top) and again below it: the
    # lower axis only shows when a trace uses it, hence an invisible point.
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "x": [first.isoformat()],
            "y": [0],
            "xaxis": "x2",
            "marker": {"opacity": 0},
            "showlegend": False,
            "hoverinfo": "skip",
        }
    )
    dates = {
        "type": "date",
        "automargin": True,
        "ticks": "outside",
        "tick0": "2000-01-01",
        "dtick": _month_step(first, last),
        "tickformat": "%b %Y",
    }
    return _spec(
        traces,
        title,
        max(260, 150 + ROW_PX * len(rows)),
        barmode="overlay",
        showlegend=False,
        xaxis={
            **dates,
            "range": [first.isoformat(), last.isoformat()],
            "side": "top",
            "showgrid": True,
        },
        xaxis2={**dates, "matches": "x", "overlaying": "x", "side": "bottom", "showgrid": False},
        yaxis={
            "tickmode": "array",
            "tickvals": list(range(len(rows))),
            "ticktext": ticks,
            "range": [len(rows) - 0.5, -0.5],
            "automargin": True,
            "zeroline": False,
            "showgrid": False,
            "fixedrange": True,
        },
        margin={"t": 50, "b": 30, "l": 10, "r": 20},
        shapes=shapes,
        annotations=annotations,
        hovermode="closest",
        hoverlabel={"align": "left"},  # several lines read from the left
    )


def _month_step(first: date, last: date) -> str:
    """Months between date ticks, so that both date axes tick alike, about ten ticks at most."""
    months = (last - first).days / 30.4
    step = next((m for m in (1, 2, 3, 6, 12) if months / m <= 10), 24)
    return f"M{step}"


def timeline_legend_html(
    bookings: pd.DataFrame, colours: dict[str, str], highlight: Iterable[str] = ()
) -> str:
    """The timeline's key as HTML above it: each booked project's colour, then what solid,
    hatched, grey, the red tick and the dashed line mean. (A plotly legend above the plot
    would sit on the dates of its upper axis.)"""
    live = live_bookings(bookings)
    projects = sorted(set(live["project"]), key=natural_key)

    def swatch(colour: str, hatched: bool = False) -> str:
        fill = (
            f"repeating-linear-gradient(135deg, {colour} 0 2px, {_tint(colour, 0.72)} 2px 6px)"
            if hatched
            else colour
        )
        return f'<i class="wb-swatch" style="background:{fill};border-color:{colour}"></i>'

    items = [
        f"<span>{swatch(colours.get(p, PROJECT_COLOURS[0]))}{escaped(p)}</span>" for p in projects
    ]
    grey = "#52606d"
    items += [
        f"<span>{swatch(grey)}allocation</span>",
        f"<span>{swatch(grey, hatched=True)}reservation</span>",
        f'<span><i class="wb-swatch" style="background:{COLOURS["out_of_use"]};opacity:.45;'
        'border-color:transparent"></i>in maintenance or decommissioned</span>',
        f'<span><i class="wb-tick" style="border-color:{COLOURS["short"]}"></i>end of life</span>',
        f'<span><i class="wb-dash" style="border-color:{COLOURS["today"]}"></i>today</span>',
    ]
    if set(highlight) & set(live["id"]):
        items.append(
            '<span><i class="wb-swatch" style="background:white;border:2px solid #111"></i>'
            "just booked</span>"
        )
    return f'<div class="wb-legend">{"".join(items)}</div>'


def _band(row: int, colour: str, opacity: float) -> dict[str, Any]:
    return {
        "type": "rect",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "y0": row - 0.5,
        "y1": row + 0.5,
        "fillcolor": colour,
        "opacity": opacity,
        "line": {"width": 0},
        "layer": "below",
    }


def _row_note(row: int, text: str, colour: str, background: str) -> dict[str, Any]:
    # On its row's colour, so the today line passes behind the text instead of through it.
    return {
        "bgcolor": background,
        "xref": "paper",
        "x": 0,
        "xanchor": "left",
        "xshift": 6,
        "y": row,
        "yref": "y",
        "text": text,
        "showarrow": False,
        "font": {"size": 12, "color": colour},
    }


def timeline_figure(servers: pd.DataFrame, bookings: pd.DataFrame, **options: Any) -> go.Figure:
    """:func:`timeline_spec` as a Figure, with a legend of the projects on the right."""
    spec = timeline_spec(servers, bookings, **options)
    spec["layout"]["showlegend"] = True
    spec["layout"]["legend"] = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1}
    return go.Figure(spec)


# -- forecast against demand ---------------------------------------------------------------


def forecast_models(forecast: pd.DataFrame, shortfalls: pd.DataFrame) -> list[tuple[str, str]]:
    """The forecast's models as dropdown options: all models first, then each model, the
    short ones marked."""
    short = set(shortfalls["model"]) if len(shortfalls) else set()
    models = [m for m in forecast["model"].unique() if m != rules.ALL_MODELS]
    options = [
        (rules.ALL_MODELS + (" (short)" if rules.ALL_MODELS in short else ""), rules.ALL_MODELS)
    ]
    options += [
        (m + (" (short)" if m in short else ""), m) for m in sorted(models, key=natural_key)
    ]
    return options


def _step(top: float) -> int | None:
    """A whole-number tick step for counts of servers up to ``top`` (None: plotly's own)."""
    for limit, step in ((10, 1), (24, 2), (60, 5), (120, 10)):
        if top <= limit:
            return step
    return None


def forecast_spec(forecast: pd.DataFrame, model: str = rules.ALL_MODELS) -> Spec:
    """Servers available per week against demand, for one model (or all models together).

    Parameters
    ----------
    forecast : pandas.DataFrame
        :meth:`workbench.api.pool.Pool.forecast` (:data:`workbench.pool.FORECAST_COLUMNS`).
    model : str
        A model of the forecast, or :data:`workbench.pool.ALL_MODELS`.

    Returns
    -------
    dict
        Bars of available servers, demand as a step line, red markers on the weeks short.
    """
    rows = forecast[forecast["model"] == model].sort_values("week")
    weeks = [day(w) for w in rows["week"]]
    hover = [
        f"<b>Week of {day(r.week)}</b><br>{count(r.available)} available = {count(r.in_stock)} in "
        f"stock − {count(r.allocated)} allocated − {count(r.reserved)} reserved"
        f" + {count(r.expected_deliveries)} expected − {count(r.planned_decommissions)} past end "
        f"of life<br>Demand {count(r.demand)}"
        + (f"<br><b>Short by {count(r.shortfall)}</b>" if r.shortfall > 0 else "")
        for r in rows.itertuples()
    ]
    short = rows["shortfall"].to_numpy() > 0
    traces = [
        {
            "type": "bar",
            "name": "Available",
            "x": weeks,
            "y": [int(v) for v in rows["available"]],
            "marker": {"color": COLOURS["available"]},
            "hovertext": hover,
            "hoverinfo": "text",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Demand",
            "x": weeks,
            "y": [int(v) for v in rows["demand"]],
            "line": {"color": COLOURS["demand"], "width": 3, "shape": "hvh"},
            "hovertext": hover,
            "hoverinfo": "text",
        },
    ]
    if short.any():
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Short",
                "x": [w for w, s in zip(weeks, short, strict=True) if s],
                "y": [int(v) for v, s in zip(rows["demand"], short, strict=True) if s],
                "marker": {"color": COLOURS["short"], "size": 11, "symbol": "x"},
                "hovertext": [h for h, s in zip(hover, short, strict=True) if s],
                "hoverinfo": "text",
            }
        )
    top = float(max(rows["available"].max(), rows["demand"].max(), 1)) if len(rows) else 1.0
    step = _step(top)
    yaxis: dict[str, Any] = {
        "title": {"text": "Servers"},
        "rangemode": "tozero",
        "tickformat": ",d",
        "automargin": True,
    }
    if step:
        yaxis["dtick"] = step
    return _spec(
        traces,
        f"Servers available against demand per week: {escaped(model)}",
        380,
        barmode="overlay",
        bargap=0.15,
        xaxis={"type": "date", "title": {"text": "Week (from Monday)"}, "automargin": True},
        yaxis=yaxis,
        hovermode="closest",
        hoverlabel={"align": "left"},  # several lines read from the left
    )


def forecast_figure(forecast: pd.DataFrame, model: str = rules.ALL_MODELS) -> go.Figure:
    """:func:`forecast_spec` as a Figure."""
    return go.Figure(forecast_spec(forecast, model))


def shortfall_sentences(forecast: pd.DataFrame, shortfalls: pd.DataFrame) -> list[str]:
    """One plain sentence per model short of servers, soonest first, e.g. "DS-325 short by 2
    servers from the week of 2027-03-29 (4 of the next 26 weeks)."."""
    weeks = forecast["week"].nunique()
    out = []
    for row in shortfalls.itertuples():
        first = forecast[(forecast["model"] == row.model) & (forecast["week"] == row.first_week)]
        amount = int(first["shortfall"].iloc[0]) if len(first) else int(row.largest)
        text = (
            f"{row.model} short by {many(amount, 'server')} from the week of {day(row.first_week)}"
        )
        if int(row.largest) > amount:
            text += f", up to {count(row.largest)}"
        out.append(f"{text} ({count(row.weeks_short)} of the next {many(weeks, 'week')}).")
    return out


# -- tables --------------------------------------------------------------------------------


def _table(head: list[tuple[str, bool]], rows: list[str], css: str) -> str:
    cells = "".join(
        f'<th class="wb-num">{html.escape(h)}</th>' if num else f"<th>{html.escape(h)}</th>"
        for h, num in head
    )
    return (
        f'<div class="wb-scroll"><table class="wb-grid {css}"><tr>{cells}</tr>'
        f"{''.join(rows)}</table></div>"
    )


def alerts_table_html(alerts: pd.DataFrame, servers: pd.DataFrame, limit: int = ALERT_ROWS) -> str:
    """Warranty and end-of-life alerts (:meth:`workbench.api.pool.Pool.alerts`), soonest
    first, the level as a coloured badge; an empty list says why it is empty."""
    if alerts.empty:
        dated = servers[
            (servers["status"] != "decommissioned")
            & (servers["warranty_end"].notna() | servers["end_of_life"].notna())
        ]
        if servers.empty:
            return message("No servers in the pool yet.", "info")
        if dated.empty:
            return message(
                "No server has a warranty end or end-of-life date yet, so there is nothing to "
                "warn about. Add the dates with ws.pool.update or an inventory file.",
                "info",
            )
        return message(
            "No warranty or end of life ends within 180 days, and none has passed.", "success"
        )
    rows = []
    for a in alerts.head(limit).itertuples():
        days = int(a.days_left)
        when = (
            f"{many(-days, 'day')} ago"
            if days < 0
            else ("today" if days == 0 else f"in {many(days, 'day')}")
        )
        badge = LEVEL_CLASSES.get(a.level, "")
        rows.append(
            f"<tr><td>{escaped(a.server_name)}</td><td>{escaped(a.location)}</td>"
            f"<td>{'Warranty ends' if a.kind == 'warranty' else 'End of life'}</td>"
            f"<td>{day(a.date)}</td><td class='wb-num'>{when}</td>"
            f'<td><span class="wb-badge {badge}">{escaped(label(a.level))}</span></td></tr>'
        )
    more = len(alerts) - limit
    note = (
        f'<div class="wb-note">… and {many(more, "more alert")} (ws.pool.alerts() lists them all).</div>'
        if more > 0
        else ""
    )
    head = [("Server", False), ("Location", False), ("What", False), ("Date", False)]
    head += [("When", True), ("Level", False)]
    return _table(head, rows, "wb-alerts-table") + note


def book_values_html(values: pd.DataFrame, servers: pd.DataFrame, as_of: date) -> str:
    """Book value totals by location and by project (booked on ``as_of``), side by side, each
    per currency with a total row; an empty pool or one without prices says why.

    ``values`` is :meth:`workbench.api.pool.Pool.book_values`."""
    if values.empty:
        if servers.empty:
            return message("No servers in the pool yet.", "info")
        return message(
            "No server has both a purchase price and a procurement date, so no book value can "
            "be worked out. Add them with ws.pool.update or an inventory file.",
            "info",
        )
    when = "today" if as_of == date.today() else day(as_of)
    parts = []
    for by, heading in (("location", "Location"), ("project", f"Project booked {when}")):
        totals = rules.book_value_totals(values, by)
        rows = [
            f"<tr><td>{escaped(getattr(t, by))}</td><td class='wb-num'>{count(t.servers)}</td>"
            f"<td class='wb-num'>{money(t.purchase_price, t.currency)}</td>"
            f"<td class='wb-num'>{money(t.book_value, t.currency)}</td>"
            f"<td class='wb-num'>{money(t.accumulated, t.currency)}</td></tr>"
            for t in totals.itertuples()
        ]
        several = totals["currency"].nunique() > 1
        for currency, part in totals.groupby("currency", sort=True):
            if len(part) > 1:
                rows.append(
                    f"<tr><td><b>Total{' ' + currency if several else ''}</b></td>"
                    f"<td class='wb-num'><b>{count(part['servers'].sum())}</b></td>"
                    + "".join(
                        f"<td class='wb-num'><b>{money(sum(part[c]), currency)}</b></td>"
                        for c in ("purchase_price", "book_value", "accumulated")
                    )
                    + "</tr>"
                )
        head = [(heading, False), ("Servers", True), ("Bought for", True)]
        head += [(f"Book value {when}", True), ("Depreciated", True)]
        title = "By location" if by == "location" else "By project"
        parts.append(f"<div><h4>{title}</h4>{_table(head, rows, f'wb-values-{by}')}</div>")
    priced = len(values)
    note = (
        f'<div class="wb-note">{many(priced, "server")} with a purchase price and a '
        "procurement date, depreciated from that date over its life down to its salvage value "
        "(straight line or declining balance, as set per server)"
        + (
            f"; {many(len(servers) - priced, 'server')} without them left out."
            if len(servers) > priced
            else "."
        )
        + "</div>"
    )
    return '<div style="display:flex;flex-wrap:wrap;gap:0 32px">' + "".join(parts) + "</div>" + note


REQUEST_ORDER = {"requested": 0, "approved": 1, "ordered": 2, "delivered": 3, "cancelled": 4}


def requests_table_html(requests: pd.DataFrame) -> str:
    """Procurement requests (:meth:`workbench.api.procurement.Procurement.frame`): open ones
    first by expected delivery, overdue ones in red."""
    if requests.empty:
        return message(
            "No procurement requests yet. Ask for hardware with ws.procurement.create, or from "
            "a sizing with ws.procurement.from_recommendation.",
            "info",
        )
    ordered = requests.assign(
        _order=requests["status"].map(REQUEST_ORDER).fillna(9),
        _undated=requests["expected_delivery"].isna(),
    ).sort_values(["_order", "_undated", "expected_delivery", "request_name"], kind="stable")
    rows = []
    for r in ordered.itertuples():
        late = bool(r.overdue)
        expected = day(r.expected_delivery)
        if late:
            expected = f"{expected} (overdue)"
        received = f"{count(r.delivered)} of {count(r.servers)}"
        mark = ' class="wb-overdue"' if late else ""
        rows.append(
            f"<tr{mark}>"
            f"<td>{escaped(r.request_name)}</td><td>{escaped(r.project)}</td>"
            f"<td>{escaped(label(r.status))}</td><td>{escaped(r.vendor)}</td>"
            f"<td class='wb-num'>{received}</td>"
            f"<td class='wb-num'>{money(r.total_cost, r.currency)}</td>"
            f"<td>{escaped(r.purchase_order_number)}</td>"
            f"<td{mark}>{expected}</td>"
            f"<td>{day(r.actual_delivery)}</td></tr>"
        )
    head = [("Request", False), ("Project", False), ("Status", False), ("Vendor", False)]
    head += [("Servers delivered", True), ("Total", True), ("Purchase order", False)]
    head += [("Expected delivery", False), ("Delivered", False)]
    overdue = int(requests["overdue"].sum())
    note = (
        f'<div class="wb-note">Red: {many(overdue, "request")} approved or ordered and past '
        "its expected delivery.</div>"
        if overdue
        else ""
    )
    return _table(head, rows, "wb-requests-table") + note


def kpis_html(
    servers: pd.DataFrame, shortfalls: pd.DataFrame, alerts: pd.DataFrame, requests: pd.DataFrame
) -> str:
    """Headline figures: servers in the pool and their state today, models short, alerts
    within 90 days, overdue requests."""
    status = servers["status"]
    soon = int((alerts["days_left"] <= 90).sum()) if len(alerts) else 0
    overdue = int(requests["overdue"].sum()) if len(requests) else 0
    items = [
        ("servers in the pool", count(int((status != "decommissioned").sum())), False),
        ("free today", count(int((status == "available").sum())), False),
        ("allocated today", count(int((status == "allocated").sum())), False),
        ("reserved today", count(int((status == "reserved").sum())), False),
        ("in maintenance", count(int((status == "maintenance").sum())), False),
        ("models short", count(len(shortfalls)), len(shortfalls) > 0),
        ("alerts within 90 days", count(soon), soon > 0),
        ("overdue requests", count(overdue), overdue > 0),
    ]
    cells = "".join(
        f'<div class="wb-kpi{" wb-short" if short else ""}"><b>{html.escape(v)}</b>'
        f"{html.escape(k)}</div>"
        for k, v, short in items
    )
    return f'<div class="wb-kpis">{cells}</div>'


# -- the app -------------------------------------------------------------------------------


def server_options(
    servers: pd.DataFrame, bookings: pd.DataFrame, start: date | None, end: date | None
) -> tuple[list[tuple[str, str]], int]:
    """The form's server list for a window [start, end): free servers first, then the others
    with what keeps them (a booking, maintenance, end of life); decommissioned ones are left
    out. Returns the options (label, server id) and how many are free.

    Without a valid window every server is listed, none marked.
    """
    usable = servers[servers["status"] != "decommissioned"]
    shown = short_names(servers["server_name"])

    def text(r: dict[str, Any]) -> str:
        parts = [shown[r["server_name"]], r["group"] or "(model not given)"]
        if not is_missing(r.get("location")) and r.get("location"):
            parts.append(str(r["location"]))
        return " · ".join(parts)

    records = sorted(
        usable.to_dict("records"),
        key=lambda r: (natural_key(r["group"] or ""), natural_key(r["server_name"])),
    )
    if start is None or end is None or end <= start:
        return [(text(r), r["id"]) for r in records], 0
    live = live_bookings(bookings)
    free_ids = set(rules.free_servers(usable, live, start, end)["id"])
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    clashes = live[(live["start"] < last) & (live["end"] > first)]
    why: dict[str, str] = {}
    for b in clashes.itertuples():
        why.setdefault(b.server_id, f"booked: {b.project} ({b.kind}) until {day(b.end)}")
    free, other = [], []
    for r in records:
        if r["id"] in free_ids:
            free.append((text(r), r["id"]))
            continue
        reason = why.get(r["id"])
        if reason is None and r["status"] == "maintenance":
            reason = "in maintenance"
        if reason is None and _date(r["end_of_life"]) and _date(r["end_of_life"]) < end:
            reason = f"end of life {day(r['end_of_life'])}"
        other.append((f"{text(r)} — {reason or 'not free'}", r["id"]))
    return free + other, len(free)


class PoolApp:
    """The hardware pool: timeline, forecast, alerts, book values, requests, and a form to
    allocate, reserve and release servers.

    The store is read once at start and again after each allocation or release (or on
    Reload); a change of the forecast's model or of the form's window only recomputes from
    what was read. Values are computed first and sent in one burst; each figure is sent once
    per change (an unchanged figure sends nothing).
    """

    def __init__(self, ws: Workbench, today: date | None = None, weeks: int = 26):
        self.ws = ws
        self.today = today or date.today()
        self.highlight: set[str] = set()
        self._quiet = False
        wide = {"style": {"description_width": "90px"}, "layout": widgets.Layout(width="420px")}

        self.kpis = widgets.HTML()
        self.status = widgets.HTML()
        self.reload_button = widgets.Button(
            description="Reload", tooltip="Read the pool again (changes made elsewhere)"
        )
        self.timeline_legend = widgets.HTML()
        self.timeline = Chart()
        self.timeline_note = widgets.HTML()

        self.project = widgets.Dropdown(description="Project", **wide)
        self.workflow = widgets.Dropdown(description="Workflow", **wide)
        self.start = widgets.DatePicker(description="From", value=self.today, **wide)
        self.end = widgets.DatePicker(
            description="Until", value=self.today + timedelta(days=FREE_FROM), **wide
        )
        # A toggle shows both kinds at once; its own description would sit above it, so the
        # label is a separate widget lined up with the other fields' descriptions.
        self.kind = widgets.ToggleButtons(
            options=[("Allocation", "allocation"), ("Reservation", "reservation")],
            value="allocation",
            style={"button_width": "110px"},
        )
        kind_row = widgets.HBox(
            [
                widgets.HTML(
                    '<div style="text-align:right;padding-right:8px">Kind</div>',
                    layout=widgets.Layout(width="98px"),
                ),
                self.kind,
            ]
        )
        self.notes = widgets.Text(description="Notes", placeholder="optional", **wide)
        self.servers = widgets.SelectMultiple(
            description="Servers",
            rows=12,
            style={"description_width": "70px"},
            # Stretched by its column; a width of 100% would add the description's to it.
            layout=widgets.Layout(width="auto"),
        )
        self.servers_note = widgets.HTML()
        self.allocate_button = widgets.Button(description="Allocate", button_style="primary")
        self.form_message = widgets.HTML()

        self.booking = widgets.Dropdown(
            description="Booking",
            style={"description_width": "90px"},
            layout=widgets.Layout(width="auto", max_width="100%", min_width="420px"),
        )
        self.release_on = widgets.DatePicker(description="Free from", **wide)
        self.release_button = widgets.Button(description="Release", button_style="warning")
        self.release_message = widgets.HTML()

        self.model = widgets.Dropdown(description="Model", **wide)
        self.weeks = widgets.Dropdown(
            options=WEEK_CHOICES,
            value=weeks if weeks in dict(WEEK_CHOICES).values() else 26,
            description="Horizon",
            style={"description_width": "70px"},
            layout=widgets.Layout(width="200px"),
        )
        self.shortfall_note = widgets.HTML()
        self.forecast_chart = Chart()
        self.alerts_table = widgets.HTML()
        self.book_values = widgets.HTML()
        self.requests_table = widgets.HTML()

        for control, css in (
            (self.kpis, "wb-pool-kpis"),
            (self.status, "wb-pool-status"),
            (self.timeline, "wb-timeline"),
            (self.timeline_legend, "wb-timeline-legend"),
            (self.project, "wb-pool-project"),
            (self.workflow, "wb-pool-workflow"),
            (self.start, "wb-pool-start"),
            (self.end, "wb-pool-end"),
            (self.kind, "wb-pool-kind"),
            (self.notes, "wb-pool-notes"),
            (self.servers, "wb-pool-servers"),
            (self.servers_note, "wb-pool-servers-note"),
            (self.allocate_button, "wb-allocate"),
            (self.form_message, "wb-pool-message"),
            (self.booking, "wb-release-choice"),
            (self.release_on, "wb-release-on"),
            (self.release_button, "wb-release"),
            (self.release_message, "wb-release-message"),
            (self.model, "wb-forecast-model"),
            (self.weeks, "wb-forecast-weeks"),
            (self.shortfall_note, "wb-shortfalls"),
            (self.forecast_chart, "wb-forecast"),
            (self.alerts_table, "wb-alerts"),
            (self.book_values, "wb-book-values"),
            (self.requests_table, "wb-requests"),
        ):
            control.add_class(css)

        self.reload_button.on_click(lambda _b: self.reload())
        self.project.observe(lambda _c: self._quiet or self._on_project(), names="value")
        for control in (self.start, self.end):
            control.observe(lambda _c: self._quiet or self._fill_servers(), names="value")
        self.kind.observe(
            lambda c: setattr(
                self.allocate_button,
                "description",
                "Allocate" if c["new"] == "allocation" else "Reserve",
            ),
            names="value",
        )
        self.allocate_button.on_click(lambda _b: self.allocate())
        self.release_button.on_click(lambda _b: self.release())
        self.model.observe(lambda _c: self._quiet or self._draw_forecast(), names="value")
        self.weeks.observe(lambda _c: self._quiet or self.reload(), names="value")

        self.form = form = widgets.VBox(
            [
                widgets.HTML("<h3>Allocate or reserve servers</h3>"),
                widgets.HBox(
                    [
                        widgets.VBox(
                            [
                                self.project,
                                self.workflow,
                                self.start,
                                self.end,
                                kind_row,
                                self.notes,
                                self.allocate_button,
                            ],
                            layout=widgets.Layout(flex="0 0 440px"),
                        ),
                        widgets.VBox(
                            [self.servers, self.servers_note],
                            layout=widgets.Layout(flex="1 1 460px", min_width="0"),
                        ),
                    ],
                    layout=widgets.Layout(width="100%", flex_flow="row wrap"),
                ),
                self.form_message,
                widgets.HTML("<h3>Release a booking</h3>"),
                self.booking,
                widgets.HBox([self.release_on, self.release_button]),
                widgets.HTML(
                    '<div class="wb-note">The server is free from that day (empty: today); a '
                    "booking that has not begun by then is cancelled.</div>"
                ),
                self.release_message,
            ],
            layout=widgets.Layout(width="100%"),
        )
        form.add_class("wb-pool-form")
        self.forecast_controls = widgets.HBox([self.model, self.weeks])
        self.forecast_note = widgets.HTML(
            '<div class="wb-note">Available: servers in stock, less those allocated or '
            "reserved that week, plus approved and ordered servers expected by the week's "
            "end, less those past their end of life. Demand: what the projects' workflows "
            "ask for (hardware requirements), less servers already booked for them, from "
            "the workflow's start to the project's end.</div>"
        )
        self.widget = widgets.VBox(
            [
                widgets.HTML(STYLE + POOL_STYLE),
                widgets.HBox([self.kpis, self.reload_button]),
                self.status,
                widgets.HTML("<h3>Bookings per server</h3>"),
                self.timeline_note,
                self.timeline_legend,
                self.timeline,
                form,
                widgets.HTML("<h3>Forecast against demand</h3>"),
                self.forecast_controls,
                self.shortfall_note,
                self.forecast_chart,
                self.forecast_note,
                widgets.HTML("<h3>Warranty and end-of-life alerts</h3>"),
                self.alerts_table,
                widgets.HTML("<h3>Book value</h3>"),
                self.book_values,
                widgets.HTML("<h3>Procurement requests</h3>"),
                self.requests_table,
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.reload()

    # -- reading and drawing ---------------------------------------------------------------

    def reload(self) -> None:
        """Read the pool, bookings, forecast, alerts, book values, requests and projects,
        then draw everything once."""
        try:
            self.servers_frame = self.ws.pool.frame()
            self.bookings = self.ws.pool.bookings()
            self.forecast = self.ws.pool.forecast(self.weeks.value, self.today)
            self.alerts = self.ws.pool.alerts(self.today)
            self.values = self.ws.pool.book_values(self.today)
            self.requests = self.ws.procurement.frame(as_of=self.today)
            self.projects = self.ws.projects.list()
        except WorkbenchError as exc:
            self.status.value = message(str(exc))
            return
        self.shortfalls = rules.shortfalls(self.forecast)
        self.colours = project_colours(p.name for p in self.projects)
        self.status.value = ""
        self._draw()

    def _draw(self) -> None:
        servers, bookings = self.servers_frame, self.bookings
        empty = servers.empty
        # Every value first, then one burst of assignments.
        timeline = (
            None
            if empty
            else timeline_spec(
                servers, bookings, today=self.today, colours=self.colours, highlight=self.highlight
            )
        )
        sentences = shortfall_sentences(self.forecast, self.shortfalls)
        values = {
            self.kpis: kpis_html(servers, self.shortfalls, self.alerts, self.requests),
            self.timeline_note: self._timeline_note(),
            self.timeline_legend: ""
            if empty
            else timeline_legend_html(bookings, self.colours, self.highlight),
            self.shortfall_note: self._shortfall_html(sentences),
            self.alerts_table: alerts_table_html(self.alerts, servers),
            self.book_values: book_values_html(self.values, servers, self.today),
            self.requests_table: requests_table_html(self.requests),
        }
        for widget, value in values.items():
            widget.value = value
        self._fill_form()
        if timeline is None:
            self.timeline.layout.display = "none"
        else:
            self.timeline.show(timeline)
            self.timeline.layout.display = None
        # Without servers there is nothing to book, and without demand either nothing to chart.
        self.form.layout.display = "none" if empty else None
        nothing = empty and not self.forecast["demand"].any()
        for part in (self.forecast_chart, self.forecast_controls, self.forecast_note):
            part.layout.display = "none" if nothing else None
        self._fill_models()
        self._draw_forecast()

    def _timeline_note(self) -> str:
        if self.servers_frame.empty:
            return message(NO_SERVERS_MESSAGE, "info")
        text = (
            "One row per server, grouped by model; an empty row is a free server. Hover a "
            "bar for its project, workflow and dates; drag to zoom, double-click to zoom out."
        )
        if live_bookings(self.bookings).empty:
            text += " No server is booked yet: use the form below."
        if self.highlight:
            text += " Outlined in black: the bookings just made."
        return f'<div class="wb-note">{html.escape(text)}</div>'

    def _shortfall_html(self, sentences: list[str]) -> str:
        weeks = self.weeks.value
        if sentences:
            items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
            return f"<ul>{items}</ul>"
        demand = self.forecast[self.forecast["model"] == rules.ALL_MODELS]["demand"]
        if self.servers_frame.empty and not demand.any():
            return message("Nothing to forecast: the pool has no servers and no demand.", "info")
        if not demand.any():
            return message(
                f"No demand in the next {weeks} weeks: no workflow asks for servers. Demand "
                "comes from workflows' hardware requirements (servers and model) and from a "
                "project's sizing.",
                "info",
            )
        return message(f"No model is short of servers in the next {weeks} weeks.", "success")

    def _fill_models(self) -> None:
        options = forecast_models(self.forecast, self.shortfalls)
        values = [v for _l, v in options]
        current = self.model.value
        if current not in values:
            # Open on the first model short, else all models.
            current = self.shortfalls["model"].iloc[0] if len(self.shortfalls) else values[0]
        self._quiet = True
        try:
            with self.model.hold_sync():
                self.model.options = options
                self.model.value = current
        finally:
            self._quiet = False

    def _draw_forecast(self) -> None:
        if self.model.value is None:
            return
        self.forecast_chart.show(forecast_spec(self.forecast, self.model.value))

    # -- the form --------------------------------------------------------------------------

    def _fill_form(self) -> None:
        """Projects (open ones), their workflows, the servers for the window, the bookings
        that can be released."""
        open_projects = [p for p in self.projects if p.status not in ("completed", "cancelled")]
        chosen = sorted(open_projects or self.projects, key=lambda p: natural_key(p.name))
        options = [(p.name, p.ref) for p in chosen]
        current = self.project.value if self.project.value in dict(options).values() else None
        self._quiet = True
        try:
            with self.project.hold_sync():
                self.project.options = options
                self.project.value = current or (options[0][1] if options else None)
        finally:
            self._quiet = False
        self._fill_workflows()
        self._fill_servers()
        self._fill_bookings()
        self.allocate_button.disabled = not options
        if not options:
            self.form_message.value = message(
                "No project yet: create one on the Projects dashboard first.", "info"
            )

    def _on_project(self) -> None:
        self._fill_workflows()

    def _fill_workflows(self) -> None:
        options: list[tuple[str, str]] = [("(no workflow)", NO_WORKFLOW)]
        if self.project.value:
            try:
                flows = self.ws.workflows.list(self.project.value)
            except WorkbenchError as exc:
                self.form_message.value = message(str(exc))
                flows = []
            options += [
                (
                    f"{w.name} ({day(w.start_date)} to {day(w.end_date)})"
                    if w.start_date
                    else w.name,
                    f"workflow:{w.id}",
                )
                for w in flows
            ]
        current = self.workflow.value if self.workflow.value in dict(options).values() else None
        with self.workflow.hold_sync():
            self.workflow.options = options
            self.workflow.value = current or NO_WORKFLOW

    def _fill_servers(self) -> None:
        start, end = self.start.value, self.end.value
        options, free = server_options(self.servers_frame, self.bookings, start, end)
        kept = tuple(v for v in self.servers.value if v in dict(options).values())
        with self.servers.hold_sync():
            self.servers.options = options
            self.servers.value = kept
        if start is None or end is None:
            note = "Pick the dates to see which servers are free."
        elif end <= start:
            note = "Until must be after From (the servers are free again that day)."
        else:
            note = (
                f"{many(free, 'server')} free from {day(start)} until {day(end)}, listed "
                "first; the others say what holds them. Ctrl- or Shift-click to pick several."
            )
        self.servers_note.value = f'<div class="wb-note">{html.escape(note)}</div>'

    def _fill_bookings(self) -> None:
        live = live_bookings(self.bookings)
        ahead = live[live["end"] > pd.Timestamp(self.today)]
        shown = short_names(self.servers_frame["server_name"])
        records = sorted(
            ahead.to_dict("records"), key=lambda b: (natural_key(b["server_name"]), b["start"])
        )
        options = [
            (
                f"{shown.get(b['server_name'], b['server_name'])} · {b['project']}"
                + (f" · {b['workflow']}" if not is_missing(b["workflow"]) else "")
                + f" · {label(b['kind']).lower()} {day(b['start'])} until {day(b['end'])}",
                b["id"],
            )
            for b in records
        ]
        current = self.booking.value if self.booking.value in dict(options).values() else None
        with self.booking.hold_sync():
            self.booking.options = options or [("(no current or future booking)", "")]
            self.booking.value = current or (options[0][1] if options else "")
        self.release_button.disabled = not options

    def allocate(self) -> None:
        """Book the picked servers; a clash or a broken rule shows as a plain message."""
        self.release_message.value = ""  # one message at a time: the latest action's
        picked = list(self.servers.value)
        if not picked:
            self.form_message.value = message("Pick at least one server in the list.")
            return
        if not self.project.value:
            self.form_message.value = message("Pick a project.")
            return
        kind = self.kind.value
        try:
            made = self.ws.pool.allocate(
                picked,
                self.project.value,
                self.start.value,
                self.end.value,
                workflow=self.workflow.value or None,
                notes=self.notes.value.strip() or None,
                kind=kind,
                by="dashboard",
            )
        except WorkbenchError as exc:
            self.form_message.value = message(str(exc))
            return
        self.highlight = {b.id for b in made}
        shown = short_names(self.servers_frame["server_name"])
        names = ", ".join(shown.get(b.server_name, b.server_name) for b in made)
        verb = "Allocated" if kind == "allocation" else "Reserved"
        first = made[0]
        self.notes.value = ""
        self._quiet = True
        try:
            self.servers.value = ()
        finally:
            self._quiet = False
        self.reload()
        self.form_message.value = message(
            f"{verb} {names} for {first.project_name} from {day(first.start)} until "
            f"{day(first.end)}: outlined on the timeline above.",
            "success",
        )

    def release(self) -> None:
        """Release the chosen booking from the chosen day (today when empty)."""
        if not self.booking.value:
            return
        self.form_message.value = ""
        try:
            [done] = self.ws.pool.release(
                self.booking.value, on=self.release_on.value, by="dashboard"
            )
        except WorkbenchError as exc:
            self.release_message.value = message(str(exc))
            return
        self.highlight = set()
        name = short_names(self.servers_frame["server_name"]).get(
            done.server_name, done.server_name
        )
        self.reload()
        if done.end <= done.start:
            text = f"Cancelled the booking of {name} for {done.project_name} (it had not begun)."
        else:
            text = f"Released {name} from {done.project_name}: free from {day(done.end)}."
        self.release_message.value = message(text, "success")


def pool_dashboard(ws: Workbench | None = None) -> widgets.Widget:
    """The hardware-pool dashboard widget (a plain message if the store cannot be opened)."""

    def build() -> widgets.Widget:
        import workbench

        return PoolApp(ws or workbench.open()).widget

    return dashboard(build)


__all__ = [
    "PoolApp",
    "alerts_table_html",
    "book_values_html",
    "forecast_figure",
    "forecast_models",
    "forecast_spec",
    "kpis_html",
    "pool_dashboard",
    "project_colours",
    "requests_table_html",
    "server_options",
    "short_names",
    "shortfall_sentences",
    "timeline_figure",
    "timeline_rows",
    "timeline_spec",
]
