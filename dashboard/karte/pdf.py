"""地域カルテ as an A4 portrait PDF, drawn with reportlab: one page per section, city summary first.

Each section is laid out on a fixed grid (header, map + headline numbers, survey table, places
list, sources), so it always fits exactly one page: the places list takes the height left over
and ends with 「ほか N 件」 when it is longer. Text stays text (searchable, sharp in print) and the
IPAex ゴシック TrueType font is embedded as a subset. Everything is black, white and greys.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle
from sqlalchemy import Engine

from dashboard import sources
from dashboard.projection import ESTIMATE_LABEL as ESTIMATE
from dashboard.karte import future_page, static_map
from dashboard.karte.data import Headline, Karte, PlaceRow, Section, SurveyFigures, gather, map_layers
from dashboard.karte.fonts import FAMILY, font_path
from dashboard.survey.service import SYNTHETIC_LABEL

PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 12 * mm, 10 * mm, 8 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X
MAP_W, BLOCK_H = 96 * mm, 100 * mm  # the map column; BLOCK_H includes its heading
#: The city summary of a future year gives this much of its map block to the 推計 note, so the
#: area table and the sources still fit on the page.
ESTIMATE_NOTE_H = 22 * mm
GAP = 4 * mm
#: Greys for print: heading bands, table rules, the city marker in bar charts.
BAND, RULE, MID = colors.HexColor("#e0e0e0"), colors.HexColor("#9a9a9a"), colors.HexColor("#6e6e6e")
#: Labels printed on every section that uses synthetic or provisional data.
PLACES_SYNTHETIC_LABEL = "サンプル（架空）の資源を含む"
AREA_DEMO_LABEL = sources.DEMO_AREA_NOTICE
SURVEY_SYNTHETIC_LABEL = SYNTHETIC_LABEL


# --- entry points ----------------------------------------------------------------------------------

def build_karte(engine: Engine, code: str, area_ids: list[str] | None, out_path, years: int = 0) -> int:
    """Write the 地域カルテ of ``area_ids`` (``None`` = city summary, then every area) to
    ``out_path``; returns the number of pages (one per section, then one per saved scenario).
    ``years`` 5 or 10: with the 推計 of the older population that many years ahead, every projected
    figure marked 推計 and the method (and what it ignores) on each page.

    Raises :class:`dashboard.karte.data.UnknownArea` for an unknown id and
    :class:`dashboard.karte.fonts.FontNotFound` without the Japanese font.
    """
    karte = gather(engine, code, area_ids, years=years)
    data = karte_pdf_bytes(karte)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return len(karte.sections) + len(karte.scenario_pages)


def render_area_map_png(engine: Engine, code: str, area_id: str | None) -> bytes:
    """PNG of the static map of one area (``None`` = the whole city), as printed in the karte."""
    return static_map.render_png(map_layers(engine, code, area_id), area_id, width_mm=160, height_mm=160)


def karte_pdf_bytes(karte: Karte) -> bytes:
    font = _register_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=10)
    canvas.setTitle(f"地域カルテ {karte.municipality_name}" + (f" {karte.estimate}" if karte.estimate else ""))
    canvas.setAuthor("つどいマップ (Tsudoi)")
    canvas.setSubject("生活支援体制整備事業 日常生活圏域の地域カルテ")
    total = len(karte.sections)
    for number, section in enumerate(karte.sections, start=1):
        _Page(canvas, font, karte, section, number, total).draw()
        canvas.showPage()
    for page in karte.scenario_pages:  # saved scenarios, each marked 仮定 (none saved → no extra page)
        future_page.draw(canvas, font, page, karte.municipality_name)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _register_font() -> str:
    if FAMILY not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FAMILY, str(font_path())))  # subset-embedded by reportlab
    return FAMILY


# --- text helpers (pure; tested directly) --------------------------------------------------------

def persons(value: float) -> str:
    return "—" if value is None or math.isnan(value) else f"{round(value):,} 人"


def percent(fraction: float | None) -> str:
    return "—" if fraction is None or math.isnan(fraction) else f"{fraction:.1%}"


def hidden_label(min_n: int) -> str:
    """What a suppressed survey cell prints (never 0): 「n<10のため非表示」."""
    return f"n<{min_n}のため非表示"


def synthetic_labels(section: Section) -> list[str]:
    """The provisional/synthetic-data labels a section must carry, in print order."""
    labels = [AREA_DEMO_LABEL] if section.is_demo_area else []
    if section.places_synthetic:
        labels.append(PLACES_SYNTHETIC_LABEL)
    if section.survey is not None and section.survey.is_synthetic:
        labels.append(SURVEY_SYNTHETIC_LABEL)
    return labels


def survey_cells(figures: SurveyFigures) -> list[tuple[str, str, float | None, str]]:
    """Per indicator: (label, this section's figure, its rate for the bar, the city's figure).

    Suppressed cells print :func:`hidden_label` and draw no bar — a hidden figure is never shown as 0.
    """
    hidden = hidden_label(figures.min_n)
    rows = []
    for row in figures.rows:
        mine = hidden if row.suppressed else f"{percent(row.rate)}（n={row.n_valid:,}）"
        city = hidden if row.city_suppressed else percent(row.city_rate)
        rows.append((row.label, mine, None if row.suppressed else row.rate, city))
    return rows


def more_places_lines(hidden: list[PlaceRow], internal: int) -> list[str]:
    """「ほか N 件（種類 n、…）」 for rows that did not fit, and 「ほか内部の資源 N 件」."""
    lines = []
    if hidden:
        counts = Counter(p.category for p in hidden)
        lines.append(f"ほか {len(hidden)} 件（" + "、".join(f"{c} {n}" for c, n in counts.most_common()) + "）")
    if internal:
        lines.append(f"ほか内部の資源 {internal} 件（コーディネーター用の資源のため、名称・場所・連絡先は掲載しません）")
    return lines


def voices_line(summary) -> str:
    """The karte's 地域の声 line: 「計 12 件：買い物 5件・移動 3件 …（2026年4月10日〜…の活動記録 4 件から。…）」."""
    if summary.total == 0:
        return "この圏域の地域の声は、活動記録にまだありません。"
    untagged = f"・タグなし {summary.untagged}件" if summary.untagged else ""
    return (f"計 {summary.total} 件：{summary.tag_line(unit='件')}{untagged}（{japanese_date(summary.first)}〜"
            f"{japanese_date(summary.last)}の活動記録 {summary.records} 件から。1件の声に2つのタグがあればそれぞれに数えます）")


def japanese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with 「…」 so that it is at most ``width`` points wide in ``font``."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


# --- one page ------------------------------------------------------------------------------------

class _Page:
    """Draws one section top-down; ``self.y`` is the top of the next free band (points from the bottom)."""

    def __init__(self, canvas: Canvas, font: str, karte: Karte, section: Section, number: int, total: int):
        self.c, self.font, self.karte, self.section = canvas, font, karte, section
        self.number, self.total = number, total
        self.y = PAGE_H - MARGIN_TOP
        self.city_only = section.area_id is None

    def style(self, size: float, leading: float | None = None, color=colors.black) -> ParagraphStyle:
        return ParagraphStyle(f"s{size}", fontName=self.font, fontSize=size, leading=leading or size * 1.3,
                              textColor=color, wordWrap="CJK")

    def draw(self) -> None:
        footer_top = self._footer()
        self._header()
        self._map_and_numbers()
        if self.karte.estimate:  # a future year: how the 推計 was made and what it ignores, on every page
            self._estimate_note()
        self._survey()
        if self.section.voices is not None:  # only for a city with 活動記録 (#16)
            self._voices()
        self._places(footer_top)

    # header: title, municipality, date, labels
    def _header(self) -> None:
        c, s = self.c, self.section
        top = self.y
        kind = "市全体のまとめ（各圏域は次ページ以降）" if self.city_only else "日常生活圏域"
        c.setFont(self.font, 9)
        c.drawString(MARGIN_X, top - 9, f"{self.karte.municipality_name}　生活支援体制整備事業　{kind}")
        c.drawRightString(PAGE_W - MARGIN_X, top - 9, f"作成日 {japanese_date(self.karte.made_on)}")
        title = f"地域カルテ　{self.karte.municipality_name} 市全体" if self.city_only else f"地域カルテ　{s.name}"
        if self.karte.estimate:  # a future year says so in the title (the note under the numbers says how)
            title += f"　{self.karte.estimate}"
        c.setFont(self.font, 18)
        c.drawString(MARGIN_X, top - 31, title)
        # boxed labels on the title line, right-aligned; a second line only if a long name needs it
        size, pad, gap = 8, 3 * mm, 1.5 * mm
        boxed = synthetic_labels(s)
        widths = [pdfmetrics.stringWidth(t, self.font, size) + 2 * pad for t in boxed]
        room = CONTENT_W - pdfmetrics.stringWidth(title, self.font, 18) - 4 * mm
        baseline = top - 31 if sum(widths) + gap * len(widths) <= room else top - 47
        x = PAGE_W - MARGIN_X
        c.setFont(self.font, size)
        c.setLineWidth(0.8)
        for label, width in reversed(list(zip(boxed, widths))):
            x -= width
            c.rect(x, baseline - 3.5, width, 13, stroke=1, fill=0)
            c.drawString(x + pad, baseline, label)
            x -= gap
        bottom = baseline - 9
        c.setLineWidth(1.6)
        c.line(MARGIN_X, bottom, PAGE_W - MARGIN_X, bottom)
        self.y = bottom - GAP

    def _heading(self, x: float, y: float, width: float, text: str, labels: list[str] = ()) -> float:
        """A grey band with a heading; returns the y below it."""
        height = 6 * mm
        self.c.setFillColor(BAND)
        self.c.rect(x, y - height, width, height, stroke=0, fill=1)
        self.c.setFillColor(colors.black)
        self.c.setFont(self.font, 10)
        self.c.drawString(x + 2 * mm, y - height + 5.2, f"■ {text}")
        if labels:
            self.c.setFont(self.font, 8)
            self.c.drawRightString(x + width - 2 * mm, y - height + 5.2, "　".join(f"［{t}］" for t in labels))
        return y - height - 1.5 * mm

    # map + headline numbers
    def _map_and_numbers(self) -> None:
        s = self.section
        top = self.y
        y = self._heading(MARGIN_X, top, MAP_W, "地図", [AREA_DEMO_LABEL] if s.is_demo_area else [])
        image_h = y - (top - self._block_h())
        png = static_map.render_png(self.karte.layers, s.area_id, width_mm=MAP_W / mm, height_mm=image_h / mm)
        self.c.drawImage(ImageReader(io.BytesIO(png)), MARGIN_X, y - image_h, MAP_W, image_h)
        self.c.setStrokeColor(RULE)
        self.c.setLineWidth(0.5)
        self.c.rect(MARGIN_X, y - image_h, MAP_W, image_h, stroke=1, fill=0)
        self.c.setStrokeColor(colors.black)

        x = MARGIN_X + MAP_W + GAP
        width = CONTENT_W - MAP_W - GAP
        y = self._heading(x, top, width, "主な数字")
        table = self._numbers_table(width)
        _, height = table.wrapOn(self.c, width, top)
        table.drawOn(self.c, x, y - height)
        y -= height + 2 * mm
        note = Paragraph(self._numbers_note(), self.style(7, 9.5, MID))
        _, note_h = note.wrapOn(self.c, width, y)
        note.drawOn(self.c, x, y - note_h)
        self.y = top - self._block_h() - GAP

    def _block_h(self) -> float:
        return BLOCK_H - (ESTIMATE_NOTE_H if self.city_only and self.karte.estimate else 0)

    def _numbers_table(self, width: float) -> Table:
        s, city = self.section, self._city_headline()
        distance = s.headline.distance_m
        # a future year: each figure counted from the people says 推計 (the places are today's)
        mark = "［推計］" if self.karte.estimate else ""
        rows = [(f"65歳以上人口{mark}", lambda h: persons(h.pop65)),
                (f"75歳以上人口{mark}", lambda h: persons(h.pop75)),
                ("集いの場の数" + ("（今の場）" if mark else ""), lambda h: f"{h.places:,} か所"),
                (f"徒歩{distance:,} m 圏カバー率<br/>（65歳以上、分子/分母）{mark}",
                 lambda h: f"{percent(h.coverage65)}<br/><font size=7>{round(h.pop65_covered):,} / {round(h.pop65):,} 人</font>"),
                (f"65歳以上千人あたりの<br/>集いの場{mark}", lambda h: "—" if math.isnan(h.places_per_1000_65)
                 else f"{h.places_per_1000_65:.2f} か所")]
        small, big = self.style(7.5, 9.5), self.style(11, 13)
        header = ["項目", "市全体"] if self.city_only else ["項目", "この圏域", "市全体"]
        if self.karte.estimate:  # each column's figures are that year's: say so under its name
            head = self.style(7.5, 9.5, MID)
            header = header[:1] + [Paragraph(f"{name}<br/>{escape(self.karte.estimate)}", head) for name in header[1:]]
        data = [header]
        for label, fmt in rows:
            line = [Paragraph(label, small), Paragraph(fmt(s.headline), big)]
            if not self.city_only:
                line.append(Paragraph(fmt(city), small) if city else "—")
            data.append(line)
        widths = [width * 0.42, width * 0.58] if self.city_only else [width * 0.37, width * 0.31, width * 0.32]
        table = Table(data, colWidths=widths)
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), self.font, 7.5), ("TEXTCOLOR", (0, 0), (-1, 0), MID),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 2.2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6), ("LEFTPADDING", (0, 0), (-1, -1), 2)]))
        return table

    def _city_headline(self) -> Headline | None:
        return None if self.city_only else self.karte.city_headline

    def _numbers_note(self) -> str:
        d = self.section.headline.distance_m
        return (f"集いの場＝活動中のサロン・通いの場・老人クラブ・居場所・認知症カフェ（内部の資源も含めて数える）。"
                f"カバー率＝直線距離 {d:,} m 以内に集いの場が1か所以上ある65歳以上の割合（分母＝65歳以上の推計人口）。"
                f"地図の斜線は徒歩{d:,} m 圏外の65歳以上がいる区画。"
                f"人口：{escape(self._population_words())}。"
                + ("位置の精度：町丁目は代表点だけのため、人口はその点にいるものとして数えています。"
                   if self.karte.as_of.get("towns_kind") == "point" else ""))

    def _population_words(self) -> str:
        """「2020年国勢調査…」, or for a future year 「2030年推計（2020年国勢調査…から）」."""
        as_of = self.karte.as_of.get("population_as_of", "不明")
        return f"{self.karte.estimate}（{as_of}の人口から）" if self.karte.estimate else as_of

    # a future year: the method and what it ignores
    def _estimate_note(self) -> None:
        """A ruled paragraph, not a band: the places list below keeps as many rows as it can."""
        text = f"■ {escape(self.karte.estimate)}について（65歳以上・75歳以上は{ESTIMATE}）　{escape(self.karte.estimate_note)}"
        p = Paragraph(text, self.style(7, 8.8))
        _, h = p.wrapOn(self.c, CONTENT_W - 4 * mm, self.y)
        self.c.setLineWidth(0.8)
        self.c.rect(MARGIN_X, self.y - h - 2 * mm, CONTENT_W, h + 2 * mm, stroke=1, fill=0)
        p.drawOn(self.c, MARGIN_X + 2 * mm, self.y - h - 1 * mm)
        self.y -= h + 2 * mm + GAP / 2

    # survey
    def _survey(self) -> None:
        figures = self.section.survey
        labels = [SURVEY_SYNTHETIC_LABEL] if figures is not None and figures.is_synthetic else []
        y = self._heading(MARGIN_X, self.y, CONTENT_W, "ニーズ調査の指標（該当者の割合）", labels)
        if figures is None:
            p = Paragraph("ニーズ調査が取り込まれていません。", self.style(8.5))
            _, h = p.wrapOn(self.c, CONTENT_W, y)
            p.drawOn(self.c, MARGIN_X, y - h)
            self.y = y - h - GAP
            return
        # Paragraph text is markup: escape what came from files or users (titles, dates)
        caption = (f"{escape(figures.title)}　調査時点：{escape(figures.as_of or '不明')}　"
                   f"判定基準：{escape(figures.profile_title)}　"
                   f"分母＝判定可能な回答者（n）。" + ("" if self.city_only else "灰色の棒＝この圏域、黒い縦線＝市全体。")
                   + f"回答者 {figures.min_n} 人未満の数字は「{hidden_label(figures.min_n)}」。")
        p = Paragraph(caption, self.style(7, 9, MID))
        _, h = p.wrapOn(self.c, CONTENT_W, y)
        p.drawOn(self.c, MARGIN_X, y - h)
        y -= h + 1 * mm
        table = self._survey_table(figures)
        _, height = table.wrapOn(self.c, CONTENT_W, y)
        table.drawOn(self.c, MARGIN_X, y - height)
        self.y = y - height - GAP

    def _survey_table(self, figures: SurveyFigures) -> Table:
        cells = survey_cells(figures)
        label_w, value_w, city_w = 70 * mm, 34 * mm, 24 * mm
        bar_w = CONTENT_W - label_w - value_w - city_w
        data = [["指標", "市全体" if self.city_only else "この圏域", _Scale(bar_w - 16), "" if self.city_only else "市全体"]]
        for (label, text, rate, city_text), row in zip(cells, figures.rows):
            tick = None if self.city_only or row.city_suppressed else row.city_rate
            data.append([fit_text(label, self.font, 7.5, label_w - 4), text, _Bar(bar_w - 16, rate, tick),
                         "" if self.city_only else city_text])
        widths = [label_w, value_w, bar_w, city_w]
        table = Table(data, colWidths=widths, rowHeights=[10] + [11.2] * len(cells))
        style = [("FONT", (0, 0), (-1, -1), self.font, 7.5), ("FONT", (0, 0), (-1, 0), self.font, 6.5),
                 ("TEXTCOLOR", (0, 0), (-1, 0), MID), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                 ("ALIGN", (3, 0), (3, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("LEFTPADDING", (2, 0), (2, -1), 10),
                 ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                 ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black), ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                 ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black)]
        for i, row in enumerate(figures.rows, start=1):  # a darker rule where the indicator group changes
            if i > 1 and row.group != figures.rows[i - 2].group:
                style.append(("LINEABOVE", (0, i), (-1, i), 0.8, MID))
        table.setStyle(TableStyle(style))
        return table

    # 地域の声 from the activity records: counts by tag, never the statements (a printed page travels)
    def _voices(self) -> None:
        y = self._heading(MARGIN_X, self.y, CONTENT_W, "地域の声（活動記録から、タグ別の件数）")
        p = Paragraph(escape(voices_line(self.section.voices)), self.style(8.5, 11))
        _, h = p.wrapOn(self.c, CONTENT_W, y)
        p.drawOn(self.c, MARGIN_X, y - h)
        self.y = y - h - GAP

    # places list
    def _places(self, bottom: float) -> None:
        s = self.section
        labels = [PLACES_SYNTHETIC_LABEL] if s.places_synthetic else []
        title = "日常生活圏域ごとの比較" if self.city_only else f"集いの場・社会資源の一覧（公開分 {len(s.places)} 件）"
        y = self._heading(MARGIN_X, self.y, CONTENT_W, title, labels)
        if self.city_only:
            self._area_table(y, bottom)
            return
        widths = [60 * mm, 29 * mm, 48 * mm, CONTENT_W - 137 * mm]
        row_h, header_h, more_line = 10.4, 10, 10
        available = y - bottom - header_h
        internal_line = more_line if s.internal_places else 0
        if len(s.places) * row_h + internal_line <= available:
            shown = list(s.places)
        else:  # keep a line for 「ほか N 件」
            shown = list(s.places[:max(0, int((available - internal_line - more_line) // row_h))])
        hidden = list(s.places[len(shown):])
        data = [["名称", "種類", "日程", "所在地"]]
        for p in shown:
            data.append([fit_text(p.name, self.font, 7.5, widths[0] - 4), fit_text(p.category, self.font, 7.5, widths[1] - 4),
                         fit_text(p.schedule, self.font, 7.5, widths[2] - 4), fit_text(p.address, self.font, 7.5, widths[3] - 4)])
        if not s.places:
            data.append(["（公開の資源はありません）", "", "", ""])
        table = Table(data, colWidths=widths, rowHeights=[header_h] + [row_h] * (len(data) - 1))
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), self.font, 7.5), ("FONT", (0, 0), (-1, 0), self.font, 6.5),
            ("TEXTCOLOR", (0, 0), (-1, 0), MID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 2), ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE), ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black)]))
        _, height = table.wrapOn(self.c, CONTENT_W, y)
        table.drawOn(self.c, MARGIN_X, y - height)
        self.c.setFont(self.font, 7.5)
        for i, line in enumerate(more_places_lines(hidden, s.internal_places), start=1):
            self.c.drawString(MARGIN_X + 2, y - height - 1 - i * more_line + 2,
                              fit_text(line, self.font, 7.5, CONTENT_W - 4))

    def _area_table(self, y: float, bottom: float) -> None:
        """City summary: one line per area with the same figures as the area pages."""
        d = self.section.headline.distance_m
        year = f"\n{self.karte.estimate}" if self.karte.estimate else ""  # a future year: on every figure's header
        data = [["日常生活圏域", f"65歳以上{year}", f"75歳以上{year}", "集いの場" + ("\n今の場" if year else ""),
                 f"徒歩{d:,} m 圏カバー率（分子 / 分母）{year}", f"千人あたり{year}"]]
        for line in (*self.section.area_lines, None):
            name, h = ("市全体", self.section.headline) if line is None else (line.area_name, line.headline)
            data.append([name, persons(h.pop65), persons(h.pop75), f"{h.places:,} か所",
                         f"{percent(h.coverage65)}（{round(h.pop65_covered):,} / {round(h.pop65):,} 人）",
                         "—" if math.isnan(h.places_per_1000_65) else f"{h.places_per_1000_65:.2f}"])
        widths = [34 * mm, 24 * mm, 24 * mm, 20 * mm, 62 * mm, CONTENT_W - 164 * mm]
        table = Table(data, colWidths=widths, rowHeights=[18 if year else 10] + [12] * (len(data) - 1))
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), self.font, 8), ("FONT", (0, 0), (-1, 0), self.font, 6.5),
            ("TEXTCOLOR", (0, 0), (-1, 0), MID), ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE), ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
            ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black), ("BACKGROUND", (0, -1), (-1, -1), BAND)]))
        _, height = table.wrapOn(self.c, CONTENT_W, y)
        table.drawOn(self.c, MARGIN_X, y - height)
        counts = Counter(p.category for p in self.section.places)
        note = Paragraph(
            f"公開の資源 {len(self.section.places)} 件（" + "、".join(f"{escape(c)} {n}" for c, n in counts.most_common())
            + f"）、ほか内部の資源 {self.section.internal_places} 件。"
            "集いの場の数とカバー率は内部の資源（個人宅の居場所など）も含めて計算しています。"
            "内部の資源の名称・場所・連絡先はこのカルテには掲載しません。各圏域の資源の一覧は次ページ以降。",
            self.style(7.5, 10))
        _, h = note.wrapOn(self.c, CONTENT_W, y - height)
        note.drawOn(self.c, MARGIN_X, y - height - 2 * mm - h)

    # footer: as-of dates, sources, page number (drawn first so the places list knows its bottom)
    def _footer(self) -> float:
        as_of = self.karte.as_of
        dates = (f"データの時点　人口：{as_of.get('population_as_of', '不明')}　境界：{as_of.get('boundary_as_of', '不明')}　"
                 f"施設：{as_of.get('facilities_as_of', '不明')}")
        text = "<br/>".join(escape(line) for line in [dates, *self.karte.attribution.splitlines()])
        p = Paragraph(text, self.style(6, 7.6, MID))
        _, h = p.wrapOn(self.c, CONTENT_W - 18 * mm, PAGE_H)
        p.drawOn(self.c, MARGIN_X, MARGIN_BOTTOM)
        self.c.setFont(self.font, 8)
        self.c.drawRightString(PAGE_W - MARGIN_X, MARGIN_BOTTOM, f"{self.number} / {self.total}")
        top = MARGIN_BOTTOM + h + 2 * mm
        self.c.setStrokeColor(RULE)
        self.c.setLineWidth(0.5)
        self.c.line(MARGIN_X, top, PAGE_W - MARGIN_X, top)
        self.c.setStrokeColor(colors.black)
        return top + 2 * mm


class _Scale(Flowable):
    """Header cell of the bar column: 0 / 25 / 50 / 75 / 100 % at the bar's guide lines."""

    def __init__(self, width: float):
        super().__init__()
        self.width, self.height = width, 7

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        self.canv.setFont(FAMILY, 6.5)
        self.canv.setFillColor(MID)
        for quarter in range(5):
            self.canv.drawCentredString(self.width * quarter / 4, 1, f"{quarter * 25}%")


class _Bar(Flowable):
    """A table cell: the area's rate as a grey bar on a 0–100 % scale and the city's as a black tick."""

    def __init__(self, width: float, rate: float | None, city_rate: float | None, height: float = 6.5):
        super().__init__()
        self.width, self.height, self.rate, self.city_rate = width, height, rate, city_rate

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.3)
        for quarter in range(5):  # 0, 25, 50, 75, 100 % guides
            gx = self.width * quarter / 4
            canvas.line(gx, -1, gx, self.height + 1)
        if self.rate is not None:
            canvas.setFillColor(colors.HexColor("#7a7a7a"))
            canvas.rect(0, 0, self.width * max(0.0, min(1.0, self.rate)), self.height, stroke=0, fill=1)
        if self.city_rate is not None:
            cx = self.width * max(0.0, min(1.0, self.city_rate))
            canvas.setStrokeColor(colors.black)
            canvas.setLineWidth(1.4)
            canvas.line(cx, -1.5, cx, self.height + 1.5)
