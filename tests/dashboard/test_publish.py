"""``publish`` and ``export opendata`` (#12): nothing internal reaches any published artefact, and what
residents may see is all there.

The store holds two cities (the 蕨市 demo and 新座市, set up through the CLI) with internal-only values
planted in every place a city's data can hold them (:mod:`tests.dashboard.leak_canaries`). Every
published file is scanned byte for byte and table by table for them. The positive side is checked
against the source store read with plain ``sqlite3`` — never through the functions that publish.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from dashboard import public_mode
from dashboard.cli import main
from dashboard.services import publish as publish_service
from dashboard.store.engine import open_store
from tests.dashboard.leak_canaries import (
    CANARY, NIIZA, PAUSED_PLACE_ID, PLANTED, PUBLIC_PLACE_ID, USER, WARABI, all_text, plant,
)
from tests.dashboard.test_onboarding import copy_store, set_up_niiza

#: Public place fields, spelled out here (not imported) so that the test notices if the product's list grows.
PUBLIC_FIELDS = (
    "id", "name", "name_kana", "category", "status", "address", "lat", "lon", "location_precision",
    "area_id", "town_code", "rrule", "schedule_text", "frequency_class", "operator_type", "venue_type",
    "activities", "target", "capacity", "fee", "transport", "barrier_free", "contact_public", "url",
    "last_verified", "source", "is_synthetic",
)
INTERNAL_TABLES = ("users", "login_sessions", "app_secrets", "survey_batches", "survey_responses", "helper_responses",
                   "audit_log", "snapshots", "saved_mappings", "import_batches", "population_cells",
                   "candidate_venues", "activity_records", "activity_record_areas", "activity_followups",
                   "activity_voices", "activity_voice_tags", "activity_attachments", "activity_audit_log")
#: The 正式版-style header, in order, as our export writes it.
ODS_HEADER = ["全国地方公共団体コード", "ID", "地方公共団体名", "名称", "名称_カナ", "種別", "所在地_連結表記", "所在地_都道府県",
              "所在地_市区町村", "所在地_町字", "所在地_番地以下", "建物名等", "緯度", "経度", "電話番号", "開催日時", "対象者",
              "定員", "参加費", "URL", "備考", "最終確認日"]


def cli(db: Path, *args) -> int:
    return main(["--db", str(db), *map(str, args)])


def query(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return connection.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def source(demo_db_path, tmp_path_factory) -> Path:
    """Two cities, with every kind of internal-only value planted."""
    folder = tmp_path_factory.mktemp("source")
    db = copy_store(demo_db_path, folder / "store.sqlite")
    set_up_niiza(db)
    plant(db, folder)
    return db


@pytest.fixture(scope="module")
def published(source, tmp_path_factory) -> dict:
    """Every artefact: the published copy of both cities and the open data of each city."""
    out = tmp_path_factory.mktemp("published")
    assert cli(source, "publish", "--out", out / "site") == 0
    assert cli(source, "export", "opendata", "--out", out / "warabi", "--municipality", WARABI) == 0
    assert cli(source, "export", "opendata", "--out", out / "niiza", "--municipality", NIIZA,
               "--licence", "政府標準利用規約（第2.0版）") == 0
    return {"copy": out / "site" / "tsudoi-public.sqlite", "warabi": out / "warabi", "niiza": out / "niiza",
            "out": out}


def every_file(published: dict) -> list[Path]:
    return sorted(p for p in published["out"].rglob("*") if p.is_file())


# --- nothing internal --------------------------------------------------------------------------------

def test_every_planted_value_really_is_in_the_source_store(source):
    text = all_text(source)
    assert [kind for kind, value in PLANTED.items() if value not in text] == []


def test_the_artefacts_are_the_expected_files(published):
    names = {str(p.relative_to(published["out"])) for p in every_file(published)}
    assert names == {"site/tsudoi-public.sqlite", "warabi/112232_places.csv", "warabi/112232_places.geojson",
                     "warabi/README.md", "niiza/112305_places.csv", "niiza/112305_places.geojson", "niiza/README.md"}


def test_no_planted_value_in_the_bytes_of_any_published_file(published):
    leaks = {str(path.name): [kind for kind, value in PLANTED.items() if value.encode("utf-8") in path.read_bytes()]
             for path in every_file(published)}
    assert all(not found for found in leaks.values()), leaks
    # every planted value carries the word CANARY: no fragment of any of them either
    assert [p.name for p in every_file(published) if CANARY.encode() in p.read_bytes()] == []


def test_no_planted_value_in_any_table_of_the_published_copy(published):
    text = all_text(published["copy"])
    assert CANARY not in text
    assert [kind for kind, value in PLANTED.items() if value in text] == []


def test_no_secret_of_the_source_store_in_the_published_copy(source, published):
    (key,), = query(source, "SELECT value FROM app_secrets WHERE name = 'session_signing_key'")
    (password_hash,), = query(source, "SELECT password_hash FROM users WHERE name = ?", USER)
    data = published["copy"].read_bytes()
    assert key.encode() not in data and password_hash.encode() not in data and b"$argon2" not in data


def test_internal_tables_are_empty_and_internal_place_fields_null(published):
    counts = {t: query(published["copy"], f"SELECT count(*) FROM {t}")[0][0] for t in INTERNAL_TABLES}
    assert counts == dict.fromkeys(INTERNAL_TABLES, 0)
    assert query(published["copy"], "SELECT count(*) FROM places WHERE contact_internal IS NOT NULL "
                                     "OR notes IS NOT NULL OR visibility <> 'public' OR import_batch_id IS NOT NULL "
                                     "OR version <> 1") == [(0,)]
    for table in ("areas", "towns"):
        assert query(published["copy"], f"SELECT count(*) FROM {table} WHERE import_batch_id IS NOT NULL") == [(0,)]
    assert query(published["copy"], "SELECT count(*) FROM municipalities WHERE boundary_source IS NOT NULL") == [(0,)]


# --- what residents may see is all there -------------------------------------------------------------

PUBLISHED_SQL = (f"SELECT {', '.join(PUBLIC_FIELDS)} FROM places WHERE municipality_code = ? "
                 "AND visibility = 'public' AND status <> 'closed' ORDER BY id")


@pytest.mark.parametrize("code", [WARABI, NIIZA])
def test_published_places_equal_the_public_not_closed_places_of_the_source(source, published, code):
    expected = query(source, PUBLISHED_SQL, code)
    assert len(expected) > 0
    assert query(published["copy"], PUBLISHED_SQL, code) == expected
    count = "SELECT count(*) FROM places WHERE municipality_code = ?"
    assert query(published["copy"], count, code) == [(len(expected),)]


def test_the_planted_public_places_are_published_with_their_public_fields(published):
    rows = dict(query(published["copy"], "SELECT id, status FROM places WHERE id IN (?, ?)", PUBLIC_PLACE_ID,
                      PAUSED_PLACE_ID))
    assert rows == {PUBLIC_PLACE_ID: "active", PAUSED_PLACE_ID: "paused"}
    assert query(published["copy"], "SELECT name, fee, contact_public, last_verified FROM places WHERE id = ?",
                 PUBLIC_PLACE_ID) == [("みんなのサロン（公開）", "100円", "048-431-0000", "2026-04-01")]


@pytest.mark.parametrize("table, columns", [
    ("areas", "id, municipality_code, name, sort_order, is_demo, geometry, pop_total, pop65, pop75, pop85"),
    ("towns", "code, municipality_code, name, oaza, area_id, pop_2015, households_2015, est_pop_total, est_pop65, "
              "est_pop75, est_pop85, rep_lat, rep_lon, geometry_kind, geometry"),
    ("municipalities", "code, name, prefecture, boundary"),
])
def test_outlines_areas_and_towns_are_copied_unchanged(source, published, table, columns):
    sql = f"SELECT {columns} FROM {table} ORDER BY 1"
    expected = query(source, sql)
    assert {r[1] if table != "municipalities" else r[0] for r in expected} == {WARABI, NIIZA}
    assert query(published["copy"], sql) == expected


def test_city_facts_are_the_public_ones_only(source, published):
    public_keys = {"sources", "population_note", "boundary_as_of", "population_as_of", "facilities_as_of", "demo",
                   "synthetic", "towns_kind", "population_kind"}
    sql = "SELECT municipality_code, key, value FROM municipality_meta WHERE key IN ({}) ORDER BY 1, 2".format(
        ", ".join("?" * len(public_keys)))
    expected = query(source, sql, *sorted(public_keys))
    got = query(published["copy"], "SELECT municipality_code, key, value FROM municipality_meta ORDER BY 1, 2")
    rewritten = ("facilities_as_of", "synthetic")
    assert [r for r in got if r[1] not in rewritten] == [r for r in expected if r[1] not in rewritten]
    # no survey is published, so the copy never says its survey is a sample (footer, about, sidebar)
    assert (WARABI, "synthetic", "サロン・通いの場、ニーズ調査") in expected
    assert (WARABI, "synthetic", "サロン・通いの場") in got and not any("調査" in r[2] for r in got if r[1] == "synthetic")
    assert {key for _, key, _ in expected} >= {"sources", "population_as_of", "facilities_as_of"}
    # the last places import (the planting) is dated, without the office's file name (the import no
    # longer records it there; publish also strips it from stores written before)
    today = date.today().isoformat()
    assert [r for r in expected if r[1] == "facilities_as_of"] == [
        (WARABI, "facilities_as_of", f"{today} 取り込み"), (NIIZA, "facilities_as_of", f"{today} 取り込み")]
    assert [r for r in got if r[1] == "facilities_as_of"] == [
        (WARABI, "facilities_as_of", f"{today} 取り込み"), (NIIZA, "facilities_as_of", f"{today} 取り込み")]


def test_the_copy_is_marked_published_dated_at_the_newest_migration_and_one_file(source, published):
    meta = dict(query(published["copy"], "SELECT key, value FROM meta"))
    assert meta["store_kind"] == "published"
    assert abs((datetime.now().astimezone() - datetime.fromisoformat(meta["published_at"])).total_seconds()) < 3600
    assert int(meta["revision"]) > 1_700_000_000  # the publication time: caches never meet an older copy's pages
    assert query(published["copy"], "SELECT version_num FROM alembic_version") == \
        query(source, "SELECT version_num FROM alembic_version")
    tables = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    assert query(published["copy"], tables) == query(source, tables)  # same schema
    assert query(published["copy"], "PRAGMA journal_mode") == [("delete",)]
    assert sorted(p.name for p in published["copy"].parent.iterdir()) == ["tsudoi-public.sqlite"]
    assert public_mode.problems(published["copy"]) == []


# --- options and failures ----------------------------------------------------------------------------

def test_publish_one_city(source, tmp_path, capsys):
    assert cli(source, "publish", "--out", tmp_path, "--municipality", NIIZA) == 0
    copy = tmp_path / "tsudoi-public.sqlite"
    assert query(copy, "SELECT code FROM municipalities") == [(NIIZA,)]
    for table in ("places", "areas", "towns", "municipality_meta"):
        assert query(copy, f"SELECT DISTINCT municipality_code FROM {table}") == [(NIIZA,)]
    out = capsys.readouterr().out
    (internal,), = query(source, "SELECT count(*) FROM places WHERE municipality_code = ? AND visibility <> 'public'",
                         NIIZA)
    assert f"{NIIZA}: 資源 {len(query(source, PUBLISHED_SQL, NIIZA))} 件" in out and f"非公開 {internal} 件" in out


def test_publish_several_cities_named_by_repeated_or_comma_separated_options(source, tmp_path):
    assert cli(source, "publish", "--out", tmp_path / "a", "--municipality", f"{WARABI},{NIIZA}") == 0
    assert cli(source, "publish", "--out", tmp_path / "b", "--municipality", WARABI, "--municipality", "112305") == 0
    for folder in ("a", "b"):
        assert query(tmp_path / folder / "tsudoi-public.sqlite", "SELECT code FROM municipalities ORDER BY 1") == \
            [(WARABI,), (NIIZA,)]


def test_publish_refuses_an_unknown_city_and_an_empty_store(source, tmp_path, capsys):
    assert cli(source, "publish", "--out", tmp_path, "--municipality", "11208") == 2
    assert "11208 はストアにありません" in capsys.readouterr().err
    assert cli(tmp_path / "empty.sqlite", "publish", "--out", tmp_path / "site") == 2
    assert "市町村がありません" in capsys.readouterr().err
    assert not (tmp_path / "tsudoi-public.sqlite").exists()
    assert not (tmp_path / "site" / "tsudoi-public.sqlite").exists()


def test_a_failed_publish_leaves_the_previous_copy_as_it_was(source, tmp_path, monkeypatch):
    assert cli(source, "publish", "--out", tmp_path, "--municipality", NIIZA) == 0
    before = (tmp_path / "tsudoi-public.sqlite").read_bytes()

    def broken(path):
        raise OSError("disk full")

    monkeypatch.setattr(publish_service, "_compact", broken)
    assert cli(source, "publish", "--out", tmp_path) == 1
    assert (tmp_path / "tsudoi-public.sqlite").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tsudoi-public.sqlite"]  # no half-written file left


# --- the public site's check of its store ------------------------------------------------------------

def test_the_public_site_refuses_the_coordinators_store_and_a_missing_file(source, tmp_path):
    [problem] = public_mode.problems(source)
    assert "公開用のコピーではありません" in problem
    [problem] = public_mode.problems(tmp_path / "nothing.sqlite")
    assert "公開用のデータ" in problem and "publish" in problem


def test_the_public_site_refuses_a_published_copy_with_internal_rows_added(published, tmp_path):
    tampered = copy_store(published["copy"], tmp_path / "tampered.sqlite")
    with sqlite3.connect(tampered) as connection:
        connection.execute("INSERT INTO users (name, role, password_hash, active, failed_logins) "
                           "VALUES ('x', 'admin', 'h', 1, 0)")
        connection.execute("UPDATE places SET notes = 'n' WHERE id = ?", (PUBLIC_PLACE_ID,))
    found = public_mode.problems(tampered)
    assert any("users" in p for p in found) and any("内部の項目" in p for p in found)
    with pytest.raises(public_mode.PublicModeError, match="公開モードでは起動できません"):
        public_mode.prepare({public_mode.MODE_ENV: "public", public_mode.STORE_ENV: str(tampered)})


def test_prepare_points_the_app_at_the_published_copy_read_only(published):
    environ = {public_mode.MODE_ENV: "public", public_mode.STORE_ENV: str(published["copy"].parent),
               "DATABASE_URL": "sqlite:////somewhere/internal.sqlite"}
    url = public_mode.prepare(environ)
    assert environ["DATABASE_URL"] == url and "mode=ro" in url and "immutable=1" in url
    engine = open_store(url)  # what the app does with it
    try:
        with engine.begin() as connection, pytest.raises(Exception, match="readonly"):
            connection.exec_driver_sql("DELETE FROM places")
    finally:
        engine.dispose()


@pytest.mark.parametrize("value, expected", [("", "internal"), ("internal", "internal"), ("PUBLIC", "public"),
                                             (" public ", "public")])
def test_mode_values(value, expected):
    assert public_mode.mode({public_mode.MODE_ENV: value}) == expected


def test_an_unknown_mode_is_never_read_as_internal():
    environ = {public_mode.MODE_ENV: "pubic"}
    assert public_mode.requested(environ)
    with pytest.raises(public_mode.PublicModeError, match="pubic"):
        public_mode.prepare(environ)


def test_the_default_store_is_where_publish_writes_by_default(tmp_path):
    assert public_mode.store_path({}) == public_mode.DEFAULT_PUBLISH_DIR.resolve() / "tsudoi-public.sqlite"
    assert public_mode.store_path({public_mode.STORE_ENV: str(tmp_path)}) == tmp_path.resolve() / "tsudoi-public.sqlite"
    file = tmp_path / "x.sqlite"
    assert public_mode.store_path({public_mode.STORE_ENV: str(file)}) == file.resolve()


# --- open data -----------------------------------------------------------------------------------------

def read_csv(path: Path) -> tuple[bytes, list[dict]]:
    data = path.read_bytes()
    return data[:3], list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))


@pytest.mark.parametrize("city, code, code6", [("warabi", WARABI, "112232"), ("niiza", NIIZA, "112305")])
def test_opendata_csv_holds_the_published_places_in_the_ods_columns(source, published, city, code, code6):
    bom, rows = read_csv(published[city] / f"{code6}_places.csv")
    assert bom == b"\xef\xbb\xbf"
    expected = query(source, "SELECT id, name, address, lat, lon, contact_public, status FROM places WHERE "
                             "municipality_code = ? AND visibility = 'public' AND status <> 'closed' ORDER BY id", code)
    assert list(rows[0]) == ODS_HEADER
    assert [(r["ID"], r["名称"], r["所在地_連結表記"] or None, float(r["緯度"]), float(r["経度"]), r["電話番号"] or None)
            for r in rows] == [e[:6] for e in expected]
    assert {r["全国地方公共団体コード"] for r in rows} == {code6}
    assert [r["備考"] for r in rows] == ["休止中" if e[6] == "paused" else "" for e in expected]


@pytest.mark.parametrize("city, code, code6", [("warabi", WARABI, "112232"), ("niiza", NIIZA, "112305")])
def test_opendata_geojson_holds_the_published_places_with_public_properties_only(source, published, city, code, code6):
    collection = json.loads((published[city] / f"{code6}_places.geojson").read_text(encoding="utf-8"))
    expected = query(source, "SELECT id, lon, lat FROM places WHERE municipality_code = ? AND visibility = 'public' "
                             "AND status <> 'closed' ORDER BY id", code)
    assert [(f["properties"]["id"], *f["geometry"]["coordinates"]) for f in collection["features"]] == \
        [tuple(e) for e in expected]
    assert {key for f in collection["features"] for key in f["properties"]} == set(PUBLIC_FIELDS) - {"lat", "lon"}


def test_opendata_readme_names_fields_licence_as_of_and_attribution(source, published):
    readme = (published["warabi"] / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0（https://creativecommons.org/licenses/by/4.0/deed.ja）" in readme
    assert f"施設データの時点：{date.today().isoformat()} 取り込み\n" in readme  # the planting's import, no file name
    (latest,), = query(source, "SELECT max(last_verified) FROM places WHERE municipality_code = ? "
                               "AND visibility = 'public' AND status <> 'closed'", WARABI)
    assert f"最も新しいもの {latest}" in readme
    # the city's sources (data/warabi/SOURCES.md) and the estimate note
    for line in ("国土地理院「指定緊急避難場所・指定避難所データ」", "厚生労働省「介護サービス情報公表システム」",
                 "Geolonia 住所データ（CC BY 4.0", "面積按分した推計であり、公表値ではありません"):
        assert line in readme
    for header in ODS_HEADER:
        assert f"| {header} |" in readme
    for field in set(PUBLIC_FIELDS) - {"lat", "lon"}:
        assert f"| {field} |" in readme
    n_synthetic = query(source, "SELECT count(*) FROM places WHERE municipality_code = ? AND visibility = 'public' "
                                "AND status <> 'closed' AND is_synthetic", WARABI)[0][0]
    assert f"サンプル（架空）の資源が {n_synthetic} 件含まれます" in readme


def test_opendata_licence_is_configurable(published):
    readme = (published["niiza"] / "README.md").read_text(encoding="utf-8")
    assert "ライセンス：政府標準利用規約（第2.0版）" in readme and "CC BY 4.0（" not in readme


def test_opendata_refuses_an_empty_licence_and_needs_a_city_when_there_are_two(source, tmp_path, capsys):
    assert cli(source, "export", "opendata", "--out", tmp_path, "--municipality", WARABI, "--licence", " ") == 2
    assert "ライセンスが空です" in capsys.readouterr().err
    assert cli(source, "export", "opendata", "--out", tmp_path) == 2
    assert "市町村が複数あります" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
