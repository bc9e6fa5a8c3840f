"""Reading tabular files as municipal staff have them: CSV in UTF-8, UTF-8 with BOM or CP932; XLSX."""

from __future__ import annotations

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


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """Decode bytes of a text file; returns ``(text, encoding used)``."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw.decode("utf-8-sig"), "utf-8-sig"
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputError([Problem(name, "文字コードを判別できません（UTF-8 または Shift_JIS(CP932) で保存してください）",
                              "not decodable as UTF-8, UTF-8 BOM or CP932")])


def read_csv_text(path: Path, *, name: str | None = None) -> tuple[pd.DataFrame, str]:
    """A CSV as a frame of strings (nothing parsed, empty cells as ``""``) and the encoding used."""
    name = name or Path(path).name
    text, encoding = decode(Path(path).read_bytes(), name)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=False)
    except pd.errors.ParserError as exc:
        raise InputError([Problem(name, "CSVの形式が正しくありません（列の数が行によって違います）", str(exc))]) from None
    except pd.errors.EmptyDataError:
        raise InputError([Problem(name, "ファイルが空です", "empty file")]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, encoding


def read_xlsx_text(path: Path, *, name: str | None = None) -> pd.DataFrame:
    """The first sheet of an XLSX file as a frame of strings (empty cells as ``""``)."""
    name = name or Path(path).name
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for broken files; report, don't crash
        raise InputError([Problem(name, "Excelファイルを読み込めません", f"{type(exc).__name__}: {exc}")]) from None
    frame = frame.fillna("")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame
