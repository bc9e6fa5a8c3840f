"""Editing one place (form, optimistic concurrency, audit log, 確認済み) and the 要確認 list."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import editing, exports, vocab
from dashboard.errors import InputError
from dashboard.maps.resource_map import MapOptions, build_resource_map
from dashboard.places_view import is_stale
from dashboard.ui import session
from dashboard.ui.map_view import show_map
from dashboard.ui.store import engine

#: Form labels (Japanese) per template field, in form order.
LABELS = {
    "name": "名称（必須）", "name_kana": "ふりがな", "category": "種別（必須）", "status": "状態", "visibility": "公開区分",
    "address": "所在地（住所）", "prefecture": "都道府県", "city": "市区町村", "town_street": "町字", "banchi": "番地以下",
    "building": "建物名等", "lat": "緯度（必須）", "lon": "経度（必須）", "location_precision": "位置の精度",
    "rrule": "繰り返し規則（RRULE）", "schedule_text": "日程（表示用）", "operator_type": "運営", "venue_type": "場所",
    "activities": "活動（・区切り）", "target": "対象", "capacity": "定員", "fee": "参加費", "transport": "送迎（あり/なし）",
    "barrier_free": "バリアフリー（あり/なし）", "contact_public": "連絡先（公開）", "contact_internal": "内部連絡先（非公開）",
    "url": "ホームページ", "last_verified": "最終確認日", "source": "出典", "notes": "備考（内部）",
}
_CHOICES = {
    "category": list(vocab.CATEGORY_IDS), "status": list(vocab.STATUSES), "visibility": list(vocab.VISIBILITIES),
    "location_precision": list(vocab.LOCATION_PRECISIONS), "operator_type": [""] + list(vocab.OPERATOR_TYPES),
    "venue_type": [""] + list(vocab.VENUE_TYPES),
}
_CHOICE_LABELS = {**vocab.STATUSES, **vocab.VISIBILITIES, **vocab.LOCATION_PRECISIONS, "": "（未選択）"}
_EDIT_KEY = "tsudoi_edit"


def _form_state(place_id: str | None, places: pd.DataFrame) -> dict:
    """The form's starting values for ``place_id`` (kept while the user edits, reset on switch)."""
    state = st.session_state.get(_EDIT_KEY)
    if state is None or state["place_id"] != place_id:
        if place_id is None:
            base = {f: "" for f in editing.EDITABLE} | {"status": "active", "visibility": "internal",
                                                           "location_precision": "manual"}
            version = None
        else:
            record = places[places["id"] == place_id].iloc[0].to_dict()
            base = editing.form_values(record)
            version = int(record["version"])
        state = {"place_id": place_id, "base": base, "version": version, "conflict": None}
        st.session_state[_EDIT_KEY] = state
        for field, value in base.items():
            st.session_state[f"tsudoi_f_{field}"] = value
    return state


def _field(field: str) -> str:
    key = f"tsudoi_f_{field}"
    if field in _CHOICES:
        options = _CHOICES[field]
        if st.session_state.get(key) not in options:
            options = options + [st.session_state.get(key, "")]
        return st.selectbox(LABELS[field], options, key=key, format_func=lambda v: _CHOICE_LABELS.get(v, v))
    if field in ("notes", "schedule_text"):
        return st.text_area(LABELS[field], key=key, height=80)
    return st.text_input(LABELS[field], key=key)


def _pick_point(areas, towns, places, place_id: str | None) -> None:
    """Click on the map to set the point (the form's 緯度・経度 follow; precision = 手動で指定)."""
    st.caption("地図をクリックすると、その地点を緯度・経度に入れます（位置の精度は「手動で指定」になります）。")
    shown = places[places["id"] == place_id] if place_id else places.iloc[:0]
    fmap = build_resource_map(areas, towns, shown, places.iloc[:0], MapOptions(show_towns=True), selected_id=place_id)
    clicked = show_map(fmap, key="tsudoi_edit_map", height=380, map_clicks=True)
    if clicked and clicked != st.session_state.get("tsudoi_edit_last_click"):
        st.session_state["tsudoi_edit_last_click"] = clicked
        st.session_state["tsudoi_f_lat"] = f"{clicked[0]:.6f}"
        st.session_state["tsudoi_f_lon"] = f"{clicked[1]:.6f}"
        st.session_state["tsudoi_f_location_precision"] = "manual"
        st.rerun()


def edit_place(code: str, areas, towns, places: pd.DataFrame) -> None:
    names = dict(zip(places["id"], places["name"]))
    pending = st.session_state.pop("tsudoi_edit_select_next", None)
    if pending in names:  # set before the widget exists (after a save created or changed a place)
        st.session_state["tsudoi_edit_choice"] = pending
    flash = st.session_state.pop("tsudoi_edit_flash", None)
    if flash:
        st.success(flash)
    choice = st.selectbox("編集する資源", ["__new__"] + list(names), key="tsudoi_edit_choice",
                          format_func=lambda i: "＋ 新しい資源を登録" if i == "__new__" else f"{names[i]}（{i}）")
    place_id = None if choice == "__new__" else choice
    state = _form_state(place_id, places)
    user = session.current_user()
    if place_id:
        left, right = st.columns([3, 1])
        left.caption(f"ID {place_id}・版 {state['version']}")
        if right.button("確認済みにする", key="tsudoi_verify", help="最終確認日を今日にします"):
            editing.mark_verified(engine(), place_id=place_id, user=user.name, on=date.today())
            st.session_state.pop(_EDIT_KEY, None)
            st.session_state["tsudoi_edit_flash"] = "最終確認日を今日にしました。"
            st.rerun()
    _pick_point(areas, towns, places, place_id)
    with st.form("tsudoi_edit_form"):
        columns = st.columns(2)
        values = {}
        for index, field in enumerate(editing.EDITABLE):
            with columns[index % 2]:
                values[field] = _field(field)
        submitted = st.form_submit_button("保存する", type="primary")
    if state["conflict"]:
        _show_conflict(state["conflict"])
    if submitted:
        _save(code, place_id, values, state, user.name)


def _save(code: str, place_id: str | None, values: dict, state: dict, user: str) -> None:
    try:
        saved_id, version = editing.save_place(engine(), municipality_code=code, place_id=place_id, values=values,
                                               base_version=state["version"], user=user, base_values=state["base"])
    except InputError as error:
        for problem in error.problems:
            st.error(f"{LABELS.get(problem.column, problem.column or '')}: {problem.message_ja}")
        return
    except editing.EditConflict as conflict:
        state["conflict"] = conflict
        st.rerun()
    st.session_state.pop(_EDIT_KEY, None)
    st.session_state["tsudoi_edit_select_next"] = saved_id
    st.session_state["tsudoi_edit_flash"] = f"保存しました（版 {version}）。"
    st.rerun()


def _show_conflict(conflict: editing.EditConflict) -> None:
    """Nothing was saved: show what the other person changed next to what this user typed."""
    st.error("保存していません：あなたが編集している間に、ほかの人がこの資源を変更しました。"
             "下の表を見て、必要なら入力を直してから「最新の内容で編集し直す」を押してください。"
             "あなたの入力はフォームに残っています。")
    st.dataframe(pd.DataFrame([{"項目": LABELS.get(f, f), "ほかの人が保存した値": theirs, "あなたの入力": yours}
                               for f, (theirs, yours) in conflict.theirs.items()]), hide_index=True, width="stretch")
    if st.button("最新の内容で編集し直す（あなたの入力は残します）", key="tsudoi_conflict_reload"):
        state = st.session_state[_EDIT_KEY]
        # keep only what this user changed; everything else comes from the newest version
        typed = {f: st.session_state.get(f"tsudoi_f_{f}", "") for f in editing.EDITABLE}
        mine = {f: v for f, v in typed.items() if v != state["base"].get(f, "")}
        st.session_state.pop(_EDIT_KEY, None)
        st.session_state["tsudoi_edit_keep"] = mine
        st.session_state["tsudoi_edit_reload"] = state["place_id"]
        st.rerun()


def restore_typed_after_reload(places: pd.DataFrame) -> None:
    """After 「最新の内容で編集し直す」: load the newest version, then put back the fields this user
    had changed (the other person's changes to other fields are kept)."""
    place_id = st.session_state.pop("tsudoi_edit_reload", None)
    typed = st.session_state.pop("tsudoi_edit_keep", None)
    if place_id is None or typed is None:
        return
    _form_state(place_id, places)
    for field, value in typed.items():
        st.session_state[f"tsudoi_f_{field}"] = value


def audit_panel(place_id: str | None) -> None:
    if not place_id:
        return
    log = editing.audit_log(engine(), place_id)
    with st.expander(f"変更履歴（{len(log)} 件）"):
        st.dataframe(log.rename(columns={"changed_at": "日時", "changed_by": "変更者", "action": "操作", "field": "項目",
                                         "old_value": "変更前", "new_value": "変更後"}), hide_index=True, width="stretch")


def stale_list(places: pd.DataFrame, area_names: dict[str, str]) -> None:
    """要確認: places not verified for 12 months, with a CSV for the annual check round."""
    today = date.today()
    stale = places[places["status"] != "closed"]
    stale = stale[stale["last_verified"].map(lambda d: is_stale(d if isinstance(d, date) else None, today))]
    st.markdown(f"**12か月以上確認されていない資源：{len(stale)} 件**")
    sheet = pd.DataFrame({
        "ID": stale["id"], "名称": stale["name"], "種別": stale["category"],
        "圏域": stale["area_id"].map(area_names), "住所": stale["address"],
        "最終確認日": stale["last_verified"].map(lambda d: d.isoformat() if isinstance(d, date) else "未確認"),
        "連絡先（公開）": stale["contact_public"], "内部連絡先": stale["contact_internal"],
        "確認結果（記入欄）": "", "確認日（記入欄）": "",
    })
    st.dataframe(sheet, hide_index=True, width="stretch")
    st.download_button("確認作業用の一覧をCSVで保存", exports.csv_bytes(sheet), file_name=f"要確認_{today.isoformat()}.csv",
                       mime="text/csv", key="tsudoi_stale_csv")


def selected_edit_id() -> str | None:
    state = st.session_state.get(_EDIT_KEY)
    return state["place_id"] if state else None

