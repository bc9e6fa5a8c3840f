"""総務省「住民基本台帳に基づく人口、人口動態及び世帯数」: the 年齢階級別人口（市区町村別） workbook.

One workbook covers every municipality of Japan by sex and 5-year age band, with 郡, prefecture and
national totals between them; the demo reads the 令和4年1月1日 one
(``data/saitama/soumu_juki_2204ssnen.xlsx``, :data:`dashboard.settings.JUKI_AGE_TABLE`).
:func:`read_age_structure` takes one municipality's 65+ bands by sex from it — the age structure the
synthetic needs surveys are drawn from (:func:`dashboard.survey.generate.generate_survey`).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.errors import InputError, Problem

_BAND_LABEL = re.compile(r"^(\d+)歳(?:～\d+歳|以上)$")
_SEX_CODES = {"男": 1, "女": 2}


def _problem(path: Path, message_ja: str, detail_en: str) -> InputError:
    return InputError([Problem(path.name, message_ja, detail_en)])


def read_age_bands(xlsx_path, municipality_code: str) -> pd.DataFrame:
    """Every 5-year band of one municipality by sex (0歳～4歳 … 100歳以上), same columns and checks as
    :func:`read_age_structure` (``band_start`` 0, 5 … 100) — the city-level age structure the
    推計 of the older population scales onto each population unit (:mod:`dashboard.projection`)."""
    return _read_bands(xlsx_path, municipality_code, 0)


def read_age_structure(xlsx_path, municipality_code: str) -> pd.DataFrame:
    """Persons aged 65+ of one municipality by 5-year band and sex, from the 総務省 workbook
    「住民基本台帳に基づく人口、人口動態及び世帯数 — 年齢階級別人口（市区町村別）」 (e.g.
    ``data/saitama/soumu_juki_2204ssnen.xlsx``).

    ``municipality_code`` is the 団体コード, either with its check digit (6 digits, 蕨市 = ``"112232"``) or
    without (5 digits, ``"11223"`` as the store uses). Returns ``band_start, sex, count`` (ints; ``sex`` 1 男 /
    2 女; ``band_start`` 65, 70 … 100, where 100 is 「100歳以上」), sorted by band then sex; the
    municipality's name is in ``frame.attrs["municipality_name"]``.

    Raises :class:`~dashboard.errors.InputError` if the file cannot be read, the code is not a
    municipality in it, or its 65+ breakdown is not published.
    """
    return _read_bands(xlsx_path, municipality_code, 65)


def _read_bands(xlsx_path, municipality_code: str, min_start: int) -> pd.DataFrame:
    path = Path(xlsx_path)
    code = unicodedata.normalize("NFKC", str(municipality_code)).strip()
    if not re.fullmatch(r"\d{5}|\d{6}", code):
        raise _problem(path, f"市区町村コード「{municipality_code}」は5桁または6桁（検査数字付き）の数字で指定してください。",
                       "municipality code must be 5 digits or 6 digits with the check digit")
    try:
        raw = pd.read_excel(path, header=None, dtype=object, engine="openpyxl")
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise _problem(path, "年齢階級別人口のExcelファイルを読み込めません。",
                       f"cannot read the workbook: {exc}") from exc

    def cell_text(value) -> str:
        return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value).strip()

    header_rows = [i for i in range(min(len(raw), 10)) if cell_text(raw.iat[i, 0]) == "団体コード"]
    if not header_rows:
        raise _problem(path, "「団体コード」の見出し行が見つかりません。総務省の年齢階級別人口（市区町村別）の表ですか。",
                       "no header row starting with 団体コード in the first 10 rows")
    header = header_rows[0]
    labels = {cell_text(raw.iat[header, j]): j for j in range(raw.shape[1])}
    bands = {}
    for i in range(header + 1):
        for j in range(raw.shape[1]):
            match = _BAND_LABEL.match(cell_text(raw.iat[i, j]))
            if match and int(match.group(1)) >= min_start:
                bands[int(match.group(1))] = j
    if "性別" not in labels or "市区町村名" not in labels or set(bands) != set(range(min_start, 101, 5)):
        raise _problem(path, "見出しに「性別」「市区町村名」または65歳以上の5歳階級（65歳～69歳 … 100歳以上）がありません。",
                       f"expected columns 性別, 市区町村名 and bands 65..100, found bands {sorted(bands)}")

    body = raw.iloc[header + 1:]
    codes = body.iloc[:, 0].map(cell_text)
    selected = body[codes == code] if len(code) == 6 else body[codes.str.fullmatch(r"\d{6}") & (codes.str[:5] == code)]
    if selected.empty:
        raise _problem(path, f"団体コード「{code}」の市区町村がファイルにありません。",
                       f"municipality code {code} not found (6-digit codes need the right check digit, "
                       "e.g. 蕨市 = 112232)")
    name = cell_text(selected.iat[0, labels["市区町村名"]])
    if name in ("", "-") or name.endswith("郡"):
        raise _problem(path, f"団体コード「{code}」は市区町村ではなく都道府県または郡の合計です。",
                       f"code {code} is a prefecture or 郡 total ({name or '-'}), not a municipality")

    records = []
    for _, row in selected.iterrows():
        sex = _SEX_CODES.get(cell_text(row.iloc[labels["性別"]]))
        if sex is None:
            continue  # 計
        for start, column in bands.items():
            value = pd.to_numeric(cell_text(row.iloc[column]), errors="coerce")
            if pd.isna(value) or value < 0:
                raise _problem(path, f"{name}の{start}歳以上の年齢階級別人口が公表されていません（空欄または記号）。",
                               f"non-numeric count {row.iloc[column]!r} for band {start}, sex {sex}")
            records.append((start, sex, int(value)))
    if {s for _, s, _ in records} != {1, 2}:
        raise _problem(path, f"{name}の男・女別の行がありません。", "rows for 男 and 女 are both required")
    frame = (pd.DataFrame(records, columns=["band_start", "sex", "count"])
             .sort_values(["band_start", "sex"], ignore_index=True).astype("int64"))
    frame.attrs["municipality_name"] = name
    return frame


#: Columns of :func:`read_municipality_totals`, in order.
TOTAL_COLUMNS = ("code", "code6", "prefecture", "name", "population", "aged65")


def read_municipality_totals(xlsx_path, prefecture_code: int | None = None) -> pd.DataFrame:
    """Total population and persons aged 65+ (男女計) of every municipality in the workbook, one row each.

    Rows of the nation, of prefectures and of 郡 are left out; a 政令市 comes as itself (さいたま市,
    ``11100``) *and* as each of its wards (さいたま市西区, ``11101`` …), as the workbook has them, so a
    caller picks the level it needs. ``prefecture_code`` (11 for 埼玉県) keeps one prefecture.

    Returns :data:`TOTAL_COLUMNS`: ``code`` (5 digits, as the store uses), ``code6`` (with the check
    digit), ``prefecture``, ``name`` (as printed: 町村 with their 郡, 「北葛飾郡杉戸町」), ``population``
    (総数) and ``aged65`` (the sum of the bands 65歳～69歳 … 100歳以上), ints, sorted by code.

    Reads the sheet once with openpyxl in read-only mode (≈ 0.5 s for all of Japan): reading it once
    per municipality, as :func:`read_age_structure` does, would take a minute for a prefecture.
    Raises :class:`~dashboard.errors.InputError` as :func:`read_age_structure` does.
    """
    import openpyxl

    path = Path(xlsx_path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise _problem(path, "年齢階級別人口のExcelファイルを読み込めません。",
                       f"cannot read the workbook: {exc}") from exc
    try:
        rows = [["" if v is None else str(v).strip() for v in row]
                for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    header = next((i for i, row in enumerate(rows[:10]) if row and row[0] == "団体コード"), None)
    if header is None:
        raise _problem(path, "「団体コード」の見出し行が見つかりません。総務省の年齢階級別人口（市区町村別）の表ですか。",
                       "no header row starting with 団体コード in the first 10 rows")
    labels = {label: j for j, label in enumerate(rows[header])}
    bands = {}
    for row in rows[:header + 1]:
        for j, text in enumerate(row):
            match = _BAND_LABEL.match(text)
            if match and int(match.group(1)) >= 65:
                bands[int(match.group(1))] = j
    total = next((j for row in rows[:header] for j, text in enumerate(row) if text == "総数"), None)
    needed = ("都道府県名", "市区町村名", "性別")
    if any(k not in labels for k in needed) or total is None or set(bands) != set(range(65, 101, 5)):
        raise _problem(path, "見出しに「都道府県名」「市区町村名」「性別」「総数」または65歳以上の5歳階級がありません。",
                       f"expected columns {needed}, 総数 and bands 65..100, found bands {sorted(bands)}")
    records = []
    for number, row in enumerate(rows[header + 1:], start=header + 2):
        code6, name = row[0], row[labels["市区町村名"]]
        if row[labels["性別"]] != "計" or not re.fullmatch(r"\d{6}", code6) or name in ("", "-") or name.endswith("郡"):
            continue  # 男・女 rows, the nation, prefectures and 郡 totals
        if prefecture_code is not None and int(code6[:2]) != int(prefecture_code):
            continue
        try:
            counts = [int(float(row[total]))] + [int(float(row[j])) for j in bands.values()]
        except ValueError as exc:
            raise _problem(path, f"{name}（{number}行目）の人口が数値ではありません（空欄または記号）。",
                           f"non-numeric count in row {number}: {exc}") from exc
        records.append((code6[:5], code6, row[labels["都道府県名"]], name, counts[0], sum(counts[1:])))
    return pd.DataFrame(records, columns=list(TOTAL_COLUMNS)).sort_values("code", ignore_index=True)
