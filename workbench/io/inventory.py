"""Server inventory files: CSV or xlsx with one server per row.

Columns are named as the ``server_inventory`` fields (see :data:`workbench.pool.SERVER_FIELDS`:
``server_name``, ``serial_number``, ``asset_tag``, ``location``, ``condition``, dates,
prices, ``vendor``, ``model``, ``cores``, ``memory_gib`` ...) or by their labels ("Serial
number"), in any case; unknown columns are reported and left out. The file passes the same
guards as an RVTools export (size, zip bomb, sheet geometry) before any reader sees it, so a
damaged or hostile file is refused quickly.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from workbench.errors import ImportRejectedError
from workbench.io.spreadsheet import XlsxBook, csv_sheet, sniff
from workbench.pool import FIELD_LABELS, SERVER_FIELDS

MAX_ROWS = 100_000
"""Servers one file may hold."""

_ALIASES = {
    **{
        re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_"): name
        for name, label in FIELD_LABELS.items()
    },
    "name": "server_name",
    "hostname": "server_name",
    "host": "server_name",
    "serial": "serial_number",
    "service_tag": "serial_number",
    "lot": "hardware_model_id",
    "lot_code": "hardware_model_id",
    "ram_gib": "memory_gib",
    "memory_gb": "memory_gib",
    "price": "purchase_price",
}


def _field(header: str) -> str | None:
    key = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    if key in SERVER_FIELDS:
        return key
    return _ALIASES.get(key)


def read_inventory(path: str | Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows of an inventory file, keyed by field name, and warnings in words.

    Returns
    -------
    (rows, warnings)
        ``rows``: one dict per non-blank row, with its 1-based line number under
        ``"_row"``; values as read (text from CSV; numbers, dates or text from xlsx).

    Raises
    ------
    ImportRejectedError
        Unreadable, hostile or empty file; no ``server_name`` column; too many rows.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportRejectedError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    kind, archive = sniff(data)
    if kind == "csv":
        sheet = csv_sheet(data)
    elif kind == "xlsx":
        book = XlsxBook(data, archive)
        names = book.sheet_names
        if not names:
            raise ImportRejectedError("The workbook has no sheet.")
        [(_, sheet)] = list(book.iter_sheets(names[:1]))
    else:
        raise ImportRejectedError(
            "An inventory is one CSV file or an xlsx workbook, not a zip of CSV files."
        )
    warnings: list[str] = []
    fields: list[str | None] = []
    for header in sheet.headers:
        name = _field(str(header))
        if name is None and str(header).strip():
            warnings.append(f"Column {header!r} is not a server field; left out.")
        if name is not None and name in fields:
            warnings.append(f"Column {header!r} repeats {name}; the first one is used.")
            name = None
        fields.append(name)
    if "server_name" not in fields:
        raise ImportRejectedError(
            "The file has no server_name column (the first row names the columns: "
            "server_name, serial_number, asset_tag, location, model, ...)."
        )
    if sheet.rows > MAX_ROWS:
        raise ImportRejectedError(f"The file holds {sheet.rows:,} rows; the limit is {MAX_ROWS:,}.")
    columns = {name: sheet.columns[i].to_pylist() for i, name in enumerate(fields) if name}
    rows = []
    for index in range(sheet.rows):
        row = {name: values[index] for name, values in columns.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row.values()):
            continue
        row["_row"] = index + 2  # the header is row 1
        rows.append(row)
    if not rows:
        raise ImportRejectedError("The file holds no server rows.")
    return rows, warnings
