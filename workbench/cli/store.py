"""``workbench init | migrate | demo | serve``: the store and the dashboards."""

from __future__ import annotations

import argparse
import os

from workbench.cli.common import open_workbench


def cmd_init(args: argparse.Namespace) -> int:
    ws = open_workbench(args)
    print(f"Store ready: {ws.store.url} (data directory {ws.settings.home})")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    ws = open_workbench(args, apply_migrations=False)
    applied = ws.migrate()
    print("Applied: " + ", ".join(applied) if applied else "Schema is up to date.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    ws = open_workbench(args)
    created = ws.load_demo(if_empty=args.if_empty)
    print(f"Demo data: {created} project(s) created." if created else "Demo data: nothing to add.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from workbench.ui.voila import serve, serving_options

    options = serving_options(
        idle_seconds=args.kernel_idle_seconds,
        max_kernels=args.max_kernels,
        token=args.token,
        allowed_hosts=args.allowed_hosts,
    )  # checked before the store is opened
    ws = open_workbench(args)  # migrate before any dashboard kernel starts
    env = dict(os.environ, WORKBENCH_HOME=str(ws.settings.home), WORKBENCH_DB=ws.settings.db_url)
    return serve(port=args.port, host=args.host, folder=args.dashboards, env=env, options=options)


def register(commands: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
    commands.add_parser(
        "init", help="create the data directory and bring the schema up to date"
    ).set_defaults(func=cmd_init)
    commands.add_parser("migrate", help="apply pending schema migrations").set_defaults(
        func=cmd_migrate
    )
    demo = commands.add_parser("demo", help="load generated demo projects")
    demo.add_argument("--if-empty", action="store_true", help="only when the store has no project")
    demo.set_defaults(func=cmd_demo)
    serve = commands.add_parser("serve", help="serve the Voila dashboards")
    serve.add_argument("--port", type=int, default=8866)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--dashboards", help="folder of dashboard notebooks (default: ./dashboards)")
    serve.add_argument(
        "--kernel-idle-seconds",
        type=int,
        help="end a closed page's kernel after this many idle seconds "
        "(default: $WORKBENCH_KERNEL_IDLE_SECONDS or 60)",
    )
    serve.add_argument(
        "--max-kernels",
        type=int,
        help="kernels at most; past it a page says all sessions are in use (default: $WORKBENCH_MAX_KERNELS or 6)",
    )
    serve.add_argument(
        "--token",
        help="token required beyond localhost (default: $WORKBENCH_TOKEN, else one is generated and printed)",
    )
    serve.add_argument(
        "--allowed-hosts",
        help="comma-separated host names the server may be reached by, besides localhost "
        "(default: $WORKBENCH_ALLOWED_HOSTS)",
    )
    serve.set_defaults(func=cmd_serve)
