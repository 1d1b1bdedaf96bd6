"""The SDK is imported without its HTTP client libraries (CLI start-up), and an HTTP store
still reaches them when it connects."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def run_python(code: str, tmp_path) -> str:
    env = {"WORKBENCH_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_command_on_the_embedded_store_never_imports_aiohttp_or_requests(tmp_path):
    out = run_python(
        "import sys, workbench\n"
        "ws = workbench.open()\n"
        "ws.projects.create(name='Deferred', project_type='vmware_migration')\n"
        "assert len(ws.projects.list()) == 1\n"
        "print(sorted(n for n in ('aiohttp', 'requests', 'aiohttp.client', 'requests.sessions')"
        " if type(sys.modules.get(n)).__name__ == 'module'))\n",
        tmp_path,
    )
    assert out == "[]"


def test_http_stores_get_the_real_clients_when_they_connect(tmp_path):
    # Port 9 (discard) is closed here: the SDK's own connection error, from the real clients.
    out = run_python(
        "import sys, asyncio, workbench.store\n"
        "import surrealdb\n"
        "from surrealdb.errors import ConnectionUnavailableError\n"
        "try:\n"
        "    surrealdb.Surreal('http://127.0.0.1:9').query('RETURN 1').execute()\n"
        "except ConnectionUnavailableError:\n"
        "    print('blocking refused')\n"
        "async def main():\n"
        "    try:\n"
        "        await surrealdb.AsyncSurreal('http://127.0.0.1:9').query('RETURN 1').execute()\n"
        "    except ConnectionUnavailableError:\n"
        "        print('async refused')\n"
        "asyncio.run(main())\n"
        "print(type(sys.modules['aiohttp']).__name__, type(sys.modules['requests']).__name__)\n"
        "import aiohttp.web, requests.adapters\n"
        "print(aiohttp.web.Application.__module__, requests.adapters.HTTPAdapter.__module__)\n",
        tmp_path,
    )
    assert out.splitlines() == [
        "blocking refused",
        "async refused",
        "module module",
        "aiohttp.web_app requests.adapters",
    ]
