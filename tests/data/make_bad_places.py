"""Write the places import corpus: tests/data/bad_places/ (every file must be rejected) and
tests/data/good_places/ (files that look odd but are valid).

Deterministic: run it again and ``git status`` shows no change (XLSX zip entries get a fixed
timestamp). Run from the repository root::

    .venv/bin/python tests/data/make_bad_places.py

The expectations for each file live in tests/dashboard/test_bad_places_corpus.py, written from
the content below. Coordinates: 蕨市 総合社会福祉センター (GSI 指定緊急避難場所データ) and the
Geolonia representative point of 中央1丁目; everything else is invented.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
BAD, GOOD = HERE / "bad_places", HERE / "good_places"

LAT, LON = "35.827789", "139.672853"  # 蕨市 総合社会福祉センター
LAT2, LON2 = "35.825910", "139.690637"  # 中央1丁目 representative point (Geolonia)
TOKYO_STATION = ("35.681236", "139.767125")  # ~17 km south of 蕨市
SAITAMA_CITY_HALL = ("35.861729", "139.645482")  # さいたま市役所, ~3 km north of 蕨市
LONDON = ("51.507400", "-0.127800")
HEADER = "名称,種別,緯度,経度"
FIXED_ZIP_TIME = (2024, 4, 1, 0, 0, 0)


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    """An XLSX workbook whose bytes do not depend on when it was written."""
    workbook = openpyxl.Workbook()
    workbook.properties.created = workbook.properties.modified = datetime(2024, 4, 1)
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-04-01T00:00:00Z", data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME), data,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def geojson_bytes(data) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def point(lon: str, lat: str, **props) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
            "properties": props}


GOOD_ROW = f"中央ふれあいサロン,サロン,{LAT},{LON}"

BAD_FILES: dict[str, bytes] = {
    # --- encodings and file shape ---
    "enc_euc_jp.csv": csv_bytes([HEADER, GOOD_ROW], "euc_jp"),
    "enc_utf16_bom.csv": csv_bytes([HEADER, GOOD_ROW], "utf-16"),
    "enc_utf16le_no_bom.csv": csv_bytes([HEADER, GOOD_ROW], "utf-16-le"),
    "empty.csv": b"",
    "header_only.csv": csv_bytes([HEADER]),
    "header_only.xlsx": xlsx_bytes([["名称", "種別", "緯度", "経度"]]),
    "missing_lon_column.csv": csv_bytes(["名称,種別,緯度", f"中央ふれあいサロン,サロン,{LAT}"]),
    "unrecognised_headers.csv": csv_bytes(["nom,catégorie,latitud,longitud", GOOD_ROW]),
    "ragged_rows.csv": csv_bytes([HEADER, GOOD_ROW, f"北町サロン,サロン,{LAT},{LON},二階,奥の部屋"]),
    "blank_line_row_numbers.csv": csv_bytes([HEADER, GOOD_ROW, "", f"北町サロン,サロン,abc,{LON}"]),
    "unsupported_format.ods": b"PK\x03\x04 an OpenDocument spreadsheet is not read",
    "not_a_workbook.xlsx": csv_bytes([HEADER, GOOD_ROW]),  # a CSV renamed to .xlsx
    # --- coordinates ---
    "lat_not_numeric.csv": csv_bytes([HEADER, GOOD_ROW, f"北町サロン,サロン,北緯35度49分,{LON}"]),
    "lon_empty.csv": csv_bytes([HEADER, f"中央ふれあいサロン,サロン,{LAT},"]),
    "swapped_coordinates.csv": csv_bytes([HEADER, f"中央ふれあいサロン,サロン,{LON},{LAT}"]),
    "outside_japan.csv": csv_bytes([HEADER, f"ロンドン茶話会,サロン,{LONDON[0]},{LONDON[1]}"]),
    "outside_municipality.csv": csv_bytes([HEADER, GOOD_ROW,
                                           f"東京駅前サロン,サロン,{TOKYO_STATION[0]},{TOKYO_STATION[1]}"]),
    "outside_municipality.geojson": geojson_bytes({"type": "FeatureCollection", "features": [
        point(*reversed(SAITAMA_CITY_HALL), 名称="さいたま市役所サロン", 種別="サロン"),
        point(LON2, LAT2, 名称="中央一丁目サロン", 種別="サロン"),
    ]}),
    "cp932_bad_latitude.csv": csv_bytes([HEADER, f"中央ふれあいサロン,サロン,３５．８２７ｘ,{LON}"], "cp932"),
    "no_coordinates_without_towns.csv": csv_bytes(["名称,種別,住所,緯度,経度",
                                                   "中央ふれあいサロン,サロン,埼玉県蕨市中央1-2-3,,"]),
    "address_unknown_town.csv": csv_bytes(["名称,種別,住所", "中央ふれあいサロン,サロン,埼玉県蕨市中央1-2-3",
                                           "本町サロン,サロン,埼玉県蕨市本町1-2-3"]),
    "address_other_city.csv": csv_bytes(["名称,種別,住所,緯度,経度", "丸の内サロン,サロン,東京都千代田区丸の内1-1-1,,"]),
    # --- cells ---
    "duplicate_ids.csv": csv_bytes(["id,name,category,lat,lon", f"a1,サロンA,サロン,{LAT},{LON}",
                                    f"a2,サロンB,サロン,{LAT},{LON}", f"a1,サロンC,サロン,{LAT},{LON}"]),
    "unknown_category.csv": csv_bytes([HEADER, f"中央カラオケ,カラオケ,{LAT},{LON}"]),
    "utf8_bom_bad_category.csv": csv_bytes([HEADER, f"百歳体操,体操,{LAT},{LON}"], "utf-8-sig"),
    "empty_name.csv": csv_bytes([HEADER, f",サロン,{LAT},{LON}"]),
    "bad_status.csv": csv_bytes([HEADER + ",状態", f"{GOOD_ROW},解散"]),
    "bad_visibility.csv": csv_bytes([HEADER + ",公開区分", f"{GOOD_ROW},一部公開"]),
    "bad_date.csv": csv_bytes([HEADER + ",最終確認日", f"{GOOD_ROW},2024/13/45"]),
    "impossible_wareki.csv": csv_bytes([HEADER + ",最終確認日", f"{GOOD_ROW},令和2年2月30日"]),
    "bad_capacity.csv": csv_bytes([HEADER + ",定員", f"{GOOD_ROW},約20", f"北町サロン,サロン,{LAT},{LON},-5"]),
    "bad_yes_no.csv": csv_bytes([HEADER + ",送迎,バリアフリー", f"{GOOD_ROW},たぶん,あり",
                                 f"北町サロン,サロン,{LAT},{LON},なし,一部"]),
    "bad_rrule.csv": csv_bytes([HEADER + ",rrule", f"{GOOD_ROW},FREQ=SOMETIMES",
                                f"北町サロン,サロン,{LAT},{LON},毎週水曜"]),
    "bad_phone.csv": csv_bytes([HEADER + ",電話番号", f"{GOOD_ROW},048-432-123",
                                f"北町サロン,サロン,{LAT},{LON},090-1234-567"]),
    "bad_location_precision.csv": csv_bytes([HEADER + ",位置の精度", f"{GOOD_ROW},GPS"]),
    "many_problems_one_row.csv": csv_bytes(["id,name,category,lat,lon,status,capacity",
                                            f"x1,,カラオケ,{LAT},abc,寝ている,たくさん"]),
    "xlsx_bad_cells.xlsx": xlsx_bytes([
        ["名称", "種別", "緯度", "経度", "最終確認日"],
        ["中央ふれあいサロン", "サロン", float(LAT), float(LON), "令和6年4月1日"],
        ["北町カラオケ", "カラオケ", float(LAT), float(LON), None],
        ["南町サロン", "サロン", "abc", float(LON), "R6.13.1"],
    ]),
    # --- GeoJSON ---
    "geojson_not_feature_collection.geojson": geojson_bytes(point(LON, LAT, 名称="サロン", 種別="サロン")),
    "geojson_polygon.geojson": geojson_bytes({"type": "FeatureCollection", "features": [
        point(LON, LAT, 名称="中央ふれあいサロン", 種別="サロン"),
        {"type": "Feature", "properties": {"名称": "公園", "種別": "その他"},
         "geometry": {"type": "Polygon", "coordinates": [[[139.67, 35.82], [139.68, 35.82], [139.68, 35.83],
                                                          [139.67, 35.82]]]}},
    ]}),
    "geojson_broken.geojson": b'{"type": "FeatureCollection", "features": [',
    "geojson_bad_coordinates.geojson": geojson_bytes({"type": "FeatureCollection", "features": [
        point(LAT, LON, 名称="逆さまサロン", 種別="サロン"),  # [lat, lon] instead of [lon, lat]
    ]}),
}

GOOD_FILES: dict[str, bytes] = {
    # Spreadsheet-formula-looking names are text: stored as written (exports neutralise them).
    "formula_names.csv": csv_bytes([
        "id,name,category,lat,lon,notes",
        f"f1,=SUM(A1:A3),サロン,{LAT},{LON},=1+1",
        f'f2,"=HYPERLINK(""http://example.com"",""x"")",サロン,{LAT},{LON},',
        f"f3,+81サロン,サロン,{LAT},{LON},",
        f"f4,-1 の会,サロン,{LAT},{LON},",
        f"f5,@サロン,サロン,{LAT},{LON},",
    ]),
}


def main() -> None:
    for folder, files in ((BAD, BAD_FILES), (GOOD, GOOD_FILES)):
        folder.mkdir(exist_ok=True)
        for stale in folder.iterdir():
            if stale.name not in files:
                stale.unlink()
        for name, data in files.items():
            (folder / name).write_bytes(data)
    print(f"{len(BAD_FILES)} bad and {len(GOOD_FILES)} good files in {HERE}")


if __name__ == "__main__":
    main()
