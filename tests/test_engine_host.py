"""Engine hosts: an engine that stops answering costs its host process, never the kernel.

A stopped (SIGSTOP) host is a real process that never answers, as the engine's open stall
leaves it; the store must end it, open again in a fresh host, and say so in the stall log.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

import workbench
from workbench.errors import StoreUnavailableError
from workbench.store.connection import OPEN_ATTEMPTS
from workbench.store.engine_host import EngineHost, EngineStalled, hosts
from workbench.store.watch import HANG_LOG, STALL_LOG


@pytest.fixture
def quick_ws(tmp_path, disk_url, monkeypatch):
    """An on-disk workbench whose engine calls are bounded at 2 s."""
    monkeypatch.setenv("WORKBENCH_ENGINE_TIMEOUT", "2")
    with workbench.open(disk_url, home=str(tmp_path)) as bench:
        yield bench


def _stopped_hosts(count: int) -> list[EngineHost]:
    """Put ``count`` hosts that never answer on top of this process's idle pool."""
    stopped = [EngineHost() for _ in range(count)]
    for host in stopped:
        os.kill(host.pid, signal.SIGSTOP)
        hosts.release(host)
    return stopped


def _stall_lines(tmp_path) -> list[str]:
    log = tmp_path / "logs" / STALL_LOG
    return log.read_text().splitlines() if log.exists() else []


def test_a_stalled_open_is_retried_in_a_fresh_host_and_the_action_completes(quick_ws, tmp_path):
    (stopped,) = _stopped_hosts(1)
    quick_ws.projects.create("After a stall", "new_solution")

    assert stopped.dead and stopped.process.poll() is not None  # ended, not left stopped
    assert [p.name for p in quick_ws.projects.list()] == ["After a stall"]
    (line,) = _stall_lines(tmp_path)
    assert f"host process {stopped.pid}" in line
    assert "did not answer within 2 s during the open of" in line
    assert "opened it again in a fresh host" in line
    assert (
        not (tmp_path / "logs" / HANG_LOG).exists()
        or not (tmp_path / "logs" / HANG_LOG).read_text()
    )


def test_an_engine_that_keeps_stalling_gives_a_plain_error_and_writes_nothing(quick_ws, tmp_path):
    _stopped_hosts(OPEN_ATTEMPTS)
    with pytest.raises(StoreUnavailableError, match="stalled 3 times in a row. Nothing was"):
        quick_ws.projects.create("Never", "new_solution")
    assert len(_stall_lines(tmp_path)) == OPEN_ATTEMPTS
    assert "gave up" in _stall_lines(tmp_path)[-1]
    assert quick_ws.projects.list() == []  # and the store works again


def test_a_stall_during_the_action_is_reported_and_the_store_stays_usable(quick_ws, tmp_path):
    quick_ws.projects.create("Kept", "new_solution")
    with pytest.raises(StoreUnavailableError, match="may or may not have been saved"):
        with quick_ws.store.unit_of_work() as session:
            os.kill(session._connection._db.host.pid, signal.SIGSTOP)
            session.query("UPDATE project SET description = 'changed'")
    assert "ended the host and the action" in _stall_lines(tmp_path)[-1]
    # The killed host's transaction never committed.
    assert [p.description for p in quick_ws.projects.list()] == [None]


def test_engine_errors_cross_the_host_as_the_extension_raises_them(tmp_path):
    host = EngineHost()
    try:
        host.call(b"O", f"surrealkv://{tmp_path / 'store'}".encode(), 10, "an open")
        with pytest.raises(ValueError, match="Failed to decode CBOR request"):
            host.call(b"E", b"not cbor", 10, "a query")
        assert not host.dead  # a refused request is an answer, not a stall
        host.call(b"C", b"", 10, "a close")
    finally:
        host.stop()
    assert host.process.returncode == 0


def test_a_dead_host_is_a_stall_not_a_hang():
    host = EngineHost()
    host.process.kill()
    host.process.wait()
    with pytest.raises(EngineStalled):
        host.call(b"N", b"", 10, "a connect")
    assert host.dead


def test_hosts_are_pooled_and_end_with_their_parent(tmp_path):
    # A parent that exits without closing anything leaves no engine host behind.
    code = (
        "import workbench, sys; ws = workbench.open(); ws.projects.list(); ws.projects.list(); "
        "from workbench.store.engine_host import hosts; "
        "print(*[h.pid for h in hosts._idle])"
    )
    env = dict(os.environ, WORKBENCH_HOME=str(tmp_path), WORKBENCH_DB="")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    (pid,) = map(int, result.stdout.split())  # one host served every unit of work
    for _ in range(100):
        if not _running(pid):
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"engine host {pid} outlived its parent")


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's exit may wait for a reaper)."""
    try:
        stat = open(f"/proc/{pid}/stat").read()  # noqa: SIM115 - read at once
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_a_stuck_host_dies_with_its_parent(tmp_path):
    # The parent starts a host, stops it (as a stalled engine: it will never read its pipe
    # again), then dies without a word: the kernel must end the host for it.
    code = (
        "import os, signal, sys\n"
        "from workbench.store.engine_host import EngineHost\n"
        "host = EngineHost()\n"
        "host.call(b'C', b'', 30, 'a first answer')\n"  # it is serving: set up to die with us
        "os.kill(host.pid, signal.SIGSTOP)\n"
        "print(host.pid, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, timeout=120
    )
    pid = int(result.stdout.split()[0])
    for _ in range(100):
        if not _running(pid):
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail(f"engine host {pid} outlived its parent while stuck")
