"""Book values and lifecycle alerts, against values worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from workbench.errors import InvalidInputError
from workbench.lifecycle import alert_level, alerts, book_value

START = date(2026, 1, 1)  # a 5-year life ends 2031-01-01: 1,826 days (2028 is a leap year)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2025, 6, 1), "10000.00"),  # not in service yet
        (START, "10000.00"),
        (date(2027, 1, 1), "8200.99"),  # 10000 - 9000 x 365 / 1826
        (date(2028, 7, 2), "5500.00"),  # 10000 - 9000 x 913 / 1826: half the life, to the day
        (date(2031, 1, 1), "1000.00"),  # the end of life: salvage
        (date(2035, 5, 5), "1000.00"),
    ],
)
def test_straight_line_with_salvage(as_of, expected):
    value = book_value(10_000, START, as_of, life_years=5, salvage=1_000)
    assert value.book_value == Decimal(expected)
    assert value.accumulated == Decimal("10000.00") - Decimal(expected)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (START, "10000.00"),
        (date(2027, 1, 1), "6000.00"),  # x 0.6 (double declining: 2 / 5)
        (date(2027, 7, 2), "4803.29"),  # 6000 - 2400 x 182 / 365
        (date(2029, 1, 1), "2160.00"),  # 10000 x 0.6^3
        (date(2030, 1, 1), "1296.00"),  # x 0.6^4
        (date(2030, 7, 2), "1148.41"),  # towards salvage (777.60 < 1000): 1296 - 296 x 182 / 365
        (date(2031, 1, 1), "1000.00"),
    ],
)
def test_declining_balance_never_below_salvage(as_of, expected):
    value = book_value(
        10_000, START, as_of, life_years=5, salvage=1_000, method="declining_balance"
    )
    assert value.book_value == Decimal(expected)


def test_a_rate_of_ones_own():
    value = book_value(
        1_000, START, date(2027, 1, 1), life_years=4, method="declining_balance", rate=0.25
    )
    assert value.book_value == Decimal("750.00")
    assert value.fraction_of_life == pytest.approx(365 / 1461)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cost": -1}, "Cost must be an amount of money from 0"),
        ({"cost": "lots"}, "Cost must be an amount of money"),
        ({"salvage": 20_000}, "above the cost"),
        ({"life_years": 0}, "Life must be a whole number of years from 1"),
        ({"method": "sum_of_years"}, "Method must be one of"),
        ({"method": "declining_balance", "rate": 1.5}, "Rate must be above 0 and at most 1"),
    ],
)
def test_bad_values_are_refused(kwargs, message):
    values = {"cost": 10_000, **kwargs}
    with pytest.raises(InvalidInputError, match=message):
        book_value(values.pop("cost"), START, date(2027, 1, 1), **values)


def test_alert_levels():
    as_of = date(2026, 6, 1)
    assert alert_level(date(2026, 5, 31), as_of) == "expired"
    assert alert_level(as_of, as_of) == "within 30 days"
    assert alert_level(date(2026, 7, 1), as_of) == "within 30 days"  # 30 days left
    assert alert_level(date(2026, 7, 2), as_of) == "within 90 days"
    assert alert_level(date(2026, 11, 28), as_of) == "within 180 days"  # 180 days left
    assert alert_level(date(2026, 11, 29), as_of) is None
    assert alert_level(None, as_of) is None


def test_alerts_of_an_inventory_soonest_first():
    servers = pd.DataFrame(
        {
            "id": ["s1", "s2", "s3"],
            "server_name": ["esx01", "esx02", "esx03"],
            "warranty_end": [date(2026, 5, 1), date(2026, 8, 15), date(2028, 1, 1)],
            "end_of_life": [pd.NaT, pd.Timestamp("2026, 6, 20"), None],
        }
    )
    found = alerts(servers, date(2026, 6, 1))
    assert found[["server_name", "kind", "days_left", "level"]].values.tolist() == [
        ["esx01", "warranty", -31, "expired"],
        ["esx02", "end of life", 19, "within 30 days"],
        ["esx02", "warranty", 75, "within 90 days"],
    ]
