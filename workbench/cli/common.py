"""What every command group shares: opening the workbench from the global options."""

from __future__ import annotations

import argparse
from typing import Any

from workbench.formatting import json_ready


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


def frame_json(frame) -> str:
    """A DataFrame's rows as an indented JSON list (see :func:`json_ready`)."""
    import json

    return json.dumps(json_ready(frame.to_dict("records")), indent=2, ensure_ascii=False)
