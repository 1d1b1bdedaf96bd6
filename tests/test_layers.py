"""The one-way flow of the layers, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import openpyxl

import workbench

PACKAGE = Path(workbench.__file__).parent
UI_LIBS = {"ipywidgets", "plotly", "anywidget", "voila"}


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_store_imports_surrealdb():
    offenders = [
        p
        for p in PACKAGE.rglob("*.py")
        if "surrealdb" in imports(p) and "store" not in p.relative_to(PACKAGE).parts
    ]
    assert offenders == []


def test_domain_modules_import_no_storage_and_no_ui():
    for path in PACKAGE.glob("*.py"):
        if path.name in {"__init__.py", "api.py"}:
            continue
        assert not imports(path) & (UI_LIBS | {"surrealdb"}), path.name


def test_store_and_io_import_no_ui():
    for folder in ("store", "io"):
        for path in (PACKAGE / folder).rglob("*.py"):
            assert not imports(path) & UI_LIBS, path


def test_no_query_is_built_with_an_f_string():
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in {
                "query",
                "one",
                "transaction",
                "query_raw",
            }:
                assert not (node.args and isinstance(node.args[0], ast.JoinedStr)), (
                    f"{path}:{node.lineno}"
                )


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def _workbench_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("workbench.")
        ):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("workbench.")}
    return found


def test_pure_domain_modules_reach_neither_the_store_nor_the_facade():
    for name in ("projects", "capacity", "risks", "rvtools_imports", "demo"):
        used = _workbench_imports(PACKAGE / f"{name}.py")
        assert not used & {"store", "api", "ui", "cli"}, (name, used)


def test_io_modules_depend_on_nothing_above_them():
    # Besides io and errors, io may use leaf modules: plain data types and tables that
    # themselves use nothing of the workbench but errors and other leaves (baskets'
    # dataclasses, CPU models).
    uses = {p.stem: _workbench_imports(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    leaves: set[str] = set()
    while grown := {n for n, used in uses.items() if used <= {"errors"} | leaves} - leaves:
        leaves |= grown
    assert {"baskets", "cpu_models", "errors"} <= leaves
    for path in (PACKAGE / "io").rglob("*.py"):
        assert _workbench_imports(path) <= {"io", "errors"} | leaves, path
