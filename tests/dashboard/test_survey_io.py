"""Reading needs-survey and needs ↔ helpers files (docs/survey.md §1, §4).

Files are written byte by byte here (UTF-8, UTF-8 with BOM, CP932, XLSX with Japanese headers); every
expected count comes from the cells this file put blanks and invalid values into.
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from dashboard.errors import InputError
from dashboard.survey import schema
from dashboard.survey.io import apply_mapping, read_helpers, read_survey
from dashboard.survey.scoring import clean_answers

KNOWN = {"nishiki", "kita", "chuo", "minami", "tsukagoshi"}

#: A valid answer for every canonical answer column (survey.md §1).
VALID = {
    "age": "74", "sex": "2", "height_cm": "152.5", "weight_kg": "50", "stairs": "1", "chair_rise": "2",
    "walk_15min": "1", "fall_past_year": "3", "fear_of_falling": "2", "outings_weekly": "4", "hard_to_chew": "2",
    "choking": "1", "dry_mouth": "2", "weight_loss": "2", "forgetful": "1", "iadl_bus": "1", "iadl_shopping": "1",
    "iadl_meals": "3", "iadl_bills": "1", "iadl_savings": "2", "grp_volunteer": "6", "grp_sports": "4",
    "grp_hobby": "1", "grp_study": "6", "grp_kayoi": "3", "grp_senior_club": "5", "grp_neighborhood": "4",
    "grp_paid_work": "6", "intent_participant": "2", "intent_organizer": "3", "depressed": "2", "anhedonia": "1",
}
assert set(VALID) == set(schema.ANSWER_COLUMNS)

#: (row number among the data rows, column, cell, "blank" | "invalid")
EDITS = [
    (0, "stairs", "9", "invalid"), (1, "stairs", "", "blank"), (2, "stairs", "4", "invalid"),  # 1–3 only
    (3, "stairs", "99", "invalid"),
    (0, "choking", "無回答", "invalid"), (4, "choking", "無回答", "invalid"), (5, "choking", "", "blank"),
    (1, "forgetful", "99", "invalid"), (2, "forgetful", "  ", "blank"),
    (0, "height_cm", "99", "invalid"), (1, "height_cm", "221", "invalid"), (2, "height_cm", "", "blank"),
    (3, "weight_kg", "201", "invalid"), (4, "weight_kg", "24.5", "invalid"),
    (5, "age", "64", "invalid"), (5, "sex", "3", "invalid"),
    (3, "grp_kayoi", "0", "invalid"), (4, "grp_kayoi", "7", "invalid"), (5, "grp_kayoi", "", "blank"),
    (0, "intent_organizer", "5", "invalid"), (1, "intent_organizer", "4", None),  # 4 既に参加している is valid
    (2, "height_cm", "", "blank"),  # the same cell twice: still one blank
]
N_ROWS = 8
AREAS = ["kita", "chuo", "kita", "minami", "nishiki", "tsukagoshi", "chuo", "kita"]


def canonical_rows(ids=None) -> list[list[str]]:
    ids = ids or [f"R{i:03d}" for i in range(1, N_ROWS + 1)]
    rows = []
    for number in range(N_ROWS):
        values = dict(VALID)
        for row, column, cell, _ in EDITS:
            if row == number:
                values[column] = cell
        rows.append([ids[number], AREAS[number]] + [values[c] for c in schema.ANSWER_COLUMNS])
    return rows


def csv_text(rows, header=schema.CANONICAL_COLUMNS) -> str:
    return "\r\n".join(",".join(cells) for cells in [list(header), *rows]) + "\r\n"


def expected_counts() -> dict[str, tuple[int, int]]:
    """column → (n_blank, n_invalid) from EDITS (the last edit of a cell wins)."""
    final = {}
    for row, column, _, kind in EDITS:
        final[(row, column)] = kind
    counts = {c: [0, 0] for c in schema.ANSWER_COLUMNS}
    for (_, column), kind in final.items():
        if kind == "blank":
            counts[column][0] += 1
        elif kind == "invalid":
            counts[column][1] += 1
    return {c: tuple(v) for c, v in counts.items()}


def check_report(report: pd.DataFrame, n_rows: int = N_ROWS) -> None:
    by_column = report.set_index("column")
    assert set(by_column.index) == set(schema.ANSWER_COLUMNS)
    for column, (blank, invalid) in expected_counts().items():
        got = by_column.loc[column]
        assert (got["n_blank"], got["n_invalid"], got["n_valid"]) == (blank, invalid, n_rows - blank - invalid), column


# ------------------------------------------------------------------------------------------ canonical CSV

@pytest.mark.parametrize("encoding, reported", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp932", "cp932")])
def test_canonical_csv_in_each_encoding(tmp_path, encoding, reported):
    ids = [f"蕨-{i:03d}" for i in range(1, N_ROWS + 1)]  # non-ASCII ids survive every encoding
    path = tmp_path / "survey.csv"
    path.write_bytes(csv_text(canonical_rows(ids)).encode(encoding))
    survey = read_survey(path, KNOWN)
    assert survey.encoding == reported
    assert survey.answers["respondent_id"].tolist() == ids
    assert survey.answers["area_id"].tolist() == AREAS
    assert survey.unknown_areas == {}
    assert survey.missing_columns == []
    check_report(survey.report)


def test_cp932_bytes_are_really_cp932(tmp_path):
    # guard for the test above: the CP932 file is not valid UTF-8, so the reader had to detect it
    data = csv_text(canonical_rows()).encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_invalid_text_appears_among_the_examples(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_bytes(csv_text(canonical_rows()).encode("cp932"))
    report = read_survey(path, KNOWN).report.set_index("column")
    assert "無回答" in report.at["choking", "invalid_examples"]
    assert set(report.at["stairs", "invalid_examples"].split("、")) == {"9", "4", "99"}


def test_answers_keep_valid_values_and_score_invalid_ones_as_missing(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text(csv_text(canonical_rows()), encoding="utf-8")
    answers = read_survey(path, KNOWN).answers
    clean = clean_answers(answers)
    assert clean["stairs"].tolist()[:5] == pytest.approx([float("nan"), float("nan"), float("nan"), float("nan"), 1.0],
                                                         nan_ok=True)
    assert clean["height_cm"].tolist()[:4] == pytest.approx([float("nan"), float("nan"), float("nan"), 152.5],
                                                            nan_ok=True)
    assert clean.at[3, "weight_kg"] != clean.at[3, "weight_kg"]  # 201 kg is missing
    assert clean["choking"].isna().sum() == 3
    assert clean.at[1, "intent_organizer"] == 4
    assert clean["iadl_meals"].tolist() == [3.0] * N_ROWS


def test_a_missing_column_is_reported_as_blank(tmp_path):
    header = [c for c in schema.CANONICAL_COLUMNS if c != "dry_mouth"]
    rows = [[cell for column, cell in zip(schema.CANONICAL_COLUMNS, r) if column != "dry_mouth"]
            for r in canonical_rows()]
    path = tmp_path / "survey.csv"
    path.write_text(csv_text(rows, header), encoding="utf-8")
    survey = read_survey(path, KNOWN)
    assert survey.missing_columns == ["dry_mouth"]
    report = survey.report.set_index("column")
    assert (report.at["dry_mouth", "n_valid"], report.at["dry_mouth", "n_blank"]) == (0, N_ROWS)
    assert survey.answers["dry_mouth"].isna().all()


# ------------------------------------------------------------------------------------------ areas and ids

def test_unknown_area_ids_are_reported_with_counts_not_dropped(tmp_path):
    rows = canonical_rows()
    for number, area in ((1, "zzz"), (4, "zzz"), (6, "ｙｙ"), (7, "ｋｉｔａ")):  # full width → NFKC
        rows[number][1] = area
    path = tmp_path / "survey.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    survey = read_survey(path, KNOWN)
    assert survey.unknown_areas == {"zzz": 2, "yy": 1}
    assert len(survey.answers) == N_ROWS
    assert survey.answers["area_id"].tolist()[6:] == ["yy", "kita"]


def problems_of(error: pytest.ExceptionInfo) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in error.value.problems]


def test_a_duplicate_respondent_id_names_row_and_column(tmp_path):
    ids = ["A1", "A2", "A3", "A2", "A5", "A6", "A7", "A1"]
    path = tmp_path / "survey.csv"
    path.write_text(csv_text(canonical_rows(ids)), encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_survey(path, KNOWN)
    # header = row 1, data rows 2–9: the repeats are rows 5 and 9
    assert problems_of(error) == [(5, "respondent_id"), (9, "respondent_id")]
    assert "A2" in str(error.value) and "survey.csv" in str(error.value)


def test_ids_that_differ_only_by_surrounding_spaces_are_duplicates(tmp_path):
    # ids are stored stripped, so "A1" and "A1 " would become two respondents with the same id
    ids = ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A1 "]
    path = tmp_path / "survey.csv"
    path.write_text(csv_text(canonical_rows(ids)), encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_survey(path, KNOWN)
    assert problems_of(error) == [(9, "respondent_id")]


def test_an_empty_area_id_names_row_and_column(tmp_path):
    rows = canonical_rows()
    rows[2][1] = ""
    rows[5][1] = "　"  # an ideographic space is blank too
    path = tmp_path / "survey.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_survey(path, KNOWN)
    assert problems_of(error) == [(4, "area_id"), (7, "area_id")]


def test_an_empty_respondent_id_names_row_and_column(tmp_path):
    ids = ["A1", "A2", "", "A4", "A5", "A6", "A7", "A8"]
    path = tmp_path / "survey.csv"
    path.write_text(csv_text(canonical_rows(ids)), encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_survey(path, KNOWN)
    assert problems_of(error) == [(4, "respondent_id")]


def test_a_file_without_area_id_is_rejected(tmp_path):
    header = [c for c in schema.CANONICAL_COLUMNS if c != "area_id"]
    rows = [[r[0]] + r[2:] for r in canonical_rows()]
    path = tmp_path / "survey.csv"
    path.write_text(csv_text(rows, header), encoding="utf-8")
    with pytest.raises(InputError, match="area_id"):
        read_survey(path, KNOWN)


# ------------------------------------------------------------------------------------------ XLSX + mapping

MAPPING = {"回答者番号": "respondent_id", "圏域": "area_id", "年齢": "age", "問2(1)": "stairs",
           "問2(2)": "chair_rise", "問3(1)身長": "height_cm", "問3(1)体重": "weight_kg",
           "問４（１）": "forgetful"}  # this key is full width, its header half width
#: Headers as a municipal workbook has them: full-width digits and brackets in some.
XLSX_HEADER = ["回答者番号", "圏域", "年齢", "問２（１）", "問2（2）", "問３(１)身長", "問3(1)体重", "問4(1)", "自由記述"]
XLSX_ROWS = [
    ["W001", "kita", 72, 1, 3, 160.5, 50, 1, "特になし"],
    ["W002", "chuo", 81, "無回答", 2, None, 48.5, 2, None],
    ["W003", "minami", 69, 9, 1, 99, 45, None, None],
    ["W004", "zzz", 90, "３", None, 150, 201, 2, None],  # a full-width digit is a valid code after NFKC
]


def write_xlsx(path, header=XLSX_HEADER, rows=XLSX_ROWS):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    workbook.save(path)
    return path


def test_xlsx_with_japanese_headers_through_a_mapping(tmp_path):
    path = write_xlsx(tmp_path / "ニーズ調査.xlsx")
    survey = read_survey(path, KNOWN, mapping=MAPPING)
    answers = survey.answers
    assert answers["respondent_id"].tolist() == ["W001", "W002", "W003", "W004"]
    assert answers["area_id"].tolist() == ["kita", "chuo", "minami", "zzz"]
    clean = clean_answers(answers)
    assert clean["stairs"].tolist() == pytest.approx([1, float("nan"), float("nan"), 3], nan_ok=True)
    assert clean["chair_rise"].tolist() == pytest.approx([3, 2, 1, float("nan")], nan_ok=True)
    assert clean["height_cm"].tolist() == pytest.approx([160.5, float("nan"), float("nan"), 150], nan_ok=True)
    assert clean["weight_kg"].tolist() == pytest.approx([50, 48.5, 45, float("nan")], nan_ok=True)
    assert clean["forgetful"].tolist() == pytest.approx([1, 2, float("nan"), 2], nan_ok=True)
    assert clean["age"].tolist() == [72, 81, 69, 90]
    assert survey.unknown_areas == {"zzz": 1}
    report = survey.report.set_index("column")
    expected = {"stairs": (2, 0, 2), "chair_rise": (3, 1, 0), "height_cm": (2, 1, 1), "weight_kg": (3, 0, 1),
                "forgetful": (3, 1, 0), "age": (4, 0, 0)}  # (valid, blank, invalid)
    for column, counts in expected.items():
        assert tuple(report.loc[column, ["n_valid", "n_blank", "n_invalid"]]) == counts, column
    unmapped = set(schema.ANSWER_COLUMNS) - set(MAPPING.values())
    assert set(survey.missing_columns) == unmapped


def test_mapping_headers_are_compared_after_nfkc():
    frame = pd.DataFrame(columns=["問２（１）", "ＩＤ", "そのまま"])
    renamed = apply_mapping(frame, {"問2(1)": "stairs", "ID": "respondent_id"}, "x.csv")
    assert list(renamed.columns) == ["stairs", "respondent_id", "そのまま"]


def test_mapping_to_a_non_canonical_id_is_rejected(tmp_path):
    path = write_xlsx(tmp_path / "survey.xlsx")
    with pytest.raises(InputError, match="stairz"):
        read_survey(path, KNOWN, mapping={**MAPPING, "問2(1)": "stairz"})


# ------------------------------------------------------------------------------------------ helpers file

def test_helpers_file_counts_invalid_values_and_turns_them_into_nan(tmp_path):
    text = ("respondent_id,area_id,need_garbage,offer_garbage,need_talk,offer_talk\n"
            "H1,kita,1,0,0,1\n"
            "H2,kita,2,1,,1\n"  # 2 is not 0/1
            "H3,chuo,はい,0,1,9\n"
            "H4,zzz,0,１,1,0\n")  # full-width 1 is 1 after NFKC
    path = tmp_path / "helpers.csv"
    path.write_bytes(text.encode("cp932"))
    survey = read_helpers(path, KNOWN)
    answers = survey.answers
    assert answers["need_garbage"].tolist() == pytest.approx([1, float("nan"), float("nan"), 0], nan_ok=True)
    assert answers["offer_garbage"].tolist() == [0, 1, 0, 1]
    assert answers["need_talk"].tolist() == pytest.approx([0, float("nan"), 1, 1], nan_ok=True)
    assert answers["offer_talk"].tolist() == pytest.approx([1, 1, float("nan"), 0], nan_ok=True)
    report = survey.report.set_index("column")
    assert tuple(report.loc["need_garbage", ["n_valid", "n_blank", "n_invalid"]]) == (2, 0, 2)
    assert tuple(report.loc["need_talk", ["n_valid", "n_blank", "n_invalid"]]) == (3, 1, 0)
    assert tuple(report.loc["offer_talk", ["n_valid", "n_blank", "n_invalid"]]) == (3, 0, 1)
    assert tuple(report.loc["offer_garbage", ["n_valid", "n_blank", "n_invalid"]]) == (4, 0, 0)
    assert set(report.at["need_garbage", "invalid_examples"].split("、")) == {"2", "はい"}
    assert survey.unknown_areas == {"zzz": 1}
    other_items = [i for i in schema.HELP_ITEMS if i not in ("garbage", "talk")]
    assert set(survey.missing_columns) == {f"{kind}_{i}" for i in other_items for kind in ("need", "offer")}


def test_helpers_file_without_any_need_or_offer_column_is_rejected(tmp_path):
    path = tmp_path / "helpers.csv"
    path.write_text("respondent_id,area_id,ゴミ出し\nH1,kita,1\n", encoding="utf-8")
    with pytest.raises(InputError):
        read_helpers(path, KNOWN)


def test_helpers_duplicate_ids_are_rejected(tmp_path):
    path = tmp_path / "helpers.csv"
    path.write_text("respondent_id,area_id,need_garbage,offer_garbage\nH1,kita,1,0\nH1,chuo,0,1\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_helpers(path, KNOWN)
    assert problems_of(error) == [(3, "respondent_id")]
