"""Place exports in every format (#6): Excel, GeoPackage, 自治体標準オープンデータセット CSV, the input
template, and the ``export places|template`` commands — from the real 蕨市 demo store.

Files are read back with independent readers (openpyxl, pyogrio/geopandas, the csv module) and with
our own importer, which is what a municipality does with them next.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest

from dashboard import exports, vocab
from dashboard.cli import UsageError
from dashboard.cli_exports import register
from dashboard.errors import InputError
from dashboard.importers.places import TEMPLATE_COLUMNS, map_headers, read_places_file
from dashboard.store import reads

CODE = "11223"  # 蕨市
ODS_HEADER = [
    "全国地方公共団体コード", "ID", "地方公共団体名", "名称", "名称_カナ", "種別", "所在地_連結表記", "所在地_都道府県",
    "所在地_市区町村", "所在地_町字", "所在地_番地以下", "建物名等", "緯度", "経度", "電話番号", "開催日時", "対象者",
    "定員", "参加費", "URL", "備考", "最終確認日",
]
EVIL_NAMES = ['=HYPERLINK("http://evil","x")', "@SUM(1)"]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def engine(demo_engine):
    return demo_engine


@pytest.fixture(scope="module")
def internal(engine) -> pd.DataFrame:
    return reads.places(engine, CODE, internal=True)


@pytest.fixture(scope="module")
def public(engine) -> pd.DataFrame:
    return reads.places(engine, CODE, internal=False)


@pytest.fixture(scope="module")
def internal_only_texts(internal) -> set[str]:
    """Internal contacts and notes of the demo store: none may appear in a public export."""
    texts = {str(v) for column in ("contact_internal", "notes") for v in internal[column].dropna()}
    assert len(texts) > 10  # the demo has them, so the checks below can fail
    return texts


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def sheet_rows(data: bytes, sheet: str | None = None) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    return list(worksheet.iter_rows(values_only=True))


def csv_rows(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- 全国地方公共団体コード ----------------------------------------------------------------------

@pytest.mark.parametrize("code, expected", [
    ("11223", "112232"),  # 蕨市: 1·6+1·5+2·4+2·3+3·2 = 31, 31 mod 11 = 9, 11−9 = 2
    ("13104", "131041"),  # 新宿区: sum 33, remainder 0 → 11 → last digit 1
    ("13113", "131130"),  # 渋谷区: sum 34, remainder 1 → 10 → last digit 0
    ("01100", "011002"),  # 札幌市: leading zero kept; sum 9 → 11−9 = 2
])
def test_local_government_code_appends_the_jis_x_0402_check_digit(code, expected):
    assert exports.local_government_code(code) == expected


@pytest.mark.parametrize("code", ["1122", "112232", "1122a", "１１２２３", ""])
def test_local_government_code_refuses_what_is_not_five_ascii_digits(code):
    with pytest.raises(ValueError, match="5 digits"):
        exports.local_government_code(code)


# --- Excel ---------------------------------------------------------------------------------------

def test_xlsx_has_bold_frozen_japanese_headers_and_one_row_per_place(internal):
    workbook = openpyxl.load_workbook(io.BytesIO(exports.places_xlsx(internal)))
    sheet = workbook.worksheets[0]
    assert sheet.title == "資源一覧"
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["ID", "名称", "名称_カナ", "種別", "状態"]
    assert header == [exports.PLACE_HEADERS_JA[c] for c in internal.columns]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == len(internal) + 1


def test_xlsx_cells_hold_names_japanese_status_and_real_dates(internal):
    rows = sheet_rows(exports.places_xlsx(internal))
    header = rows[0]
    by_id = {row[header.index("ID")]: dict(zip(header, row)) for row in rows[1:]}
    words = {"active": "活動中", "paused": "休止中", "closed": "終了"}
    for place in internal.itertuples():
        row = by_id[place.id]
        assert row["名称"] == place.name
        assert row["種別"] == place.category
        assert (row["緯度"], row["経度"]) == (place.lat, place.lon)
        assert row["状態"] == words[place.status]
        assert row["公開区分"] == ("公開" if place.visibility == "public" else "非公開")
        if isinstance(place.last_verified, date):
            assert row["最終確認日"] == datetime.combine(place.last_verified, datetime.min.time())
        else:
            assert row["最終確認日"] is None
        if pd.isna(place.capacity):
            assert row["定員"] is None
        else:
            assert row["定員"] == int(place.capacity) and isinstance(row["定員"], int)
    assert sum(isinstance(row["最終確認日"], datetime) for row in by_id.values()) > 10


def test_exported_xlsx_imports_again_with_our_importer(internal, tmp_path):
    path = write(tmp_path, "places.xlsx", exports.places_xlsx(internal))
    records = {r["id"]: r for r in read_places_file(path).records}
    assert set(records) == set(internal["id"])
    for place in internal.itertuples():
        record = records[place.id]
        assert (record["name"], record["category"], record["lat"], record["lon"]) == \
               (place.name, place.category, place.lat, place.lon)
        assert (record["status"], record["visibility"]) == (place.status, place.visibility)
        assert record["contact_internal"] == (None if pd.isna(place.contact_internal) else place.contact_internal)
        assert record["last_verified"] == (place.last_verified if isinstance(place.last_verified, date) else None)


# --- GeoPackage ----------------------------------------------------------------------------------

def test_gpkg_is_one_point_layer_in_wgs84_with_every_place(internal, tmp_path):
    path = write(tmp_path, "places.gpkg", exports.places_gpkg(internal))
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    assert [list(layer) for layer in pyogrio.list_layers(path)] == [["places", "Point"]]
    layer = gpd.read_file(path, layer="places")
    assert len(layer) == len(internal)
    assert layer.crs.to_epsg() == 4326
    assert "lat" not in layer.columns and "lon" not in layer.columns  # they are the geometry
    expected = internal.set_index("id")
    for feature in layer.itertuples():
        place = expected.loc[feature.id]
        assert feature.name == place["name"]
        assert (feature.geometry.x, feature.geometry.y) == (place["lon"], place["lat"])


def test_gpkg_dates_are_iso_text_and_yes_no_fields_are_booleans(internal, tmp_path):
    path = write(tmp_path, "places.gpkg", exports.places_gpkg(internal))
    info = pyogrio.read_info(path, layer="places")
    types = dict(zip(info["fields"], zip(info["ogr_types"], info["ogr_subtypes"])))
    assert types["last_verified"] == ("OFTString", "OFSTNone")
    assert types["transport"] == ("OFTInteger", "OFSTBoolean")
    assert types["barrier_free"] == ("OFTInteger", "OFSTBoolean")  # every value empty in the demo: still boolean
    assert types["capacity"][0] in ("OFTInteger", "OFTInteger64")
    layer = gpd.read_file(path, layer="places").set_index("id")
    for place in internal.itertuples():
        value = layer.loc[place.id, "last_verified"]
        if isinstance(place.last_verified, date):
            assert ISO_DATE.match(value) and value == place.last_verified.isoformat()
        else:
            assert value is None or pd.isna(value)


def test_gpkg_of_no_places_is_an_empty_layer(public, tmp_path):
    path = write(tmp_path, "empty.gpkg", exports.places_gpkg(public.iloc[0:0]))
    layer = gpd.read_file(path, layer="places")
    assert len(layer) == 0 and layer.crs.to_epsg() == 4326


# --- 自治体標準オープンデータセット 正式版 CSV ---------------------------------------------------

def test_ods_csv_has_the_seiki_header_bom_and_the_checked_code(internal):
    data = exports.places_ods_csv(internal, CODE, "蕨市", "埼玉県")
    assert data.startswith(b"\xef\xbb\xbf")
    assert next(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == ODS_HEADER
    rows = csv_rows(data)
    assert len(rows) == len(internal)
    assert {r["全国地方公共団体コード"] for r in rows} == {"112232"}
    assert {r["地方公共団体名"] for r in rows} == {"埼玉県蕨市"}
    by_id = {r["ID"]: r for r in rows}
    for place in internal.itertuples():
        row = by_id[place.id]
        assert row["名称"] == place.name and row["種別"] == place.category
        assert row["定員"] == ("" if pd.isna(place.capacity) else str(int(place.capacity)))  # never "20.0"
        assert row["最終確認日"] == (place.last_verified.isoformat() if isinstance(place.last_verified, date) else "")
        assert row["開催日時"] == ("" if pd.isna(place.schedule_text) else place.schedule_text)
    # the store's places have no split address: those columns are empty, not invented
    assert {r["所在地_町字"] for r in rows} == {""}


def test_ods_csv_imports_again_with_the_same_names_categories_and_coordinates(internal, tmp_path):
    path = write(tmp_path, "ods.csv", exports.places_ods_csv(internal, CODE, "蕨市", "埼玉県"))
    parsed = read_places_file(path)
    assert parsed.encoding == "utf-8-sig"
    got = sorted((r["id"], r["name"], r["category"], r["lat"], r["lon"]) for r in parsed.records)
    expected = sorted(zip(internal["id"], internal["name"], internal["category"], internal["lat"], internal["lon"]))
    assert got == expected
    assert "全国地方公共団体コード" in parsed.unknown_columns  # no field of ours; everything else is read


# --- the input template --------------------------------------------------------------------------

def validation_lists(workbook) -> dict[str, list[str]]:
    """Header of each validated column of the input sheet → the values its drop-down offers."""
    sheet = workbook.worksheets[0]
    header = {cell.column_letter: cell.value for cell in sheet[1]}
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        match = re.fullmatch(r"'(.+)'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", validation.formula1)
        source = workbook[match.group(1)]
        values = [row[0] for row in source[f"{match.group(2)}{match.group(3)}:{match.group(4)}{match.group(5)}"]]
        (target,) = str(validation.sqref).split()
        first, last = target.split(":")
        assert re.sub(r"\d", "", first) == re.sub(r"\d", "", last) and first[-1] == "2" and int(last[1:]) > 1000
        lists[header[re.sub(r"\d", "", first)]] = [cell.value for cell in values]
    return lists


def test_template_headers_are_recognised_by_our_importer():
    header = sheet_rows(exports.places_template_xlsx())[0]
    assert len(header) == len(TEMPLATE_COLUMNS)
    mapping, unknown = map_headers(header)
    assert unknown == []
    assert list(mapping.values()) == list(TEMPLATE_COLUMNS)


def test_template_drop_downs_offer_the_vocabularies():
    workbook = openpyxl.load_workbook(io.BytesIO(exports.places_template_xlsx()))
    assert validation_lists(workbook) == {
        "種別": list(vocab.CATEGORY_IDS),
        "状態": ["活動中", "休止中", "終了"],
        "公開区分": ["公開", "非公開"],
        "位置の精度": ["surveyed", "address", "town", "manual"],
        "運営主体": list(vocab.OPERATOR_TYPES),
        "場所の種類": list(vocab.VENUE_TYPES),
        "送迎": ["あり", "なし"],
        "バリアフリー": ["あり", "なし"],
    }
    assert workbook["選択肢"].sheet_state == "hidden"


def test_template_sheets_explain_every_field_and_keep_the_example_apart():
    workbook = openpyxl.load_workbook(io.BytesIO(exports.places_template_xlsx()))
    assert workbook.sheetnames == ["入力", "記入例", "項目の説明", "選択肢"]
    entry = workbook["入力"]
    assert entry.max_row == 1 and entry.freeze_panes == "A2" and all(c.font.b for c in entry[1])
    guide = list(workbook["項目の説明"].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in guide] == list(TEMPLATE_COLUMNS)  # field ids, in column order
    assert [row[0] for row in guide] == [c.value for c in entry[1]]
    assert {row[1] for row in guide if row[2] == "必須"} == {"name", "category", "lat", "lon"}
    example = list(workbook["記入例"].iter_rows(values_only=True))
    assert len(example) == 2 and example[1][-1] == "記入例（削除してください）"


def test_empty_template_has_nothing_to_import(tmp_path):
    path = write(tmp_path, "template.xlsx", exports.places_template_xlsx())
    with pytest.raises(InputError, match="データの行がありません"):
        read_places_file(path)


def test_the_example_row_is_valid_input(tmp_path):
    workbook = openpyxl.load_workbook(io.BytesIO(exports.places_template_xlsx()))
    workbook.move_sheet("記入例", offset=-1)  # make it the sheet the importer reads
    path = tmp_path / "example.xlsx"
    workbook.save(path)
    parsed = read_places_file(path)
    (record,) = parsed.records
    assert record["name"] == "錦町ふれあいサロン（記入例）" and record["category"] == "サロン"
    assert record["frequency_class"] == "monthly" and record["visibility"] == "public"
    assert parsed.unknown_columns == ["注意"]


def test_filled_in_template_imports(tmp_path):
    workbook = openpyxl.load_workbook(io.BytesIO(exports.places_template_xlsx()))
    sheet = workbook["入力"]
    column = {cell.value: cell.column for cell in sheet[1]}
    rows = [
        {"名称": "錦町ふれあいサロン", "種別": "サロン", "状態": "活動中", "公開区分": "公開", "緯度": 35.8262,
         "経度": 139.6791, "送迎": "あり", "定員": 20, "最終確認日": "令和6年4月1日", "連絡先（公開）": "048-000-0000",
         "繰り返し規則": "FREQ=WEEKLY;BYDAY=WE", "連絡先（内部）": "世話人 090-0000-0000"},
        {"ID": "t-2", "名称": "北町 体操教室", "種別": "通いの場（体操）", "状態": "休止中", "公開区分": "非公開",
         "緯度": "35.8300", "経度": "139.6800", "バリアフリー": "なし", "運営主体": "社会福祉協議会"},
    ]
    for number, values in enumerate(rows, start=2):
        for header, value in values.items():
            sheet.cell(row=number, column=column[header], value=value)
    path = tmp_path / "filled.xlsx"
    workbook.save(path)
    parsed = read_places_file(path)
    assert parsed.unknown_columns == []
    first, second = parsed.records
    assert (first["name"], first["category"], first["lat"], first["lon"]) == ("錦町ふれあいサロン", "サロン", 35.8262, 139.6791)
    assert (first["status"], first["visibility"], first["transport"]) == ("active", "public", True)
    assert first["capacity"] == 20 and first["last_verified"] == date(2024, 4, 1)
    assert first["frequency_class"] == "weekly" and first["contact_internal"] == "世話人 090-0000-0000"
    assert first["id"].startswith("p-")  # empty ID: the importer made a stable one
    assert (second["id"], second["status"], second["visibility"]) == ("t-2", "paused", "internal")
    assert second["barrier_free"] is False and second["operator_type"] == "社会福祉協議会"
    assert (second["lat"], second["lon"]) == (35.83, 139.68)


# --- formula injection ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def evil(public) -> pd.DataFrame:
    frame = public.head(2).copy()
    frame["name"] = EVIL_NAMES
    frame["fee"] = ["+100", "-100円"]
    return frame


def test_csv_exports_store_formula_like_names_as_inert_text(evil):
    ours = csv_rows(exports.places_csv(evil))
    ods = csv_rows(exports.places_ods_csv(evil, CODE, "蕨市", "埼玉県"))
    assert [r["name"] for r in ours] == ["'" + name for name in EVIL_NAMES]
    assert [r["名称"] for r in ods] == ["'" + name for name in EVIL_NAMES]
    assert [r["fee"] for r in ours] == ["'+100", "'-100円"]
    assert [r["参加費"] for r in ods] == ["'+100", "'-100円"]


def test_xlsx_stores_formula_like_names_as_strings(evil):
    data = exports.places_xlsx(evil)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.data_type for c in cells if c.data_type == "f"] == []
    names = [cell.value for cell in sheet["B"][1:]]
    assert sheet["B1"].value == "名称" and names == ["'" + name for name in EVIL_NAMES]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # no formula element anywhere in the file
        assert not any("<f>" in archive.read(n).decode("utf-8") or "<f " in archive.read(n).decode("utf-8")
                       for n in archive.namelist() if n.endswith(".xml"))


def test_xlsx_even_a_header_cannot_become_a_formula():
    frame = pd.DataFrame({"=cmd": ["=1+1"], "lat": [35.8], "lon": [139.7]})
    sheet = openpyxl.load_workbook(io.BytesIO(exports.places_xlsx(frame))).worksheets[0]
    assert (sheet["A1"].value, sheet["A1"].data_type) == ("'=cmd", "s")
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("'=1+1", "s")


# --- public exports ------------------------------------------------------------------------------

def test_public_frame_exports_carry_no_internal_column_or_value(public, internal, internal_only_texts, tmp_path):
    internal_names = set(internal.loc[internal["visibility"] != "public", "name"])
    assert internal_names  # the demo has non-public places
    assert len(public) == (internal["visibility"] == "public").sum()
    hidden = internal_only_texts | internal_names

    ours = csv_rows(exports.places_csv(public))
    assert list(ours[0]) == list(reads.PUBLIC_PLACE_FIELDS)
    ods_text = exports.places_ods_csv(public, CODE, "蕨市", "埼玉県").decode("utf-8-sig")
    assert {r["備考"] for r in csv_rows(ods_text.encode("utf-8-sig"))} == {""}
    geojson = exports.places_geojson(public)
    properties = set().union(*(f["properties"] for f in geojson["features"]))
    xlsx = sheet_rows(exports.places_xlsx(public))
    layer = gpd.read_file(write(tmp_path, "public.gpkg", exports.places_gpkg(public)), layer="places")

    for columns in (set(ours[0]), properties, set(layer.columns)):
        assert not columns & {"contact_internal", "notes", "visibility", "version"}
    assert not set(xlsx[0]) & {"連絡先（内部）", "備考（内部）", "公開区分"}
    texts = [exports.places_csv(public).decode("utf-8-sig"), ods_text, json.dumps(geojson, ensure_ascii=False)]
    cells = {str(v) for row in xlsx for v in row} | {str(v) for v in layer.drop(columns="geometry").to_numpy().ravel()}
    for secret in hidden:
        assert not any(secret in text for text in texts), secret
        assert secret not in cells, secret


# --- command line --------------------------------------------------------------------------------

def run_export(argv: list[str], engine) -> int:
    """``python -m dashboard export …`` with only our commands registered (no dependence on cli.py)."""
    parser = argparse.ArgumentParser(prog="python -m dashboard")
    commands = parser.add_subparsers(dest="command", required=True)
    register(commands.add_parser("export").add_subparsers(dest="what", required=True))
    args = parser.parse_args(["export", *argv])
    return args.func(args, engine)


def test_cli_geojson_keeps_the_existing_behaviour(engine, internal, tmp_path, capsys):
    out = tmp_path / "out" / "places.geojson"
    assert run_export(["places", "--out", str(out)], engine) == 0
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == len(internal)
    properties = collection["features"][0]["properties"]
    assert {"id", "name", "category", "frequency_class", "area_id", "visibility", "status"} <= set(properties)
    assert f"{len(internal)} 件" in capsys.readouterr().out


@pytest.mark.parametrize("name, check", [
    ("p.csv", lambda data: data.startswith(b"\xef\xbb\xbfid,name,")),
    ("p.xlsx", lambda data: openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["資源一覧"]),
    ("p.json", lambda data: json.loads(data)["type"] == "FeatureCollection"),
    ("p.gpkg", lambda data: data.startswith(b"SQLite format 3\x00")),
    ("P.GEOJSON", lambda data: json.loads(data)["type"] == "FeatureCollection"),
])
def test_cli_infers_the_format_from_the_file_name(engine, tmp_path, name, check):
    out = tmp_path / name
    assert run_export(["places", "--out", str(out), "--public"], engine) == 0
    assert check(out.read_bytes())


def test_cli_ods_must_be_asked_for_and_is_public_with_public(engine, public, tmp_path):
    out = tmp_path / "ods.csv"
    assert run_export(["places", "--format", "ods", "--public", "--out", str(out)], engine) == 0
    rows = csv_rows(out.read_bytes())
    assert list(rows[0]) == ODS_HEADER and len(rows) == len(public)
    assert rows[0]["地方公共団体名"] == "埼玉県蕨市"  # name and prefecture from the store


def test_cli_public_exports_only_public_places(engine, public, tmp_path):
    out = tmp_path / "public.xlsx"
    assert run_export(["places", "--public", "--out", str(out)], engine) == 0
    rows = sheet_rows(out.read_bytes())
    assert len(rows) - 1 == len(public) and "連絡先（内部）" not in rows[0]


def test_cli_writes_to_standard_output_without_out(engine, public, capsysbinary):
    assert run_export(["places", "--format", "csv", "--public"], engine) == 0
    captured = capsysbinary.readouterr()
    assert len(csv_rows(captured.out)) == len(public)
    assert "件の資源を書き出しました" in captured.err.decode("utf-8")  # the message stays out of the file


@pytest.mark.parametrize("argv, message", [
    (["places", "--out", "places.txt"], "形式を決められません"),
    (["places"], "--format"),
    (["places", "--format", "csv", "--out", "x.csv", "--municipality", "99999"], "99999"),
    (["template", "--out", "template.csv"], ".xlsx"),
])
def test_cli_usage_errors_name_the_problem(engine, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=re.escape(message)):
        run_export(argv, engine)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_cli_template_writes_the_input_template(engine, tmp_path):
    out = tmp_path / "template.xlsx"
    assert run_export(["template", "--out", str(out)], engine) == 0
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames[0] == "入力"
    assert [c.value for c in workbook["入力"][1]][:4] == ["ID", "名称", "名称_カナ", "種別"]
