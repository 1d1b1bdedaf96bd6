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
from datetime import date, timedelta

import pytest

import workbench
from tests.workers import run_workers
from workbench.errors import ConflictError
from workbench.settings import Settings

pytestmark = [pytest.mark.multiprocess, pytest.mark.usefixtures("watched_workers")]
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
    run_workers(
        _book,
        [(disk_url, str(tmp_path), seed, results) for seed in range(WORKERS)],
        str(tmp_path),
        timeout=480.0,
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
