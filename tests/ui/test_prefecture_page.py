"""県内の状況 (/prefecture) under AppTest: the table of all 63 municipalities with the demo's figures
checked by hand, the map the page draws, who sees whose places, and that anonymous visitors never
reach it (menu or deep link). Expected figures: tests/dashboard/test_prefecture.py's docstring."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dashboard.auth import AuthenticatedUser, add_user
from dashboard.services.users import limit_to_city
from dashboard.store.engine import open_store
from tests.dashboard.test_prefecture import features
from tests.dashboard.test_prefecture import build_two_cities
from tests.ui.apptest import DEMO_COORDINATOR, app_on

TITLE = "県内の状況"
PAGE = "../pages/prefecture.py"


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def tables(at: AppTest) -> list:
    """The comparison of loaded cities (when any), then every municipality."""
    return [d.value for d in at.dataframe if "市町村" in d.value.columns]


@pytest.fixture
def drawn(monkeypatch):
    """The folium maps the page hands to st_folium (AppTest cannot run the component)."""
    import dashboard.ui.prefecture_view as view

    maps = []
    monkeypatch.setattr(view, "show_map", lambda fmap, **kwargs: maps.append(fmap))
    return maps


def test_a_coordinator_sees_every_municipality_and_the_demo_figures(coordinator_app, drawn):
    at = coordinator_app.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert titles(at) == [TITLE]
    loaded, everyone = tables(at)
    assert len(everyone) == 63 and everyone["市町村コード"].is_unique
    assert list(loaded["市町村"]) == ["蕨市"]
    warabi = loaded.iloc[0]
    assert warabi["65歳以上（人）"] == 17_477 and warabi["65歳以上割合（%）"] == 23.2
    assert warabi["集いの場（か所）"] == 34 and warabi["65歳以上1,000人あたりの場（か所）"] == 1.99  # 34 ÷ 17,058.88 × 1,000
    assert warabi["数えた場"] == "すべての場"
    assert list(everyone.columns) == ["市町村コード", "市町村", "総人口（人）", "65歳以上（人）", "65歳以上割合（%）", "登録"]
    assert (everyone["登録"] == "登録済み").sum() == 1
    captions = " ".join(c.value for c in at.caption)
    assert "国土数値情報" in captions and "住民基本台帳" in captions and "2022年1月1日" in captions
    assert [b.label for b in at.get("download_button")] == ["この表をCSVで保存（Excel用）"]
    assert len(drawn) == 1 and len(features(drawn[-1])) == 63
    assert "65歳以上割合（%、住基 2022年1月1日）" in [m.value.strip("*") for m in at.markdown]


def test_switching_the_indicator_recolours_the_map(coordinator_app, drawn):
    at = coordinator_app.run()
    at.switch_page(PAGE).run()
    at.radio(key="tsudoi_prefecture_indicator").set_value("coverage_share").run()
    assert not at.exception, at.exception
    assert "徒歩500 m圏の65歳以上の割合（徒歩カバー率、%）" in [m.value.strip("*") for m in at.markdown]
    legend = " ".join(h.proto.body for h in at.get("html"))
    assert "未登録（このストアにない市町村）" in legend and "95%以上" in legend
    colors = {f["properties"]["code"]: f["properties"]["color"] for f in features(drawn[-1])}
    assert colors["11223"] == "#08519c" and colors["11100"] == "#bdbdbd"  # 98.1% covered; not loaded


def test_anonymous_visitors_cannot_open_the_page(monkeypatch, demo_db_url):
    at = app_on(monkeypatch, demo_db_url).run()
    with pytest.raises(ValueError, match="prefecture.py"):
        at.switch_page(PAGE)
    at._page_hash = calc_hash("prefecture")  # what a deep link to /prefecture sends (test_coverage_page.py)
    at.run()
    assert not at.exception
    assert titles(at) == ["ログイン"] and not tables(at)


def test_the_public_site_does_not_offer_it():
    from dashboard.ui import navigation

    assert "prefecture" in navigation.INTERNAL_PATHS
    assert all(spec.public is False for spec in navigation.PAGES if spec.url_path == "prefecture")


@pytest.fixture(scope="module")
def limited_store(demo_db_path, tmp_path_factory):
    db = build_two_cities(demo_db_path, tmp_path_factory.mktemp("prefecture_ui") / "store.sqlite")
    engine = open_store(f"sqlite:///{db}")
    add_user(engine, "niiza_sc", "pass1234", "coordinator")
    limit_to_city(engine, "niiza_sc", "11230")
    engine.dispose()
    return db


def test_a_coordinator_limited_to_niiza_sees_no_warabi_internal_numbers(monkeypatch, limited_store, drawn):
    at = app_on(monkeypatch, limited_store, AuthenticatedUser("niiza_sc", "coordinator"), timeout_s=120).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    loaded = tables(at)[0].set_index("市町村")
    # 蕨市: its 32 public places only (the demo's 2 internal 居場所 would make 34); 新座市: all 7, its own
    assert loaded.at["蕨市", "集いの場（か所）"] == 32 and loaded.at["蕨市", "数えた場"] == "公開の場のみ"
    assert loaded.at["蕨市", "65歳以上1,000人あたりの場（か所）"] == 1.88  # 32 ÷ 17,058.88 × 1,000 = 1.876
    assert loaded.at["新座市", "集いの場（か所）"] == 7 and loaded.at["新座市", "数えた場"] == "すべての場"
    at.radio(key="tsudoi_prefecture_indicator").set_value("places_per_1000_65").run()
    tooltips = " ".join(f["properties"]["label"] for f in features(drawn[-1]))
    assert "集いの場 32か所（公開の場のみ）" in tooltips and "集いの場 34か所" not in tooltips
    assert any("公開している場だけ" in c.value for c in at.caption)
