"""Load on `workbench serve`: N people open dashboards at once, then close them.

Starts ``workbench serve`` (the real command, its defaults unless told otherwise) on a fresh
store with the demo data, notes the idle memory (RSS summed over the server's process tree:
the command, Voila and every kernel) and kernel count, then opens ``--pages`` dashboards at the
same moment (Projects and Capacity in turn), each in its own browser context (own cookies,
own renderer processes) of one headless Chromium running on the same machine. For each page it
prints the seconds until the dashboard is interactive (its widgets rendered from the kernel:
the Projects table, the Capacity charts) or until it shows the plain "all sessions in use"
page. The pages stay open ``--hold`` seconds, then all close at once (no unload handler runs,
as when a laptop lid shuts or a network drops, so the kernels go by culling, not by Voila's
unload beacon) and the server is watched until its kernel count and memory are back to idle.

Goals (issue 8): every page interactive within 60 s or, past the kernel cap, the plain page;
within 3 minutes of the pages closing, the server back to its idle memory (here: within
``--idle-margin-mb`` of it) and kernel count.

    .venv/bin/python benchmarks/serving_load.py [--pages 10] [--hold 15] [--max-kernels N]
        [--kernel-idle-seconds S] [--unload]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

READY = {
    "projects.ipynb": "document.querySelector('.wb-table table')",
    "capacity.ipynb": "document.querySelectorAll('.wb-charts .js-plotly-plot .main-svg').length >= 4"
    " && document.querySelector('.wb-capacity-table table')",
}
AT_CAPACITY = "document.querySelector('.wb-at-capacity')"
GOAL_INTERACTIVE_S = 60.0
GOAL_BACK_TO_IDLE_S = 180.0


@dataclass
class Sample:
    t: float
    rss_mb: float
    kernels: int
    processes: int


@dataclass
class Watch:
    """Samples the server's process tree every ``every`` seconds in a thread."""

    pid: int
    every: float = 1.0
    samples: list[Sample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def measure(self) -> Sample:
        import psutil

        try:
            root = psutil.Process(self.pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            return Sample(time.monotonic(), 0.0, 0, 0)
        rss, kernels, count = 0, 0, 0
        for proc in tree:
            try:
                rss += proc.memory_info().rss
                count += 1
                if "ipykernel_launcher" in " ".join(proc.cmdline()):
                    kernels += 1
            except psutil.Error:
                pass
        return Sample(time.monotonic(), rss / 2**20, kernels, count)

    def run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(self.measure())
            self._stop.wait(self.every)

    def start(self) -> None:
        threading.Thread(target=self.run, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()


def prepare(home: Path) -> dict[str, str]:
    import workbench

    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env.update(WORKBENCH_HOME=str(home), WORKBENCH_DB=f"surrealkv://{home / 'store'}")
    with workbench.open(env["WORKBENCH_DB"], home=str(home)) as ws:
        ws.load_demo()
    return env


def start_server(env: dict[str, str], port: int, extra: list[str], log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "workbench.cli", "serve", f"--port={port}", *extra]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"workbench serve exited:\n{log.read_text()}")
        if "Infra Workbench dashboards:" in log.read_text(errors="replace"):
            return process
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"workbench serve did not start:\n{log.read_text()}")


async def open_page(browser, url: str, name: str, t0: float) -> tuple[str, str, float, object]:
    """Open ``name``; return (name, outcome, seconds from t0, context)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    try:
        await page.goto(f"{url}voila/render/{name}", timeout=180_000, wait_until="commit")
        outcome = await page.wait_for_function(
            f"() => ({AT_CAPACITY}) ? 'cap page' : (({READY[name]}) ? 'interactive' : false)",
            timeout=180_000,
            polling=100,
        )
        return name, await outcome.json_value(), time.monotonic() - t0, context
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return (
            name,
            f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}",
            time.monotonic() - t0,
            context,
        )


async def load(url: str, pages: int, hold: float, unload: bool, watch: Watch) -> tuple[list, float]:
    from playwright.async_api import async_playwright

    names = [list(READY)[i % len(READY)] for i in range(pages)]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        t0 = time.monotonic()
        results = await asyncio.gather(*(open_page(browser, url, name, t0) for name in names))
        print(
            f"  all {pages} pages settled after {time.monotonic() - t0:.1f} s; holding them open {hold:g} s"
        )
        await asyncio.sleep(hold)
        held = watch.measure()
        print(f"  while open: {held.kernels} kernels, {held.rss_mb:,.0f} MB RSS")
        closed_at = time.monotonic()
        for _, _, _, context in results:
            if unload:
                for page in context.pages:
                    await page.close(run_before_unload=True)
            await context.close()
        await browser.close()
    return [r[:3] for r in results], closed_at


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--hold", type=float, default=15.0, help="seconds the pages stay open")
    parser.add_argument(
        "--max-kernels", type=int, help="passed to workbench serve (default: its own)"
    )
    parser.add_argument("--kernel-idle-seconds", type=int, help="passed to workbench serve")
    parser.add_argument(
        "--unload", action="store_true", help="close pages with their unload handler"
    )
    parser.add_argument("--idle-margin-mb", type=float, default=100.0)
    parser.add_argument(
        "--watch-limit", type=float, default=240.0, help="seconds to watch after closing"
    )
    args = parser.parse_args(argv)

    extra = []
    if args.max_kernels:
        extra.append(f"--max-kernels={args.max_kernels}")
    if args.kernel_idle_seconds:
        extra.append(f"--kernel-idle-seconds={args.kernel_idle_seconds}")

    with tempfile.TemporaryDirectory(prefix="wb-serving-") as tmp:
        home = Path(tmp) / "home"
        env = prepare(home)
        port = free_port()
        server = start_server(env, port, extra, Path(tmp) / "serve.log")
        url = f"http://127.0.0.1:{port}/"
        watch = Watch(server.pid)
        try:
            print((Path(tmp) / "serve.log").read_text().strip().split("\n\n", 1)[-1])
            time.sleep(3)
            idle = watch.measure()
            print(
                f"\nidle before: {idle.kernels} kernels, {idle.processes} processes, {idle.rss_mb:,.0f} MB RSS "
                f"({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})"
            )
            watch.start()
            print(f"opening {args.pages} pages at once ...")
            results, closed_at = asyncio.run(load(url, args.pages, args.hold, args.unload, watch))
            print("\nper page (seconds from the moment all were opened):")
            for i, (name, outcome, seconds) in enumerate(results, 1):
                print(f"  {i:2d}. {name:16s} {outcome:12s} {seconds:6.1f} s")

            back = None
            while time.monotonic() - closed_at < args.watch_limit:
                now = watch.measure()
                if now.kernels == idle.kernels and now.rss_mb <= idle.rss_mb + args.idle_margin_mb:
                    back = time.monotonic() - closed_at
                    break
                time.sleep(1)
            time.sleep(1.5)
            watch.stop()
            after = watch.measure()
        finally:
            watch.stop()
            server.terminate()  # SIGTERM: workbench serve stops Voila and the kernels
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()

        t_start = watch.samples[0].t if watch.samples else closed_at
        peak = max(watch.samples, key=lambda s: s.rss_mb)
        print("\nserver process tree over time (t = seconds since the pages were opened):")
        shown = -10.0
        for sample in watch.samples:
            if sample.t - t_start - shown >= 5 or sample is peak:
                shown = sample.t - t_start
                mark = "  <- closed" if abs(sample.t - closed_at) < 0.6 else ""
                print(
                    f"  t={shown:6.1f} s  kernels {sample.kernels:2d}  RSS {sample.rss_mb:7,.0f} MB{mark}"
                )
        print(f"  pages closed at t={closed_at - t_start:.1f} s")

        timed = [s for _, outcome, s in results if outcome == "interactive"]
        capped = [s for _, outcome, s in results if outcome == "cap page"]
        failed = [(n, o) for n, o, _ in results if o not in ("interactive", "cap page")]
        slow = [s for s in timed + capped if s > GOAL_INTERACTIVE_S]
        print("\nsummary")
        print(
            f"  {len(timed)} interactive (slowest {max(timed, default=0):.1f} s, median "
            f"{sorted(timed)[len(timed) // 2] if timed else 0:.1f} s), {len(capped)} cap page(s) "
            f"(slowest {max(capped, default=0):.1f} s), {len(failed)} failed {failed if failed else ''}"
        )
        print(
            f"  peak RSS {peak.rss_mb:,.0f} MB with {peak.kernels} kernels; idle {idle.rss_mb:,.0f} MB"
            f" (machine load average at the end: {os.getloadavg()[0]:.1f})"
        )
        print(
            f"  after closing: back to {idle.kernels} kernels and within {args.idle_margin_mb:g} MB of idle "
            + (f"after {back:.1f} s" if back is not None else f"NOT within {args.watch_limit:g} s")
            + f"; then {after.kernels} kernels, {after.rss_mb:,.0f} MB RSS"
        )
        ok = not failed and not slow and back is not None and back <= GOAL_BACK_TO_IDLE_S
        print(
            f"  goals (interactive or cap page within {GOAL_INTERACTIVE_S:g} s; idle within "
            f"{GOAL_BACK_TO_IDLE_S:g} s of closing): {'met' if ok else 'MISSED'}"
        )
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
