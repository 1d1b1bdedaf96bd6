"""The capacity dashboard's widgets, driven without a browser."""

from __future__ import annotations

import pandas as pd

from workbench.ui.capacity import (
    CapacityApp,
    capacity_dashboard,
    capacity_table_html,
    risk_table_html,
)
from workbench.ui.figures import demand_supply_figure, ratios_figure, risk_figure, storage_figure


def test_selection_drives_figures_tables_and_saving(ws):
    ws.load_demo()
    app = CapacityApp(ws)
    names = [value for _label, value in app.clusters.options]
    assert "CL-Prod-A" in names and app.selected() == names
    assert len(app.figures) == 5 and all(chart.figure["data"] for chart in app.figures)
    app.clusters.value = ("CL-Prod-A",)
    assert "CL-Prod-B" not in app.capacity_table.value and "CL-Prod-A" in app.capacity_table.value
    bars = app.charts["demand_supply"].figure["data"][0]
    assert list(bars["y"]) == ["CL-Prod-A"]
    app.save_button.click()
    assert "wb-success" in app.status.value
    [record] = ws.rvtools.list()
    assert record.selected_clusters == ["CL-Prod-A"]
    # A new app opens on the stored selection.
    assert CapacityApp(ws).selected() == ["CL-Prod-A"]
    app.clusters.value = ()
    assert (
        app.chart_box.layout.display == "none" and "Select at least one cluster" in app.status.value
    )


def test_without_imports_the_dashboard_says_what_to_do(ws):
    app = CapacityApp(ws)
    assert "No RVTools import yet" in app.status.value


def test_tables_escape_names_from_client_files():
    capacity = pd.DataFrame(
        [
            {
                c: 1
                for c in (
                    "hosts",
                    "cores",
                    "memory_mib",
                    "vms",
                    "vms_on",
                    "vcpus",
                    "vram_mib",
                    "vcpu_per_core_on",
                    "vram_per_ram_on",
                    "n1_vcpu_per_core_on",
                    "n1_memory_headroom_mib",
                    "provisioned_mib",
                    "datastore_capacity_mib",
                    "n1_cores",
                    "n1_memory_mib",
                    "vcpus_on",
                    "vram_on_mib",
                    "in_use_mib",
                    "datastore_free_mib",
                )
            }
            | {"cluster": "<b>x</b>"}
        ]
    )
    assert "<b>x</b>" not in capacity_table_html(
        capacity
    ) and "&lt;b&gt;x&lt;/b&gt;" in capacity_table_html(capacity)
    checks = pd.DataFrame(
        [
            {
                "id": "a",
                "severity": "high",
                "title": "T",
                "explanation": "<i>e</i>",
                "evaluated": True,
                "vms": 1,
            }
        ]
    )
    hits = pd.DataFrame(
        [
            {
                "check_id": "a",
                "vm": "<script>",
                "cluster": "c",
                "vm_key": "k",
                "severity": "high",
                "detail": "",
            }
        ]
    )
    html = risk_table_html(checks, hits)
    assert "<script>" not in html and "<i>" not in html
    for build in (demand_supply_figure, ratios_figure, storage_figure):
        assert build(capacity).data
    assert risk_figure(checks).data[0].x == (1,)
    assert risk_figure(checks).data[0].name == "High severity"


def test_dashboard_shows_a_message_when_the_store_cannot_open(monkeypatch):
    monkeypatch.setenv("WORKBENCH_DB", "nosuch://x")
    assert "is not understood" in capacity_dashboard().value
