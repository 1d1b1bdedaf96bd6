"""Serving the dashboards with Voila, on the workbench's own CDN-free template.

Two processes. ``workbench serve`` (:func:`serve`) resolves the serving options, starts Voila
in a process group of its own and, on SIGTERM, SIGINT or SIGHUP, stops Voila and every kernel
it started. The Voila process is this module run as ``python -m workbench.ui.voila``
(:func:`main`): Voila 0.5's application with three additions, read from the environment
(``WORKBENCH_*``, set by :func:`voila_environment`):

- kernels whose page went away (no websocket) and that have been idle for
  ``WORKBENCH_KERNEL_IDLE_SECONDS`` are shut down (jupyter_server's culler, which Voila's
  kernel manager inherits but never configures); a page that unloads normally ends its
  kernel at once (Voila's unload beacon, which needs the ``_xsrf`` cookie set here);
- at most ``WORKBENCH_MAX_KERNELS`` kernels run at once; a page over the cap gets a plain
  "all sessions in use" page (HTTP 503) instead of a kernel;
- every request's Host header must be a local name, an IP address or one of
  ``WORKBENCH_ALLOWED_HOSTS``; anything else gets 403 (DNS rebinding). Beyond localhost a
  token (``WORKBENCH_TOKEN``) is required; Voila's identity provider checks it and turns it
  into a login cookie.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import InvalidInputError, NotFoundError, StoreUnavailableError

TEMPLATE = "workbench"
# A Jupyter data directory holding voila/templates/workbench/.
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter"

ENV_IDLE = "WORKBENCH_KERNEL_IDLE_SECONDS"
ENV_MAX_KERNELS = "WORKBENCH_MAX_KERNELS"
UPLOAD_LIMIT_BYTES = 128 * 2**20
"""Largest websocket message the dashboards take: a 100 MiB upload and its framing."""
ENV_TOKEN = "WORKBENCH_TOKEN"
ENV_ALLOWED_HOSTS = "WORKBENCH_ALLOWED_HOSTS"

# A closed page's kernel goes after this much idleness plus at most one culling interval.
DEFAULT_IDLE_SECONDS = 60
# Kernels weigh 200-400 MB, so memory is not what limits 2 cores and 24 GB: CPU is. A first
# render takes most of a core for several seconds; with 10 pages opened at once
# (benchmarks/serving_load.py) 6 kernels were all interactive within 50 s on a busy machine,
# 8 within 54 s, too close to the minute.
DEFAULT_MAX_KERNELS = 6
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
STOP_WAIT_SECONDS = 20.0


# --------------------------------------------------------------------------------------
# Options, shared by both processes


@dataclass(frozen=True)
class ServingOptions:
    """How the dashboards are served: kernel culling and cap, token and allowed Host names."""

    idle_seconds: int = DEFAULT_IDLE_SECONDS
    max_kernels: int = DEFAULT_MAX_KERNELS
    token: str | None = None
    allowed_hosts: tuple[str, ...] = ()

    @property
    def cull_interval(self) -> int:
        """How often idle kernels are looked for: a quarter of the idle time, 1 to 15 s."""
        return max(1, min(15, self.idle_seconds // 4))

    @property
    def retry_seconds(self) -> int:
        """How often the "all sessions in use" page loads itself again: 5 to 15 s."""
        return max(5, self.cull_interval)


def _int_setting(
    name: str, given: int | None, env: dict[str, str], default: int, minimum: int
) -> int:
    if given is None:
        raw = env.get(name, "").strip()
        if not raw:
            return default
        try:
            given = int(raw)
        except ValueError:
            raise InvalidInputError(f"{name} must be a whole number, not {raw!r}.") from None
    if given < minimum:
        raise InvalidInputError(f"{name} must be at least {minimum}, not {given}.")
    return given


def _host_list(text: str) -> tuple[str, ...]:
    names = []
    for part in re.split(r"[,\s]+", text):
        name = part.strip().lower().rstrip(".")
        if not name:
            continue
        if not re.fullmatch(r"\.?[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?|[0-9a-f:.\[\]]+", name):
            raise InvalidInputError(
                f"{name!r} is not a host name (allowed hosts: names, comma-separated)."
            )
        names.append(name.strip("[]"))
    return tuple(names)


def serving_options(
    idle_seconds: int | None = None,
    max_kernels: int | None = None,
    token: str | None = None,
    allowed_hosts: str | None = None,
    env: dict[str, str] | None = None,
) -> ServingOptions:
    """The options given, else the ``WORKBENCH_*`` environment variables, else the defaults."""
    env = dict(os.environ if env is None else env)
    token = token if token is not None else env.get(ENV_TOKEN) or None
    if token is not None:
        token = token.strip()
        if len(token) < 16 or not re.fullmatch(r"[A-Za-z0-9_.~-]+", token):
            raise InvalidInputError(
                "The token must be at least 16 characters of letters, digits and - _ . ~ "
                "(leave it out and one is generated)."
            )
    return ServingOptions(
        idle_seconds=_int_setting(ENV_IDLE, idle_seconds, env, DEFAULT_IDLE_SECONDS, 1),
        max_kernels=_int_setting(ENV_MAX_KERNELS, max_kernels, env, DEFAULT_MAX_KERNELS, 1),
        token=token,
        allowed_hosts=_host_list(
            allowed_hosts if allowed_hosts is not None else env.get(ENV_ALLOWED_HOSTS, "")
        ),
    )


def is_local(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine (loopback only)."""
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def machine_name() -> str:
    """This machine's fully qualified name, else its host name."""
    fqdn = socket.getfqdn().lower().rstrip(".")
    return (
        fqdn if "." in fqdn and not fqdn.startswith("localhost") else socket.gethostname().lower()
    )


def allowed_names(bind_host: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Host names a request may name: local names, the bound name and, bound to every
    interface, this machine's names; plus ``extra``. IP addresses are always accepted."""
    names = list(LOCAL_NAMES)
    bind = bind_host.strip().strip("[]").lower()
    if bind in ("", "0.0.0.0", "::"):
        for name in (socket.gethostname(), socket.getfqdn(), machine_name()):
            if name:
                names.append(name.lower().rstrip("."))
    else:
        names.append(bind)
    names.extend(extra)
    return tuple(dict.fromkeys(names))


def host_allowed(host_header: str, names: tuple[str, ...]) -> bool:
    """Whether a request's Host header (``name[:port]``) names this server. An IP address is
    fine (DNS rebinding needs a name); a name must be in ``names``, where ``.example.com``
    stands for example.com and every name under it."""
    match = re.fullmatch(
        r"\[([0-9a-fA-F:.]+)\](?::\d+)?|([^:\[\]]*?)(?::\d+)?", host_header.strip()
    )
    if not match:
        return False
    host = (match.group(1) or match.group(2) or "").lower().rstrip(".")
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    for name in names:
        if name.startswith("."):
            if host == name[1:] or host.endswith(name):
                return True
        elif host == name:
            return True
    return False


# --------------------------------------------------------------------------------------
# The landing page's cards, read from the dashboards themselves


@dataclass(frozen=True)
class DashboardCard:
    """A dashboard as the landing page lists it."""

    title: str
    description: str


_MARKDOWN_MARKS = re.compile(r"[*_`]+|\[([^\]]*)\]\([^)]*\)")


def _plain(markdown: str) -> str:
    return " ".join(_MARKDOWN_MARKS.sub(lambda m: m.group(1) or "", markdown).split())


def dashboard_card(path: str | os.PathLike) -> DashboardCard:
    """Title and one-line description of a dashboard notebook.

    The title is the first ``#`` heading of its first Markdown cell, the description the
    first sentence of the text under it (Markdown marks removed). A notebook without them,
    or one that cannot be read, is named after its file.
    """
    path = Path(path)
    fallback = DashboardCard(path.stem.replace("_", " ").capitalize(), "")
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cell = next(c for c in notebook.get("cells", []) if c.get("cell_type") == "markdown")
    except (OSError, ValueError, StopIteration, AttributeError):
        return fallback
    source = cell.get("source", "")
    lines = ("".join(source) if isinstance(source, list) else str(source)).splitlines()
    title, text = "", []
    for line in lines:
        if not title and line.startswith("# "):
            title = _plain(line[2:])
        elif title and line.strip() and not line.startswith("#"):
            text.append(line)
        elif title and text:
            break  # the first paragraph under the heading only
    sentence = re.split(r"(?<=[.!?])\s", _plain(" ".join(text)), maxsplit=1)[0]
    return DashboardCard(title or fallback.title, sentence)


# --------------------------------------------------------------------------------------
# The launcher side: `workbench serve`


def dashboards_folder(folder: str | os.PathLike | None = None) -> Path:
    """The folder of dashboard notebooks: given, ./dashboards, or the checkout's."""
    candidates = (
        [Path(folder)]
        if folder
        else [Path.cwd() / "dashboards", Path(__file__).resolve().parents[2] / "dashboards"]
    )
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate.resolve()
    raise NotFoundError(
        f"No dashboards folder found (looked in {', '.join(map(str, candidates))})."
    )


def voila_command(folder: Path, port: int, host: str = "127.0.0.1") -> list[str]:
    """The command line of the Voila process serving ``folder``."""
    return [
        sys.executable,
        "-m",
        "workbench.ui.voila",
        str(folder),
        f"--port={port}",
        "--Voila.port_retries=0",
        f"--Voila.ip={host}",
        "--no-browser",
        f"--template={TEMPLATE}",
        "--VoilaConfiguration.classic_tree=True",
        "--VoilaConfiguration.show_tracebacks=False",
    ]


def voila_environment(
    env: dict[str, str] | None = None, options: ServingOptions | None = None
) -> dict[str, str]:
    """``env`` with the workbench template's data directory first on JUPYTER_PATH and the
    serving options as ``WORKBENCH_*`` variables (options given win over ``env``'s)."""
    env = dict(os.environ if env is None else env)
    paths = [str(JUPYTER_DATA)] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    options = options or serving_options(env=env)
    env[ENV_IDLE] = str(options.idle_seconds)
    env[ENV_MAX_KERNELS] = str(options.max_kernels)
    env[ENV_ALLOWED_HOSTS] = ",".join(options.allowed_hosts)
    if options.token:
        env[ENV_TOKEN] = options.token
    else:
        env.pop(ENV_TOKEN, None)
    return env


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Block until ``url`` answers; raise if the server exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StoreUnavailableError(
                f"Voila exited with code {process.returncode} before serving."
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise StoreUnavailableError(f"Voila did not answer at {url} within {timeout:g} s.")


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    host = "127.0.0.1" if host in ("", "0.0.0.0") else "::1" if host == "::" else host
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        return sock.connect_ex((host, port)) != 0


def _parent_death_signal():
    """Linux: a ``preexec_fn`` that has the child sent SIGTERM when its parent dies, even by
    SIGKILL (``PR_SET_PDEATHSIG``). Resolved before the fork: nothing is imported in the
    child. It follows the thread that forks, hence only from the main thread."""
    if not sys.platform.startswith("linux") or not _in_main_thread():
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig, sigterm = 1, int(signal.SIGTERM)

    def set_parent_death_signal() -> None:  # pragma: no cover - runs between fork and exec
        prctl(pr_set_pdeathsig, sigterm)

    return set_parent_death_signal


def start(
    folder: Path,
    port: int,
    host: str = "127.0.0.1",
    env: dict[str, str] | None = None,
    options: ServingOptions | None = None,
    **popen,
) -> subprocess.Popen:
    """Start Voila in the background, in a process group of its own; stop it with :func:`stop`.

    Beyond localhost a token is required: pass one in ``options`` (or ``WORKBENCH_TOKEN``)."""
    environment = voila_environment(env, options)
    if not is_local(host) and not environment.get(ENV_TOKEN):
        raise InvalidInputError(
            f"Serving on {host} (beyond this machine) needs a token ({ENV_TOKEN})."
        )
    popen.setdefault("start_new_session", True)
    if "preexec_fn" not in popen and (preexec := _parent_death_signal()):
        popen["preexec_fn"] = preexec
    return subprocess.Popen(voila_command(folder, port, host), env=environment, **popen)


@contextmanager
def running(
    folder: Path,
    port: int,
    host: str = "127.0.0.1",
    env: dict[str, str] | None = None,
    options: ServingOptions | None = None,
    log: Path | None = None,
    timeout: float = 90.0,
) -> Iterator[tuple[subprocess.Popen, str]]:
    """Voila serving ``folder`` for the ``with`` block (tests, benchmarks): yields the
    process and the landing page's URL once it answers; :func:`stop` ends it and its kernels.
    Its output goes to ``log`` (else nowhere)."""
    with open(log or os.devnull, "wb") as output:
        process = start(folder, port, host, env, options, stdout=output, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_until_serving(url + "voila/static/index.css", process, timeout=timeout)
            yield process, url
        finally:
            stop(process)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _descendants(pid: int) -> list:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _alive(proc) -> bool:
    import psutil

    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def stop(process: subprocess.Popen, timeout: float = STOP_WAIT_SECONDS) -> None:
    """Stop Voila and every process it started (kernels and what they spawned).

    SIGTERM to Voila's process group lets Voila shut its kernels down; the kernels live in
    process groups of their own, so every descendant seen while Voila stops is watched and,
    if still there when Voila is gone, terminated and then killed."""
    import psutil

    seen = {p.pid: p for p in _descendants(process.pid)}
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            process.terminate()
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        seen.update((p.pid, p) for p in _descendants(process.pid))
        time.sleep(0.1)
    if process.poll() is None:
        seen.update((p.pid, p) for p in _descendants(process.pid))
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            process.kill()
        process.wait()
    survivors = [p for p in seen.values() if _alive(p)]
    for proc in survivors:
        try:
            proc.terminate()
        except psutil.Error:
            pass
    _, still = psutil.wait_procs(survivors, timeout=5)
    for proc in still:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(still, timeout=5)


class _StopRequested(Exception):
    """SIGINT, SIGTERM or SIGHUP reached ``workbench serve``."""


def _raise_stop(signum, frame):
    raise _StopRequested(signal.Signals(signum).name)


def serve(
    port: int = 8866,
    host: str = "127.0.0.1",
    folder: str | None = None,
    env: dict[str, str] | None = None,
    options: ServingOptions | None = None,
) -> int:
    """Serve the dashboards until SIGINT (Ctrl-C), SIGTERM or SIGHUP; print the landing page's
    URL once it answers. Beyond localhost a token is generated when none is given."""
    options = options or serving_options(env=env)
    generated = False
    if not is_local(host) and not options.token:
        options = ServingOptions(
            options.idle_seconds,
            options.max_kernels,
            secrets.token_urlsafe(24),
            options.allowed_hosts,
        )
        generated = True
    if not port_is_free(port, host):
        raise StoreUnavailableError(f"Port {port} is in use: stop what runs there or pass --port.")
    folder_path = dashboards_folder(folder)
    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP) if _in_main_thread() else ()
    previous = {sig: signal.getsignal(sig) for sig in stop_signals}
    for sig in stop_signals:
        # SIGINT too: a background job started by a script inherits it ignored. SIGHUP
        # stays ignored under nohup.
        if not (sig == signal.SIGHUP and previous[sig] == signal.SIG_IGN):
            signal.signal(sig, _raise_stop)
    process = None
    try:
        process = start(folder_path, port, host, env, options)
        wildcard = host in ("", "0.0.0.0", "::")
        shown_host = "localhost" if is_local(host) else machine_name() if wildcard else host
        url = f"http://{'[' + shown_host + ']' if ':' in shown_host else shown_host}:{port}/"
        wait_until_serving(f"http://127.0.0.1:{port}/" if wildcard else url, process)
        if options.token and generated:
            shown = f"{url}?token={options.token}"
            note = "token generated for this run; set WORKBENCH_TOKEN to keep one"
        elif options.token:
            shown = f"{url}?token=..."
            note = "token from WORKBENCH_TOKEN or --token"
        else:
            shown, note = url, "this machine only"
        print(f"\nInfra Workbench dashboards: {shown}\n  ({note}; Ctrl-C to stop)", flush=True)
        print(
            f"  Kernels: at most {options.max_kernels}; a closed page's kernel ends after "
            f"{options.idle_seconds} s idle. Host names accepted: "
            f"{', '.join(allowed_names(host, options.allowed_hosts))} and IP addresses.\n",
            flush=True,
        )
        return process.wait()
    except (KeyboardInterrupt, _StopRequested):
        return 0
    finally:
        for sig in stop_signals:  # a second signal must not cut the stopping short
            signal.signal(sig, signal.SIG_IGN)
        try:
            if process is not None:
                stop(process)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


# --------------------------------------------------------------------------------------
# The Voila side: `python -m workbench.ui.voila FOLDER --port=...`


def _voila_application(options: ServingOptions):
    """Voila's application class with culling, a kernel cap and a Host check (Voila 0.5)."""
    import tornado.web
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from traitlets import Integer
    from voila.app import Voila
    from voila.tornado.handler import TornadoVoilaHandler

    class KernelCapReached(Exception):
        pass

    class CappedKernelManager(AsyncMappingKernelManager):
        """At most ``max_kernels`` kernels, counting those still starting."""

        max_kernels = Integer(options.max_kernels, config=True)

        def kernels_in_use(self) -> int:
            return len(set(self._kernels) | set(self._pending_kernels))

        async def start_kernel(self, *, kernel_id=None, path=None, **kwargs):
            # Checked before the first await: concurrent requests cannot both pass.
            if (
                kernel_id is None or kernel_id not in self
            ) and self.kernels_in_use() >= self.max_kernels:
                raise KernelCapReached()
            return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)

    def render_page(handler, name: str, **values) -> str:
        return handler.settings["voila_jinja2_env"].get_template(name).render(**values)

    class CappedVoilaHandler(TornadoVoilaHandler):
        """A dashboard page, or the plain page when every kernel is in use."""

        async def get(self, path=None):
            manager = self.kernel_manager
            if manager.kernels_in_use() >= manager.max_kernels:
                return self._at_capacity()
            # Sets the _xsrf cookie. On unload the page posts voila/api/shutdown/<kernel>
            # with it; Voila never sets it, so that POST was refused (403) and every kernel
            # stayed until the server stopped.
            self.xsrf_token  # noqa: B018
            try:
                await super().get(path)
            except KernelCapReached:
                if self._headers_written:
                    raise
                self._at_capacity()

        def _at_capacity(self) -> None:
            manager = self.kernel_manager
            self.log.warning(
                "Kernel cap reached (%d kernels): served the plain page.", manager.max_kernels
            )
            self.clear()
            self.set_status(503)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.set_header("Retry-After", str(options.retry_seconds))
            self.finish(
                render_page(
                    self,
                    "at-capacity.html",
                    max_kernels=manager.max_kernels,
                    idle_seconds=options.idle_seconds,
                    retry_seconds=options.retry_seconds,
                    retry_url=self.request.uri,
                )
            )

    class ForeignHostHandler(tornado.web.RequestHandler):
        """403 for a Host header that does not name this server."""

        def prepare(self):
            self.set_status(403)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(render_page(self, "foreign-host.html", host=self.request.host))

    class HostCheckedApplication(tornado.web.Application):
        def find_handler(self, request, **kwargs):
            if not host_allowed(request.host or "", self.settings["workbench_allowed_names"]):
                return self.get_handler_delegate(request, ForeignHostHandler)
            return super().find_handler(request, **kwargs)

    class WorkbenchVoila(Voila):
        def initialize(self, argv=None):
            super().initialize(argv)
            self.voila_configuration.multi_kernel_manager_class = CappedKernelManager
            if options.token:
                self.token = options.token
            elif not is_local(self.ip):
                raise SystemExit(
                    f"Serving on {self.ip} (beyond this machine) needs a token ({ENV_TOKEN})."
                )

        def init_settings(self):
            settings = super().init_settings()
            manager = self.kernel_manager
            manager.cull_idle_timeout = options.idle_seconds
            manager.cull_interval = options.cull_interval
            manager.cull_connected = False  # an open page keeps its kernel
            manager.max_kernels = options.max_kernels
            root = Path(self.root_dir)
            settings["voila_jinja2_env"].globals["dashboard_card"] = lambda path: dashboard_card(
                root / path
            )
            return settings

        def init_handlers(self):
            return [
                (rule[0], CappedVoilaHandler, *rule[2:])
                if len(rule) > 1 and rule[1] is TornadoVoilaHandler
                else rule
                for rule in super().init_handlers()
            ]

        def start(self):
            # Voila.start (0.5.13), with the Host-checking application.
            import tempfile

            self.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=self.connection_dir_root)
            self.log.info("Storing connection files in %s.", self.connection_dir)
            settings = self.init_settings()
            names = allowed_names(self.ip, options.allowed_hosts)
            self.app = HostCheckedApplication(workbench_allowed_names=names, **settings)
            self.app.settings.update(self.tornado_settings)
            # Uploads (the project-setup wizard's RVTools step) arrive as one websocket
            # message; tornado's default limit is 10 MiB.
            self.app.settings.setdefault("websocket_max_message_size", UPLOAD_LIMIT_BYTES)
            self.app.add_handlers(".*$", self.init_handlers())
            self.log.info(
                "Kernels: at most %d; idle ones without a page culled after %d s (checked every %d s). Hosts: %s",
                options.max_kernels,
                options.idle_seconds,
                options.cull_interval,
                ", ".join(names),
            )
            self.listen()

    return WorkbenchVoila


def main(argv: list[str] | None = None) -> None:
    """Run Voila with the workbench's serving options (from the environment)."""
    options = serving_options()
    # Kernels inherit this process's environment: the token stays here.
    os.environ.pop(ENV_TOKEN, None)
    _voila_application(options).launch_instance(argv)


if __name__ == "__main__":
    main()
