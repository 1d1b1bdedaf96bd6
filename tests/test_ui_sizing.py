"""The sizing dashboard's widgets, driven without a browser."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from workbench.ui.sizing import SizingApp, ranking_html, sizing_dashboard


def test_demo_ranking_options_trace_and_bom(ws):
    ws.load_demo()
    app = SizingApp(ws)
    assert app.status.value == "" and "Demo Systems" in app.ranking.value
    assert "Clusters: all" in app.demand.value and "300" in app.demand.value
    # Every feasible option is offered, cheapest first, and the first one is explained.
    offered = [key for _text, key in app.option.options]
    feasible = app.options()[app.options()["feasible"]].sort_values("total_usd")
    assert len(offered) == len(feasible) > 1 and app.option.value == offered[0]
    assert "hosts" in app.trace.value.lower()
    # Choosing another option explains that one, and its BOM is that lot's.
    app.option.value = offered[1]
    lot = feasible["lot"].iloc[1]
    assert lot in app.trace.value
    filename, data, _mime = app._bom_file()
    assert lot in filename and filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "BOM"


def test_a_setting_reranks_and_keeps_the_chosen_option(ws, monkeypatch):
    ws.load_demo()
    app = SizingApp(ws)
    # The import's tables and the lots are read once; a setting only re-ranks.
    reads = []
    prepare = ws.sizing.prepare
    monkeypatch.setattr(ws.sizing, "prepare", lambda *a, **k: reads.append(a) or prepare(*a, **k))
    before = app.result.options.copy()
    chosen = app.option.value
    app.cpu_ratio.value = 1.0
    after = app.result.options
    assert app.result.settings["cpu_ratio"] == 1.0 and reads == []
    hosts = pd.merge(before, after, on=["scenario", "vendor", "lot"], suffixes=("_4", "_1"))
    policy = hosts[(hosts["scenario"] == "policy") & hosts["feasible_4"] & hosts["feasible_1"]]
    assert len(policy) and (policy["hosts_1"] >= policy["hosts_4"]).all()
    assert (policy["hosts_1"] > policy["hosts_4"]).any()
    # The option chosen stays chosen while it is still feasible.
    if chosen in [key for _text, key in app.option.options]:
        assert app.option.value == chosen
    # Keeping stores the ranking with the import; a new dashboard starts from its settings.
    app.keep.click()
    assert "wb-success" in app.status.value
    assert SizingApp(ws).cpu_ratio.value == 1.0


def test_the_other_scenario_shows_todays_ratios(ws):
    ws.load_demo()
    app = SizingApp(ws)
    policy = app.ranking.value
    app.scenario.value = "today"
    assert set(app.options()["scenario"]) == {"today"} and app.ranking.value != policy
    assert app.option.value in [key for _text, key in app.option.options]


def test_without_imports_or_baskets_the_dashboard_says_what_to_do(ws):
    app = SizingApp(ws)
    assert "No RVTools import yet" in app.status.value
    from workbench.demo import write_synthetic_rvtools

    ws.projects.create(name="Exit", project_type="vmware_migration")
    path = ws.settings.home / "gen.xlsx"
    write_synthetic_rvtools(path, 30)
    ws.rvtools.upload("Exit", path, progress=False)
    app = SizingApp(ws)
    assert "basket" in app.status.value.lower() and app.download.disabled


def test_dashboard_shows_a_message_when_the_store_cannot_open(monkeypatch):
    monkeypatch.setenv("WORKBENCH_DB", "nosuch://x")
    assert "is not understood" in sizing_dashboard().value


def test_ranking_escapes_names_from_vendor_files():
    options = pd.DataFrame(
        [
            {
                "scenario": "policy",
                "vendor": "<b>Evil</b>",
                "lot": "<script>x</script>",
                "model": "M",
                "hosts": 3,
                "limiting": "cpu",
                "feasible": True,
                "reason": "",
                "total_usd": 1000.0,
                "cpu_vendor_differs": False,
                "rank": 1,
            }
        ]
    )
    shown = ranking_html(options)
    assert "<script>" not in shown and "&lt;script&gt;" in shown
