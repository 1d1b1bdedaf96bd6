"""Building damaged or hostile files for tests from good ones."""

from __future__ import annotations

import zipfile
from pathlib import Path


def rewrite_sheet1(source: Path, target: Path, change) -> Path:
    """A copy of the xlsx ``source`` at ``target`` with its first sheet's XML passed through
    ``change`` (bytes -> bytes)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            zout.writestr(item.filename, data)
    return target


def xlsx_zip_bomb(target: Path) -> Path:
    """An xlsx-looking zip whose first sheet inflates to 256 MiB of zeros (about 250 KiB on
    disk, a 1000:1 ratio), written in a stream."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b"\0" * 2**24
            for _ in range(16):
                part.write(block)
    return target
