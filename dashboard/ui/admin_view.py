"""データ管理 sections: exports, snapshots (活動の振り返り) and users (admins only)."""

from __future__ import annotations

from datetime import date

import html

import plotly.graph_objects as go
import streamlit as st

from dashboard import auth, exports, snapshots
from dashboard.store import reads
from dashboard.ui import session
from dashboard.ui.store import engine

_CHANGE = {"added": "追加", "closed": "終了・削除", "changed": "変更"}
_CHANGE_COLUMNS = {"change_type": "変化", "id": "ID", "name": "名称", "category": "種別", "area_id": "圏域",
                   "status": "状態", "field": "項目", "old": "前", "new": "後", "reason": "理由"}


def export_buttons(code: str, name: str, prefecture: str) -> None:
    """Every export of places; public (住民向け) or internal (all fields) as the user chooses."""
    scope = st.radio("範囲", ["public", "internal"], horizontal=True, key="tsudoi_export_scope",
                     format_func={"public": "公開分のみ（オープンデータ・住民向け）",
                                  "internal": "すべて（内部の資源・内部連絡先を含む。庁内用）"}.get)
    places = reads.places(engine(), code, internal=scope == "internal")
    stamp = date.today().strftime("%Y%m%d")
    st.caption(f"{len(places)} 件。CSV は Excel でそのまま開ける UTF-8（BOM付き）。数式に見える値は無害化して出力します。")
    columns = st.columns(3)
    items = [
        ("CSV（Excel用）", lambda: exports.places_csv(places), f"places_{stamp}.csv", "text/csv"),
        ("Excel（.xlsx）", lambda: exports.places_xlsx(places), f"places_{stamp}.xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("GeoJSON", lambda: exports.json_bytes(exports.places_geojson(places)), f"places_{stamp}.geojson",
         "application/geo+json"),
        ("GeoPackage（QGIS用）", lambda: exports.places_gpkg(places), f"places_{stamp}.gpkg",
         "application/geopackage+sqlite3"),
        ("自治体標準ODS 正式版形式CSV", lambda: exports.places_ods_csv(places, code, name, prefecture),
         f"ods_places_{stamp}.csv", "text/csv"),
        ("入力用Excelテンプレート", exports.places_template_xlsx, "tsudoi_template.xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ]
    for index, (label, make, file_name, mime) in enumerate(items):
        columns[index % 3].download_button(label, make, file_name=file_name, mime=mime, width="stretch",
                                           key=f"tsudoi_export_{index}")


def snapshot_section(code: str, area_names: dict[str, str]) -> None:
    user = session.current_user()
    with st.form("tsudoi_snapshot_form", clear_on_submit=True):
        label = st.text_input("いまの資源をスナップショットとして保存（例：2026年度）")
        if st.form_submit_button("スナップショットを保存"):
            try:
                snapshots.create_snapshot(engine(), code, label.strip(), user.name)
                st.success(f"「{label.strip()}」を保存しました。")
            except ValueError as error:
                st.error(str(error))
    listing = snapshots.list_snapshots(engine(), code)
    if listing.empty:
        st.info("スナップショットはまだありません。年度末などに保存すると、年ごとの変化を比べられます。")
        return
    st.dataframe(listing.rename(columns={"label": "名前", "created_at": "保存日時", "created_by": "保存者",
                                         "places": "資源数", "active_places": "活動中"}).drop(columns="id"),
                 hide_index=True, width="stretch")
    choices = ["current", *listing["label"].tolist()]
    left, right = st.columns(2)
    older = left.selectbox("比べる前", choices[1:], key="tsudoi_snap_old")
    newer = right.selectbox("比べる後", choices, key="tsudoi_snap_new",
                            format_func=lambda c: "いま（現在の資源）" if c == "current" else c)
    diff = snapshots.diff_snapshots(snapshots.resolve_places(engine(), code, older),
                                    snapshots.resolve_places(engine(), code, newer))
    st.markdown(f"追加 **{len(diff['added'])}** 件・終了 **{len(diff['closed'])}** 件・"
                f"変更 **{diff['changed']['id'].nunique() if len(diff['changed']) else 0}** 件")
    table = snapshots.changes_table(diff)
    shown = table.assign(change_type=table["change_type"].map(_CHANGE))
    if "area_id" in shown.columns:
        shown["area_id"] = shown["area_id"].map(lambda a: area_names.get(a, a))
    st.dataframe(shown.rename(columns=_CHANGE_COLUMNS), hide_index=True, width="stretch")
    counts = diff["counts"]
    by_category = counts[counts["dimension"] == "category"]
    # plotly renders a subset of HTML in names: escape the user's labels
    figure = go.Figure([go.Bar(name=html.escape(older), x=by_category["group"], y=by_category["old"]),
                        go.Bar(name="いま" if newer == "current" else html.escape(newer), x=by_category["group"],
                               y=by_category["new"])])
    figure.update_layout(barmode="group", title="種別ごとの活動中の資源数", height=380,
                         yaxis_title="か所", legend=dict(orientation="h"))
    st.plotly_chart(figure, width="stretch", key="tsudoi_snap_chart")
    over_time = snapshots.coverage_over_time(engine(), code)
    if over_time["label"].nunique() >= 1:
        trend = go.Figure()
        for area_id, part in over_time.groupby("area_id", sort=False):
            trend.add_trace(go.Scatter(x=part["label"].map(html.escape), y=part["coverage65"] * 100, mode="lines+markers",
                                       name="市全体" if area_id == "ALL" else html.escape(area_names.get(area_id, area_id))))
        trend.update_layout(title="徒歩500m圏のカバー率（65歳以上）の推移", yaxis_title="%", height=380)
        st.plotly_chart(trend, width="stretch", key="tsudoi_snap_trend")


def users_section() -> None:
    """Admins: add users, reset passwords (also unlocks), disable. Coordinators see nothing here."""
    user = session.current_user()
    if user is None or user.role != "admin":
        st.info("ユーザーの管理は管理者だけが行えます。")
        return
    users = auth.list_users(engine())
    st.dataframe(users.assign(locked=users["locked"].map({True: "ロック中", False: ""}),
                              active=users["active"].map({True: "有効", False: "無効"}))
                 .rename(columns={"name": "ユーザー名", "role": "役割", "active": "状態", "failed_logins": "失敗回数",
                                  "locked": "ロック"}), hide_index=True, width="stretch")
    with st.form("tsudoi_user_form", clear_on_submit=True):
        name = st.text_input("ユーザー名")
        password = st.text_input("パスワード（4文字以上）", type="password")
        role = st.selectbox("役割", list(auth.ROLES), format_func={"coordinator": "コーディネーター", "admin": "管理者"}.get)
        action = st.radio("操作", ["add", "passwd", "disable"], horizontal=True,
                          format_func={"add": "追加", "passwd": "パスワード再設定（ロック解除）", "disable": "無効にする"}.get)
        if st.form_submit_button("実行"):
            try:
                if action == "add":
                    auth.add_user(engine(), name.strip(), password, role)
                elif action == "passwd":
                    auth.set_password(engine(), name.strip(), password)
                else:
                    if name.strip() == user.name:
                        raise ValueError("自分自身は無効にできません")
                    auth.disable_user(engine(), name.strip())
                st.success("完了しました。")
            except ValueError as error:
                st.error(f"できませんでした：{error}")

