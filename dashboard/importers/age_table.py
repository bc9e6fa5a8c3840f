"""A 町丁目 population-by-age table (as cities publish it) → per-town totals, 65+, 75+ and 85+.

Three layouts are read:

- ``ods_ja``: 自治体標準オープンデータセット「地域・年齢別人口」 and the many tables shaped like it:
  a town column (地域名, 町丁目名, …), optionally a code and a total column, and age-band columns
  recognised *by pattern* (「0-4歳男」, 「男0～4歳」, 「０〜４歳（女）」, 「65歳」, 「85歳以上_女性」, …),
  below any title lines.
- ``ods_en``: the English-key variant ``regionName, totalPopulation, man1, woman1, …, man18,
  woman18`` (band i = ages 5(i−1)…5i−1, the last band open-ended), optionally ``regionCode`` and
  ``location`` ("lat,lon").
- ``mapping``: any table, with the columns named by the caller (the import wizard's 列の対応づけ).

Pure: reads one file, returns a frame, writes nothing. Every problem is an
:class:`~dashboard.errors.InputError` naming file, row (as the spreadsheet shows it) and column.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd

from dashboard.errors import InputError, Problem
from dashboard.importers.tables import decode
from dashboard.normalize import nfkc

#: Output columns, in order.
COLUMNS = ("row", "town_name", "town_code", "pop_total", "pop65", "pop75", "pop85", "lat", "lon", "age_bands")

#: Town-name headers, most specific first (a table may have both 地区名 and 町丁目名).
_TOWN_HEADERS = ("町丁目名", "大字町丁目名", "町丁名", "町丁字名", "地域名", "町名", "地区名")
_CODE_HEADERS = ("町丁目コード", "地域コード", "KEY_CODE", "町丁コード", "地区コード")
_TOTAL_HEADERS = ("総人口", "人口総数", "総数", "人口計", "合計", "計", "総計", "人口")
#: When there is no total column, 男性 + 女性 still counts people of unknown age (年齢不詳).
_SEX_TOTAL_HEADERS = (("男性", "女性"), ("男", "女"), ("男計", "女計"), ("男性計", "女性計"))
_CITY_HEADERS = ("地方公共団体名", "市区町村名")
_PREFECTURE_PREFIX = r"^(?:北海道|東京都|(?:京都|大阪)府|.{2,3}?県)"
_LAT_HEADERS, _LON_HEADERS = ("緯度", "lat", "latitude"), ("経度", "lon", "lng", "longitude")

#: Rows that hold the whole city, not a town: dropped and reported in ``skipped_total_rows``.
_TOTAL_ROW_NAMES = {"合計", "総数", "総計", "計", "市計", "市全体", "全体", "全域", "市合計", "町計", "村計", "区計"}
_TOTAL_ROW = re.compile(r"^.+[市区町村](?:計|合計|総数|総計|全体|全域)$")
#: Lines below (or inside) a table that are notes, not towns, when they hold no numbers.
_NOTE_MARKS = ("※", "注", "出典", "資料", "備考", "(注")

#: Cells meaning "no people" and cells meaning "secret" (秘匿): both count 0, the latter are listed.
_ZERO_CELLS = {"", "-", "‐", "―", "ー", "−", "–", "—", "…"}
_SECRET_CELLS = {"*", "X", "x", "×", "秘匿", "秘", "χ"}
#: A line of units under the headers (人, 人, 人 …), skipped when its town cell is empty.
_UNIT_CELLS = {"", "人", "(人)", "人数", "単位:人", "[人]"}

_DASHES = r"\-~〜～ー－―‐−–—"
_SEX_WORDS = {"男": "m", "男性": "m", "女": "f", "女性": "f", "計": "t", "総数": "t", "男女計": "t"}
_SEX = r"男女計|男性|女性|総数|男|女|計"
_BAND = re.compile(
    rf"^(?P<pre>{_SEX})?[_・:()\[\]]*"
    rf"(?P<start>\d{{1,3}})歳?"
    rf"(?:[{_DASHES}](?P<end>\d{{1,3}})歳|(?P<open>歳以上|以上|歳[{_DASHES}])|(?P<single>歳))"
    rf"(?:人口|\(人\))?[_・:()\[\]]*(?P<post>{_SEX})?[()\[\]]*$"
)
_EN_TOWN, _EN_CODE, _EN_TOTAL, _EN_LOCATION = "regionname", "regioncode", "totalpopulation", "location"
_EN_BAND = re.compile(r"^(?P<sex>man|male|woman|female)(?P<index>\d{1,2})$")
_EN_SEX = {"man": "m", "male": "m", "woman": "f", "female": "f"}
_EN_BAND_YEARS = 5

#: Thresholds of the figures we report (pop65, pop75, pop85).
_THRESHOLDS = {"pop65": 65, "pop75": 75, "pop85": 85}
_MAPPING_KEYS = {"town", "code", "total", "pop65", "pop75", "pop85", "lat", "lon"}
_LAT_RANGE, _LON_RANGE = (20.0, 46.0), (122.0, 154.0)

Band = tuple[int, "int | None"]


@dataclass(frozen=True)
class AgeTable:
    """Per-town population of one file.

    ``frame`` has :data:`COLUMNS`: ``row`` (spreadsheet row), ``town_name`` (NFKC, stripped, as in
    the file), ``town_code`` (str or None), ``pop_total``, ``pop65``, ``pop75``, ``pop85`` (NaN when
    the file's age bands cannot give 85+), ``lat``, ``lon`` (WGS84 degrees, NaN when absent),
    ``age_bands`` (``{"m": [...], "f": [...]}`` persons per band of ``bands`` by sex, or ``{"t": [...]}``
    without a split; None for ``mapping``: the 推計 of the older population shifts them).
    ``kind`` is ``"ods_ja"``, ``"ods_en"`` or ``"mapping"``; ``encoding`` is the CSV encoding
    (``None`` for XLSX); ``bands`` the age bands used, ``(start, end)`` in years with ``end``
    inclusive and ``None`` for 「…歳以上」 (empty for ``mapping``); ``skipped_total_rows`` the rows
    of city totals (合計, 市計, …) that were dropped; ``suppressed`` the ``(row, column)`` of secret
    cells (``*``, ``X``, 秘匿) counted as 0; ``header_row`` the row the headers were read from.
    """

    frame: pd.DataFrame
    kind: str
    encoding: str | None
    bands: list[Band]
    skipped_total_rows: list[int] = field(default_factory=list)
    suppressed: list[tuple[int, str]] = field(default_factory=list)
    header_row: int = 1
    #: ``(row, value, header)`` of the file's 全国地方公共団体コード cells (which city the table says it is)
    city_codes: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class _Layout:
    """Where each figure comes from: column indices into the header row; a figure is the sum of
    its columns. ``checks`` pair a per-band total column with its 男/女 columns, which must agree."""

    kind: str
    header_row: int
    headers: list[str]
    town: int
    code: int | None = None
    lat: int | None = None
    lon: int | None = None
    location: int | None = None
    city: int | None = None
    total: list[int] = field(default_factory=list)
    band_columns: list[int] = field(default_factory=list)
    figures: dict[str, list[int] | None] = field(default_factory=dict)
    bands: list[Band] = field(default_factory=list)
    checks: list[tuple[int, list[int]]] = field(default_factory=list)
    #: Per sex (``m``/``f``, or ``t`` when the file has no split) the column of each band, in band order.
    band_sexes: dict[str, list[int]] = field(default_factory=dict)


def read_age_table(path: Path, *, mapping: dict | None = None, name: str | None = None) -> AgeTable:
    """Read a 町丁目 × age table (CSV in UTF-8/UTF-8 BOM/CP932, or XLSX) into per-town figures.

    Without ``mapping`` the layout is recognised: the header row is the first row with a town
    column and at least one age band (or ``regionName`` and ``man1``…); title lines, 「…現在」
    lines and blank rows above it are skipped. With ``mapping`` —
    ``{"town": col, "code": col, "total": [cols], "pop65": [cols], "pop75": [cols], "pop85": [cols],
    "lat": col, "lon": col}`` (``code``, ``pop85``, ``lat``, ``lon`` optional; a single column may be
    given as a string) — each figure is the sum of its columns.

    65+ is the sum of bands starting at 65 or later, likewise 75+ and 85+. A band that straddles a
    threshold (60-69歳) makes 65+ or 75+ impossible (an error) and 85+ unknown (NaN). Per-sex
    bands are added up; when a file has per-band totals too, those are used and must equal 男+女.
    Without a total column the total is 男性+女性 if present, else the sum of the bands.

    Cells: full-width digits and commas are read; ``-``, ``－`` and empty cells are 0; ``*``, ``X``
    and 「秘匿」 are secret, counted as 0 and listed in ``suppressed``. City-total rows (合計, 総数,
    市計, 市全体, …) are dropped and listed in ``skipped_total_rows``.

    Raises :class:`InputError` listing, with row and column: cells that are not numbers or are
    negative, rows whose bands add up to more than their total, per-band totals that differ from
    男+女, duplicate town names (both rows), and unknown mapped columns (with the file's headers).
    """
    name = name or Path(path).name
    grid, encoding = read_grid(Path(path), name)
    layout = _mapping_layout(grid, mapping, name) if mapping is not None else _detect_layout(grid, name)
    frame, skipped, suppressed = _rows(grid, layout, name)
    return AgeTable(frame=frame, kind=layout.kind, encoding=encoding, bands=list(layout.bands),
                    skipped_total_rows=skipped, suppressed=suppressed, header_row=layout.header_row,
                    city_codes=_city_codes(grid, layout.header_row))


#: Headers of the column naming the municipality in 自治体標準オープンデータセット files.
CITY_CODE_HEADERS = ("全国地方公共団体コード", "都道府県コード又は市区町村コード", "団体コード", "regionCode")


def _city_codes(grid, header_row: int) -> list[tuple[int, str, str]]:
    header = next((cells for number, cells in grid if number == header_row), [])
    labels = [unicodedata.normalize("NFKC", c).strip() for c in header]
    column = next((labels.index(h) for h in CITY_CODE_HEADERS if h in labels), None)
    if column is None:
        return []
    return [(number, unicodedata.normalize("NFKC", cells[column]).strip(), header[column])
            for number, cells in grid if number > header_row and column < len(cells) and cells[column].strip()]


# --- reading cells --------------------------------------------------------------------------------


def read_grid(path: Path, name: str) -> tuple[list[tuple[int, list[str]]], str | None]:
    """Every non-blank row as ``(spreadsheet row number, cells as text)``, and the CSV encoding."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        text, encoding = decode(path.read_bytes(), name)
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as error:
            raise InputError([Problem(name, "CSVの形式が正しくありません", str(error))]) from error
        return _non_blank(rows), encoding
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_grid(path, name), None
    raise InputError([Problem(name, f"この形式は読めません: 「{suffix}」（CSV または Excel の .xlsx にしてください）",
                              f"unsupported file type {suffix!r}; expected .csv or .xlsx")])


def _non_blank(rows: list[list[str]]) -> list[tuple[int, list[str]]]:
    return [(number, row) for number, row in enumerate(rows, start=1) if any(str(c).strip() for c in row)]


def _xlsx_cell(value) -> str:
    """Cell values as the text Excel shows (12.0 → "12": counts stored as floats)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _xlsx_grid(path: Path, name: str) -> list[tuple[int, list[str]]]:
    """The first sheet that has a recognisable header (else the first sheet)."""
    try:
        book = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except Exception as error:  # openpyxl raises many types for broken files; report, don't crash
        raise InputError([Problem(name, "Excelファイルを読み込めません", f"{type(error).__name__}: {error}")]) from error
    grids = []
    for sheet in book.worksheets:
        rows = [[_xlsx_cell(v) for v in row] for row in sheet.iter_rows(min_row=1, values_only=True)]
        grids.append(_non_blank(rows))
    book.close()
    for grid in grids:
        if any(_header_kind(row) for _, row in grid):
            return grid
    return grids[0] if grids else []


def _label(cell: str) -> str:
    """A header as compared: NFKC, no whitespace (「0-4歳\\n男」 → 「0-4歳男」)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(cell)))


# --- recognising the layout -----------------------------------------------------------------------


def parse_band(header: str) -> tuple[int, int | None, str] | None:
    """An age-band header → ``(start, end or None, sex)`` with sex ``"m"``, ``"f"`` or ``"t"``
    (both sexes); ``None`` if the header is not an age band.

    >>> parse_band("０〜４歳（女）")
    (0, 4, 'f')
    >>> parse_band("男85歳以上")
    (85, None, 'm')
    >>> parse_band("65歳")
    (65, 65, 't')
    """
    match = _BAND.match(_label(header))
    if not match or (match["pre"] and match["post"]):
        return None
    start = int(match["start"])
    end = None if match["open"] else start if match["single"] else int(match["end"])
    if end is not None and end < start:
        return None
    sex = _SEX_WORDS[match["pre"] or match["post"] or "計"]
    return start, end, sex


def _first(labels: list[str], candidates) -> int | None:
    for candidate in candidates:
        for index, label in enumerate(labels):
            if label.casefold() == candidate.casefold():
                return index
    return None


def _header_kind(row: list[str]) -> str | None:
    labels = [_label(c) for c in row]
    lowered = [label.casefold() for label in labels]
    if _EN_TOWN in lowered and any(_EN_BAND.match(label) for label in lowered):
        return "ods_en"
    if _first(labels, _TOWN_HEADERS) is not None and any(parse_band(label) for label in labels):
        return "ods_ja"
    return None


def _detect_layout(grid, name: str) -> _Layout:
    for number, row in grid:
        kind = _header_kind(row)
        if kind == "ods_en":
            return _english_layout(number, row, name)
        if kind == "ods_ja":
            return _japanese_layout(number, row, name)
    first_row, first = grid[0] if grid else (1, [])
    seen = "、".join(c.strip() for c in first if c.strip()) or "（なし）"
    raise InputError([Problem(
        name, "見出し行が見つかりません。地域名・町丁目名などの列と「0-4歳」のような年齢区分の列が必要です"
              f"（{first_row}行目の見出し: {seen}）。別の形の表は列の対応づけで読み込めます",
        "no header row with a town column and age-band columns; pass a mapping")])


def _band_text(band: Band) -> str:
    start, end = band
    return f"{start}歳以上" if end is None else f"{start}歳" if start == end else f"{start}-{end}歳"


def _drop_aggregates(bands: dict[Band, int]) -> dict[Band, int]:
    """Remove summary columns (15-64歳, 65歳以上) that contain finer bands of the same file."""
    def contains(outer: Band, inner: Band) -> bool:
        (s1, e1), (s2, e2) = outer, inner
        return outer != inner and s1 <= s2 and (e1 is None or (e2 is not None and e2 <= e1))

    return {band: col for band, col in bands.items() if not any(contains(band, other) for other in bands)}


def _check_coverage(bands: list[Band], layout: _Layout, columns: dict[Band, int], name: str) -> None:
    """Bands (sorted) must run without gaps or overlaps from 0 to one open top band (「…歳以上」):
    otherwise a total or a 65+ made of them would silently miss or double-count people."""
    expected = 0
    for band in bands:
        start, end = band
        header = layout.headers[columns[band]]
        if start != expected or expected is None:
            what = (f"に抜けがあります（{expected}歳から{start - 1}歳の区分がありません）"
                    if expected is not None and start > expected else "が重なっています")
            raise InputError([Problem(name, f"年齢区分{what}。列の対応づけで指定してください",
                                      f"age bands not contiguous at {start}; expected start {expected}",
                                      row=layout.header_row, column=header)])
        expected = None if end is None else end + 1
    if expected is not None:
        raise InputError([Problem(name, f"最上位の年齢区分（「{expected}歳以上」など）がありません",
                                  f"no open-ended top band starting at {expected}", row=layout.header_row)])


def _figures_from_bands(layout: _Layout, columns: dict[Band, list[int]], name: str) -> None:
    """pop65/75/85 = the columns of bands starting at or above the threshold."""
    for figure, threshold in _THRESHOLDS.items():
        straddling = [b for b in columns if b[0] < threshold and (b[1] is None or b[1] >= threshold)]
        if straddling:
            if figure == "pop85":
                layout.figures[figure] = None
                continue
            header = layout.headers[columns[straddling[0]][0]]
            raise InputError([Problem(
                name, f"年齢区分「{_band_text(straddling[0])}」が{threshold}歳をまたぐため、{threshold}歳以上の人口を"
                      "計算できません（5歳刻みなどの表を使うか、列の対応づけで指定してください）",
                f"band {straddling[0]} straddles {threshold}", row=layout.header_row, column=header)])
        layout.figures[figure] = [c for band, cols in columns.items() if band[0] >= threshold for c in cols]


def _japanese_layout(number: int, row: list[str], name: str) -> _Layout:
    labels = [_label(c) for c in row]
    headers = [str(c).strip() for c in row]
    layout = _Layout(kind="ods_ja", header_row=number, headers=headers, town=_first(labels, _TOWN_HEADERS),
                     code=_first(labels, _CODE_HEADERS), lat=_first(labels, _LAT_HEADERS),
                     lon=_first(labels, _LON_HEADERS), city=_first(labels, _CITY_HEADERS))
    by_sex: dict[str, dict[Band, int]] = {"t": {}, "m": {}, "f": {}}
    for index, label in enumerate(labels):
        parsed = parse_band(label)
        if parsed is None:
            continue
        start, end, sex = parsed
        if (start, end) in by_sex[sex]:
            other = headers[by_sex[sex][(start, end)]]
            raise InputError([Problem(name, f"同じ年齢区分の列が2つあります: 「{other}」と「{headers[index]}」",
                                      f"duplicate band column {(start, end, sex)}", row=number, column=headers[index])])
        by_sex[sex][(start, end)] = index
    by_sex = {sex: _drop_aggregates(bands) for sex, bands in by_sex.items()}
    if by_sex["t"]:
        columns = {band: [col] for band, col in by_sex["t"].items()}
        layout.checks = [(col, [by_sex["m"][band], by_sex["f"][band]]) for band, col in by_sex["t"].items()
                         if band in by_sex["m"] and band in by_sex["f"]]
    elif by_sex["m"] and by_sex["f"]:
        if set(by_sex["m"]) != set(by_sex["f"]):
            odd = sorted(set(by_sex["m"]) ^ set(by_sex["f"]), key=lambda b: b[0])
            raise InputError([Problem(name, f"男と女で年齢区分が揃っていません: {'、'.join(_band_text(b) for b in odd)}",
                                      f"bands differ between sexes: {odd}", row=number)])
        columns = {band: [col, by_sex["f"][band]] for band, col in by_sex["m"].items()}
    else:
        only = "男" if by_sex["m"] else "女"
        raise InputError([Problem(name, f"年齢区分の列が{only}だけです（男女計、または男と女の両方が必要です）",
                                  f"only {only} bands", row=number)])
    ordered = sorted(columns, key=lambda b: (b[0], math.inf if b[1] is None else b[1]))
    _check_coverage(ordered, layout, {b: cols[0] for b, cols in columns.items()}, name)
    layout.bands = ordered
    layout.band_columns = [c for band in ordered for c in columns[band]]
    if all(band in by_sex["m"] and band in by_sex["f"] for band in ordered):
        layout.band_sexes = {sex: [by_sex[sex][band] for band in ordered] for sex in ("m", "f")}
    else:
        layout.band_sexes = {"t": [columns[band][0] for band in ordered]}
    total = _first(labels, _TOTAL_HEADERS)
    if total is not None:
        layout.total = [total]
    else:
        for male, female in _SEX_TOTAL_HEADERS:
            pair = [_first(labels, [male]), _first(labels, [female])]
            if None not in pair:
                layout.total = pair
                break
    _figures_from_bands(layout, {band: columns[band] for band in ordered}, name)
    return layout


def _english_layout(number: int, row: list[str], name: str) -> _Layout:
    lowered = [_label(c).casefold() for c in row]
    headers = [str(c).strip() for c in row]
    layout = _Layout(kind="ods_en", header_row=number, headers=headers, town=lowered.index(_EN_TOWN),
                     code=_first(lowered, [_EN_CODE]), location=_first(lowered, [_EN_LOCATION]))
    total = _first(lowered, [_EN_TOTAL])
    layout.total = [] if total is None else [total]
    by_sex: dict[str, dict[int, int]] = {"m": {}, "f": {}}
    for index, label in enumerate(lowered):
        match = _EN_BAND.match(label)
        if match:
            by_sex[_EN_SEX[match["sex"]]][int(match["index"])] = index
    top = max(max(by_sex["m"], default=0), max(by_sex["f"], default=0))
    missing = [f"{prefix}{i}" for sex, prefix in (("m", "man"), ("f", "woman"))
               for i in range(1, top + 1) if i not in by_sex[sex]]
    if missing:
        raise InputError([Problem(name, f"年齢区分の列が足りません: {', '.join(missing)}",
                                  f"missing band columns {missing}", row=number)])
    columns: dict[Band, list[int]] = {}
    for i in range(1, top + 1):
        start = _EN_BAND_YEARS * (i - 1)
        band = (start, None if i == top else start + _EN_BAND_YEARS - 1)
        columns[band] = [by_sex["m"][i], by_sex["f"][i]]
    layout.bands = list(columns)
    layout.band_columns = [c for cols in columns.values() for c in cols]
    layout.band_sexes = {"m": [cols[0] for cols in columns.values()], "f": [cols[1] for cols in columns.values()]}
    _figures_from_bands(layout, columns, name)
    return layout


def _mapping_layout(grid, mapping: dict, name: str) -> _Layout:
    unknown_keys = sorted(set(mapping) - _MAPPING_KEYS)
    required = [key for key in ("town", "total", "pop65", "pop75") if not mapping.get(key)]
    if unknown_keys or required:
        raise InputError([Problem(name, "列の対応づけが正しくありません"
                                        + (f"（不明な項目: {', '.join(unknown_keys)}）" if unknown_keys else "")
                                        + (f"（未指定: {', '.join(required)}）" if required else ""),
                                  f"mapping keys {sorted(mapping)}; allowed {sorted(_MAPPING_KEYS)}, "
                                  "required town,total,pop65,pop75")])
    wanted = {key: [value] if isinstance(value, str) else list(value) for key, value in mapping.items() if value}
    town_label = _label(wanted["town"][0])
    number, row = next(((n, r) for n, r in grid if town_label in [_label(c) for c in r]), grid[0] if grid else (1, []))
    labels = [_label(c) for c in row]
    headers = [str(c).strip() for c in row]
    unknown = [column for columns in wanted.values() for column in columns if _label(column) not in labels]
    if unknown:
        listed = "、".join(h for h in headers if h) or "（なし）"
        raise InputError([Problem(name, f"指定された列がありません: {', '.join(unknown)}（ファイルの見出し: {listed}）",
                                  f"unknown columns {unknown}", row=number)])

    def index(column: str) -> int:
        return labels.index(_label(column))

    layout = _Layout(kind="mapping", header_row=number, headers=headers, town=index(wanted["town"][0]))
    layout.code = index(wanted["code"][0]) if "code" in wanted else None
    layout.lat = index(wanted["lat"][0]) if "lat" in wanted else None
    layout.lon = index(wanted["lon"][0]) if "lon" in wanted else None
    layout.total = [index(c) for c in wanted["total"]]
    for figure in _THRESHOLDS:
        layout.figures[figure] = [index(c) for c in wanted[figure]] if figure in wanted else None
    return layout


# --- reading rows ---------------------------------------------------------------------------------


def _number(text: str) -> tuple[float | None, str]:
    """``(value, state)`` with state ``"ok"``, ``"zero"``, ``"secret"`` or ``"bad"``."""
    value = re.sub(r"[\s,]", "", nfkc(text))
    if value in _ZERO_CELLS:
        return 0.0, "zero"
    if value in _SECRET_CELLS:
        return 0.0, "secret"
    try:
        return float(value), "ok"
    except ValueError:
        return None, "bad"


def _is_units_row(cells: list[str], numeric: list[int]) -> bool:
    units = [nfkc(cells[c]) for c in numeric]
    return any(units) and all(u in _UNIT_CELLS for u in units)


def _is_total_row(town: str, cells: list[str], layout: _Layout) -> bool:
    """合計/総数/市計/市全体…, or the municipality's own name (「新座市」 in the 地域名 column of the
    row whose 地方公共団体名 is 「埼玉県新座市」)."""
    if town in _TOTAL_ROW_NAMES or _TOTAL_ROW.match(town):
        return True
    if layout.city is not None:
        city = nfkc(cells[layout.city])
        return bool(city) and (town == city or town == re.sub(_PREFECTURE_PREFIX, "", city))
    return False


def _coordinate(text: str, bounds: tuple[float, float], label: str, problem) -> float:
    value = nfkc(text)
    if not value:
        return math.nan
    try:
        number = float(value)
    except ValueError:
        problem(f"{label}が数値ではありません: 「{value}」", f"{label} not a number")
        return math.nan
    if not bounds[0] <= number <= bounds[1]:
        problem(f"{label} {number} は日本の範囲外です（緯度と経度が逆かもしれません）", f"{label} {number} outside {bounds}")
        return math.nan
    return number


def _location(layout: _Layout, cells: list[str], problem) -> tuple[float, float]:
    if layout.location is not None:
        text = nfkc(cells[layout.location])
        if not text:
            return math.nan, math.nan
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 2:
            problem(layout.location, f"位置は「緯度,経度」の形で書いてください: 「{text}」", "location is not 'lat,lon'")
            return math.nan, math.nan
        return (_coordinate(parts[0], _LAT_RANGE, "緯度", lambda ja, en: problem(layout.location, ja, en)),
                _coordinate(parts[1], _LON_RANGE, "経度", lambda ja, en: problem(layout.location, ja, en)))
    lat = math.nan if layout.lat is None else _coordinate(
        cells[layout.lat], _LAT_RANGE, "緯度", lambda ja, en: problem(layout.lat, ja, en))
    lon = math.nan if layout.lon is None else _coordinate(
        cells[layout.lon], _LON_RANGE, "経度", lambda ja, en: problem(layout.lon, ja, en))
    return lat, lon


def _numeric_columns(layout: _Layout) -> list[int]:
    columns = set(layout.total) | set(layout.band_columns)
    for figure in layout.figures.values():
        columns |= set(figure or [])
    for total, parts in layout.checks:
        columns |= {total, *parts}
    return sorted(columns)


def _rows(grid, layout: _Layout, name: str) -> tuple[pd.DataFrame, list[int], list[tuple[int, str]]]:
    numeric = _numeric_columns(layout)
    width = max([len(layout.headers), *(i + 1 for i in numeric)])
    problems: list[Problem] = []
    records, skipped, suppressed = [], [], []
    for number, raw in grid:
        if number <= layout.header_row:
            continue
        cells = [str(c) for c in raw] + [""] * max(0, width - len(raw))

        def problem(column: int | None, ja: str, en: str) -> None:
            problems.append(Problem(name, ja, en, row=number,
                                    column=None if column is None else layout.headers[column] or f"{column + 1}列目"))

        town = nfkc(cells[layout.town])
        if _is_total_row(town, cells, layout):
            skipped.append(number)  # its cells are not read: a city total is not a town
            continue
        if not town and _is_units_row(cells, numeric):
            continue  # 「人」 under every header: a second header line, not data
        values, secret, blank = {}, set(), True
        for column in numeric:
            value, state = _number(cells[column])
            blank &= not nfkc(cells[column])
            if state == "bad":
                problem(column, f"人数が数値ではありません: 「{cells[column].strip()}」", "not a number")
            elif value < 0:
                problem(column, f"人数が負の値です: {cells[column].strip()}", "negative count")
            elif state == "secret":
                secret.add(column)
            values[column] = value or 0.0
        if blank and (not town or town.startswith(_NOTE_MARKS)):
            continue  # a note line below the table, not a town
        if not town:
            problem(layout.town, "町丁目名が空です", "empty town name")
            continue
        suppressed += [(number, layout.headers[c]) for c in sorted(secret)]
        records.append(_record(number, town, cells, values, secret, layout, problem))
    problems += _duplicates(records, layout, name)
    if problems:
        raise InputError(problems)
    if not records:
        raise InputError([Problem(name, "町丁目の行がありません", "no data rows below the header",
                                  row=layout.header_row)])
    return pd.DataFrame(records, columns=list(COLUMNS)), skipped, suppressed


def _record(number: int, town: str, cells: list[str], values: dict[int, float], secret: set[int],
            layout: _Layout, problem) -> dict:
    band_sum = sum(values[c] for c in layout.band_columns)
    if layout.total and not (secret & set(layout.total)):
        total = sum(values[c] for c in layout.total)
    else:
        total = band_sum  # no total column, or a secret one: the bands are the best we know
    figures = {f: (math.nan if cols is None else sum(values[c] for c in cols)) for f, cols in layout.figures.items()}
    for band_total, parts in layout.checks:
        if secret & {band_total, *parts}:
            continue
        if values[band_total] != sum(values[c] for c in parts):
            problem(band_total, f"「{layout.headers[band_total]}」{values[band_total]:g} が男女の合計 "
                                f"{sum(values[c] for c in parts):g} と一致しません",
                    f"band total {values[band_total]:g} != male + female {sum(values[c] for c in parts):g}")
    if layout.band_columns and band_sum > total:
        problem(layout.total[0] if layout.total else None,
                f"年齢区分の合計 {band_sum:g} が総数 {total:g} を超えています", f"bands sum {band_sum:g} > total {total:g}")
    elif not layout.band_columns:
        chain = [("pop_total", total), *((f, figures[f]) for f in _THRESHOLDS if not math.isnan(figures[f]))]
        for (wide, wide_value), (narrow, narrow_value) in zip(chain, chain[1:]):
            if narrow_value > wide_value:
                problem(None, f"{_FIGURE_JA[narrow]} {narrow_value:g} が{_FIGURE_JA[wide]} {wide_value:g} を超えています",
                        f"{narrow} {narrow_value:g} > {wide} {wide_value:g}")
    lat, lon = _location(layout, cells, problem)
    code = nfkc(cells[layout.code]) if layout.code is not None else ""
    return {"row": number, "town_name": town, "town_code": code or None, "pop_total": float(total),
            "pop65": figures["pop65"], "pop75": figures["pop75"], "pop85": figures["pop85"], "lat": lat, "lon": lon,
            "age_bands": {sex: [values[c] for c in cols] for sex, cols in layout.band_sexes.items()} or None}


_FIGURE_JA = {"pop_total": "総数", "pop65": "65歳以上", "pop75": "75歳以上", "pop85": "85歳以上"}


def _duplicates(records: list[dict], layout: _Layout, name: str) -> list[Problem]:
    """A town written twice (after NFKC: 「あたご１丁目」 = 「あたご1丁目」) would be counted twice."""
    first: dict[str, int] = {}
    problems = []
    for record in records:
        town, number = record["town_name"], record["row"]
        if town in first:
            problems.append(Problem(name, f"町丁目「{town}」が2回あります（{first[town]}行目と{number}行目）",
                                    f"duplicate town name in rows {first[town]} and {number}", row=number,
                                    column=layout.headers[layout.town]))
        first.setdefault(town, number)
    return problems
