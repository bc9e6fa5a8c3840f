"""地域カルテ: one extra page per saved scenario, marked 「仮定」 in a box on the title line, with the
推計 of 65+/75+ per area beside it (only when scenarios are saved: a karte without any keeps one
page per section). Gathering reads the store; drawing is reportlab on the karte's canvas.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Table, TableStyle
from sqlalchemy import Engine

from dashboard import projection, scenario
from dashboard.errors import InputError
from dashboard.store import reads

PAGE_W, PAGE_H = A4
MARGIN_X, TOP = 12 * mm, PAGE_H - 10 * mm


@dataclass(frozen=True)
class ScenarioPage:
    name: str
    what: str  # 休止N・新設M・距離・人口の年
    rows: list[tuple[str, str, str, str, str]]  # 圏域, 現在 coverage, 仮定 coverage, 現在 uncovered, 仮定 uncovered
    outlook: list[tuple[str, ...]]  # 圏域, 65+ now/+5/+10, 75+ now/+5/+10 (推計)
    outlook_header: tuple[str, ...]
    basis: str


def gather(engine: Engine, code: str) -> list[ScenarioPage]:
    """One page per saved scenario of the city (none saved → [])."""
    from dashboard.services import scenarios

    names = scenarios.names(engine, code)
    if not names:
        return []
    meta, areas = reads.meta(engine, code), reads.areas(engine, code)
    try:
        units = {y: scenarios.units_for(engine, code, y) for y in scenario.YEARS}
        table = projection.area_outlook(areas, units)
        header = ("圏域", *(f"65歳以上 {projection.year_label(meta, y)}" for y in scenario.YEARS),
                  *(f"75歳以上 {projection.year_label(meta, y)}" for y in scenario.YEARS))
        outlook = [(r["area_name"], *(f"{r[f'pop65_{y}']:,.0f}" for y in scenario.YEARS),
                    *(f"{r[f'pop75_{y}']:,.0f}" for y in scenario.YEARS)) for _, r in table.iterrows()]
        basis = f"推計：{projection.lifetable.EDITION}による生残率で5歳階級を進めたもの。{projection.CAVEAT}"
    except InputError:
        header, outlook, basis = (), [], "将来の推計は、市の年齢別人口が読めないため載せていません。"
    pages = []
    for name in names:
        what_if = scenarios.load(engine, code, name)
        result = scenarios.run(engine, code, what_if)
        base = scenarios.run(engine, code, scenario.Scenario(distance_m=what_if.distance_m, frequency=what_if.frequency,
                                                             categories=what_if.categories, years=what_if.years))
        now, then = base.table.set_index("area_id"), result.table.set_index("area_id")
        rows = [(now.at[a, "area_name"], _pct(now.at[a, "coverage65"]), _pct(then.at[a, "coverage65"]),
                 f"{now.at[a, 'pop65'] - now.at[a, 'pop65_covered']:,.0f}",
                 f"{then.at[a, 'pop65'] - then.at[a, 'pop65_covered']:,.0f}") for a in now.index]
        what = (f"休止 {len(what_if.off)} か所・新設 {len(what_if.added)} か所・徒歩 {what_if.distance_m} m・"
                f"人口 {projection.year_label(meta, what_if.years)}")
        pages.append(ScenarioPage(name, what, rows, outlook, header, basis))
    return pages


def _pct(value) -> str:
    return "—" if pd.isna(value) else f"{value * 100:.1f}%"


def draw(canvas, font: str, page: ScenarioPage, municipality_name: str) -> None:
    c = canvas
    c.setFont(font, 9)
    c.drawString(MARGIN_X, TOP - 9, f"{municipality_name}　生活支援体制整備事業　将来を考える")
    title = f"地域カルテ　{scenario.ASSUMED}：{page.name}"
    c.setFont(font, 18)
    c.drawString(MARGIN_X, TOP - 31, title)
    c.setFont(font, 14)
    c.setLineWidth(1.6)
    c.rect(PAGE_W - MARGIN_X - 22 * mm, TOP - 36, 22 * mm, 22, stroke=1, fill=0)
    c.drawCentredString(PAGE_W - MARGIN_X - 11 * mm, TOP - 30, scenario.ASSUMED)
    c.line(MARGIN_X, TOP - 42, PAGE_W - MARGIN_X, TOP - 42)
    c.setFont(font, 10)
    c.drawString(MARGIN_X, TOP - 58, f"この頁は「{scenario.ASSUMED}」の試算です（実際の計画・決定ではありません）：{page.what}")
    y = TOP - 70
    y = _table(c, font, y, ("圏域", "徒歩圏の65歳以上 現在", f"同 {scenario.ASSUMED}", "徒歩圏外の65歳以上 現在",
                            f"同 {scenario.ASSUMED}（人）"), page.rows)
    if page.outlook:
        c.setFont(font, 11)
        c.drawString(MARGIN_X, y - 14, f"65歳以上・75歳以上のこれから（{projection.ESTIMATE_LABEL}、人）")
        y = _table(c, font, y - 20, page.outlook_header, page.outlook, size=7.5)
    c.setFont(font, 8)
    for i, line in enumerate(_wrap(page.basis, 60)):
        c.drawString(MARGIN_X, y - 12 - i * 11, line)


def _table(c, font: str, y: float, header, rows, size: float = 9) -> float:
    table = Table([list(header)] + [list(r) for r in rows], hAlign="LEFT")
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, size), ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e0e0e0")),
                               ("ALIGN", (1, 1), (-1, -1), "RIGHT")]))
    _, height = table.wrapOn(c, PAGE_W - 2 * MARGIN_X, PAGE_H)
    table.drawOn(c, MARGIN_X, y - height)
    return y - height


def _wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)]
