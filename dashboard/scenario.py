"""What-if scenarios (仮定) over walking coverage: places switched off, hypothetical places added,
another distance, another population year.

A scenario is plain data (JSON, :meth:`Scenario.to_json`) so it can be saved, reloaded and run from
the command line with the same numbers. Running one is :func:`dashboard.coverage.compute` on the
city's places with the scenario applied (:func:`apply`): switched-off places count as 休止中, added
ones are active places of the first counted category, meeting weekly (so every frequency filter
counts them). Nothing here writes to the store; :mod:`dashboard.services.scenarios` does.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard import coverage, vocab
from dashboard.errors import InputError, Problem
from geo.assign import polygon_id_for_points
from geo.crs import STORAGE_CRS

#: Marked on every page, slide and karte section that shows a scenario.
ASSUMED = "仮定"
MAX_NAME = 40
MAX_COMPARED = 3
YEARS = (0, 5, 10)
HYPOTHETICAL_PREFIX = "hypo-"


@dataclass(frozen=True)
class Scenario:
    """``off``: ids of places switched off; ``added``: hypothetical places ``{"name", "lat", "lon"}``
    (plus ``"venue_id"`` when taken from a candidate venue); ``years``: 0 = today's population,
    5 or 10 = the 推計 (:mod:`dashboard.projection`)."""

    name: str = "仮定"
    distance_m: int = coverage.DEFAULT_DISTANCE_M
    frequency: str = "any"
    categories: tuple[str, ...] = field(default=vocab.GATHERING_CATEGORIES)
    off: tuple[str, ...] = ()
    added: tuple[dict, ...] = ()
    years: int = 0
    note: str = ""

    def query(self) -> coverage.CoverageQuery:
        return coverage.CoverageQuery(distance_m=self.distance_m, frequency=self.frequency,
                                      categories=tuple(self.categories))

    def to_json(self) -> str:
        data = asdict(self)
        data["categories"], data["off"], data["added"] = list(self.categories), list(self.off), list(self.added)
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    def with_changes(self, **changes) -> "Scenario":
        return replace(self, **changes)


def from_json(text: str, *, source: str = "scenario") -> Scenario:
    """A scenario from its JSON (saved or hand-written); :class:`InputError` naming what is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError([Problem(source, "シナリオのJSONを読めません", str(error))]) from error
    if not isinstance(data, dict):
        raise InputError([Problem(source, "シナリオは {…} の形のJSONにしてください", "top level must be an object")])
    problems = []
    known = set(Scenario.__dataclass_fields__)
    for key in sorted(set(data) - known):
        problems.append(Problem(source, f"知らない項目「{key}」があります（使える項目：{'、'.join(sorted(known))}）",
                                f"unknown key {key!r}"))
    added = []
    for number, item in enumerate(data.get("added", []) or [], start=1):
        try:
            lat, lon = float(item["lat"]), float(item["lon"])
            if not (20 <= lat <= 46 and 122 <= lon <= 154):
                raise ValueError("outside Japan")
            added.append({"name": str(item.get("name") or f"仮の場{number}"), "lat": lat, "lon": lon,
                          **({"venue_id": str(item["venue_id"])} if item.get("venue_id") else {})})
        except (KeyError, TypeError, ValueError) as error:
            problems.append(Problem(source, f"追加する場 {number} 件目の緯度・経度が正しくありません", str(error)))
    try:
        scenario = Scenario(name=str(data.get("name", "仮定"))[:MAX_NAME] or "仮定",
                            distance_m=int(data.get("distance_m", coverage.DEFAULT_DISTANCE_M)),
                            frequency=str(data.get("frequency", "any")),
                            categories=tuple(data.get("categories") or vocab.GATHERING_CATEGORIES),
                            off=tuple(str(p) for p in data.get("off", []) or []), added=tuple(added),
                            years=int(data.get("years", 0)), note=str(data.get("note", "")))
        scenario.query()  # validates distance, frequency, categories
        if scenario.years not in YEARS:
            raise ValueError(f"years must be one of {YEARS}")
    except (TypeError, ValueError) as error:
        problems.append(Problem(source, f"シナリオの条件が正しくありません：{error}", str(error)))
        scenario = None
    if problems:
        raise InputError(problems)
    return scenario


def check_places(scenario: Scenario, places: pd.DataFrame, source: str = "scenario") -> None:
    """:class:`InputError` listing switched-off ids the city does not have."""
    unknown = [p for p in scenario.off if p not in set(places["id"])]
    if unknown:
        raise InputError([Problem(source, f"場所ID「{p}」はこの市町村にありません", "unknown place id") for p in unknown])


def apply(places: pd.DataFrame, scenario: Scenario, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """The city's places as the scenario assumes them: ``off`` ones 休止中 (``paused``), ``added`` ones
    appended as active weekly places of the first counted category, in their area (by point)."""
    result = places.copy()
    if scenario.off:
        result.loc[result["id"].isin(scenario.off), "status"] = "paused"
    if not scenario.added:
        return result
    added = pd.DataFrame([{"id": f"{HYPOTHETICAL_PREFIX}{i}", "name": a["name"], "lat": a["lat"], "lon": a["lon"]}
                          for i, a in enumerate(scenario.added, start=1)])
    points = gpd.GeoSeries(gpd.points_from_xy(added["lon"], added["lat"]), crs=STORAGE_CRS)
    added["area_id"] = polygon_id_for_points(points, areas[["area_id", "geometry"]], "area_id").to_numpy()
    added["category"] = (scenario.categories or vocab.GATHERING_CATEGORIES)[0]
    added["status"], added["frequency_class"], added["rrule"] = "active", "weekly", None
    added["is_synthetic"], added["capacity"], added["visibility"] = False, np.nan, "internal"
    return pd.concat([result, added.reindex(columns=result.columns.union(added.columns, sort=False))],
                     ignore_index=True)


def run(areas, units, places: pd.DataFrame, scenario: Scenario, prefecture_code: int) -> coverage.CoverageResult:
    """Coverage under the scenario (``units`` must already be those of ``scenario.years``)."""
    return coverage.compute(areas, units, apply(places, scenario, areas), scenario.query(), prefecture_code)


def comparison(results: dict[str, coverage.CoverageResult]) -> pd.DataFrame:
    """Side by side, per area then 市全体: 65+ covered share and uncovered 65+ for each named result."""
    first = next(iter(results.values())).table
    table = pd.DataFrame({"area_id": first["area_id"], "圏域": first["area_name"]})
    for name, result in results.items():
        rows = result.table.set_index("area_id").reindex(first["area_id"])
        table[f"{name}：カバー率"] = rows["coverage65"].to_numpy()
        table[f"{name}：徒歩圏外（人）"] = (rows["pop65"] - rows["pop65_covered"]).to_numpy()
    return table


def summary(result: coverage.CoverageResult) -> dict:
    """City figures of a result: 65+ coverage (0–1), uncovered 65+ and 75+ (persons), places counted."""
    city = result.table.set_index("area_id").loc["ALL"]
    return {"coverage65": float(city["coverage65"]) if not math.isnan(city["coverage65"]) else float("nan"),
            "uncovered65": float(city["pop65"] - city["pop65_covered"]),
            "uncovered75": float(city["pop75"] - city["pop75_covered"]), "places": int(city["places"])}
