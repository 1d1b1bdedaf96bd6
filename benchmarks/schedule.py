"""Scheduling speed: 100, 1,000 and 10,000 workflows with about 2 links each.

For each size a seeded random network is built the way real plans look: every task has
0-4 predecessors (2 on average) among the 60 tasks before it, links of all four types with
lags and leads, a few start-no-earlier-than and finish-no-later-than constraints, on a
working-day calendar with holidays. Printed per size (medians of ``--repeat`` runs):

compute
    ``workbench.schedule.compute``: both passes, floats, critical path, dates.
baseline
    ``graphlib.TopologicalSorter`` of the same links (the standard library's ordering
    alone, the least any scheduler must do); ``compute`` is printed as a multiple of it.

then the growth factor from 100 to 10,000 tasks (linear growth would be 100x; the
baseline's own growth is printed beside it, as Python's containers slow down with size), and
``workbench schedule compute FILE --json`` on the 10,000-task plan as a fresh process,
start-up included. Goals: 10k tasks <= 1 s; growth close to linear; the command <= 2 s.

    python benchmarks/schedule.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import graphlib
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from workbench.schedule import compute, plan_from_json

SIZES = (100, 1_000, 10_000)
START = date(2026, 1, 5)


def plan(size: int, seed: int = 7) -> dict:
    """A plan in the ``workbench schedule compute`` format."""
    rng = random.Random(seed)
    tasks, links = [], []
    for i in range(size):
        task: dict = {"id": f"w{i}", "duration_days": rng.choice([0, 1, 2, 3, 5, 5, 10, 15, 20])}
        if rng.random() < 0.03:
            kind = rng.choice(["SNET", "FNLT"])
            task["constraint"] = {
                "type": kind,
                "date": (START + timedelta(days=rng.randint(0, 3 * size // 10 + 30))).isoformat(),
            }
        tasks.append(task)
        if i == 0:
            continue
        count = min(i, rng.choice([0, 1, 2, 2, 3, 4]))
        for predecessor in rng.sample(range(max(0, i - 60), i), min(count, min(i, 60))):
            links.append(
                {
                    "from": f"w{predecessor}",
                    "to": f"w{i}",
                    "type": rng.choice(["FS", "FS", "FS", "SS", "FF", "SF"]),
                    "lag_days": rng.choice([0, 0, 0, 1, 2, 5, -1, -2]),
                }
            )
    holidays = [(START + timedelta(days=d)).isoformat() for d in range(0, 3650, 45)]
    return {
        "start": START.isoformat(),
        "calendar": "working",
        "holidays": holidays,
        "tasks": tasks,
        "links": links,
    }


def _median(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    timings, baselines = {}, {}
    for size in SIZES:
        document = plan(size)
        tasks, links, calendar = plan_from_json(document)

        def baseline(links=document["links"], tasks=document["tasks"]):
            sorter = graphlib.TopologicalSorter({t["id"]: () for t in tasks})
            for link in links:
                sorter.add(link["to"], link["from"])
            list(sorter.static_order())

        base = _median(args.repeat, baseline)
        took = _median(args.repeat, lambda t=tasks, lk=links, c=calendar: compute(t, lk, c))
        timings[size], baselines[size] = took, base
        schedule = compute(tasks, links, calendar)
        print(
            f"{size:>6,} tasks, {len(links):>6,} links: compute {took * 1000:8.1f} ms "
            f"({took / base:5.1f}x the topological sort alone, {base * 1000:.1f} ms); "
            f"finish {schedule.finish}, {len(schedule.critical_path)} tasks on the critical path"
        )
    growth = timings[SIZES[-1]] / timings[SIZES[0]]
    floor_growth = baselines[SIZES[-1]] / baselines[SIZES[0]]
    print(
        f"growth 100 -> 10,000 tasks: {growth:.0f}x (linear: 100x; the topological sort "
        f"alone: {floor_growth:.0f}x); 10k goal <= 1 s: "
        f"{'met' if timings[SIZES[-1]] <= 1 else 'NOT met'}"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.json"
        path.write_text(json.dumps(plan(SIZES[-1])))
        command = [
            sys.executable,
            "-m",
            "workbench.cli",
            "schedule",
            "compute",
            str(path),
            "--json",
        ]

        def cli():
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

        took = _median(args.repeat, cli)
        start_up = _median(
            args.repeat,
            lambda: subprocess.run(
                [sys.executable, "-m", "workbench.cli", "--help"],
                check=True,
                stdout=subprocess.DEVNULL,
            ),
        )
    print(
        f"workbench schedule compute, 10,000 tasks, --json, fresh process: {took:.2f} s "
        f"(start-up alone {start_up:.2f} s); goal <= 2 s: {'met' if took <= 2 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
