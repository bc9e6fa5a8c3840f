"""まちの設定 (admins): set a municipality up from its own open data, step by step.

The steps are those of :mod:`dashboard.services` — register the city with its outline, then its
町丁目, population, 日常生活圏域, candidate venues and places — and every write is one call of the
same service the CLI calls (``municipality add``, ``import towns`` …). Nothing here writes to the
store: each step writes the upload to a temporary folder under its own file name, calls the service,
and shows its report, or the service's :class:`~dashboard.errors.InputError` problems as a table (the
store is then unchanged). A write bumps the store revision, so every cached read refreshes.

Two steps read a file before importing it (read-only): places are checked and previewed
(new/changed/unchanged) by :mod:`dashboard.services.places`, and in the population step the 町丁目
names that match no town are listed with the closest towns (:func:`name_report`); the user picks a
town or 「取り込まない」 for each, and the import then runs with those
:class:`~dashboard.services.population.NameFixes`.

The map of the city as stored is drawn once: under the step just done, or under the checklist.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard.auth import AuthenticatedUser
from dashboard.errors import InputError, Problem
from dashboard.htmlsafe import escape
from dashboard.maps.offline import offline_map
from dashboard.maps.points import CompactPoints, Labels
from dashboard.maps.resource_map import BASEMAPS, CANDIDATE_STYLE, Legend, MetricScale
from dashboard.services import areas, cities, places, population, setup, towns, venues
from dashboard.services.common import StepReport
from dashboard.ui import session, shell
from dashboard.ui.map_view import show_map
from dashboard.ui.resource_map import basemap_choice
from dashboard.ui.store import engine, read
from dashboard.ui.text import md_escape
from dashboard.ui.widgets import file_uploader

ADMIN_ONLY = "まちの設定は管理者だけが使えます。市町村・町丁目・人口などの登録が必要なときは、管理者に依頼してください。"

#: Upload types per step (a Shapefile may come as its zip, or as its .shp/.dbf/.shx/.prj files together).
VECTOR_TYPES = ["zip", "geojson", "json", "gpkg", "shp", "dbf", "shx", "prj", "cpg"]
TOWN_TYPES = VECTOR_TYPES + ["csv", "txt", "xlsx"]
TABLE_TYPES = ["csv", "txt", "xlsx"]
AREA_TYPES = ["csv", "txt", "xlsx", "zip", "geojson", "json", "gpkg", "shp", "dbf", "shx", "prj", "cpg"]
PLACE_TYPES = ["csv", "txt", "xlsx", "geojson", "json", "gpkg"]

#: StepReport count keys → how the page names them (and the unit shown after the number).
COUNT_LABELS = {"new": ("新規", "件"), "updated": ("更新", "件"), "area_km2": ("面積", "km²"), "towns": ("町丁目", "件"),
                "places_relocated": ("所属の変わった資源", "件"), "cells": ("メッシュ", "件"), "rows": ("取り込んだ行", "行"),
                "pop_total": ("人口", "人"), "pop65": ("65歳以上", "人"), "pop75": ("75歳以上", "人"),
                "areas": ("日常生活圏域", "圏域"), "venues": ("候補会場", "件"), "changed": ("変更", "件"),
                "unchanged": ("変更なし", "件")}

#: Where each national file is downloaded (Markdown links: a bare URL followed by Japanese text would
#: swallow that text into the link).
N03_URL, ESTAT_GIS_URL, GEOLONIA_URL, GSI_SHELTERS_URL = (
    f"[{url}]({url})" for url in ("https://nlftp.mlit.go.jp/ksj/", "https://www.e-stat.go.jp/gis",
                                  "https://github.com/geolonia/japanese-addresses",
                                  "https://www.gsi.go.jp/bousaichiri/hinanbasho.html"))

_OUTCOME_KEY = "tsudoi_setup_outcome"
_SKIP = "\x00skip"  # selectbox sentinels: never a town name
_UNDECIDED = "\x00undecided"
#: Okabe–Ito colours (colour-blind safe) for the 町丁目 points of each area, in area order.
_AREA_COLORS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")
#: Town shapes on the preview are simplified to this many degrees (≈ 10 m): plenty to check them,
#: and a city of 600 町丁目 stays a small map payload.
_PREVIEW_SIMPLIFY_DEG = 0.0001


@dataclass(frozen=True)
class Outcome:
    """What the last step did, kept across the rerun that follows it: a report, or problems."""

    step: str
    code: str
    report: StepReport | None = None
    problems: pd.DataFrame | None = None
    message: str = ""


# --- access, checklist ---------------------------------------------------------------------------------


def is_admin(user: AuthenticatedUser | None) -> bool:
    return user is not None and user.role == "admin"


def admin_gate() -> bool:
    """True for an admin; anyone else (a coordinator) is told the page is for admins only."""
    if is_admin(session.current_user()):
        return True
    st.warning(ADMIN_ONLY)
    return False


def overview(code: str | None) -> None:
    """The checklist (✔/□ with details) and what each page still lacks, for the city being set up."""
    if code is None:
        st.info("まだ市町村が登録されていません。下の「1. 市町村の登録」から始めてください。")
        return
    store = engine()
    left, right = st.columns([3, 2])
    with left:
        st.subheader("設定の状況", anchor=False)
        st.markdown("\n".join(f"- {'✔' if step.done else '□'} **{step.label}**：{md_escape(step.detail)}"
                              for step in setup.checklist(store, code)))
    with right:
        st.subheader("各ページで使えるか", anchor=False)
        st.markdown("\n".join(f"- {page}：{'使えます' if not missing else 'まだ使えません（' + '、'.join(missing) + 'が必要）'}"
                              for page, missing in setup.page_gaps(store, code).items()))
    if not _map_is_under_a_step(code):
        preview_map(code, where="overview")


# --- step 1: the city ----------------------------------------------------------------------------------


def city_step(code: str | None) -> None:
    """Register a city with its outline (or replace the outline of a registered one). The city just
    added becomes the one being looked at, on this page and every other."""
    st.header("1. 市町村の登録", anchor=False)
    st.caption(f"全国地方公共団体コード（5桁、または検査数字つき6桁）と境界を登録します。境界は国土数値情報「行政区域」N03 を "
               f"{N03_URL} からダウンロードし、都道府県ごとの zip のままアップロードできます"
               "（市町村コードの区域だけを取り出します）。埼玉県の市町村は同梱の境界（N03・簡略化版）も使えます。")
    if code is not None:
        city = read("municipalities").set_index("code").loc[code]
        st.markdown(f"✔ 登録済み：**{md_escape(city['prefecture'])}{md_escape(city['name'])}**（{code}）")
        with st.expander("別の市町村を追加する／境界を置き換える"):
            _city_form()
    else:
        _city_form()
    _show_outcome("city", None)


def _city_form() -> None:
    left, right = st.columns(2)
    left.text_input("市町村コード", placeholder="例：11230 または 112305", key="tsudoi_setup_code")
    right.text_input("市町村名（境界ファイルから読めるときは空欄で構いません）", placeholder="例：新座市", key="tsudoi_setup_name")
    kind = st.radio("境界", ["bundled", "file"], key="tsudoi_setup_boundary_kind", horizontal=True,
                    format_func={"bundled": "同梱の埼玉県の境界を使う（国土数値情報 N03・簡略化版）",
                                 "file": "境界ファイルをアップロードする（N03 の zip・GeoJSON・GeoPackage など）"}.get)
    if kind == "file":
        file_uploader("境界ファイル（Shapefile は zip のまま、または .shp・.dbf・.shx・.prj をまとめて）",
                      type=VECTOR_TYPES, accept_multiple_files=True, key="tsudoi_setup_boundary_file")
    st.button("登録する", type="primary", key="tsudoi_setup_add", on_click=_add_city)


def _add_city() -> None:
    """Button callback (runs before the page): ``cities.add_municipality`` with the form's values."""
    state = st.session_state
    code_text = str(state.get("tsudoi_setup_code") or "").strip()
    name = str(state.get("tsudoi_setup_name") or "").strip() or None
    files = state.get("tsudoi_setup_boundary_file") if state.get("tsudoi_setup_boundary_kind") == "file" else None
    try:
        if not code_text:
            raise InputError([Problem("市町村コード", "市町村コードを入力してください", "no code")])
        if state.get("tsudoi_setup_boundary_kind") == "file" and not files:
            raise InputError([Problem("境界ファイル", "境界ファイルを選んでください", "no boundary file")])
        code = cities.parse_code(code_text)
        with saved_uploads(files or []) as paths:
            boundary = main_file(paths)
            report = cities.add_municipality(engine(), code, name, boundary,
                                             display_name=boundary.name if boundary else None)
    except InputError as error:
        _remember(Outcome("city", code_text, problems=problems_table(error),
                          message="登録できませんでした。何も書き込んでいません。"))
        return
    shell.select_municipality(code)  # look at the city just added (a callback runs before the widgets)
    _remember(Outcome("city", code, report=report, message="市町村を登録しました。次は町丁目です。"))


# --- steps 2–6 -----------------------------------------------------------------------------------------


def towns_step(code: str) -> None:
    st.header("2. 町丁目", anchor=False)
    st.caption(f"e-Stat の境界データ（{ESTAT_GIS_URL} → 境界データダウンロード → 小地域 → 国勢調査 → "
               "都道府県・市区町村 → 世界測地系緯度経度・Shapefile）の zip をそのままアップロードします（どの調査年でも可）。"
               f"境界がないときは Geolonia 住所データ（市区町村ごとの JSON、{GEOLONIA_URL}）"
               "か、町丁目名・緯度・経度の CSV でも構いません（町丁目は代表点だけになります）。"
               "町丁目を置き換えると、人口と日常生活圏域はもう一度取り込む必要があります。")
    files = file_uploader("町丁目のファイル", type=TOWN_TYPES, accept_multiple_files=True, key="tsudoi_setup_towns_file")
    if st.button("町丁目を取り込む", type="primary", key="tsudoi_setup_towns_go", disabled=not files):
        _run("towns", code, files, lambda path, name: towns.import_towns(engine(), code, path, display_name=name),
             "町丁目を取り込みました。次は人口です。")
    _show_outcome("towns", code)


def population_step(code: str, city_name: str, has_towns: bool) -> None:
    st.header("3. 人口", anchor=False)
    st.caption(f"次のどれかをアップロードします。(a) e-Stat 地域メッシュ統計（{ESTAT_GIS_URL} → 統計データ"
               "ダウンロード → 国勢調査 → 地域メッシュ統計 → 250m または 500m メッシュ → 「年齢（5歳階級、4区分）別、"
               "男女別人口」T001142）の CSV。(b) 市の自治体標準オープンデータセット「地域・年齢別人口」（地域名・総人口・"
               "男性・女性・5歳階級の列）の CSV か Excel。(c) そのほかの町丁目別・年齢別の表は「列の対応表」で、"
               "どの列を足すと総数・65歳以上・75歳以上になるかを指定します。")
    if not has_towns:
        st.info("先に町丁目を取り込んでください。")
        return
    uploaded = file_uploader("人口のファイル", type=TABLE_TYPES, key="tsudoi_setup_pop_file")
    left, right = st.columns(2)
    as_of = left.date_input("人口の時点（各ページと地域カルテに表示します）", value=None, format="YYYY-MM-DD",
                            key="tsudoi_setup_pop_asof")
    with right.expander("列の対応表（任意。自動で列を判別できない表のとき）"):
        mapping_text = st.text_area("列の対応表（JSON）", key="tsudoi_setup_pop_mapping",
                                    placeholder='{"town": "町丁目名", "total": ["総数"], "pop65": ["65-74歳", "75歳以上"], '
                                                '"pop75": ["75歳以上"]}')
        mapping_file = file_uploader("または JSON ファイル", type=["json"], key="tsudoi_setup_pop_mapping_file")
    if uploaded is None:
        _show_outcome("population", code)
        return
    try:
        mapping = read_mapping(mapping_text, mapping_file.getvalue() if mapping_file else None)
        with saved_uploads([uploaded]) as paths:
            mesh = mapping is None and population.is_mesh_table(paths[0])
            unmatched = [] if mesh else name_report(paths[0], paths[0].name, code, city_name, mapping)
    except InputError as error:
        st.error("このファイルは取り込めません。何も書き込んでいません。")
        st.dataframe(problems_table(error), hide_index=True, width="stretch")
        return
    fixes, undecided = (population.NameFixes(), 0) if mesh else \
        name_fixes(unmatched, town_names(code), _digest(uploaded.getvalue()))
    if undecided:
        st.caption(f"すべての名前について選ぶと取り込めます（残り {undecided} 件）。")
    needs_date = as_of is None and not mesh  # a mesh table's date is its census year
    if needs_date:
        st.caption("人口の時点を入れると取り込めます（町丁目別の表には時点が書かれていないことが多いため）。")
    if st.button("人口を取り込む", type="primary", key="tsudoi_setup_pop_go", disabled=bool(undecided) or needs_date):
        _run("population", code, [uploaded], lambda path, name: population.import_population(
            engine(), code, path, display_name=name, mapping=mapping, as_of=as_of.isoformat() if as_of else None,
            fixes=fixes), "人口を取り込みました。次は日常生活圏域です。")
    _show_outcome("population", code)


def areas_step(code: str, has_towns: bool) -> None:
    st.header("4. 日常生活圏域", anchor=False)
    st.caption("介護保険事業計画の日常生活圏域を、町丁目と圏域の対応表（CSV・Excel。見出しの例：町丁目名・日常生活圏域）か、"
               "圏域の境界（GeoJSON・GeoPackage・Shapefile）でアップロードします。すべての町丁目がちょうど1つの圏域に"
               "入る必要があります（入らない町丁目・2つに入る町丁目は一覧で示します）。")
    if not has_towns:
        st.info("先に町丁目を取り込んでください。")
        return
    files = file_uploader("日常生活圏域のファイル", type=AREA_TYPES, accept_multiple_files=True,
                          key="tsudoi_setup_areas_file")
    provisional = st.checkbox("デモ用の仮の圏域として登録する（市の正式な日常生活圏域ではないとき。各ページと地域カルテにそう表示します）",
                              key="tsudoi_setup_areas_provisional")
    if st.button("日常生活圏域を取り込む", type="primary", key="tsudoi_setup_areas_go", disabled=not files):
        _run("areas", code, files, lambda path, name: areas.import_areas(engine(), code, path, display_name=name,
                                                                   provisional=provisional),
             "日常生活圏域を取り込みました。次は候補会場です。")
    _show_outcome("areas", code)


def venues_step(code: str, has_towns: bool) -> None:
    st.header("5. 候補会場", anchor=False)
    st.caption("次にサロンを開く場所の候補です。国土地理院「指定緊急避難場所・指定避難所データ」"
               f"（{GSI_SHELTERS_URL} から市町村ごとにダウンロード）の GeoJSON を、"
               "指定緊急避難場所と指定避難所の2ファイルまとめて選べます（公民館・集会所・会館などだけを使います）。"
               "市の施設一覧（CSV・Excel）でも構いません。取り込むと、これまでの候補会場は置き換わります。")
    if not has_towns:
        st.info("先に町丁目を取り込んでください。")
        return
    files = file_uploader("候補会場のファイル（複数可）", type=["json", "geojson", "csv", "txt", "xlsx"],
                          accept_multiple_files=True, key="tsudoi_setup_venues_file")
    if st.button("候補会場を取り込む", type="primary", key="tsudoi_setup_venues_go", disabled=not files):
        _run("venues", code, files, lambda paths, names: venues.import_venues(engine(), code, paths, names=names),
             "候補会場を取り込みました。", every_file=True)
    _show_outcome("venues", code)


def places_step(code: str, has_towns: bool) -> None:
    st.header("6. 社会資源（サロン・通いの場など）", anchor=False)
    st.caption("集いの場・通いの場・サロンなどの一覧（つどいマップのテンプレート、自治体標準オープンデータセット、"
               "介護サービス情報公表システムの CSV など）を取り込みます。列の対応づけや1件ずつの編集は「データ管理」で行えます。")
    st.page_link("../pages/data.py", label="データ管理（取り込み・編集）を開く", icon=":material/database:")
    if not has_towns:
        st.info("先に町丁目を取り込んでください。")
        return
    uploaded = file_uploader("資源の一覧ファイル", type=PLACE_TYPES, key="tsudoi_setup_places_file")
    visibility = st.radio("公開区分の列がないとき", ["internal", "public"], horizontal=True, key="tsudoi_setup_places_vis",
                          format_func={"internal": "内部（住民には非表示）", "public": "公開"}.get,
                          help="個人宅などを誤って公開しないよう、既定は「内部」です。")
    if uploaded is None:
        _show_outcome("places", code)
        return
    with saved_uploads([uploaded]) as paths:
        try:
            checked = places.read(engine(), code, paths[0], display_name=paths[0].name, visibility=visibility)
            changes = places.preview(engine(), code, checked)
        except InputError as error:
            st.error(f"取り込めません：{len(error.problems)} 件の問題があります。何も書き込んでいません。")
            st.dataframe(problems_table(error), hide_index=True, width="stretch")
            return
        counts = changes["status"].value_counts()
        st.caption(f"確認しました：新規 {counts.get('new', 0)} 件・変更 {counts.get('changed', 0)} 件・"
                   f"変更なし {counts.get('unchanged', 0)} 件")
        if st.button(f"{len(checked.parsed.records)} 件を取り込む", type="primary", key="tsudoi_setup_places_go"):
            user = session.current_user()
            _run_report("places", code,
                        lambda: places.commit(engine(), code, checked, user=user.name if user else None),
                        "社会資源を取り込みました。")
    _show_outcome("places", code)


# --- population: the name-match report -----------------------------------------------------------------


def read_mapping(text: str | None, file_bytes: bytes | None) -> dict | None:
    """The column mapping typed (JSON) or uploaded; None when neither is given."""
    raw = (text or "").strip() or (file_bytes.decode("utf-8-sig", errors="replace").strip() if file_bytes else "")
    if not raw:
        return None
    try:
        mapping = json.loads(raw)
    except json.JSONDecodeError as error:
        raise InputError([Problem("列の対応表", f"JSON として読めません（{error.lineno}行目 {error.colno}文字目）",
                                  str(error))]) from error
    if not isinstance(mapping, dict):
        raise InputError([Problem("列の対応表", '{"town": "町丁目名", ...} の形で書いてください', "mapping is not an object")])
    return mapping


def name_report(path: Path, name: str, code: str, city_name: str,
                mapping: dict | None) -> list[tuple[int, str, list[str]]]:
    """The rows the import would refuse (see :func:`dashboard.services.population.unmatched_names`)."""
    return population.unmatched_names(engine(), code, path, display_name=name, mapping=mapping)


def name_fixes(unmatched: list[tuple[int, str, list[str]]], town_names: list[str],
               file_key: str) -> tuple[population.NameFixes, int]:
    """The report of unmatched names, one row each with a choice: a candidate town, any town, or
    「取り込まない」. Returns the fixes chosen so far and how many names are still undecided."""
    if not unmatched:
        st.success("地域名はすべて登録されている町丁目と一致しました。")
        return population.NameFixes(), 0
    st.warning(f"登録されている町丁目にない地域名が {len(unmatched)} 件あります。それぞれ、どの町丁目のことか選ぶか、"
               "「取り込まない」を選んでください（選ぶまで取り込みません）。")
    widths = [1, 3, 4, 4]
    header = st.columns(widths)
    for column, title in zip(header, ("行", "ファイルの地域名", "近い町丁目", "どうしますか")):
        column.markdown(f"**{title}**")
    skip, rename, undecided = set(), {}, 0
    for index, (row, name, candidates) in enumerate(unmatched):
        cells = st.columns(widths)
        cells[0].markdown(str(row))
        cells[1].markdown(md_escape(name))
        cells[2].markdown(md_escape("、".join(candidates)) if candidates else "（近い町丁目はありません）")
        others = [t for t in town_names if t not in candidates]
        options = [_UNDECIDED, _SKIP, *candidates, *others]
        choice = cells[3].selectbox(f"「{name}」（{row}行目）", options, key=f"tsudoi_setup_fix_{file_key}_{index}",
                                    label_visibility="collapsed", format_func=_choice_label(candidates))
        if choice == _UNDECIDED:
            undecided += 1
        elif choice == _SKIP:
            skip.add(name)
        else:
            rename[name] = choice
    return population.NameFixes(skip=frozenset(skip), rename=rename), undecided


def _choice_label(candidates: list[str]):
    def label(option: str) -> str:
        if option == _UNDECIDED:
            return "（選んでください）"
        if option == _SKIP:
            return "取り込まない"
        return f"{option}（近い町丁目）" if option in candidates else option
    return label


def town_names(code: str) -> list[str]:
    return list(read("towns", code)["name"])


def _digest(data: bytes) -> str:
    """A short id of an upload: a new file gets fresh name choices."""
    return hashlib.sha256(data).hexdigest()[:12]


# --- running a step ------------------------------------------------------------------------------------


def problems_table(error: InputError) -> pd.DataFrame:
    """The service's problems as the page shows them: ファイル, 行, 列, 内容."""
    return pd.DataFrame([{"ファイル": p.file, "行": "" if p.row is None else str(p.row), "列": p.column or "",
                          "内容": p.message_ja} for p in error.problems], columns=["ファイル", "行", "列", "内容"])


@contextmanager
def saved_uploads(files):
    """Uploads written to a temporary folder under their own base names (never a path from the
    browser); yields their paths, removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for uploaded in files:
            path = Path(folder) / Path(uploaded.name).name
            path.write_bytes(uploaded.getvalue())
            paths.append(path)
        yield paths


def main_file(paths: list[Path]) -> Path | None:
    """The file a service reads: the ``.shp`` of a Shapefile uploaded as its parts, else the first."""
    return next((p for p in paths if p.suffix.lower() == ".shp"), paths[0] if paths else None)


def _run(step: str, code: str, files, call, success: str, *, every_file: bool = False) -> None:
    """Call the service with the main upload and its name (or, with ``every_file``, with all of
    them and their names), remember what it said and rerun."""
    with saved_uploads(files) as paths:
        if every_file:
            _run_report(step, code, lambda: call(paths, [p.name for p in paths]), success)
        else:
            main = main_file(paths)
            _run_report(step, code, lambda: call(main, main.name), success)


def _run_report(step: str, code: str, call, success: str) -> None:
    with st.spinner("取り込んでいます…"):
        try:
            report = call()
        except InputError as error:
            _remember(Outcome(step, code, problems=problems_table(error),
                              message=f"取り込めませんでした：{len(error.problems)} 件の問題があります。何も書き込んでいません。"))
        else:
            _remember(Outcome(step, code, report=report, message=success))
    st.rerun()  # draw the checklist, the sidebar and the map from the new store revision


def _remember(outcome: Outcome) -> None:
    st.session_state[_OUTCOME_KEY] = outcome


def _outcome(code: str | None) -> Outcome | None:
    """The last step's outcome, if it concerns city ``code`` (None: any city — step 1 may have
    failed before there was one)."""
    outcome = st.session_state.get(_OUTCOME_KEY)
    if outcome is None or (code is not None and outcome.code != code):
        return None
    return outcome


def _map_is_under_a_step(code: str) -> bool:
    outcome = _outcome(code)
    return outcome is not None and outcome.report is not None


def _show_outcome(step: str, code: str | None) -> None:
    """The report of the step just done (with the map of the city as it is now), or its problems."""
    outcome = _outcome(code)
    if outcome is None or outcome.step != step:
        return
    if outcome.problems is not None:
        st.error(outcome.message)
        st.dataframe(outcome.problems, hide_index=True, width="stretch")
        return
    st.success(outcome.message)
    report_view(outcome.report)
    preview_map(outcome.code, where=step)


def report_view(report: StepReport) -> None:
    """A step's counts as metrics and its notes as captions."""
    hidden = {"new", "updated"} if report.step == "municipality" else set()  # 「新規 1 件」 says nothing
    shown = [(k, v) for k, v in report.counts.items()
             if k in COUNT_LABELS and k not in hidden and not (k == "places_relocated" and not v)]
    if shown:
        columns = st.columns(max(len(shown), 3))
        for column, (key, value) in zip(columns, shown):
            label, unit = COUNT_LABELS[key]
            column.metric(label, f"{format_count(value)} {unit}")
    for note in report.notes:
        st.caption(md_escape(note))


def format_count(value) -> str:
    """42803.0 → 「42,803」, 21.63 → 「21.6」."""
    number = float(value)
    return f"{int(number):,}" if number.is_integer() else f"{number:,.1f}"


# --- the preview map -----------------------------------------------------------------------------------


def preview_map(code: str, *, where: str) -> None:
    """The city as stored now: outline, 町丁目 (shapes, or points where only points are known),
    日常生活圏域 and candidate venues. ``where`` (the step it is drawn under) is part of the map's
    key: a map that moved to another step with the same key stayed blank in Chromium."""
    outline = read("municipality_boundary", code)
    if outline is None:
        return
    st.markdown("**地図で確認**（境界・町丁目・日常生活圏域・候補会場）")
    fmap = build_preview_map(outline, read("towns", code), read("areas", code), read("candidate_venues", code),
                             basemap=basemap_choice())
    show_map(fmap, key=f"tsudoi_setup_map_{where}", height=520)


def build_preview_map(outline, towns_frame: gpd.GeoDataFrame, areas_frame: gpd.GeoDataFrame,
                      venues_frame: pd.DataFrame, *, basemap: str = "none") -> folium.Map:
    """The preview as a folium map with offline Leaflet (no Streamlit). Every name is escaped: by
    :class:`CompactPoints` and :class:`Labels` themselves, and here for GeoJSON tooltips."""
    lon_min, lat_min, lon_max, lat_max = outline.bounds
    # zoomSnap 0.25: fit the city snugly (whole zoom levels leave a city up to half the map's width)
    fmap = offline_map(location=[(lat_min + lat_max) / 2, (lon_min + lon_max) / 2], zoom_start=13, tiles=None,
                       prefer_canvas=True, max_zoom=18, zoom_snap=0.25)
    MetricScale().add_to(fmap)
    label, url, attribution = BASEMAPS.get(basemap, BASEMAPS["none"])
    if url:
        folium.TileLayer(url, attr=attribution, name=label, max_zoom=18).add_to(fmap)
    folium.GeoJson(gpd.GeoDataFrame(geometry=[outline], crs="EPSG:4326"), name="市町村の境界", interactive=False,
                   style_function=lambda _: {"color": "#222222", "weight": 3, "fill": False}).add_to(fmap)
    items = [("#222222", "市町村の境界", True)]
    color_of_area = {a: _AREA_COLORS[i % len(_AREA_COLORS)] for i, a in enumerate(areas_frame["area_id"])}
    if len(areas_frame):
        folium.GeoJson(areas_frame[["area_id", "geometry"]], name="日常生活圏域", interactive=False,
                       style_function=lambda f: {"color": "#0072B2", "weight": 3, "fillOpacity": 0.12,
                                                 "fillColor": color_of_area.get(f["properties"]["area_id"], "#0072B2")}
                       ).add_to(fmap)
        spots = areas_frame.geometry.representative_point()
        Labels(zip(spots.y, spots.x, areas_frame["area_name"]), 16).add_to(fmap)
        items.append(("#0072B2", f"日常生活圏域（{len(areas_frame)}）", True))
    if len(towns_frame):
        _add_towns(fmap, towns_frame, color_of_area)
        kind = "代表点" if (towns_frame["geometry_kind"] == "point").all() else "境界"
        colours = "。点の色＝圏域" if kind == "代表点" and len(areas_frame) else ""
        items.append(("#777777", f"町丁目（{len(towns_frame)}・{kind}{colours}）", kind == "境界"))
    if len(venues_frame):
        CompactPoints([(r.lat, r.lon, 0, f"候補会場：{r.name}") for r in venues_frame.itertuples()],
                      [CANDIDATE_STYLE | {"radius": 6}], name="candidates").add_to(fmap)
        items.append(("#333333", f"候補会場（{len(venues_frame)}）", True))
    Legend(items).add_to(fmap)
    fmap.fit_bounds(_extent(outline, towns_frame, areas_frame))
    return fmap


def _extent(outline, towns_frame: gpd.GeoDataFrame, areas_frame: gpd.GeoDataFrame) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of everything drawn: 町丁目 on the border (their points,
    their areas) may reach past a simplified outline."""
    shapes = [outline, *towns_frame.geometry.dropna(), *areas_frame.geometry.dropna()]
    shapes += list(gpd.points_from_xy(towns_frame["rep_lon"], towns_frame["rep_lat"])) if len(towns_frame) else []
    lon_min, lat_min, lon_max, lat_max = gpd.GeoSeries(shapes, crs="EPSG:4326").total_bounds
    return [[float(lat_min), float(lon_min)], [float(lat_max), float(lon_max)]]


def _add_towns(fmap: folium.Map, towns_frame: gpd.GeoDataFrame, color_of_area: dict) -> None:
    points = towns_frame[towns_frame["geometry_kind"] == "point"]
    shapes = towns_frame[towns_frame["geometry_kind"] != "point"]
    if len(shapes):
        drawn = shapes[["name", "geometry"]].assign(
            label=[escape(n) for n in shapes["name"]],
            geometry=shapes.geometry.simplify(_PREVIEW_SIMPLIFY_DEG, preserve_topology=True))
        folium.GeoJson(drawn[["label", "geometry"]], name="町丁目",
                       style_function=lambda _: {"color": "#777777", "weight": 1, "dashArray": "4,3",
                                                 "fillColor": "#f4f4f4", "fillOpacity": 0.3},
                       tooltip=folium.GeoJsonTooltip(["label"], labels=False)).add_to(fmap)
    if len(points):
        styles = [{"color": "#222222", "fillColor": color, "radius": 5} for color in (*_AREA_COLORS, "#777777")]
        index = {color: i for i, color in enumerate(_AREA_COLORS)}
        rows = [(r.rep_lat, r.rep_lon, index.get(color_of_area.get(r.area_id), len(_AREA_COLORS)), r.name)
                for r in points.itertuples()]
        CompactPoints(rows, styles, name="towns").add_to(fmap)
