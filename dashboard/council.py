"""会議モード: the slide sequence for a 協議体 meeting and the numbers on each slide. Pure.

Slides: city overview → one slide per 日常生活圏域 → priority areas. Each headline number carries
its unit, denominator and as-of date, so a council member can read it off the screen correctly.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.karte.names import karte_file_name


@dataclass(frozen=True)
class Slide:
    kind: str  # city / area / priority
    area_id: str | None
    title: str


@dataclass(frozen=True)
class Headline:
    label: str
    value: str  # with unit
    note: str  # denominator / basis / as-of


def slides(areas: pd.DataFrame, city_name: str) -> list[Slide]:
    deck = [Slide("city", None, f"{city_name}の全体像")]
    deck += [Slide("area", row.area_id, row.area_name) for row in areas.itertuples()]
    deck.append(Slide("priority", None, "優先して取り組む圏域"))
    return deck


def clamp_slide(value, count: int) -> int:
    """A slide number from the URL (1-based text) → a valid 0-based index; anything else → 0."""
    try:
        index = int(str(value)) - 1
    except (TypeError, ValueError):
        return 0
    return min(max(index, 0), count - 1)


def headlines(area_id: str | None, areas: pd.DataFrame, coverage_table: pd.DataFrame, counted_places: pd.DataFrame,
              survey_table: pd.DataFrame | None, population_as_of: str, distance_m: int, survey_as_of: str | None,
              top_risks: int = 2) -> list[Headline]:
    """The four numbers of a slide: 65+ population, gathering places, walking coverage, top risks.

    ``area_id`` None = the whole city. Survey risks respect suppression: a suppressed rate is
    never shown; if every risk is suppressed the slide says so.
    """
    key = area_id or "ALL"
    row = coverage_table.set_index("area_id").loc[key]
    places = counted_places if area_id is None else counted_places[counted_places["area_id"] == area_id]
    result = [
        Headline("65歳以上人口", f"{row['pop65']:,.0f}人", f"75歳以上{row['pop75']:,.0f}人・{population_as_of}"),
        Headline("集いの場", f"{len(places)}か所", f"活動中・65歳以上千人あたり{row['places_per_1000_65']:.1f}か所"),
        Headline(f"徒歩{distance_m}m圏", f"{row['coverage65'] * 100:.0f}%",
                 f"{row['pop65_covered']:,.0f}人÷65歳以上{row['pop65']:,.0f}人"),
    ]
    if survey_table is None:
        result.append(Headline("ニーズ調査", "―", "調査データがありません"))
        return result
    risks = survey_table[(survey_table["area_id"] == key) & (survey_table["group"] == "risk")]
    visible = risks[~risks["suppressed"]].sort_values("rate", ascending=False).head(top_risks)
    if visible.empty:
        result.append(Headline("ニーズ調査で多いリスク", "非表示", "回答者が少ないため表示しません（n<10）"))
        return result
    top = [f"{_short(r.label)} {r.rate * 100:.0f}%" for r in visible.itertuples()]
    n = int(visible["n_valid"].min())
    rest = f"次いで{'・'.join(top[1:])}・" if len(top) > 1 else ""
    first = visible.iloc[0]
    result.append(Headline(f"多いリスク：{_short(first['label'])}", f"{first['rate'] * 100:.0f}%",
                           f"{rest}n≧{n:,}・{survey_as_of or ''}"))
    return result


def _short(label: str) -> str:
    """「認知機能の低下」 → 「認知機能」, 「うつ傾向」 → 「うつ」 for a slide."""
    for suffix in ("の低下", "の傾向", "傾向"):
        label = label.removesuffix(suffix)
    return label.replace("手段的自立度（IADL）", "IADL")


def clamp_distance(value, allowed: tuple[int, ...], default: int) -> int:
    """A walking distance from the URL (text, metres) → one of ``allowed``; anything else → ``default``."""
    try:
        metres = int(str(value))
    except (TypeError, ValueError):
        return default
    return metres if metres in allowed else default


@dataclass(frozen=True)
class PriorityRow:
    area_name: str
    priority: bool
    coverage: str  # 「92%」
    gap: str  # 「-3ポイント」 (difference from the city's coverage)
    risks: str  # 「2項目」 above the city's rate


@dataclass(frozen=True)
class PrioritySummary:
    """The priority slide: one row per area (priority areas first, at most ``max_rows``), whether
    any area qualifies (none → 「該当なし」), and the names of the areas left off the slide."""

    rows: list[PriorityRow]
    any_priority: bool
    left_off: list[str]


def priority_summary(table: pd.DataFrame, names: dict[str, str], max_rows: int = 10) -> PrioritySummary:
    """Rows of :func:`dashboard.survey.service.priority_areas` output, in its order (priority areas
    first), for a slide that has room for ``max_rows``. Areas missing from ``names`` keep their id,
    so nothing silently disappears."""
    rows = [PriorityRow(names.get(r.area_id, r.area_id), bool(r.priority), f"{r.coverage65 * 100:.0f}%",
                        f"{r.coverage_gap_pt:+.0f}ポイント", f"{r.risks_above_city}項目")
            for r in table.itertuples()]
    return PrioritySummary(rows[:max_rows], any(r.priority for r in rows), [r.area_name for r in rows[max_rows:]])


def material_file_names(area_id: str | None, area_label: str, city_name: str) -> dict[str, str]:
    """Download names of a slide's materials, by Japanese names (:func:`dashboard.karte.names.karte_file_name`):
    ``karte`` (this slide's 地域カルテ), ``all`` (the city and every area) and ``map`` (PNG).
    ``area_id`` None = the city slide."""
    area = area_label if area_id else None
    karte = karte_file_name(area, city_name)
    stem = karte.removeprefix("地域カルテ_").removesuffix(".pdf").removesuffix("_全圏域")
    return {"karte": karte, "all": karte_file_name(None, city_name), "map": f"地図_{stem}.png"}


def survey_basis(profile_name: str, as_of: str) -> str:
    """The priority slide's basis line: 「ニーズ調査（判定基準：標準（…）、2025-06-30）」. The profile is
    named by its Japanese title (:attr:`dashboard.survey.scoring.Profile.title`), as the 地域カルテ
    prints it — never by its file key (``standard``), which means nothing to a council member.
    Raises ValueError for an unknown profile (naming the available ones)."""
    from dashboard.survey.scoring import load_profile

    return f"ニーズ調査（判定基準：{load_profile(profile_name).title}、{as_of}）"


def population_note(meta: dict) -> str:
    """The short source of the 65+ figures on a slide, from the city's facts: 「2020年国調推計」 for a
    census mesh, 「2022-01-01時点」 for a 町丁目 table (the demo and a new city differ)."""
    if meta.get("population_kind") == "mesh":
        as_of = meta.get("population_as_of", "")
        year = as_of[:4] if as_of[:4].isdigit() else ""
        return f"{year}年国調推計" if year else "国勢調査メッシュからの推計"
    as_of = meta.get("population_as_of") or ""
    return f"{as_of}時点" if as_of and as_of != "時点不明" else "時点不明"
