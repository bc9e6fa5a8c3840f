"""Read functions: store rows as (Geo)DataFrames in EPSG:4326. No caching here — the UI caches
at its boundary, keyed by the store ``revision``."""

from __future__ import annotations

import json
import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard.store import models as m
from dashboard.store.engine import read_session
from geo.crs import STORAGE_CRS

#: Place fields a resident may see (the public map and every public export). Internal contact,
#: notes and import bookkeeping are deliberately absent.
PUBLIC_PLACE_FIELDS = (
    "id", "name", "name_kana", "category", "status", "address", "lat", "lon", "location_precision",
    "area_id", "town_code", "rrule", "schedule_text", "frequency_class", "operator_type", "venue_type",
    "activities", "target", "capacity", "fee", "transport", "barrier_free", "contact_public", "url",
    "last_verified", "source", "is_synthetic",
)
INTERNAL_PLACE_FIELDS = PUBLIC_PLACE_FIELDS + ("visibility", "contact_internal", "notes", "version")


def _frame(rows, columns) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


def _geoframe(engine: Engine, model, columns: tuple[str, ...], where=None, order=None) -> gpd.GeoDataFrame:
    stmt = select(*(getattr(model, c) for c in columns), model.geometry)
    if where is not None:
        stmt = stmt.where(where)
    if order is not None:
        stmt = stmt.order_by(order)
    with read_session(engine) as session:
        rows = session.execute(stmt).all()
    frame = _frame([r[:-1] for r in rows], columns)
    return gpd.GeoDataFrame(frame, geometry=[r[-1] for r in rows], crs=STORAGE_CRS)


def municipalities(engine: Engine) -> pd.DataFrame:
    with read_session(engine) as session:
        rows = session.execute(select(m.Municipality.code, m.Municipality.name, m.Municipality.prefecture)
                               .order_by(m.Municipality.code)).all()
    return _frame(rows, ("code", "name", "prefecture"))


def municipality_boundary(engine: Engine, code: str):
    with read_session(engine) as session:
        return session.scalar(select(m.Municipality.boundary).where(m.Municipality.code == code))


def areas(engine: Engine, code: str) -> gpd.GeoDataFrame:
    """日常生活圏域: ``area_id, area_name, is_demo, pop_total, pop65, pop75, pop85, geometry``."""
    frame = _geoframe(engine, m.Area, ("id", "name", "is_demo", "pop_total", "pop65", "pop75", "pop85"),
                      m.Area.municipality_code == code, m.Area.sort_order)
    return frame.rename(columns={"id": "area_id", "name": "area_name"})


def towns(engine: Engine, code: str) -> gpd.GeoDataFrame:
    return _geoframe(engine, m.Town, ("code", "name", "oaza", "area_id", "pop_2015", "households_2015",
                                      "est_pop_total", "est_pop65", "est_pop75", "est_pop85", "rep_lat", "rep_lon",
                                      "geometry_kind"),
                     m.Town.municipality_code == code, m.Town.code)


def population_cells(engine: Engine, code: str) -> gpd.GeoDataFrame:
    return _geoframe(engine, m.PopulationCell, ("mesh_code", "mesh_level_m", "census_year", "frac_inside",
                                                "pop_total", "pop65", "pop75", "pop85"),
                     m.PopulationCell.municipality_code == code, m.PopulationCell.mesh_code)


def places(engine: Engine, code: str, *, internal: bool) -> pd.DataFrame:
    """Places of a municipality. ``internal=False`` returns only ``visibility = public`` rows and
    only :data:`PUBLIC_PLACE_FIELDS` — what a resident may see."""
    columns = INTERNAL_PLACE_FIELDS if internal else PUBLIC_PLACE_FIELDS
    stmt = select(*(getattr(m.Place, c) for c in columns)).where(m.Place.municipality_code == code)
    if not internal:
        stmt = stmt.where(m.Place.visibility == "public")
    with read_session(engine) as session:
        rows = session.execute(stmt.order_by(m.Place.id)).all()
    return _frame(rows, columns)


def candidate_venues(engine: Engine, code: str) -> pd.DataFrame:
    columns = ("id", "name", "kind", "address", "lat", "lon", "area_id", "source")
    with read_session(engine) as session:
        rows = session.execute(select(*(getattr(m.CandidateVenue, c) for c in columns))
                               .where(m.CandidateVenue.municipality_code == code)
                               .order_by(m.CandidateVenue.id)).all()
    return _frame(rows, columns)


def meta(engine: Engine, code: str | None = None) -> dict[str, str]:
    """Store facts (``revision`` …), overlaid with the facts of city ``code`` when given:
    ``population_as_of``, ``boundary_as_of``, ``facilities_as_of``, ``sources`` (JSON list),
    ``demo``, ``synthetic``, ``towns_kind`` (polygon/point), ``population_kind`` (mesh/town_table) …"""
    with read_session(engine) as session:
        result = dict(session.execute(select(m.Meta.key, m.Meta.value)).all())
        if code is not None:
            result.pop("demo", None)  # a store-wide flag; whether this city is the demo is its own fact
            result.update(session.execute(select(m.MunicipalityMeta.key, m.MunicipalityMeta.value)
                                          .where(m.MunicipalityMeta.municipality_code == code)).all())
    return result


def counts(engine: Engine) -> dict[str, int]:
    """Row count per table, for the CLI's summary and the sidebar's store status."""
    result = {}
    with read_session(engine) as session:
        for model in (m.Municipality, m.Area, m.Town, m.PopulationCell, m.Place, m.CandidateVenue,
                      m.ImportBatch, m.User):
            result[model.__tablename__] = session.scalar(select(func.count()).select_from(model))
    return result


def survey_batches(engine: Engine, code: str, kind: str | None = None) -> pd.DataFrame:
    columns = ("id", "kind", "title", "as_of", "is_synthetic", "source_name", "n_respondents", "created_at")
    stmt = select(*(getattr(m.SurveyBatch, c) for c in columns)).where(m.SurveyBatch.municipality_code == code)
    if kind:
        stmt = stmt.where(m.SurveyBatch.kind == kind)
    with read_session(engine) as session:
        rows = session.execute(stmt.order_by(m.SurveyBatch.id.desc())).all()
    return _frame(rows, columns)


def survey_answers(engine: Engine, batch_id: int) -> pd.DataFrame:
    """Respondent rows of a batch — for server-side scoring only; never show or export them."""

    with read_session(engine) as session:
        kind = session.scalar(select(m.SurveyBatch.kind).where(m.SurveyBatch.id == batch_id))
        model = m.SurveyResponse if kind == "needs" else m.HelperResponse
        rows = session.execute(select(model.respondent_id, model.area_id, model.answers_json)
                               .where(model.batch_id == batch_id).order_by(model.id)).all()
    answers = pd.DataFrame([json.loads(r.answers_json) for r in rows])
    answers.insert(0, "area_id", [r.area_id for r in rows])
    answers.insert(0, "respondent_id", [r.respondent_id for r in rows])
    return answers
