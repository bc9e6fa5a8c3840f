"""The yearly report of 活動記録と地域の声 (活動の振り返り): a PDF for the 協議体 and an Excel workbook for
the city's 報告書, both drawn from one :class:`dashboard.services.records.YearlyReport`, so their
numbers are the same and equal the stored records.

PDF: A4 landscape, reportlab with the embedded IPAex ゴシック (as the 地域カルテ), black and greys; table 1
activities per area by kind with participants and follow-ups, table 2 地域の声 per area by tag, then how
things are counted. Tables that do not fit continue on the next page with their header repeated.
"""

from __future__ import annotations

import io
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

BAND, RULE, MID = colors.HexColor("#e0e0e0"), colors.HexColor("#9a9a9a"), colors.HexColor("#6e6e6e")
#: Gregorian year of 令和元年 minus one.
REIWA_OFFSET = 2018


def fiscal_label(year: int) -> str:
    """「令和8年度（2026年度）」."""
    reiwa = year - REIWA_OFFSET
    era = f"令和{'元' if reiwa == 1 else reiwa}年度" if reiwa >= 1 else f"{year}年度"
    return f"{era}（{year}年度）"


def japanese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _lines(report) -> list:
    return [*report.areas, report.unassigned, report.city]


def activity_rows(report) -> tuple[list[str], list[list]]:
    """Header and rows of table 1 (numbers as ints): area, each kind, 計, 参加人数, フォローアップ 完了 / 未完了."""
    header = ["日常生活圏域", *report.kinds, "活動 計", "参加人数（延べ）", "フォローアップ 完了", "フォローアップ 未完了"]
    rows = [[line.name, *(line.by_kind[k] for k in report.kinds), line.activities, line.participants,
             line.followups_closed, line.followups_open] for line in _lines(report)]
    return header, rows


def voice_rows(report) -> tuple[list[str], list[list]]:
    """Header and rows of table 2: area, 声の件数, then each tag that was heard anywhere this year."""
    heard = [t for t in report.tags if report.city.voices_by_tag.get(t, 0)]
    header = ["日常生活圏域", "声の件数", *heard]
    rows = [[line.name, line.voices, *(line.voices_by_tag.get(t, 0) for t in heard)] for line in _lines(report)]
    return header, rows


NOTES = (
    "活動の数：その圏域に関わる活動記録の件数。2つの圏域にまたがる活動はそれぞれの圏域に数えるため、圏域の合計は市全体より多くなることがあります。",
    "「圏域の指定なし」：圏域を指定していない活動（市全体の第1層協議体など）と、圏域のない地域の声。",
    "参加人数：記録された参加人数の合計（延べ人数。空欄は0として数えます）。",
    "フォローアップ：この年度の活動から出たフォローアップの、作成日現在の状態。",
    "地域の声：記録された声の件数（1件の声は1回）。タグ別の数は、2つのタグがついた声をそれぞれに数えます。",
    "個人が特定される情報（氏名・住所・電話番号など）は記録しない運用です。この資料は内部資料です。",
)


def pdf_bytes(report) -> bytes:
    from dashboard.karte.fonts import FAMILY, font_path
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FAMILY not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FAMILY, str(font_path())))
    buffer = io.BytesIO()
    page = landscape(A4)
    title = f"{report.municipality_name} {fiscal_label(report.fiscal_year)} 活動の振り返り（活動記録と地域の声）"
    doc = SimpleDocTemplate(buffer, pagesize=page, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title=title, author="つどいマップ (Tsudoi)",
                            subject="生活支援体制整備事業 協議体への報告")

    def style(size: float, color=colors.black, leading: float | None = None) -> ParagraphStyle:
        return ParagraphStyle(f"r{size}", fontName=FAMILY, fontSize=size, leading=leading or size * 1.35,
                              textColor=color, wordWrap="CJK")

    width = page[0] - 24 * mm
    story = [
        Paragraph(escape(f"{report.municipality_name}　生活支援体制整備事業　協議体資料（内部資料）"), style(9, MID)),
        Paragraph(escape(f"{fiscal_label(report.fiscal_year)} 活動の振り返り"), style(18, leading=24)),
        Paragraph(escape(f"対象：{japanese_date(report.start)}〜{japanese_date(report.end)}に行った活動の記録　"
                         f"作成日：{japanese_date(report.made_on)}　活動 {report.city.activities} 件・"
                         f"地域の声 {report.city.voices} 件"), style(9)),
        Spacer(1, 5 * mm),
        Paragraph("■ 1. 圏域ごとの活動（種別・参加人数・フォローアップ）", style(11)),
        Spacer(1, 2 * mm),
        _table(*activity_rows(report), width, first_width=40 * mm),
        Spacer(1, 6 * mm),
        Paragraph("■ 2. 地域の声（圏域×タグ）", style(11)),
        Spacer(1, 2 * mm),
    ]
    header, rows = voice_rows(report)
    if report.city.voices:
        story.append(_table(header, rows, width, first_width=40 * mm))
    else:
        story.append(Paragraph("この年度の地域の声は記録されていません。", style(9)))
    story += [Spacer(1, 5 * mm), Paragraph("数え方", style(9))]
    story += [Paragraph(escape(f"・{note}"), style(7.5, MID)) for note in NOTES]
    doc.build(story)
    return buffer.getvalue()


def _table(header: list[str], rows: list[list], width: float, *, first_width: float) -> Table:
    from dashboard.karte.fonts import FAMILY

    cell = ParagraphStyle("cell", fontName=FAMILY, fontSize=7.5, leading=9, wordWrap="CJK", alignment=1)
    data = [[Paragraph(escape(h), cell) for h in header]] + [[str(v) if not isinstance(v, str) else v for v in r]
                                                             for r in rows]
    rest = (width - first_width) / max(1, len(header) - 1)
    table = Table(data, colWidths=[first_width] + [rest] * (len(header) - 1), repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FAMILY, 8.5), ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BACKGROUND", (0, 0), (-1, 0), BAND),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black), ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black), ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black),
        ("BACKGROUND", (0, -1), (-1, -1), BAND), ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return table


def xlsx_bytes(report) -> bytes:
    """The same tables as the PDF, one sheet each, numbers as numbers; then 数え方."""
    from openpyxl import Workbook

    from dashboard.exports.writers import fit_columns, header_row, put_cell, text_width, workbook_bytes

    book = Workbook()
    label = fiscal_label(report.fiscal_year)
    for number, (title, (header, rows)) in enumerate((("活動（圏域別）", activity_rows(report)),
                                                      ("地域の声（圏域×タグ）", voice_rows(report)))):
        sheet = book.active if number == 0 else book.create_sheet()
        sheet.title = title
        header_row(sheet, header)
        for r, values in enumerate(rows, start=2):
            for c, value in enumerate(values, start=1):
                put_cell(sheet, r, c, value)
        fit_columns(sheet, [max(text_width(str(h)), 8) for h in header])
    notes = book.create_sheet("数え方")
    put_cell(notes, 1, 1, f"{report.municipality_name} {label} 活動の振り返り（{report.start.isoformat()}〜"
                          f"{report.end.isoformat()}、作成日 {report.made_on.isoformat()}）")
    for r, note in enumerate(NOTES, start=3):
        put_cell(notes, r, 1, note)
    fit_columns(notes, [100])
    book.properties.title = f"活動の振り返り {report.municipality_name} {label}"
    return workbook_bytes(book)
