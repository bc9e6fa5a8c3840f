"""dashboard.importers.juki: the 総務省 住民基本台帳 年齢階級別人口（市区町村別） workbook, 令和4年1月1日
(data/saitama/soumu_juki_2204ssnen.xlsx, real, every municipality of Japan), checked against its rows
read independently with openpyxl.

The workbook's layout: row 2 holds the band labels (総数, 0歳～4歳 … 100歳以上), row 3 the column names
(団体コード, 都道府県名, 市区町村名, 性別) and units, data start on row 4: one row per 計/男/女 of Japan,
each prefecture, 郡 and municipality.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dashboard.errors import InputError
from dashboard.importers.juki import read_age_structure

WORKBOOK = Path(__file__).resolve().parents[2] / "data" / "saitama" / "soumu_juki_2204ssnen.xlsx"


@pytest.fixture(scope="module")
def structure() -> pd.DataFrame:
    return read_age_structure(WORKBOOK, "11223")


def _workbook_row(code6: str, sex: str) -> dict[str, int]:
    """The workbook row of one municipality and sex, read independently with openpyxl."""
    book = openpyxl.load_workbook(WORKBOOK, read_only=True)
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    labels = rows[1]
    for row in rows[3:]:
        if row[0] == code6 and row[3] == sex:
            return {label: value for label, value in zip(labels, row) if label}
    raise AssertionError(f"{code6} {sex} not in the workbook")


def test_age_structure_has_every_65_plus_band_by_sex_and_adds_up_to_the_total_row(structure):
    assert list(structure.columns) == ["band_start", "sex", "count"]
    assert sorted(set(structure["band_start"])) == [65, 70, 75, 80, 85, 90, 95, 100]
    assert sorted(set(structure["sex"])) == [1, 2] and len(structure) == 16
    assert structure.attrs["municipality_name"] == "蕨市"
    total, men = _workbook_row("112232", "計"), _workbook_row("112232", "男")
    by_band = structure.groupby("band_start")["count"].sum()
    for start in range(65, 100, 5):
        assert by_band[start] == total[f"{start}歳～{start + 4}歳"]
    assert by_band[100] == total["100歳以上"]
    assert structure.query("sex == 1 and band_start == 85")["count"].item() == men["85歳～89歳"]


def test_age_structure_accepts_the_code_with_or_without_its_check_digit(structure):
    pd.testing.assert_frame_equal(read_age_structure(WORKBOOK, "112232"), structure)
    kawajima = read_age_structure(WORKBOOK, "11346")
    assert kawajima.attrs["municipality_name"] == "比企郡川島町"
    assert kawajima["count"].sum() != structure["count"].sum()


@pytest.mark.parametrize("code", ["99999", "112231", "11000", "110001", "113603", "abc"])
def test_age_structure_rejects_unknown_codes_and_totals_with_a_japanese_message(code):
    # 112231: wrong check digit; 11000/110001: 埼玉県 total; 113603: 秩父郡 total; abc: not a code
    with pytest.raises(InputError) as caught:
        read_age_structure(WORKBOOK, code)
    message = caught.value.problems[0].message_ja
    assert any("\u3040" <= ch <= "\u9fff" for ch in message)


def test_age_structure_reports_a_file_that_is_not_the_workbook(tmp_path):
    bogus = tmp_path / "x.xlsx"
    bogus.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InputError):
        read_age_structure(bogus, "11223")
