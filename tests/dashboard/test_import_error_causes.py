"""Importer errors keep their cause (#11, style.md: ``raise InputError(...) from None`` loses it).

The user still gets the Japanese :class:`InputError`; ``__cause__`` holds the original exception so
that ``--debug`` and logs can show what the library said.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from dashboard.errors import InputError
from dashboard.importers import geolonia, gsi, mhlw, n03
from dashboard.importers.places import read_places_file
from dashboard.importers.tables import read_csv_text, read_xlsx_text

ROOT = Path(__file__).resolve().parents[2]


def _cause(call, *args) -> BaseException | None:
    with pytest.raises(InputError) as error:
        call(*args)
    return error.value.__cause__


def test_broken_json_files_keep_the_decoder_error(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"features": [', encoding="utf-8")
    assert isinstance(_cause(mhlw.read_kaigo_json, broken), json.JSONDecodeError)
    assert isinstance(_cause(gsi.read_shelters, [broken]), json.JSONDecodeError)
    assert isinstance(_cause(geolonia.read_town_points, broken), json.JSONDecodeError)
    geojson = tmp_path / "broken.geojson"
    geojson.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    assert isinstance(_cause(read_places_file, geojson), json.JSONDecodeError)


def test_unreadable_geodata_and_workbooks_keep_the_library_error(tmp_path):
    not_geodata = tmp_path / "N03.geojson"
    not_geodata.write_bytes(b"\x00\x01 not geodata")
    assert _cause(n03.read_municipal_boundary, not_geodata, "11223") is not None
    gpkg = tmp_path / "places.gpkg"
    gpkg.write_bytes(b"not a geopackage")
    assert _cause(read_places_file, gpkg) is not None
    workbook = tmp_path / "places.xlsx"
    workbook.write_bytes(b"PK not a workbook")
    assert _cause(read_xlsx_text, workbook) is not None
    assert _cause(read_places_file, workbook) is not None


def test_a_csv_the_csv_module_refuses_keeps_its_error(tmp_path):
    import csv

    path = tmp_path / "huge_cell.csv"
    path.write_text("名称,種別\n" + "x" * (csv.field_size_limit() + 1) + ",サロン\n", encoding="utf-8")
    assert isinstance(_cause(read_csv_text, path), csv.Error)


def _raises_from_none(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Raise)
            and isinstance(node.cause, ast.Constant) and node.cause.value is None]


@pytest.mark.parametrize("path", sorted((ROOT / "dashboard" / "importers").glob("*.py")), ids=lambda p: p.name)
def test_no_importer_raises_from_none(path):
    assert _raises_from_none(path) == []
