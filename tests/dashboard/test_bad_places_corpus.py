"""The bad-places corpus (tests/data/bad_places/, written by tests/data/make_bad_places.py): every
file must be rejected as a whole, with a Japanese message naming the row and column to fix.

The expectations below were written from the generator's file contents (row 1 is the header, so
the first data row is row 2; a GeoJSON feature n counts as row n + 1), not from running the code.
Files whose points lie in Japan but outside 蕨市 pass reading and are rejected by the store step
(``locate_points`` inside ``upsert_places``): those are written to a copy of the demo store, which
must be unchanged afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from dashboard.errors import InputError
from dashboard.importers.places import read_places_file
from dashboard.store import reads, writes
from dashboard.store.engine import open_store, revision, write_session

DATA = Path(__file__).resolve().parent.parent / "data"
BAD, GOOD = DATA / "bad_places", DATA / "good_places"
CODE, PREFECTURE = "11223", 11  # 蕨市


@dataclass(frozen=True)
class Case:
    file: str
    expected: tuple[tuple[str, int | None, str | None], ...]  # (message fragment, row, column), all of them
    stage: str = "read"  # "read": read_places_file raises; "store": upsert_places raises
    towns: bool = False  # pass the demo store's 町丁目 (offline geocoding)


def whole(fragment: str) -> tuple[tuple[str, None, None]]:
    return ((fragment, None, None),)


CASES = (
    # --- encodings and file shape ---
    Case("enc_euc_jp.csv", whole("EUC-JP")),
    Case("enc_utf16_bom.csv", whole("UTF-16")),
    Case("enc_utf16le_no_bom.csv", whole("UTF-16")),
    Case("empty.csv", whole("ファイルが空です")),
    Case("header_only.csv", whole("データの行がありません")),
    Case("header_only.xlsx", whole("データの行がありません")),
    Case("missing_lon_column.csv", whole("必須の列「経度（lon）」がありません")),
    Case("unrecognised_headers.csv", (("必須の列「名称（name）」", None, None), ("必須の列「種別（category）」", None, None),
                                      ("必須の列「緯度（lat）」", None, None), ("必須の列「経度（lon）」", None, None))),
    Case("ragged_rows.csv", (("見出しは4列ですが、この行は6列あります", 3, None),)),
    Case("blank_line_row_numbers.csv", (("緯度が数値ではありません: 「abc」", 4, "lat"),)),
    Case("unsupported_format.ods", whole("この形式は取り込めません: .ods")),
    Case("not_a_workbook.xlsx", whole("Excelファイルを読み込めません")),
    # --- coordinates ---
    Case("lat_not_numeric.csv", (("緯度が数値ではありません: 「北緯35度49分」", 3, "lat"),)),
    Case("lon_empty.csv", (("経度が空です", 2, "lon"),)),
    Case("swapped_coordinates.csv", (("緯度 139.672853 は日本の範囲外", 2, "lat"), ("経度 35.827789 は日本の範囲外", 2, "lon"))),
    Case("outside_japan.csv", (("緯度 51.5074 は日本の範囲外", 2, "lat"), ("経度 -0.1278 は日本の範囲外", 2, "lon"))),
    Case("outside_municipality.csv", (("市町村の区域外", 3, "lat/lon"),), stage="store"),
    Case("outside_municipality.geojson", (("市町村の区域外", 2, "lat/lon"),), stage="store"),
    Case("cp932_bad_latitude.csv", (("緯度が数値ではありません: 「35.827x」", 2, "lat"),)),
    Case("no_coordinates_without_towns.csv", (("緯度が空です", 2, "lat"), ("経度が空です", 2, "lon"))),
    Case("address_unknown_town.csv", (("住所「埼玉県蕨市本町1-2-3」から蕨市の町丁目を特定できません", 3, "address"),),
         towns=True),
    Case("address_other_city.csv", (("町丁目を特定できません", 2, "address"),), towns=True),
    # --- cells ---
    Case("duplicate_ids.csv", (("IDが重複しています（2行目と同じ）: 「a1」", 4, "id"),)),
    Case("unknown_category.csv", (("種別「カラオケ」は一覧にありません", 2, "category"),)),
    Case("utf8_bom_bad_category.csv", (("種別「体操」は一覧にありません", 2, "category"),)),
    Case("empty_name.csv", (("名称が空です", 2, "name"),)),
    Case("bad_status.csv", (("状態「解散」", 2, "status"),)),
    Case("bad_visibility.csv", (("公開区分「一部公開」", 2, "visibility"),)),
    Case("bad_date.csv", (("日付として読めません: 「2024/13/45」", 2, "last_verified"),)),
    Case("impossible_wareki.csv", (("日付として読めません: 「令和2年2月30日」", 2, "last_verified"),)),
    Case("bad_capacity.csv", (("定員は0以上の整数で入力してください: 「約20」", 2, "capacity"), ("「-5」", 3, "capacity"))),
    Case("bad_yes_no.csv", (("「たぶん」は あり・なし", 2, "transport"), ("「一部」は あり・なし", 3, "barrier_free"))),
    Case("bad_rrule.csv", (("繰り返し規則（RRULE）が正しくありません: 「FREQ=SOMETIMES」", 2, "rrule"),
                           ("「毎週水曜」", 3, "rrule"))),
    Case("bad_phone.csv", (("電話番号として読めません: 「048-432-123」", 2, "contact_public"),
                           ("電話番号として読めません: 「090-1234-567」", 3, "contact_public"))),
    Case("bad_location_precision.csv", (("位置の精度「GPS」", 2, "location_precision"),)),
    Case("many_problems_one_row.csv", (("名称が空です", 2, "name"), ("種別「カラオケ」", 2, "category"),
                                       ("経度が数値ではありません: 「abc」", 2, "lon"), ("状態「寝ている」", 2, "status"),
                                       ("「たくさん」", 2, "capacity"))),
    Case("xlsx_bad_cells.xlsx", (("種別「カラオケ」", 3, "category"), ("緯度が数値ではありません: 「abc」", 4, "lat"),
                                 ("日付として読めません: 「R6.13.1」", 4, "last_verified"))),
    # --- GeoJSON ---
    Case("geojson_not_feature_collection.geojson", whole("FeatureCollection ではありません")),
    Case("geojson_polygon.geojson", (("点（Point）以外の図形は取り込めません", 3, "geometry"),)),
    Case("geojson_broken.geojson", whole("GeoJSONとして読めません")),
    Case("geojson_bad_coordinates.geojson", (("緯度 139.672853 は日本の範囲外", 2, "lat"),
                                             ("経度 35.827789 は日本の範囲外", 2, "lon"))),
)


def test_every_corpus_file_has_expectations_and_the_corpus_is_large_enough():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(c.file for c in CASES)
    assert len(CASES) >= 30


@pytest.fixture(scope="module")
def demo_towns(demo_db_url):
    engine = open_store(demo_db_url)
    try:
        return reads.towns(engine, CODE)[["name", "rep_lat", "rep_lon"]]
    finally:
        engine.dispose()


def assert_problems_match(error: InputError, case: Case) -> None:
    problems = error.problems
    assert {p.file for p in problems} == {case.file}
    for fragment, row, column in case.expected:
        assert any(fragment in p.message_ja and (p.row, p.column) == (row, column) for p in problems), (
            f"no problem with {fragment!r} at row {row}, column {column}: {[str(p) for p in problems]}")
    # every problem is one we expected: nothing extra, nothing reported at the wrong place
    assert {(p.row, p.column) for p in problems} == {(row, column) for _, row, column in case.expected}


@pytest.mark.parametrize("case", [c for c in CASES if c.stage == "read"], ids=lambda c: c.file)
def test_bad_file_is_rejected_when_read(case, request):
    towns = request.getfixturevalue("demo_towns") if case.towns else None
    with pytest.raises(InputError) as error:
        read_places_file(BAD / case.file, towns=towns, city="蕨市" if case.towns else None)
    assert_problems_match(error.value, case)


def assert_store_unchanged(engine, before: tuple) -> None:
    rev, counts, places = before
    assert revision(engine) == rev
    assert reads.counts(engine) == counts
    pd.testing.assert_frame_equal(reads.places(engine, CODE, internal=True), places)


@pytest.mark.parametrize("case", [c for c in CASES if c.stage == "store"], ids=lambda c: c.file)
def test_bad_file_is_rejected_by_the_store_and_nothing_is_written(case, demo_db_copy):
    parsed = read_places_file(BAD / case.file)  # valid coordinates in Japan: reading accepts them
    engine = open_store(f"sqlite:///{demo_db_copy}")
    try:
        before = revision(engine), reads.counts(engine), reads.places(engine, CODE, internal=True)
        with pytest.raises(InputError) as error:
            with write_session(engine) as session:
                batch = writes.add_batch(session, "places", case.file, "-", len(parsed.records))
                writes.upsert_places(session, parsed.records, municipality_code=CODE, prefecture_code=PREFECTURE,
                                     batch_id=batch, source_name=case.file)
        assert_problems_match(error.value, case)
        assert_store_unchanged(engine, before)
    finally:
        engine.dispose()


# --- good files that look suspicious ------------------------------------------------------------

def test_formula_looking_names_import_as_text_exactly_as_written():
    records = {r["id"]: r for r in read_places_file(GOOD / "formula_names.csv").records}
    assert records["f1"]["name"] == "=SUM(A1:A3)"
    assert records["f1"]["notes"] == "=1+1"
    assert records["f2"]["name"] == '=HYPERLINK("http://example.com","x")'
    assert records["f3"]["name"] == "+81サロン"
    assert records["f4"]["name"] == "-1 の会"
    assert records["f5"]["name"] == "@サロン"
