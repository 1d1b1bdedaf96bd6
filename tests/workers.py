"""Running test workers as separate processes (as notebook and dashboard kernels are), with
the engine's hang watch on: no retries, a frozen worker fails the test with its stacks."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path

import pytest

from workbench.store.watch import HANG_LOG

WORKER_ENGINE_TIMEOUT = "30"
"""Seconds one engine call may take in a worker before the hang watch ends it with a stack."""


@pytest.fixture
def watched_workers(monkeypatch):
    """Spawned workers inherit the environment: a frozen engine call ends the worker with
    the stacks of its threads in HOME/logs/engine-hangs.log, well before the join."""
    monkeypatch.setenv("WORKBENCH_ENGINE_TIMEOUT", WORKER_ENGINE_TIMEOUT)


def run_workers(target, args_per_worker, home: str, timeout: float = 300.0) -> None:
    """Run one spawned worker per argument tuple; all must exit cleanly within ``timeout``
    seconds. A worker that fails is reported with what the hang watch logged."""
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
