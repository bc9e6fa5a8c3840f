"""Plotly figures of suppressed survey tables. Pure: tables in, figures out (no Streamlit).

Every figure carries, in its title, the profile, the denominator, n and the as-of date, and the
「架空の調査データ」 label when the survey is synthetic. Suppressed cells are drawn as
「n<10のため非表示」, never as 0. Area names are HTML-escaped (plotly renders a subset of HTML).
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from dashboard.survey.service import SYNTHETIC_LABEL

#: Okabe–Ito (colour-blind safe): area bars, city line, needs, offers.
AREA_COLOR, CITY_COLOR, NEED_COLOR, OFFER_COLOR = "#0072B2", "#D55E00", "#E69F00", "#009E73"
FONT = dict(family="Noto Sans CJK JP, Noto Sans JP, sans-serif", size=15)


def _t(text) -> str:
    return html.escape("" if text is None else str(text), quote=False)


def hidden_label(min_n: int) -> str:
    return f"n<{min_n}のため非表示"


def caption(profile_title: str, as_of: str | None, synthetic: bool, extra: str = "") -> str:
    """Two short lines under a title: the synthetic label and the basis first (they must never be
    cut off), then the denominator and n."""
    first = ([f"【{SYNTHETIC_LABEL}】"] if synthetic else []) + [f"判定基準：{profile_title}", f"調査時点：{as_of or '不明'}"]
    lines = ["　".join(_t(p) for p in first)]
    if extra:
        lines.append(_t(extra))
    return "<br>".join(lines)


def _layout(fig: go.Figure, title: str, subtitle: str, height: int = 460) -> go.Figure:
    subtitle = "<br>".join(f"<span style='font-size:12px'>{line}</span>" for line in subtitle.split("<br>"))
    fig.update_layout(title=dict(text=f"<b>{_t(title)}</b><br>{subtitle}"), font=FONT, height=height,
                      margin=dict(l=60, r=20, t=110, b=60), plot_bgcolor="#ffffff", paper_bgcolor="#ffffff")
    return fig


def indicator_bars(table: pd.DataFrame, indicator: str, area_names: dict[str, str], *, profile_title: str,
                   as_of: str | None, synthetic: bool) -> go.Figure:
    """Rate per area with 95% CI whiskers and the city rate as a line."""
    rows = table[table["indicator"] == indicator]
    city = rows[rows["area_id"] == "ALL"].iloc[0]
    areas = rows[rows["area_id"] != "ALL"]
    names = [_t(area_names.get(a, a)) for a in areas["area_id"]]
    shown = ~areas["suppressed"]
    rate = areas["rate"] * 100
    fig = go.Figure(go.Bar(
        x=names, y=rate.where(shown), marker_color=AREA_COLOR, customdata=areas["area_id"],
        text=[f"{r:.1f}%<br>n={int(n):,}" if s else "" for r, n, s in zip(rate, areas["n_valid"], shown)],
        textposition="inside", insidetextanchor="start", textfont=dict(color="#ffffff"),
        error_y=dict(type="data", symmetric=False, array=(areas["ci_high"] * 100 - rate).where(shown),
                     arrayminus=(rate - areas["ci_low"] * 100).where(shown), color="#333333"),
        hovertemplate="%{x}: %{y:.1f}%<extra></extra>", name="圏域"))
    for name, suppressed in zip(names, areas["suppressed"]):
        if suppressed:
            fig.add_annotation(x=name, y=0, text=hidden_label(int(table["min_n"].iloc[0])), showarrow=False,
                               yanchor="bottom", font=dict(color="#555555"))
    if not city["suppressed"]:
        fig.add_hline(y=city["rate"] * 100, line=dict(color=CITY_COLOR, dash="dash", width=3),
                      annotation_text=f"市全体 {city['rate']:.1%}", annotation_position="top left")
    fig.update_yaxes(title="該当者の割合（%）", rangemode="tozero", gridcolor="#dddddd")
    label = rows["label"].iloc[0]
    n_city = "" if city["suppressed"] else f"市全体 n={int(city['n_valid']):,}"
    return _layout(fig, label, caption(profile_title, as_of, synthetic,
                                       f"分母＝判定可能な回答者（{n_city}）。ひげ＝95%信頼区間。破線＝市全体"))


def difference_heatmap(table: pd.DataFrame, indicators: list[str], area_names: dict[str, str], *,
                       profile_title: str, as_of: str | None, synthetic: bool) -> go.Figure:
    """Area × indicator, coloured by the difference from the city (percentage points)."""
    labels = table.drop_duplicates("indicator").set_index("indicator")["label"]
    city = table[table["area_id"] == "ALL"].set_index("indicator")["rate"]
    areas = [a for a in table["area_id"].unique() if a != "ALL"]
    z, text = [], []
    for area_id in areas:
        part = table[table["area_id"] == area_id].set_index("indicator")
        z.append([None if part.at[i, "suppressed"] else (part.at[i, "rate"] - city[i]) * 100 for i in indicators])
        text.append([hidden_label(int(part.at[i, "min_n"])) if part.at[i, "suppressed"]
                     else f"{part.at[i, 'rate']:.0%}<br>({(part.at[i, 'rate'] - city[i]) * 100:+.1f})" for i in indicators])
    fig = go.Figure(go.Heatmap(
        z=z, x=[_t(labels[i]) for i in indicators], y=[_t(area_names.get(a, a)) for a in areas], text=text,
        texttemplate="%{text}", colorscale="PuOr_r", zmid=0, colorbar=dict(title="市との差<br>（ポイント）"),
        hoverongaps=False, customdata=[[a] * len(indicators) for a in areas]))
    fig.update_xaxes(tickangle=-30)
    return _layout(fig, "圏域ごとの特徴（市全体との差）",
                   caption(profile_title, as_of, synthetic, "色＝市全体との差（橙ほど高い）。数字＝該当割合"), height=520)


def radar(table: pd.DataFrame, area_id: str, indicators: list[str], area_names: dict[str, str], *,
          profile_title: str, as_of: str | None, synthetic: bool) -> go.Figure:
    """One area's rates against the city's; suppressed indicators are left as gaps."""
    labels = table.drop_duplicates("indicator").set_index("indicator")["label"]
    theta = [_t(labels[i]) for i in indicators] + [_t(labels[indicators[0]])]
    fig = go.Figure()
    for key, name, color in (("ALL", "市全体", CITY_COLOR), (area_id, area_names.get(area_id, area_id), AREA_COLOR)):
        part = table[table["area_id"] == key].set_index("indicator")
        r = [None if part.at[i, "suppressed"] else part.at[i, "rate"] * 100 for i in indicators]
        fig.add_trace(go.Scatterpolar(r=r + r[:1], theta=theta, name=_t(name), line=dict(color=color, width=3),
                                      connectgaps=False))
    fig.update_layout(polar=dict(radialaxis=dict(ticksuffix="%", rangemode="tozero")))
    return _layout(fig, f"{area_names.get(area_id, area_id)}のリスク（市全体との比較）",
                   caption(profile_title, as_of, synthetic), height=520)


def grouped_bars(table: pd.DataFrame, indicators: list[str], area_names: dict[str, str], title: str, *,
                 profile_title: str, as_of: str | None, synthetic: bool) -> go.Figure:
    """Several indicators (participation, intent) side by side per area, city last."""
    labels = table.drop_duplicates("indicator").set_index("indicator")["label"]
    order = [a for a in table["area_id"].unique() if a != "ALL"] + ["ALL"]
    names = [_t(area_names.get(a, "市全体" if a == "ALL" else a)) for a in order]
    fig = go.Figure()
    for indicator in indicators:
        part = table[table["indicator"] == indicator].set_index("area_id").loc[order]
        fig.add_trace(go.Bar(x=names, y=(part["rate"] * 100).where(~part["suppressed"]),
                             name=_t(labels[indicator]), customdata=order,
                             hovertemplate="%{x}: %{y:.1f}%<extra>%{fullData.name}</extra>"))
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=-0.2))
    fig.update_yaxes(title="割合（%）", rangemode="tozero", gridcolor="#dddddd")
    return _layout(fig, title, caption(profile_title, as_of, synthetic, "分母＝判定可能な回答者"), height=520)


def helpers_diverging(table: pd.DataFrame, area_id: str, area_name: str, *, as_of: str | None,
                      synthetic: bool) -> go.Figure:
    """Needs (left) and offers (right) per help item for one area (households)."""
    part = table[table["area_id"] == area_id]
    fig = go.Figure()
    labels = [_t(label) for label in part["label"]]
    fig.add_trace(go.Bar(y=labels, x=-part["needs"], orientation="h", name="して欲しい（ニーズ）",
                         marker_color=NEED_COLOR, customdata=part["needs"], hovertemplate="%{y}: %{customdata}件<extra></extra>"))
    fig.add_trace(go.Bar(y=labels, x=part["offers"], orientation="h", name="してあげられる（担い手）",
                         marker_color=OFFER_COLOR, hovertemplate="%{y}: %{x}件<extra></extra>"))
    fig.update_layout(barmode="relative", legend=dict(orientation="h", y=-0.15))
    fig.update_xaxes(title="世帯数（左＝ニーズ、右＝担い手）", tickformat="d", zeroline=True, zerolinewidth=2)
    n = part["n"].iloc[0] if len(part) else float("nan")
    min_n = int(table["min_n"].iloc[0]) if "min_n" in table.columns and len(table) else 10
    n_text = hidden_label(min_n) if pd.isna(n) else f"回答世帯 n={int(n):,}"
    return _layout(fig, f"{area_name}：して欲しいこと と してあげられること",
                   caption("助け合い調査（川島町方式）", as_of, synthetic, n_text), height=520)
