"""Records as a spreadsheet: reading a city's own list (CSV/XLSX) and writing the Excel export. Pure
(no store): the service gives the city's areas and places and stores what comes back.

The import columns (issue #16): 日付, 種別, 圏域, 参加人数, 概要, 地域の声 — plus 場所 (a place's id or
exact name), which the export writes too, so an exported workbook reads back in. 地域の声 holds one or
more statements separated by 「／」, each optionally led by its tags in 【】 (【買い物・移動】バス停まで遠い).
圏域 holds one or more of the city's 日常生活圏域 by name (「中央地区」, also without 地区/圏域) or id,
separated by 「・」「、」「,」; empty or 「市全体」 = city-wide.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from dashboard.errors import Problem
from dashboard.normalize import parse_date_ja
from dashboard.records import entries
from dashboard.records.entries import RecordInput, VoiceEntry
from dashboard.records.vocab import RECORD_KINDS, UnknownTag, format_voices, kind_of, parse_voices

#: Field → the header the file must use, then other headers read as the same column (after NFKC).
HEADERS = {
    "held_on": ("日付", "実施日", "開催日", "年月日", "活動日"),
    "kind": ("種別", "活動種別", "種類", "区分"),
    "areas": ("圏域", "日常生活圏域", "地区", "エリア"),
    "participants": ("参加人数", "参加者数", "人数", "参加者"),
    "summary": ("概要", "内容", "活動内容", "記録"),
    "voices": ("地域の声", "住民の声", "声"),
    "place_id": ("場所", "会場", "場所ID"),
}
REQUIRED = ("held_on", "kind")
#: Cells that mean "no particular area".
CITY_WIDE = ("", "市全体", "全域", "全体", "なし", "-", "ー")
_AREA_SPLIT = re.compile(r"[・、,，/／\s]+")
_AREA_SUFFIX = re.compile(r"(地区|圏域|地域|エリア)$")
_COUNT = re.compile(r"^(\d+)\s*(人|名)?$")


def header_score(cells: list[str]) -> int:
    """How many known headers a row holds (finds the header under a title)."""
    known = {unicodedata.normalize("NFKC", h) for names in HEADERS.values() for h in names}
    return sum(unicodedata.normalize("NFKC", c).strip() in known for c in cells)


def columns_of(frame: pd.DataFrame) -> tuple[dict[str, str], list[str]]:
    """field → the file's header, and the headers that were not recognised."""
    found, unknown = {}, []
    for header in frame.columns:
        key = unicodedata.normalize("NFKC", str(header)).strip()
        field_name = next((f for f, names in HEADERS.items()
                           if key in {unicodedata.normalize("NFKC", n) for n in names}), None)
        if field_name is None or field_name in found:
            unknown.append(str(header))
        else:
            found[field_name] = str(header)
    return found, unknown


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


class AreaResolver:
    """圏域 cells → area ids of one city: by id, by name, or by name without 地区/圏域/地域."""

    def __init__(self, names: dict[str, str]):
        self.by_key: dict[str, str] = {}
        for area_id, name in names.items():
            for spelling in (area_id, name, _AREA_SUFFIX.sub("", _key(name))):
                self.by_key.setdefault(_key(spelling), area_id)

    def resolve(self, cell: str) -> tuple[tuple[str, ...], list[str]]:
        """``(area ids, pieces not understood)``."""
        value = _key(cell)
        if value in CITY_WIDE:
            return (), []
        if value in self.by_key:  # a name that itself holds a separator
            return (self.by_key[value],), []
        ids, unknown = [], []
        for piece in (p for p in _AREA_SPLIT.split(value) if p):
            area_id = self.by_key.get(piece) or self.by_key.get(_AREA_SUFFIX.sub("", piece))
            (ids.append(area_id) if area_id else unknown.append(piece))
        return tuple(dict.fromkeys(ids)), unknown


class PlaceResolver:
    """場所 cells → a place id of one city: by id or by exact name (a name two places share is refused)."""

    def __init__(self, places: dict[str, str]):
        self.ids = set(places)
        by_name: dict[str, list[str]] = {}
        for place_id, name in places.items():
            by_name.setdefault(_key(name), []).append(place_id)
        self.by_name = by_name

    def resolve(self, cell: str) -> tuple[str | None, str | None]:
        """``(place id, problem)``; both None for an empty cell."""
        value = _key(cell)
        if not value:
            return None, None
        if value in self.ids:
            return value, None
        matches = self.by_name.get(value, [])
        if len(matches) == 1:
            return matches[0], None
        if matches:
            return None, f"場所「{cell}」という名前の資源が{len(matches)}件あります。IDで書いてください（{'、'.join(matches)}）"
        return None, f"場所「{cell}」はこの市町村の資源にありません（資源のIDか名称で書いてください）"


@dataclass
class ParsedRecords:
    """Rows read from a file: the records, their spreadsheet rows, and every problem (row, column)."""

    records: list[RecordInput] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)


def parse_rows(frame: pd.DataFrame, name: str, areas: AreaResolver, places: PlaceResolver,
               row_of=lambda index: int(index) + 2) -> ParsedRecords:
    """Read every row of a sheet (text cells under their headers) into records; problems name the
    file, the spreadsheet row (``row_of`` the frame index) and the file's column header."""
    columns, unknown = columns_of(frame)
    result = ParsedRecords(unknown_columns=unknown)
    missing = [HEADERS[f][0] for f in REQUIRED if f not in columns]
    if "summary" not in columns and "voices" not in columns:
        missing.append("概要 または 地域の声")
    if missing:
        result.problems.append(Problem(name, f"必要な列がありません: {'、'.join(missing)}（見出しの行を確認してください）",
                                       "missing columns", row=None, column="、".join(missing)))
        return result
    for index, cells in frame.iterrows():
        row = row_of(index)
        record, found = _row(cells, columns, name, row, areas, places)
        result.problems += found
        if record is not None:
            result.records.append(record)
            result.rows.append(row)
    return result


def _row(cells, columns: dict[str, str], name: str, row: int, areas: AreaResolver,
         places: PlaceResolver) -> tuple[RecordInput | None, list[Problem]]:
    def cell(field_name: str) -> str:
        header = columns.get(field_name)
        value = "" if header is None else cells[header]
        return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()

    problems = []

    def problem(field_name: str, ja: str, en: str) -> None:
        problems.append(Problem(name, ja, en, row=row, column=columns.get(field_name, HEADERS[field_name][0])))

    held_on: date | None = None
    try:
        held_on = parse_date_ja(cell("held_on"))
    except ValueError:
        problem("held_on", f"日付「{cell('held_on')}」を読めません（2026-04-01、令和8年4月1日、R8.4.1 など）", "bad date")
    kind = kind_of(cell("kind"))
    if cell("kind") and kind is None:
        problem("kind", f"種別「{cell('kind')}」は使えません（使えるもの: {'、'.join(RECORD_KINDS)}）", "unknown kind")
    area_ids, unknown_areas = areas.resolve(cell("areas"))
    if unknown_areas:
        problem("areas", f"圏域「{'、'.join(unknown_areas)}」はこの市町村にありません", "unknown area")
    participants = None
    if cell("participants"):
        match = _COUNT.match(_key(cell("participants")))
        if match is None:
            problem("participants", f"参加人数「{cell('participants')}」は0以上の整数にしてください", "bad participants")
        else:
            participants = int(match.group(1))
    place_id, place_problem = places.resolve(cell("place_id"))
    if place_problem:
        problem("place_id", place_problem, "unknown place")
    voices: tuple[VoiceEntry, ...] = ()
    try:
        voices = tuple(VoiceEntry(v.text, v.tags) for v in parse_voices(cell("voices")))
    except UnknownTag as error:
        from dashboard.records.vocab import tag_names

        problem("voices", f"タグ「{error.tag}」は語彙にありません（使えるもの: {'、'.join(tag_names())}。"
                          "data/vocab/needs_tags.csv に足せます）", "unknown tag")
    except ValueError as error:
        problem("voices", str(error), "empty statement")
    record = RecordInput(held_on=held_on, kind=kind or cell("kind"), area_ids=area_ids, place_id=place_id,
                         participants=participants, summary=cell("summary"), voices=voices)
    # the record's own checks, for what the cell checks above did not already report
    reported = {p.column for p in problems}
    names = {f: columns.get(f, HEADERS[f][0]) for f in HEADERS}
    names.update(followups="フォローアップ")
    problems += [p for p in entries.problems(record, name=name, row=row, columns=names) if p.column not in reported]
    return (None if problems else record), problems


# --- export --------------------------------------------------------------------------------------------

RECORD_SHEET = ["ID", "日付", "種別", "圏域", "場所", "参加人数", "概要", "地域の声", "フォローアップ未完了",
                "フォローアップ完了", "添付"]
VOICE_SHEET = ["声ID", "記録ID", "日付", "種別", "圏域", "タグ", "地域の声"]
FOLLOWUP_SHEET = ["記録ID", "日付", "種別", "圏域", "内容", "担当", "期限", "状態", "完了日"]


def workbook_bytes(city: str, records: pd.DataFrame, voices: pd.DataFrame, followups: pd.DataFrame) -> bytes:
    """The Excel export: 活動記録 (the import's columns first, so the file reads back in), 地域の声 (one row
    per statement), フォローアップ. Frames are those of :func:`dashboard.services.records.records_table`,
    ``voices_table`` and ``followups_table``; every text cell is written inert (no formulas)."""
    from openpyxl import Workbook

    from dashboard.exports.writers import fit_columns, header_row, put_cell, text_width
    from dashboard.exports.writers import workbook_bytes as to_bytes
    from dashboard.records.entries import FOLLOWUP_STATUSES

    book = Workbook()
    voice_cells = {rid: format_voices([(t, tags) for t, tags in zip(part["text"], part["tags"])])
                   for rid, part in voices.sort_values(["record_id", "voice_id"]).groupby("record_id")}
    sheets = [
        ("活動記録", RECORD_SHEET, [[r.id, r.held_on, r.kind, r.areas, r.place_id or "",
                                   None if pd.isna(r.participants) else int(r.participants), r.summary,
                                   voice_cells.get(r.id, ""), r.followups_open, r.followups_closed, r.attachments]
                                  for r in records.sort_values(["held_on", "id"]).itertuples()]),
        ("地域の声", VOICE_SHEET, [[v.voice_id, v.record_id, v.held_on, v.kind, v.area, "・".join(v.tags), v.text]
                               for v in voices.sort_values(["held_on", "record_id", "voice_id"]).itertuples()]),
        ("フォローアップ", FOLLOWUP_SHEET, [[f.record_id, f.held_on, f.kind, f.areas, f.text, f.owner, f.due_on,
                                       FOLLOWUP_STATUSES.get(f.status, f.status), f.closed_on]
                                      for f in followups.itertuples()]),
    ]
    for number, (title, headers, rows) in enumerate(sheets):
        sheet = book.active if number == 0 else book.create_sheet()
        sheet.title = title
        header_row(sheet, headers)
        widths = [text_width(h) for h in headers]
        for r, values in enumerate(rows, start=2):
            for c, value in enumerate(values, start=1):
                put_cell(sheet, r, c, value)
                widths[c - 1] = max(widths[c - 1], text_width("" if value is None else str(value)))
        fit_columns(sheet, widths)
    book.properties.title = f"活動記録 {city}"
    return to_bytes(book)
