"""GSI shelters, MHLW 介護サービス (CSV and JSON), Geolonia town points and 圏域 assignment."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from dashboard.errors import InputError
from dashboard.importers import areas, geolonia, gsi, mhlw

RAW = Path(__file__).resolve().parents[2] / "data" / "warabi" / "raw"
SHELTERS = [RAW / "gsi_shelter_evacuation_112232.json", RAW / "gsi_shelter_emergency_112232.json"]

# --- GSI -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, kind", [
    ("中央公民館", "公民館"),
    ("総合社会福祉センター", "集会・福祉施設"),
    ("けやき荘", "集会・福祉施設"),
    ("交流プラザさくら", "集会・福祉施設"),
    ("文化ホールくるる", "集会・福祉施設"),
    ("特別養護老人ホーム蕨サンクチュアリ", "介護施設"),
    ("塚越ディサービスセンターないとう", "介護施設"),  # a care home even though it is a "センター"
    ("介護老人保健施設グリーンビレッジ蕨", "介護施設"),
    ("中央小学校", "学校"),
    ("武南学園", "学校"),
    ("蕨高等学校", "学校"),
    ("城址公園", "屋外避難場所"),
    ("錦町スポーツ広場", "屋外避難場所"),
    ("和楽備神社", "その他"),
])
def test_classify(name, kind):
    assert gsi.classify(name) == kind


def test_real_shelters_keep_one_row_per_facility_name():
    features = []
    for path in SHELTERS:
        features += json.loads(path.read_text(encoding="utf-8"))["features"]
    names = {f["properties"]["施設・場所名"] for f in features}
    assert len(features) == 32 + 40  # SOURCES.md
    shelters = gsi.read_shelters(SHELTERS)
    assert len(shelters) == len(names)
    assert set(shelters["name"]) == names
    centre = shelters.set_index("name").loc["総合社会福祉センター"]
    assert (centre["lon"], centre["lat"]) == (139.672853, 35.827789)
    assert centre["address"] == "埼玉県蕨市錦町3-3-27"
    assert centre["source_id"] == "E1122300004121"


def test_real_venues_are_the_7_kominkan_and_7_halls():
    # From the 48 names: 7 公民館 (下蕨 中央 北町 南 旭町 東 西) and 7 halls/welfare centres
    # (けやき荘 交流プラザさくら 市民会館 文化ホールくるる 松原会館 福祉・児童センター 総合社会福祉センター).
    venues = gsi.venues_as_places(gsi.read_shelters(SHELTERS))
    assert len(venues) == 14
    assert set(venues["category"]) == {"公民館・集会所"}
    assert set(venues["visibility"]) == {"public"}
    assert venues["id"].str.startswith("gsi-").all() and venues["id"].is_unique
    assert "市民体育館" not in set(venues["name"]) and "中央小学校" not in set(venues["name"])
    assert {"けやき荘", "西公民館"} <= set(venues["name"])


def test_shelter_feature_without_name_is_reported_with_its_number(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [139.67, 35.82]},
         "properties": {"施設・場所名": "A公民館"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [139.67, 35.82]},
         "properties": {"施設・場所名": ""}},
    ]}), encoding="utf-8")
    with pytest.raises(InputError) as error:
        gsi.read_shelters([path])
    problem = error.value.problems[0]
    assert (problem.file, problem.row) == ("s.json", 2)


def test_shelter_file_that_is_not_json_is_an_input_error(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("<html>", encoding="utf-8")
    with pytest.raises(InputError):
        gsi.read_shelters([path])


# --- MHLW ------------------------------------------------------------------------------------------

MHLW_HEADER = ("都道府県コード又は市町村コード,No,都道府県名,市区町村名,事業所名,事業所名カナ,サービスの種類,住所,"
               "方書（ビル名等）,緯度,経度,電話番号,事業所番号,利用可能曜日,利用可能曜日特記事項,定員,URL")


def test_real_mhlw_csv_rows_become_public_care_places():
    places, encoding = mhlw.read_kaigo_csv(RAW / "mhlw_kaigo_510_tokuyou_20250601_warabi.csv")
    assert encoding == "utf-8"
    assert len(places) == 5  # SOURCES.md: 5 特養
    first = places.set_index("name").loc["特別養護老人ホーム　蕨サンクチュアリ"]
    assert first["id"].startswith("mhlw-1171400045-")
    assert (first["lat"], first["lon"]) == ("35.834751800000000", "139.669305900000000")
    assert first["capacity"] == "80"
    assert first["address"] == "蕨市北町５－１２－５"
    assert first["notes"] == "サービスの種類: 介護老人福祉施設"
    assert set(places["category"]) == {"介護サービス事業所"}
    assert set(places["visibility"]) == {"public"}
    assert set(places["source"]) == {mhlw.SOURCE}


def test_mhlw_csv_in_cp932_with_ibm_extension_characters(tmp_path):
    row = "112232,1,埼玉県,蕨市,デイサービス髙橋,デイサービスタカハシ,通所介護,埼玉県蕨市中央1-2-3,,35.82,139.68,048-000-0000,1170000001,,,20,"
    path = tmp_path / "kaigo.csv"
    path.write_bytes((MHLW_HEADER + "\r\n" + row + "\r\n").encode("cp932"))
    places, encoding = mhlw.read_kaigo_csv(path)
    assert encoding == "cp932"
    assert places.loc[0, "name"] == "デイサービス髙橋"
    assert places.loc[0, "name_kana"] == "デイサービスタカハシ"


def test_same_provider_number_with_two_services_gets_two_ids(tmp_path):
    rows = ["112232,1,埼玉県,蕨市,A,A,通所介護,蕨市中央1-1-1,,35.82,139.68,,1170000001,,,,",
            "112232,2,埼玉県,蕨市,A,A,訪問介護,蕨市中央1-1-1,,35.82,139.68,,1170000001,,,,"]
    path = tmp_path / "kaigo.csv"
    path.write_text("\n".join([MHLW_HEADER, *rows]) + "\n", encoding="utf-8")
    places, _ = mhlw.read_kaigo_csv(path)
    assert places["id"].is_unique
    assert places["id"].str.startswith("mhlw-1170000001-").all()


def test_mhlw_csv_missing_columns_are_named(tmp_path):
    path = tmp_path / "kaigo.csv"
    path.write_text("事業所名,住所\nA,蕨市\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        mhlw.read_kaigo_csv(path)
    assert "緯度" in str(error.value) and "事業所番号" in str(error.value)


def test_real_mhlw_json_records():
    path = RAW / "mhlw_kaigo_via_helpmesearch_day_service_warabi.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    places = mhlw.read_kaigo_json(path)
    assert len(places) == len(records) == 17
    aqua = places[places["id"].str.startswith("mhlw-1171401225-")].iloc[0]
    assert aqua["name"] == "機能訓練特化型デイサービス　アクア"
    assert (aqua["lat"], aqua["lon"]) == ("35.6983543", "139.6652486")
    assert aqua["location_precision"] == "address"


def test_mhlw_json_record_without_id_is_reported(tmp_path):
    path = tmp_path / "k.json"
    path.write_text(json.dumps([{"id": "1", "name": "A", "lat": 35.8, "lng": 139.7}, {"name": "B"}]), encoding="utf-8")
    with pytest.raises(InputError) as error:
        mhlw.read_kaigo_json(path)
    assert error.value.problems[0].row == 2


def test_mhlw_json_that_is_not_a_list_is_rejected(tmp_path):
    path = tmp_path / "k.json"
    path.write_text(json.dumps({"id": "1"}), encoding="utf-8")
    with pytest.raises(InputError):
        mhlw.read_kaigo_json(path)


# --- Geolonia --------------------------------------------------------------------------------------

def test_geolonia_points_use_arabic_chome_like_e_stat():
    points = geolonia.read_town_points(RAW / "geolonia_japanese-addresses_蕨市.json")
    assert len(points) == 29
    by_name = points.set_index("town_name")
    assert (by_name.at["塚越4丁目", "lat"], by_name.at["塚越4丁目", "lon"]) == (35.823089, 139.697619)
    assert (by_name.at["中央5丁目", "lat"], by_name.at["中央5丁目", "lon"]) == (35.823725, 139.680588)
    assert not points["town_name"].str.contains("[一二三四五六七八九十]丁目").any()


def test_geolonia_bad_record_is_an_input_error(tmp_path):
    path = tmp_path / "g.json"
    path.write_text(json.dumps([{"town": "北町一丁目", "lat": "35.8"}]), encoding="utf-8")
    with pytest.raises(InputError):
        geolonia.read_town_points(path)


# --- 圏域 assignment --------------------------------------------------------------------------------

@pytest.fixture
def three_towns() -> gpd.GeoDataFrame:
    # three unit squares in a row (lon/lat): T1 [0,1], T2 [1,2], T3 [2,3]
    return gpd.GeoDataFrame({"code": ["t1", "t2", "t3"], "name": ["北町1丁目", "北町2丁目", "南町1丁目"]},
                            geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)], crs="EPSG:4326")


def write_assignment(tmp_path: Path, lines: list[str], encoding="utf-8") -> Path:
    path = tmp_path / "assign.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def test_assignment_by_town_name_dissolves_areas_in_file_order(tmp_path, three_towns):
    path = write_assignment(tmp_path, ["area_id,area_name,town_name", "s,南地区,南町１丁目",
                                       "n,北地区,北町1丁目", "n,北地区,北町２丁目"], encoding="cp932")
    assignment = areas.read_assignment(path)
    area_frame, town_area = areas.dissolve_areas(three_towns, assignment, path.name)
    assert area_frame["area_id"].tolist() == ["s", "n"]
    assert area_frame["area_name"].tolist() == ["南地区", "北地区"]
    assert area_frame["sort_order"].tolist() == [0, 1]
    north = area_frame.set_index("area_id").geometry["n"]
    assert north.area == pytest.approx(2.0)
    assert north.equals(box(0, 0, 2, 1))
    assert town_area.tolist() == ["n", "n", "s"]


def test_assignment_by_town_code(tmp_path, three_towns):
    path = write_assignment(tmp_path, ["town_code,area_id,area_name", "t1,a,A", "t2,a,A", "t3,b,B"])
    _, town_area = areas.dissolve_areas(three_towns, areas.read_assignment(path), path.name)
    assert town_area.tolist() == ["a", "a", "b"]


def test_bad_assignment_rows_are_all_reported(tmp_path, three_towns):
    path = write_assignment(tmp_path, ["area_id,area_name,town_name",
                                       "a,A,北町1丁目",
                                       "a,A,東町9丁目",  # row 3: unknown town
                                       "b,B,北町1丁目"])  # row 4: assigned twice; 北町2丁目 and 南町1丁目 never
    with pytest.raises(InputError) as error:
        areas.dissolve_areas(three_towns, areas.read_assignment(path), path.name)
    located = {(p.row, p.column) for p in error.value.problems if p.row is not None}
    assert located == {(3, "town_name"), (4, "town_name")}
    unlocated = [str(p) for p in error.value.problems if p.row is None]
    assert len(unlocated) == 1 and "北町2丁目" in unlocated[0] and "南町1丁目" in unlocated[0]


def test_assignment_without_town_column_is_rejected(tmp_path):
    path = write_assignment(tmp_path, ["area_id,area_name", "a,A"])
    with pytest.raises(InputError) as error:
        areas.read_assignment(path)
    assert "town_code" in str(error.value)


def test_real_demo_assignment_covers_the_29_towns(tmp_path):
    assignment = areas.read_assignment(RAW.parent / "demo" / "area_assignment.csv")
    assert len(assignment) == 29
    assert assignment["area_id"].nunique() == 5
    assert isinstance(assignment, pd.DataFrame)
