"""Plan figures: a project's Gantt chart, and the portfolio's status and progress charts.

plotly has no Gantt with dependencies; this one is horizontal bars on a date axis, one row
per workflow in schedule order: a bar from its first day to the end of its last (dates are
inclusive), its done part drawn darker inside, critical workflows in red, milestones as
diamonds, a baseline's dates as a thin grey bar under each row, links as arrows (from the
predecessor's start or finish to the successor's start or finish, by link type; the
critical chain's in red) and today as a dashed line. Plain JSON specs, as in
:mod:`workbench.ui.figures`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from workbench.formatting import count, day, label, percent
from workbench.ui.figures import Spec, _short, _spec

COLOURS = {
    "critical": "#b3261e",
    "normal": "#1f3a5f",
    "done_critical": "#6e120d",
    "done": "#0d1b2e",
    "baseline": "#9aa5b1",
    "link": "#7d93b2",
    "today": "#d9822b",
}
STATUS_COLOURS = {
    "planning": "#7d93b2",
    "active": "#1f3a5f",
    "on_hold": "#e0b400",
    "completed": "#4e8a4b",
    "cancelled": "#9aa5b1",
}
PRIORITY_COLOURS = {"low": "#9cc59a", "medium": "#7d93b2", "high": "#d9822b", "critical": "#b3261e"}
ROW_PX = 28
MAX_ARROWS = 300
"""More links than this are not drawn as arrows (the chart would be a thicket)."""
DAY_MS = 86_400_000


def today_line(today: date) -> dict:
    """A dashed vertical line across the plot on ``today`` (a plotly shape)."""
    return {
        "type": "line",
        "x0": today.isoformat(),
        "x1": today.isoformat(),
        "y0": 0,
        "y1": 1,
        "yref": "paper",
        "line": {"color": COLOURS["today"], "width": 2, "dash": "dash"},
    }


def _iso(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        value = value.date()
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def _next_day(value: str) -> str:
    return (date.fromisoformat(value) + timedelta(days=1)).isoformat()


def gantt_spec(
    workflows: pd.DataFrame,
    links: pd.DataFrame,
    *,
    baseline: pd.DataFrame | None = None,
    today: date | None = None,
    title: str = "Schedule",
) -> Spec:
    """A project's Gantt chart.

    Parameters
    ----------
    workflows : pandas.DataFrame
        :meth:`workbench.api.workflows.Workflows.frame` (schedule order).
    links : pandas.DataFrame
        :meth:`~workbench.api.workflows.Workflows.links`.
    baseline : pandas.DataFrame, optional
        :meth:`~workbench.api.workflows.Workflows.variance`; its ``baseline_start`` and
        ``baseline_end`` are drawn as ghost bars.
    today : date, optional
        Where the dashed line goes (default: today).
    """
    today = today or date.today()
    names = list(workflows["name"])
    rows = {name: i for i, name in enumerate(names)}
    starts = [_iso(v) for v in workflows["start_date"]]
    ends = [_iso(v) for v in workflows["end_date"]]
    # A cancelled workflow is scheduled as a 0-day step: draw it as one.
    durations = [
        0 if status == "cancelled" else int(v)
        for v, status in zip(workflows["duration_days"], workflows["status"], strict=True)
    ]
    critical = [bool(v) for v in workflows["critical"]]
    progress = [int(v or 0) for v in workflows["progress_percentage"]]
    hover = [
        f"<b>{name}</b><br>{day(s)} to {day(e)} ({count(d)} days)<br>"
        f"{label(status)}, {percent(p / 100)} done<br>"
        f"float {count(f) if f == f and f is not None else '–'} days"
        + ("<br><b>critical</b>" if c else "")
        for name, s, e, d, status, p, f, c in zip(
            names,
            starts,
            ends,
            durations,
            workflows["status"],
            progress,
            workflows["total_float"].astype("object").where(workflows["total_float"].notna(), None),
            critical,
            strict=True,
        )
    ]
    traces: list[dict[str, Any]] = []
    if baseline is not None and not baseline.empty:
        planned = baseline.set_index("name")
        base_x, base_start, base_y, base_text = [], [], [], []
        for name in names:
            if name not in planned.index:
                continue
            first, last = (
                _iso(planned.at[name, "baseline_start"]),
                _iso(planned.at[name, "baseline_end"]),
            )
            if not first or not last:
                continue
            base_start.append(first)
            base_x.append(
                (date.fromisoformat(last) - date.fromisoformat(first)).days * DAY_MS + DAY_MS
            )
            base_y.append(rows[name] + 0.32)
            variance = planned.at[name, "finish_variance_days"]
            slip = "" if pd.isna(variance) else f", finish {int(variance):+d} days now"
            base_text.append(f"{name}: baseline {first} to {last}{slip}")
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": f"Baseline ({baseline['baseline'].iloc[0]})",
                "base": base_start,
                "x": base_x,
                "y": base_y,
                "width": 0.16,
                "marker": {"color": COLOURS["baseline"]},
                "hovertext": base_text,
                "hoverinfo": "text",
            }
        )
    for is_critical, legend in ((False, "Workflow"), (True, "Critical")):
        chosen = [
            i
            for i in range(len(names))
            if critical[i] == is_critical and durations[i] > 0 and starts[i] and ends[i]
        ]
        if not chosen:
            continue
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": legend,
                "base": [starts[i] for i in chosen],
                "x": [
                    (date.fromisoformat(ends[i]) - date.fromisoformat(starts[i])).days * DAY_MS
                    + DAY_MS
                    for i in chosen
                ],
                "y": chosen,
                "width": 0.5,
                "marker": {
                    "color": COLOURS["critical" if is_critical else "normal"],
                    "opacity": 0.55,
                },
                "hovertext": [hover[i] for i in chosen],
                "hoverinfo": "text",
            }
        )
        done = [i for i in chosen if progress[i] > 0]
        if done:
            traces.append(
                {
                    "type": "bar",
                    "orientation": "h",
                    "name": "Done" if not is_critical else "Done (critical)",
                    "showlegend": False,
                    "base": [starts[i] for i in done],
                    "x": [
                        ((date.fromisoformat(ends[i]) - date.fromisoformat(starts[i])).days + 1)
                        * DAY_MS
                        * progress[i]
                        / 100
                        for i in done
                    ],
                    "y": done,
                    "width": 0.5,
                    "marker": {"color": COLOURS["done_critical" if is_critical else "done"]},
                    "hovertext": [hover[i] for i in done],
                    "hoverinfo": "text",
                }
            )
    milestones = [i for i in range(len(names)) if durations[i] == 0 and starts[i]]
    if milestones:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Milestone",
                "x": [_next_day(starts[i]) for i in milestones],
                "y": milestones,
                "marker": {
                    "symbol": "diamond",
                    "size": 13,
                    "color": [
                        COLOURS["critical"] if critical[i] else COLOURS["normal"]
                        for i in milestones
                    ],
                },
                "hovertext": [hover[i] for i in milestones],
                "hoverinfo": "text",
            }
        )
    annotations = []
    for link in links.head(MAX_ARROWS).itertuples():
        if link.predecessor not in rows or link.successor not in rows:
            continue
        p, s = rows[link.predecessor], rows[link.successor]
        if not (starts[p] and starts[s] and ends[p] and ends[s]):
            continue
        # Bars run from the morning of their first day to the evening of their last.
        source = starts[p] if link.type in ("SS", "SF") else _next_day(ends[p])
        target = starts[s] if link.type in ("FS", "SS") else _next_day(ends[s])
        hot = critical[p] and critical[s]
        annotations.append(
            {
                "x": target,
                "y": s,
                "ax": source,
                "ay": p,
                "xref": "x",
                "yref": "y",
                "axref": "x",
                "ayref": "y",
                "showarrow": True,
                "arrowhead": 2,
                "arrowsize": 1,
                "arrowwidth": 1.4,
                "arrowcolor": COLOURS["critical"] if hot else COLOURS["link"],
                "standoff": 2,
                "text": "",
                "hovertext": f"{link.predecessor} → {link.successor} ({link.type}"
                + (f"{link.lag_days:+d}" if link.lag_days else "")
                + ")",
            }
        )
    iso_today = today.isoformat()
    height = max(260, 130 + ROW_PX * len(names))
    spec = _spec(
        traces,
        title,
        height,
        barmode="overlay",
        xaxis={"type": "date", "title": {"text": "Date"}, "automargin": True},
        yaxis={
            "tickmode": "array",
            "tickvals": list(range(len(names))),
            "ticktext": [_short(n) for n in names],
            "autorange": "reversed",
            "automargin": True,
            "zeroline": False,
            "showgrid": False,
        },
        shapes=[today_line(today)],
        annotations=[
            *annotations,
            {
                "x": iso_today,
                "y": 1,
                "yref": "paper",
                "yanchor": "top",
                "xanchor": "left",
                "xshift": 3,
                "text": "today",
                "showarrow": False,
                "font": {"color": COLOURS["today"], "size": 11},
            },
        ],
        hovermode="closest",
    )
    return spec


def status_priority_spec(projects: pd.DataFrame) -> Spec:
    """Projects by status (horizontal bars), stacked by priority."""
    statuses = [s for s in STATUS_COLOURS if s in set(projects["status"])]
    traces = []
    for priority, colour in PRIORITY_COLOURS.items():
        counts = [
            int(((projects["status"] == s) & (projects["priority"] == priority)).sum())
            for s in statuses
        ]
        if not any(counts):
            continue
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": label(priority),
                "y": [label(s) for s in statuses],
                "x": counts,
                "marker": {"color": colour},
                "hovertemplate": "%{y}, "
                + label(priority).lower()
                + " priority: %{x}<extra></extra>",
            }
        )
    return _spec(
        traces,
        "Projects by status and priority",
        max(220, 140 + 34 * len(statuses)),
        barmode="stack",
        xaxis={"title": {"text": "Projects"}, "dtick": 1, "automargin": True},
        yaxis={"autorange": "reversed", "automargin": True},
    )


def progress_spec(projects: pd.DataFrame) -> Spec:
    """Each project's progress (percent), coloured by status."""
    names = list(projects["name"])
    return _spec(
        [
            {
                "type": "bar",
                "orientation": "h",
                "name": label(status),
                "y": [
                    _short(n) for n, s in zip(names, projects["status"], strict=True) if s == status
                ],
                "x": [
                    int(p)
                    for p, s in zip(
                        projects["progress_percentage"], projects["status"], strict=True
                    )
                    if s == status
                ],
                "marker": {"color": colour},
                # Labelled, so a project at 0 % reads as 0 %, not as a missing bar.
                "text": [
                    f"{int(p)} %"
                    for p, s in zip(
                        projects["progress_percentage"], projects["status"], strict=True
                    )
                    if s == status
                ],
                "textposition": [
                    "inside" if p >= 15 else "outside"
                    for p, s in zip(
                        projects["progress_percentage"], projects["status"], strict=True
                    )
                    if s == status
                ],
                "cliponaxis": False,
                "hovertemplate": "%{y}: %{x} %<extra>" + label(status) + "</extra>",
            }
            for status, colour in STATUS_COLOURS.items()
            if (projects["status"] == status).any()
        ],
        "Progress",
        max(220, 140 + 26 * len(names)),
        barmode="overlay",
        xaxis={"title": {"text": "Done (%)"}, "range": [0, 100], "automargin": True},
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": [_short(n) for n in names],
            "autorange": "reversed",
            "automargin": True,
        },
    )


__all__ = ["gantt_spec", "progress_spec", "status_priority_spec"]
