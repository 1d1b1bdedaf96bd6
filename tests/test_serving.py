"""Serving the dashboards to more than one person: kernels of closed pages are culled, kernels
are capped (a plain page past the cap), a foreign Host header is refused, a token is needed
beyond localhost, and SIGTERM/SIGINT stop Voila and every kernel.

The dashboard served here is a one-cell widget notebook, so the tests measure the serving and
not the dashboards; the culling times are seconds instead of the default minute."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import psutil
import pytest

from tests.conftest import CHROMIUM_ARGS, REPO, free_port
from workbench.errors import InvalidInputError
from workbench.ui import voila

IDLE_SECONDS = 6
TOKEN = "test-token-0123456789abcdef"
FOREIGN = "dashboards.evil.example"

WIDGET_CELL = """\
import ipywidgets as w
count = w.Label("0", _dom_classes=["wb-count"])
button = w.Button(description="Add one", _dom_classes=["wb-add"])
def add(_):
    count.value = str(int(count.value) + 1)
button.on_click(add)
w.VBox([button, count])"""


@pytest.fixture(scope="module")
def dashboards(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dashboards")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(WIDGET_CELL)]
    nbformat.write(notebook, folder / "tiny.ipynb")
    return folder


def kernels(process: subprocess.Popen | psutil.Process) -> list[psutil.Process]:
    """The kernel processes under ``process``."""
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if "ipykernel_launcher" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:
            pass
    return found


def alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def wait_for(condition, timeout: float, step: float = 0.2) -> float:
    """Seconds until ``condition()`` held; fails past ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not within {timeout:g} s")
        time.sleep(step)
    return time.monotonic() - start


def fetch(url: str, host: str | None = None, follow: bool = True) -> tuple[int, str, dict]:
    """Status, body and headers of a GET (errors are answers too)."""
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def served(dashboards, tmp_path, host="127.0.0.1", **options):
    """Voila serving ``dashboards`` with ``options`` (a context manager)."""
    return voila.running(
        dashboards,
        free_port(),
        host,
        dict(os.environ, WORKBENCH_HOME=str(tmp_path / "home")),
        voila.ServingOptions(**options),
        log=tmp_path / "voila.log",
        timeout=60,
    )


@pytest.fixture
def chromium(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium_path),
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {FOREIGN} 127.0.0.1"],
        )
        yield browser
        browser.close()


def open_dashboard(browser, url: str):
    """A fresh context's page on ``url``, once its widgets answer a click."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.locator(".wb-add").click(timeout=60_000)
    page.wait_for_function(
        "() => document.querySelector('.wb-count')?.innerText.trim() === '1'", timeout=30_000
    )
    return context, page


# ----------------------------------------------------------------------------------------
# Options and the Host rule, without a server


def test_options_come_from_arguments_then_environment_then_defaults():
    assert voila.serving_options(env={}) == voila.ServingOptions(60, 6, None, ())
    env = {
        "WORKBENCH_KERNEL_IDLE_SECONDS": "30",
        "WORKBENCH_MAX_KERNELS": "3",
        "WORKBENCH_TOKEN": TOKEN,
        "WORKBENCH_ALLOWED_HOSTS": "dash.example.com, .corp.example",
    }
    assert voila.serving_options(env=env) == voila.ServingOptions(
        30, 3, TOKEN, ("dash.example.com", ".corp.example")
    )
    assert voila.serving_options(idle_seconds=5, max_kernels=1, env=env).max_kernels == 1
    assert (
        voila.ServingOptions(idle_seconds=60).cull_interval == 15
    )  # closed page: gone within 75 s
    assert voila.ServingOptions(idle_seconds=120).cull_interval == 15
    assert voila.ServingOptions(idle_seconds=6).cull_interval == 1
    for bad in (
        {"WORKBENCH_MAX_KERNELS": "0"},
        {"WORKBENCH_KERNEL_IDLE_SECONDS": "soon"},
        {"WORKBENCH_TOKEN": "short"},
    ):
        with pytest.raises(InvalidInputError):
            voila.serving_options(env=bad)
    with pytest.raises(InvalidInputError):
        voila.serving_options(allowed_hosts="good.example, bad/name", env={})


def test_host_header_rule():
    names = voila.allowed_names("127.0.0.1", ("dash.example.com", ".corp.example"))
    for host in ("localhost", "localhost:8866", "127.0.0.1:8866", "[::1]:8866", "10.1.2.3", "DASH.example.com",
                 "dash.example.com.", "corp.example", "a.b.corp.example:443"):  # fmt: skip
        assert voila.host_allowed(host, names), host
    for host in (
        "",
        "evil.example",
        "dash.example.com.evil.example",
        "xcorp.example",
        "localhost.evil",
        "a b",
    ):
        assert not voila.host_allowed(host, names), host
    assert socket.gethostname().lower() in voila.allowed_names("0.0.0.0")
    assert voila.is_local("127.0.0.1") and voila.is_local("localhost") and voila.is_local("::1")
    assert not voila.is_local("0.0.0.0") and not voila.is_local("10.0.0.5")


def test_binding_beyond_localhost_without_a_token_is_refused(dashboards):
    with pytest.raises(InvalidInputError, match="needs a token"):
        voila.start(
            dashboards,
            free_port(),
            "0.0.0.0",
            env={k: v for k, v in os.environ.items() if k != "WORKBENCH_TOKEN"},
        )


# ----------------------------------------------------------------------------------------
# In a browser


@pytest.mark.browser
def test_closed_pages_kernel_is_culled_and_the_cap_serves_a_plain_page(
    dashboards, chromium, tmp_path
):
    with served(dashboards, tmp_path, idle_seconds=IDLE_SECONDS, max_kernels=1) as (process, url):
        first, page = open_dashboard(chromium, url + "voila/render/tiny.ipynb")
        assert len(kernels(process)) == 1

        # An open page keeps its kernel however long it sits idle.
        time.sleep(IDLE_SECONDS + 3)
        assert len(kernels(process)) == 1
        page.locator(".wb-add").click()
        page.wait_for_function(
            "() => document.querySelector('.wb-count').innerText.trim() === '2'", timeout=20_000
        )

        # A second page over the cap gets the plain page, and no kernel.
        second = chromium.new_context()
        other = second.new_page()
        response = other.goto(url + "voila/render/tiny.ipynb")
        assert response.status == 503
        assert "All dashboard sessions are in use" in other.inner_text("body")
        assert "at most 1 dashboard sessions" in other.inner_text("body")
        assert "tries again by itself" in other.inner_text("body")
        assert "Traceback" not in other.content() and "Error" not in other.inner_text("body")
        other.screenshot(path=str(tmp_path / "at-capacity.png"))
        assert len(kernels(process)) == 1

        # The first page is closed (no unload handler runs, as when a laptop lid shuts):
        # its kernel is culled within the idle time and one culling interval.
        [kernel] = kernels(process)
        first.close()
        gone = wait_for(
            lambda: not alive(kernel),
            timeout=IDLE_SECONDS + 2 * voila.ServingOptions(IDLE_SECONDS).cull_interval + 10,
        )
        print(f"closed page's kernel gone after {gone:.1f} s (idle limit {IDLE_SECONDS} s)")
        assert kernels(process) == []

        # The slot is free again. The waiting page loads itself again every few seconds
        # (the server may still count the dead kernel for a moment after its process
        # ends), so it becomes the dashboard without anyone clicking "Try again".
        retry = voila.ServingOptions(IDLE_SECONDS).retry_seconds
        other.locator(".wb-add").click(timeout=(3 * retry + 30) * 1000)
        other.wait_for_function(
            "() => document.querySelector('.wb-count')?.innerText.trim() === '1'", timeout=30_000
        )
        second.close()


@pytest.mark.browser
def test_leaving_a_page_ends_its_kernel_at_once(dashboards, chromium, tmp_path):
    """The page's unload beacon (POST voila/api/shutdown) is accepted: its _xsrf cookie is set."""
    with served(dashboards, tmp_path, idle_seconds=600) as (process, url):
        context, page = open_dashboard(chromium, url + "voila/render/tiny.ipynb")
        [kernel] = kernels(process)
        assert any(cookie["name"] == "_xsrf" for cookie in context.cookies())
        page.goto("about:blank")  # runs the unload handler, as closing a tab does
        gone = wait_for(lambda: not alive(kernel), timeout=15)
        print(f"left page's kernel gone after {gone:.1f} s (culling would take 600 s)")
        context.close()


@pytest.mark.browser
def test_beyond_localhost_a_token_is_needed_and_a_foreign_host_is_refused(
    dashboards, chromium, tmp_path
):
    with served(dashboards, tmp_path, host="0.0.0.0", token=TOKEN, idle_seconds=IDLE_SECONDS) as (
        process,
        url,
    ):
        port = url.rsplit(":", 1)[1].strip("/")

        # A foreign name is refused, token or not, page or kernel API.
        for path in (
            "",
            f"?token={TOKEN}",
            f"voila/render/tiny.ipynb?token={TOKEN}",
            "voila/static/index.css",
        ):
            status, body, _ = fetch(url + path, host=f"{FOREIGN}:{port}")
            assert status == 403, path
            assert "does not answer to that name" in body and "Traceback" not in body
        assert kernels(process) == []

        # Without the token, no dashboard: a login page.
        status, _, headers = fetch(
            url + "voila/render/tiny.ipynb", host=f"localhost:{port}", follow=False
        )
        assert status == 302 and "/login" in headers["Location"]
        status, body, _ = fetch(url, host=f"{socket.gethostname()}:{port}")
        assert status == 200 and "dashboard-link" not in body
        status, body, _ = fetch(url + f"?token={TOKEN}", host=f"{socket.gethostname()}:{port}")
        assert status == 200 and "dashboard-link" in body
        assert kernels(process) == []

        # In a browser: a foreign name gets the 403 page; the token link logs in and the
        # dashboard's widgets work (the kernel websocket goes through the same checks).
        context = chromium.new_context()
        page = context.new_page()
        response = page.goto(f"http://{FOREIGN}:{port}/?token={TOKEN}")
        assert response.status == 403
        assert "does not answer to that name" in page.inner_text("body")
        page.goto(f"http://localhost:{port}/?token={TOKEN}")
        page.locator("a.dashboard-link").first.click()
        page.locator(".wb-add").click(timeout=60_000)
        page.wait_for_function(
            "() => document.querySelector('.wb-count')?.innerText.trim() === '1'", timeout=30_000
        )
        assert len(kernels(process)) == 1
        context.close()


# ----------------------------------------------------------------------------------------
# `workbench serve` and signals


def start_workbench_serve(
    tmp_path, dashboards, port: int, *extra: str
) -> tuple[subprocess.Popen, str]:
    """``workbench serve`` on a fresh store; returns the process and the URL it printed."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env.update(
        WORKBENCH_HOME=str(home), WORKBENCH_DB=f"surrealkv://{home / 'store'}", PYTHONUNBUFFERED="1"
    )
    command = [
        sys.executable,
        "-m",
        "workbench.cli",
        "serve",
        f"--port={port}",
        f"--dashboards={dashboards}",
        *extra,
    ]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines = []
    deadline = time.monotonic() + 90
    for line in process.stdout:
        lines.append(line)
        if "Infra Workbench dashboards:" in line:
            return process, line.split("dashboards:", 1)[1].strip()
        if time.monotonic() > deadline:
            break
    process.kill()
    pytest.fail("workbench serve did not print its URL:\n" + "".join(lines))


@pytest.mark.parametrize(
    ("stop_signal", "host"),
    [(signal.SIGTERM, "127.0.0.1"), (signal.SIGINT, "0.0.0.0"), (signal.SIGKILL, "127.0.0.1")],
    ids=["SIGTERM-localhost", "SIGINT-beyond-localhost", "SIGKILL-Voila-follows"],
)
def test_a_signal_stops_voila_and_every_kernel(stop_signal, host, dashboards, tmp_path):
    port = free_port()
    process, url = start_workbench_serve(
        tmp_path, dashboards, port, f"--host={host}", "--max-kernels=2"
    )
    try:
        token = ""
        if host == "0.0.0.0":
            # No token given: one is generated and printed with the URL.
            match = re.search(r"\?token=([A-Za-z0-9_-]{24,})$", url)
            assert match, url
            token = match.group(1)
            assert fetch(f"http://127.0.0.1:{port}/voila/render/tiny.ipynb", follow=False)[0] == 302
        else:
            assert url == f"http://localhost:{port}/"

        # Two pages fetched without a browser: their kernels stay (no page ever connects).
        for _ in range(2):
            assert fetch(f"http://127.0.0.1:{port}/voila/render/tiny.ipynb?token={token}")[0] == 200
        status, body, _ = fetch(f"http://127.0.0.1:{port}/voila/render/tiny.ipynb?token={token}")
        assert status == 503 and "All dashboard sessions are in use" in body

        [voila_process] = [
            p
            for p in psutil.Process(process.pid).children()
            if "workbench.ui.voila" in " ".join(p.cmdline())
        ]
        tree = [voila_process, *psutil.Process(voila_process.pid).children(recursive=True)]
        assert len(kernels(voila_process)) == 2

        started = time.monotonic()
        process.send_signal(stop_signal)
        # SIGKILL cannot be handled: Voila gets SIGTERM from the kernel (PR_SET_PDEATHSIG).
        assert process.wait(timeout=40) == (-signal.SIGKILL if stop_signal == signal.SIGKILL else 0)
        wait_for(lambda: not any(alive(p) for p in tree), timeout=10)
        took = time.monotonic() - started
        print(
            f"{stop_signal.name}: workbench serve, Voila and {len(tree) - 1} kernel process(es) gone in {took:.1f} s"
        )
        assert voila.port_is_free(port)
        with socket.socket() as sock:  # a server can listen on the port again at once
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("", port))
            sock.listen()
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()


def test_stop_ends_the_kernels_even_when_voila_cannot(dashboards, tmp_path):
    """Voila frozen (SIGSTOP): it is killed after the wait and its kernels are ended by us."""
    with served(dashboards, tmp_path, max_kernels=2) as (process, url):
        for _ in range(2):
            assert fetch(url + "voila/render/tiny.ipynb")[0] == 200
        tree = [psutil.Process(process.pid), *kernels(process)]
        assert len(tree) == 3
        os.kill(process.pid, signal.SIGSTOP)
        started = time.monotonic()
        voila.stop(process, timeout=2)
        took = time.monotonic() - started
        assert not any(alive(p) for p in tree)
        assert took < 15


def test_a_dashboard_card_is_read_from_the_notebook(tmp_path):
    def notebook(*markdown: str) -> Path:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(m) for m in markdown]
        nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))
        path = tmp_path / "hardware_pool.ipynb"
        nbformat.write(nb, path)
        return path

    card = voila.dashboard_card(
        notebook(
            "# Hardware *pool*\nWhich servers go to which project, and when. "
            "Book a server with the form.\n\nMore text.\n## Next",
            "# Not this one",
        )
    )
    assert card == voila.DashboardCard(
        "Hardware pool", "Which servers go to which project, and when."
    )
    assert voila.dashboard_card(notebook("Just text, no heading.")) == voila.DashboardCard(
        "Hardware pool", ""
    )
    assert voila.dashboard_card(notebook()).title == "Hardware pool"
    damaged = tmp_path / "damaged_one.ipynb"
    damaged.write_text("{not json")
    assert voila.dashboard_card(damaged) == voila.DashboardCard("Damaged one", "")
    assert voila.dashboard_card(tmp_path / "missing.ipynb").title == "Missing"
