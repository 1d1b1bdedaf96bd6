"""The hardware-pool dashboard's widgets and figures, driven without a browser."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

import workbench
from workbench.pool import ALL_MODELS
from workbench.ui.pool import (
    NO_SERVERS_MESSAGE,
    PoolApp,
    alerts_table_html,
    book_values_html,
    forecast_spec,
    pool_dashboard,
    project_colours,
    requests_table_html,
    server_options,
    short_names,
    shortfall_sentences,
    timeline_figure,
    timeline_legend_html,
    timeline_rows,
    timeline_spec,
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo store for the tests that only read it."""
    home = tmp_path_factory.mktemp("pool-demo")
    with workbench.open("mem://", home=str(home)) as bench:
        bench.load_demo()
        yield bench


@pytest.fixture(scope="module")
def demo_app(demo):
    return PoolApp(demo)


def _server_id(ws, name: str) -> str:
    return ws.pool.get(name).id


def test_the_demo_pool_fills_every_part_of_the_page(demo_app):
    app = demo_app
    # Timeline: one row per server under a header per model; bars per project and kind.
    spec = app.timeline.figure
    bars = [t for t in spec["data"] if t["type"] == "bar"]
    names = {t["name"] for t in bars}
    assert (
        "Tailspin VDI platform" in names and "Wingtip Datacenter consolidation (reserved)" in names
    )
    reserved = [t for t in bars if t["name"].endswith("(reserved)")]
    assert all(t["marker"]["pattern"]["shape"] == "/" for t in reserved)
    assert not any("pattern" in t["marker"] for t in bars if not t["name"].endswith("(reserved)"))
    notes = [a["text"] for a in spec["layout"]["annotations"]]
    assert any(n.startswith("<b>DS-325</b> (lot HVA1) · 11 servers") for n in notes)
    assert "<i>decommissioned</i>" in notes and "<i>in maintenance</i>" in notes
    ticks = spec["layout"]["yaxis"]["ticktext"]
    assert any(t.startswith("esx0101 ") for t in ticks)  # the domain left out
    assert spec["layout"]["shapes"][-1]["line"]["dash"] == "dash"  # today
    assert "Tailspin VDI platform" in app.timeline_legend.value
    # Forecast: opens on the model short, said in a sentence, red markers on those weeks.
    assert app.model.value == "DS-325"
    assert dict(app.model.options)["DS-325 (short)"] == "DS-325"
    assert "DS-325 short by 2 servers from the week of" in app.shortfall_note.value
    short = [t for t in app.forecast_chart.figure["data"] if t["name"] == "Short"]
    assert len(short) == 1 and len(short[0]["x"]) == 4
    # Tables.
    assert "Expired" in app.alerts_table.value and "Within 30 days" in app.alerts_table.value
    assert (
        "(not booked)" in app.book_values.value and "Amsterdam DC1 / Row B" in app.book_values.value
    )
    assert 'class="wb-overdue"><td>VDI expansion' in app.requests_table.value
    assert "overdue requests" in app.kpis.value and "wb-short" in app.kpis.value
    # The form: open projects only, their workflows, free servers first.
    projects = [label for label, _value in app.project.options]
    assert (
        "Tailspin VDI platform" in projects and "Northwind VMware exit to Hyper-V" not in projects
    )
    assert app.workflow.options[0] == ("(no workflow)", "")
    free = [label for label, _v in app.servers.options if " — " not in label]
    assert app.servers.options[: len(free)] == tuple(
        o for o in app.servers.options if " — " not in o[0]
    )
    assert any("in maintenance" in label for label, _v in app.servers.options)
    assert not any(label.startswith("esx0203") for label, _v in app.servers.options)


def test_a_model_change_redraws_only_the_forecast(demo_app):
    app = demo_app
    timeline = app.timeline.figure
    sent = []
    app.timeline.observe(lambda change: sent.append("timeline"), names="figure")
    app.forecast_chart.observe(lambda change: sent.append("forecast"), names="figure")
    app.model.value = ALL_MODELS
    assert sent == ["forecast"] and app.timeline.figure is timeline
    assert app.forecast_chart.figure["layout"]["title"]["text"].endswith("All models</b>")
    app.model.value = "DS-325"


def test_allocating_shows_the_booking_and_a_clash_reads_plainly(ws):
    ws.load_demo()
    app = PoolApp(ws)
    app.project.value = dict(app.project.options)["Wingtip Datacenter consolidation"]
    commissioning = next(
        v for label, v in app.workflow.options if label.startswith("Commissioning")
    )
    app.workflow.value = commissioning
    start = date.today() + timedelta(days=300)
    app.start.value, app.end.value = start, start + timedelta(days=35)
    server = _server_id(ws, "esx0201.demo.example")
    assert server in [v for label, v in app.servers.options if " — " not in label]
    app.servers.value = (server,)
    app.kind.value = "reservation"
    assert app.allocate_button.description == "Reserve"
    app.notes.value = "Burn-in"
    app.allocate_button.click()
    assert "wb-success" in app.form_message.value
    assert "Reserved esx0201 for Wingtip Datacenter consolidation" in app.form_message.value
    hovers = [h for t in app.timeline.figure["data"] for h in t.get("hovertext", [])]
    assert any("Burn-in" in h and "Commissioning" in h for h in hovers)
    widths = [
        t["marker"]["line"]["width"] for t in app.timeline.figure["data"] if t["type"] == "bar"
    ]
    outlined = [w for w in widths if 2.5 in w]
    assert len(outlined) == 1 and "just booked" in app.timeline_legend.value
    assert app.servers.value == ()
    [row] = ws.pool.bookings(server=server).to_dict("records")
    assert row["kind"] == "reservation" and row["workflow"] == "Commissioning"
    assert row["created_by"] == "dashboard"
    # The server now says what holds it; booking it again over the window is refused plainly.
    labels = dict((v, label) for label, v in app.servers.options)
    assert "booked: Wingtip Datacenter consolidation (reservation)" in labels[server]
    app.servers.value = (server,)
    app.allocate_button.click()
    assert "wb-error" in app.form_message.value
    assert "esx0201.demo.example is already booked from" in app.form_message.value
    assert "Traceback" not in app.form_message.value
    # Nothing picked: said before asking the store.
    app.servers.value = ()
    app.allocate_button.click()
    assert "Pick at least one server" in app.form_message.value

    # Release it before it begins: cancelled, gone from the timeline and the release list.
    booking = next(v for label, v in app.booking.options if label.startswith("esx0201"))
    app.booking.value = booking
    app.release_button.click()
    assert "Cancelled the booking of esx0201" in app.release_message.value
    hovers = [h for t in app.timeline.figure["data"] for h in t.get("hovertext", [])]
    assert not any("Burn-in" in h for h in hovers)
    assert booking not in [v for _label, v in app.booking.options]


def test_releasing_a_running_booking_frees_the_server_from_that_day(ws):
    ws.load_demo()
    app = PoolApp(ws)
    booking = next(v for label, v in app.booking.options if label.startswith("vdi-node-01"))
    app.booking.value = booking
    app.release_on.value = date.today() + timedelta(days=5)
    app.release_button.click()
    free = (date.today() + timedelta(days=5)).isoformat()
    assert f"Released vdi-node-01 from Tailspin VDI platform: free from {free}." in (
        app.release_message.value
    )


def test_an_empty_pool_explains_itself(ws):
    app = PoolApp(ws)
    assert app.timeline.layout.display == "none" and app.form.layout.display == "none"
    assert "no servers yet" in app.timeline_note.value.lower()
    assert NO_SERVERS_MESSAGE.split(".")[0] in app.timeline_note.value
    assert "Nothing to forecast" in app.shortfall_note.value
    assert "No servers in the pool yet" in app.alerts_table.value
    assert "No procurement requests yet" in app.requests_table.value
    assert app.booking.options == (("(no current or future booking)", ""),)
    assert app.release_button.disabled


def test_servers_without_dates_or_prices_say_why_tables_are_empty(ws):
    ws.pool.add("host-a.example.org", model="PowerEdge R740", location="Lab")
    app = PoolApp(ws)
    assert "No server has a warranty end or end-of-life date yet" in app.alerts_table.value
    assert "No server has both a purchase price and a procurement date" in app.book_values.value
    assert "no workflow asks for servers" in app.shortfall_note.value
    assert "No server is booked yet" in app.timeline_note.value
    assert "No project yet" in app.form_message.value and app.allocate_button.disabled


def test_server_options_list_free_servers_first_and_say_what_holds_the_others(demo):
    servers, bookings = demo.pool.frame(), demo.pool.bookings()
    start = date.today() + timedelta(days=200)
    options, free = server_options(servers, bookings, start, start + timedelta(days=14))
    labels = [label for label, _v in options]
    assert free == len([t for t in labels if " — " not in t]) and free > 0
    assert all(" — " not in t for t in labels[:free]) and all(" — " in t for t in labels[free:])
    assert any(t.startswith("hv-node-01") and "booked: Wingtip" in t for t in labels[free:])
    # Without a valid window every usable server is listed, none marked.
    options, free = server_options(servers, bookings, start, start)
    assert free == 0 and all(" — " not in label for label, _v in options)
    assert len(options) == int((servers["status"] != "decommissioned").sum())


def test_a_booking_released_before_it_began_holds_nothing(demo):
    servers = demo.pool.frame()
    server = servers[servers["server_name"] == "esx0202.demo.example"].iloc[0]
    day = pd.Timestamp(date.today() + timedelta(days=60))
    cancelled = pd.DataFrame(
        [
            {
                "id": "hardware_pool_status:x",
                "server_id": server["id"],
                "server_name": server["server_name"],
                "project": "P",
                "workflow": None,
                "kind": "allocation",
                "start": day,
                "end": day,
                "notes": None,
            }
        ]
    )
    options, _free = server_options(
        servers, cancelled, day.date() - timedelta(7), day.date() + timedelta(7)
    )
    assert dict((v, label) for label, v in options)[server["id"]].startswith("esx0202 · ")
    spec = timeline_spec(servers, cancelled)
    assert not [t for t in spec["data"] if t["type"] == "bar"]


def test_timeline_rows_group_by_model_then_location_and_name():
    servers = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "server_name": ["node-10", "node-2", "x1", "y1"],
            "group": ["M1", "M1", "(model not given)", "A0"],
            "location": ["L1", "L1", None, "L2"],
            "lot": [None] * 4,
            "status": ["available"] * 4,
        }
    )
    rows = timeline_rows(servers)
    assert [(kind, r[0] if kind == "group" else r["server_name"]) for kind, r in rows] == [
        ("group", "A0"),
        ("server", "y1"),
        ("group", "M1"),
        ("server", "node-2"),
        ("server", "node-10"),
        ("group", "(model not given)"),
        ("server", "x1"),
    ]


def test_names_from_client_files_are_escaped_everywhere():
    servers = pd.DataFrame(
        {
            "id": ["s"],
            "server_name": ["<img src=x>.corp"],
            "status": ["available"],
            "group": ["<b>M</b>"],
            "location": ["<i>L</i>"],
            "lot": [None],
            "end_of_life": [pd.NaT],
            "warranty_end": [pd.NaT],
        }
    )
    bookings = pd.DataFrame(
        [
            {
                "id": "b",
                "server_id": "s",
                "project": "<script>p</script>",
                "workflow": None,
                "kind": "allocation",
                "start": pd.Timestamp("2027-01-04"),
                "end": pd.Timestamp("2027-02-01"),
                "notes": "<u>n</u>",
            }
        ]
    )
    spec = timeline_spec(servers, bookings, today=date(2027, 1, 1))
    text = str(spec)
    assert "<img" not in text and "<script>" not in text and "<u>" not in text
    assert "&lt;script&gt;p&lt;/script&gt;" in text
    legend = timeline_legend_html(bookings, project_colours(["<script>p</script>"]))
    assert "<script>" not in legend
    requests = pd.DataFrame(
        [
            {
                "request_name": "<b>r</b>",
                "project": "<b>p</b>",
                "status": "ordered",
                "vendor": None,
                "servers": 2,
                "delivered": 0,
                "total_cost": None,
                "currency": "USD",
                "purchase_order_number": None,
                "expected_delivery": pd.Timestamp("2026-01-01"),
                "actual_delivery": pd.NaT,
                "overdue": True,
            }
        ]
    )
    html_text = requests_table_html(requests)
    assert "<b>r</b>" not in html_text and "(overdue)" in html_text
    alerts = pd.DataFrame(
        [
            {
                "id": "s",
                "server_name": "<b>s</b>",
                "kind": "warranty",
                "date": date(2026, 1, 1),
                "days_left": -3,
                "level": "expired",
                "location": "<b>l</b>",
            }
        ]
    )
    table = alerts_table_html(alerts, servers)
    assert "<b>s</b>" not in table and "3 days ago" in table


def test_book_values_count_unbooked_servers_and_total_per_currency(demo):
    values = demo.pool.book_values()
    html_text = book_values_html(values, demo.pool.frame(), date.today())
    assert "(not booked)" in html_text and "Total" in html_text
    assert "Book value today" in html_text and "$" in html_text


def test_short_names_keep_addresses_and_names_apart():
    names = ["esx01.a.example", "esx02.a.example", "10.0.0.5", "dup.a.example", "dup.b.example"]
    assert short_names(names) == {
        "esx01.a.example": "esx01",
        "esx02.a.example": "esx02",
        "10.0.0.5": "10.0.0.5",
        "dup.a.example": "dup.a.example",
        "dup.b.example": "dup.b.example",
    }


def test_project_colours_do_not_move_when_a_project_is_booked():
    everyone = ["Alpha", "Beta", "Gamma"]
    assert project_colours(everyone)["Gamma"] == project_colours(everyone + [])["Gamma"]
    assert len(set(project_colours(everyone).values())) == 3


def test_forecast_spec_and_sentences_from_the_demo(demo):
    forecast = demo.pool.forecast(26)
    shortfalls = demo.pool.shortfalls(26)
    [sentence] = shortfall_sentences(forecast, shortfalls)
    week = shortfalls["first_week"].iloc[0]
    assert (
        sentence == f"DS-325 short by 2 servers from the week of {week} (4 of the next 26 weeks)."
    )
    spec = forecast_spec(forecast, "DS-325")
    names = [t["name"] for t in spec["data"]]
    assert names == ["Available", "Demand", "Short"]
    assert spec["layout"]["yaxis"]["dtick"] == 2  # whole servers, up to 24 shown
    assert "Short by 2" in spec["data"][2]["hovertext"][0]
    assert forecast_spec(forecast, "DS-120")["data"][-1]["name"] == "Demand"  # nothing short


def test_figures_validate_as_plotly_figures(demo):
    from workbench.ui.pool import forecast_figure

    figure = timeline_figure(demo.pool.frame(), demo.pool.bookings())
    assert figure.layout.showlegend is True
    assert forecast_figure(demo.pool.forecast(13)).data


def test_the_dashboard_builder_shows_a_store_error_as_a_message(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise workbench.StoreUnavailableError("The store at /nowhere cannot be opened.")

    monkeypatch.setattr(workbench, "open", refuse)
    widget = pool_dashboard()
    assert "cannot be opened" in widget.value and "Traceback" not in widget.value
