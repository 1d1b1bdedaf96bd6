"""Serving the dashboards with Voila, on the workbench's own CDN-free template."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from workbench.errors import NotFoundError, StoreUnavailableError

TEMPLATE = "workbench"
# A Jupyter data directory holding voila/templates/workbench/.
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter"


def dashboards_folder(folder: str | os.PathLike | None = None) -> Path:
    """The folder of dashboard notebooks: given, ./dashboards, or the checkout's."""
    candidates = [Path(folder)] if folder else [Path.cwd() / "dashboards", Path(__file__).resolve().parents[2] / "dashboards"]
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate.resolve()
    raise NotFoundError(f"No dashboards folder found (looked in {', '.join(map(str, candidates))}).")


def voila_command(folder: Path, port: int, host: str = "127.0.0.1") -> list[str]:
    """The Voila command line serving ``folder``."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(folder),
        f"--port={port}",
        f"--Voila.ip={host}",
        "--no-browser",
        f"--template={TEMPLATE}",
        "--VoilaConfiguration.classic_tree=True",
        "--VoilaConfiguration.show_tracebacks=False",
    ]


def voila_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` with the workbench template's data directory first on JUPYTER_PATH."""
    env = dict(os.environ if env is None else env)
    paths = [str(JUPYTER_DATA)] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    return env


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Block until ``url`` answers; raise if the server exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StoreUnavailableError(f"Voila exited with code {process.returncode} before serving.")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise StoreUnavailableError(f"Voila did not answer at {url} within {timeout:g} s.")


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) != 0


def start(folder: Path, port: int, host: str = "127.0.0.1", env: dict[str, str] | None = None, **popen) -> subprocess.Popen:
    """Start Voila in the background; the caller waits and stops it."""
    return subprocess.Popen(voila_command(folder, port, host), env=voila_environment(env), **popen)


def serve(port: int = 8866, host: str = "127.0.0.1", folder: str | None = None, env: dict[str, str] | None = None) -> int:
    """Serve the dashboards until interrupted; print the landing page's URL once it answers."""
    if not port_is_free(port, host):
        raise StoreUnavailableError(f"Port {port} is in use: stop what runs there or pass --port.")
    process = start(dashboards_folder(folder), port, host, env)
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    url = f"http://{shown_host}:{port}/"
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/" if host == "0.0.0.0" else url, process)
        print(f"\nInfra Workbench dashboards: {url}  (Ctrl-C to stop)\n", flush=True)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
