"""``workbench lab``: JupyterLab on the notebooks, with the dashboards' store."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import REPO, free_port


def test_lab_serves_the_notebooks_on_the_same_store(tmp_path):
    port = free_port()
    store = f"surrealkv://{tmp_path / 'store'}"
    env = dict(os.environ, PYTHONUNBUFFERED="1", JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "--db", store, "--home", str(tmp_path), "lab",
         "--port", str(port), "--notebooks", str(REPO / "notebooks")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        token, lines, deadline = None, [], time.monotonic() + 90
        while token is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            found = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=(\w+)", line)
            token = found.group(1) if found else None
        assert token, "".join(lines)
        assert lines[0].startswith(f"JupyterLab on {REPO / 'notebooks'}, store {store}")
        names: set[str] = set()
        while not names and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=30
                ) as answer:
                    names = {item["name"] for item in json.load(answer)["content"]}
            except OSError:  # the URL is printed as the server starts listening
                time.sleep(0.5)
        assert "03_project_planning.ipynb" in names
        # The server (this very process, exec'd) hands the store to its kernels.
        environ = Path(f"/proc/{process.pid}/environ").read_bytes().split(b"\0")
        assert f"WORKBENCH_DB={store}".encode() in environ
        assert f"WORKBENCH_HOME={tmp_path}".encode() in environ
    finally:
        process.terminate()
        process.wait(30)


def test_lab_without_a_notebooks_folder_says_so(run, tmp_path):
    code, out, err = run("lab", "--notebooks", str(tmp_path / "nowhere"))
    assert (code, out) == (3, "")
    assert err == f"error: There is no notebooks folder at {tmp_path / 'nowhere'}.\n"
