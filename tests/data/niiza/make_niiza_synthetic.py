"""Write the SYNTHETIC 新座市 町丁目 population table and demo 圏域 table (see README.md here).

新座市 publishes no 町丁目 × age table in our data, so this makes one: the city's REAL 住民基本台帳
totals by 5-year band and sex (総務省, 令和4年1月1日) are allocated to its 82 町丁目 (Geolonia
japanese-addresses) by a seeded multinomial draw, so every column adds up exactly to the real
figure while the per-town split is invented. Deterministic: run it again and ``git status`` shows
no change. Run from the repository root::

    .venv/bin/python tests/data/niiza/make_niiza_synthetic.py
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import numpy as np
import openpyxl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
GEOLONIA = ROOT / "data" / "niiza" / "raw" / "geolonia_japanese-addresses_新座市.json"
JUKI = ROOT / "data" / "saitama" / "soumu_juki_2204ssnen.xlsx"
AGES_CSV = HERE / "niiza_age_by_town_SYNTHETIC.csv"
AREAS_CSV = HERE / "niiza_areas_SYNTHETIC.csv"

CITY_CODE = "112305"  # 全国地方公共団体コード of 新座市 (with check digit)
CITY_NAME = "埼玉県新座市"
SURVEY_DATE = "２０２２－０１－０１"  # 令和4年1月1日, the date of the 住基 figures
SEED = 112305
#: 5-year bands of the ODS table; the xlsx goes to 100歳以上, 85-89 … 100+ are folded into 85歳以上.
BANDS = [(start, start + 4) for start in range(0, 85, 5)] + [(85, None)]
N_AREAS = 7

_FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
_KANJI = "〇一二三四五六七八九"


def full_width(value) -> str:
    return str(value).translate(_FULL_WIDTH)


def band_header(band, sex: str) -> str:
    start, end = band
    text = f"{start}歳以上" if end is None else f"{start}-{end}歳"
    return full_width(text) + sex


def read_juki() -> dict[str, list[int]]:
    """{"男": [18 bands], "女": [...]} for 新座市 from the 住基 xlsx (row 2 = band labels)."""
    sheet = openpyxl.load_workbook(JUKI, read_only=True, data_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    labels = rows[1]
    first_band = labels.index("0歳～4歳")
    counts = {}
    for row in rows[3:]:
        if str(row[0]) == CITY_CODE and row[3] in ("男", "女"):
            values = [int(v) for v in row[first_band:]]
            # 0-4 … 80-84 are the first 17 columns; 85-89, 90-94, 95-99, 100+ fold into 85+
            counts[row[3]] = values[:17] + [sum(values[17:])]
            assert sum(values) == int(row[4]), "bands of the 住基 row must add up to its 総数"
    assert set(counts) == {"男", "女"}
    return counts


def read_towns() -> list[dict]:
    return json.loads(GEOLONIA.read_text(encoding="utf-8"))


def base_of(town: str) -> str:
    """The 大字/町 part of a Geolonia name: 「野火止八丁目」 → 「野火止」, 「新塚」 → 「新塚」."""
    return re.sub(rf"[{_KANJI}十]+丁目$", "", town)


def written_form(index: int, town: str) -> str:
    """How the synthetic file writes the town: a mix, so the matcher has work to do.

    - 「新塚」 (the one name without 丁目, a 大字) → 「大字新塚」
    - 「堀ノ内二丁目」 → 「堀の内２丁目」 (の for ノ)
    - every other town: even positions in full-width arabic (「あたご１丁目」), odd positions as
      Geolonia writes it (「あたご二丁目」)
    """
    if town == "新塚":
        return "大字新塚"
    if town == "堀ノ内二丁目":
        return "堀の内２丁目"
    if index % 2 == 0:
        match = re.fullmatch(rf"(.+?)([{_KANJI}十]+)丁目", town)
        if match:
            return f"{match.group(1)}{full_width(_kanji_int(match.group(2)))}丁目"
    return town


def _kanji_int(text: str) -> int:
    if text.startswith("十"):
        return 10 + (_KANJI.index(text[1]) if len(text) > 1 else 0)
    return _KANJI.index(text)


def allocate(counts: dict[str, list[int]], n_towns: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Each (band, sex) city total split over the towns by a multinomial draw: exact sums.

    Town weights are log-normal (town sizes vary ~4×); each town also gets an "ageing" factor
    (0.5–1.8) applied to the bands from 65, so the share of older people differs between towns.
    """
    size = rng.lognormal(mean=0.0, sigma=0.5, size=n_towns)
    ageing = rng.uniform(0.5, 1.8, size=n_towns)
    out = {}
    for sex, totals in counts.items():
        table = np.zeros((n_towns, len(BANDS)), dtype=int)
        for j, (band, total) in enumerate(zip(BANDS, totals)):
            weights = size * (ageing if band[0] >= 65 else 1.0)
            table[:, j] = rng.multinomial(total, weights / weights.sum())
        out[sex] = table
    return out


def write_ages(towns: list[dict], tables: dict[str, np.ndarray]) -> None:
    header = ["全国地方公共団体コード", "地方公共団体名", "調査年月日", "地域コード", "地域名", "総人口", "男性", "女性"]
    for band in BANDS:
        header += [band_header(band, "男"), band_header(band, "女")]
    male, female = tables["男"], tables["女"]
    rows = []
    bases = list(dict.fromkeys(base_of(t["town"]) for t in towns))
    for i, town in enumerate(towns):
        base = base_of(town["town"])
        chome = town["town"][len(base):]
        chome_number = _kanji_int(chome[:-2]) if chome else 0
        # synthetic 地域コード: 3 digits for the 大字 (order of first appearance), 3 for the 丁目
        code = f"{bases.index(base) + 1:03d}{chome_number:03d}"
        cells = [male[i].sum() + female[i].sum(), male[i].sum(), female[i].sum()]
        for j in range(len(BANDS)):
            cells += [male[i, j], female[i, j]]
        rows.append([CITY_CODE, CITY_NAME, SURVEY_DATE, code, written_form(i, town["town"])] + cells)
    total = [male.sum() + female.sum(), male.sum(), female.sum()]
    for j in range(len(BANDS)):
        total += [male[:, j].sum(), female[:, j].sum()]
    rows.append([CITY_CODE, CITY_NAME, SURVEY_DATE, "", "合計"] + total)
    with AGES_CSV.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([full_width(int(c)) if isinstance(c, (int, np.integer)) else full_width(c) for c in row])


def write_areas(towns: list[dict]) -> None:
    """7 demo 圏域: 大字 groups ordered by the angle of their centre around the city centre, cut
    into 7 runs of about equal town count, so each demo area is one contiguous sector."""
    groups: dict[str, list[dict]] = {}
    for town in towns:
        groups.setdefault(base_of(town["town"]), []).append(town)
    lat0 = sum(t["lat"] for t in towns) / len(towns)
    lon0 = sum(t["lng"] for t in towns) / len(towns)

    def angle(members: list[dict]) -> float:
        lat = sum(t["lat"] for t in members) / len(members)
        lon = sum(t["lng"] for t in members) / len(members)
        return math.atan2(lat - lat0, (lon - lon0) * math.cos(math.radians(lat0)))

    ordered = sorted(groups, key=lambda base: angle(groups[base]))
    target = len(towns) / N_AREAS
    rows, area, count = [], 1, 0
    for base in ordered:
        if count >= target * area and area < N_AREAS:
            area += 1
        for town in groups[base]:
            rows.append([town["town"], f"デモ第{area}圏域"])
        count += len(groups[base])
    assert len({r[1] for r in rows}) == N_AREAS
    with AREAS_CSV.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["町丁目名", "日常生活圏域"])
        writer.writerows(rows)


def main() -> None:
    counts = read_juki()
    towns = read_towns()
    assert len(towns) == 82
    tables = allocate(counts, len(towns), np.random.default_rng(SEED))
    for sex in counts:
        assert tables[sex].sum(axis=0).tolist() == counts[sex], "allocation must keep every city total"
    write_ages(towns, tables)
    write_areas(towns)
    both = np.array(counts["男"]) + np.array(counts["女"])
    starts = [b[0] for b in BANDS]
    for label, threshold in (("total", 0), ("65+", 65), ("75+", 75), ("85+", 85)):
        print(label, int(sum(v for s, v in zip(starts, both) if s >= threshold)))


if __name__ == "__main__":
    main()
