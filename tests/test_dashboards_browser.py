"""The dashboards as a person uses them: Voila on localhost, driven in Chromium."""

from __future__ import annotations

import os
import subprocess
from urllib.parse import urlparse

import pytest

import workbench
from tests.conftest import CHROMIUM_ARGS, REPO, free_port
from workbench.ui import voila

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Voila serving dashboards/ on a fresh store with the demo projects."""
    home = tmp_path_factory.mktemp("voila-home")
    env = dict(os.environ, WORKBENCH_HOME=str(home), WORKBENCH_DB=f"surrealkv://{home / 'store'}")
    with workbench.open(env["WORKBENCH_DB"], home=str(home)) as ws:
        ws.load_demo()
    port = free_port()
    log = open(home / "voila.log", "wb")
    process = voila.start(REPO / "dashboards", port, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        voila.wait_until_serving(url, process, timeout=90)
        yield {"url": url, "db": env["WORKBENCH_DB"], "home": home}
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def page(chromium_path, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        outside: list[str] = []
        page.on(
            "request",
            lambda request: outside.append(request.url)
            if urlparse(request.url).hostname not in ("127.0.0.1", "localhost", None)
            and not request.url.startswith(("data:", "blob:"))
            else None,
        )
        page.outside_requests = outside
        yield page
        context.close()
        browser.close()


def test_landing_page_lists_the_dashboards(served, page, tmp_path):
    page.goto(served["url"])
    link = page.locator("a.dashboard-link", has_text="Projects")
    link.wait_for(timeout=30_000)
    assert "Infra Workbench" in page.title()
    page.screenshot(path=str(tmp_path / "landing.png"), full_page=True)
    assert page.outside_requests == []


def test_create_a_project_with_the_form(served, page, tmp_path):
    page.goto(served["url"] + "voila/render/projects.ipynb")
    table = page.locator(".wb-table table")
    table.wait_for(timeout=90_000)
    assert "Contoso Compute refresh" in table.inner_text()

    # An empty name is refused inline, without a traceback.
    page.locator("button.wb-create").click()
    error = page.locator(".wb-form-message .wb-error")
    error.wait_for(timeout=20_000)
    assert "Name must not be empty" in error.inner_text()

    name = "Browser-made <project> ✓"
    page.locator(".wb-name input").fill(name)
    page.locator("button.wb-create").click()
    page.locator(".wb-form-message .wb-success").wait_for(timeout=20_000)
    page.wait_for_function(
        "name => document.querySelector('.wb-table table').innerText.includes(name)", arg=name, timeout=20_000
    )
    page.screenshot(path=str(tmp_path / "projects.png"), full_page=True)
    assert (tmp_path / "projects.png").stat().st_size > 10_000
    assert "Traceback" not in page.content()
    assert page.outside_requests == []

    # The dashboard wrote through the facade into the shared on-disk store.
    with workbench.open(served["db"], home=str(served["home"])) as ws:
        assert ws.projects.get(name).created_by == "dashboard"

    # Edit it: pick it, set its progress and status, save.
    page.locator(".wb-picker select").select_option(label=name)
    page.locator("button.wb-save").wait_for(timeout=20_000)
    assert page.locator(".wb-name input").input_value() == name
    readout = page.locator(".wb-progress .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("60")
    page.keyboard.press("Enter")
    page.locator("button.wb-save").click()
    page.wait_for_function(
        "() => (document.querySelector('.wb-form-message') || {}).innerText?.includes('Saved')", timeout=20_000
    )
    with workbench.open(served["db"], home=str(served["home"])) as ws:
        assert ws.projects.get(name).progress_percentage == 60

    # Delete it, after a confirmation.
    page.locator("button.wb-delete").click()
    page.get_by_text("cannot be undone").wait_for(timeout=20_000)
    page.screenshot(path=str(tmp_path / "projects-delete.png"), full_page=True)
    page.locator("button.wb-confirm-delete").click()
    page.wait_for_function(
        "() => (document.querySelector('.wb-form-message') || {}).innerText?.includes('Deleted')", timeout=20_000
    )
    with workbench.open(served["db"], home=str(served["home"])) as ws:
        assert name not in {p.name for p in ws.projects.list()}


def test_capacity_dashboard_charts_react_to_a_cluster_selection(served, page, tmp_path):
    page.goto(served["url"] + "voila/render/capacity.ipynb")
    charts = page.locator(".wb-charts .js-plotly-plot")
    page.wait_for_function("document.querySelectorAll('.wb-charts .js-plotly-plot').length >= 4", timeout=120_000)
    assert charts.count() == 4
    table = page.locator(".wb-capacity-table table")
    assert "CL-Prod-A" in table.inner_text() and "CL-Prod-B" in table.inner_text()
    page.screenshot(path=str(tmp_path / "capacity-all.png"), full_page=True)

    # Keep one cluster: the table, the charts' categories and the figures follow.
    page.locator(".wb-clusters select").select_option(["CL-Prod-B"])
    page.wait_for_function(
        "() => { const t = document.querySelector('.wb-capacity-table table');"
        " return t && !t.innerText.includes('CL-Prod-A') && t.innerText.includes('CL-Prod-B'); }",
        timeout=30_000,
    )
    page.wait_for_function(
        "() => { const plots = document.querySelectorAll('.wb-charts .js-plotly-plot');"
        " if (plots.length < 4) return false;"
        " const ticks = [...plots[0].querySelectorAll('.xtick text')].map(t => t.textContent);"
        " return ticks.length > 0 && ticks.every(t => t === 'CL-Prod-B'); }",
        timeout=30_000,
    )
    page.screenshot(path=str(tmp_path / "capacity-one.png"), full_page=True)
    assert "Traceback" not in page.content()
    assert page.outside_requests == []

    # Saving stores the selection through the facade.
    page.locator("button.wb-save").click()
    page.locator(".wb-status .wb-success").wait_for(timeout=20_000)
    with workbench.open(served["db"], home=str(served["home"])) as ws:
        [record] = ws.rvtools.list()
        assert record.selected_clusters == ["CL-Prod-B"]
