"""``ws.procurement``: hardware orders from request to delivery into the pool.

requested -> approved -> ordered -> delivered, or cancelled before delivery; each change is
timestamped with who made it (``history``) and journaled. Deliveries may come in parts, line
by line; each delivered server becomes a ``server_inventory`` record (available, in the
request's delivery location) in the same transaction. The expected delivery date becomes a
start-no-earlier-than on the workflow that needs the hardware.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench import pool as rules
from workbench.api.pool import who
from workbench.errors import InvalidInputError, NotFoundError
from workbench.lifecycle import _add_years
from workbench.pool import ProcurementRequest, Server
from workbench.projects import parse_date
from workbench.store import Store
from workbench.store import pool as records
from workbench.store import projects as project_records
from workbench.store.connection import Session, record_id
from workbench.text import clean_text

if TYPE_CHECKING:
    from workbench.api.pool import Pool
    from workbench.api.workflows import Workflows


class Procurement:
    """Procurement requests of projects."""

    def __init__(
        self,
        store: Store,
        pool: Callable[[], Pool],
        workflows: Callable[[], Workflows] | None = None,
        today: Callable[[], date] = date.today,
    ):
        self._store = store
        self._pool = pool
        self._workflows = workflows
        self._today = today

    def _request(self, session: Session, request: Any) -> dict[str, Any]:
        if isinstance(request, ProcurementRequest):
            request = request.id
        text = clean_text(request, "request", required=True)
        return records.request(session, text)

    def _stamp(
        self, row: dict[str, Any] | None, status: str, by: str | None, note: str | None
    ) -> list:
        history = list((row or {}).get("history") or [])
        history.append({"status": status, "at": datetime.now(UTC), "by": by, "note": note})
        return history

    def create(
        self,
        project: Any,
        request_name: str,
        items: Any,
        *,
        vendor: str | None = None,
        workflow: Any = None,
        currency: str = "USD",
        expected_delivery: Any = None,
        delivery_location: str | None = None,
        total_cost: Any = None,
        source: dict[str, Any] | None = None,
        on: Any = None,
        by: str | None = None,
    ) -> ProcurementRequest:
        """Ask for hardware for a project (``on``: the request date, default today).

        Parameters
        ----------
        items : list of dict
            Lines: ``description`` or ``model``, ``quantity`` (servers), optional
            ``unit_price`` (in ``currency``), ``lot`` (a hardware_lot id), ``vendor``.
        workflow : str, optional
            The project's workflow that needs the hardware (name or ``workflow:<id>``);
            the expected delivery becomes its start-no-earlier-than (a hardware
            procurement workflow passes it on to the workflows after it).
        total_cost : amount, optional
            Default: the sum of the lines when they all have a price.

        Raises
        ------
        InvalidInputError, NotFoundError
        """
        name = clean_text(request_name, "request name", required=True, max_length=200)
        lines = rules.item_lines(items)
        money = rules.money(total_cost, "total cost")
        money = rules.total_cost(lines) if money is None else money
        if currency not in rules.CURRENCIES:
            raise InvalidInputError(f"Currency must be USD or EUR; got {currency!r}.")
        expected = parse_date(expected_delivery, "expected delivery")
        requested = parse_date(on, "request date") or self._today()
        actor = who(by)
        with self._store.unit_of_work() as session:
            project_row = project_records.find(session, project)
            workflow_key = self._pool()._workflow(session, project_row, workflow)
            values = {
                "project_id": project_row["id"],
                "workflow_id": workflow_key,
                "request_name": name,
                "hardware_items": [line.to_record() for line in lines],
                "vendor": clean_text(vendor, "vendor", required=False),
                "status": "requested",
                "request_date": requested,
                "expected_delivery": expected,
                "total_cost": money,
                "currency": currency,
                "delivery_location": clean_text(
                    delivery_location, "delivery location", required=False
                ),
                "requested_by": actor,
                "history": self._stamp(None, "requested", actor, None),
                "source": source or {},
            }
            request_id = records.write_request(session, None, values, action="requested", by=actor)
            return rules.request_from_record(records.request(session, request_id))

    def from_recommendation(
        self,
        project: Any,
        import_id: str,
        *,
        vendor: str | None = None,
        lot: str | None = None,
        scenario: str = "policy",
        request_name: str | None = None,
        by: str | None = None,
        **options: Any,
    ) -> ProcurementRequest:
        """A request for the hosts of a stored sizing option: the cheapest feasible one,
        or the one of ``vendor`` and ``lot``; quantity = its hosts, unit price = its host
        price (USD), linked to the lot.

        Raises
        ------
        NotFoundError
            The import has no stored sizing, or no such feasible option.
        """
        with self._store.unit_of_work() as session:
            row = session.one(
                "SELECT id, hardware_recommendations FROM ONLY $id",
                {"id": record_id("rvtools_import", import_id)},
            )
            if not row:
                raise NotFoundError(f"No RVTools import {import_id!r}.")
            recs = row.get("hardware_recommendations") or []
            if not recs:
                raise NotFoundError(
                    f"The import {import_id} has no sizing yet: run ws.sizing.recommend first."
                )
            candidates = [
                o
                for o in recs[0]["options"]
                if o.get("scenario") == scenario
                and o.get("feasible")
                and (vendor is None or str(o.get("vendor", "")).lower() == vendor.lower())
                and (lot is None or str(o.get("lot", "")).lower() == lot.lower())
            ]
            if not candidates:
                raise NotFoundError("No feasible sizing option matches that vendor and lot.")
            option = min(candidates, key=lambda o: o.get("rank") or 10**9)
            lots = session.one(
                "SELECT id FROM hardware_lot WHERE lot_code = $lot AND basket.name = $basket",
                {"lot": option.get("lot"), "basket": option.get("basket")},
            )
        line = {
            "description": f"{option.get('vendor')} {option.get('model') or ''} ({option.get('lot')})".replace(
                "  ", " "
            ),
            "model": option.get("model") or option.get("lot"),
            "vendor": option.get("vendor"),
            "quantity": int(option["hosts"]),
            "unit_price": option.get("unit_usd"),
            "lot": f"hardware_lot:{lots[0]['id'].id}" if len(lots) == 1 else None,
        }
        return self.create(
            project,
            request_name or f"{option.get('vendor')} {option.get('lot')} x {int(option['hosts'])}",
            [line],
            vendor=option.get("vendor"),
            currency="USD",
            source={"import": str(import_id), "scenario": scenario, "lot": option.get("lot")},
            by=by,
            **options,
        )

    def get(self, request: Any) -> ProcurementRequest:
        """One request; :class:`NotFoundError` if none."""
        with self._store.unit_of_work() as session:
            return rules.request_from_record(self._request(session, request))

    def list(self, project: Any = None, status: Any = None) -> list[ProcurementRequest]:
        """Requests, all or of one project, optionally of some statuses; oldest first."""
        wanted = {status} if isinstance(status, str) else set(status or ())
        unknown = wanted - set(rules.PROCUREMENT_STATUSES)
        if unknown:
            raise InvalidInputError(
                f"Unknown status {', '.join(sorted(unknown))}; one of {', '.join(rules.PROCUREMENT_STATUSES)}."
            )
        with self._store.unit_of_work() as session:
            key = project_records.find(session, project)["id"] if project is not None else None
            rows = records.requests(session, key)
        found = [rules.request_from_record(r) for r in rows]
        return [r for r in found if not wanted or r.status in wanted]

    def frame(self, project: Any = None, status: Any = None, as_of: Any = None) -> pd.DataFrame:
        """:meth:`list` as a DataFrame (columns :data:`workbench.pool.REQUEST_COLUMNS`;
        ``overdue`` on ``as_of``, default today)."""
        day = parse_date(as_of, "as of") or self._today()
        return rules.requests_frame(self.list(project, status), day)

    def overdue(self, as_of: Any = None) -> pd.DataFrame:
        """Approved or ordered requests whose expected delivery has passed."""
        frame = self.frame(as_of=as_of)
        return frame[frame["overdue"]].reset_index(drop=True)

    def _move(
        self,
        request: Any,
        target: str,
        fields: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        by: Any,
        note: str | None = None,
    ) -> ProcurementRequest:
        actor = who(by)
        with self._store.unit_of_work() as session:
            row = self._request(session, request)
            rules.check_procurement_change(row["status"], target)
            values = {
                **fields(row),
                "status": target,
                "history": self._stamp(row, target, actor, note),
            }
            records.write_request(
                session, row["id"], values, action=target, by=actor, expected_status=row["status"]
            )
            after = rules.request_from_record(records.request(session, row["id"]))
        self._constrain(after)
        return after

    def approve(
        self, request: Any, *, on: Any = None, by: str | None = None, note: str | None = None
    ) -> ProcurementRequest:
        """requested -> approved (``on`` defaults to today)."""
        day = parse_date(on, "approval date") or self._today()
        return self._move(request, "approved", lambda row: {"approval_date": day}, by=by, note=note)

    def order(
        self,
        request: Any,
        purchase_order_number: str,
        *,
        expected_delivery: Any = None,
        on: Any = None,
        total_cost: Any = None,
        by: str | None = None,
    ) -> ProcurementRequest:
        """approved -> ordered, with the PO number and the expected delivery date (needed
        here unless given at creation).

        Raises
        ------
        InvalidInputError
            No PO number, no expected delivery, or a delivery before the order date.
        """
        po = clean_text(purchase_order_number, "PO number", required=True, max_length=100)
        day = parse_date(on, "order date") or self._today()
        expected = parse_date(expected_delivery, "expected delivery")
        cost = rules.money(total_cost, "total cost")

        def fields(row: dict[str, Any]) -> dict[str, Any]:
            when = expected or (row.get("expected_delivery") and row["expected_delivery"].date())
            if when is None:
                raise InvalidInputError("Give the expected delivery date with the order.")
            if when < day:
                raise InvalidInputError(
                    f"The expected delivery ({when}) is before the order date ({day})."
                )
            out = {"purchase_order_number": po, "order_date": day, "expected_delivery": when}
            if cost is not None:
                out["total_cost"] = cost
            return out

        return self._move(request, "ordered", fields, by=by, note=f"PO {po}")

    def cancel(
        self, request: Any, reason: str, *, on: Any = None, by: str | None = None
    ) -> ProcurementRequest:
        """Cancel a request not delivered yet (a reason is required)."""
        why = clean_text(reason, "reason", required=True, max_length=500)
        day = parse_date(on, "date") or self._today()
        return self._move(
            request,
            "cancelled",
            lambda row: {"cancelled_date": day, "cancel_reason": why},
            by=by,
            note=why,
        )

    def delete(self, request: Any, *, by: str | None = None) -> None:
        """Delete a request that was never ordered (requested, approved or cancelled);
        ordered and delivered ones stay as the record of a purchase.

        Raises
        ------
        InvalidInputError
            The request was ordered or delivered.
        """
        actor = who(by)
        with self._store.unit_of_work() as session:
            row = self._request(session, request)
            if row["status"] in ("ordered", "delivered"):
                raise InvalidInputError(
                    f"{row['request_name']!r} is {row['status']}: it stays as the record of a "
                    "purchase (an ordered request can be cancelled, then deleted)."
                    if row["status"] == "ordered"
                    else f"{row['request_name']!r} is delivered: it stays as the record of a purchase."
                )
            records.delete_request(session, row["id"], by=actor, expected_status=row["status"])

    def deliver(
        self,
        request: Any,
        quantities: dict[int, int] | None = None,
        *,
        serials: dict[int, list[str]] | None = None,
        location: str | None = None,
        on: Any = None,
        warranty_years: int = 3,
        by: str | None = None,
    ) -> list[Server]:
        """Record a delivery of an ordered request: all outstanding servers, or
        ``quantities`` per line (1-based line number -> servers). Each server becomes a
        pool server (available, condition new, in ``location`` or the request's delivery
        location), named after the PO, with its serial from ``serials`` when given, its
        lot, model and unit price, procurement date ``on`` and a warranty of
        ``warranty_years``. When every line is complete the request is delivered.

        Raises
        ------
        InvalidInputError
            Not ordered yet, a line number or quantity out of range, serials not matching
            the quantity.
        ConflictError
            A serial number already in the pool.
        """
        day = parse_date(on, "delivery date") or self._today()
        where = clean_text(location, "location", required=False)
        actor = who(by)
        with self._store.unit_of_work() as session:
            row = self._request(session, request)
            if row["status"] != "ordered":
                raise InvalidInputError(
                    f"Only an ordered request can be delivered; this one is {row['status']}."
                )
            lines = rules.lines_from_record(row.get("hardware_items") or [])
            wanted = quantities or {
                i: line.outstanding for i, line in enumerate(lines, start=1) if line.outstanding
            }
            stem = _stem(row.get("purchase_order_number") or row["request_name"])
            # Names go on after the highest taken: another request may carry the same PO,
            # and a server delivered before may have been deleted since.
            used = set(
                session.one(
                    "SELECT VALUE name_key FROM server_inventory"
                    " WHERE string::starts_with(name_key, $prefix)",
                    {"prefix": stem.lower() + "-"},
                )
            )
            taken = 0
            new_servers, updated = [], list(lines)
            for number, count in sorted(wanted.items()):
                if not isinstance(number, int) or not 1 <= number <= len(lines):
                    raise InvalidInputError(
                        f"The request has lines 1 to {len(lines)}; got line {number!r}."
                    )
                line = lines[number - 1]
                try:
                    count = rules.whole(count, "quantity", 0, None)
                except InvalidInputError:
                    raise InvalidInputError(
                        f"Line {number}: give how many servers arrived as a whole number; got {count!r}."
                    ) from None
                if count is None:
                    raise InvalidInputError(f"Give how many servers of line {number} arrived.")
                if count > line.outstanding:
                    raise InvalidInputError(
                        f"Line {number} ({line.description}) has {line.outstanding} server(s) "
                        f"outstanding of {line.quantity}; {count} cannot arrive."
                    )
                given = list((serials or {}).get(number) or [])
                if given and len(given) != count:
                    raise InvalidInputError(
                        f"Line {number}: {count} server(s) delivered but {len(given)} serial number(s) given."
                    )
                for i in range(count):
                    taken += 1
                    while f"{stem}-{taken:03d}".lower() in used:
                        taken += 1
                    serial = clean_text(given[i], "serial number", required=True) if given else None
                    new_servers.append(
                        {
                            "server_name": f"{stem}-{taken:03d}",
                            "serial_number": serial,
                            "hardware_model_id": line.lot.split(":", 1)[-1] if line.lot else None,
                            "location": where or row.get("delivery_location"),
                            "status": "available",
                            "condition": "new",
                            "procurement_date": day,
                            "warranty_start": day,
                            "warranty_end": _add_years(day, warranty_years),
                            "purchase_price": line.unit_price,
                            "currency": row.get("currency") or "USD",
                            "life_years": 5,
                            "depreciation_method": "straight_line",
                            "source": "delivery",
                            "specifications": {
                                "vendor": line.vendor or row.get("vendor"),
                                "model": line.model,
                            },
                        }
                    )
                updated[number - 1] = rules.ItemLine(
                    **{**line.__dict__, "delivered": line.delivered + count}
                )
            if not new_servers:
                raise InvalidInputError("Nothing to deliver: every line is complete.")
            complete = all(line.outstanding == 0 for line in updated)
            values = {"hardware_items": [line.to_record() for line in updated]}
            note = f"{len(new_servers)} server(s) delivered"
            if complete:
                values.update(status="delivered", actual_delivery=day)
            values["history"] = self._stamp(
                row, "delivered" if complete else "partly delivered", actor, note
            )
            records.write_request(
                session,
                row["id"],
                values,
                action="delivered" if complete else "partly delivered",
                by=actor,
                expected_status="ordered",
                new_servers=new_servers,
            )
            names = [s["server_name"].lower() for s in new_servers]
            rows = session.one(
                records.SERVER_SELECT + " WHERE name_key IN $names ORDER BY name_key",
                {"names": names},
            )
        return [rules.server_from_record(records._plain(r)) for r in rows]

    def _constrain(self, request: ProcurementRequest) -> None:
        """The expected delivery as the start-no-earlier-than of the workflow that needs
        the hardware (of the workflows after a hardware-procurement workflow)."""
        if self._workflows is None or not request.workflow_id or request.expected_delivery is None:
            return
        if request.status not in ("approved", "ordered"):
            return
        workflows = self._workflows()
        target = workflows.get("workflow:" + request.workflow_id.split(":", 1)[-1])
        names = [target]
        if target.workflow_type == "hardware_procurement":
            links = workflows.links("project:" + target.project_id)
            after = links[links["predecessor_id"] == "workflow:" + target.id][
                "successor_id"
            ].tolist()
            names = [workflows.get(w) for w in after] or [target]
        for workflow in names:
            if (
                workflow.constraint_type == "start_no_earlier_than"
                and workflow.constraint_date == request.expected_delivery
            ):
                continue
            workflows.update(workflow, start_no_earlier_than=request.expected_delivery)


def _stem(text: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    return (stem or "server")[:40]
