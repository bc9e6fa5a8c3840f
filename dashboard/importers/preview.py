"""What an import would do, before it is done: new, changed (which fields) and unchanged places.

The comparison is the one :func:`dashboard.store.writes.upsert_places` makes — the same stored
values (:func:`~dashboard.store.writes.record_values`, town and area derived from the point by
:func:`~dashboard.store.writes.locate_points`) and the same field test
(:func:`~dashboard.store.writes.changed_fields`) — so the preview cannot disagree with the import.
Nothing is written: the preview only reads.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard.errors import InputError, Problem
from dashboard.store import models as m
from dashboard.store import writes
from dashboard.store.engine import read_session

PREVIEW_COLUMNS = ("id", "name", "status", "changed_fields")


def preview_changes(engine_or_session: Engine | Session, municipality_code: str, records: list[dict], *,
                    source_name: str = "取り込みファイル", prefecture_code: int | None = None,
                    fields: set[str] | None = None) -> pd.DataFrame:
    """One row per record: ``id, name, status, changed_fields``.

    ``status`` is ``new`` (id not in the store), ``changed`` or ``unchanged``; ``changed_fields``
    lists the stored fields that the import would overwrite (``[]`` for new and unchanged places;
    ``town_code``/``area_id`` appear when a moved point changes town or area).
    ``records`` are validated records (:func:`dashboard.importers.places.validate`).
    ``prefecture_code`` defaults to the first two digits of ``municipality_code``. ``fields``: the
    columns the file had — only those can change a stored place (:func:`writes.fields_to_update`).

    Raises :class:`InputError` exactly where the import would: a point outside the municipality,
    or an id used by another municipality's place.
    """
    if isinstance(engine_or_session, Session):
        return _preview(engine_or_session, municipality_code, records, source_name, prefecture_code, fields)
    with read_session(engine_or_session) as session:
        return _preview(session, municipality_code, records, source_name, prefecture_code, fields)


def _preview(session: Session, code: str, records: list[dict], source_name: str,
             prefecture_code: int | None, fields: set[str] | None) -> pd.DataFrame:
    if not records:
        return pd.DataFrame(columns=list(PREVIEW_COLUMNS))
    town_codes, area_ids = writes.locate_points(session, code, [r["lat"] for r in records], [r["lon"] for r in records],
                                                prefecture_code or int(code[:2]), name=source_name)
    rows = []
    for record, town_code, area_id in zip(records, town_codes, area_ids):
        values = writes.record_values(record, town_code=town_code, area_id=area_id)
        place = session.get(m.Place, record["id"])
        if place is None:
            status, changed = "new", []
        elif place.municipality_code != code:
            raise InputError([Problem(source_name, f"ID「{record['id']}」は別の市町村の資源で使われています", "id in use")])
        else:
            changed = writes.changed_fields(place, writes.fields_to_update(values, fields))
            status = "changed" if changed else "unchanged"
        rows.append((record["id"], record.get("name"), status, changed))
    return pd.DataFrame(rows, columns=list(PREVIEW_COLUMNS))
