"""まちの設定 in AppTest: who may use it, and the whole 新座市 set-up on an empty store through the
page's own widgets (AppTest 1.67 drives ``st.file_uploader``).

Every expected number is worked out here from the raw files, not from the services the page calls:
the 65+ total from 総務省's 住民基本台帳 workbook with openpyxl (新座市 = 42,803), the 町丁目 from the
Geolonia JSON (82 names), the 圏域 from the area table (7 names), a skipped row's 65+ from its own
cells. The store is then read with sqlite3 to check that what the page said is what was written.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import unicodedata
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dashboard.auth import AuthenticatedUser, add_user
from dashboard.store.engine import open_store
from dashboard.ui.setup_view import ADMIN_ONLY, build_preview_map

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "dashboard" / "app.py")
PAGE = "../pages/setup.py"
CODE = "11230"  # 新座市
GEOLONIA = REPO / "data" / "niiza" / "raw" / "geolonia_japanese-addresses_新座市.json"
AGES = REPO / "tests" / "data" / "niiza" / "niiza_age_by_town_SYNTHETIC.csv"
AREAS = REPO / "tests" / "data" / "niiza" / "niiza_areas_SYNTHETIC.csv"
PLACES = REPO / "tests" / "data" / "niiza" / "niiza_places_SYNTHETIC.csv"
SHELTERS = [REPO / "data" / "niiza" / "raw" / f"gsi_shelter_{kind}_112305.json" for kind in ("evacuation", "emergency")]
JUKI = REPO / "data" / "saitama" / "soumu_juki_2204ssnen.xlsx"
#: A typo in one 地域名 of the age table: 「あたご３丁目」 written 「あたご３丁日」 (日 for 目).
MISSPELT, CORRECT = "あたご３丁日", "あたご３丁目"


# --- independent figures -------------------------------------------------------------------------------


def juki_65_plus(local_government_code: str = "112305") -> int:
    """65+ of a municipality from the 住民基本台帳 workbook: its 計 row, age columns from 65 up."""
    rows = list(openpyxl.load_workbook(JUKI, read_only=True).worksheets[0].iter_rows(values_only=True))
    labels = rows[1]
    city = next(r for r in rows if r[0] == local_government_code and r[3] == "計")
    return sum(value for label, value in zip(labels, city)
               if (m := re.match(r"(\d+)歳", str(label))) and int(m.group(1)) >= 65)


def age_rows() -> tuple[list[str], list[list[str]]]:
    text = AGES.read_text(encoding="utf-8-sig")
    rows = [[unicodedata.normalize("NFKC", c) for c in r] for r in csv.reader(io.StringIO(text))]
    return rows[0], rows[1:]


def row_65_plus(town: str) -> int:
    """65+ of one row of the age table: its 男/女 cells of the bands from 65 (「65-69歳男」 … 「85歳以上女」)."""
    header, body = age_rows()
    row = next(r for r in body if r[header.index("地域名")] == unicodedata.normalize("NFKC", town))
    return sum(int(value) for label, value in zip(header, row)
               if (m := re.match(r"(\d+)", label)) and "歳" in label and int(m.group(1)) >= 65)


def geolonia_towns() -> set[str]:
    return {entry["town"] for entry in json.loads(GEOLONIA.read_text(encoding="utf-8"))}


def arabic_chome(name: str) -> str:
    """「あたご三丁目」 → 「あたご3丁目」, as the store writes 丁目 (新座市 has 一〜九丁目 only)."""
    return re.sub(r"([一二三四五六七八九])丁目", lambda m: f"{'一二三四五六七八九'.index(m.group(1)) + 1}丁目", name)


def area_names() -> set[str]:
    with AREAS.open(encoding="utf-8") as handle:
        return {row["日常生活圏域"] for row in csv.DictReader(handle)}


def place_ids() -> list[str]:
    with PLACES.open(encoding="utf-8-sig") as handle:
        return [row["id"] for row in csv.DictReader(handle)]


def test_the_independent_figures_are_the_ones_the_brief_names():
    assert juki_65_plus() == 42_803
    assert len(geolonia_towns()) == 82
    assert len(area_names()) == 7


# --- the app -------------------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    """An empty store holding only an admin and a coordinator."""
    path = tmp_path / "empty.sqlite"
    engine = open_store(f"sqlite:///{path}")
    add_user(engine, "kanri", "kanri-pass", "admin")
    add_user(engine, "sato", "sato-pass", "coordinator")
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    return path


def app_as(user: AuthenticatedUser | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if user is not None:
        at.session_state["tsudoi_user"] = user
    return at


ADMIN = AuthenticatedUser("kanri", "admin")


def ran(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_setup(user: AuthenticatedUser) -> AppTest:
    at = ran(app_as(user))
    at.switch_page(PAGE)
    return ran(at)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def checklist(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "**市町村の境界**" in m.value)


def sql(path: Path, query: str, *params):
    with sqlite3.connect(path) as connection:
        return connection.execute(query, params).fetchall()


def upload(at: AppTest, key: str, *files: Path | tuple[str, bytes]) -> AppTest:
    widget = at.file_uploader(key=key)
    for item in files:
        name, data = (item.name, item.read_bytes()) if isinstance(item, Path) else item
        widget.upload(name, data)
    return ran(at)


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return ran(at)


def register_niiza(at: AppTest) -> AppTest:
    at.text_input(key="tsudoi_setup_code").set_value(CODE)
    assert at.radio(key="tsudoi_setup_boundary_kind").value == "bundled"
    return click(at, "tsudoi_setup_add")


def fix_boxes(at: AppTest) -> list:
    return [s for s in at.selectbox if str(s.key).startswith("tsudoi_setup_fix_")]


def map_script(at: AppTest) -> str:
    maps = [c for c in at.get("component_instance") if c.proto.component_name == "streamlit_folium.st_folium"]
    assert len(maps) == 1, "one preview map on the page"
    return json.loads(maps[0].proto.json_args)["script"]


def layer_rows(script: str) -> list[list]:
    """The rows of each point layer (CompactPoints) of a map script."""
    return [json.loads(rows) for rows in
            re.findall(r"var compact_points_\w+ = \(function \(\) \{\s*var rows = (.*);\n", script)]


# --- who may use it ------------------------------------------------------------------------------------


def test_a_coordinator_who_is_not_an_admin_sees_only_the_message(store):
    at = open_setup(AuthenticatedUser("sato", "coordinator"))
    assert [t.value for t in at.title] == ["まちの設定"]
    assert [w.value for w in at.main.warning] == [ADMIN_ONLY]
    assert ADMIN_ONLY.startswith("まちの設定は管理者だけが使えます")
    assert not at.file_uploader
    assert "tsudoi_setup_code" not in [t.key for t in at.text_input]


def test_an_anonymous_deep_link_to_setup_gets_the_login_page(store):
    at = ran(app_as(None))
    with pytest.raises(ValueError, match="setup.py"):
        at.switch_page(PAGE)  # not registered for a visitor who is not logged in
    at._page_hash = calc_hash("setup")  # what a deep link to /setup sends (see test_coverage_page.py)
    ran(at)
    assert [t.value for t in at.title] == ["ログイン"]
    assert not at.file_uploader


# --- the whole 新座市 flow -------------------------------------------------------------------------------


def test_an_admin_sets_up_niiza_on_an_empty_store(store):
    at = open_setup(ADMIN)
    assert "まだ市町村が登録されていません" in at.info[0].value
    assert not at.file_uploader  # nothing but step 1 until a city exists

    # 1. the city, with the bundled 埼玉県 outline
    register_niiza(at)
    assert [s.value for s in at.success] == ["市町村を登録しました。次は町丁目です。"]
    assert "✔ **市町村の境界**" in checklist(at)
    assert sql(store, "select code, name, prefecture from municipalities") == [(CODE, "新座市", "埼玉県")]
    assert "### 新座市" in [m.value for m in at.sidebar.markdown]

    # 2. 町丁目 from the Geolonia JSON: one point per 町丁目 name
    upload(at, "tsudoi_setup_towns_file", GEOLONIA)
    click(at, "tsudoi_setup_towns_go")
    towns = len(geolonia_towns())
    assert metrics(at)["町丁目"] == f"{towns} 件"
    assert f"✔ **町丁目**：{towns} 件（代表点のみ）" in checklist(at)
    assert sorted(r[0] for r in sql(store, "select name from towns")) == sorted(map(arabic_chome, geolonia_towns()))
    script = map_script(at)
    assert [len(rows) for rows in layer_rows(script)] == [towns]  # the town points, nothing else yet

    # 3. population: every 地域名 matches, so no choice is asked for
    upload(at, "tsudoi_setup_pop_file", AGES)
    assert not fix_boxes(at)
    assert any("すべて登録されている町丁目と一致しました" in s.value for s in at.success)
    assert at.button(key="tsudoi_setup_pop_go").disabled  # until the date of the figures is given
    at.date_input(key="tsudoi_setup_pop_asof").set_value(date(2022, 1, 1))
    click(ran(at), "tsudoi_setup_pop_go")
    pop65 = juki_65_plus()
    assert metrics(at)["65歳以上"] == f"{pop65:,} 人"
    assert f"✔ **人口（65歳以上・75歳以上）**：65歳以上 {pop65:,} 人（2022\\-01\\-01）" in checklist(at)
    assert sql(store, "select round(sum(est_pop65)) from towns") == [(pop65,)]

    # 4. 日常生活圏域, marked デモ用の仮の圏域
    upload(at, "tsudoi_setup_areas_file", AREAS)
    at.checkbox(key="tsudoi_setup_areas_provisional").check()
    click(at, "tsudoi_setup_areas_go")
    areas = len(area_names())
    assert metrics(at)["日常生活圏域"] == f"{areas} 圏域"
    assert f"✔ **日常生活圏域**：{areas} 圏域（デモ用の仮の圏域）" in checklist(at)
    assert sql(store, "select count(*), sum(is_demo), round(sum(pop65)) from areas") == [(areas, areas, pop65)]
    script = map_script(at)
    for name in area_names():
        assert name in script  # area labels on the preview

    # 5. candidate venues from both GSI files at once
    upload(at, "tsudoi_setup_venues_file", *SHELTERS)
    click(at, "tsudoi_setup_venues_go")
    stored_venues = sql(store, "select count(*) from candidate_venues")[0][0]
    assert stored_venues > 0 and metrics(at)["候補会場"] == f"{stored_venues} 件"
    shelter_ids = {str(f["properties"]["共通ID"]) for p in SHELTERS
                   for f in json.loads(p.read_text(encoding="utf-8"))["features"]}
    assert {r[0] for r in sql(store, "select source_id from candidate_venues")} <= shelter_ids
    assert sorted(len(rows) for rows in layer_rows(map_script(at))) == sorted([towns, stored_venues])

    # 6. places: read and previewed before anything is written
    upload(at, "tsudoi_setup_places_file", PLACES)
    ids = place_ids()
    assert any(f"新規 {len(ids)} 件" in c.value for c in at.caption)
    assert sql(store, "select count(*) from places") == [(0,)]
    click(at, "tsudoi_setup_places_go")
    assert metrics(at)["新規"] == f"{len(ids)} 件"
    assert sorted(r[0] for r in sql(store, "select id from places")) == sorted(ids)
    assert sql(store, "select distinct changed_by from audit_log") == [(f"kanri（取り込み：{PLACES.name}）",)]

    # every step ticked; only the optional needs survey is left
    marks = re.findall(r"^- (✔|□) \*\*(.+?)\*\*", checklist(at), re.M)
    assert [label for mark, label in marks if mark == "□"] == ["ニーズ調査"]
    gaps = next(m.value for m in at.markdown if "圏域カバー状況：" in m.value)
    assert "圏域カバー状況：使えます" in gaps and "次のサロン候補：使えます" in gaps
    assert "ニーズ調査：まだ使えません" in gaps


# --- the name-match report -----------------------------------------------------------------------------


@pytest.fixture
def with_towns(store) -> AppTest:
    at = open_setup(ADMIN)
    register_niiza(at)
    upload(at, "tsudoi_setup_towns_file", GEOLONIA)
    return click(at, "tsudoi_setup_towns_go")


def misspelt_table() -> tuple[str, bytes]:
    text = AGES.read_text(encoding="utf-8-sig")
    assert text.count(f",{CORRECT},") == 1
    return "地域別人口_誤記あり.csv", ("\ufeff" + text.replace(f",{CORRECT},", f",{MISSPELT},")).encode("utf-8")


def stored_name_of(store: Path, written: str) -> str:
    """The store's name of the town a row means: the store writes 丁目 numbers in half-width arabic."""
    name = unicodedata.normalize("NFKC", written)
    assert sql(store, "select count(*) from towns where name = ?", name) == [(1,)]
    return name


def test_a_misspelt_name_is_listed_with_its_candidates_and_the_chosen_town_is_used(with_towns, store):
    at = upload(with_towns, "tsudoi_setup_pop_file", misspelt_table())
    boxes = fix_boxes(at)
    assert len(boxes) == 1
    row_cells = [m.value for m in at.markdown]
    assert unicodedata.normalize("NFKC", MISSPELT) in row_cells  # as read: width unified (NFKC)
    right = stored_name_of(store, CORRECT)
    candidates = next(v for v in row_cells if right in v and "、" in v)
    assert candidates.split("、")[0] == right  # the closest town is offered first
    assert at.button(key="tsudoi_setup_pop_go").disabled  # refused until the name is decided
    assert sql(store, "select count(*) from towns where est_pop65 is not null") == [(0,)]

    boxes[0].select(right)
    ran(at)
    assert at.button(key="tsudoi_setup_pop_go").disabled  # and until the date of the figures is given
    at.date_input(key="tsudoi_setup_pop_asof").set_value(date(2022, 1, 1))
    ran(at)
    assert not at.button(key="tsudoi_setup_pop_go").disabled
    click(at, "tsudoi_setup_pop_go")
    assert metrics(at)["65歳以上"] == f"{juki_65_plus():,} 人"  # no one lost: the row went to its town
    assert sql(store, "select est_pop65 from towns where name = ?", right) == [(row_65_plus(CORRECT),)]


def test_a_name_marked_not_to_import_is_left_out(with_towns, store):
    at = upload(with_towns, "tsudoi_setup_pop_file", misspelt_table())
    fix_boxes(at)[0].select("\x00skip")
    at.date_input(key="tsudoi_setup_pop_asof").set_value(date(2022, 1, 1))
    ran(at)
    click(at, "tsudoi_setup_pop_go")
    assert metrics(at)["65歳以上"] == f"{juki_65_plus() - row_65_plus(CORRECT):,} 人"
    assert any(unicodedata.normalize("NFKC", MISSPELT) in c.value and "取り込まなかった行" in c.value for c in at.caption)
    assert sql(store, "select est_pop65 from towns where name = ?", stored_name_of(store, CORRECT)) == [(0.0,)]


# --- bad input -----------------------------------------------------------------------------------------


def test_an_area_table_missing_a_town_is_reported_and_nothing_is_written(with_towns, store):
    lines = AREAS.read_text(encoding="utf-8").splitlines()
    dropped = arabic_chome(lines[5].split(",")[0])  # named as the store writes it
    bad = ("圏域_一行抜け.csv", ("\n".join(lines[:5] + lines[6:]) + "\n").encode("utf-8"))
    revision = sql(store, "select value from meta where key = 'revision'")
    at = upload(with_towns, "tsudoi_setup_areas_file", bad)
    click(at, "tsudoi_setup_areas_go")
    assert at.error[0].value.startswith("取り込めませんでした：1 件の問題があります。何も書き込んでいません。")
    table = at.dataframe[0].value
    assert list(table.columns) == ["ファイル", "行", "列", "内容"]
    assert table["ファイル"].tolist() == ["圏域_一行抜け.csv"]
    assert dropped in table["内容"].iloc[0] and "圏域が割り当てられていない町丁目が 1 件" in table["内容"].iloc[0]
    assert sql(store, "select count(*) from areas") == [(0,)]
    assert sql(store, "select value from meta where key = 'revision'") == revision


def test_a_bad_municipality_code_is_reported_and_nothing_is_written(store):
    at = open_setup(ADMIN)
    at.text_input(key="tsudoi_setup_code").set_value("112300")  # 6 digits with a wrong check digit
    click(at, "tsudoi_setup_add")
    assert at.error[0].value == "登録できませんでした。何も書き込んでいません。"
    assert "検査数字が正しくありません" in at.dataframe[0].value["内容"].iloc[0]
    assert sql(store, "select count(*) from municipalities") == [(0,)]


def test_another_city_is_added_and_becomes_the_city_being_set_up(with_towns, store):
    at = with_towns
    at.text_input(key="tsudoi_setup_code").set_value("11223")  # 蕨市, in the expander 「別の市町村を追加する」
    click(at, "tsudoi_setup_add")
    assert sql(store, "select code from municipalities order by code") == [("11223",), (CODE,)]
    assert "### 蕨市" in [m.value for m in at.sidebar.markdown]  # the app now looks at the new city
    assert "□ **町丁目**：未登録" in checklist(at)
    assert at.sidebar.selectbox[0].value == "11223"


# --- the preview map -----------------------------------------------------------------------------------


def test_the_preview_map_escapes_every_name_and_loads_only_local_assets():
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    hostile = '<img src=x onerror=alert(1)>`${alert(2)}`'
    outline = box(139.50, 35.75, 139.60, 35.80)
    towns = gpd.GeoDataFrame({"code": ["t1", "t2"], "name": [hostile, "本町1丁目"], "area_id": ["a1", None],
                              "geometry_kind": ["polygon", "point"], "rep_lat": [35.76, 35.78],
                              "rep_lon": [139.52, 139.58]},
                             geometry=[box(139.50, 35.75, 139.55, 35.80), box(139.55, 35.75, 139.60, 35.80)],
                             crs="EPSG:4326")
    areas = gpd.GeoDataFrame({"area_id": ["a1"], "area_name": [hostile]}, geometry=[outline], crs="EPSG:4326")
    venues = pd.DataFrame({"name": [hostile], "lat": [35.77], "lon": [139.55]})
    html = build_preview_map(outline, towns, areas, venues, basemap="none").get_root().render()
    assert "<img src=x" not in html and "${alert" not in html and "`${" not in html
    # escaped in the town tooltip, the area label and the venue label (inside JSON, & may be \u0026)
    assert len(re.findall(r"(?:&|\\u0026)lt;img src=x onerror=alert\(1\)", html)) == 3
    assert "unpkg.com" not in html and "cdn.jsdelivr.net" not in html


def test_a_table_read_through_a_typed_column_mapping(with_towns, store):
    # 町丁目名, 総数, 65-74, 75+ with headers no reader knows; the mapping says which columns sum to what.
    # あたご1丁目: 65+ = 10 + 5 = 15, 75+ = 5;  あたご2丁目: 65+ = 20 + 6 = 26, 75+ = 6  →  65+ 41, 75+ 11
    table = "地区,住民数,前期高齢者,後期高齢者\nあたご1丁目,100,10,5\nあたご2丁目,200,20,6\n".encode("utf-8")
    at = with_towns
    at.text_area(key="tsudoi_setup_pop_mapping").set_value('{"town": "地区", "total": ["住民数"]')  # one brace short
    at = upload(at, "tsudoi_setup_pop_file", ("高齢者数.csv", table))
    assert at.error[0].value == "このファイルは取り込めません。何も書き込んでいません。"
    assert at.dataframe[0].value["ファイル"].tolist() == ["列の対応表"]
    assert "JSON として読めません" in at.dataframe[0].value["内容"].iloc[0]

    at.text_area(key="tsudoi_setup_pop_mapping").set_value(
        '{"town": "地区", "total": ["住民数"], "pop65": ["前期高齢者", "後期高齢者"], "pop75": ["後期高齢者"]}')
    at.date_input(key="tsudoi_setup_pop_asof").set_value(date(2024, 4, 1))
    click(ran(at), "tsudoi_setup_pop_go")
    assert (metrics(at)["65歳以上"], metrics(at)["75歳以上"]) == ("41 人", "11 人")
    assert sql(store, "select name, est_pop65 from towns where est_pop65 > 0 order by name") == [
        ("あたご1丁目", 15.0), ("あたご2丁目", 26.0)]
