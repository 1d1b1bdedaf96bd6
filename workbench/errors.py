"""The named errors of the workbench.

Every surface (CLI, dashboards, notebooks) catches :class:`WorkbenchError` and shows its
message; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base of every error the workbench raises on purpose; its message is for people."""


class NotFoundError(WorkbenchError):
    """The record, file or name asked for does not exist."""


class InvalidInputError(WorkbenchError):
    """A value given by the user breaks a rule (type, range, enum, date order)."""


class ConflictError(WorkbenchError):
    """The change collides with what is stored (duplicate key, record still referenced)."""


class ImportRejectedError(WorkbenchError):
    """An outside file (RVTools export, basket) was refused; nothing was stored."""


class StoreUnavailableError(WorkbenchError):
    """The store cannot be reached or opened."""


class StoreLockedError(StoreUnavailableError):
    """Another process held the on-disk store for longer than the wait allowed."""


class SchemaError(WorkbenchError):
    """The schema migrations on disk and the ones recorded in the store disagree."""


class ReaderInternalError(ImportRejectedError):
    """The RVTools reader failed on something it did not foresee; the message names the sheet and column."""


class ScheduleCycleError(InvalidInputError):
    """Dependencies that loop back on themselves; ``loop`` lists the tasks in order."""

    def __init__(self, message: str, loop: list[str]):
        super().__init__(message)
        self.loop = loop


class ConversionError(WorkbenchError):
    """An outside tool (LibreOffice) could not convert a document; nothing was stored."""
