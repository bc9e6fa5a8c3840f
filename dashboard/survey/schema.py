"""The canonical respondent file (one row per respondent) and its valid codes.

Any value that is not one of a column's valid codes (blank, 9, 99, 「無回答」 …) is *missing* for
that item. Height and weight outside their plausible ranges are missing too.
"""

from __future__ import annotations

ID_COLUMNS = ("respondent_id", "area_id")

_YES_NO = (1, 2)
_ABILITY = (1, 2, 3)  # できるし、している / できるけどしていない / できない
_FREQUENCY = (1, 2, 3, 4, 5, 6)  # 週4回以上 … 参加していない
_INTENT = (1, 2, 3, 4)  # 是非参加したい / 参加してもよい / 参加したくない / 既に参加している

GROUP_COLUMNS = ("grp_volunteer", "grp_sports", "grp_hobby", "grp_study", "grp_kayoi", "grp_senior_club",
                 "grp_neighborhood", "grp_paid_work")
GROUP_LABELS = {
    "grp_volunteer": "ボランティアのグループ", "grp_sports": "スポーツ関係のグループやクラブ",
    "grp_hobby": "趣味関係のグループ", "grp_study": "学習・教養サークル",
    "grp_kayoi": "介護予防のための通いの場", "grp_senior_club": "老人クラブ",
    "grp_neighborhood": "町内会・自治会", "grp_paid_work": "収入のある仕事",
}
IADL_COLUMNS = ("iadl_bus", "iadl_shopping", "iadl_meals", "iadl_bills", "iadl_savings")

#: Coded items → valid codes.
CODED = {
    "sex": (1, 2),
    "stairs": _ABILITY, "chair_rise": _ABILITY, "walk_15min": _ABILITY,
    "fall_past_year": (1, 2, 3), "fear_of_falling": (1, 2, 3, 4), "outings_weekly": (1, 2, 3, 4),
    "hard_to_chew": _YES_NO, "choking": _YES_NO, "dry_mouth": _YES_NO, "weight_loss": _YES_NO,
    "forgetful": _YES_NO,
    **{c: _ABILITY for c in IADL_COLUMNS},
    **{c: _FREQUENCY for c in GROUP_COLUMNS},
    "intent_participant": _INTENT, "intent_organizer": _INTENT,
    "depressed": _YES_NO, "anhedonia": _YES_NO,
}
#: What each scored item asks about, in a few words, for rules people read (「階段を昇る」, not ``stairs``).
ITEM_TOPICS = {
    "stairs": "階段を手すりなどを使わずに昇る", "chair_rise": "椅子から何もつかまらずに立ち上がる",
    "walk_15min": "15分くらい続けて歩く", "fall_past_year": "過去1年間の転倒", "fear_of_falling": "転倒への不安",
    "outings_weekly": "外出の頻度", "hard_to_chew": "固いものが食べにくい", "choking": "お茶や汁物でむせる",
    "dry_mouth": "口の渇き", "weight_loss": "6か月で2〜3kg以上の体重減少", "forgetful": "物忘れが多いと感じるか",
    "iadl_bus": "バスや電車で一人で外出", "iadl_shopping": "日用品の買い物", "iadl_meals": "食事の用意",
    "iadl_bills": "請求書の支払い", "iadl_savings": "預貯金の出し入れ", "depressed": "気分が沈む・ゆううつ",
    "anhedonia": "物事に興味がわかない", "intent_participant": "地域づくりへの参加者としての参加意向",
    "intent_organizer": "地域づくりへの企画・運営としての参加意向", "bmi": "BMI", "age": "年齢",
    "height_cm": "身長", "weight_kg": "体重", **GROUP_LABELS,
}
#: Numeric items → inclusive plausible range.
NUMERIC = {"age": (65, 120), "height_cm": (100, 220), "weight_kg": (25, 200)}

ANSWER_COLUMNS = tuple(NUMERIC) + tuple(CODED)
CANONICAL_COLUMNS = ID_COLUMNS + ANSWER_COLUMNS

#: Derived item: BMI = kg / m², from valid height and weight.
DERIVED = ("bmi",)

#: Help items of the needs ↔ helpers survey (editable list; ids are used in column names).
HELP_ITEMS = {
    "garbage": "ゴミ出し", "shopping": "買い物", "light_bulb": "電球交換", "talk": "話し相手",
    "garden": "庭の手入れ", "hospital_escort": "通院の付き添い", "meal": "食事づくり", "cleaning": "掃除",
    "watching": "見守り・安否確認", "transport": "送迎",
}
