"""``workbench init | migrate | demo | serve | lab``: the store, the dashboards and the
notebooks."""

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


def cmd_lab(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from workbench.errors import NotFoundError

    folder = Path(args.notebooks or "notebooks").resolve()
    if not folder.is_dir():
        raise NotFoundError(f"There is no notebooks folder at {folder}.")
    ws = open_workbench(args)  # migrate before any kernel starts
    env = dict(os.environ, WORKBENCH_HOME=str(ws.settings.home), WORKBENCH_DB=ws.settings.db_url)
    ws.close()  # the kernels open it themselves, one unit of work at a time
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--ServerApp.ip={args.host}",
        f"--ServerApp.port={args.port}",
        f"--ServerApp.root_dir={folder}",
        # Nothing from the internet: no extension catalogue, no update or news checks.
        "--LabApp.extension_manager=readonly",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # a container's root; it listens on localhost only
    print(f"JupyterLab on {folder}, store {ws.settings.db_url}; stop with Ctrl+C.", flush=True)
    os.execve(sys.executable, command, env)  # JupyterLab takes over this process and its signals
    return 0  # pragma: no cover


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
    lab = commands.add_parser("lab", help="JupyterLab on the notebooks, with the dashboards' store")
    lab.add_argument("--port", type=int, default=8888)
    lab.add_argument("--host", default="127.0.0.1")
    lab.add_argument("--notebooks", help="folder of notebooks (default: ./notebooks)")
    lab.set_defaults(func=cmd_lab)
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
