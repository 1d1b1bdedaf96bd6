"""Several processes (as a notebook kernel and Voila kernels are) share one on-disk store."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path

import pytest

import workbench
from workbench.errors import ConflictError, StoreLockedError
from workbench.settings import Settings
from workbench.store import Store
from workbench.store.watch import HANG_LOG

pytestmark = pytest.mark.multiprocess
WORKERS = 4
INCREMENTS = 250


def _increment(url: str, home: str, times: int) -> None:
    store = Store(Settings.from_env(db_url=url, home=home, lock_timeout=120.0))
    for _ in range(times):
        with store.unit_of_work() as session:
            row = session.one("SELECT n FROM ONLY counter:hits")
            session.query("UPSERT counter:hits SET n = $n", {"n": row["n"] + 1})


def _create_projects(url: str, home: str, names: list[str], results) -> None:
    ws = workbench.open(url, home=home, apply_migrations=False)
    ws.store.settings = Settings.from_env(db_url=url, home=home, lock_timeout=120.0)
    created = conflicts = 0
    for name in names:
        try:
            ws.projects.create(name, "vmware_migration")
            created += 1
        except ConflictError:
            conflicts += 1
    results.put((created, conflicts))


def _hold(url: str, home: str, held, release) -> None:
    store = Store(Settings.from_env(db_url=url, home=home))
    with store.unit_of_work():
        held.set()
        release.wait(30)


WORKER_ENGINE_TIMEOUT = "30"
"""Seconds one engine call may take in a worker before the hang watch ends it with a stack."""


@pytest.fixture(autouse=True)
def _watched_workers(monkeypatch):
    # Spawned workers inherit the environment: a frozen engine call ends the worker with
    # the stacks of its threads in HOME/logs/engine-hangs.log, well before the join below.
    monkeypatch.setenv("WORKBENCH_ENGINE_TIMEOUT", WORKER_ENGINE_TIMEOUT)


def _run(target, args_per_worker, home: str, timeout: float = 300.0) -> None:
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


def test_no_lost_updates_across_processes(disk_ws, disk_url, tmp_path):
    disk_ws.store.query("CREATE counter:hits SET n = 0")
    _run(_increment, [(disk_url, str(tmp_path), INCREMENTS)] * WORKERS, str(tmp_path))
    assert disk_ws.store.query("SELECT n FROM ONLY counter:hits")[0]["n"] == WORKERS * INCREMENTS


def test_unique_names_hold_across_processes(disk_ws, disk_url, tmp_path):
    names = [f"Shared project {i}" for i in range(50)]
    # Every worker tries every name, half of them in reverse order.
    orders = [names if i % 2 == 0 else names[::-1] for i in range(WORKERS)]

    results = mp.get_context("spawn").Queue()
    _run(
        _create_projects,
        [(disk_url, str(tmp_path), order, results) for order in orders],
        str(tmp_path),
    )
    outcomes = [results.get(timeout=10) for _ in range(WORKERS)]
    stored = [p.name for p in disk_ws.projects.list()]
    assert sum(c for c, _ in outcomes) == len(names)
    assert sum(c + k for c, k in outcomes) == WORKERS * len(names)
    assert sorted(stored) == sorted(names)


def test_a_held_store_gives_a_clear_error_naming_the_holder(disk_ws, disk_url, tmp_path):
    ctx = mp.get_context("spawn")
    held, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(disk_url, str(tmp_path), held, release))
    holder.start()
    try:
        assert held.wait(60)
        impatient = Store(Settings.from_env(db_url=disk_url, home=str(tmp_path), lock_timeout=0.5))
        started = time.monotonic()
        with pytest.raises(StoreLockedError) as caught:
            with impatient.unit_of_work():
                pass
        assert time.monotonic() - started < 5
        assert f"process {holder.pid}" in str(caught.value)
    finally:
        release.set()
        holder.join(30)
    # Once released, the same store works again.
    assert disk_ws.projects.count() == 0
