"""The ``workbench`` command. Errors become one plain line on stderr and an exit code.

One module per command group (``store``, ``backup``, ``projects``, ``rvtools``, ``baskets``,
``sizing``, ``schedule``, ``workflows``, ``plan``, ``pool``, ``procurement``); each registers its commands and imports what it needs only when a
command runs, so ``--help`` stays quick.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from workbench.cli import (
    backup,
    baskets,
    documents,
    plan,
    pool,
    procurement,
    projects,
    rvtools,
    schedule,
    sizing,
    store,
    workflows,
)
from workbench.errors import (
    ConflictError,
    ConversionError,
    ImportRejectedError,
    InvalidInputError,
    NotFoundError,
    StoreUnavailableError,
    WorkbenchError,
)
from workbench.text import has_surrogates

EXIT_CODES = {
    InvalidInputError: 2,
    NotFoundError: 3,
    ConflictError: 4,
    StoreUnavailableError: 5,
    ImportRejectedError: 6,
    ConversionError: 7,
}
GROUPS = (
    store,
    backup,
    projects,
    workflows,
    plan,
    rvtools,
    baskets,
    sizing,
    schedule,
    pool,
    procurement,
    documents,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="Infra Workbench command line.")
    parser.add_argument("--db", help="store URL (default: $WORKBENCH_DB or surrealkv://HOME/store)")
    parser.add_argument(
        "--home", help="data directory (default: $WORKBENCH_HOME or the user data dir)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.register(commands)
    return parser


def _check_arguments(argv: Sequence[str]) -> None:
    """Refuse arguments that are not text: bytes that are not UTF-8 arrive as lone surrogates."""
    for position, argument in enumerate(argv, start=1):
        if has_surrogates(argument):
            shown = argument.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise InvalidInputError(f"Argument {position} ({shown!r}) is not valid UTF-8 text.")


def _exit_code(exc: WorkbenchError) -> int:
    return next((code for kind, code in EXIT_CODES.items() if isinstance(exc, kind)), 1)


def _quiet_broken_pipe() -> int:
    # The reader went away (`workbench ... | head`): stop quietly. Point stdout at /dev/null
    # so that the interpreter's final flush does not complain either.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 141  # as a program killed by SIGPIPE


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        _check_arguments(argv)
        args = build_parser().parse_args(argv)
        return args.func(args)
    except WorkbenchError as exc:
        try:
            print(f"error: {exc}", file=sys.stderr)
        except BrokenPipeError:
            pass
        return _exit_code(exc)
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except KeyboardInterrupt:
        return 130
