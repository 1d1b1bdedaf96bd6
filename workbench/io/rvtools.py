"""Read RVTools exports (xlsx, or CSV files as a folder or a zip) into canonical DataFrames.

One reader for every RVTools release seen in the field, 3.x to 4.8:

- headers are matched through one alias table (:mod:`workbench.io.rvtools_columns`): 3.x
  ``MB``/``KB`` and 4.x ``MiB``/``KiB`` headers (the values were always binary units),
  ``-DBColumnNames`` spellings, trailing spaces, ``tabvInfo`` sheet names;
- values get real dtypes whatever the encoding: 'True'/'False' strings, text dates of 3.x,
  epoch placeholders (1969-12-31, 1970-01-01: treated as unknown), numeric enums of 3.x,
  Excel's float build numbers;
- blank rows are dropped and counted; columns the table does not know (custom attributes,
  tag categories) are kept, as text, under their own header;
- every VM gets a key, ``vcenter/vm_id``, because VM names repeat across and within
  vCenters;
- what was odd about the file goes to :class:`QualityReport` rather than to an exception,
  unless the file cannot be an RVTools export at all (then :class:`ImportRejectedError`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute

from workbench.errors import ImportRejectedError, ReaderInternalError, WorkbenchError
from workbench.io import spreadsheet
from workbench.io.rvtools_columns import ESSENTIAL, IDENTITY, SHEETS, VM_SHEETS, parse_table
from workbench.io.spreadsheet import RawSheet

KNOWN_NEWEST = (4, 8)
"""The newest RVTools release whose columns this reader was checked against."""

_TABLE = parse_table()
_SHARING = {0: "noSharing", 1: "virtualSharing", 2: "physicalSharing"}
_LATENCY = {0: "low", 1: "normal", 2: "medium", 3: "high", 4: "custom"}
_EPOCH_PLACEHOLDER_BEFORE = pd.Timestamp("1970-01-02")
# Columns the reader adds; a file's own column of the same name is kept under "name (2)".
_DERIVED = frozenset(
    {
        "vcenter",
        "vm_key",
        "is_template",
        "is_powered_on",
        "is_powered_off",
        "is_suspended",
        "is_vcls",
        "is_srm_placeholder",
        "is_orphaned",
        "is_inaccessible",
    }
)
_VCLS = re.compile(r"^vCLS([-\s(]|$)")


def _norm(header: str) -> str:
    text = " ".join(str(header).split()).casefold()
    text = re.sub(r"\bmb\b", "mib", text)
    return re.sub(r"\bkb\b", "kib", text)


def _alnum(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text)


def _without_unit(key: str) -> str:
    return re.sub(r"(mib|kib)$", "", key)


class _Matcher:
    """Header -> canonical column of one sheet: exact (after MB->MiB), then letters and
    digits only, then without a trailing unit and the ``-DBColumnNames`` sheet prefix."""

    def __init__(self, sheet: str):
        self.specs = {canonical: (kind, header) for canonical, kind, header, _ in _TABLE[sheet]}
        self.prefix = _alnum(sheet.casefold())
        self.exact: dict[str, str] = {}
        self.loose: dict[str, str] = {}
        ambiguous: set[str] = set()
        for canonical, _kind, header, variants in _TABLE[sheet]:
            for text in (header, *variants):
                self.exact.setdefault(_norm(text), canonical)
                for key in {_alnum(_norm(text)), _without_unit(_alnum(_norm(text)))}:
                    if self.loose.get(key, canonical) != canonical:
                        ambiguous.add(key)
                    self.loose.setdefault(key, canonical)
        for key in ambiguous:
            self.loose.pop(key, None)

    def match(self, header: str) -> str | None:
        norm = _norm(header)
        if norm in self.exact:
            return self.exact[norm]
        key = _alnum(norm)
        if key.startswith(self.prefix) and len(key) > len(self.prefix):
            key = key[len(self.prefix) :]
        return self.loose.get(key) or self.loose.get(_without_unit(key))


_MATCHERS = {sheet: _Matcher(sheet) for sheet in SHEETS}


@dataclass
class QualityReport:
    """What the reader noticed about a file. Nothing here stops an import.

    Attributes
    ----------
    missing_sheets : list of str
        Sheets the workbench reads that the file does not have.
    missing_columns : dict
        ``{sheet: [canonical column, ...]}`` known columns absent from the file (older
        release, trimmed file). They are added empty so code downstream can rely on every
        canonical column; the essential ones also get a warning.
    custom_columns : dict
        ``{sheet: [header, ...]}`` columns kept as text because the table does not know
        them (custom attributes, tags, newer columns).
    dropped_rows : list of dict
        ``{sheet, rows, reason}``: rows left out and why (blank rows).
    unreadable_values : list of dict
        ``{sheet, column, values, example}``: cells that could not be read as their type
        (became empty).
    placeholders : list of dict
        ``{sheet, column, values}``: epoch placeholder dates read as unknown.
    reconciliation : pandas.DataFrame
        vCluster totals against the sum of vHost rows; see :func:`reconcile_clusters`.
    warnings : list of str
        Plain sentences for people.
    """

    missing_sheets: list[str] = field(default_factory=list)
    missing_columns: dict[str, list[str]] = field(default_factory=dict)
    custom_columns: dict[str, list[str]] = field(default_factory=dict)
    dropped_rows: list[dict[str, Any]] = field(default_factory=list)
    unreadable_values: list[dict[str, Any]] = field(default_factory=list)
    placeholders: list[dict[str, Any]] = field(default_factory=list)
    reconciliation: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the reconciliation as a list of rows)."""
        rec = self.reconciliation
        return {
            "missing_sheets": list(self.missing_sheets),
            "missing_columns": {k: list(v) for k, v in self.missing_columns.items()},
            "custom_columns": {k: list(v) for k, v in self.custom_columns.items()},
            "dropped_rows": list(self.dropped_rows),
            "unreadable_values": list(self.unreadable_values),
            "placeholders": list(self.placeholders),
            "reconciliation": _records(rec) if len(rec) else [],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QualityReport:
        """Inverse of :meth:`to_dict`."""
        values = dict(data)
        values["reconciliation"] = pd.DataFrame(
            values.get("reconciliation") or [], columns=RECONCILIATION_COLUMNS
        )
        return cls(**values)


RECONCILIATION_COLUMNS = [
    "vcenter",
    "cluster",
    "measure",
    "vcluster_value",
    "vhost_sum",
    "difference",
    "tolerance",
    "agrees",
]


@dataclass
class RVToolsExport:
    """One RVTools export as canonical DataFrames.

    Attributes
    ----------
    tables : dict of str to pandas.DataFrame
        One frame per sheet name (``'vInfo'``, ``'vHost'``, ...). Every sheet in
        :data:`~workbench.io.rvtools_columns.SHEETS` is present; a sheet the file lacks is an
        empty frame with the canonical columns. VM sheets, vHost, vCluster and vDatastore
        carry ``vcenter`` (the VI SDK Server, or the file's only vCenter); VM sheets carry ``vm_key``
        (``vcenter/vm_id``). vInfo also carries the flags ``is_template``,
        ``is_powered_on``, ``is_powered_off``, ``is_suspended``, ``is_vcls``,
        ``is_srm_placeholder``, ``is_orphaned``, ``is_inaccessible`` (bool). Sizes are
        MiB, frequencies MHz.
    meta : dict
        ``rvtools_version`` (str or None), ``rvtools_major`` (str or None),
        ``export_time`` (datetime or None), ``vcenters`` (list of str), ``vcenter_versions``
        ({vcenter: 'VMware vCenter Server 8.0.3 build-...'}), ``source_format``
        ('xlsx' | 'csv'), ``sheets`` (sheet names found in the file), ``header_units``
        ('MiB' | 'MB').
    quality : QualityReport
    """

    tables: dict[str, pd.DataFrame]
    meta: dict[str, Any]
    quality: QualityReport

    def __getitem__(self, sheet: str) -> pd.DataFrame:
        return self.tables[sheet]

    @property
    def vms(self) -> pd.DataFrame:
        """vInfo: one row per VM or template."""
        return self.tables["vInfo"]

    @property
    def hosts(self) -> pd.DataFrame:
        """vHost: one row per ESXi host."""
        return self.tables["vHost"]

    @property
    def clusters(self) -> pd.DataFrame:
        """vCluster: one row per compute cluster."""
        return self.tables["vCluster"]


# ---------------------------------------------------------------------------- entry points


def read_rvtools(path: str | Path) -> RVToolsExport:
    """Read an RVTools export from disk.

    Parameters
    ----------
    path : str or Path
        An ``.xlsx`` file, a folder of ``RVTools_tab*.csv`` files, a ``.zip`` of them, or one
        such CSV file.

    Raises
    ------
    ImportRejectedError
        The file is missing, unreadable, hostile, or not an RVTools export.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        if not files:
            raise ImportRejectedError(f"The folder {path} holds no CSV files.")
        for file in files:
            _check_size(file)
        return parse_csv_files([(p.name, p.read_bytes()) for p in files])
    if not path.is_file():
        raise ImportRejectedError(f"There is no file at {path}.")
    _check_size(path)
    return parse_named(path.name, path.read_bytes())


def parse_named(name: str, data: bytes) -> RVToolsExport:
    """Parse the bytes of one file whose name is known: an xlsx workbook, a zip of CSV
    files, or a single CSV file named like ``RVTools_tabvInfo.csv``.

    Raises
    ------
    ImportRejectedError
    """
    kind, archive = spreadsheet.sniff(data)
    if kind == "csv":
        return parse_csv_files([(name, data)])
    return _parse_archive(kind, data, archive)


def _check_size(path: Path) -> None:
    if path.stat().st_size > spreadsheet.MAX_FILE_BYTES:
        raise ImportRejectedError(
            f"{path.name} is {path.stat().st_size / 2**20:.0f} MiB; "
            f"the limit is {spreadsheet.MAX_FILE_BYTES // 2**20} MiB."
        )


def parse_rvtools(data: bytes) -> RVToolsExport:
    """Parse an RVTools export given as bytes: an xlsx workbook or a zip of CSV files.

    Raises
    ------
    ImportRejectedError
        Not a spreadsheet, truncated, a zip bomb, a sheet spanning an absurd grid, or no
        vInfo sheet.
    """
    kind, archive = spreadsheet.sniff(data)
    if kind == "csv":
        raise ImportRejectedError(
            "A single CSV file needs its name to tell which sheet it is; use read_rvtools(path)."
        )
    return _parse_archive(kind, data, archive)


def _parse_archive(kind: str, data: bytes, archive) -> RVToolsExport:
    if kind == "csv-zip":
        return parse_csv_files(list(spreadsheet.csv_members(archive)))
    book = spreadsheet.XlsxBook(data, archive)
    found = find_sheets(book.sheet_names)
    sheet_of = {name: sheet for sheet, name in found.items()}
    raw = ((sheet_of[name], sheet) for name, sheet in book.iter_sheets(list(found.values())))
    return _build(raw, source_format="xlsx", sheets_in_file=_our_names(book.sheet_names, found))


def parse_csv_files(files: list[tuple[str, bytes]]) -> RVToolsExport:
    """Parse RVTools CSV exports: ``[(file name, bytes)]`` such as ``RVTools_tabvInfo.csv``.

    Comma- and semicolon-separated files are both accepted; in semicolon files a decimal
    comma (``12,5``) is read as a decimal point.
    """
    names = {}
    for name, data in files:
        stem = Path(name).stem
        stem = re.sub(r"^rvtools_", "", stem, flags=re.IGNORECASE)
        names[stem] = data
    found = find_sheets(list(names), csv=True)
    raw = ((sheet, spreadsheet.csv_sheet(names[name])) for sheet, name in found.items())
    return _build(raw, source_format="csv", sheets_in_file=_our_names(list(names), found))


def _our_names(names: list[str], found: dict[str, str]) -> list[str]:
    """The file's sheets under our names where the reader knows them (``tabvInfo`` is
    ``vInfo``), so a check can tell a sheet the file lacks from one it names otherwise."""
    ours = {name: sheet for sheet, name in found.items()}
    return [ours.get(name, name) for name in names]


def find_sheets(names: list[str], csv: bool = False) -> dict[str, str]:
    """Which of a file's sheets the reader uses.

    Parameters
    ----------
    names : list of str
        The file's sheet names (or CSV file stems): ``vInfo``, ``tabvInfo``, ``vSC+VMK``...
    csv : bool
        Word the error for CSV exports.

    Returns
    -------
    dict
        Our sheet name (see :data:`~workbench.io.rvtools_columns.SHEETS`) -> the file's name.

    Raises
    ------
    ImportRejectedError
        There is no vInfo.
    """
    by_key = {}
    for name in names:
        key = _alnum(str(name).casefold())
        key = key[3:] if key.startswith("tab") else key
        by_key.setdefault(key, name)
    found = {
        sheet: by_key[_alnum(sheet.casefold())]
        for sheet in SHEETS
        if _alnum(sheet.casefold()) in by_key
    }
    if "vInfo" not in found and csv:
        raise ImportRejectedError(
            "This is not an RVTools CSV export: no file is named like RVTools_tabvInfo.csv "
            f"(found: {', '.join(map(str, names[:12]))})."
        )
    if "vInfo" not in found:
        listed = ", ".join(map(str, names[:12])) or "none"
        raise ImportRejectedError(
            f"This is not an RVTools export: there is no vInfo sheet (sheets found: {listed})."
        )
    return found


# ---------------------------------------------------------------------------- building


class _Place:
    """Where the reader is (sheet and column), so an unexpected error can say so."""

    sheet = ""
    column = ""

    def at(self, sheet: str, column: str = "") -> None:
        self.sheet, self.column = sheet, column


def _build(
    raw: Iterable[tuple[str, RawSheet]], source_format: str, sheets_in_file: list[str]
) -> RVToolsExport:
    """Convert sheets as they arrive (the xlsx reader parses the next one meanwhile).

    An error the reader did not foresee becomes :class:`ReaderInternalError` naming the
    sheet and column it was working on, never a library's message.
    """
    place = _Place()
    try:
        return _build_tables(raw, source_format, sheets_in_file, place)
    except WorkbenchError:
        raise
    except Exception as exc:
        where = f"sheet {place.sheet!r}" + (f", column {place.column!r}" if place.column else "")
        raise ReaderInternalError(
            f"Internal error of the RVTools reader on {where} ({type(exc).__name__}); "
            "the file was not imported. Please report this with the file's RVTools version."
        ) from exc


def _build_tables(
    raw, source_format: str, sheets_in_file: list[str], place: _Place
) -> RVToolsExport:
    quality = QualityReport()
    tables: dict[str, pd.DataFrame] = {}
    mb_headers = False
    by_name = None
    reconciliation = None
    for sheet, data in raw:
        place.at(sheet)
        headers = [str(h) for h in data.headers]
        if sheet == "vInfo" and not headers:
            raise ImportRejectedError("The vInfo sheet is empty: this file has no header row.")
        mb_headers = mb_headers or any(re.search(r"\b[MK]B\b", h) for h in headers)
        tables[sheet] = _sheet_frame(sheet, headers, data.columns, quality, place)
        data = None  # let the raw columns go before the next sheet arrives
        place.at(sheet)
        by_name = _identify_sheet(sheet, tables[sheet], "", by_name)
        if {"vCluster", "vHost"} <= tables.keys() and reconciliation is None:
            # Both are in: check them while the parser thread reads the remaining sheets.
            place.at("vCluster")
            reconciliation = reconcile_clusters(tables["vCluster"], tables["vHost"])
        if sheet == "vInfo" and {"vm", "powerstate", "vcpus"} <= set(
            quality.missing_columns.get("vInfo", ())
        ):
            raise ImportRejectedError(
                "The vInfo sheet has none of the RVTools columns (VM, Powerstate, CPUs)."
            )
    for sheet in SHEETS:
        if sheet not in tables:
            place.at(sheet)
            if sheet in ESSENTIAL or sheet in ("vSource", "vMetaData"):
                quality.missing_sheets.append(sheet)
            tables[sheet] = _empty_sheet(sheet)
            by_name = _identify_sheet(sheet, tables[sheet], "", by_name)
    tables = {sheet: tables[sheet] for sheet in SHEETS}
    place.at("vMetaData")
    meta = _meta(tables, quality, source_format, sheets_in_file, mb_headers)
    place.at("vInfo", "VM ID")
    _identify_vms(tables, meta, quality)
    place.at("vCluster")
    if reconciliation is None:
        reconciliation = reconcile_clusters(tables["vCluster"], tables["vHost"])
    quality.reconciliation = reconciliation
    for row in quality.reconciliation[~quality.reconciliation["agrees"]].itertuples():
        quality.warnings.append(
            f"Cluster {row.cluster!r}: vCluster {row.measure} is {row.vcluster_value:g}, "
            f"the vHost rows add up to {row.vhost_sum:g}."
        )
    for dropped in quality.dropped_rows:
        quality.warnings.append(
            f"{dropped['sheet']}: {dropped['rows']} row(s) left out ({dropped['reason']})."
        )
    for odd in quality.unreadable_values:
        header = odd.get("header", odd["column"])
        if odd.get("kept_as_text"):
            quality.warnings.append(
                f"{odd['sheet']} column {header!r}: no cell reads as {_KIND_WORDS.get(odd.get('kind'), 'its type')} "
                f"(e.g. {odd['example']!r}); it is kept as text under {odd['kept_as_text']!r} and "
                f"{odd['column']} counts as missing."
            )
        else:
            quality.warnings.append(
                f"{odd['sheet']} column {header!r}: {odd['values']} cell(s) could not be read as "
                f"{_KIND_WORDS.get(odd.get('kind'), 'its type')} and count as empty (e.g. {odd['example']!r})."
            )
    return RVToolsExport(tables=tables, meta=meta, quality=quality)


_KIND_WORDS = {
    "float": "a number",
    "int": "a whole number",
    "pct": "a percentage",
    "hw": "a hardware version",
    "bool": "True/False",
    "dt": "a date and time",
}
_EXAMPLE_CHARS = 80
"""Longest example of an unreadable cell quoted in a warning (a cell may hold 32,767)."""


def _empty_sheet(sheet: str) -> pd.DataFrame:
    empty = pyarrow.array([], type=pyarrow.large_string())
    return _frame({canonical: _convert(kind, empty)[0] for canonical, kind, _, _ in _TABLE[sheet]})


def _frame(columns: dict[str, Any]) -> pd.DataFrame:
    """One DataFrame from converted columns (Arrow arrays) in a single Arrow pass, which
    costs far less than assembling a hundred Series one by one."""
    arrays = [
        c if isinstance(c, pyarrow.Array | pyarrow.ChunkedArray) else pyarrow.array(c)
        for c in columns.values()
    ]
    return pyarrow.Table.from_arrays(arrays, names=list(columns)).to_pandas(
        types_mapper=_PANDAS_TYPES.get
    )


def _present(column: pyarrow.Array) -> pyarrow.Array:
    """Cells that hold something (not empty, not an empty text)."""
    if pyarrow.types.is_null(column.type):
        return pyarrow.array(np.zeros(len(column), bool))
    valid = pyarrow.compute.is_valid(column)
    if _is_text(column.type):
        return pyarrow.compute.and_kleene(valid, pyarrow.compute.not_equal(column, "")).fill_null(
            False
        )
    return valid


def _kept_rows(columns: list[pyarrow.Array]) -> pyarrow.Array | None:
    """Mask of the rows that are not blank (every cell empty), or None when all are kept."""
    if not columns or not len(columns[0]):
        return None
    kept = _present(columns[0])
    for column in columns[1:]:
        if kept.false_count == 0:
            break
        kept = pyarrow.compute.or_(kept, _present(column))
    return None if kept.false_count == 0 else kept


def _sheet_frame(
    sheet: str, headers: list[str], columns: list, quality: QualityReport, place: _Place
) -> pd.DataFrame:
    columns = [c.combine_chunks() if isinstance(c, pyarrow.ChunkedArray) else c for c in columns]
    kept = _kept_rows(columns)
    rows = len(columns[0]) if columns else 0
    if kept is not None:
        quality.dropped_rows.append(
            {"sheet": sheet, "rows": kept.false_count, "reason": "blank row"}
        )
        columns = [c.filter(kept) for c in columns]
        rows = len(columns[0])
    matcher = _MATCHERS[sheet]
    data: dict[str, Any] = {}
    custom: list[str] = []

    def keep_as_text(header: str, values) -> str:
        base = name = header.strip() or "unnamed"
        copy = 1
        while name in data or name in matcher.specs or name in _DERIVED:
            copy += 1
            name = f"{base} ({copy})"
        custom.append(name)
        data[name], _ = _convert("str", values)
        return name

    headers_of: dict[str, str] = {}
    for header, values in zip(headers, columns, strict=True):
        place.at(sheet, header)
        canonical = matcher.match(header) if header.strip() else None
        if canonical is None or canonical in data:
            keep_as_text(header, values)
            continue
        kind = matcher.specs[canonical][0]
        converted, problems = _convert(kind, values)
        if problems.get("unreadable"):
            odd = {
                "sheet": sheet,
                "column": canonical,
                "header": header.strip(),
                "kind": kind,
                "values": problems["unreadable"],
                "example": problems["example"][:_EXAMPLE_CHARS],
            }
            if problems.get("none_read"):
                # Not one cell reads as its kind: keep the column as the file has it, as text,
                # and let the canonical column count as missing (checks needing it say so).
                odd["kept_as_text"] = keep_as_text(header, values)
                quality.unreadable_values.append(odd)
                continue
            quality.unreadable_values.append(odd)
        data[canonical] = converted
        headers_of[canonical] = header
        if problems.get("placeholders"):
            quality.placeholders.append(
                {"sheet": sheet, "column": canonical, "values": problems["placeholders"]}
            )
    place.at(sheet)
    absent = [c for c in matcher.specs if c not in data]
    if absent:
        quality.missing_columns[sheet] = absent
    essential = [c for c in ESSENTIAL.get(sheet, ()) if c in absent]
    if essential:
        quality.warnings.append(
            f"{sheet} has no {', '.join(matcher.specs[c][1] for c in essential)} column"
            f"{'s' if len(essential) > 1 else ''}."
        )
    if rows:
        blank = [
            headers_of[c].strip()
            for c in ESSENTIAL.get(sheet, ())
            if c in headers_of and _all_blank(data[c])
        ]
        if blank:
            quality.warnings.append(
                f"{sheet}: the {', '.join(map(repr, blank))} column{'s are' if len(blank) > 1 else ' is'} "
                "empty in every row."
            )
    for canonical in absent:
        data[canonical], _ = _convert(
            matcher.specs[canonical][0], pyarrow.nulls(rows, pyarrow.large_string())
        )
    if custom:
        quality.custom_columns[sheet] = custom
    # Canonical columns in table order, then the file's own columns.
    frame = _frame({**{c: data[c] for c in matcher.specs}, **{c: data[c] for c in custom}})
    identity = IDENTITY.get(sheet)
    if identity and identity not in absent and len(frame):
        nameless = frame[identity] == ""
        if nameless.any():
            quality.dropped_rows.append(
                {
                    "sheet": sheet,
                    "rows": int(nameless.sum()),
                    "reason": f"no {matcher.specs[identity][1]} value (a totals or notes row)",
                }
            )
            frame = frame[~nameless].reset_index(drop=True)
    return frame


def _all_blank(values: pyarrow.Array) -> bool:
    if _is_text(values.type):
        return not pyarrow.compute.any(pyarrow.compute.not_equal(values, "")).as_py()
    if pyarrow.types.is_floating(values.type):
        return bool(np.isnan(values.to_numpy(zero_copy_only=False)).all())
    return values.null_count == len(values)


# ---------------------------------------------------------------------------- value kinds


_STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str" dtype
_PANDAS_TYPES = {
    pyarrow.large_string(): _STR,
    pyarrow.string(): _STR,
    pyarrow.bool_(): pd.BooleanDtype(),
    pyarrow.int64(): pd.Int64Dtype(),
}
_LARGE = pyarrow.large_string()
_STAMP = pyarrow.timestamp("us")
_compute = pyarrow.compute
_types = pyarrow.types
# What a number cell written as text may look like (Arrow's cast accepts these). 'nan' is
# not a number here: it is what a broken export writes, and it is reported.
_NUMBER = (
    r"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$"
)
_WHOLE_TEXT = r"^[+-]?\d+(\.0*)?$"


def _is_text(kind: pyarrow.DataType) -> bool:
    return _types.is_string(kind) or _types.is_large_string(kind)


def _is_number(kind: pyarrow.DataType) -> bool:
    return _types.is_floating(kind) or _types.is_integer(kind)


def _convert(kind: str, values: pyarrow.Array) -> tuple[pyarrow.Array, dict[str, Any]]:
    """Turn one column of cells (an Arrow array of whatever type the file gave it) into a
    typed Arrow array; report what could not be read.

    Returns
    -------
    (array, problems)
        ``problems`` may hold ``unreadable`` (cells that became empty), ``example`` (the
        first of them, as text), ``none_read`` (no cell was readable while some held
        something) and ``placeholders`` (epoch placeholder dates made unknown).
    """
    if isinstance(values, pyarrow.ChunkedArray):
        values = values.combine_chunks()
    if kind == "str":
        return _texts(values), {}
    if kind == "build":
        return _compute.replace_substring_regex(
            _texts(values), pattern=r"^(\d+)\.0+$", replacement=r"\1"
        ), {}
    if kind == "dt":
        return _datetimes(values)
    if kind in ("sharing", "latency"):
        return _enum(_SHARING if kind == "sharing" else _LATENCY, values), {}
    if kind == "bool":
        return _bools(values)
    return _numbers(kind, values)


def _texts(values: pyarrow.Array) -> pyarrow.Array:
    """Cells as trimmed text ('' for empty), whatever their type: whole numbers without
    Excel's '.0', dates in ISO form, booleans as 'True'/'False'."""
    kind = values.type
    if _is_text(kind):
        text = values.cast(_LARGE)
    elif _types.is_null(kind):
        return pyarrow.array([""] * len(values), type=_LARGE)
    elif _types.is_floating(kind):
        text = _float_texts(values)
    elif _types.is_integer(kind):
        text = values.cast(_LARGE)
    elif _types.is_boolean(kind):
        text = _compute.if_else(values, "True", "False").cast(_LARGE)
    else:
        text = pyarrow.array(
            [None if v is None else _text(v) for v in values.to_pylist()], type=_LARGE
        )
    return _compute.utf8_trim_whitespace(text.fill_null("") if text.null_count else text)


def _float_texts(values: pyarrow.Array) -> pyarrow.Array:
    numbers = values.to_numpy(zero_copy_only=False).astype("float64")
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(numbers) & (np.floor(numbers) == numbers) & (np.abs(numbers) < 2**62)
    text = pyarrow.array(np.where(whole, numbers, 0).astype("int64")).cast(_LARGE)
    odd = ~whole & ~np.isnan(numbers)
    if odd.any():
        other = np.full(len(numbers), None, dtype=object)
        other[odd] = [_text(float(v)) for v in numbers[odd]]
        text = _compute.if_else(pyarrow.array(whole), text, pyarrow.array(other, type=_LARGE))
    missing = np.isnan(numbers) & ~odd
    if missing.any():
        text = _compute.if_else(pyarrow.array(missing), pyarrow.scalar(None, _LARGE), text)
    return text


def _unreadable(original: pyarrow.Array, bad: pyarrow.Array, parsed: int = 0) -> dict[str, Any]:
    """The problems entry for the cells marked ``bad``; ``parsed``: cells that were read."""
    count = _compute.sum(bad).as_py() or 0
    if not count:
        return {}
    example = _texts(_compute.filter(original, bad).slice(0, 1))[0].as_py()
    return {"unreadable": count, "example": example, "none_read": parsed == 0}


def _numbers(kind: str, values: pyarrow.Array) -> tuple[pyarrow.Array, dict[str, Any]]:
    """Numbers; text cells are read when they hold a number ('12', ' 1e3 ', '12 %' for a
    percentage, 'vmx-14' for a hardware version); anything else is reported."""
    size = len(values)
    problems: dict[str, Any] = {}
    if _is_number(values.type) or _types.is_boolean(values.type):
        numbers = values.cast(pyarrow.float64()).to_numpy(zero_copy_only=False)
    elif _types.is_null(values.type):
        numbers = np.full(size, np.nan)
    elif _is_text(values.type):
        original = _compute.utf8_trim_whitespace(values.cast(_LARGE).fill_null(""))
        text = original
        if kind == "pct":
            text = _compute.utf8_trim_whitespace(_compute.utf8_rtrim(text, characters="%"))
        elif kind == "hw":
            digits = _compute.extract_regex(text, pattern=r"(?P<n>\d+)").field("n")
            text = _compute.coalesce(digits, text)
        readable = _compute.match_substring_regex(text, pattern=_NUMBER)
        numbers = _compute.if_else(readable, text, pyarrow.scalar(None, _LARGE)).cast(
            pyarrow.float64()
        )
        numbers = numbers.to_numpy(zero_copy_only=False)
        bad = _compute.and_(_compute.invert(readable), _compute.not_equal(original, ""))
        problems = _unreadable(original, bad, readable.true_count)
    else:  # dates, durations: not numbers
        present = _present(values)
        problems = _unreadable(values, present)
        numbers = np.full(size, np.nan)
    return (_whole(numbers) if kind in ("int", "hw") else pyarrow.array(numbers)), problems


_TRUE_TEXT = pyarrow.array(["true", "yes", "1"], type=_LARGE)
_FALSE_TEXT = pyarrow.array(["false", "no", "0"], type=_LARGE)


def _bools(values: pyarrow.Array) -> tuple[pyarrow.Array, dict[str, Any]]:
    """'True'/'False' text (any case, Yes/No, 1/0; Excel booleans and 1.0/0.0 too) as a
    boolean array; blanks are null."""
    if _types.is_boolean(values.type):
        return values, {}
    if _types.is_null(values.type):
        return pyarrow.nulls(len(values), pyarrow.bool_()), {}
    original = _texts(values)
    text = _compute.utf8_lower(original)
    true = _compute.is_in(text, value_set=_TRUE_TEXT)
    false = _compute.is_in(text, value_set=_FALSE_TEXT)
    result = _compute.if_else(
        true, True, _compute.if_else(false, False, pyarrow.scalar(None, pyarrow.bool_()))
    )
    odd = _compute.invert(_compute.or_(_compute.or_(true, false), _compute.equal(text, "")))
    return result, _unreadable(original, odd, true.true_count + false.true_count)


def _enum(names: dict[int, str], values: pyarrow.Array) -> pyarrow.Array:
    """3.x numeric enums (cells or text such as '1' or '2.0') as their 4.x words; other
    text is kept as it is."""
    text = _texts(values)
    if _is_number(values.type):
        numbers = values.cast(pyarrow.float64()).to_numpy(zero_copy_only=False)
    else:
        whole = _compute.match_substring_regex(text, pattern=_WHOLE_TEXT)
        if not whole.true_count:
            return text
        numbers = _compute.if_else(whole, text, pyarrow.scalar(None, _LARGE)).cast(
            pyarrow.float64()
        )
        numbers = numbers.to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        codes = pd.Series(np.where(np.isfinite(numbers), np.trunc(numbers), np.nan))
    words = codes.map(names)
    found = words.notna().to_numpy()
    if not found.any():
        return text
    return _compute.if_else(
        pyarrow.array(found), pyarrow.array(words.where(found, None), type=_LARGE), text
    )


def _whole(numbers: np.ndarray) -> pyarrow.Array:
    """Whole numbers as an int64 array with nulls; fractions (or infinities) keep the column float."""
    missing = np.isnan(numbers)
    present = numbers[~missing]
    if (
        np.isfinite(present).all()
        and (present == np.round(present)).all()
        and (np.abs(present) < 2**62).all()
    ):
        return pyarrow.array(np.where(missing, 0, np.round(numbers)).astype("int64"), mask=missing)
    return pyarrow.array(numbers)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value).strip()


_EXCEL_EPOCH_US = np.datetime64("1899-12-30T00:00:00", "us")
_LAST_SERIAL = 2958466  # 9999-12-31 + 1
# Text timestamps parsed by Arrow before pandas' slower guessing: RVTools 3.x, ISO 8601
# without and with a zone (Z or an offset; those are read as UTC).
_STAMP_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
)


def _datetimes(values: pyarrow.Array) -> tuple[pyarrow.Array, dict[str, Any]]:
    """Dates and times as naive timestamps (UTC when the file gave a zone): date cells,
    Excel serial day numbers, and text in any common form. Epoch placeholders (before
    1970-01-02) become unknown and are counted."""
    kind = values.type
    size = len(values)
    problems: dict[str, Any] = {}
    if _types.is_timestamp(kind) or _types.is_date(kind):
        stamps = values.cast(
            pyarrow.timestamp(kind.unit, tz=kind.tz) if _types.is_timestamp(kind) else _STAMP
        )
        if _types.is_timestamp(kind) and kind.tz is not None:
            stamps = stamps.cast(pyarrow.timestamp(kind.unit))  # the UTC wall time
        result = stamps.cast(_STAMP, safe=False).to_numpy(zero_copy_only=False)
    elif _is_number(kind):
        days = values.cast(pyarrow.float64()).to_numpy(zero_copy_only=False)
        with np.errstate(invalid="ignore"):
            serial = (days > 0) & (days < _LAST_SERIAL)
        micro = np.round(np.where(serial, days, 0) * 86_400_000_000).astype("int64")
        result = np.where(
            serial, _EXCEL_EPOCH_US + micro.astype("timedelta64[us]"), np.datetime64("NaT", "us")
        )
        problems = _unreadable(values, pyarrow.array(~serial & ~np.isnan(days)), int(serial.sum()))
    elif _is_text(kind):
        result, problems = _text_datetimes(values)
    else:  # null, booleans, durations
        result = np.full(size, np.datetime64("NaT", "us"))
        if not _types.is_null(kind):
            problems = _unreadable(values, _present(values))
    result = result.astype("datetime64[us]")
    with np.errstate(invalid="ignore"):
        placeholders = result < np.datetime64("1970-01-02", "us")
    if placeholders.any():
        problems["placeholders"] = int(placeholders.sum())
        result = np.where(placeholders, np.datetime64("NaT", "us"), result)
    return pyarrow.array(result, type=_STAMP), problems


def _text_datetimes(values: pyarrow.Array) -> tuple[np.ndarray, dict[str, Any]]:
    text = _compute.utf8_trim_whitespace(values.cast(_LARGE).fill_null(""))
    result = np.full(len(text), np.datetime64("NaT", "us"))
    pending = _compute.not_equal(text, "").to_numpy(zero_copy_only=False)
    present = int(pending.sum())
    for form in _STAMP_FORMATS:
        if not pending.any():
            break
        parsed = _compute.strptime(text, format=form, unit="us", error_is_null=True)
        if parsed.type.tz is not None:
            parsed = parsed.cast(_STAMP)
        stamps = parsed.to_numpy(zero_copy_only=False)
        took = pending & ~np.isnat(stamps)
        result[took] = stamps[took]
        pending &= ~took
    if pending.any():
        where = np.flatnonzero(pending)
        rest = text.take(pyarrow.array(where)).to_pylist()
        stamps = _guess_datetimes(rest)
        result[where] = stamps
        pending[where] = np.isnat(stamps)
    bad = pyarrow.array(pending)
    return result, _unreadable(text, bad, present - int(pending.sum()))


def _guess_datetimes(texts: list[str]) -> np.ndarray:
    """pandas' guess for each text (any order of day and month it recognises, AM/PM,
    names of months, a zone read as UTC); NaT where it cannot."""
    try:
        parsed = pd.to_datetime(
            pd.Series(texts, dtype=object), errors="coerce", format="mixed", utc=True
        )
        return parsed.dt.tz_convert(None).to_numpy("datetime64[us]")
    except (ValueError, TypeError, OverflowError, ArithmeticError):
        pass  # one odd text spoils the batch: go one by one
    out = np.full(len(texts), np.datetime64("NaT", "us"))
    for i, text in enumerate(texts):
        try:
            stamp = pd.to_datetime(text, errors="coerce", utc=True)
            if not pd.isna(stamp):
                out[i] = stamp.tz_convert(None).to_datetime64().astype("datetime64[us]")
        except (ValueError, TypeError, OverflowError, ArithmeticError):
            continue
    return out


# ---------------------------------------------------------------------------- meta, identity


def _version_tuple(version: str | None) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version or "")[:3])


def _meta(
    tables, quality: QualityReport, source_format: str, sheets_in_file, mb_headers: bool
) -> dict[str, Any]:
    metadata = tables["vMetaData"]
    source = tables["vSource"]
    version = major = None
    export_time = None
    if len(metadata):
        version = next((v for v in metadata["version"] if v), None)
        major = next((v for v in metadata["major_version"] if v), None)
        stamps = metadata["created_at"].dropna()
        export_time = stamps.iloc[0].to_pydatetime() if len(stamps) else None
    vcenters: list[str] = []
    for frame, column in (
        (metadata, "server"),
        (source, "vi_sdk_server"),
        (tables["vInfo"], "vi_sdk_server"),
        (tables["vHost"], "vi_sdk_server"),
    ):
        if column in frame:
            vcenters.extend(v for v in frame[column].unique() if v and v not in vcenters)
    vcenter_versions = {}
    if len(source):
        for row in source.itertuples():
            vcenter_versions[row.vi_sdk_server or row.name] = row.fullname
    if version is None:
        era = "3.x (before 4.1.2: MB headers)" if mb_headers else "4.x"
        quality.warnings.append(
            f"The RVTools version is unknown (no vMetaData sheet); the headers look like RVTools {era}."
        )
    elif _version_tuple(version)[:2] > KNOWN_NEWEST:
        quality.warnings.append(
            f"RVTools {version} is newer than the newest release this reader was checked against "
            f"({'.'.join(map(str, KNOWN_NEWEST))}); columns were matched by name."
        )
    return {
        "rvtools_version": version,
        "rvtools_major": major,
        "export_time": export_time,
        "vcenters": vcenters,
        "vcenter_versions": vcenter_versions,
        "source_format": source_format,
        "sheets": [str(s) for s in sheets_in_file],
        "header_units": "MB" if mb_headers else "MiB",
    }


# Sheets of hosts, clusters, datastores and switches: rows get a ``vcenter``, no VM key.
_INFRA_SHEETS = ("vHost", "vCluster", "vDatastore", "vSwitch", "vPort", "dvSwitch", "dvPort")


def _identify_sheet(
    sheet: str, frame: pd.DataFrame, default: str, by_name: _ByName | None
) -> _ByName | None:
    """Give a sheet's rows a ``vcenter`` and, on VM sheets, a ``vm_key``; vInfo also gets its
    flags. Runs as each sheet arrives; returns vInfo's (vcenter, name) -> key map for the
    sheets that have no VM ID."""
    if sheet in _INFRA_SHEETS:
        _add_vcenter(frame, default)
        return by_name
    if sheet not in VM_SHEETS:
        return by_name
    _add_vcenter(frame, default)
    if sheet == "vInfo":
        keys = _vm_keys(frame)
        if _compute.count_distinct(_vm_key_array(frame)).as_py() < len(frame):
            keys = keys + keys.groupby(keys).cumcount().map(lambda n: "" if n == 0 else f"#{n + 1}")
        frame["vm_key"] = keys.astype("str")
        _flag_vms(frame)
        return _ByName(frame)
    if (frame["vm_id"] != "").all():
        frame["vm_key"] = _vm_keys(frame)
    elif len(frame) and by_name is not None:
        index = pd.MultiIndex.from_arrays([frame["vcenter"], frame["vm"]])
        found = by_name.get().reindex(index).to_numpy()
        frame["vm_key"] = pd.Series(found, index=frame.index).fillna(_vm_keys(frame)).astype("str")
    else:
        frame["vm_key"] = _vm_keys(frame)
    return by_name


class _ByName:
    """vInfo's (vcenter, name) -> key map, built the first time a sheet without VM IDs
    needs it."""

    def __init__(self, vinfo: pd.DataFrame):
        self._vinfo = vinfo
        self._map: pd.Series | None = None

    def get(self) -> pd.Series:
        if self._map is None:
            unique = self._vinfo.drop_duplicates(["vcenter", "vm"], keep=False)
            self._map = unique.set_index(["vcenter", "vm"])["vm_key"]
        return self._map


def _flag_vms(vinfo: pd.DataFrame) -> None:
    power = vinfo["powerstate"].str.lower()
    connection = vinfo["connection_state"].str.lower()
    vinfo["is_template"] = vinfo["template"].fillna(False).astype(bool)
    vinfo["is_powered_on"] = power == "poweredon"
    vinfo["is_powered_off"] = power == "poweredoff"
    vinfo["is_suspended"] = power == "suspended"
    vinfo["is_vcls"] = vinfo["vm"].str.match(_VCLS) | vinfo["resource_pool"].str.contains(
        "vCLS", regex=False
    )
    vinfo["is_srm_placeholder"] = vinfo["srm_placeholder"].fillna(False).astype(bool)
    vinfo["is_orphaned"] = connection == "orphaned"
    vinfo["is_inaccessible"] = connection.isin(["inaccessible", "invalid"])


def _identify_vms(
    tables: dict[str, pd.DataFrame], meta: dict[str, Any], quality: QualityReport
) -> None:
    """Finish VM identity once every sheet is in: when the file names a single vCenter,
    rows without a VI SDK Server belong to it (keys are rebuilt only then); warn about VMs
    that share an identity or have no VM ID."""
    default = meta["vcenters"][0] if len(meta["vcenters"]) == 1 else ""
    if default and any((tables[s]["vcenter"] == "").any() for s in (*VM_SHEETS, *_INFRA_SHEETS)):
        by_name = None
        for sheet in (*VM_SHEETS, *_INFRA_SHEETS):
            by_name = _identify_sheet(sheet, tables[sheet], default, by_name)
    vinfo = tables["vInfo"]
    repeats = int(_vm_keys(vinfo).duplicated(keep=False).sum())
    if repeats:
        quality.warnings.append(
            f"{repeats} vInfo rows share a VM identity; they were numbered to keep them apart."
        )
    missing = int((vinfo["vm_id"] == "").sum())
    if missing:
        quality.warnings.append(
            f"{missing} VMs have no VM ID; they are identified by vCenter and name."
        )
    if len(meta["vcenters"]) > 1:
        _separate_clusters(tables, quality)


_CLUSTER_SHEETS = (*VM_SHEETS, "vHost", "vCluster", "vSwitch", "vPort")


def _separate_clusters(tables: dict[str, pd.DataFrame], quality: QualityReport) -> None:
    """In an export of several vCenters, a cluster name used in more than one of them names
    different clusters: rename those to 'vcenter/cluster' everywhere, so capacity is never
    summed across vCenters."""
    pairs = pd.concat(
        [tables[s][["vcenter", "cluster"]] for s in _CLUSTER_SHEETS], ignore_index=True
    ).drop_duplicates()
    pairs = pairs[(pairs["cluster"] != "") & (pairs["vcenter"] != "")]
    shared = sorted(set(pairs.loc[pairs["cluster"].duplicated(keep=False), "cluster"]))
    if not shared:
        return
    for sheet in _CLUSTER_SHEETS:
        frame = tables[sheet]
        hit = frame["cluster"].isin(shared) & (frame["vcenter"] != "")
        if hit.any():
            frame.loc[hit, "cluster"] = frame.loc[hit, "vcenter"] + "/" + frame.loc[hit, "cluster"]
    quality.warnings.append(
        f"Cluster name{'s' if len(shared) > 1 else ''} {', '.join(map(repr, shared))} "
        "exist in several vCenters; they are named vcenter/cluster here."
    )


def _arrow_text(frame: pd.DataFrame, column: str) -> pyarrow.Array:
    """A text column as an Arrow array ('' when the frame lacks it)."""
    if column not in frame:
        return pyarrow.array([""] * len(frame), type=_LARGE)
    return pyarrow.array(frame[column], type=_LARGE).fill_null("")


def _text_series(values: pyarrow.Array, index: pd.Index) -> pd.Series:
    return pd.Series(_STR.__from_arrow__(pyarrow.chunked_array([values], type=_LARGE)), index=index)


def _add_vcenter(frame: pd.DataFrame, default: str) -> None:
    server = _arrow_text(frame, "vi_sdk_server")
    vcenter = _compute.if_else(_compute.equal(server, ""), pyarrow.scalar(default, _LARGE), server)
    frame["vcenter"] = _text_series(vcenter, frame.index)


def _vm_key_array(frame: pd.DataFrame) -> pyarrow.Array:
    vm_id = _arrow_text(frame, "vm_id")
    named = _compute.binary_join_element_wise(
        pyarrow.scalar("name:", _LARGE), _arrow_text(frame, "vm"), pyarrow.scalar("", _LARGE)
    )
    ident = _compute.if_else(_compute.equal(vm_id, ""), named, vm_id)
    return _compute.binary_join_element_wise(
        _arrow_text(frame, "vcenter"), ident, pyarrow.scalar("/", _LARGE)
    )


def _vm_keys(frame: pd.DataFrame) -> pd.Series:
    return _text_series(_vm_key_array(frame), frame.index)


# ---------------------------------------------------------------------------- reconciliation


def reconcile_clusters(vcluster: pd.DataFrame, vhost: pd.DataFrame) -> pd.DataFrame:
    """Compare each vCluster row with the sum of its vHost rows.

    vCenter reports cluster totals itself; they should equal the sum of the cluster's
    hosts. Memory may differ by a few MiB of rounding; a larger gap means hosts are missing
    from the export or the file was edited.

    Returns
    -------
    pandas.DataFrame
        Columns: ``vcenter``, ``cluster``, ``measure`` ('hosts' | 'cpu_cores' |
        'total_memory_mib' | 'total_cpu_mhz'), ``vcluster_value``, ``vhost_sum``,
        ``difference`` (vcluster - vhost), ``tolerance``, ``agrees`` (bool).
    """
    if vcluster.empty or vhost.empty:
        return pd.DataFrame(columns=RECONCILIATION_COLUMNS).astype({"agrees": bool})
    servers = vhost["vi_sdk_server"].tolist() if "vi_sdk_server" in vhost else [""] * len(vhost)
    cores = vhost["cpu_cores"].astype("float64").to_numpy(na_value=np.nan)
    memory = vhost["memory_mib"].astype("float64").to_numpy(na_value=np.nan)
    mhz = cores * vhost["cpu_mhz"].astype("float64").to_numpy(na_value=np.nan)
    # Plain sums per (server, cluster), missing values counting as nothing (as groupby does).
    sums: dict[tuple[str, str], list[float]] = {}
    for key, *figures in zip(
        zip(servers, vhost["cluster"].tolist(), strict=True), cores, memory, mhz, strict=True
    ):
        total = sums.setdefault(key, [0.0, 0.0, 0.0, 0.0])
        total[0] += 1
        for i, value in enumerate(figures, start=1):
            if value == value:  # not NaN
                total[i] += value
    by_cluster: dict[str, list[tuple[str, str]]] = {}
    for key in sums:
        by_cluster.setdefault(key[1], []).append(key)
    measures = (
        ("hosts", 0, 0),
        ("cpu_cores", 0, 1),
        ("total_memory_mib", 16, 2),
        ("total_cpu_mhz", None, 3),
    )
    rows = []
    for cluster in vcluster.itertuples():
        server = getattr(cluster, "vi_sdk_server", "")
        key = (server, cluster.cluster)
        if key in sums:
            totals = sums[key]
        else:
            matches = by_cluster.get(cluster.cluster, [])
            totals = sums[matches[0]] if len(matches) == 1 else None
        for measure, tolerance, position in measures:
            declared = getattr(cluster, measure)
            if pd.isna(declared):
                continue
            summed = float(totals[position]) if totals is not None else 0.0
            allowed = tolerance if tolerance is not None else 0.01 * max(float(declared), summed)
            difference = float(declared) - summed
            rows.append(
                (
                    server,
                    cluster.cluster,
                    measure,
                    float(declared),
                    summed,
                    difference,
                    float(allowed),
                    abs(difference) <= allowed,
                )
            )
    return pd.DataFrame(rows, columns=RECONCILIATION_COLUMNS)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]
