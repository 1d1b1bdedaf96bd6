"""Keep a parsed RVTools export on disk: one Parquet file per sheet plus two JSON files.

Reading it back gives the same :class:`RVToolsExport` without parsing the spreadsheet again.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd

from workbench.errors import NotFoundError
from workbench.io.rvtools import QualityReport, RVToolsExport

TABLES_DIR = "tables"


def write_export(export: RVToolsExport, folder: Path) -> None:
    """Write ``export`` under ``folder`` (``tables/<sheet>.parquet``, ``meta.json``,
    ``quality.json``). The folder must exist."""
    tables = folder / TABLES_DIR
    tables.mkdir(parents=True, exist_ok=True)
    for sheet, frame in export.tables.items():
        frame.to_parquet(tables / f"{sheet}.parquet", index=False)
    meta = dict(export.meta)
    if isinstance(meta.get("export_time"), datetime):
        meta["export_time"] = meta["export_time"].isoformat()
    (folder / "meta.json").write_text(json.dumps(meta, indent=1, default=str))
    (folder / "quality.json").write_text(
        json.dumps(export.quality.to_dict(), indent=1, default=str)
    )


def read_tables(folder: Path, sheets: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """The Parquet tables under ``folder``: ``{sheet: DataFrame}`` (all sheets by default).

    Raises
    ------
    NotFoundError
        The folder or a requested sheet is missing.
    """
    tables = folder / TABLES_DIR
    if not tables.is_dir():
        raise NotFoundError(f"The import's tables are missing from {folder}.")
    available = {p.stem: p for p in tables.glob("*.parquet")}
    wanted = sorted(available) if sheets is None else sheets
    unknown = [s for s in wanted if s not in available]
    if unknown:
        raise NotFoundError(
            f"No table {', '.join(unknown)} in this import (have {', '.join(sorted(available))})."
        )
    return {sheet: pd.read_parquet(available[sheet]) for sheet in wanted}


def read_export(folder: Path) -> RVToolsExport:
    """The export written by :func:`write_export`."""
    meta = json.loads((folder / "meta.json").read_text())
    if meta.get("export_time"):
        meta["export_time"] = datetime.fromisoformat(meta["export_time"])
    quality = QualityReport.from_dict(json.loads((folder / "quality.json").read_text()))
    return RVToolsExport(tables=read_tables(folder), meta=meta, quality=quality)
