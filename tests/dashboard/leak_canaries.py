"""Internal-only values planted in a store, to prove that nothing published ever carries them.

Every planted value contains :data:`CANARY`, so a published artefact leaks if its bytes contain that
word at all. They go in the way a city's data get there — an import file, the 確認済み button, a
login, a snapshot, a survey import — plus a few direct rows where the product has no command
(a saved mapping, a file name recorded as a city's fact).
"""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import date
from pathlib import Path

from sqlalchemy import update

from dashboard.auth import add_user
from dashboard.cli import main
from dashboard.editing import mark_verified
from dashboard.snapshots import create_snapshot
from dashboard.store import models as m
from dashboard.store.engine import open_store, write_session
from dashboard.websession import start

CANARY = "CANARY"
WARABI, NIIZA = "11223", "11230"
USER = "CANARY-USER"
#: What is planted, by kind. Each value must be found in the source store and in no published artefact.
PLANTED = {
    "internal place (name)": "ひみつの居場所 CANARY-INTERNAL-PLACE",
    "internal place (address)": "埼玉県蕨市中央 CANARY-PRIVATE-HOME",
    "public place, internal contact": "世話人 CANARY-CONTACT",
    "public place, notes": "鍵は管理人室 CANARY-NOTES",
    "closed public place (name)": "閉じたサロン CANARY-CLOSED",
    "second city's internal place": "新座の個人宅 CANARY-NIIZA",
    "user name": USER,
    "import file name": "CANARY-IMPORT.csv",
    "survey title": "CANARY-SURVEY",
    "survey respondent": "CANARY-RESPONDENT",
    "survey answer": "CANARY-ANSWER",
    "snapshot label": "CANARY-SNAPSHOT",
    "saved mapping": "CANARY-MAPPING",
    "city fact: import file": "CANARY-AREAFILE.csv",
    "municipality boundary source": "CANARY-BOUNDARY",
    "activity record (summary)": "座談会の記録 CANARY-RECORD",
    "activity record (voice)": "バス停まで遠い CANARY-VOICE",
    "activity record (follow-up)": "事業者に相談 CANARY-FOLLOWUP",
    "activity record (attachment name)": "CANARY-ATTACHMENT",
    "activity record (attachment bytes)": "CANARY-ATTACHMENT-BYTES",
}
#: Published places planted beside them (public, so they must appear).
PUBLIC_PLACE_ID, PAUSED_PLACE_ID = "canary-public", "canary-paused"
WARABI_POINT, NIIZA_POINT = ("35.827789", "139.672853"), ("35.76112", "139.550786")


def _places_file(folder: Path, rows: list[dict], name: str) -> Path:
    path = folder / name
    fields = sorted({k for row in rows for k in row})
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def plant(db: Path, folder: Path, *, second_city: bool = True) -> None:
    """Plant every value of :data:`PLANTED` (the second city's only when ``second_city``)."""
    lat, lon = WARABI_POINT
    warabi_rows = [
        {"id": "canary-internal", "name": PLANTED["internal place (name)"], "category": "居場所", "visibility": "internal",
         "address": PLANTED["internal place (address)"], "lat": lat, "lon": lon},
        {"id": PUBLIC_PLACE_ID, "name": "みんなのサロン（公開）", "category": "サロン", "visibility": "public",
         "address": "埼玉県蕨市錦町3-3-27", "lat": lat, "lon": lon, "fee": "100円", "contact_public": "048-431-0000",
         "contact_internal": PLANTED["public place, internal contact"], "notes": PLANTED["public place, notes"]},
        {"id": PAUSED_PLACE_ID, "name": "おやすみ中の体操教室", "category": "通いの場（体操）", "visibility": "public",
         "status": "paused", "lat": lat, "lon": lon},
        {"id": "canary-closed", "name": PLANTED["closed public place (name)"], "category": "サロン",
         "visibility": "public", "status": "closed", "lat": lat, "lon": lon},
    ]
    path = _places_file(folder, warabi_rows, PLANTED["import file name"])
    assert main(["--db", str(db), "import", "places", str(path), "--municipality", WARABI]) == 0
    if second_city:
        niiza = [{"id": "canary-niiza", "name": PLANTED["second city's internal place"], "category": "居場所",
                  "visibility": "internal", "lat": NIIZA_POINT[0], "lon": NIIZA_POINT[1]}]
        path = _places_file(folder, niiza, "niiza_internal.csv")
        assert main(["--db", str(db), "import", "places", str(path), "--municipality", NIIZA]) == 0

    engine = open_store(f"sqlite:///{db}")
    try:
        add_user(engine, USER, "correct horse battery", "coordinator")
        mark_verified(engine, place_id=PUBLIC_PLACE_ID, user=USER, on=date(2026, 4, 1))  # an audit entry by the user
        start(engine, USER)  # a login session
        create_snapshot(engine, WARABI, PLANTED["snapshot label"], user=USER)  # freezes every field of every place
        with write_session(engine) as session:
            batch = m.SurveyBatch(municipality_code=WARABI, kind="needs", title=PLANTED["survey title"], as_of="2026",
                                  source_name="survey.csv", sha256="-", n_respondents=1)
            session.add(batch)
            session.flush()
            session.add(m.SurveyResponse(batch_id=batch.id, respondent_id=PLANTED["survey respondent"], area_id="chuo",
                                         answers_json=json.dumps({"free_text": PLANTED["survey answer"]})))
            session.add(m.SavedMapping(kind="places", name=PLANTED["saved mapping"], mapping_json="{}"))
            session.merge(m.MunicipalityMeta(municipality_code=WARABI, key="areas_source",
                                             value=PLANTED["city fact: import file"]))
            session.execute(update(m.Municipality).where(m.Municipality.code == WARABI)
                            .values(boundary_source=PLANTED["municipality boundary source"]))
        _plant_records(engine, folder)
    finally:
        engine.dispose()


def _plant_records(engine, folder: Path) -> None:
    """An activity record (#16) through ``records import``, then a follow-up and an attachment."""
    from dashboard.records.entries import FollowUp
    from dashboard.services import records as record_service

    path = folder / "records.csv"
    path.write_text("日付,種別,圏域,参加人数,概要,地域の声\n"
                    f"2026-04-10,住民座談会,中央地区,12,{PLANTED['activity record (summary)']},"
                    f"【移動】{PLANTED['activity record (voice)']}\n", encoding="utf-8")
    checked = record_service.read_import(engine, WARABI, path)
    record_service.commit_import(engine, WARABI, checked, user=USER)
    record_id = int(record_service.records_table(engine, WARABI)["id"].iloc[0])
    detail = record_service.record_detail(engine, record_id)
    record = detail.record.__class__(**{**detail.record.__dict__, "followups": (
        FollowUp(PLANTED["activity record (follow-up)"], "第2層SC"),)})
    record_service.save_record(engine, code=WARABI, record=record, user=USER, record_id=record_id,
                               base_version=detail.version)
    record_service.add_attachment(engine, record_id=record_id, file_name=f"{PLANTED['activity record (attachment name)']}.png",
                                  data=b"\x89PNG\r\n\x1a\n" + PLANTED["activity record (attachment bytes)"].encode(),
                                  user=USER, code=WARABI)


def all_text(db: Path) -> str:
    """Every value of every table of a SQLite file, as one text (read with sqlite3 only)."""
    parts = []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                parts.extend(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row)
    return "\n".join(parts)
