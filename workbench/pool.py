"""The hardware pool's rules: servers, bookings, procurement, availability and the forecast.

Pure functions over plain values and DataFrames; ``workbench.api.pool`` reads and writes the
records. Dates are calendar days; a booking holds a server over the half-open window
[start, end): it ends the moment ``end`` begins, so a booking may start on the day another
ends. Money is :class:`decimal.Decimal` in USD or EUR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from workbench import lifecycle
from workbench.errors import InvalidInputError
from workbench.projects import parse_date, stored_date
from workbench.text import clean_text

STATUSES = ("available", "reserved", "allocated", "maintenance", "decommissioned")
BOOKED_STATUS = {"allocation": "allocated", "reservation": "reserved"}
"""The status a booking covering today gives its server."""
MANUAL_STATUSES = ("available", "maintenance", "decommissioned")
"""Statuses set by hand; 'reserved' and 'allocated' follow the bookings."""
TRANSITIONS = {
    "available": ("maintenance", "decommissioned"),
    "reserved": ("maintenance", "decommissioned"),
    "allocated": ("maintenance", "decommissioned"),
    "maintenance": ("available", "decommissioned"),
    "decommissioned": (),
}
"""Status changes made by hand, from -> allowed targets; each needs a reason."""
CONDITIONS = ("new", "good", "fair", "end_of_life")
BOOKING_KINDS = ("allocation", "reservation")
CURRENCIES = ("USD", "EUR")

PROCUREMENT_STATUSES = ("requested", "approved", "ordered", "delivered", "cancelled")
PROCUREMENT_TRANSITIONS = {
    "requested": ("approved", "cancelled"),
    "approved": ("ordered", "cancelled"),
    "ordered": ("delivered", "cancelled"),
    "delivered": (),
    "cancelled": (),
}
"""Procurement request status changes; 'delivered' is reached when every line is."""
EXPECTED_STATUSES = ("approved", "ordered")
"""Requests whose outstanding servers the forecast counts as expected deliveries."""

SPEC_FIELDS = ("vendor", "model", "cpu_model", "sockets", "cores", "memory_gib")
"""Kept in ``specifications``; ``cores`` are per server, ``memory_gib`` GiB per server."""
DATE_FIELDS = ("procurement_date", "warranty_start", "warranty_end", "end_of_life")
MONEY_FIELDS = ("purchase_price", "salvage_value")
SERVER_FIELDS = (
    "server_name",
    "serial_number",
    "asset_tag",
    "hardware_model_id",
    "location",
    "condition",
    *DATE_FIELDS,
    *MONEY_FIELDS,
    "currency",
    "life_years",
    "depreciation_method",
    "depreciation_rate",
    *SPEC_FIELDS,
)
"""What a server is given by (the columns of an inventory file, in this order)."""
FIELD_LABELS = {
    "server_name": "Server name",
    "serial_number": "Serial number",
    "asset_tag": "Asset tag",
    "hardware_model_id": "Basket lot",
    "location": "Location",
    "condition": "Condition",
    "procurement_date": "Procurement date",
    "warranty_start": "Warranty start",
    "warranty_end": "Warranty end",
    "end_of_life": "End of life",
    "purchase_price": "Purchase price",
    "salvage_value": "Salvage value",
    "currency": "Currency",
    "life_years": "Life (years)",
    "depreciation_method": "Depreciation method",
    "depreciation_rate": "Depreciation rate",
    "vendor": "Vendor",
    "model": "Model",
    "cpu_model": "CPU model",
    "sockets": "Sockets",
    "cores": "Cores",
    "memory_gib": "Memory (GiB)",
}
ALL_MODELS = "All models"


def _text(value: Any, name: str, *, required: bool = False, max_length: int = 200) -> str | None:
    return clean_text(value, FIELD_LABELS.get(name, name), required=required, max_length=max_length)


def _choice(value: Any, choices: tuple[str, ...], name: str) -> str:
    text = _text(value, name, required=True)
    folded = text.strip().lower().replace(" ", "_")
    if folded not in choices:
        raise InvalidInputError(
            f"{FIELD_LABELS.get(name, name)} must be one of {', '.join(choices)}; got {text!r}."
        )
    return folded


def money(value: Any, name: str) -> Decimal | None:
    """An amount from 0, or None for a blank; :class:`InvalidInputError` otherwise."""
    if _blank(value):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except ArithmeticError:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise InvalidInputError(
            f"{FIELD_LABELS.get(name, name)} must be an amount from 0; got {value!r}."
        )
    return amount


def whole(value: Any, name: str, lowest: int = 0, highest: int | None = None) -> int | None:
    """A whole number in range, or None for a blank."""
    if _blank(value):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        number = float("nan")
    if (
        number != number
        or number != int(number)
        or number < lowest
        or (highest is not None and number > highest)
    ):
        bound = f"from {lowest}" + (f" to {highest}" if highest is not None else "")
        raise InvalidInputError(
            f"{FIELD_LABELS.get(name, name)} must be a whole number {bound}; got {value!r}."
        )
    return int(number)


def _number(value: Any, name: str) -> float | None:
    if _blank(value):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        number = float("nan")
    if number != number or number < 0 or number in (float("inf"),):
        raise InvalidInputError(
            f"{FIELD_LABELS.get(name, name)} must be a number from 0; got {value!r}."
        )
    return number


def _blank(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def validate_server(values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Checked server fields, ready to store (specs nested under ``specifications``).

    Parameters
    ----------
    values : dict
        Any of :data:`SERVER_FIELDS`; ``server_name`` is required unless ``partial``.
        ``hardware_model_id`` is passed through (the caller resolves it to a lot).
    partial : bool
        A change to a stored server: only the fields given are checked and returned; a
        blank clears an optional field (returned as None).

    Raises
    ------
    InvalidInputError
        An unknown field or a value breaking its rule, named in words.
    """
    unknown = sorted(set(values) - set(SERVER_FIELDS) - {"specifications", "status"})
    if unknown:
        raise InvalidInputError(
            f"Unknown server field(s): {', '.join(unknown)}. Known: {', '.join(SERVER_FIELDS)}."
        )
    if "status" in values:
        raise InvalidInputError(
            "A server's status changes with set_status (with a reason) or follows its bookings."
        )
    out: dict[str, Any] = {}
    given = set(values) if partial else set(SERVER_FIELDS)
    for name in given:
        value = values.get(name)
        if name == "server_name":
            out[name] = _text(value, name, required=True)
        elif name in ("serial_number", "asset_tag", "location"):
            out[name] = _text(value, name)
        elif name == "hardware_model_id":
            out[name] = None if _blank(value) else value
        elif name == "condition":
            out[name] = None if _blank(value) else _choice(value, CONDITIONS, name)
        elif name in DATE_FIELDS:
            out[name] = parse_date(value, name)
        elif name in MONEY_FIELDS:
            out[name] = money(value, name)
        elif name == "currency":
            # The choices are upper case; _choice compares lower case.
            out[name] = (
                None
                if _blank(value)
                else _choice(value, tuple(c.lower() for c in CURRENCIES), name).upper()
            )
        elif name == "life_years":
            out[name] = whole(value, name, 1, 50)
        elif name == "depreciation_method":
            out[name] = None if _blank(value) else _choice(value, lifecycle.METHODS, name)
        elif name == "depreciation_rate":
            rate = _number(value, name)
            if rate is not None and not 0 < rate <= 1:
                raise InvalidInputError(
                    f"Depreciation rate must be above 0 and at most 1; got {value!r}."
                )
            out[name] = None if rate is None else Decimal(str(rate))
        elif name in ("sockets", "cores"):
            out[name] = whole(value, name, 0, 100_000)
        elif name == "memory_gib":
            out[name] = _number(value, name)
        else:
            out[name] = _text(value, name)
    if not partial:
        for name, default in (("condition", "new"), ("currency", "USD"), ("life_years", 5)):
            if out.get(name) is None:
                out[name] = default
        if out.get("depreciation_method") is None:
            out["depreciation_method"] = "straight_line"
    ws, we = out.get("warranty_start"), out.get("warranty_end")
    if ws and we and we < ws:
        raise InvalidInputError(f"Warranty end ({we}) is before its start ({ws}).")
    specs = {k: out.pop(k) for k in SPEC_FIELDS if k in out}
    if specs:
        out["specifications"] = specs
    return out


_MAKER_WORDS = re.compile(
    r"\b(dell|inc|emc|poweredge|lenovo|thinksystem|thinkagile|hpe|hp|proliant|cisco|ucs|"
    r"supermicro|fujitsu|primergy|server)\b"
)


def model_key(model: Any) -> str:
    """A server model reduced to what identifies it across sources: "PowerEdge R660",
    "R660" and "Dell R660" give "r660"; "R760 vSAN Ready Node" and "R760 VSAN RN" give
    "r760 vsan rn". Empty text for a blank."""
    if _blank(model):
        return ""
    text = str(model).lower().replace("ready node", "rn").replace("readynode", "rn")
    text = _MAKER_WORDS.sub(" ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def is_virtual_host(vendor: Any, model: Any) -> bool:
    """True for an ESXi host that is itself a virtual machine (a nested host or a vSAN
    witness appliance): VMware's own vendor or "Virtual Platform" as its model."""
    text = f"{'' if _blank(vendor) else vendor} {'' if _blank(model) else model}".lower()
    return "vmware, inc" in text or "virtual platform" in text or "vmware7,1" in text


def check_status_change(current: str, target: str, reason: Any) -> tuple[str, str]:
    """``(target, reason)`` when the hand-made change is allowed by :data:`TRANSITIONS`.

    Raises
    ------
    InvalidInputError
        Unknown status, a change the table does not allow, or no reason given.
    """
    target = _choice(target, STATUSES, "status")
    if target not in MANUAL_STATUSES:
        raise InvalidInputError(
            f"A server becomes {target!r} through a booking (allocate), not by hand."
        )
    if target == current:
        raise InvalidInputError(f"The server is {current} already.")
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(TRANSITIONS[current]) or "nothing: it is final"
        raise InvalidInputError(
            f"A server that is {current} cannot become {target} (allowed: {allowed})."
        )
    why = clean_text(reason, "reason", required=False, max_length=500)
    if not why:
        raise InvalidInputError("Say why the status changes (a reason is required).")
    return target, why


def window(start: Any, end: Any) -> tuple[date, date]:
    """A booking window [start, end) of calendar days; start must be before end."""
    first = parse_date(start, "start")
    last = parse_date(end, "end")
    if first is None or last is None:
        raise InvalidInputError("A booking needs a start and an end date.")
    if last <= first:
        raise InvalidInputError(
            f"A booking ends after it starts: the window is [start, end), got {first} to {last}."
        )
    return first, last


def check_procurement_change(current: str, target: str) -> None:
    """:class:`InvalidInputError` unless :data:`PROCUREMENT_TRANSITIONS` allows it."""
    if target not in PROCUREMENT_TRANSITIONS[current]:
        allowed = ", ".join(PROCUREMENT_TRANSITIONS[current]) or "nothing: it is final"
        raise InvalidInputError(
            f"A request that is {current} cannot become {target} (allowed next: {allowed})."
        )


@dataclass(frozen=True)
class ItemLine:
    """One line of a procurement request."""

    description: str
    quantity: int
    unit_price: Decimal | None = None
    lot: str | None = None
    model: str | None = None
    vendor: str | None = None
    delivered: int = 0

    @property
    def outstanding(self) -> int:
        return self.quantity - self.delivered

    def to_record(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "quantity": self.quantity,
            "unit_price": self.unit_price,
            "lot": self.lot,
            "model": self.model,
            "vendor": self.vendor,
            "delivered": self.delivered,
        }


def item_lines(items: Any) -> list[ItemLine]:
    """Checked request lines from dicts with ``description`` or ``model``, ``quantity``
    (whole, from 1) and optional ``unit_price``, ``lot`` (a hardware_lot id), ``vendor``.

    Raises
    ------
    InvalidInputError
        No line, or a line breaking a rule (its number is given).
    """
    if isinstance(items, dict):
        items = [items]
    if not items:
        raise InvalidInputError("A procurement request needs at least one line (what to buy).")
    lines = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidInputError(f"Line {number} must be a mapping; got {item!r}.")
        unknown = set(item) - {
            "description",
            "quantity",
            "unit_price",
            "lot",
            "model",
            "vendor",
            "delivered",
        }
        if unknown:
            raise InvalidInputError(
                f"Line {number}: unknown field(s) {', '.join(sorted(unknown))}."
            )
        model = clean_text(item.get("model"), f"line {number} model", required=False)
        description = clean_text(
            item.get("description") or model,
            f"line {number} description",
            required=True,
            max_length=300,
        )
        quantity = whole(item.get("quantity"), "quantity", 1, 10_000)
        if quantity is None:
            raise InvalidInputError(f"Line {number} needs a quantity (a whole number from 1).")
        lines.append(
            ItemLine(
                description=description,
                quantity=quantity,
                unit_price=money(item.get("unit_price"), "unit price"),
                lot=None if _blank(item.get("lot")) else str(item["lot"]),
                model=model,
                vendor=clean_text(item.get("vendor"), f"line {number} vendor", required=False),
                delivered=whole(item.get("delivered"), "delivered", 0, quantity) or 0,
            )
        )
    return lines


def lines_from_record(items: list[dict[str, Any]]) -> list[ItemLine]:
    """Stored lines back as :class:`ItemLine` (trusted: written by :func:`item_lines`)."""
    return [
        ItemLine(
            description=i.get("description") or "",
            quantity=int(i.get("quantity") or 0),
            unit_price=None if i.get("unit_price") is None else Decimal(str(i["unit_price"])),
            lot=i.get("lot"),
            model=i.get("model"),
            vendor=i.get("vendor"),
            delivered=int(i.get("delivered") or 0),
        )
        for i in items
    ]


def total_cost(lines: list[ItemLine]) -> Decimal | None:
    """The sum of quantity x unit price, or None when a line has no price."""
    if any(line.unit_price is None for line in lines):
        return None
    return sum((line.unit_price * line.quantity for line in lines), Decimal(0))


# -- availability and forecast -------------------------------------------------------------


def _days(series: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 as int64 (NaT as a very large number)."""
    values = pd.to_datetime(series, utc=True, errors="coerce")
    days = (values.dt.tz_localize(None).values.astype("datetime64[D]")).astype("int64")
    days[values.isna().to_numpy()] = np.iinfo(np.int64).max // 2
    return days


def _day_number(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def filter_servers(servers: pd.DataFrame, **filters: Any) -> pd.DataFrame:
    """Servers matching ``model`` (lot or model, case-insensitive substring), ``location``,
    ``condition``, ``min_cores``, ``min_memory_gib``, ``status``.

    Raises
    ------
    InvalidInputError
        An unknown filter.
    """
    known = {"model", "location", "condition", "min_cores", "min_memory_gib", "status", "lot"}
    unknown = sorted(set(filters) - known)
    if unknown:
        raise InvalidInputError(
            f"Unknown filter(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}."
        )
    keep = np.ones(len(servers), dtype=bool)
    for name in ("model", "lot"):
        if filters.get(name):
            needle = str(filters[name]).casefold()
            text = (servers["model"].fillna("") + " " + servers["lot"].fillna("")).str.casefold()
            keep &= text.str.contains(needle, regex=False).to_numpy()
    for name in ("location", "condition", "status"):
        if filters.get(name):
            wanted = filters[name]
            wanted = {wanted} if isinstance(wanted, str) else set(wanted)
            folded = {str(w).casefold() for w in wanted}
            keep &= servers[name].fillna("").str.casefold().isin(folded).to_numpy()
    if filters.get("min_cores") is not None:
        keep &= (servers["cores"].fillna(0) >= float(filters["min_cores"])).to_numpy()
    if filters.get("min_memory_gib") is not None:
        keep &= (servers["memory_gib"].fillna(0) >= float(filters["min_memory_gib"])).to_numpy()
    return servers[keep]


def free_servers(
    servers: pd.DataFrame, bookings: pd.DataFrame, start: date, end: date, **filters: Any
) -> pd.DataFrame:
    """Servers free for the whole window [start, end): in service, not decommissioned or in
    maintenance, bought by its start, past no end of life inside it, and without a booking
    overlapping it.

    Parameters
    ----------
    servers : pandas.DataFrame
        :func:`servers_frame` columns.
    bookings : pandas.DataFrame
        :func:`bookings_frame` columns.
    """
    first, last = window(start, end)
    candidates = servers[~servers["status"].isin(["decommissioned", "maintenance"])]
    eol = _days(candidates["end_of_life"])
    candidates = candidates[eol >= _day_number(last)]
    # A server bought after the window starts was not there for all of it.
    bought = _days(candidates["procurement_date"])
    candidates = candidates[(bought <= _day_number(first)) | (bought > 10**12)]
    candidates = filter_servers(candidates, **filters)
    if len(bookings):
        b_start, b_end = _days(bookings["start"]), _days(bookings["end"])
        # A booking released before it began keeps an empty window: it holds nothing.
        clash = (b_start < _day_number(last)) & (b_end > _day_number(first)) & (b_end > b_start)
        busy = set(bookings["server_id"].to_numpy()[clash])
        candidates = candidates[~candidates["id"].isin(busy)]
    return candidates.reset_index(drop=True)


def week_starts(start: date, weeks: int) -> list[date]:
    """Mondays from the week holding ``start``."""
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= 520:
        raise InvalidInputError(f"Weeks must be a whole number from 1 to 520; got {weeks!r}.")
    monday = start - timedelta(days=start.weekday())
    return [monday + timedelta(weeks=i) for i in range(weeks)]


FORECAST_COLUMNS = [
    "week",
    "model",
    "in_stock",
    "allocated",
    "reserved",
    "expected_deliveries",
    "planned_decommissions",
    "available",
    "demand",
    "shortfall",
]


def forecast(
    servers: pd.DataFrame,
    bookings: pd.DataFrame,
    deliveries: pd.DataFrame,
    demand: pd.DataFrame,
    start: date,
    weeks: int,
) -> pd.DataFrame:
    """Weekly supply against demand, per model and for all models together.

    For each week (Monday to Sunday) and model: ``available = in_stock - allocated -
    reserved + expected_deliveries - planned_decommissions``, where ``in_stock`` counts the
    servers in service today (not decommissioned nor in maintenance) from the week they were
    bought, ``allocated`` / ``reserved`` those with an
    allocation / a reservation (and no allocation) touching the week, ``expected_deliveries``
    the servers of approved or ordered requests expected by the week's end and not delivered
    yet, ``planned_decommissions`` the servers whose end of life falls on or before the
    week's start. ``demand`` is what workflows need that week beyond the servers already
    booked for them (:func:`demand_frame`);
    ``shortfall`` = max(0, demand - available).

    Parameters
    ----------
    servers : pandas.DataFrame
        :func:`servers_frame` columns (``id``, ``group``, ``status``, ``end_of_life``).
    bookings : pandas.DataFrame
        ``server_id``, ``kind``, ``start``, ``end``.
    deliveries : pandas.DataFrame
        ``group``, ``expected``, ``quantity`` (servers still to come).
    demand : pandas.DataFrame
        ``group`` (a model, or :data:`ALL_MODELS` when any model will do), ``start``,
        ``end`` (exclusive; NaT = open), ``servers``.

    Returns
    -------
    pandas.DataFrame
        :data:`FORECAST_COLUMNS`, one row per week and model (counts of servers), the model
        :data:`ALL_MODELS` summing every model.
    """
    mondays = week_starts(start, weeks)
    first = _day_number(mondays[0])
    n = len(mondays)
    held = servers[~servers["status"].isin(["decommissioned", "maintenance"])].reset_index(
        drop=True
    )
    groups = sorted(
        set(held["group"])
        .union(deliveries["group"] if len(deliveries) else ())
        .union(g for g in (demand["group"] if len(demand) else ()) if g != ALL_MODELS)
    )
    index = {g: i for i, g in enumerate(groups)}
    g_count = len(groups)
    in_stock = np.zeros((g_count, n), dtype=np.int64)
    allocated = np.zeros((g_count, n), dtype=np.int64)
    reserved = np.zeros((g_count, n), dtype=np.int64)
    arriving = np.zeros((g_count, n), dtype=np.int64)
    leaving = np.zeros((g_count, n), dtype=np.int64)
    wanted = np.zeros((g_count + 1, n), dtype=np.int64)

    server_group = held["group"].map(index).to_numpy(dtype=np.int64)
    # In stock from the week it was bought (by that week's end, as deliveries count); a
    # server without a procurement date counts from the first week.
    bought = _days(held["procurement_date"]) if "procurement_date" in held else None
    if bought is None:
        np.add.at(in_stock, (server_group, slice(None)), 1)
    else:
        arrive_week = np.where(
            bought > 10**12, 0, np.floor((bought - first) / 7).clip(0, n)
        ).astype(np.int64)
        arrive_at = np.zeros((g_count, n + 1), dtype=np.int64)
        np.add.at(arrive_at, (server_group, arrive_week), 1)
        in_stock = np.cumsum(arrive_at, axis=1)[:, :n]
    # End of life on or before a week's Monday: gone from that week on.
    eol_week = np.ceil((_days(held["end_of_life"]) - first) / 7).clip(0, n).astype(np.int64)
    leaving_at = np.zeros((g_count, n + 1), dtype=np.int64)
    np.add.at(leaving_at, (server_group, eol_week), 1)
    leaving = np.cumsum(leaving_at, axis=1)[:, :n]

    # Per server and week: 2 = an allocation touches it, 1 = a reservation (and no allocation).
    if len(bookings) and len(held):
        position = pd.Series(np.arange(len(held)), index=held["id"])
        rows = bookings[bookings["server_id"].isin(position.index)]
        rows = rows[_days(rows["end"]) > _days(rows["start"])]  # an empty window holds nothing
        where = position.loc[rows["server_id"]].to_numpy()
        b_first = np.floor((_days(rows["start"]) - first) / 7).astype(np.int64)
        b_last = np.floor((_days(rows["end"]) - 1 - first) / 7).astype(np.int64)
        level = np.where(rows["kind"].to_numpy() == "allocation", 2, 1).astype(np.int8)
        state = np.zeros((len(held), n), dtype=np.int8)
        live = (b_last >= 0) & (b_first < n) & (b_last >= b_first)
        for s, a, b, v in zip(
            where[live],
            b_first[live].clip(0),
            b_last[live].clip(None, n - 1),
            level[live],
            strict=True,
        ):
            row = state[s, a : b + 1]
            np.maximum(row, v, out=row)
        for value, target in ((2, allocated), (1, reserved)):
            counts = (state == value).astype(np.int64)
            np.add.at(target, (server_group, slice(None)), counts)
    if len(deliveries):
        due = np.ceil((_days(deliveries["expected"]) - first - 6) / 7).clip(0, n).astype(np.int64)
        arrive_at = np.zeros((g_count, n + 1), dtype=np.int64)
        np.add.at(
            arrive_at,
            (deliveries["group"].map(index).to_numpy(dtype=np.int64), due),
            deliveries["quantity"].to_numpy(dtype=np.int64),
        )
        arriving = np.cumsum(arrive_at, axis=1)[:, :n]
    if len(demand):
        d_group = (
            demand["group"]
            .map(lambda g: g_count if g == ALL_MODELS else index[g])
            .to_numpy(dtype=np.int64)
        )
        d_first = np.floor((_days(demand["start"]) - first) / 7).clip(0, n).astype(np.int64)
        d_end = _days(demand["end"])
        d_last = (
            np.where(d_end > 10**12, n, np.floor((d_end - 1 - first) / 7) + 1)
            .clip(0, n)
            .astype(np.int64)
        )
        change = np.zeros((g_count + 1, n + 1), dtype=np.int64)
        amount = demand["servers"].to_numpy(dtype=np.int64)
        np.add.at(change, (d_group, d_first), amount)
        np.add.at(change, (d_group, np.maximum(d_last, d_first)), -amount)
        wanted = np.cumsum(change, axis=1)[:, :n]
    available = in_stock - allocated - reserved + arriving - leaving
    totals = [a.sum(axis=0) for a in (in_stock, allocated, reserved, arriving, leaving, available)]
    # Demand for a model also draws on the total; demand for any model only on the total.
    total_demand = wanted[:g_count].sum(axis=0) + wanted[g_count]
    frames = []
    for g, name in enumerate([*groups, ALL_MODELS]):
        if g < g_count:
            parts = (
                in_stock[g],
                allocated[g],
                reserved[g],
                arriving[g],
                leaving[g],
                available[g],
                wanted[g],
            )
        else:
            parts = (*totals, total_demand)
        frames.append(
            pd.DataFrame(
                {
                    "week": mondays,
                    "model": name,
                    "in_stock": parts[0],
                    "allocated": parts[1],
                    "reserved": parts[2],
                    "expected_deliveries": parts[3],
                    "planned_decommissions": parts[4],
                    "available": parts[5],
                    "demand": parts[6],
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["shortfall"] = (out["demand"] - out["available"]).clip(lower=0)
    return out[FORECAST_COLUMNS]


def shortfalls(forecast_frame: pd.DataFrame) -> pd.DataFrame:
    """Per model with a shortfall: the week it starts and the largest one.

    Returns
    -------
    pandas.DataFrame
        ``model``, ``first_week``, ``largest`` (servers), ``weeks_short``.
    """
    short = forecast_frame[forecast_frame["shortfall"] > 0]
    if short.empty:
        return pd.DataFrame(columns=["model", "first_week", "largest", "weeks_short"])
    grouped = short.groupby("model", sort=False)
    out = pd.DataFrame(
        {
            "first_week": grouped["week"].min(),
            "largest": grouped["shortfall"].max(),
            "weeks_short": grouped["week"].count(),
        }
    ).reset_index()
    return out.sort_values(["first_week", "model"]).reset_index(drop=True)


@dataclass(frozen=True)
class DemandSource:
    """One workflow's need of servers (see :func:`workflow_demand`)."""

    project: str
    workflow: str | None
    group: str
    servers: int
    start: date
    end: date | None
    basis: str


def workflow_demand(
    workflow: dict[str, Any], project_name: str, project_end: date | None, booked: int = 0
) -> DemandSource | None:
    """What a workflow still needs, from its ``hardware_requirements``.

    ``servers`` (with ``model`` or ``lot`` naming what kind, else any model) counts as
    asked; a migration wave's ``hosts_needed`` counts too; the ``booked`` servers already
    booked for the workflow are taken off. Servers are needed from the workflow's start
    until the project's end (they stay in use), or open when the project has no end.
    """
    needs = workflow.get("hardware_requirements") or {}
    count, basis = needs.get("servers"), "servers asked"
    if not count:
        count, basis = needs.get("hosts_needed"), "hosts the wave needs"
    try:
        count = int(count or 0)
    except (TypeError, ValueError):
        return None
    start = stored_date(workflow.get("start_date"))
    count -= max(0, int(booked))
    if count <= 0 or start is None or workflow.get("status") == "cancelled":
        return None
    group = needs.get("model") or needs.get("lot") or ALL_MODELS
    return DemandSource(
        project=project_name,
        workflow=workflow.get("name"),
        group=str(group),
        servers=count,
        start=start,
        end=project_end,
        basis=basis,
    )


def demand_frame(sources: list[DemandSource]) -> pd.DataFrame:
    """Demand sources as the frame :func:`forecast` takes.

    Returns
    -------
    pandas.DataFrame
        ``project``, ``workflow``, ``group``, ``servers``, ``start``, ``end``, ``basis``.
    """
    columns = ["project", "workflow", "group", "servers", "start", "end", "basis"]
    frame = pd.DataFrame([s.__dict__ for s in sources], columns=columns)
    for name in ("start", "end"):
        frame[name] = pd.to_datetime(frame[name])
    frame["servers"] = frame["servers"].astype("int64")
    return frame


# -- book value ----------------------------------------------------------------------------


def book_values(servers: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Each priced server's book value on ``as_of`` (:func:`workbench.lifecycle.book_value`,
    from its procurement date, or its warranty start when that is missing).

    Returns
    -------
    pandas.DataFrame
        ``id``, ``server_name``, ``location``, ``project`` (its booking that day),
        ``currency``, ``purchase_price``, ``book_value``, ``accumulated``, ``method``,
        ``fraction_of_life``. Servers without a price or a start date, or bought after ``as_of``, are left out.
    """
    rows = []
    for record in servers.to_dict("records"):
        price = record.get("purchase_price")
        start = record.get("procurement_date")
        if _blank(start):
            start = record.get("warranty_start")
        if _blank(price) or _blank(start):
            continue
        start = start.date() if isinstance(start, datetime) else start
        if start > as_of:  # not bought yet on that day: no part of the books
            continue
        rate = record.get("depreciation_rate")
        method = record.get("depreciation_method") or "straight_line"
        value = lifecycle.book_value(
            price,
            start,
            as_of,
            life_years=int(record.get("life_years") or 5),
            salvage=record.get("salvage_value") if not _blank(record.get("salvage_value")) else 0,
            method=method,
            rate=None if _blank(rate) or method == "straight_line" else float(rate),
        )
        rows.append(
            {
                "id": record["id"],
                "server_name": record["server_name"],
                "location": "(no location)"
                if _blank(record.get("location"))
                else record["location"],
                "project": "(not booked)" if _blank(record.get("project")) else record["project"],
                "currency": record.get("currency") or "USD",
                "purchase_price": Decimal(str(price)),
                "book_value": value.book_value,
                "accumulated": value.accumulated,
                "method": method,
                "fraction_of_life": value.fraction_of_life,
            }
        )
    columns = [
        "id",
        "server_name",
        "location",
        "project",
        "currency",
        "purchase_price",
        "book_value",
        "accumulated",
        "method",
        "fraction_of_life",
    ]
    return pd.DataFrame(rows, columns=columns)


def book_value_totals(values: pd.DataFrame, by: str) -> pd.DataFrame:
    """Totals of :func:`book_values` per ``by`` ('location' or 'project') and currency.

    Returns
    -------
    pandas.DataFrame
        ``by`` column, ``currency``, ``servers``, ``purchase_price``, ``book_value``,
        ``accumulated`` (Decimal).
    """
    if by not in ("location", "project"):
        raise InvalidInputError(f"Totals are by location or project; got {by!r}.")
    columns = [by, "currency", "servers", "purchase_price", "book_value", "accumulated"]
    if values.empty:
        return pd.DataFrame(columns=columns)
    grouped = values.groupby([by, "currency"], sort=True)
    out = grouped.agg(
        servers=("id", "count"),
        purchase_price=("purchase_price", lambda s: sum(s, Decimal(0))),
        book_value=("book_value", lambda s: sum(s, Decimal(0))),
        accumulated=("accumulated", lambda s: sum(s, Decimal(0))),
    ).reset_index()
    return out[columns]


@dataclass
class ImportDiff:
    """What an inventory import adds and changes (``dry_run`` shows it without storing).

    Attributes
    ----------
    added, changed, unchanged : list of str
        Server names.
    changes : dict
        Per changed server: field -> (before, after).
    warnings : list of str
        Rows skipped or values left out, in words.
    """

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changes: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would add" if self.dry_run else "added"
        verb2 = "would change" if self.dry_run else "changed"
        return (
            f"{verb} {len(self.added)}, {verb2} {len(self.changed)}, "
            f"{len(self.unchanged)} unchanged"
            + (f"; {len(self.warnings)} warning(s)" if self.warnings else "")
        )


# -- records -------------------------------------------------------------------------------


def _day(value: Any) -> date | None:
    return None if _blank(value) else stored_date(value)


def _decimal(value: Any) -> Decimal | None:
    return None if _blank(value) else Decimal(str(value))


@dataclass(frozen=True)
class Server:
    """A server of the pool (a ``server_inventory`` record).

    ``model`` is its basket lot's model when it is linked to one, else the model it was
    given; ``group`` is what the forecast counts it under. ``cores`` are per server,
    ``memory_gib`` GiB per server. Money is in ``currency``.
    """

    id: str
    server_name: str
    status: str
    condition: str
    serial_number: str | None = None
    asset_tag: str | None = None
    location: str | None = None
    hardware_model_id: str | None = None
    lot_code: str | None = None
    vendor: str | None = None
    model: str | None = None
    cpu_model: str | None = None
    sockets: int | None = None
    cores: int | None = None
    memory_gib: float | None = None
    procurement_date: date | None = None
    warranty_start: date | None = None
    warranty_end: date | None = None
    end_of_life: date | None = None
    purchase_price: Decimal | None = None
    salvage_value: Decimal | None = None
    currency: str = "USD"
    life_years: int = 5
    depreciation_method: str = "straight_line"
    depreciation_rate: Decimal | None = None
    allocated_to_project: str | None = None
    allocated_to_workflow: str | None = None
    allocation_start: date | None = None
    allocation_end: date | None = None
    source: str = "manual"
    procurement_id: str | None = None
    maintenance_history: tuple[dict[str, Any], ...] = ()
    updated_at: Any = None

    @property
    def group(self) -> str:
        return self.model or "(model not given)"


def server_from_record(row: dict[str, Any]) -> Server:
    """A :class:`Server` from a stored row (ids as ``table:key`` text)."""
    specs = dict(row.get("specifications") or {})
    # A server built from a basket lot has the lot's specs unless it was given its own.
    lot_cores = (row.get("lot_sockets") or 0) * (row.get("lot_cores_per_socket") or 0)
    for name, value in (
        ("cpu_model", row.get("lot_cpu_model")),
        ("sockets", row.get("lot_sockets")),
        ("cores", lot_cores or None),
        ("memory_gib", row.get("lot_memory_gib")),
    ):
        if specs.get(name) is None and value is not None:
            specs[name] = value
    return Server(
        id=row["id"],
        server_name=row["server_name"],
        status=row.get("status") or "available",
        condition=row.get("condition") or "new",
        serial_number=row.get("serial_number"),
        asset_tag=row.get("asset_tag"),
        location=row.get("location"),
        hardware_model_id=row.get("hardware_model_id"),
        lot_code=row.get("lot_code"),
        vendor=specs.get("vendor"),
        model=row.get("lot_model") or specs.get("model"),
        cpu_model=specs.get("cpu_model"),
        sockets=specs.get("sockets"),
        cores=specs.get("cores"),
        memory_gib=specs.get("memory_gib"),
        procurement_date=_day(row.get("procurement_date")),
        warranty_start=_day(row.get("warranty_start")),
        warranty_end=_day(row.get("warranty_end")),
        end_of_life=_day(row.get("end_of_life")),
        purchase_price=_decimal(row.get("purchase_price")),
        salvage_value=_decimal(row.get("salvage_value")),
        currency=row.get("currency") or "USD",
        life_years=int(row.get("life_years") or 5),
        depreciation_method=row.get("depreciation_method") or "straight_line",
        depreciation_rate=_decimal(row.get("depreciation_rate")),
        allocated_to_project=row.get("allocated_to_project"),
        allocated_to_workflow=row.get("allocated_to_workflow"),
        allocation_start=_day(row.get("allocation_start")),
        allocation_end=_day(row.get("allocation_end")),
        source=row.get("source") or "manual",
        procurement_id=row.get("procurement_id"),
        maintenance_history=tuple(row.get("maintenance_history") or ()),
        updated_at=row.get("updated_at"),
    )


SERVER_COLUMNS = [
    "id",
    "server_name",
    "status",
    "condition",
    "serial_number",
    "asset_tag",
    "location",
    "lot",
    "vendor",
    "model",
    "group",
    "cpu_model",
    "sockets",
    "cores",
    "memory_gib",
    "procurement_date",
    "warranty_start",
    "warranty_end",
    "end_of_life",
    "purchase_price",
    "salvage_value",
    "currency",
    "life_years",
    "depreciation_method",
    "depreciation_rate",
    "project",
    "allocation_start",
    "allocation_end",
    "source",
]


def servers_frame(
    servers: list[Server], project_names: dict[str, str] | None = None
) -> pd.DataFrame:
    """Servers as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        :data:`SERVER_COLUMNS`: ``lot`` is the basket lot code, ``group`` what the forecast
        counts it under, ``project`` the name of the project booked today; dates as
        datetime64, money as Decimal, ``cores`` and ``sockets`` Int64, ``memory_gib`` GiB.
    """
    names = project_names or {}
    rows = [
        {
            **{c: getattr(s, c, None) for c in SERVER_COLUMNS if hasattr(s, c)},
            "lot": s.lot_code,
            "group": s.group,
            "project": names.get(s.allocated_to_project or "", s.allocated_to_project),
        }
        for s in servers
    ]
    frame = pd.DataFrame(rows, columns=SERVER_COLUMNS)
    for name in (
        "procurement_date",
        "warranty_start",
        "warranty_end",
        "end_of_life",
        "allocation_start",
        "allocation_end",
    ):
        frame[name] = pd.to_datetime(frame[name])
    for name in ("cores", "sockets", "life_years"):
        frame[name] = frame[name].astype("Int64")
    frame["memory_gib"] = frame["memory_gib"].astype("float64")
    return frame


@dataclass(frozen=True)
class Booking:
    """A server booked for a project over [start, end) (a ``hardware_pool_status`` row)."""

    id: str
    server_id: str
    server_name: str
    project_id: str
    project_name: str
    kind: str
    start: date
    end: date
    workflow_id: str | None = None
    workflow_name: str | None = None
    notes: str | None = None
    released_at: date | None = None
    created_by: str | None = None


def booking_from_record(row: dict[str, Any]) -> Booking:
    """A :class:`Booking` from a stored row."""
    return Booking(
        id=row["id"],
        server_id=row["server_id"],
        server_name=row.get("server_name") or row["server_id"],
        project_id=row["reservation_project"],
        project_name=row.get("project_name") or row["reservation_project"],
        kind=row.get("kind") or "allocation",
        start=stored_date(row["available_from"]),
        end=stored_date(row["available_until"]),
        workflow_id=row.get("workflow_id"),
        workflow_name=row.get("workflow_name"),
        notes=row.get("reservation_notes"),
        released_at=_day(row.get("released_at")),
        created_by=row.get("created_by"),
    )


BOOKING_COLUMNS = [
    "id",
    "server_id",
    "server_name",
    "project_id",
    "project",
    "workflow",
    "kind",
    "start",
    "end",
    "days",
    "notes",
    "released_at",
    "created_by",
]


def bookings_frame(bookings: list[Booking]) -> pd.DataFrame:
    """Bookings as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        :data:`BOOKING_COLUMNS`; ``start`` and ``end`` (exclusive) as datetime64, ``days``
        the window's length.
    """
    frame = pd.DataFrame(
        [
            {
                "id": b.id,
                "server_id": b.server_id,
                "server_name": b.server_name,
                "project_id": b.project_id,
                "project": b.project_name,
                "workflow": b.workflow_name,
                "kind": b.kind,
                "start": b.start,
                "end": b.end,
                "days": (b.end - b.start).days,
                "notes": b.notes,
                "released_at": b.released_at,
                "created_by": b.created_by,
            }
            for b in bookings
        ],
        columns=BOOKING_COLUMNS,
    )
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    return frame


@dataclass(frozen=True)
class ProcurementRequest:
    """A ``procurement_request``: lines, status with its history, PO and dates."""

    id: str
    project_id: str
    project_name: str
    request_name: str
    status: str
    lines: tuple[ItemLine, ...]
    currency: str = "USD"
    vendor: str | None = None
    workflow_id: str | None = None
    workflow_name: str | None = None
    total_cost: Decimal | None = None
    purchase_order_number: str | None = None
    request_date: date | None = None
    approval_date: date | None = None
    order_date: date | None = None
    expected_delivery: date | None = None
    actual_delivery: date | None = None
    cancelled_date: date | None = None
    cancel_reason: str | None = None
    delivery_location: str | None = None
    requested_by: str | None = None
    history: tuple[dict[str, Any], ...] = ()
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def delivered(self) -> int:
        return sum(line.delivered for line in self.lines)

    def overdue(self, as_of: date) -> bool:
        """Expected before ``as_of`` and not all delivered (nor cancelled)."""
        return (
            self.status in EXPECTED_STATUSES
            and self.expected_delivery is not None
            and self.expected_delivery < as_of
        )


def request_from_record(row: dict[str, Any]) -> ProcurementRequest:
    """A :class:`ProcurementRequest` from a stored row."""
    return ProcurementRequest(
        id=row["id"],
        project_id=row["project_id"],
        project_name=row.get("project_name") or row["project_id"],
        request_name=row["request_name"],
        status=row.get("status") or "requested",
        lines=tuple(lines_from_record(row.get("hardware_items") or [])),
        currency=row.get("currency") or "USD",
        vendor=row.get("vendor"),
        workflow_id=row.get("workflow_id"),
        workflow_name=row.get("workflow_name"),
        total_cost=_decimal(row.get("total_cost")),
        purchase_order_number=row.get("purchase_order_number"),
        request_date=_day(row.get("request_date")),
        approval_date=_day(row.get("approval_date")),
        order_date=_day(row.get("order_date")),
        expected_delivery=_day(row.get("expected_delivery")),
        actual_delivery=_day(row.get("actual_delivery")),
        cancelled_date=_day(row.get("cancelled_date")),
        cancel_reason=row.get("cancel_reason"),
        delivery_location=row.get("delivery_location"),
        requested_by=row.get("requested_by"),
        history=tuple(row.get("history") or ()),
        source=dict(row.get("source") or {}),
    )


REQUEST_COLUMNS = [
    "id",
    "project",
    "request_name",
    "status",
    "vendor",
    "servers",
    "delivered",
    "total_cost",
    "currency",
    "purchase_order_number",
    "request_date",
    "approval_date",
    "order_date",
    "expected_delivery",
    "actual_delivery",
    "overdue",
    "workflow",
]


def requests_frame(requests: list[ProcurementRequest], as_of: date) -> pd.DataFrame:
    """Requests as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        :data:`REQUEST_COLUMNS`; ``servers`` ordered and ``delivered`` so far (counts),
        ``total_cost`` Decimal in ``currency``, ``overdue`` on ``as_of``.
    """
    rows = [
        {
            "id": r.id,
            "project": r.project_name,
            "request_name": r.request_name,
            "status": r.status,
            "vendor": r.vendor,
            "servers": r.quantity,
            "delivered": r.delivered,
            "total_cost": r.total_cost,
            "currency": r.currency,
            "purchase_order_number": r.purchase_order_number,
            "request_date": r.request_date,
            "approval_date": r.approval_date,
            "order_date": r.order_date,
            "expected_delivery": r.expected_delivery,
            "actual_delivery": r.actual_delivery,
            "overdue": r.overdue(as_of),
            "workflow": r.workflow_name,
        }
        for r in requests
    ]
    frame = pd.DataFrame(rows, columns=REQUEST_COLUMNS)
    for name in (
        "request_date",
        "approval_date",
        "order_date",
        "expected_delivery",
        "actual_delivery",
    ):
        frame[name] = pd.to_datetime(frame[name])
    return frame
