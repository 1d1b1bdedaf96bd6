"""Critical-path scheduling: four link types with lag, calendars, float and constraints.

Pure: tasks and links in, dates out; nothing here reads the store. :func:`compute` runs the
forward pass (early dates), the backward pass (late dates), total and free float and the
critical path, in time linear in tasks plus links.

Conventions, as MS Project shows a plan:

- Durations and lags count days of the project's calendar: every day on a calendar-day
  calendar, Monday to Friday minus holidays on a working-day one. A negative lag is a lead.
- Dates are inclusive: a 1-day task starts and finishes on the same day; a 5-day task
  starting on a Monday finishes that Friday. A task starts on a working day.
- A milestone (0 days) falls on the day work after it may start.
- Links, from predecessor P to successor S with lag L:
  finish-to-start (FS, the default): S starts L days after P finishes;
  start-to-start (SS): S starts L days after P starts;
  finish-to-finish (FF): S finishes L days after P finishes;
  start-to-finish (SF): S finishes L days after P starts.
  Each is a "no earlier than": S may be later when something else holds it back.
- Constraints: start-no-earlier-than moves the early start; finish-no-later-than (a
  deadline) bounds the late finish only, so a deadline that cannot be met shows as negative
  float rather than moving the plan.
- Nothing starts before the project's start. Late dates are measured back from the
  project's finish (the latest early finish). A task is critical when its total float is
  0 or less.

Internally a day is an index on the calendar (0 = the project's first working day) and a
task occupies the half-open range [start, start + duration).
"""

from __future__ import annotations

import bisect
import gc
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from workbench.errors import InvalidInputError, ScheduleCycleError

LINK_TYPES = {
    "FS": "finish_to_start",
    "SS": "start_to_start",
    "FF": "finish_to_finish",
    "SF": "start_to_finish",
}
"""Short code -> the seed's ``dependency_type`` name."""
LINK_CODES = {name: code for code, name in LINK_TYPES.items()}

CONSTRAINT_TYPES = {
    "SNET": "start_no_earlier_than",
    "FNLT": "finish_no_later_than",
}
"""Short code -> long name; both spellings are accepted."""
CONSTRAINT_CODES = {name: code for code, name in CONSTRAINT_TYPES.items()}

CALENDARS = ("calendar", "working")
MAX_DAYS = 36_500
"""Longest duration or lag, in days (100 years): past that a value is a typo."""
MAX_SPAN_YEARS = 1_000
"""Dates more than this far from the project's start are refused (a runaway plan)."""

_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


# ------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class Constraint:
    """A date constraint on one task.

    Attributes
    ----------
    kind : {'SNET', 'FNLT'}
        Start no earlier than / finish no later than.
    day : datetime.date
    """

    kind: str
    day: date


@dataclass(frozen=True)
class Task:
    """One schedulable piece of work.

    Attributes
    ----------
    id : str
    duration_days : int
        Days of the calendar, 0 for a milestone.
    constraint : Constraint, optional
    """

    id: str
    duration_days: int
    constraint: Constraint | None = None


@dataclass(frozen=True)
class Link:
    """A dependency between two tasks.

    Attributes
    ----------
    predecessor, successor : str
        Task ids.
    type : {'FS', 'SS', 'FF', 'SF'}
    lag_days : int
        Days of the calendar; negative is a lead.
    """

    predecessor: str
    successor: str
    type: str = "FS"
    lag_days: int = 0


class Calendar:
    """Which days count, from a project's start.

    Parameters
    ----------
    start : datetime.date
        The project's start; index 0 is the first counted day on or after it.
    working_days : bool
        False: every day counts. True: weekdays count, except ``weekend`` and ``holidays``.
    holidays : iterable of datetime.date
        Days off (working-day calendars only).
    weekend : iterable of int
        Days off every week, ``date.weekday()`` numbers (default Saturday and Sunday).
    """

    def __init__(
        self,
        start: date,
        working_days: bool = False,
        holidays: Iterable[date] = (),
        weekend: Iterable[int] = (5, 6),
    ):
        self.working_days = working_days
        self.holidays = frozenset(holidays) if working_days else frozenset()
        self.weekend = frozenset(weekend) if working_days else frozenset()
        if len(self.weekend) >= 7:
            raise InvalidInputError("A working-day calendar needs at least one working weekday.")
        self.start = start
        self._low = _shift_years(start, -MAX_SPAN_YEARS)
        self._high = _shift_years(start, MAX_SPAN_YEARS)
        self._low_index = (self._low - start).days
        self._high_index = (self._high - start).days
        if working_days:
            first = start
            while not self._counts(first):
                first += timedelta(days=1)
                self._check_range(first)
            self._ahead = [first]  # counted days from index 0 on
            self._behind: list[date] = []  # counted days before index 0, nearest first

    @property
    def kind(self) -> str:
        """'working' or 'calendar'."""
        return "working" if self.working_days else "calendar"

    def _counts(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def _check_range(self, day: date) -> None:
        if not self._low <= day <= self._high:
            raise InvalidInputError(
                f"The schedule reaches {day.isoformat()}, more than {MAX_SPAN_YEARS:,} years "
                f"from its start ({self.start.isoformat()}); check the durations and lags."
            )

    def _extend_ahead(self, index: int) -> None:
        day = self._ahead[-1]
        while len(self._ahead) <= index:
            day += timedelta(days=1)
            self._check_range(day)
            if self._counts(day):
                self._ahead.append(day)

    def _extend_behind(self, count: int) -> None:
        day = self._behind[-1] if self._behind else self._ahead[0]
        while len(self._behind) < count:
            day -= timedelta(days=1)
            self._check_range(day)
            if self._counts(day):
                self._behind.append(day)

    def day(self, index: int) -> date:
        """The date of a day index."""
        if not self.working_days:
            if not self._low_index <= index <= self._high_index:
                self._check_range(date.max if index > 0 else date.min)
            return self.start + timedelta(days=index)
        if index >= 0:
            if index >= len(self._ahead):
                self._extend_ahead(index)
            return self._ahead[index]
        if -index > len(self._behind):
            self._extend_behind(-index)
        return self._behind[-index - 1]

    def index_on_or_after(self, day: date) -> int:
        """Index of the first counted day on or after ``day``."""
        self._check_range(day)
        if not self.working_days:
            return (day - self.start).days
        if day >= self._ahead[0]:
            while self._ahead[-1] < day:
                self._extend_ahead(len(self._ahead) + 260)
            return bisect.bisect_left(self._ahead, day)
        # Before index 0: `behind` runs backwards from it (index -1 first).
        while not self._behind or self._behind[-1] > day:
            self._extend_behind(len(self._behind) + 260)
        later = _count_later(self._behind, day)
        if later < len(self._behind) and self._behind[later] == day:
            return -(later + 1)
        return -later

    def index_on_or_before(self, day: date) -> int:
        """Index of the last counted day on or before ``day``."""
        index = self.index_on_or_after(day)
        return index if self.day(index) == day else index - 1

    def is_counted(self, day: date) -> bool:
        """True when ``day`` is a day work happens on."""
        return not self.working_days or self._counts(day)

    def to_json(self) -> dict[str, Any]:
        return {
            "calendar": self.kind,
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "weekend": [_WEEKDAY_NAMES[d] for d in sorted(self.weekend)],
        }


def _count_later(descending: list[date], day: date) -> int:
    """How many days of a descending list are later than ``day`` (binary search)."""
    low, high = 0, len(descending)
    while low < high:
        middle = (low + high) // 2
        if descending[middle] > day:
            low = middle + 1
        else:
            high = middle
    return low


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, or out of range
        year = min(max(day.year + years, date.min.year), date.max.year)
        return date(year, 3 if day.month == 2 and day.day == 29 else day.month, 1)


# ------------------------------------------------------------------------------ result


@dataclass(frozen=True)
class TaskDates:
    """One task's place in the schedule.

    Dates are inclusive; floats are days of the calendar.
    """

    id: str
    duration_days: int
    early_start: date
    early_finish: date
    late_start: date
    late_finish: date
    total_float: int
    free_float: int
    critical: bool
    constraint: Constraint | None = None

    def to_json(self) -> dict[str, Any]:
        plain = {
            "id": self.id,
            "duration_days": self.duration_days,
            "early_start": self.early_start.isoformat(),
            "early_finish": self.early_finish.isoformat(),
            "late_start": self.late_start.isoformat(),
            "late_finish": self.late_finish.isoformat(),
            "total_float": self.total_float,
            "free_float": self.free_float,
            "critical": self.critical,
        }
        if self.constraint is not None:
            plain["constraint"] = {
                "type": self.constraint.kind,
                "date": self.constraint.day.isoformat(),
            }
        return plain


TASK_COLUMNS = (
    "id",
    "duration_days",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "critical",
)


@dataclass(frozen=True)
class Schedule:
    """The computed plan.

    Attributes
    ----------
    start, finish : datetime.date
        The project's first working day and the last day of its latest task (inclusive).
    length_days : int
        The project's duration in days of its calendar, as MS Project counts it: the days
        its work spans (a milestone adds none).
    tasks : list of TaskDates
        In the order the tasks were given.
    critical_path : list of str
        Task ids, first to last, of the chain that drives the project's finish.
    calendar : Calendar
    """

    start: date
    finish: date
    length_days: int
    tasks: list[TaskDates]
    critical_path: list[str]
    calendar: Calendar = field(repr=False)
    indices: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)
    """Task id -> (early start, late start) as day indices of the calendar (0 = start)."""

    def task(self, task_id: str) -> TaskDates:
        """One task's dates by id."""
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    def frame(self):
        """The tasks as a DataFrame.

        Columns: ``id``, ``duration_days``, ``early_start``, ``early_finish``,
        ``late_start``, ``late_finish`` (dates, inclusive), ``total_float``,
        ``free_float`` (days of the calendar), ``critical`` (bool).
        """
        import pandas as pd

        return pd.DataFrame(
            [[getattr(t, c) for c in TASK_COLUMNS] for t in self.tasks], columns=TASK_COLUMNS
        )

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: ``tasks``, ``project_start``, ``project_finish``, ``length_days``,
        ``critical_path`` and the calendar."""
        return {
            "project_start": self.start.isoformat(),
            "project_finish": self.finish.isoformat(),
            "length_days": self.length_days,
            **self.calendar.to_json(),
            "tasks": [t.to_json() for t in self.tasks],
            "critical_path": list(self.critical_path),
        }


# ------------------------------------------------------------------------------ compute


def compute(tasks: Sequence[Task], links: Sequence[Link], calendar: Calendar) -> Schedule:
    """Schedule ``tasks`` under ``links`` on ``calendar``.

    Raises
    ------
    InvalidInputError
        A duplicate or empty task id, a link naming an unknown task, a link from a task to
        itself, two links between the same pair, an unknown link or constraint type, a
        duration or lag out of range.
    ScheduleCycleError
        The links form a loop; the error lists it (``a -> b -> a``).
    """
    # The passes allocate many small, acyclic objects: the cyclic collector would scan the
    # whole heap again and again (time growing faster than the plan) for nothing to free.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _compute(tasks, links, calendar)
    finally:
        if collecting:
            gc.enable()


def _compute(tasks: Sequence[Task], links: Sequence[Link], calendar: Calendar) -> Schedule:
    _validate(tasks, links)
    count = len(tasks)
    position = {task.id: i for i, task in enumerate(tasks)}
    duration = [task.duration_days for task in tasks]
    incoming: list[list[tuple[int, str, int]]] = [[] for _ in range(count)]
    outgoing: list[list[tuple[int, str, int]]] = [[] for _ in range(count)]
    for link in links:
        p, s = position[link.predecessor], position[link.successor]
        incoming[s].append((p, link.type, link.lag_days))
        outgoing[p].append((s, link.type, link.lag_days))
    order = _topological_order(tasks, incoming, outgoing)

    # Forward pass: the earliest start each link and constraint allow.
    not_before = [0] * count
    deadline: list[int | None] = [None] * count
    for i, task in enumerate(tasks):
        if task.constraint is None:
            continue
        if task.constraint.kind == "SNET":
            # A date on or before the start holds nothing (however far back it is).
            if task.constraint.day > calendar.start:
                not_before[i] = max(0, calendar.index_on_or_after(task.constraint.day))
        else:  # FNLT: the last day the task may show as its finish (see below)
            deadline[i] = calendar.index_on_or_before(task.constraint.day)
    early = [0] * count
    driver: list[int | None] = [None] * count  # the predecessor whose link set the start
    after_finish = [False] * count  # a milestone held by a predecessor's finish
    for s in order:
        start, by, kind_by = not_before[s], None, None
        for p, kind, lag in incoming[s]:
            bound = _successor_start(kind, lag, early[p], duration[p], duration[s])
            # A link that merely ties the start still drives it (the path goes on).
            if bound > start or (bound == start and by is None):
                start, by, kind_by = bound, p, kind
        early[s], driver[s] = start, by
        # (Not when a constraint or the project start holds it as much: then on that day.)
        after_finish[s] = duration[s] == 0 and kind_by in ("FS", "FF") and start > not_before[s]
    finish = max((early[i] + duration[i] for i in range(count)), default=0)
    # A deadline bounds the day a task shows as its finish: a task's last day, or a
    # milestone's own day (the day before its index when it follows a finish).
    for i in range(count):
        if deadline[i] is not None and (duration[i] > 0 or after_finish[i]):
            deadline[i] += 1

    # Backward pass: the latest finish (exclusive) that keeps every successor and deadline.
    late_end = [finish] * count
    for p in reversed(order):
        end = finish if deadline[p] is None else min(finish, deadline[p])
        for s, kind, lag in outgoing[p]:
            end = min(
                end,
                _predecessor_end(kind, lag, late_end[s] - duration[s], late_end[s], duration[p]),
            )
        late_end[p] = end

    results = []
    for i, task in enumerate(tasks):
        late_start = late_end[i] - duration[i]
        total = late_start - early[i]
        if outgoing[i]:
            free = min(
                _slack(kind, lag, early[i], duration[i], early[s], duration[s])
                for s, kind, lag in outgoing[i]
            )
        else:
            free = finish - (early[i] + duration[i])
        # A lead held back by the project's start can leave more room to a successor than
        # to the project's finish; free float never exceeds total float (nor goes below 0).
        free = max(0, min(free, total))
        first, last = _shown(calendar, early[i], duration[i], after_finish[i])
        late_first, late_last = _shown(calendar, late_start, duration[i], after_finish[i])
        results.append(
            TaskDates(
                id=task.id,
                duration_days=duration[i],
                early_start=first,
                early_finish=last,
                late_start=late_first,
                late_finish=late_last,
                total_float=total,
                free_float=free,
                critical=total <= 0,
                constraint=task.constraint,
            )
        )
    path = _critical_path(tasks, early, duration, driver, finish, results, order)
    # The project ends on the latest day a task shows as its finish (a milestone held by a
    # start or a constraint shows on the day after the work before it).
    last_day = max((t.early_finish for t in results), default=calendar.day(0))
    return Schedule(
        start=calendar.day(0),
        finish=last_day,
        length_days=finish,
        tasks=results,
        critical_path=path,
        calendar=calendar,
        indices={t.id: (early[i], late_end[i] - duration[i]) for i, t in enumerate(tasks)},
    )


def _successor_start(kind: str, lag: int, p_start: int, p_duration: int, s_duration: int) -> int:
    """Earliest start of a successor under one link (half-open day indices)."""
    if kind == "FS":
        return p_start + p_duration + lag
    if kind == "SS":
        return p_start + lag
    if kind == "FF":
        return p_start + p_duration + lag - s_duration
    return p_start + lag - s_duration  # SF


def _predecessor_end(kind: str, lag: int, s_start: int, s_end: int, p_duration: int) -> int:
    """Latest (exclusive) finish of a predecessor under one link, given the successor's
    late start and finish."""
    if kind == "FS":
        return s_start - lag
    if kind == "SS":
        return s_start - lag + p_duration
    if kind == "FF":
        return s_end - lag
    return s_end - lag + p_duration  # SF


def _slack(kind: str, lag: int, p_start: int, p_duration: int, s_start: int, s_duration: int):
    """Days the predecessor could slip before the link moves the successor's early dates."""
    return s_start - _successor_start(kind, lag, p_start, p_duration, s_duration)


def _shown(calendar: Calendar, start: int, duration: int, after_finish: bool):
    """(first, last) inclusive dates of work starting at day index ``start``. A milestone
    held by a predecessor's finish shows on that finish's day, as MS Project shows it;
    any other milestone on the day it is held to."""
    if duration > 0:
        return calendar.day(start), calendar.day(start + duration - 1)
    day = calendar.day(start - 1 if after_finish else start)
    return day, day


def _critical_path(tasks, early, duration, driver, finish, results, order) -> list[str]:
    """The chain of driving links back from the task that ends the project."""
    ends = [i for i in range(len(tasks)) if early[i] + duration[i] == finish]
    if not ends:
        return []
    # The least float (deadlines can make it negative), then the last in dependency order:
    # a milestone that ends the project comes after the work it closes.
    rank = {task: position for position, task in enumerate(order)}
    last = min(ends, key=lambda i: (results[i].total_float, -rank[i]))
    path, seen = [last], {last}
    while driver[path[-1]] is not None and driver[path[-1]] not in seen:
        path.append(driver[path[-1]])
        seen.add(path[-1])
    return [tasks[i].id for i in reversed(path)]


def _topological_order(tasks, incoming, outgoing) -> list[int]:
    """Task positions, predecessors first (Kahn's algorithm, first in first out); a loop
    raises."""
    waiting = [len(links) for links in incoming]
    order = [i for i, n in enumerate(waiting) if n == 0]
    for i in order:  # grows while it is walked
        for s, _kind, _lag in outgoing[i]:
            waiting[s] -= 1
            if waiting[s] == 0:
                order.append(s)
    if len(order) < len(tasks):
        loop = _find_loop({i for i, n in enumerate(waiting) if n > 0}, incoming)
        names = [tasks[i].id for i in loop]
        raise ScheduleCycleError(
            "The dependencies form a loop: " + " -> ".join([*names, names[0]]) + ".",
            loop=names,
        )
    return order


def _find_loop(left: set[int], incoming) -> list[int]:
    """One loop among the tasks that never became ready. Each of them still waits for a
    predecessor that is itself among them, so walking from predecessor to predecessor
    must come back to a task already seen."""
    node, seen, walk = min(left), {}, []
    while node not in seen:
        seen[node] = len(walk)
        walk.append(node)
        node = min(p for p, _kind, _lag in incoming[node] if p in left)
    loop = walk[seen[node] :][::-1]  # predecessors first
    first = loop.index(min(loop))
    return loop[first:] + loop[:first]


def _validate(tasks: Sequence[Task], links: Sequence[Link]) -> None:
    seen: set[str] = set()
    for task in tasks:
        if not isinstance(task.id, str) or not task.id.strip():
            raise InvalidInputError("Every task needs an id (a non-empty text).")
        if task.id in seen:
            raise InvalidInputError(f"Task id {task.id!r} is used twice.")
        seen.add(task.id)
        if not _whole_days(task.duration_days, 0):
            _check_days(task.duration_days, f"Task {task.id!r}: duration_days", minimum=0)
        if task.constraint is not None and task.constraint.kind not in CONSTRAINT_TYPES:
            raise InvalidInputError(
                f"Task {task.id!r}: constraint type {task.constraint.kind!r} is not one of "
                + ", ".join(f"{c} ({n})" for c, n in CONSTRAINT_TYPES.items())
                + "."
            )
    pairs: set[tuple[str, str]] = set()
    for link in links:
        for end in (link.predecessor, link.successor):
            if end not in seen:
                raise InvalidInputError(
                    f"Link {link.predecessor!r} -> {link.successor!r}: there is no task {end!r}."
                )
        if link.predecessor == link.successor:
            raise InvalidInputError(f"Task {link.predecessor!r} cannot depend on itself.")
        if link.type not in LINK_TYPES:
            raise InvalidInputError(
                f"Link {link.predecessor!r} -> {link.successor!r}: type {link.type!r} is not "
                "one of FS, SS, FF, SF."
            )
        if not _whole_days(link.lag_days, -MAX_DAYS):
            _check_days(
                link.lag_days,
                f"Link {link.predecessor!r} -> {link.successor!r}: lag_days",
                minimum=-MAX_DAYS,
            )
        pair = (link.predecessor, link.successor)
        if pair in pairs:
            raise InvalidInputError(
                f"Tasks {link.predecessor!r} and {link.successor!r} are linked twice; keep one link."
            )
        pairs.add(pair)


def _whole_days(value: Any, minimum: int) -> bool:
    """True for a whole number of days in range (the message is built only when not)."""
    return type(value) is int and minimum <= value <= MAX_DAYS


def _check_days(value: Any, label: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{label} must be a whole number of days, not {value!r}.")
    if not minimum <= value <= MAX_DAYS:
        raise InvalidInputError(f"{label} is {value:,}; it must be {minimum:,} to {MAX_DAYS:,}.")


# ------------------------------------------------------------------------------ JSON plans


def _code(value: Any, codes: Mapping[str, str], where: str, choices: str) -> str:
    """The short code of ``value``, given as a code (any case) or as its long name."""
    text = str(value).strip()
    names = {name: code for code, name in codes.items()}
    code = text.upper() if text.upper() in codes else names.get(text.lower())
    if code is None:
        raise InvalidInputError(f"{where}: type {value!r} is not one of {choices}.")
    return code


def link_type(value: Any, where: str = "link") -> str:
    """'FS', 'SS', 'FF' or 'SF' from a code or the seed's name (``finish_to_start`` ...)."""
    return _code(
        value,
        LINK_TYPES,
        where,
        "FS, SS, FF, SF (finish_to_start, start_to_start, finish_to_finish, start_to_finish)",
    )


def constraint_type(value: Any, where: str = "constraint") -> str:
    """'SNET' or 'FNLT' from a code or a long name."""
    return _code(
        value,
        CONSTRAINT_TYPES,
        where,
        "SNET (start_no_earlier_than), FNLT (finish_no_later_than)",
    )


def parse_day(value: Any, where: str) -> date:
    """A date from ``YYYY-MM-DD`` text (or a date)."""
    if isinstance(value, date):
        return value if type(value) is date else value.date()  # datetime -> its day
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise InvalidInputError(f"{where}: {value!r} is not a date (YYYY-MM-DD).")


def plan_from_json(document: Any) -> tuple[list[Task], list[Link], Calendar]:
    """Tasks, links and calendar from the plan format of ``workbench schedule compute``::

        {"start": "2026-01-05", "calendar": "calendar" | "working",
         "holidays": ["2026-01-01", ...],
         "tasks": [{"id": "a", "duration_days": 5,
                    "constraint": {"type": "SNET" | "FNLT", "date": "2026-02-02"}}],
         "links": [{"from": "a", "to": "b", "type": "FS", "lag_days": 2}]}

    ``calendar`` defaults to calendar days, a link's ``type`` to FS and ``lag_days`` to 0.
    An optional ``weekend`` lists day names (default saturday and sunday).

    Raises
    ------
    InvalidInputError
        Naming the field at fault, e.g. ``tasks[3].duration_days``.
    """
    if not isinstance(document, Mapping):
        raise InvalidInputError("The plan must be a JSON object with start, tasks and links.")
    unknown = set(document) - {"start", "calendar", "holidays", "weekend", "tasks", "links"}
    if unknown:
        raise InvalidInputError(
            "Unknown field(s) in the plan: " + ", ".join(sorted(map(str, unknown))) + "."
        )
    if "start" not in document:
        raise InvalidInputError("The plan needs a start date (start: YYYY-MM-DD).")
    start = parse_day(document["start"], "start")
    kind = document.get("calendar", "calendar")
    if kind not in CALENDARS:
        raise InvalidInputError(f"calendar: {kind!r} is not one of {', '.join(CALENDARS)}.")
    holidays = [
        parse_day(value, f"holidays[{i}]") for i, value in enumerate(_list(document, "holidays"))
    ]
    weekend = (5, 6)
    if "weekend" in document:
        weekend = tuple(
            _weekday(value, f"weekend[{i}]") for i, value in enumerate(_list(document, "weekend"))
        )
    calendar = Calendar(start, kind == "working", holidays, weekend)
    tasks = []
    for i, item in enumerate(_list(document, "tasks")):
        where = f"tasks[{i}]"
        if not isinstance(item, Mapping):
            raise InvalidInputError(f"{where} must be an object with id and duration_days.")
        extra = set(item) - {"id", "duration_days", "constraint", "name"}
        if extra:
            raise InvalidInputError(
                f"{where}: unknown field(s) {', '.join(sorted(map(str, extra)))}."
            )
        for needed in ("id", "duration_days"):
            if needed not in item:
                raise InvalidInputError(f"{where} has no {needed}.")
        if not isinstance(item["id"], str):
            raise InvalidInputError(f"{where}.id must be text, not {item['id']!r}.")
        constraint = None
        if item.get("constraint") is not None:
            raw = item["constraint"]
            if not isinstance(raw, Mapping) or "type" not in raw or "date" not in raw:
                raise InvalidInputError(f"{where}.constraint needs a type and a date.")
            constraint = Constraint(
                constraint_type(raw["type"], f"{where}.constraint"),
                parse_day(raw["date"], f"{where}.constraint.date"),
            )
        _check_days(item["duration_days"], f"{where}.duration_days", minimum=0)
        tasks.append(Task(item["id"], item["duration_days"], constraint))
    links = []
    for i, item in enumerate(_list(document, "links")):
        where = f"links[{i}]"
        if not isinstance(item, Mapping) or "from" not in item or "to" not in item:
            raise InvalidInputError(f"{where} must be an object with from and to.")
        extra = set(item) - {"from", "to", "type", "lag_days"}
        if extra:
            raise InvalidInputError(
                f"{where}: unknown field(s) {', '.join(sorted(map(str, extra)))}."
            )
        lag = item.get("lag_days", 0)
        _check_days(lag, f"{where}.lag_days", minimum=-MAX_DAYS)
        links.append(
            Link(str(item["from"]), str(item["to"]), link_type(item.get("type", "FS"), where), lag)
        )
    return tasks, links, calendar


def _list(document: Mapping, key: str) -> list:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise InvalidInputError(f"{key} must be a list.")
    return value


def _weekday(value: Any, where: str) -> int:
    text = str(value).strip().lower()
    for number, name in enumerate(_WEEKDAY_NAMES):
        if text in (name, name[:3]):
            return number
    raise InvalidInputError(f"{where}: {value!r} is not a day of the week.")
