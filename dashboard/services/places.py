"""Importing places (``import places FILE`` and the data page's wizard): read and check, preview, and
one all-or-nothing transaction that records the file's hash and who imported it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd
from sqlalchemy import Engine

from dashboard.importers.places import ParsedPlaces, read_places_file
from dashboard.importers.preview import preview_changes
from dashboard.importers.tables import sha256_of
from dashboard.services.common import StepReport, add_source, set_city_meta
from dashboard.store import reads, writes
from dashboard.store.engine import write_session

@dataclass
class PlacesFile:
    """A read and checked places file, ready to preview or import."""

    path: Path
    name: str
    parsed: ParsedPlaces
    sha256: str


def read(engine: Engine, code: str, path: Path, *, display_name: str | None = None, category: str | None = None,
         visibility: str = "internal", mapping: dict | None = None, **options) -> PlacesFile:
    """Read and validate; raises InputError (file, row, column) and writes nothing.

    ``options`` go to :func:`dashboard.importers.places.read_places_file` (e.g. the header row the
    user picked in the wizard)."""
    city = reads.municipalities(engine).set_index("code").at[code, "name"]
    towns = reads.towns(engine, code)
    if _is_mhlw_json(Path(path)):  # 介護サービス情報公表 records reshaped as JSON (as in data/*/raw)
        from dashboard.importers.mhlw import read_kaigo_json
        from dashboard.importers.places import validate

        rows = read_kaigo_json(Path(path))
        records = validate(rows.fillna(""), display_name or Path(path).name, default_visibility="public",
                           towns=towns, city=city)
        parsed = ParsedPlaces(records=records, encoding="utf-8", fields=set(rows.columns))
    else:
        parsed = read_places_file(Path(path), default_category=category, default_visibility=visibility,
                                  towns=towns, city=city, mapping=mapping, **options)
    return PlacesFile(Path(path), display_name or Path(path).name, parsed, sha256_of(Path(path)))


def _is_mhlw_json(path: Path) -> bool:
    if path.suffix.lower() != ".json":
        return False
    head = path.read_bytes()[:4000].decode("utf-8-sig", errors="ignore").lstrip()
    return head.startswith("[") and '"serviceType"' in head


def preview(engine: Engine, code: str, places: PlacesFile) -> pd.DataFrame:
    """``id, name, status (new/changed/unchanged), changed_fields`` — what :func:`commit` would do."""
    return preview_changes(engine, code, places.parsed.records, source_name=places.name, fields=places.parsed.fields)


def commit(engine: Engine, code: str, places: PlacesFile, *, user: str | None = None,
           progress: Callable[[float], None] | None = None) -> StepReport:
    """Write every record in one transaction (any error: nothing written). ``user`` is recorded as
    the importer (audit log ``<user>（取り込み：<file>）``; the CLI leaves it None → ``import:<file>``)."""
    records = places.parsed.records
    changed_by = f"{user}（取り込み：{places.name}）" if user else None
    with write_session(engine) as session:
        batch = writes.add_batch(session, "places", places.name, places.sha256, len(records), places.parsed.encoding,
                                 created_by=user)
        # written in chunks (writes.CHUNK) so that the progress bar advances; one transaction still
        totals = writes.upsert_places(session, records, municipality_code=code, prefecture_code=int(code[:2]),
                                      batch_id=batch, source_name=places.name, changed_by=changed_by,
                                      fields=places.parsed.fields, progress=progress)
        sources = {str(r.get("source") or "") for r in records}
        if any("介護サービス情報公表" in s for s in sources):
            add_source(session, code, "mhlw")
        if any("避難所" in s for s in sources):
            add_source(session, code, "gsi")
        # the date only: file names are internal (residents see this line)
        set_city_meta(session, code, "facilities_as_of", f"{date.today().isoformat()} 取り込み")
    return StepReport("places", dict(totals))
