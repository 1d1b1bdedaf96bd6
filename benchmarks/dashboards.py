"""Dashboards in Chromium against a bare Voila page: time to interactive, websocket bytes.

For every dashboard the landing page lists, and for a bare Voila page with one slider and one
plotly ``FigureWidget`` served by the same Voila (the baseline), this loads the page in
headless Chromium ``--rounds`` times (a fresh browser context each time) and prints medians:

- time to interactive: from navigation to the last change of the page before it stays quiet
  (no DOM change, no websocket frame for a second) once its content is there;
- MB over the websocket per load (frames in both directions, as Chromium's DevTools report);
- per selection change (a cluster picked, the import switched, a search typed, a server
  allocated): MB over the websocket and seconds until the page's last change.

Goals (issue 8, item 1): time to interactive <= 1.3x the bare page's, <= 8 MB per load, a
selection change <= 1 MB and <= 1 s. Runs on the demo data, then on a real export with many
clusters when ``--export`` (default: the 13-cluster file in ../shared/data) is there; the real
export is imported into a temporary store and never copied into the repository.

    .venv/bin/python benchmarks/dashboards.py [--rounds 3] [--export PATH | --no-export]
        [--only hardware_pool.ipynb ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402
from workbench.ui import voila  # noqa: E402

REAL_EXPORT = (
    REPO.parent / "shared" / "data" / "rvtools" / "06_acme1-aeris_rvtools-4.6.1_vc8.0.3_1304vm.xlsx"
)
REAL_BASKETS = [
    REPO.parent / "shared" / "data" / "baskets" / f"X86 Basket Q3 2025 v2 {vendor} Only.xlsx"
    for vendor in ("Dell", "Lenovo")
]
BARE = "zz_bare_baseline.ipynb"
REAL_PROJECT = "Real export migration"
GOALS = {"tti_ratio": 1.3, "load_mb": 8.0, "change_mb": 1.0, "change_s": 1.0}
QUIET_S = 1.0

BARE_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "bare",
            "metadata": {},
            "outputs": [],
            "source": [
                "import ipywidgets as widgets\n",
                "import plotly.graph_objects as go\n",
                "slider = widgets.IntSlider(value=3, min=1, max=10, description='n')\n",
                "figure = go.FigureWidget(go.Bar(x=list(range(3)), y=list(range(3))))\n",
                "slider.observe(lambda c: figure.data[0].update(x=list(range(c['new'])), y=list(range(c['new']))), 'value')\n",
                "widgets.VBox([slider, figure])",
            ],
        }
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}

# What "ready" means per page (JS predicate), and the selection changes measured on it.
READY = {
    BARE: "document.querySelector('.widget-slider') && document.querySelector('.js-plotly-plot .main-svg')",
    "capacity.ipynb": "document.querySelectorAll('.wb-charts .js-plotly-plot .main-svg').length >= 4"
    " && document.querySelector('.wb-capacity-table table')",
    "projects.ipynb": "document.querySelector('.wb-table table')",
    "sizing.ipynb": "document.querySelector('.wb-ranking-table table')"
    " && document.querySelector('.wb-cost-chart .main-svg')"
    " && document.querySelector('.wb-trace-table table')",
    "portfolio.ipynb": "document.querySelector('table.wb-plan')"
    " && document.querySelector('.wb-gantt .main-svg')"
    " && document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3",
    "project_setup.ipynb": "document.querySelector('.wb-setup .wb-next')",
    "hardware_pool.ipynb": "document.querySelector('.wb-timeline .main-svg')"
    " && document.querySelector('.wb-forecast .main-svg')"
    " && document.querySelector('.wb-requests table')",
}
DEFAULT_READY = "document.querySelector('.jupyter-widgets')"

WATCH = """
window.__wb = {last: 0};
new MutationObserver(() => { window.__wb.last = performance.now(); })
  .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


@dataclass
class Sample:
    tti_s: list[float] = field(default_factory=list)
    load_mb: list[float] = field(default_factory=list)
    http_mb: list[float] = field(default_factory=list)
    changes: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)


class Meter:
    """Websocket and HTTP bytes of one page, from Chromium's DevTools protocol."""

    def __init__(self, context, page):
        self.ws_bytes = 0
        self.http_bytes = 0
        self.last_frame = time.monotonic()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.on("Network.webSocketFrameSent", self._frame)
        cdp.on(
            "Network.loadingFinished",
            lambda e: setattr(self, "http_bytes", self.http_bytes + e["encodedDataLength"]),
        )

    def _frame(self, event):
        response = event["response"]
        data = response.get("payloadData", "")
        # Binary frames (opcode 2) come base64-encoded.
        self.ws_bytes += len(data) * 3 // 4 if response.get("opcode") == 2 else len(data.encode())
        self.last_frame = time.monotonic()

    def reset(self):
        self.ws_bytes = 0
        self.http_bytes = 0


def settle(page, meter: Meter, ready: str, timeout: float = 180.0) -> float:
    """Wait for ``ready`` and then a quiet second; return the page's last change (ms, page clock)."""
    deadline = time.monotonic() + timeout
    page.wait_for_function(f"() => !!({ready})", timeout=timeout * 1000, polling=100)
    quiet_since = None
    last_seen = None
    while time.monotonic() < deadline:
        last = page.evaluate("window.__wb.last")
        now = time.monotonic()
        if last != last_seen or now - meter.last_frame < QUIET_S:
            last_seen, quiet_since = last, now
        elif now - quiet_since >= QUIET_S and now - meter.last_frame >= QUIET_S:
            return last
        page.wait_for_timeout(100)
    raise TimeoutError("the page never became quiet")


def changes_for(name: str, page) -> list[tuple[str, callable, str]]:
    """The selection changes measured on a page: (label, action, JS predicate for done)."""
    if name == "capacity.ipynb":
        options = page.eval_on_selector_all(
            ".wb-clusters select option", "os => os.map(o => o.textContent)"
        )
        steps = []
        if len(options) > 1:
            pick = options[1]
            steps.append(
                (
                    "pick one cluster",
                    lambda: page.locator(".wb-clusters select").select_option(label=pick),
                    "(pick => { const t = document.querySelector('.wb-capacity-table table');"
                    f" return t && t.rows.length === 2 && t.innerText.includes(pick); }})({json.dumps(pick)})",
                )
            )
        imports = page.eval_on_selector_all(
            ".wb-import select option", "os => os.map(o => o.textContent)"
        )
        if len(imports) > 1:
            before = page.inner_text(".wb-summary")
            steps.append(
                (
                    "switch import",
                    lambda: page.locator(".wb-import select").select_option(index=1),
                    f"(b => {{ const s = document.querySelector('.wb-summary'); return s && s.innerText !== b; }})({json.dumps(before)})",
                )
            )
        return steps
    if name == "projects.ipynb":
        before = page.inner_text(".wb-count")
        return [
            (
                "search 'Contoso'",
                lambda: (
                    page.locator(".wb-search input").fill("Contoso"),
                    page.keyboard.press("Enter"),
                ),
                f"(b => document.querySelector('.wb-count').innerText !== b)({json.dumps(before)})",
            )
        ]
    if name == "sizing.ipynb":
        before = page.inner_text(".wb-ranking-table")

        def lower_ratio():
            page.locator(".wb-cpu-ratio .widget-readout").click()
            page.keyboard.press("Control+A")
            page.keyboard.type("2")
            page.keyboard.press("Enter")

        return [
            (
                "vCPU:core ratio 4 -> 2",
                lower_ratio,
                "(b => { const r = document.querySelector('.wb-ranking-table');"
                f" return r && r.innerText !== b; }})({json.dumps(before)})",
            )
        ]
    if name == "portfolio.ipynb":
        options = page.eval_on_selector_all(
            ".wb-project-choice select option", "os => os.map(o => o.value)"
        )
        current = page.locator(".wb-project-choice select").input_value()
        # The project with the most workflows (the real export's waves, when there).
        other = next((o for o in options if o == REAL_PROJECT), None) or next(
            (o for o in options if o != current), None
        )
        if other is None:
            return []
        return [
            (
                f"show another plan ({other})",
                lambda: page.locator(".wb-project-choice select").select_option(other),
                "(p => { const t = document.querySelector('.wb-gantt text.gtitle');"
                f" return t && t.textContent === p; }})({json.dumps(other)})",
            )
        ]
    if name == "hardware_pool.ipynb":
        # Another model in the forecast (no store read), a window far ahead for the form's
        # server list, and booking the first server free then (a write, then everything redrawn).
        models = [
            o.replace("\xa0", " ")
            for o in page.eval_on_selector_all(
                ".wb-forecast-model select option", "os => os.map(o => o.textContent)"
            )
        ]
        current = page.locator(".wb-forecast-model select").input_value().replace("\xa0", " ")
        other = next((i for i, m in enumerate(models) if m != current), None)
        steps = []
        if other is not None:
            model = models[other].removesuffix(" (short)")
            steps.append(
                (
                    f"forecast of another model ({model})",
                    lambda: page.locator(".wb-forecast-model select").select_option(index=other),
                    "(m => { const t = document.querySelector('.wb-forecast text.gtitle');"
                    f" return t && t.textContent.endsWith(m); }})({json.dumps(model)})",
                )
            )

        def window():
            page.locator(".wb-pool-start input").fill("2029-01-01")
            page.locator(".wb-pool-end input").fill("2029-02-05")

        def book():
            page.locator(".wb-pool-servers select").select_option(index=0)
            page.locator("button.wb-allocate").click()

        return [
            *steps,
            (
                "form window -> 2029-01-01 until 2029-02-05",
                window,
                "document.querySelector('.wb-pool-servers-note')"
                " && document.querySelector('.wb-pool-servers-note').innerText"
                ".includes('from 2029-01-01 until 2029-02-05')",
            ),
            ("allocate one server", book, "document.querySelector('.wb-pool-message .wb-success')"),
        ]
    if name == "project_setup.ipynb":
        return [
            (
                "basics -> template",
                lambda: (
                    page.get_by_label("Name").fill(f"Benchmark setup {time.monotonic_ns()}"),
                    page.locator(".wb-next").click(),
                ),
                "document.querySelector('.wb-step.wb-current')"
                " && document.querySelector('.wb-step.wb-current').innerText.includes('Template')"
                " && document.querySelector('.wb-setup table')",
            )
        ]
    return []


def measure(browser, url: str, name: str, sample: Sample) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.add_init_script(WATCH)
        meter = Meter(context, page)
        page.goto(url + "voila/render/" + name, wait_until="commit")
        last = settle(page, meter, READY.get(name, DEFAULT_READY))
        sample.tti_s.append(last / 1000)
        sample.load_mb.append(meter.ws_bytes / 1e6)
        sample.http_mb.append(meter.http_bytes / 1e6)
        for label, action, done in changes_for(name, page):
            meter.reset()
            start = page.evaluate("performance.now()")
            action()
            last = settle(page, meter, done, timeout=120)
            mbs, secs = sample.changes.setdefault(label, ([], []))
            mbs.append(meter.ws_bytes / 1e6)
            secs.append((last - start) / 1000)
        # Leave the page the way a person does: its unload ends its kernel (Voila's shutdown
        # beacon), so the rounds never reach the server's kernel cap.
        page.goto("about:blank")
        page.wait_for_timeout(500)
    finally:
        context.close()


def prepare(base: Path, export: Path | None) -> tuple[Path, dict[str, str]]:
    """A dashboards folder (the repository's notebooks and the bare page) and a store."""
    import workbench

    folder = base / "dashboards"
    folder.mkdir()
    for notebook in sorted((REPO / "dashboards").glob("*.ipynb")):
        shutil.copy(notebook, folder / notebook.name)
    (folder / BARE).write_text(json.dumps(BARE_NOTEBOOK))
    home = base / "home"
    env = dict(os.environ, WORKBENCH_HOME=str(home), WORKBENCH_DB=f"surrealkv://{home / 'store'}")
    with workbench.open(env["WORKBENCH_DB"], home=str(home)) as ws:
        ws.load_demo()
        if export is not None:
            target = "project:" + ws.rvtools.list()[0].project_id.removeprefix("project:")
            ws.rvtools.upload(target, export, imported_by="benchmark", progress=False)
            # The portfolio shows a plan with waves from the real export.
            project = ws.projects.create(REAL_PROJECT, "vmware_migration", calendar="working")
            real = ws.rvtools.upload(project, export, imported_by="benchmark", progress=False)
            ws.workflows.instantiate(project)
            ws.workflows.create_waves(
                project, real.id, max_vms=100, replace_workflow="Migration waves"
            )
            ws.workflows.save_baseline(project, "Plan of record")
            # The hardware pool holds the real export's hosts beside the demo's.
            ws.pool.import_hosts(real.id, by="benchmark")
            # The sizing dashboard ranks the real export against the real baskets too.
            for basket in REAL_BASKETS:
                if basket.is_file():
                    ws.baskets.import_file(basket, imported_by="benchmark")
    return folder, env


def run(label: str, export: Path | None, rounds: int, only: list[str] | None = None) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
        folder, env = prepare(Path(tmp), export)
        serving = voila.running(folder, free_port(), env=env, log=Path(tmp) / "voila.log")
        with serving as (_, url), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            landing = browser.new_page()
            landing.goto(url)
            landing.locator("a.dashboard-link").first.wait_for(timeout=30_000)
            names = [
                h.rsplit("/", 1)[-1]
                for h in landing.eval_on_selector_all(
                    "a.dashboard-link", "as => as.map(a => a.getAttribute('href'))"
                )
            ]
            landing.close()
            dashboards = [n for n in names if n != BARE and (not only or n in only)]
            samples = {name: Sample() for name in [BARE, *dashboards]}
            for _ in range(rounds):
                for name in samples:
                    measure(browser, url, name, samples[name])
            browser.close()
    report(label, samples, rounds)


def report(label: str, samples: dict[str, Sample], rounds: int) -> None:
    from workbench.formatting import number

    median = statistics.median
    bare = samples[BARE]
    bare_tti = median(bare.tti_s)
    print(f"\n{label} ({rounds} rounds, medians)")
    print(
        f"  bare page (1 slider, 1 FigureWidget): time to interactive {number(bare_tti, 2)} s, "
        f"{number(median(bare.load_mb), 2)} MB over the websocket, {number(median(bare.http_mb), 2)} MB over HTTP"
    )
    failed = []
    for name, sample in samples.items():
        if name == BARE:
            continue
        ratio = median(sample.tti_s) / bare_tti
        load = median(sample.load_mb)
        ok = ratio <= GOALS["tti_ratio"] and load <= GOALS["load_mb"]
        print(
            f"  {name}: time to interactive {number(median(sample.tti_s), 2)} s = {number(ratio, 2)}x bare "
            f"(goal <= {GOALS['tti_ratio']}x), {number(load, 2)} MB per load (goal <= {GOALS['load_mb']:g}) "
            f"[HTTP {number(median(sample.http_mb), 2)} MB] {'ok' if ok else 'MISSED'}"
        )
        if not ok:
            failed.append(name)
        for change, (mbs, secs) in sample.changes.items():
            mb, s = median(mbs), median(secs)
            ok = mb <= GOALS["change_mb"] and s <= GOALS["change_s"]
            print(
                f"    {change}: {number(mb, 3)} MB, {number(s, 2)} s (goal <= {GOALS['change_mb']:g} MB, "
                f"<= {GOALS['change_s']:g} s) {'ok' if ok else 'MISSED'}"
            )
            if not ok:
                failed.append(f"{name}: {change}")
    print(f"  goals: {'all met' if not failed else 'missed by ' + '; '.join(failed)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--export", type=Path, default=REAL_EXPORT, help="a real RVTools export (not copied)"
    )
    parser.add_argument("--no-export", action="store_true", help="demo data only")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NOTEBOOK",
        help="measure only this dashboard (repeatable)",
    )
    args = parser.parse_args(argv)
    run("demo data", None, args.rounds, args.only)
    if not args.no_export:
        if args.export.exists():
            run(f"demo data + {args.export.name}", args.export, args.rounds, args.only)
        else:
            print(f"\n(no real export at {args.export}: skipped)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
