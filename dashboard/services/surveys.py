"""Storing a needs survey or a needs ↔ helpers survey file (``survey import`` and the data page):
one transaction that writes the respondents, the file's hash, who imported it and, on request, the
column mapping under a name."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from dashboard.importers.tables import sha256_of
from dashboard.store import models as m
from dashboard.store import writes
from dashboard.store.engine import write_session


def store_survey(engine: Engine, code: str, path: Path, survey, *, kind: str, title: str, as_of: str | None,
                 is_synthetic: bool = False, user: str | None = None, display_name: str | None = None,
                 mapping: dict | None = None, save_mapping: str | None = None) -> int:
    """Write a read survey (:func:`dashboard.survey.io.read_survey` / ``read_helpers``); returns its id."""
    name = display_name or Path(path).name
    digest = sha256_of(Path(path))
    with write_session(engine) as session:
        batch = writes.add_survey(session, municipality_code=code, kind=kind, title=title, as_of=as_of,
                                  is_synthetic=is_synthetic, source_name=name, sha256=digest, answers=survey.answers)
        writes.add_batch(session, f"survey_{kind}", name, digest, len(survey.answers), survey.encoding, created_by=user)
        if save_mapping and mapping:
            session.merge(m.SavedMapping(kind=kind, name=save_mapping, mapping_json=json.dumps(mapping, ensure_ascii=False)))
    return batch
