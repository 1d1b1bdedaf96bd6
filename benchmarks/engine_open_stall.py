"""Reproduce the embedded engine's open stall, and show the engine hosts recovering from it.

Four spawned processes each run units of work (open the on-disk store, read and write one
record, close it) on the same store, as a notebook kernel and dashboard kernels do. Every
few thousand opens, one `Surreal()` call (the native open of surrealdb-embedded) never
returns while its process holds the store: the others wait on the workbench's lock behind
it. This script counts the opens until a stall, and when gdb is installed dumps the native
stacks of every process (the hang watch can only show Python frames) under the output
folder, to report upstream.

Since the engine runs in engine hosts (workbench/store/engine_host.py), a stalled open ends
its host and the store opens again in a fresh one: each round then reports the stalls
recovered (HOME/logs/engine-stalls.log) and checks that the counter equals the units of work
done. ``--in-process`` runs the engine inside the workers as before, to show the stall
itself.

Run: ``python benchmarks/engine_open_stall.py [--rounds 10] [--out /tmp/stall]``. The hang
watch is disabled here (its bound would end the process before gdb can look at it); a
worker that made no progress for ``--stall`` seconds counts as stalled.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _worker(url: str, home: str, units: int, progress: str, in_process: bool) -> None:
    import workbench.store.connection as connection
    from workbench.settings import Settings
    from workbench.store import Store

    # No hang watch: a stalled process must stay alive for gdb.
    connection.EngineWatch.watching = lambda self, what: contextlib.nullcontext()
    if in_process:
        connection.Store._open_checked = _open_in_process
    store = Store(Settings.from_env(db_url=url, home=home, lock_timeout=3600.0))
    mark = Path(progress)
    for unit in range(units):
        mark.write_text(f"{unit} {time.time()}")
        with store.unit_of_work() as session:
            row = session.one("SELECT n FROM ONLY counter:hits")
            session.query("UPSERT counter:hits SET n = $n", {"n": row["n"] + 1})
    mark.write_text(f"{units} {time.time()}")


def _open_in_process(self, deadline, migrating):
    """The engine inside the worker itself, as before engine hosts: a stall stays a stall."""
    from workbench.store.connection import StoreUnavailableError

    class NoHost:
        dead = False
        opens = 1 << 30  # never pooled

        def stop(self):
            pass

    while True:
        try:
            connection = self._connect()
            break
        except StoreUnavailableError as exc:
            if "already locked" not in str(exc):
                raise
            time.sleep(0.05)
    self._check_identity(connection, migrating)
    return connection, NoHost(), self._folder_guard()


def _dump(pid: int, target: Path) -> None:
    if shutil.which("gdb") is None:
        target.write_text("gdb is not installed: no native stacks.\n")
        return
    out = subprocess.run(
        ["gdb", "-p", str(pid), "-batch", "-ex", "thread apply all bt 40"],
        capture_output=True,
        text=True,
        check=False,
    )
    target.write_text(out.stdout + out.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--units", type=int, default=250, help="units of work per worker")
    parser.add_argument("--stall", type=float, default=60.0, help="seconds without progress")
    parser.add_argument("--in-process", action="store_true", help="no engine hosts")
    parser.add_argument("--out", type=Path, default=Path("/tmp/engine-open-stall"))
    args = parser.parse_args()

    import workbench

    opens = recoveries = 0
    for number in range(1, args.rounds + 1):
        home = args.out / f"round{number}"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        url = f"surrealkv://{home}/store"
        ws = workbench.open(url, home=str(home))
        ws.store.query("CREATE counter:hits SET n = 0")
        context = mp.get_context("spawn")
        marks = [home / f"worker{i}" for i in range(args.workers)]
        workers = [
            context.Process(
                target=_worker,
                args=(url, str(home), args.units, str(m), args.in_process),
                daemon=True,
            )
            for m in marks
        ]
        for worker in workers:
            worker.start()
        stalled = None
        while any(w.is_alive() for w in workers) and stalled is None:
            time.sleep(1)
            for worker, mark in zip(workers, marks, strict=True):
                text = mark.read_text().split() if mark.exists() else []
                if (
                    worker.is_alive()
                    and len(text) == 2
                    and time.time() - float(text[1]) > args.stall
                ):
                    stalled = worker
        done = sum(int(m.read_text().split()[0]) for m in marks if m.exists())
        opens += done
        if stalled is None:
            count = ws.store.query("SELECT n FROM ONLY counter:hits")[0]["n"]
            log = home / "logs" / "engine-stalls.log"
            recovered = len(log.read_text().splitlines()) if log.exists() else 0
            recoveries += recovered
            print(
                f"round {number}: {done} units of work, counter {count} "
                f"({'as expected' if count == done else 'WRONG'}), "
                f"{recovered} stall(s) recovered",
                flush=True,
            )
            if count != done:
                return 1
            continue
        locks = Path("/proc/locks").read_text() if Path("/proc/locks").exists() else ""
        (home / "locks.txt").write_text(locks)
        for index, worker in enumerate(workers):
            _dump(worker.pid, home / f"stacks-worker{index}-pid{worker.pid}.txt")
            worker.kill()
        print(
            f"round {number}: STALL after {done} units of work in this round ({opens} in all); "
            f"native stacks and /proc/locks in {home}",
            flush=True,
        )
        return 1
    print(
        f"{opens} units of work in {args.rounds} rounds, none stuck; "
        f"{recoveries} stall(s) recovered by a fresh engine host"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
