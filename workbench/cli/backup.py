"""``workbench backup FILE`` and ``workbench restore FILE [--force]``."""

from __future__ import annotations

import argparse

from workbench.cli.common import open_workbench


def cmd_backup(args: argparse.Namespace) -> int:
    summary = open_workbench(args).backup(args.file)
    print(f"Backup written: {summary.describe()}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    # Not migrated first: a backup of an older schema restores into a new store at its own
    # level, and the later migrations then run over its records.
    summary = open_workbench(args, apply_migrations=False).restore(args.file, force=args.force)
    print(f"Restored: {summary.describe()}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
    backup = commands.add_parser(
        "backup", help="write the store's records and the data files into one archive"
    )
    backup.add_argument("file", help="archive to write (a .zip)")
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser("restore", help="bring back a backup into an empty store")
    restore.add_argument("file", help="archive written by workbench backup")
    restore.add_argument("--force", action="store_true", help="replace what the store holds")
    restore.set_defaults(func=cmd_restore)
