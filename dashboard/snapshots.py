"""活動の振り返り: frozen copies of a municipality's places, and what changed between two of them.

A snapshot stores every internal field of every place (dates as ISO text) and the 圏域カバー状況
table at the default query (徒歩 500 m, any frequency, gathering categories) as JSON. Snapshots
are compared with each other or with ``current`` — the live store, put through the same JSON
round trip so that both sides of a diff have identical value types.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine, Integer, func, select

from dashboard import coverage, vocab
from dashboard.normalize import is_missing
from dashboard.store import models as m
from dashboard.store import reads
from dashboard.store.engine import read_session, write_session

#: The word that names the live store wherever a snapshot label or id is accepted.
CURRENT = "current"
#: Fields stored for every place (those :func:`reads.places` returns with ``internal=True``).
PLACE_FIELDS = reads.INTERNAL_PLACE_FIELDS
#: Bookkeeping that changes on every save without the place itself changing: never a "change".
IGNORED_FIELDS = ("version", "updated_at")
#: Columns of ``added`` and ``closed`` (``closed`` adds ``reason``: ``removed`` or ``status``).
SUMMARY_COLUMNS = ["id", "name", "category", "area_id", "status"]
CHANGED_COLUMNS = ["id", "name", "category", "area_id", "field", "old", "new"]
COUNT_COLUMNS = ["dimension", "group", "old", "new", "difference"]
LABEL_MAX_CHARS = 64  # the width of snapshots.label
NO_AREA = "（圏域なし）"

_INTEGER_FIELDS = {c.name for c in m.Place.__table__.columns if isinstance(c.type, Integer)}


class SnapshotNotFound(LookupError):
    """No snapshot with that label or id in this municipality; the message is Japanese."""


# --- JSON round trip -------------------------------------------------------------------------------

def _json_value(field: str, value):
    """A place value as JSON holds it: null for missing, ISO text for dates, Python numbers."""
    if is_missing(value):
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if field in _INTEGER_FIELDS and isinstance(value, float):
        return int(value)  # pandas turns an integer column with gaps into floats
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{field: _json_value(field, value) for field, value in row.items()} for row in frame.to_dict("records")]


def _places_frame(records: list[dict]) -> pd.DataFrame:
    columns = list(PLACE_FIELDS) + sorted({k for r in records for k in r} - set(PLACE_FIELDS))
    return pd.DataFrame.from_records(records, columns=columns)


def current_places(engine: Engine, code: str) -> pd.DataFrame:
    """The live places of ``code`` exactly as a snapshot taken now would load them."""
    return _places_frame(_records(reads.places(engine, code, internal=True)))


# --- create, list, load ----------------------------------------------------------------------------

def _check_label(label: str) -> str:
    label = label.strip()
    if not label:
        raise ValueError("ラベルが空です。例: 2026年度")
    if len(label) > LABEL_MAX_CHARS:
        raise ValueError(f"ラベルは{LABEL_MAX_CHARS}文字以内にしてください（{len(label)}文字）")
    # a label that looks like an id, or the word for the live store, would make a reference ambiguous
    if label.isdigit() or label == CURRENT:
        raise ValueError(f"ラベル「{label}」は使えません（数字だけのラベルと「{CURRENT}」はIDや現在の状態と区別できないため）")
    return label


def _coverage_payload(engine: Engine, code: str, places: pd.DataFrame) -> dict:
    query = coverage.CoverageQuery()
    prefecture_code = int(code[:2])
    areas = reads.areas(engine, code)
    units = coverage.build_units(areas, reads.population_cells(engine, code), reads.towns(engine, code),
                                 prefecture_code)
    table = coverage.compute(areas, units, places, query, prefecture_code).table
    return {"distance_m": query.distance_m, "frequency": query.frequency, "categories": list(query.categories),
            "table": [{k: _json_value(k, v) for k, v in row.items()} for row in table.to_dict("records")]}


def create_snapshot(engine: Engine, code: str, label: str, user: str | None = None) -> int:
    """Store the places of ``code`` and their coverage table under ``label``; returns the snapshot id.

    Places are read once and the coverage is computed from that same frame, so the two always
    agree; the row is written in one transaction. Raises ValueError (Japanese message) for an
    unknown municipality, an empty / over-long / digits-only label, ``current``, or a label the
    municipality already used.
    """
    label = _check_label(label)
    if code not in set(reads.municipalities(engine)["code"]):
        raise ValueError(f"市町村コード {code} はストアにありません")
    places = reads.places(engine, code, internal=True)
    payload = _coverage_payload(engine, code, places)
    with write_session(engine) as session:
        snapshot = m.Snapshot(municipality_code=code, label=label, created_by=user,
                              places_json=json.dumps(_records(places), ensure_ascii=False),
                              coverage_json=json.dumps(payload, ensure_ascii=False))
        session.add(snapshot)
        session.flush()
        # Checked after the insert, not before: under SQLite the insert holds the write lock until
        # commit, so two people saving the same label at once cannot both pass this check.
        same = session.scalar(select(func.count()).select_from(m.Snapshot)
                              .where(m.Snapshot.municipality_code == code, m.Snapshot.label == label))
        if same > 1:
            raise ValueError(f"ラベル「{label}」のスナップショットは既にあります。別のラベルにしてください")
        return snapshot.id


def list_snapshots(engine: Engine, code: str) -> pd.DataFrame:
    """``id, label, created_at, created_by, places, active_places``, oldest first."""
    with read_session(engine) as session:
        rows = session.execute(select(m.Snapshot.id, m.Snapshot.label, m.Snapshot.created_at, m.Snapshot.created_by,
                                      m.Snapshot.places_json)
                               .where(m.Snapshot.municipality_code == code)
                               .order_by(m.Snapshot.created_at, m.Snapshot.id)).all()
    data = []
    for row in rows:
        records = json.loads(row.places_json)
        data.append((row.id, row.label, row.created_at, row.created_by, len(records),
                     sum(r.get("status") == "active" for r in records)))
    return pd.DataFrame(data, columns=["id", "label", "created_at", "created_by", "places", "active_places"])


def _find(session, code: str, label_or_id: str | int) -> m.Snapshot:
    stmt = select(m.Snapshot).where(m.Snapshot.municipality_code == code)
    if isinstance(label_or_id, int) or str(label_or_id).strip().isdigit():
        stmt = stmt.where(m.Snapshot.id == int(label_or_id))  # labels are never digits only
    else:
        stmt = stmt.where(m.Snapshot.label == str(label_or_id).strip())
    snapshot = session.scalar(stmt)
    if snapshot is None:
        labels = session.scalars(select(m.Snapshot.label).where(m.Snapshot.municipality_code == code)
                                 .order_by(m.Snapshot.id)).all()
        raise SnapshotNotFound(f"スナップショット「{label_or_id}」がありません"
                               f"（あるもの: {', '.join(labels) or 'なし'}、または {CURRENT}）")
    return snapshot


def load_snapshot(engine: Engine, code: str, label_or_id: str | int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(places, coverage table)`` of a snapshot, by label or id. Raises :class:`SnapshotNotFound`."""
    with read_session(engine) as session:
        snapshot = _find(session, code, label_or_id)
        places_json, coverage_json = snapshot.places_json, snapshot.coverage_json
    table = json.loads(coverage_json)["table"] if coverage_json else []
    return _places_frame(json.loads(places_json)), pd.DataFrame(table, columns=coverage.TABLE_COLUMNS)


def resolve_places(engine: Engine, code: str, reference: str | int) -> pd.DataFrame:
    """Places of a snapshot label/id, or of the live store for ``current``."""
    if str(reference).strip() == CURRENT:
        return current_places(engine, code)
    return load_snapshot(engine, code, reference)[0]


# --- compare -------------------------------------------------------------------------------------

def _same(old, new) -> bool:
    if is_missing(old) or is_missing(new):
        return is_missing(old) and is_missing(new)
    return old == new


def _text(value) -> str | None:
    """A value as the change list shows it: None stays None, 20.0 reads 20."""
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _summary(frame: pd.DataFrame, ids: list) -> pd.DataFrame:
    return frame.loc[ids, SUMMARY_COLUMNS].reset_index(drop=True)


def _changes(old: pd.DataFrame, new: pd.DataFrame, ids: list) -> pd.DataFrame:
    fields = [f for f in dict.fromkeys([*old.columns, *new.columns]) if f not in IGNORED_FIELDS]
    rows = []
    for place_id in ids:
        before, after = old.loc[place_id], new.loc[place_id]
        for field in fields:
            old_value, new_value = before.get(field), after.get(field)
            if not _same(old_value, new_value):
                rows.append((place_id, after["name"], after["category"], after.get("area_id"), field,
                             _text(old_value), _text(new_value)))
    return pd.DataFrame(rows, columns=CHANGED_COLUMNS)


def _group_order(groups, preferred) -> list:
    known = [g for g in preferred if g in groups]
    return known + sorted(g for g in groups if g not in known)


def _counts(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Active places per category and per area, old vs new."""
    parts = []
    for dimension, column, preferred in (("category", "category", vocab.CATEGORY_IDS),
                                         ("area", "area_id", ())):
        tallies = [frame.loc[frame["status"] == "active", column].fillna(NO_AREA).value_counts()
                   for frame in (old, new)]
        groups = _group_order(set(tallies[0].index) | set(tallies[1].index), preferred)
        table = pd.DataFrame({"dimension": dimension, "group": groups,
                              "old": [int(tallies[0].get(g, 0)) for g in groups],
                              "new": [int(tallies[1].get(g, 0)) for g in groups]})
        parts.append(table.assign(difference=table["new"] - table["old"]))
    return pd.concat(parts, ignore_index=True)[COUNT_COLUMNS]


def diff_snapshots(old_places: pd.DataFrame, new_places: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """What changed from ``old_places`` to ``new_places`` (frames as :func:`load_snapshot` returns).

    Returns DataFrames:

    - ``added``: places only in new (:data:`SUMMARY_COLUMNS`).
    - ``closed``: places in old and not in new (``reason`` ``removed``), or whose status became
      ``closed`` (``reason`` ``status``); values as they were in old.
    - ``changed``: one row per changed field of a place in both (``field, old, new`` as text),
      ignoring :data:`IGNORED_FIELDS`. A place counted as closed is not listed again here.
    - ``counts``: active places per ``dimension`` (``category`` / ``area``) and ``group``:
      ``old, new, difference``.

    Inputs are not modified.
    """
    old, new = old_places.set_index("id", drop=False), new_places.set_index("id", drop=False)
    old.index.name = new.index.name = None
    added_ids = [i for i in new.index if i not in old.index]
    removed_ids = [i for i in old.index if i not in new.index]
    both = [i for i in new.index if i in old.index]
    status_closed = [i for i in both if old.at[i, "status"] != "closed" and new.at[i, "status"] == "closed"]
    closed = pd.concat([_summary(old, removed_ids).assign(reason="removed"),
                        _summary(old, status_closed).assign(reason="status")], ignore_index=True)
    return {
        "added": _summary(new, added_ids),
        "closed": closed.sort_values("id", ignore_index=True),
        "changed": _changes(old, new, [i for i in both if i not in set(status_closed)]),
        "counts": _counts(old_places, new_places),
    }


def changes_table(diff: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One frame of every change for export: ``change_type`` (added / closed / changed) first.

    Closed places show their status going from the old value to ``closed`` (or ``（削除）``
    when the place is gone from the newer side).
    """
    added = diff["added"].assign(change_type="added", field=None, old=None, new=None)
    closed = diff["closed"].assign(change_type="closed", field="status", old=diff["closed"]["status"],
                                   new=diff["closed"]["reason"].map({"removed": "（削除）", "status": "closed"}))
    changed = diff["changed"].assign(change_type="changed")
    columns = ["change_type", *CHANGED_COLUMNS]
    frames = [f[columns] for f in (added, closed, changed) if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def coverage_over_time(engine: Engine, code: str) -> pd.DataFrame:
    """``label, created_at, area_id, area_name, coverage65`` from each snapshot's stored table,
    oldest snapshot first; each snapshot has one row per area and one for 市全体 (``ALL``)."""
    columns = ["label", "created_at", "area_id", "area_name", "coverage65"]
    with read_session(engine) as session:
        rows = session.execute(select(m.Snapshot.label, m.Snapshot.created_at, m.Snapshot.coverage_json)
                               .where(m.Snapshot.municipality_code == code)
                               .order_by(m.Snapshot.created_at, m.Snapshot.id)).all()
    data = [(row.label, row.created_at, area["area_id"], area["area_name"], area["coverage65"])
            for row in rows if row.coverage_json for area in json.loads(row.coverage_json)["table"]]
    return pd.DataFrame(data, columns=columns)
