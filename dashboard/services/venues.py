"""Step 5 of setting up a city: candidate venues where a new salon could open (``import venues FILE``).

From the 国土地理院 指定緊急避難場所・指定避難所 GeoJSON (national format; 公民館 and meeting or welfare
halls are kept, schools, parks and care homes are not) or from any places file (our template, 自治体標準
オープンデータセット, English keys …) whose rows are all candidates. The city's candidate list is replaced.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from dashboard.errors import InputError, Problem
from dashboard.importers import gsi
from dashboard.importers.tables import sha256_of
from dashboard.services.common import StepReport, add_source, municipality, set_city_meta, towns_frame
from dashboard.store import models as m
from dashboard.store import writes
from dashboard.store.engine import write_session


def is_gsi_shelters(path: Path) -> bool:
    if Path(path).suffix.lower() not in (".json", ".geojson"):
        return False
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    features = data.get("features") if isinstance(data, dict) else None
    return bool(features) and "施設・場所名" in ((features[0] or {}).get("properties") or {})


def read_venues(session: Session, code: str, paths: list[Path], names: list[str]) -> tuple[pd.DataFrame, str]:
    """``id, name, kind, address, lat, lon, source, source_id`` and the source key (``gsi`` or a file name)."""
    if all(is_gsi_shelters(p) for p in paths):
        shelters = gsi.read_shelters(list(paths))
        venues = shelters[shelters["kind"].isin(gsi.VENUE_KINDS)].reset_index(drop=True)
        frame = pd.DataFrame({"id": "gsi-" + venues["source_id"], "name": venues["name"], "kind": venues["kind"],
                              "address": venues["address"], "lat": venues["lat"], "lon": venues["lon"],
                              "source": gsi.SOURCE, "source_id": venues["source_id"]})
        return frame, "gsi"
    if len(paths) != 1:
        raise InputError([Problem("、".join(names), "避難所データ以外は1ファイルずつ取り込んでください", "one places file at a time")])
    from dashboard.importers.places import read_places_file

    city = municipality(session, code)
    parsed = read_places_file(paths[0], default_category="公民館・集会所", default_visibility="internal",
                              towns=towns_frame(session, code), city=city.name)
    records = parsed.records
    frame = pd.DataFrame({"id": [f"venue-{code}-{r['id']}" for r in records], "name": [r["name"] for r in records],
                          "kind": [r.get("venue_type") or r.get("category") for r in records],
                          "address": [r.get("address") for r in records], "lat": [r["lat"] for r in records],
                          "lon": [r["lon"] for r in records], "source": names[0],
                          "source_id": [str(r["id"]) for r in records]})
    return frame, f"{city.name}提供の施設一覧"  # not the file name: sources are shown to residents


def apply_venues(session: Session, code: str, paths: list[Path], *, names: list[str] | None = None) -> StepReport:
    names = names or [Path(p).name for p in paths]
    municipality(session, code)
    if towns_frame(session, code).empty:
        raise InputError([Problem(names[0], "先に町丁目を取り込んでください（import towns）", "no towns yet")])
    venues, source = read_venues(session, code, [Path(p) for p in paths], names)
    if venues.empty:
        raise InputError([Problem("、".join(names), "候補会場になる施設（公民館・集会所・会館など）がありません", "no venues")])
    duplicated = venues["id"].duplicated()
    venues = venues[~duplicated]
    _, areas = writes.locate_points(session, code, venues["lat"].astype(float), venues["lon"].astype(float),
                                    int(code[:2]), name="、".join(names))
    session.execute(delete(m.CandidateVenue).where(m.CandidateVenue.municipality_code == code))
    session.flush()
    for row, area_id in zip(venues.itertuples(), areas):
        session.add(m.CandidateVenue(id=row.id, municipality_code=code, name=row.name, kind=row.kind, address=row.address,
                                     lat=float(row.lat), lon=float(row.lon), area_id=area_id, source=row.source,
                                     source_id=row.source_id))
    for path, name in zip(paths, names):
        session.add(m.ImportBatch(kind="venues", source_name=name, sha256=sha256_of(Path(path)), row_count=len(venues)))
    add_source(session, code, source)
    set_city_meta(session, code, "venues_source", "、".join(names))
    return StepReport("venues", {"venues": len(venues)},
                      [f"候補会場 {len(venues)} 件（{'・'.join(sorted(set(venues['kind'].dropna())))}）"])


def import_venues(engine: Engine, code: str, paths: list[Path], **options) -> StepReport:
    """``import venues FILE [FILE …]`` in one transaction."""
    with write_session(engine) as session:
        return apply_venues(session, code, paths, **options)
