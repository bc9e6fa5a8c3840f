"""The privacy check of 活動記録 (#16) on a table of cases: what must warn and what must not.

Each case was written by hand from how coordinators write notes; the expected finding is the part of
the text a person would point at. Names are checked with SudachiPy (the product's analyser) and with
the surname-list fallback, whose known limits are cases of their own.
"""

from __future__ import annotations

import pytest

from dashboard.records import privacy
from dashboard.records.entries import FollowUp, RecordInput, VoiceEntry, privacy_findings

#: (text, expected [(kind, matched text)]) — the same for both name finders.
CASES = [
    # phone numbers
    ("電話 048-431-1234 まで", [("phone", "048-431-1234")]),
    ("０９０－１２３４－５６７８に連絡", [("phone", "090-1234-5678")]),  # full width, NFKC
    ("048(432)1234", [("phone", "048(432)1234")]),
    ("+81 48-432-1234", [("phone", "+81 48-432-1234")]),
    ("0120-123-456は無料", [("phone", "0120-123-456")]),
    ("0484311234", [("phone", "0484311234")]),
    ("連絡先 TEL 431-1234", [("phone", "431-1234")]),  # a local number after TEL
    ("電話番号は431ー1234", [("phone", "431-1234")]),  # katakana long vowel between digits
    # e-mail
    ("mail: taro.yamada@example.jp", [("email", "taro.yamada@example.jp")]),
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", [("email", "taro@example.jp")]),
    # addresses down to the 番地
    ("錦町3丁目5番10号の方", [("address", "丁目5番10号")]),
    ("北町二丁目5番地", [("address", "丁目5番地")]),
    ("中央1-2-3に住む方", [("address", "1-2-3")]),
    ("錦町3-27の方", [("address", "3-27")]),
    ("蕨市中央4丁目21-29", [("address", "丁目21-29")]),
    ("〒335-0004", [("address", "〒335-0004")]),
    ("団地の101号室", [("address", "101号室")]),
    ("五番地", [("address", "五番地")]),
    # names
    ("山田花子さんが来た", [("name", "山田花子さん")]),
    ("田中さんが困っている", [("name", "田中さん")]),
    ("佐藤会長より報告", [("name", "佐藤会長")]),
    ("山本さん宅を訪問", [("name", "山本さん")]),
    ("岡田はな様", [("name", "岡田はな様")]),
    # nothing personal: dates, counts, 町丁目, place names that are also surnames, common nouns + さん
    ("2024-04-01に開催", []),
    ("令和6年4月1日", []),
    ("参加者15名、うち男性5人", []),
    ("第1-2回の講座", []),
    ("約3-4人で話し合い", []),
    ("平成30-31年度の事業", []),
    ("10-12月に実施", []),
    ("4/1から移動販売が来なくなった", []),
    ("錦町3丁目の集会所", []),
    ("1番大変なのは坂道", []),
    ("バス停まで500m", []),
    ("塚越の坂が急", []),
    ("栗原の集会所で", []),
    ("片山地区の座談会", []),
    ("民生委員の方から報告", []),
    ("町会長さんと話した", []),
    ("八百屋さんが閉店した", []),
    ("皆さんで話し合った", []),
    ("独居高齢者は会話の機会が少ない", []),
    ("買い物やゴミ出しに困っている", []),
    ("12345678901234", []),  # 14 digits: no phone number
    ("", []),
]
#: Names only the analyser finds (the fallback needs a surname from its list and an honorific or role).
ANALYSER_ONLY = [
    ("山田 花子", [("name", "山田 花子")]),  # 姓 + 名 without honorific
    ("はなこさんが来た", [("name", "はなこさん")]),  # a given name alone, with さん
    ("ヤマダ・ハナコ", [("name", "ヤマダ・ハナコ")]),
]


def found(text: str, *, use_analyser: bool = True) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in privacy.check(text, use_analyser=use_analyser)]


@pytest.mark.parametrize(("text", "expected"), CASES + ANALYSER_ONLY, ids=[c[0] or "empty" for c in CASES + ANALYSER_ONLY])
def test_with_the_analyser(text, expected):
    assert privacy.analyser_available(), "SudachiPy with sudachidict_small is pinned in requirements.txt"
    assert found(text) == expected


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_with_the_surname_list_fallback(text, expected):
    assert found(text, use_analyser=False) == expected


@pytest.mark.parametrize(("text", "_"), ANALYSER_ONLY, ids=[c[0] for c in ANALYSER_ONLY])
def test_the_fallbacks_documented_limits(text, _):
    assert found(text, use_analyser=False) == []


def test_a_record_is_checked_field_by_field_with_labels():
    record = RecordInput(held_on=None, kind="訪問", summary="北町の見守り",
                         voices=(VoiceEntry("バス停まで遠い"), VoiceEntry("田中さんが心配")),
                         followups=(FollowUp("連絡する", owner="sato@example.jp"),))
    findings = privacy_findings(record)
    assert [(f.field, f.kind, f.text) for f in findings] == [("地域の声2", "name", "田中さん"),
                                                             ("フォローアップ1の担当", "email", "sato@example.jp")]
    assert findings[0].message() == "地域の声2：「田中さん」は個人の名前のように見えます"
