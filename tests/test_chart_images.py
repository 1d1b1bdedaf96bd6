"""Charts as PNG images for Word documents: real inputs, determinism, threads, bad input."""

from __future__ import annotations

import io
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import workbench
from tests.conftest import SHARED_DATA, require
from workbench import workflows as rules
from workbench.capacity import cluster_capacity
from workbench.errors import InvalidInputError
from workbench.io import chart_images
from workbench.io.chart_images import (
    DPI,
    WIDTH_PX,
    capacity_chart_png,
    forecast_png,
    gantt_png,
)
from workbench.io.rvtools import read_rvtools

REAL_EXPORT = SHARED_DATA / "rvtools" / "06_acme1-aeris_rvtools-4.6.1_vc8.0.3_1304vm.xlsx"
TODAY = date(2026, 12, 20)


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk of a PNG, checking the signature and each CRC."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + data) == crc
        out.append((kind, data))
        at += 12 + length
    return out


def image(png: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(png))
    picture.load()
    return picture


def assert_a4_png(png: bytes) -> Image.Image:
    kinds = [kind for kind, _data in chunks(png)]
    # No text chunks (software, dates) and no time chunk: the bytes depend on the input only.
    assert not {b"tEXt", b"iTXt", b"zTXt", b"tIME"} & set(kinds), kinds
    picture = image(png)
    assert picture.format == "PNG" and picture.width == WIDTH_PX
    assert picture.info.get("dpi", (DPI, DPI))[0] == pytest.approx(DPI, abs=1)
    return picture


def red_share(picture: Image.Image) -> float:
    """Share of reddish pixels (critical bars, milestones, shortfalls; the orange of demand
    and today has far more green)."""
    pixels = np.asarray(picture.convert("RGB")).astype(int)
    red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    return float(((red - green > 55) & (red - blue > 55) & (green - blue < 30)).mean())


@pytest.fixture(scope="module")
def capacity():
    require(REAL_EXPORT.is_file(), f"{REAL_EXPORT} is not there")
    return cluster_capacity(read_rvtools(REAL_EXPORT))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo workbench for the tests that only read it."""
    home = tmp_path_factory.mktemp("charts-demo")
    with workbench.open("mem://", home=str(home)) as bench:
        bench.load_demo()
        yield bench


# -- capacity -------------------------------------------------------------------------------


@pytest.mark.shared_data
def test_capacity_chart_of_a_real_export(capacity):
    png = capacity_chart_png(capacity, "Capacity: demand against capacity per cluster")
    picture = assert_a4_png(png)
    # 14 clusters: taller than wide, yet within an A4 page's text height (24.7 cm).
    assert WIDTH_PX < picture.height < 24.7 / 2.54 * DPI
    fewer = capacity_chart_png(capacity.head(3), "Three clusters")
    assert image(fewer).height < picture.height / 2


@pytest.mark.shared_data
def test_charts_are_the_same_bytes_every_time_and_from_many_threads(capacity, demo):
    frame = demo.workflows.frame("Tailspin VDI platform")
    forecast = demo.pool.forecast(13, start=date(2027, 3, 1))
    calls = [
        lambda: capacity_chart_png(capacity, "Capacity"),
        lambda: gantt_png(frame, "Schedule", today=TODAY),
        lambda: forecast_png(forecast, "Pool"),
    ]
    alone = [call() for call in calls]
    assert alone == [call() for call in calls]
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(lambda i: calls[i % 3](), range(18)))
    assert together == [alone[i % 3] for i in range(18)]


@pytest.mark.shared_data
def test_capacity_names_and_text_need_no_escaping(capacity):
    odd = capacity.head(2).copy()
    # Unescaped, matplotlib would parse "$\\undefinedmacro$" as mathtext and fail.
    odd["cluster"] = ["$\\undefinedmacro$", "$5 cluster $ and $math$ " + "x" * 80]
    assert_a4_png(capacity_chart_png(odd, "Costs in $ and $\\undefinedmacro$"))


def test_capacity_with_no_clusters_is_a_small_no_data_image():
    for empty in (pd.DataFrame(), pd.DataFrame(columns=["cluster", "cores"])):
        picture = assert_a4_png(capacity_chart_png(empty, "Capacity"))
        assert picture.height < 1.5 * DPI


@pytest.mark.shared_data
def test_malformed_capacity_input_is_refused(capacity):
    with pytest.raises(InvalidInputError, match="vram_mib"):
        capacity_chart_png(capacity.drop(columns="vram_mib"), "Capacity")
    text = capacity.head(2).astype({"cores": object})
    text.loc[0, "cores"] = "many"
    with pytest.raises(InvalidInputError, match="cores holds 'many'"):
        capacity_chart_png(text, "Capacity")
    infinite = capacity.head(2).copy()
    infinite.loc[0, "memory_mib"] = float("inf")
    with pytest.raises(InvalidInputError, match="infinite"):
        capacity_chart_png(infinite, "Capacity")
    with pytest.raises(InvalidInputError, match="DataFrame"):
        capacity_chart_png(capacity.to_dict(), "Capacity")
    with pytest.raises(InvalidInputError, match="title"):
        capacity_chart_png(capacity, None)


# -- Gantt ----------------------------------------------------------------------------------


def test_gantt_of_the_demo_projects(demo):
    for project in demo.projects.list():
        frame = demo.workflows.frame(project)
        assert_a4_png(gantt_png(frame, f"{project.name}: schedule", today=TODAY))
    # Tailspin: critical workflows in red, a milestone, part done; today inside the plan.
    frame = demo.workflows.frame("Tailspin VDI platform")
    assert frame["critical"].any() and (frame["duration_days"] == 0).any()
    red = red_share(image(gantt_png(frame, "Tailspin", today=TODAY)))
    calm = frame.assign(critical=False)
    assert red > 0.01 and red_share(image(gantt_png(calm, "Tailspin", today=TODAY))) < red / 5
    # Today moves the dashed line: the image changes.
    assert gantt_png(frame, "Tailspin", today=TODAY) != gantt_png(
        frame, "Tailspin", today=date(2027, 1, 20)
    )
    # The schedule's own frame (ids, early dates, no progress) draws too.
    schedule = demo.workflows.schedule("Tailspin VDI platform").frame()
    assert_a4_png(gantt_png(schedule, "Tailspin", today=TODAY))


def test_gantt_says_where_today_is_when_outside_the_plan(demo):
    frame = demo.workflows.frame("Tailspin VDI platform")
    before = gantt_png(frame, "Tailspin", today=date(2020, 1, 1))
    after = gantt_png(frame, "Tailspin", today=date(2035, 1, 1))
    assert before != after  # the note differs
    assert image(before).size == image(after).size


def _big_plan(count: int) -> pd.DataFrame:
    """A scheduled plan of ``count`` workflows in chains, as the workbench builds its frame."""
    workflows, links = {}, []
    for i in range(count):
        key = f"w{i:04d}"
        workflows[key] = rules.Workflow(
            id=key,
            project_id="big",
            name=f"Migration wave {i} of the Contoso datacenter exit, building {i % 7}",
            workflow_type="migration_wave",
            duration_days=0 if i % 50 == 49 else 1 + i % 9,
            status="completed" if i < 40 else "not_started",
            progress_percentage=100 if i < 40 else 0,
        )
        if i % 10:
            links.append(rules.WorkflowLink(f"w{i - 1:04d}", key))
    plan = rules.Plan(workflows, links)
    calendar = rules.ProjectCalendar(start=date(2026, 1, 5), calendar="working")
    return rules.workflows_frame(rules.scheduled(plan, rules.compute(calendar, plan)))


def test_a_gantt_of_300_workflows_grows_and_cuts_labels():
    frame = _big_plan(300)
    assert len(frame) == 300 and frame["critical"].any()
    picture = assert_a4_png(gantt_png(frame, "Contoso exit", today=date(2026, 3, 1)))
    # About 0.19 inch (4.8 mm, room for a 7-point label) per row.
    assert 0.18 * DPI * 300 < picture.height < 0.21 * DPI * 300 + 2 * DPI
    small = image(gantt_png(frame.head(10), "Contoso exit", today=date(2026, 3, 1)))
    assert small.height < picture.height / 10


def test_a_gantt_beyond_the_row_limit_draws_the_first_rows(monkeypatch):
    monkeypatch.setattr(chart_images, "MAX_ROWS", 25)
    frame = _big_plan(45)
    picture = assert_a4_png(gantt_png(frame, "Too many", today=date(2026, 1, 12)))
    at_limit = image(gantt_png(frame.head(25), "Too many", today=date(2026, 1, 12)))
    # Same rows; only the note about the 20 left out adds a line.
    assert picture.height - at_limit.height == round(0.2 * DPI)


def test_empty_and_malformed_schedules():
    columns = rules.FRAME_COLUMNS
    assert image(gantt_png(pd.DataFrame(columns=columns), "Empty", today=TODAY)).height < 1.5 * DPI
    frame = _big_plan(5)
    with pytest.raises(InvalidInputError, match="start_date"):
        gantt_png(frame.drop(columns="start_date"), "Bad", today=TODAY)
    wrong = frame.astype({"end_date": object})
    wrong.loc[1, "end_date"] = "next Tuesday"
    with pytest.raises(InvalidInputError, match="end_date holds 'next Tuesday'"):
        gantt_png(wrong, "Bad", today=TODAY)
    backwards = frame.copy()
    backwards.loc[0, "end_date"] = backwards.loc[0, "start_date"] - pd.Timedelta(days=3)
    with pytest.raises(InvalidInputError, match="ends .* before it starts"):
        gantt_png(backwards, "Bad", today=TODAY)
    with pytest.raises(InvalidInputError, match="Today"):
        gantt_png(frame, "Bad", today="2026-01-01")
    # Undated workflows keep their row without a bar.
    undated = frame.copy()
    undated.loc[2, ["start_date", "end_date"]] = pd.NaT
    assert_a4_png(gantt_png(undated, "Undated", today=TODAY))


# -- forecast -------------------------------------------------------------------------------


def test_forecast_of_the_demo_pool_marks_the_shortfall(demo):
    forecast = demo.pool.forecast(26, start=date(2027, 1, 4))
    short = forecast[forecast["shortfall"] > 0]
    assert len(short), "the demo pool is short of a model in spring 2027"
    model = short["model"].iloc[0]
    every = assert_a4_png(forecast_png(forecast, "Hardware pool"))
    one = assert_a4_png(forecast_png(forecast, "Hardware pool", model=model))
    assert one.height < every.height
    assert red_share(one) > 0.005
    calm = forecast.assign(demand=0, shortfall=0)
    assert red_share(image(forecast_png(calm, "Pool", model=model))) < 0.002
    # Without the shortfall column it is worked out.
    assert forecast_png(forecast.drop(columns="shortfall"), "Hardware pool") == forecast_png(
        forecast, "Hardware pool"
    )


def test_empty_and_malformed_forecasts(demo):
    forecast = demo.pool.forecast(4)
    assert image(forecast_png(forecast.iloc[:0], "Empty")).height < 1.5 * DPI
    with pytest.raises(InvalidInputError, match="demand"):
        forecast_png(forecast.drop(columns="demand"), "Bad")
    with pytest.raises(InvalidInputError, match="No model named 'R999'"):
        forecast_png(forecast, "Bad", model="R999")
    wrong = forecast.astype({"available": object})
    wrong.loc[0, "available"] = "plenty"
    with pytest.raises(InvalidInputError, match="available holds 'plenty'"):
        forecast_png(wrong, "Bad")
