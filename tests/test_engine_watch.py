"""Hangs leave evidence: an engine call past its bound ends the process with every thread's
stack in HOME/logs/engine-hangs.log, even while the call holds the GIL."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

from workbench.store.watch import HANG_LOG, EngineWatch


def run_python(
    code: str, home, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    env = dict(os.environ, WORKBENCH_HOME=str(home), WORKBENCH_DB="", **(extra_env or {}))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_a_call_past_its_bound_ends_the_process_with_all_stacks(tmp_path):
    started = time.monotonic()
    result = run_python(
        """
        from pathlib import Path
        from workbench.store.watch import EngineWatch

        def frozen_engine_call():
            sum(range(10**12))  # C code that never lets go of the GIL

        with EngineWatch(Path("HOME") / "logs", 0.5).watching("the open of /somewhere/store"):
            frozen_engine_call()
        """.replace("HOME", str(tmp_path)),
        tmp_path,
    )
    assert result.returncode == 1 and time.monotonic() - started < 60
    log = (tmp_path / "logs" / HANG_LOG).read_text()
    headline, _, stacks = log.partition("\n")
    assert (
        "workbench process" in headline
        and "did not answer within 0.5 s during the open of /somewhere/store" in headline
    )
    assert (
        "Timeout (0:00:00.500000)!" in stacks
        and "frozen_engine_call" in stacks
        and "Thread 0x" in stacks
    )


def test_a_frozen_query_inside_a_unit_of_work_is_logged_with_the_store_path(tmp_path):
    result = run_python(
        """
        import workbench
        ws = workbench.open()
        with ws.store.unit_of_work() as session:
            session._connection.query_raw = lambda *args: sum(range(10**12))
            session.query("SELECT * FROM project")
        """,
        tmp_path,
        {"WORKBENCH_ENGINE_TIMEOUT": "1"},
    )
    assert result.returncode == 1
    log = (tmp_path / "logs" / HANG_LOG).read_text()
    assert f"during a query on {tmp_path / 'store'}" in log.splitlines()[0]
    assert "in query" in log and "<lambda>" in log


def test_calls_that_return_in_time_leave_no_trace(tmp_path):
    watch = EngineWatch(tmp_path / "logs", 5)
    for _ in range(3):
        with watch.watching("a quick call"):
            with watch.watching("a nested call"):
                pass
    watch.close()
    assert (tmp_path / "logs" / HANG_LOG).read_text() == ""


def test_the_workbench_watches_its_engine_calls_and_stays_quiet(disk_ws, tmp_path):
    disk_ws.projects.create("Quiet", "new_solution")
    assert disk_ws.store.watch.path == tmp_path / "logs" / HANG_LOG
    assert disk_ws.store.watch.path.read_text() == ""


def test_the_open_file_limit_is_raised_to_the_hard_limit(tmp_path):
    probe = (
        "import resource, workbench; workbench.open(); "
        "print(*resource.getrlimit(resource.RLIMIT_NOFILE))"
    )
    shell = f"ulimit -Sn 256 && {sys.executable} -c '{probe}'"
    env = dict(os.environ, WORKBENCH_HOME=str(tmp_path), WORKBENCH_DB="")
    result = subprocess.run(
        ["bash", "-c", shell], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    soft, hard = map(int, result.stdout.split())
    assert soft == hard and soft > 256
