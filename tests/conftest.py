"""Shared fixtures. Tests that need ../shared/data or Chromium skip locally when those are
missing, but fail under CI=true, where they must run."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

import workbench
from tests.workers import watched_workers  # noqa: F401 - a fixture for the multi-process tests

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
# The real vendor baskets (a tender: the same 18 lot codes from two vendors).
REAL_DELL = SHARED_DATA / "baskets" / "X86 Basket Q3 2025 v2 Dell Only.xlsx"
REAL_LENOVO = SHARED_DATA / "baskets" / "X86 Basket Q3 2025 v2 Lenovo Only.xlsx"
# The whole-export figures of capacity.inventory_totals (besides per_cluster and names).
INVENTORY_FIGURES = (
    "vms",
    "templates",
    "powered_on",
    "vcpus",
    "memory_mib",
    "provisioned_mib",
    "in_use_mib",
    "hosts",
    "host_cores",
    "host_memory_mib",
    "clusters",
)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` when ``condition`` fails, except in CI, where it is an error."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: this test must run)")
    pytest.skip(reason)


@pytest.fixture
def real_baskets() -> tuple[Path, Path]:
    """The real Dell and Lenovo basket files."""
    require(
        REAL_DELL.is_file() and REAL_LENOVO.is_file(),
        f"the real baskets are not in {REAL_DELL.parent}",
    )
    return REAL_DELL, REAL_LENOVO


@pytest.fixture
def shared_data() -> Path:
    require(SHARED_DATA.is_dir(), f"{SHARED_DATA} is not there")
    return SHARED_DATA


@pytest.fixture
def ws(tmp_path):
    """A workbench on a fresh in-memory store, schema applied, with its own data directory."""
    with workbench.open("mem://", home=str(tmp_path / "home")) as bench:
        yield bench


@pytest.fixture
def disk_url(tmp_path) -> str:
    return f"surrealkv://{tmp_path / 'store'}"


@pytest.fixture
def disk_ws(tmp_path, disk_url):
    """A workbench on a fresh on-disk (surrealkv) store under the test's tmp dir."""
    with workbench.open(disk_url, home=str(tmp_path)) as bench:
        yield bench


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    require(
        CHROMIUM.exists() and shutil.which(str(CHROMIUM)) is not None,
        f"{CHROMIUM} is not installed",
    )
    return CHROMIUM


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Report what the engine hang watch logged in this run (evidence, not retries)."""
    try:
        base = config._tmp_path_factory.getbasetemp()
    except (AttributeError, ValueError):
        return
    logs = [p for p in Path(base).rglob("engine-hangs.log") if p.stat().st_size]
    provoked = [
        p
        for p in logs
        if "test_engine_watch" in str(p)
        or "test_a_call_past" in str(p)
        or "test_a_frozen_query" in str(p)
    ]
    unexpected = [p for p in logs if p not in provoked]
    terminalreporter.write_line(
        f"engine hang watch: {len(unexpected)} unexpected hang log(s), {len(provoked)} provoked by the watch's own tests"
    )
    for path in unexpected:
        terminalreporter.write_line(f"--- {path}")
        terminalreporter.write_line(path.read_text()[:4000])
    # Stalls the engine hosts recovered from (the store opened again in a fresh host).
    recovered = [
        line
        for p in Path(base).rglob("engine-stalls.log")
        # The engine-host tests stop hosts on purpose.
        if not any(n in str(p) for n in ("test_a_stall", "test_an_engine_that_keeps"))
        for line in p.read_text().splitlines()
    ]
    terminalreporter.write_line(f"engine stalls recovered by a fresh engine host: {len(recovered)}")
    for line in recovered:
        terminalreporter.write_line(f"  {line}")


@pytest.fixture
def run(tmp_path, capsys):
    """The ``workbench`` command, in this process, on an on-disk store under the test's
    tmp dir: ``run(*args)`` -> (exit code, stdout, stderr)."""
    from workbench.cli import main

    def invoke(*args):
        code = main(
            ["--db", f"surrealkv://{tmp_path / 'store'}", "--home", str(tmp_path / "home"), *args]
        )
        out = capsys.readouterr()
        return code, out.out, out.err

    return invoke
