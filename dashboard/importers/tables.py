"""Reading tabular files as municipal staff have them: CSV in UTF-8, UTF-8 with BOM or CP932; XLSX."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pandas as pd

from dashboard.errors import InputError, Problem

#: Tried in this order. Strict UTF-8 first (a CP932 file is almost never valid UTF-8), then BOM,
#: then CP932 — not "shift_jis", which cannot decode 髙, 﨑 and other vendor characters.
ENCODINGS = ("utf-8", "utf-8-sig", "cp932")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _japanese_chars(text: str) -> int:
    """ひらがな, full-width カタカナ and 漢字 in ``text`` (half-width ｶﾅ deliberately not counted)."""
    return sum(1 for ch in text if "\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff")


def reject_unsupported_encoding(raw: bytes, name: str) -> None:
    """Name UTF-16 and EUC-JP files instead of reading them as something else.

    UTF-16 (Excel's 「Unicode テキスト」) has NUL bytes. EUC-JP often decodes as CP932 without an
    error — as half-width ｶﾅ gibberish whose headers match nothing. When the bytes are valid EUC-JP
    and read as more ひらがな/カタカナ/漢字 that way than as CP932, the file is EUC-JP. (A real CP932
    file almost always has a kanji whose first byte, 0x88–0x9F, is invalid in EUC-JP.)
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise InputError([Problem(name, "UTF-16 で保存されたファイルは読めません（Excelの「CSV UTF-8」または"
                                        "「CSV（コンマ区切り）」で保存し直してください）", "UTF-16 (BOM or NUL bytes)")])
    try:
        raw.decode("utf-8")
        return
    except UnicodeDecodeError:
        pass
    try:
        euc = raw.decode("euc_jp")
    except UnicodeDecodeError:
        return
    try:
        cp932 = raw.decode("cp932")
    except UnicodeDecodeError:
        cp932 = ""
    if _japanese_chars(euc) > _japanese_chars(cp932):
        raise InputError([Problem(name, "EUC-JP で保存されたファイルのようです（UTF-8 または Shift_JIS(CP932) で"
                                        "保存し直してください）", "looks like EUC-JP")])


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """Decode bytes of a text file; returns ``(text, encoding used)``. UTF-16 and EUC-JP files are
    named as such (:func:`reject_unsupported_encoding`) rather than read as gibberish."""
    reject_unsupported_encoding(raw, name)
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw.decode("utf-8-sig"), "utf-8-sig"
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputError([Problem(name, "文字コードを判別できません（UTF-8 または Shift_JIS(CP932) で保存してください）",
                              "not decodable as UTF-8, UTF-8 BOM or CP932")])


def drop_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop rows whose cells are all empty, keeping the index: index ``i`` is spreadsheet row
    ``i + 2`` (header = row 1), so messages name the row the user sees even after blank lines."""
    blank = frame.apply(lambda column: column.astype(str).str.strip() == "").all(axis=1)
    return frame[~blank]


def spreadsheet_row(index) -> int:
    """The spreadsheet row number of a frame index from :func:`read_csv_text`/:func:`read_xlsx_text`."""
    return int(index) + 2


def read_csv_text(path: Path, *, name: str | None = None) -> tuple[pd.DataFrame, str]:
    """A CSV as a frame of strings (nothing parsed, empty cells as ``""``) and the encoding used.

    Read with the csv module so that blank lines keep their place (frame index ``i`` is
    spreadsheet row ``i + 2``) and a row with more cells than the header is reported, not
    silently turned into an index. Short rows are padded (some tools drop trailing empty cells).
    """
    name = name or Path(path).name
    text, encoding = decode(Path(path).read_bytes(), name)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError([Problem(name, "CSVの形式が正しくありません", str(exc))]) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InputError([Problem(name, "ファイルが空です（1行目に見出しが必要です）", "empty file or no header")])
    header = [cell.strip() for cell in rows[0]]
    body, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        extra = row[len(header):]
        if any(cell.strip() for cell in extra):
            problems.append(Problem(name, f"見出しは{len(header)}列ですが、この行は{len(row)}列あります",
                                    f"expected {len(header)} fields, saw {len(row)}", row=number))
        body.append((row + [""] * len(header))[:len(header)])
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(body, columns=header, dtype=str) if body else pd.DataFrame(columns=header, dtype=str)
    return drop_blank_rows(frame), encoding


def read_xlsx_text(path: Path, *, name: str | None = None) -> pd.DataFrame:
    """The first sheet of an XLSX file as a frame of strings (empty cells as ``""``)."""
    name = name or Path(path).name
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for broken files; report, don't crash
        raise InputError([Problem(name, "Excelファイルを読み込めません", f"{type(exc).__name__}: {exc}")]) from None
    frame = frame.fillna("")
    frame.columns = [str(c).strip() for c in frame.columns]
    return drop_blank_rows(frame)
