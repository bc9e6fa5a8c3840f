"""将来を考える on the coverage page: the population year (推計), critical places, 「ひとつの場に
頼っている人」, weekday opportunity and the scenario editor (仮定: places off, places added, another
distance) with saved scenarios compared side by side. Called from ``pages/coverage.py`` in a few lines.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import coverage, fragility, projection, scenario, weekday
from dashboard.errors import InputError
from dashboard.maps.coverage_map import build_coverage_map
from dashboard.maps.fragility_layer import add_critical_places
from dashboard.maps.fragility_layer import legend_items as critical_legend
from dashboard.schedule import display_text
from dashboard.services import scenarios
from dashboard.settings import database_url
from dashboard.ui.map_view import show_map
from dashboard.ui.resource_map import basemap_choice
from dashboard.ui.store import current_revision, engine, read
from dashboard.ui.text import md_escape
from dashboard.ui.widgets import choice_texts

YEARS_KEY = "tsudoi_future_years"
#: The year choice in the URL (``?ahead=5``), so a reload or a shared link opens on the same 推計.
YEARS_PARAM = "ahead"
CLICKS_KEY = "tsudoi_scn_clicks"

# On-screen headers: short words in pixel widths, so every table fits the ~818 px a 1280×720 screen
# leaves beside the sidebar (~480 px for a table in the left of a 3:2 row); the full wording is the
# help of each header and the DataFrame's own column name.
CRITICAL_COLUMNS = {
    "順": st.column_config.NumberColumn("順", width=45),
    "場所": st.column_config.TextColumn("場所", width=220, help="場所の名前（長い名前は「場所の詳細」で全部読めます）"),
    "種別": st.column_config.TextColumn("種別", width=100),
    "この場だけが徒歩圏の65歳以上（人）": st.column_config.NumberColumn(
        "この場だけ", width=95, help="この場だけが徒歩圏にある65歳以上（人）：休止すると徒歩圏に集いの場がなくなる"),
    "同・75歳以上（人）": st.column_config.NumberColumn("同・75歳以上", width=105, help="同じく、75歳以上（人）"),
    "徒歩圏の65歳以上（人）": st.column_config.NumberColumn(
        "徒歩圏の65歳以上", width=140, help="この場の徒歩圏にいる65歳以上（人）"),
}
RELIANCE_COLUMNS = {
    "圏域": st.column_config.TextColumn("圏域", width=110),
    "ひとつの場に頼っている人（65歳以上）": st.column_config.NumberColumn(
        "頼っている人", width=110, help="ひとつの場に頼っている人（65歳以上、人）"),
    "徒歩圏の65歳以上のうち": st.column_config.NumberColumn(
        "徒歩圏のうち", format="%.1f%%", width=110, help="徒歩圏の65歳以上のうち、ひとつの場に頼っている人の割合"),
}
#: 65歳以上・75歳以上のこれから: 圏域 and six year columns in ~770 px.
OUTLOOK_WIDTH_PX = 110
#: The scenario comparison: 圏域, then each result's two columns share what is left of ~800 px.
COMPARISON_WIDTH_PX = 810
COMPARISON_AREA_PX = 100


def assumed(label: str, tag: str = "") -> str:
    """A figure of the 仮定 in one bracket with its year: 「【仮定・2030年推計】徒歩圏の65歳以上」
    (「【仮定】…」 today), never 「【仮定】【2030年推計】…」."""
    return projection.with_marks(label, scenario.ASSUMED, tag)


def comparison_years(meta: dict, years: int, saved_years: dict[str, int]) -> str:
    """The caption over the comparison: which year's people each column counts, said once.

    ``years``: the page's year (of 現在/今の場 and the 仮定 being edited); ``saved_years``: each saved
    scenario compared and its own year. ``""`` when everything is today's; 「人数はすべて2030年推計です。」
    when all share one 推計 year; otherwise the columns of each year by name."""
    page = projection.estimate_tag(meta, years) or projection.choice_label(meta, 0)
    groups: dict[str, list[str]] = {page: ["今の場" if years else "現在", "編集中"]}
    for name, saved in saved_years.items():
        groups.setdefault(projection.estimate_tag(meta, saved) or projection.choice_label(meta, 0), []).append(f"「{name}」")
    if len(groups) == 1:
        return f"人数はすべて{page}です。" if years else ""
    return "人数の年：" + "、".join(f"{'・'.join(names)}は{year}" for year, names in groups.items()) + "。"


# --- the population year ---------------------------------------------------------------------------

@st.cache_data(show_spinner=False)
def _units_for(url: str, code: str, rev: int, years: int):
    return scenarios.units_for(engine(), code, years)


def units_for(code: str, years: int):
    """Population units of today or of the 推計 ``years`` ahead, cached per store revision."""
    return _units_for(database_url(), code, current_revision(), years)


def _years_from_url() -> int:
    """A valid ``?ahead=5|10`` of the URL, else 0 (today); anything else is ignored."""
    wanted = st.query_params.get(YEARS_PARAM)
    return int(wanted) if wanted in {str(y) for y in scenario.YEARS if y} else 0


def year_switch(code: str, units_now):
    """Sidebar choice 現在 / 5年後（YYYY年 推計） / 10年後, mirrored in the URL (``?ahead=``). Returns
    ``(units, years)``; a 推計 is announced on the page with its method and what it ignores."""
    meta = read("meta", code)
    problem = projection.available(meta, read("towns", code), code)
    with st.sidebar:
        st.markdown("#### 人口の年")
        if problem:
            st.caption(md_escape(problem))
            st.query_params.pop(YEARS_PARAM, None)
            return units_now, 0
        if YEARS_KEY not in st.session_state:
            st.session_state[YEARS_KEY] = _years_from_url()
        years = st.radio("人口の年", scenario.YEARS, key=YEARS_KEY, horizontal=True, label_visibility="collapsed",
                         format_func=lambda y: projection.choice_label(meta, y))
    if not years:
        st.query_params.pop(YEARS_PARAM, None)
        return units_now, 0
    st.query_params[YEARS_PARAM] = str(years)
    try:
        units = units_for(code, years)
    except InputError as error:
        st.warning(md_escape(str(error.problems[0])))
        return units_now, 0
    tag = projection.estimate_tag(meta, years)
    st.warning(md_escape(f"{projection.year_label(meta, years)}の人口で表示しています。65歳以上・75歳以上の人数と、"
                         f"それから出すカバー率・徒歩圏外の人数・候補の効果は、すべて{tag}です。"
                         + projection.method_note(basis(code))))
    return units, years


def basis(code: str) -> projection.Basis:
    """How the city's 推計 is made (the words, the life table, what it ignores)."""
    return projection.basis(read("meta", code), read("towns", code), read("population_cells", code))


def outlook(code: str, areas) -> None:
    """65+ and 75+ per area today, +5 and +10 years (推計)."""
    meta = read("meta", code)
    if projection.available(meta, read("towns", code), code):
        return
    table = projection.area_outlook(areas, {y: units_for(code, y) for y in scenario.YEARS})
    shown = pd.DataFrame({"圏域": table["area_name"]})
    config = {"圏域": st.column_config.TextColumn("圏域", width=110)}
    for age in (65, 75):
        for years in scenario.YEARS:
            label = projection.year_label(meta, years)
            shown[f"{age}歳以上 {label}"] = table[f"pop{age}_{years}"].round().astype(int)
            # on screen 「65歳以上 2030年」: the （推計） is in the help, so six columns fit 1280 px
            config[f"{age}歳以上 {label}"] = st.column_config.NumberColumn(
                f"{age}歳以上 {label.replace(f'（{projection.ESTIMATE_LABEL}）', '')}", width=OUTLOOK_WIDTH_PX,
                help=f"{age}歳以上の人数（人）・{label}")
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
    st.caption(md_escape(projection.method_note(basis(code), places=False)))


# --- critical places and reliance -------------------------------------------------------------------

def critical_panel(result: coverage.CoverageResult, prefecture: int, places: pd.DataFrame,
                   tag: str = "") -> fragility.Fragility:
    """Ranked critical places, reliance per area, and one place's details. ``tag``: 「2030年推計」 when
    the people counted are those of a future year (:func:`dashboard.projection.estimate_tag`): the
    section's title says it for the tables (their headers stay short), each figure of the details too."""
    found = fragility.analyse(result, prefecture)
    mark = partial(projection.with_tag, tag=tag)
    distance = result.query.distance_m
    if result.on_network:
        st.caption("ここでの徒歩圏は直線距離です（道路網の歩行距離ではありません）。")
    # the ranked places take the full width (long 場所 names pushed the last columns off a 1920 px
    # screen in a 3:2 column); the reliance per area and one place's details share the row below
    ranked = found.places
    st.dataframe(pd.DataFrame({
        "順": ranked["rank"], "場所": ranked["name"], "種別": ranked["category"],
        "この場だけが徒歩圏の65歳以上（人）": ranked["unique65"].round().astype(int),
        "同・75歳以上（人）": ranked["unique75"].round().astype(int),
        "徒歩圏の65歳以上（人）": ranked["reach65"].round().astype(int)}),
        hide_index=True, width="stretch", height=320, column_config=CRITICAL_COLUMNS)
    st.caption(f"その場だけが休止したら、徒歩{distance} m 圏に集いの場がなくなる人数（直線距離）。多い順。")
    left, right = st.columns([3, 2])
    with left:
        reliance = found.reliance
        st.dataframe(pd.DataFrame({"圏域": reliance["area_name"],
                                   "ひとつの場に頼っている人（65歳以上）": reliance["pop65_single"].round().astype(int),
                                   "徒歩圏の65歳以上のうち": (reliance["single_share65"] * 100).round(1)}),
                     hide_index=True, width="stretch", column_config=RELIANCE_COLUMNS)
        st.caption("ひとつの場に頼っている人＝徒歩圏に集いの場がちょうど1か所しかない65歳以上。")
    with right:
        if len(ranked):
            chosen = st.selectbox("場所の詳細", ranked["place_id"], key="tsudoi_crit_place",
                                  format_func=dict(zip(ranked["place_id"], ranked["name"])).get)
            row = ranked.set_index("place_id").loc[chosen]
            details = places.set_index("id").loc[chosen] if chosen in set(places["id"]) else None
            lines = [f"**{md_escape(row['name'])}**（{md_escape(row['category'])}）",
                     md_escape(mark(fragility.place_sentence(row, distance))),
                     mark(f"徒歩圏の65歳以上：約{row['reach65']:,.0f}人") + f"・重要度 {int(row['rank'])}位／{len(ranked)}か所"]
            if details is not None:
                lines.append("日程：" + md_escape(display_text(details.get("rrule"), details.get("schedule_text"))))
            st.markdown("  \n".join(lines))
    return found


# --- weekday opportunity ----------------------------------------------------------------------------

def weekday_panel(result: coverage.CoverageResult, prefecture: int, area_id: str | None, tag: str = "") -> None:
    table = weekday.area_table(result, prefecture)
    mark = partial(projection.with_tag, tag=tag)
    distance = result.query.distance_m
    areas = table[table["area_id"] != "ALL"]
    fig = go.Figure()
    for row in areas.itertuples():
        values = [getattr(row, f"no_activity_{d.lower()}_65") * 100 for d in weekday.WEEKDAYS]
        fig.add_bar(name=row.area_name, x=[f"{weekday.WEEKDAY_JA[d]}曜" for d in weekday.WEEKDAYS], y=values,
                    hovertemplate="%{x}：%{y:.0f}%<extra>" + row.area_name.replace("<", "&lt;") + "</extra>")
    fig.update_layout(barmode="group", height=340, margin=dict(l=10, r=10, t=40, b=10),
                      title=mark(f"その曜日に徒歩{distance}m以内で活動がない65歳以上の割合（圏域別）"),
                      yaxis=dict(title="%", range=[0, 100]), legend=dict(orientation="h"))
    st.plotly_chart(fig, width="stretch", key="tsudoi_weekday_chart")
    row = table.set_index("area_id").loc[area_id or "ALL"]
    worst = max(weekday.WEEKDAYS[:6], key=lambda d: -1 if pd.isna(row[f"no_activity_{d.lower()}_65"])
                else row[f"no_activity_{d.lower()}_65"])
    st.markdown(md_escape(mark(weekday.weekday_sentence(row, worst, distance))))
    st.dataframe(pd.DataFrame({"圏域": table["area_name"],
                               "週1日以上（%）": (table["weekdays_ge1_65"] * 100).round(1),
                               "週3日以上（%）": (table["weekdays_ge3_65"] * 100).round(1),
                               "月あたり開催回数（65歳以上平均）": table["sessions_per_month_65"].round(1)}),
                 hide_index=True, width="stretch")
    st.caption("各場の開催日（日程の規則）から、徒歩圏（直線距離）に活動がある曜日を数えています。"
               "日程が未登録・不定期の場は曜日に数えません。")


# --- the scenario editor ----------------------------------------------------------------------------

def _clicks() -> list[tuple[float, float]]:
    return st.session_state.setdefault(CLICKS_KEY, [])


def editor(code: str, areas, places: pd.DataFrame, venues: pd.DataFrame, base: coverage.CoverageResult,
           prefecture: int, years: int) -> None:
    """Switch places off, add hypothetical ones (candidate venues or map clicks), change the distance:
    coverage, uncovered counts and the map follow at once. Save, and compare up to three."""
    counted = base.places
    names = dict(zip(counted["id"], counted["name"]))
    c1, c2, c3 = st.columns(3)
    distance = c1.select_slider("徒歩圏（仮定, m）", coverage.DISTANCES_M, value=base.query.distance_m,
                                key="tsudoi_scn_distance")
    off = c2.multiselect("休止にする場（仮定）", list(counted["id"]), key="tsudoi_scn_off", format_func=names.get,
                         **choice_texts(counted["id"]))
    venue_names = dict(zip(venues["id"], venues["name"])) if len(venues) else {}
    opened = c3.multiselect("新しい場を開く候補会場（仮定）", list(venue_names), key="tsudoi_scn_venues",
                            format_func=venue_names.get, **choice_texts(venue_names))
    added = [{"name": venue_names[v], "lat": float(venues.set_index("id").at[v, "lat"]),
              "lon": float(venues.set_index("id").at[v, "lon"]), "venue_id": v} for v in opened]
    added += [{"name": f"地図で加えた場{i}", "lat": lat, "lon": lon} for i, (lat, lon) in enumerate(_clicks(), start=1)]
    what_if = scenario.Scenario(name="編集中の仮定", distance_m=distance, frequency=base.query.frequency,
                                categories=base.query.categories, off=tuple(off), added=tuple(added), years=years)
    result = scenario.run(areas, base.units, places, what_if, prefecture)
    now, then = scenario.summary(base), scenario.summary(result)
    tag = projection.estimate_tag(read("meta", code), years)
    k1, k2, k3 = st.columns(3)
    k1.metric(assumed("徒歩圏の65歳以上", tag), f"{then['coverage65']:.1%}",
              delta=f"{(then['coverage65'] - now['coverage65']) * 100:+.1f} ポイント")
    k2.metric(assumed("徒歩圏外の65歳以上", tag), f"{then['uncovered65']:,.0f} 人",
              delta=f"{then['uncovered65'] - now['uncovered65']:+,.0f} 人", delta_color="inverse")
    k3.metric(assumed("徒歩圏外の75歳以上", tag), f"{then['uncovered75']:,.0f} 人",
              delta=f"{then['uncovered75'] - now['uncovered75']:+,.0f} 人", delta_color="inverse")
    found = fragility.analyse(result, prefecture)
    fmap = build_coverage_map(areas, result.table, result.units, result.places[~result.places["id"].str.startswith(
        scenario.HYPOTHETICAL_PREFIX)], [], [], basemap=basemap_choice(), distance_m=distance, estimate=tag)
    hypothetical = result.places[result.places["id"].str.startswith(scenario.HYPOTHETICAL_PREFIX)]
    add_critical_places(fmap, found.places, distance, added=hypothetical,
                        off=places[places["id"].isin(off)][["name", "lat", "lon"]])
    clicked = show_map(fmap, key="tsudoi_scenario_map", height=520, map_clicks=True)
    # the year once, in front of the legend: its lines are short, and two of them are places, not people
    st.caption((f"凡例（人数は{tag}）：" if tag else "") + " ・ ".join(label for _, label, _ in critical_legend(distance))
               + "。地図をクリックすると、その地点に仮の場を加えます。")
    if clicked is not None and clicked not in _clicks():
        _clicks().append(clicked)
        st.rerun()
    if _clicks() and st.button("地図で加えた場を消す", key="tsudoi_scn_clear"):
        _clicks().clear()
        st.rerun()
    _save_and_compare(code, what_if, result, base, years)


def _save_and_compare(code: str, what_if: scenario.Scenario, result, base, years: int = 0) -> None:
    left, right = st.columns([1, 2])
    with left:
        name = st.text_input("この仮定に名前をつけて保存", key="tsudoi_scn_name", max_chars=scenario.MAX_NAME,
                             placeholder="例：南町2丁目サロンが休止したら")
        if st.button("保存", key="tsudoi_scn_save", disabled=not name.strip()):
            try:
                stored = scenarios.save(engine(), code, what_if.with_changes(name=name))
                st.success(f"「{stored.name}」を保存しました（会議モードと地域カルテに「仮定」として表示されます）")
            except InputError as error:
                st.error(md_escape(str(error.problems[0])))
    saved = scenarios.names(engine(), code)
    with right:
        chosen = st.multiselect(f"保存した仮定を比べる（{scenario.MAX_COMPARED}つまで）", saved,
                                max_selections=scenario.MAX_COMPARED, key="tsudoi_scn_compare", **choice_texts(saved))
        # headers stay short (a scenario's name can be long already): the years are said once, above
        results = {"今の場" if years else "現在": base, assumed("編集中"): result}
        years_of = {}
        for name in chosen:
            try:
                saved_scenario = scenarios.load(engine(), code, name)
                results[assumed(name)] = scenarios.run(engine(), code, saved_scenario)
                years_of[name] = saved_scenario.years
            except InputError as error:
                st.warning(md_escape(f"「{name}」: {error.problems[0]}"))
        note = comparison_years(read("meta", code), years, years_of)
        if note:
            st.caption(md_escape(note))
    _comparison_table(scenario.comparison(results))
    if saved:
        with st.columns([1, 2])[1]:
            doomed = st.selectbox("保存した仮定を消す", [""] + saved, key="tsudoi_scn_delete")
            if doomed and st.button("消す", key="tsudoi_scn_delete_button"):
                scenarios.remove(engine(), code, doomed)
                st.rerun()


def _comparison_table(table: pd.DataFrame) -> None:
    """Today and each 仮定 side by side, in the page's full width (it was in the right 2/3, ~537 px at
    1280×720, and needed sideways scrolling). A result's name can be long, so each header is cut to
    a share of the width and its help says it in full."""
    rates = [c for c in table.columns if c.endswith("カバー率")]
    counts = [c for c in table.columns if c.endswith("（人）")]
    shown = table.drop(columns=["area_id"])
    for column in rates:
        shown[column] = (shown[column] * 100).round(1)
    for column in counts:
        shown[column] = shown[column].round().astype(int)
    width = max(70, min(200, (COMPARISON_WIDTH_PX - COMPARISON_AREA_PX) // max(1, len(rates) + len(counts))))
    config = {"圏域": st.column_config.TextColumn("圏域", width=COMPARISON_AREA_PX)}
    config |= {c: st.column_config.NumberColumn(format="%.1f%%", width=width, help=f"{c}（65歳以上）") for c in rates}
    config |= {c: st.column_config.NumberColumn(c.removesuffix("（人）"), width=width, help=f"{c}：徒歩圏外の65歳以上")
               for c in counts}
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)


def section(code: str, areas, places: pd.DataFrame, venues: pd.DataFrame, result: coverage.CoverageResult,
            prefecture: int, area_id: str | None, years: int) -> None:
    """Everything of 将来を考える, under the coverage page's existing sections; with ``years`` > 0
    every figure drawn from the people is marked with the 推計's year."""
    tag = projection.estimate_tag(read("meta", code), years)
    st.subheader(projection.titled("ひとつの場に頼っている人と、重要な場", tag), anchor=False)
    critical_panel(result, prefecture, places, tag)
    st.subheader(projection.titled("曜日ごとの活動の機会", tag), anchor=False)
    weekday_panel(result, prefecture, area_id, tag)
    st.subheader("65歳以上・75歳以上のこれから（推計）", anchor=False)
    outlook(code, areas)
    st.subheader(projection.titled("仮定で考える（シナリオ）", scenario.ASSUMED, tag), anchor=False)
    editor(code, areas, places, venues, result, prefecture, years)


# --- 会議モード: one slide per saved scenario, marked 仮定 ----------------------------------------------

COUNCIL_PREFIX = f"{scenario.ASSUMED}："


def council_slides(code: str) -> list:
    """One slide per saved scenario (after the priority slide), titled 「仮定：name」."""
    from dashboard.council import Slide

    return [Slide("scenario", None, f"{COUNCIL_PREFIX}{name}") for name in scenarios.names(engine(), code)]


def council_slide(slide, code: str, areas, index: int) -> None:
    """The slide body: the coverage map under the scenario and its numbers beside today's."""
    from dashboard.council import Headline
    from dashboard.maps.coverage_map import legend_items
    from dashboard.ui import council_view

    what_if = scenarios.load(engine(), code, slide.title.removeprefix(COUNCIL_PREFIX))
    result = scenarios.run(engine(), code, what_if)
    base = scenarios.run(engine(), code, scenario.Scenario(distance_m=what_if.distance_m, frequency=what_if.frequency,
                                                           categories=what_if.categories, years=what_if.years))
    now, then = scenario.summary(base), scenario.summary(result)
    meta = read("meta", code)
    left, right = st.columns([11, 9], gap="medium")
    with left.container(key="tsudoi_map_column", gap=None):
        fmap = build_coverage_map(areas, result.table, result.units, result.places, [], [], basemap="none",
                                  distance_m=what_if.distance_m, projector=True)
        show_map(fmap, key=f"tsudoi_council_scenario_{index}", height=480, basemap_key=None)
        council_view.legend(legend_items(what_if.distance_m))
    year = projection.year_label(meta, what_if.years)
    what = f"休止{len(what_if.off)}か所・新設{len(what_if.added)}か所・徒歩{what_if.distance_m}m・人口{year}"
    with right:
        council_view.headline_stack([
            Headline(f"{scenario.ASSUMED}の内容", what_if.name, what),
            Headline(f"徒歩{what_if.distance_m}m圏（{scenario.ASSUMED}）", f"{then['coverage65'] * 100:.0f}%",
                     f"現在の場なら{now['coverage65'] * 100:.0f}%・65歳以上"),
            Headline(f"徒歩圏外の65歳以上（{scenario.ASSUMED}）", f"{then['uncovered65']:,.0f}人",
                     f"現在の場なら{now['uncovered65']:,.0f}人"),
            Headline(f"徒歩圏外の75歳以上（{scenario.ASSUMED}）", f"{then['uncovered75']:,.0f}人",
                     f"現在の場なら{now['uncovered75']:,.0f}人"),
        ])
