"""The UI's boundary to the store: one engine per URL, cached reads keyed by the store revision.

``st.cache_data`` cannot hash GeoDataFrames and samples large frames, so every cached function
takes only primitives (URL, municipality code, revision); any write bumps the revision and so
invalidates every cached read at once.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from dashboard.settings import database_url
from dashboard.store import reads
from dashboard.store.engine import open_store, revision


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return open_store(url)


def engine() -> Engine:
    """The store engine for ``$DATABASE_URL`` (default ``var/tsudoi.sqlite``), migrated to head."""
    return _engine(database_url())


def current_revision() -> int:
    return revision(engine())


@st.cache_data(show_spinner=False)
def _read(url: str, what: str, code: str | None, rev: int, internal: bool = False):
    store = _engine(url)
    if what == "places":
        return reads.places(store, code, internal=internal)
    if what == "municipalities":
        return reads.municipalities(store)
    if what == "meta":
        return reads.meta(store, code)
    if what == "counts":
        return reads.counts(store)
    return getattr(reads, what)(store, code)


def read(what: str, code: str | None = None, *, internal: bool = False):
    """A cached read: ``areas``, ``towns``, ``population_cells``, ``candidate_venues``, ``places``,
    ``municipalities``, ``meta`` (store facts, with a code also the city's), ``counts``
    (see :mod:`dashboard.store.reads`)."""
    return _read(database_url(), what, code, current_revision(), internal)


@st.cache_data(show_spinner=False)
def _units(url: str, code: str, rev: int):
    from dashboard.coverage import build_units

    store = _engine(url)
    return build_units(reads.areas(store, code), reads.population_cells(store, code), reads.towns(store, code),
                       int(code[:2]))


def population_units(code: str):
    """Population units for coverage (mesh pieces per area), cached per store revision."""
    return _units(database_url(), code, current_revision())


@st.cache_data(show_spinner=False)
def _survey_table(url: str, code: str, rev: int, batch_id: int, profile: str, min_n: int):
    from dashboard.survey.scoring import load_profile
    from dashboard.survey.service import needs_table

    store = _engine(url)
    areas = reads.areas(store, code)["area_id"].tolist()
    return needs_table(reads.survey_answers(store, batch_id), load_profile(profile), areas, min_n)


def survey_table(code: str, batch_id: int, profile: str, min_n: int):
    """Suppressed needs-survey figures (never respondent rows), cached per store revision."""
    return _survey_table(database_url(), code, current_revision(), batch_id, profile, min_n)


@st.cache_data(show_spinner=False)
def _helpers_table(url: str, code: str, rev: int, batch_id: int, min_n: int):
    from dashboard.survey.service import helpers_table

    store = _engine(url)
    areas = reads.areas(store, code)["area_id"].tolist()
    return helpers_table(reads.survey_answers(store, batch_id), areas, min_n=min_n)


def helpers_survey_table(code: str, batch_id: int, min_n: int):
    """Suppressed needs ↔ helpers table per area and item, cached per store revision."""
    return _helpers_table(database_url(), code, current_revision(), batch_id, min_n)


@st.cache_data(show_spinner=False)
def _batches(url: str, code: str, rev: int, kind: str):
    return reads.survey_batches(_engine(url), code, kind)


def survey_batches(code: str, kind: str):
    return _batches(database_url(), code, current_revision(), kind)


@st.cache_data(show_spinner=False)
def _changes(url: str, code: str, rev: int, start, end, user: str | None):
    from dashboard.services.audit import city_changes

    return city_changes(_engine(url), code, start=start, end=end, user=user)


def city_changes(code: str, start, end, user: str | None):
    """The city's change log (see :func:`dashboard.services.audit.city_changes`), cached per store
    revision and filter (dates and a user name: primitives)."""
    return _changes(database_url(), code, current_revision(), start, end, user)


@st.cache_data(show_spinner=False)
def _change_authors(url: str, code: str, rev: int):
    from dashboard.services.audit import change_authors

    return change_authors(_engine(url), code)


def change_authors(code: str) -> list[str]:
    return _change_authors(database_url(), code, current_revision())


@st.cache_data(show_spinner=False)
def _prefecture(url: str, rev: int, prefecture_code: int, internal_codes: tuple[str, ...] | None):
    from dashboard.services.prefecture import overview

    return overview(_engine(url), prefecture_code, internal_codes=internal_codes)


def prefecture_overview(prefecture_code: int, internal_codes: tuple[str, ...] | None):
    """Every municipality of the prefecture side by side (:func:`dashboard.services.prefecture.overview`),
    cached per store revision and per set of cities whose internal places may count (None = all)."""
    return _prefecture(database_url(), current_revision(), prefecture_code, internal_codes)
