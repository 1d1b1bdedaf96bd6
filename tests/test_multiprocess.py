"""Several processes (as a notebook kernel and Voila kernels are) share one on-disk store."""

from __future__ import annotations

import multiprocessing as mp
import time

import pytest

import workbench
from tests.workers import run_workers
from workbench.errors import ConflictError, StoreLockedError
from workbench.settings import Settings
from workbench.store import Store

pytestmark = [pytest.mark.multiprocess, pytest.mark.usefixtures("watched_workers")]
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


def test_no_lost_updates_across_processes(disk_ws, disk_url, tmp_path):
    disk_ws.store.query("CREATE counter:hits SET n = 0")
    run_workers(_increment, [(disk_url, str(tmp_path), INCREMENTS)] * WORKERS, str(tmp_path))
    assert disk_ws.store.query("SELECT n FROM ONLY counter:hits")[0]["n"] == WORKERS * INCREMENTS


def test_unique_names_hold_across_processes(disk_ws, disk_url, tmp_path):
    names = [f"Shared project {i}" for i in range(50)]
    # Every worker tries every name, half of them in reverse order.
    orders = [names if i % 2 == 0 else names[::-1] for i in range(WORKERS)]

    results = mp.get_context("spawn").Queue()
    run_workers(
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
