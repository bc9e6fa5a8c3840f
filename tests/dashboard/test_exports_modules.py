"""dashboard.exports is one module per thing exported, behind one import.

Callers write ``from dashboard import exports; exports.places_xlsx(...)``; the package re-exports the
public names of its modules (so every existing caller keeps working) and the modules depend on each
other one way: generic writers ← places ← ODS / template. Imports are read with ``ast``.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from dashboard import exports, jis

PACKAGE = Path(exports.__file__).parent
MODULES = ("writers", "places", "ods", "template", "areas")
#: What each module may import from the package and from the rest of dashboard.
ALLOWED = {
    "writers": set(),
    "areas": set(),
    "places": {"dashboard.exports.writers", "dashboard.vocab", "dashboard.normalize"},
    "ods": {"dashboard.exports.places", "dashboard.exports.writers", "dashboard.jis", "dashboard.normalize"},
    "template": {"dashboard.exports.places", "dashboard.exports.writers", "dashboard.vocab",
                 "dashboard.importers.places"},
}


def dashboard_imports(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dashboard"):
            # "from dashboard import vocab" names the module vocab; "from dashboard.x import y" names dashboard.x
            found |= ({f"dashboard.{a.name}" for a in node.names} if node.module == "dashboard" else {node.module})
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("dashboard")}
    return found


def test_the_old_module_is_gone_and_the_package_holds_one_module_per_export():
    assert (PACKAGE / "__init__.py").is_file()
    assert not (PACKAGE.parent / "exports.py").exists()
    assert sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__") == sorted(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_modules_depend_one_way(module):
    assert dashboard_imports(module) <= ALLOWED[module], module


def defined_names(module: str) -> set[str]:
    """Public functions and constants a module defines itself (top-level ``def`` and assignments)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {t.id for t in (target.elts if isinstance(target, ast.Tuple) else [target])}
    return {n for n in names if not n.startswith("_")}


def test_every_public_name_is_re_exported_as_the_same_object():
    # the writers' cell helpers are for the package's own modules, not for callers
    internal = {"put_cell", "header_row", "fit_columns", "workbook_bytes", "text_width", "with_integer_capacity",
                "XLSX_MIN_WIDTH", "XLSX_MAX_WIDTH"}
    defined = {}
    for module in MODULES:
        loaded = importlib.import_module(f"dashboard.exports.{module}")
        defined |= {name: (module, getattr(loaded, name)) for name in defined_names(module)}
    for name, (module, value) in defined.items():
        if name in internal:
            assert name not in exports.__all__, name
            continue
        assert name in exports.__all__, f"{module}.{name} is not re-exported"
        assert getattr(exports, name) is value, name
    assert set(exports.__all__) == (set(defined) - internal) | {"local_government_code"}
    assert exports.local_government_code is jis.local_government_code


def test_callers_of_the_old_module_keep_working():
    # the names every caller in dashboard/, pages/, tests/ and benchmarks/ used on the old module
    used = ["csv_bytes", "json_bytes", "frame_geojson", "neutralise_formula", "areas_population_table",
            "places_csv", "places_xlsx", "places_geojson", "places_gpkg", "places_ods_csv", "places_template_xlsx",
            "local_government_code", "PLACE_HEADERS_JA", "ODS_COLUMNS", "TEMPLATE_EXAMPLE_MARK"]
    assert all(callable(getattr(exports, n)) or n.isupper() for n in used)
    # and the ODS code column is still the JIS X 0402 code with its check digit: 11223 (蕨市) → 112232
    assert exports.local_government_code("11223") == "112232"
