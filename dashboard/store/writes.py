"""Writes to the store. Each public function runs inside a caller's :func:`write_session`, so a
whole import is one transaction: on any error nothing is written."""

from __future__ import annotations

import json
import math
from typing import Callable

import geopandas as gpd
import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from dashboard.errors import InputError, Problem
from dashboard.store import models as m
from geo.assign import polygon_id_for_points
from geo.crs import STORAGE_CRS, projected_crs

#: Points further than this outside the municipality are rejected as mistyped coordinates.
#: Some real open-data points (MHLW) sit a few dozen metres over the line, so we allow a margin.
OUTSIDE_TOLERANCE_M = 300.0

#: Place fields written from validated records (see dashboard.importers.places.validate).
PLACE_FIELDS = (
    "name", "name_kana", "category", "status", "visibility", "address", "prefecture", "city",
    "town_street", "banchi", "building", "lat", "lon", "location_precision", "rrule", "schedule_text",
    "frequency_class", "operator_type", "venue_type", "activities", "target", "capacity", "fee",
    "transport", "barrier_free", "contact_public", "contact_internal", "url", "last_verified", "source", "notes",
)


def add_batch(session: Session, kind: str, source_name: str, sha256: str, row_count: int,
              encoding: str | None = None, created_by: str | None = None) -> int:
    batch = m.ImportBatch(kind=kind, source_name=source_name, sha256=sha256, row_count=row_count,
                          encoding=encoding, created_by=created_by)
    session.add(batch)
    session.flush()
    return batch.id


def set_meta(session: Session, key: str, value: str) -> None:
    session.merge(m.Meta(key=key, value=value))


def clear_municipality(session: Session, code: str) -> None:
    """Delete every row of one municipality (children first, for the foreign keys)."""
    batches = select(m.SurveyBatch.id).where(m.SurveyBatch.municipality_code == code)
    for model in (m.SurveyResponse, m.HelperResponse):
        session.execute(delete(model).where(model.batch_id.in_(batches)))
    session.execute(delete(m.SurveyBatch).where(m.SurveyBatch.municipality_code == code))
    session.execute(delete(m.Snapshot).where(m.Snapshot.municipality_code == code))
    records = select(m.ActivityRecord.id).where(m.ActivityRecord.municipality_code == code)  # 活動記録 (#16)
    voices = select(m.ActivityVoice.id).where(m.ActivityVoice.record_id.in_(records))
    session.execute(delete(m.ActivityVoiceTag).where(m.ActivityVoiceTag.voice_id.in_(voices)))
    for model in (m.ActivityVoice, m.ActivityFollowUp, m.ActivityRecordArea, m.ActivityAttachment):
        session.execute(delete(model).where(model.record_id.in_(records)))
    session.execute(delete(m.ActivityRecord).where(m.ActivityRecord.municipality_code == code))
    for model in (m.Place, m.CandidateVenue, m.PopulationCell, m.Town, m.Area, m.MunicipalityMeta):
        session.execute(delete(model).where(model.municipality_code == code))
    session.execute(delete(m.Municipality).where(m.Municipality.code == code))


def _towns_frame(session: Session, code: str) -> gpd.GeoDataFrame:
    rows = session.execute(select(m.Town.code, m.Town.area_id, m.Town.geometry)
                           .where(m.Town.municipality_code == code)).all()
    return gpd.GeoDataFrame([{"code": r.code, "area_id": r.area_id} for r in rows],
                            geometry=[r.geometry for r in rows], crs=STORAGE_CRS)


def locate_points(session: Session, code: str, lats, lons, prefecture_code: int, *,
                  name: str, rows: list[int] | None = None) -> tuple[list, list]:
    """``(town_codes, area_ids)`` for points; raises InputError for points outside the municipality.

    ``rows`` are the file rows of the points (for messages); defaults to 2, 3, …
    """
    towns = _towns_frame(session, code)
    if towns.empty:
        raise InputError([Problem(name, "先に町丁目の境界を取り込んでください", "no towns in the store for this municipality")])
    points = gpd.GeoSeries(gpd.points_from_xy(lons, lats), crs=STORAGE_CRS)
    town_codes = polygon_id_for_points(points, towns, "code")
    # A point in a 町丁目 is in the municipality: only the others are measured against its outline
    # (measuring all 20,000 points of a big import cost more than finding their towns).
    outside = town_codes.isna().to_numpy()
    if outside.any():
        metric = projected_crs(prefecture_code)
        strays = points[outside].to_crs(metric)
        outline = gpd.GeoSeries([towns.union_all()], crs=STORAGE_CRS).to_crs(metric).iloc[0]
        rows = rows or list(range(2, len(points) + 2))
        problems = [Problem(name, f"座標が市町村の区域外です（境界から約{distance:,.0f} m）", "point outside the municipality",
                            row=rows[i], column="lat/lon")
                    for i, distance in zip(np.flatnonzero(outside), strays.distance(outline))
                    if distance > OUTSIDE_TOLERANCE_M]
        if problems:
            raise InputError(problems)
        # just outside the line, within tolerance: the nearest town
        nearest = gpd.sjoin_nearest(gpd.GeoDataFrame(geometry=strays), towns.to_crs(metric)[["code", "geometry"]],
                                    how="left")
        nearest = nearest[~nearest.index.duplicated()]["code"]
        town_codes = town_codes.where(town_codes.notna(), nearest)
    area_by_town = dict(zip(towns["code"], towns["area_id"]))
    return list(town_codes), [area_by_town.get(c) for c in town_codes]


def audit_text(value) -> str | None:
    """A field value as the audit log stores it (dates ISO, None as null)."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def add_audit(session: Session, *, place_id: str, municipality_code: str, changed_by: str, action: str,
              field: str, old, new) -> None:
    session.add(m.AuditEntry(place_id=place_id, municipality_code=municipality_code, changed_by=changed_by,
                             action=action, field=field, old_value=audit_text(old), new_value=audit_text(new)))


def record_values(record: dict, *, town_code: str | None = None, area_id: str | None = None) -> dict:
    """The stored values of a validated record: :data:`PLACE_FIELDS` plus the town and area derived
    from its point. :func:`upsert_places` and the import preview compare these with the store."""
    values = {k: record.get(k) for k in PLACE_FIELDS}
    values.update(town_code=town_code, area_id=area_id)
    return values


def fields_to_update(values: dict, fields: set[str] | None) -> dict:
    """For a place already in the store, the values a file may change: only the columns it has.

    A file with ``id, name, fee`` updates names and fees and leaves every other field (address,
    contacts, visibility …) as stored — a missing column never blanks data or unpublishes a place.
    Derived values follow their source: the point (and its town and area) only when the file has
    both 緯度 and 経度; the frequency when it has the schedule. ``fields`` None = every field.
    """
    if fields is None:
        return values
    keep = set(fields) & set(values)
    if "schedule_text" in fields or "rrule" in fields:
        keep |= {"rrule", "frequency_class"}
    if {"lat", "lon"} <= set(fields):
        keep |= {"lat", "lon", "location_precision", "town_code", "area_id"}
    else:
        keep -= {"lat", "lon", "location_precision"}
    return {k: v for k, v in values.items() if k in keep}


def changed_fields(place: m.Place, values: dict) -> list[str]:
    """Fields of ``values`` that differ from the stored ``place`` (empty: the place is unchanged)."""
    return [k for k, v in values.items() if getattr(place, k) != v]


def upsert_places(session: Session, records: list[dict], *, municipality_code: str, prefecture_code: int,
                  batch_id: int, source_name: str, is_synthetic: bool = False,
                  changed_by: str | None = None, action: str = "import",
                  fields: set[str] | None = None, progress: Callable[[float], None] | None = None) -> dict[str, int]:
    """Insert or update places by id; returns counts ``{"new", "changed", "unchanged"}``.

    Area and town are derived from the coordinates (every point located at once, so a file with
    points outside the municipality is reported in one go). New places get ``version = 1`` and a
    ``create`` audit entry; changed places get ``version + 1`` and one audit entry per changed field
    (``changed_by`` defaults to ``import:<file>``). ``fields``: the columns the file had (see
    :func:`fields_to_update`); None updates every field. The records are written in chunks of
    :data:`CHUNK`, after each of which ``progress`` (if given) gets the share done (0–1); it is all
    one transaction, the caller's.
    """
    changed_by = changed_by or f"import:{source_name}"
    town_codes, area_ids = locate_points(session, municipality_code, [r["lat"] for r in records],
                                         [r["lon"] for r in records], prefecture_code, name=source_name)
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for start in range(0, len(records), CHUNK):
        stop = start + CHUNK
        _upsert_chunk(session, records[start:stop], town_codes[start:stop], area_ids[start:stop], counts,
                      municipality_code=municipality_code, is_synthetic=is_synthetic, batch_id=batch_id,
                      changed_by=changed_by, action=action, fields=fields, source_name=source_name)
        if progress:
            progress(min(1.0, stop / len(records)))
    return counts


#: Records per chunk of :func:`upsert_places`: one ``IN (…)`` query for the stored places (SQLite
#: allows 32,766 parameters; PostgreSQL more) and one multi-row INSERT of the new ones.
CHUNK = 500


def _upsert_chunk(session: Session, records: list[dict], town_codes: list, area_ids: list, counts: dict, *,
                  municipality_code: str, is_synthetic: bool, batch_id: int, changed_by: str, action: str, fields,
                  source_name: str) -> None:
    """Write one chunk: new places and every audit entry as multi-row Core INSERTs (ORM objects cost
    ≈ 0.25 ms a row in attribute events and bookkeeping: 5 s of a 20,000-row import), changed places
    through the ORM, whose UPDATE checks ``version`` (a concurrent edit raises StaleDataError).

    The stored places are read in one query (not one get — and one autoflush — per record: that made a
    20,000-row import take 25 s). FOR UPDATE (PostgreSQL): an edit saved by another process meanwhile
    is waited for and read, so the versioned UPDATE never meets a newer version; SQLite's writer
    already holds the file. Audit rows are written after the places, in record order, as before.
    """
    stored = {place.id: place for place in session.scalars(
        select(m.Place).where(m.Place.id.in_([r["id"] for r in records])).with_for_update())}
    new_rows, audit_rows = [], []
    audit = {"municipality_code": municipality_code, "changed_by": changed_by}
    with session.no_autoflush:
        for record, town_code, area_id in zip(records, town_codes, area_ids):
            values = record_values(record, town_code=town_code, area_id=area_id)
            place = stored.get(record["id"])
            if place is None:
                new_rows.append(_new_place_row(values, id=record["id"], municipality_code=municipality_code,
                                               is_synthetic=is_synthetic, import_batch_id=batch_id, version=1))
                audit_rows.append(dict(audit, place_id=record["id"], action="create", field="*", old_value=None,
                                       new_value=audit_text(record["name"])))
                counts["new"] += 1
            elif place.municipality_code != municipality_code:
                raise InputError([Problem(source_name, f"ID「{record['id']}」は別の市町村の資源で使われています",
                                          "id in use")])
            elif changed := changed_fields(place, values := fields_to_update(values, fields)):
                for key in changed:
                    audit_rows.append(dict(audit, place_id=place.id, action=action, field=key,
                                           old_value=audit_text(getattr(place, key)),
                                           new_value=audit_text(values[key])))
                    setattr(place, key, values[key])
                place.version += 1
                place.import_batch_id = batch_id
                counts["changed"] += 1
            else:
                counts["unchanged"] += 1
    if new_rows:
        session.execute(insert(m.Place.__table__), new_rows)
    session.flush()  # the changed places: UPDATE … WHERE id = ? AND version = <read>
    if audit_rows:
        session.execute(insert(m.AuditEntry.__table__), audit_rows)


def _place_defaults() -> dict[str, object]:
    """Column defaults of ``places`` (``status`` active …): the ORM uses a column's default for a
    value of None, and so does :func:`_new_place_row`, so a Core INSERT stores what ``Place(…)`` did."""
    return {column.key: column.default.arg for column in m.Place.__table__.columns
            if column.default is not None and column.default.is_scalar}


_PLACE_DEFAULTS = _place_defaults()


def _new_place_row(values: dict, **columns) -> dict:
    row = {**values, **columns}
    for key, default in _PLACE_DEFAULTS.items():
        if row.get(key) is None:
            row[key] = default
    return row


def add_survey(session: Session, *, municipality_code: str, kind: str, title: str, as_of: str | None,
               is_synthetic: bool, source_name: str, sha256: str, answers) -> int:
    """Store one survey file (``kind`` needs / helpers). ``answers`` has respondent_id, area_id and
    answer columns; NaN is stored as null. Returns the batch id."""

    batch = m.SurveyBatch(municipality_code=municipality_code, kind=kind, title=title, as_of=as_of,
                          is_synthetic=is_synthetic, source_name=source_name, sha256=sha256, n_respondents=len(answers))
    session.add(batch)
    session.flush()
    model = m.SurveyResponse if kind == "needs" else m.HelperResponse
    columns = [c for c in answers.columns if c not in ("respondent_id", "area_id")]
    rows = []
    for record in answers.to_dict("records"):
        values = {c: (None if record[c] is None or (isinstance(record[c], float) and math.isnan(record[c]))
                      else (int(record[c]) if float(record[c]).is_integer() else float(record[c]))) for c in columns}
        rows.append({"batch_id": batch.id, "respondent_id": record["respondent_id"], "area_id": record["area_id"],
                     "answers_json": json.dumps(values, separators=(",", ":"))})
    session.execute(model.__table__.insert(), rows)
    return batch.id
