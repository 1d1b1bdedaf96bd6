"""Unit-of-work overhead on the embedded store: lock + open + query + close.

Prints medians and p95 in milliseconds for one process and for four processes taking turns,
on a store holding 10,000 records, against a baseline measured in the same run: the same
query on a connection kept open (what a single-user tool without sharing would pay).

    python benchmarks/store.py [--records 10000] [--units 300]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import tempfile
import time
from pathlib import Path

from workbench.settings import Settings
from workbench.store import Store, migrate

QUERY = "SELECT * FROM project WHERE name = $name"


def _store(url: str, home: str) -> Store:
    return Store(Settings.from_env(db_url=url, home=home, lock_timeout=300))


def _units(url: str, home: str, count: int, queue=None) -> list[float]:
    store = _store(url, home)
    timings = []
    for i in range(count):
        started = time.perf_counter()
        with store.unit_of_work() as session:
            session.query(QUERY, {"name": f"Project {i * 37 % 10_000}"})
        timings.append((time.perf_counter() - started) * 1000)
    if queue is not None:
        queue.put(timings)
    return timings


def _summary(label: str, timings: list[float]) -> float:
    ordered = sorted(timings)
    median = statistics.median(ordered)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(f"{label:<42} n={len(ordered):>5}  median {median:7.2f} ms  p95 {p95:7.2f} ms")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=300, help="units of work per process")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as home:
        url = f"surrealkv://{Path(home) / 'store'}"
        store = _store(url, home)
        migrate(store)
        rows = [
            {"name": f"Project {i}", "project_type": "vmware_migration"}
            for i in range(args.records)
        ]
        with store.unit_of_work() as session:
            for start in range(0, len(rows), 2_000):
                session.query("INSERT INTO project $rows", {"rows": rows[start : start + 2_000]})
            count = session.one("SELECT count() AS n FROM project GROUP ALL")[0]["n"]
        print(f"store: {url} with {count} project records\n")

        with store.unit_of_work() as session:  # baseline: connection already open
            baseline = []
            for i in range(args.units):
                started = time.perf_counter()
                session.query(QUERY, {"name": f"Project {i * 37 % 10_000}"})
                baseline.append((time.perf_counter() - started) * 1000)
        base = _summary("baseline: query on an open connection", baseline)
        single = _summary("unit of work, 1 process", _units(url, home, args.units))

        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        workers = [
            ctx.Process(target=_units, args=(url, home, args.units, queue)) for _ in range(4)
        ]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        timings = [t for _ in workers for t in queue.get(timeout=600)]
        for worker in workers:
            worker.join()
        wall = time.perf_counter() - started
        multi = _summary("unit of work, 4 processes (incl. waiting)", timings)
        print(
            f"\n4 processes: {len(timings)} units in {wall:.1f} s = {len(timings) / wall:.0f} units/s"
        )
        print(
            f"ratio unit of work / open-connection query: 1 process {single / base:.1f}x, "
            f"4 processes {multi / base:.1f}x"
        )
        print(
            f"goal median <= 50 ms at {count} records: 1 process {'met' if single <= 50 else 'MISSED'}, "
            f"4 processes {'met' if multi <= 50 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
