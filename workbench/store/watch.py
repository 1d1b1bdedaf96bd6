"""A watch on every wait inside the store engine: evidence instead of a frozen kernel.

The embedded engine holds the GIL through each call, so no Python thread can notice that a
call never returns. :func:`faulthandler.dump_traceback_later` runs in a C thread that needs
no GIL: armed around each engine call, it writes the stacks of all threads to a log and ends
the process once the bound has passed. A Jupyter kernel is then restarted, the file lock
dies with the process, and the log says where it stood.

The log gets a plain line naming the call before the stacks. That line is written when the
watch is armed and cut off again when the call returns in time, because once the bound has
passed no Python code can run to write it.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

HANG_LOG = "engine-hangs.log"
STALL_LOG = "engine-stalls.log"
"""Stalls the workbench recovered from (an engine host ended and replaced)."""

# faulthandler has one timer per process: watches of several stores share it, and only the
# outermost call arms it.
_timer_lock = threading.Lock()
_timer_depth = 0


class EngineWatch:
    """Arms :mod:`faulthandler` around engine calls; one per process is enough.

    Parameters
    ----------
    folder : Path
        Where the log ``engine-hangs.log`` goes (``HOME/logs``).
    bound : float
        Seconds one engine call may take.
    """

    def __init__(self, folder: Path, bound: float):
        self.path = Path(folder) / HANG_LOG
        self.bound = bound
        self._file: IO[str] | None = None

    def _log(self) -> IO[str] | None:
        if self._file is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open
            except OSError:
                return None  # no log is no reason to refuse the work; the bound still holds
        return self._file

    @contextmanager
    def watching(self, what: str) -> Iterator[None]:
        """Bound the engine call ``what`` (e.g. "open of /path/store")."""
        global _timer_depth
        with _timer_lock:
            _timer_depth += 1
            outermost = _timer_depth == 1
            log = self._log() if outermost else None
            mark = None
            if outermost:
                target = log if log is not None else sys.stderr
                if log is not None:
                    try:
                        mark = log.seek(0, os.SEEK_END)
                        log.write(self._headline(what))
                        log.flush()
                    except OSError:
                        mark = None
                faulthandler.dump_traceback_later(self.bound, exit=True, file=target)
        try:
            yield
        finally:
            with _timer_lock:
                _timer_depth -= 1
                if _timer_depth == 0:
                    faulthandler.cancel_dump_traceback_later()
                    if log is not None and mark is not None:
                        try:
                            log.truncate(mark)
                            log.seek(mark)
                        except OSError:
                            pass

    def note_stall(self, text: str) -> None:
        """Append one line about a stall the workbench recovered from to ``STALL_LOG``."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        line = f"{now} workbench process {os.getpid()} ({_command()}): {text}\n"
        try:
            with open(self.path.with_name(STALL_LOG), "a", encoding="utf-8") as log:
                log.write(line)
        except OSError:
            sys.stderr.write(line)

    def _headline(self, what: str) -> str:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        return (
            f"{now} workbench process {os.getpid()} ({_command()}): the store engine did not "
            f"answer within {self.bound:g} s during {what}; the process ended (exit status 1) "
            "instead of freezing. The stacks of all its threads follow.\n"
        )

    def close(self) -> None:
        """Close the log file (tests; a process normally keeps it for its lifetime)."""
        with _timer_lock:
            if self._file is not None and _timer_depth == 0:
                self._file.close()
                self._file = None


def _command() -> str:
    return " ".join(Path(sys.argv[0]).name.split()[:1] + sys.argv[1:3]) or "python"
