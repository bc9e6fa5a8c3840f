"""Next-salon suggestions for one 日常生活圏域, on a hand-made grid where the right picks are obvious.

Two areas split at x = 0 (metres in EPSG:6677, 埼玉's plane zone); walking distance D = 500 m.
Every person and venue sits on a point chosen so that each venue reaches one group of people or
none (all other distances are > 800 m, worked out in the comments), so the expected picks and gains
are read off the layout, not computed by the code under test.
"""

from __future__ import annotations

import pandas as pd
import pytest
from pyproj import Transformer

from dashboard import coverage

PREFECTURE = 11  # 埼玉: EPSG:6677
D = 500
TO_LONLAT = Transformer.from_crs("EPSG:6677", "EPSG:4326", always_xy=True)

#: people aged 65+ (x_m, y_m, pop65, covered, area)
UNITS = [
    ("W1", -300, 0, 100, False, "west"),
    ("W2", -1000, 2000, 60, False, "west"),
    ("W3", -1000, -2000, 50, True, "west"),  # already within D of a gathering place: gains nobody
    ("W4", -600, 1000, 80, False, "west"),
    ("E1", 1000, 0, 300, False, "east"),
    ("E2", 1000, 2000, 200, False, "east"),
]
#: candidate venues (id, x_m, y_m, stored area) and whom each reaches within 500 m
VENUES = [
    ("vW1", -300, 100, "west"),     # W1 at 100 m → +100
    ("vW2", -1000, 1900, "west"),   # W2 at 100 m → +60
    ("vW3", -1000, -1950, "west"),  # only W3 (covered) → +0
    ("vE1", 1000, 50, "east"),      # E1 → +300
    ("vE2", 1000, 2050, "east"),    # E2 → +200
    ("vEdge", 150, 0, "east"),      # in the east, 450 m from W1 (west) → +100 for the west, +0 for the east
]
#: points a user clicked on the map (id, x_m, y_m)
CLICKS = [
    ("click-1", -300, -100),   # W1 at 100 m: the same people as vW1
    ("click-2", -1000, -2000), # on W3, who is covered → +0
    ("click-3", -600, 1100),   # W4 at 100 m → +80, nobody else (W2 is 985 m away)
]


def lonlat(x: float, y: float) -> tuple[float, float]:
    return TO_LONLAT.transform(x, y)


def frame(rows, area: bool = True) -> pd.DataFrame:
    records = []
    for row in rows:
        lon, lat = lonlat(row[1], row[2])
        record = {"id": row[0], "name": f"会場{row[0]}", "lat": lat, "lon": lon}
        if area:
            record["area_id"] = row[3]
        records.append(record)
    return pd.DataFrame(records)


@pytest.fixture
def result() -> coverage.CoverageResult:
    units = pd.DataFrame(UNITS, columns=["unit", "x_m", "y_m", "pop65", "covered", "area_id"])
    table = pd.DataFrame({"area_id": ["west", "east", "ALL"], "area_name": ["西地区", "東地区", "市全体"]})
    return coverage.CoverageResult(table=table, units=units, places=pd.DataFrame(),
                                   query=coverage.CoverageQuery(distance_m=D))


def picked(plan) -> list[tuple[str, int]]:
    return [(p["candidate_id"], p["gain65"]) for p in plan.picks]


def test_the_whole_city_picks_the_biggest_groups_anywhere(result):
    plan = coverage.plan_suggestions(result, frame(VENUES), 3, PREFECTURE)
    # E1 300, E2 200, then W1 100 (vW1 and vEdge tie; the earlier venue wins)
    assert picked(plan) == [("vE1", 300), ("vE2", 200), ("vW1", 100)]
    assert plan.shortfall is None
    assert plan.area_name == "市全体"
    assert plan.uncovered65 == 100 + 60 + 80 + 300 + 200


def test_an_area_picks_only_its_own_venues_and_counts_only_its_people(result):
    plan = coverage.plan_suggestions(result, frame(VENUES), 3, PREFECTURE, area_id="west")
    # the west's venues only: vW1 +100, vW2 +60; vW3 reaches only covered people; the east's 500 never count
    assert picked(plan) == [("vW1", 100), ("vW2", 60)]
    assert plan.venues_searched == 3
    assert plan.uncovered65 == 100 + 60 + 80
    assert plan.shortfall == "ほかの候補会場を選んでも増える人がいないため2件だけです"
    east = coverage.plan_suggestions(result, frame(VENUES), 3, PREFECTURE, area_id="east")
    # vEdge is in the east but reaches only W1 (west): +0 for the east
    assert picked(east) == [("vE1", 300), ("vE2", 200)]


def test_venues_anywhere_may_serve_the_area_but_gains_stay_the_areas(result):
    plan = coverage.plan_suggestions(result, frame(VENUES), 3, PREFECTURE, area_id="west",
                                     venues_in_area_only=False)
    # W1 (100) first: vW1 and vEdge tie, vW1 comes first; then W2 60; the east's E1/E2 add nothing to the west
    assert picked(plan) == [("vW1", 100), ("vW2", 60)]
    assert not plan.venues_in_area_only
    assert plan.venues_searched == len(VENUES)
    assert plan.shortfall.startswith("ほかの候補会場を選んでも増える人がいない")


def test_clicked_points_stay_in_the_report_with_plus_zero(result):
    plan = coverage.plan_suggestions(result, frame(VENUES), 3, PREFECTURE, area_id="west",
                                     clicked=frame(CLICKS, area=False))
    # vW1 +100 (ties click-1, comes first), click-3 +80 (W4), vW2 +60
    assert picked(plan) == [("vW1", 100), ("click-3", 80), ("vW2", 60)]
    assert plan.shortfall is None
    report = {c["candidate_id"]: c for c in plan.clicked}
    assert list(report) == ["click-1", "click-2", "click-3"]
    assert (report["click-1"]["rank"], report["click-1"]["gain65"], report["click-1"]["alone65"]) == (None, 0, 100)
    assert "重なる" in report["click-1"]["note"]
    assert (report["click-2"]["rank"], report["click-2"]["gain65"], report["click-2"]["alone65"]) == (None, 0, 0)
    assert "西地区の徒歩圏外の65歳以上はいません" in report["click-2"]["note"]
    assert (report["click-3"]["rank"], report["click-3"]["gain65"], report["click-3"]["note"]) == (2, 80, "")


def test_a_clicked_point_outscored_by_the_picks_says_what_it_would_add(result):
    plan = coverage.plan_suggestions(result, frame(VENUES), 1, PREFECTURE, area_id="west",
                                     clicked=frame(CLICKS[2:], area=False))
    assert picked(plan) == [("vW1", 100)]
    (only,) = plan.clicked
    assert (only["rank"], only["gain65"], only["alone65"]) == (None, 80, 80)
    assert "単独なら+80人" in only["note"]


def test_shortfalls_are_explained(result):
    venues = frame(VENUES)
    # more asked than the east has venues: 3 venues, 2 add someone
    east = coverage.plan_suggestions(result, venues, 5, PREFECTURE, area_id="east")
    assert east.shortfall == "ほかの候補会場を選んでも増える人がいないため2件だけです（東地区の中の候補は全部で3件）"
    # every venue picked and still short
    two = coverage.plan_suggestions(result, venues[venues["id"].isin(["vE1", "vE2"])], 3, PREFECTURE,
                                    area_id="east")
    assert two.shortfall == "東地区の中の候補会場が2件しかないため2件だけです"
    # no venue in the area
    none = coverage.plan_suggestions(result, venues[venues["area_id"] == "east"], 3, PREFECTURE, area_id="west")
    assert none.picks == []
    assert none.shortfall.startswith("西地区の中に候補会場がありません")
    # a venue that reaches only covered people
    useless = coverage.plan_suggestions(result, venues[venues["id"] == "vW3"], 3, PREFECTURE, area_id="west")
    assert useless.picks == []
    assert useless.shortfall == "西地区の中のどの候補会場を選んでも、西地区で徒歩圏に入る65歳以上は増えません"
    # nobody uncovered
    result.units["covered"] = True
    everyone = coverage.plan_suggestions(result, venues, 3, PREFECTURE, area_id="west")
    assert everyone.shortfall == f"西地区の65歳以上は全員、すでに集いの場から徒歩{D} m圏内にいます"


def test_suggest_keeps_its_list_and_takes_the_area(result):
    venues = frame(VENUES)
    assert [p["candidate_id"] for p in coverage.suggest(result, venues, 3, PREFECTURE)] == ["vE1", "vE2", "vW1"]
    picks = coverage.suggest(result, venues, 3, PREFECTURE, area_id="west")
    assert [p["candidate_id"] for p in picks] == ["vW1", "vW2"]
    assert [set(p) for p in picks] == [{"candidate_id", "name", "lat", "lon", "gain65"}] * 2


def test_an_unknown_area_is_refused_with_the_allowed_ids(result):
    with pytest.raises(ValueError, match=r"'north'.*\['west', 'east'\]"):
        coverage.plan_suggestions(result, frame(VENUES), 3, PREFECTURE, area_id="north")
