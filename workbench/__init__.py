"""Infra Workbench: plan VMware migrations and hardware refreshes from real data.

>>> import workbench
>>> ws = workbench.open()          # the default on-disk store, schema brought up to date
>>> ws.projects.frame(status="active")
"""

from __future__ import annotations

import openpyxl as _openpyxl

from workbench import errors
from workbench.api import Workbench, open_workbench
from workbench.errors import (
    ConflictError,
    ImportRejectedError,
    InvalidInputError,
    NotFoundError,
    SchemaError,
    StoreLockedError,
    StoreUnavailableError,
    WorkbenchError,
)
from workbench.projects import Project

# Spreadsheets from clients are untrusted: openpyxl must parse XML through defusedxml.
if not _openpyxl.DEFUSEDXML:
    raise ImportError(
        "openpyxl is not using defusedxml: install defusedxml and do not set "
        "OPENPYXL_DEFUSEDXML=False."
    )

__version__ = "0.1.0"
open = open_workbench  # noqa: A001 - ``workbench.open()`` is the documented entry point

__all__ = [
    "ConflictError",
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
