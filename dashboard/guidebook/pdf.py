"""The guidebook as an A4 PDF, laid out with reportlab's platypus (text flows across pages).

IPAex ゴシック is embedded as a subset (the 地域カルテ's font, :mod:`dashboard.karte.fonts`). Every
piece of text is at least :data:`MIN_TEXT_PT` points — the footer and sources included — so the
whole booklet is large print. Text from the store is XML-escaped before it enters a Paragraph
(reportlab reads Paragraph text as markup).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Flowable, Frame, Image, KeepTogether,
                                NextPageTemplate, PageBreak, PageTemplate, Paragraph, Spacer, Table, TableStyle)
from sqlalchemy import Engine

from dashboard import i18n, vocab
from dashboard.guidebook.area_map import render_png as render_area_map
from dashboard.karte.fonts import FAMILY, font_path
from dashboard.karte.pdf import japanese_date
from dashboard.public_places import NO_AREA, PublicCity, PublicPlace, gather

EDITIONS = {"standard": "ja", "easy": "easy"}
#: The smallest text anywhere in the booklet (points). Large print: body text ≥ 12 pt.
MIN_TEXT_PT = 12
#: Body text size per edition (points); やさしい日本語 is set larger still.
BODY_PT = {"standard": 12.5, "easy": 14}
#: The city fact holding the online map's address (the default of ``--url``).
URL_FACT = "public_map_url"
PAGE_W, PAGE_H = A4
MARGIN = 14 * mm
FOOTER_H = 12 * mm
CONTENT_W = PAGE_W - 2 * MARGIN
MAP_H = 128 * mm
QR_SIZE = 42 * mm
#: Where the cover's QR code is drawn (its lower-left corner and side, in points from the page's
#: lower-left): the cover is laid out absolutely so tests can find the code on a rendered page.
QR_BOX = (MARGIN, 58 * mm, QR_SIZE)
RULE = colors.HexColor("#777777")


#: A text from the store longer than this is cut with 「…」 in print: one place's entry must fit on an A4
#: page (a 10,000-character address made the whole booklet fail with reportlab's LayoutError).
PRINT_FIELD_MAX_CHARS = 100


def _clip(text) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= PRINT_FIELD_MAX_CHARS else text[:PRINT_FIELD_MAX_CHARS - 1] + "…"


def online_map_url(facts: dict, option: str | None) -> str | None:
    """``--url`` when given, else the city's :data:`URL_FACT`, else ``None`` (no QR code is printed)."""
    value = (option or facts.get(URL_FACT) or "").strip()
    return value or None


def build_guidebook(engine: Engine, code: str, out_path, *, edition: str = "standard", url: str | None = None) -> int:
    """Write the guidebook of city ``code`` to ``out_path``; returns the number of pages."""
    city = gather(engine, code)
    data, pages = guidebook_pdf_bytes(city, edition=edition, url=online_map_url(city.facts, url))
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return pages


def guidebook_pdf_bytes(city: PublicCity, *, edition: str = "standard", url: str | None = None) -> tuple[bytes, int]:
    """The PDF and its page count. ``url`` = the online map for the QR code (``None``: no code)."""
    if edition not in EDITIONS:
        raise ValueError(f"edition {edition!r}: choose one of {', '.join(EDITIONS)}")
    _register_font()
    book = _Book(city, edition, url)
    buffer = io.BytesIO()
    document = BaseDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                               bottomMargin=MARGIN, title=f"{city.name} {i18n.plain(book.t('guidebook_title'))}",
                               author=city.name, subject=i18n.plain(book.t("guidebook_subtitle")),
                               creator="つどいマップ (Tsudoi)", initialFontName=FAMILY, initialFontSize=MIN_TEXT_PT)
    frame = Frame(MARGIN, MARGIN + FOOTER_H, CONTENT_W, PAGE_H - 2 * MARGIN - FOOTER_H, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    document.addPageTemplates([PageTemplate("cover", frames=[frame], onPage=book.draw_cover),
                               PageTemplate("body", frames=[frame], onPage=book.draw_footer)])
    document.build(book.story())
    return buffer.getvalue(), document.page


def _register_font() -> None:
    if FAMILY not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FAMILY, str(font_path())))  # subset-embedded by reportlab


@dataclass
class _Styles:
    body: ParagraphStyle
    label: ParagraphStyle
    name: ParagraphStyle
    kana: ParagraphStyle
    number: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    small_title: ParagraphStyle


def _styles(edition: str) -> _Styles:
    size = BODY_PT[edition]

    def style(name: str, pt: float, leading: float = 1.5, **extra) -> ParagraphStyle:
        assert pt >= MIN_TEXT_PT, f"{name}: {pt} pt is below the large-print minimum"
        return ParagraphStyle(name, fontName=FAMILY, fontSize=pt, leading=pt * leading, wordWrap="CJK", **extra)
    return _Styles(body=style("body", size), label=style("label", size, textColor=colors.HexColor("#333333")),
                   name=style("name", size + 3, 1.35), kana=style("kana", MIN_TEXT_PT, 1.3,
                                                                  textColor=colors.HexColor("#333333")),
                   number=style("number", size + 3, 1.2, alignment=1, textColor=colors.white),
                   h1=style("h1", 24, 1.35, spaceAfter=4 * mm), h2=style("h2", 17, 1.35, spaceBefore=3 * mm,
                                                                         spaceAfter=2 * mm),
                   small_title=style("small_title", 16, 1.4))


def _table_style(commands: list) -> TableStyle:
    """A TableStyle in our font: reportlab's default (Helvetica, 10 pt) would otherwise be set on the
    canvas for every cell and end up in the PDF as a non-embedded font."""
    return TableStyle([("FONT", (0, 0), (-1, -1), FAMILY, MIN_TEXT_PT), *commands])


class _Book:
    """The booklet's story (flowables) and page decorations for one city and edition."""

    def __init__(self, city: PublicCity, edition: str, url: str | None):
        self.city, self.edition, self.url = city, edition, url
        self.lang = EDITIONS[edition]
        self.s = _styles(edition)
        self.numbers = {p.id: n for n, p in enumerate(city.places, start=1)}

    # words
    def t(self, key: str, **fields) -> str:
        return i18n.text(key, self.lang, **fields)

    def words(self, text: str) -> str:
        """i18n text for print: ふりがな in brackets (easy) or none (standard); XML-escaped."""
        return escape(i18n.with_readings(text) if self.edition == "easy" else i18n.plain(text))

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(text, style or self.s.body)

    # story
    def story(self) -> list:
        flow: list = [NextPageTemplate("body"), Spacer(1, 1), PageBreak()]  # the cover is drawn, not flowed
        flow += self._how_to_use()
        for area in self.city.areas:
            flow += self._area_section(area.area_id, area.name)
        if self.city.places_of(NO_AREA):
            flow += self._area_section(NO_AREA, i18n.plain(self.t("outside_areas")))
        flow += self._index()
        flow += self._sources()
        return flow

    def _how_to_use(self) -> list:
        flow = [self.p(self.words(self.t("how_to_use")), self.s.h1)]
        for line in self.t("how_to_use_lines").splitlines():
            flow.append(self.p("・" + self.words(line)))
            flow.append(Spacer(1, 1.5 * mm))
        flow.append(Spacer(1, 6 * mm))
        flow.append(self.p(self.words(self.t("areas")), self.s.h2))
        for area in self.city.areas:
            count = len(self.city.places_of(area.area_id))
            flow.append(self.p(f"・{escape(area.name)}　" + self.words(self.t("results", n=count))))
        if self.url:
            flow += [Spacer(1, 8 * mm), self._qr_block()]
        return flow

    def _area_section(self, area_id: str, name: str) -> list:
        places = self.city.places_of(area_id)
        flow = [PageBreak(), self.p(escape(name), self.s.h1)]
        if area_id != NO_AREA:
            png = render_area_map(self.city, area_id, self.numbers, width_mm=CONTENT_W / mm, height_mm=MAP_H / mm)
            flow += [Image(io.BytesIO(png), width=CONTENT_W, height=MAP_H), Spacer(1, 3 * mm)]
        flow.append(self.p(self.words(self.t("places_in_area", area=name, n=len(places))), self.s.h2))
        if not places:
            flow.append(self.p(self.words(self.t("no_places"))))
        flow += [self._entry(place) for place in places]
        return flow

    def _entry(self, place: PublicPlace) -> Flowable:
        s = self.s
        lines = [self.p(escape(_clip(place.name)), s.name)]
        if self.edition == "easy" and place.kana:
            lines.append(self.p(escape(_clip(place.kana)), s.kana))
        rows = [("category", self.words(i18n.category_name(place.category, self.lang))),
                ("schedule", self.words(place.schedule[self.lang])
                 + (f"（{self.words(self.t('paused'))}）" if place.paused else "")),
                ("address", escape(_clip(place.address))), ("fee", escape(_clip(place.fee))),
                ("contact", escape(_clip(place.contact)))]
        if not place.located:
            rows.append(("address", self.words(self.t("not_on_map"))))
        label_w = (32 if self.edition == "easy" else 26) * mm
        table = Table([[self.p(self.words(self.t(key)), s.label), self.p(value)] for key, value in rows if value],
                      colWidths=[label_w, CONTENT_W - 16 * mm - label_w])
        table.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
        lines.append(table)
        number = self.p(str(self.numbers[place.id]), s.number)
        entry = Table([[number, lines]], colWidths=[13 * mm, CONTENT_W - 13 * mm])
        entry.setStyle(_table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (0, 0), colors.black),
            ("LEFTPADDING", (0, 0), (0, 0), 1), ("RIGHTPADDING", (0, 0), (0, 0), 1),
            ("LEFTPADDING", (1, 0), (1, 0), 3 * mm), ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5), ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE)]))
        return KeepTogether([entry, Spacer(1, 2 * mm)])

    def _index(self) -> list:
        flow = [PageBreak(), self.p(self.words(self.t("index_by_category")), self.s.h1)]
        order = {c: i for i, c in enumerate(vocab.CATEGORY_IDS)}
        categories = sorted({p.category for p in self.city.places}, key=lambda c: (order.get(c, len(order)), c))
        for category in categories:
            members = sorted((p for p in self.city.places if p.category == category), key=lambda p: self.numbers[p.id])
            heading = self.p(self.words(i18n.category_name(category, self.lang)) + f"（{len(members)}）", self.s.h2)
            rows = [[self.p(str(self.numbers[p.id])), self.p(escape(_clip(p.name))),
                     self.p(escape(_clip(self.city.area_name(p.area_id))))] for p in members]
            table = Table(rows, colWidths=[14 * mm, CONTENT_W - 54 * mm, 40 * mm], repeatRows=0)
            table.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                         ("RIGHTPADDING", (1, 0), (1, -1), 3 * mm),
                                       ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                                       ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE)]))
            flow += [CondPageBreak(40 * mm), heading, table]
        return flow

    def _sources(self) -> list:
        flow = [PageBreak(), self.p(self.words(self.t("attribution_title")), self.s.h1)]
        for line in self.city.attribution.splitlines():
            flow.append(self.p(escape(line)))
        flow += [Spacer(1, 5 * mm), self.p(self.words(self.t("public_only"))),
                 self.p(self.words(self.t("call_before"))),
                 self.p(self.words(self.t("made_on", date=japanese_date(self.city.made_on))))]
        if self.city.synthetic:
            flow.append(self.p(self.words(self.t("synthetic", what="、".join(self._synthetic())))))
        flow.append(self.p(self.words(self.t("made_with"))))
        return flow

    def _synthetic(self) -> list[str]:
        return [s for s in self.city.synthetic if "調査" not in s]  # no survey is printed here

    def _qr_block(self) -> Flowable:
        text = [self.p(self.words(self.t("online_map")), self.s.small_title),
                self.p(self.words(self.t("online_map_hint"))), self.p(escape(self.url))]
        table = Table([[_QR(self.url, QR_SIZE), text]], colWidths=[QR_SIZE + 6 * mm, CONTENT_W - QR_SIZE - 6 * mm])
        table.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        return KeepTogether([table])

    # page decorations
    def draw_cover(self, canvas, document) -> None:
        """The cover, drawn at fixed positions (the QR code at :data:`QR_BOX`)."""
        s = self.s
        top = PAGE_H - 40 * mm
        for text, style, gap in ((escape(self.city.name), ParagraphStyle("c1", parent=s.h1, fontSize=26, leading=34), 16),
                                 (self.words(self.t("guidebook_title")),
                                  ParagraphStyle("c2", parent=s.h1, fontSize=34, leading=46), 22),
                                 (self.words(self.t("guidebook_subtitle")), s.small_title, 30),
                                 (self.words(self.t("as_of", date=japanese_date(self.city.made_on))), s.body, 12)):
            paragraph = Paragraph(text, style)
            _, height = paragraph.wrapOn(canvas, CONTENT_W, PAGE_H)
            paragraph.drawOn(canvas, MARGIN, top - height)
            top -= height + gap
        canvas.setLineWidth(3)
        canvas.line(MARGIN, top, PAGE_W - MARGIN, top)
        notes = [self.t("call_before")]
        if self._synthetic():
            notes.append(self.t("synthetic", what="、".join(self._synthetic())))
        top -= 10 * mm
        for note in notes:
            paragraph = Paragraph(self.words(note), s.body)
            _, height = paragraph.wrapOn(canvas, CONTENT_W, PAGE_H)
            paragraph.drawOn(canvas, MARGIN, top - height)
            top -= height + 4 * mm
        if self.url:
            x, y, size = QR_BOX
            _QR(self.url, size).drawOn(canvas, x, y)
            text_x = x + size + 8 * mm
            top = y + size
            for text, style in ((self.words(self.t("online_map")), s.small_title),
                                (self.words(self.t("online_map_hint")), s.body), (escape(self.url), s.body)):
                paragraph = Paragraph(text, style)
                _, height = paragraph.wrapOn(canvas, PAGE_W - MARGIN - text_x, PAGE_H)
                paragraph.drawOn(canvas, text_x, top - height)
                top -= height + 2 * mm

    def draw_footer(self, canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FAMILY, MIN_TEXT_PT)
        canvas.setFillColor(colors.HexColor("#333333"))
        title = f"{self.city.name}　{i18n.plain(self.t('guidebook_title'))}"
        canvas.drawString(MARGIN, MARGIN, title)
        canvas.drawRightString(PAGE_W - MARGIN, MARGIN, f"{document.page}")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, MARGIN + 6 * mm, PAGE_W - MARGIN, MARGIN + 6 * mm)
        canvas.restoreState()


class _QR(Flowable):
    """A QR code (``segno``, error correction M) drawn as vector squares, with its 4-module quiet
    zone inside ``size`` points."""

    def __init__(self, data: str, size: float):
        super().__init__()
        self.code = segno.make_qr(data, error="m")
        self.size = size
        self.width = self.height = size

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        matrix = self.code.matrix
        count = len(matrix) + 8  # quiet zone of 4 modules each side
        module = self.size / count
        canvas = self.canv
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        for row_index, row in enumerate(matrix):
            y = self.size - (row_index + 5) * module
            for col_index, dark in enumerate(row):
                if dark:
                    canvas.rect((col_index + 4) * module, y, module, module, stroke=0, fill=1)
