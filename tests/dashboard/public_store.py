"""A demo store with places planted to test what residents' artefacts (one-file map, guidebook) show.

* a hostile public place whose texts try to break out of HTML, JS template literals and PDF markup;
* an internal place and internal fields on a public place, each holding a unique SECRET token that
  must appear in no published byte;
* a closed public place (a resident cannot go there: left out);
* two public 体操 places whose names are kana only (katakana, half-width katakana), for the
  kana-insensitive search.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

import pandas as pd

from dashboard.importers.places import validate
from dashboard.store import writes
from dashboard.store.engine import open_store, write_session

WARABI = "11223"
HOSTILE_NAME = '<img src=x onerror=alert("xss-name")>`${alert("xss-tpl")}`{x|y}'
HOSTILE_ADDRESS = '</script><script>alert("xss-address")</script><!--'
HOSTILE_SCHEDULE = '"><svg onload=alert("xss-schedule")>'
HOSTILE_FEE = "<b>無料</b>]]>&amp;"
#: Values that must never reach a published artefact.
SECRETS = ("SECRETNAME-INTERNAL-7731", "SECRET-CONTACT-9912", "SECRET-NOTE-4410", "SECRET-CONTACT-PUBROW-5521",
           "SECRET-NOTE-PUBROW-6630", "CLOSEDPLACE-8841")


def planted_rows() -> pd.DataFrame:
    base = {"lat": "35.8250", "lon": "139.6800", "rrule": "", "schedule_text": "", "contact_public": "",
            "contact_internal": "", "notes": "", "name_kana": "", "fee": "", "url": "", "status": "active",
            "address": "埼玉県蕨市中央1丁目"}
    rows = [
        {"id": "plant-hostile", "name": HOSTILE_NAME, "category": "サロン", "visibility": "public",
         "address": HOSTILE_ADDRESS, "schedule_text": HOSTILE_SCHEDULE,
         "fee": HOSTILE_FEE, "contact_public": '=HYPERLINK("http://x")', "url": "javascript:alert('xss-url')"},
        {"id": "plant-internal", "name": SECRETS[0], "category": "居場所", "visibility": "internal",
         "contact_internal": SECRETS[1], "notes": SECRETS[2], "lat": "35.8300", "lon": "139.6850"},
        {"id": "plant-kana-1", "name": "ひまわりタイソウクラブ", "name_kana": "ヒマワリタイソウクラブ",
         "category": "通いの場（体操）", "visibility": "public", "rrule": "FREQ=WEEKLY;BYDAY=TU",
         "schedule_text": "毎週火曜 10:00〜11:00", "contact_public": "048-000-1234",
         "contact_internal": SECRETS[3], "notes": SECRETS[4], "lat": "35.8260", "lon": "139.6820"},
        {"id": "plant-kana-2", "name": "ｹﾔｷ ﾀｲｿｳ会", "category": "通いの場（体操）", "visibility": "public",
         "rrule": "FREQ=WEEKLY;BYDAY=FR", "lat": "35.8240", "lon": "139.6860"},
        {"id": "plant-closed", "name": SECRETS[5], "category": "サロン", "visibility": "public", "status": "closed",
         "lat": "35.8270", "lon": "139.6830"},
    ]
    return pd.DataFrame([{**base, **row} for row in rows])


def plant(db_path: Path, code: str = WARABI) -> None:
    engine = open_store(f"sqlite:///{db_path}")
    records = validate(planted_rows(), "planted.csv")
    with write_session(engine) as session:
        batch = writes.add_batch(session, "places", "planted.csv", "-", len(records))
        writes.upsert_places(session, records, municipality_code=code, prefecture_code=int(code[:2]), batch_id=batch,
                             source_name="planted.csv")
    engine.dispose()


# --- independent oracles (plain sqlite3, no dashboard code) ---------------------------------------

def public_rows(db_path: Path, code: str = WARABI) -> list[dict]:
    """Public, not closed places of the city, straight from the table."""
    with sqlite3.connect(db_path) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM places WHERE municipality_code = ? AND visibility = 'public' "
                          "AND status != 'closed'", (code,)).fetchall()
    return [dict(r) for r in rows]


def kana_key(text: str | None) -> str:
    """NFKC, katakana shifted to hiragana by code point, lower case, no spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)
    return "".join(text.lower().split())
