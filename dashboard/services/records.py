"""活動記録と地域の声 (#16): save, edit, close follow-ups, attach files, and read them back counted by
area and tag. The records page, the coverage and council pages, the 地域カルテ, the yearly report and
``python -m dashboard records …`` all call these functions.

Records are internal: nothing here is ever copied into a published store (``publish`` copies by
allow-list and the public site refuses a copy holding any row of these tables).

Editing follows the places' rules (:mod:`dashboard.editing`): every save is one transaction; a
record carries a ``version`` and a save names the version the user started from, so a save on top
of someone else's raises :class:`RecordConflict` and writes nothing; every change is written to the
record's own audit log (``activity_audit_log``: who, when, field, old and new text). Before saving,
the free texts are checked for what looks like personal data; a save with findings raises
:class:`PrivacyWarning` unless the user confirmed (``acknowledge_privacy``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dashboard.errors import InputError, Problem
from dashboard.records import entries
from dashboard.records.entries import FORM, FollowUp, RecordInput, VoiceEntry
from dashboard.records.privacy import Finding
from dashboard.store import models as m
from dashboard.store.engine import read_session, write_session

#: Largest attachment kept in the store (bytes): a scanned A4 page or a phone photo fits.
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
#: Attachments per record at most (the store is one file; records are notes, not an archive).
MAX_ATTACHMENTS_PER_RECORD = 10
#: Types accepted, recognised by their first bytes (never by the file name the browser sends).
MAGIC_BYTES = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"),
               (b"\x89PNG\r\n\x1a\n", "image/png"))
#: Fields of a record as its audit log names them, with their Japanese labels.
FIELD_LABELS = {"held_on": "日付", "kind": "種別", "areas": "圏域", "place_id": "場所", "participants": "参加人数",
                "summary": "概要", "followups": "フォローアップ", "voices": "地域の声", "attachments": "添付",
                "*": "記録"}
ACTION_LABELS = {"create": "作成", "update": "変更", "close": "完了にする", "reopen": "未完了に戻す",
                 "attach": "添付", "detach": "添付を削除", "delete": "削除", "import": "取り込み"}


class PrivacyWarning(Exception):
    """The texts look like they hold personal data; nothing was written. Save again with
    ``acknowledge_privacy=True`` once the user has looked (and rewritten what they could)."""

    def __init__(self, findings: list[Finding]):
        self.findings = list(findings)
        super().__init__(" / ".join(f.message() for f in self.findings))


@dataclass
class RecordConflict(Exception):
    """The record changed since the user opened it. ``theirs``: field → (their text, your text)."""

    record_id: int
    current_version: int
    theirs: dict[str, tuple[str, str]]

    def __str__(self) -> str:
        return f"record {self.record_id} changed (now version {self.current_version}): {sorted(self.theirs)}"


# --- the record as text (audit log, conflicts) --------------------------------------------------------

def _date_text(value: date | None) -> str:
    return value.isoformat() if value else ""


def followups_text(items) -> str:
    """Follow-ups as the audit log shows them: one line each, 「内容｜担当｜期限｜状態｜完了日」."""
    return "\n".join("｜".join((i.text, i.owner or "", _date_text(i.due_on), entries.FOLLOWUP_STATUSES.get(i.status, i.status),
                               _date_text(i.closed_on))) for i in items)


def voices_text(items) -> str:
    """Voices as the audit log shows them: one line each, 「【タグ】声（圏域ID）」."""
    return "\n".join((f"【{'・'.join(v.tags)}】" if v.tags else "") + v.text + (f"（{v.area_id}）" if v.area_id else "")
                     for v in items)


def record_texts(record: RecordInput) -> dict[str, str]:
    """Every audited field of ``record`` as text (the audit log's old and new values)."""
    return {"held_on": _date_text(record.held_on), "kind": record.kind, "areas": ",".join(record.area_ids),
            "place_id": record.place_id or "", "participants": "" if record.participants is None else str(record.participants),
            "summary": record.summary, "followups": followups_text(record.followups), "voices": voices_text(record.voices)}


def _audit(session: Session, *, record_id: int, code: str, user: str, action: str, field_name: str,
           old: str | None, new: str | None) -> None:
    session.add(m.ActivityAuditEntry(record_id=record_id, municipality_code=code, changed_by=user, action=action,
                                     field=field_name, old_value=old, new_value=new))


# --- reading one record -------------------------------------------------------------------------------

@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    file_name: str
    media_type: str
    size_bytes: int


@dataclass(frozen=True)
class RecordDetail:
    """A stored record: what the form shows, plus its id, city, version and attachments (no bytes)."""

    id: int
    municipality_code: str
    version: int
    record: RecordInput
    created_by: str | None
    followup_ids: tuple[int, ...]
    attachments: tuple[AttachmentInfo, ...] = field(default_factory=tuple)


def _load(session: Session, row: m.ActivityRecord) -> RecordInput:
    areas = session.scalars(select(m.ActivityRecordArea.area_id).where(m.ActivityRecordArea.record_id == row.id)
                            .order_by(m.ActivityRecordArea.position, m.ActivityRecordArea.area_id)).all()
    followups = session.scalars(select(m.ActivityFollowUp).where(m.ActivityFollowUp.record_id == row.id)
                                .order_by(m.ActivityFollowUp.position, m.ActivityFollowUp.id)).all()
    voices = session.scalars(select(m.ActivityVoice).where(m.ActivityVoice.record_id == row.id)
                             .order_by(m.ActivityVoice.position, m.ActivityVoice.id)).all()
    tags = _tags_of(session, [v.id for v in voices])
    return RecordInput(
        held_on=row.held_on, kind=row.kind, area_ids=tuple(areas), place_id=row.place_id, participants=row.participants,
        summary=row.summary, followups=tuple(FollowUp(f.text, f.owner or "", f.due_on, f.status, f.closed_on) for f in followups),
        voices=tuple(VoiceEntry(v.text, tags.get(v.id, ()), v.area_id) for v in voices))


def _tags_of(session: Session, voice_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Tags per voice, in vocabulary order."""
    from dashboard.records.vocab import tag_names

    if not voice_ids:
        return {}
    order = {t: i for i, t in enumerate(tag_names())}
    rows = session.execute(select(m.ActivityVoiceTag.voice_id, m.ActivityVoiceTag.tag)
                           .where(m.ActivityVoiceTag.voice_id.in_(voice_ids))).all()
    found: dict[int, list[str]] = {}
    for voice_id, tag in rows:
        found.setdefault(voice_id, []).append(tag)
    return {v: tuple(sorted(t, key=lambda x: (order.get(x, len(order)), x))) for v, t in found.items()}


def record_detail(engine: Engine, record_id: int, code: str | None = None) -> RecordDetail:
    """The stored record ``record_id``; KeyError when there is none (or it belongs to another city
    than ``code``, when given)."""
    record_id = int(record_id)
    with read_session(engine) as session:
        row = session.get(m.ActivityRecord, int(record_id))
        if row is None or (code is not None and row.municipality_code != code):
            raise KeyError(f"no activity record {record_id!r}")
        attachments = session.execute(select(m.ActivityAttachment.id, m.ActivityAttachment.file_name,
                                             m.ActivityAttachment.media_type, m.ActivityAttachment.size_bytes)
                                      .where(m.ActivityAttachment.record_id == record_id)
                                      .order_by(m.ActivityAttachment.id)).all()
        followup_ids = session.scalars(select(m.ActivityFollowUp.id).where(m.ActivityFollowUp.record_id == record_id)
                                       .order_by(m.ActivityFollowUp.position, m.ActivityFollowUp.id)).all()
        return RecordDetail(id=row.id, municipality_code=row.municipality_code, version=row.version,
                            record=_load(session, row), created_by=row.created_by, followup_ids=tuple(followup_ids),
                            attachments=tuple(AttachmentInfo(*a) for a in attachments))


# --- checks that need the store -----------------------------------------------------------------------

def _store_problems(session: Session, code: str, record: RecordInput, *, name: str = FORM, row: int | None = None,
                    columns: dict[str, str] | None = None) -> list[Problem]:
    columns = columns or {}
    found = []
    areas = set(session.scalars(select(m.Area.id).where(m.Area.municipality_code == code)))
    unknown = [a for a in record.area_ids if a not in areas]
    unknown += [v.area_id for v in record.voices if v.area_id is not None and v.area_id not in areas]
    if unknown:
        found.append(Problem(name, f"圏域「{'、'.join(dict.fromkeys(unknown))}」はこの市町村にありません", "unknown area",
                             row=row, column=columns.get("areas", "areas")))
    if record.place_id:
        place = session.get(m.Place, record.place_id)
        if place is None or place.municipality_code != code:
            found.append(Problem(name, f"場所「{record.place_id}」はこの市町村の資源にありません", "unknown place",
                                 row=row, column=columns.get("place_id", "place_id")))
    return found


def check(engine: Engine, code: str, record: RecordInput) -> list[Problem]:
    """Every problem of a form's record (nothing written): its own and the city's areas and places."""
    with read_session(engine) as session:
        return entries.problems(record) + _store_problems(session, code, record)


# --- writes -------------------------------------------------------------------------------------------

def _write_children(session: Session, record_id: int, code: str, record: RecordInput) -> None:
    """Replace the record's areas, follow-ups and voices (with tags) by those of ``record``."""
    voice_ids = select(m.ActivityVoice.id).where(m.ActivityVoice.record_id == record_id)
    session.execute(delete(m.ActivityVoiceTag).where(m.ActivityVoiceTag.voice_id.in_(voice_ids)))
    for model in (m.ActivityVoice, m.ActivityFollowUp, m.ActivityRecordArea):
        session.execute(delete(model).where(model.record_id == record_id))
    for position, area_id in enumerate(dict.fromkeys(record.area_ids)):
        session.add(m.ActivityRecordArea(record_id=record_id, area_id=area_id, position=position))
    for position, item in enumerate(record.followups):
        closed_on = item.closed_on if item.status == "closed" else None
        session.add(m.ActivityFollowUp(record_id=record_id, position=position, text=item.text.strip(),
                                       owner=item.owner.strip() or None, due_on=item.due_on, status=item.status,
                                       closed_on=closed_on))
    for position, voice in enumerate(record.voices):
        row = m.ActivityVoice(record_id=record_id, municipality_code=code, area_id=voice.area_id, position=position,
                              text=voice.text.strip())
        session.add(row)
        session.flush()
        for tag in dict.fromkeys(voice.tags):
            session.add(m.ActivityVoiceTag(voice_id=row.id, tag=tag))


def _normalised(record: RecordInput) -> RecordInput:
    """Trimmed texts; a voice of a record with exactly one area is in that area unless it says otherwise;
    a closed follow-up without a date keeps none (the UI sets today's)."""
    single = record.area_ids[0] if len(record.area_ids) == 1 else None
    voices = tuple(VoiceEntry(v.text.strip(), tuple(dict.fromkeys(v.tags)), v.area_id or single) for v in record.voices)
    followups = tuple(FollowUp(f.text.strip(), (f.owner or "").strip(), f.due_on, f.status,
                               f.closed_on if f.status == "closed" else None) for f in record.followups)
    return RecordInput(held_on=record.held_on, kind=record.kind, area_ids=tuple(dict.fromkeys(record.area_ids)),
                       place_id=record.place_id or None, participants=record.participants, summary=record.summary.strip(),
                       followups=followups, voices=voices)


def save_record(engine: Engine, *, code: str, record: RecordInput, user: str, record_id: int | None = None,
                base_version: int | None = None, base: RecordInput | None = None,
                acknowledge_privacy: bool = False) -> tuple[int, int]:
    """Create (``record_id`` None) or update a record of city ``code``; returns ``(id, new version)``.

    Raises :class:`dashboard.errors.InputError` for invalid values, :class:`PrivacyWarning` when the
    texts look like personal data and the user has not confirmed, :class:`RecordConflict` when the
    stored version is not ``base_version`` (with ``base`` — the record as the form opened it — the
    conflict lists exactly the fields the other person changed). Nothing is written in any of these cases.
    """
    record = _normalised(record)
    with read_session(engine) as session:
        found = entries.problems(record) + _store_problems(session, code, record)
    if found:
        raise InputError(found)
    if not acknowledge_privacy:
        findings = entries.privacy_findings(record)
        if findings:
            raise PrivacyWarning(findings)
    try:
        return _save(engine, code, record, user, record_id, base_version, base)
    except StaleDataError as error:  # another process saved between our read and our UPDATE
        with read_session(engine) as session:
            current = session.get(m.ActivityRecord, int(record_id))
            raise _conflict(session, current, record, base) from error


def _conflict(session: Session, current: m.ActivityRecord, record: RecordInput, base: RecordInput | None) -> RecordConflict:
    now, mine = record_texts(_load(session, current)), record_texts(record)
    reference = record_texts(base) if base is not None else mine
    return RecordConflict(current.id, current.version, {k: (now[k], mine[k]) for k in now if now[k] != reference[k]})


def _save(engine: Engine, code: str, record: RecordInput, user: str, record_id: int | None,
          base_version: int | None, base: RecordInput | None) -> tuple[int, int]:
    with write_session(engine) as session:
        if record_id is None:
            row = _insert(session, code, record, user)
            return row.id, row.version
        row = session.get(m.ActivityRecord, int(record_id), with_for_update=True)
        if row is None or row.municipality_code != code:
            raise KeyError(f"no activity record {record_id!r}")
        if row.version != base_version:
            raise _conflict(session, row, record, base)
        before, after = record_texts(_load(session, row)), record_texts(record)
        changed = [k for k in after if before[k] != after[k]]
        if not changed:
            return row.id, row.version
        for key in changed:
            _audit(session, record_id=row.id, code=code, user=user, action="update", field_name=key,
                   old=before[key] or None, new=after[key] or None)
        row.held_on, row.kind, row.place_id = record.held_on, record.kind, record.place_id
        row.participants, row.summary = record.participants, record.summary
        row.version += 1
        _write_children(session, row.id, code, record)
        session.flush()
        return row.id, row.version


def _insert(session: Session, code: str, record: RecordInput, user: str, *, action: str = "create",
            batch_id: int | None = None) -> m.ActivityRecord:
    row = m.ActivityRecord(municipality_code=code, held_on=record.held_on, kind=record.kind, place_id=record.place_id,
                           participants=record.participants, summary=record.summary, version=1, created_by=user,
                           import_batch_id=batch_id)
    session.add(row)
    session.flush()
    _write_children(session, row.id, code, record)
    _audit(session, record_id=row.id, code=code, user=user, action=action, field_name="*", old=None,
           new=f"{record.held_on.isoformat()} {record.kind}")
    return row


def set_followup_status(engine: Engine, *, followup_id: int, closed: bool, user: str, on: date | None = None,
                        code: str | None = None) -> None:
    """「完了にする」 (``closed``) or 「未完了に戻す」 one follow-up; audited on its record (field
    ``followups``) and the record's version is bumped, so an edit form opened before sees the change."""
    with write_session(engine) as session:
        item = session.get(m.ActivityFollowUp, int(followup_id))
        if item is None:
            raise KeyError(f"no follow-up {followup_id!r}")
        row = session.get(m.ActivityRecord, item.record_id, with_for_update=True)
        if code is not None and row.municipality_code != code:
            raise KeyError(f"no follow-up {followup_id!r}")
        before = record_texts(_load(session, row))["followups"]
        item.status, item.closed_on = ("closed", on or date.today()) if closed else ("open", None)
        session.flush()
        after = record_texts(_load(session, row))["followups"]
        if before == after:
            return
        _audit(session, record_id=row.id, code=row.municipality_code, user=user, action="close" if closed else "reopen",
               field_name="followups", old=before, new=after)
        row.version += 1


def delete_record(engine: Engine, *, record_id: int, user: str, code: str) -> None:
    """Delete a record with its follow-ups, voices and attachments; its audit log keeps the deletion
    (what it said) — the log of a record is never deleted."""
    record_id = int(record_id)
    with write_session(engine) as session:
        row = session.get(m.ActivityRecord, int(record_id), with_for_update=True)
        if row is None or row.municipality_code != code:
            raise KeyError(f"no activity record {record_id!r}")
        texts = record_texts(_load(session, row))
        old = "\n".join(f"{FIELD_LABELS[k]}: {v}" for k, v in texts.items() if v)
        _audit(session, record_id=row.id, code=code, user=user, action="delete", field_name="*", old=old, new=None)
        voice_ids = select(m.ActivityVoice.id).where(m.ActivityVoice.record_id == record_id)
        session.execute(delete(m.ActivityVoiceTag).where(m.ActivityVoiceTag.voice_id.in_(voice_ids)))
        for model in (m.ActivityVoice, m.ActivityFollowUp, m.ActivityRecordArea, m.ActivityAttachment):
            session.execute(delete(model).where(model.record_id == record_id))
        session.delete(row)


# --- attachments --------------------------------------------------------------------------------------

def media_type_of(data: bytes) -> str | None:
    """``application/pdf``, ``image/jpeg`` or ``image/png`` from the first bytes; None for anything else."""
    return next((media for magic, media in MAGIC_BYTES if data.startswith(magic)), None)


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def _safe_name(name: str, media_type: str) -> str:
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[media_type]
    stem = _UNSAFE_NAME.sub("_", (name or "").rsplit("/", 1)[-1]).strip(" ._")[:120] or "添付"
    return stem if stem.lower().endswith((extension, ".jpeg" if extension == ".jpg" else extension)) else stem + extension


def add_attachment(engine: Engine, *, record_id: int, file_name: str, data: bytes, user: str, code: str) -> int:
    """Keep a PDF, JPEG or PNG of at most :data:`MAX_ATTACHMENT_BYTES` with record ``record_id``;
    returns its id. The type is read from the bytes, so a renamed file of another kind is refused
    (InputError, nothing written)."""
    record_id = int(record_id)
    media_type = media_type_of(data)
    problems = []
    if media_type is None:
        problems.append(Problem(file_name, "添付できるのは PDF・JPEG・PNG だけです（ファイルの中身で判定しています）",
                                "not a PDF, JPEG or PNG by its bytes"))
    if len(data) > MAX_ATTACHMENT_BYTES:
        problems.append(Problem(file_name, f"ファイルが大きすぎます（{len(data) / 1024 / 1024:.1f} MB、上限 "
                                           f"{MAX_ATTACHMENT_BYTES // 1024 // 1024} MB）", "attachment too large"))
    if not data:
        problems.append(Problem(file_name, "ファイルが空です", "empty file"))
    if problems:
        raise InputError(problems)
    with write_session(engine) as session:
        row = session.get(m.ActivityRecord, int(record_id))
        if row is None or row.municipality_code != code:
            raise KeyError(f"no activity record {record_id!r}")
        count = session.scalar(select(func.count()).select_from(m.ActivityAttachment)
                               .where(m.ActivityAttachment.record_id == record_id))
        if count >= MAX_ATTACHMENTS_PER_RECORD:
            raise InputError([Problem(file_name, f"1つの記録に添付できるのは{MAX_ATTACHMENTS_PER_RECORD}件までです",
                                      "too many attachments")])
        name = _safe_name(file_name, media_type)
        attachment = m.ActivityAttachment(record_id=record_id, file_name=name, media_type=media_type,
                                          size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
                                          created_by=user)
        session.add(attachment)
        session.flush()
        _audit(session, record_id=record_id, code=code, user=user, action="attach", field_name="attachments",
               old=None, new=f"{name}（{len(data):,} バイト）")
        return attachment.id


def attachment(engine: Engine, attachment_id: int, code: str) -> tuple[str, str, bytes]:
    """``(file name, media type, bytes)`` of an attachment of city ``code``; KeyError otherwise."""
    with read_session(engine) as session:
        row = session.execute(select(m.ActivityAttachment.file_name, m.ActivityAttachment.media_type,
                                     m.ActivityAttachment.data, m.ActivityRecord.municipality_code)
                              .join(m.ActivityRecord, m.ActivityRecord.id == m.ActivityAttachment.record_id)
                              .where(m.ActivityAttachment.id == int(attachment_id))).first()
    if row is None or row.municipality_code != code:
        raise KeyError(f"no attachment {attachment_id!r}")
    return row.file_name, row.media_type, bytes(row.data)


def remove_attachment(engine: Engine, *, attachment_id: int, user: str, code: str) -> None:
    with write_session(engine) as session:
        row = session.get(m.ActivityAttachment, int(attachment_id))
        record = None if row is None else session.get(m.ActivityRecord, row.record_id)
        if record is None or record.municipality_code != code:
            raise KeyError(f"no attachment {attachment_id!r}")
        _audit(session, record_id=record.id, code=code, user=user, action="detach", field_name="attachments",
               old=f"{row.file_name}（{row.size_bytes:,} バイト）", new=None)
        session.delete(row)


# --- lists and counts ---------------------------------------------------------------------------------

RECORD_COLUMNS = ["id", "held_on", "kind", "area_ids", "areas", "place_id", "place", "participants", "summary",
                  "voices", "followups_open", "followups_closed", "attachments", "version"]


def area_names(engine: Engine, code: str) -> dict[str, str]:
    """area id → name of city ``code``, in the city's order."""
    with read_session(engine) as session:
        rows = session.execute(select(m.Area.id, m.Area.name).where(m.Area.municipality_code == code)
                               .order_by(m.Area.sort_order, m.Area.id)).all()
    return dict(rows)


def _in_period(query, column, start: date | None, end: date | None):
    if start is not None:
        query = query.where(column >= start)
    if end is not None:
        query = query.where(column <= end)
    return query


def records_table(engine: Engine, code: str, *, start: date | None = None, end: date | None = None,
                  kinds: tuple[str, ...] | list[str] | None = None, area_id: str | None = None,
                  tag: str | None = None, text: str | None = None) -> pd.DataFrame:
    """The records of city ``code`` as :data:`RECORD_COLUMNS`, newest first.

    Filters: ``start``/``end`` (days, both included), ``kinds``, ``area_id`` (records linked to that
    area), ``tag`` (records with a voice carrying it), ``text`` (in the summary or a voice, NFKC and
    case folded). ``areas`` is the areas' names joined with 「・」 (an id the city no longer has is
    shown as 「（id）」); ``place`` the place's current name.
    """
    query = _in_period(select(m.ActivityRecord).where(m.ActivityRecord.municipality_code == code),
                       m.ActivityRecord.held_on, start, end)
    if kinds:
        query = query.where(m.ActivityRecord.kind.in_(list(kinds)))
    if area_id:
        query = query.where(m.ActivityRecord.id.in_(select(m.ActivityRecordArea.record_id)
                                                    .where(m.ActivityRecordArea.area_id == area_id)))
    if tag:
        query = query.where(m.ActivityRecord.id.in_(
            select(m.ActivityVoice.record_id).join(m.ActivityVoiceTag, m.ActivityVoiceTag.voice_id == m.ActivityVoice.id)
            .where(m.ActivityVoiceTag.tag == tag)))
    query = query.order_by(m.ActivityRecord.held_on.desc(), m.ActivityRecord.id.desc())
    names = area_names(engine, code)
    with read_session(engine) as session:
        rows = session.scalars(query).all()
        ids = [r.id for r in rows]
        links = _grouped(session, select(m.ActivityRecordArea.record_id, m.ActivityRecordArea.area_id)
                         .where(m.ActivityRecordArea.record_id.in_(ids))
                         .order_by(m.ActivityRecordArea.position))
        voice_rows = session.execute(select(m.ActivityVoice.record_id, m.ActivityVoice.text)
                                     .where(m.ActivityVoice.record_id.in_(ids))).all()
        followups = session.execute(select(m.ActivityFollowUp.record_id, m.ActivityFollowUp.status, func.count())
                                    .where(m.ActivityFollowUp.record_id.in_(ids))
                                    .group_by(m.ActivityFollowUp.record_id, m.ActivityFollowUp.status)).all()
        files = dict(session.execute(select(m.ActivityAttachment.record_id, func.count())
                                     .where(m.ActivityAttachment.record_id.in_(ids))
                                     .group_by(m.ActivityAttachment.record_id)).all())
        place_ids = {r.place_id for r in rows if r.place_id}
        places = dict(session.execute(select(m.Place.id, m.Place.name).where(m.Place.id.in_(place_ids))).all())
    voices: dict[int, list[str]] = {}
    for record_id, voice in voice_rows:
        voices.setdefault(record_id, []).append(voice)
    counts = {(r, s): n for r, s, n in followups}
    data = []
    for r in rows:
        if text and not _matches(text, [r.summary, *voices.get(r.id, [])]):
            continue
        linked = links.get(r.id, [])
        data.append((r.id, r.held_on, r.kind, tuple(linked), "・".join(names.get(a, f"（{a}）") for a in linked),
                     r.place_id, places.get(r.place_id, f"（{r.place_id}）") if r.place_id else "",
                     r.participants, r.summary, len(voices.get(r.id, [])), counts.get((r.id, "open"), 0),
                     counts.get((r.id, "closed"), 0), files.get(r.id, 0), r.version))
    frame = pd.DataFrame(data, columns=RECORD_COLUMNS)
    frame["participants"] = frame["participants"].astype("Int64")
    return frame


def _grouped(session: Session, query) -> dict:
    found: dict = {}
    for key, value in session.execute(query).all():
        found.setdefault(key, []).append(value)
    return found


def _matches(needle: str, haystacks: list[str]) -> bool:
    import unicodedata

    key = unicodedata.normalize("NFKC", needle).casefold().strip()
    return any(key in unicodedata.normalize("NFKC", h or "").casefold() for h in haystacks)


VOICE_COLUMNS = ["voice_id", "record_id", "held_on", "kind", "area_id", "area", "text", "tags"]


def voices_table(engine: Engine, code: str, *, start: date | None = None, end: date | None = None,
                 area_id: str | None = None, tag: str | None = None) -> pd.DataFrame:
    """Every voice of city ``code`` (:data:`VOICE_COLUMNS`, newest record first); ``tags`` is a tuple."""
    query = (select(m.ActivityVoice.id, m.ActivityVoice.record_id, m.ActivityRecord.held_on, m.ActivityRecord.kind,
                    m.ActivityVoice.area_id, m.ActivityVoice.text)
             .join(m.ActivityRecord, m.ActivityRecord.id == m.ActivityVoice.record_id)
             .where(m.ActivityRecord.municipality_code == code)
             .order_by(m.ActivityRecord.held_on.desc(), m.ActivityVoice.record_id.desc(), m.ActivityVoice.position))
    query = _in_period(query, m.ActivityRecord.held_on, start, end)
    if area_id:
        query = query.where(m.ActivityVoice.area_id == area_id)
    names = area_names(engine, code)
    with read_session(engine) as session:
        rows = session.execute(query).all()
        tags = _tags_of(session, [r[0] for r in rows])
    data = [(*r[:5], names.get(r[4], f"（{r[4]}）") if r[4] else "", r[5], tags.get(r[0], ())) for r in rows]
    frame = pd.DataFrame(data, columns=VOICE_COLUMNS)
    if tag:
        frame = frame[frame["tags"].map(lambda t: tag in t)].reset_index(drop=True)
    return frame


@dataclass(frozen=True)
class VoiceSummary:
    """What residents said in one area (or the city): ``total`` voices, ``by_tag`` as (tag, voices)
    most first (a voice with two tags counts for each), ``untagged`` voices, and the period of the
    records they came from (None when there are none)."""

    total: int
    by_tag: tuple[tuple[str, int], ...]
    untagged: int
    first: date | None
    last: date | None
    records: int  # records the voices came from

    def tag_line(self, limit: int | None = None, unit: str = "") -> str:
        """「買い物 5・移動 3・交流 2」 (the ``limit`` most frequent)."""
        items = self.by_tag if limit is None else self.by_tag[:limit]
        return "・".join(f"{t} {n}{unit}" for t, n in items)


def voice_summary(engine: Engine, code: str, area_id: str | None = None, *, start: date | None = None,
                  end: date | None = None) -> VoiceSummary:
    """Voices of ``area_id`` (None = the whole city, voices without an area included) counted by tag."""
    return voice_summaries(engine, code, start=start, end=end).get(area_id, _EMPTY)


_EMPTY = VoiceSummary(0, (), 0, None, None, 0)


def voice_summaries(engine: Engine, code: str, *, start: date | None = None,
                    end: date | None = None) -> dict[str | None, VoiceSummary]:
    """:class:`VoiceSummary` per area id that has voices, and under ``None`` the whole city."""
    from dashboard.records.vocab import tag_names

    voices = voices_table(engine, code, start=start, end=end)
    order = {t: i for i, t in enumerate(tag_names())}
    result = {}
    for key, part in [(None, voices), *((a, g) for a, g in voices.groupby("area_id", dropna=True))]:
        counts: dict[str, int] = {}
        for tags in part["tags"]:
            for tag in tags:
                counts[tag] = counts.get(tag, 0) + 1
        ranked = tuple(sorted(counts.items(), key=lambda item: (-item[1], order.get(item[0], len(order)), item[0])))
        result[key] = VoiceSummary(total=len(part), by_tag=ranked, untagged=int((part["tags"].map(len) == 0).sum()),
                                   first=part["held_on"].min() if len(part) else None,
                                   last=part["held_on"].max() if len(part) else None,
                                   records=int(part["record_id"].nunique()))
    return result


FOLLOWUP_COLUMNS = ["followup_id", "record_id", "held_on", "kind", "areas", "text", "owner", "due_on", "status",
                    "closed_on", "overdue"]


def followups_table(engine: Engine, code: str, *, status: str | None = None, today: date | None = None) -> pd.DataFrame:
    """Follow-ups of city ``code`` (:data:`FOLLOWUP_COLUMNS`), open ones by due date first.
    ``overdue``: open and due before ``today``."""
    today = today or date.today()
    query = (select(m.ActivityFollowUp.id, m.ActivityFollowUp.record_id, m.ActivityRecord.held_on, m.ActivityRecord.kind,
                    m.ActivityFollowUp.text, m.ActivityFollowUp.owner, m.ActivityFollowUp.due_on,
                    m.ActivityFollowUp.status, m.ActivityFollowUp.closed_on)
             .join(m.ActivityRecord, m.ActivityRecord.id == m.ActivityFollowUp.record_id)
             .where(m.ActivityRecord.municipality_code == code))
    if status:
        query = query.where(m.ActivityFollowUp.status == status)
    names = area_names(engine, code)
    with read_session(engine) as session:
        rows = session.execute(query).all()
        links = _grouped(session, select(m.ActivityRecordArea.record_id, m.ActivityRecordArea.area_id)
                         .where(m.ActivityRecordArea.record_id.in_({r.record_id for r in rows}))
                         .order_by(m.ActivityRecordArea.position))
    data = [(r.id, r.record_id, r.held_on, r.kind, "・".join(names.get(a, f"（{a}）") for a in links.get(r.record_id, [])),
             r.text, r.owner or "", r.due_on, r.status, r.closed_on,
             r.status == "open" and r.due_on is not None and r.due_on < today) for r in rows]
    frame = pd.DataFrame(data, columns=FOLLOWUP_COLUMNS)
    key = frame.assign(_closed=frame["status"] != "open", _due=frame["due_on"].map(lambda d: d or date.max))
    return frame.loc[key.sort_values(["_closed", "_due", "held_on"]).index].reset_index(drop=True)


def record_audit(engine: Engine, record_id: int) -> pd.DataFrame:
    """``changed_at, changed_by, action, field, old_value, new_value`` of one record, newest first
    (the shape of :func:`dashboard.editing.audit_log`)."""
    record_id = int(record_id)
    columns = ("changed_at", "changed_by", "action", "field", "old_value", "new_value")
    with read_session(engine) as session:
        rows = session.execute(select(*(getattr(m.ActivityAuditEntry, c) for c in columns))
                               .where(m.ActivityAuditEntry.record_id == int(record_id))
                               .order_by(m.ActivityAuditEntry.id.desc())).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


def fiscal_year_of(day: date) -> int:
    """年度 (April to March) of ``day``: 2027-03-31 → 2026."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_period(year: int) -> tuple[date, date]:
    """First and last day of 年度 ``year`` (2026 → 2026-04-01 … 2027-03-31)."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def fiscal_years(engine: Engine, code: str) -> list[int]:
    """年度 that have records, newest first."""
    with read_session(engine) as session:
        days = session.scalars(select(m.ActivityRecord.held_on).where(m.ActivityRecord.municipality_code == code)
                               .distinct()).all()
    return sorted({fiscal_year_of(d) for d in days}, reverse=True)


# --- import and export --------------------------------------------------------------------------------

@dataclass
class ImportCheck:
    """A records file read and checked against the city (nothing written yet).

    ``records``/``rows``: the rows to add and their spreadsheet rows; ``duplicates``: rows equal to a
    stored record or an earlier row (same date, kind, areas and summary) — skipped, so importing the
    same list twice adds nothing; ``findings``: (row, column header, finding) that look like
    personal data."""

    name: str
    sha256: str
    records: list[RecordInput]
    rows: list[int]
    duplicates: list[int]
    findings: list[tuple[int, str, Finding]]
    unknown_columns: list[str]
    encoding: str | None
    header_row: int | None
    skipped: list[tuple[int, str]]


def _identity(record: RecordInput) -> tuple:
    return record.held_on, record.kind, tuple(sorted(record.area_ids)), record.summary.strip()


def read_import(engine: Engine, code: str, path, *, name: str | None = None) -> ImportCheck:
    """Read and check a records file (CSV in UTF-8/BOM/CP932, or XLSX; the header may sit under a
    title). Raises InputError naming file, row and column for every bad cell — nothing is written."""
    from pathlib import Path

    from dashboard.importers.tables import read_sheet, sha256_of
    from dashboard.records.io import AreaResolver, PlaceResolver, columns_of, header_score, parse_rows

    path = Path(path)
    name = name or path.name
    sheet = read_sheet(path, name, header_score)
    with read_session(engine) as session:
        places = dict(session.execute(select(m.Place.id, m.Place.name).where(m.Place.municipality_code == code)).all())
        stored = session.scalars(select(m.ActivityRecord).where(m.ActivityRecord.municipality_code == code)).all()
        known = {_identity(_load(session, r)) for r in stored}
    parsed = parse_rows(sheet.frame, name, AreaResolver(area_names(engine, code)), PlaceResolver(places))
    problems = list(parsed.problems)
    if not problems and not parsed.records:
        problems.append(Problem(name, "取り込む行がありません", "no rows"))
    if problems:
        raise InputError(problems)
    columns, _ = columns_of(sheet.frame)
    records, rows, duplicates, findings = [], [], [], []
    for record, row in zip(parsed.records, parsed.rows):
        record = _normalised(record)
        if _identity(record) in known:
            duplicates.append(row)
            continue
        known.add(_identity(record))
        records.append(record)
        rows.append(row)
        for finding in entries.privacy_findings(record):
            column = columns.get("voices" if finding.field.startswith("地域の声") else "summary", finding.field)
            findings.append((row, column, finding))
    return ImportCheck(name=name, sha256=sha256_of(path), records=records, rows=rows, duplicates=duplicates,
                       findings=findings, unknown_columns=parsed.unknown_columns, encoding=sheet.encoding,
                       header_row=sheet.header_row, skipped=sheet.skipped)


def privacy_problems(checked: ImportCheck) -> list[Problem]:
    """The privacy findings of an import as problems (file, row, column)."""
    from dashboard.records.privacy import KIND_LABELS

    return [Problem(checked.name, f"「{f.text}」は{KIND_LABELS[f.kind]}のように見えます。書き換えるか消してから"
                                  "取り込んでください（確かめた上でそのまま取り込むには --accept-privacy-warnings）",
                    f"looks like personal data ({f.kind})", row=row, column=column)
            for row, column, f in checked.findings]


def commit_import(engine: Engine, code: str, checked: ImportCheck, *, user: str | None = None,
                  acknowledge_privacy: bool = False) -> dict[str, int]:
    """Store the records of a checked file in one transaction; returns ``{"new", "duplicate"}``.

    With privacy findings and no ``acknowledge_privacy``, raises InputError listing them (row,
    column) and writes nothing. Audit entries are by ``user``, else ``import:<file>``."""
    if checked.findings and not acknowledge_privacy:
        raise InputError(privacy_problems(checked))
    author = user or f"import:{checked.name}"
    with write_session(engine) as session:
        batch = m.ImportBatch(kind="activity_records", source_name=checked.name, sha256=checked.sha256,
                              row_count=len(checked.records) + len(checked.duplicates), encoding=checked.encoding,
                              created_by=user)
        session.add(batch)
        session.flush()
        for record in checked.records:
            found = _store_problems(session, code, record, name=checked.name)
            if found:  # the city changed between the check and now
                raise InputError(found)
            _insert(session, code, record, author, action="import", batch_id=batch.id)
    return {"new": len(checked.records), "duplicate": len(checked.duplicates)}


def export_workbook(engine: Engine, code: str, *, start: date | None = None, end: date | None = None) -> bytes:
    """Every record of city ``code`` (in the period, when given) as an Excel workbook
    (:func:`dashboard.records.io.workbook_bytes`)."""
    from dashboard.records.io import workbook_bytes

    with read_session(engine) as session:
        city = session.scalar(select(m.Municipality.name).where(m.Municipality.code == code)) or code
    records = records_table(engine, code, start=start, end=end)
    voices = voices_table(engine, code, start=start, end=end)
    followups = followups_table(engine, code)
    followups = followups[followups["record_id"].isin(set(records["id"]))]
    return workbook_bytes(city, records, voices, followups)


# --- the yearly report (活動の振り返り) -----------------------------------------------------------------

@dataclass(frozen=True)
class AreaYear:
    """One line of the yearly report: an area, 「圏域の指定なし」 or the city.

    ``activities``: records linked to the area (a record of two areas counts in each; the city counts
    every record once); ``participants``: the sum of their 参加人数 (blank = 0); follow-ups are those of
    these records, by their status now; ``voices``: statements in this area (each once) and
    ``voices_by_tag`` the voice–tag pairs (a voice with two tags counts under both)."""

    area_id: str | None
    name: str
    activities: int
    by_kind: dict[str, int]
    participants: int
    followups_closed: int
    followups_open: int
    voices: int
    voices_by_tag: dict[str, int]


@dataclass(frozen=True)
class YearlyReport:
    municipality_code: str
    municipality_name: str
    fiscal_year: int
    start: date
    end: date
    made_on: date
    areas: tuple[AreaYear, ...]  # the city's areas, in its order
    unassigned: AreaYear  # records without an area; voices without one
    city: AreaYear
    kinds: tuple[str, ...]
    tags: tuple[str, ...]  # the vocabulary's order, then any other tag found


UNASSIGNED_ID, UNASSIGNED_NAME = "", "圏域の指定なし"
CITY_NAME = "市全体"


def yearly_report(engine: Engine, code: str, fiscal_year: int, *, today: date | None = None) -> YearlyReport:
    """Per area and for the city: activities by kind, participants, follow-ups done/open and voices
    by tag, for the records held in 年度 ``fiscal_year`` (April–March)."""
    from dashboard.records.vocab import RECORD_KINDS, tag_names

    start, end = fiscal_year_period(fiscal_year)
    names = area_names(engine, code)
    records = records_table(engine, code, start=start, end=end)
    voices = voices_table(engine, code, start=start, end=end)
    followups = followups_table(engine, code)
    followups = followups[followups["record_id"].isin(set(records["id"]))]
    found_tags = {t for tags in voices["tags"] for t in tags}
    tags = tuple(tag_names()) + tuple(sorted(found_tags - set(tag_names())))
    kinds = tuple(RECORD_KINDS) + tuple(sorted(set(records["kind"]) - set(RECORD_KINDS)))

    def line(area_id: str | None, name: str, mine: pd.DataFrame, heard: pd.DataFrame) -> AreaYear:
        todo = followups[followups["record_id"].isin(set(mine["id"]))]
        by_tag = dict.fromkeys(tags, 0)
        for voice_tags in heard["tags"]:
            for tag in voice_tags:
                by_tag[tag] += 1
        return AreaYear(area_id=area_id, name=name, activities=len(mine),
                        by_kind={k: int((mine["kind"] == k).sum()) for k in kinds},
                        participants=int(mine["participants"].fillna(0).sum()),
                        followups_closed=int((todo["status"] == "closed").sum()),
                        followups_open=int((todo["status"] == "open").sum()),
                        voices=len(heard), voices_by_tag=by_tag)

    linked = [[a for a in ids if a in names] for ids in records["area_ids"]]

    def where(flags: list[bool]) -> pd.DataFrame:  # a boolean mask also when there are no rows
        return records.loc[pd.Series(flags, index=records.index, dtype=bool)]

    areas = tuple(line(a, n, where([a in ids for ids in linked]), voices.loc[voices["area_id"] == a])
                  for a, n in names.items())
    unassigned = line(UNASSIGNED_ID, UNASSIGNED_NAME, where([not ids for ids in linked]),
                      voices.loc[~voices["area_id"].isin(list(names))])
    with read_session(engine) as session:
        city_name = session.scalar(select(m.Municipality.name).where(m.Municipality.code == code)) or code
    return YearlyReport(municipality_code=code, municipality_name=city_name, fiscal_year=fiscal_year, start=start,
                        end=end, made_on=today or date.today(), areas=areas, unassigned=unassigned,
                        city=line(None, CITY_NAME, records, voices), kinds=kinds, tags=tags)


def yearly_report_pdf(engine: Engine, code: str, fiscal_year: int, *, today: date | None = None) -> bytes:
    """The yearly report for the 協議体 as PDF (:func:`dashboard.records.report.pdf_bytes`)."""
    from dashboard.records.report import pdf_bytes

    return pdf_bytes(yearly_report(engine, code, fiscal_year, today=today))


def yearly_report_xlsx(engine: Engine, code: str, fiscal_year: int, *, today: date | None = None) -> bytes:
    """The yearly report for the city's 報告書 as Excel (the same numbers as the PDF)."""
    from dashboard.records.report import xlsx_bytes

    return xlsx_bytes(yearly_report(engine, code, fiscal_year, today=today))
