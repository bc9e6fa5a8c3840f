"""町丁目 × age tables → per-town total, 65+, 75+, 85+: small hand-written files, sums worked out by hand.

Most files use four bands — 0-64, 65-74, 75-84, 85+ — so that 65+ = the last three bands,
75+ = the last two, 85+ = the last one, and each expected number is a short sum in a comment.
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import openpyxl
import pytest

from dashboard.errors import InputError
from dashboard.importers.age_table import COLUMNS, parse_band, read_age_table
from dashboard.importers.townnames import match_town_names

ROOT = Path(__file__).resolve().parents[2]
NIIZA = ROOT / "tests" / "data" / "niiza"
JUKI = ROOT / "data" / "saitama" / "soumu_juki_2204ssnen.xlsx"
GEOLONIA_NIIZA = ROOT / "data" / "niiza" / "raw" / "geolonia_japanese-addresses_新座市.json"


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def figures(table) -> dict[str, tuple]:
    """town → (pop_total, pop65, pop75, pop85) with NaN as None, for readable comparisons."""
    out = {}
    for record in table.frame.to_dict("records"):
        out[record["town_name"]] = tuple(None if math.isnan(record[c]) else record[c]
                                         for c in ("pop_total", "pop65", "pop75", "pop85"))
    return out


def problems_of(error: pytest.ExceptionInfo) -> list[tuple]:
    return [(p.row, p.column) for p in error.value.problems]


# The standard four-band body. Row by row (bands: 0-64 男女, 65-74 男女, 75-84 男女, 85+ 男女):
#   あたご1丁目: 30+32+10+12+5+6+2+3 = 100 = 総人口.  65+ = 10+12+5+6+2+3 = 38, 75+ = 5+6+2+3 = 16, 85+ = 2+3 = 5
#   あたご2丁目: 300+310+100+120+50+60+20+30 = 990 ≤ 1,000 (10 of unknown age).
#                65+ = 100+120+50+60+20+30 = 380, 75+ = 50+60+20+30 = 160, 85+ = 20+30 = 50
BODY = [
    '001,あたご1丁目,100,30,32,10,12,5,6,2,3',
    '002,あたご2丁目,"1,000",300,310,100,120,50,60,20,30',
    ',合計,"1,100",330,342,110,132,55,66,22,33',
]
EXPECTED = {"あたご1丁目": (100, 38, 16, 5), "あたご2丁目": (1000, 380, 160, 50)}


def four_band_header(band) -> str:
    cells = ["地域コード", "地域名", "総人口"]
    for b in ("0-64", "65-74", "75-84", "85+"):
        for sex in ("男", "女"):
            cells.append(band(b, sex))
    return ",".join(cells)


def _plain(b, sex):
    return f"{b.replace('+', '歳以上')}{'' if '+' in b else '歳'}{sex}"


HEADER_STYLES = {
    "0-64歳男": _plain,
    "男0-64歳": lambda b, sex: f"{sex}{_plain(b, '')}",
    "0～64歳（女）": lambda b, sex: f"{_plain(b, '').replace('-', '～')}（{sex}）",
    "０〜６４歳_男性": lambda b, sex: (_plain(b, "").replace("-", "〜") + f"_{sex}性").translate(
        str.maketrans("0123456789", "０１２３４５６７８９")),
    "0歳～64歳 女性 (two 歳, a space)": lambda b, sex: (b.replace("-", "歳～") + "歳" if "+" not in b
                                                    else b.replace("+", "歳以上")) + f" {sex}性",
}


@pytest.mark.parametrize("style", list(HEADER_STYLES))
def test_header_variants_give_the_same_figures(tmp_path, style):
    header = four_band_header(HEADER_STYLES[style])
    table = read_age_table(write_csv(tmp_path / "ages.csv", [header, *BODY]))
    assert figures(table) == EXPECTED
    assert table.kind == "ods_ja"
    assert table.bands == [(0, 64), (65, 74), (75, 84), (85, None)]


def test_title_lines_and_blank_rows_above_the_header_are_skipped_and_rows_keep_their_numbers(tmp_path):
    lines = ["新座市 町丁目別・年齢別人口", "令和4年1月1日現在", "", four_band_header(_plain), *BODY]
    table = read_age_table(write_csv(tmp_path / "ages.csv", lines))
    # 1 title, 2 現在, 3 blank, 4 header, 5 あたご1丁目, 6 あたご2丁目, 7 合計
    assert table.header_row == 4
    assert table.frame["row"].tolist() == [5, 6]
    assert table.skipped_total_rows == [7]
    assert figures(table) == EXPECTED
    assert table.frame["town_code"].tolist() == ["001", "002"]
    assert list(table.frame.columns) == list(COLUMNS)
    assert table.frame[["lat", "lon"]].isna().all().all()


def test_a_units_line_under_the_header_is_skipped(tmp_path):
    units = ",,人,人,人,人,人,人,人,人,人"  # no code, no town, 「人」 under each count
    table = read_age_table(write_csv(tmp_path / "ages.csv", [four_band_header(_plain), units, *BODY]))
    assert figures(table) == EXPECTED
    assert table.frame["row"].tolist() == [3, 4]


def test_cp932_file(tmp_path):
    path = write_csv(tmp_path / "ages.csv", [four_band_header(_plain), *BODY], encoding="cp932")
    table = read_age_table(path)
    assert table.encoding == "cp932"
    assert figures(table) == EXPECTED


def test_utf8_bom_file(tmp_path):
    path = tmp_path / "ages.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join([four_band_header(_plain), *BODY]) + "\r\n").encode())
    table = read_age_table(path)
    assert table.encoding == "utf-8-sig"
    assert figures(table) == EXPECTED


def test_xlsx_with_a_title_row_and_numbers_as_numbers(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["町丁目別人口（令和4年1月1日現在）"])
    sheet.append([])
    sheet.append(["町丁目名", "人口総数", "0-64歳", "65-74歳", "75-84歳", "85歳以上"])
    sheet.append(["錦町1丁目", 500, 400, 50, 40.0, 10])  # 40.0: counts Excel stored as floats
    sheet.append(["錦町2丁目", 300, 200, 60, 30, 10])
    sheet.append(["市計", 800, 600, 110, 70, 20])
    path = tmp_path / "ages.xlsx"
    book.save(path)
    table = read_age_table(path)
    assert table.encoding is None and table.header_row == 3
    assert table.frame["row"].tolist() == [4, 5]
    assert table.skipped_total_rows == [6]
    # 錦町1丁目: 65+ = 50+40+10 = 100, 75+ = 40+10 = 50, 85+ = 10; 錦町2丁目: 60+30+10 = 100, 40, 10
    assert figures(table) == {"錦町1丁目": (500, 100, 50, 10), "錦町2丁目": (300, 100, 40, 10)}
    assert table.frame["town_code"].tolist() == [None, None]


def test_total_row_named_as_the_city_is_dropped(tmp_path):
    lines = [
        "地方公共団体名,地域名,総数,0-64歳,65-74歳,75-84歳,85歳以上",
        "埼玉県新座市,新座市,30,20,5,3,2",  # the city-wide row, written with the city's name
        "埼玉県新座市,新座一丁目,30,20,5,3,2",  # a town named like the city, kept
        "埼玉県新座市,市全体,30,20,5,3,2",
    ]
    table = read_age_table(write_csv(tmp_path / "ages.csv", lines))
    assert table.skipped_total_rows == [2, 4]
    assert figures(table) == {"新座一丁目": (30, 10, 5, 2)}


def test_single_year_ages_and_no_total_column_total_is_the_sum_of_bands(tmp_path):
    lines = [
        "町名,0-64歳,65歳,66-74歳,75-84歳,85歳以上",
        "東町,70,3,7,6,4",  # total = 70+3+7+6+4 = 90; 65+ = 3+7+6+4 = 20; 75+ = 6+4 = 10; 85+ = 4
    ]
    table = read_age_table(write_csv(tmp_path / "ages.csv", lines))
    assert table.bands == [(0, 64), (65, 65), (66, 74), (75, 84), (85, None)]
    assert figures(table) == {"東町": (90, 20, 10, 4)}


def test_without_total_column_male_plus_female_counts_unknown_ages(tmp_path):
    lines = [
        "地区名,男性,女性,0-64歳男,0-64歳女,65-74歳男,65-74歳女,75歳以上男,75歳以上女",
        # total = 男性 + 女性 = 52+50 = 102 (the bands hold 30+30+5+5+5+5 = 80; 22 of unknown age)
        # 65+ = 5+5+5+5 = 20, 75+ = 5+5 = 10, 85+ unknown (75歳以上 straddles 85)
        "中央,52,50,30,30,5,5,5,5",
    ]
    table = read_age_table(write_csv(tmp_path / "ages.csv", lines))
    assert figures(table) == {"中央": (102, 20, 10, None)}


def test_summary_columns_alongside_finer_bands_are_not_double_counted(tmp_path):
    lines = [
        "地域名,総人口,0-14歳,15-64歳,0-64歳,65-74歳,75-84歳,85歳以上,65歳以上,75歳以上",
        # bands used: 0-14, 15-64, 65-74, 75-84, 85+ (0-64, 65+ and 75+ contain finer bands)
        # 65+ = 7+5+3 = 15 (not 15 + the 65歳以上 column's 15), 75+ = 5+3 = 8, 85+ = 3
        "本町,50,10,25,35,7,5,3,15,8",
    ]
    table = read_age_table(write_csv(tmp_path / "ages.csv", lines))
    assert table.bands == [(0, 14), (15, 64), (65, 74), (75, 84), (85, None)]
    assert figures(table) == {"本町": (50, 15, 8, 3)}


BOTH = "地域名,0-64歳,0-64歳男,0-64歳女,65-74歳,65-74歳男,65-74歳女,75歳以上,75歳以上男,75歳以上女"


def test_per_band_totals_are_used_not_added_to_the_sexes(tmp_path):
    # totals used: 20 + 10 + 4 = 34 (not 68); 65+ = 10+4 = 14; 75+ = 4; 85+ unknown (75歳以上 straddles 85)
    table = read_age_table(write_csv(tmp_path / "ok.csv", [BOTH, "本町,20,9,11,10,4,6,4,1,3"]))
    assert figures(table) == {"本町": (34, 14, 4, None)}
    assert table.bands == [(0, 64), (65, 74), (75, None)]


def test_per_band_totals_must_agree_with_the_sexes(tmp_path):
    # row 3: 65-74歳 says 10 but 男 4 + 女 5 = 9
    lines = [BOTH, "本町,20,9,11,10,4,6,4,1,3", "栄町,20,9,11,10,4,5,4,1,3"]
    with pytest.raises(InputError) as error:
        read_age_table(write_csv(tmp_path / "bad.csv", lines))
    assert problems_of(error) == [(3, "65-74歳")]


def test_straddling_band_is_an_error_for_65_and_75_and_unknown_for_85(tmp_path):
    with pytest.raises(InputError) as error:
        read_age_table(write_csv(tmp_path / "a.csv", ["地域名,総数,0-59歳,60-69歳,70歳以上", "本町,10,5,3,2"]))
    assert problems_of(error) == [(1, "60-69歳")]
    assert "65歳" in error.value.problems[0].message_ja and "a.csv" in str(error.value)

    with pytest.raises(InputError) as error:
        read_age_table(write_csv(tmp_path / "b.csv", ["地域名,総数,0-64歳,65-79歳,80歳以上", "本町,10,5,3,2"]))
    assert problems_of(error) == [(1, "65-79歳")]
    assert "75歳" in error.value.problems[0].message_ja

    # 0-64, 65-74, 75+: 65+ = 3+2 = 5, 75+ = 2, 85+ cannot be told
    table = read_age_table(write_csv(tmp_path / "c.csv", ["地域名,総数,0-64歳,65-74歳,75歳以上", "本町,10,5,3,2"]))
    assert figures(table) == {"本町": (10, 5, 2, None)}


@pytest.mark.parametrize("header, fragment", [
    ("地域名,総数,0-64歳,70-74歳,75歳以上", "65歳から69歳"),  # a gap
    ("地域名,総数,0-64歳,65-74歳,75-84歳", "85歳以上"),  # no open top band
    ("地域名,総数,0-64歳男,65歳以上男", "男だけ"),  # one sex only
])
def test_incomplete_bands_are_errors(tmp_path, header, fragment):
    with pytest.raises(InputError) as error:
        read_age_table(write_csv(tmp_path / "ages.csv", [header, "本町,10,5,3,2"]))
    assert fragment in str(error.value)


def test_number_forms_zero_dash_and_secret_cells(tmp_path):
    lines = [
        "地域名,総人口,0-64歳,65-74歳,75-84歳,85歳以上",
        "本町,"'"１，２３４"'",１，０００,２００,-,",  # 1,234; 65+ = 200+0+0 = 200; 75+ = 0; 85+ = 0
        "栄町,100,90,－,*,X",  # 65+ = 0+0+0 (two secret cells)
        "東町,秘匿,40,5,3,2",  # secret total → the bands: 40+5+3+2 = 50; 65+ = 10; 75+ = 5; 85+ = 2
    ]
    table = read_age_table(write_csv(tmp_path / "ages.csv", lines))
    assert figures(table) == {"本町": (1234, 200, 0, 0), "栄町": (100, 0, 0, 0), "東町": (50, 10, 5, 2)}
    assert table.suppressed == [(3, "75-84歳"), (3, "85歳以上"), (4, "総人口")]


def test_bad_and_negative_numbers_are_reported_with_row_and_column(tmp_path):
    lines = [
        "地域名,総人口,0-64歳,65-74歳,75-84歳,85歳以上",
        "本町,100,abc,5,3,2",
        "栄町,100,90,5,-3,2",
        "東町,100,90,5,3,2人",
    ]
    with pytest.raises(InputError) as error:
        read_age_table(write_csv(tmp_path / "ages.csv", lines))
    assert problems_of(error) == [(2, "0-64歳"), (3, "75-84歳"), (4, "85歳以上")]
    text = str(error.value)
    assert "ages.csv 2行目 列「0-64歳」" in text and "負" in text


def test_bands_above_the_total_is_an_error_naming_the_row(tmp_path):
    lines = ["地域名,総人口,0-64歳,65-74歳,75-84歳,85歳以上",
             "本町,100,90,5,3,2",  # 100 = 100: fine
             "栄町,100,91,5,3,2"]  # 91+5+3+2 = 101 > 100
    with pytest.raises(InputError) as error:
        read_age_table(write_csv(tmp_path / "ages.csv", lines))
    assert problems_of(error) == [(3, "総人口")]
    assert "101" in str(error.value)


def test_duplicate_town_names_after_nfkc_name_both_rows(tmp_path):
    lines = ["地域名,総人口,0-64歳,65-74歳,75-84歳,85歳以上",
             "あたご1丁目,10,7,1,1,1", "栄町,10,7,1,1,1", "あたご１丁目,10,7,1,1,1"]
    with pytest.raises(InputError) as error:
        read_age_table(write_csv(tmp_path / "ages.csv", lines))
    assert problems_of(error) == [(4, "地域名")]
    assert "2行目" in str(error.value) and "4行目" in str(error.value)


def test_notes_below_the_table_are_not_towns_but_an_empty_town_name_with_numbers_is_an_error(tmp_path):
    lines = ["地域名,総人口,0-64歳,65-74歳,75-84歳,85歳以上", "本町,10,7,1,1,1", "", "※外国人住民を含む,,,,,"]
    assert figures(read_age_table(write_csv(tmp_path / "a.csv", lines))) == {"本町": (10, 3, 2, 1)}
    with pytest.raises(InputError) as error:
        read_age_table(write_csv(tmp_path / "b.csv", [lines[0], "本町,10,7,1,1,1", ",10,7,1,1,1"]))
    assert problems_of(error) == [(3, "地域名")]


def test_no_recognisable_header_says_what_it_saw(tmp_path):
    with pytest.raises(InputError) as error:
        read_age_table(write_csv(tmp_path / "ages.csv", ["名前,人数", "本町,10"]))
    assert "名前" in str(error.value) and "見出し" in str(error.value)


# --- English-key variant --------------------------------------------------------------------------

def test_english_variant_with_location(tmp_path):
    header = ["regionCode", "regionName", "totalPopulation", "male", "woman"]
    for i in range(1, 19):
        header += [f"man{i}", f"woman{i}"]
    header.append("location")
    # man_i = i, woman_i = 2i → band i holds 3i people. Bands: i = 1 … 18 are ages 5(i-1) … 5i-1, 18 = 85+.
    # sum of bands = 3 × (1+…+18) = 3 × 171 = 513 ≤ 520
    # 65+ = bands 14 (65-69) … 18 = 3 × (14+15+16+17+18) = 3 × 80 = 240
    # 75+ = bands 16 … 18 = 3 × 51 = 153;  85+ = band 18 = 54
    cells = ["11230001", "あたご1丁目", "520", "171", "342"]
    for i in range(1, 19):
        cells += [str(i), str(2 * i)]
    cells.append('"35.787944,139.547549"')
    lines = [",".join(header), ",".join(cells)]
    table = read_age_table(write_csv(tmp_path / "ages.csv", lines))
    assert table.kind == "ods_en"
    assert figures(table) == {"あたご1丁目": (520, 240, 153, 54)}
    record = table.frame.iloc[0]
    assert (record["lat"], record["lon"]) == (35.787944, 139.547549)
    assert record["town_code"] == "11230001"
    assert table.bands[0] == (0, 4) and table.bands[-1] == (85, None) and len(table.bands) == 18


def test_english_variant_bad_location_and_missing_band(tmp_path):
    header = ["regionName", "totalPopulation"] + [f"{s}{i}" for i in range(1, 19) for s in ("man", "woman")]
    row = ["本町", "36"] + ["1"] * 36
    lines = [",".join(header + ["location"]), ",".join(row + ['"139.5,35.7"'])]  # lon,lat: swapped
    with pytest.raises(InputError) as error:
        read_age_table(write_csv(tmp_path / "a.csv", lines))
    assert (2, "location") in problems_of(error)
    header_without_woman7 = [h for h in header if h != "woman7"]
    with pytest.raises(InputError) as error:
        read_age_table(write_csv(tmp_path / "b.csv", [",".join(header_without_woman7), ",".join(row[:-1])]))
    assert "woman7" in str(error.value)


# --- mapping --------------------------------------------------------------------------------------

MAPPED = [
    "町名,人口,65～74歳,75歳以上,うち85歳以上",
    "錦町1丁目,200,30,20,5",  # 65+ = 30+20 = 50, 75+ = 20, 85+ = 5
    "錦町2丁目,100,10,10,2",  # 65+ = 20, 75+ = 10, 85+ = 2
    "合計,300,40,30,7",
]


def test_mapping_sums_the_named_columns(tmp_path):
    path = write_csv(tmp_path / "ages.csv", MAPPED)
    mapping = {"town": "町名", "total": "人口", "pop65": ["65～74歳", "75歳以上"], "pop75": ["75歳以上"],
               "pop85": ["うち85歳以上"]}
    json.dumps(mapping)  # JSON-able, as the wizard stores it
    table = read_age_table(path, mapping=mapping)
    assert table.kind == "mapping" and table.bands == []
    assert figures(table) == {"錦町1丁目": (200, 50, 20, 5), "錦町2丁目": (100, 20, 10, 2)}
    assert table.skipped_total_rows == [4]

    without_85 = read_age_table(path, mapping={k: v for k, v in mapping.items() if k != "pop85"})
    assert figures(without_85)["錦町1丁目"] == (200, 50, 20, None)


def test_mapping_with_an_unknown_column_lists_the_headers(tmp_path):
    path = write_csv(tmp_path / "ages.csv", MAPPED)
    with pytest.raises(InputError) as error:
        read_age_table(path, mapping={"town": "町名", "total": "総人口", "pop65": ["65～74歳"], "pop75": ["75歳以上"]})
    message = str(error.value)
    assert "総人口" in message and "町名、人口、65～74歳、75歳以上、うち85歳以上" in message


def test_mapping_figures_must_nest(tmp_path):
    path = write_csv(tmp_path / "ages.csv", ["町名,人口,高齢,後期", "本町,100,30,40"])  # 75+ 40 > 65+ 30
    with pytest.raises(InputError) as error:
        read_age_table(path, mapping={"town": "町名", "total": "人口", "pop65": "高齢", "pop75": "後期"})
    assert [p.row for p in error.value.problems] == [2]


# --- band headers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("header, band", [
    ("0-4歳", (0, 4, "t")),
    ("0～4歳", (0, 4, "t")),
    ("０〜４歳", (0, 4, "t")),
    ("65-69歳", (65, 69, "t")),
    ("85歳以上", (85, None, "t")),
    ("100歳以上", (100, None, "t")),
    ("男0-4歳", (0, 4, "m")),
    ("0-4歳（女）", (0, 4, "f")),
    ("0～4歳_男性", (0, 4, "m")),
    ("６５歳", (65, 65, "t")),
    ("0歳～4歳", (0, 4, "t")),
    ("85歳以上女", (85, None, "f")),
    ("総人口", None),
    ("年齢不詳", None),
    ("15歳未満", None),
    ("男性", None),
    ("男0-4歳女", None),  # two sexes: not a band we can read
])
def test_parse_band(header, band):
    assert parse_band(header) == band


# --- the synthetic 新座市 fixture --------------------------------------------------------------------

def juki_niiza_totals() -> dict[str, int]:
    """Total, 65+, 75+, 85+ of 新座市 (112305, 計) straight from the 総務省 xlsx (row 2 = band labels)."""
    rows = list(openpyxl.load_workbook(JUKI, read_only=True).worksheets[0].iter_rows(values_only=True))
    labels = rows[1]
    city = next(r for r in rows if r[0] == "112305" and r[3] == "計")
    out = {"total": city[labels.index("総数")], "65": 0, "75": 0, "85": 0}
    for label, value in zip(labels, city):
        match = re.match(r"(\d+)歳", str(label))
        if match:
            for threshold in (65, 75, 85):
                if int(match.group(1)) >= threshold:
                    out[str(threshold)] += value
    return out


def test_synthetic_niiza_table_adds_up_to_the_real_city_totals():
    real = juki_niiza_totals()
    table = read_age_table(NIIZA / "niiza_age_by_town_SYNTHETIC.csv")
    assert table.kind == "ods_ja" and table.encoding == "utf-8-sig"
    assert len(table.frame) == 82
    assert table.skipped_total_rows == [84]  # header row 1, 82 towns in rows 2–83, 合計 in row 84
    assert table.suppressed == []
    sums = table.frame[["pop_total", "pop65", "pop75", "pop85"]].sum()
    assert sums.tolist() == [real["total"], real["65"], real["75"], real["85"]]
    # and the README's printed numbers are these
    readme = (NIIZA / "README.md").read_text(encoding="utf-8")
    for value in (real["total"], real["65"], real["75"], real["85"]):
        assert f"{value:,}" in readme


def test_synthetic_niiza_file_is_full_width_and_its_total_row_is_the_column_sums():
    text = (NIIZA / "niiza_age_by_town_SYNTHETIC.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(text.decode("utf-8-sig").splitlines()))
    assert not re.search(r"[0-9]", text.decode("utf-8-sig"))  # no half-width digit anywhere
    assert rows[-1][4] == "合計"
    to_int = lambda cell: int(cell.translate(str.maketrans("０１２３４５６７８９", "0123456789")))  # noqa: E731
    for column in range(5, len(rows[0])):
        assert sum(to_int(r[column]) for r in rows[1:-1]) == to_int(rows[-1][column]), rows[0][column]


def test_synthetic_niiza_names_match_every_geolonia_town_once():
    towns = [r["town"] for r in json.loads(GEOLONIA_NIIZA.read_text(encoding="utf-8"))]
    table = read_age_table(NIIZA / "niiza_age_by_town_SYNTHETIC.csv")
    result = match_town_names(table.frame["town_name"], towns, city="新座市")
    assert result.unmatched == []
    assert sorted(result.matched.values()) == sorted(towns)
    assert result.matched["大字新塚"] == "新塚" and result.matched["堀の内2丁目"] == "堀ノ内二丁目"


def test_synthetic_niiza_areas_cover_every_town_once_grouped_by_oaza():
    towns = [r["town"] for r in json.loads(GEOLONIA_NIIZA.read_text(encoding="utf-8"))]
    rows = list(csv.DictReader((NIIZA / "niiza_areas_SYNTHETIC.csv").read_text(encoding="utf-8").splitlines()))
    assert sorted(r["町丁目名"] for r in rows) == sorted(towns)
    assert len({r["日常生活圏域"] for r in rows}) == 7
    area_of_oaza = {}
    for r in rows:
        oaza = re.sub(r"[一二三四五六七八九十]+丁目$", "", r["町丁目名"])
        assert area_of_oaza.setdefault(oaza, r["日常生活圏域"]) == r["日常生活圏域"], oaza
    assert "デモ用の仮の圏域" in (NIIZA / "README.md").read_text(encoding="utf-8")
