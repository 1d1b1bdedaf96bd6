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
