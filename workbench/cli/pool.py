"""``workbench pool list | show | add | update | import | import-hosts | allocate | release |
extend | bookings | availability | forecast | alerts | book-value | status | maintenance``.

The hardware pool through ``ws.pool``. Bookings hold a server over [start, end): the end
date is the first day it is free again, and the tables call that column "Free from".
Servers are named by name, serial number, asset tag or ``server_inventory:<id>``; bookings
by their id, with or without the ``hardware_pool_status:`` prefix (tables show the short
form). Amounts are shown in whole units of the record's currency; ``--json`` gives them as
numbers and every date as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from typing import Any

from workbench import formatting as fmt
from workbench.cli.common import as_of, frame_json, text_table
from workbench.cli.common import open_workbench as _open
from workbench.errors import InvalidInputError, NotFoundError
from workbench.formatting import json_ready

# Server fields as (option, field); the values go to the facade as typed, so a bad one gets
# the same message as in a notebook or an inventory file.
_SERVER_OPTIONS = (
    ("--serial", "serial_number"),
    ("--asset-tag", "asset_tag"),
    ("--lot", "hardware_model_id"),
    ("--location", "location"),
    ("--condition", "condition"),
    ("--procurement-date", "procurement_date"),
    ("--warranty-start", "warranty_start"),
    ("--warranty-end", "warranty_end"),
    ("--end-of-life", "end_of_life"),
    ("--price", "purchase_price"),
    ("--salvage", "salvage_value"),
    ("--currency", "currency"),
    ("--life-years", "life_years"),
    ("--depreciation", "depreciation_method"),
    ("--rate", "depreciation_rate"),
    ("--vendor", "vendor"),
    ("--model", "model"),
    ("--cpu-model", "cpu_model"),
    ("--sockets", "sockets"),
    ("--cores", "cores"),
    ("--memory-gib", "memory_gib"),
)
_SERVER_HELP = {
    "--serial": "serial number (unique)",
    "--asset-tag": "asset tag (unique)",
    "--lot": "basket lot code or hardware_lot:<id>",
    "--condition": "new, good, fair or end_of_life",
    "--procurement-date": "YYYY-MM-DD",
    "--warranty-start": "YYYY-MM-DD",
    "--warranty-end": "YYYY-MM-DD",
    "--end-of-life": "YYYY-MM-DD",
    "--price": "purchase price, in --currency",
    "--salvage": "salvage value at the end of its life, in --currency",
    "--currency": "USD or EUR (default USD)",
    "--life-years": "depreciation life in years (default 5)",
    "--depreciation": "straight_line (default) or declining_balance",
    "--rate": "declining balance rate per year, above 0 and at most 1",
    "--cores": "cores per server",
    "--memory-gib": "memory per server, GiB",
}
_CLEARABLE = (
    "serial_number",
    "asset_tag",
    "hardware_model_id",
    "location",
    "procurement_date",
    "warranty_start",
    "warranty_end",
    "end_of_life",
    "purchase_price",
    "salvage_value",
    "depreciation_rate",
)
_STATUS_WORDS = {"maintenance": "in maintenance"}
_SOURCES = {
    "manual": "added by hand",
    "file": "an inventory file",
    "rvtools": "the hosts of an RVTools import",
    "delivery": "a procurement delivery",
}
_NAMES_SHOWN = 20
"""Server names an import lists per kind; the rest are counted (all are in ``--json``)."""


def short_id(ref: Any) -> str:
    """A record id without its table (what the tables show and the commands accept)."""
    return str(ref).split(":", 1)[-1] if ref else fmt.MISSING


def _text(value: Any) -> str:
    return "" if fmt.is_missing(value) else str(value)


def _gib(value: Any) -> str:
    return fmt.MISSING if fmt.is_missing(value) else fmt.number(value, 0)


def _stored_day(value: Any) -> date | None:
    from workbench.projects import stored_date

    return None if fmt.is_missing(value) else stored_date(value)


def _source(server) -> str:
    text = _SOURCES.get(server.source, server.source)
    if server.procurement_id:
        text += f" ({server.procurement_id})"
    return text


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_NAMES_SHOWN])
    rest = len(names) - _NAMES_SHOWN
    return shown + (f" and {fmt.count(rest)} more" if rest > 0 else "")


def _when(days_left: int) -> str:
    if days_left == 0:
        return "today"
    if days_left > 0:
        return f"in {fmt.many(days_left, 'day')}"
    return f"{fmt.many(-days_left, 'day')} ago"


# -- servers -------------------------------------------------------------------------------

_LIST_COLUMNS = [
    ("name", "Server", "<", 32),
    ("status", "Status", "<", 14),
    ("model", "Model", "<", 20),
    ("location", "Location", "<", 22),
    ("cores", "Cores", ">", 5),
    ("memory", "RAM GiB", ">", 7),
    ("booked", "Booked for", "<", 26),
    ("until", "Free from", "<", 10),
]


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    values = {
        "model": args.model,
        "lot": args.lot,
        "location": args.location,
        "condition": getattr(args, "condition", None),
        "status": getattr(args, "status", None),
        "min_cores": args.min_cores,
        "min_memory_gib": args.min_memory_gib,
    }
    return {k: v for k, v in values.items() if v is not None}


def cmd_list(args: argparse.Namespace) -> int:
    from workbench.pool import STATUSES

    unknown = sorted(set(args.status or ()) - set(STATUSES))
    if unknown:
        raise InvalidInputError(
            f"Unknown status {', '.join(unknown)}; one of {', '.join(STATUSES)}."
        )
    filters = _filters(args)
    frame = _open(args).pool.frame(**filters)
    if args.json:
        print(frame_json(frame))
        return 0
    if frame.empty:
        print(
            "No server matches those filters."
            if filters
            else "No servers in the pool. Add one with: workbench pool add NAME, "
            "or import a file with: workbench pool import FILE"
        )
        return 0
    rows = [
        {
            "name": row.server_name,
            "status": fmt.label(row.status),
            "model": _text(row.model) or fmt.MISSING,
            "location": _text(row.location) or fmt.MISSING,
            "cores": fmt.count(row.cores),
            "memory": _gib(row.memory_gib),
            "booked": _text(row.project),
            "until": fmt.day(row.allocation_end) if _text(row.project) else "",
        }
        for row in frame.itertuples()
    ]
    print(text_table(rows, _LIST_COLUMNS))
    counts = frame["status"].value_counts()
    parts = [
        f"{fmt.count(counts[s])} {_STATUS_WORDS.get(s, s)}" for s in STATUSES if counts.get(s, 0)
    ]
    print(f"\n{fmt.many(len(frame), 'server')}: {', '.join(parts)}.")
    return 0


def _server_json(ws, server) -> dict[str, Any]:
    plain = json_ready(server)
    plain["maintenance_history"] = [
        json_ready(dict(entry, date=_stored_day(entry.get("date"))))
        for entry in server.maintenance_history
    ]
    bookings = ws.pool.bookings(server=server.id)
    plain["bookings"] = json_ready(_bookings_records(bookings))
    return plain


def _booking_plain(booking) -> dict[str, Any]:
    """A booking from the facade as JSON-ready data, ``released_at`` a day like the others."""
    return dict(json_ready(booking), released_at=json_ready(_stored_day(booking.released_at)))


def _dump(plain: Any) -> None:
    print(json.dumps(plain, indent=2, ensure_ascii=False))


def _bookings_records(frame) -> list[dict[str, Any]]:
    records = frame.to_dict("records")
    for record in records:
        record["released_at"] = _stored_day(record.get("released_at"))
    return records


def _print_server(ws, server, as_json: bool) -> None:
    if as_json:
        _dump(_server_json(ws, server))
        return

    def money(value: Any) -> str:
        return fmt.money(value, server.currency, 2)

    cpu = server.cpu_model or fmt.MISSING
    if server.sockets:
        cpu = (
            f"{server.sockets} x {server.cpu_model}"
            if server.cpu_model
            else f"{server.sockets} sockets"
        )
    method = fmt.label(server.depreciation_method)
    if server.depreciation_method == "declining_balance" and server.depreciation_rate is not None:
        method += f" at {fmt.percent(server.depreciation_rate)} a year"
    depreciation = f"{method}, over {fmt.many(server.life_years, 'year')}"
    if server.salvage_value is not None:
        depreciation += f", salvage {money(server.salvage_value)}"
    bookings = ws.pool.bookings(server=server.id)
    today = date.today()
    booked = fmt.MISSING
    for row in bookings.to_dict("records"):
        if _stored_day(row["start"]) <= today < _stored_day(row["end"]):
            booked = f"{row['project']} ({row['kind']}), free from {fmt.day(row['end'])}"
    from workbench import pool as rules

    values = rules.book_values(rules.servers_frame([server]), today)  # no store read
    value_row = values[values["id"] == server.id]
    book_value = (
        f"{money(value_row['book_value'].iloc[0])} today "
        f"({fmt.percent(value_row['fraction_of_life'].iloc[0])} of its life gone)"
        if len(value_row)
        else "– (needs a purchase price and a procurement or warranty start date)"
    )
    lines = [
        ("Id", server.id),
        ("Name", server.server_name),
        ("Status", fmt.label(server.status)),
        ("Booked for", booked),
        ("Condition", fmt.label(server.condition)),
        ("Serial number", server.serial_number or fmt.MISSING),
        ("Asset tag", server.asset_tag or fmt.MISSING),
        ("Location", server.location or fmt.MISSING),
        ("Basket lot", server.lot_code or fmt.MISSING),
        ("Model", " ".join(filter(None, [server.vendor, server.model])) or fmt.MISSING),
        ("CPU", cpu),
        ("Cores", fmt.count(server.cores)),
        ("Memory", fmt.size(None if server.memory_gib is None else server.memory_gib * 1024)),
        ("Procured", fmt.day(server.procurement_date)),
        ("Warranty", f"{fmt.day(server.warranty_start)} to {fmt.day(server.warranty_end)}"),
        ("End of life", fmt.day(server.end_of_life)),
        ("Purchase price", money(server.purchase_price)),
        ("Depreciation", depreciation),
        ("Book value", book_value),
        ("Source", _source(server)),
        ("Updated", fmt.moment(server.updated_at)),
    ]
    for label, value in lines:
        print(f"{label:>14}: {value}")
    print()
    if bookings.empty:
        print("No bookings.")
    else:
        print("Bookings:")
        print(_bookings_table(bookings, with_server=False))
    print()
    if not server.maintenance_history:
        print("No maintenance recorded.")
        return
    print("Maintenance:")
    for entry in server.maintenance_history:
        cost = entry.get("cost")
        cost_text = "" if cost is None else f", cost {money(cost)}"
        by = f" ({entry['by']})" if entry.get("by") else ""
        print(
            f"  {fmt.day(_stored_day(entry.get('date')))}  {entry.get('description')}{cost_text}{by}"
        )


def _server_fields(args: argparse.Namespace) -> dict[str, Any]:
    values = {field: getattr(args, field) for _, field in _SERVER_OPTIONS}
    return {k: v for k, v in values.items() if v is not None}


def cmd_show(args: argparse.Namespace) -> int:
    ws = _open(args)
    _print_server(ws, ws.pool.get(args.server), args.json)
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    ws = _open(args)
    server = ws.pool.add(args.name, by=args.by, **_server_fields(args))
    if not args.json:
        print(f"Added server {server.server_name!r} ({server.id}).")
    _print_server(ws, server, args.json)
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    changes = _server_fields(args)
    if args.new_name is not None:
        changes["server_name"] = args.new_name
    for name in args.clear or []:
        changes[name] = None
    if not changes:
        raise InvalidInputError("Nothing to change: give at least one field option or --clear.")
    ws = _open(args)
    _print_server(ws, ws.pool.update(args.server, by=args.by, **changes), args.json)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    ws = _open(args)
    before = ws.pool.get(args.server)
    server = ws.pool.set_status(before, args.status, args.reason, by=args.by)
    if args.json:
        _dump(_server_json(ws, server))
        return 0
    was = _STATUS_WORDS.get(before.status, before.status)
    now = _STATUS_WORDS.get(server.status, server.status)
    print(f"{server.server_name} was {was} and is now {now}: {args.reason}")
    return 0


def cmd_maintenance(args: argparse.Namespace) -> int:
    ws = _open(args)
    server = ws.pool.add_maintenance(
        args.server, args.description, on=args.on, cost=args.cost, by=args.by
    )
    entry = server.maintenance_history[-1]
    cost = (
        ""
        if entry.get("cost") is None
        else f", cost {fmt.money(entry['cost'], server.currency, 2)}"
    )
    print(
        f"Maintenance recorded for {server.server_name} on "
        f"{fmt.day(_stored_day(entry.get('date')))}{cost}: {entry.get('description')}"
    )
    entries = len(server.maintenance_history)
    print(
        f"It has {fmt.count(entries)} maintenance {'entry' if entries == 1 else 'entries'}; "
        f"its status stays {_STATUS_WORDS.get(server.status, server.status)}."
    )
    return 0


# -- imports -------------------------------------------------------------------------------


def _shown_value(value: Any) -> str:
    from decimal import Decimal

    if fmt.is_missing(value) or value == "":
        return "(blank)"
    if isinstance(value, date):
        return fmt.day(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def _print_diff(diff, source: str, as_json: bool) -> None:
    from workbench.pool import FIELD_LABELS

    if as_json:
        plain = {
            "dry_run": diff.dry_run,
            "added": diff.added,
            "changed": diff.changed,
            "unchanged": diff.unchanged,
            "changes": {
                server: {
                    field: {"before": json_ready(before), "after": json_ready(after)}
                    for field, (before, after) in fields.items()
                }
                for server, fields in diff.changes.items()
            },
            "warnings": diff.warnings,
        }
        _dump(plain)
        return
    head = "Dry run, nothing stored" if diff.dry_run else f"Imported {source}"
    print(f"{head}: {diff.summary()}.")
    if diff.added:
        print(f"\n{'Would add' if diff.dry_run else 'Added'}: {_names(diff.added)}")
    if diff.changed:
        print(f"\n{'Would change' if diff.dry_run else 'Changed'}:")
        for server in diff.changed:
            print(f"  {server}")
            for field, (before, after) in diff.changes.get(server, {}).items():
                label = FIELD_LABELS.get(field, fmt.label(field))
                print(f"    {label}: {_shown_value(before)} -> {_shown_value(after)}")
    if diff.unchanged:
        print(f"\nUnchanged: {_names(diff.unchanged)}")
    for warning in diff.warnings:
        print(f"warning: {warning}")
    if diff.dry_run and (diff.added or diff.changed):
        print("\nRun again without --dry-run to store these changes.")


def cmd_import(args: argparse.Namespace) -> int:
    diff = _open(args).pool.import_file(args.file, dry_run=args.dry_run, by=args.by)
    _print_diff(diff, repr(args.file), args.json)
    return 0


def cmd_import_hosts(args: argparse.Namespace) -> int:
    diff = _open(args).pool.import_hosts(
        args.import_id, location=args.location, dry_run=args.dry_run, by=args.by
    )
    _print_diff(diff, f"the hosts of RVTools import {args.import_id}", args.json)
    return 0


# -- bookings ------------------------------------------------------------------------------


def _booking_state(row: dict[str, Any], today: date) -> str:
    start, end = _stored_day(row["start"]), _stored_day(row["end"])
    if start == end:
        return "cancelled"
    state = "ended" if end <= today else "current" if start <= today else "upcoming"
    return state + (", released" if not fmt.is_missing(row.get("released_at")) else "")


def _bookings_table(frame, *, with_server: bool = True) -> str:
    today = date.today()
    columns = [
        ("id", "Booking", "<", 20),
        *([("server", "Server", "<", 32)] if with_server else []),
        ("project", "Project", "<", 32),
        ("workflow", "Workflow", "<", 24),
        ("kind", "Kind", "<", 11),
        ("start", "Start", "<", 10),
        ("end", "Free from", "<", 10),
        ("state", "State", "<", 17),
        ("notes", "Notes", "<", 30),
    ]
    rows = [
        {
            "id": short_id(row["id"]),
            "server": row["server_name"],
            "project": row["project"],
            "workflow": _text(row["workflow"]),
            "kind": fmt.label(row["kind"]),
            "start": fmt.day(row["start"]),
            "end": fmt.day(row["end"]),
            "state": _booking_state(row, today),
            "notes": _text(row["notes"]),
        }
        for row in frame.to_dict("records")
    ]
    return text_table(rows, columns)


def cmd_allocate(args: argparse.Namespace) -> int:
    from workbench.pool import bookings_frame

    ws = _open(args)
    kind = "reservation" if args.reservation else "allocation"
    made = ws.pool.allocate(
        args.servers,
        args.project,
        args.start,
        args.end,
        workflow=args.workflow,
        notes=args.notes,
        kind=kind,
        by=args.by,
    )
    if args.json:
        _dump([_booking_plain(b) for b in made])
        return 0
    first = made[0]
    verb = "Reserved" if kind == "reservation" else "Allocated"
    print(
        f"{verb} {fmt.many(len(made), 'server')} for {first.project_name!r} from {fmt.day(first.start)} "
        f"until {fmt.day(first.end)} (free again that day)."
    )
    print(_bookings_table(bookings_frame(made)))
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from workbench.projects import parse_date

    ws = _open(args)
    day = parse_date(args.on, "--on") or date.today()
    before = {row["id"]: row for row in ws.pool.bookings().to_dict("records")}
    released = ws.pool.release(args.bookings, on=day, by=args.by)
    if args.json:
        _dump([_booking_plain(b) for b in released])
        return 0
    for booking in released:
        was = before.get(booking.id)
        ended = _stored_day(was["end"]) if was else booking.end
        what = f"{short_id(booking.id)} ({booking.server_name} for {booking.project_name})"
        if ended <= day:
            print(f"{what}: had already ended on {fmt.day(ended)}; left as it was.")
        elif booking.start == booking.end:
            print(f"{what}: cancelled, it had not begun by {fmt.day(day)}.")
        else:
            print(
                f"{what}: released, free from {fmt.day(booking.end)} instead of {fmt.day(ended)}."
            )
    return 0


def cmd_extend(args: argparse.Namespace) -> int:
    ws = _open(args)
    booking = ws.pool.extend(args.booking, args.end, by=args.by)
    if args.json:
        _dump(_booking_plain(booking))
        return 0
    print(
        f"{short_id(booking.id)} ({booking.server_name} for {booking.project_name}): "
        f"{fmt.day(booking.start)} until {fmt.day(booking.end)}, free again that day."
    )
    return 0


def cmd_bookings(args: argparse.Namespace) -> int:
    frame = _open(args).pool.bookings(server=args.server, project=args.project)
    if args.json:
        _dump(json_ready(_bookings_records(frame)))
        return 0
    if frame.empty:
        whose = " of that server" if args.server else ""
        whose += " for that project" if args.project else ""
        print(
            f"No bookings{whose}. Book servers with: workbench pool allocate SERVER... --project P"
        )
        return 0
    print(_bookings_table(frame))
    return 0


# -- availability and forecast -------------------------------------------------------------

_FREE_COLUMNS = [
    ("name", "Server", "<", 32),
    ("model", "Model", "<", 20),
    ("lot", "Lot", "<", 6),
    ("location", "Location", "<", 22),
    ("cores", "Cores", ">", 5),
    ("memory", "RAM GiB", ">", 7),
    ("condition", "Condition", "<", 11),
    ("eol", "End of life", "<", 11),
]


def cmd_availability(args: argparse.Namespace) -> int:
    from workbench.pool import window

    first, last = window(args.start, args.end)
    filters = _filters(args)
    frame = _open(args).pool.availability(first, last, **filters)
    if args.json:
        print(frame_json(frame))
        return 0
    span = f"from {fmt.day(first)} until {fmt.day(last)}"
    if frame.empty:
        limited = " matching those filters" if filters else ""
        print(f"No server{limited} is free for the whole window {span}.")
        return 0
    print(f"{fmt.many(len(frame), 'server')} free for the whole window {span}:")
    rows = [
        {
            "name": row.server_name,
            "model": _text(row.model) or fmt.MISSING,
            "lot": _text(row.lot),
            "location": _text(row.location) or fmt.MISSING,
            "cores": fmt.count(row.cores),
            "memory": _gib(row.memory_gib),
            "condition": fmt.label(row.condition),
            "eol": fmt.day(row.end_of_life),
        }
        for row in frame.itertuples()
    ]
    print(text_table(rows, _FREE_COLUMNS))
    per_model = frame["group"].value_counts().sort_index()
    print(
        "\nPer model: " + ", ".join(f"{model} ({fmt.count(n)})" for model, n in per_model.items())
    )
    return 0


_FORECAST_COLUMNS = [
    ("model", "Model", "<", 24),
    ("week", "Week of", "<", 10),
    ("weeks", "Weeks", ">", 5),
    ("in_stock", "In stock", ">", 8),
    ("allocated", "Allocated", ">", 9),
    ("reserved", "Reserved", ">", 8),
    ("expected_deliveries", "Deliveries", ">", 10),
    ("planned_decommissions", "Decommissions", ">", 13),
    ("available", "Available", ">", 9),
    ("demand", "Demand", ">", 6),
    ("shortfall", "Short", ">", 5),
]
# The weekly figures (every column after model, week and the run's length of weeks).
_FORECAST_FIGURES = tuple(name for name, *_ in _FORECAST_COLUMNS[3:])


def _runs(weeks: list[date]) -> list[tuple[date, date]]:
    """Consecutive Mondays as (first, last) runs."""
    runs: list[tuple[date, date]] = []
    for week in weeks:
        if runs and week - runs[-1][1] == timedelta(weeks=1):
            runs[-1] = (runs[-1][0], week)
        else:
            runs.append((week, week))
    return runs


def _forecast_rows(frame, every_week: bool) -> tuple[list[dict[str, Any]], bool]:
    """Table rows, a model named on its first row only; unless ``every_week``, a run of
    weeks with the same figures is one row (``weeks`` long). Also whether any run merged."""
    rows: list[dict[str, Any]] = []
    merged = False
    for model, part in frame.groupby("model", sort=False):
        previous = None
        for record in part.to_dict("records"):
            figures = tuple(int(record[name]) for name in _FORECAST_FIGURES)
            if not every_week and previous is not None and previous["figures"] == figures:
                previous["weeks"] += 1
                merged = True
                continue
            previous = {"model": model, "week": record["week"], "weeks": 1, "figures": figures}
            rows.append(previous)
    shown, last_model = [], None
    for row in rows:
        shown.append(
            {
                "model": row["model"] if row["model"] != last_model else "",
                "week": fmt.day(row["week"]),
                "weeks": fmt.count(row["weeks"]),
                **{
                    name: fmt.count(v)
                    for name, v in zip(_FORECAST_FIGURES, row["figures"], strict=True)
                },
            }
        )
        last_model = row["model"]
    return shown, merged


def cmd_forecast(args: argparse.Namespace) -> int:
    from workbench.pool import ALL_MODELS, shortfalls

    ws = _open(args)
    frame = ws.pool.forecast(args.weeks, args.start)
    if args.model:
        needle = args.model.casefold()
        models = [m for m in frame["model"].unique() if needle in str(m).casefold()]
        if not models:
            known = ", ".join(m for m in frame["model"].unique() if m != ALL_MODELS)
            raise NotFoundError(
                f"No model in the forecast matches {args.model!r}; models: {known}."
            )
        frame = frame[frame["model"].isin(models)].reset_index(drop=True)
    demand = ws.pool.demand()
    if args.model:
        demand = demand[demand["group"].isin([*models, ALL_MODELS])].reset_index(drop=True)
    short = shortfalls(frame)
    if args.json:
        plain = {
            "start": frame["week"].iloc[0],
            "weeks": args.weeks,
            "forecast": frame.to_dict("records"),
            "shortfalls": short.to_dict("records"),
            "demand": demand.to_dict("records"),
        }
        _dump(json_ready(plain))
        return 0
    weeks = frame["week"].drop_duplicates().tolist()
    print(
        f"Servers per week, {fmt.many(len(weeks), 'week')} from the week of {fmt.day(weeks[0])} "
        f"(available = in stock - allocated - reserved + deliveries - decommissions):"
    )
    rows, merged = _forecast_rows(frame, args.every_week)
    # The Weeks column only means something when a row stands for several weeks.
    columns = [c for c in _FORECAST_COLUMNS if merged or c[0] != "weeks"]
    print(text_table(rows, columns))
    if merged:
        print(
            "A row stands for its number of weeks with the same figures (--every-week lists each)."
        )
    print()
    if short.empty:
        print(
            f"No week is short: the pool covers the known demand in all {fmt.many(len(weeks), 'week')}."
        )
    else:
        print("Short of servers:")
        for model, part in frame[frame["shortfall"] > 0].groupby("model", sort=False):
            mondays = [_stored_day(w) for w in part["week"]]
            spans = ", ".join(
                fmt.day(a) if a == b else f"{fmt.day(a)} to {fmt.day(b)}" for a, b in _runs(mondays)
            )
            print(
                f"  {model}: up to {fmt.many(int(part['shortfall'].max()), 'server')} short in "
                f"{fmt.many(len(mondays), 'week')}, the week{'' if len(mondays) == 1 else 's'} of {spans}"
            )
    if demand.empty:
        print(
            "No demand known: no workflow asks for servers (hardware requirements) and no "
            "project's sizing applies."
        )
        return 0
    print("\nDemand (what workflows need beyond the servers already booked for them):")
    for row in demand.to_dict("records"):
        until = f"until {fmt.day(row['end'])}" if not fmt.is_missing(row["end"]) else "open-ended"
        who = row["project"] + (f" / {row['workflow']}" if _text(row["workflow"]) else "")
        print(
            f"  {who}: {fmt.many(int(row['servers']), 'server')} of {row['group']} from "
            f"{fmt.day(row['start'])} {until} ({row['basis']})"
        )
    return 0


# -- lifecycle -----------------------------------------------------------------------------

_ALERT_COLUMNS = [
    ("name", "Server", "<", 32),
    ("kind", "Alert", "<", 11),
    ("date", "Date", "<", 10),
    ("when", "When", "<", 14),
    ("level", "Level", "<", 15),
    ("location", "Location", "<", 22),
]
_LEVELS = ("expired", "within 30 days", "within 90 days", "within 180 days")


def cmd_alerts(args: argparse.Namespace) -> int:

    day = as_of(args) or date.today()
    frame = _open(args).pool.alerts(day)
    if args.json:
        print(frame_json(frame))
        return 0
    if frame.empty:
        print(f"No warranty or end-of-life alerts on {fmt.day(day)}: nothing ends within 180 days.")
        return 0
    rows = [
        {
            "name": row.server_name,
            "kind": fmt.label(row.kind.replace(" ", "_")),
            "date": fmt.day(row.date),
            "when": _when(int(row.days_left)),
            "level": row.level,
            "location": _text(row.location) or fmt.MISSING,
        }
        for row in frame.itertuples()
    ]
    print(f"Warranty and end-of-life alerts on {fmt.day(day)}:")
    print(text_table(rows, _ALERT_COLUMNS))
    counts = frame["level"].value_counts()
    print(
        "\n"
        + ", ".join(f"{fmt.count(counts[lv])} {lv}" for lv in _LEVELS if counts.get(lv, 0))
        + "."
    )
    return 0


def cmd_book_value(args: argparse.Namespace) -> int:
    from decimal import Decimal

    day = as_of(args) or date.today()
    ws = _open(args)
    if args.by == "server":
        frame = ws.pool.book_values(day)
    else:
        frame = ws.pool.book_value_totals(args.by, day)
    if args.json:
        print(frame_json(frame))
        return 0
    if frame.empty:
        print(
            f"No book values on {fmt.day(day)}: no server with a purchase price had been "
            "bought by then (a procurement or warranty start date on or before that day)."
        )
        return 0

    def money(value: Any, currency: str) -> str:
        return fmt.money(value, currency)

    print(f"Book values on {fmt.day(day)}:")
    if args.by == "server":
        columns = [
            ("name", "Server", "<", 32),
            ("location", "Location", "<", 22),
            ("project", "Booked for", "<", 26),
            ("method", "Method", "<", 17),
            ("price", "Price", ">", 12),
            ("value", "Book value", ">", 12),
            ("life", "Life gone", ">", 9),
        ]
        rows = [
            {
                "name": r["server_name"],
                "location": r["location"],
                "project": _text(r["project"]),
                "method": fmt.label(r["method"]),
                "price": money(r["purchase_price"], r["currency"]),
                "value": money(r["book_value"], r["currency"]),
                "life": fmt.percent(r["fraction_of_life"]),
            }
            for r in frame.to_dict("records")
        ]
    else:
        columns = [
            ("group", "Location" if args.by == "location" else "Project", "<", 32),
            ("servers", "Servers", ">", 7),
            ("price", "Price", ">", 14),
            ("value", "Book value", ">", 14),
            ("depreciated", "Depreciated", ">", 14),
        ]
        rows = [
            {
                "group": r[args.by],
                "servers": fmt.count(r["servers"]),
                "price": money(r["purchase_price"], r["currency"]),
                "value": money(r["book_value"], r["currency"]),
                "depreciated": money(r["accumulated"], r["currency"]),
            }
            for r in frame.to_dict("records")
        ]
    print(text_table(rows, columns))
    for currency in sorted(set(frame["currency"])):
        part = frame[frame["currency"] == currency]
        value = sum(part["book_value"], Decimal(0))
        paid = sum(part["purchase_price"], Decimal(0))
        print(
            f"\nTotal {currency}: book value {money(value, currency)} of {money(paid, currency)} paid."
        )
    return 0


# -- the parser ----------------------------------------------------------------------------


def _server_options(parser: argparse.ArgumentParser) -> None:
    for option, field in _SERVER_OPTIONS:
        parser.add_argument(option, dest=field, help=_SERVER_HELP.get(option))
    parser.add_argument("--by", help="who makes the change (default: the user running this)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="part of the model or lot code (any case)")
    parser.add_argument("--lot", help="part of the basket lot code (any case)")
    parser.add_argument("--location", help="the location, exactly (any case)")
    parser.add_argument("--condition", help="new, good, fair or end_of_life")
    parser.add_argument("--min-cores", type=int, metavar="N", help="at least N cores per server")
    parser.add_argument(
        "--min-memory-gib", type=float, metavar="GIB", help="at least this much memory per server"
    )


def register(commands: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
    group = commands.add_parser(
        "pool", help="the hardware pool: servers, bookings, availability, forecast"
    ).add_subparsers(dest="action", required=True, metavar="ACTION")

    listing = group.add_parser("list", help="the servers, with their status today")
    _filter_options(listing)
    listing.add_argument(
        "--status",
        action="append",
        help="available, reserved, allocated, maintenance or decommissioned (repeat for several)",
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_list)

    show = group.add_parser("show", help="one server: details, bookings, maintenance")
    show.add_argument("server", help="name, serial number, asset tag or server_inventory:<id>")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=cmd_show)

    add = group.add_parser("add", help="add a server to the pool")
    add.add_argument("name", help="server name (unique, any case)")
    _server_options(add)
    add.set_defaults(func=cmd_add)

    update = group.add_parser("update", help="change a server's fields")
    update.add_argument("server", help="name, serial number, asset tag or server_inventory:<id>")
    update.add_argument("--name", dest="new_name", help="new name")
    _server_options(update)
    update.add_argument(
        "--clear", action="append", choices=_CLEARABLE, help="clear an optional field"
    )
    update.set_defaults(func=cmd_update)

    imported = group.add_parser(
        "import", help="add or update servers from a CSV or .xlsx inventory file"
    )
    imported.add_argument("file", help="one server per row; columns named as the fields of add")
    imported.add_argument(
        "--dry-run", action="store_true", help="show what would change, store nothing"
    )
    imported.add_argument("--by", help="who imports it (kept in the journal)")
    imported.add_argument("--json", action="store_true", help="print JSON")
    imported.set_defaults(func=cmd_import)

    hosts = group.add_parser(
        "import-hosts", help="add the ESXi hosts of a stored RVTools import to the pool"
    )
    hosts.add_argument("import_id", help="the RVTools import's id")
    hosts.add_argument("--location", help="location for every host (default: its cluster)")
    hosts.add_argument(
        "--dry-run", action="store_true", help="show what would change, store nothing"
    )
    hosts.add_argument("--by", help="who imports them (kept in the journal)")
    hosts.add_argument("--json", action="store_true", help="print JSON")
    hosts.set_defaults(func=cmd_import_hosts)

    allocate = group.add_parser(
        "allocate", help="book servers for a project (all or none; a clash books nothing)"
    )
    allocate.add_argument("servers", nargs="+", metavar="SERVER", help="name, serial, tag or id")
    allocate.add_argument("--project", required=True, help="project name, or project:<id>")
    allocate.add_argument("--start", required=True, metavar="YYYY-MM-DD", help="first day booked")
    allocate.add_argument(
        "--end", required=True, metavar="YYYY-MM-DD", help="first day free again (exclusive)"
    )
    allocate.add_argument("--workflow", help="the project's workflow that uses them")
    allocate.add_argument(
        "--reservation",
        action="store_true",
        help="reserve (held, not yet in use) rather than allocate",
    )
    allocate.add_argument("--notes")
    allocate.add_argument("--by", help="who books them (default: the user running this)")
    allocate.add_argument("--json", action="store_true", help="print JSON")
    allocate.set_defaults(func=cmd_allocate)

    release = group.add_parser(
        "release", help="end bookings early (one not begun yet is cancelled)"
    )
    release.add_argument("bookings", nargs="+", metavar="BOOKING", help="booking id")
    release.add_argument(
        "--on", metavar="YYYY-MM-DD", help="first day the servers are free (default: today)"
    )
    release.add_argument("--by", help="who releases them")
    release.add_argument("--json", action="store_true", help="print JSON")
    release.set_defaults(func=cmd_release)

    extend = group.add_parser("extend", help="move a booking's end (a clash changes nothing)")
    extend.add_argument("booking", help="booking id")
    extend.add_argument(
        "--end", required=True, metavar="YYYY-MM-DD", help="new first day free again"
    )
    extend.add_argument("--by", help="who changes it")
    extend.add_argument("--json", action="store_true", help="print JSON")
    extend.set_defaults(func=cmd_extend)

    bookings = group.add_parser("bookings", help="bookings, all or of a server or project")
    bookings.add_argument("--server", help="name, serial number, asset tag or id")
    bookings.add_argument("--project", help="project name, or project:<id>")
    bookings.add_argument("--json", action="store_true", help="print JSON")
    bookings.set_defaults(func=cmd_bookings)

    free = group.add_parser("availability", help="servers free for a whole window")
    free.add_argument("--start", required=True, metavar="YYYY-MM-DD", help="first day needed")
    free.add_argument(
        "--end", required=True, metavar="YYYY-MM-DD", help="first day no longer needed"
    )
    _filter_options(free)
    free.add_argument("--json", action="store_true", help="print JSON")
    free.set_defaults(func=cmd_availability)

    forecast = group.add_parser(
        "forecast", help="servers per week and model against the projects' demand"
    )
    forecast.add_argument("--weeks", type=int, default=26, help="how many weeks (default 26)")
    forecast.add_argument(
        "--start", metavar="YYYY-MM-DD", help="a day of the first week (default: today)"
    )
    forecast.add_argument("--model", help="only models containing this text (any case)")
    forecast.add_argument(
        "--every-week", action="store_true", help="one row per week, even when nothing changes"
    )
    forecast.add_argument("--json", action="store_true", help="print JSON")
    forecast.set_defaults(func=cmd_forecast)

    alerts = group.add_parser(
        "alerts", help="warranty and end-of-life dates within 180 days or passed"
    )
    alerts.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day to judge (default: today)")
    alerts.add_argument("--json", action="store_true", help="print JSON")
    alerts.set_defaults(func=cmd_alerts)

    value = group.add_parser("book-value", help="book values of the priced servers")
    value.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day to value (default: today)")
    value.add_argument(
        "--by",
        choices=("server", "location", "project"),
        default="server",
        help="one row per server (default), or totals per location or project",
    )
    value.add_argument("--json", action="store_true", help="print JSON")
    value.set_defaults(func=cmd_book_value)

    status = group.add_parser(
        "status", help="take a server to maintenance, back to available, or decommission it"
    )
    status.add_argument("server", help="name, serial number, asset tag or server_inventory:<id>")
    status.add_argument("status", help="available, maintenance or decommissioned")
    status.add_argument("--reason", required=True, help="why (kept in the journal)")
    status.add_argument("--by", help="who changes it")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=cmd_status)

    maintenance = group.add_parser("maintenance", help="record maintenance done on a server")
    maintenance.add_argument(
        "server", help="name, serial number, asset tag or server_inventory:<id>"
    )
    maintenance.add_argument("description", help="what was done")
    maintenance.add_argument("--on", metavar="YYYY-MM-DD", help="when (default: today)")
    maintenance.add_argument("--cost", help="in the server's currency")
    maintenance.add_argument("--by", help="who did or recorded it")
    maintenance.set_defaults(func=cmd_maintenance)
