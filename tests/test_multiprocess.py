"""Several processes (as a notebook kernel and Voila kernels are) share one on-disk store."""

from __future__ import annotations

import multiprocessing as mp
import time
import warnings

import pytest

import workbench
from workbench.errors import ConflictError, StoreLockedError
from workbench.settings import Settings
from workbench.store import Store

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


class EngineHang(Exception):
    """A worker stopped making progress inside the SurrealDB engine."""


def _run(target, args_per_worker, timeout: float = 60.0) -> None:
    """Run one worker per argument tuple; all must exit cleanly within ``timeout`` seconds.

    SurrealDB 3.2.4's embedded open very rarely never returns (holding the GIL) when
    processes take turns on one store; such a worker is killed and EngineHang raised.
    """
    ctx = mp.get_context("spawn")
    processes = [ctx.Process(target=target, args=args, daemon=True) for args in args_per_worker]
    for process in processes:
        process.start()
    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.1, deadline - time.monotonic()))
    hung = [p for p in processes if p.is_alive()]
    for process in hung:
        process.kill()
        process.join(10)
    if hung:
        raise EngineHang(f"{len(hung)} worker(s) did not finish within {timeout:g} s")
    assert [p.exitcode for p in processes] == [0] * len(processes)


def _with_engine_hang_retries(scenario, tmp_path, attempts: int = 3):
    """Run ``scenario(url, home)`` on a fresh store; start over (fresh store) after a hang."""
    for attempt in range(attempts):
        home = tmp_path / f"attempt-{attempt}"
        url = f"surrealkv://{home / 'store'}"
        with workbench.open(url, home=str(home)) as ws:
            try:
                return scenario(ws, url, str(home))
            except EngineHang as hang:
                warnings.warn(f"engine hang, attempt {attempt + 1}: {hang}", stacklevel=1)
    pytest.fail(f"the embedded engine hung in all {attempts} attempts")


def test_no_lost_updates_across_processes(tmp_path):
    def scenario(ws, url, home):
        ws.store.query("CREATE counter:hits SET n = 0")
        _run(_increment, [(url, home, INCREMENTS)] * WORKERS)
        return ws.store.query("SELECT n FROM ONLY counter:hits")[0]["n"]

    assert _with_engine_hang_retries(scenario, tmp_path) == WORKERS * INCREMENTS


def test_unique_names_hold_across_processes(tmp_path):
    names = [f"Shared project {i}" for i in range(50)]
    # Every worker tries every name, half of them in reverse order.
    orders = [names if i % 2 == 0 else names[::-1] for i in range(WORKERS)]

    def scenario(ws, url, home):
        results = mp.get_context("spawn").Queue()
        _run(_create_projects, [(url, home, order, results) for order in orders])
        return [results.get(timeout=10) for _ in range(WORKERS)], [p.name for p in ws.projects.list()]

    outcomes, stored = _with_engine_hang_retries(scenario, tmp_path)
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
