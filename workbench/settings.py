"""Settings: one frozen dataclass, read from the environment only at the edges."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

import platformdirs

from workbench.errors import InvalidInputError


def _help(text: str):
    return field(metadata={"help": text})


def _seconds(env, name: str, default: float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise InvalidInputError(f"{name} must be a positive number of seconds; got {text!r}.")
    return value


@dataclass(frozen=True)
class Settings:
    """Where the workbench keeps its data and how it reaches the store."""

    home: Path = _help(
        "Data directory: the embedded store, imported files, generated documents. "
        "Environment: WORKBENCH_HOME (default: the user's data directory)."
    )
    db_url: str = _help(
        "Store URL: surrealkv://PATH (embedded, on disk), mem:// (in memory, tests), "
        "ws://HOST:PORT or wss://... (a SurrealDB server). Environment: WORKBENCH_DB "
        "(default: surrealkv://HOME/store)."
    )
    namespace: str = _help("SurrealDB namespace. Environment: WORKBENCH_DB_NS.")
    database: str = _help("SurrealDB database. Environment: WORKBENCH_DB_NAME.")
    username: str | None = _help("Server sign-in user (ws/wss only). WORKBENCH_DB_USER.")
    password: str | None = _help("Server sign-in password (ws/wss only). WORKBENCH_DB_PASS.")
    lock_timeout: float = _help(
        "Seconds a unit of work waits for another process holding the embedded store. "
        "Environment: WORKBENCH_LOCK_TIMEOUT."
    )
    engine_timeout: float = _help(
        "Seconds one call into the store engine (open, query, close) may take before the "
        "process gives up: it writes the stacks of all its threads to "
        "HOME/logs/engine-hangs.log and exits, instead of freezing. "
        "Environment: WORKBENCH_ENGINE_TIMEOUT."
    )

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> Settings:
        """Build settings from environment variables, then apply non-None ``overrides``."""
        env = os.environ if env is None else env
        home = Path(
            overrides.pop("home", None)
            or env.get("WORKBENCH_HOME")
            or platformdirs.user_data_dir("workbench", appauthor=False)
        ).expanduser()
        url = (
            overrides.pop("db_url", None)
            or env.get("WORKBENCH_DB")
            or f"surrealkv://{home / 'store'}"
        )
        values = dict(
            home=home,
            db_url=url,
            namespace=env.get("WORKBENCH_DB_NS") or "workbench",
            database=env.get("WORKBENCH_DB_NAME") or "main",
            username=env.get("WORKBENCH_DB_USER") or None,
            password=env.get("WORKBENCH_DB_PASS") or None,
            lock_timeout=_seconds(env, "WORKBENCH_LOCK_TIMEOUT", 30.0),
            engine_timeout=_seconds(env, "WORKBENCH_ENGINE_TIMEOUT", 120.0),
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @staticmethod
    def describe() -> dict[str, str]:
        """Help text of every setting, by name."""
        return {f.name: f.metadata["help"] for f in fields(Settings)}
