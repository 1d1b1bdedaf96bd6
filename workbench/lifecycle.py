"""Server lifecycle: warranty and end-of-life alerts, depreciation and book value.

Pure functions over plain values and DataFrames (the hardware pool, issue 11, feeds them its
inventory). Money is :class:`decimal.Decimal`, rounded to cents only where a value is
reported. Dates are calendar dates; "as of" is any day, past or future.

Depreciation, per server, from the day it went into service:

- straight line: ``(cost - salvage) x days in service / days of its life``, where the life
  ends on the same calendar day ``life_years`` later;
- declining balance: each full year of service multiplies the value by ``1 - rate``
  (default ``2 / life_years``, double declining), the year under way prorated by its days;
  the value never goes below salvage.

Both stop at salvage once the life is over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from workbench.errors import InvalidInputError

if TYPE_CHECKING:
    import pandas as pd

ALERT_DAYS = (180, 90, 30)
"""Days before a warranty or end-of-life date when an alert starts, widest first."""
METHODS = ("straight_line", "declining_balance")
CENT = Decimal("0.01")


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def _money(value: Any, label: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise InvalidInputError(f"{label} must be an amount of money; got {value!r}.") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInputError(f"{label} must be an amount of money from 0; got {value!r}.")
    return amount


@dataclass(frozen=True)
class BookValue:
    """A server's value on one day.

    Attributes
    ----------
    book_value, accumulated : Decimal
        Value left and depreciation so far (currency of the cost), to the cent.
    fraction_of_life : float
        0 before service, 1 from the end of its life.
    """

    book_value: Decimal
    accumulated: Decimal
    fraction_of_life: float


def book_value(
    cost: Any,
    in_service: date,
    as_of: date,
    *,
    life_years: int = 5,
    salvage: Any = 0,
    method: str = "straight_line",
    rate: float | None = None,
) -> BookValue:
    """A server's book value ``as_of`` (see the module's description).

    Raises
    ------
    InvalidInputError
        A negative or non-numeric amount, salvage above cost, a life below 1 year, an
        unknown method, a rate outside (0, 1].
    """
    cost = _money(cost, "Cost")
    salvage = _money(salvage, "Salvage value")
    if salvage > cost:
        raise InvalidInputError(f"Salvage value ({salvage}) is above the cost ({cost}).")
    if isinstance(life_years, bool) or not isinstance(life_years, int) or life_years < 1:
        raise InvalidInputError(f"Life must be a whole number of years from 1; got {life_years!r}.")
    if method not in METHODS:
        raise InvalidInputError(f"Method must be one of {', '.join(METHODS)}; got {method!r}.")
    end = _add_years(in_service, life_years)
    elapsed = (min(max(as_of, in_service), end) - in_service).days
    fraction = elapsed / (end - in_service).days
    if method == "straight_line":
        value = cost - (cost - salvage) * Decimal(elapsed) / Decimal((end - in_service).days)
    else:
        rate = 2 / life_years if rate is None else rate
        if not 0 < rate <= 1:
            raise InvalidInputError(f"Rate must be above 0 and at most 1; got {rate!r}.")
        factor = Decimal(1) - Decimal(str(rate))
        value, year = cost, 0
        while year < life_years and _add_years(in_service, year + 1) <= as_of:
            value = max(salvage, value * factor)
            year += 1
        if year < life_years and as_of > in_service:
            start, stop = _add_years(in_service, year), _add_years(in_service, year + 1)
            share = Decimal(max(0, (as_of - start).days)) / Decimal((stop - start).days)
            value = max(salvage, value - (value - max(salvage, value * factor)) * share)
        if year >= life_years:
            value = salvage
    value = value.quantize(CENT, ROUND_HALF_UP)
    return BookValue(value, (cost - value).quantize(CENT, ROUND_HALF_UP), fraction)


def alert_level(
    day: date | None, as_of: date, thresholds: tuple[int, ...] = ALERT_DAYS
) -> str | None:
    """'expired', 'within N days' (the narrowest threshold reached), or None."""
    if day is None:
        return None
    left = (day - as_of).days
    if left < 0:
        return "expired"
    reached = [t for t in sorted(thresholds) if left <= t]
    return f"within {reached[0]} days" if reached else None


def alerts(servers: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Warranty and end-of-life alerts on ``as_of``.

    Parameters
    ----------
    servers : pandas.DataFrame
        ``id``, ``server_name`` and the dates ``warranty_end`` and/or ``end_of_life``.

    Returns
    -------
    pandas.DataFrame
        One row per alert, soonest first: ``id``, ``server_name``, ``kind`` ('warranty' or
        'end of life'), ``date``, ``days_left`` (negative once passed), ``level``
        ('expired', 'within 30 days', 'within 90 days', 'within 180 days').
    """
    import pandas as pd

    rows = []
    for kind, column in (("warranty", "warranty_end"), ("end of life", "end_of_life")):
        if column not in servers:
            continue
        for record in servers.to_dict("records"):
            value = record.get(column)
            if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
                continue
            day = value.date() if hasattr(value, "date") and callable(value.date) else value
            level = alert_level(day, as_of)
            if level:
                rows.append(
                    {
                        "id": record.get("id"),
                        "server_name": record.get("server_name"),
                        "kind": kind,
                        "date": day,
                        "days_left": (day - as_of).days,
                        "level": level,
                    }
                )
    columns = ["id", "server_name", "kind", "date", "days_left", "level"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["days_left", "server_name"], kind="stable").reset_index(drop=True)
