"""How numbers, sizes, dates and names read, in one place for dashboards, notebooks and CLI.

Pure functions: values in, text out. Sizes are binary (1 GiB = 1024 MiB) with their symbol,
the unit chosen by size; counts get thousands separators; dates are ISO without time zone
noise or microseconds; internal names (``vmware_migration``) get a label a person reads.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from typing import Any

NO_CLUSTER = "(no cluster)"
"""What a VM or host outside any cluster is called, everywhere."""

MISSING = "–"
"""What an absent value shows as (an en dash)."""

_BINARY_UNITS = ("MiB", "GiB", "TiB", "PiB", "EiB")

# Labels of internal names where the plain rule ("hardware_refresh" -> "Hardware refresh")
# would read wrongly.
LABELS = {
    "vmware_migration": "VMware migration",
    "new_solution": "New solution",
    "lifecycle_planning": "Lifecycle planning",
    "hardware_refresh": "Hardware refresh",
    "on_hold": "On hold",
    "migration_wave": "Migration wave",
    "hardware_procurement": "Hardware procurement",
    "vcpu": "vCPU",
    "vcpus": "vCPUs",
    "vms": "VMs",
    "vram": "vRAM",
    "n1": "N+1",
    "hld": "HLD",
    "lld": "LLD",
    "bom": "BOM",
    "hardware_bom": "Hardware BOM",
    "migration_plan": "Migration plan",
    "network_diagram": "Network diagram",
    "cpu": "CPU",
    "ram": "RAM",
    "prosupport": "ProSupport",
    "prosupport_plus": "ProSupport Plus",
    "policy": "Policy settings",
    "today": "Today's ratios",
    "raid1_ftt1": "vSAN RAID-1, FTT=1",
    "raid5_osa": "vSAN OSA RAID-5",
    "esa_raid5": "vSAN ESA RAID-5",
    "raid6": "vSAN RAID-6",
    "raid1_ftt2": "vSAN RAID-1, FTT=2",
    "external": "External storage",
}


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):
        return type(value).__name__ == "NAType"  # pandas.NA refuses to be a boolean


def label(name: str | None) -> str:
    """A person's label for an internal name: ``"vmware_migration"`` -> ``"VMware migration"``."""
    if name is None or name == "":
        return MISSING
    if name in LABELS:
        return LABELS[name]
    words = str(name).split("_")
    # An acronym ("HLD") stays as written; a plain word gets a capital.
    first = LABELS.get(words[0], words[0] if words[0].isupper() else words[0].capitalize())
    return " ".join([first, *(LABELS.get(word, word) for word in words[1:])])


def many(number: int, noun: str) -> str:
    """A count with its noun: ``"1 server"``, ``"2 servers"``, ``"1,204 servers"``."""
    return f"{count(number)} {noun}{'' if number == 1 else 's'}"


def natural_key(text: Any) -> tuple[Any, ...]:
    """A sort key that puts ``esx2`` before ``esx10`` and ignores case."""
    parts = re.split(r"([0-9]+)", str(text).casefold())
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def count(value: Any) -> str:
    """A whole number with thousands separators: ``1537`` -> ``"1,537"``."""
    if is_missing(value):
        return MISSING
    return f"{round(float(value)):,}"


def number(value: Any, decimals: int = 1) -> str:
    """A number with thousands separators and ``decimals`` places: ``1234.56`` -> ``"1,234.6"``."""
    if is_missing(value):
        return MISSING
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{float(value):,.{decimals}f}"


def ratio(value: Any) -> str:
    """A consolidation ratio: ``3.456`` -> ``"3.46 : 1"``."""
    return MISSING if is_missing(value) else f"{number(value, 2)} : 1"


def percent(value: Any, decimals: int = 0) -> str:
    """A fraction as a percentage: ``0.42`` -> ``"42%"``."""
    return MISSING if is_missing(value) else f"{number(float(value) * 100, decimals)}%"


_CURRENCY_SIGNS = {"USD": "$", "EUR": "€"}


def money(value: Any, currency: str = "USD", decimals: int = 0) -> str:
    """An amount with its currency sign and thousands separators: ``"$22,064"``, ``"€18,990"``."""
    if is_missing(value):
        return MISSING
    sign = _CURRENCY_SIGNS.get(currency, currency + " ")
    amount = float(value)
    return f"{'-' if amount < 0 else ''}{sign}{abs(amount):,.{decimals}f}"


def size_unit(mib: float) -> tuple[str, float]:
    """The binary unit that reads best for ``mib`` mebibytes, and its size in MiB."""
    magnitude = abs(float(mib)) if not is_missing(mib) else 0.0
    index = 0
    while index < len(_BINARY_UNITS) - 1 and magnitude >= 1024 ** (index + 1):
        index += 1
    return _BINARY_UNITS[index], float(1024**index)


def size(mib: Any, decimals: int | None = None, unit: str | None = None) -> str:
    """A size given in MiB, in the binary unit that fits: ``1536`` -> ``"1.5 GiB"``.

    Parameters
    ----------
    mib : float
        Size in mebibytes (RVTools' unit).
    decimals : int, optional
        Places after the point (default: 0 for MiB, 1 above).
    unit : {'MiB', 'GiB', 'TiB', 'PiB'}, optional
        Force a unit, e.g. to show a column of sizes alike.
    """
    if is_missing(mib):
        return MISSING
    if unit is None:
        unit, factor = size_unit(mib)
    else:
        factor = float(1024 ** _BINARY_UNITS.index(unit))
    places = decimals if decimals is not None else (0 if unit == "MiB" else 1)
    return f"{float(mib) / factor:,.{places}f} {unit}"


def file_size(nbytes: Any) -> str:
    """A file's size given in bytes: ``"812 B"``, ``"124 KiB"``, ``"2.4 MiB"``."""
    if is_missing(nbytes):
        return MISSING
    value = float(nbytes)
    if value < 1024:
        return f"{value:,.0f} B"
    if value < 1024**2:
        return f"{value / 1024:,.0f} KiB"
    return size(value / 1024**2, decimals=1)


def day(value: Any) -> str:
    """An ISO calendar date: ``2026-03-31``."""
    if is_missing(value):
        return MISSING
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def moment(value: Any) -> str:
    """A point in time to the minute, in UTC: ``2026-03-31 14:05 UTC``."""
    if is_missing(value):
        return MISSING
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M") + " UTC"
    return day(value)


def cluster_name(name: Any) -> str:
    """A cluster's name, with VMs and hosts outside any cluster named alike everywhere."""
    return NO_CLUSTER if is_missing(name) or not str(name).strip() else str(name)


_KINDS = {
    "count": count,
    "number": number,
    "size": size,
    "ratio": ratio,
    "percent": percent,
    "day": day,
    "moment": moment,
    "label": label,
    "cluster": cluster_name,
    "text": lambda value: MISSING if is_missing(value) else str(value),
}
"""How each kind of column is written; ``size`` columns hold MiB."""

CAPACITY_REPORT = {
    "cluster": ("Cluster", "cluster"),
    "hosts": ("Hosts", "count"),
    "cores": ("Cores", "count"),
    "memory_mib": ("RAM", "size"),
    "vms": ("VMs", "count"),
    "vms_on": ("Powered on", "count"),
    "vcpus": ("vCPUs", "count"),
    "vram_mib": ("vRAM", "size"),
    "vcpu_per_core_on": ("vCPU : core (on)", "ratio"),
    "vram_per_ram_on": ("vRAM : RAM (on)", "ratio"),
    "n1_vcpu_per_core_on": ("vCPU : core, N+1", "ratio"),
    "n1_memory_headroom_mib": ("RAM headroom, N+1", "size"),
}
"""The capacity columns people read, with their labels and kinds."""

PROJECT_REPORT = {
    "name": ("Project", "text"),
    "project_type": ("Type", "label"),
    "status": ("Status", "label"),
    "priority": ("Priority", "label"),
    "start_date": ("Start", "day"),
    "target_end_date": ("Target end", "day"),
    "progress_percentage": ("Progress", "percent_whole"),
    "assigned_team": ("Team", "text"),
}


def report(frame, spec: dict[str, tuple[str, str]]):
    """A DataFrame to read: the ``spec`` columns present in ``frame``, written as text.

    Parameters
    ----------
    frame : pandas.DataFrame
    spec : dict
        Column -> (label, kind); kinds: count, number, size (MiB), ratio, percent (a
        fraction), percent_whole (0-100), day, moment, label, cluster, text.

    Returns
    -------
    pandas.DataFrame
        One text column per ``spec`` entry found in ``frame``, headed by its label.
    """
    kinds = dict(
        _KINDS,
        percent_whole=lambda value: MISSING if is_missing(value) else percent(float(value) / 100),
    )
    columns = [column for column in spec if column in frame.columns]
    shown = frame[columns].copy()
    for column in columns:
        shown[column] = [kinds[spec[column][1]](value) for value in frame[column]]
    return shown.rename(columns={column: spec[column][0] for column in columns}).reset_index(
        drop=True
    )


def timestamp(value: Any) -> str:
    """A point in time to the minute, as recorded: ``"2025-04-30T08:09:06.123"`` -> ``"2025-04-30 08:09"``.

    ISO text is read; a time without a zone (RVTools writes the exporting machine's local
    time) stays as it is, one with a zone is shown in UTC like :func:`moment`.
    """
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return value.strip()[:16].replace("T", " ")
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return moment(value)
        return value.strftime("%Y-%m-%d %H:%M")
    return day(value)


CAPACITY_TABLE = dict(
    CAPACITY_REPORT,
    provisioned_mib=("VM provisioned", "size"),
    datastore_capacity_mib=("Datastores", "size"),
)
""":data:`CAPACITY_REPORT` with the storage columns the capacity dashboard shows."""


def json_ready(value: Any) -> Any:
    """``value`` as plain JSON types, for ``--json`` output.

    Calendar days (dates, and midnight timestamps without a zone, as pandas gives date
    columns) become ``YYYY-MM-DD``; points in time with a zone full ISO text; money
    (``Decimal``) a JSON number, as the basket and sizing commands print prices; NaN, NaT and
    pandas' NA ``null``; numpy scalars their Python value; dataclasses, mappings and
    sequences are walked. Anything else becomes its text.

    Parameters
    ----------
    value : Any
        Typically ``DataFrame.to_dict("records")`` or a facade dataclass.

    Returns
    -------
    Any
        What :func:`json.dumps` writes without a ``default``.
    """
    import dataclasses
    from datetime import date, datetime
    from decimal import Decimal

    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return None if value != value or value in (float("inf"), float("-inf")) else value
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, datetime):
        if is_missing(value):  # NaT is a datetime too
            return None
        if value.tzinfo is None and value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_ready(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_ready(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        try:
            return json_ready(value.item())
        except (TypeError, ValueError):
            pass
    if is_missing(value):
        return None
    return str(value)
