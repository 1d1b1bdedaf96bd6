"""Hardware pool speed: the weekly forecast and availability on 5,000 servers.

A pool of 5,000 servers (12 models in 6 locations, some past their end of life, about 2 %
in maintenance or decommissioned) with 20,000 bookings (allocations and reservations of 30
projects, never overlapping on a server, from four months ago to about a year ahead), 40
approved or ordered procurement requests and 30 workflows asking for servers, is written
straight into an on-disk store: bulk INSERTs of the records as ``ws.pool`` would leave them
(statuses following the booking covering today), in seconds. Then, medians of ``--repeat``
runs, each a whole user action (lock, open, read, close, compute):

forecast
    ``ws.pool.forecast(weeks=104)``: two years of weeks, per model and for all models.
availability
    ``ws.pool.availability(start, end)``: the servers free for four weeks from a month ahead.
baseline
    every server and booking record read plainly (``SELECT *`` of both tables, no
    record-link lookups) in one unit of work of the same store: what reading all of it
    costs, which the first version of both did (with lookups on top). Both figures are
    printed as multiples of it.

For each, the share of the time spent in the store (opening and closing the engine, and
every query: the engine's work and decoding its answer) against computing in Python.
Goals: forecast <= 1 s, availability <= 0.2 s.

    python benchmarks/pool.py [--repeat 5] [--servers 5000] [--bookings 20000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import workbench
from workbench import pool as rules
from workbench.store.connection import Session, Store, record_id

MODELS = [
    ("Dell Inc.", "PowerEdge R650", 56, 768.0),
    ("Dell Inc.", "PowerEdge R750", 64, 1024.0),
    ("Dell Inc.", "PowerEdge R760", 96, 1536.0),
    ("Dell Inc.", "PowerEdge R660", 64, 1024.0),
    ("Lenovo", "ThinkSystem SR650 V2", 48, 768.0),
    ("Lenovo", "ThinkSystem SR630 V3", 64, 1024.0),
    ("HPE", "ProLiant DL380 Gen10", 40, 512.0),
    ("HPE", "ProLiant DL360 Gen11", 64, 1024.0),
    ("HPE", "ProLiant DL385 Gen11", 128, 2048.0),
    ("Cisco", "UCS C240 M7", 96, 1536.0),
    ("Supermicro", "SYS-120U", 32, 512.0),
    ("Supermicro", "SYS-220U", 64, 1024.0),
]
LOCATIONS = ["AMS-1", "AMS-2", "FRA-1", "LON-1", "PAR-1", "DUB-1"]
TODAY = date.today()
WEEKS = 104
GOALS = {"forecast": 1.0, "availability": 0.2}
INSERT = {
    "server_inventory": "INSERT INTO server_inventory $rows",
    "hardware_pool_status": "INSERT INTO hardware_pool_status $rows",
    "procurement_request": "INSERT INTO procurement_request $rows",
}


def build(ws, servers: int, bookings: int, seed: int = 11) -> None:
    """Write the pool straight into the store, in bulk (one unit of work)."""
    rng = random.Random(seed)
    projects = [
        ws.projects.create(
            f"Project {i:02d}",
            "new_solution",
            start_date=TODAY + timedelta(days=rng.randint(-60, 200)),
            target_end_date=TODAY + timedelta(days=rng.randint(300, 700)),
        )
        for i in range(30)
    ]
    for i, project in enumerate(projects):
        vendor, model, _, _ = MODELS[i % len(MODELS)]
        ws.workflows.add(
            project,
            "Racking",
            "commissioning",
            duration_days=10,
            start_no_earlier_than=TODAY + timedelta(days=rng.randint(0, 500)),
            hardware_requirements={"servers": rng.randint(5, 60), "model": model}
            if i % 3
            else {"servers": rng.randint(5, 60)},
        )
    server_rows, server_keys = [], []
    for i in range(servers):
        vendor, model, cores, memory = MODELS[i % len(MODELS)]
        key = f"s{i:05d}"
        server_keys.append(key)
        bought = TODAY - timedelta(days=rng.randint(30, 2000))
        row = {
            "id": record_id("server_inventory", key),
            "server_name": f"srv-{i:05d}",
            "serial_number": f"SN{i:07d}",
            "asset_tag": f"AT{i:07d}",
            "location": LOCATIONS[i % len(LOCATIONS)],
            "condition": rng.choice(["new", "good", "good", "fair"]),
            "status": "available",
            "procurement_date": bought,
            "warranty_start": bought,
            "warranty_end": bought + timedelta(days=3 * 365),
            "end_of_life": bought + timedelta(days=rng.randint(5 * 365 - 200, 7 * 365)),
            "purchase_price": Decimal(rng.randint(6_000, 40_000)),
            "salvage_value": Decimal(500),
            "currency": "USD",
            "life_years": 5,
            "depreciation_method": rng.choice(["straight_line", "declining_balance"]),
            "source": "file",
            "specifications": {
                "vendor": vendor,
                "model": model,
                "cores": cores,
                "memory_gib": memory,
                "sockets": 2,
            },
        }
        if i % 97 == 0:
            row["status"] = "maintenance"
        elif i % 101 == 0:
            row["status"] = "decommissioned"
        server_rows.append(row)
    booking_rows = []
    per_server = bookings // servers
    for i, (key, row) in enumerate(zip(server_keys, server_rows, strict=True)):
        day = TODAY - timedelta(days=rng.randint(0, 120))
        for _ in range(per_server + (1 if i < bookings - per_server * servers else 0)):
            day += timedelta(days=rng.randint(0, 40))
            end = day + timedelta(days=rng.randint(7, 120))
            booking = {
                "id": record_id("hardware_pool_status", f"b{len(booking_rows):06d}"),
                "server_id": record_id("server_inventory", key),
                "reservation_project": record_id("project", rng.choice(projects).id),
                "kind": "allocation" if rng.random() < 0.7 else "reservation",
                "available_from": day,
                "available_until": end,
                "created_by": "benchmark",
            }
            booking_rows.append(booking)
            if day <= TODAY < end:
                # What the workbench keeps on a server while a booking covers today.
                if row["status"] == "available":
                    row["status"] = rules.BOOKED_STATUS[booking["kind"]]
                row["allocated_to_project"] = booking["reservation_project"]
                row["allocation_start"], row["allocation_end"] = day, end
            day = end
    request_rows = []
    for i in range(40):
        vendor, model, _, _ = MODELS[i % len(MODELS)]
        request_rows.append(
            {
                "id": record_id("procurement_request", f"r{i:03d}"),
                "project_id": record_id("project", projects[i % len(projects)].id),
                "request_name": f"Order {i}",
                "status": "ordered" if i % 2 else "approved",
                "expected_delivery": TODAY + timedelta(days=rng.randint(-20, 400)),
                "hardware_items": [
                    {
                        "description": model,
                        "model": model,
                        "quantity": rng.randint(2, 40),
                        "delivered": 0,
                        "unit_price": Decimal(9000),
                        "vendor": vendor,
                    }
                ],
            }
        )
    with ws.store.unit_of_work() as session:
        for table, rows in (
            ("server_inventory", server_rows),
            ("hardware_pool_status", booking_rows),
            ("procurement_request", request_rows),
        ):
            for start in range(0, len(rows), 2_000):
                session.query(INSERT[table], {"rows": rows[start : start + 2_000]})


class StoreClock:
    """Seconds spent in the store while it runs: opening and closing the engine and every
    query (the engine's work and decoding its answer), summed over a call."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._patched: list[tuple[type, str, object]] = []

    def _timed(self, owner: type, name: str) -> None:
        original = getattr(owner, name)
        clock = self

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                clock.seconds += time.perf_counter() - started

        self._patched.append((owner, name, original))
        setattr(owner, name, timed)

    def __enter__(self) -> StoreClock:
        for owner, name in ((Session, "query"), (Store, "_connect"), (Store, "_close")):
            self._timed(owner, name)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for owner, name, original in reversed(self._patched):
            setattr(owner, name, original)


def _runs(repeat: int, work) -> tuple[float, float]:
    """Median seconds of ``repeat`` calls, and the median share of them spent in the store."""
    times, shares = [], []
    for _ in range(repeat):
        with StoreClock() as clock:
            started = time.perf_counter()
            work()
            took = time.perf_counter() - started
        times.append(took)
        shares.append(clock.seconds / took)
    return statistics.median(times), statistics.median(shares)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--servers", type=int, default=5_000)
    parser.add_argument("--bookings", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true", help="print the top of a profile")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        url = f"surrealkv://{Path(home) / 'store'}"
        ws = workbench.open(url, home=home)
        started = time.perf_counter()
        build(ws, args.servers, args.bookings)
        built = time.perf_counter() - started
        with ws.store.unit_of_work() as session:
            counts = [
                session.one(sql)[0]["n"]
                for sql in (
                    "SELECT count() AS n FROM server_inventory GROUP ALL",
                    "SELECT count() AS n FROM hardware_pool_status GROUP ALL",
                    "SELECT count() AS n FROM procurement_request GROUP ALL",
                )
            ]
        print(
            f"store: {url}; built in {built:.1f} s: {counts[0]:,} servers, {counts[1]:,} "
            f"bookings, {counts[2]} procurement requests, {len(ws.pool.demand())} demands"
        )

        def baseline():
            with ws.store.unit_of_work() as session:
                session.one("SELECT * FROM server_inventory")
                session.one("SELECT * FROM hardware_pool_status")

        window = (TODAY + timedelta(days=30), TODAY + timedelta(days=58))
        actions = {
            "forecast": lambda: ws.pool.forecast(weeks=WEEKS),
            "availability": lambda: ws.pool.availability(*window),
        }
        for work in actions.values():  # warm: imports, first open
            work()
        base, _ = _runs(args.repeat, baseline)
        print(
            f"baseline: every server and booking record read plainly (SELECT *), one unit of "
            f"work: {base * 1000:.0f} ms"
        )
        for name, work in actions.items():
            took, share = _runs(args.repeat, work)
            print(
                f"{name:<13} {took * 1000:6.0f} ms ({took / base:4.2f}x the baseline); in the "
                f"store {share:4.0%}, computing {1 - share:4.0%}; goal <= {GOALS[name]:g} s: "
                f"{'met' if took <= GOALS[name] else 'NOT met'}"
            )
            if args.profile:
                profile = cProfile.Profile()
                profile.runcall(work)
                out = io.StringIO()
                pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
                print(out.getvalue())
        frame = ws.pool.forecast(weeks=WEEKS)
        free = ws.pool.availability(*window)
        short = ws.pool.shortfalls(weeks=WEEKS)
        print(
            f"forecast: {len(frame):,} rows ({frame['model'].nunique()} models x {WEEKS} weeks), "
            f"{len(short)} models short; availability {window[0]} to {window[1]}: "
            f"{len(free):,} of {counts[0]:,} servers free"
        )
        ws.close()


if __name__ == "__main__":
    main()
