"""What a 地域カルテ page needs, gathered from the store into plain dataclasses.

One :func:`gather` call reads the store once and computes walking coverage once for every page
(city summary + areas). Privacy rules live here, not in the renderer:

* places listed or drawn are ``visibility = public`` only, with public fields only; internal
  places are counted (「ほか内部の資源 N 件」), never named, located or contacted;
* walking coverage and 「集いの場の数」 count internal places too, exactly like the coverage page
  and ``python -m dashboard coverage`` (so the council and the coordinators see the same numbers);
* survey figures come from :func:`dashboard.survey.service.needs_table` already suppressed —
  a suppressed cell stays ``None`` here and is never turned into 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import pandas as pd
from pyproj import CRS
from sqlalchemy import Engine

from dashboard import coverage, projection, schedule, sources, vocab
from dashboard.karte import future_page  # saved 仮定 → extra pages
from dashboard.services import scenarios  # the population units of today or of a 推計 year
from dashboard.store import reads
from dashboard.survey.aggregate import DEFAULT_MIN_N
from geo.crs import STORAGE_CRS, projected_crs

#: Scoring profile of the survey section (the bundled 「標準」 profile, as the issue asks).
SURVEY_PROFILE = "standard"
#: Survey indicators on a karte, in print order: every 「リスク」 indicator, then participation in
#: 通いの場 and in any group, then the two intents (who could join / who could help run a place).
#: Ids missing from the profile are skipped.
SURVEY_PARTICIPATION = ("part_kayoi", "part_any")
CITY = "ALL"


class UnknownArea(ValueError):
    """An area id that the store does not have (the message lists the ones it has)."""


@dataclass(frozen=True)
class Headline:
    """The numbers at the top of a page. Populations are estimates (persons, not rounded)."""

    pop65: float
    pop75: float
    places: int  # active gathering places of the coverage query, internal ones included
    pop65_covered: float
    coverage65: float  # fraction 0–1, NaN for an area without people
    distance_m: int
    places_per_1000_65: float  # places ÷ 65+ × 1,000


@dataclass(frozen=True)
class PlaceRow:
    name: str
    category: str
    schedule: str  # in words (表示用 text, else the RRULE described in Japanese)
    address: str
    is_synthetic: bool
    gathering: bool  # a category counted for walking coverage (listed first)


@dataclass(frozen=True)
class SurveyRow:
    indicator: str
    label: str
    group: str
    rate: float | None  # None when suppressed
    n_valid: int | None  # the denominator, None when suppressed
    city_rate: float | None
    suppressed: bool
    city_suppressed: bool


@dataclass(frozen=True)
class SurveyFigures:
    title: str
    as_of: str | None
    is_synthetic: bool
    profile_title: str
    min_n: int
    rows: tuple[SurveyRow, ...]


@dataclass(frozen=True)
class AreaLine:
    """One row of the city summary's area table."""

    area_id: str
    area_name: str
    headline: Headline


@dataclass(frozen=True)
class Section:
    """One printed page: the city summary (``area_id is None``) or one 日常生活圏域."""

    area_id: str | None
    name: str
    is_demo_area: bool
    headline: Headline
    places: tuple[PlaceRow, ...]  # public places, gathering categories first
    internal_places: int  # how many internal places were left out of the list and the map
    places_synthetic: bool  # some place counted or listed here is synthetic (サンプル（架空）)
    survey: SurveyFigures | None
    area_lines: tuple[AreaLine, ...] = ()  # city summary only
    #: 地域の声 of the section counted by tag (a :class:`dashboard.services.records.VoiceSummary`);
    #: None when the city has no voices recorded at all (the karte then has no voices band)
    voices: object | None = None


@dataclass
class MapLayers:
    """Geometry for the static maps, all in the metric CRS ``crs``."""

    crs: CRS
    areas: gpd.GeoDataFrame  # area_id, area_name, geometry
    units: gpd.GeoDataFrame  # population pieces: area_id, pop65, covered, geometry
    places: gpd.GeoDataFrame  # public places: area_id, category, geometry (points)
    distance_m: int
    estimate: str = ""  # 「2030年推計」 when ``units`` hold a future year's people (legend says so)


@dataclass
class Karte:
    municipality_code: str
    municipality_name: str
    made_on: date
    as_of: dict[str, str]  # dashboard.store.reads.meta: population_as_of, boundary_as_of, facilities_as_of …
    attribution: str
    city_headline: Headline  # printed next to each area's numbers for comparison
    sections: list[Section]  # in print order
    layers: MapLayers = field(repr=False)
    #: saved scenarios (仮定), one extra page each after the sections (karte.future_page)
    scenario_pages: list = field(default_factory=list, repr=False)
    #: 0 = today's people; 5 or 10 = every population figure (and coverage from it) is the 推計
    years: int = 0
    #: 「2030年推計」 (:func:`dashboard.projection.estimate_tag`), printed on every projected figure; "" today
    estimate: str = ""
    #: how the 推計 was made, the life table's edition and what it ignores (migration …); "" today
    estimate_note: str = ""


@dataclass
class _Inputs:
    areas: gpd.GeoDataFrame
    places: pd.DataFrame  # every place, internal fields included — never printed as rows
    public: pd.DataFrame  # visibility = public rows, public fields only
    result: coverage.CoverageResult
    crs: CRS


def _inputs(engine: Engine, code: str, area_ids: list[str] | None, query: coverage.CoverageQuery,
            years: int = 0) -> _Inputs:
    areas = reads.areas(engine, code)
    _check_area_ids(area_ids, areas)
    prefecture = int(code[:2])
    units = scenarios.units_for(engine, code, years)  # the same 推計 as the coverage page and the scenarios
    places = reads.places(engine, code, internal=True)
    result = coverage.compute(areas, units, places, query, prefecture)
    return _Inputs(areas=areas, places=places, public=reads.places(engine, code, internal=False), result=result,
                   crs=projected_crs(prefecture))


def map_layers(engine: Engine, code: str, area_id: str | None = None,
               query: coverage.CoverageQuery | None = None, years: int = 0) -> MapLayers:
    """Only what the static map needs (no survey scoring). Raises :class:`UnknownArea`."""
    query = query or coverage.CoverageQuery()
    inputs = _inputs(engine, code, None if area_id is None else [area_id], query, years)
    return _layers(inputs.areas, inputs.result.units, inputs.public, inputs.crs, query.distance_m,
                   projection.estimate_tag(reads.meta(engine, code), years))


def gather(engine: Engine, code: str, area_ids: list[str] | None = None, *, today: date | None = None,
           query: coverage.CoverageQuery | None = None, years: int = 0) -> Karte:
    """Everything needed to print ``area_ids`` (``None`` = the city summary, then every area).

    ``years`` 5 or 10: the people (65+, 75+) are the 推計 of that year (:mod:`dashboard.projection`,
    the units the coverage page and the scenarios use), so are the coverage figures made from them;
    places and the needs survey stay today's. Raises :class:`UnknownArea` for an id the municipality
    does not have, and :class:`~dashboard.errors.InputError` when the city's 推計 cannot be made.
    """
    query = query or coverage.CoverageQuery()
    inputs = _inputs(engine, code, area_ids, query, years)
    areas, all_places, public, result = inputs.areas, inputs.places, inputs.public, inputs.result
    internal = all_places[all_places["visibility"] != "public"]
    survey = _survey(engine, code, areas["area_id"].tolist())
    voices = _voices(engine, code)

    headlines = {row.area_id: _headline(row, query.distance_m) for row in result.table.itertuples()}
    counted_synthetic = result.places.groupby("area_id")["is_synthetic"].any().to_dict()
    names = dict(zip(areas["area_id"], areas["area_name"]))
    demo = dict(zip(areas["area_id"], areas["is_demo"].astype(bool)))

    def section(area_id: str | None) -> Section:
        key = CITY if area_id is None else area_id
        mine = public if area_id is None else public[public["area_id"] == area_id]
        hidden = internal if area_id is None else internal[internal["area_id"] == area_id]
        counted = any(counted_synthetic.values()) if area_id is None else bool(counted_synthetic.get(area_id))
        synthetic = bool(mine["is_synthetic"].fillna(False).astype(bool).any()) or counted
        lines = tuple(AreaLine(a, names[a], headlines[a]) for a in areas["area_id"]) if area_id is None else ()
        return Section(area_id=area_id, name="市全体" if area_id is None else names[area_id],
                       is_demo_area=any(demo.values()) if area_id is None else demo[area_id],
                       headline=headlines[key], places=_place_rows(mine), internal_places=len(hidden),
                       places_synthetic=synthetic, survey=_survey_figures(survey, key), area_lines=lines,
                       voices=None if voices is None else voices(area_id))

    chosen = [None, *areas["area_id"]] if area_ids is None else list(area_ids)
    municipality = reads.municipalities(engine).set_index("code")["name"].get(code, code)
    meta = reads.meta(engine, code)
    estimate = projection.estimate_tag(meta, years)
    note = projection.method_note(projection.basis(meta, reads.towns(engine, code),
                                                   reads.population_cells(engine, code))) if years else ""
    return Karte(municipality_code=code, municipality_name=municipality, made_on=today or date.today(),
                 as_of=meta, attribution=sources.city_attribution(meta), city_headline=headlines[CITY],
                 sections=[section(a) for a in chosen],
                 layers=_layers(areas, result.units, public, inputs.crs, query.distance_m, estimate),
                 scenario_pages=future_page.gather(engine, code), years=years, estimate=estimate,
                 estimate_note=note)


def _voices(engine: Engine, code: str):
    """area id (None = the city) → its 地域の声 counted by tag, from the activity records (#16); None
    when the city has recorded none."""
    from dashboard.services.records import VoiceSummary, voice_summaries

    summaries = voice_summaries(engine, code)
    if summaries[None].total == 0:
        return None
    return lambda area_id: summaries.get(area_id, VoiceSummary(0, (), 0, None, None, 0))


def _check_area_ids(area_ids: list[str] | None, areas: pd.DataFrame) -> None:
    if area_ids is None:
        return
    known = areas["area_id"].tolist()
    unknown = [a for a in area_ids if a not in known]
    if unknown:
        raise UnknownArea(f"圏域ID {', '.join(unknown)} はストアにありません（あるもの: {', '.join(known) or 'なし'}）")


def _headline(row, distance_m: int) -> Headline:
    return Headline(pop65=float(row.pop65), pop75=float(row.pop75), places=int(row.places),
                    pop65_covered=float(row.pop65_covered), coverage65=float(row.coverage65),
                    distance_m=distance_m, places_per_1000_65=float(row.places_per_1000_65))


def _text(value) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):  # None, NaN, pd.NA
        return ""
    return str(value).strip()


def _place_rows(places: pd.DataFrame) -> tuple[PlaceRow, ...]:
    """Public places as rows: gathering categories first (vocabulary order), then by name."""
    order = {c: i for i, c in enumerate(vocab.CATEGORY_IDS)}
    rows = [PlaceRow(name=_text(p.name), category=_text(p.category),
                     schedule=("休止中：" if p.status == "paused" else "")
                     + schedule.display_text(p.rrule, p.schedule_text),
                     address=_text(p.address), is_synthetic=bool(p.is_synthetic),
                     gathering=p.category in vocab.GATHERING_CATEGORIES)
            for p in places[places["status"] != "closed"].itertuples()]
    return tuple(sorted(rows, key=lambda r: (not r.gathering, order.get(r.category, len(order)), r.name)))


@dataclass(frozen=True)
class _Survey:
    batch: pd.Series
    table: pd.DataFrame
    profile_title: str
    indicators: tuple[str, ...]


def _survey(engine: Engine, code: str, area_order: list[str]) -> _Survey | None:
    """The newest needs survey scored with the standard profile, suppressed (or None)."""
    from dashboard.survey.scoring import load_profile
    from dashboard.survey.service import needs_table

    batches = reads.survey_batches(engine, code, "needs")  # newest first
    if batches.empty:
        return None
    batch = batches.iloc[0]
    profile = load_profile(SURVEY_PROFILE)
    table = needs_table(reads.survey_answers(engine, int(batch["id"])), profile, area_order, DEFAULT_MIN_N)
    wanted = profile.ids("risk") + [i for i in SURVEY_PARTICIPATION if i in profile.ids()] + profile.ids("intent")
    return _Survey(batch=batch, table=table, profile_title=profile.title, indicators=tuple(wanted))


def survey_rows(table: pd.DataFrame, area_id: str, indicators: list[str] | tuple[str, ...]) -> tuple[SurveyRow, ...]:
    """Rows of a suppressed :func:`~dashboard.survey.service.needs_table` for one area (or ``ALL``)
    next to the city. A suppressed cell gives ``rate = n_valid = None`` and ``suppressed = True``."""
    by_key = table.set_index(["area_id", "indicator"])
    rows = []
    for indicator in indicators:
        mine, city = by_key.loc[(area_id, indicator)], by_key.loc[(CITY, indicator)]
        hidden, city_hidden = bool(mine["suppressed"]), bool(city["suppressed"])
        rows.append(SurveyRow(
            indicator=indicator, label=str(mine["label"]), group=str(mine["group"]),
            rate=None if hidden else float(mine["rate"]), n_valid=None if hidden else int(mine["n_valid"]),
            city_rate=None if city_hidden else float(city["rate"]), suppressed=hidden, city_suppressed=city_hidden))
    return tuple(rows)


def _survey_figures(survey: _Survey | None, area_id: str) -> SurveyFigures | None:
    if survey is None:
        return None
    return SurveyFigures(title=_text(survey.batch["title"]), as_of=_text(survey.batch["as_of"]) or None,
                         is_synthetic=bool(survey.batch["is_synthetic"]), profile_title=survey.profile_title,
                         min_n=int(survey.table["min_n"].iloc[0]),
                         rows=survey_rows(survey.table, area_id, survey.indicators))


def _layers(areas: gpd.GeoDataFrame, units: gpd.GeoDataFrame, public: pd.DataFrame, crs: CRS,
            distance_m: int, estimate: str = "") -> MapLayers:
    located = public[public["lat"].notna() & public["lon"].notna() & (public["status"] != "closed")]
    points = gpd.GeoDataFrame(located[["area_id", "category"]].reset_index(drop=True),
                              geometry=gpd.points_from_xy(located["lon"], located["lat"]), crs=STORAGE_CRS)
    return MapLayers(crs=crs, areas=areas[["area_id", "area_name", "geometry"]].to_crs(crs),
                     units=units[["area_id", "pop65", "covered", "geometry"]], places=points.to_crs(crs),
                     distance_m=distance_m, estimate=estimate)
