"""Write a bill of materials as an .xlsx a consultant can send.

Sheets: "BOM" (header, lines, totals), "Settings and trace" (the sizing settings and the
option's calculation step by step), "Demand per cluster". Money cells carry currency
formats; every text cell is written as text: a description or part number beginning with
``=``, ``+``, ``-`` or ``@`` would otherwise become a formula when the file is opened
(spreadsheet formula injection), so such cells are typed as strings and quote-prefixed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from workbench.errors import StoreUnavailableError

# Duck-typed: a workbench.bom.Bom (io does not import the domain).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
USD = '"$"#,##0.00'
EUR = '#,##0.00" €"'
_WIDTHS = {"BOM": [8, 10, 18, 70, 10, 14, 16, 14, 16, 22]}
_HEADINGS = {
    "line": "Line",
    "lot": "Lot",
    "part_number": "Part / feature code",
    "description": "Description",
    "quantity": "Quantity",
    "unit_usd": "Unit USD",
    "extended_usd": "Extended USD",
    "unit_eur": "Unit EUR",
    "extended_eur": "Extended EUR",
    "support": "Support",
}


def put_cell(sheet, row: int, column: int, value: Any, number_format: str | None = None):
    """Write one cell: text always as text (never a formula), numbers with ``number_format``."""
    from openpyxl.styles import Alignment

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return sheet.cell(row=row, column=column)
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
        if value.startswith(FORMULA_STARTS):
            cell.alignment = Alignment(horizontal="left")
            cell.quotePrefix = True
    elif number_format:
        cell.number_format = number_format
    return cell


def save_workbook(book, path: str | Path, what: str) -> Path:
    """Save an openpyxl workbook; :class:`StoreUnavailableError` naming ``what`` when the
    file cannot be written (folder missing, read-only, full)."""
    target = Path(path)
    try:
        book.save(target)
    except OSError as exc:
        raise StoreUnavailableError(
            f"{what} cannot be written to {target}: {exc.strerror or exc}."
        ) from None
    return target


def write_bom(bom, path: str | Path) -> Path:
    """Write ``bom`` (a :class:`workbench.bom.Bom`) to ``path``; return the path.

    Raises
    ------
    StoreUnavailableError
        The file cannot be written (folder missing, read-only, full).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    bold = Font(bold=True)
    band = PatternFill("solid", fgColor="DCE3EC")
    book = Workbook()
    sheet = book.active
    sheet.title = "BOM"
    put_cell(sheet, 1, 1, bom.title).font = Font(bold=True, size=14)
    row = 3
    for label, value in bom.header:
        put_cell(sheet, row, 1, label).font = bold
        put_cell(sheet, row, 3, value)
        row += 1
    row += 1
    columns = list(bom.lines.columns)
    for number, name in enumerate(columns, start=1):
        cell = put_cell(sheet, row, number, _HEADINGS.get(name, name))
        cell.font, cell.fill = bold, band
    header_row = row
    for record in bom.lines.itertuples(index=False):
        row += 1
        priced = not _missing(record.unit_usd)
        for number, name in enumerate(columns, start=1):
            value = getattr(record, name)
            fmt = USD if name.endswith("_usd") else EUR if name.endswith("_eur") else None
            cell = put_cell(sheet, row, number, None if _missing(value) else value, fmt)
            if priced:
                cell.font = bold
    row += 2
    put_cell(sheet, row, 4, "Total USD").font = bold
    put_cell(sheet, row, 7, bom.totals["usd"], USD).font = bold
    row += 1
    put_cell(sheet, row, 4, "Total EUR").font = bold
    put_cell(sheet, row, 9, bom.totals["eur"], EUR).font = bold
    for note in bom.notes:
        row += 2
        put_cell(sheet, row, 1, note).font = Font(italic=True)
    for number, width in enumerate(_WIDTHS["BOM"], start=1):
        sheet.column_dimensions[chr(64 + number)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)

    trace = book.create_sheet("Settings and trace")
    put_cell(trace, 1, 1, "Sizing settings").font = Font(bold=True, size=13)
    row = 2
    for label, value in bom.settings:
        put_cell(trace, row, 1, label)
        put_cell(trace, row, 2, value)
        row += 1
    row += 1
    put_cell(trace, row, 1, "Calculation trace").font = Font(bold=True, size=13)
    row = _table(trace, row + 1, bom.trace, bold, band)
    for letter, width in zip("ABCD", (34, 80, 16, 12), strict=True):
        trace.column_dimensions[letter].width = width

    demand = book.create_sheet("Demand per cluster")
    _table(demand, 1, bom.demand, bold, band)
    for number in range(1, len(bom.demand.columns) + 1):
        demand.column_dimensions[chr(64 + number)].width = 18 if number > 1 else 34

    return save_workbook(book, path, "The BOM")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _table(sheet, row: int, frame, bold, band) -> int:
    """Write ``frame`` with a banded header from ``row``; return the last row written."""
    for number, name in enumerate(frame.columns, start=1):
        cell = put_cell(sheet, row, number, str(name).replace("_", " ").capitalize())
        cell.font, cell.fill = bold, band
    for record in frame.itertuples(index=False):
        row += 1
        for number, value in enumerate(record, start=1):
            put_cell(sheet, row, number, None if _missing(value) else value)
    return row
