"""The hardware pool as a state machine (Hypothesis): random sequences of allocate, release,
extend, status changes, days passing, and procurement requests taken through approve,
order, (partial) deliveries and cancel, on a mem:// store with a small pool.

A model beside the store says what each call must do (succeed, or fail with which error)
and what must then hold:
- no two bookings of a server overlap, and the stored windows are the model's;
- each server's status is the one the booking covering "today" gives it, unless it was set
  to maintenance or decommissioned by hand;
- every delivered server is in stock exactly once: the servers whose procurement_id is a
  request are as many as that request's delivered quantities, and statuses follow the model.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
)

import workbench
from workbench import pool as rules
from workbench.api.pool import Pool
from workbench.api.procurement import Procurement
from workbench.errors import ConflictError, InvalidInputError

START = date(2026, 3, 2)
SERVERS = 4
DAYS = 40
"""Bookings start within DAYS days of START; days pass by up to 10 at a time."""


@dataclass
class Window:
    server: str
    kind: str
    start: date
    end: date


@dataclass
class Request:
    status: str
    quantities: list[int]
    delivered: list[int]
    expected: date
    servers: list[str] = field(default_factory=list)


def _overlap(a: Window, start: date, end: date) -> bool:
    return a.start < a.end and start < end and a.start < end and start < a.end


class PoolMachine(RuleBasedStateMachine):
    bookings = Bundle("bookings")
    requests = Bundle("requests")

    def __init__(self) -> None:
        super().__init__()
        self.home = tempfile.mkdtemp(prefix="pool-machine-")
        self.ws = workbench.open("mem://", home=self.home)
        self.day = START
        self.pool = Pool(self.ws.store, today=lambda: self.day)
        self.procurement = Procurement(
            self.ws.store,
            pool=lambda: self.pool,
            workflows=lambda: self.ws.workflows,
            today=lambda: self.day,
        )
        self.project = self.ws.projects.create("Pool project", "new_solution")
        self.servers = [self.pool.add(f"srv-{i}", model="R650").id for i in range(SERVERS)]
        self.manual: dict[str, str] = {}  # server -> maintenance / decommissioned
        self.windows: dict[str, Window] = {}
        self.orders: dict[str, Request] = {}

    def teardown(self) -> None:
        self.ws.close()
        shutil.rmtree(self.home, ignore_errors=True)

    # -- the model's answers ---------------------------------------------------------------

    def _status(self, server: str) -> str:
        if server in self.manual:
            return self.manual[server]
        for window in self.windows.values():
            if window.server == server and window.start <= self.day < window.end:
                return rules.BOOKED_STATUS[window.kind]
        return "available"

    def _clash(self, server: str, start: date, end: date, but: str | None = None) -> bool:
        return any(
            w.server == server and _overlap(w, start, end)
            for key, w in self.windows.items()
            if key != but
        )

    # -- bookings --------------------------------------------------------------------------

    @rule(
        target=bookings,
        picks=st.lists(st.integers(0, 99), min_size=1, max_size=3),
        offset=st.integers(0, DAYS),
        length=st.integers(1, 15),
        kind=st.sampled_from(rules.BOOKING_KINDS),
    )
    def allocate(self, picks, offset, length, kind):
        servers = list(dict.fromkeys(self.servers[p % len(self.servers)] for p in picks))
        start = START + timedelta(days=offset)
        end = start + timedelta(days=length)
        refused = any(
            self.manual.get(s) == "decommissioned" or self._clash(s, start, end) for s in servers
        )
        try:
            made = self.pool.allocate(servers, self.project, start, end, kind=kind)
        except ConflictError:
            assert refused, (servers, start, end)
            return multiple()
        assert not refused, (servers, start, end)
        assert sorted(b.server_id for b in made) == sorted(servers)
        for booking in made:
            assert (booking.start, booking.end, booking.kind) == (start, end, kind)
            self.windows[booking.id] = Window(booking.server_id, kind, start, end)
        return multiple(*(b.id for b in made))

    @rule(
        target=bookings,
        booking=bookings,
        before=st.integers(0, 5),
        after=st.integers(1, 5),
        kind=st.sampled_from(rules.BOOKING_KINDS),
    )
    def allocate_around(self, booking, before, after, kind):
        """A window of the same server reaching over another booking's first day (whether
        that booking is still held, released to nothing, or ends right there)."""
        window = self.windows[booking]
        start = window.start - timedelta(days=before)
        end = window.start + timedelta(days=after)
        refused = self.manual.get(window.server) == "decommissioned" or self._clash(
            window.server, start, end
        )
        try:
            [made] = self.pool.allocate(window.server, self.project, start, end, kind=kind)
        except ConflictError:
            assert refused, (window, start, end)
            return multiple()
        assert not refused, (window, start, end)
        self.windows[made.id] = Window(window.server, kind, start, end)
        return made.id

    @rule(booking=bookings, offset=st.integers(0, DAYS + 20))
    def release(self, booking, offset):
        window = self.windows[booking]
        on = START + timedelta(days=offset)
        writes = window.end > on
        try:
            [after] = self.pool.release(booking, on=on)
        except ConflictError:
            assert writes and self.manual.get(window.server) == "decommissioned"
            return
        assert not (writes and self.manual.get(window.server) == "decommissioned")
        if writes:
            window.end = max(window.start, on)
        assert (after.start, after.end) == (window.start, window.end)

    @rule(booking=bookings, offset=st.integers(0, DAYS + 20))
    def extend(self, booking, offset):
        window = self.windows[booking]
        end = START + timedelta(days=offset)
        if end <= window.start:
            with pytest.raises(InvalidInputError):
                self.pool.extend(booking, end)
            return
        refused = self.manual.get(window.server) == "decommissioned" or self._clash(
            window.server, window.start, end, but=booking
        )
        try:
            after = self.pool.extend(booking, end)
        except ConflictError:
            assert refused, (booking, end)
            return
        assert not refused, (booking, end)
        window.end = end
        assert (after.start, after.end) == (window.start, window.end)

    @rule(pick=st.integers(0, 99), target_status=st.sampled_from(rules.MANUAL_STATUSES))
    def set_status(self, pick, target_status):
        server = self.servers[pick % len(self.servers)]
        current = self._status(server)
        allowed = target_status in rules.TRANSITIONS[current]
        booked_ahead = any(
            w.server == server and w.end > max(self.day, w.start) for w in self.windows.values()
        )
        try:
            after = self.pool.set_status(server, target_status, "state machine")
        except InvalidInputError:
            assert not allowed, (current, target_status)
            return
        except ConflictError:
            assert allowed and target_status == "decommissioned" and booked_ahead
            return
        assert allowed and not (target_status == "decommissioned" and booked_ahead)
        if target_status == "available":
            self.manual.pop(server, None)
        else:
            self.manual[server] = target_status
        assert after.status == self._status(server)

    @rule(days=st.integers(1, 10))
    def time_passes(self, days):
        self.day += timedelta(days=days)

    # -- procurement -----------------------------------------------------------------------

    @rule(
        target=requests,
        quantities=st.lists(st.integers(1, 3), min_size=1, max_size=2),
        due=st.integers(0, DAYS),
    )
    def request(self, quantities, due):
        expected = START + timedelta(days=due)
        lines = [{"model": f"M{n}", "quantity": q} for n, q in enumerate(quantities)]
        made = self.procurement.create(self.project, "Order", lines, expected_delivery=expected)
        assert (made.status, made.quantity) == ("requested", sum(quantities))
        self.orders[made.id] = Request(
            "requested", list(quantities), [0] * len(quantities), expected
        )
        return made.id

    def _po(self, request: str) -> str:
        """A PO number, shared by every other request (delivered servers are named after
        it and must still get names of their own)."""
        return f"PO-{list(self.orders).index(request) % 2}"

    def _move(self, request, target):
        model = self.orders[request]
        allowed = target in rules.PROCUREMENT_TRANSITIONS[model.status]
        late = target == "ordered" and model.expected < self.day
        change = {
            "approved": lambda: self.procurement.approve(request),
            "ordered": lambda: self.procurement.order(request, self._po(request)),
            "cancelled": lambda: self.procurement.cancel(request, "not needed"),
        }[target]
        try:
            after = change()
        except InvalidInputError:
            assert not allowed or late, (model.status, target)
            return
        assert allowed and not late, (model.status, target)
        model.status = target
        assert after.status == target

    @rule(request=requests)
    def advance(self, request):
        """The next step on the way to delivery (the order due no earlier than today)."""
        model = self.orders[request]
        if model.status == "approved" and model.expected < self.day:
            model.expected = self.day
            self.procurement.order(request, self._po(request), expected_delivery=self.day)
            model.status = "ordered"
        elif model.status in ("requested", "approved"):
            self._move(request, {"requested": "approved", "approved": "ordered"}[model.status])

    @rule(request=requests, status=st.sampled_from(["approved", "ordered", "cancelled"]))
    def move(self, request, status):
        self._move(request, status)

    @rule(request=requests, line=st.integers(0, 1), count=st.integers(1, 3))
    def deliver(self, request, line, count):
        model = self.orders[request]
        line = line % len(model.quantities)
        outstanding = model.quantities[line] - model.delivered[line]
        try:
            made = self.procurement.deliver(request, {line + 1: count})
        except InvalidInputError:
            assert model.status != "ordered" or count > outstanding
            return
        assert model.status == "ordered" and count <= outstanding
        assert len(made) == count and {s.status for s in made} == {"available"}
        assert {s.procurement_id for s in made} == {request}
        model.delivered[line] += count
        model.servers.extend(s.id for s in made)
        self.servers.extend(s.id for s in made)
        if model.delivered == model.quantities:
            model.status = "delivered"

    # -- what must always hold -------------------------------------------------------------

    @invariant()
    def no_two_bookings_of_a_server_overlap(self):
        stored = self.pool.bookings()
        windows = {
            row["id"]: (row["server_id"], row["start"].date(), row["end"].date())
            for row in stored.to_dict("records")
        }
        assert windows == {k: (w.server, w.start, w.end) for k, w in self.windows.items()}
        by_server: dict[str, list[tuple[date, date]]] = {}
        for server, start, end in windows.values():
            if start < end:
                by_server.setdefault(server, []).append((start, end))
        for spans in by_server.values():
            spans.sort()
            for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
                assert end <= start

    @invariant()
    def each_status_follows_the_booking_covering_today(self):
        listed = {s.id: s for s in self.pool.list()}
        assert set(listed) == set(self.servers)
        for server, seen in listed.items():
            assert seen.status == self._status(server), (server, self.day)
            covering = [
                w
                for w in self.windows.values()
                if w.server == server and w.start <= self.day < w.end
            ]
            assert seen.allocation_start == (covering[0].start if covering else None)

    @invariant()
    def every_delivered_server_is_in_stock_once(self):
        stored = {r.id: r for r in self.procurement.list()}
        assert set(stored) == set(self.orders)
        stock = self.pool.frame()
        counts = self.ws.store.query(
            "SELECT procurement_id, count() AS n FROM server_inventory "
            "WHERE procurement_id != NONE GROUP BY procurement_id"
        )[-1]
        in_stock = {f"procurement_request:{row['procurement_id'].id}": row["n"] for row in counts}
        for key, model in self.orders.items():
            request = stored[key]
            assert request.status == model.status
            assert [line.delivered for line in request.lines] == model.delivered
            assert in_stock.get(key, 0) == sum(model.delivered)
            assert sorted(stock[stock["id"].isin(model.servers)]["id"]) == sorted(model.servers)


PoolMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_pool_state_machine = PoolMachine.TestCase
