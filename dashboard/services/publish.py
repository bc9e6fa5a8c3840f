"""Publishing (``python -m dashboard publish``): a fresh store holding only what residents may see.

The published copy is a new SQLite file with the same schema (created by our Alembic migrations), into
which rows are copied **by allow-list**: named tables, named columns, filtered rows. Whatever is not
named here — a table or column added later included — stays behind on the LGWAN side. What it holds:

========================  =====================================================================
municipalities            code, name, prefecture, outline (``boundary_source`` is left out: for a
                          city's own file it is a file name)
municipality_meta         :func:`public_city_facts`: sources (→ attribution), as-of dates, what is
                          synthetic; import file names (``*_source``, in ``facilities_as_of``) are left out
areas, towns              names, geometry and aggregate population (census and estimates by 町丁目
                          and 圏域 — published statistics, as on the public map today)
places                    :func:`published_places`: ``visibility = public`` and not closed,
                          only :data:`dashboard.store.reads.PUBLIC_PLACE_FIELDS`; ``contact_internal``
                          and ``notes`` are NULL, ``version`` starts again at 1
meta                      ``store_kind = published``, ``published_at``, ``revision``
========================  =====================================================================

Left out on purpose: closed places (a resident who goes there finds nobody). Paused places stay, with
their status 休止中, as in the one-file map and the guidebook (:mod:`dashboard.public_places`); the
public map page decides whether to show them (today it shows active places only). Candidate venues
(public buildings, but the list is the coordinators' planning of where a salon could open, and no
public page shows it), population mesh cells (only the coverage page uses them), and every row of
:data:`dashboard.public_mode.INTERNAL_TABLES` — users, logins, the cookie signing key, surveys, the
audit log, snapshots, saved mappings, import batches.

The copy is written to a temporary file next to the target, compacted (``VACUUM``, so no freed page
keeps an old value) in rollback-journal mode (one file, no ``-wal``), checked with
:func:`dashboard.public_mode.problems` and only then moved into place, so a failed run leaves the
previous copy as it was.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update

from dashboard import public_mode
from dashboard.errors import InputError, Problem
from dashboard.store import models as m
from dashboard.store import reads
from dashboard.store.engine import open_store, read_session, write_session

#: City facts a resident may see (footer, about, sidebar): attribution and as-of dates.
PUBLIC_CITY_FACTS = ("sources", "population_note", "boundary_as_of", "population_as_of", "facilities_as_of",
                     "demo", "synthetic", "towns_kind", "population_kind")
#: Words of the fact ``synthetic`` about data a published copy does not hold (「ニーズ調査」): dropped.
_NOT_PUBLISHED_SYNTHETIC = ("調査",)
#: An import records its file in ``facilities_as_of``: 「2026-04-01 取り込み（サロン一覧_作業用.xlsx）」.
_IMPORTED_FILE = re.compile(r"取り込み（.*）$", re.DOTALL)
#: Columns copied per table (``municipality_code`` ties rows to their city). Places: see
#: :func:`published_places`.
MUNICIPALITY_COLUMNS = ("code", "name", "prefecture", "boundary")
AREA_COLUMNS = ("id", "municipality_code", "name", "sort_order", "is_demo", "geometry", "pop_total", "pop65",
                "pop75", "pop85")
TOWN_COLUMNS = ("code", "municipality_code", "name", "oaza", "area_id", "pop_2015", "households_2015",
                "est_pop_total", "est_pop65", "est_pop75", "est_pop85", "rep_lat", "rep_lon", "geometry_kind",
                "geometry")
#: Where ``publish`` writes by default and what it names the file (the public site reads them too).
DEFAULT_PUBLISH_DIR, PUBLISHED_FILE_NAME = public_mode.DEFAULT_PUBLISH_DIR, public_mode.PUBLISHED_FILE_NAME
#: Statuses of the places that are published: all but closed (終了).
PUBLISHED_STATUSES = ("active", "paused")


@dataclass
class PublishReport:
    """What :func:`publish` wrote: the file, when, and per city how many rows of each kind."""

    path: Path
    published_at: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # code → {"places": n, …}
    left_out: dict[str, dict[str, int]] = field(default_factory=dict)  # code → {"internal": n, "closed": n}


def published_places(engine: Engine, code: str) -> pd.DataFrame:
    """The places of city ``code`` that are published, with only the public fields (the columns of
    :data:`~dashboard.store.reads.PUBLIC_PLACE_FIELDS`, as ``reads.places(…, internal=False)``):
    ``visibility = public`` and status in :data:`PUBLISHED_STATUSES`. The published copy and the
    open data both come from here, so they always hold the same places."""
    return pd.DataFrame(_published_place_rows(engine, code), columns=list(reads.PUBLIC_PLACE_FIELDS))


def public_city_facts(engine: Engine, code: str) -> dict[str, str]:
    """The facts of city ``code`` a resident may see: :data:`PUBLIC_CITY_FACTS` only, and the date of
    a places import without the name of its file (the office's file names stay in the office)."""
    with read_session(engine) as session:
        rows = session.execute(select(m.MunicipalityMeta.key, m.MunicipalityMeta.value)
                               .where(m.MunicipalityMeta.municipality_code == code,
                                      m.MunicipalityMeta.key.in_(PUBLIC_CITY_FACTS))).all()
    facts = {key: _IMPORTED_FILE.sub("取り込み", value) for key, value in sorted(rows)}
    if "synthetic" in facts:  # no survey is published, so the public pages must not speak of one
        facts["synthetic"] = "、".join(s for s in facts["synthetic"].split("、") if not any(
            word in s for word in _NOT_PUBLISHED_SYNTHETIC))
    return facts


def _published_place_rows(engine: Engine, code: str) -> list[tuple]:
    stmt = (select(*(getattr(m.Place, c) for c in reads.PUBLIC_PLACE_FIELDS))
            .where(m.Place.municipality_code == code, m.Place.visibility == "public",
                   m.Place.status.in_(PUBLISHED_STATUSES))
            .order_by(m.Place.id))
    with read_session(engine) as session:
        return [tuple(row) for row in session.execute(stmt).all()]


def publish(engine: Engine, out_dir: Path, codes: list[str] | None = None) -> PublishReport:
    """Write the published copy of cities ``codes`` (default: every city of the store) to
    ``out_dir / tsudoi-public.sqlite``, replacing an earlier copy only when the new one is complete."""
    codes = list(codes) if codes else reads.municipalities(engine)["code"].tolist()
    if not codes:
        raise InputError([Problem("store", "ストアに市町村がありません。公開するものがありません",
                                  "nothing to publish: the store holds no municipality")])
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / PUBLISHED_FILE_NAME
    handle, temporary = tempfile.mkstemp(prefix=".publishing-", suffix=".sqlite", dir=out_dir)
    os.close(handle)
    temporary = Path(temporary)
    try:
        temporary.unlink()  # the migrations create the file themselves
        report = PublishReport(target, datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"))
        _write_copy(engine, temporary, codes, report)
        _compact(temporary)
        found = public_mode.problems(temporary)
        if found:  # a bug of ours, never the user's data: refuse rather than publish it
            raise RuntimeError("公開用のコピーの検査に失敗しました: " + " / ".join(found))
        os.replace(temporary, target)
    finally:
        for leftover in (temporary, *(Path(f"{temporary}{s}") for s in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)
    return report


def _write_copy(source: Engine, path: Path, codes: list[str], report: PublishReport) -> None:
    copy = open_store(f"sqlite:///{path}")  # same schema, migrated by our Alembic
    try:
        with write_session(copy) as session:
            for code in codes:
                report.counts[code] = _copy_city(source, session, code)
                report.left_out[code] = _left_out(source, code, report.counts[code]["places"])
            session.execute(m.AppSecret.__table__.delete())  # the migration's fresh key: the public site has no logins
            session.merge(m.Meta(key=public_mode.STORE_KIND_KEY, value=public_mode.PUBLISHED))
            session.merge(m.Meta(key=public_mode.PUBLISHED_AT_KEY, value=report.published_at))
            demo = reads.meta(source).get("demo")
            if demo:
                session.merge(m.Meta(key="demo", value=demo))
        # Caches of a public server are keyed on the revision: make every copy's revision new
        # (publication time in seconds), so a new copy never meets the cached pages of an older one.
        with copy.begin() as connection:
            connection.execute(update(m.Meta).where(m.Meta.key == "revision").values(value=str(int(time.time()))))
    finally:
        copy.dispose()


def _copy_city(source: Engine, session, code: str) -> dict[str, int]:
    counts = {}
    for model, columns, key in ((m.Municipality, MUNICIPALITY_COLUMNS, m.Municipality.code == code),
                                (m.Area, AREA_COLUMNS, m.Area.municipality_code == code),
                                (m.Town, TOWN_COLUMNS, m.Town.municipality_code == code)):
        rows = _rows(source, model, columns, key)
        if rows:
            session.execute(insert(model), rows)
        counts[model.__tablename__] = len(rows)
    facts = [{"municipality_code": code, "key": k, "value": v} for k, v in public_city_facts(source, code).items()]
    if facts:
        session.execute(insert(m.MunicipalityMeta), facts)
    places = [{**dict(zip(reads.PUBLIC_PLACE_FIELDS, row)), "municipality_code": code, "visibility": "public"}
              for row in _published_place_rows(source, code)]
    if places:
        session.execute(insert(m.Place), places)
    counts["places"] = len(places)
    return counts


def _rows(source: Engine, model, columns: tuple[str, ...], where) -> list[dict]:
    with read_session(source) as session:
        result = session.execute(select(*(getattr(model, c) for c in columns)).where(where)).all()
    return [dict(zip(columns, row)) for row in result]


def _left_out(source: Engine, code: str, published: int) -> dict[str, int]:
    """Places not published: ``internal`` (visibility) and ``closed`` (public but closed)."""
    with read_session(source) as session:
        rows = session.execute(select(m.Place.visibility, func.count()).where(m.Place.municipality_code == code)
                               .group_by(m.Place.visibility)).all()
    by_visibility = dict(rows)
    internal = sum(n for v, n in by_visibility.items() if v != "public")
    return {"internal": internal, "closed": by_visibility.get("public", 0) - published}


def _compact(path: Path) -> None:
    """One self-contained file: rollback journal instead of WAL, free pages dropped."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("VACUUM")
    finally:
        connection.close()
