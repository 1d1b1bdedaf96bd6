"""Import the SurrealDB SDK without the HTTP client libraries it pulls in.

``import surrealdb`` imports ``aiohttp`` and ``requests`` at the top of its HTTP connection
modules: about 0.3 s on these machines, most of a CLI command's start-up. The embedded
engine (``surrealkv://``, ``mem://``) and the websocket engine never use them. So each is
registered as a stand-in module first, which imports the real one on first use: an
``http(s)://`` store still works, and pays that cost when it connects.

While the SDK itself is being imported, the only names it reads from them are type
annotations of method parameters (``session: aiohttp.ClientSession``); those get a named
placeholder, which Python stores and never calls. Anything else read in that window (a base
class, a call) would fail at once on the placeholder, loudly, at import time.

``importlib.util.LazyLoader`` does not serve here: on Python 3.11 the import system reads
``__spec__`` of a module already in ``sys.modules``, and any attribute read loads it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from contextlib import contextmanager

DEFERRED = ("aiohttp", "requests")

_lock = threading.RLock()
_sdk_importing = False


class AnnotationPlaceholder:
    """What the SDK's parameter annotations name while the real module is not imported."""

    def __init__(self, qualified_name: str) -> None:
        self.qualified_name = qualified_name

    def __repr__(self) -> str:
        return self.qualified_name

    def __or__(self, other):  # ``aiohttp.ClientSession | None`` in an annotation
        return self

    __ror__ = __or__


class DeferredModule(types.ModuleType):
    """Stands in for a module until one of its attributes is used, then forwards to it."""

    def __init__(self, name: str, spec) -> None:
        super().__init__(name)
        self.__spec__ = spec
        self.__loader__ = spec.loader

    def real_module(self) -> types.ModuleType:
        """The real module, imported in this stand-in's place on first call."""
        name = self.__name__
        with _lock:
            current = sys.modules.get(name)
            if current is self or current is None:
                # Imported under its own name, so its submodules bind to the real package.
                sys.modules.pop(name, None)
                try:
                    current = importlib.import_module(name)
                except BaseException:
                    sys.modules[name] = self
                    raise
            return current

    def __getattr__(self, attribute: str):
        # ``__path__`` is read when a submodule is imported (``import aiohttp.web``): the real
        # package must be in place first, so the submodule's relative imports find it.
        if attribute.startswith("__") and attribute != "__path__":
            raise AttributeError(attribute)
        if _sdk_importing:
            return AnnotationPlaceholder(f"{self.__name__}.{attribute}")
        return getattr(self.real_module(), attribute)


@contextmanager
def _sdk_import_window():
    global _sdk_importing
    with _lock:
        _sdk_importing = True
        try:
            yield
        finally:
            _sdk_importing = False


def import_sdk() -> types.ModuleType:
    """``import surrealdb``, with :data:`DEFERRED` stand-ins for modules not imported yet."""
    with _lock:
        if "surrealdb" in sys.modules:
            return sys.modules["surrealdb"]
        for name in DEFERRED:
            if name in sys.modules:
                continue
            spec = importlib.util.find_spec(name)
            if spec is None:  # not installed: the SDK's own import error is the right message
                continue
            sys.modules[name] = DeferredModule(name, spec)
        with _sdk_import_window():
            return importlib.import_module("surrealdb")
