"""Controlled vocabularies (domain.md §2) and the one place for per-category colours/symbols.

Colours are from the Okabe–Ito colour-blind-safe palette plus greys, so categories stay
distinguishable on a projector and for colour-blind viewers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    id: str  # the Japanese label is the id: it is what municipal files contain
    color: str
    symbol: str  # one character drawn inside the marker / legend
    gathering: bool  # counts as a gathering place for walking coverage by default (#4)


CATEGORIES: tuple[Category, ...] = (
    Category("サロン", "#E69F00", "サ", True),
    Category("通いの場（体操）", "#D55E00", "体", True),
    Category("通いの場（その他）", "#CC79A7", "通", True),
    Category("老人クラブ", "#0072B2", "老", True),
    Category("居場所", "#009E73", "居", True),
    Category("認知症カフェ", "#56B4E9", "認", True),
    Category("生活支援サービス", "#F0E442", "支", False),
    Category("移動販売・買い物支援", "#999933", "買", False),
    Category("子ども食堂", "#882255", "子", False),
    Category("公民館・集会所", "#555555", "館", False),
    Category("地域包括支援センター", "#332288", "包", False),
    Category("介護サービス事業所", "#888888", "介", False),
    Category("その他", "#BBBBBB", "他", False),
)
CATEGORY_IDS = tuple(c.id for c in CATEGORIES)
CATEGORY_BY_ID = {c.id: c for c in CATEGORIES}
GATHERING_CATEGORIES = tuple(c.id for c in CATEGORIES if c.gathering)

STATUSES = {"active": "活動中", "paused": "休止中", "closed": "終了"}
VISIBILITIES = {"public": "公開", "internal": "内部（コーディネーターのみ）"}
FREQUENCY_CLASSES = {"weekly": "週1回以上", "monthly": "月1〜3回", "less": "月1回未満", "unknown": "不明"}
LOCATION_PRECISIONS = {"surveyed": "測量・地図で確認", "address": "住所から", "town": "町丁目の代表点", "manual": "手入力"}

#: MHLW 通いの場類型化 Ver.1.0 (令和3年8月).
OPERATOR_TYPES = (
    "住民個人", "住民団体（自治会・NPO等）", "行政（介護予防担当）", "行政（その他）", "社会福祉協議会",
    "専門職団体", "医療機関", "介護関係施設・事業所", "民間企業", "その他",
)
VENUE_TYPES = (
    "個人宅・空き家", "公民館・自治会館・集会所", "公園", "農園", "学校・廃校", "医療機関",
    "介護関係施設・事業所", "店舗・空き店舗", "その他",
)
ACTIVITIES = (
    "体操（運動）", "会食", "茶話会", "認知症予防", "趣味活動", "農作業", "生涯学習",
    "ボランティア活動", "就労的活動", "多世代交流", "その他",
)
TARGETS = ("高齢者", "誰でも", "認知症の人と家族", "男性", "女性", "その他")
