"""Candidate badges on the coverage map: above the area names, escaped, a clicked point never hidden."""

from __future__ import annotations

import folium
import pytest

from dashboard.maps.candidates import ABOVE_LABELS, CandidateBadges
from dashboard.maps.coverage_map import candidate_badges


def html_of(element) -> str:
    fmap = folium.Map(location=[35.8, 139.7], zoom_start=14, tiles=None)
    element.add_to(fmap)
    return fmap.get_root().render()


def test_badges_sit_above_the_labels_and_let_clicks_through():
    html = html_of(CandidateBadges([(35.8, 139.7, "clicked", "地点1 +0人")], "#009E73"))
    assert f"zIndexOffset: {ABOVE_LABELS}" in html
    assert "interactive: false" in html
    assert "地点1 +0人" in html


def test_badge_text_is_escaped():
    html = html_of(CandidateBadges([(35.8, 139.7, "pick", "<img src=x onerror=alert(1)>`${x}`")], "#009E73"))
    assert "<img" not in html
    assert "${x}" not in html


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="'star'"):
        CandidateBadges([(35.8, 139.7, "star", "x")], "#009E73")


def test_every_clicked_point_gets_a_badge_unless_it_was_picked():
    picks = [{"lat": 35.81, "lon": 139.68, "gain65": 1234, "name": "中央公民館"}]
    extra = [(35.81, 139.68), (35.82, 139.69, "地点2 +0人"), (35.83, 139.70)]
    assert candidate_badges(picks, extra) == [
        (35.81, 139.68, "pick", "1. +1,234人"),        # the picked clicked point shows as the pick only
        (35.82, 139.69, "clicked", "地点2 +0人"),
        (35.83, 139.70, "clicked", "追加した地点"),
    ]
