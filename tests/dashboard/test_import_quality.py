"""Import quality (#6): schedule words → RRULE, phone numbers, 和暦, offline geocoding to 町丁目,
an explicit column mapping and a preview of what an import would change.

Files are written here byte by byte, as municipalities' tools write them. Expected values are
worked out in the comments (the reference year 2025 has 53 Wednesdays and 52 of every other
weekday; 蕨市's 町丁目 points come from the demo store, i.e. the bundled Geolonia data).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard.errors import InputError
from dashboard.importers.places import read_places_file, validate
from dashboard.importers.preview import preview_changes
from dashboard.normalize import looks_like_phone, normalize_phone, parse_date_ja
from dashboard.schedule import describe_ja, frequency_class, parse_schedule_ja
from dashboard.store import models as m
from dashboard.store import reads, writes
from dashboard.store.engine import open_store, read_session, revision, write_session

CODE, PREFECTURE = "11223", 11  # 蕨市
LAT, LON = 35.827789, 139.672853  # 蕨市 総合社会福祉センター (in 錦町3丁目)


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.fixture(scope="module")
def towns(demo_db_url) -> pd.DataFrame:
    engine = open_store(demo_db_url)
    try:
        return reads.towns(engine, CODE)
    finally:
        engine.dispose()


def town_row(towns: pd.DataFrame, name: str) -> pd.Series:
    return towns.set_index("name").loc[name]


# --- schedule words → RRULE ----------------------------------------------------------------------

@pytest.mark.parametrize("text, rule", [
    ("毎週水曜", "FREQ=WEEKLY;BYDAY=WE"),
    ("毎週水曜日", "FREQ=WEEKLY;BYDAY=WE"),
    ("水曜日（毎週）", "FREQ=WEEKLY;BYDAY=WE"),
    ("毎週月・木曜", "FREQ=WEEKLY;BYDAY=MO,TH"),
    ("毎週月曜・木曜日", "FREQ=WEEKLY;BYDAY=MO,TH"),
    ("毎週 火、金曜日", "FREQ=WEEKLY;BYDAY=TU,FR"),
    ("隔週金曜", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"),
    ("隔週金曜日 13:30〜15:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"),
    ("第2・第4火曜", "FREQ=MONTHLY;BYDAY=2TU,4TU"),
    ("毎月第２・第４火曜日", "FREQ=MONTHLY;BYDAY=2TU,4TU"),  # full-width digits
    ("第2・4火曜", "FREQ=MONTHLY;BYDAY=2TU,4TU"),
    ("第二・第四火曜", "FREQ=MONTHLY;BYDAY=2TU,4TU"),
    ("毎月第1月曜", "FREQ=MONTHLY;BYDAY=1MO"),
    ("第2火曜日", "FREQ=MONTHLY;BYDAY=2TU"),
    ("第1月曜・第3木曜", "FREQ=MONTHLY;BYDAY=1MO,3TH"),
    ("最終金曜", "FREQ=MONTHLY;BYDAY=-1FR"),
    ("毎月最終金曜日", "FREQ=MONTHLY;BYDAY=-1FR"),
    ("毎月15日", "FREQ=MONTHLY;BYMONTHDAY=15"),
    ("毎月１５日", "FREQ=MONTHLY;BYMONTHDAY=15"),
    ("毎月1日・15日", "FREQ=MONTHLY;BYMONTHDAY=1,15"),
    ("毎週水曜 10:00〜11:30", "FREQ=WEEKLY;BYDAY=WE"),
    ("毎週水曜日　１０：００～１１：３０", "FREQ=WEEKLY;BYDAY=WE"),  # full-width time and tilde
    ("毎週水曜日の10時から", "FREQ=WEEKLY;BYDAY=WE"),
    ("第2火曜 10:00〜11:30、13:00〜14:30", "FREQ=MONTHLY;BYDAY=2TU"),
])
def test_unambiguous_schedule_words_become_rrules(text, rule):
    assert parse_schedule_ja(text) == rule


@pytest.mark.parametrize("text", [
    "月2回程度", "不定期", "要問合せ", "", None,
    "水曜日",  # once, or every week?
    "毎週水曜（祝日除く）",  # an exception the rule cannot hold
    "第2週の火曜",  # 2nd week's Tuesday is the 1st Tuesday when the month starts on a Wednesday
    "毎月第2火曜（8月休み）",
    "15日",  # one date, or every month?
    "毎月32日", "第6火曜", "毎週",
    "毎週日",  # no 曜: "日" could be a date
])
def test_ambiguous_schedule_words_give_no_rule(text):
    assert parse_schedule_ja(text) is None


@pytest.mark.parametrize("rule", [
    "FREQ=WEEKLY;BYDAY=WE", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "FREQ=WEEKLY;BYDAY=TU,FR",
    "FREQ=MONTHLY;BYDAY=2TU", "FREQ=MONTHLY;BYDAY=2TU,4TU", "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=MONTHLY;BYMONTHDAY=15", "FREQ=MONTHLY;BYMONTHDAY=1,15",
])
def test_what_describe_ja_writes_is_read_back_as_the_same_rule(rule):
    assert parse_schedule_ja(describe_ja(rule)) == rule


@pytest.mark.parametrize("text, expected", [
    ("毎週月・木曜", "weekly"),  # 104 a year
    ("隔週金曜", "monthly"),  # 26 a year = 月2回程度
    ("最終金曜", "monthly"),  # 12 a year
    ("毎月1日・15日", "monthly"),  # 24 a year
])
def test_parsed_rules_have_the_expected_frequency_class(text, expected):
    assert frequency_class(parse_schedule_ja(text)) == expected


def frame(**columns) -> pd.DataFrame:
    base = {"name": ["サロン"], "category": ["サロン"], "lat": [str(LAT)], "lon": [str(LON)]}
    base.update({k: [v] for k, v in columns.items()})
    return pd.DataFrame(base, dtype=str)


def test_validate_fills_an_empty_rrule_from_schedule_words_and_keeps_the_text():
    record = validate(frame(schedule_text="毎月第2・第4火曜 10:00〜11:30", rrule=""), "t.csv")[0]
    assert record["rrule"] == "FREQ=MONTHLY;BYDAY=2TU,4TU"
    assert record["frequency_class"] == "monthly"  # 24 a year
    assert record["schedule_text"] == "毎月第2・第4火曜 10:00〜11:30"


def test_schedule_words_that_disagree_with_the_rrule_are_a_problem_not_kept_beside_it():
    # #11: words and rule must never drift apart; 毎週水曜 (53 a year) is not 毎月第1水曜 (12)
    with pytest.raises(InputError) as error:
        validate(frame(schedule_text="毎週水曜", rrule="FREQ=MONTHLY;BYDAY=1WE"), "t.csv")
    (problem,) = error.value.problems
    assert (problem.row, problem.column) == (2, "schedule_text")
    assert "毎週水曜" in problem.message_ja and "毎月第1水曜" in problem.message_ja


def test_words_that_agree_with_the_rrule_are_rewritten_from_it_keeping_the_time():
    record = validate(frame(schedule_text="第１水曜日 １０：００～１１：３０", rrule="FREQ=MONTHLY;BYDAY=1WE"), "t.csv")[0]
    assert record["rrule"] == "FREQ=MONTHLY;BYDAY=1WE" and record["frequency_class"] == "monthly"
    assert record["schedule_text"] == "毎月第1水曜 10:00〜11:30"


def test_ambiguous_schedule_words_leave_the_rule_empty_without_an_error():
    record = validate(frame(schedule_text="月2回程度（要問合せ）"), "t.csv")[0]
    assert record["rrule"] is None and record["frequency_class"] == "unknown"
    assert record["schedule_text"] == "月2回程度（要問合せ）"


# --- phone numbers ---------------------------------------------------------------------------------
# Expected hyphenation is the area code, then the local exchange, then the subscriber number, from
# 総務省's list of 市外局番 (not from phonenumbers' output): 048 (蕨・さいたま, 3-digit exchange), 03
# (東京23区, 4-digit exchange), 0494 (秩父, 2-digit), 04992 (伊豆大島, 1-digit); 0120 free dial is
# 0120-XXX-XXX, 0800 free dial 0800-XXX-XXXX, mobiles and IP phones 0X0-XXXX-XXXX.

@pytest.mark.parametrize("text, expected", [
    ("048-432-1234", "048-432-1234"),
    ("０４８－４３２－１２３４", "048-432-1234"),  # full width
    ("048ー432ー1234", "048-432-1234"),  # katakana long vowel mark
    ("048―432―1234", "048-432-1234"),  # horizontal bar
    ("048‐432‐1234", "048-432-1234"),  # hyphen U+2010
    ("048(432)1234", "048-432-1234"),
    ("０４８（４３２）１２３４", "048-432-1234"),
    ("048 432 1234", "048-432-1234"),
    # Until the switch to phonenumbers, digits typed without hyphens were kept as they were
    # ("0484321234"), so one place showed 0484321234 and the next 048-432-1234. The area code fixes
    # where the hyphens go, so they are put there, as they are for wrongly placed ones.
    ("0484321234", "048-432-1234"),
    ("0484-32-1234", "048-432-1234"),
    ("0312345678", "03-1234-5678"),
    ("0494221234", "0494-22-1234"),
    ("04992-2-1234", "04992-2-1234"),
    ("0120-123-456", "0120-123-456"),  # free dial: 10 digits
    ("0120123456", "0120-123-456"),
    ("0800-123-4567", "0800-123-4567"),  # free dial: 11 digits
    ("08001234567", "0800-123-4567"),
    ("0570-123-456", "0570-123-456"),  # ナビダイヤル
    ("090-1234-5678", "090-1234-5678"),
    ("０８０１２３４５６７８", "080-1234-5678"),
    ("070-1234-5678", "070-1234-5678"),
    ("050-1234-5678", "050-1234-5678"),
    ("+81 48-432-1234", "048-432-1234"),
    ("+81 (0)48 432 1234", "048-432-1234"),  # the (0) of international business cards
    ("+81-90-1234-5678", "090-1234-5678"),
    ("＋８１ ９０ １２３４ ５６７８", "090-1234-5678"),
    # 048 numbers never have a local exchange starting with 0: these digits are area 0480 (久喜・幸手)
    ("048-000-0000", "0480-00-0000"),
])
def test_normalize_phone(text, expected):
    assert normalize_phone(text) == expected


@pytest.mark.parametrize("text", [
    "048-432-123",  # 9 digits
    "090-1234-567",  # a mobile number needs 11 digits
    "03-1234-56789",  # 11 digits but not a mobile/IP prefix
    "0120-12-345",  # 9 digits
    "48-432-1234",  # no leading 0
    "0048-432-1234",  # international prefix, not a domestic number
    "+1 650 253 0000",  # a number in the US, not in Japan
    "011-123-4567",  # 札幌 (011) has no local exchange starting with 1
    "090-0123-4567",  # nor do mobiles: 090-0… is no number
    "電話",
    "",
])
def test_normalize_phone_rejects_what_cannot_be_a_japanese_number(text):
    with pytest.raises(ValueError):
        normalize_phone(text)


def test_normalize_phone_writes_every_kind_of_japanese_number_with_digits_and_hyphens_only():
    # one example number of each kind phonenumbers knows for Japan, written out of its +81 form:
    # the national form always starts with one 0 and has two hyphens (none is left unformatted)
    import phonenumbers

    kinds = [kind for name, kind in vars(phonenumbers.PhoneNumberType).items() if name.isupper()]
    examples = [phonenumbers.example_number_for_type("JP", kind) for kind in kinds]
    written = [f"+81 {example.national_number}" for example in examples if example is not None]
    assert len(written) >= 7  # fixed, mobile, pager, personal, premium, free dial, ナビダイヤル, IP
    for text in written:
        national = normalize_phone(text)
        assert re.fullmatch(r"0[1-9]\d*-\d+-\d+", national), (text, national)
        assert national.replace("-", "") == "0" + text.removeprefix("+81 ")


@pytest.mark.parametrize("text, expected", [
    ("048-432-1234", True), ("０４８（４３２）１２３４", True), ("048-432-123", True),
    ("社協 048-432-1234", False), ("info@example.jp", False), ("世話人まで", False), ("", False), ("--", False),
])
def test_looks_like_phone(text, expected):
    assert looks_like_phone(text) is expected


def test_validate_normalises_a_public_phone_and_keeps_free_text_contacts():
    records = validate(pd.concat([frame(name="A", contact_public="０４８－４３２－１２３４"),
                                  frame(name="B", contact_public="社会福祉協議会 048-432-1234")], ignore_index=True), "t.csv")
    assert records[0]["contact_public"] == "048-432-1234"
    assert records[1]["contact_public"] == "社会福祉協議会 048-432-1234"


# --- 和暦 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("平成元年1月8日", date(1989, 1, 8)),  # 平成 1 = 1989
    ("H1.1.8", date(1989, 1, 8)),
    ("平成4年2月29日", date(1992, 2, 29)),  # 1992 is a leap year
    ("昭和元年12月25日", date(1926, 12, 25)),  # 昭和 1 = 1926
    ("昭和60年4月1日", date(1985, 4, 1)),
    ("Ｓ６０．４．１", date(1985, 4, 1)),
])
def test_heisei_and_showa_dates(text, expected):
    assert parse_date_ja(text) == expected


@pytest.mark.parametrize("text", ["令和2年2月30日", "平成31年2月29日", "昭和63年2月30日"])  # 2019 is not a leap year
def test_impossible_wareki_dates_are_rejected(text):
    with pytest.raises(ValueError):
        parse_date_ja(text)


# --- good files ------------------------------------------------------------------------------------

def test_cp932_file_with_taka_and_half_width_kana_keeps_the_text_and_reads_the_category(tmp_path):
    header = "名称,名称_カナ,種別,緯度,経度,住所".encode("cp932")
    row = (b"\xfb\xfc" + "橋ｻﾛﾝ,ﾀｶﾊｼｻﾛﾝ,ｻﾛﾝ,".encode("cp932")  # 髙 = 0xFBFC (not in plain Shift_JIS)
           + f"{LAT},{LON},".encode("ascii") + "埼玉県蕨市中央１－２－３".encode("cp932"))
    path = tmp_path / "cp932.csv"
    path.write_bytes(header + b"\r\n" + row + b"\r\n")
    parsed = read_places_file(path)
    assert parsed.encoding == "cp932"
    record = parsed.records[0]
    assert record["name"] == "髙橋ｻﾛﾝ"  # original text kept, half-width kana and all
    assert record["name_kana"] == "ﾀｶﾊｼｻﾛﾝ"
    assert record["category"] == "サロン"  # a vocabulary value: read through NFKC
    assert record["address"] == "埼玉県蕨市中央１－２－３"


def test_ods_v1_headers(tmp_path):
    path = write_csv(tmp_path / "ods_v1.csv", [
        "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,名称_英字,住所,方書,緯度,経度,"
        "電話番号,利用可能曜日,備考",
        f"112232,7,埼玉県,蕨市,中央公民館,チュウオウコウミンカン,Chuo Kominkan,埼玉県蕨市中央1-1-1,2階,{LAT},{LON},"
        "０４８－４３２－１２３４,月火水木金,会議室あり",
    ], encoding="utf-8-sig")
    parsed = read_places_file(path, default_category="公民館・集会所")
    record = parsed.records[0]
    # NO numbers one dataset's rows (not an id across datasets): the id is derived, NO left unread
    assert record["id"].startswith("p-")
    assert (record["prefecture"], record["city"], record["name"]) == ("埼玉県", "蕨市", "中央公民館")
    assert (record["address"], record["building"]) == ("埼玉県蕨市中央1-1-1", "2階")
    assert (record["lat"], record["lon"]) == (LAT, LON)
    assert record["contact_public"] == "048-432-1234"
    assert record["notes"] == "会議室あり" and record["category"] == "公民館・集会所"
    assert parsed.unknown_columns == ["都道府県コード又は市区町村コード", "NO", "名称_英字", "利用可能曜日"]


def test_english_keys_of_city_portals(tmp_path):
    path = write_csv(tmp_path / "portal.csv", [
        "name,address,latitude,longitude,telephoneNumber",
        f"Warabi Salon,埼玉県蕨市錦町3-3-27,{LAT},{LON},048-432-1234",
    ])
    record = read_places_file(path, default_category="サロン").records[0]
    assert (record["name"], record["address"]) == ("Warabi Salon", "埼玉県蕨市錦町3-3-27")
    assert (record["lat"], record["lon"], record["contact_public"]) == (LAT, LON, "048-432-1234")


def test_schedule_words_in_a_file_become_rrules(tmp_path):
    path = write_csv(tmp_path / "schedule.csv", [
        "名称,種別,緯度,経度,開催日",
        f"A,サロン,{LAT},{LON},毎週水曜 10:00～11:30",  # CP932 0x8160 is read as U+FF5E ～, not U+301C 〜
        f"B,サロン,{LAT},{LON},第２・第４火曜日",
        f"C,サロン,{LAT},{LON},不定期",
    ], encoding="cp932")
    a, b, c = read_places_file(path).records
    assert (a["rrule"], a["frequency_class"]) == ("FREQ=WEEKLY;BYDAY=WE", "weekly")
    # the words are derived from the rule (#11: one source of truth); the time is kept, written 〜
    assert a["schedule_text"] == "毎週水曜 10:00〜11:30"
    assert (b["rrule"], b["frequency_class"]) == ("FREQ=MONTHLY;BYDAY=2TU,4TU", "monthly")
    assert b["schedule_text"] == "毎月第2・第4火曜"
    assert (c["rrule"], c["frequency_class"], c["schedule_text"]) == (None, "unknown", "不定期")


# --- offline geocoding to 町丁目 ---------------------------------------------------------------------

def test_a_row_without_coordinates_is_placed_at_its_town_point(tmp_path, towns):
    path = write_csv(tmp_path / "no_coords.csv", [
        "名称,種別,住所,緯度,経度,備考",
        "中央サロン,サロン,埼玉県蕨市中央１－２－３,,,二階",
        "北町サロン,サロン,蕨市北町五丁目13番6号,,,",
        f"錦町サロン,サロン,埼玉県蕨市錦町3-3-27,{LAT},{LON},",
    ])
    parsed = read_places_file(path, towns=towns, city="蕨市")
    chuo, kita, nishiki = parsed.records
    assert parsed.geocoded == 2
    chuo1 = town_row(towns, "中央1丁目")
    assert (chuo["lat"], chuo["lon"]) == (chuo1["rep_lat"], chuo1["rep_lon"])
    assert chuo["location_precision"] == "town"
    assert chuo["notes"].startswith("二階 / ") and "中央1丁目" in chuo["notes"]
    kita5 = town_row(towns, "北町5丁目")  # 五丁目 in kanji
    assert (kita["lat"], kita["lon"], kita["location_precision"]) == (kita5["rep_lat"], kita5["rep_lon"], "town")
    assert (nishiki["lat"], nishiki["lon"], nishiki["location_precision"]) == (LAT, LON, "surveyed")  # untouched


def test_a_file_with_addresses_only_needs_no_coordinate_columns_when_towns_are_given(tmp_path, towns):
    path = write_csv(tmp_path / "addresses.csv", ["名称,種別,住所", "南町サロン,サロン,埼玉県蕨市南町３－１３－１"])
    record = read_places_file(path, towns=towns, city="蕨市").records[0]
    minami3 = town_row(towns, "南町3丁目")
    assert (record["lat"], record["lon"]) == (minami3["rep_lat"], minami3["rep_lon"])
    with pytest.raises(InputError) as error:  # default: no towns, so coordinates are required as before
        read_places_file(path)
    assert {p.message_ja for p in error.value.problems} == {"必須の列「緯度（lat）」がありません",
                                                           "必須の列「経度（lon）」がありません"}


def test_a_half_given_coordinate_is_not_geocoded(tmp_path, towns):
    path = write_csv(tmp_path / "half.csv", ["名称,種別,住所,緯度,経度", f"A,サロン,埼玉県蕨市中央1-2-3,{LAT},"])
    with pytest.raises(InputError) as error:
        read_places_file(path, towns=towns, city="蕨市")
    assert [(p.row, p.column) for p in error.value.problems] == [(2, "lon")]


def test_all_problems_of_a_file_come_in_one_report_with_geocoding(tmp_path, towns):
    path = write_csv(tmp_path / "mixed.csv", ["名称,種別,住所,緯度,経度",
                                              "A,カラオケ,埼玉県蕨市中央1-2-3,,",
                                              "B,サロン,埼玉県蕨市本町1-2-3,,"])
    with pytest.raises(InputError) as error:
        read_places_file(path, towns=towns, city="蕨市")
    assert {(p.row, p.column) for p in error.value.problems} == {(2, "category"), (3, "address")}


def test_geocoded_point_lies_in_its_own_town_in_the_store(tmp_path, towns, demo_db_copy):
    path = write_csv(tmp_path / "g.csv", ["id,名称,種別,住所", "g1,塚越サロン,サロン,埼玉県蕨市塚越7-1-1"])
    records = read_places_file(path, towns=towns, city="蕨市").records
    engine = open_store(f"sqlite:///{demo_db_copy}")
    try:
        with write_session(engine) as session:
            batch = writes.add_batch(session, "places", path.name, "-", 1)
            writes.upsert_places(session, records, municipality_code=CODE, prefecture_code=PREFECTURE,
                                 batch_id=batch, source_name=path.name)
        stored = reads.places(engine, CODE, internal=True).set_index("id").loc["g1"]
    finally:
        engine.dispose()
    assert stored["town_code"] == town_row(towns, "塚越7丁目")["code"]
    assert stored["location_precision"] == "town"


# --- column mapping ----------------------------------------------------------------------------------

def test_mapping_names_headers_that_are_not_recognised(tmp_path):
    path = write_csv(tmp_path / "own.csv", ["施設の名前,ジャンル,北緯,東経,備考",
                                            f"サロンA,サロン,{LAT},{LON},毎週水曜"])
    mapping = {"施設の名前": "name", "ジャンル": "category", "北緯": "lat", "東経": "lon", "備考": "schedule_text"}
    parsed = read_places_file(path, mapping=mapping)
    record = parsed.records[0]
    assert (record["name"], record["category"], record["lat"], record["lon"]) == ("サロンA", "サロン", LAT, LON)
    assert record["schedule_text"] == "毎週水曜" and record["notes"] is None  # mapping overrides the 備考 synonym
    assert record["rrule"] == "FREQ=WEEKLY;BYDAY=WE"
    assert parsed.unknown_columns == []


def test_mapping_to_an_unknown_field_or_a_missing_header_is_an_input_error(tmp_path):
    path = write_csv(tmp_path / "own.csv", ["施設の名前,種別,緯度,経度", f"サロンA,サロン,{LAT},{LON}"])
    with pytest.raises(InputError) as error:
        read_places_file(path, mapping={"施設の名前": "title", "電話": "contact_public"})
    messages = [p.message_ja for p in error.value.problems]
    assert len(messages) == 2
    assert any("対応づけ先「title」は取り込みの項目にありません" in m for m in messages)
    assert any("見出し「電話」がファイルにありません" in m for m in messages)


def test_two_headers_mapped_to_one_field_is_an_input_error(tmp_path):
    path = write_csv(tmp_path / "own.csv", ["A,B,種別,緯度,経度", f"x,y,サロン,{LAT},{LON}"])
    with pytest.raises(InputError) as error:
        read_places_file(path, mapping={"A": "name", "B": "name"})
    assert [p.column for p in error.value.problems] == ["B"]


# --- preview -------------------------------------------------------------------------------------------

def stored_record(engine, place_id: str) -> dict:
    with read_session(engine) as session:
        place = session.get(m.Place, place_id)
        return {"id": place.id, **{k: getattr(place, k) for k in writes.PLACE_FIELDS}}


def test_preview_says_new_changed_unchanged_and_which_fields(demo_db_url, towns):
    engine = open_store(demo_db_url)
    try:
        before = revision(engine)
        same = stored_record(engine, "demo-001")
        renamed = {**stored_record(engine, "demo-002"), "name": "新しい名前", "capacity": 99}
        new = {**same, "id": "brand-new", "name": "新しいサロン"}
        preview = preview_changes(engine, CODE, [same, renamed, new])
        assert revision(engine) == before  # nothing written
    finally:
        engine.dispose()
    assert list(preview.columns) == ["id", "name", "status", "changed_fields"]
    assert preview["status"].tolist() == ["unchanged", "changed", "new"]
    assert preview["changed_fields"].tolist() == [[], ["name", "capacity"], []]


def test_preview_of_a_moved_place_lists_the_derived_town(demo_db_url, towns):
    engine = open_store(demo_db_url)
    try:
        record = stored_record(engine, "demo-001")
        old_town = reads.places(engine, CODE, internal=True).set_index("id").loc["demo-001", "town_code"]
        chuo1 = town_row(towns, "中央1丁目")
        assert old_town != chuo1["code"]
        record.update(lat=float(chuo1["rep_lat"]), lon=float(chuo1["rep_lon"]))
        preview = preview_changes(engine, CODE, [record])
    finally:
        engine.dispose()
    old_area = towns.set_index("code").loc[old_town, "area_id"]
    expected = ["lat", "lon", "town_code"] + (["area_id"] if chuo1["area_id"] != old_area else [])
    assert preview.loc[0, "changed_fields"] == expected


def test_preview_agrees_with_the_import_and_rejects_what_it_rejects(demo_db_copy):
    engine = open_store(f"sqlite:///{demo_db_copy}")
    try:
        same = stored_record(engine, "demo-001")
        changed = {**stored_record(engine, "demo-002"), "fee": "無料"}
        new = {**same, "id": "brand-new"}
        preview = preview_changes(engine, CODE, [same, changed, new])
        with write_session(engine) as session:
            batch = writes.add_batch(session, "places", "p.csv", "-", 3)
            counts = writes.upsert_places(session, [same, changed, new], municipality_code=CODE,
                                          prefecture_code=PREFECTURE, batch_id=batch, source_name="p.csv")
        assert preview["status"].value_counts().to_dict() == {k: v for k, v in counts.items() if v}
        outside = {**same, "lat": 35.681236, "lon": 139.767125}  # 東京駅
        with pytest.raises(InputError) as error:
            preview_changes(engine, CODE, [outside], source_name="p.csv")
        assert "区域外" in error.value.problems[0].message_ja
    finally:
        engine.dispose()


def test_preview_of_nothing_is_an_empty_table(demo_db_url):
    engine = open_store(demo_db_url)
    try:
        preview = preview_changes(engine, CODE, [])
    finally:
        engine.dispose()
    assert preview.empty and list(preview.columns) == ["id", "name", "status", "changed_fields"]
