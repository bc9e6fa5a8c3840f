"""Synthetic (サンプル) places never share a name; the demo build checks it.

Expected names are worked out here from each row's category (each residential kind has its own
category, written out below) and from how often it came before, not from the generator's naming code.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box
from sqlalchemy import func, select

from dashboard.demo import build, places
from dashboard.demo.build import build_demo, check_sample_names_unique
from dashboard.demo.places import SAMPLE_LABEL, generate_demo_places
from dashboard.store import models as m
from dashboard.store import reads
from dashboard.store.engine import open_store

CODE = "11223"
SUFFIX = f"（{SAMPLE_LABEL}）"
#: The residential kinds by category (dashboard/demo/places.py _RESIDENTIAL, one kind per category).
RESIDENTIAL_KIND = {"居場所": "みんなの居場所", "サロン": "町会サロン", "通いの場（体操）": "公園体操",
                    "生活支援サービス": "ちょこっと助け合い隊", "通いの場（その他）": "おしゃべり会食会"}


def one_town(name: str = "本町1丁目") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": [name], "est_pop65": [100.0]},
                            geometry=[box(139.67, 35.82, 139.68, 35.83)], crs="EPSG:4326")


NO_VENUES = pd.DataFrame({"name": [], "address": [], "lat": [], "lon": []})


def test_one_town_drawn_twelve_times_gives_twelve_names():
    # 12 gatherings, all in one town, over 5 kinds: at least 7 repeat a kind already there. The
    # first of a kind is 「本町1丁目 公園体操」, the second 「本町1丁目 第2公園体操」, and so on.
    rows = generate_demo_places(NO_VENUES, one_town(), n_residential=12, seed=7)
    seen: dict[str, int] = {}
    expected = []
    for category in rows["category"]:
        seen[category] = seen.get(category, 0) + 1
        kind = RESIDENTIAL_KIND[category]
        number = seen[category]
        expected.append(f"本町1丁目 {kind}{SUFFIX}" if number == 1 else f"本町1丁目 第{number}{kind}{SUFFIX}")
    assert rows["name"].tolist() == expected
    assert rows["name"].is_unique
    assert max(seen.values()) >= 3  # pigeonhole: 12 draws of 5 kinds put 3 or more on one


@pytest.mark.parametrize("seed", range(20))
def test_two_halls_of_one_name_never_give_one_name(seed, monkeypatch):
    # two different halls called 中央会館 (another city could have that); each hosts 2–3 of the 5 kinds
    venues = pd.DataFrame({"name": ["中央会館", "中央会館"], "address": ["本町1-1", "本町9-9"],
                           "lat": [35.821, 35.829], "lon": [139.671, 139.679]})
    monkeypatch.setattr(places, "HOSTING_SHARE", 1.0)  # both halls host, so one kind can fall on both
    rows = generate_demo_places(venues, one_town(), n_residential=8, seed=seed)
    assert rows["name"].is_unique, rows["name"].tolist()
    at_halls = rows[rows["address"].isin(["本町1-1", "本町9-9"])]
    shared = set(at_halls.loc[at_halls["address"] == "本町1-1", "category"]) \
        & set(at_halls.loc[at_halls["address"] == "本町9-9", "category"])
    # each kind held at both halls is 「中央会館 …」 at one and 「中央会館 第2…」 at the other
    assert sum(name.startswith("中央会館 第2") for name in at_halls["name"]) == len(shared)


def test_unique_names_take_no_random_draw(monkeypatch):
    # with names made the old way (which repeated), every other column is the same: making names
    # unique changed no status, date, schedule or position of any sample place
    towns = one_town()
    new = generate_demo_places(NO_VENUES, towns, n_residential=12, seed=7)

    def old_name(where, kind, used):
        return f"{where} {kind}"

    monkeypatch.setattr(places, "_unique_name", old_name)
    old = generate_demo_places(NO_VENUES, towns, n_residential=12, seed=7)
    assert not old["name"].is_unique
    pd.testing.assert_frame_equal(new.drop(columns=["name"]), old.drop(columns=["name"]))


# --- the 蕨市 demo store -----------------------------------------------------------------------------

def test_the_demo_stores_sample_places_have_distinct_names(demo_engine):
    samples = reads.places(demo_engine, CODE, internal=True).query("is_synthetic")
    assert samples["name"].is_unique, samples["name"][samples["name"].duplicated(keep=False)].tolist()
    # before the fix these two were each drawn twice for their town (seed 2016); now the second is 第2
    names = set(samples["name"])
    for town, kind in (("錦町5丁目", "公園体操"), ("錦町1丁目", "ちょこっと助け合い隊")):
        assert {f"{town} {kind}{SUFFIX}", f"{town} 第2{kind}{SUFFIX}"} <= names


def test_the_check_names_each_repeated_name():
    rows = pd.DataFrame({"name": ["A サロン", "B 体操", "A サロン", "C", "B 体操", "A サロン"]})
    with pytest.raises(AssertionError) as error:
        check_sample_names_unique(rows)
    message = str(error.value)
    assert "2 names repeat" in message and "「A サロン」×3" in message and "「B 体操」×2" in message
    assert "C" not in message.split("repeat:")[1].split("(")[0]
    check_sample_names_unique(rows.drop_duplicates())  # distinct names pass


def test_the_demo_build_refuses_repeated_sample_names_and_writes_nothing(tmp_path, monkeypatch):
    def repeating(venues, towns, **kwargs):
        rows = generate_demo_places(venues, towns, **kwargs)
        rows.loc[1, "name"] = rows.loc[0, "name"]
        return rows

    monkeypatch.setattr(build, "generate_demo_places", repeating)
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        with pytest.raises(AssertionError, match="must not share a name"):
            build_demo(engine)
        with engine.connect() as connection:  # one transaction: nothing of the build was kept
            assert connection.scalar(select(func.count()).select_from(m.Place)) == 0
            assert connection.scalar(select(func.count()).select_from(m.Town)) == 0
    finally:
        engine.dispose()
