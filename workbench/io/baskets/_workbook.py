"""A basket workbook, checked before any sheet is read, as cells addressed like Excel.

The container checks are :mod:`workbench.io.spreadsheet`'s (size limit, zip bomb and CRC
checks, the far-cell geometry check of every sheet before it is parsed). The cells are then
read with openpyxl in read-only mode rather than fastexcel: fastexcel (calamine) starts a
sheet at its first used row and column and does not say where that is, so a value could
not be named by its cell ("F23") in a warning, and the basket layouts are defined by fixed
cells (header row 4, prices in columns D-S). Basket sheets are a few hundred rows, so the
slower reader costs milliseconds; merged ranges need nothing special (both readers give
the value in the range's first cell only, which is where the layouts put it).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from typing import Any

from workbench.errors import ImportRejectedError
from workbench.io import spreadsheet

MAX_ROWS = 20_000
"""Rows read from one sheet at most; real basket sheets have a few hundred."""
MAX_COLUMNS = 64
"""Columns read from one sheet (A..BL); the layouts use A..S."""


def column_letter(column: int) -> str:
    """``1`` -> ``'A'``, ``28`` -> ``'AB'``."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, column: int) -> str:
    """Excel's name of a cell: ``cell_name(23, 6)`` -> ``'F23'`` (1-based)."""
    return f"{column_letter(column)}{row}"


@dataclass
class Sheet:
    """The non-empty cells of one sheet, by 1-based (row, column)."""

    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    rows: int = 0

    def value(self, row: int, column: int) -> Any:
        """The cell's value (str, float, int, datetime, bool) or None."""
        return self.cells.get((row, column))

    def text(self, row: int, column: int) -> str | None:
        """The cell as stripped text, or None when empty."""
        value = self.cells.get((row, column))
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = " ".join(str(value).split())
        return text or None

    def row_texts(self, row: int) -> dict[int, str]:
        """``{column: text}`` of a row's non-empty cells."""
        return {c: t for (r, c) in self.cells if r == row and (t := self.text(r, c)) is not None}

    def header_row(
        self, headings: tuple[str, ...], first_column: int, within: int = 10
    ) -> int | None:
        """The first of the top ``within`` rows whose cells from ``first_column`` on begin
        with ``headings`` (ignoring case), or None."""
        columns = range(first_column, first_column + len(headings))
        for row in range(1, within + 1):
            texts = [(self.text(row, c) or "").casefold() for c in columns]
            if all(t.startswith(h) for t, h in zip(texts, headings, strict=True)):
                return row
        return None

    def texts(self) -> list[tuple[int, int, str]]:
        """Every text cell as (row, column, text), in reading order."""
        found = [(r, c, v) for (r, c), v in self.cells.items() if isinstance(v, str)]
        return sorted((r, c, " ".join(v.split())) for r, c, v in found if v.strip())


class BasketBook:
    """A workbook whose container passed the checks; sheets read on demand, each checked
    for its geometry first."""

    def __init__(self, data: bytes):
        kind, archive = spreadsheet.sniff(data)
        if kind != "xlsx":
            raise ImportRejectedError("A basket must be an .xlsx workbook; this file is not one.")
        self._checked = spreadsheet.XlsxBook(data, archive)
        self.sheet_names = self._checked.sheet_names
        if not self.sheet_names:
            raise ImportRejectedError("The workbook has no sheets.")
        self._data = data
        self._book = None
        self._sheets: dict[str, Sheet] = {}

    def find(self, *words: str) -> str | None:
        """The first sheet whose name contains every word (any case), or None."""
        for name in self.sheet_names:
            if all(w.casefold() in name.casefold() for w in words):
                return name
        return None

    def sheet(self, name: str) -> Sheet:
        """One sheet's cells (its geometry checked before it is parsed).

        Raises
        ------
        ImportRejectedError
            The sheet spans a far cell, has more than :data:`MAX_ROWS` rows, or is damaged.
        """
        if name not in self._sheets:
            self._checked.check_sheet(name)
            self._sheets[name] = self._read(name)
        return self._sheets[name]

    def _open(self):
        if self._book is None:
            import openpyxl

            try:
                with warnings.catch_warnings():
                    # openpyxl warns about features it drops (data validation, ...).
                    warnings.simplefilter("ignore")
                    self._book = openpyxl.load_workbook(
                        io.BytesIO(self._data), read_only=True, data_only=True
                    )
            except Exception as exc:
                raise ImportRejectedError(f"The workbook cannot be read: {_plain(exc)}") from None
        return self._book

    def _read(self, name: str) -> Sheet:
        book = self._open()
        sheet = Sheet(name)
        try:
            worksheet = book[name]
            # The declared dimension may lie; read the rows that are there.
            worksheet.reset_dimensions()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for row, values in enumerate(
                    worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
                ):
                    if row > MAX_ROWS:
                        raise ImportRejectedError(
                            f"Sheet {name!r} has more than {MAX_ROWS:,} rows; "
                            "a basket sheet has a few hundred. Refusing to read it."
                        )
                    for column, value in enumerate(values, start=1):
                        if value is not None and not (isinstance(value, str) and not value.strip()):
                            sheet.cells[(row, column)] = value
                    sheet.rows = row
        except ImportRejectedError:
            raise
        except Exception as exc:
            raise ImportRejectedError(f"Sheet {name!r} cannot be read: {_plain(exc)}") from None
        return sheet


def _plain(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__
