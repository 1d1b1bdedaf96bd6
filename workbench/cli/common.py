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
