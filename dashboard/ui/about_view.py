"""つどいマップについて, written for residents of whichever city is selected: what the map is, how to
use it, whom to ask, and where the data come from. Nothing here names a particular city; every
city-specific word comes from the store (the city's name and facts, see dashboard.store.reads.meta)."""

from __future__ import annotations

import streamlit as st

from dashboard import public_mode, sources
from dashboard.places_view import contact_parts
from dashboard.ui.text import md_escape

#: A city's own contact for questions about the map (free text, e.g. 「蕨市 介護保険課 048-…」),
#: stored as the city fact ``public_contact``; phone numbers in it become tap-to-call links.
CONTACT_FACT = "public_contact"


def _with_phone_links(text: str) -> str:
    return "".join(f"[{md_escape(piece)}](tel:{digits})" if digits else md_escape(piece)
                   for piece, digits in contact_parts(text))


def introduction(city: str) -> None:
    name = md_escape(city)
    st.subheader(f"{name}の「つどいマップ」とは", anchor=False)
    st.markdown(
        f"{name}の中で、どなたでも気軽に参加できる **集いの場・通いの場・サロン・認知症カフェ** などを、"
        "地図と一覧で探せるページです。歩いて行ける近くの場所や、行きたい曜日の集まりを見つけるのにお使いください。")
    st.markdown(
        "- **「絞り込み」** で、種別・曜日・地域（圏域）などを選べます。「結果を見る」で地図と一覧に戻ります。\n"
        "- 地図の点や一覧をタップすると、**日程・場所・連絡先** が出ます。電話番号をタップすると、スマートフォンから"
        "電話をかけられます。\n"
        "- 「一覧をCSVで保存」で、表計算ソフト（Excel など）で開ける一覧を保存できます。")


def contacts(city: str, meta: dict) -> None:
    name = md_escape(city)
    st.subheader("参加したいとき・お問い合わせ", anchor=False)
    lines = ["- 参加の申し込みや、日程・内容の確認は、それぞれの場所の **連絡先** へお問い合わせください。"
             "日程は変わることがあります。"]
    own = (meta.get(CONTACT_FACT) or "").strip()
    if own:
        lines.append(f"- このページの内容や、新しい場所の掲載についてのご相談：{_with_phone_links(own)}")
    else:
        lines.append(f"- このページの内容の誤りや、新しい場所の掲載のご相談は、{name}の高齢者福祉の担当窓口、"
                     f"または{name}の社会福祉協議会（生活支援コーディネーター）へお寄せください。")
    lines.append("- 体のことや介護のご相談は、お住まいの地域の **地域包括支援センター** へ。")
    st.markdown("\n".join(lines))


def data_notes(city: str, meta: dict) -> None:
    st.subheader("このページの情報について", anchor=False)
    lines = ["- 載っているのは、公開してよいと確認できた場所と情報だけです。"]
    if meta.get("demo") == "true":
        lines.append(f"- **この{md_escape(city)}の画面はデモです。** 圏域は「{sources.DEMO_AREA_NOTICE}」です。")
    synthetic = sources.city_synthetic(meta)
    if synthetic:
        lines.append(f"- {md_escape('、'.join(synthetic))}は「{sources.SYNTHETIC_NOTICE}」で、実在しません。")
    for label, key in (("施設の情報", "facilities_as_of"), ("人口", "population_as_of"), ("地域の境界", "boundary_as_of")):
        if meta.get(key):
            lines.append(f"- {label}の時点：{md_escape(meta[key])}")
    st.markdown("\n".join(lines))
    st.subheader("出典", anchor=False)
    st.code(sources.city_attribution(meta), language=None, wrap_lines=True)


def for_staff() -> None:
    """What the logged-in pages are for. Not on a public site (``TSUDOI_MODE=public``): it has no login."""
    if public_mode.requested():
        return
    st.subheader("市町村・社会福祉協議会の職員の方へ", anchor=False)
    st.markdown(
        "つどいマップは、生活支援体制整備事業の生活支援コーディネーターと協議体のための道具でもあります。"
        "ログインすると、圏域ごとに歩いて行ける範囲に集いの場があるか（圏域カバー状況）、介護予防・日常生活圏域"
        "ニーズ調査の結果（少人数の結果は隠して表示）、協議体の会議用の画面（会議モード）などが使えます。")
