"""``ws.pool`` and ``ws.procurement`` on real stores (mem://, and surrealkv:// where files
matter): servers, imports, bookings over half-open windows, status, availability, the weekly
forecast, lifecycle, the journal and procurement from request to delivery.

"Today" is injected (``Pool(store, today=...)``) so that what covers today, what is overdue
and which week comes first never depend on the day the suite runs. 2 March 2026 is a Monday.
"""

from __future__ import annotations

import getpass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import SHARED_DATA, require
from tests.files import rewrite_sheet1, xlsx_zip_bomb
from workbench import pool as rules
from workbench.api.pool import Pool
from workbench.api.procurement import Procurement
from workbench.errors import (
    ConflictError,
    ImportRejectedError,
    InvalidInputError,
    NotFoundError,
)
from workbench.io.xlsx_writer import write_xlsx

TODAY = date(2026, 3, 2)  # a Monday
REAL_EXPORT = SHARED_DATA / "rvtools" / "06_acme1-aeris_rvtools-4.6.1_vc8.0.3_1304vm.xlsx"


class Clock:
    """Today, as the pool sees it; tests move it."""

    def __init__(self, day: date):
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def clock() -> Clock:
    return Clock(TODAY)


@pytest.fixture
def pool(ws, clock) -> Pool:
    return Pool(ws.store, today=clock, rvtools=lambda: ws.rvtools)


@pytest.fixture
def procurement(ws, pool, clock) -> Procurement:
    return Procurement(ws.store, pool=lambda: pool, workflows=lambda: ws.workflows, today=clock)


@pytest.fixture
def move(ws):
    return ws.projects.create("Move", "vmware_migration")


@pytest.fixture
def lab(ws):
    return ws.projects.create("Lab", "new_solution")


def d(text: str) -> date:
    return date.fromisoformat(text)


def _journal(pool: Pool, subject=None) -> pd.DataFrame:
    return pool.journal(subject)


def _day(value) -> date | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.date() if isinstance(value, datetime) else value


# -- servers -------------------------------------------------------------------------------


def test_add_get_update_and_delete(pool):
    server = pool.add(
        "esx-01",
        serial_number="SN-1",
        asset_tag="AT-1",
        location="AMS-1",
        vendor="Dell",
        model="PowerEdge R650",
        cores=56,
        memory_gib=768,
        purchase_price="12000.50",
        procurement_date="2025-01-15",
        by="alice",
    )
    assert server.id.startswith("server_inventory:")
    assert (server.status, server.condition, server.currency, server.life_years) == (
        "available",
        "new",
        "USD",
        5,
    )
    assert (server.purchase_price, server.procurement_date) == (
        Decimal("12000.50"),
        d("2025-01-15"),
    )
    assert (server.vendor, server.model, server.cores, server.memory_gib) == (
        "Dell",
        "PowerEdge R650",
        56,
        768.0,
    )
    assert server.source == "manual"
    for ref in ("ESX-01", "sn-1", "at-1", server.id, server):
        assert pool.get(ref).id == server.id

    changed = pool.update("esx-01", location="AMS-2", cores=64, by="bob")
    assert (changed.location, changed.cores) == ("AMS-2", 64)
    assert (changed.model, changed.memory_gib) == ("PowerEdge R650", 768.0)  # specs merged
    assert pool.update(server, location=None).location is None

    with pytest.raises(InvalidInputError, match="Nothing to change"):
        pool.update(server)
    with pytest.raises(InvalidInputError, match="Unknown server field"):
        pool.update(server, colour="red")
    with pytest.raises(InvalidInputError, match="set_status"):
        pool.update(server, status="maintenance")
    with pytest.raises(InvalidInputError, match="Warranty end"):
        pool.add("esx-02", warranty_start="2026-01-10", warranty_end="2026-01-01")
    with pytest.raises(InvalidInputError, match="Condition"):
        pool.add("esx-02", condition="shiny")
    with pytest.raises(NotFoundError):
        pool.get("esx-99")

    pool.delete("esx-01", reason="sold")
    with pytest.raises(NotFoundError):
        pool.get(server.id)
    assert pool.list() == []


def test_names_serials_and_asset_tags_are_unique(pool):
    first = pool.add("esx-01", serial_number="SN-1", asset_tag="AT-1")
    other = pool.add("esx-02", serial_number="SN-2", asset_tag="AT-2")
    for name, fields, what in (
        ("ESX-01", {}, "name"),
        ("esx-03", {"serial_number": "SN-1"}, "serial number"),
        ("esx-03", {"asset_tag": "AT-1"}, "asset tag"),
    ):
        with pytest.raises(ConflictError, match=what):
            pool.add(name, **fields)
    with pytest.raises(ConflictError, match="serial number"):
        pool.update(other, serial_number="SN-1")
    with pytest.raises(ConflictError, match="name"):
        pool.update(other, server_name="Esx-01")
    assert [s.server_name for s in pool.list()] == ["esx-01", "esx-02"]
    assert pool.get(other).serial_number == "SN-2"
    assert pool.get(first).asset_tag == "AT-1"


def test_serial_numbers_are_unique_ignoring_case_as_lookups_are(pool):
    pool.add("esx-01", serial_number="SN-1", asset_tag="AT-1")
    with pytest.raises(ConflictError, match="serial number"):
        pool.add("esx-02", serial_number="sn-1")
    with pytest.raises(ConflictError, match="asset tag"):
        pool.add("esx-02", asset_tag="at-1")
    assert pool.get("sn-1").server_name == "esx-01"


def _server_in(pool: Pool, project, name: str, status: str):
    server = pool.add(name)
    if status in ("maintenance", "decommissioned"):
        pool.set_status(server, status, "set up")
    elif status == "allocated":
        pool.allocate(server, project, TODAY, TODAY + timedelta(days=7))
    elif status == "reserved":
        pool.allocate(server, project, TODAY, TODAY + timedelta(days=7), kind="reservation")
    assert pool.get(server).status == status
    return server


def test_status_changes_by_hand_follow_the_transition_table(pool, move):
    outcomes = {}
    for number, (current, target) in enumerate(
        (c, t) for c in rules.STATUSES for t in rules.STATUSES
    ):
        server = _server_in(pool, move, f"srv-{number:02d}", current)
        try:
            after = pool.set_status(server, target, f"{current} to {target}", by="carol")
        except (InvalidInputError, ConflictError) as exc:
            outcomes[current, target] = type(exc).__name__
            assert pool.get(server).status == current
        else:
            outcomes[current, target] = after.status
    expected = {}
    for current in rules.STATUSES:
        for target in rules.STATUSES:
            if target in rules.TRANSITIONS[current] and target in rules.MANUAL_STATUSES:
                # A booked server is not decommissioned while its booking lasts.
                booked = current in ("allocated", "reserved") and target == "decommissioned"
                expected[current, target] = "ConflictError" if booked else target
            else:
                expected[current, target] = "InvalidInputError"
    assert outcomes == expected


def test_a_status_change_needs_a_reason_and_is_journaled_with_it(pool):
    server = pool.add("esx-01")
    for reason in ("", "   ", None):
        with pytest.raises(InvalidInputError, match="reason"):
            pool.set_status(server, "maintenance", reason)
    assert pool.get(server).status == "available"
    pool.set_status(server, "maintenance", "fan noise", by="dave")
    entry = _journal(pool, server).iloc[0]
    assert (entry["action"], entry["reason"], entry["changed_by"]) == (
        "status",
        "fan noise",
        "dave",
    )
    assert entry["before"]["status"] == "available"
    assert entry["after"] == {"status": "maintenance"}


def test_decommission_is_refused_while_booked_and_a_decommissioned_server_is_never_booked(
    pool, move, clock
):
    server = pool.add("esx-01")
    [ahead] = pool.allocate(server, move, TODAY + timedelta(days=10), TODAY + timedelta(days=20))
    with pytest.raises(ConflictError, match="release its bookings"):
        pool.set_status(server, "decommissioned", "old")
    assert pool.get(server).status == "available"
    # A booking that has ended does not hold the server.
    clock.day = TODAY + timedelta(days=20)
    assert pool.set_status(server, "decommissioned", "old").status == "decommissioned"
    with pytest.raises(ConflictError, match="decommissioned"):
        pool.allocate(server, move, clock.day + timedelta(days=1), clock.day + timedelta(days=2))
    with pytest.raises(InvalidInputError, match="final"):
        pool.set_status(server, "available", "back")
    assert len(pool.bookings(server=server)) == 1


def test_a_booking_released_before_it_starts_no_longer_holds_the_server(pool, move):
    server = pool.add("esx-01")
    [booking] = pool.allocate(server, move, d("2026-03-20"), d("2026-03-30"))
    [released] = pool.release(booking)
    assert (released.start, released.end) == (d("2026-03-20"), d("2026-03-20"))
    week = pool.forecast(weeks=4)
    week = week[(week["model"] == rules.ALL_MODELS) & (week["week"] == d("2026-03-16"))]
    assert week[["in_stock", "allocated", "available"]].values.tolist() == [[1, 0, 1]]
    # Nothing is booked any more: it can be decommissioned, deleted, or booked across that day.
    assert server.id in set(pool.availability("2026-03-18", "2026-03-25")["id"])
    [again] = pool.allocate(server, move, d("2026-03-18"), d("2026-03-25"))
    assert (again.start, again.end) == (d("2026-03-18"), d("2026-03-25"))
    # Releasing the released booking again changes nothing and clashes with nothing.
    [twice] = pool.release(booking)
    assert (twice.start, twice.end) == (d("2026-03-20"), d("2026-03-20"))
    pool.release(again)
    assert pool.set_status(server, "decommissioned", "gone").status == "decommissioned"


def test_delete_is_refused_while_booked_unless_forced(pool, move):
    server = pool.add("esx-01")
    pool.allocate(server, move, TODAY, TODAY + timedelta(days=3))
    with pytest.raises(ConflictError, match="force"):
        pool.delete(server)
    assert pool.get(server).status == "allocated"
    pool.delete(server, force=True, reason="scrapped")
    assert pool.list() == []
    assert pool.bookings().empty


def test_maintenance_history(pool, clock):
    server = pool.add("esx-01", currency="EUR")
    pool.add_maintenance(server, "Replaced a PSU", on="2026-02-10", cost="350.50", by="bob")
    after = pool.add_maintenance(server, "Firmware 2.1")
    history = after.maintenance_history
    assert [h["description"] for h in history] == ["Replaced a PSU", "Firmware 2.1"]
    assert [_day(h["date"]) for h in history] == [d("2026-02-10"), TODAY]
    assert [h.get("cost") for h in history] == [Decimal("350.50"), None]
    assert [h["by"] for h in history] == ["bob", getpass.getuser()]
    assert pool.get(server).maintenance_history == history
    entries = _journal(pool, server)
    assert entries["action"].tolist()[:2] == ["maintenance", "maintenance"]
    assert entries["reason"].tolist()[:2] == ["Firmware 2.1", "Replaced a PSU"]
    with pytest.raises(InvalidInputError):
        pool.add_maintenance(server, "Paid", cost="-5")
    with pytest.raises(InvalidInputError):
        pool.add_maintenance(server, "   ")
    assert len(pool.get(server).maintenance_history) == 2


def test_every_change_is_journaled_with_who_before_and_after(pool, move, lab, clock):
    server = pool.add("esx-01", location="AMS-1", by="alice")
    pool.update(server, location="AMS-2", by="bob")
    [booking] = pool.allocate(server, move, TODAY, d("2026-03-20"), by="carol")
    pool.extend(booking, d("2026-03-25"), by="dave")
    pool.release(booking, on=d("2026-03-10"), by="erin")
    pool.set_status(server, "maintenance", "disk", by="frank")
    pool.add_maintenance(server, "New disk", by="grace")
    other = pool.add("esx-02")
    pool.delete(other, by="heidi", reason="sold")

    rows = pool.journal()
    by_action = {}
    for row in rows.to_dict("records"):
        by_action.setdefault(row["action"], []).append(row)

    [added] = [r for r in by_action["added"] if r["subject"] == server.id]
    assert added["changed_by"] == "alice" and added["after"]["location"] == "AMS-1"
    assert added["before"] is None or added["before"] != added["before"]  # no before: NaN
    [updated] = by_action["updated"]
    assert (updated["changed_by"], updated["before"]["location"], updated["after"]) == (
        "bob",
        "AMS-1",
        {"location": "AMS-2"},
    )
    [booked] = by_action["booked"]
    assert booked["subject"] == booking.id and booked["changed_by"] == "carol"
    assert _day(booked["after"]["available_until"]) == d("2026-03-20")
    [extended] = by_action["extended"]
    assert extended["changed_by"] == "dave"
    assert _day(extended["before"]["available_until"]) == d("2026-03-20")
    assert _day(extended["after"]["available_until"]) == d("2026-03-25")
    [released] = by_action["released"]
    assert released["changed_by"] == "erin"
    assert _day(released["before"]["available_until"]) == d("2026-03-25")
    assert _day(released["after"]["available_until"]) == d("2026-03-10")
    follows = by_action["status follows bookings"]
    assert [(f["before"]["status"], f["after"]["status"]) for f in reversed(follows)] == [
        ("available", "allocated")
    ]
    [status] = by_action["status"]
    assert (status["changed_by"], status["reason"], status["after"]) == (
        "frank",
        "disk",
        {"status": "maintenance"},
    )
    [maintenance] = by_action["maintenance"]
    assert maintenance["changed_by"] == "grace"
    assert maintenance["before"]["maintenance_history"] == []
    assert maintenance["after"]["maintenance_history"][0]["description"] == "New disk"
    [deleted] = by_action["deleted"]
    assert (deleted["subject"], deleted["changed_by"], deleted["reason"]) == (
        other.id,
        "heidi",
        "sold",
    )
    assert deleted["before"]["server_name"] == "esx-02"
    [unnamed] = [r for r in by_action["added"] if r["subject"] == other.id]
    assert unnamed["changed_by"] == getpass.getuser()
    # Newest first; a subject's entries only when asked by subject.
    assert rows["changed_at"].is_monotonic_decreasing
    assert set(pool.journal(server)["subject"]) == {server.id}
    assert set(pool.journal(booking.id)["subject"]) == {booking.id}


# -- inventory files -----------------------------------------------------------------------

HEADERS = [
    "server_name",
    "Serial number",
    "asset_tag",
    "location",
    "model",
    "cores",
    "memory_gib",
    "purchase_price",
    "procurement_date",
    "warranty_end",
]
ROWS = [
    ["srv-a", "SNA", "ATA", "AMS-1", "R650", "56", "768", "12000.50", "2025-01-15", "2028-01-15"],
    ["srv-b", "SNB", "ATB", "AMS-1", "R650", "56", "768", "12000", "2025-01-15", "2028-01-15"],
    ["srv-c", "", "ATC", "FRA-1", "R750", "64", "1024", "", "", ""],
]


def _csv(path: Path, rows=ROWS, headers=HEADERS) -> Path:
    lines = [",".join(headers), *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _typed(row: list[str]) -> list:
    """A row as a spreadsheet holds it: numbers as numbers, dates as dates."""
    out = []
    for header, value in zip(HEADERS, row, strict=True):
        if value == "":
            out.append(None)
        elif header in ("cores", "memory_gib", "purchase_price"):
            out.append(float(value))
        elif header.endswith("_date") or header == "warranty_end":
            out.append(datetime.fromisoformat(value))
        else:
            out.append(value)
    return out


def _xlsx(path: Path, rows=ROWS) -> Path:
    write_xlsx(path, {"Servers": (HEADERS, [_typed(r) for r in rows])})
    return path


def _snapshot(pool: Pool) -> list[tuple]:
    return [
        (s.server_name, s.serial_number, s.asset_tag, s.location, s.model, s.cores, s.memory_gib,
         s.purchase_price, s.procurement_date, s.warranty_end)
        for s in pool.list()
    ]  # fmt: skip


def test_import_a_csv_dry_run_then_for_real_then_again(pool, tmp_path):
    path = _csv(tmp_path / "inventory.csv")
    dry = pool.import_file(path, dry_run=True)
    assert (dry.dry_run, dry.added, dry.changed, dry.unchanged) == (
        True,
        ["srv-a", "srv-b", "srv-c"],
        [],
        [],
    )
    assert dry.summary().startswith("would add 3")
    assert pool.list() == [] and pool.journal().empty

    diff = pool.import_file(path, by="importer")
    assert diff.added == ["srv-a", "srv-b", "srv-c"] and not diff.dry_run
    assert _snapshot(pool) == [
        ("srv-a", "SNA", "ATA", "AMS-1", "R650", 56, 768.0, Decimal("12000.50"),
         d("2025-01-15"), d("2028-01-15")),
        ("srv-b", "SNB", "ATB", "AMS-1", "R650", 56, 768.0, Decimal("12000"),
         d("2025-01-15"), d("2028-01-15")),
        ("srv-c", None, "ATC", "FRA-1", "R750", 64, 1024.0, None, None, None),
    ]  # fmt: skip
    assert {s.source for s in pool.list()} == {"file"}
    entries = len(pool.journal())
    assert entries == 3 and set(pool.journal()["changed_by"]) == {"importer"}

    again = pool.import_file(path)
    assert (again.added, again.changed, again.unchanged) == ([], [], ["srv-a", "srv-b", "srv-c"])
    assert len(pool.journal()) == entries


def test_an_import_matches_on_serial_then_asset_tag_then_name(pool, tmp_path):
    pool.import_file(_csv(tmp_path / "first.csv"))
    before = {s.server_name: s.id for s in pool.list()}
    rows = [
        # Same serial, new name: the server is renamed and moved.
        ["srv-a-renamed", "SNA", "ATA", "AMS-2", "R650", "56", "768", "12000.50", "2025-01-15", "2028-01-15"],
        # No serial, same asset tag as srv-b: srv-b gets the serial and more cores.
        ["srv-b", "SNB", "ATB", "AMS-1", "R650", "64", "768", "12000", "2025-01-15", "2028-01-15"],
        # Only the name matches.
        ["SRV-C", "SNC", "", "FRA-1", "R750", "64", "1024", "", "", ""],
        ["srv-d", "SND", "ATD", "FRA-1", "R750", "64", "1024", "9000", "", ""],
    ]  # fmt: skip
    path = _csv(tmp_path / "second.csv", rows)
    dry = pool.import_file(path, dry_run=True)
    assert (dry.added, sorted(dry.changed), dry.unchanged) == (
        ["srv-d"],
        ["srv-a", "srv-b", "srv-c"],
        [],
    )
    assert dry.changes["srv-a"]["server_name"] == ("srv-a", "srv-a-renamed")
    assert dry.changes["srv-a"]["location"] == ("AMS-1", "AMS-2")
    assert dry.changes["srv-b"] == {"cores": (56, 64)}
    assert dry.changes["srv-c"]["serial_number"] == (None, "SNC")
    assert {s.server_name for s in pool.list()} == {"srv-a", "srv-b", "srv-c"}

    pool.import_file(path)
    after = {s.server_name: s for s in pool.list()}
    assert set(after) == {"srv-a-renamed", "srv-b", "SRV-C", "srv-d"}
    assert after["srv-a-renamed"].id == before["srv-a"]
    assert (after["srv-b"].id, after["srv-b"].cores) == (before["srv-b"], 64)
    assert (after["SRV-C"].id, after["SRV-C"].serial_number) == (before["srv-c"], "SNC")
    assert pool.import_file(path).unchanged == ["srv-a-renamed", "srv-b", "SRV-C", "srv-d"]


def test_an_xlsx_import_reads_as_the_csv_does(pool, tmp_path):
    path = _xlsx(tmp_path / "inventory.xlsx")
    assert pool.import_file(path, dry_run=True).added == ["srv-a", "srv-b", "srv-c"]
    assert pool.list() == []
    pool.import_file(path)
    from_xlsx = _snapshot(pool)
    # The CSV of the same servers changes nothing (text "56" against the number 56.0).
    diff = pool.import_file(_csv(tmp_path / "inventory.csv"))
    assert (diff.added, diff.changed, diff.changes) == ([], [], {})
    assert _snapshot(pool) == from_xlsx
    assert from_xlsx[0][7:] == (Decimal("12000.5"), d("2025-01-15"), d("2028-01-15"))
    assert pool.import_file(path).unchanged == ["srv-a", "srv-b", "srv-c"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["srv-x", "SNX", "", "", "", "many", "", "", "", ""], "Row 5: Cores"),
        (["srv-x", "SNX", "", "", "", "", "", "-3", "", ""], "Row 5: Purchase price"),
        (["srv-x", "SNX", "", "", "", "", "", "", "2026-13-45", ""], "Row 5: procurement_date"),
        (["", "SNX", "", "FRA-1", "", "", "", "", "", ""], "Row 5: the server name is blank"),
        (["srv-a", "SNX", "", "", "", "", "", "", "", ""], "more than once: srv-a"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_the_row(pool, tmp_path, row, message):
    path = _csv(tmp_path / "bad.csv", [*ROWS, row])
    for dry_run in (True, False):
        with pytest.raises(InvalidInputError, match=message):
            pool.import_file(path, dry_run=dry_run)
    assert pool.list() == [] and pool.journal().empty


def _hostile(kind: str, folder: Path) -> Path:
    good = _xlsx(folder / "good.xlsx")
    if kind == "zip bomb":
        return xlsx_zip_bomb(folder / "bomb.xlsx")
    if kind == "cell at XFD1048576":
        return rewrite_sheet1(
            good,
            folder / "far.xlsx",
            lambda data: data.replace(
                b"</sheetData>",
                b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
            ),
        )
    if kind == "a wide row without references":
        wide = (
            b'<row r="9">'
            + b"<c><v>1</v></c>" * 16_384
            + b'</row><row r="5000"><c><v>1</v></c></row>'
        )
        return rewrite_sheet1(
            good,
            folder / "wide.xlsx",
            lambda data: data.replace(b"</sheetData>", wide + b"</sheetData>"),
        )
    if kind == "truncated":
        path = folder / "truncated.xlsx"
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
        return path
    path = folder / "binary.csv"
    path.write_bytes(b"\x7fELF" + bytes(range(256)) * 40)
    return path


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "kind",
    ["zip bomb", "cell at XFD1048576", "a wide row without references", "truncated", "binary"],
)
def test_a_hostile_file_is_refused_and_nothing_is_stored(pool, tmp_path, kind):
    path = _hostile(kind, tmp_path)
    for dry_run in (True, False):
        with pytest.raises(ImportRejectedError) as caught:
            pool.import_file(path, dry_run=dry_run)
        message = str(caught.value)
        assert message and "Traceback" not in message and len(message) < 400
    assert pool.list() == [] and pool.journal().empty


def test_a_file_without_a_name_column_is_refused(pool, tmp_path):
    path = tmp_path / "no_names.csv"
    path.write_text("serial_number,location\nSN1,AMS\n", encoding="utf-8")
    with pytest.raises(ImportRejectedError, match="server_name"):
        pool.import_file(path)
    assert pool.list() == []


def test_imports_on_a_disk_store(disk_ws, tmp_path):
    pool = Pool(disk_ws.store, today=lambda: TODAY)
    path = _csv(tmp_path / "inventory.csv")
    assert pool.import_file(path).added == ["srv-a", "srv-b", "srv-c"]
    reopened = Pool(disk_ws.store, today=lambda: TODAY)
    assert pool.import_file(path).unchanged == ["srv-a", "srv-b", "srv-c"]
    assert [s.server_name for s in reopened.list()] == ["srv-a", "srv-b", "srv-c"]
    with pytest.raises(ImportRejectedError):
        pool.import_file(xlsx_zip_bomb(tmp_path / "bomb.xlsx"))
    assert len(reopened.list()) == 3


# -- hosts of RVTools imports ----------------------------------------------------------------


def _set_lot_model(ws, lot_code: str, model: str) -> str:
    """Give a stored demo lot the model a host reports (the demo basket's models are
    fictional), so the import can link hosts to it. Returns the lot's id."""
    rows = ws.store.query(
        "UPDATE hardware_lot SET model = $model WHERE lot_code = $code RETURN id",
        {"model": model, "code": lot_code},
    )[-1]
    assert len(rows) == 1
    return f"hardware_lot:{rows[0]['id'].id}"


def test_import_hosts_of_the_demo_import(ws):
    # The demo puts its import's hosts in the pool (and changes some afterwards).
    ws.load_demo()
    [demo] = ws.rvtools.list()
    hosts = ws.rvtools.tables(demo.id, ["vHost"])["vHost"]
    names = sorted(hosts["host"])
    servers = {s.server_name: s for s in ws.pool.list() if s.source == "rvtools"}
    assert sorted(servers) == names and len(names) == 10
    assert {servers[h["host"]].serial_number for h in hosts.to_dict("records")} == set(
        hosts["serial_number"]
    )
    before = ws.pool.frame()
    entries = len(ws.pool.journal())
    for dry_run in (True, False):
        again = ws.pool.import_hosts(demo.id, dry_run=dry_run)
        assert (again.added, again.changed, sorted(again.unchanged)) == ([], [], names)
    assert len(ws.pool.journal()) == entries
    pd.testing.assert_frame_equal(ws.pool.frame(), before)


def test_import_hosts_links_lots_and_finds_hosts_already_in_the_pool(ws, pool, tmp_path):
    # The demo's export and basket, without the demo's pool.
    from workbench.demo import write_synthetic_rvtools
    from workbench.demo_baskets import write_demo_basket

    project = ws.projects.create("Northwind", "vmware_migration")
    write_synthetic_rvtools(tmp_path / "export.xlsx", 300)
    upload = ws.rvtools.upload(project, tmp_path / "export.xlsx", progress=False)
    write_demo_basket(tmp_path / "basket.xlsx")
    ws.baskets.import_file(tmp_path / "basket.xlsx")
    hosts = ws.rvtools.tables(upload.id, ["vHost"])["vHost"]
    names = sorted(hosts["host"])
    lot = _set_lot_model(ws, "SMI2", "R650")
    # One host is in the pool already under another name: its serial finds it.
    known = hosts.iloc[0]
    pool.add("old-name", serial_number=known["serial_number"])

    dry = pool.import_hosts(upload.id, dry_run=True)
    assert len(dry.added) == len(names) - 1 and dry.changed == ["old-name"]
    assert dry.changes["old-name"]["server_name"] == ("old-name", known["host"])
    assert [s.server_name for s in pool.list()] == ["old-name"]

    diff = pool.import_hosts(upload.id, by="importer")
    assert sorted(diff.added + [known["host"]]) == names
    servers = {s.server_name: s for s in pool.list()}
    assert sorted(servers) == names  # one server per host, none twice
    for host in hosts.to_dict("records"):
        server = servers[host["host"]]
        assert server.serial_number == host["serial_number"]
        assert server.location == (host["cluster"] or host["datacenter"])
        assert (server.cores, server.sockets) == (host["cpu_cores"], host["cpu_sockets"])
        assert server.memory_gib == round(host["memory_mib"] / 1024, 1)
        if host["model"] == "PowerEdge R650":  # "r650" either way
            assert (server.hardware_model_id, server.lot_code, server.model) == (
                lot,
                "SMI2",
                "R650",
            )
        else:
            assert server.hardware_model_id is None and server.model == host["model"]
    assert sum(1 for s in servers.values() if s.lot_code == "SMI2") == 3
    assert {s.source for s in servers.values()} == {"rvtools", "manual"}

    entries = len(pool.journal())
    again = pool.import_hosts(upload.id)
    assert (again.added, again.changed, sorted(again.unchanged)) == ([], [], names)
    assert len(pool.journal()) == entries
    with pytest.raises(NotFoundError):
        pool.import_hosts("nothing")


@pytest.mark.shared_data
def test_import_hosts_of_a_real_export(ws, pool):
    require(REAL_EXPORT.is_file(), f"{REAL_EXPORT} is not there")
    project = ws.projects.create("Aeris", "vmware_migration")
    upload = ws.rvtools.upload(project, REAL_EXPORT, progress=False)
    hosts = ws.rvtools.tables(upload.id, ["vHost"])["vHost"]
    names = sorted({h.lower() for h in hosts["host"]})
    assert len(names) == 35

    diff = pool.import_hosts(upload.id)
    # The vSAN witness appliance is a virtual machine, not a server of the pool.
    [witness] = [h for h in hosts.to_dict("records") if h["model"] == "VMware Virtual Platform"]
    assert diff.warnings == [
        f"{witness['host']} is a virtual machine (VMware Virtual Platform), such as a vSAN "
        "witness appliance, not a physical server; left out."
    ]
    names.remove(witness["host"].lower())
    assert sorted(n.lower() for n in diff.added) == names
    servers = {s.server_name.lower(): s for s in pool.list()}
    assert sorted(servers) == names
    for host in hosts.to_dict("records"):
        if host is witness or host["host"] == witness["host"]:
            continue
        server = servers[host["host"].lower()]
        serial = host["serial_number"] or host["service_tag"]
        assert server.serial_number == (serial.strip() if serial else None)
        assert server.model == host["model"] and server.location == (
            host["cluster"].strip() or host["datacenter"]
        )
        assert server.memory_gib == round(host["memory_mib"] / 1024, 1)
    counts = pd.Series([s.model for s in servers.values()]).value_counts()
    assert counts["PowerEdge R740"] == 14 and counts["R750 vSAN Ready Node"] == 5

    journal = len(pool.journal())
    again = pool.import_hosts(upload.id)
    assert (again.added, again.changed, len(again.unchanged)) == ([], [], 34)
    assert len(pool.journal()) == journal and len(pool.list()) == 34


# -- bookings ------------------------------------------------------------------------------


def test_windows_are_half_open(pool, move, lab):
    server = pool.add("esx-01")
    pool.allocate(server, move, "2026-03-10", "2026-03-20")
    # Back to back on either side: the window ends the moment the next begins.
    pool.allocate(server, lab, "2026-03-20", "2026-03-25", kind="reservation")
    pool.allocate(server, lab, "2026-03-05", "2026-03-10")
    for start, end in (
        ("2026-03-19", "2026-03-21"),
        ("2026-03-01", "2026-03-06"),
        ("2026-03-11", "2026-03-12"),
    ):
        with pytest.raises(ConflictError) as caught:
            pool.allocate(server, lab, start, end)
        assert "esx-01 is already booked" in str(caught.value)
    with pytest.raises(ConflictError) as caught:
        pool.allocate(server, lab, "2026-03-19", "2026-03-20")
    assert "2026-03-10 to 2026-03-20 (allocation for Move)" in str(caught.value)
    with pytest.raises(ConflictError) as caught:
        pool.allocate(server, move, "2026-03-24", "2026-04-01")
    assert "2026-03-20 to 2026-03-25 (reservation for Lab)" in str(caught.value)
    for start, end in (
        ("2026-03-12", "2026-03-12"),
        ("2026-03-12", "2026-03-11"),
        (None, "2026-03-12"),
    ):
        with pytest.raises(InvalidInputError):
            pool.allocate(server, lab, start, end)
    bookings = pool.bookings(server=server)
    assert [
        (b.date(), e.date()) for b, e in zip(bookings["start"], bookings["end"], strict=True)
    ] == [
        (d("2026-03-05"), d("2026-03-10")),
        (d("2026-03-10"), d("2026-03-20")),
        (d("2026-03-20"), d("2026-03-25")),
    ]
    assert bookings["days"].tolist() == [5, 10, 5]
    assert bookings["project"].tolist() == ["Lab", "Move", "Lab"]


def test_booking_several_servers_is_all_or_nothing(pool, move, lab):
    a, b, c = (pool.add(n) for n in ("esx-a", "esx-b", "esx-c"))
    pool.allocate(c, lab, "2026-03-10", "2026-03-20")
    journal = len(pool.journal())
    with pytest.raises(ConflictError, match="esx-c is already booked"):
        pool.allocate([a, b, c], move, "2026-03-15", "2026-03-25")
    assert len(pool.bookings()) == 1 and len(pool.journal()) == journal
    made = pool.allocate([a, "ESX-B", b.id, a], move, "2026-03-20", "2026-03-25", notes="rack 4")
    assert sorted(m.server_name for m in made) == ["esx-a", "esx-b"]
    assert {m.notes for m in made} == {"rack 4"}
    with pytest.raises(NotFoundError):
        pool.allocate([a, "esx-zz"], lab, "2026-04-01", "2026-04-02")
    with pytest.raises(NotFoundError):
        pool.allocate(a, "No such project", "2026-04-01", "2026-04-02")
    assert len(pool.bookings()) == 3


def test_status_follows_the_booking_covering_today(pool, move, lab, clock):
    server = pool.add("esx-01")
    pool.allocate(server, move, "2026-03-09", "2026-03-16")
    pool.allocate(server, lab, "2026-03-16", "2026-03-23")
    pool.allocate(server, lab, "2026-03-23", "2026-03-30", kind="reservation")
    expected = [
        (TODAY, "available", None, None),
        (d("2026-03-09"), "allocated", move.id, d("2026-03-09")),
        (d("2026-03-15"), "allocated", move.id, d("2026-03-09")),
        (d("2026-03-16"), "allocated", lab.id, d("2026-03-16")),  # the next booking, same status
        (d("2026-03-23"), "reserved", lab.id, d("2026-03-23")),
        (d("2026-03-30"), "available", None, None),
    ]
    for day, status, project, start in expected:
        clock.day = day
        for seen in (pool.get(server), pool.list()[0]):
            assert (seen.status, seen.allocation_start) == (status, start), day
            assert seen.allocated_to_project == (f"project:{project}" if project else None), day
        frame = pool.frame()
        assert frame["project"].tolist() == [{move.id: "Move", lab.id: "Lab"}.get(project)], day
    follows = pool.journal(server)
    follows = follows[follows["action"] == "status follows bookings"]
    assert [a["status"] for a in reversed(follows["after"].tolist())] == [
        "allocated",
        "reserved",
        "available",
    ]
    # Maintenance, set by hand, wins over the bookings; back to available, they rule again.
    clock.day = d("2026-03-10")
    assert pool.set_status(server, "maintenance", "fan").status == "maintenance"
    clock.day = d("2026-03-24")
    [seen] = pool.list()
    # Set by hand, it stays; the booking it is under follows the day all the same.
    assert (seen.status, seen.allocation_start) == ("maintenance", d("2026-03-23"))
    assert pool.set_status(server, "available", "fixed").status == "reserved"


def test_release_ends_a_booking_early_and_keeps_it(pool, move, lab, clock):
    server = pool.add("esx-01")
    [running] = pool.allocate(server, move, "2026-03-02", "2026-03-20")
    assert pool.get(server).status == "allocated"
    [released] = pool.release(running, on="2026-03-10", by="erin")
    assert (released.start, released.end, _day(released.released_at)) == (
        d("2026-03-02"),
        d("2026-03-10"),
        d("2026-03-10"),
    )
    assert pool.get(server).status == "allocated"  # still held until the 10th
    [after] = pool.allocate(server, lab, "2026-03-10", "2026-03-15")
    # Released today: free from today.
    [now] = pool.release(after, on="2026-03-12")
    clock.day = d("2026-03-12")
    assert pool.get(server).status == "available"
    # A booking already over is left as it was.
    [over] = pool.release(running)
    assert (over.end, _day(over.released_at)) == (d("2026-03-10"), d("2026-03-10"))
    assert now.end == d("2026-03-12")
    with pytest.raises(NotFoundError):
        pool.release("hardware_pool_status:nothing")
    with pytest.raises(InvalidInputError):
        pool.release([])
    assert len(pool.bookings()) == 2


def test_extend_moves_the_end_and_never_into_another_booking(pool, move, lab):
    server = pool.add("esx-01")
    [first] = pool.allocate(server, move, "2026-03-02", "2026-03-10")
    pool.allocate(server, lab, "2026-03-20", "2026-03-30")
    assert pool.extend(first, "2026-03-20").end == d("2026-03-20")
    with pytest.raises(ConflictError, match="2026-03-20 to 2026-03-30"):
        pool.extend(first, "2026-03-21")
    assert pool.bookings(server=server)["end"].iloc[0].date() == d("2026-03-20")
    assert pool.extend(first, "2026-03-05").end == d("2026-03-05")
    for end in ("2026-03-02", "2026-03-01"):
        with pytest.raises(InvalidInputError):
            pool.extend(first, end)
    assert pool.bookings(server=server)["end"].iloc[0].date() == d("2026-03-05")


def test_availability_and_its_filters(pool, move):
    def add(name, **fields):
        return pool.add(name, **fields)

    add("r650-ams", model="PowerEdge R650", location="AMS-1", cores=56, memory_gib=768)
    add(
        "r650-fra",
        model="PowerEdge R650",
        location="FRA-1",
        cores=56,
        memory_gib=512,
        condition="good",
    )
    add("r750-ams", model="PowerEdge R750", location="AMS-1", cores=64, memory_gib=1024)
    add("no-model", location="AMS-1")
    fixing = add("in-maintenance", model="PowerEdge R650")
    pool.set_status(fixing, "maintenance", "fan")
    gone = add("decommissioned", model="PowerEdge R650")
    pool.set_status(gone, "decommissioned", "old")
    add("eol-inside", model="PowerEdge R650", end_of_life="2026-04-05")
    add("eol-at-end", model="PowerEdge R650", end_of_life="2026-04-10")
    busy = add("booked-inside", model="PowerEdge R650")
    pool.allocate(busy, move, "2026-04-05", "2026-04-06", kind="reservation")
    before = add("booked-before", model="PowerEdge R650")
    pool.allocate(before, move, "2026-03-01", "2026-04-01")  # ends as the window starts
    after = add("booked-after", model="PowerEdge R650")
    pool.allocate(after, move, "2026-04-10", "2026-05-01")  # starts as the window ends

    def names(**filters):
        return pool.availability("2026-04-01", "2026-04-10", **filters)["server_name"].tolist()

    assert names() == [
        "booked-after", "booked-before", "eol-at-end", "no-model", "r650-ams", "r650-fra", "r750-ams",
    ]  # fmt: skip
    assert names(model="r650") == [
        "booked-after",
        "booked-before",
        "eol-at-end",
        "r650-ams",
        "r650-fra",
    ]
    assert names(location="ams-1") == ["no-model", "r650-ams", "r750-ams"]
    assert names(location=["AMS-1", "FRA-1"], min_cores=60) == ["r750-ams"]
    assert names(min_memory_gib=768) == ["r650-ams", "r750-ams"]
    assert names(condition="good") == ["r650-fra"]
    frame = pool.availability("2026-04-01", "2026-04-10", model="R750")
    assert frame.columns.tolist() == rules.SERVER_COLUMNS
    assert frame["id"].tolist() == [pool.get("r750-ams").id]
    with pytest.raises(InvalidInputError, match="Unknown filter"):
        names(colour="red")
    with pytest.raises(InvalidInputError):
        pool.availability("2026-04-10", "2026-04-01")


# -- forecast ------------------------------------------------------------------------------


def _row(frame: pd.DataFrame, model: str, week: str) -> dict:
    [row] = frame[(frame["model"] == model) & (frame["week"] == d(week))].to_dict("records")
    return row


COUNTS = ["in_stock", "allocated", "reserved", "expected_deliveries", "planned_decommissions",
          "available", "demand", "shortfall"]  # fmt: skip


def test_forecast_by_hand(ws, pool, procurement, move, lab):
    # Weeks (Mondays): 1 = 2 Mar, 2 = 9 Mar, 3 = 16 Mar, 4 = 23 Mar, 5 = 30 Mar, 6 = 6 Apr.
    a, b, c, e = (pool.add(n, model="R650") for n in ("a", "b", "c", "e"))
    pool.add("eol", model="R650", end_of_life="2026-03-24")  # Tuesday of week 4: gone in week 5
    f = pool.add("f", model="R750", end_of_life="2026-03-30")  # Monday of week 5: gone from it
    pool.add("g", model="R750")
    gone = pool.add("gone", model="R750")
    pool.set_status(gone, "decommissioned", "old")
    pool.allocate(a, lab, "2026-03-02", "2026-03-16")  # weeks 1-2
    pool.allocate(b, lab, "2026-03-10", "2026-03-20", kind="reservation")  # weeks 2-3
    pool.allocate(c, lab, "2026-03-09", "2026-03-16")  # week 2
    pool.allocate(c, lab, "2026-03-16", "2026-03-23", kind="reservation")  # week 3
    pool.allocate(c, lab, "2026-03-23", "2026-03-30")  # week 4 only: ends on week 5's Monday
    pool.allocate(e, lab, "2026-03-04", "2026-03-06", kind="reservation")  # week 1
    pool.allocate(e, lab, "2026-03-06", "2026-03-08")  # also week 1: the allocation counts
    pool.allocate(f, lab, "2026-03-11", "2026-03-12", kind="reservation")  # week 2
    # Ordered: 3 x R650 expected on Wednesday of week 3; asked only (not approved): none.
    ordered = procurement.create(
        lab, "R650s", [{"model": "R650", "quantity": 3}], expected_delivery="2026-03-18"
    )
    procurement.approve(ordered)
    procurement.order(ordered, "PO-1")
    procurement.create(
        lab, "Asked", [{"model": "R750", "quantity": 9}], expected_delivery="2026-03-04"
    )
    cancelled = procurement.create(
        lab, "No", [{"model": "R650", "quantity": 9}], expected_delivery="2026-03-04"
    )
    procurement.cancel(cancelled, "not needed")
    # Demand: 8 x R650 from week 4 and 2 of any model from week 2, until the project ends.
    build = ws.projects.create("Build", "new_solution", start_date="2026-03-02")
    ws.workflows.add(build, "Racking", "commissioning", duration_days=10,
                     start_no_earlier_than="2026-03-23", hardware_requirements={"servers": 8, "model": "R650"})  # fmt: skip
    ws.workflows.add(build, "Any", "commissioning", duration_days=5,
                     start_no_earlier_than="2026-03-09", hardware_requirements={"servers": 2})  # fmt: skip
    assert ws.projects.get(build).scheduled_end_date == d("2026-04-01")  # a Wednesday of week 5

    frame = pool.forecast(weeks=6)
    assert frame.columns.tolist() == rules.FORECAST_COLUMNS
    assert sorted(frame["model"].unique()) == ["All models", "R650", "R750"]
    assert len(frame) == 18
    r650 = {
        # in_stock, allocated, reserved, expected, decommissions, available, demand, short
        "2026-03-02": (5, 2, 0, 0, 0, 3, 0, 0),
        "2026-03-09": (5, 2, 1, 0, 0, 2, 0, 0),
        "2026-03-16": (5, 0, 2, 3, 0, 6, 0, 0),
        "2026-03-23": (5, 1, 0, 3, 0, 7, 8, 1),
        "2026-03-30": (5, 0, 0, 3, 1, 7, 8, 1),
        "2026-04-06": (5, 0, 0, 3, 1, 7, 0, 0),
    }
    r750 = {
        "2026-03-02": (2, 0, 0, 0, 0, 2, 0, 0),
        "2026-03-09": (2, 0, 1, 0, 0, 1, 0, 0),
        "2026-03-16": (2, 0, 0, 0, 0, 2, 0, 0),
        "2026-03-23": (2, 0, 0, 0, 0, 2, 0, 0),
        "2026-03-30": (2, 0, 0, 0, 1, 1, 0, 0),
        "2026-04-06": (2, 0, 0, 0, 1, 1, 0, 0),
    }
    total = {
        "2026-03-02": (7, 2, 0, 0, 0, 5, 0, 0),
        "2026-03-09": (7, 2, 2, 0, 0, 3, 2, 0),
        "2026-03-16": (7, 0, 2, 3, 0, 8, 2, 0),
        "2026-03-23": (7, 1, 0, 3, 0, 9, 10, 1),
        "2026-03-30": (7, 0, 0, 3, 2, 8, 10, 2),
        "2026-04-06": (7, 0, 0, 3, 2, 8, 0, 0),
    }
    for model, weeks in (("R650", r650), ("R750", r750), ("All models", total)):
        for week, counts in weeks.items():
            row = _row(frame, model, week)
            assert tuple(row[c] for c in COUNTS) == counts, (model, week)

    short = pool.shortfalls(weeks=6)
    assert short.to_dict("records") == [
        {"model": "All models", "first_week": d("2026-03-23"), "largest": 2, "weeks_short": 2},
        {"model": "R650", "first_week": d("2026-03-23"), "largest": 1, "weeks_short": 2},
    ]
    # A forecast from another day starts on that day's Monday.
    later = pool.forecast(weeks=2, start="2026-03-25")
    assert sorted(set(later["week"])) == [d("2026-03-23"), d("2026-03-30")]


def test_demand_lasts_through_the_projects_last_day(ws, pool):
    pool.add("a", model="R650")
    build = ws.projects.create("Build", "new_solution", start_date="2026-03-02")
    ws.workflows.add(build, "Racking", "commissioning", duration_days=15,
                     start_no_earlier_than="2026-03-23", hardware_requirements={"servers": 3, "model": "R650"})  # fmt: skip
    last = ws.projects.get(build).scheduled_end_date
    assert last == d("2026-04-06")  # a Monday: the servers are still in use that day
    frame = pool.forecast(weeks=7)
    assert [_row(frame, "R650", w)["demand"] for w in ("2026-03-16", "2026-03-23", "2026-04-06", "2026-04-13")] == [
        0, 3, 3, 0,
    ]  # fmt: skip


def test_servers_booked_for_a_workflow_are_taken_off_its_demand(ws, pool, clock):
    servers = [pool.add(f"s{i}", model="R650") for i in range(4)]
    build = ws.projects.create(
        "Build", "new_solution", start_date="2026-03-02", target_end_date="2026-06-30"
    )
    ws.workflows.add(build, "Racking", "commissioning", duration_days=10,
                     start_no_earlier_than="2026-03-23", hardware_requirements={"servers": 3, "model": "R650"})  # fmt: skip
    assert _row(pool.forecast(weeks=5), "R650", "2026-03-23")["demand"] == 3
    pool.allocate(servers[:2], build, "2026-03-23", "2026-05-01", workflow="Racking")
    # The same server booked again for it serves it once.
    pool.allocate(servers[0], build, "2026-05-01", "2026-06-30", workflow="Racking")
    row = _row(pool.forecast(weeks=5), "R650", "2026-03-23")
    assert (row["allocated"], row["demand"], row["available"]) == (2, 1, 2)
    demand = pool.demand()
    assert demand[["workflow", "group", "servers"]].to_dict("records") == [
        {"workflow": "Racking", "group": "R650", "servers": 1}
    ]


# -- lifecycle -----------------------------------------------------------------------------


def test_alerts_at_several_dates(pool, clock):
    pool.add("w", warranty_end="2026-06-30", end_of_life="2027-12-31", location="AMS-1")
    pool.add("e", end_of_life="2026-02-01")
    old = pool.add("old", warranty_end="2025-01-01")
    pool.set_status(old, "decommissioned", "gone")
    pool.add("none")

    def alerts(as_of):
        frame = pool.alerts(as_of)
        return [
            (r["server_name"], r["kind"], r["days_left"], r["level"])
            for r in frame.to_dict("records")
        ]

    assert alerts("2025-12-01") == [("e", "end of life", 62, "within 90 days")]
    assert alerts("2026-01-01") == [
        ("e", "end of life", 31, "within 90 days"),
        ("w", "warranty", 180, "within 180 days"),
    ]
    assert alerts("2026-04-01") == [
        ("e", "end of life", -59, "expired"),
        ("w", "warranty", 90, "within 90 days"),
    ]
    assert alerts("2026-06-30")[1:] == [("w", "warranty", 0, "within 30 days")]
    assert alerts("2026-07-01")[:2] == [
        ("e", "end of life", -150, "expired"),
        ("w", "warranty", -1, "expired"),
    ]
    assert alerts("2027-07-05")[-1] == ("w", "end of life", 179, "within 180 days")
    clock.day = d("2026-06-01")
    frame = pool.alerts()
    assert frame[frame["server_name"] == "w"][["days_left", "location"]].values.tolist() == [
        [29, "AMS-1"]
    ]


def test_book_values_and_totals_at_several_dates(pool, move, lab):
    straight = pool.add(
        "straight", purchase_price="12000", salvage_value="2000", life_years=5,
        procurement_date="2024-01-01", location="AMS-1",
    )  # fmt: skip
    declining = pool.add(
        "declining", purchase_price="10000", salvage_value="1500", life_years=5,
        depreciation_method="declining_balance", procurement_date="2024-01-01", location="FRA-1",
    )  # fmt: skip
    pool.add(
        "eur", purchase_price="8000", depreciation_method="declining_balance", depreciation_rate="0.25",
        warranty_start="2025-01-01", currency="EUR", location="AMS-1",
    )  # fmt: skip
    pool.add("unpriced", procurement_date="2024-01-01", location="AMS-1")
    pool.allocate(straight, move, "2025-12-01", "2026-02-01")
    pool.allocate(declining, lab, "2026-01-01", "2026-01-02")

    def values(as_of):
        frame = pool.book_values(as_of)
        return {
            r["server_name"]: (r["book_value"], r["accumulated"]) for r in frame.to_dict("records")
        }

    # Straight line: 12,000 - 10,000 x days / 1,827 (2024-01-01 to 2029-01-01).
    # Declining balance: x 0.6 a year (2 / 5), the year under way prorated; salvage the floor.
    assert values("2024-01-01") == {
        "straight": (Decimal("12000.00"), Decimal("0.00")),
        "declining": (Decimal("10000.00"), Decimal("0.00")),
    }  # "eur" is bought later: not on the books yet
    assert values("2026-01-01") == {
        "straight": (Decimal("7998.91"), Decimal("4001.09")),  # 731 days
        "declining": (Decimal("3600.00"), Decimal("6400.00")),  # two full years
        "eur": (Decimal("6000.00"), Decimal("2000.00")),  # x 0.75
    }
    assert values("2026-07-02") == {
        "straight": (Decimal("7002.74"), Decimal("4997.26")),  # 913 days
        "declining": (Decimal("2881.97"), Decimal("7118.03")),  # 3,600 - 1,440 x 182 / 365
        "eur": (Decimal("5252.05"), Decimal("2747.95")),  # 6,000 - 1,500 x 182 / 365
    }
    assert values("2028-01-01")["declining"] == (
        Decimal("1500.00"),
        Decimal("8500.00"),
    )  # 1,296 < salvage
    assert values("2030-01-01")["straight"] == (Decimal("2000.00"), Decimal("10000.00"))

    by_location = pool.book_value_totals("location", as_of="2026-01-01")
    assert by_location[["location", "currency", "servers", "book_value"]].values.tolist() == [
        ["AMS-1", "EUR", 1, Decimal("6000.00")],
        ["AMS-1", "USD", 1, Decimal("7998.91")],
        ["FRA-1", "USD", 1, Decimal("3600.00")],
    ]
    by_project = pool.book_value_totals("project", as_of="2026-01-01")
    assert by_project[
        ["project", "currency", "servers", "purchase_price", "book_value"]
    ].values.tolist() == [
        ["(not booked)", "EUR", 1, Decimal("8000"), Decimal("6000.00")],
        ["Lab", "USD", 1, Decimal("10000"), Decimal("3600.00")],
        ["Move", "USD", 1, Decimal("12000"), Decimal("7998.91")],
    ]
    later = pool.book_value_totals("project", as_of="2026-03-01")
    assert later[["project", "currency", "servers"]].values.tolist() == [
        ["(not booked)", "EUR", 1],
        ["(not booked)", "USD", 2],
    ]
    with pytest.raises(InvalidInputError):
        pool.book_value_totals("colour")


# -- procurement ---------------------------------------------------------------------------


def _lines():
    return [
        {"model": "R650", "quantity": 3, "unit_price": "9000"},
        {"description": "R750 nodes", "model": "R750", "quantity": 2, "unit_price": 15000},
    ]


def test_procurement_from_request_to_delivery(pool, procurement, move, clock):
    request = procurement.create(
        move, "Rack 4", _lines(), vendor="Dell", expected_delivery="2026-03-25",
        delivery_location="AMS-1", by="alice",
    )  # fmt: skip
    assert (request.status, request.quantity, request.delivered, request.total_cost) == (
        "requested", 5, 0, Decimal("57000"),
    )  # fmt: skip
    assert (request.request_date, request.requested_by, request.project_name) == (
        TODAY,
        "alice",
        "Move",
    )
    assert [(h["status"], h["by"]) for h in request.history] == [("requested", "alice")]
    with pytest.raises(InvalidInputError, match="Only an ordered request"):
        procurement.deliver(request)
    with pytest.raises(InvalidInputError, match="cannot become ordered"):
        procurement.order(request, "PO-7")

    approved = procurement.approve(request, by="bob")
    assert (approved.status, approved.approval_date) == ("approved", TODAY)
    with pytest.raises(InvalidInputError, match="cannot become approved"):
        procurement.approve(request)
    with pytest.raises(InvalidInputError, match="PO number"):
        procurement.order(request, " ")
    with pytest.raises(InvalidInputError, match="before the order date"):
        procurement.order(request, "PO-7", expected_delivery="2026-03-01")
    ordered = procurement.order(request, "PO-7", by="carol")
    assert (ordered.status, ordered.purchase_order_number, ordered.order_date, ordered.expected_delivery) == (
        "ordered", "PO-7", TODAY, d("2026-03-25"),
    )  # fmt: skip
    forecast = pool.forecast(weeks=4)
    assert _row(forecast, "R650", "2026-03-23")["expected_deliveries"] == 3
    assert _row(forecast, "R650", "2026-03-16")["expected_deliveries"] == 0

    # Mistakes change nothing.
    for quantities, serials, message in (
        ({1: 2}, {1: ["S-1"]}, "serial number"),
        ({1: 4}, None, "4 cannot arrive"),
        ({3: 1}, None, "lines 1 to 2"),
    ):
        with pytest.raises(InvalidInputError, match=message):
            procurement.deliver(request, quantities, serials=serials)
    pool.add("taken", serial_number="S-2")
    with pytest.raises(ConflictError):
        procurement.deliver(request, {1: 2}, serials={1: ["S-1", "S-2"]})
    assert procurement.get(request).delivered == 0 and len(pool.list()) == 1

    clock.day = d("2026-03-20")
    made = procurement.deliver(
        request, {1: 2}, serials={1: ["S-1", "S-3"]}, location="AMS-2", by="dave"
    )
    assert [(s.server_name, s.serial_number, s.location, s.status, s.model) for s in made] == [
        ("PO-7-001", "S-1", "AMS-2", "available", "R650"),
        ("PO-7-002", "S-3", "AMS-2", "available", "R650"),
    ]
    first = made[0]
    assert (first.procurement_id, first.purchase_price, first.source, first.condition) == (
        request.id, Decimal("9000"), "delivery", "new",
    )  # fmt: skip
    assert (first.procurement_date, first.warranty_start, first.warranty_end) == (
        d("2026-03-20"), d("2026-03-20"), d("2029-03-20"),
    )  # fmt: skip
    partly = procurement.get(request)
    assert (partly.status, [line.delivered for line in partly.lines]) == ("ordered", [2, 0])
    assert partly.history[-1]["status"] == "partly delivered"
    forecast = pool.forecast(weeks=2)
    row = _row(forecast, "R650", "2026-03-23")
    assert (row["in_stock"], row["expected_deliveries"]) == (2, 1)
    assert _row(forecast, "R750", "2026-03-23")["expected_deliveries"] == 2

    rest = procurement.deliver(request, by="erin")
    assert [(s.server_name, s.model, s.location) for s in rest] == [
        ("PO-7-003", "R650", "AMS-1"),
        ("PO-7-004", "R750", "AMS-1"),
        ("PO-7-005", "R750", "AMS-1"),
    ]
    done = procurement.get(request)
    assert (done.status, done.delivered, done.actual_delivery) == ("delivered", 5, d("2026-03-20"))
    assert [h["status"] for h in done.history] == [
        "requested", "approved", "ordered", "partly delivered", "delivered",
    ]  # fmt: skip
    assert [h["by"] for h in done.history] == ["alice", "bob", "carol", "dave", "erin"]
    assert sum(1 for s in pool.list() if s.procurement_id == request.id) == 5
    for target in (
        lambda: procurement.deliver(request),
        lambda: procurement.cancel(request, "late"),
    ):
        with pytest.raises(InvalidInputError):
            target()
    forecast = pool.forecast(weeks=1)
    row = _row(forecast, rules.ALL_MODELS, "2026-03-16")
    assert (row["in_stock"], row["expected_deliveries"]) == (6, 0)
    actions = pool.journal(request.id)["action"].tolist()
    assert actions == ["delivered", "partly delivered", "ordered", "approved", "requested"]


def test_delivered_servers_get_free_names_under_a_shared_po_number(pool, procurement, move):
    first, second = (
        procurement.create(
            move, name, [{"model": "R650", "quantity": 2}], expected_delivery="2026-04-01"
        )
        for name in ("Rack A", "Rack B")
    )
    for request in (first, second):
        procurement.approve(request)
        procurement.order(request, "PO 77")  # one purchase order for both
    assert [s.server_name for s in procurement.deliver(first, {1: 1})] == ["PO-77-001"]
    assert [s.server_name for s in procurement.deliver(second)] == ["PO-77-002", "PO-77-003"]
    pool.delete("PO-77-002")
    # The first free names: the one given up, and none still there.
    assert [s.server_name for s in procurement.deliver(first)] == ["PO-77-002"]
    names = {s.server_name: s.procurement_id for s in pool.list()}
    assert names == {"PO-77-001": first.id, "PO-77-002": first.id, "PO-77-003": second.id}


def test_cancel_before_delivery_and_refused_changes(procurement, move):
    asked = procurement.create(move, "One", [{"model": "R650", "quantity": 1}])
    with pytest.raises(InvalidInputError, match="reason"):
        procurement.cancel(asked, " ")
    cancelled = procurement.cancel(asked, "budget", by="zoe")
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancelled_date) == (
        "cancelled",
        "budget",
        TODAY,
    )
    for change in (
        lambda: procurement.approve(asked),
        lambda: procurement.cancel(asked, "again"),
        lambda: procurement.order(asked, "PO-1", expected_delivery="2026-04-01"),
    ):
        with pytest.raises(InvalidInputError, match="final|cannot become"):
            change()
    ordered = procurement.create(
        move, "Two", [{"model": "R650", "quantity": 2}], expected_delivery="2026-04-01"
    )
    procurement.approve(ordered)
    procurement.order(ordered, "PO-2")
    procurement.deliver(ordered, {1: 1})
    after = procurement.cancel(ordered, "the rest is not coming")
    assert (after.status, after.delivered) == ("cancelled", 1)
    for bad in (
        [],
        [{"model": "R650", "quantity": 0}],
        [{"quantity": 1}],
        [{"model": "R650", "quantity": 1, "colour": 1}],
    ):
        with pytest.raises(InvalidInputError):
            procurement.create(move, "Bad", bad)
    with pytest.raises(InvalidInputError, match="USD or EUR"):
        procurement.create(move, "Bad", [{"model": "x", "quantity": 1}], currency="GBP")
    assert [r.request_name for r in procurement.list(move)] == ["One", "Two"]
    assert [r.request_name for r in procurement.list(status="cancelled")] == ["One", "Two"]


def test_overdue_requests(procurement, move, clock):
    late = procurement.create(
        move, "Late", [{"model": "R650", "quantity": 1}], expected_delivery="2026-03-10"
    )
    procurement.approve(late)
    procurement.order(late, "PO-1")
    procurement.create(
        move, "Only asked", [{"model": "R650", "quantity": 1}], expected_delivery="2026-03-05"
    )
    approved = procurement.create(
        move, "Approved", [{"model": "R650", "quantity": 1}], expected_delivery="2026-03-12"
    )
    procurement.approve(approved)
    assert procurement.overdue(as_of="2026-03-10").empty  # due that day: not late yet
    assert procurement.overdue(as_of="2026-03-11")["request_name"].tolist() == ["Late"]
    assert procurement.overdue(as_of="2026-03-13")["request_name"].tolist() == ["Late", "Approved"]
    clock.day = d("2026-03-20")
    assert procurement.overdue()["request_name"].tolist() == ["Late", "Approved"]
    procurement.deliver(late, on="2026-03-20")
    assert procurement.overdue()["request_name"].tolist() == ["Approved"]


def test_a_request_from_the_demo_sizing(ws, procurement):
    ws.load_demo()
    [demo] = ws.rvtools.list()
    options = demo.hardware_recommendations[0]["options"]
    best = min(
        (o for o in options if o["scenario"] == "policy" and o["feasible"]), key=lambda o: o["rank"]
    )
    project = ws.projects.get(f"project:{demo.project_id}")
    request = procurement.from_recommendation(project, demo.id, expected_delivery="2026-06-01")
    [line] = request.lines
    assert (line.quantity, line.model, line.vendor) == (
        int(best["hosts"]),
        best["model"],
        best["vendor"],
    )
    assert line.unit_price == Decimal(str(best["unit_usd"]))
    assert (best["lot"], best["vendor"]) == ("HVA1", "Demo Systems")  # the demo's rank 1
    [lot] = ws.store.query(
        "SELECT VALUE id FROM hardware_lot WHERE lot_code = $code", {"code": best["lot"]}
    )[-1]
    assert line.lot == f"hardware_lot:{lot.id}"
    assert request.total_cost == line.unit_price * line.quantity
    assert request.source == {"import": demo.id, "scenario": "policy", "lot": "HVA1"}
    assert (request.status, request.currency, request.expected_delivery) == (
        "requested",
        "USD",
        d("2026-06-01"),
    )
    other = procurement.from_recommendation(project, demo.id, lot="dhc1")
    assert other.lines[0].lot is not None and other.source["lot"] == "DHC1"
    with pytest.raises(NotFoundError):
        procurement.from_recommendation(project, demo.id, lot="NOPE")
    with pytest.raises(NotFoundError):
        procurement.from_recommendation(project, "nothing")


def test_the_expected_delivery_holds_the_workflow_that_needs_the_hardware(ws, procurement):
    project = ws.projects.create("Refresh", "hardware_refresh", start_date="2026-03-02")
    ws.workflows.add(project, "Order hardware", "hardware_procurement", duration_days=5)
    ws.workflows.add(
        project, "Install", "commissioning", duration_days=5, depends_on=["Order hardware"]
    )
    ws.workflows.add(project, "Burn-in", "commissioning", duration_days=2)
    assert ws.workflows.get("Install", project).start_date < d("2026-04-15")

    request = procurement.create(
        project, "Servers", [{"model": "R650", "quantity": 4}], workflow="Order hardware",
        expected_delivery="2026-04-15",
    )  # fmt: skip
    assert request.workflow_name == "Order hardware"
    assert ws.workflows.get("Install", project).constraint_type is None  # only asked so far
    procurement.approve(request)
    install = ws.workflows.get("Install", project)
    assert (install.constraint_type, install.constraint_date) == (
        "start_no_earlier_than",
        d("2026-04-15"),
    )
    assert install.start_date == d("2026-04-15")
    assert ws.workflows.get("Order hardware", project).constraint_type is None
    # A later date with the order moves it.
    procurement.order(request, "PO-9", expected_delivery="2026-04-22")
    install = ws.workflows.get("Install", project)
    assert (install.constraint_date, install.start_date) == (d("2026-04-22"), d("2026-04-22"))

    # A request for the workflow itself holds that one.
    direct = procurement.create(
        project, "Disks", [{"description": "disks", "quantity": 10}], workflow="Burn-in",
        expected_delivery="2026-05-04",
    )  # fmt: skip
    procurement.approve(direct)
    burn = ws.workflows.get("Burn-in", project)
    assert (burn.constraint_type, burn.start_date) == ("start_no_earlier_than", d("2026-05-04"))
    with pytest.raises(NotFoundError):
        procurement.create(
            project, "X", [{"model": "R650", "quantity": 1}], workflow="No such step"
        )


def test_a_host_that_is_a_virtual_machine_is_not_a_server():
    from workbench.pool import is_virtual_host

    assert is_virtual_host("VMware, Inc.", "VMware Virtual Platform")
    assert is_virtual_host(None, "VMware7,1")
    assert not is_virtual_host("Dell Inc.", "PowerEdge R650")
    assert not is_virtual_host(None, None)


def test_a_forecast_from_the_past_counts_a_server_from_the_week_it_was_bought(pool):
    pool.add("old", model="R660")  # no procurement date: there all along
    pool.add("new", model="R660", procurement_date=TODAY - timedelta(days=10))
    weekly = pool.forecast(weeks=4, start=TODAY - timedelta(weeks=3))
    r660 = weekly[weekly["model"] == "R660"]
    # TODAY is a Monday; bought 10 days before, in the week starting 14 days before.
    assert r660["in_stock"].tolist() == [1, 2, 2, 2]
    assert r660["available"].tolist() == [1, 2, 2, 2]
