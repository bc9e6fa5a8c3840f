"""The city-wide change log (変更履歴): every audit entry of a city's places, filtered by day and user.

Audit entries are written by the edit form, 「確認済みにする」 and imports (one row per changed field;
see :class:`dashboard.store.models.AuditEntry`). Their time is the store's ``CURRENT_TIMESTAMP``,
which SQLite keeps in UTC; people think in Japan's days, so the days given here and the times
returned are Japan time (UTC+9, no daylight saving). No Streamlit; the UI gives the Japanese labels.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pandas as pd
from sqlalchemy import Engine, select

from dashboard.store import models as m
from dashboard.store.engine import read_session

#: Japan Standard Time: audit times are shown in it and filter days are its days.
JAPAN = timezone(timedelta(hours=9), "JST")
_TICK = timedelta(microseconds=1)
COLUMNS = ["changed_at", "changed_by", "action", "place_id", "place_name", "field", "old_value", "new_value"]


def city_changes(engine: Engine, code: str, *, start: date | None = None, end: date | None = None,
                 user: str | None = None) -> pd.DataFrame:
    """The audit entries of city ``code``, newest first, as :data:`COLUMNS`.

    ``start`` / ``end``: first and last day (Japan time, both included; None = open); ``user``:
    only entries by this ``changed_by`` (a user name, or ``import:<file>`` for an import).
    ``changed_at`` is a naive datetime in Japan time; ``place_name`` is the place's current name.
    Raises ``ValueError`` when ``start`` is after ``end``.
    """
    if start is not None and end is not None and start > end:
        raise ValueError(f"start {start} is after end {end}")
    query = (select(m.AuditEntry.changed_at, m.AuditEntry.changed_by, m.AuditEntry.action, m.AuditEntry.place_id,
                    m.Place.name, m.AuditEntry.field, m.AuditEntry.old_value, m.AuditEntry.new_value)
             .outerjoin(m.Place, m.Place.id == m.AuditEntry.place_id)
             .where(m.AuditEntry.municipality_code == code)
             .order_by(m.AuditEntry.changed_at.desc(), m.AuditEntry.id.desc()))
    # SQLite keeps these times as text: 「2026-04-01 15:00:00」 from CURRENT_TIMESTAMP, but a bound
    # datetime is compared as 「2026-04-01 15:00:00.000000」, which sorts after it. Bounds one
    # microsecond inside the period compare right in both spellings (and as real timestamps).
    if start is not None:
        query = query.where(m.AuditEntry.changed_at > _stored_time(start) - _TICK)
    if end is not None:
        query = query.where(m.AuditEntry.changed_at <= _stored_time(end + timedelta(days=1)) - _TICK)
    if user:
        query = query.where(m.AuditEntry.changed_by == user)
    with read_session(engine) as session:
        rows = session.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=COLUMNS)
    frame["changed_at"] = [_japan_time(t) for t in frame["changed_at"]]
    return frame


def change_authors(engine: Engine, code: str) -> list[str]:
    """Everyone (and every import) that changed a place of city ``code``, sorted."""
    with read_session(engine) as session:
        names = session.scalars(select(m.AuditEntry.changed_by).where(m.AuditEntry.municipality_code == code)
                                .distinct()).all()
    return sorted(n for n in names if n)


def _stored_time(day: date) -> datetime:
    """The stored (naive UTC) time at which Japan's ``day`` begins."""
    return datetime.combine(day, time(0), JAPAN).astimezone(timezone.utc).replace(tzinfo=None)


def _japan_time(stored: datetime | None) -> datetime | None:
    if stored is None or pd.isna(stored):
        return None
    return stored.replace(tzinfo=timezone.utc).astimezone(JAPAN).replace(tzinfo=None)
