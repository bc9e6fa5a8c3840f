"""Editing one place (form, optimistic concurrency, audit log, 確認済み) and the 要確認 list."""

from __future__ import annotations

from datetime import date, time

import pandas as pd
import streamlit as st
from folium.map import FitBounds

from dashboard import editing, exports, schedule, vocab
from dashboard.errors import InputError
from dashboard.maps.resource_map import MapOptions, build_resource_map
from dashboard.places_view import is_stale
from dashboard.ui import session
from dashboard.ui.map_view import basemap_choice, show_map
from dashboard.ui.store import engine, read
from geo.view import zoom_to_fit

#: Form labels (Japanese) per template field, in form order.
LABELS = {
    "name": "名称（必須）", "name_kana": "ふりがな", "category": "種別（必須）", "status": "状態", "visibility": "公開区分",
    "address": "所在地（住所）", "prefecture": "都道府県", "city": "市区町村", "town_street": "町字", "banchi": "番地以下",
    "building": "建物名・会場（建物名等）", "lat": "緯度（必須）", "lon": "経度（必須）", "location_precision": "位置の精度",
    "rrule": "繰り返し規則（RRULE）", "schedule_text": "日程（表示用）", "operator_type": "運営", "venue_type": "場所",
    "activities": "活動（・区切り）", "target": "対象", "capacity": "定員", "fee": "参加費", "transport": "送迎",
    "barrier_free": "バリアフリー", "contact_public": "連絡先（公開）", "contact_internal": "内部連絡先（非公開）",
    "url": "ホームページ", "last_verified": "最終確認日", "source": "出典", "notes": "備考（内部）",
    "schedule": "日程", "schedule_time": "開催時間（日程に付けます）",
}
_YES_NO = ["あり", "なし", ""]  # "" = 不明: the importer reads an empty cell as unknown
_CHOICES = {
    "category": list(vocab.CATEGORY_IDS), "status": list(vocab.STATUSES), "visibility": list(vocab.VISIBILITIES),
    "location_precision": list(vocab.LOCATION_PRECISIONS), "operator_type": [""] + list(vocab.OPERATOR_TYPES),
    "venue_type": [""] + list(vocab.VENUE_TYPES), "transport": _YES_NO, "barrier_free": _YES_NO,
}
_CHOICE_LABELS = {**vocab.STATUSES, **vocab.VISIBILITIES, **vocab.LOCATION_PRECISIONS, "": "（未選択）"}
_FIELD_CHOICE_LABELS = {"transport": {"": "不明"}, "barrier_free": {"": "不明"}}
#: The form, row by row: two fields side by side are read (and tabbed through) left to right, so
#: 緯度 comes before 経度. The address is one entry; its parts (都道府県 … 番地以下) are derived.
_SECTIONS = (
    ("基本", (("name", "name_kana"), ("category", "status"), ("visibility",))),
    ("所在地", (("address",), ("building",))),
    ("位置（地図をクリックしても入ります）", (("lat", "lon"), ("location_precision",))),
    ("内容", (("operator_type", "venue_type"), ("activities", "target"), ("capacity", "fee"),
             ("transport", "barrier_free"))),
    ("連絡先と確認", (("contact_public", "contact_internal"), ("url", "last_verified"), ("source",), ("notes",))),
)
_WIDGET_FIELDS = tuple(f for _, rows in _SECTIONS for row in rows for f in row)
_EDIT_KEY = "tsudoi_edit"
_S = "tsudoi_s_"  # schedule builder widget keys
#: The edit map: a point is shown this close; the city is fitted into this box (the map is as wide
#: as the form, about 600 px on a PC, and 380 px high).
PLACE_ZOOM = 16
MAP_HEIGHT_PX = 380
MAP_WIDTH_PX = 600


def _as_time(clock: str) -> time | None:
    if not clock:
        return None
    hour, minute = (int(x) for x in clock.split(":"))
    return time(hour % 24, minute)


def _as_clock(value: time | None) -> str:
    return "" if value is None else f"{value.hour}:{value.minute:02d}"


def _set_builder(chosen: schedule.Schedule) -> None:
    st.session_state[f"{_S}repeat"] = chosen.repeat
    st.session_state[f"{_S}ordinals"] = list(chosen.ordinals)
    st.session_state[f"{_S}weekdays"] = [d for d in schedule.WEEKDAY_CODES if d in chosen.weekdays]
    st.session_state[f"{_S}start"] = _as_time(chosen.start)
    st.session_state[f"{_S}end"] = _as_time(chosen.end)
    st.session_state[f"{_S}remark"] = chosen.remark


def _builder_schedule(state: dict) -> schedule.Schedule:
    """The schedule the builder's widgets describe (``kept`` comes from the place as opened)."""
    get = st.session_state.get
    return schedule.Schedule(repeat=get(f"{_S}repeat", "none"), weekdays=tuple(get(f"{_S}weekdays", [])),
                             ordinals=tuple(get(f"{_S}ordinals", [])), start=_as_clock(get(f"{_S}start")),
                             end=_as_clock(get(f"{_S}end")), remark=(get(f"{_S}remark") or "").strip(),
                             kept=state["opened"].kept)


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
        opened = schedule.schedule_of(base["rrule"], base["schedule_text"])
        state = {"place_id": place_id, "base": base, "version": version, "conflict": None, "opened": opened}
        st.session_state[_EDIT_KEY] = state
        for field in _WIDGET_FIELDS:
            st.session_state[f"tsudoi_f_{field}"] = base[field]
        _set_builder(opened)
    return state


def _typed_values(state: dict) -> dict[str, str]:
    """The form as typed, as the text cells :func:`editing.save_place` reads: widget fields, the
    rule and words from the builder, and the address parts as opened (the service derives them)."""
    values = dict(state["base"])
    values.update({f: st.session_state.get(f"tsudoi_f_{f}", "") for f in _WIDGET_FIELDS})
    chosen = _builder_schedule(state)
    values["rrule"], values["schedule_text"] = chosen.rrule() or "", chosen.text() or ""
    return values


def _field(field: str) -> str:
    key = f"tsudoi_f_{field}"
    if field in _CHOICES:
        options = _CHOICES[field]
        if st.session_state.get(key) not in options:
            options = options + [st.session_state.get(key, "")]
        labels = {**_CHOICE_LABELS, **_FIELD_CHOICE_LABELS.get(field, {})}
        return st.selectbox(LABELS[field], options, key=key, format_func=lambda v: labels.get(v, v))
    if field == "notes":
        return st.text_area(LABELS[field], key=key, height=80)
    return st.text_input(LABELS[field], key=key)


def _address_parts_caption(state: dict) -> None:
    parts = [state["base"][p] for p in editing.ADDRESS_PARTS]
    now = "／".join(p or "—" for p in parts) if any(parts) else "まだありません"
    st.caption(f"都道府県・市区町村・町字・番地以下は、住所から自動で分けて保存します（いま：{now}）。")


def _schedule_builder(state: dict) -> None:
    """毎週・隔週／毎月（第N週）／不定期, 曜日, 時刻: the rule is written from these, and the words
    residents read are made from the rule — never typed beside it."""
    opened = state["opened"]
    repeats = ["weekly", "biweekly", "monthly", "irregular", "none"]
    if opened.repeat in ("other", "unread"):
        repeats.append(opened.repeat)
    if opened.repeat == "unread":
        st.warning(f"取り込んだ日程「{opened.kept}」を曜日の規則として読めませんでした（要確認）。"
                   "繰り返しと曜日を選び直すと、地図の曜日の絞り込みに出るようになります。")
    elif opened.repeat == "other":
        st.caption(f"いまの規則「{schedule.describe_ja(opened.kept)}」はこの入力欄では作れない形です。"
                   "「いまの規則のまま」なら変わりません。")
    first, second, third = st.columns(3)
    first.selectbox("繰り返し", repeats, key=f"{_S}repeat",
                    format_func=lambda r: schedule.REPEATS[r] + (f"：{schedule.describe_ja(opened.kept)}"
                                                                 if r == "other" else ""))
    second.multiselect("第何週（「毎月」のとき。複数可）", list(schedule.ORDINAL_CHOICES), key=f"{_S}ordinals",
                       format_func=schedule.ORDINAL_LABELS.get, placeholder="例：第1と第3")
    third.multiselect("曜日（複数可）", list(schedule.WEEKDAY_CODES), key=f"{_S}weekdays",
                      format_func=lambda d: schedule.WEEKDAY_LABELS[d] + "曜", placeholder="例：水曜")
    first, second, third = st.columns(3)
    first.time_input("開始時刻", value=None, key=f"{_S}start", step=300)
    second.time_input("終了時刻", value=None, key=f"{_S}end", step=300)
    third.text_input("補足（曜日以外。例：（祝日は休み））", key=f"{_S}remark")
    words = schedule.display_text(state["base"]["rrule"], state["base"]["schedule_text"])
    st.caption(f"いま表示されている日程：{words}。選んだ繰り返しに関係のない欄（「毎週」の第何週など）は使いません。")


def _open_on(fmap, *, point: tuple[float, float] | None, bounds) -> None:
    """Open the map on ``point`` (zoom :data:`PLACE_ZOOM`) or on ``bounds`` (the city), with an
    explicit centre and zoom instead of ``fitBounds``: the edit map is drawn in a tab that is not
    shown yet, where Leaflet measures a 0 × 0 map and fitBounds ends at world zoom."""
    for name, child in list(fmap._children.items()):
        if isinstance(child, FitBounds):
            del fmap._children[name]
    if point is not None:
        fmap.location, fmap.options["zoom"] = list(point), PLACE_ZOOM
        return
    minx, miny, maxx, maxy = bounds
    fmap.location = [(miny + maxy) / 2, (minx + maxx) / 2]
    fmap.options["zoom"] = zoom_to_fit((minx, miny, maxx, maxy), MAP_WIDTH_PX, MAP_HEIGHT_PX)


def _form_point() -> tuple[float, float] | None:
    """The form's 緯度・経度 when both are numbers (the place, or the point last clicked)."""
    try:
        lat = float(st.session_state.get("tsudoi_f_lat") or "")
        lon = float(st.session_state.get("tsudoi_f_lon") or "")
    except ValueError:
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def _city_bounds(code: str, areas):
    """The municipality's outline bounds (N03), else its areas' bounds."""
    outline = read("municipality_boundary", code)
    return outline.bounds if outline is not None else tuple(areas.total_bounds)


def _pick_point(code: str, areas, towns, places, place_id: str | None) -> None:
    """Click on the map to set the point (the form's 緯度・経度 follow; precision = 手入力)."""
    st.caption("地図をクリックすると、その地点を緯度・経度に入れます（位置の精度は「手入力」になります）。")
    shown = places[places["id"] == place_id] if place_id else places.iloc[:0]
    fmap = build_resource_map(areas, towns, shown, places.iloc[:0], MapOptions(basemap=basemap_choice(), show_towns=True),
                              selected_id=place_id)
    _open_on(fmap, point=_form_point(), bounds=_city_bounds(code, areas))
    clicked = show_map(fmap, key="tsudoi_edit_map", height=MAP_HEIGHT_PX, map_clicks=True)
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
    _pick_point(code, areas, towns, places, place_id)
    with st.form("tsudoi_edit_form"):
        for title, rows in _SECTIONS[:3]:
            _section(title, rows, state)
        st.markdown("**日程**")
        _schedule_builder(state)
        for title, rows in _SECTIONS[3:]:
            _section(title, rows, state)
        submitted = st.form_submit_button("保存する", type="primary")
    if state["conflict"]:
        _show_conflict(state["conflict"])
    if submitted:
        _save(code, place_id, state, user.name)


def _section(title: str, rows, state: dict) -> None:
    st.markdown(f"**{title}**")
    for row in rows:
        if len(row) == 1:
            _field(row[0])
        else:
            for column, field in zip(st.columns(len(row)), row):
                with column:
                    _field(field)
        if row == ("address",):
            _address_parts_caption(state)


def _save(code: str, place_id: str | None, state: dict, user: str) -> None:
    values, chosen = _typed_values(state), _builder_schedule(state)
    try:
        saved_id, version = editing.save_place(engine(), municipality_code=code, place_id=place_id, values=values,
                                               base_version=state["version"], user=user, base_values=state["base"],
                                               schedule=chosen)
    except InputError as error:
        for problem in error.problems:
            st.error(f"{LABELS.get(problem.column, problem.column or '')}: {problem.message_ja}")
        return
    except editing.EditConflict as conflict:
        state["conflict"] = conflict
        st.rerun()
    st.session_state.pop(_EDIT_KEY, None)
    st.session_state["tsudoi_edit_select_next"] = saved_id
    st.session_state["tsudoi_edit_flash"] = f"保存しました（版 {version}）。日程：{chosen.text() or '日程未登録'}"
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
        typed = _typed_values(state)
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
    state = _form_state(place_id, places)
    for field, value in typed.items():
        if field in _WIDGET_FIELDS:
            st.session_state[f"tsudoi_f_{field}"] = value
    if {"rrule", "schedule_text"} & set(typed):  # this user changed the schedule: keep their choice
        rule = typed.get("rrule", state["base"]["rrule"])
        _set_builder(schedule.schedule_of(rule, typed.get("schedule_text", state["base"]["schedule_text"])))


def stale_list(places: pd.DataFrame, area_names: dict[str, str]) -> None:
    """要確認: places not verified for 12 months, and places whose schedule is words that are no rule
    (月2回程度 from an import), with a CSV for the annual check round."""
    today = date.today()
    current = places[places["status"] != "closed"]
    old = current["last_verified"].map(lambda d: is_stale(d if isinstance(d, date) else None, today))
    unread = pd.Series([schedule.needs_check(r, t) for r, t in zip(current["rrule"], current["schedule_text"])],
                       index=current.index, dtype=bool)
    stale = current[old | unread]
    reasons = [("12か月以上未確認" if o else "") + ("・" if o and u else "") + ("日程を曜日の規則として読めない" if u else "")
               for o, u in zip(old[old | unread], unread[old | unread])]
    st.markdown(f"**要確認の資源：{len(stale)} 件**（12か月以上確認されていない {int(old.sum())} 件・"
                f"日程を曜日の規則として読めない {int(unread.sum())} 件）")
    sheet = pd.DataFrame({
        "ID": stale["id"], "名称": stale["name"], "種別": stale["category"],
        "圏域": stale["area_id"].map(area_names), "住所": stale["address"], "要確認の理由": reasons,
        "日程": [schedule.display_text(r, t) for r, t in zip(stale["rrule"], stale["schedule_text"])],
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

