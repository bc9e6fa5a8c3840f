"""Command line: ``python -m dashboard records import|export|report`` — 活動記録と地域の声 (#16).

Registered by :func:`dashboard.cli.build_parser`. Same exit contract as every import: 0 done, 2 bad
input (file, row and column of every problem; nothing written), 1 internal error.
"""

from __future__ import annotations

import argparse
from datetime import date

from dashboard.cli_common import EXIT_OK, UsageError, existing_file
from dashboard.cli_common import municipality as _municipality
from dashboard.cli_common import write_file as _write
from dashboard.services import records as record_service


def cmd_records_import(args, engine) -> int:
    path = existing_file(args.file)
    code = _municipality(engine, args.municipality)
    checked = record_service.read_import(engine, code, path)
    if checked.encoding:
        print(f"文字コード: {checked.encoding}")
    if checked.header_row and checked.header_row > 1:
        print(f"見出しは {checked.header_row} 行目として読みました")
    if checked.unknown_columns:
        print(f"取り込まなかった列 (ignored columns): {', '.join(checked.unknown_columns)}")
    for row in checked.duplicates:
        print(f"  {row}行目は同じ記録（日付・種別・圏域・概要）が既にあるため取り込みません")
    if checked.findings and args.accept_privacy_warnings:
        for problem in record_service.privacy_problems(checked):
            print(f"  確認済みとして取り込みます: {problem}")
    voices = sum(len(r.voices) for r in checked.records)
    if args.dry_run:
        if checked.findings and not args.accept_privacy_warnings:
            for problem in record_service.privacy_problems(checked):
                print(f"  個人情報の確認: {problem}")
        print(f"{len(checked.records)} 件（地域の声 {voices} 件）を取り込めます（--dry-run のため書き込みません）")
        return EXIT_OK
    counts = record_service.commit_import(engine, code, checked, acknowledge_privacy=args.accept_privacy_warnings)
    print(f"{counts['new']} 件の活動記録（地域の声 {voices} 件）を取り込みました"
          + (f"（既にある {counts['duplicate']} 件は取り込みませんでした）" if counts["duplicate"] else ""))
    return EXIT_OK


def _period(args) -> tuple[date | None, date | None]:
    if args.year is None:
        return None, None
    return record_service.fiscal_year_period(args.year)


def cmd_records_export(args, engine) -> int:
    if not args.out.lower().endswith(".xlsx"):
        raise UsageError(f"--out は .xlsx のファイル名にしてください: {args.out}")
    code = _municipality(engine, args.municipality)
    start, end = _period(args)
    _write(args.out, record_service.export_workbook(engine, code, start=start, end=end))
    count = len(record_service.records_table(engine, code, start=start, end=end))
    print(f"{count} 件の活動記録を書き出しました: {args.out}")
    return EXIT_OK


def cmd_records_report(args, engine) -> int:
    suffix = args.out.lower().rsplit(".", 1)[-1]
    if suffix not in ("pdf", "xlsx"):
        raise UsageError(f"--out は .pdf（協議体用）か .xlsx（報告書用）にしてください: {args.out}")
    code = _municipality(engine, args.municipality)
    year = args.year if args.year is not None else record_service.fiscal_year_of(date.today())
    make = record_service.yearly_report_pdf if suffix == "pdf" else record_service.yearly_report_xlsx
    _write(args.out, make(engine, code, year))
    report = record_service.yearly_report(engine, code, year)
    print(f"{year}年度の活動の振り返り（活動 {report.city.activities} 件・地域の声 {report.city.voices} 件）を"
          f"書き出しました: {args.out}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``records import|export|report`` to the top-level sub-commands."""
    records = sub.add_parser("records", help="活動記録と地域の声 (activity records and residents' voices)")
    action = records.add_subparsers(dest="action", required=True)
    imp = action.add_parser("import", help="records from CSV/XLSX: 日付, 種別, 圏域, 参加人数, 概要, 地域の声 "
                                           "(statements separated by ／, tags in 【】)")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    imp.add_argument("--accept-privacy-warnings", action="store_true",
                     help="import even though some text looks like a phone number, e-mail, 番地 or a name "
                          "(after checking it)")
    imp.add_argument("--municipality")
    imp.set_defaults(func=cmd_records_import)
    exp = action.add_parser("export", help="every record as Excel (活動記録, 地域の声, フォローアップ)")
    exp.add_argument("--out", required=True, help="FILE.xlsx")
    exp.add_argument("--year", type=int, help="only 年度 YEAR (April–March), e.g. 2026")
    exp.add_argument("--municipality")
    exp.set_defaults(func=cmd_records_export)
    rep = action.add_parser("report", help="yearly report per area and city: PDF for the 協議体, XLSX for the 報告書")
    rep.add_argument("--out", required=True, help="FILE.pdf or FILE.xlsx")
    rep.add_argument("--year", type=int, help="年度 (April–March), default: the current one")
    rep.add_argument("--municipality")
    rep.set_defaults(func=cmd_records_report)
