"""No column sinks an import: odd values in one column give a warning, never a failure.

The Hypothesis test rewrites one column of every real export in ../shared/data/rvtools
(numbers as text, dates as ISO 8601 with 'Z' or an offset or in another locale, booleans as
0/1/yes/no, blanks, 32,767-character text), writes the file back as xlsx and imports it
through the real entry point. The import must succeed; every total that does not read the
mutated column must be unchanged; a mutation that keeps the values (numbers as text, dates
with a zone, booleans spelled otherwise) must leave every total unchanged.
"""

from __future__ import annotations

import functools
import io
import zipfile
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from tests.conftest import INVENTORY_FIGURES, SHARED_DATA, require
from workbench import capacity, risks
from workbench.errors import ImportRejectedError, ReaderInternalError
from workbench.io import rvtools as reader
from workbench.io.rvtools import find_sheets, parse_named
from workbench.io.xlsx_writer import write_xlsx

RVTOOLS = SHARED_DATA / "rvtools"
FILES = sorted(p.name for p in RVTOOLS.glob("*.xlsx")) if RVTOOLS.is_dir() else []
PARAMS = FILES or ["(no shared data)"]
AS_OF = date(2025, 6, 1)
LONG = 32_767
"""Excel's longest cell text."""


# ---------------------------------------------------------------------------- named regressions


def _xlsx(sheets) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


VINFO_3X = [
    "VM",
    "Powerstate",
    "Template",
    "CPUs",
    "Memory",
    "Provisioned MB",
    "In Use MB",
    "Cluster",
    "Host",
    "PowerOn",
    "Creation date",
    "VI SDK Server",
    "VM ID",
]


def test_text_timestamps_with_a_zone_are_read_as_utc():
    """Regression: a full RVTools 3.10 export whose text timestamps carry a zone (ISO 8601
    with 'Z') failed as a whole with pandas' "Cannot use .astype to convert from
    timezone-aware dtype to timezone-naive dtype"."""
    rows = [
        [
            "a",
            "poweredOn",
            "False",
            2.0,
            4096.0,
            10.0,
            5.0,
            "C1",
            "h1",
            "2019-03-04T05:06:07Z",
            "2018-01-02T03:04:05+02:00",
            "vc",
            "vm-1",
        ],
        [
            "b",
            "poweredOff",
            "False",
            1.0,
            1024.0,
            10.0,
            5.0,
            "C1",
            "h1",
            "",
            "2018/10/05 12:22:47",
            "vc",
            "vm-2",
        ],
        [
            "c",
            "poweredOn",
            "False",
            1.0,
            1024.0,
            10.0,
            5.0,
            "C1",
            "h1",
            "2019-03-04 05:06:07Z",
            "4/4/2018 5:25:31 PM",
            "vc",
            "vm-3",
        ],
    ]
    meta = (
        ["RVTools major version", "RVTools version", "xlsx creation datetime", "Server"],
        [[3.0, "3.10.1", "2019-03-05T08:00:00Z", "vc"]],
    )
    export = parse_named("export.xlsx", _xlsx({"vInfo": (VINFO_3X, rows), "vMetaData": meta}))
    vms = export.vms
    assert vms["power_on_time"].tolist()[0] == datetime(2019, 3, 4, 5, 6, 7)
    assert vms["power_on_time"].isna().tolist()[1] and vms["power_on_time"].tolist()[2] == datetime(
        2019, 3, 4, 5, 6, 7
    )
    assert vms["creation_date"].tolist() == [
        datetime(2018, 1, 2, 1, 4, 5),
        datetime(2018, 10, 5, 12, 22, 47),
        datetime(2018, 4, 4, 17, 25, 31),
    ]
    assert export.meta["export_time"] == datetime(2019, 3, 5, 8, 0, 0)
    assert not export.quality.unreadable_values


def test_a_column_no_cell_of_which_reads_is_kept_as_text():
    rows = [["a", "poweredOn", "False", "two", 1024.0], ["b", "poweredOn", "False", "four", 2048.0]]
    export = parse_named(
        "x.xlsx", _xlsx({"vInfo": (["VM", "Powerstate", "Template", "CPUs", "Memory"], rows)})
    )
    assert export.vms["CPUs"].tolist() == ["two", "four"]  # the file's text, under its own header
    assert export.vms["vcpus"].isna().all() and "vcpus" in export.quality.missing_columns["vInfo"]
    (odd,) = export.quality.unreadable_values
    assert odd["kept_as_text"] == "CPUs" and odd["example"] == "two"
    assert any(
        "vInfo column 'CPUs'" in w and "'two'" in w and "kept as text" in w
        for w in export.quality.warnings
    )
    assert (
        risks.assess(export, as_of=AS_OF).counts()["large_vm_cpu"] is None
    )  # not evaluated, not "none found"


def test_some_unreadable_cells_count_as_empty_and_are_named():
    rows = [["a", "poweredOn", "False", 2.0], ["b", "poweredOn", "False", "x" * LONG]]
    export = parse_named(
        "x.xlsx", _xlsx({"vInfo": (["VM", "Powerstate", "Template", "CPUs"], rows)})
    )
    assert export.vms["vcpus"].tolist()[0] == 2 and export.vms["vcpus"].isna().tolist()[1]
    (warning,) = [w for w in export.quality.warnings if "CPUs" in w]
    assert "vInfo column 'CPUs'" in warning and len(warning) < 300  # the example is cut short


def test_an_unforeseen_error_names_sheet_and_column_not_the_library(monkeypatch):
    real = reader._convert

    def broken(kind, values):
        if kind == "float":
            raise ValueError("Cannot use .astype to convert from timezone-aware dtype")
        return real(kind, values)

    monkeypatch.setattr(reader, "_convert", broken)
    data = _xlsx(
        {
            "vInfo": (
                ["VM", "Powerstate", "Template", "CPUs", "Memory"],
                [["a", "poweredOn", "False", 1.0, 2.0]],
            )
        }
    )
    with pytest.raises(ReaderInternalError) as caught:
        parse_named("x.xlsx", data)
    message = str(caught.value)
    assert "sheet 'vInfo'" in message and "column 'Memory'" in message
    assert "astype" not in message and isinstance(caught.value, ImportRejectedError)


# ---------------------------------------------------------------------------- mutations of real files


def _path(name: str):
    require(RVTOOLS.is_dir() and name in FILES, f"{RVTOOLS} is not there")
    return RVTOOLS / name


@functools.cache
def _sheets(name: str) -> dict[str, tuple[list, list]]:
    """The sheets the reader reads, as cells (python-calamine, independent of the reader)."""
    book = CalamineWorkbook.from_path(str(_path(name)))
    sheets = {}
    for file_name in find_sheets(book.sheet_names).values():
        rows = book.get_sheet_by_name(file_name).to_python()
        if rows:
            sheets[file_name] = (list(rows[0]), [list(r) for r in rows[1:]])
    return sheets


def _totals(export) -> dict[str, object]:
    """Figures keyed by what they are; see _READS for the columns each one reads."""
    inventory = capacity.inventory_totals(export)
    figures: dict[str, object] = {k: inventory[k] for k in INVENTORY_FIGURES}
    figures["per_cluster"] = inventory["per_cluster"]
    for check, count in risks.assess(export, as_of=AS_OF).counts().items():
        figures[f"risk:{check}"] = count
    return figures


@functools.cache
def _parts(name: str) -> dict[str, bytes]:
    """The file rewritten by the xlsx writer, part by part (a mutation replaces one sheet)."""
    with zipfile.ZipFile(io.BytesIO(_xlsx(_sheets(name)))) as archive:
        return {part: archive.read(part) for part in archive.namelist()}


def _rewritten(name: str, sheet: str | None = None, headers=None, rows=None) -> bytes:
    """The rewrite with one sheet replaced, as a stored zip (quick to build and to read)."""
    parts = dict(_parts(name))
    if sheet is not None:
        index = list(_sheets(name)).index(sheet) + 1
        with zipfile.ZipFile(io.BytesIO(_xlsx({sheet: (headers, rows)}))) as one:
            parts[f"xl/worksheets/sheet{index}.xml"] = one.read("xl/worksheets/sheet1.xml")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return buffer.getvalue()


@functools.cache
def _baseline(name: str) -> dict[str, object]:
    return _totals(parse_named(name, _rewritten(name)))


# What each figure reads: (sheet, canonical column). Every figure also reads the columns
# that identify rows (a blank VM/Host/Name drops the row; VM ID and VI SDK Server make the
# keys sheets are joined on) and vMetaData/vSource (the file's vCenter fills in rows without
# one), added below.
_VM = {("vInfo", "template"), ("vInfo", "powerstate")}
_READS: dict[str, set[tuple[str, str]]] = {
    "vms": _VM,
    "templates": _VM,
    "powered_on": _VM,
    "vcpus": _VM | {("vInfo", "vcpus")},
    "memory_mib": _VM | {("vInfo", "memory_mib")},
    "provisioned_mib": _VM | {("vInfo", "provisioned_mib")},
    "in_use_mib": _VM | {("vInfo", "in_use_mib")},
    "hosts": set(),
    "host_cores": {("vHost", "cpu_cores")},
    "host_memory_mib": {("vHost", "memory_mib")},
    "clusters": {("vCluster", "cluster"), ("vHost", "cluster")},
}
_READS["per_cluster"] = set().union(*_READS.values()) | {("vInfo", "cluster")}
_RISK_EXTRA = {
    "snapshot_old": {("vSnapshot", "snapshot_time")},
    "snapshot_large": {("vSnapshot", "size_total_mib")},
    "tools_not_running": {("vTools", "powerstate")},
    "tools_old": {("vTools", "tools_version")},
    "tools_not_installed": {("vTools", "tools_version")},
    "tools_unmanaged": {("vTools", "tools_status")},
    "cbt_off": {("vInfo", "powerstate")},
    "guest_os_eol": {("vInfo", "os_tools")},
    "esxi_eol": {("vHost", "host"), ("vHost", "vi_sdk_server")},
    "passthrough_possible": {("vInfo", "fixed_passthru_hotplug")},
    "suspended": {("vInfo", "powerstate")},
    "cdrom_connected": {("vCD", "device_node"), ("vCD", "device_type")},
    "standalone_host": {("vInfo", "host")},
}
for _check in risks.CHECKS:
    _READS[f"risk:{_check.id}"] = (
        set(_check.needs)
        | _RISK_EXTRA.get(_check.id, set())
        | {
            ("vInfo", "template"),
            ("vInfo", "vm"),
            ("vInfo", "resource_pool"),
        }  # which VMs are checked
        | {(sheet, "vm") for sheet, _ in _check.needs}
    )
_IDENTITY = {"vm", "vm_id", "vi_sdk_server", "host", "cluster", "datastore"}
_GLOBAL_SHEETS = {"vMetaData", "vSource"}


def _reads(figure: str, sheet: str, column: str | None) -> bool:
    if column is None:
        return False  # a custom column: nothing reads it
    if sheet in _GLOBAL_SHEETS or (
        column in _IDENTITY
        and (sheet in ("vInfo", "vHost", "vCluster") or any(s == sheet for s, _ in _READS[figure]))
    ):
        return True
    return (sheet, column) in _READS[figure]


def _canonical(sheet: str, headers: list[str], column: int) -> str | None:
    """The canonical column the reader makes of ``headers[column]`` (None: kept as custom)."""
    seen: set[str] = set()
    for index, header in enumerate(headers[: column + 1]):
        canonical = reader._MATCHERS[sheet].match(header) if header.strip() else None
        if canonical in seen:
            canonical = None
        if index == column:
            return canonical
        if canonical:
            seen.add(canonical)
    return None


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _mutate(kind: str, value, draw_long: str):
    """One cell after the mutation; None leaves it as it is."""
    if kind == "numbers as text" and isinstance(value, float | int) and not isinstance(value, bool):
        return _number_text(value)
    if (
        kind == "numbers as words"
        and isinstance(value, float | int)
        and not isinstance(value, bool)
    ):
        return f"{_number_text(value)} units"
    if isinstance(value, datetime):
        if kind == "dates as ISO 8601 Z":
            return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if kind == "dates with an offset":
            return (value + timedelta(hours=5, minutes=30)).strftime("%Y-%m-%dT%H:%M:%S.%f+05:30")
        if kind == "dates in another locale":
            return value.strftime("%d.%m.%Y %H:%M:%S")
    if isinstance(value, str) and value in ("True", "False"):
        if kind == "booleans as 0/1":
            return "1" if value == "True" else "0"
        if kind == "booleans as yes/no":
            return "yes" if value == "True" else "no"
    if kind == "blanks":
        return ""
    if kind == "long text" and value not in ("", None):
        return draw_long
    return None


_KEEPS_VALUES = {  # mutation -> the column kinds whose values it keeps
    "numbers as text": {"float", "int", "pct", "hw", "sharing", "latency"},
    "dates as ISO 8601 Z": {"dt"},
    "dates with an offset": {"dt"},
    "booleans as 0/1": {"bool"},
    "booleans as yes/no": {"bool"},
}
MUTATIONS = [
    "numbers as text",
    "numbers as words",
    "dates as ISO 8601 Z",
    "dates with an offset",
    "dates in another locale",
    "booleans as 0/1",
    "booleans as yes/no",
    "blanks",
    "long text",
]
_LONG_TEXTS = st.sampled_from(
    ["x" * LONG, "9" * LONG, "2019-03-04T05:06:07Z " * (LONG // 21), "é" * LONG]
)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", PARAMS)
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_one_mutated_column_never_sinks_an_import(name, data):
    sheets = _sheets(name)
    baseline = _baseline(name)
    sheet_name = data.draw(st.sampled_from(sorted(sheets)), label="sheet")
    headers, rows = sheets[sheet_name]
    column = data.draw(st.integers(0, len(headers) - 1), label="column")
    kind = data.draw(st.sampled_from(MUTATIONS), label="mutation")
    long_text = data.draw(_LONG_TEXTS, label="long text") if kind == "long text" else ""
    limit = 3 if kind == "long text" else len(rows)  # a few 32,767-character cells are enough
    changed = 0
    mutated_rows = []
    for row in rows:
        new = list(row)
        if column < len(new) and changed < limit:
            value = _mutate(kind, new[column], long_text)
            if value is not None and value != new[column]:
                new[column] = value
                changed += 1
        mutated_rows.append(new)

    export = parse_named(
        name, _rewritten(name, sheet_name, headers, mutated_rows)
    )  # must not raise

    sheet = {file_name: ours for ours, file_name in find_sheets(list(sheets)).items()}[sheet_name]
    header = str(headers[column])
    canonical = _canonical(sheet, [str(h) for h in headers], column)
    col_kind = reader._MATCHERS[sheet].specs[canonical][0] if canonical else "str"
    lossless = col_kind in _KEEPS_VALUES.get(kind, set())
    got = _totals(export)
    for figure, value in baseline.items():
        if lossless or not _reads(figure, sheet, canonical):
            assert got[figure] == value, (sheet, header, kind, figure)
    odd = [
        u
        for u in export.quality.unreadable_values
        if u["sheet"] == sheet and u["column"] == canonical
    ]
    for entry in odd:  # the warning names the sheet, the column and an example
        assert any(
            f"{sheet} column {entry['header']!r}" in w and repr(entry["example"]) in w
            for w in export.quality.warnings
        )
        assert len(entry["example"]) <= 80
