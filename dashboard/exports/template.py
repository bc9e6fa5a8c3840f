"""The Excel input template for places (``export template``): a workbook coordinators fill in and
the importer reads back as it is."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dashboard import vocab
from dashboard.exports.places import PLACE_HEADERS_JA, STATUS_JA, VISIBILITY_JA, YES_NO_JA
from dashboard.exports.writers import XLSX_MAX_WIDTH, fit_columns, header_row, put_cell, text_width, workbook_bytes
from dashboard.importers.places import REQUIRED_COLUMNS, TEMPLATE_COLUMNS

#: What each template column holds, for the sheet 「項目の説明」.
PLACE_FIELD_HELP = {
    "id": "資源ごとの番号。空欄なら自動で付けます。一度付けた番号は変えないでください",
    "name": "名称（例: 錦町ふれあいサロン）",
    "name_kana": "名称のよみがな（カタカナ）",
    "category": "種別。一覧から選んでください",
    "status": "活動中・休止中・終了。空欄なら活動中",
    "visibility": "公開（住民向けの地図に載せる）・非公開（コーディネーターのみ）。空欄なら非公開",
    "address": "住所（例: 埼玉県蕨市錦町1-2-3）",
    "prefecture": "住所の都道府県",
    "city": "住所の市区町村",
    "town_street": "住所の町字（例: 錦町一丁目）",
    "banchi": "住所の番地以下（例: 2-3）",
    "building": "建物名・部屋番号",
    "lat": "緯度（世界測地系、度。例: 35.8260）",
    "lon": "経度（世界測地系、度。例: 139.6790）",
    "location_precision": "位置の精度: surveyed（地図で確認）・address（住所から）・town（町丁目の代表点）・manual（手動）。空欄なら surveyed",
    "rrule": "繰り返し規則（RRULE）。例: FREQ=WEEKLY;BYDAY=WE（毎週水曜）、FREQ=MONTHLY;BYDAY=2TU,4TU（第2・第4火曜）",
    "schedule_text": "開催日時の表示用の文（例: 毎週水曜 10:00〜11:30）",
    "operator_type": "運営主体（通いの場類型化 Ver.1.0）。一覧から選んでください",
    "venue_type": "場所の種類（通いの場類型化 Ver.1.0）。一覧から選んでください",
    "activities": "活動内容。複数あるときは「・」でつなぎます（例: 体操（運動）・茶話会）",
    "target": "対象者（例: 高齢者、誰でも、認知症の人と家族）",
    "capacity": "定員（人数。数字のみ）",
    "fee": "参加費（例: 100円、無料）",
    "transport": "送迎: あり・なし",
    "barrier_free": "バリアフリー: あり・なし",
    "contact_public": "住民に公開する連絡先",
    "contact_internal": "コーディネーターだけが見る連絡先（公開の地図・書き出しには出ません）",
    "url": "ホームページのURL",
    "last_verified": "最後に活動を確認した日（例: 2024-04-01、令和6年4月1日）",
    "source": "情報の出典（例: 社協 サロン一覧 令和6年度）",
    "notes": "内部のメモ（公開されません）",
}

#: Rows of the input sheet that get drop-downs and text formatting; enough for any municipality.
TEMPLATE_INPUT_ROWS = 2000
TEMPLATE_EXAMPLE_MARK = "記入例（削除してください）"
_REQUIRED_FILL = "FFF2CC"  # light yellow: required columns (名称・種別・緯度・経度)
_EXAMPLE_FILL = "E2EFDA"

#: Drop-down lists of the template: field → allowed values, and whether other text is refused.
#: 運営主体 and 場所の種類 accept other words with a warning (the importer takes free text there).
TEMPLATE_CHOICES: dict[str, tuple[tuple[str, ...], bool]] = {
    "category": (vocab.CATEGORY_IDS, True),
    "status": (tuple(STATUS_JA.values()), True),
    "visibility": (tuple(VISIBILITY_JA.values()), True),
    "location_precision": (tuple(vocab.LOCATION_PRECISIONS), True),
    "operator_type": (vocab.OPERATOR_TYPES, False),
    "venue_type": (vocab.VENUE_TYPES, False),
    "transport": (tuple(YES_NO_JA.values()), True),
    "barrier_free": (tuple(YES_NO_JA.values()), True),
}
#: Columns typed as numbers; every other column is formatted as text so Excel keeps 048-… phone
#: numbers, leading zeros of IDs and 番地 like 1-2 (which it would turn into a date) as typed.
_NUMERIC_TEMPLATE_FIELDS = ("lat", "lon", "capacity")

_TEMPLATE_EXAMPLE = {
    "id": "", "name": "錦町ふれあいサロン（記入例）", "name_kana": "ニシキチョウフレアイサロン", "category": "サロン",
    "status": "活動中", "visibility": "公開", "address": "埼玉県蕨市錦町1-2-3", "prefecture": "埼玉県", "city": "蕨市",
    "town_street": "錦町一丁目", "banchi": "2-3", "building": "錦町会館", "lat": 35.8260, "lon": 139.6790,
    "location_precision": "surveyed", "rrule": "FREQ=MONTHLY;BYDAY=2TU,4TU", "schedule_text": "毎月第2・第4火曜 13:30〜15:30",
    "operator_type": "社会福祉協議会", "venue_type": "公民館・自治会館・集会所", "activities": "茶話会・趣味活動",
    "target": "高齢者", "capacity": 20, "fee": "100円", "transport": "なし", "barrier_free": "あり",
    "contact_public": "蕨市社会福祉協議会 048-000-0000", "contact_internal": "世話人 山田 090-0000-0000",
    "url": "", "last_verified": "2024-04-01", "source": "社協 サロン一覧", "notes": "2階の和室",
}


def places_template_xlsx() -> bytes:
    """An Excel template for entering places, which the importer reads as it is once filled in.

    Sheets: 「入力」 (first, the one imported: Japanese headers from :data:`PLACE_HEADERS_JA` for
    :data:`~dashboard.importers.places.TEMPLATE_COLUMNS`, drop-downs from :data:`TEMPLATE_CHOICES`,
    required columns shaded), 「記入例」 (one example row marked 「記入例（削除してください）」, on its own
    sheet so the input sheet imports without deleting anything), 「項目の説明」 (header, field id,
    required, explanation) and the hidden 「選択肢」 holding the drop-down lists.
    """
    fields = list(TEMPLATE_COLUMNS)
    headers = [PLACE_HEADERS_JA[f] for f in fields]
    required = {fields.index(f) + 1: _REQUIRED_FILL for f in REQUIRED_COLUMNS}
    widths = [max(text_width(h), 10) for h in headers]
    workbook = Workbook()

    entry = workbook.active
    entry.title = "入力"
    header_row(entry, headers, fills=required)
    fit_columns(entry, widths)
    for number, field in enumerate(fields, start=1):
        if field not in _NUMERIC_TEMPLATE_FIELDS:
            entry.column_dimensions[get_column_letter(number)].number_format = "@"

    example = workbook.create_sheet("記入例")
    header_row(example, headers + ["注意"], fills=required)
    for number, field in enumerate(fields, start=1):
        cell = put_cell(example, 2, number, _TEMPLATE_EXAMPLE[field] or None)
        cell.fill = PatternFill("solid", fgColor=_EXAMPLE_FILL)
    put_cell(example, 2, len(fields) + 1, TEMPLATE_EXAMPLE_MARK).font = Font(bold=True, color="C00000")
    fit_columns(example, [max(w, text_width(str(_TEMPLATE_EXAMPLE[f]))) for w, f in zip(widths, fields)]
                + [text_width(TEMPLATE_EXAMPLE_MARK)])

    guide = workbook.create_sheet("項目の説明")
    header_row(guide, ["見出し", "項目ID", "必須", "説明"])
    for row, field in enumerate(fields, start=2):
        choices = TEMPLATE_CHOICES.get(field)
        text = PLACE_FIELD_HELP[field] + (f"（選択肢: {'、'.join(choices[0])}）" if choices else "")
        for column, value in enumerate((PLACE_HEADERS_JA[field], field, "必須" if field in REQUIRED_COLUMNS else "",
                                        text), start=1):
            put_cell(guide, row, column, value)
    fit_columns(guide, [16, 20, 6, XLSX_MAX_WIDTH * 2])

    lists = workbook.create_sheet("選択肢")
    lists.sheet_state = "hidden"
    for column, (field, (values, strict)) in enumerate(TEMPLATE_CHOICES.items(), start=1):
        letter = get_column_letter(column)
        put_cell(lists, 1, column, field)
        for row, value in enumerate(values, start=2):
            put_cell(lists, row, column, value)
        validation = DataValidation(
            type="list", formula1=f"'{lists.title}'!${letter}$2:${letter}${len(values) + 1}", allow_blank=True,
            showErrorMessage=True, errorStyle="stop" if strict else "warning",
            errorTitle=PLACE_HEADERS_JA[field], error=f"{PLACE_HEADERS_JA[field]}は一覧から選んでください")
        target = get_column_letter(fields.index(field) + 1)
        validation.add(f"{target}2:{target}{TEMPLATE_INPUT_ROWS + 1}")
        entry.add_data_validation(validation)
    return workbook_bytes(workbook)
