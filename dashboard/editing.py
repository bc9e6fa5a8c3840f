"""Editing places by hand: validation, optimistic concurrency, audit trail, 確認済み.

Every save is one transaction. A place carries a ``version``; a save names the version the user
started from. If someone else saved in between, nothing is written and :class:`EditConflict`
says which fields they changed, with both values, so the user loses nothing.

This holds across app processes sharing one store: the stored row is read ``FOR UPDATE`` (on
PostgreSQL a second saver waits for the first to commit, then sees its version), and the write is
``UPDATE … WHERE id = ? AND version = ?`` (the model's ``version_id_col``), so a save that read an
older version changes nothing on any backend and becomes the same :class:`EditConflict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm.exc import StaleDataError

from dashboard.errors import InputError, Problem
from dashboard.geocode import split_address
from dashboard.importers.places import TEMPLATE_COLUMNS, validate
from dashboard.normalize import is_missing
from dashboard.schedule import Schedule
from dashboard.store import models as m
from dashboard.store import writes
from dashboard.store.engine import read_session, write_session

#: Fields a coordinator edits in the form (derived ones — frequency, area, town — are computed).
EDITABLE = tuple(c for c in TEMPLATE_COLUMNS if c != "id")
#: The address block's parts, derived from the one address entry (所在地_連結表記).
ADDRESS_PARTS = ("prefecture", "city", "town_street", "banchi")


@dataclass
class EditConflict(Exception):
    """The place changed since the user opened it. ``theirs``: field → (their value, your value)."""

    place_id: str
    current_version: int
    theirs: dict[str, tuple]

    def __str__(self) -> str:
        return f"place {self.place_id} changed (now version {self.current_version}): {sorted(self.theirs)}"


def _as_text(value) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "あり" if value else "なし"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def form_values(place: dict) -> dict[str, str]:
    """A stored place as the text cells of the edit form (the same text the importer reads).

    A place with address parts but no full address (imported from 都道府県・市区町村・町字・番地以下
    columns) shows them joined, since the form has one address entry."""
    values = {field: _as_text(place.get(field)) for field in EDITABLE}
    if not values["address"]:
        values["address"] = "".join(values[part] for part in ADDRESS_PARTS)
    return values


def _with_schedule(row: dict[str, str], chosen: Schedule) -> None:
    """The rule and its words from the schedule builder (never typed side by side)."""
    problems = chosen.problems()
    if problems:
        raise InputError([Problem("入力フォーム", message, "schedule builder", row=None, column="schedule")
                          for message in problems])
    row["rrule"] = chosen.rrule() or ""
    row["schedule_text"] = chosen.text() or ""


def _with_address_parts(engine: Engine, row: dict[str, str], municipality_code: str, place_id: str | None) -> None:
    """都道府県・市区町村・町字・番地以下 derived from the address when it is new or was changed.

    An unchanged address keeps its stored parts, so editing the fee does not rewrite them.
    """
    with read_session(engine) as session:
        stored = session.get(m.Place, place_id) if place_id else None
        city = session.scalar(select(m.Municipality.name).where(m.Municipality.code == municipality_code))
    address = row.get("address", "").strip()
    if stored is not None and address == (stored.address or "").strip():
        return
    row.update(split_address(address, city=city))


def save_place(engine: Engine, *, municipality_code: str, place_id: str | None, values: dict[str, str],
               base_version: int | None, user: str, base_values: dict[str, str] | None = None,
               schedule: Schedule | None = None) -> tuple[str, int]:
    """Create (``place_id`` None) or update a place from form text; returns ``(id, new version)``.

    Raises :class:`dashboard.errors.InputError` for invalid values (nothing written) and
    :class:`EditConflict` when the stored version is not ``base_version``. With ``base_values``
    (the form as it was opened) the conflict lists exactly the fields the other person changed.

    ``schedule`` (the form's schedule builder) sets ``rrule`` and ``schedule_text`` — the words are
    derived from the rule, so 第3木曜 → 第3金曜 changes the rule the weekday filter reads. Without
    it, ``values`` whose words name other days than their rule are refused (column
    ``schedule_text``), never stored side by side. The address parts (都道府県 … 番地以下) are derived
    from ``address`` when it is new or changed.
    """
    row = {field: values.get(field, "") for field in EDITABLE}
    row["id"] = place_id or ""
    if schedule is not None:
        _with_schedule(row, schedule)
    _with_address_parts(engine, row, municipality_code, place_id)
    record = validate(pd.DataFrame([row], dtype=str), "入力フォーム", id_prefix="p")[0]
    try:
        return _write(engine, record, row, municipality_code=municipality_code, place_id=place_id,
                      base_version=base_version, base_values=base_values, user=user)
    except StaleDataError as error:  # another process saved between our read and our UPDATE
        with read_session(engine) as session:
            raise _conflict(session.get(m.Place, place_id), row, base_values) from error


def _conflict(current: m.Place, row: dict[str, str], base_values: dict[str, str] | None) -> EditConflict:
    """What the other person changed: against the form as opened (``base_values``), else against ours."""
    now = form_values({f: getattr(current, f) for f in EDITABLE})
    if base_values is not None:
        changed = [f for f in EDITABLE if now[f] != base_values.get(f, "")]
    else:
        changed = [f for f in EDITABLE if now[f] != row[f]]
    return EditConflict(current.id, current.version, {f: (now[f], row[f]) for f in changed})


def _write(engine: Engine, record: dict, row: dict[str, str], *, municipality_code: str, place_id: str | None,
           base_version: int | None, base_values: dict[str, str] | None, user: str) -> tuple[str, int]:
    with write_session(engine) as session:
        # FOR UPDATE: on PostgreSQL a concurrent saver of this place waits here until we commit (SQLite
        # renders no lock; its writers queue on the file and the versioned UPDATE catches a stale read)
        current = session.get(m.Place, record["id"], with_for_update=True) if place_id else None
        if place_id and current is None:
            raise KeyError(f"no place {place_id!r}")
        if current is not None and current.version != base_version:
            raise _conflict(current, row, base_values)
        if current is None and session.get(m.Place, record["id"]) is not None:
            record["id"] = f"{record['id']}-{pd.Timestamp.now().strftime('%H%M%S')}"
        batch = writes.add_batch(session, "edit", f"edit by {user}", "-", 1, created_by=user)
        writes.upsert_places(session, [record], municipality_code=municipality_code,
                             prefecture_code=int(municipality_code[:2]), batch_id=batch, source_name="入力フォーム",
                             changed_by=user, action="update")
        session.flush()
        return record["id"], session.get(m.Place, record["id"]).version


#: 確認済み needs no base version (it overwrites nothing anyone typed): a save that met another
#: process's newer version is simply made again on top of it, this many times at most.
VERIFY_ATTEMPTS = 3


def mark_verified(engine: Engine, *, place_id: str, user: str, on: date) -> None:
    """「確認済みにする」: set ``last_verified`` (audit action ``verify``)."""
    for attempt in range(1, VERIFY_ATTEMPTS + 1):
        try:
            with write_session(engine) as session:
                place = session.get(m.Place, place_id, with_for_update=True)
                if place is None:
                    raise KeyError(f"no place {place_id!r}")
                writes.add_audit(session, place_id=place_id, municipality_code=place.municipality_code,
                                 changed_by=user, action="verify", field="last_verified", old=place.last_verified,
                                 new=on)
                place.last_verified = on
                place.version += 1
            return
        except StaleDataError:
            if attempt == VERIFY_ATTEMPTS:
                raise


def audit_log(engine: Engine, place_id: str) -> pd.DataFrame:
    """``changed_at, changed_by, action, field, old_value, new_value``, newest first."""
    columns = ("changed_at", "changed_by", "action", "field", "old_value", "new_value")
    with read_session(engine) as session:
        rows = session.execute(select(*(getattr(m.AuditEntry, c) for c in columns))
                               .where(m.AuditEntry.place_id == place_id)
                               .order_by(m.AuditEntry.id.desc())).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))
