"""Vendor hardware baskets (xlsx) -> :class:`workbench.baskets.Basket`.

One entry point, :func:`read_basket` (a path) / :func:`parse_basket` (bytes); one module per
vendor layout, each with ``detect(book) -> bool`` and ``parse(book, name) -> Basket``. The
layout is recognised from the workbook's content (sheet names and header cells), never from
the file name. A new vendor layout is a new module added to :data:`LAYOUTS`.

Hostile or damaged files end in :class:`~workbench.errors.ImportRejectedError` before any
sheet is parsed (see :mod:`workbench.io.baskets._workbook`).
"""

from __future__ import annotations

from pathlib import Path

from workbench.baskets import Basket
from workbench.errors import ImportRejectedError
from workbench.io.baskets import dell, lenovo
from workbench.io.baskets._workbook import BasketBook

LAYOUTS = (dell, lenovo)
"""The layout modules, tried in order; the first whose ``detect`` accepts the book reads it."""


def parse_basket(name: str, data: bytes) -> Basket:
    """Read a basket from the bytes of its ``.xlsx`` file.

    Parameters
    ----------
    name : str
        The file's name (the basket's name only where the content gives none).
    data : bytes
        The workbook.

    Returns
    -------
    Basket
        Lots with structured specifications, components and prices (USD and EUR), options,
        per-country data; what could not be read is in the lots' and the basket's
        ``warnings``.

    Raises
    ------
    ImportRejectedError
        Not an xlsx workbook, damaged, hostile (zip bomb, far cell, oversized), without
        sheets, or in no layout the reader knows.
    """
    book = BasketBook(data)
    for layout in LAYOUTS:
        if layout.detect(book):
            basket = layout.parse(book, name)
            if not basket.lots:
                raise ImportRejectedError(
                    f"The workbook has the {layout.NAME} basket layout but no lot in it."
                )
            return basket
    raise ImportRejectedError(
        "The workbook is not a hardware basket the workbench knows (Dell lot pricing or "
        "Lenovo server lots layout). Sheets: " + ", ".join(book.sheet_names[:10])
    )


def read_basket(path: str | Path) -> Basket:
    """Read a basket ``.xlsx`` file; see :func:`parse_basket`.

    Raises
    ------
    ImportRejectedError
        As :func:`parse_basket`, or the file cannot be read.
    """
    source = Path(path)
    try:
        size = source.stat().st_size
        from workbench.io.spreadsheet import MAX_FILE_BYTES

        if size > MAX_FILE_BYTES:
            raise ImportRejectedError(
                f"The file is {size / 2**20:.0f} MiB; the limit is {MAX_FILE_BYTES // 2**20} MiB."
            )
        data = source.read_bytes()
    except FileNotFoundError:
        raise ImportRejectedError(f"There is no file at {source}.") from None
    except IsADirectoryError:
        raise ImportRejectedError(f"{source} is a folder, not a basket file.") from None
    except OSError as exc:
        raise ImportRejectedError(f"{source} cannot be read: {exc.strerror or exc}.") from None
    return parse_basket(source.name, data)


__all__ = ["LAYOUTS", "parse_basket", "read_basket"]
