"""Reading tabular files as municipal staff have them: CSV in UTF-8, UTF-8 with BOM or CP932; XLSX."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Callable

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


def _csv_rows(path: Path, name: str) -> tuple[list[list[str]], str]:
    text, encoding = decode(Path(path).read_bytes(), name)
    try:
        return list(csv.reader(io.StringIO(text, newline=""))), encoding
    except csv.Error as error:
        raise InputError([Problem(name, "CSVの形式が正しくありません", str(error))]) from error


def read_csv_text(path: Path, *, name: str | None = None) -> tuple[pd.DataFrame, str]:
    """A CSV as a frame of strings (nothing parsed, empty cells as ``""``) and the encoding used.

    Read with the csv module so that blank lines keep their place (frame index ``i`` is
    spreadsheet row ``i + 2``) and a row with more cells than the header is reported, not
    silently turned into an index. Short rows are padded (some tools drop trailing empty cells).
    The header is row 1 (see :func:`read_sheet` for files with a title above their header).
    """
    name = name or Path(path).name
    rows, encoding = _csv_rows(path, name)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InputError([Problem(name, "ファイルが空です（1行目に見出しが必要です）", "empty file or no header")])
    frame, _ = _frame_below(rows, 0, name, strict_width=True, footnotes=False)
    return frame, encoding


def read_xlsx_text(path: Path, *, name: str | None = None) -> pd.DataFrame:
    """The first sheet of an XLSX file as a frame of strings (empty cells as ``""``)."""
    name = name or Path(path).name
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl")
    except Exception as error:  # openpyxl raises many types for broken files; report, don't crash
        raise InputError([Problem(name, "Excelファイルを読み込めません", f"{type(error).__name__}: {error}")]) from error
    frame = frame.fillna("")
    frame.columns = [str(c).strip() for c in frame.columns]
    return drop_blank_rows(frame)


# --- Sheets as municipalities make them: a title above the header, notes below ----------------------

#: Rows searched for the header (a title, a 「令和6年4月1日現在」 line and blank rows come first).
HEADER_SCAN_ROWS = 30
#: A footnote: 「※日程は変更になる場合があります」, 「注）…」, 「（注）…」, 「注1：…」 (after NFKC).
_FOOTNOTE = re.compile(r"^(?:※|\(注\d*\)|注\d*[):.、])")
_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


@dataclass
class Sheet:
    """The table of a file: cells as text under their headers, and where the table was found.

    ``frame`` index ``i`` is spreadsheet row ``i + 2`` (:func:`spreadsheet_row`), wherever the
    header is. ``header_row`` is the 1-based row taken as the header (``None`` for GeoJSON and
    GeoPackage); ``header_found`` says it was recognised by its words rather than being the first
    non-empty row. ``skipped`` lists ``(row, text)`` of footnotes left out; ``top_rows`` are the
    first rows as read, so a user can choose another header row.
    """

    frame: pd.DataFrame
    encoding: str | None = None
    header_row: int | None = None
    header_found: bool = False
    skipped: list[tuple[int, str]] = field(default_factory=list)
    top_rows: list[list[str]] = field(default_factory=list)


def _cell_text(value) -> str:
    """An XLSX cell as the text a person sees (a time cell 10:00 as ``10:00``, a date as ISO)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value.hour}:{value.minute:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _merged_ranges(path: Path, sheet) -> list[tuple[int, int, int]]:
    """``(first row, last row, column)`` (1-based) of each merged range of a read-only sheet.

    Read-only mode streams rows (about 3× faster on a 20,000-row sheet) but does not parse merged
    cells, so they are read from the sheet's XML part (``<mergeCell ref="B5:B6"/>``, which comes
    after the rows); without the part's name, the workbook is loaded in full to get them.
    """
    from openpyxl.worksheet.cell_range import CellRange

    part = getattr(sheet, "_worksheet_path", None)
    if part:
        with zipfile.ZipFile(path) as archive:
            xml = archive.read(part)
        refs = [r.decode() for r in _MERGE_CELL.findall(xml)]
    else:  # pragma: no cover - other openpyxl versions
        from openpyxl import load_workbook

        refs = [str(r) for r in load_workbook(path).worksheets[0].merged_cells.ranges]
    ranges = [CellRange(ref) for ref in refs]
    return [(r.min_row, r.max_row, r.min_col) for r in ranges]


def _xlsx_rows(path: Path, name: str) -> list[list[str]]:
    """The first sheet's cells as text rows (row ``i`` = spreadsheet row ``i + 1``).

    A merged range's value is copied down its first column only: a venue merged over the two
    salons held there belongs to both rows, but a title or note merged across the columns stays
    one cell (so it is never read as a name, an address and a phone number at once).
    """
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        merged = _merged_ranges(path, sheet)
        book.close()
    except Exception as error:  # openpyxl raises many types for broken files; report, don't crash
        raise InputError([Problem(name, "Excelファイルを読み込めません", f"{type(error).__name__}: {error}")]) from error
    width = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (width - len(row)) for row in rows]
    for first, last, column in merged:
        if first - 1 >= len(rows) or column - 1 >= width:
            continue
        value = rows[first - 1][column - 1]
        for index in range(first, min(last, len(rows))):
            rows[index][column - 1] = value
    return rows


def read_rows(path: Path, name: str) -> tuple[list[list[str]], str | None]:
    """Every row of a CSV or XLSX file as text cells, and the CSV encoding used."""
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path, name), None
    return _csv_rows(path, name)


def _filled(cells: list[str]) -> list[str]:
    return [c.strip() for c in cells if c and c.strip()]


def find_header_row(rows: list[list[str]], score: Callable[[list[str]], int],
                    scan: int = HEADER_SCAN_ROWS) -> int | None:
    """0-based index of the row among the first ``scan`` whose cells ``score`` best (at least 2
    known headers; the earlier row wins a tie), or ``None`` when no row has two known headers."""
    best, best_score = None, 1
    for index, row in enumerate(rows[:scan]):
        value = score(_filled(row))
        if value > best_score:
            best, best_score = index, value
    return best


def _unique_headers(cells: list[str]) -> list[str]:
    """Header names: a blank header cell becomes 「列N」, a repeated one 「備考(2)」."""
    names, seen = [], {}
    for number, cell in enumerate(cells, start=1):
        header = cell.strip() or f"列{number}"
        seen[header] = seen.get(header, 0) + 1
        names.append(header if seen[header] == 1 else f"{header}({seen[header]})")
    return names


def _frame_below(rows: list[list[str]], header_index: int, name: str, *, strict_width: bool,
                 footnotes: bool) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """The rows below ``rows[header_index]`` as a frame indexed so that :func:`spreadsheet_row`
    names their row, without blank rows; with ``footnotes``, notes are left out and returned.

    ``strict_width`` (CSV): a row with more filled cells than the header is an error. Otherwise
    (XLSX) the table is as wide as its widest filled cell and unnamed columns are 「列N」.
    """
    header_cells = [c.strip() for c in rows[header_index]]
    body = list(enumerate(rows[header_index + 1:], start=header_index + 2))  # (spreadsheet row, cells)
    if strict_width:
        width = len(header_cells)
        problems = [Problem(name, f"見出しは{width}列ですが、この行は{len(cells)}列あります",
                            f"expected {width} fields, saw {len(cells)}", row=number)
                    for number, cells in body if any(c.strip() for c in cells[width:])]
        if problems:
            raise InputError(problems)
    else:
        filled = [max((i for i, c in enumerate(cells) if c.strip()), default=-1) for cells in [header_cells]
                  + [cells for _, cells in body]]
        width = max(filled) + 1
    skipped = []
    if footnotes:
        body, skipped = _without_footnotes(body, len(_filled(header_cells)))
    headers = _unique_headers((header_cells + [""] * width)[:width])
    data = [(cells + [""] * width)[:width] for _, cells in body]
    index = [number - 2 for number, _ in body]
    frame = pd.DataFrame(data, columns=headers, index=index, dtype=str) if data else \
        pd.DataFrame(columns=headers, dtype=str)
    return drop_blank_rows(frame), skipped


def _without_footnotes(body: list[tuple[int, list[str]]], header_width: int):
    """Leave out 「※…」/「注）…」 rows anywhere under the header, and rows with at most one filled
    cell after the table's last row with two or more (a 「○○社会福祉協議会 地域福祉係」 line)."""
    kept, skipped = [], []
    for number, cells in body:
        filled = _filled(cells)
        if filled and _FOOTNOTE.match(unicodedata.normalize("NFKC", filled[0])):
            skipped.append((number, " ".join(filled)))
        else:
            kept.append((number, cells))
    if header_width >= 2:
        last = max((i for i, (_, cells) in enumerate(kept) if len(_filled(cells)) >= 2), default=-1)
        tail = [(n, c) for n, c in kept[last + 1:] if _filled(c)]
        skipped += [(n, " ".join(_filled(c))) for n, c in tail]
        kept = kept[:last + 1]
    return kept, sorted(skipped)


def read_sheet(path: Path, name: str, score: Callable[[list[str]], int], *,
               header_row: int | None = None) -> Sheet:
    """A CSV or XLSX table wherever its header is: ``header_row`` (1-based) if given, else the
    row :func:`find_header_row` finds with ``score`` (number of known headers in a row's cells),
    else the first non-empty row. Footnotes under the table are left out (``Sheet.skipped``)."""
    rows, encoding = read_rows(path, name)
    first = next((i for i, row in enumerate(rows) if _filled(row)), None)
    if first is None:
        raise InputError([Problem(name, "ファイルが空です（見出しの行が必要です）", "empty file or no header")])
    if header_row is not None:
        index, found = header_row - 1, False
        if not 0 <= index < len(rows) or not _filled(rows[index]):
            raise InputError([Problem(name, f"見出しに選んだ{header_row}行目は空です", f"header row {header_row} is empty",
                                      row=header_row)])
    else:
        detected = find_header_row(rows, score)
        index, found = (first, False) if detected is None else (detected, True)
    frame, skipped = _frame_below(rows, index, name, strict_width=encoding is not None, footnotes=True)
    return Sheet(frame=frame, encoding=encoding, header_row=index + 1, header_found=found, skipped=skipped,
                 top_rows=[list(r) for r in rows[:HEADER_SCAN_ROWS]])
