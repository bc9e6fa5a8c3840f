"""Reproducible sample サロン / 通いの場 for the demo — synthetic, and labelled so everywhere.

Modelled on the seed manual's 蕨市 case: each 社協支部 runs a salon 月1〜2回, いきいき百歳体操 meets
weekly, and coordinators "rediscover" gatherings run by 町会, volunteers and residents. Most
samples sit at real venues (公民館・会館・福祉センター from the GSI shelter list); the rest at
plausible residential points drawn inside 町丁目 in proportion to their 65+ population.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

SAMPLE_LABEL = "サンプル（架空）"
#: Share of real venues that host sample gatherings.
HOSTING_SHARE = 0.6
SAMPLE_SOURCE = f"{SAMPLE_LABEL}：つどいマップのデモ用に生成したデータ（実在しません）"

# (category, display kind, rrule choices, schedule times, operator, activities, target, fee)
_AT_VENUE = (
    ("サロン", "ふれあいサロン", ("FREQ=MONTHLY;BYDAY=2TU", "FREQ=MONTHLY;BYDAY=2TU,4TU", "FREQ=MONTHLY;BYDAY=3TH"),
     "13:30〜15:00", "社会福祉協議会", "茶話会・趣味活動", "高齢者", "100円"),
    ("通いの場（体操）", "いきいき百歳体操", ("FREQ=WEEKLY;BYDAY=WE", "FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=FR"),
     "10:00〜11:00", "住民団体（自治会・NPO等）", "体操（運動）", "高齢者", "無料"),
    ("老人クラブ", "寿クラブ例会", ("FREQ=MONTHLY;BYDAY=1MO", "FREQ=MONTHLY;BYDAY=3WE"),
     "10:00〜12:00", "住民団体（自治会・NPO等）", "趣味活動・ボランティア活動", "高齢者", "会費制"),
    ("認知症カフェ", "オレンジカフェ", ("FREQ=MONTHLY;BYDAY=4SA", "FREQ=MONTHLY;BYDAY=2FR"),
     "14:00〜16:00", "介護関係施設・事業所", "茶話会・認知症予防", "認知症の人と家族", "100円"),
    ("通いの場（その他）", "健康マージャン教室", ("FREQ=WEEKLY;BYDAY=TH", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
     "13:00〜16:00", "住民団体（自治会・NPO等）", "趣味活動・認知症予防", "高齢者", "200円"),
)
_RESIDENTIAL = (
    ("居場所", "みんなの居場所", ("FREQ=WEEKLY;BYDAY=TU,FR",), "10:00〜15:00", "住民個人", "個人宅・空き家",
     "茶話会・多世代交流", "誰でも", "無料", "internal"),
    ("サロン", "町会サロン", ("FREQ=MONTHLY;BYDAY=1TH", "FREQ=MONTHLY;BYDAY=2WE,4WE"), "13:30〜15:00",
     "住民団体（自治会・NPO等）", "公民館・自治会館・集会所", "茶話会・会食", "高齢者", "200円", "public"),
    ("通いの場（体操）", "公園体操", ("FREQ=WEEKLY;BYDAY=MO,TH",), "9:00〜9:45", "住民団体（自治会・NPO等）",
     "公園", "体操（運動）", "誰でも", "無料", "public"),
    ("生活支援サービス", "ちょこっと助け合い隊", ("FREQ=WEEKLY;BYDAY=MO,WE,FR",), "9:00〜17:00（電話受付）",
     "住民団体（自治会・NPO等）", "その他", "ボランティア活動", "高齢者", "30分300円", "public"),
    ("通いの場（その他）", "おしゃべり会食会", ("FREQ=MONTHLY;BYDAY=3SA",), "11:30〜13:30", "住民個人",
     "店舗・空き店舗", "会食・茶話会", "高齢者", "500円", "public"),
)


def _random_point_in(polygon, rng: random.Random) -> Point:
    minx, miny, maxx, maxy = polygon.bounds
    while True:
        point = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if polygon.contains(point):
            return point


def _unique_name(where: str, kind: str, used: set[str]) -> str:
    """``where kind`` (錦町5丁目 公園体操), or for the second and later group of that kind there
    ``where 第N kind`` (錦町5丁目 第2公園体操), as real groups in one 町 are told apart. Takes no random
    draw, so the rest of the sample does not change when a name repeats."""
    name, number = f"{where} {kind}", 1
    while name in used:
        number += 1
        name = f"{where} 第{number}{kind}"
    used.add(name)
    return name


def _verified(rng: random.Random, as_of: date) -> str:
    """Mostly within the last year; about one in five older than 12 months (要確認)."""
    days = rng.randint(380, 900) if rng.random() < 0.2 else rng.randint(10, 330)
    return (as_of - timedelta(days=days)).isoformat()


def generate_demo_places(venues: pd.DataFrame, towns: gpd.GeoDataFrame, *, seed: int = 2016,
                         n_residential: int = 22, as_of: date = date(2026, 10, 1)) -> pd.DataFrame:
    """Sample places in our places template (text cells), sorted by id.

    ``venues``: ``name, address, lat, lon`` of real venues; ``towns``: 町丁目 with ``name``,
    ``est_pop65`` and polygon ``geometry`` (EPSG:4326). The same inputs and seed give the same rows.
    No two rows share a name: a town drawn twice for the same kind of gathering, or two venues with
    one name, get 「第2…」 (:func:`_unique_name`).
    """
    rng = random.Random(seed)
    rows = []
    used_names: set[str] = set()
    # Not every hall hosts a gathering yet: the free ones are where the next salon could open (#4).
    ordered = venues.sort_values("name").reset_index(drop=True)
    hosting = sorted(rng.sample(range(len(ordered)), k=round(len(ordered) * HOSTING_SHARE)))
    for venue in ordered.iloc[hosting].itertuples():
        for spec in rng.sample(_AT_VENUE, k=rng.choice((2, 2, 3))):
            category, kind, rules, time, operator, activities, target, fee = spec
            rule = rng.choice(rules)
            rows.append({
                "name": _unique_name(venue.name, kind, used_names), "category": category,
                "address": venue.address, "lat": f"{venue.lat:.6f}", "lon": f"{venue.lon:.6f}", "rrule": rule,
                "time": time,
                "operator_type": operator, "venue_type": "公民館・自治会館・集会所", "activities": activities,
                "target": target, "fee": fee, "visibility": "public", "capacity": str(rng.choice((20, 30, 40))),
            })
    weights = towns["est_pop65"].clip(lower=0).tolist()
    for number in range(n_residential):
        town = towns.iloc[rng.choices(range(len(towns)), weights=weights)[0]]
        point = _random_point_in(town.geometry, rng)
        category, kind, rules, time, operator, venue_type, activities, target, fee, visibility = rng.choice(_RESIDENTIAL)
        rows.append({
            "name": _unique_name(town["name"], kind, used_names), "category": category,
            "address": f"埼玉県蕨市{town['name']}（番地は架空）", "lat": f"{point.y:.6f}", "lon": f"{point.x:.6f}",
            "rrule": rng.choice(rules), "time": time,
            "operator_type": operator, "venue_type": venue_type, "activities": activities, "target": target,
            "fee": fee, "visibility": visibility, "capacity": str(rng.choice((8, 10, 15, 20))),
        })
    frame = pd.DataFrame(rows)
    frame["name"] = frame["name"] + f"（{SAMPLE_LABEL}）"
    from dashboard.schedule import describe_ja  # local: keeps this module's import list about data

    frame["schedule_text"] = [f"{describe_ja(r)} {t}" for r, t in zip(frame["rrule"], frame["time"])]
    frame["id"] = [f"demo-{i + 1:03d}" for i in range(len(frame))]
    frame["status"] = [rng.choices(("active", "paused", "closed"), weights=(92, 5, 3))[0] for _ in range(len(frame))]
    frame["last_verified"] = [_verified(rng, as_of) for _ in range(len(frame))]
    frame["contact_public"] = [f"048-000-{rng.randint(0, 9999):04d}（架空）" for _ in range(len(frame))]
    frame["contact_internal"] = [f"世話人 090-0000-{rng.randint(0, 9999):04d}（架空）" for _ in range(len(frame))]
    frame["transport"] = "なし"
    frame["location_precision"] = "manual"
    frame["source"] = SAMPLE_SOURCE
    return frame.drop(columns=["time"]).sort_values("id").reset_index(drop=True)
