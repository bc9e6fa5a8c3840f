"""Reading survey files: the canonical CSV, or municipal CSV/XLSX through a column mapping.

Returns the answers plus a per-column report (blank and invalid values); respondents whose
``area_id`` the store does not know are reported, never silently dropped. Nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard.errors import InputError, Problem
from dashboard.importers.tables import read_csv_text, read_xlsx_text, spreadsheet_row
from dashboard.normalize import nfkc
from dashboard.survey import schema


@dataclass
class SurveyFile:
    answers: pd.DataFrame  # respondent_id, area_id (text) + answer columns (float, invalid kept, text → NaN)
    report: pd.DataFrame  # column, n_valid, n_blank, n_invalid, examples of invalid values
    unknown_areas: dict[str, int]  # area_id → respondents
    encoding: str | None
    missing_columns: list[str]


def _read_table(path: Path) -> tuple[pd.DataFrame, str | None]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx_text(path), None
    if path.suffix.lower() in (".csv", ".txt"):
        return read_csv_text(path)
    raise InputError([Problem(path.name, f"この形式は取り込めません: {path.suffix}（CSV・Excel）", "unsupported format")])


def apply_mapping(frame: pd.DataFrame, mapping: dict[str, str] | None, name: str) -> pd.DataFrame:
    """Rename municipal headers (``問2(1)`` …) to semantic ids; headers are compared after NFKC."""
    if not mapping:
        return frame
    normalised = {nfkc(k): v for k, v in mapping.items()}
    unknown_targets = sorted(set(normalised.values()) - set(schema.CANONICAL_COLUMNS) - {"need", "offer"}
                             - {c for c in normalised.values() if c.startswith(("need_", "offer_"))})
    if unknown_targets:
        raise InputError([Problem(name, f"対応表の項目名が正しくありません: {', '.join(unknown_targets)}",
                                  "mapping targets must be canonical ids")])
    return frame.rename(columns={c: normalised[nfkc(c)] for c in frame.columns if nfkc(c) in normalised})


def _check_ids(frame: pd.DataFrame, name: str) -> None:
    problems = [Problem(name, f"必須の列「{c}」がありません", f"missing column {c!r}") for c in schema.ID_COLUMNS
                if c not in frame.columns]
    if problems:
        raise InputError(problems)
    for column in schema.ID_COLUMNS:
        for index in frame.index[frame[column].str.strip() == ""]:
            problems.append(Problem(name, f"{column} が空です", f"empty {column}", row=spreadsheet_row(index), column=column))
    ids = frame["respondent_id"].str.strip()  # stored stripped, so compare stripped
    duplicated = ids.duplicated(keep="first") & (ids != "")
    for index in frame.index[duplicated]:
        problems.append(Problem(name, f"回答者ID「{frame.at[index, 'respondent_id']}」が重複しています", "duplicate id",
                                row=spreadsheet_row(index), column="respondent_id"))
    if problems:
        raise InputError(problems)


def read_survey(path: Path, known_areas: set[str], *, mapping: dict[str, str] | None = None) -> SurveyFile:
    """Read a needs-survey file into canonical answers and an import report."""
    path = Path(path)
    frame, encoding = _read_table(path)
    frame = apply_mapping(frame, mapping, path.name)
    _check_ids(frame, path.name)
    missing = [c for c in schema.ANSWER_COLUMNS if c not in frame.columns]
    answers = pd.DataFrame({"respondent_id": frame["respondent_id"].str.strip(),
                            "area_id": frame["area_id"].map(nfkc)})
    rows = []
    for column in schema.ANSWER_COLUMNS:
        if column in missing:
            answers[column] = float("nan")
            rows.append({"column": column, "n_valid": 0, "n_blank": len(frame), "n_invalid": 0, "invalid_examples": "（列なし）"})
            continue
        text = frame[column].map(nfkc)
        values = pd.to_numeric(text, errors="coerce")
        if column in schema.CODED:
            valid = values.isin(schema.CODED[column])
        else:
            low, high = schema.NUMERIC[column]
            valid = values.between(low, high)
        blank = text == ""
        invalid = ~valid & ~blank
        answers[column] = values
        rows.append({"column": column, "n_valid": int(valid.sum()), "n_blank": int(blank.sum()),
                     "n_invalid": int(invalid.sum()),
                     "invalid_examples": "、".join(sorted(set(text[invalid]))[:5])})
    counts = answers.loc[~answers["area_id"].isin(known_areas), "area_id"].value_counts()
    return SurveyFile(answers=answers.reset_index(drop=True), report=pd.DataFrame(rows),
                      unknown_areas={str(k): int(v) for k, v in counts.items()}, encoding=encoding,
                      missing_columns=missing)


def read_helpers(path: Path, known_areas: set[str], *, mapping: dict[str, str] | None = None,
                 items: dict[str, str] = schema.HELP_ITEMS) -> SurveyFile:
    """Read a needs ↔ helpers file: ``respondent_id, area_id, need_<item>, offer_<item>`` (0/1)."""
    path = Path(path)
    frame, encoding = _read_table(path)
    frame = apply_mapping(frame, mapping, path.name)
    _check_ids(frame, path.name)
    answers = pd.DataFrame({"respondent_id": frame["respondent_id"].str.strip(), "area_id": frame["area_id"].map(nfkc)})
    rows, missing = [], []
    for item in items:
        for column in (f"need_{item}", f"offer_{item}"):
            if column not in frame.columns:
                missing.append(column)
                answers[column] = float("nan")
                continue
            text = frame[column].map(nfkc)
            values = pd.to_numeric(text, errors="coerce")
            valid = values.isin((0, 1))
            blank = text == ""
            answers[column] = values.where(valid)
            rows.append({"column": column, "n_valid": int(valid.sum()), "n_blank": int(blank.sum()),
                         "n_invalid": int((~valid & ~blank).sum()),
                         "invalid_examples": "、".join(sorted(set(text[~valid & ~blank]))[:5])})
    if len(missing) == 2 * len(items):
        raise InputError([Problem(path.name, "need_〇〇 / offer_〇〇 の列が1つもありません", "no need_/offer_ columns")])
    counts = answers.loc[~answers["area_id"].isin(known_areas), "area_id"].value_counts()
    return SurveyFile(answers=answers.reset_index(drop=True), report=pd.DataFrame(rows),
                      unknown_areas={str(k): int(v) for k, v in counts.items()}, encoding=encoding,
                      missing_columns=missing)
