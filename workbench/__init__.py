"""Infra Workbench: plan VMware migrations and hardware refreshes from real data.

>>> import workbench
>>> ws = workbench.open()          # the default on-disk store, schema brought up to date
>>> ws.projects.frame(status="active")

The facade (and with it the store, pandas and pyarrow) is imported on first use, so the
``workbench`` command starts quickly.
"""

from __future__ import annotations

import importlib.util as _importlib_util
import os as _os
from typing import TYPE_CHECKING

from workbench import errors
from workbench.errors import (
    ConflictError,
    ConversionError,
    ImportRejectedError,
    InvalidInputError,
    NotFoundError,
    SchemaError,
    StoreLockedError,
    StoreUnavailableError,
    WorkbenchError,
)

if TYPE_CHECKING:
    from workbench.api import Workbench
    from workbench.projects import Project

# Spreadsheets from clients are untrusted: openpyxl must parse XML through defusedxml. This is
# openpyxl's own rule for openpyxl.DEFUSEDXML, checked without importing openpyxl (0.3 s).
if (
    _importlib_util.find_spec("defusedxml") is None
    or _os.environ.get("OPENPYXL_DEFUSEDXML", "True") != "True"
):
    raise ImportError(
        "openpyxl would not use defusedxml: install defusedxml and do not set "
        "OPENPYXL_DEFUSEDXML=False."
    )

__version__ = "0.1.0"

_LAZY = {
    "open": ("workbench.api", "open_workbench"),
    "open_workbench": ("workbench.api", "open_workbench"),
    "Workbench": ("workbench.api", "Workbench"),
    "Project": ("workbench.projects", "Project"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")


__all__ = [
    "ConflictError",
    "ConversionError",
    "ImportRejectedError",
    "InvalidInputError",
    "NotFoundError",
    "Project",
    "SchemaError",
    "StoreLockedError",
    "StoreUnavailableError",
    "Workbench",
    "WorkbenchError",
    "errors",
    "open",
]
