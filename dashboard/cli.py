"""Command line: ``python -m dashboard [--db PATH_OR_URL] COMMAND …``.

Exit status: 0 success, 2 bad input (the report names file, row and column; nothing was
written), 1 internal error. Messages are Japanese with English detail in parentheses.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard import cli_admin, cli_common, cli_db, cli_exports, cli_publish, cli_records, cli_setup, cli_survey, exports
from dashboard.cli_common import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, UsageError  # noqa: F401 (UsageError re-exported)
from dashboard.cli_common import municipality as _municipality
from dashboard.cli_common import write_file as _write
from dashboard.errors import InputError
from dashboard.settings import database_url
from dashboard.store import reads
from dashboard.store.engine import open_store
from dashboard import cli_scenario  # scenario critical|run (将来を考える)
from dashboard import cli_prefecture  # prefecture overview (県内の状況)

#: A file with a systematic mistake can produce thousands of problems; show the first ones.
MAX_PROBLEMS_SHOWN = 50


def cmd_demo_build(args, engine) -> int:
    from dashboard.demo.build import build_demo

    counts = build_demo(engine)
    print("デモデータ（蕨市）を作成しました (demo store built):")
    labels = {"towns": "町丁目", "population_cells": "人口メッシュ", "areas": "圏域（デモ用の仮の圏域）",
              "places_real": "実在の施設", "places_sample": "サンプル（架空）の通いの場", "candidate_venues": "候補会場",
              "survey_respondents": "ニーズ調査の回答者（架空の調査データ）",
              "helpers_households": "助け合い調査の世帯（架空の調査データ）"}
    for key, value in counts.items():
        print(f"  {labels[key]} ({key}): {value}")
    return EXIT_OK


def cmd_areas(args, engine) -> int:
    code = _municipality(engine, args.municipality)
    table = exports.areas_population_table(reads.areas(engine, code))
    _write(args.out, exports.csv_bytes(table))
    print(f"{len(table)} 圏域を書き出しました: {args.out}")
    return EXIT_OK


def cmd_export_areas(args, engine) -> int:
    code = _municipality(engine, args.municipality)
    areas = reads.areas(engine, code)[["area_id", "area_name", "is_demo", "pop_total", "pop65", "pop75", "geometry"]]
    _write(args.out, exports.json_bytes(exports.frame_geojson(areas)))
    print(f"{len(areas)} 圏域を書き出しました: {args.out}")
    return EXIT_OK


def cmd_export_karte(args, engine) -> int:
    from dashboard import projection
    from dashboard.karte.data import UnknownArea
    from dashboard.karte.pdf import build_karte

    code = _municipality(engine, args.municipality)
    meta = reads.meta(engine, code)
    try:
        years = projection.years_for(meta, ahead=args.ahead, year=args.year)
    except ValueError as error:
        raise UsageError(f"{error} (--ahead / --year)") from error
    try:
        pages = build_karte(engine, code, None if args.all else [args.area], args.out, years=years)
    except UnknownArea as error:
        raise UsageError(str(error)) from None
    estimate = f"、65歳以上・75歳以上は{projection.estimate_tag(meta, years)}（転入・転出は含みません）" if years else ""
    print(f"地域カルテ（{pages} ページ{estimate}）を書き出しました: {args.out}")
    return EXIT_OK


def cmd_import_places(args, engine) -> int:
    from dashboard.services import places as place_service

    path = cli_common.existing_file(args.file)
    code = _municipality(engine, args.municipality)
    mapping = None
    if args.mapping:
        from dashboard.services.population import load_mapping

        mapping = load_mapping(cli_common.existing_file(args.mapping))
    checked = place_service.read(engine, code, path, category=args.category, visibility=args.visibility, mapping=mapping)
    parsed = checked.parsed
    if parsed.encoding:
        print(f"文字コード: {parsed.encoding}")
    if parsed.unknown_columns:
        print(f"取り込まなかった列 (ignored columns): {', '.join(parsed.unknown_columns)}")
    if parsed.geocoded:
        print(f"座標のない {parsed.geocoded} 件を住所の町丁目の代表点に置きました（位置の精度：町丁目の代表点）")
    if parsed.header_row and parsed.header_row > 1:
        print(f"見出しは {parsed.header_row} 行目として読みました（その上の行は表題などとして読み飛ばしました）")
    for row, text in parsed.skipped_rows:
        print(f"  {row}行目は注記として読み飛ばしました: {text}")
    for row, words in parsed.unread_schedules:
        print(f"  {row}行目の日程「{words}」は規則として読めないため、そのまま残し「要確認」にします")
    if args.dry_run:
        preview = place_service.preview(engine, code, checked)
        counts = preview["status"].value_counts()
        print(f"{len(parsed.records)} 件を取り込めます（--dry-run のため書き込みません）: 新規 {counts.get('new', 0)} / "
              f"変更 {counts.get('changed', 0)} / 変更なし {counts.get('unchanged', 0)}")
        for row in preview[preview["status"] == "changed"].itertuples():
            print(f"  変更: {row.id} {row.name}: {', '.join(row.changed_fields)}")
        return EXIT_OK
    counts = place_service.commit(engine, code, checked).counts
    print(f"{len(parsed.records)} 件を取り込みました: 新規 {counts['new']} / 変更 {counts['changed']} / "
          f"変更なし {counts['unchanged']}")
    return EXIT_OK


def _coverage_inputs(args, engine):
    from dashboard import coverage

    code = _municipality(engine, args.municipality)
    try:
        query = coverage.CoverageQuery(distance_m=args.distance, frequency=args.frequency,
                                       categories=tuple(args.category) if args.category else coverage.CoverageQuery().categories)
    except ValueError as error:
        raise UsageError(f"条件が正しくありません (bad option): {error}") from None
    network = None
    if getattr(args, "network", None):  # suggest has no --network: its venues' reach is straight-line anyway
        try:
            network = coverage.load_network(args.network, int(code[:2]))
        except coverage.NetworkFileError as error:
            raise UsageError(f"道路網を読めません (--network): {error}") from None
    areas = reads.areas(engine, code)
    units = coverage.build_units(areas, reads.population_cells(engine, code), reads.towns(engine, code), int(code[:2]))
    result = coverage.compute(areas, units, reads.places(engine, code, internal=True), query, int(code[:2]),
                              network=network)
    return code, result


def cmd_coverage(args, engine) -> int:
    from dashboard import coverage

    code, result = _coverage_inputs(args, engine)
    # the 2SFCA column only on request, after the fixed columns, so existing readers of the CSV keep working
    columns = coverage.TABLE_COLUMNS if args.with_2sfca else coverage.REQUIRED_COLUMNS
    table = result.table[columns]
    if args.weekday_opportunity:  # likewise appended last: weekday.COLUMNS (straight-line reach)
        from dashboard import weekday

        days = weekday.area_table(result, int(code[:2]))
        table = table.merge(days[["area_id", *weekday.COLUMNS]], on="area_id", how="left", validate="one_to_one")
    _write(args.out, exports.csv_bytes(table))
    city = result.table[result.table["area_id"] == "ALL"].iloc[0]
    kind = "道路網に沿った歩行距離" if result.on_network else "直線距離"
    print(f"徒歩{args.distance} m 圏（{kind}）の65歳以上カバー率（市全体）: {city['coverage65']:.1%} "
          f"（{city['pop65_covered']:,.0f} / {city['pop65']:,.0f} 人、対象の場 {city['places']} 件）→ {args.out}")
    return EXIT_OK


def cmd_suggest(args, engine) -> int:
    from dashboard import coverage

    code, result = _coverage_inputs(args, engine)
    areas = result.table[result.table["area_id"] != "ALL"]
    if args.area is not None and args.area not in set(areas["area_id"]):
        raise UsageError(f"圏域ID「{args.area}」はありません（あるもの: "
                         + ", ".join(f"{a}（{n}）" for a, n in zip(areas["area_id"], areas["area_name"])) + "）")
    plan = coverage.plan_suggestions(result, reads.candidate_venues(engine, code), args.k, int(code[:2]),
                                     area_id=args.area, venues_in_area_only=not args.venues_anywhere)
    _write(args.out, exports.json_bytes(plan.picks))
    if args.area is not None:
        where = f"{plan.area_name}の中の候補会場" if plan.venues_in_area_only else "市内すべての候補会場"
        print(f"{where}（{plan.venues_searched}件）から、{plan.area_name}の徒歩圏外の65歳以上"
              f"（{plan.uncovered65:,.0f} 人）を数えます")
    for number, pick in enumerate(plan.picks, start=1):
        print(f"{number}. {pick['name']}  +{pick['gain65']:,} 人")
    if plan.shortfall:
        print(f"{plan.shortfall}（徒歩{args.distance} m 圏）")
    print(f"→ {args.out}")
    return EXIT_OK


def cmd_user_add(args, engine) -> int:
    from dashboard.auth import add_user

    if sys.stdin.isatty():
        password = getpass.getpass("パスワード: ")
        if getpass.getpass("パスワード（確認）: ") != password:
            raise UsageError("パスワードが一致しません (passwords differ)")
    else:
        password = sys.stdin.readline().rstrip("\n")
    code = _municipality(engine, args.municipality) if args.municipality else None
    try:
        add_user(engine, args.name, password, args.role)
    except ValueError as error:
        raise UsageError(f"ユーザーを登録できません: パスワードは4文字以上にしてください ({error})") from error
    if code:
        from dashboard.services.users import limit_to_city

        limit_to_city(engine, args.name, code)
    print(f"ユーザー {args.name}（{args.role}）を登録しました" + (f"（扱える市町村：{code}）" if code else ""))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="つどいマップ (Tsudoi) command line")
    parser.add_argument("--db", help="store: a SQLite file path or an SQLAlchemy URL "
                                     "(default: $DATABASE_URL, else var/tsudoi.sqlite)")
    parser.add_argument("--debug", action="store_true", help="on an error, also print the traceback and its causes")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="the bundled 蕨市 demo").add_subparsers(dest="action", required=True)
    demo.add_parser("build", help="build the demo store from data/ (no network)").set_defaults(func=cmd_demo_build)

    areas = sub.add_parser("areas", help="areas with population as CSV")
    areas.add_argument("--out", required=True)
    areas.add_argument("--municipality")
    areas.set_defaults(func=cmd_areas)

    export = sub.add_parser("export", help="export data").add_subparsers(dest="what", required=True)
    cli_exports.register(export)  # export places (csv/xlsx/geojson/gpkg/ods), export template
    cli_publish.register(sub, export)  # publish (the public site's copy); export opendata
    export_areas = export.add_parser("areas", help="areas as GeoJSON")
    export_areas.add_argument("--out", required=True)
    export_areas.add_argument("--municipality")
    export_areas.set_defaults(func=cmd_export_areas)
    karte = export.add_parser("karte", help="地域カルテ PDF (A4): one area, or --all = city summary + every area")
    karte_which = karte.add_mutually_exclusive_group(required=True)
    karte_which.add_argument("--area", help="area id (see `python -m dashboard areas`)")
    karte_which.add_argument("--all", action="store_true", help="city summary page, then one page per area")
    karte.add_argument("--out", required=True)
    karte.add_argument("--municipality")
    karte_year = karte.add_mutually_exclusive_group()
    karte_year.add_argument("--ahead", type=int, choices=(0, 5, 10),
                            help="years ahead: 5 or 10 = the 推計 of 65+/75+ (cohort shift, no migration); "
                                 "default 0 = today's population")
    karte_year.add_argument("--year", type=int, metavar="YYYY",
                            help="the same as a calendar year: the population's year + 0, 5 or 10 (e.g. 2030)")
    karte.set_defaults(func=cmd_export_karte)

    imp = sub.add_parser("import", help="import data").add_subparsers(dest="what", required=True)
    imp_places = imp.add_parser("places", help="places from CSV (UTF-8/BOM/CP932), XLSX, GeoJSON or GeoPackage")
    imp_places.add_argument("file")
    imp_places.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    imp_places.add_argument("--category", help="category for rows without one")
    imp_places.add_argument("--visibility", choices=("public", "internal"), default="internal",
                            help="for rows without a visibility column (default internal)")
    imp_places.add_argument("--mapping", help="JSON {file header: template field} for headers we don't recognise")
    imp_places.add_argument("--municipality")
    imp_places.set_defaults(func=cmd_import_places)
    cli_setup.register(sub, imp)  # municipality add|list|status; import towns|population|areas|venues

    for name, func, text in (("coverage", cmd_coverage, "walking coverage per area as CSV"),
                             ("suggest", cmd_suggest, "candidate venues that add most uncovered 65+ (JSON)")):
        command = sub.add_parser(name, help=text)
        command.add_argument("--distance", type=int, default=500, help="walking distance, metres (default 500)")
        command.add_argument("--frequency", choices=("any", "monthly", "weekly"), default="any")
        command.add_argument("--category", action="append", help="count this category (repeatable; "
                                                                 "default: the gathering categories)")
        command.add_argument("--municipality")
        command.add_argument("--out", required=True)
        if name == "suggest":
            command.add_argument("--k", type=int, required=True, help="how many venues to pick")
            command.add_argument("--area", metavar="ID", help="count only this area's uncovered 65+ and search only "
                                                              "its venues (area ids: `python -m dashboard areas`)")
            command.add_argument("--venues-anywhere", action="store_true",
                                 help="with --area: search venues anywhere in the city, not only in the area")
        else:
            command.add_argument("--network", metavar="FILE.osm",
                                 help="walk along the streets of this local OpenStreetMap extract (.osm or .osm.pbf) "
                                      "instead of straight lines")
            command.add_argument("--2sfca", dest="with_2sfca", action="store_true",
                                 help="append access_2sfca_per_1000_65 (capacity-aware accessibility, 2SFCA: "
                                      "places' 定員 per 1,000 65+, straight-line catchment)")
            command.add_argument("--weekday-opportunity", action="store_true",
                                 help="append, per area, the shares of 65+ with an activity in reach on ≥1 and ≥3 "
                                      "weekdays, with none on each weekday, and sessions a month (straight-line reach)")
        command.set_defaults(func=func)

    cli_survey.register(sub)  # survey import|table|generate|helpers
    cli_records.register(sub)  # records import|export|report (活動記録と地域の声)

    user = sub.add_parser("user", help="logins").add_subparsers(dest="action", required=True)
    user_add = user.add_parser("add", help="add a user (password prompted, or one line on stdin)")
    user_add.add_argument("name")
    user_add.add_argument("--role", choices=("coordinator", "admin"), required=True)
    user_add.add_argument("--municipality", help="limit a coordinator to this city (default: every city of the store)")
    user_add.set_defaults(func=cmd_user_add)
    cli_admin.register(sub, user)  # snapshot create|list|diff; user disable|passwd|list
    cli_db.register(sub)  # db upgrade; db copy --from URL --to URL
    cli_scenario.register(sub)  # scenario critical|run
    cli_prefecture.register(sub)  # prefecture overview
    return parser


def _debug(args, error: BaseException) -> None:
    """With ``--debug``, the traceback (and the chained causes: importers raise ``… from error``)."""
    if getattr(args, "debug", False):
        import traceback

        traceback.print_exception(error, file=sys.stderr)


def _store_busy(error: BaseException) -> bool:
    """True when a write gave up waiting for another writer: SQLite's busy timeout ("database is
    locked") or PostgreSQL's lock_timeout (see dashboard/store/engine.py). The transaction was rolled back."""
    from sqlalchemy.exc import OperationalError

    if not isinstance(error, OperationalError):
        return False
    text = str(error.orig)
    return "database is locked" in text or "lock timeout" in text or type(error.orig).__name__ == "LockNotAvailable"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if not getattr(args, "opens_store", True):  # db upgrade/copy open the stores they name
            return args.func(args, None)
        engine = open_store(database_url(args.db))
        try:
            return args.func(args, engine)
        finally:  # closes the connections; SQLite then folds its WAL back into the store file
            engine.dispose()
    except InputError as error:
        _debug(args, error)
        print(f"取り込めませんでした。ストアは変更されていません (nothing was written). 問題 {len(error.problems)} 件:",
              file=sys.stderr)
        for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
            print(f"  {problem}", file=sys.stderr)
        if len(error.problems) > MAX_PROBLEMS_SHOWN:
            print(f"  ほか {len(error.problems) - MAX_PROBLEMS_SHOWN} 件 (and more)", file=sys.stderr)
        return EXIT_BAD_INPUT
    except UsageError as error:
        _debug(args, error)
        print(str(error), file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:  # the last line of defence: say so, with the type for support
        _debug(args, error)
        if _store_busy(error):  # another import or edit held the store past the wait: not a bug, and no SQL shown
            print("ほかの取り込みや編集が書き込み中のため、待っても書き込めませんでした。ストアは変更されていません。"
                  "終わってからもう一度実行してください (the store is busy with another write; nothing was written)",
                  file=sys.stderr)
            return EXIT_INTERNAL
        print(f"内部エラーが発生しました (internal error): {type(error).__name__}: {error}"
              "（--debug で詳細を表示します）", file=sys.stderr)
        return EXIT_INTERNAL
