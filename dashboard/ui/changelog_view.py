"""The city-wide change log (データ管理 › 変更履歴): every change to the city's places, by day and user.

The query is :func:`dashboard.services.audit.city_changes` (cached in :mod:`dashboard.ui.store`);
here it gets Japanese headers, field names and values, and a CSV for Excel (UTF-8 with BOM,
formula cells neutralised by :func:`dashboard.exports.csv_bytes`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard import exports, vocab
from dashboard.services.audit import JAPAN
from dashboard.ui import store
from dashboard.ui.edit_view import LABELS
from dashboard.ui.text import md_escape

#: Audit actions in words.
ACTIONS = {"create": "新規登録", "update": "変更", "verify": "確認済みにした", "import": "取り込み"}
#: Fields that are stored (and audited) but not on the form, and the whole-record entry of a creation.
EXTRA_FIELDS = {"frequency_class": "頻度", "town_code": "町丁目", "area_id": "圏域", "*": "（新規登録）"}
#: Stored codes → words, per field (手入力 rather than ``manual``).
VALUE_WORDS = {"status": vocab.STATUSES, "visibility": vocab.VISIBILITIES,
               "location_precision": vocab.LOCATION_PRECISIONS, "frequency_class": vocab.FREQUENCY_CLASSES,
               "transport": {"True": "あり", "False": "なし"}, "barrier_free": {"True": "あり", "False": "なし"}}
HEADERS = ["日時（日本時間）", "変更者", "操作", "資源ID", "資源名", "項目", "変更前", "変更後"]
#: The period shown first: the last days up to today.
DEFAULT_DAYS = 90
_IMPORT_PREFIX = "import:"


def field_label(field: str) -> str:
    """「所在地（住所）」 for ``address``: the edit form's label, else our own, else the id."""
    return LABELS.get(field) or EXTRA_FIELDS.get(field) or field


def author_label(changed_by: str) -> str:
    """A user name as is; an import as 「取り込み（ファイル名）」."""
    if changed_by and changed_by.startswith(_IMPORT_PREFIX):
        return f"取り込み（{changed_by.removeprefix(_IMPORT_PREFIX)}）"
    return changed_by or ""


def _value(field: str, value, names: dict[str, dict[str, str]]) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    words = {**VALUE_WORDS, **names}.get(field, {})
    return words.get(text, text)


def change_sheet(changes: pd.DataFrame, area_names: dict[str, str], town_names: dict[str, str]) -> pd.DataFrame:
    """The change log with :data:`HEADERS`: Japanese field names, actions and values; ``changes``
    as returned by :func:`dashboard.services.audit.city_changes`."""
    names = {"area_id": area_names, "town_code": town_names}
    return pd.DataFrame({
        HEADERS[0]: [t.strftime("%Y-%m-%d %H:%M") if isinstance(t, datetime) else "" for t in changes["changed_at"]],
        HEADERS[1]: changes["changed_by"].map(author_label),
        HEADERS[2]: changes["action"].map(lambda a: ACTIONS.get(a, a)),
        HEADERS[3]: changes["place_id"],
        HEADERS[4]: changes["place_name"].fillna("（削除済み）"),
        HEADERS[5]: changes["field"].map(field_label),
        HEADERS[6]: [_value(f, v, names) for f, v in zip(changes["field"], changes["old_value"])],
        HEADERS[7]: [_value(f, v, names) for f, v in zip(changes["field"], changes["new_value"])],
    }, columns=HEADERS)


def _period(today: date) -> tuple[date, date] | None:
    chosen = st.date_input("期間（日本時間）", value=(today - timedelta(days=DEFAULT_DAYS), today), max_value=today,
                           format="YYYY/MM/DD", key="tsudoi_log_period")
    if isinstance(chosen, date):
        return chosen, chosen
    if len(chosen) == 2:
        return chosen[0], chosen[1]
    return None  # the user has picked the first day only


def change_log(code: str, city: str, area_names: dict[str, str], town_names: dict[str, str]) -> None:
    """Filters (period, user), the log of every place of the city, newest first, and a CSV."""
    today = datetime.now(JAPAN).date()
    left, right = st.columns(2)
    with left:
        period = _period(today)
    authors = store.change_authors(code)
    with right:
        user = st.selectbox("変更者", [""] + authors, key="tsudoi_log_user",
                            format_func=lambda u: author_label(u) if u else "すべて")
    if period is None:
        st.info("期間の終わりの日も選んでください。")
        return
    start, end = period
    sheet = change_sheet(store.city_changes(code, start, end, user or None), area_names, town_names)
    who = f"、変更者：{author_label(user)}" if user else ""
    st.caption(md_escape(f"{start:%Y/%m/%d}〜{end:%Y/%m/%d}（日本時間）{who}：{len(sheet):,} 件（新しい順）。"
                         "取り込みと入力フォームでの変更、確認済みにした記録を、項目ごとに1行で表示します。"))
    if sheet.empty:
        st.info("この条件の変更はありません。期間を広げるか、変更者を「すべて」にしてください。")
        return
    st.dataframe(sheet, hide_index=True, width="stretch")
    st.download_button("この変更履歴をCSVで保存", exports.csv_bytes(sheet), mime="text/csv", key="tsudoi_log_csv",
                       file_name=f"変更履歴_{_file_part(city)}_{start:%Y%m%d}-{end:%Y%m%d}.csv")


def _file_part(text: str) -> str:
    """A piece of a file name: characters Windows refuses become 「_」."""
    return "".join("_" if ch in '\\/:*?"<>|' or ord(ch) < 32 else ch for ch in text).strip() or "市"


def place_history(place_id: str | None) -> None:
    """One place's 変更履歴 in words (the same field names, actions and values as the city's log)."""
    from dashboard import editing

    if not place_id:
        return
    log = editing.audit_log(store.engine(), place_id)
    with st.expander(f"変更履歴（{len(log)} 件）"):
        st.dataframe(pd.DataFrame({
            "日時": [t.strftime("%Y-%m-%d %H:%M") if isinstance(t, datetime) else "" for t in log["changed_at"]],
            "変更者": log["changed_by"].map(author_label), "操作": log["action"].map(lambda a: ACTIONS.get(a, a)),
            "項目": log["field"].map(field_label),
            "変更前": [_value(f, v, {}) for f, v in zip(log["field"], log["old_value"])],
            "変更後": [_value(f, v, {}) for f, v in zip(log["field"], log["new_value"])],
        }), hide_index=True, width="stretch")
