"""The embedded engine runs in a helper process, so a stalled open costs seconds, not a kernel.

Now and then (about one open in a few thousand, when processes take turns on one store) the
embedded engine's native open never returns, holding the GIL; nothing inside that process
can cancel it. Every process that uses an on-disk store therefore runs the engine in an
*engine host*: a small child process started from this file that holds no Python state of
ours and answers open, connect, execute (the SDK's CBOR request bytes) and close over two
pipes. The parent waits for each answer with a bound; when the bound passes, it kills the
host (the kernel releases the engine's LOCK flock with it) and reports
:class:`EngineStalled`, and the store opens again in a fresh host. Hosts are pooled per
process and replaced after :data:`OPENS_PER_HOST` opens.

The file runs as a script (``python -I engine_host.py IN OUT``) so the host imports only the
engine's extension, not the workbench.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from typing import Any

OPENS_PER_HOST = 200
"""A host is replaced after this many opens: a fresh process keeps no engine threads from
earlier opens (measured: each open leaves its tokio workers behind until the process ends)."""

_OPEN, _CONNECT, _EXECUTE, _CLOSE = b"O", b"N", b"E", b"C"
_OK, _ERROR = b"K", b"X"


class EngineStalled(Exception):  # noqa: N818 - a condition of the engine, not our error
    """The engine host did not answer within its bound; it has been killed.

    Deliberately not a ``RuntimeError``: the SDK maps those to its own connection errors,
    and this one must reach the store's unit of work as it is.
    """

    def __init__(self, what: str, bound: float, pid: int):
        super().__init__(f"the store engine did not answer within {bound:g} s during {what}")
        self.what = what
        self.bound = bound
        self.pid = pid


class EngineHost:
    """One helper process running the embedded engine; used by one unit of work at a time."""

    def __init__(self) -> None:
        to_host_read, to_host_write = os.pipe()
        from_host_read, from_host_write = os.pipe()
        try:
            self.process = _spawner.popen(
                [
                    sys.executable,
                    "-I",
                    __file__,
                    str(to_host_read),
                    str(from_host_write),
                    str(os.getpid()),
                ],
                pass_fds=(to_host_read, from_host_write),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # a CLI's stdout belongs to its output
                close_fds=True,  # never the workbench's file lock: it must die with us
            )
        except BaseException:
            os.close(to_host_write)
            os.close(from_host_read)
            raise
        finally:
            os.close(to_host_read)
            os.close(from_host_write)
        self._to = Connection(to_host_write, readable=False)
        self._from = Connection(from_host_read, writable=False)
        self.owner = os.getpid()
        self.opens = 0
        self.dead = False

    @property
    def pid(self) -> int:
        """The host's process id."""
        return self.process.pid

    def call(self, op: bytes, payload: bytes, bound: float, what: str) -> bytes:
        """Send one request and wait at most ``bound`` seconds for its answer.

        Raises
        ------
        EngineStalled
            No answer in time (the host is killed) or the host died.
        Exception
            Whatever the engine raised for the request (``RuntimeError``, ``ValueError``),
            as the in-process extension raises it.
        """
        if self.dead or self.owner != os.getpid():  # a forked child never shares our pipes
            raise EngineStalled(what, bound, self.pid)
        try:
            self._to.send_bytes(op + payload)
            answered = self._from.poll(bound)
            reply = self._from.recv_bytes() if answered else None
        except (OSError, EOFError):
            reply = None
        except BaseException:
            # Interrupted (Ctrl-C, a kernel interrupt) with a request in flight: its answer
            # would be read as the next request's, so this host can never be used again.
            self.kill()
            raise
        if reply is None:
            self.kill()
            raise EngineStalled(what, bound, self.pid)
        kind, body = reply[:1], reply[1:]
        if kind == _OK:
            return body
        # The engine's own exception, raised here as the extension raises it in-process.
        try:
            error = pickle.loads(body)
        except Exception:  # noqa: BLE001 - an exception type that cannot be rebuilt here
            error = RuntimeError(body.decode("utf-8", "replace"))
        raise error

    def kill(self) -> None:
        """End the host at once (a stalled engine cannot be asked to close)."""
        self.dead = True
        try:
            self.process.kill()
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self._close_pipes()

    def stop(self) -> None:
        """Let an idle host end: it sees the pipe close, closes its engine and exits."""
        self.dead = True
        self._close_pipes()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def _close_pipes(self) -> None:
        for end in (self._to, self._from):
            try:
                end.close()
            except OSError:
                pass


class _Spawner:
    """Starts every host from one long-lived thread of this process.

    A host asks the kernel to kill it when its parent goes (``PR_SET_PDEATHSIG``), so a
    host stalled in native code cannot outlive a kernel that died and keep the store's
    LOCK. Linux counts the *thread* that started a child as its parent; starting them all
    from one daemon thread, which lives as long as the process, makes that the process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def popen(self, *args: Any, **kwargs: Any) -> subprocess.Popen:
        with self._lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._requests = queue.Queue()
                self._thread = threading.Thread(
                    target=self._serve, args=(self._requests,), name="engine-hosts", daemon=True
                )
                self._thread.start()
                self._pid = os.getpid()
            requests = self._requests
        answer: queue.Queue = queue.Queue(maxsize=1)
        requests.put((args, kwargs, answer))
        started, value = answer.get()
        if not started:
            raise value
        return value

    @staticmethod
    def _serve(requests: queue.Queue) -> None:
        while True:
            args, kwargs, answer = requests.get()
            try:
                answer.put((True, subprocess.Popen(*args, **kwargs)))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, who raises it
                answer.put((False, exc))


_spawner = _Spawner()


class HostedEngine:
    """Stands in for the extension's ``SyncEmbeddedDB``, answering through an engine host.

    ``bound`` is the seconds each call may take; the store sets it short while opening and
    to the engine bound once the unit of work runs.
    """

    def __init__(self, host: EngineHost, url: str, bound: float, where: str):
        self.host = host
        self.bound = bound
        self.where = where
        host.opens += 1
        host.call(_OPEN, url.encode("utf-8"), bound, f"the open of {where}")

    def connect(self) -> None:
        """Connect the opened engine (the SDK calls it after the open)."""
        self.host.call(_CONNECT, b"", self.bound, f"the open of {self.where}")

    def execute(self, cbor_request: bytes) -> bytes:
        """One SDK request (CBOR bytes) answered by the engine (CBOR bytes)."""
        return self.host.call(_EXECUTE, cbor_request, self.bound, f"a query on {self.where}")

    def close(self) -> None:
        """Close the engine; the host stays, ready for the next open."""
        self.host.call(_CLOSE, b"", self.bound, f"the close of {self.where}")


class HostPool:
    """This process's idle engine hosts. A forked child starts a pool of its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[EngineHost] = []
        self._pid = os.getpid()

    def acquire(self) -> EngineHost:
        """An idle host of this process, or a new one."""
        with self._lock:
            if self._pid != os.getpid():
                # Inherited through fork: those pipes belong to the parent's hosts.
                self._idle, self._pid = [], os.getpid()
            while self._idle:
                host = self._idle.pop()
                if not host.dead and host.process.poll() is None:
                    return host
        return EngineHost()

    def release(self, host: EngineHost) -> None:
        """Take a host back after a unit of work; a dead or worn one is ended instead."""
        if host.dead:
            return
        if host.opens >= OPENS_PER_HOST or self._pid != os.getpid():
            host.stop()
            return
        with self._lock:
            self._idle.append(host)

    def stop_all(self) -> None:
        """End every idle host (tests, and a process that wants its children gone)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for host in idle:
            host.stop()


hosts = HostPool()


def _forget_after_fork() -> None:
    # The parent's hosts are not this child's: drop our copies of their pipes, so the
    # parent's hosts still see their pipe close when the parent stops them.
    for host in hosts._idle:
        host._close_pipes()
    hosts._idle, hosts._pid = [], os.getpid()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this host when its parent goes, even while the engine is stuck in
    native code (no Python can run then); end now if the parent is already gone."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass  # not Linux: the host still ends when its pipe closes
    if os.getppid() != parent:
        os._exit(0)


def _serve(inbox: Connection, outbox: Connection, parent: int) -> None:
    import signal

    # Ctrl-C in a terminal reaches the whole process group; the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)
    raise_open_file_limit()
    from surrealdb_embedded import SyncEmbeddedDB

    db = None
    while True:
        try:
            message = inbox.recv_bytes()
        except (EOFError, OSError):
            break
        op, payload = message[:1], message[1:]
        try:
            answer = b""
            if op == _OPEN:
                db = SyncEmbeddedDB(payload.decode("utf-8"))
            elif op == _CONNECT:
                db.connect()
            elif op == _EXECUTE:
                answer = db.execute(payload)
            elif op == _CLOSE:
                if db is not None:
                    db.close()
                db = None
            else:
                raise ValueError(f"unknown request {op!r}")
            try:
                outbox.send_bytes(_OK + answer)
            except (BrokenPipeError, OSError):
                break  # the parent is gone
        except Exception as exc:  # noqa: BLE001 - the parent raises it
            try:
                pickled = pickle.dumps(exc)
            except Exception:  # noqa: BLE001 - an exception that cannot travel
                pickled = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
            try:
                outbox.send_bytes(_ERROR + pickled)
            except (BrokenPipeError, OSError):
                break
    if db is not None:
        try:
            db.close()
        except RuntimeError:
            pass


def raise_open_file_limit() -> tuple[int, int]:
    """Raise this process's soft limit on open files to its hard limit; return (soft, hard).

    The embedded engine takes file descriptors in proportion to the machine's threads on
    first open (about 1,100 here) and caps itself at half the soft limit, so a process
    started with a low soft limit runs short of descriptors. (Kept here because the host
    script imports nothing of the workbench.)
    """
    try:
        import resource
    except ImportError:  # not on POSIX
        return (-1, -1)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass  # some sandboxes refuse; the engine then caps itself lower
    return soft, hard


if __name__ == "__main__":
    _serve(
        Connection(int(sys.argv[1]), writable=False),
        Connection(int(sys.argv[2]), readable=False),
        int(sys.argv[3]),
    )
    sys.exit(0)
