"""Inspect a spreadsheet template (.xlsx, for BOMs) safely: its sheets, header rows and
what it wants filled.

The zip is checked as the readers check theirs (size, zip bomb, damaged parts) and every
XML part is parsed with defusedxml before openpyxl sees the file, so entity expansion and
external entities are refused rather than expanded.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from workbench.errors import ImportRejectedError
from workbench.io.spreadsheet import MAX_FILE_BYTES, open_zip, read_member

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_LITERAL = re.compile(r"\b[A-Z]{2,}(?:-[A-Z]{2,})*-X{3,}\b|\bFill in(?: [a-z]+){1,6}|\b[xX]{3,}\b")


def inspect_xlsx(data: bytes) -> dict[str, Any]:
    """What a spreadsheet template holds, in the shape of ``document_template``'s fields.

    Returns
    -------
    dict
        ``style_config`` (``sheets``: names in order, ``named_styles``),
        ``placeholder_map`` (``jinja_tags``, ``literal_placeholders``: text -> count,
        ``cells``: "Sheet!A1" -> text, at most 200), ``table_structures`` (one per sheet:
        ``sheet``, ``rows``, ``columns``, ``header``: the first non-empty row's values).

    Raises
    ------
    ImportRejectedError
        Too big, not a zip, a zip bomb, hostile or broken XML, not a workbook.
    """
    if len(data) > MAX_FILE_BYTES:
        raise ImportRejectedError("The spreadsheet is larger than the readers accept.")
    with open_zip(data) as archive:
        _check_parts(archive)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for damaged files
        raise ImportRejectedError(f"The workbook cannot be read: {exc}.") from None
    jinja: Counter[str] = Counter()
    literals: Counter[str] = Counter()
    cells: dict[str, str] = {}
    tables = []
    for sheet in book.worksheets:
        header: list[str] = []
        rows = columns = 0
        for row in sheet.iter_rows():
            rows += 1
            values = [c.value for c in row]
            columns = max(columns, len(values))
            if not header and any(v not in (None, "") for v in values):
                header = ["" if v is None else str(v) for v in values]
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                found = _JINJA.findall(cell.value) + _LITERAL.findall(cell.value)
                jinja.update(_JINJA.findall(cell.value))
                literals.update(_LITERAL.findall(cell.value))
                if found and len(cells) < 200:
                    cells[f"{sheet.title}!{cell.coordinate}"] = cell.value
        tables.append({"sheet": sheet.title, "rows": rows, "columns": columns, "header": header})
    book.close()
    return {
        "style_config": {"sheets": [s["sheet"] for s in tables]},
        "placeholder_map": {
            "jinja_tags": dict(jinja),
            "literal_placeholders": dict(literals),
            "cells": cells,
        },
        "table_structures": tables,
    }


def _check_parts(archive) -> None:
    """Refuse a workbook without its main part, or with a hostile or broken XML part."""
    names = archive.namelist()
    if "xl/workbook.xml" not in names:
        raise ImportRejectedError("This is not an Excel workbook (it has no xl/workbook.xml).")
    for name in names:
        if name.endswith((".xml", ".rels")):
            try:
                ElementTree.fromstring(read_member(archive, name))
            except DefusedXmlException:
                raise ImportRejectedError(
                    f"Part {name} declares XML entities or a DTD; refused as hostile."
                ) from None
            except ElementTree.ParseError as exc:
                raise ImportRejectedError(f"Part {name} is not well-formed XML: {exc}.") from None
