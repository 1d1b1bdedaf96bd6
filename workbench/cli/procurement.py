"""``workbench procurement create | list | show | approve | order | deliver | cancel``.

Hardware orders through ``ws.procurement``: requested -> approved -> ordered -> delivered
(in parts, line by line), or cancelled before delivery. Requests are named by their id,
with or without the ``procurement_request:`` prefix (tables show the short form). A request
approved or ordered whose expected delivery has passed is overdue, and the listing says so.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from workbench import formatting as fmt
from workbench.cli.common import open_workbench as _open
from workbench.cli.common import text_table
from workbench.cli.pool import short_id
from workbench.errors import InvalidInputError
from workbench.formatting import json_ready

_LIST_COLUMNS = [
    ("id", "Request", "<", 20),
    ("project", "Project", "<", 32),
    ("name", "Name", "<", 28),
    ("status", "Status", "<", 9),
    ("servers", "Servers", ">", 9),
    ("cost", "Total", ">", 12),
    ("po", "PO", "<", 14),
    ("delivery", "Delivery", "<", 10),
    ("note", "", "<", 22),
]


def _item(text: str) -> dict[str, Any]:
    """``--item MODEL:QTY[:UNIT_PRICE]`` as a request line. Only the trailing quantity (and
    price) are split off, so a model may hold colons; the facade checks the values."""
    parts = text.split(":")
    if len(parts) >= 3 and parts[-2].strip().isdigit():
        return {"model": ":".join(parts[:-2]), "quantity": parts[-2], "unit_price": parts[-1]}
    if len(parts) >= 2 and parts[-1].strip():
        return {"model": ":".join(parts[:-1]), "quantity": parts[-1]}
    raise InvalidInputError(f"--item {text!r}: give MODEL:QUANTITY or MODEL:QUANTITY:UNIT_PRICE.")


def _items(texts: list[str]) -> list[dict[str, Any]]:
    from workbench.pool import item_lines

    items = []
    for text in texts:
        item = _item(text)
        try:
            item_lines([item])  # checked one by one so the message names the option
        except InvalidInputError as exc:
            raise InvalidInputError(f"--item {text!r}: {exc}") from None
        items.append(item)
    return items


def _numbered(texts: list[str] | None, option: str, value) -> dict[int, Any]:
    """``N=VALUE`` options as {line number: value(VALUE)}."""
    out: dict[int, Any] = {}
    for text in texts or ():
        number, sep, rest = text.partition("=")
        if not sep or not number.strip().isdigit() or not rest.strip():
            raise InvalidInputError(f"{option} {text!r}: write LINE=VALUE, e.g. {option} 1=2.")
        key = int(number)
        if key in out:
            raise InvalidInputError(f"{option}: line {key} is given twice.")
        out[key] = value(rest.strip(), text)
    return out


def _quantity(text: str, given: str) -> int:
    if not text.isdigit():
        raise InvalidInputError(f"--line {given!r}: the quantity must be a whole number.")
    return int(text)


def _serials(text: str, given: str) -> list[str]:
    serials = [s.strip() for s in text.split(",")]
    if not all(serials):
        raise InvalidInputError(f"--serial {given!r}: a serial number is blank.")
    return serials


def _overdue_days(request, today: date) -> int | None:
    if request.overdue(today):
        return (today - request.expected_delivery).days
    return None


def _request_json(request, today: date) -> dict[str, Any]:
    plain = json_ready(request)
    plain["servers"] = request.quantity
    plain["delivered"] = request.delivered
    plain["overdue"] = request.overdue(today)
    return plain


def _print_request(request, as_json: bool) -> None:
    today = date.today()
    if as_json:
        print(json.dumps(_request_json(request, today), indent=2, ensure_ascii=False))
        return
    late = _overdue_days(request, today)
    expected = fmt.day(request.expected_delivery)
    if late is not None:
        expected += f" (overdue by {fmt.many(late, 'day')})"
    source = request.source or {}
    lines = [
        ("Id", request.id),
        ("Name", request.request_name),
        ("Project", request.project_name),
        ("Workflow", request.workflow_name or fmt.MISSING),
        ("Status", fmt.label(request.status)),
        ("Vendor", request.vendor or fmt.MISSING),
        ("Servers", f"{fmt.count(request.delivered)} of {fmt.count(request.quantity)} delivered"),
        ("Total cost", fmt.money(request.total_cost, request.currency, 2)),
        ("PO number", request.purchase_order_number or fmt.MISSING),
        ("Requested", f"{fmt.day(request.request_date)} by {request.requested_by or fmt.MISSING}"),
        ("Approved", fmt.day(request.approval_date)),
        ("Ordered", fmt.day(request.order_date)),
        ("Expected", expected),
        ("Delivered", fmt.day(request.actual_delivery)),
        ("Deliver to", request.delivery_location or fmt.MISSING),
    ]
    if request.status == "cancelled":
        lines.append(("Cancelled", f"{fmt.day(request.cancelled_date)}: {request.cancel_reason}"))
    if source.get("import"):
        lines.append(("From sizing", f"RVTools import {source['import']}, lot {source.get('lot')}"))
    for label, value in lines:
        print(f"{label:>11}: {value}")
    rows = [
        {
            "number": str(number),
            "description": line.description,
            "model": line.model or fmt.MISSING,
            "quantity": fmt.count(line.quantity),
            "delivered": fmt.count(line.delivered),
            "unit": fmt.money(line.unit_price, request.currency, 2),
            "total": fmt.money(
                None if line.unit_price is None else line.unit_price * line.quantity,
                request.currency,
                2,
            ),
        }
        for number, line in enumerate(request.lines, start=1)
    ]
    print("\nLines:")
    print(
        text_table(
            rows,
            [
                ("number", "Line", ">", 4),
                ("description", "Description", "<", 36),
                ("model", "Model", "<", 20),
                ("quantity", "Qty", ">", 5),
                ("delivered", "In", ">", 5),
                ("unit", "Unit price", ">", 14),
                ("total", "Line total", ">", 14),
            ],
        )
    )
    print("\nHistory:")
    for entry in request.history:
        note = f": {entry['note']}" if entry.get("note") else ""
        print(f"  {fmt.moment(entry.get('at'))}  {entry.get('status')} by {entry.get('by')}{note}")


def cmd_create(args: argparse.Namespace) -> int:
    ws = _open(args)
    if args.from_sizing:
        if args.item:
            raise InvalidInputError("Give either --item lines or --from-sizing, not both.")
        options = {
            "workflow": args.workflow,
            "expected_delivery": args.expected_delivery,
            "delivery_location": args.location,
        }
        request = ws.procurement.from_recommendation(
            args.project,
            args.from_sizing,
            vendor=args.vendor,
            lot=args.lot,
            request_name=args.name,
            by=args.by,
            **{k: v for k, v in options.items() if v is not None},
        )
    else:
        if args.lot:
            raise InvalidInputError("--lot picks a sizing option: use it with --from-sizing.")
        if not args.item:
            raise InvalidInputError(
                "Say what to buy: --item MODEL:QUANTITY[:UNIT_PRICE] (repeat for several "
                "lines), or --from-sizing IMPORT_ID."
            )
        if not args.name:
            raise InvalidInputError("Give the request a name (after the project).")
        request = ws.procurement.create(
            args.project,
            args.name,
            _items(args.item),
            vendor=args.vendor,
            workflow=args.workflow,
            currency=args.currency,
            expected_delivery=args.expected_delivery,
            delivery_location=args.location,
            by=args.by,
        )
    if not args.json:
        print(f"Requested {request.request_name!r} ({request.id}).")
    _print_request(request, args.json)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    today = date.today()
    requests = _open(args).procurement.list(args.project, args.status)
    if args.json:
        print(json.dumps([_request_json(r, today) for r in requests], indent=2, ensure_ascii=False))
        return 0
    if not requests:
        narrowed = args.project or args.status
        print(
            "No procurement requests match."
            if narrowed
            else "No procurement requests. Create one with: workbench procurement create "
            "PROJECT NAME --item MODEL:QUANTITY"
        )
        return 0
    rows = []
    for r in requests:
        late = _overdue_days(r, today)
        if late is not None:
            note = f"OVERDUE by {fmt.many(late, 'day')}"
        elif r.status == "ordered" and r.delivered:
            note = "partly delivered"
        else:
            note = ""
        shown = r.actual_delivery if r.status == "delivered" else r.expected_delivery
        rows.append(
            {
                "id": short_id(r.id),
                "project": r.project_name,
                "name": r.request_name,
                "status": fmt.label(r.status),
                "servers": f"{fmt.count(r.delivered)} of {fmt.count(r.quantity)}"
                if r.delivered
                else fmt.count(r.quantity),
                "cost": fmt.money(r.total_cost, r.currency),
                "po": r.purchase_order_number or "",
                "delivery": fmt.day(shown) if shown else "",
                "note": note,
            }
        )
    print(text_table(rows, _LIST_COLUMNS))
    overdue = [r for r in requests if r.overdue(today)]
    if overdue:
        print(f"\n{fmt.many(len(overdue), 'request')} overdue:")
        for r in overdue:
            print(
                f"  {r.request_name!r} for {r.project_name}: expected {fmt.day(r.expected_delivery)}, "
                f"{fmt.many(_overdue_days(r, today), 'day')} ago; {fmt.count(r.quantity - r.delivered)} "
                f"of {fmt.count(r.quantity)} servers still to come."
            )
    else:
        print("\nNone overdue.")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    _print_request(_open(args).procurement.get(args.request), args.json)
    return 0


def _moved(request, as_json: bool, headline: str) -> None:
    if not as_json:
        print(headline)
    _print_request(request, as_json)


def cmd_approve(args: argparse.Namespace) -> int:
    request = _open(args).procurement.approve(args.request, on=args.on, by=args.by, note=args.note)
    _moved(
        request,
        args.json,
        f"Approved {request.request_name!r} on {fmt.day(request.approval_date)}.",
    )
    return 0


def cmd_order(args: argparse.Namespace) -> int:
    request = _open(args).procurement.order(
        args.request,
        args.po,
        expected_delivery=args.expected_delivery,
        on=args.on,
        total_cost=args.total_cost,
        by=args.by,
    )
    _moved(
        request,
        args.json,
        f"Ordered {request.request_name!r}: PO {request.purchase_order_number}, "
        f"delivery expected {fmt.day(request.expected_delivery)}.",
    )
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    request = _open(args).procurement.cancel(args.request, args.reason, on=args.on, by=args.by)
    _moved(request, args.json, f"Cancelled {request.request_name!r}: {request.cancel_reason}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    ws = _open(args)
    request = ws.procurement.get(args.request)
    ws.procurement.delete(request, by=args.by)
    print(f"Deleted {request.request_name!r} ({request.status}) of {request.project_name}.")
    return 0


def cmd_deliver(args: argparse.Namespace) -> int:
    quantities = _numbered(args.line, "--line", _quantity)
    serials = _numbered(args.serial, "--serial", _serials)
    ws = _open(args)
    servers = ws.procurement.deliver(
        args.request,
        quantities or None,
        serials=serials or None,
        location=args.location,
        on=args.on,
        warranty_years=args.warranty_years,
        by=args.by,
    )
    request = ws.procurement.get(args.request)
    if args.json:
        plain = {
            "request": _request_json(request, date.today()),
            "servers": json_ready(servers),
        }
        print(json.dumps(plain, indent=2, ensure_ascii=False))
        return 0
    outstanding = request.quantity - request.delivered
    state = (
        "every line is in: the request is delivered."
        if request.status == "delivered"
        else f"{fmt.count(outstanding)} still to come; the request stays ordered."
    )
    print(
        f"Received {fmt.many(len(servers), 'server')} for {request.request_name!r} "
        f"({fmt.count(request.delivered)} of {fmt.count(request.quantity)} in); {state}"
    )
    rows = [
        {
            "name": s.server_name,
            "serial": s.serial_number or fmt.MISSING,
            "model": s.model or fmt.MISSING,
            "location": s.location or fmt.MISSING,
            "warranty": fmt.day(s.warranty_end),
        }
        for s in servers
    ]
    print("New pool servers (available):")
    print(
        text_table(
            rows,
            [
                ("name", "Server", "<", 32),
                ("serial", "Serial", "<", 20),
                ("model", "Model", "<", 20),
                ("location", "Location", "<", 24),
                ("warranty", "Warranty end", "<", 12),
            ],
        )
    )
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
    group = commands.add_parser(
        "procurement", help="hardware orders: requested, approved, ordered, delivered"
    ).add_subparsers(dest="action", required=True, metavar="ACTION")

    create = group.add_parser(
        "create", help="request hardware for a project (lines, or a stored sizing option)"
    )
    create.add_argument("project", help="project name, or project:<id>")
    create.add_argument("name", nargs="?", help="the request's name (optional with --from-sizing)")
    create.add_argument(
        "--item",
        action="append",
        metavar="MODEL:QTY[:UNIT_PRICE]",
        help="a line, e.g. DS-325:4:19125.61 (repeat for several)",
    )
    create.add_argument(
        "--from-sizing",
        metavar="IMPORT_ID",
        help="the hosts of the cheapest feasible sizing option of this RVTools import",
    )
    create.add_argument("--vendor", help="the vendor (with --from-sizing: the option's vendor)")
    create.add_argument("--lot", help="with --from-sizing: the option's basket lot")
    create.add_argument("--workflow", help="the project's workflow that needs the hardware")
    create.add_argument("--currency", default="USD", help="USD (default) or EUR")
    create.add_argument("--expected-delivery", metavar="YYYY-MM-DD")
    create.add_argument("--location", help="where the servers are delivered")
    create.add_argument("--by", help="who requests it (default: the user running this)")
    create.add_argument("--json", action="store_true", help="print JSON")
    create.set_defaults(func=cmd_create)

    listing = group.add_parser("list", help="requests, oldest first; overdue ones said plainly")
    listing.add_argument("--project", help="project name, or project:<id>")
    listing.add_argument(
        "--status",
        action="append",
        help="requested, approved, ordered, delivered or cancelled (repeat for several)",
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_list)

    show = group.add_parser("show", help="one request: lines and history")
    show.add_argument("request", help="the request's id")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=cmd_show)

    approve = group.add_parser("approve", help="requested -> approved")
    approve.add_argument("request", help="the request's id")
    approve.add_argument("--on", metavar="YYYY-MM-DD", help="approval date (default: today)")
    approve.add_argument("--note", help="kept in the request's history")
    approve.add_argument("--by", help="who approves it")
    approve.add_argument("--json", action="store_true", help="print JSON")
    approve.set_defaults(func=cmd_approve)

    order = group.add_parser("order", help="approved -> ordered, with the PO number")
    order.add_argument("request", help="the request's id")
    order.add_argument("--po", required=True, metavar="NUMBER", help="purchase order number")
    order.add_argument(
        "--expected-delivery",
        metavar="YYYY-MM-DD",
        help="required unless given when the request was created",
    )
    order.add_argument("--on", metavar="YYYY-MM-DD", help="order date (default: today)")
    order.add_argument("--total-cost", help="the ordered amount, if it differs from the lines")
    order.add_argument("--by", help="who orders it")
    order.add_argument("--json", action="store_true", help="print JSON")
    order.set_defaults(func=cmd_order)

    deliver = group.add_parser(
        "deliver", help="record servers received (all outstanding, or per line)"
    )
    deliver.add_argument("request", help="the request's id")
    deliver.add_argument(
        "--line",
        action="append",
        metavar="N=QTY",
        help="QTY servers of line N arrived (repeat for several lines; default: all outstanding)",
    )
    deliver.add_argument(
        "--serial",
        action="append",
        metavar="N=S1,S2",
        help="serial numbers of line N's servers, one per server delivered",
    )
    deliver.add_argument("--location", help="where they are (default: the request's)")
    deliver.add_argument("--on", metavar="YYYY-MM-DD", help="delivery date (default: today)")
    deliver.add_argument(
        "--warranty-years", type=int, default=3, help="warranty from delivery (default 3)"
    )
    deliver.add_argument("--by", help="who received them")
    deliver.add_argument("--json", action="store_true", help="print JSON")
    deliver.set_defaults(func=cmd_deliver)

    cancel = group.add_parser("cancel", help="cancel a request not delivered yet")
    cancel.add_argument("request", help="the request's id")
    cancel.add_argument("--reason", required=True, help="why (required)")
    cancel.add_argument("--on", metavar="YYYY-MM-DD", help="date (default: today)")
    cancel.add_argument("--by", help="who cancels it")
    cancel.add_argument("--json", action="store_true", help="print JSON")
    cancel.set_defaults(func=cmd_cancel)

    delete = group.add_parser("delete", help="delete a request never ordered")
    delete.add_argument("request", help="the request's id")
    delete.add_argument("--by", help="who deletes it")
    delete.set_defaults(func=cmd_delete)
