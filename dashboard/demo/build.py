"""``python -m dashboard demo build``: the 蕨市 demo store from the files in ``data/`` only.

Every real file goes through the importer a municipality would use on its own files; the demo
サロン/通いの場 are generated (seeded) and pass the same validation. Everything is written in one
transaction: a failing step leaves the store as it was.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard.auth import put_user
from dashboard.demo.places import generate_demo_places
from dashboard.importers import estat, geolonia, gsi, mhlw, n03
from dashboard.geocode import town_of_address
from dashboard.importers.juki import read_age_structure
from dashboard.importers.places import validate
from dashboard.importers.tables import sha256_of
from dashboard.settings import DATA_DIR, WARABI_DIR
from dashboard.store import models as m
from dashboard.store import writes
from dashboard.store.engine import write_session
from dashboard.survey.generate import generate_helpers_survey, generate_survey, write_survey_csv
from dashboard.survey.io import read_helpers, read_survey
from geo.crs import projected_crs

MUNICIPALITY_CODE = "11223"
PREFECTURE_CODE = 11
DEMO_USER, DEMO_PASSWORD = "demo", "demo"


@dataclass(frozen=True)
class DemoFiles:
    boundary_shp: Path
    mesh_csv: Path
    n03_json: Path
    geolonia_json: Path
    shelters: tuple[Path, ...]
    kaigo_csv: tuple[Path, ...]
    kaigo_json: tuple[Path, ...]
    area_assignment: Path

    @classmethod
    def in_folder(cls, folder: Path = WARABI_DIR) -> "DemoFiles":
        raw = folder / "raw"
        return cls(
            boundary_shp=raw / "estat_h27ka11223" / "h27ka11223.shp",
            mesh_csv=raw / "estat_tblT001142Q5339_subset_warabi.csv",
            n03_json=raw / "niiyz_JapanCityGeoJson_11223.json",
            geolonia_json=raw / "geolonia_japanese-addresses_蕨市.json",
            shelters=(raw / "gsi_shelter_evacuation_112232.json", raw / "gsi_shelter_emergency_112232.json"),
            # the official CSV where we have it; the reshaped JSON for the service types we have only there
            kaigo_csv=tuple(sorted(raw.glob("mhlw_kaigo_[0-9]*_warabi.csv"))),
            kaigo_json=tuple(raw / f"mhlw_kaigo_via_helpmesearch_{s}_warabi.json"
                             for s in ("day_service", "community_day_service", "home_help")),
            area_assignment=folder / "demo" / "area_assignment.csv",
        )


def place_far_points_at_town(rows: pd.DataFrame, towns: gpd.GeoDataFrame, prefecture_code: int) -> pd.DataFrame:
    """Rows whose coordinates lie outside the city (beyond the import tolerance) are moved to the
    representative point of the 町丁目 named in their address, with ``location_precision = town``
    and a note saying why. Rows whose address names no known 町丁目 are left for validation to reject.

    Real open data has such errors (two MHLW providers geocode 6 km and 13 km away).
    """
    metric = projected_crs(prefecture_code)
    outline = gpd.GeoSeries([towns.union_all()], crs="EPSG:4326").to_crs(metric).iloc[0]
    points = gpd.GeoSeries(gpd.points_from_xy(rows["lon"].astype(float), rows["lat"].astype(float)), crs="EPSG:4326")
    distance_m = points.to_crs(metric).distance(outline).to_numpy()
    rows = rows.copy()
    names = towns["name"].tolist()
    by_name = towns.set_index("name")
    for i in range(len(rows)):
        if distance_m[i] <= writes.OUTSIDE_TOLERANCE_M:
            continue
        town = town_of_address(rows.iloc[i]["address"], names, city="蕨市")
        if town is None or pd.isna(by_name.at[town, "lat"]):
            continue
        rows.iloc[i, rows.columns.get_loc("lat")] = f"{by_name.at[town, 'lat']:.6f}"
        rows.iloc[i, rows.columns.get_loc("lon")] = f"{by_name.at[town, 'lon']:.6f}"
        rows.iloc[i, rows.columns.get_loc("location_precision")] = "town"
        note = f"元データの座標が市の区域外（約{distance_m[i] / 1000:.1f} km）のため、住所の町丁目（{town}）の代表点に配置"
        old = rows.iloc[i]["notes"]
        rows.iloc[i, rows.columns.get_loc("notes")] = f"{old} / {note}" if old else note
    return rows


def check_sample_names_unique(rows: pd.DataFrame) -> None:
    """Synthetic places never share a name: in lists, search results, the edit form's picker and the
    audit log a place is told apart by its name, and two 「錦町5丁目 公園体操」 would look like one
    entered twice. Raises ``AssertionError`` naming each repeated name (a bug in
    :func:`dashboard.demo.places.generate_demo_places`, never bad input); raised explicitly so that
    ``python -O`` keeps the check.
    """
    counts = rows["name"].value_counts()
    repeated = counts[counts > 1]
    if len(repeated):
        listed = "、".join(f"「{name}」×{count}" for name, count in repeated.sort_index().items())
        raise AssertionError(f"demo build: synthetic places must not share a name, but {len(repeated)} names repeat: "
                             f"{listed} (dashboard/demo/places.py must give every sample place its own name)")


DEMO_SURVEY_N, DEMO_HELPERS_N, DEMO_SURVEY_SEED = 2500, 600, 2016
DEMO_SURVEY_AS_OF = "令和7年度（架空）"


def demo_surveys(areas: pd.DataFrame, folder: Path):
    """Generate the synthetic needs and helpers surveys as files in ``folder`` and read them back
    through the survey importer, as a municipality would load its own (labelled 架空の調査データ).

    ``areas``: ``area_id, pop65, pop75, pop85``. Returns ``[(kind, title, path, SurveyFile), …]``.
    """
    known = set(areas["area_id"])
    structure = read_age_structure(DATA_DIR / "saitama" / "soumu_juki_2204ssnen.xlsx", MUNICIPALITY_CODE)
    needs_path = folder / "needs_survey_synthetic.csv"
    write_survey_csv(generate_survey(areas, structure, n=DEMO_SURVEY_N, seed=DEMO_SURVEY_SEED), needs_path)
    helpers_path = folder / "helpers_survey_synthetic.csv"
    helpers_path.write_text(generate_helpers_survey(areas, n=DEMO_HELPERS_N, seed=DEMO_SURVEY_SEED)
                            .to_csv(index=False), encoding="utf-8")
    return [("needs", "介護予防・日常生活圏域ニーズ調査（架空の調査データ）", needs_path, read_survey(needs_path, known)),
            ("helpers", "助け合い調査（架空の調査データ）", helpers_path, read_helpers(helpers_path, known))]


def _demo_towns(files: DemoFiles) -> gpd.GeoDataFrame:
    """The e-Stat 小地域 of 蕨市 as the towns step takes them, with Geolonia's representative points."""
    towns = estat.read_small_area_boundaries(files.boundary_shp)
    towns = towns[towns["municipality_code"] == MUNICIPALITY_CODE].reset_index(drop=True)
    points = geolonia.read_town_points(files.geolonia_json).set_index("town_name")
    towns = towns.join(points, on="name")
    return gpd.GeoDataFrame({
        "code": towns["code"], "name": towns["name"], "oaza": towns["oaza"], "pop": towns["pop"],
        "households": towns["households"], "rep_lat": towns["lat"], "rep_lon": towns["lon"], "geometry_kind": "polygon",
        "row": range(1, len(towns) + 1)}, geometry=towns.geometry.to_numpy(), crs=towns.crs)


def build_demo(engine: Engine, files: DemoFiles | None = None) -> dict[str, int]:
    """Replace the 蕨市 data in the store with a fresh demo build; returns row counts.

    The geography goes through the same setup services as any city (:mod:`dashboard.services`):
    outline, 町丁目, population mesh, 圏域 table, candidate venues — all in one transaction.
    """
    from dashboard.services import areas as area_step
    from dashboard.services import cities, population, towns as town_step, venues as venue_step
    from dashboard.services.common import add_source, set_city_meta, towns_frame

    files = files or DemoFiles.in_folder()
    towns = _demo_towns(files)
    outline = n03.read_municipal_boundary(files.n03_json, MUNICIPALITY_CODE)
    boundary = cities.Boundary(outline, "蕨市", "埼玉県", "国土数値情報（行政区域データ）N03", None, "n03")
    shelters = gsi.read_shelters(list(files.shelters))
    venue_rows = gsi.venues_as_places(shelters)
    kaigo_frames = [mhlw.read_kaigo_csv(p)[0] for p in files.kaigo_csv] + [mhlw.read_kaigo_json(p) for p in files.kaigo_json]
    kaigo_rows = pd.concat(kaigo_frames, ignore_index=True).drop_duplicates("id").reset_index(drop=True)
    real_places = None

    with tempfile.TemporaryDirectory() as folder, write_session(engine) as session:
        writes.clear_municipality(session, MUNICIPALITY_CODE)
        cities.apply_municipality(session, MUNICIPALITY_CODE, "蕨市", boundary)
        town_step.apply_towns(session, MUNICIPALITY_CODE, towns, kind="estat",
                              source_keys=["estat_small_area", "geolonia"], source_name=files.boundary_shp.name,
                              sha256=sha256_of(files.boundary_shp.with_suffix(".dbf")), encoding="cp932")
        population.apply_mesh(session, MUNICIPALITY_CODE, files.mesh_csv, name=files.mesh_csv.name, as_of=None,
                              sha256=sha256_of(files.mesh_csv))
        area_step.apply_areas(session, MUNICIPALITY_CODE, files.area_assignment, provisional=True)
        venue_step.apply_venues(session, MUNICIPALITY_CODE, list(files.shelters))
        stored = towns_frame(session, MUNICIPALITY_CODE).rename(columns={"rep_lat": "lat", "rep_lon": "lon"})
        kaigo_rows = place_far_points_at_town(kaigo_rows, stored, PREFECTURE_CODE)
        venues = pd.DataFrame([tuple(v) for v in session.execute(
            select(m.CandidateVenue.name, m.CandidateVenue.address, m.CandidateVenue.lat, m.CandidateVenue.lon)
            .where(m.CandidateVenue.municipality_code == MUNICIPALITY_CODE))], columns=["name", "address", "lat", "lon"])
        demo_rows = generate_demo_places(venues, stored)
        check_sample_names_unique(demo_rows)
        real_places = validate(pd.concat([venue_rows, kaigo_rows], ignore_index=True).fillna(""), "real facilities",
                               default_visibility="public")
        demo_places = validate(demo_rows.fillna(""), "demo generator")
        real_batch = writes.add_batch(session, "places_real", "GSI shelters + MHLW 介護サービス", "-", len(real_places))
        writes.upsert_places(session, real_places, municipality_code=MUNICIPALITY_CODE, prefecture_code=PREFECTURE_CODE,
                             batch_id=real_batch, source_name="real facilities")
        demo_batch = writes.add_batch(session, "places_demo", "demo generator (seed 2016)", "-", len(demo_places))
        writes.upsert_places(session, demo_places, municipality_code=MUNICIPALITY_CODE, prefecture_code=PREFECTURE_CODE,
                             batch_id=demo_batch, source_name="demo generator", is_synthetic=True)
        add_source(session, MUNICIPALITY_CODE, "mhlw")
        set_city_meta(session, MUNICIPALITY_CODE, "boundary_as_of", "2015年国勢調査 小地域境界")
        set_city_meta(session, MUNICIPALITY_CODE, "facilities_as_of", "避難所 2025-10-27 / 介護サービス 2025-06-01")
        set_city_meta(session, MUNICIPALITY_CODE, "demo", "true")
        set_city_meta(session, MUNICIPALITY_CODE, "synthetic", "サロン・通いの場、ニーズ調査")
        set_city_meta(session, MUNICIPALITY_CODE, "population_note",
                      "町丁目別2020年推計値は250mメッシュ統計を面積按分した推計であり、公表値ではありません。")
        area_rows = towns_frame(session, MUNICIPALITY_CODE).groupby("area_id")[["est_pop65", "est_pop75", "est_pop85"]].sum()
        order = session.execute(select(m.Area.id).where(m.Area.municipality_code == MUNICIPALITY_CODE)
                                .order_by(m.Area.sort_order)).scalars().all()
        survey_areas = pd.DataFrame({"area_id": order, **{c: area_rows.loc[order, f"est_{c}"].to_numpy()
                                                          for c in ("pop65", "pop75", "pop85")}})
        surveys = demo_surveys(survey_areas, Path(folder))
        for kind, title, path, survey in surveys:
            writes.add_survey(session, municipality_code=MUNICIPALITY_CODE, kind=kind, title=title,
                              as_of=DEMO_SURVEY_AS_OF, is_synthetic=True, source_name=path.name,
                              sha256=sha256_of(path), answers=survey.answers)
        add_source(session, MUNICIPALITY_CODE, "juki")
        # The demo store (and only the demo store) has a coordinator demo/demo, as README and run.sh say.
        put_user(session, DEMO_USER, DEMO_PASSWORD, "coordinator")
        writes.set_meta(session, "demo", "true")
        counts = {"towns": len(stored), "population_cells": session.scalar(
            select(func.count()).select_from(m.PopulationCell).where(m.PopulationCell.municipality_code == MUNICIPALITY_CODE)),
            "areas": len(order), "places_real": len(real_places), "places_sample": len(demo_places),
            "candidate_venues": len(venues)}
    return {"survey_respondents": DEMO_SURVEY_N, "helpers_households": DEMO_HELPERS_N, **counts}
