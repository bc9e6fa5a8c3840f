"""県内の状況 (``dashboard.services.prefecture``, ``prefecture overview``, the choropleth): every number
checked against the raw files read here without our readers (json for N03, openpyxl for 住基) or
against the store read with plain SQL, and who sees which places.

Hand-checked facts: 埼玉県 has 63 市町村 (40 市, 22 町, 1 村; 2021-01-01); さいたま市 is one 政令市 of
10 wards. The demo (蕨市) counts 34 active gathering places (32 public + 2 internal 居場所; 3 paused
internal 居場所 do not count) over 17,058.88 aged 65+ (the 2020 mesh estimate the coverage page
uses): 34 ÷ 17,058.88 × 1,000 = 1.993 places per 1,000 65+; public only 32 ÷ 17,058.88 × 1,000 = 1.876.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.services import prefecture
from dashboard.settings import BUNDLED_N03, JUKI_AGE_TABLE
from dashboard.store.engine import open_store
from geo.crs import projected_crs

WARABI, NIIZA, SAITAMA_CITY = "11223", "11230", "11100"
#: The coverage page's default kinds (vocab.GATHERING_CATEGORIES), written out so SQL can count them.
GATHERING = ("サロン", "通いの場（体操）", "通いの場（その他）", "老人クラブ", "居場所", "認知症カフェ")


def build_two_cities(demo_db_path: Path, target: Path) -> Path:
    """The 蕨市 demo plus 新座市 set up through the CLI (tests/dashboard/test_onboarding.py)."""
    from tests.dashboard.test_onboarding import set_up_niiza

    shutil.copy(demo_db_path, target)
    set_up_niiza(target)
    return target


@pytest.fixture(scope="module")
def two_cities(demo_db_path, tmp_path_factory) -> Path:
    return build_two_cities(demo_db_path, tmp_path_factory.mktemp("prefecture") / "store.sqlite")


@pytest.fixture(scope="module")
def engine(two_cities):
    store = open_store(f"sqlite:///{two_cities}")
    yield store
    store.dispose()


def counted_places(db: Path, code: str, *, public_only: bool) -> int:
    """Active places of the default kinds that lie in a 圏域, by SQL."""
    marks = ",".join("?" * len(GATHERING))
    sql = (f"select count(*) from places where municipality_code = ? and status = 'active' and area_id is not null "
           f"and category in ({marks})" + (" and visibility = 'public'" if public_only else ""))
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, (code, *GATHERING)).fetchone()[0]


def loaded_pop65(db: Path, code: str) -> float:
    with sqlite3.connect(db) as connection:
        return connection.execute("select sum(pop65) from areas where municipality_code = ?", (code,)).fetchone()[0]


# --- the files ------------------------------------------------------------------------------------

def raw_municipalities() -> dict[str, str]:
    """code → name from the N03 GeoJSON read with json; さいたま市's wards folded by hand into 11100."""
    features = json.loads(BUNDLED_N03[11].read_text(encoding="utf-8"))["features"]
    found = {}
    for feature in features:
        p = feature["properties"]
        if p["N03_003"] == "さいたま市":  # the bundled layout: city in N03_003, ward in N03_004
            found[SAITAMA_CITY] = "さいたま市"
        elif p["N03_007"]:
            found[p["N03_007"]] = p["N03_004"]
    return found


def raw_juki(code6: str) -> tuple[int, int]:
    """(総数, 65+) of one municipality's 計 row, read with openpyxl."""
    sheet = openpyxl.load_workbook(JUKI_AGE_TABLE, read_only=True, data_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    bands = [j for j, label in enumerate(rows[1]) if label in ("65歳～69歳", "70歳～74歳", "75歳～79歳", "80歳～84歳",
                                                                 "85歳～89歳", "90歳～94歳", "95歳～99歳", "100歳以上")]
    assert len(bands) == 8
    row = next(r for r in rows if r[0] == code6 and r[3] == "計")
    return int(row[4]), sum(int(row[j]) for j in bands)


def test_every_municipality_of_saitama_once_with_wards_folded_into_saitama_city():
    shapes = prefecture.municipality_shapes(BUNDLED_N03[11])
    raw = raw_municipalities()
    assert len(raw) == 63 and len(shapes) == 63  # 埼玉県: 63 市町村 (hand-checked)
    assert dict(zip(shapes["code"], shapes["name"])) == raw
    suffixes = pd.Series([name[-1] for name in shapes["name"]]).value_counts().to_dict()
    assert suffixes == {"市": 40, "町": 22, "村": 1}
    assert shapes.attrs["prefecture"] == "埼玉県"


def test_saitama_city_is_the_union_of_its_ten_wards():
    wards = gpd.read_file(BUNDLED_N03[11])
    wards = wards[wards["N03_003"] == "さいたま市"].to_crs(projected_crs(11))
    assert len(wards) == 10
    city = prefecture.municipality_shapes(BUNDLED_N03[11]).set_index("code").loc[[SAITAMA_CITY]].to_crs(projected_crs(11))
    assert city.geometry.iloc[0].area == pytest.approx(wards.area.sum(), rel=1e-3)


@pytest.mark.parametrize("code, code6", [(WARABI, "112232"), (NIIZA, "112305"), (SAITAMA_CITY, "111007")])
def test_population_and_65_plus_are_the_juki_figures(code, code6):
    table = prefecture.join_totals(prefecture.municipality_shapes(BUNDLED_N03[11]),
                                   prefecture.juki_totals(JUKI_AGE_TABLE, 11)).set_index("code")
    population, aged65 = raw_juki(code6)
    assert (table.at[code, "population"], table.at[code, "aged65"]) == (population, aged65)
    assert table.at[code, "aged65_share"] == pytest.approx(aged65 / population)


def test_hand_checked_juki_figures_of_warabi_and_niiza():
    table = prefecture.join_totals(prefecture.municipality_shapes(BUNDLED_N03[11]),
                                   prefecture.juki_totals(JUKI_AGE_TABLE, 11)).set_index("code")
    assert table.loc[WARABI, ["population", "aged65"]].tolist() == [75_391, 17_477]  # 23.2%
    assert table.loc[NIIZA, ["population", "aged65"]].tolist() == [166_108, 42_803]  # 25.8% (README: the same)
    assert round(table.at[WARABI, "aged65_share"], 3) == 0.232 and round(table.at[NIIZA, "aged65_share"], 3) == 0.258


def test_saitama_city_in_the_juki_table_is_the_sum_of_its_wards():
    totals = prefecture.juki_totals(JUKI_AGE_TABLE, 11).set_index("code")
    wards = totals.loc[[f"{11100 + i}" for i in range(1, 11)]]
    assert wards["aged65"].sum() == totals.at[SAITAMA_CITY, "aged65"]
    assert wards["population"].sum() == totals.at[SAITAMA_CITY, "population"]


def test_the_parsed_files_are_cached_by_path_and_modification_time(tmp_path):
    copy = tmp_path / "juki.xlsx"
    shutil.copy(JUKI_AGE_TABLE, copy)
    first = prefecture.juki_totals(copy, 11)
    hits = prefecture._totals.cache_info().hits
    first.loc[0, "aged65"] = -1  # the caller's copy: the cache must not see it
    second = prefecture.juki_totals(copy, 11)
    assert prefecture._totals.cache_info().hits == hits + 1 and second.loc[0, "aged65"] != -1
    import os

    os.utime(copy, ns=(1, 1))  # another modification time: read again
    prefecture.juki_totals(copy, 11)
    assert prefecture._totals.cache_info().hits == hits + 1


@pytest.mark.parametrize("ward, city", [("11101", "11100"), ("11110", "11100"), ("14118", "14100"),
                                        ("14131", "14130"), ("14153", "14150"), ("27128", "27100"),
                                        ("27141", "27140"), ("40131", "40130"), ("01110", "01100")])
def test_a_ward_belongs_to_its_designated_city(ward, city):
    assert prefecture._designated_city_code(ward) == city


# --- the loaded cities ----------------------------------------------------------------------------

def test_places_per_1000_and_coverage_of_the_loaded_cities(engine, two_cities, tmp_path):
    table = prefecture.overview(engine).table.set_index("code")
    assert table["loaded"].sum() == 2 and set(table.index[table["loaded"]]) == {WARABI, NIIZA}
    warabi = table.loc[WARABI]
    assert warabi["places"] == counted_places(two_cities, WARABI, public_only=False) == 34
    assert warabi["loaded_aged65"] == pytest.approx(loaded_pop65(two_cities, WARABI)) == pytest.approx(17_058.88, abs=0.01)
    assert warabi["places_per_1000_65"] == pytest.approx(34 / 17_058.88 * 1000, rel=1e-5)  # 1.993
    assert round(warabi["places_per_1000_65"], 3) == 1.993
    niiza = table.loc[NIIZA]
    assert niiza["places"] == counted_places(two_cities, NIIZA, public_only=False) == 7
    assert niiza["loaded_aged65"] == pytest.approx(42_803)  # its synthetic 町丁目 table sums to the 住基 figure
    assert niiza["places_per_1000_65"] == pytest.approx(7 / 42_803 * 1000)
    # coverage is the coverage command's own 市全体 figure (the same service the page uses)
    for code in (WARABI, NIIZA):
        out = tmp_path / f"coverage_{code}.csv"
        assert main(["--db", str(two_cities), "coverage", "--municipality", code, "--out", str(out)]) == 0
        city = next(r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))) if r["area_id"] == "ALL")
        assert table.at[code, "coverage_share"] == pytest.approx(float(city["coverage65"]))
        assert table.at[code, "places"] == int(city["places"])
    assert set(table["places_basis"][table["loaded"]]) == {prefecture.BASIS_ALL}
    unloaded = table[~table["loaded"]]
    assert len(unloaded) == 61 and unloaded[["places", "places_per_1000_65", "coverage_share"]].isna().all().all()


def test_a_coordinator_of_niiza_gets_only_warabis_public_places(engine, two_cities):
    everything = prefecture.overview(engine).table.set_index("code")
    limited = prefecture.overview(engine, internal_codes=(NIIZA,)).table.set_index("code")
    warabi = limited.loc[WARABI]
    public = counted_places(two_cities, WARABI, public_only=True)
    assert public == 32 < everything.at[WARABI, "places"]  # the demo has internal places that would count
    assert warabi["places"] == public and warabi["places_basis"] == prefecture.BASIS_PUBLIC
    assert round(warabi["places_per_1000_65"], 3) == 1.876  # 32 ÷ 17,058.88 × 1,000
    assert warabi["coverage_share"] < everything.at[WARABI, "coverage_share"]  # two internal 居場所 fewer
    # their own city: every place, exactly as for an admin
    pd.testing.assert_series_equal(limited.loc[NIIZA], everything.loc[NIIZA])
    # nobody's internal: the same public figures for both cities
    none = prefecture.overview(engine, internal_codes=()).table.set_index("code")
    assert none.at[NIIZA, "places"] == counted_places(two_cities, NIIZA, public_only=True) == 6


def test_a_loaded_city_without_population_has_places_but_no_rates(tmp_path):
    db = tmp_path / "store.sqlite"
    assert main(["--db", str(db), "municipality", "add", "11346", "--name", "川島町"]) == 0
    store = open_store(f"sqlite:///{db}")
    try:
        row = prefecture.overview(store).table.set_index("code").loc["11346"]
    finally:
        store.dispose()
    assert row["loaded"] and row["places"] == 0
    assert pd.isna(row["places_per_1000_65"]) and pd.isna(row["coverage_share"]) and pd.isna(row["loaded_aged65"])


# --- the command line -----------------------------------------------------------------------------

def test_cli_writes_one_row_per_municipality(two_cities, engine, tmp_path, capsys):
    out = tmp_path / "overview.csv"
    assert main(["--db", str(two_cities), "prefecture", "overview", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "埼玉県 63 市町村" in printed and "蕨市（11223）: 場 34 件" in printed
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == ["市町村コード", "市町村", "総人口（人）", "65歳以上（人）", "65歳以上割合（%）", "登録",
                             "集いの場（か所）", "65歳以上1,000人あたりの場（か所）", "徒歩500 m圏の65歳以上（%）",
                             "登録人口の65歳以上（人）", "数えた場"]
    assert len(rows) == 63 and len({r["市町村コード"] for r in rows}) == 63
    by_code = {r["市町村コード"]: r for r in rows}
    # as written, rounded for people to read (hand-derived from the module docstring's figures):
    # 17,477 ÷ 75,391 = 23.18 %; 34 ÷ 17,058.88 × 1,000 = 1.993; 98.13 % within 500 m; 17,058.88 people
    assert {k: by_code[WARABI][k] for k in list(rows[0])[2:]} == {
        "総人口（人）": "75391", "65歳以上（人）": "17477", "65歳以上割合（%）": "23.2", "登録": "登録済み",
        "集いの場（か所）": "34", "65歳以上1,000人あたりの場（か所）": "1.99", "徒歩500 m圏の65歳以上（%）": "98.1",
        "登録人口の65歳以上（人）": "17059", "数えた場": "すべての場"}
    # 新座市: 42,803 ÷ 166,108 = 25.77 %; 7 ÷ 42,803 × 1,000 = 0.164
    assert (by_code[NIIZA]["65歳以上割合（%）"], by_code[NIIZA]["65歳以上1,000人あたりの場（か所）"]) == ("25.8", "0.16")
    assert by_code["11369"]["市町村"] == "東秩父村" and by_code["11369"]["登録"] == "未登録"
    assert all(by_code["11369"][k] == "" for k in list(rows[0])[6:])  # not loaded: empty, never 0


def test_cli_without_out_writes_the_csv_to_standard_output(two_cities, capsys):
    assert main(["--db", str(two_cities), "prefecture", "overview"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out.lstrip("\ufeff"))))
    assert len(rows) == 63 and "埼玉県 63 市町村" in captured.err


# --- the map --------------------------------------------------------------------------------------

def features(fmap) -> list[dict]:
    import folium

    layer = next(c for c in fmap._children.values() if isinstance(c, folium.GeoJson))
    return layer.data["features"]


def test_the_map_draws_63_shapes_and_greys_unloaded_cities(engine):
    from dashboard.maps.prefecture_map import NOT_LOADED_COLOR, build_prefecture_map

    result = prefecture.overview(engine)
    share = features(build_prefecture_map(result.shapes, result.table, "aged65_share"))
    assert len(share) == 63 and NOT_LOADED_COLOR not in {f["properties"]["color"] for f in share}
    places = features(build_prefecture_map(result.shapes, result.table, "places_per_1000_65"))
    grey = {f["properties"]["code"] for f in places if f["properties"]["color"] == NOT_LOADED_COLOR}
    assert grey == set(result.table["code"]) - {WARABI, NIIZA}
    warabi = next(f["properties"] for f in places if f["properties"]["code"] == WARABI)
    assert warabi["color"] == "#8c96c6"  # 1.99 per 1,000: the 1〜2 class
    assert "集いの場 34か所" in warabi["label"] and "1.99か所" in warabi["label"]
    html = build_prefecture_map(result.shapes, result.table, "coverage_share").get_root().render()
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html  # vendored Leaflet only


def test_the_legend_lists_every_class_and_the_grey_ones_only_when_used(engine):
    from dashboard.maps.prefecture_map import NOT_LOADED_LABEL, legend_items, title_of

    table = prefecture.overview(engine).table
    assert [label for _, label, _ in legend_items(table, "aged65_share")][-1] == "40%以上"
    coverage_items = [label for _, label, _ in legend_items(table, "coverage_share")]
    assert coverage_items[0] == "50%未満" and coverage_items[-1] == NOT_LOADED_LABEL
    assert title_of("coverage_share", 800) == "徒歩800 m圏の65歳以上の割合（徒歩カバー率、%）"


def test_tooltips_are_escaped():
    from dashboard.maps.prefecture_map import build_prefecture_map

    shapes = prefecture.municipality_shapes(BUNDLED_N03[11]).head(2)
    table = prefecture.join_totals(shapes, prefecture.juki_totals(JUKI_AGE_TABLE, 11))
    table = prefecture.with_city_figures(table, {})
    table.loc[0, "name"] = "<img src=x onerror=alert(1)>`${x}`"
    html = build_prefecture_map(shapes, table, "aged65").get_root().render()
    assert "<img src=x" not in html and "${x}" not in html
    with pytest.raises(ValueError, match="aged65_share"):
        build_prefecture_map(shapes, table, "density")


def test_a_workbook_that_is_not_the_juki_table_is_refused(tmp_path):
    from dashboard.errors import InputError
    from dashboard.importers.juki import read_municipality_totals

    book = openpyxl.Workbook()
    book.active.append(["市区町村", "人口"])
    book.save(tmp_path / "other.xlsx")
    with pytest.raises(InputError, match="団体コード"):
        read_municipality_totals(tmp_path / "other.xlsx", 11)
