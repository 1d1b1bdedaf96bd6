"""The dashboards as a person uses them: Voila on localhost, driven in Chromium."""

from __future__ import annotations

import os
from urllib.parse import urlparse

import pytest

import workbench
from tests.conftest import CHROMIUM_ARGS, REPO, free_port, require
from workbench.ui import voila

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Voila serving dashboards/ on a fresh store with the demo projects."""
    home = tmp_path_factory.mktemp("voila-home")
    env = dict(os.environ, WORKBENCH_HOME=str(home), WORKBENCH_DB=f"surrealkv://{home / 'store'}")
    with workbench.open(env["WORKBENCH_DB"], home=str(home)) as ws:
        ws.load_demo()
    with voila.running(REPO / "dashboards", free_port(), env=env, log=home / "voila.log") as (
        _,
        url,
    ):
        yield {"url": url, "db": env["WORKBENCH_DB"], "home": home}


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
            lambda request: (
                outside.append(request.url)
                if urlparse(request.url).hostname not in ("127.0.0.1", "localhost", None)
                and not request.url.startswith(("data:", "blob:"))
                else None
            ),
        )
        page.outside_requests = outside
        yield page
        context.close()
        browser.close()


def test_landing_page_lists_the_dashboards(served, page, tmp_path):
    page.goto(served["url"])
    link = page.locator("a.dashboard-link[href$='/projects.ipynb']")
    link.wait_for(timeout=30_000)
    assert "Infra Workbench" in page.title()
    # Each card: the dashboard's own heading and the first sentence under it.
    cards = [" ".join(a.split()) for a in page.locator("a.dashboard-link").all_inner_texts()]
    assert cards == [
        "Capacity Pick an RVTools import, select the clusters to size, and compare demand with"
        " supply, consolidation ratios, storage and migration risks.",
        "Documents Generate a project's high-level and low-level designs, migration plan,"
        " hardware bill of materials and network diagram from its data, move each version from"
        " draft through review to approved, and download, preview or delete it.",
        "Hardware pool Which server is booked for which project and when, the servers available"
        " each week against what the projects need, warranty and end-of-life alerts, book values"
        " and procurement requests; allocate, reserve or release servers with the form.",
        "Portfolio Every project by status, priority and progress, and the plan of one project"
        " as a Gantt chart: its links, its critical path in red, a baseline's dates in grey and"
        " today's date.",
        "Project setup Set up a project step by step: basics, a template of workflows, dates"
        " and calendar, the team and the client's RVTools export; the plan is built at the end.",
        "Projects Every project in the workbench: filter the list; create, edit or delete a"
        " project with the form below.",
        "Sizing Rank every server lot of the loaded vendor baskets by total cost for the"
        " selected clusters of an RVTools import.",
    ]
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
        "name => document.querySelector('.wb-table table').innerText.includes(name)",
        arg=name,
        timeout=20_000,
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
        "() => (document.querySelector('.wb-form-message') || {}).innerText?.includes('Saved')",
        timeout=20_000,
    )
    with workbench.open(served["db"], home=str(served["home"])) as ws:
        assert ws.projects.get(name).progress_percentage == 60

    # Delete it, after a confirmation.
    page.locator("button.wb-delete").click()
    page.get_by_text("cannot be undone").wait_for(timeout=20_000)
    page.screenshot(path=str(tmp_path / "projects-delete.png"), full_page=True)
    page.locator("button.wb-confirm-delete").click()
    page.wait_for_function(
        "() => (document.querySelector('.wb-form-message') || {}).innerText?.includes('Deleted')",
        timeout=20_000,
    )
    with workbench.open(served["db"], home=str(served["home"])) as ws:
        assert name not in {p.name for p in ws.projects.list()}


CHART_WIDTHS = """() => [...document.querySelectorAll('.wb-chart .js-plotly-plot')].map(p => {
    const svg = p.querySelector('.main-svg'), box = p.closest('.wb-chart').parentElement.getBoundingClientRect();
    const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    return {width: r.width, height: r.height, room: box.width};
})"""

LABEL_PROBLEMS = """() => {
  const problems = [];
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
      && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  document.querySelectorAll('.wb-chart .js-plotly-plot').forEach((plot, index) => {
    const name = (plot.querySelector('.gtitle') || {}).textContent || `chart ${index}`;
    const svg = plot.querySelector('.main-svg').getBoundingClientRect();
    const boxes = [];
    const add = (selector, kind) => plot.querySelectorAll(selector).forEach(e => {
      const r = e.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) boxes.push({kind, text: e.textContent, r});
    });
    add('.ytick text', 'y label'); add('.xtick text', 'x label'); add('.legendtext', 'legend');
    add('.gtitle', 'title'); add('.xtitle, .x2title', 'x title'); add('.ytitle', 'y title');
    const areas = [...plot.querySelectorAll('.nsewdrag')].map(e => e.getBoundingClientRect());
    for (const b of boxes) {
      if (b.r.left < svg.left - 1 || b.r.right > svg.right + 1 || b.r.top < svg.top - 1 || b.r.bottom > svg.bottom + 1)
        problems.push(`${name}: ${b.kind} '${b.text}' is cut off`);
      if (b.kind !== 'x label' && b.kind !== 'x title' && areas.some(a => overlap(a, b.r)))
        problems.push(`${name}: ${b.kind} '${b.text}' lies over the plot`);
    }
    boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
      if (overlap(a.r, b.r)) problems.push(`${name}: ${a.kind} '${a.text}' overlaps ${b.kind} '${b.text}'`);
    }));
  });
  return problems;
}"""


def chart_widths(page) -> list[dict]:
    return page.evaluate(CHART_WIDTHS)


def assert_full_width(page, what: str) -> None:
    widths = chart_widths(page)
    assert len(widths) == 5, widths
    for chart in widths:
        assert chart["height"] > 100, (what, widths)
        assert chart["width"] >= 0.97 * chart["room"], (what, widths)


def test_capacity_dashboard_charts_react_to_a_cluster_selection(served, page, tmp_path):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(served["url"] + "voila/render/capacity.ipynb")
    page.wait_for_function(
        "document.querySelectorAll('.wb-chart .js-plotly-plot .main-svg').length >= 5",
        timeout=120_000,
    )
    table = page.locator(".wb-capacity-table table")
    assert "CL-Prod-A" in table.inner_text() and "CL-Prod-B" in table.inner_text()
    page.screenshot(path=str(tmp_path / "capacity-all.png"), full_page=True)
    assert_full_width(page, "on load")

    # Keep one cluster: the table, the charts' categories and the figures follow, at full width.
    page.locator(".wb-clusters select").select_option(["CL-Prod-B"])
    page.wait_for_function(
        "() => { const t = document.querySelector('.wb-capacity-table table');"
        " return t && !t.innerText.includes('CL-Prod-A') && t.innerText.includes('CL-Prod-B'); }",
        timeout=30_000,
    )
    page.wait_for_function(
        "() => { const plots = document.querySelectorAll('.wb-charts .js-plotly-plot');"
        " if (plots.length < 4) return false;"
        " const ticks = [...plots[0].querySelectorAll('.ytick text')].map(t => t.textContent);"
        " return ticks.length > 0 && ticks.every(t => t === 'CL-Prod-B'); }",
        timeout=30_000,
    )
    page.wait_for_timeout(500)
    assert_full_width(page, "after a selection change")
    page.screenshot(path=str(tmp_path / "capacity-one.png"), full_page=True)

    # A narrower window: the charts follow it.
    page.set_viewport_size({"width": 900, "height": 1000})
    page.wait_for_function(
        "() => [...document.querySelectorAll('.wb-chart .main-svg')].every(s => s.getBoundingClientRect().width < 900)",
        timeout=10_000,
    )
    page.wait_for_timeout(300)
    assert_full_width(page, "after a window resize")
    assert "Traceback" not in page.content()
    assert page.outside_requests == []
    # plotly.js came once, from the kernel; no FigureWidget bundle, no failing widget model.
    assert page.evaluate("!!window.__workbenchPlotly && !!window.Plotly")
    assert not [
        m for m in console if "Failed to initialize model" in m or "Error setting state" in m
    ]

    # Saving stores the selection through the facade.
    page.locator("button.wb-save").click()
    page.locator(".wb-status .wb-success").wait_for(timeout=20_000)
    with workbench.open(served["db"], home=str(served["home"])) as ws:
        [record] = ws.rvtools.list()
        assert record.selected_clusters == ["CL-Prod-B"]


LONG_NAMES = {
    f"CL-{short}": f"CL-{short}-Frankfurt-Hanau-Datacenter-Production-Zone-{index:02d}"
    for index, short in enumerate(
        [
            "Prod-A",
            "Prod-B",
            "Test",
            "DMZ",
            "Mgmt",
            "VDI",
            "SQL",
            "Edge",
            "Dev",
            "Lab",
            "DR",
            "Legacy",
        ]
    )
}


def write_long_names_export(path) -> None:
    """A synthetic export with 12 clusters (and VMs outside any) whose names are 50+ characters."""
    from workbench.demo import synthetic_rvtools
    from workbench.io.xlsx_writer import write_xlsx

    def rename(value):
        if isinstance(value, str):
            for old, new in LONG_NAMES.items():
                value = value.replace(old, new)
        return value

    sheets = synthetic_rvtools(2300).sheets
    write_xlsx(
        path,
        {
            sheet: (headers, [[rename(v) for v in row] for row in rows])
            for sheet, (headers, rows) in sheets.items()
        },
    )


@pytest.fixture(scope="module")
def served_clusters(tmp_path_factory):
    """Voila on a store holding many-cluster imports: synthetic long names, and the real
    13-cluster export of ../shared/data when it is there (imported, never copied)."""
    from tests.conftest import SHARED_DATA

    home = tmp_path_factory.mktemp("voila-clusters")
    env = dict(os.environ, WORKBENCH_HOME=str(home), WORKBENCH_DB=f"surrealkv://{home / 'store'}")
    real = SHARED_DATA / "rvtools" / "06_acme1-aeris_rvtools-4.6.1_vc8.0.3_1304vm.xlsx"
    with workbench.open(env["WORKBENCH_DB"], home=str(home)) as ws:
        project = ws.projects.create("Many clusters", "vmware_migration")
        write_long_names_export(home / "long-names.xlsx")
        ws.rvtools.upload(project, home / "long-names.xlsx", progress=False)
        if real.exists():
            ws.rvtools.upload(project, real, progress=False)
    with voila.running(REPO / "dashboards", free_port(), env=env, log=home / "voila.log") as (
        _,
        url,
    ):
        yield {"url": url, "real": real.exists()}


def test_many_clusters_with_long_names_read_without_overlaps(served_clusters, page, tmp_path):
    page.goto(served_clusters["url"] + "voila/render/capacity.ipynb")
    ready = "document.querySelectorAll('.wb-chart .js-plotly-plot .main-svg').length >= 5"
    page.wait_for_function(ready, timeout=120_000)
    imports = page.eval_on_selector_all(
        ".wb-import select option", "os => os.map(o => o.textContent)"
    )
    checked = []
    for index, title in enumerate(imports):
        if index:
            before = page.inner_text(".wb-summary")
            page.locator(".wb-import select").select_option(index=index)
            page.wait_for_function(
                "b => document.querySelector('.wb-summary').innerText !== b",
                arg=before,
                timeout=30_000,
            )
        page.wait_for_function(
            "n => document.querySelectorAll('.wb-charts .js-plotly-plot')[0].querySelectorAll('.ytick text').length >= n",
            arg=13,
            timeout=30_000,
        )
        page.wait_for_timeout(800)
        name = "real" if "06_acme1" in title else "long-names"
        page.screenshot(path=str(tmp_path / f"capacity-{name}.png"), full_page=True)
        assert page.evaluate(LABEL_PROBLEMS) == [], title
        assert_full_width(page, title)
        ticks = page.evaluate(
            "() => [...document.querySelector('.wb-charts .js-plotly-plot').querySelectorAll('.ytick text')]"
            ".map(t => t.textContent)"
        )
        assert len(set(ticks)) == len(ticks)  # shortened names stay apart
        checked.append(name)

        # Pick the last cluster: it stays in view in the list, and the charts keep their width.
        options = page.eval_on_selector_all(
            ".wb-clusters select option", "os => os.map(o => o.textContent)"
        )
        page.locator(".wb-clusters select").select_option(label=options[-1])
        page.wait_for_function(
            "() => document.querySelector('.wb-capacity-table table').rows.length === 2",
            timeout=30_000,
        )
        page.wait_for_timeout(500)
        visible = page.evaluate(
            "() => { const s = document.querySelector('.wb-clusters select'), o = s.options[s.selectedIndex];"
            " const a = s.getBoundingClientRect(), b = o.getBoundingClientRect();"
            " return b.top >= a.top - 1 && b.bottom <= a.bottom + 1; }"
        )
        assert visible, f"{title}: the chosen cluster scrolled out of view"
        assert_full_width(page, f"{title}, one cluster")
        assert page.evaluate(LABEL_PROBLEMS) == [], title
        page.locator("button", has_text="All clusters").click()
        page.wait_for_function(
            "n => document.querySelector('.wb-capacity-table table').rows.length > n",
            arg=13,
            timeout=30_000,
        )
    assert "long-names" in checked
    require(served_clusters["real"], "the real 13-cluster export is not in ../shared/data")
    assert "real" in checked


def test_sizing_reranks_on_a_slider_and_downloads_a_bom_that_opens(served, page, tmp_path):
    import openpyxl

    page.goto(served["url"] + "voila/render/sizing.ipynb")
    ranking = page.locator(".wb-ranking-table table")
    ranking.wait_for(timeout=120_000)
    page.locator(".wb-cost-chart .main-svg").first.wait_for(timeout=60_000)
    before = ranking.inner_text()
    assert "Demo Systems" in before and "Traceback" not in page.content()
    page.screenshot(path=str(tmp_path / "sizing.png"), full_page=True)

    # A much lower vCPU:core ratio needs more hosts: the ranking changes.
    readout = page.locator(".wb-cpu-ratio .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "before => document.querySelector('.wb-ranking-table table').innerText !== before",
        arg=before,
        timeout=60_000,
    )
    assert ranking.inner_text() != before

    with page.expect_download(timeout=60_000) as download:
        page.locator(".wb-bom button").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    book = openpyxl.load_workbook(saved)
    assert book.sheetnames == ["BOM", "Settings and trace", "Demand per cluster"]
    settings = {
        row[0].value: row[1].value
        for row in book["Settings and trace"].iter_rows(min_row=2, max_row=30)
    }
    assert settings.get("vCPU:core ratio") == "1.0"
    assert page.outside_requests == []


def test_portfolio_gantt_draws_the_plan_with_its_links(served, page, tmp_path):
    page.goto(served["url"] + "voila/render/portfolio.ipynb")
    page.locator("table.wb-plan").wait_for(timeout=120_000)
    page.wait_for_function(
        "document.querySelectorAll('.wb-gantt .main-svg').length > 0", timeout=60_000
    )
    assert "Traceback" not in page.content()
    portfolio = page.locator(".wb-portfolio").inner_text()
    assert "Tailspin VDI platform" in portfolio and "Scheduled end" in portfolio
    # The active project is shown first; its links are arrows, its critical bars red.
    choice = page.locator(".wb-project-choice select")
    assert choice.input_value() == "Tailspin VDI platform"
    gantt = page.locator(".wb-gantt")
    arrows = gantt.locator(".annotation-arrow-g path")
    assert arrows.count() >= 5  # one per link of the new-solution template
    assert gantt.locator("text.gtitle").text_content() == "Tailspin VDI platform"
    fills = gantt.locator(".barlayer .point path").evaluate_all(
        "paths => paths.map(p => getComputedStyle(p).fill)"
    )
    assert "rgb(179, 38, 30)" in fills  # critical red
    legend = gantt.locator(".legendtext").all_text_contents()
    assert "Baseline (Plan of record)" in legend and "Milestone" in legend
    assert gantt.locator(".shapelayer path").count() >= 1  # today
    page.screenshot(path=str(tmp_path / "portfolio.png"), full_page=True)

    # Another project: the chart and the plan follow.
    choice.select_option("Northwind VMware exit to Hyper-V")
    page.wait_for_function(
        "() => { const t = document.querySelector('.wb-gantt text.gtitle');"
        " return t && t.textContent.startsWith('Northwind'); }",
        timeout=30_000,
    )
    assert "Wave 1" in page.locator(".wb-plan").inner_text()
    assert gantt.locator(".annotation-arrow-g path").count() >= 10
    assert page.outside_requests == []


def test_project_setup_resumes_in_a_new_kernel_and_imports_an_upload(served, page, tmp_path):
    from workbench.demo import write_synthetic_rvtools

    export = tmp_path / "RVTools_setup.xlsx"
    write_synthetic_rvtools(export, 60, seed=4)
    url = served["url"] + "voila/render/project_setup.ipynb"
    page.goto(url)
    setup = page.locator(".wb-setup")
    setup.wait_for(timeout=120_000)
    page.get_by_label("Name").fill("Setup in the browser")
    page.get_by_label("Type").select_option(label="VMware migration")
    page.locator(".wb-next").click()
    page.locator(".wb-step.wb-current", has_text="2 Template").wait_for(timeout=30_000)
    assert "Hardware procurement" in page.locator(".wb-setup table").inner_text()
    page.locator(".wb-next").click()
    page.locator(".wb-step.wb-current", has_text="3 Dates and calendar").wait_for(timeout=30_000)

    # A new page is a new kernel: the setup resumes from the store at step 3.
    page.goto(url)
    setup.wait_for(timeout=120_000)
    resume = page.get_by_label("Resume")
    assert "Setup in the browser (step 3 of 6)" in resume.inner_text().replace("\xa0", " ")
    page.get_by_role("button", name="Resume this setup").click()
    page.locator(".wb-step.wb-current", has_text="3 Dates and calendar").wait_for(timeout=30_000)
    page.get_by_label("Start").fill("2027-01-04")
    page.locator(".wb-next").click()
    page.locator(".wb-step.wb-current", has_text="4 Team").wait_for(timeout=30_000)
    page.get_by_label("Team").fill("Ana, Bram")
    page.locator(".wb-next").click()
    page.locator(".wb-step.wb-current", has_text="5 RVTools export").wait_for(timeout=30_000)
    with page.expect_file_chooser(timeout=30_000) as chooser:
        page.locator(".wb-upload").click()
    chooser.value.set_files(str(export))
    summary = page.locator(".wb-import-summary", has_text="Imported RVTools_setup.xlsx")
    summary.wait_for(timeout=120_000)
    shown = " ".join(summary.inner_text().split())
    page.screenshot(path=str(tmp_path / "setup-upload.png"), full_page=True)
    page.locator(".wb-next").click()
    page.locator(".wb-step.wb-current", has_text="6 Review").wait_for(timeout=30_000)
    page.locator(".wb-build").click()
    done = page.locator(".wb-setup-message", has_text="Plan created")
    done.wait_for(timeout=120_000)
    assert "migration waves" in done.inner_text()
    assert "Traceback" not in page.content()
    with workbench.open(served["db"], home=str(served["home"])) as ws:
        project = ws.projects.get("Setup in the browser")
        assert project.metadata["setup"]["finished"] is True
        assert project.assigned_team == ("Ana", "Bram")
        names = [w.name for w in ws.workflows.list(project)]
        assert names[0] == "Assessment" and "Wave 1" in names
        [record] = ws.rvtools.list(project)
        assert record.filename == "RVTools_setup.xlsx"
        assert (
            f"Imported RVTools_setup.xlsx: {record.total_vms} VMs, {record.total_hosts} hosts"
            in shown
        )
    assert page.outside_requests == []


POOL_READY = (
    "document.querySelector('.wb-timeline .js-plotly-plot .main-svg')"
    " && document.querySelector('.wb-forecast .js-plotly-plot .main-svg')"
    " && document.querySelector('.wb-requests table')"
)
OPTIONS = "os => os.map(o => o.textContent)"


def option_labels(page, selector: str) -> dict[str, str]:
    """A dropdown's or list's options: label as read (spaces, not the page's no-break spaces)
    -> label as the page has it (what select_option takes)."""
    return {
        t.replace("\xa0", " "): t for t in page.eval_on_selector_all(f"{selector} option", OPTIONS)
    }


TIMELINE_HOVERS = """() => document.querySelector('.wb-timeline .js-plotly-plot').data
    .flatMap(t => (t.hovertext || []).map(String))"""


def open_pool(page, served) -> None:
    page.goto(served["url"] + "voila/render/hardware_pool.ipynb")
    page.wait_for_function(POOL_READY, timeout=120_000)
    page.wait_for_timeout(500)


def test_hardware_pool_shows_bookings_forecast_alerts_and_requests(served, page, tmp_path):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    open_pool(page, served)
    assert "Traceback" not in page.content()
    # Servers grouped by model, short names; reservations hatched, allocations solid.
    ticks = page.locator(".wb-timeline .ytick text").all_text_contents()
    assert any(t.startswith("vdi-node-03") for t in ticks)
    assert any(t.startswith("esx0101") and "CL-Prod-A" in t for t in ticks)
    headers = page.locator(".wb-timeline .annotation-text").all_text_contents()
    assert any(h.startswith("DS-325") and "11 servers" in h for h in headers)
    assert "decommissioned" in headers and "in maintenance" in headers
    assert page.locator(".wb-timeline pattern").count() >= 1  # hatched reservations
    hovers = page.evaluate(TIMELINE_HOVERS)
    assert any("Wingtip Datacenter consolidation" in h and "Reservation" in h for h in hovers)
    assert any("Proof of concept" in h and "Allocation" in h for h in hovers)
    assert page.locator(".wb-timeline .shapelayer path").count() >= 1  # today
    legend = page.locator(".wb-timeline-legend").inner_text()
    assert "Tailspin VDI platform" in legend and "reservation" in legend
    # The model short in the forecast, said plainly and marked red.
    assert page.locator(".wb-forecast-model select").input_value() == "DS-325 (short)"
    shortfall = page.locator(".wb-shortfalls").inner_text()
    assert "DS-325 short by 2 servers from the week of" in shortfall
    assert "Short" in page.locator(".wb-forecast .legendtext").all_text_contents()
    # Alerts, book values, requests (the overdue one marked).
    alerts = page.locator(".wb-alerts").inner_text()
    assert "Expired" in alerts and "Within 30 days" in alerts
    values = page.locator(".wb-book-values").inner_text()
    assert "Amsterdam DC1 / Row B" in values and "(not booked)" in values
    overdue = page.locator(".wb-requests tr.wb-overdue").inner_text()
    assert "VDI expansion" in overdue and "overdue" in overdue
    assert page.evaluate(LABEL_PROBLEMS) == []
    widths = chart_widths(page)
    assert len(widths) == 2 and all(c["width"] >= 0.97 * c["room"] for c in widths), widths
    page.screenshot(path=str(tmp_path / "pool.png"), full_page=True)
    assert page.outside_requests == []
    assert not [m for m in console if "Failed to initialize model" in m]

    # Another model: only the forecast changes.
    page.locator(".wb-forecast-model select").select_option("All models")
    page.wait_for_function(
        "() => document.querySelector('.wb-forecast text.gtitle').textContent.endsWith('All models')",
        timeout=30_000,
    )


def test_hardware_pool_allocates_through_the_form_and_shows_a_clash(served, page, tmp_path):
    open_pool(page, served)
    project = option_labels(page, ".wb-pool-project")["Wingtip Datacenter consolidation"]
    page.locator(".wb-pool-project select").select_option(label=project)
    # The workflows follow the project (Wingtip's plan has migration waves).
    page.wait_for_function(
        "() => [...document.querySelectorAll('.wb-pool-workflow option')]"
        ".some(o => o.textContent.startsWith('Migration'))",
        timeout=30_000,
    )
    flows = option_labels(page, ".wb-pool-workflow")
    page.locator(".wb-pool-workflow select").select_option(
        label=next(raw for f, raw in flows.items() if f.startswith("Commissioning ("))
    )
    page.locator(".wb-pool-start input").fill("2027-08-02")
    page.locator(".wb-pool-end input").fill("2027-09-06")
    page.locator(".wb-pool-servers-note", has_text="from 2027-08-02 until 2027-09-06").wait_for(
        timeout=30_000
    )
    # Free servers come first; a booked one says what holds it.
    servers = option_labels(page, ".wb-pool-servers")
    labels = list(servers)
    free = [t for t in labels if " — " not in t]
    assert free and labels[: len(free)] == free
    assert any("hv-node-01" in t and "booked: Wingtip" in t for t in labels)
    pick = next(t for t in free if t.startswith("esx0201"))
    page.locator(".wb-pool-servers select").select_option(label=servers[pick])
    page.locator(".wb-pool-kind button", has_text="Reservation").click()
    page.locator(".wb-pool-notes input").fill("Burn-in from the browser")
    page.locator("button.wb-allocate", has_text="Reserve").click()
    done = page.locator(".wb-pool-message .wb-success")
    done.wait_for(timeout=30_000)
    assert "Reserved esx0201 for Wingtip Datacenter consolidation" in done.inner_text()
    # On the timeline at once: its bar, outlined, with its hover.
    page.wait_for_function(
        "() => document.querySelector('.wb-timeline .js-plotly-plot').data"
        ".some(t => (t.hovertext || []).some(h => String(h).includes('Burn-in from the browser')))",
        timeout=30_000,
    )
    hover = next(h for h in page.evaluate(TIMELINE_HOVERS) if "Burn-in" in h)
    assert "Commissioning" in hover and "2027-08-02 until 2027-09-06" in hover
    assert "just booked" in page.locator(".wb-timeline-legend").inner_text()
    page.screenshot(path=str(tmp_path / "pool-booked.png"), full_page=True)
    with workbench.open(served["db"], home=str(served["home"])) as ws:
        booked = ws.pool.bookings(server="esx0201.demo.example")
        [row] = booked[booked["notes"] == "Burn-in from the browser"].to_dict("records")
        assert row["kind"] == "reservation" and row["workflow"] == "Commissioning"
        assert row["created_by"] == "dashboard"

    # The same server over an overlapping window: the clash, plainly, in the form.
    page.locator(".wb-pool-start input").fill("2027-08-30")
    page.locator(".wb-pool-end input").fill("2027-09-13")
    page.locator(".wb-pool-servers-note", has_text="from 2027-08-30").wait_for(timeout=30_000)
    servers = option_labels(page, ".wb-pool-servers")
    busy = next(t for t in servers if t.startswith("esx0201"))
    assert "booked: Wingtip Datacenter consolidation (reservation)" in busy
    page.locator(".wb-pool-servers select").select_option(label=servers[busy])
    page.locator("button.wb-allocate").click()
    error = page.locator(".wb-pool-message .wb-error")
    error.wait_for(timeout=30_000)
    assert (
        "esx0201.demo.example is already booked from 2027-08-02 to 2027-09-06 (reservation for "
        "Wingtip Datacenter consolidation), which overlaps 2027-08-30 to 2027-09-13."
    ) == error.inner_text().strip()
    assert "Traceback" not in page.content()
    page.screenshot(path=str(tmp_path / "pool-clash.png"), full_page=True)
    assert page.outside_requests == []


DOCUMENTS_READY = "document.querySelector('.wb-docs-table table.wb-documents-table')"
DOCUMENT_ROWS = """() => [...document.querySelectorAll('.wb-docs-table tr')].slice(1)
    .map(r => [...r.querySelectorAll('td')].map(c => c.textContent.trim()))"""


def test_documents_generates_a_version_lists_it_and_its_download_opens(served, page, tmp_path):
    import docx

    page.goto(served["url"] + "voila/render/documents.ipynb")
    page.wait_for_function(DOCUMENTS_READY, timeout=120_000)
    assert "Traceback" not in page.content()
    # Opens on the demo project's documents, the HLD (approved) picked: only Archive offered.
    projects = option_labels(page, ".wb-docs-project")
    chosen = page.locator(".wb-docs-project select")
    shown = chosen.evaluate("s => s.options[s.selectedIndex].textContent").replace("\xa0", " ")
    assert shown.startswith("Northwind VMware exit to Hyper-V (") and shown in projects
    rows = page.evaluate(DOCUMENT_ROWS)
    kinds = [r[0] for r in rows]
    for kind in ("HLD", "LLD", "Migration plan", "Hardware BOM", "Network diagram"):
        assert kind in kinds
    assert rows[0][:4] == ["HLD", "High-Level Design", "1", "Approved"]
    assert page.locator(".wb-docs-move-archived").is_visible()
    assert not page.locator(".wb-docs-move-review").is_visible()
    template = page.locator(".wb-docs-template select").input_value().replace("\xa0", " ")
    assert template == "Workbench High-Level Design v1 (default)"
    assert page.locator(".wb-docs-customer input").input_value() == "Northwind Traders"

    # Generate the next network diagram: listed, picked, a draft by the dashboard.
    types = option_labels(page, ".wb-docs-type")
    page.locator(".wb-docs-type select").select_option(label=types["Network Diagram"])
    page.wait_for_function(
        "() => document.querySelector('.wb-docs-template select option')"
        ".value.includes('Network Diagram')",
        timeout=30_000,
    )
    page.locator("button.wb-docs-generate").click()
    done = page.locator(".wb-docs-generate-message .wb-success")
    done.wait_for(timeout=120_000)
    assert "Generated Network Diagram v2" in done.inner_text()
    rows = page.evaluate(DOCUMENT_ROWS)
    new = next(r for r in rows if r[0] == "Network diagram" and r[2] == "2")
    assert new[3] == "Draft" and new[6] == "dashboard" and new[7] == "–"
    assert page.locator(".wb-docs-table tr.wb-doc-selected td").nth(2).inner_text() == "2"
    assert "Network Diagram v2 · Draft" in page.locator(".wb-docs-choice select").evaluate(
        "s => s.options[s.selectedIndex].textContent"
    ).replace("\xa0", " ")
    page.screenshot(path=str(tmp_path / "documents-generated.png"), full_page=True)

    # The Word file downloads and opens, with its headings; the diagram's SVG too.
    with page.expect_download(timeout=60_000) as download:
        page.locator(".wb-docs-download-document button").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "Northwind-VMware-exit-to-Hyper-V-Network-Diagram-v2.docx"
    headings = [
        p.text for p in docx.Document(str(saved)).paragraphs if p.style.name.startswith("Heading")
    ]
    assert "Introduction" in headings and "Network" in headings
    with page.expect_download(timeout=60_000) as download:
        page.locator(".wb-docs-download-svg button").click()
    svg = tmp_path / download.value.suggested_filename
    download.value.save_as(svg)
    assert svg.suffix == ".svg" and b"<svg" in svg.read_bytes()[:2000]

    # Send it for review: the move is recorded and the offered moves follow.
    page.locator("button.wb-docs-move-review").click()
    moved = page.locator(".wb-docs-message .wb-success")
    moved.wait_for(timeout=30_000)
    assert moved.inner_text().strip() == "Network Diagram v2 is now in review."
    assert page.locator(".wb-docs-move-approved").is_visible()
    with workbench.open(served["db"], home=str(served["home"])) as ws:
        [doc] = [
            d
            for d in ws.documents.list("Northwind VMware exit to Hyper-V", "network_diagram")
            if d.version == "2"
        ]
        assert doc.status == "review" and doc.generated_by == "dashboard"
        assert [h["by"] for h in doc.status_history] == ["dashboard", "dashboard"]
    assert "Traceback" not in page.content()
    page.screenshot(path=str(tmp_path / "documents-review.png"), full_page=True)
    assert page.outside_requests == []
