"""活動の振り返り on a private copy of the 蕨市 demo store.

Two snapshots are taken with known edits in between (a fee changed, a gathering place closed,
a place added). What the diff must find is derived from those edits; counts are re-counted with SQL
sent straight to the database driver; coverage is recomputed here with plain numpy distances from the
population units. Everything runs on both backends (``demo_store_url``: SQLite, PostgreSQL + PostGIS).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from dashboard import coverage, snapshots, vocab
from dashboard.cli import UsageError
from dashboard.cli_admin import register
from dashboard.store import models as m
from dashboard.store import reads, writes
from dashboard.store.engine import make_engine, write_session
from geo.crs import STORAGE_CRS, projected_crs

CODE = "11223"
PREFECTURE = 11
WALK_M = 500  # the distance a snapshot's coverage table uses
OLD, NEW = "2025年度", "2026年度"
NEW_FEE = "500円"
# 総合社会福祉センター (GSI): a real point inside 蕨市, for the added place
INSIDE = (35.827789, 139.672853)
ADDED_ID = "test-added-1"
ADDED_CATEGORY = "子ども食堂"  # not a gathering category: it must not change coverage


@pytest.fixture
def engine(demo_store_url):
    store = make_engine(demo_store_url)
    yield store
    store.dispose()


def query(url: str, sql: str, *params) -> list[tuple]:
    """Rows as the database driver (sqlite3, psycopg) returns them, not through the code under test;
    ``?`` placeholders on both; dates as ISO text, as sqlite3 gives them."""
    store = create_engine(url, poolclass=NullPool)
    try:
        with store.connect() as connection:
            if connection.dialect.paramstyle != "qmark":
                sql = sql.replace("?", "%s")
            rows = connection.exec_driver_sql(sql, tuple(params)).all()
    finally:
        store.dispose()
    return [tuple(v.isoformat() if isinstance(v, date) and not isinstance(v, datetime) else v for v in row)
            for row in rows]


def active_counts(store_url, column: str) -> dict:
    rows = query(store_url, f"SELECT {column}, COUNT(*) FROM places WHERE municipality_code = ? AND status = 'active' "
                          f"GROUP BY {column}", CODE)
    return dict(rows)


# --- coverage computed independently: nearest gathering place per population unit -----------------

def units_frame(engine) -> gpd.GeoDataFrame:
    """Population units (mesh pieces per area, metric CRS): an input of coverage, not its result."""
    areas = reads.areas(engine, CODE)
    return coverage.build_units(areas, reads.population_cells(engine, CODE), reads.towns(engine, CODE), PREFECTURE)


def gathering_points(store_url) -> tuple[list[str], np.ndarray]:
    """Ids and metric x/y of active places of the gathering categories (the default coverage query)."""
    marks = ",".join("?" * len(vocab.GATHERING_CATEGORIES))
    rows = query(store_url, f"SELECT id, lat, lon FROM places WHERE municipality_code = ? AND status = 'active' "
                          f"AND category IN ({marks}) ORDER BY id", CODE, *vocab.GATHERING_CATEGORIES)
    points = gpd.GeoSeries(gpd.points_from_xy([r[2] for r in rows], [r[1] for r in rows]), crs=STORAGE_CRS)
    points = points.to_crs(projected_crs(PREFECTURE))
    return [r[0] for r in rows], np.column_stack([points.x, points.y])


def distances_m(units: gpd.GeoDataFrame, xy: np.ndarray) -> np.ndarray:
    """Straight-line metres from every unit (rows) to every point (columns)."""
    return np.hypot(units["x_m"].to_numpy()[:, None] - xy[None, :, 0],
                    units["y_m"].to_numpy()[:, None] - xy[None, :, 1])


def expected_coverage65(units: gpd.GeoDataFrame, covered: np.ndarray) -> dict[str, float]:
    frame = pd.DataFrame({"area_id": units["area_id"], "pop65": units["pop65"],
                          "covered65": np.where(covered, units["pop65"], 0.0)})
    sums = frame.groupby("area_id")[["pop65", "covered65"]].sum()
    result = (sums["covered65"] / sums["pop65"]).to_dict()
    result["ALL"] = sums["covered65"].sum() / sums["pop65"].sum()
    return result


def place_whose_closing_uncovers_most(units, ids, xy) -> tuple[str, float]:
    """The gathering place that is the only one within walking distance of the most 65+ people.

    Closing it must lower coverage by exactly those people: nobody else was in reach of them.
    """
    within = distances_m(units, xy) <= WALK_M
    pop65 = units["pop65"].to_numpy()
    only_this = [(pop65[within[:, j] & (within.sum(axis=1) == 1)].sum(), ids[j]) for j in range(len(ids))]
    orphaned, place_id = max(only_this)
    return place_id, orphaned


# --- the scenario --------------------------------------------------------------------------------

@dataclass
class Scenario:
    fee_id: str
    old_fee: str
    closed_id: str
    closed_category: str
    orphaned65: float  # 65+ people only the closed place was in reach of
    categories_before: dict
    categories_after: dict
    areas_before: dict
    areas_after: dict
    coverage_before: dict
    coverage_after: dict


def added_record() -> dict:
    record = {field: None for field in writes.PLACE_FIELDS}
    record.update(id=ADDED_ID, name="テスト子ども食堂", category=ADDED_CATEGORY, status="active", visibility="internal",
                  lat=INSIDE[0], lon=INSIDE[1], location_precision="manual", frequency_class="unknown")
    return record


def edit_store(engine, scenario_ids: tuple[str, str]) -> None:
    """Change a fee and close a place directly on the rows; add a place the way an import does."""
    fee_id, closed_id = scenario_ids
    with write_session(engine) as session:
        edited = session.get(m.Place, fee_id)
        edited.fee, edited.version = NEW_FEE, edited.version + 1
        closed = session.get(m.Place, closed_id)
        closed.status, closed.version = "closed", closed.version + 1
        batch = writes.add_batch(session, "places", "test.csv", "0" * 64, 1)
        counts = writes.upsert_places(session, [added_record()], municipality_code=CODE, prefecture_code=PREFECTURE,
                                      batch_id=batch, source_name="test.csv")
    assert counts == {"new": 1, "changed": 0, "unchanged": 0}


def run_scenario(engine, store_url, take=None) -> Scenario:
    """Snapshot OLD, edit, snapshot NEW (``take(label)`` creates a snapshot; by default the API does)."""
    if take is None:
        def take(label):
            snapshots.create_snapshot(engine, CODE, label, user="tester")
    units = units_frame(engine)
    ids, xy = gathering_points(store_url)
    closed_id, orphaned = place_whose_closing_uncovers_most(units, ids, xy)
    fee_id, old_fee = query(store_url, "SELECT id, fee FROM places WHERE municipality_code = ? AND fee IS NOT NULL "
                                     "AND fee != ? AND id != ? ORDER BY id LIMIT 1", CODE, NEW_FEE, closed_id)[0]
    closed_category = query(store_url, "SELECT category FROM places WHERE id = ?", closed_id)[0][0]
    before = (active_counts(store_url, "category"), active_counts(store_url, "area_id"),
              expected_coverage65(units, distances_m(units, xy).min(axis=1) <= WALK_M))
    take(OLD)
    edit_store(engine, (fee_id, closed_id))
    ids_after, xy_after = gathering_points(store_url)
    after = (active_counts(store_url, "category"), active_counts(store_url, "area_id"),
             expected_coverage65(units, distances_m(units, xy_after).min(axis=1) <= WALK_M))
    take(NEW)
    assert closed_id in ids and closed_id not in ids_after
    return Scenario(fee_id, old_fee, closed_id, closed_category, orphaned, before[0], after[0], before[1], after[1],
                    before[2], after[2])


@pytest.fixture
def scenario(engine, demo_store_url) -> Scenario:
    return run_scenario(engine, demo_store_url)


# --- diff ----------------------------------------------------------------------------------------

def test_diff_finds_exactly_the_edits(engine, scenario):
    old, _ = snapshots.load_snapshot(engine, CODE, OLD)
    new, _ = snapshots.load_snapshot(engine, CODE, NEW)
    diff = snapshots.diff_snapshots(old, new)

    assert diff["added"]["id"].tolist() == [ADDED_ID]
    assert diff["added"]["category"].tolist() == [ADDED_CATEGORY]
    assert diff["closed"][["id", "reason", "status"]].values.tolist() == [[scenario.closed_id, "status", "active"]]
    # version was bumped on both edited rows and must not show up as a change
    assert diff["changed"][["id", "field", "old", "new"]].values.tolist() == [
        [scenario.fee_id, "fee", scenario.old_fee, NEW_FEE]]


def test_diff_counts_match_an_independent_count(engine, scenario):
    diff = snapshots.diff_snapshots(snapshots.load_snapshot(engine, CODE, OLD)[0],
                                    snapshots.load_snapshot(engine, CODE, NEW)[0])
    counts = diff["counts"]
    for dimension, before, after in (("category", scenario.categories_before, scenario.categories_after),
                                     ("area", scenario.areas_before, scenario.areas_after)):
        rows = counts[counts["dimension"] == dimension].set_index("group")
        assert rows["old"].to_dict() == {k: before.get(k, 0) for k in rows.index}
        assert rows["new"].to_dict() == {k: after.get(k, 0) for k in rows.index}
        assert set(rows.index) == set(before) | set(after)
        assert (rows["difference"] == rows["new"] - rows["old"]).all()
    by_category = counts[counts["dimension"] == "category"].set_index("group")["difference"]
    assert by_category[ADDED_CATEGORY] == 1
    assert by_category[scenario.closed_category] == -1
    assert (by_category.drop([ADDED_CATEGORY, scenario.closed_category]) == 0).all()


def test_diff_against_the_live_store(engine, demo_store_url, scenario):
    assert all(len(snapshots.diff_snapshots(snapshots.load_snapshot(engine, CODE, NEW)[0],
                                            snapshots.current_places(engine, CODE))[key]) == 0
               for key in ("added", "closed", "changed"))
    old_capacity = query(demo_store_url, "SELECT capacity FROM places WHERE id = ?", scenario.fee_id)[0][0]
    assert old_capacity != 77
    with write_session(engine) as session:
        session.get(m.Place, scenario.fee_id).capacity = 77
    diff = snapshots.diff_snapshots(snapshots.resolve_places(engine, CODE, NEW),
                                    snapshots.resolve_places(engine, CODE, snapshots.CURRENT))
    expected_old = None if old_capacity is None else str(old_capacity)
    assert diff["changed"][["id", "field", "old", "new"]].values.tolist() == [
        [scenario.fee_id, "capacity", expected_old, "77"]]


def test_changes_table_has_one_row_per_change_with_its_type(engine, scenario):
    diff = snapshots.diff_snapshots(snapshots.load_snapshot(engine, CODE, OLD)[0],
                                    snapshots.load_snapshot(engine, CODE, NEW)[0])
    table = snapshots.changes_table(diff)
    assert table[["change_type", "id"]].values.tolist() == [
        ["added", ADDED_ID], ["closed", scenario.closed_id], ["changed", scenario.fee_id]]
    assert table.loc[1, ["field", "old", "new"]].tolist() == ["status", "active", "closed"]


def frame(*rows) -> pd.DataFrame:
    columns = ["id", "name", "category", "area_id", "status", "fee", "version"]
    return pd.DataFrame([dict(zip(columns, r)) for r in rows], columns=columns)


def test_diff_rules_on_tiny_frames():
    old = frame(("a", "A", "サロン", "x", "active", None, 1),
                ("b", "B", "サロン", "x", "active", "無料", 1),   # removed
                ("c", "C", "居場所", "y", "closed", None, 1),     # stays closed
                ("d", "D", "居場所", "y", "paused", None, 1),     # paused → closed
                ("e", "E", "居場所", "y", "closed", None, 1))     # reopened
    new = frame(("a", "A", "サロン", "x", "active", float("nan"), 9),  # NaN vs None and a new version: no change
                ("c", "C", "居場所", "y", "closed", None, 1),
                ("d", "D", "居場所", "y", "closed", None, 2),
                ("e", "E", "居場所", "y", "active", None, 2),
                ("f", "F", "サロン", None, "active", None, 1))
    old_copy, new_copy = old.copy(), new.copy()
    diff = snapshots.diff_snapshots(old, new)
    assert diff["added"]["id"].tolist() == ["f"]
    assert diff["closed"][["id", "reason"]].values.tolist() == [["b", "removed"], ["d", "status"]]
    assert diff["changed"][["id", "field", "old", "new"]].values.tolist() == [["e", "status", "closed", "active"]]
    counts = diff["counts"].set_index(["dimension", "group"])
    # active: old a, b (サロン, x); new a, f (サロン) and e (居場所); f has no area
    assert counts.loc[("category", "サロン"), ["old", "new"]].tolist() == [2, 2]
    assert counts.loc[("category", "居場所"), ["old", "new"]].tolist() == [0, 1]
    assert counts.loc[("area", "x"), ["old", "new"]].tolist() == [2, 1]
    assert counts.loc[("area", snapshots.NO_AREA), ["old", "new"]].tolist() == [0, 1]
    pd.testing.assert_frame_equal(old, old_copy)
    pd.testing.assert_frame_equal(new, new_copy)


# --- what a snapshot stores ----------------------------------------------------------------------

def test_snapshot_stores_every_field_of_every_place(engine, demo_store_url):
    fields = reads.INTERNAL_PLACE_FIELDS
    rows = query(demo_store_url, f"SELECT {', '.join(fields)} FROM places WHERE municipality_code = ? ORDER BY id", CODE)
    snapshot_id = snapshots.create_snapshot(engine, CODE, OLD)
    stored = json.loads(query(demo_store_url, "SELECT places_json FROM snapshots WHERE id = ?", snapshot_id)[0][0])
    # dates as ISO text and booleans as 0/1 or True/False (True == 1 in Python), as JSON should hold them
    assert [tuple(record[f] for f in fields) for record in stored] == rows
    assert any(r[fields.index("last_verified")] for r in rows)  # dates are really exercised


def test_list_and_load_by_label_or_id(engine, demo_store_url, scenario):
    listing = snapshots.list_snapshots(engine, CODE)
    assert listing.columns.tolist() == ["id", "label", "created_at", "created_by", "places", "active_places"]
    assert listing["label"].tolist() == [OLD, NEW]
    assert listing["created_by"].tolist() == ["tester", "tester"]
    places_now = query(demo_store_url, "SELECT COUNT(*) FROM places WHERE municipality_code = ?", CODE)[0][0]
    assert listing["places"].tolist() == [places_now - 1, places_now]
    assert listing["active_places"].tolist() == [sum(scenario.categories_before.values()),
                                                 sum(scenario.categories_after.values())]
    by_label = snapshots.load_snapshot(engine, CODE, NEW)
    by_id = snapshots.load_snapshot(engine, CODE, int(listing["id"].iloc[1]))
    by_id_text = snapshots.load_snapshot(engine, CODE, str(listing["id"].iloc[1]))
    for a, b in ((by_label, by_id), (by_label, by_id_text)):
        pd.testing.assert_frame_equal(a[0], b[0])
        pd.testing.assert_frame_equal(a[1], b[1])
    with pytest.raises(snapshots.SnapshotNotFound):
        snapshots.load_snapshot(engine, CODE, "1999年度")
    with pytest.raises(snapshots.SnapshotNotFound):
        snapshots.load_snapshot(engine, "99999", NEW)  # another municipality's snapshots are not found


def test_duplicate_and_ambiguous_labels_are_rejected(engine, demo_store_url):
    snapshots.create_snapshot(engine, CODE, OLD)
    stored_before = query(demo_store_url, "SELECT COUNT(*) FROM snapshots")[0][0]
    revision_before = query(demo_store_url, "SELECT value FROM meta WHERE key = 'revision'")[0][0]
    for label in (OLD, f"  {OLD} ", "2026", snapshots.CURRENT, "", "x" * 65):
        with pytest.raises(ValueError):
            snapshots.create_snapshot(engine, CODE, label)
    assert query(demo_store_url, "SELECT COUNT(*) FROM snapshots")[0][0] == stored_before == 1
    assert query(demo_store_url, "SELECT value FROM meta WHERE key = 'revision'")[0][0] == revision_before
    with pytest.raises(ValueError, match="既に"):
        snapshots.create_snapshot(engine, CODE, OLD)


# --- coverage over time ----------------------------------------------------------------------------

def test_coverage_over_time_drops_by_the_people_only_the_closed_place_reached(engine, scenario):
    over_time = snapshots.coverage_over_time(engine, CODE)
    area_ids = reads.areas(engine, CODE)["area_id"].tolist() + ["ALL"]
    assert over_time.columns.tolist() == ["label", "created_at", "area_id", "area_name", "coverage65"]
    assert len(over_time) == 2 * len(area_ids)
    assert not over_time.duplicated(["label", "area_id"]).any()
    assert over_time["label"].drop_duplicates().tolist() == [OLD, NEW]
    assert set(over_time["area_id"]) == set(area_ids)

    table = over_time.set_index(["label", "area_id"])["coverage65"]
    for label, expected in ((OLD, scenario.coverage_before), (NEW, scenario.coverage_after)):
        for area_id in area_ids:
            assert table[(label, area_id)] == pytest.approx(expected[area_id], rel=1e-9), (label, area_id)
    # The closed place was chosen as the only gathering place in reach of some 65+ people, and the
    # added place is not a gathering category: so the city figure must fall by exactly those people.
    assert scenario.orphaned65 > 0
    total65 = units_frame(engine)["pop65"].sum()
    assert table[(NEW, "ALL")] == pytest.approx(table[(OLD, "ALL")] - scenario.orphaned65 / total65, rel=1e-9)
    assert table[(NEW, "ALL")] < table[(OLD, "ALL")]
    assert (table.xs(NEW, level="label") <= table.xs(OLD, level="label") + 1e-12).all()  # removing never helps


# --- CLI -----------------------------------------------------------------------------------------

def admin_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="test")
    sub = parser.add_subparsers(dest="command", required=True)
    user = sub.add_parser("user").add_subparsers(dest="action", required=True)
    register(sub, user)
    return parser


def run_cli(engine, *argv: str) -> int:
    args = admin_parser().parse_args(list(argv))
    return args.func(args, engine)


def test_cli_snapshot_create_list_diff(engine, demo_store_url, tmp_path, capsys):
    def take(label):
        assert run_cli(engine, "snapshot", "create", "--label", label, "--by", "cli-tester") == 0

    scenario = run_scenario(engine, demo_store_url, take)
    assert query(demo_store_url, "SELECT label, created_by FROM snapshots ORDER BY id") == [
        (OLD, "cli-tester"), (NEW, "cli-tester")]
    capsys.readouterr()

    assert run_cli(engine, "snapshot", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[1] for line in lines] == [OLD, NEW]

    out = tmp_path / "changes" / "diff.csv"
    assert run_cli(engine, "snapshot", "diff", OLD, NEW, "--out", str(out)) == 0
    printed = capsys.readouterr().out
    assert "追加 1 件 / 終了 1 件 / 変更 1 件" in printed
    assert f"{ADDED_CATEGORY}: 0 → 1 (+1)" in printed
    before = scenario.categories_before[scenario.closed_category]
    assert f"{scenario.closed_category}: {before} → {before - 1} (-1)" in printed
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert [(r["change_type"], r["id"]) for r in rows] == [
        ("added", ADDED_ID), ("closed", scenario.closed_id), ("changed", scenario.fee_id)]
    assert (rows[2]["field"], rows[2]["old"], rows[2]["new"]) == ("fee", scenario.old_fee, NEW_FEE)

    snapshot_id = str(query(demo_store_url, "SELECT id FROM snapshots WHERE label = ?", NEW)[0][0])
    assert run_cli(engine, "snapshot", "diff", snapshot_id, "current") == 0
    assert "追加 0 件 / 終了 0 件 / 変更 0 件" in capsys.readouterr().out


def test_cli_snapshot_mistakes_are_usage_errors(engine, demo_store_url):
    assert run_cli(engine, "snapshot", "create", "--label", OLD) == 0
    with pytest.raises(UsageError, match="既に"):
        run_cli(engine, "snapshot", "create", "--label", OLD)
    with pytest.raises(UsageError, match="1999年度"):
        run_cli(engine, "snapshot", "diff", OLD, "1999年度")
    with pytest.raises(UsageError):
        run_cli(engine, "snapshot", "list", "--municipality", "99999")
    assert query(demo_store_url, "SELECT COUNT(*) FROM snapshots")[0][0] == 1
