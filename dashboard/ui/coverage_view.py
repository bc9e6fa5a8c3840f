"""Components of the coverage page (圏域カバー状況)."""

from __future__ import annotations

import hashlib
import tempfile
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import coverage, projection, vocab
from dashboard.maps.coverage_map import build_coverage_map
from dashboard.ui.map_view import show_map
from dashboard.ui.resource_map import basemap_choice
from dashboard.ui.text import md_escape
from dashboard.ui.widgets import choice_texts, file_uploader

EXTRA_POINTS_KEY = "tsudoi_extra_candidates"
#: The street network read from the last uploaded OSM file, with the key it was read under.
NETWORK_KEY = "tsudoi_cov_network"
ACCESS_HELP = ("2段階浮動集水域法（2SFCA, Luo & Wang 2003）。各場所の定員を、その場所から徒歩圏（直線距離）内に"
               "住む65歳以上で割り、住民ごとに徒歩圏内の場所の値を足し合わせたもの。圏域の値は65歳以上の人数で"
               "重み付けした平均で、65歳以上1,000人あたりの定員（人）。定員の分からない場所は含みません。"
               "徒歩圏内に定員のある場所がない圏域は0。")

ACCESS_NAME = "定員アクセス（65歳以上千人あたり）"
#: 圏域の比較 on screen: short headers in pixel widths that add up to ~740 px, so the 8 columns fit the
#: ~818 px a 1280×720 screen leaves beside the sidebar; the full wording is each header's help and the
#: DataFrame's own column name (the CSV below the table keeps every figure as it was).
RANKING_COLUMNS = {
    "圏域": st.column_config.TextColumn("圏域", width=110),
    "65歳以上（人）": st.column_config.NumberColumn("65歳以上", width=80, help="65歳以上の人数（人）"),
    "徒歩圏カバー率（65歳以上）": st.column_config.NumberColumn(
        "カバー率", format="%.1f%%", width=80, help="徒歩圏カバー率（65歳以上）：徒歩圏に集いの場がある65歳以上の割合"),
    "徒歩圏外の65歳以上（人）": st.column_config.NumberColumn("徒歩圏外", width=80, help="徒歩圏外の65歳以上（人）"),
    "徒歩圏カバー率（75歳以上）": st.column_config.NumberColumn(
        "同・75歳以上", format="%.1f%%", width=105, help="徒歩圏カバー率（75歳以上）"),
    "集いの場（か所）": st.column_config.NumberColumn("集いの場", width=80, help="集いの場（か所）"),
    "65歳以上千人あたり（か所）": st.column_config.NumberColumn(
        "千人あたり", format="%.2f", width=90, help="65歳以上千人あたりの集いの場（か所）"),
    ACCESS_NAME: st.column_config.NumberColumn("定員アクセス", format="%.1f", width=105, help=ACCESS_HELP),
}


def query_from_sidebar() -> coverage.CoverageQuery:
    with st.sidebar:
        st.markdown("#### 条件")
        distance = st.select_slider("徒歩圏（距離, m）", coverage.DISTANCES_M, value=coverage.DEFAULT_DISTANCE_M,
                                    key="tsudoi_cov_distance")
        frequency = st.radio("開催頻度", list(coverage.FREQUENCIES), format_func=coverage.FREQUENCIES.get,
                             key="tsudoi_cov_frequency")
        categories = st.multiselect("数える種別", vocab.CATEGORY_IDS, default=list(vocab.GATHERING_CATEGORIES),
                                    key="tsudoi_cov_categories", **choice_texts(vocab.CATEGORY_IDS),
                                    help="既定は集いの場（サロン・通いの場・老人クラブ・居場所・認知症カフェ）。"
                                         "公民館・介護事業所・生活支援サービスは選んだときだけ数えます。")
    return coverage.CoverageQuery(distance_m=distance, frequency=frequency, categories=tuple(categories))


def network_from_sidebar(prefecture_code: int) -> coverage.WalkNetwork | None:
    """The street network of an uploaded OSM file, or ``None`` (straight-line distance).

    The file is parsed as OSM data from a temporary copy (XML with the standard library, PBF with
    pyosmium; nothing is unpickled) and kept in the session keyed by its SHA-256 and the prefecture
    (whose plane zone the network is measured in), so reruns don't read it again. A file that
    cannot be read shows an error and falls back to straight lines.
    """
    with st.sidebar:
        upload = file_uploader("道路網（OSMファイル .osm）で歩行距離を使う（任意）", type=["osm", "pbf"],
                               key="tsudoi_cov_network_file",
                               help="OpenStreetMap の抽出ファイル（.osm、.osm.pbf も可）。歩ける道（高速道路・"
                                    "自動車専用道路・立入禁止の道を除く）に沿った距離で徒歩圏を判定します。"
                                    "ファイルはこの画面の中だけで使い、保存しません。")
    if upload is None:
        st.session_state.pop(NETWORK_KEY, None)
        return None
    data = upload.getvalue()
    key = (hashlib.sha256(data).hexdigest(), int(prefecture_code))
    cached = st.session_state.get(NETWORK_KEY)
    if cached is not None and cached["key"] == key:
        return cached["network"]
    name = Path(upload.name).name  # a bare file name: the suffix picks the reader
    try:
        with st.spinner("道路網を読み込んでいます…"), tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            network = coverage.load_network(path, prefecture_code)
    except coverage.NetworkFileError as error:
        st.session_state.pop(NETWORK_KEY, None)
        st.error(f"道路網を使えません。直線距離で計算します。{error}")
        return None
    st.session_state[NETWORK_KEY] = {"key": key, "network": network, "name": name}
    return network


def distance_caption(result: coverage.CoverageResult, as_of: str, tag: str = "") -> None:
    """Says which distance is in use, the places counted and the population base (with ``tag``,
    「2030年推計」, the 推計 of that year from the base ``as_of``)."""
    query = result.query
    if result.on_network:
        network = st.session_state[NETWORK_KEY]
        how = (f"道路網（{md_escape(network['name'])}：道 {network['network'].total_length_m / 1000:,.1f} km）に沿った"
               f"歩行距離で{query.distance_m} m 以内。住まいと場所は最寄りの道の節点までの直線距離を加えています")
    else:
        how = f"集いの場から直線{query.distance_m} m 以内"
    people = f"{tag}（{as_of}の人口から）" if tag else as_of
    st.caption(f"徒歩圏＝{how}（開催頻度：{coverage.FREQUENCIES[query.frequency]}、活動中のみ）。人口：{people}。"
               "住民の住む場所は250mメッシュを圏域で分けた区画の代表点で近似しています。")


def suggestion_caption(result: coverage.CoverageResult, plan: coverage.Suggestion, tag: str = "") -> None:
    if plan.area_id is None:
        where = "市内の公民館・集会所などの候補会場"
        whom = "市全体の徒歩圏外の65歳以上"
    else:
        where = (f"{plan.area_name}の中の候補会場" if plan.venues_in_area_only
                 else f"市内すべての候補会場（{plan.area_name}の外の会場も含む）")
        whom = f"{plan.area_name}の徒歩圏外の65歳以上"
    text = (f"{where}（{plan.venues_searched}件）と地図をクリックして追加した地点から、{whom}"
            f"（{plan.uncovered65:,.0f}人）を最も多く新たにカバーする順に選びます（貪欲法）。効果＝新たに徒歩圏に入る{whom}。")
    if result.on_network:
        text += "候補からの徒歩圏は直線距離で見ているため、効果は道路距離での効果より多めに出ることがあります。"
    st.caption(md_escape(projection.with_tag(text, tag)))


def kpis(table: pd.DataFrame, area_id: str | None, as_of: str, tag: str = "") -> None:
    """The four figures of the city or the chosen area; with ``tag`` (「2030年推計」) each label says it."""
    row = table.set_index("area_id").loc[area_id or "ALL"]
    title = "市全体" if not area_id else row["area_name"]
    mark = partial(projection.with_tag, tag=tag)
    people = f"{tag}、{as_of}の人口から" if tag else as_of
    st.markdown(f"##### {md_escape(title)}" + (f"　{md_escape(tag)}" if tag else ""))
    # a future year's labels are longer (「【2030年推計】…」): two figures a row, so none is cut off
    cols = st.columns(4) if not tag else [*st.columns(2), *st.columns(2)]
    cols[0].metric(mark("徒歩圏の65歳以上"), f"{row['coverage65']:.1%}",
                   help=f"{row['pop65_covered']:,.0f} 人 ÷ 65歳以上 {row['pop65']:,.0f} 人（{people}）")
    cols[1].metric(mark("徒歩圏の75歳以上"), f"{row['coverage75']:.1%}",
                   help=f"{row['pop75_covered']:,.0f} 人 ÷ 75歳以上 {row['pop75']:,.0f} 人" + (f"（{tag}）" if tag else ""))
    cols[2].metric(mark("徒歩圏外の65歳以上"), f"{row['pop65'] - row['pop65_covered']:,.0f} 人")
    cols[3].metric(mark("集いの場（65歳以上千人あたり）"), f"{row['places_per_1000_65']:.2f} か所",
                   help=f"{row['places']} か所（今の場） ÷ 65歳以上 {row['pop65']:,.0f} 人 × 1,000")


def ranking(table: pd.DataFrame) -> None:
    """Areas, lowest 65+ coverage first; with the 2SFCA access when the places have capacities. The
    headers are the same for a future year: the page says the year once in the title above the table
    (:func:`dashboard.projection.titled`), since a tag on every header pushes columns off the screen."""
    areas = table[table["area_id"] != "ALL"].sort_values("coverage65")
    access = {}
    if np.isfinite(areas[coverage.ACCESS_COLUMN]).all():
        access = {ACCESS_NAME: areas[coverage.ACCESS_COLUMN].round(1)}
    st.dataframe(pd.DataFrame({
        "圏域": areas["area_name"],
        "65歳以上（人）": areas["pop65"].round().astype(int),
        "徒歩圏カバー率（65歳以上）": (areas["coverage65"] * 100).round(1),
        "徒歩圏外の65歳以上（人）": (areas["pop65"] - areas["pop65_covered"]).round().astype(int),
        "徒歩圏カバー率（75歳以上）": (areas["coverage75"] * 100).round(1),
        "集いの場（か所）": areas["places"],
        "65歳以上千人あたり（か所）": areas["places_per_1000_65"].round(2),
        **access,
    }), hide_index=True, width="stretch", column_config=RANKING_COLUMNS)
    if access:
        st.caption("定員アクセス＝定員のある場所（定員の分からない場所は含みません）の定員を、徒歩圏（直線距離）"
                   "内の65歳以上で分け合った値（2SFCA）。65歳以上1,000人あたりの定員（人）。")
    else:
        st.caption("対象の場所に定員の記録がないため、定員アクセス（2SFCA）は表示していません。")


def sensitivity(table: pd.DataFrame) -> None:
    """65+ coverage per area at each distance; a future year is said in the title above (as :func:`ranking`)."""
    shown = (table * 100).round(1)
    shown.columns = [f"{d} m" for d in table.columns]
    st.dataframe(shown.rename_axis("圏域"), width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.1f%%") for c in shown.columns})


def suggestion_controls() -> int:
    return st.slider("新しい集いの場の数", 1, 5, 3, key="tsudoi_cov_k")


def venue_scope(area_name: str | None) -> bool:
    """With an area chosen: search only its venues (True) or the whole city's (False)."""
    if area_name is None:
        return True
    name = md_escape(area_name)  # option labels and help are Markdown
    choice = st.radio("候補会場を探す範囲", ["area", "city"], horizontal=True, key="tsudoi_cov_scope",
                      format_func={"area": f"{name}の中だけ", "city": "市全体（圏域の外の会場も）"}.get,
                      help=f"どちらの場合も、効果は{name}の徒歩圏外の65歳以上だけを数えます。")
    return choice == "area"


def extra_points() -> list[tuple[float, float]]:
    return st.session_state.setdefault(EXTRA_POINTS_KEY, [])


@st.fragment
def coverage_map(areas, result: coverage.CoverageResult, plan: coverage.Suggestion, tag: str = "") -> None:
    """The map; a click on it adds a candidate point (for the next-salon suggestion)."""
    badges = {(c["lat"], c["lon"]): f"{c['name'].removeprefix('地図で追加した')} +{c['gain65']:,}人"
              for c in plan.clicked}
    extra = [(lat, lon, badges.get((lat, lon), "追加した地点")) for lat, lon in extra_points()]
    fmap = build_coverage_map(areas, result.table, result.units, result.places, plan.picks, extra,
                              basemap=basemap_choice(),
                              distance_m=result.query.distance_m, estimate=tag)
    clicked = show_map(fmap, key="tsudoi_coverage_map", height=600, map_clicks=True)
    if clicked is not None and clicked not in extra_points():
        extra_points().append(clicked)
        st.rerun()  # the suggestion below depends on the new point


def clicked_frame() -> pd.DataFrame:
    """The points added by clicking the map, as candidates (``id, name, lat, lon``)."""
    return pd.DataFrame([{"id": f"click-{i + 1}", "name": f"地図で追加した地点{i + 1}", "lat": lat, "lon": lon}
                         for i, (lat, lon) in enumerate(extra_points())], columns=["id", "name", "lat", "lon"])


def suggestion_table(plan: coverage.Suggestion) -> pd.DataFrame:
    """The picks in order, then every clicked point that was not picked (「+0人」 when it adds nobody).
    A future year is said by the caption above the table (:func:`suggestion_caption`), not in a header."""
    gain = "効果（+人）"
    rows = [{"順": str(number), "候補": pick["name"], gain: f"+{pick['gain65']:,}人"}
            for number, pick in enumerate(plan.picks, start=1)]
    rows += [{"順": "—", "候補": c["name"], gain: f"+{c['gain65']:,}人"}
             for c in plan.clicked if c["rank"] is None]
    return pd.DataFrame(rows, columns=["順", "候補", gain])


def clicked_notes(plan: coverage.Suggestion) -> list[str]:
    """Why each clicked point that was not picked adds what it adds, one line each."""
    return [f"{c['name']}（+{c['gain65']:,}人）：{c['note']}" for c in plan.clicked if c["rank"] is None]


def suggestion_panel(areas, result: coverage.CoverageResult, venues: pd.DataFrame, prefecture: int,
                     area_id: str | None = None, tag: str = "") -> None:
    """How many new places and where to look, the map with picks (click to add candidate points) and
    the pick list; fewer picks than asked are explained, clicked points always listed. With ``tag``
    (「2030年推計」) the gains are those of that year's people, and say so."""
    names = dict(zip(areas["area_id"], areas["area_name"]))
    left_control, right_control = st.columns(2)
    with left_control:
        k = suggestion_controls()
    with right_control:
        inside = venue_scope(names.get(area_id))
    plan = coverage.plan_suggestions(result, venues, k, prefecture, area_id=area_id, venues_in_area_only=inside,
                                     clicked=clicked_frame())
    left, right = st.columns([3, 2])
    with left:
        coverage_map(areas, result, plan, tag)
    with right:
        suggestion_caption(result, plan, tag)
        table = suggestion_table(plan)
        if len(table):
            st.dataframe(table, hide_index=True, width="stretch")
        for note in clicked_notes(plan):
            st.caption(md_escape(projection.with_tag(note, tag)))
        if plan.shortfall:
            st.info(md_escape(plan.shortfall))
        if extra_points() and st.button("追加した地点を消す"):
            extra_points().clear()
            st.rerun()
