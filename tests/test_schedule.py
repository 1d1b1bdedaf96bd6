"""The scheduler against networks worked by hand, and its invariants under Hypothesis."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import InvalidInputError, ScheduleCycleError
from workbench.schedule import (
    Calendar,
    Constraint,
    Link,
    Task,
    compute,
    plan_from_json,
)

MONDAY = date(2026, 3, 2)


def days(schedule, task_id):
    task = schedule.task(task_id)
    return (
        task.early_start,
        task.early_finish,
        task.late_start,
        task.late_finish,
        task.total_float,
        task.free_float,
    )


def d(text: str) -> date:
    return date.fromisoformat(text)


# ---------------------------------------------------------------------- worked by hand


def test_finish_to_start_chain_with_lag():
    # A 3 days, then B 2 days, then a day's gap, then C 4 days.
    schedule = compute(
        [Task("A", 3), Task("B", 2), Task("C", 4)],
        [Link("A", "B"), Link("B", "C", "FS", 1)],
        Calendar(MONDAY),
    )
    assert schedule.task("A").early_start == d("2026-03-02")
    assert schedule.task("A").early_finish == d("2026-03-04")  # inclusive: 2, 3, 4 March
    assert schedule.task("B").early_start == d("2026-03-05")
    assert schedule.task("B").early_finish == d("2026-03-06")
    assert schedule.task("C").early_start == d("2026-03-08")  # 7 March is the lag
    assert schedule.task("C").early_finish == d("2026-03-11")
    assert schedule.finish == d("2026-03-11")
    assert schedule.length_days == 10
    assert schedule.critical_path == ["A", "B", "C"]
    assert all(t.critical and t.total_float == 0 for t in schedule.tasks)


def test_parallel_branches_float_and_critical_path():
    #        +-- B (2) --+
    # A (3) -+           +-- D (1)
    #        +-- C (5) --+
    schedule = compute(
        [Task("A", 3), Task("B", 2), Task("C", 5), Task("D", 1)],
        [Link("A", "B"), Link("A", "C"), Link("B", "D"), Link("C", "D")],
        Calendar(MONDAY),
    )
    # B: early 5-6 March, late 8-9 March: 3 days of total and of free float.
    assert days(schedule, "B") == (
        d("2026-03-05"),
        d("2026-03-06"),
        d("2026-03-08"),
        d("2026-03-09"),
        3,
        3,
    )
    assert days(schedule, "C") == (
        d("2026-03-05"),
        d("2026-03-09"),
        d("2026-03-05"),
        d("2026-03-09"),
        0,
        0,
    )
    assert schedule.task("D").early_start == d("2026-03-10")
    assert schedule.finish == d("2026-03-10")
    assert schedule.critical_path == ["A", "C", "D"]
    assert [t.id for t in schedule.tasks if t.critical] == ["A", "C", "D"]


def test_start_to_start_with_lag():
    # B may start 3 days after A starts.
    schedule = compute([Task("A", 10), Task("B", 4)], [Link("A", "B", "SS", 3)], Calendar(MONDAY))
    assert schedule.task("B").early_start == d("2026-03-05")
    assert schedule.task("B").early_finish == d("2026-03-08")
    # B can slip until it ends with A: late start 8 March, 3 days of float.
    assert schedule.task("B").late_start == d("2026-03-08")
    assert (schedule.task("B").total_float, schedule.task("B").free_float) == (3, 3)
    assert schedule.task("A").total_float == 0
    assert schedule.critical_path == ["A"]


def test_finish_to_finish_with_lag():
    # B ends 2 days after A ends: A 2-6 March, B 6-8 March.
    schedule = compute([Task("A", 5), Task("B", 3)], [Link("A", "B", "FF", 2)], Calendar(MONDAY))
    assert schedule.task("B").early_start == d("2026-03-06")
    assert schedule.task("B").early_finish == d("2026-03-08")
    assert schedule.finish == d("2026-03-08")
    assert schedule.task("A").total_float == 0  # A late would push B's finish
    assert schedule.critical_path == ["A", "B"]


def test_start_to_finish_with_lag():
    # B must finish no earlier than 3 days after A starts: B 3-4 March (ends on day 3).
    schedule = compute([Task("A", 5), Task("B", 2)], [Link("A", "B", "SF", 3)], Calendar(MONDAY))
    assert schedule.task("B").early_start == d("2026-03-03")
    assert schedule.task("B").early_finish == d("2026-03-04")
    assert schedule.task("B").total_float == 2  # may end with A on 6 March
    assert schedule.task("A").total_float == 0


def test_negative_lag_overlaps_the_tasks():
    # B starts 3 days before A finishes.
    schedule = compute([Task("A", 10), Task("B", 5)], [Link("A", "B", "FS", -3)], Calendar(MONDAY))
    assert schedule.task("A").early_finish == d("2026-03-11")
    assert schedule.task("B").early_start == d("2026-03-09")
    assert schedule.length_days == 12
    assert schedule.critical_path == ["A", "B"]  # 10 + 5 - 3 = 12


def test_a_lead_never_starts_before_the_project():
    schedule = compute([Task("A", 2), Task("B", 5)], [Link("A", "B", "FS", -10)], Calendar(MONDAY))
    assert schedule.task("B").early_start == MONDAY
    assert schedule.critical_path == ["B"]


def test_start_no_earlier_than_and_finish_no_later_than():
    schedule = compute(
        [
            Task("A", 2),
            Task("B", 3, Constraint("SNET", d("2026-03-10"))),
            Task("C", 5, Constraint("FNLT", d("2026-03-04"))),
        ],
        [],
        Calendar(MONDAY),
    )
    assert schedule.task("B").early_start == d("2026-03-10")
    assert schedule.finish == d("2026-03-12")
    assert schedule.critical_path == ["B"]
    assert schedule.task("A").total_float == 9
    # C needs 5 days but must end by 4 March: 2 days late, negative float, critical.
    assert schedule.task("C").early_finish == d("2026-03-06")
    assert schedule.task("C").late_finish == d("2026-03-04")
    assert schedule.task("C").late_start == d("2026-02-28")
    assert schedule.task("C").total_float == -2
    assert schedule.task("C").critical


def test_working_days_across_a_weekend_and_holidays():
    # Easter 2026: Good Friday 3 April and Easter Monday 6 April are holidays.
    calendar = Calendar(d("2026-04-02"), True, [d("2026-04-03"), d("2026-04-06")])
    schedule = compute(
        [Task("A", 3), Task("B", 2), Task("C", 1)],
        [Link("A", "B", "FS", 1), Link("B", "C")],
        calendar,
    )
    # A: Thursday 2, (Friday, weekend, Monday off), Tuesday 7, Wednesday 8.
    assert (schedule.task("A").early_start, schedule.task("A").early_finish) == (
        d("2026-04-02"),
        d("2026-04-08"),
    )
    # The lag is Thursday 9; B is Friday 10 and Monday 13; C Tuesday 14.
    assert (schedule.task("B").early_start, schedule.task("B").early_finish) == (
        d("2026-04-10"),
        d("2026-04-13"),
    )
    assert schedule.task("C").early_start == d("2026-04-14")
    assert schedule.length_days == 7


def test_a_start_on_a_day_off_moves_to_the_next_working_day():
    calendar = Calendar(d("2026-04-04"), True, [d("2026-04-06")])  # a Saturday
    schedule = compute([Task("A", 1)], [], calendar)
    assert schedule.start == d("2026-04-07")
    assert schedule.task("A").early_start == schedule.task("A").early_finish == d("2026-04-07")


def test_a_constraint_on_a_day_off():
    calendar = Calendar(MONDAY, True)
    schedule = compute(
        [Task("A", 1, Constraint("SNET", d("2026-03-07"))), Task("B", 1)], [], calendar
    )
    assert schedule.task("A").early_start == d("2026-03-09")  # Saturday -> Monday
    deadline = compute(
        [Task("A", 1, Constraint("FNLT", d("2026-03-08"))), Task("B", 10)], [], calendar
    )
    assert deadline.task("A").late_finish == d("2026-03-06")  # Sunday -> Friday
    assert deadline.task("A").total_float == 4


def test_milestones_show_on_the_day_the_work_before_them_ends():
    calendar = Calendar(MONDAY, True)
    schedule = compute(
        [Task("build", 5), Task("go-live", 0), Task("kick-off", 0), Task("review", 0)],
        [Link("build", "go-live"), Link("kick-off", "build", "SS")],
        calendar,
    )
    assert schedule.task("go-live").early_start == schedule.task("go-live").early_finish
    assert schedule.task("go-live").early_start == d("2026-03-06")  # Friday, like MS Project
    assert schedule.task("kick-off").early_start == MONDAY
    assert schedule.finish == d("2026-03-06")
    assert schedule.critical_path == ["kick-off", "build", "go-live"]


def test_free_float_is_measured_to_the_nearest_successor():
    # A feeds B directly and D through a long chain: its free float is to B.
    schedule = compute(
        [Task("A", 2), Task("B", 4), Task("C", 9), Task("D", 1)],
        [Link("A", "B"), Link("C", "D"), Link("B", "D")],
        Calendar(MONDAY),
    )
    assert schedule.task("A").free_float == 0
    assert schedule.task("A").total_float == 3
    assert schedule.task("B").free_float == 3


def test_one_task_with_links_of_different_types():
    # C has an FS link from A and an SS link (lag 2) from B; B drives.
    schedule = compute(
        [Task("A", 2), Task("B", 6), Task("C", 3)],
        [Link("A", "C", "FS"), Link("B", "C", "SS", 2)],
        Calendar(MONDAY),
    )
    assert schedule.task("C").early_start == d("2026-03-04")
    schedule = compute(
        [Task("A", 5), Task("B", 6), Task("C", 3)],
        [Link("A", "C", "FS"), Link("B", "C", "SS", 2)],
        Calendar(MONDAY),
    )
    assert schedule.task("C").early_start == d("2026-03-07")  # now A drives
    assert schedule.critical_path == ["A", "C"]


def test_a_cycle_names_its_loop():
    with pytest.raises(ScheduleCycleError) as caught:
        compute(
            [Task("start", 1), Task("A", 1), Task("B", 1), Task("C", 1), Task("end", 1)],
            [
                Link("start", "A"),
                Link("A", "B"),
                Link("B", "C", "SS"),
                Link("C", "A", "FF", 2),
                Link("C", "end"),
            ],
            Calendar(MONDAY),
        )
    assert caught.value.loop == ["A", "B", "C"]
    assert str(caught.value) == "The dependencies form a loop: A -> B -> C -> A."
    assert isinstance(caught.value, InvalidInputError)


@pytest.mark.parametrize(
    ("tasks", "links", "message"),
    [
        ([Task("A", 1), Task("A", 2)], [], "Task id 'A' is used twice."),
        ([Task("", 1)], [], "Every task needs an id"),
        ([Task("A", -1)], [], "duration_days is -1"),
        ([Task("A", True)], [], "must be a whole number of days"),
        ([Task("A", 2.5)], [], "must be a whole number of days"),
        ([Task("A", 1)], [Link("A", "Z")], "there is no task 'Z'"),
        ([Task("A", 1)], [Link("A", "A")], "cannot depend on itself"),
        ([Task("A", 1), Task("B", 1)], [Link("A", "B"), Link("A", "B", "SS")], "linked twice"),
        ([Task("A", 1), Task("B", 1)], [Link("A", "B", "XX")], "not one of FS, SS, FF, SF"),
        ([Task("A", 1), Task("B", 1)], [Link("A", "B", "FS", 10**6)], "lag_days is 1,000,000"),
        ([Task("A", 1, Constraint("MSO", MONDAY))], [], "constraint type 'MSO'"),
    ],
)
def test_bad_networks_are_refused_with_a_plain_message(tasks, links, message):
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(")):
        compute(tasks, links, Calendar(MONDAY))


def test_a_runaway_plan_is_refused():
    chain = [Task(str(i), 36_500) for i in range(12)]
    links = [Link(str(i), str(i + 1)) for i in range(11)]
    with pytest.raises(InvalidInputError, match="more than 1,000 years"):
        compute(chain, links, Calendar(MONDAY, True))


def test_a_calendar_without_working_days_is_refused():
    with pytest.raises(InvalidInputError, match="at least one working weekday"):
        Calendar(MONDAY, True, weekend=range(7))


def test_plan_from_json_reads_the_cli_format():
    tasks, links, calendar = plan_from_json(
        {
            "start": "2026-04-02",
            "calendar": "working",
            "holidays": ["2026-04-03", "2026-04-06"],
            "tasks": [
                {"id": "A", "duration_days": 3},
                {
                    "id": "B",
                    "duration_days": 2,
                    "constraint": {"type": "SNET", "date": "2026-04-20"},
                },
            ],
            "links": [{"from": "A", "to": "B", "type": "finish_to_start", "lag_days": 1}],
        }
    )
    schedule = compute(tasks, links, calendar)
    assert schedule.task("B").early_start == d("2026-04-20")
    plain = schedule.to_json()
    assert plain["project_finish"] == "2026-04-21"
    assert plain["tasks"][1]["constraint"] == {"type": "SNET", "date": "2026-04-20"}
    assert set(plain["tasks"][0]) == {
        "id",
        "duration_days",
        "early_start",
        "early_finish",
        "late_start",
        "late_finish",
        "total_float",
        "free_float",
        "critical",
    }


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "must be a JSON object"),
        ({"tasks": []}, "needs a start date"),
        ({"start": "2026-13-01"}, r"start: '2026-13-01' is not a date"),
        ({"start": "2026-01-01", "calendar": "lunar"}, "calendar: 'lunar' is not one of"),
        ({"start": "2026-01-01", "tasks": [{"id": "A"}]}, r"tasks\[0\] has no duration_days"),
        (
            {"start": "2026-01-01", "tasks": [{"id": "A", "duration_days": "5"}]},
            r"tasks\[0\].duration_days must be a whole number",
        ),
        (
            {"start": "2026-01-01", "tasks": [{"id": 7, "duration_days": 1}]},
            r"tasks\[0\].id must be text",
        ),
        (
            {
                "start": "2026-01-01",
                "tasks": [
                    {
                        "id": "A",
                        "duration_days": 1,
                        "constraint": {"type": "X", "date": "2026-01-01"},
                    }
                ],
            },
            r"tasks\[0\].constraint: type 'X'",
        ),
        (
            {"start": "2026-01-01", "links": [{"from": "A", "to": "B", "type": "XS"}]},
            r"links\[0\]: type 'XS'",
        ),
        ({"start": "2026-01-01", "holidays": ["soon"]}, r"holidays\[0\]"),
        ({"start": "2026-01-01", "weekend": ["funday"]}, r"weekend\[0\]"),
        ({"start": "2026-01-01", "duration": 3}, "Unknown field"),
    ],
)
def test_plan_from_json_names_the_field_at_fault(document, message):
    with pytest.raises(InvalidInputError, match=message):
        plan_from_json(document)


def test_frame_has_one_row_per_task():
    schedule = compute([Task("A", 3), Task("B", 2)], [Link("A", "B")], Calendar(MONDAY))
    frame = schedule.frame()
    assert list(frame["id"]) == ["A", "B"]
    assert list(frame["critical"]) == [True, True]


def test_calendar_indices_round_trip_both_sides_of_the_start():
    calendar = Calendar(d("2026-01-07"), True, [d("2026-01-01"), d("2026-01-09")])
    for offset in range(-400, 400):
        day = d("2026-01-07") + timedelta(days=offset)
        index = calendar.index_on_or_after(day)
        assert calendar.day(index) >= day
        assert calendar.is_counted(calendar.day(index))
        if calendar.is_counted(day):
            assert calendar.day(index) == day
            assert calendar.index_on_or_before(day) == index
        else:
            assert calendar.day(index - 1) < day


# ---------------------------------------------------------------------- properties


@st.composite
def networks(draw, fs_only=False, constraints=True, deadlines=False):
    count = draw(st.integers(1, 14))
    tasks = []
    for i in range(count):
        constraint = None
        if constraints and draw(st.integers(0, 4)) == 0:
            kind = "FNLT" if deadlines and draw(st.booleans()) else "SNET"
            constraint = Constraint(kind, MONDAY + timedelta(days=draw(st.integers(-5, 40))))
        tasks.append(Task(f"t{i}", draw(st.integers(0, 8)), constraint))
    links = []
    for successor in range(1, count):
        for predecessor in draw(st.sets(st.integers(0, successor - 1), max_size=min(3, successor))):
            links.append(
                Link(
                    f"t{predecessor}",
                    f"t{successor}",
                    "FS" if fs_only else draw(st.sampled_from(["FS", "SS", "FF", "SF"])),
                    draw(st.integers(-4, 6)),
                )
            )
    # Shuffle the given order: the scheduler must not rely on it.
    order = draw(st.permutations(range(count)))
    tasks = [tasks[i] for i in order]
    working = draw(st.booleans())
    holidays = draw(st.sets(st.integers(0, 60), max_size=5)) if working else set()
    calendar = Calendar(
        MONDAY + timedelta(days=draw(st.integers(0, 6))),
        working,
        [MONDAY + timedelta(days=h) for h in holidays],
    )
    return tasks, links, calendar


def _bound(link, start, duration):
    p, s = link.predecessor, link.successor
    return {
        "FS": start[p] + duration[p] + link.lag_days,
        "SS": start[p] + link.lag_days,
        "FF": start[p] + duration[p] + link.lag_days - duration[s],
        "SF": start[p] + link.lag_days - duration[s],
    }[link.type]


@settings(max_examples=300, deadline=None)
@given(networks(deadlines=True))
def test_early_start_honours_every_link_and_constraint(network):
    tasks, links, calendar = network
    schedule = compute(tasks, links, calendar)
    start = {t: early for t, (early, _late) in schedule.indices.items()}
    duration = {t.id: t.duration_days for t in tasks}
    for link in links:
        assert start[link.successor] >= _bound(link, start, duration)
    for task in tasks:
        assert start[task.id] >= 0
        if task.constraint and task.constraint.kind == "SNET":
            assert schedule.task(task.id).early_start >= task.constraint.day
    # And no earlier than it must be: the same as relaxing every bound to a fixed point.
    relaxed = {t.id: 0 for t in tasks}
    for task in tasks:
        if task.constraint and task.constraint.kind == "SNET":
            relaxed[task.id] = max(0, calendar.index_on_or_after(task.constraint.day))
    for _ in range(len(tasks)):
        for link in links:
            relaxed[link.successor] = max(relaxed[link.successor], _bound(link, relaxed, duration))
    assert start == relaxed


@settings(max_examples=300, deadline=None)
@given(networks())
def test_without_deadlines_no_float_is_negative(network):
    schedule = compute(*network)
    for task in schedule.tasks:
        assert task.total_float >= 0
        assert 0 <= task.free_float <= task.total_float
        assert task.early_start <= task.late_start
    assert all(schedule.task(t).critical for t in schedule.critical_path)


@settings(max_examples=300, deadline=None)
@given(networks(fs_only=True, constraints=False))
def test_along_the_critical_path_durations_and_lags_make_the_project_length(network):
    tasks, links, calendar = network
    schedule = compute(tasks, links, calendar)
    path = schedule.critical_path
    duration = {t.id: t.duration_days for t in tasks}
    lag = {(link.predecessor, link.successor): link.lag_days for link in links}
    total = sum(duration[t] for t in path) + sum(
        lag[pair] for pair in zip(path[:-1], path[1:], strict=True)
    )
    assert total == schedule.length_days
    assert schedule.indices[path[0]][0] == 0


def test_a_milestone_held_by_a_start_sets_the_project_finish():
    schedule = compute(
        [Task("work", 5), Task("go-live", 0)],
        [Link("work", "go-live", "SS", 10)],
        Calendar(d("2026-01-05")),
    )
    assert schedule.task("go-live").early_start == d("2026-01-15")
    assert schedule.finish == d("2026-01-15")  # not the day before the milestone
    assert schedule.length_days == 10


def test_a_deadline_on_a_milestone_is_its_own_day():
    schedule = compute(
        [Task("work", 10), Task("gate", 0, Constraint("FNLT", d("2026-01-05")))],
        [],
        Calendar(d("2026-01-05")),
    )
    gate = schedule.task("gate")
    assert (gate.late_start, gate.late_finish, gate.total_float) == (
        d("2026-01-05"),
        d("2026-01-05"),
        0,
    )
    assert gate.critical


def test_a_start_no_earlier_than_long_before_the_start_holds_nothing():
    schedule = compute(
        [Task("A", 2, Constraint("SNET", date(1, 1, 1)))], [], Calendar(d("2026-01-05"), True)
    )
    assert schedule.task("A").early_start == d("2026-01-05")
