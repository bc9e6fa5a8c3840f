"""会議モード slide logic: slide order, URL slide numbers, headline numbers and suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import council


def _areas():
    return pd.DataFrame({"area_id": ["a", "b"], "area_name": ["東地区", "西地区"]})


def test_slides_are_city_then_each_area_then_priority():
    deck = council.slides(_areas(), "蕨市")
    assert [s.kind for s in deck] == ["city", "area", "area", "priority"]
    assert [s.area_id for s in deck] == [None, "a", "b", None]
    assert deck[0].title == "蕨市の全体像" and deck[2].title == "西地区"


@pytest.mark.parametrize("value,expected", [("1", 0), ("3", 2), ("4", 3), ("99", 3), ("0", 0), ("-2", 0),
                                            ("abc", 0), (None, 0), ("2.5", 0)])
def test_slide_numbers_from_the_url_are_clamped(value, expected):
    assert council.clamp_slide(value, 4) == expected


def _coverage():
    return pd.DataFrame({
        "area_id": ["a", "b", "ALL"], "pop65": [1000.0, 3000.0, 4000.0], "pop75": [400.0, 1600.0, 2000.0],
        "pop65_covered": [500.0, 2700.0, 3200.0], "coverage65": [0.5, 0.9, 0.8],
        "places": [1, 3, 4], "places_per_1000_65": [1.0, 1.0, 1.0],
    })


def _survey(suppress_a: bool):
    rows = []
    for area, rates in (("a", (0.30, 0.10, 0.50)), ("b", (0.20, 0.40, 0.10)), ("ALL", (0.22, 0.33, 0.20))):
        for indicator, label, rate in zip(("motor", "withdrawal", "cognitive"),
                                          ("運動器機能の低下", "閉じこもり傾向", "認知機能の低下"), rates):
            hidden = suppress_a and area == "a"
            rows.append({"area_id": area, "indicator": indicator, "label": label, "group": "risk",
                         "rate": np.nan if hidden else rate, "n_valid": pd.NA if hidden else 120,
                         "suppressed": hidden})
    return pd.DataFrame(rows)


def _places():
    return pd.DataFrame({"id": ["p1", "p2", "p3", "p4"], "area_id": ["a", "b", "b", "b"]})


def test_area_headlines_carry_units_denominators_and_the_top_risks():
    items = council.headlines("a", _areas(), _coverage(), _places(), _survey(False), "2020年国調推計", 500, "R7")
    by_label = {i.label: i for i in items}
    assert by_label["65歳以上人口"].value == "1,000人" and "75歳以上400人" in by_label["65歳以上人口"].note
    assert by_label["集いの場"].value == "1か所"
    assert by_label["徒歩500m圏"].value == "50%" and "500人÷65歳以上1,000人" in by_label["徒歩500m圏"].note
    risk = items[3]
    assert risk.label == "多いリスク：認知機能" and risk.value == "50%"  # 0.50 is area a's highest
    assert "運動器機能 30%" in risk.note and "R7" in risk.note


def test_city_headline_counts_all_places():
    items = council.headlines(None, _areas(), _coverage(), _places(), _survey(False), "x", 500, "R7")
    assert items[1].value == "4か所" and items[2].value == "80%"


def test_suppressed_area_never_shows_a_rate():
    items = council.headlines("a", _areas(), _coverage(), _places(), _survey(True), "x", 500, "R7")
    assert items[3].value == "非表示" and "%" not in items[3].value
    assert "n<10" in items[3].note


def test_without_a_survey_the_slide_says_so():
    items = council.headlines("b", _areas(), _coverage(), _places(), None, "x", 500, None)
    assert items[3].value == "―"


# --------------------------------------------------------------------------- distance, priority, files


@pytest.mark.parametrize("value,expected", [("800", 800), ("1000", 1000), ("750", 500), ("", 500), (None, 500),
                                            ("8e2", 500), ("<script>", 500)])
def test_distances_from_the_url_are_one_of_the_choices(value, expected):
    assert council.clamp_distance(value, (300, 500, 800, 1000), 500) == expected


def _priority_table(flags):
    """priority_areas-shaped rows; coverage and gaps chosen so the formatted text is easy to check."""
    return pd.DataFrame({"area_id": ["a", "b", "c"][:len(flags)], "coverage65": [0.7, 0.95, 0.9][:len(flags)],
                         "coverage_gap_pt": [-12.0, 13.0, 8.0][:len(flags)],
                         "risks_above_city": [2, 0, 1][:len(flags)], "priority": flags})


def test_priority_summary_keeps_the_order_and_formats_each_figure():
    summary = council.priority_summary(_priority_table([True, False, False]), {"a": "東地区", "b": "西地区"})
    assert summary.any_priority and summary.left_off == []
    first, second, third = summary.rows
    assert (first.area_name, first.priority, first.coverage, first.gap, first.risks) == (
        "東地区", True, "70%", "-12ポイント", "2項目")
    assert (second.area_name, second.gap) == ("西地区", "+13ポイント")
    assert third.area_name == "c"  # a name the store does not know keeps its id rather than vanishing


def test_priority_summary_says_when_no_area_qualifies():
    summary = council.priority_summary(_priority_table([False, False, False]), {})
    assert not summary.any_priority and len(summary.rows) == 3


def test_priority_summary_leaves_off_what_does_not_fit_and_says_which():
    summary = council.priority_summary(_priority_table([True, False, False]), {"c": "南地区"}, max_rows=2)
    assert len(summary.rows) == 2 and summary.left_off == ["南地区"]


def test_material_file_names_use_japanese_names_never_ids():
    names = council.material_file_names("chuo", "中央地区", "蕨市")
    assert names == {"karte": "地域カルテ_中央地区.pdf", "all": "地域カルテ_蕨市_全圏域.pdf", "map": "地図_中央地区.png"}
    city = council.material_file_names(None, "市全体", "蕨市")
    assert city["karte"] == city["all"] == "地域カルテ_蕨市_全圏域.pdf" and city["map"] == "地図_蕨市.png"
    assert council.material_file_names("x", "北/南:地区?", "蕨市")["map"] == "地図_北_南_地区.png"


def test_the_population_note_follows_the_citys_own_source():
    from dashboard.council import population_note

    # the demo: 2020 census mesh; a city with a 町丁目 table as of a date; a city that gave no date
    assert population_note({"population_kind": "mesh",
                            "population_as_of": "2020年国勢調査 250mメッシュ（町丁目・圏域は面積按分による推計）"}) == "2020年国調推計"
    assert population_note({"population_kind": "town_table", "population_as_of": "2022-01-01"}) == "2022-01-01時点"
    assert population_note({"population_kind": "town_table", "population_as_of": "時点不明"}) == "時点不明"


def test_survey_basis_names_the_profile_in_japanese():
    # the title line of dashboard/survey/profiles/*.toml, not the file key shown to QA 「判定基準 standard」
    assert council.survey_basis("standard", "2025-06-30") == "ニーズ調査（判定基準：標準（ニーズ調査の一般的な判定基準）、2025-06-30）"
    assert "変形：BMI 18.5以下" in council.survey_basis("variant_strict", "2025-06-30")
    with pytest.raises(ValueError, match="available"):
        council.survey_basis("nonexistent", "2025-06-30")
