"""An activity record as entered (form or import row) and its checks that need no store. Pure.

The service (:mod:`dashboard.services.records`) checks what needs the store — areas and places of the
city — and writes; the form and the importer build a :class:`RecordInput` and call it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dashboard.errors import Problem
from dashboard.records import privacy
from dashboard.records.vocab import RECORD_KINDS, tag_names

#: Follow-up states as stored, with their Japanese labels.
FOLLOWUP_STATUSES = {"open": "未完了", "closed": "完了"}
#: What the problems of the form are reported against (the importer uses its file name).
FORM = "入力フォーム"
#: Longest texts accepted (characters): a record is a note, not a report; a voice is one statement.
MAX_SUMMARY_CHARS, MAX_VOICE_CHARS, MAX_FOLLOWUP_CHARS = 4000, 200, 300


@dataclass(frozen=True)
class FollowUp:
    """Something to do after the activity. ``owner`` is a role or an office (第2層SC, 地域包括), not a
    person's name; ``closed_on`` is set when ``status`` is closed."""

    text: str
    owner: str = ""
    due_on: date | None = None
    status: str = "open"
    closed_on: date | None = None


@dataclass(frozen=True)
class VoiceEntry:
    """One 地域の声: the statement, its tags (vocabulary names) and its 日常生活圏域 (None = not one)."""

    text: str
    tags: tuple[str, ...] = ()
    area_id: str | None = None


@dataclass(frozen=True)
class RecordInput:
    """An activity record as a user gives it. ``area_ids`` empty = city-wide (e.g. 第1層協議体)."""

    held_on: date | None
    kind: str
    area_ids: tuple[str, ...] = ()
    place_id: str | None = None
    participants: int | None = None
    summary: str = ""
    followups: tuple[FollowUp, ...] = field(default_factory=tuple)
    voices: tuple[VoiceEntry, ...] = field(default_factory=tuple)


def problems(record: RecordInput, *, name: str = FORM, row: int | None = None,
             columns: dict[str, str] | None = None) -> list[Problem]:
    """What is wrong with ``record`` on its own (kind, date, counts, texts, tags), as Problems naming
    ``name``, ``row`` and the column (``columns`` maps field → the file's header)."""
    columns = columns or {}
    found = []

    def add(column: str, ja: str, en: str) -> None:
        found.append(Problem(name, ja, en, row=row, column=columns.get(column, column)))

    if record.held_on is None:
        add("held_on", "日付がありません", "date missing")
    if record.kind not in RECORD_KINDS:
        add("kind", f"種別「{record.kind}」は使えません（使えるもの: {'、'.join(RECORD_KINDS)}）", "unknown kind")
    if record.participants is not None and record.participants < 0:
        add("participants", "参加人数は0以上の整数にしてください", "negative participants")
    if not record.summary.strip() and not record.voices:
        add("summary", "概要か地域の声のどちらかを書いてください", "empty record")
    if len(record.summary) > MAX_SUMMARY_CHARS:
        add("summary", f"概要は{MAX_SUMMARY_CHARS:,}字までにしてください（{len(record.summary):,}字）", "summary too long")
    known = set(tag_names())
    for number, voice in enumerate(record.voices, start=1):
        if not voice.text.strip():
            add("voices", f"{number}件目の声に本文がありません", "empty voice")
        if len(voice.text) > MAX_VOICE_CHARS:
            add("voices", f"{number}件目の声は{MAX_VOICE_CHARS}字までの短い一文にしてください", "voice too long")
        unknown = [t for t in voice.tags if t not in known]
        if unknown:
            add("voices", f"{number}件目の声のタグ「{'、'.join(unknown)}」は語彙にありません"
                          f"（使えるもの: {'、'.join(sorted(known, key=list(tag_names()).index))}）", "unknown tag")
    for number, item in enumerate(record.followups, start=1):
        if not item.text.strip():
            add("followups", f"{number}件目のフォローアップに内容がありません", "empty follow-up")
        if len(item.text) > MAX_FOLLOWUP_CHARS:
            add("followups", f"{number}件目のフォローアップは{MAX_FOLLOWUP_CHARS}字までにしてください", "follow-up too long")
        if item.status not in FOLLOWUP_STATUSES:
            add("followups", f"{number}件目のフォローアップの状態「{item.status}」は使えません", "unknown status")
    return found


def privacy_fields(record: RecordInput) -> dict[str, str]:
    """The free texts of a record, labelled as the user sees them (for :func:`privacy_findings`)."""
    fields = {"概要": record.summary}
    for number, voice in enumerate(record.voices, start=1):
        fields[f"地域の声{number}"] = voice.text
    for number, item in enumerate(record.followups, start=1):
        fields[f"フォローアップ{number}"] = item.text
        fields[f"フォローアップ{number}の担当"] = item.owner
    return fields


def privacy_findings(record: RecordInput) -> list[privacy.Finding]:
    """What in ``record`` looks like personal data (see :mod:`dashboard.records.privacy`)."""
    return privacy.check_fields(privacy_fields(record))
