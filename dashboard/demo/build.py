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
from sqlalchemy import Engine

from dashboard.auth import put_user
from dashboard.demo.places import generate_demo_places
from dashboard.importers import areas as areas_importer
from dashboard.importers import estat, geolonia, gsi, mhlw, n03
from dashboard.geocode import town_of_address
from dashboard.importers.places import validate
from dashboard.importers.tables import sha256_of
from dashboard.settings import DATA_DIR, WARABI_DIR
from dashboard.store import models as m
from dashboard.store import writes
from dashboard.store.engine import write_session
from dashboard.survey.generate import generate_helpers_survey, generate_survey, read_age_structure, write_survey_csv
from dashboard.survey.io import read_helpers, read_survey
from geo.crs import projected_crs
from geo.interpolate import clip_extensive, interpolate_extensive
from geo.mesh import mesh_polygons

MUNICIPALITY_CODE = "11223"
PREFECTURE_CODE = 11
DEMO_USER, DEMO_PASSWORD = "demo", "demo"
POP_COLUMNS = ["pop_total", "pop65", "pop75", "pop85"]


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


def population_geography(towns: gpd.GeoDataFrame, mesh: pd.DataFrame, prefecture_code: int):
    """Mesh cells clipped to the city (counts weighted by area share) and the towns with 2020 estimates.

    The clip uses the union of the towns, so that the towns receive exactly the clipped totals.
    """
    metric = projected_crs(prefecture_code)
    cells = gpd.GeoDataFrame(mesh, geometry=mesh_polygons(mesh["mesh_code"]).to_numpy(), crs="EPSG:4326")
    clipped = clip_extensive(cells, towns.union_all(), POP_COLUMNS, metric)
    estimates = interpolate_extensive(clipped, towns, POP_COLUMNS, metric)
    towns = towns.assign(**{f"est_{c}": estimates[c].to_numpy() for c in POP_COLUMNS})
    raw = mesh.set_index("mesh_code").loc[clipped["mesh_code"], ["pop_total", "pop65"]]
    clipped = clipped.assign(raw_pop_total=raw["pop_total"].to_numpy(), raw_pop65=raw["pop65"].to_numpy())
    return clipped, towns


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


def build_demo(engine: Engine, files: DemoFiles | None = None) -> dict[str, int]:
    """Replace the 蕨市 data in the store with a fresh demo build; returns row counts."""
    files = files or DemoFiles.in_folder()
    towns = estat.read_small_area_boundaries(files.boundary_shp)
    towns = towns[towns["municipality_code"] == MUNICIPALITY_CODE].reset_index(drop=True)
    mesh, mesh_encoding = estat.read_mesh_table(files.mesh_csv)
    cells, towns = population_geography(towns, mesh, PREFECTURE_CODE)
    points = geolonia.read_town_points(files.geolonia_json).set_index("town_name")
    towns = towns.join(points, on="name")
    assignment = areas_importer.read_assignment(files.area_assignment)
    area_frame, town_area = areas_importer.dissolve_areas(towns, assignment, files.area_assignment.name)
    towns["area_id"] = town_area
    sums = towns.groupby("area_id")[[f"est_{c}" for c in POP_COLUMNS]].sum()
    outline = n03.read_municipal_boundary(files.n03_json, MUNICIPALITY_CODE)

    shelters = gsi.read_shelters(list(files.shelters))
    venues = shelters[shelters["kind"].isin(gsi.VENUE_KINDS)].reset_index(drop=True)
    venue_rows = gsi.venues_as_places(shelters)
    kaigo_frames = [mhlw.read_kaigo_csv(p)[0] for p in files.kaigo_csv] + [mhlw.read_kaigo_json(p) for p in files.kaigo_json]
    kaigo_rows = pd.concat(kaigo_frames, ignore_index=True).drop_duplicates("id").reset_index(drop=True)
    kaigo_rows = place_far_points_at_town(kaigo_rows, towns, PREFECTURE_CODE)
    demo_rows = generate_demo_places(venues, towns)
    real_places = validate(pd.concat([venue_rows, kaigo_rows], ignore_index=True).fillna(""), "real facilities",
                           default_visibility="public")
    demo_places = validate(demo_rows.fillna(""), "demo generator")

    survey_areas = pd.DataFrame({"area_id": area_frame["area_id"],
                                 **{c: sums.loc[area_frame["area_id"], f"est_{c}"].to_numpy() for c in ("pop65", "pop75", "pop85")}})
    with tempfile.TemporaryDirectory() as folder, write_session(engine) as session:
        surveys = demo_surveys(survey_areas, Path(folder))
        writes.clear_municipality(session, MUNICIPALITY_CODE)
        session.add(m.Municipality(code=MUNICIPALITY_CODE, name="蕨市", prefecture="埼玉県", boundary=outline,
                                   boundary_source="国土数値情報（行政区域データ）N03"))
        boundary_batch = writes.add_batch(session, "estat_small_area", files.boundary_shp.name,
                                          sha256_of(files.boundary_shp.with_suffix(".dbf")), len(towns), "cp932")
        mesh_batch = writes.add_batch(session, "estat_mesh_t001142", files.mesh_csv.name, sha256_of(files.mesh_csv),
                                      len(mesh), mesh_encoding)
        area_batch = writes.add_batch(session, "area_assignment", files.area_assignment.name,
                                      sha256_of(files.area_assignment), len(assignment), "utf-8")
        for row in area_frame.itertuples():
            session.add(m.Area(id=row.area_id, municipality_code=MUNICIPALITY_CODE, name=row.area_name,
                               sort_order=int(row.sort_order), is_demo=True, geometry=row.geometry,
                               pop_total=float(sums.at[row.area_id, "est_pop_total"]),
                               pop65=float(sums.at[row.area_id, "est_pop65"]),
                               pop75=float(sums.at[row.area_id, "est_pop75"]),
                               pop85=float(sums.at[row.area_id, "est_pop85"]), import_batch_id=area_batch))
        session.flush()
        for row in towns.itertuples():
            session.add(m.Town(code=row.code, municipality_code=MUNICIPALITY_CODE, name=row.name, oaza=row.oaza,
                               area_id=row.area_id, pop_2015=int(row.pop), households_2015=int(row.households),
                               est_pop_total=float(row.est_pop_total), est_pop65=float(row.est_pop65),
                               est_pop75=float(row.est_pop75), est_pop85=float(row.est_pop85),
                               rep_lat=None if pd.isna(row.lat) else float(row.lat),
                               rep_lon=None if pd.isna(row.lon) else float(row.lon),
                               geometry=row.geometry, import_batch_id=boundary_batch))
        for row in cells.itertuples():
            session.add(m.PopulationCell(
                municipality_code=MUNICIPALITY_CODE, mesh_code=row.mesh_code, mesh_level_m=estat.mesh_level_m(row.mesh_code),
                census_year=2020, frac_inside=float(row.frac_inside), pop_total=float(row.pop_total), pop65=float(row.pop65),
                pop75=float(row.pop75), pop85=float(row.pop85), raw_pop_total=int(row.raw_pop_total),
                raw_pop65=int(row.raw_pop65), geometry=row.geometry, import_batch_id=mesh_batch))
        session.flush()

        real_batch = writes.add_batch(session, "places_real", "GSI shelters + MHLW 介護サービス", "-", len(real_places))
        writes.upsert_places(session, real_places, municipality_code=MUNICIPALITY_CODE, prefecture_code=PREFECTURE_CODE,
                             batch_id=real_batch, source_name="real facilities")
        demo_batch = writes.add_batch(session, "places_demo", "demo generator (seed 2016)", "-", len(demo_places))
        writes.upsert_places(session, demo_places, municipality_code=MUNICIPALITY_CODE, prefecture_code=PREFECTURE_CODE,
                             batch_id=demo_batch, source_name="demo generator", is_synthetic=True)

        _, venue_areas = writes.locate_points(session, MUNICIPALITY_CODE, venues["lat"], venues["lon"],
                                              PREFECTURE_CODE, name="GSI venues")
        for row, area_id in zip(venues.itertuples(), venue_areas):
            session.add(m.CandidateVenue(id=f"gsi-{row.source_id}", municipality_code=MUNICIPALITY_CODE, name=row.name,
                                         kind=row.kind, address=row.address, lat=row.lat, lon=row.lon, area_id=area_id,
                                         source=gsi.SOURCE, source_id=row.source_id))
        writes.set_meta(session, "population_as_of", "2020年国勢調査 250mメッシュ（町丁目・圏域は面積按分による推計）")
        writes.set_meta(session, "boundary_as_of", "2015年国勢調査 小地域境界")
        writes.set_meta(session, "facilities_as_of", "避難所 2025-10-27 / 介護サービス 2025-06-01")
        writes.set_meta(session, "demo", "true")
        for kind, title, path, survey in surveys:
            writes.add_survey(session, municipality_code=MUNICIPALITY_CODE, kind=kind, title=title,
                              as_of=DEMO_SURVEY_AS_OF, is_synthetic=True, source_name=path.name,
                              sha256=sha256_of(path), answers=survey.answers)
        # The demo store (and only the demo store) has a coordinator demo/demo, as README and run.sh say.
        put_user(session, DEMO_USER, DEMO_PASSWORD, "coordinator")
    return {"survey_respondents": DEMO_SURVEY_N, "helpers_households": DEMO_HELPERS_N, "towns": len(towns), "population_cells": len(cells), "areas": len(area_frame),
            "places_real": len(real_places), "places_sample": len(demo_places), "candidate_venues": len(venues)}
