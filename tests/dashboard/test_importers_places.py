"""Places files as municipalities have them: our template, 自治体標準オープンデータセット (ODS) and
English headers; CSV in UTF-8, UTF-8 with BOM and CP932 (bytes written here, including 髙 which
plain Shift_JIS cannot encode); XLSX; GeoJSON. Any bad cell fails the whole file, naming row and column.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from dashboard.errors import InputError
from dashboard.importers.places import map_headers, read_places_file

# 蕨市 総合社会福祉センター (GSI shelter list), lon/lat
LAT, LON = 35.827789, 139.672853


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def problems_of(error: pytest.ExceptionInfo) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.column) for p in error.value.problems}


# --- headers -----------------------------------------------------------------------------------

def test_template_csv_is_read_and_cells_are_parsed(tmp_path):
    path = write_csv(tmp_path / "places.csv", [
        "id,name,category,status,visibility,lat,lon,rrule,capacity,transport,barrier_free,last_verified,notes",
        f"s1,錦町ふれあいサロン,サロン,活動中,公開,{LAT},{LON},FREQ=WEEKLY;BYDAY=WE,20人,あり,×,令和6年4月1日,二階",
        f"s2,百歳体操,通いの場（体操）,休止,,{LAT},{LON},FREQ=MONTHLY;BYDAY=2TU,,,,2024/5/7,",
    ])
    parsed = read_places_file(path)
    assert parsed.encoding == "utf-8"
    assert parsed.unknown_columns == []
    first, second = parsed.records
    assert first["id"] == "s1" and first["name"] == "錦町ふれあいサロン" and first["category"] == "サロン"
    assert (first["lat"], first["lon"]) == (LAT, LON)
    assert first["status"] == "active" and first["visibility"] == "public"
    assert first["frequency_class"] == "weekly" and first["rrule"] == "FREQ=WEEKLY;BYDAY=WE"
    assert first["capacity"] == 20
    assert first["transport"] is True and first["barrier_free"] is False
    assert first["last_verified"] == date(2024, 4, 1)
    assert first["notes"] == "二階"
    assert second["status"] == "paused"
    assert second["visibility"] == "internal"  # empty cell: the safe default, never public by accident
    assert second["frequency_class"] == "monthly"
    assert second["capacity"] is None and second["transport"] is None and second["notes"] is None


def test_ods_headers_are_mapped_and_unknown_ones_reported(tmp_path):
    path = write_csv(tmp_path / "ods.csv", [
        "都道府県コード又は市区町村コード,NO,地方公共団体名,名称,名称_カナ,種別,所在地_連結表記,緯度,経度,電話番号,備考",
        f"112232,1,蕨市,中央公民館,チュウオウコウミンカン,公民館・集会所,埼玉県蕨市中央1-1-1,{LAT},{LON},0484321234,メモ",
    ])
    parsed = read_places_file(path)
    record = parsed.records[0]
    # 「NO」 numbers the rows of one dataset from 1 (another dataset's NO 1 is another place), so it is
    # not taken as the id: the id is the p-<hash> of name, address and point, and NO is reported unread
    assert record["id"].startswith("p-") and record["id"] != "1"
    assert record["city"] == "蕨市"
    assert record["name_kana"] == "チュウオウコウミンカン"
    assert record["address"] == "埼玉県蕨市中央1-1-1"
    # 電話番号 is the public contact, hyphenated after the area code 048 (the placeholder here used to
    # be 048-000-0000, which is no 048 number: a 048 local exchange never starts with 0)
    assert record["contact_public"] == "048-432-1234"
    assert record["notes"] == "メモ"
    assert parsed.unknown_columns == ["都道府県コード又は市区町村コード", "NO"]


def test_english_headers_in_any_case(tmp_path):
    path = write_csv(tmp_path / "en.csv", [
        "Name,Category,Latitude,Longitude,Address,Description",
        f"Orange Cafe,認知症カフェ,{LAT},{LON},Warabi,weekly",
    ])
    record = read_places_file(path).records[0]
    assert (record["name"], record["category"], record["lat"], record["lon"]) == ("Orange Cafe", "認知症カフェ", LAT, LON)
    assert record["notes"] == "weekly"


def test_first_header_for_a_field_wins_and_the_second_is_reported():
    mapping, unknown = map_headers(["住所", "所在地_連結表記", "方書（ビル名等）", "ＬＡＴ"])
    assert mapping == {"住所": "address", "方書（ビル名等）": "building", "ＬＡＴ": "lat"}
    assert unknown == ["所在地_連結表記"]


# --- encodings ---------------------------------------------------------------------------------

def test_utf8_with_bom_reads_the_first_header(tmp_path):
    path = write_csv(tmp_path / "bom.csv", ["name,category,lat,lon", f"サロン,サロン,{LAT},{LON}"], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    parsed = read_places_file(path)
    assert parsed.encoding == "utf-8-sig"
    assert parsed.records[0]["name"] == "サロン"  # the BOM did not end up in the "name" header


def test_cp932_file_with_taka_hashigo_daka(tmp_path):
    # 髙 (はしごだか) is the IBM/NEC extension 0xFBFC in CP932; plain Shift_JIS has no code for it.
    with pytest.raises(UnicodeEncodeError):
        "髙".encode("shift_jis")
    header = "名称,種別,緯度,経度,住所".encode("cp932")
    row = (b"\xfb\xfc" + "橋さんちのサロン,サロン,".encode("cp932") + f"{LAT},{LON},".encode("ascii")
           + "埼玉県蕨市中央１－２－３".encode("cp932"))
    path = tmp_path / "cp932.csv"
    path.write_bytes(header + b"\r\n" + row + b"\r\n")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really not UTF-8
    parsed = read_places_file(path)
    assert parsed.encoding == "cp932"
    assert parsed.records[0]["name"] == "髙橋さんちのサロン"
    assert parsed.records[0]["address"] == "埼玉県蕨市中央１－２－３"  # original text kept


def test_undecodable_bytes_are_an_input_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"name,category,lat,lon\r\n\x81\x20,x,1,2\r\n")
    with pytest.raises(InputError) as error:
        read_places_file(path)
    assert "文字コード" in str(error.value)


# --- other formats -----------------------------------------------------------------------------

def test_xlsx_with_numeric_date_and_boolean_cells(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["名称", "種別", "緯度", "経度", "定員", "最終確認日", "送迎", "公開"])
    sheet.append(["体操クラブ", "通いの場（体操）", LAT, LON, 15, datetime(2024, 4, 1), True, "公開"])
    sheet.append(["居場所", "居場所", LAT, LON, None, "R6.5.1", "なし", "非公開"])
    path = tmp_path / "places.xlsx"
    workbook.save(path)
    parsed = read_places_file(path)
    assert parsed.encoding is None
    first, second = parsed.records
    assert first["lat"] == pytest.approx(LAT) and first["lon"] == pytest.approx(LON)
    assert first["capacity"] == 15
    assert first["last_verified"] == date(2024, 4, 1)
    assert first["transport"] is True
    assert first["visibility"] == "public"
    assert second["capacity"] is None
    assert second["last_verified"] == date(2024, 5, 1)
    assert second["transport"] is False and second["visibility"] == "internal"


def test_broken_xlsx_is_an_input_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError):
        read_places_file(path)


def geojson(features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def test_geojson_points_take_lon_lat_from_the_geometry(tmp_path):
    path = tmp_path / "p.geojson"
    path.write_text(geojson([
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [LON, LAT]},
         "properties": {"名称": "サロンA", "種別": "サロン", "定員": 12}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [139.68, 35.82]},
         "properties": {"名称": "サロンB", "種別": "サロン", "定員": None}},
    ]), encoding="utf-8")
    first, second = read_places_file(path).records
    assert (first["lon"], first["lat"]) == (LON, LAT)
    assert first["capacity"] == 12
    assert (second["lon"], second["lat"]) == (139.68, 35.82)
    assert second["capacity"] is None


def test_geojson_with_a_polygon_names_the_feature_row_and_geometry_column(tmp_path):
    path = tmp_path / "p.geojson"
    path.write_text(geojson([
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [LON, LAT]}, "properties": {"name": "a"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
         "properties": {"name": "b"}},
    ]), encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_places_file(path, default_category="サロン")
    assert problems_of(error) == {(3, "geometry")}


def test_geojson_that_is_not_a_feature_collection_is_rejected(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{"name": "x"}]), encoding="utf-8")
    with pytest.raises(InputError):
        read_places_file(path)


def test_unsupported_extension_is_rejected(tmp_path):
    path = tmp_path / "places.ods"
    path.write_bytes(b"whatever")
    with pytest.raises(InputError) as error:
        read_places_file(path)
    assert ".ods" in str(error.value)


# --- validation: all or nothing, naming row and column ---------------------------------------------

def test_every_bad_cell_is_reported_with_its_spreadsheet_row_and_column(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [
        "id,name,category,lat,lon,capacity,last_verified,rrule,status,visibility",
        f"a,よいサロン,サロン,{LAT},{LON},10,2024-04-01,FREQ=WEEKLY;BYDAY=MO,,",
        f"b,緯度が文字,サロン,abc,{LON},,,,,",
        f"c,種別と定員,カラオケ,{LAT},{LON},たくさん,,,,",
        f"d,日付と規則,サロン,{LAT},{LON},,2024-02-30,FREQ=NEVER,寝ている,みんな",
        f",,サロン,{LAT},{LON},,,,,",
    ])
    with pytest.raises(InputError) as error:
        read_places_file(path)
    assert problems_of(error) == {
        (3, "lat"), (4, "category"), (4, "capacity"), (5, "last_verified"), (5, "rrule"), (5, "status"),
        (5, "visibility"), (6, "name"),
    }
    text = str(error.value)
    assert "bad.csv 3行目 列「lat」" in text
    assert "カラオケ" in text


def test_swapped_coordinates_are_reported_on_both_columns(tmp_path):
    path = write_csv(tmp_path / "swap.csv", ["name,category,lat,lon", f"x,サロン,{LON},{LAT}"])
    with pytest.raises(InputError) as error:
        read_places_file(path)
    assert problems_of(error) == {(2, "lat"), (2, "lon")}


def test_missing_required_column_is_named(tmp_path):
    path = write_csv(tmp_path / "nolon.csv", ["name,category,lat", f"x,サロン,{LAT}"])
    with pytest.raises(InputError) as error:
        read_places_file(path)
    assert [(p.row, "lon" in p.message_ja) for p in error.value.problems] == [(None, True)]


def test_duplicate_id_points_at_both_rows(tmp_path):
    path = write_csv(tmp_path / "dup.csv", ["id,name,category,lat,lon", f"x1,a,サロン,{LAT},{LON}",
                                            f"x1,b,サロン,{LAT},{LON}"])
    with pytest.raises(InputError) as error:
        read_places_file(path)
    assert problems_of(error) == {(3, "id")}
    assert "2行目" in error.value.problems[0].message_ja


def test_header_only_and_empty_files_are_rejected(tmp_path):
    with pytest.raises(InputError):
        read_places_file(write_csv(tmp_path / "header.csv", ["name,category,lat,lon"]))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError):
        read_places_file(empty)


def test_ragged_csv_is_an_input_error(tmp_path):
    path = write_csv(tmp_path / "ragged.csv", ["name,category,lat,lon", f"a,サロン,{LAT},{LON},extra,more"])
    with pytest.raises(InputError):
        read_places_file(path)


def test_default_category_fills_rows_without_one_and_must_be_known(tmp_path):
    path = write_csv(tmp_path / "nocat.csv", ["name,lat,lon", f"a,{LAT},{LON}"])
    assert read_places_file(path, default_category="サロン").records[0]["category"] == "サロン"
    with pytest.raises(InputError):
        read_places_file(path, default_category="カラオケ")
    with pytest.raises(InputError):
        read_places_file(path)  # no category at all


def test_default_visibility_applies_to_rows_without_one(tmp_path):
    path = write_csv(tmp_path / "v.csv", ["name,category,lat,lon", f"a,サロン,{LAT},{LON}"])
    assert read_places_file(path).records[0]["visibility"] == "internal"
    assert read_places_file(path, default_visibility="public").records[0]["visibility"] == "public"


def test_full_width_numbers_and_half_width_kana_category_are_normalised(tmp_path):
    path = write_csv(tmp_path / "w.csv", ["名称,種別,緯度,経度,定員", "a,ｻﾛﾝ,３５．８２７７,１３９．６７２８,２０"])
    record = read_places_file(path).records[0]
    assert record["category"] == "サロン"
    assert (record["lat"], record["lon"], record["capacity"]) == (35.8277, 139.6728, 20)


def test_generated_ids_are_stable_and_distinct(tmp_path):
    path = write_csv(tmp_path / "noid.csv", ["name,category,lat,lon", f"a,サロン,{LAT},{LON}", f"b,サロン,{LAT},{LON}"])
    first = [r["id"] for r in read_places_file(path).records]
    second = [r["id"] for r in read_places_file(path).records]
    assert first == second
    assert len(set(first)) == 2


def test_row_numbers_count_a_blank_line_as_a_spreadsheet_does(tmp_path):
    # Opened in Excel this file shows: row 1 header, row 2 "a", row 3 empty, row 4 "b" (bad lat).
    path = tmp_path / "blank.csv"
    path.write_text(f"name,category,lat,lon\na,サロン,{LAT},{LON}\n\nb,サロン,abc,{LON}\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_places_file(path)
    assert problems_of(error) == {(4, "lat")}


def test_a_quoted_cell_spanning_two_lines_is_still_one_row(tmp_path):
    path = tmp_path / "multiline.csv"
    path.write_text(f'name,category,lat,lon,notes\na,サロン,{LAT},{LON},"1行目\n2行目"\nb,サロン,abc,{LON},\n',
                    encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_places_file(path)
    assert problems_of(error) == {(3, "lat")}
