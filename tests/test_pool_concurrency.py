"""Four processes (as four kernels would) book the same 20 servers on one on-disk store.

Each worker tries 250 random bookings through ``ws.pool.allocate``. The clash check runs
inside the transaction that writes a booking, so afterwards no two stored bookings of a
server overlap, and every attempt was either stored or refused with ConflictError: nothing
lost, nothing half-written (the journal holds exactly the stored bookings).
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import random
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

import workbench
from workbench.errors import ConflictError
from workbench.settings import Settings
from workbench.store.watch import HANG_LOG

pytestmark = pytest.mark.multiprocess
WORKERS = 4
ATTEMPTS = 250
SERVERS = [f"srv-{i:02d}" for i in range(20)]
FIRST = date(2027, 1, 4)
DAYS = 120
"""Bookings fall in [FIRST, FIRST + DAYS + 14): about 2,400 server-days for about 7,500 asked."""


def _book(url: str, home: str, seed: int, results) -> None:
    ws = workbench.open(url, home=home, apply_migrations=False)
    ws.store.settings = Settings.from_env(db_url=url, home=home, lock_timeout=120.0)
    rng = random.Random(seed)
    stored, refused = [], 0
    for _ in range(ATTEMPTS):
        start = FIRST + timedelta(days=rng.randrange(DAYS))
        end = start + timedelta(days=rng.randint(1, 14))
        try:
            [booking] = ws.pool.allocate(
                rng.choice(SERVERS),
                "Shared",
                start,
                end,
                kind=rng.choice(["allocation", "reservation"]),
                by=f"worker {seed}",
            )
        except ConflictError:
            refused += 1
        else:
            stored.append(booking.id)
    results.put((stored, refused))


WORKER_ENGINE_TIMEOUT = "30"
"""Seconds one engine call may take in a worker before the hang watch ends it with a stack."""


@pytest.fixture(autouse=True)
def _watched_workers(monkeypatch):
    # Spawned workers inherit the environment: a frozen engine call ends the worker with
    # the stacks of its threads in HOME/logs/engine-hangs.log, well before the join below.
    monkeypatch.setenv("WORKBENCH_ENGINE_TIMEOUT", WORKER_ENGINE_TIMEOUT)


def _run(target, args_per_worker, home: str, timeout: float = 480.0) -> None:
    """Run one worker per argument tuple; all must exit cleanly within ``timeout`` seconds.

    No retries: a worker that fails is reported with what the hang watch logged.
    """
    ctx = mp.get_context("spawn")
    processes = [ctx.Process(target=target, args=args, daemon=True) for args in args_per_worker]
    for process in processes:
        process.start()
    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.1, deadline - time.monotonic()))
    stuck = [p for p in processes if p.is_alive()]
    for process in stuck:
        process.kill()
        process.join(10)
    log = Path(home) / "logs" / HANG_LOG
    logged = log.read_text() if log.exists() else ""
    assert not stuck and not logged, (
        f"{len(stuck)} worker(s) still running after {timeout:g} s; hang log:\n{logged or '(empty)'}"
    )
    assert [p.exitcode for p in processes] == [0] * len(processes), (
        f"hang log:\n{logged or '(empty)'}"
    )


@pytest.mark.timeout(600)
def test_concurrent_bookings_never_overlap_and_every_attempt_is_accounted_for(
    disk_ws, disk_url, tmp_path
):
    disk_ws.projects.create("Shared", "new_solution")
    for name in SERVERS:
        disk_ws.pool.add(name)
    journal_before = len(disk_ws.pool.journal(limit=100_000))

    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    # Results are read after the workers end: 4 small messages fit in the queue's pipe.
    _run(
        _book, [(disk_url, str(tmp_path), seed, results) for seed in range(WORKERS)], str(tmp_path)
    )
    outcomes = [results.get(timeout=10) for _ in range(WORKERS)]

    stored = [b for ids, _ in outcomes for b in ids]
    refused = sum(r for _, r in outcomes)
    assert len(stored) + refused == WORKERS * ATTEMPTS
    assert 0 < len(stored) and 0 < refused  # there was contention, and bookings got through

    bookings = disk_ws.pool.bookings()
    assert len(bookings) == len(stored)
    assert sorted(bookings["id"]) == sorted(stored)
    assert set(bookings["created_by"]) <= {f"worker {i}" for i in range(WORKERS)}
    for server, rows in bookings.groupby("server_name"):
        windows = sorted(zip(rows["start"], rows["end"], strict=True))
        assert all(start < end for start, end in windows), server
        for (_, end), (start, _) in itertools.pairwise(windows):
            assert end <= start, f"{server}: a booking ending {end} overlaps one starting {start}"

    # Every stored booking was journaled once, and no refused attempt left a trace.
    journal = disk_ws.pool.journal(limit=100_000)
    assert len(journal) >= journal_before + len(stored)
    booked = journal[journal["action"] == "booked"]
    assert sorted(booked["subject"]) == sorted(stored)
