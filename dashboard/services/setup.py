"""「まちの設定」: which setup steps a city has done, and what each page still lacks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from dashboard import vocab
from dashboard.services.common import city_meta
from dashboard.store import models as m
from dashboard.store.engine import read_session


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool
    detail: str
    command: str | None  # the CLI command that does it (the page shows its own form)
    optional: bool = False


def _count(session, model, code, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(model.municipality_code == code, *where)) or 0


def facts(engine: Engine, code: str) -> dict:
    """Counts and per-city facts the checklist and the page gaps are made of."""
    with read_session(engine) as session:
        city = session.get(m.Municipality, code)
        meta = city_meta(session, code)
        result = {
            "name": city.name if city else code, "boundary": bool(city and city.boundary is not None), "meta": meta,
            "towns": _count(session, m.Town, code),
            "towns_with_population": _count(session, m.Town, code, m.Town.est_pop65.is_not(None)),
            "cells": _count(session, m.PopulationCell, code),
            "areas": _count(session, m.Area, code),
            "provisional_areas": _count(session, m.Area, code, m.Area.is_demo.is_(True)),
            "venues": _count(session, m.CandidateVenue, code),
            "places": _count(session, m.Place, code),
            "gathering": _count(session, m.Place, code, m.Place.category.in_(vocab.GATHERING_CATEGORIES),
                                m.Place.status == "active"),
            "surveys": _count(session, m.SurveyBatch, code),
            "pop65": session.scalar(select(func.sum(m.Town.est_pop65)).where(m.Town.municipality_code == code)) or 0.0,
        }
    return result


def checklist(engine: Engine, code: str) -> list[Step]:
    f = facts(engine, code)
    meta = f["meta"]
    option = f" --municipality {code}"
    point = meta.get("towns_kind") == "point"
    return [
        Step("boundary", "市町村の境界", f["boundary"], meta.get("boundary_source", "未登録"),
             f"python -m dashboard municipality add {code} --name 市町村名 [--boundary N03.zip]"),
        Step("towns", "町丁目", f["towns"] > 0,
             f"{f['towns']} 件（{'代表点のみ' if point else '境界あり'}）" if f["towns"] else "未登録",
             f"python -m dashboard import towns FILE{option}"),
        Step("population", "人口（65歳以上・75歳以上）", f["towns_with_population"] > 0,
             (f"65歳以上 {f['pop65']:,.0f} 人（{meta.get('population_as_of', '時点不明')}）"
              if f["towns_with_population"] else "未登録"),
             f"python -m dashboard import population FILE [--as-of YYYY-MM-DD]{option}"),
        Step("areas", "日常生活圏域", f["areas"] > 0,
             (f"{f['areas']} 圏域" + ("（デモ用の仮の圏域）" if f["provisional_areas"] else "")) if f["areas"] else "未登録",
             f"python -m dashboard import areas FILE{option}"),
        Step("venues", "候補会場（次のサロンの候補）", f["venues"] > 0, f"{f['venues']} 件" if f["venues"] else "未登録",
             f"python -m dashboard import venues FILE{option}"),
        Step("places", "社会資源（サロン・通いの場など）", f["places"] > 0,
             f"{f['places']} 件（うち活動中の集いの場 {f['gathering']} 件）" if f["places"] else "未登録",
             f"python -m dashboard import places FILE{option}"),
        Step("survey", "ニーズ調査", f["surveys"] > 0, f"{f['surveys']} 件" if f["surveys"] else "未登録（任意）",
             f"python -m dashboard survey import FILE{option}", optional=True),
    ]


def page_gaps(engine: Engine, code: str) -> dict[str, list[str]]:
    """Page → what it still lacks for this city (empty list: the page works)."""
    f = facts(engine, code)
    lacks = {
        "towns": "町丁目" if not f["towns"] else None,
        "population": "人口" if not f["towns_with_population"] else None,
        "areas": "日常生活圏域" if not f["areas"] else None,
        "places": "集いの場（サロン・通いの場など）" if not f["gathering"] else None,
        "venues": "候補会場" if not f["venues"] else None,
        "survey": "ニーズ調査" if not f["surveys"] else None,
    }

    def need(*keys):
        return [lacks[k] for k in keys if lacks[k]]

    return {
        "資源マップ": need("towns") + (["資源"] if not f["places"] else []),
        "圏域カバー状況": need("towns", "population", "areas", "places"),
        "次のサロン候補": need("population", "areas", "venues"),
        "ニーズ調査": need("areas", "survey"),
        "会議モード・地域カルテ": need("population", "areas"),
    }
