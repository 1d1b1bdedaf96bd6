"""What every command group shares: opening the workbench from the global options."""

from __future__ import annotations

import argparse
from typing import Any


def open_workbench(args: argparse.Namespace, **options: Any):
    """The workbench the global ``--db``/``--home`` options name (imported on demand: the
    store and pandas are heavy, and ``--help`` needs neither)."""
    import workbench

    return workbench.open(args.db, home=args.home, **options)


def as_of(args: argparse.Namespace):
    """``--as-of`` as a date, or None."""
    from workbench.projects import parse_date

    return parse_date(args.as_of, "--as-of") if getattr(args, "as_of", None) else None


def text_table(rows: list[dict[str, Any]], columns: list[tuple[str, str, str, int]]) -> str:
    """Rows as a fixed-width table for a terminal.

    Parameters
    ----------
    rows : list of dict
        Already formatted text per column key.
    columns : list of (key, header, align, widest)
        ``align`` is ``"<"`` or ``">"``; text wider than ``widest`` is cut with "…".
    """

    def cut(text: str, widest: int) -> str:
        return text if len(text) <= widest else text[: widest - 1] + "…"

    cells = [[cut(str(row.get(key, "")), widest) for key, _, _, widest in columns] for row in rows]
    headers = [cut(header, widest) for _, header, _, widest in columns]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    aligns = [align for _, _, align, _ in columns]

    def line(values: list[str]) -> str:
        return "  ".join(
            f"{v:{a}{w}}" for v, a, w in zip(values, aligns, widths, strict=True)
        ).rstrip()

    return "\n".join([line(headers), *(line(r) for r in cells)])


def json_ready(value: Any) -> Any:
    """``value`` as plain JSON types, for ``--json`` output.

    Calendar days (dates, and midnight timestamps without a zone, as pandas gives date
    columns) become ``YYYY-MM-DD``; points in time with a zone full ISO text; money
    (``Decimal``) a JSON number, as the basket and sizing commands print prices; NaN, NaT and
    pandas' NA ``null``; numpy scalars their Python value; dataclasses, mappings and
    sequences are walked. Anything else becomes its text.

    Parameters
    ----------
    value : Any
        Typically ``DataFrame.to_dict("records")`` or a facade dataclass.

    Returns
    -------
    Any
        What :func:`json.dumps` writes without a ``default``.
    """
    import dataclasses
    from datetime import date, datetime
    from decimal import Decimal

    from workbench.formatting import is_missing

    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return None if value != value or value in (float("inf"), float("-inf")) else value
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, datetime):
        if is_missing(value):  # NaT is a datetime too
            return None
        if value.tzinfo is None and value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_ready(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_ready(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        try:
            return json_ready(value.item())
        except (TypeError, ValueError):
            pass
    if is_missing(value):
        return None
    return str(value)


def frame_json(frame) -> str:
    """A DataFrame's rows as an indented JSON list (see :func:`json_ready`)."""
    import json

    return json.dumps(json_ready(frame.to_dict("records")), indent=2, ensure_ascii=False)
