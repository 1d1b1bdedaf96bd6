"""One way to write numbers, sizes, dates and labels."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench import formatting as fmt


@pytest.mark.parametrize(
    "mib, text",
    [
        (0, "0 MiB"),
        (512, "512 MiB"),
        (1023, "1,023 MiB"),
        (1024, "1.0 GiB"),
        (1536, "1.5 GiB"),
        (1024 * 1024 * 3.25, "3.2 TiB"),
        (-2048, "-2.0 GiB"),
        (5 * 1024**3, "5.0 PiB"),
    ],
)
def test_sizes_pick_the_binary_unit_that_fits(mib, text):
    assert fmt.size(mib) == text


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False))
def test_a_size_reads_back_to_within_its_rounding(mib):
    number, unit = fmt.size(mib, decimals=3).split()
    factor = 1024 ** ["MiB", "GiB", "TiB", "PiB", "EiB"].index(unit)
    value = float(number.replace(",", ""))
    assert abs(value * factor - mib) <= 0.0005 * factor + 1e-9
    assert unit == "MiB" or value >= 1  # never "0.5 GiB" when "512 MiB" reads better


def test_counts_numbers_ratios_and_percentages():
    assert fmt.count(1537) == "1,537" and fmt.count(1072.0) == "1,072"
    assert fmt.number(1234.56) == "1,234.6" and fmt.number(2, 2) == "2.00"
    assert fmt.ratio(3.456) == "3.46 : 1" and fmt.percent(0.42) == "42%"
    for missing in (None, float("nan"), pd.NA, pd.NaT):
        assert fmt.count(missing) == fmt.size(missing) == fmt.day(missing) == fmt.MISSING
    assert fmt.number(math.inf) == "∞"


def test_dates_are_iso_without_microseconds_or_zones():
    moment = datetime(2026, 3, 31, 14, 5, 7, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert fmt.day(moment) == "2026-03-31" and fmt.day(date(2026, 1, 2)) == "2026-01-02"
    assert fmt.moment(moment) == "2026-03-31 12:05 UTC"
    assert fmt.moment(pd.Timestamp("2026-03-31 12:05:09.5", tz=UTC)) == "2026-03-31 12:05 UTC"


def test_labels_read_like_words():
    assert fmt.label("vmware_migration") == "VMware migration"
    assert fmt.label("hardware_refresh") == "Hardware refresh"
    assert fmt.label("on_hold") == "On hold" and fmt.label("planning") == "Planning"
    assert fmt.label("n1_vcpu_per_core") == "N+1 vCPU per core"


@pytest.mark.parametrize("name", [None, "", "  ", float("nan")])
def test_no_cluster_is_named_alike_everywhere(name):
    assert fmt.cluster_name(name) == "(no cluster)"
    assert fmt.cluster_name("Prod-A") == "Prod-A"


def test_report_frames_are_text_with_labels():
    frame = pd.DataFrame(
        {
            "cluster": ["", "CL-A"],
            "hosts": [1, 12],
            "memory_mib": [4096.0, 6_291_456.0],
            "vcpu_per_core_on": [0.5, 3.2],
            "other": [1, 2],
        }
    )
    shown = fmt.report(frame, fmt.CAPACITY_REPORT)
    assert list(shown.columns) == ["Cluster", "Hosts", "RAM", "vCPU : core (on)"]
    assert shown.iloc[0].tolist() == ["(no cluster)", "1", "4.0 GiB", "0.50 : 1"]
    assert shown.iloc[1].tolist() == ["CL-A", "12", "6.0 TiB", "3.20 : 1"]
