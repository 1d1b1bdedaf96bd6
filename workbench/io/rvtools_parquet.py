"""Keep a parsed RVTools export on disk: one Parquet file per sheet plus two JSON files.

Reading it back gives the same :class:`RVToolsExport` without parsing the spreadsheet again.
What is derived from the tables (capacity, risks) can be kept beside them, under a key.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

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
    return RVToolsExport(tables=read_tables(folder), meta=meta, quality=read_quality(folder))


DERIVED_DIR = "derived"
# A staging folder this old belongs to a process that died while writing it.
STALE_STAGING_SECONDS = 600


def read_quality(folder: Path) -> QualityReport:
    """The data-quality report written by :func:`write_export`."""
    return QualityReport.from_dict(json.loads((folder / "quality.json").read_text()))


def write_derived(
    folder: Path, key: str, frames: dict[str, pd.DataFrame], document: dict[str, Any]
) -> None:
    """Keep what was derived from the tables under ``folder/derived/<key>/``.

    Written beside and renamed into place, so a reader sees all of it or nothing; what was
    kept under the same key before (damaged, since it was derived again) and other keys (an
    earlier day, older code) are removed. Best effort: a folder that cannot be written
    (read-only, full) only means the next reader derives again.
    """
    base = folder / DERIVED_DIR
    staging = base / f".{key}-{uuid.uuid4().hex[:8]}"
    try:
        staging.mkdir(parents=True)
        for name, frame in frames.items():
            frame.to_parquet(staging / f"{name}.parquet", index=False)
        (staging / "document.json").write_text(json.dumps(document, default=str))
        target = base / key
        if target.exists():
            target.rename(base / f".replaced-{uuid.uuid4().hex[:8]}")
        os.replace(staging, target)
    except OSError:  # includes another process keeping the same key first: theirs serves
        shutil.rmtree(staging, ignore_errors=True)
        return
    stale = time.time() - STALE_STAGING_SECONDS
    for other in base.iterdir():
        try:
            if other.name != key and (not other.name.startswith(".") or _leftover(other, stale)):
                shutil.rmtree(other, ignore_errors=True)
        except OSError:
            pass


def _leftover(path: Path, stale: float) -> bool:
    """A replaced folder, or a staging folder whose writer died (older than ``stale``)."""
    return path.name.startswith(".replaced-") or path.stat().st_mtime < stale


def read_derived(
    folder: Path, key: str, names: list[str]
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]] | None:
    """The frames ``names`` and the document kept under ``key``; None when absent or
    unreadable (removed by another process meanwhile, damaged)."""
    kept = folder / DERIVED_DIR / key
    try:
        frames = {name: pd.read_parquet(kept / f"{name}.parquet") for name in names}
        document = json.loads((kept / "document.json").read_text())
    except (OSError, ValueError, pa.ArrowException):
        return None
    return frames, document
