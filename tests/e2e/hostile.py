"""Places whose texts try to break out of HTML and JS (folium puts strings in template literals)."""

from __future__ import annotations

from pathlib import Path

from dashboard.importers.places import validate
from dashboard.store import writes
from dashboard.store.engine import open_store, write_session

import pandas as pd

HOSTILE_NAME = '<img src=x onerror=alert("xss-name")>`${alert("xss-tpl")}`'
HOSTILE_ADDRESS = '</script><script>alert("xss-address")</script>'


def hostile_rows() -> pd.DataFrame:
    return pd.DataFrame([{
        "id": "hostile-1", "name": HOSTILE_NAME, "category": "サロン", "visibility": "public",
        "address": HOSTILE_ADDRESS, "lat": "35.8250", "lon": "139.6800", "rrule": "FREQ=WEEKLY;BYDAY=WE",
        # the hostile part is a remark after the rule's words (words naming other days are refused)
        "schedule_text": '毎週水曜 "><svg onload=alert("xss-schedule")>', "contact_public": "=HYPERLINK(\"http://x\")",
    }])


def add_hostile_places(db_path: Path) -> None:
    engine = open_store(f"sqlite:///{db_path}")
    records = validate(hostile_rows(), "hostile.csv")
    with write_session(engine) as session:
        batch = writes.add_batch(session, "places", "hostile.csv", "-", len(records))
        writes.upsert_places(session, records, municipality_code="11223", prefecture_code=11, batch_id=batch,
                             source_name="hostile.csv")
    engine.dispose()
