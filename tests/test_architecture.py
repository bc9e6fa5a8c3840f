"""Dependencies run one way: pages/ → dashboard/ui/ → dashboard/ → geo/ (style.md).

Imports are read with ``ast`` (not grep), so docstrings and comments that mention a module
don't count, and imports inside functions and relative imports do.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI_PACKAGE = ROOT / "dashboard" / "ui"
#: The Streamlit entrypoint must live in dashboard/ (style.md: st.navigation next to pages/ breaks deep
#: links), so it is the one module outside dashboard/ui/ allowed to import streamlit (never streamlit_folium).
ENTRYPOINT = ROOT / "dashboard" / "app.py"
STREAMLIT_PACKAGES = ("streamlit", "streamlit_folium")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(tree: ast.AST, module: str = "", is_package: bool = False) -> set[str]:
    """Absolute names of every module imported anywhere in ``tree`` (relative imports resolved)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names.add(prefix)
            names.update(f"{prefix}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
    return names


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return imported_modules(tree, module_name(path), path.name == "__init__.py")


def is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def python_files(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if ".venv" not in p.parts)


def test_the_import_reader_sees_every_form_of_import():
    source = """
import streamlit as st
from streamlit_folium import st_folium
def later():
    import importlib
    importlib.import_module("plotly.express")
    from . import sibling
    from ..store import models
"""
    found = imported_modules(ast.parse(source), "dashboard.ui.page")
    assert {"streamlit", "streamlit_folium", "plotly.express", "dashboard.ui", "dashboard.ui.sibling",
            "dashboard.store.models"} <= found
    assert not imported_modules(ast.parse('"""uses streamlit_folium.st_folium"""\n# import streamlit'))


def test_the_scanned_files_are_the_real_packages():
    geo = {p.name for p in python_files("geo")}
    dashboard = {module_name(p) for p in python_files("dashboard")}
    assert {"mesh.py", "interpolate.py", "assign.py", "crs.py"} <= geo
    assert {"dashboard.cli", "dashboard.store.engine", "dashboard.importers.places", "dashboard.demo.build"} <= dashboard


NON_UI_MODULES = [p for p in python_files("geo") + python_files("dashboard")
                  if UI_PACKAGE not in p.parents and p != ENTRYPOINT]


@pytest.mark.parametrize("path", NON_UI_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_streamlit_outside_the_ui_layer(path):
    offending = {n for n in imports_of(path) if any(is_within(n, pkg) for pkg in STREAMLIT_PACKAGES)}
    assert not offending, f"{path.relative_to(ROOT)} imports {sorted(offending)}"


def test_the_entrypoint_does_not_wrap_st_folium_itself():
    if ENTRYPOINT.exists():
        assert not {n for n in imports_of(ENTRYPOINT) if is_within(n, "streamlit_folium")}


@pytest.mark.parametrize("path", python_files("geo"), ids=lambda p: str(p.relative_to(ROOT)))
def test_geo_imports_nothing_from_dashboard(path):
    offending = {n for n in imports_of(path) if is_within(n, "dashboard")}
    assert not offending, f"{path.relative_to(ROOT)} imports {sorted(offending)}"


def _module_graph() -> dict[str, set[str]]:
    """Our modules → the modules of ours they import (anywhere in the file). ``from pkg import sub``
    counts as a dependency on ``pkg.sub`` only when ``sub`` is a module, else on ``pkg``."""
    files = {module_name(p): p for folder in ("dashboard", "geo") for p in python_files(folder)}
    graph = {}
    for name, path in files.items():
        targets = set()
        for imported in imports_of(path):
            if imported in files:
                targets.add(imported)
        # "from dashboard.x import sub" names both dashboard.x and dashboard.x.sub: keep the submodule only
        targets = {t for t in targets if not any(o.startswith(t + ".") and o in targets for o in targets)
                   or not (ROOT / Path(*t.split("."))).is_dir()}
        graph[name] = targets - {name}
    return graph


def test_no_import_cycles_between_our_modules():
    graph = _module_graph()
    visiting, done, cycles = [], set(), []

    def visit(node):
        visiting.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in visiting:
                cycles.append(visiting[visiting.index(nxt):] + [nxt])
            elif nxt not in done:
                visit(nxt)
        visiting.pop()
        done.add(node)

    for node in sorted(graph):
        if node not in done:
            visit(node)
    assert cycles == [], "import cycles: " + "; ".join(" → ".join(c) for c in cycles[:5])


def test_the_cycle_check_sees_a_cycle(monkeypatch):
    # guard for the check itself: two modules that import each other are reported
    import sys

    fake = {"dashboard.a": {"dashboard.b"}, "dashboard.b": {"dashboard.a"}}
    monkeypatch.setattr(sys.modules[__name__], "_module_graph", lambda: fake)
    with pytest.raises(AssertionError, match="dashboard.a → dashboard.b → dashboard.a"):
        test_no_import_cycles_between_our_modules()
