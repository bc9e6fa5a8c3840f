"""Saved what-if scenarios (仮定): one city fact per scenario, ``scenario:<name>`` → its JSON.

Kept in ``municipality_meta`` (no table of their own): the publish allow-list
(``services.publish.PUBLIC_CITY_FACTS``) never copies them, so a planning assumption never reaches
the residents' site. Every write is one transaction and bumps the store revision.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from dashboard.errors import InputError, Problem
from dashboard.scenario import MAX_NAME, Scenario, from_json
from dashboard.services.common import municipality, set_city_meta
from dashboard.store import models as m
from dashboard.store.engine import read_session, write_session

PREFIX = "scenario:"


def clean_name(name: str) -> str:
    """A scenario name as stored: trimmed, spaces folded, at most :data:`MAX_NAME` characters."""
    text = re.sub(r"\s+", " ", str(name or "")).strip()
    if not text:
        raise InputError([Problem("scenario", "シナリオの名前を入れてください", "empty name")])
    if len(text) > MAX_NAME:
        raise InputError([Problem("scenario", f"シナリオの名前は{MAX_NAME}文字までにしてください", "name too long")])
    return text


def save(engine: Engine, code: str, scenario: Scenario) -> Scenario:
    """Store ``scenario`` under its name (replacing one of the same name); returns what was stored."""
    stored = scenario.with_changes(name=clean_name(scenario.name))
    with write_session(engine) as session:
        municipality(session, code)
        set_city_meta(session, code, PREFIX + stored.name, stored.to_json())
    return stored


def names(engine: Engine, code: str) -> list[str]:
    """Saved scenario names of the city, alphabetical."""
    with read_session(engine) as session:
        keys = session.scalars(select(m.MunicipalityMeta.key).where(
            m.MunicipalityMeta.municipality_code == code, m.MunicipalityMeta.key.startswith(PREFIX))).all()
    return sorted(k[len(PREFIX):] for k in keys)


def load(engine: Engine, code: str, name: str) -> Scenario:
    with read_session(engine) as session:
        value = session.scalar(select(m.MunicipalityMeta.value).where(
            m.MunicipalityMeta.municipality_code == code, m.MunicipalityMeta.key == PREFIX + name))
    if value is None:
        raise InputError([Problem("scenario", f"シナリオ「{name}」は保存されていません", "no such scenario")])
    return from_json(value, source=f"シナリオ「{name}」")


def load_all(engine: Engine, code: str) -> list[Scenario]:
    return [load(engine, code, name) for name in names(engine, code)]


def remove(engine: Engine, code: str, name: str) -> None:
    with write_session(engine) as session:
        session.execute(delete(m.MunicipalityMeta).where(m.MunicipalityMeta.municipality_code == code,
                                                         m.MunicipalityMeta.key == PREFIX + name))


# --- running against the store (CLI, karte, council) ----------------------------------------------

def units_for(engine: Engine, code: str, years: int):
    """Population units of today (``years`` 0) or of the 推計 ``years`` ahead."""
    from dashboard import coverage, projection
    from dashboard.store import reads

    areas, cells, towns = reads.areas(engine, code), reads.population_cells(engine, code), reads.towns(engine, code)
    if years == 0:
        return coverage.build_units(areas, cells, towns, int(code[:2]))
    return projection.future_units(areas, cells, towns, reads.meta(engine, code), code, years)[0]


def run(engine: Engine, code: str, scenario: Scenario, *, source: str = "scenario"):
    """Coverage of the city under ``scenario`` (its places checked first: unknown ids → InputError)."""
    from dashboard import scenario as what_if
    from dashboard.store import reads

    places = reads.places(engine, code, internal=True)
    what_if.check_places(scenario, places, source)
    return what_if.run(reads.areas(engine, code), units_for(engine, code, scenario.years), places, scenario,
                       int(code[:2]))


def critical(engine: Engine, code: str, query):
    """Unique coverage of every counted place (:func:`dashboard.fragility.analyse`) for ``query``."""
    from dashboard import coverage, fragility
    from dashboard.store import reads

    areas = reads.areas(engine, code)
    result = coverage.compute(areas, units_for(engine, code, 0), reads.places(engine, code, internal=True), query,
                              int(code[:2]))
    return fragility.analyse(result, int(code[:2]))


# --- what the command line prints and writes ---------------------------------------------------------

def query_of(distance_m: int, frequency: str, categories) -> "object":
    """A :class:`dashboard.coverage.CoverageQuery`; ValueError (with the allowed values) when wrong."""
    from dashboard import coverage

    return coverage.CoverageQuery(distance_m=distance_m, frequency=frequency,
                                  categories=tuple(categories) if categories else coverage.CoverageQuery().categories)


def critical_report(engine: Engine, code: str, query) -> tuple[bytes, dict, list[dict]]:
    """``scenario critical``: the CSV (:data:`dashboard.fragility.CRITICAL_COLUMNS`), the city's reliance
    figures and the top three rows."""
    from dashboard import exports, fragility

    result = critical(engine, code, query)
    table = fragility.critical_table(result)
    city = result.reliance.set_index("area_id").loc["ALL"].to_dict()
    return exports.csv_bytes(table), city, table.head(3).to_dict("records")


def run_report(engine: Engine, code: str, text: str, source: str) -> tuple[bytes, Scenario, dict]:
    """``scenario run``: the coverage CSV (the ``coverage`` command's columns) of the scenario JSON
    ``text``, the scenario and its city summary."""
    from dashboard import coverage, exports
    from dashboard import scenario as what_if

    scenario = from_json(text, source=source)
    result = run(engine, code, scenario, source=source)
    return exports.csv_bytes(result.table[coverage.REQUIRED_COLUMNS]), scenario, what_if.summary(result)
