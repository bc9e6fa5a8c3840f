"""Plotly figures of suppressed survey tables: hidden cells stay hidden, the city line, the title
(profile, 調査時点, 架空 label) and escaped area names.

The table is built from hand-made statuses: area a has 5 valid answers (suppressed), b is the next
smallest (complementary suppression), c and d are shown; the expected rates follow by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.survey import charts
from dashboard.survey.aggregate import area_table
from dashboard.survey.scoring import Indicator, Item, Profile
from dashboard.survey.service import helpers_table

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
PROFILE = Profile(name="tiny", title="テスト基準", indicators=(
    Indicator(id="x", label="指標X", kind="count", items=(Item("forgetful", (1,)),)),
    Indicator(id="y", label="指標Y", kind="count", items=(Item("fall_past_year", (1, 2)),)),
))
#: area → (該当, 非該当) for x and for y; nobody is 判定不能
SPEC = {"a": ((1, 4), (2, 3)), "b": ((3, 9), (4, 8)), "c": ((6, 14), (5, 15)), "d": ((10, 30), (20, 20))}
NAMES = {"a": "錦町地区", "b": "北町地区", "c": HOSTILE, "d": "南町地区"}
CITY_X = 20 / 77  # (1 + 3 + 6 + 10) / (5 + 12 + 20 + 40)
COMMON = dict(profile_title="tiny（テスト基準）", as_of="令和6年11月")


def make_table(spec=SPEC, min_n: int = 10) -> pd.DataFrame:
    x, y, areas = [], [], []
    for area, ((xr, xs), (yr, ys)) in spec.items():
        assert xr + xs == yr + ys
        x += [1] * xr + [0] * xs
        y += [1] * yr + [0] * ys
        areas += [area] * (xr + xs)
    status = pd.DataFrame({"x": x, "y": y}, dtype=np.int8)
    return area_table(status, pd.Series(areas), PROFILE, list(spec), min_n)


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@pytest.fixture(scope="module")
def table():
    return make_table()


def test_the_hand_made_table_is_suppressed_as_expected(table):
    hidden = table[table["indicator"] == "x"].set_index("area_id")["suppressed"]
    assert hidden.to_dict() == {"a": True, "b": True, "c": False, "d": False, "ALL": False}


# ------------------------------------------------------------------------------------------ bars

def test_bars_leave_suppressed_areas_without_a_value(table):
    fig = charts.indicator_bars(table, "x", NAMES, synthetic=True, **COMMON)
    bars = fig.data[0]
    values = dict(zip(bars.x, bars.y))
    assert missing(values["錦町地区"]) and missing(values["北町地区"])
    assert values[ESCAPED] == pytest.approx(30.0)  # 6 / 20
    assert values["南町地区"] == pytest.approx(25.0)  # 10 / 40
    texts = dict(zip(bars.x, bars.text))
    assert texts["錦町地区"] == "" and texts["北町地区"] == ""  # no rate or n printed on a hidden bar
    assert "n=20" in texts[ESCAPED]
    plus = dict(zip(bars.x, bars.error_y.array))
    assert missing(plus["錦町地区"]) and missing(plus["北町地区"])


def test_bars_mark_hidden_areas_with_the_label(table):
    fig = charts.indicator_bars(table, "x", NAMES, synthetic=True, **COMMON)
    hidden = [a for a in fig.layout.annotations if a.text == "n<10のため非表示"]
    assert sorted(a.x for a in hidden) == sorted(["錦町地区", "北町地区"])


def test_the_label_follows_min_n():
    table = make_table(min_n=13)  # a (5) and b (12) below 13: both hidden, no complementary needed
    fig = charts.indicator_bars(table, "x", NAMES, synthetic=True, **COMMON)
    hidden = [a.x for a in fig.layout.annotations if a.text == "n<13のため非表示"]
    assert sorted(hidden) == sorted(["錦町地区", "北町地区"])


def test_the_city_line_is_the_city_rate(table):
    fig = charts.indicator_bars(table, "x", NAMES, synthetic=True, **COMMON)
    lines = [s for s in fig.layout.shapes if s.y0 == s.y1]
    assert len(lines) == 1
    assert lines[0].y0 == pytest.approx(CITY_X * 100)
    assert any(f"{CITY_X:.1%}" in (a.text or "") for a in fig.layout.annotations)
    assert "n=77" in fig.layout.title.text


def test_no_city_line_when_the_city_is_suppressed():
    table = make_table({"a": ((1, 3), (1, 3)), "b": ((1, 2), (1, 2))})  # 7 valid in the whole city
    fig = charts.indicator_bars(table, "x", {"a": "A", "b": "B"}, synthetic=False, **COMMON)
    assert not [s for s in fig.layout.shapes if s.y0 == s.y1]
    assert all(missing(v) for v in fig.data[0].y)


@pytest.mark.parametrize("synthetic", [True, False])
def test_the_title_names_profile_date_and_synthetic_label(table, synthetic):
    for fig in (charts.indicator_bars(table, "x", NAMES, synthetic=synthetic, **COMMON),
                charts.difference_heatmap(table, ["x", "y"], NAMES, synthetic=synthetic, **COMMON),
                charts.radar(table, "c", ["x", "y"], NAMES, synthetic=synthetic, **COMMON),
                charts.grouped_bars(table, ["x", "y"], NAMES, "参加", synthetic=synthetic, **COMMON)):
        title = fig.layout.title.text
        assert "tiny（テスト基準）" in title
        assert "調査時点" in title and "令和6年11月" in title
        assert ("【架空の調査データ】" in title) == synthetic
        assert ("架空" in title) == synthetic


def test_an_unknown_date_says_so(table):
    fig = charts.indicator_bars(table, "x", NAMES, profile_title="tiny", as_of=None, synthetic=False)
    assert "調査時点：不明" in fig.layout.title.text


# ------------------------------------------------------------------------------------------ heatmap, radar, groups

def test_heatmap_cells_of_suppressed_areas_are_empty_with_the_label(table):
    fig = charts.difference_heatmap(table, ["x", "y"], NAMES, synthetic=True, **COMMON)
    heat = fig.data[0]
    rows = dict(zip(heat.y, zip(heat.z, heat.text)))
    z_a, text_a = rows["錦町地区"]
    assert missing(z_a[0]) and text_a[0] == "n<10のため非表示"
    z_c, text_c = rows[ESCAPED]
    assert z_c[0] == pytest.approx((0.30 - CITY_X) * 100)
    assert "非表示" not in text_c[0]


def test_radar_leaves_gaps_for_suppressed_indicators(table):
    fig = charts.radar(table, "a", ["x", "y"], NAMES, synthetic=True, **COMMON)
    area = next(t for t in fig.data if t.name == "錦町地区")
    assert all(missing(r) for r in area.r)
    city = next(t for t in fig.data if t.name == "市全体")
    assert city.r[0] == pytest.approx(CITY_X * 100)


def test_grouped_bars_leave_suppressed_cells_empty(table):
    fig = charts.grouped_bars(table, ["x", "y"], NAMES, "参加", synthetic=True, **COMMON)
    x_bars = fig.data[0]
    values = dict(zip(x_bars.x, x_bars.y))
    assert missing(values["錦町地区"]) and missing(values["北町地区"])
    assert values["市全体"] == pytest.approx(CITY_X * 100)


# ------------------------------------------------------------------------------------------ escaping

def all_text(fig) -> str:
    return fig.to_json()


def test_hostile_area_names_are_escaped_everywhere(table):
    figures = [charts.indicator_bars(table, "x", NAMES, synthetic=True, **COMMON),
               charts.difference_heatmap(table, ["x", "y"], NAMES, synthetic=True, **COMMON),
               charts.radar(table, "c", ["x", "y"], NAMES, synthetic=True, **COMMON),
               charts.grouped_bars(table, ["x", "y"], NAMES, "参加", synthetic=True, **COMMON)]
    assert ESCAPED in list(figures[0].data[0].x)
    assert ESCAPED in list(figures[1].data[0].y)
    assert ESCAPED in figures[2].layout.title.text
    assert ESCAPED in list(figures[3].data[0].x)
    for fig in figures:
        assert "<img" not in all_text(fig)


def test_hostile_profile_title_and_date_are_escaped(table):
    fig = charts.indicator_bars(table, "x", NAMES, profile_title="<script>x</script>", as_of="<b onmouseover=1>",
                                synthetic=True)
    title = fig.layout.title.text
    assert "<script>" not in title and "<b onmouseover" not in title
    assert "&lt;script&gt;" in title


# ------------------------------------------------------------------------------------------ helpers chart

def test_helpers_chart_of_a_suppressed_area_shows_no_numbers():
    rows = [{"respondent_id": f"{a}{i}", "area_id": a, "need_garbage": 1.0, "offer_garbage": 1.0}
            for a, n in (("small", 4), ("mid", 30), ("big", 50)) for i in range(n)]
    # small is hidden (n<10); mid is hidden too (complementary: otherwise ALL − big − mid = small)
    helpers = helpers_table(pd.DataFrame(rows), ["small", "mid", "big"], items={"garbage": "ゴミ出し"})
    fig = charts.helpers_diverging(helpers, "small", HOSTILE, as_of="令和6年", synthetic=True)
    for trace in fig.data:
        assert all(missing(v) for v in trace.x), trace.name
    assert "非表示" in fig.layout.title.text
    assert "<img" not in fig.layout.title.text
    hidden_too = charts.helpers_diverging(helpers, "mid", "中", as_of="令和6年", synthetic=False)
    assert all(missing(v) for v in hidden_too.data[0].x)
    shown = charts.helpers_diverging(helpers, "big", "大", as_of="令和6年", synthetic=False)
    assert list(shown.data[0].x) == [-50] and list(shown.data[1].x) == [50]
    assert "n=50" in shown.layout.title.text and "架空" not in shown.layout.title.text


def test_helpers_chart_names_the_threshold_in_use():
    rows = [{"respondent_id": f"{a}{i}", "area_id": a, "need_garbage": 1.0, "offer_garbage": 0.0}
            for a, n in (("small", 15), ("mid", 40), ("big", 50)) for i in range(n)]
    helpers = helpers_table(pd.DataFrame(rows), ["small", "mid", "big"], items={"garbage": "ゴミ出し"}, min_n=20)
    fig = charts.helpers_diverging(helpers, "small", "小", as_of=None, synthetic=False)
    assert "n&lt;20のため非表示" in fig.layout.title.text  # plotly shows the entity as "<"
