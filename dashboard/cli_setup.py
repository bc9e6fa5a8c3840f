"""Setting up a city from the command line: ``municipality add|list|status`` and
``import towns|population|areas|venues``. Each command calls one service of
:mod:`dashboard.services`; the data page's 「まちの設定」 calls the same ones."""

from __future__ import annotations

import argparse

from dashboard.cli_common import EXIT_OK, UsageError, existing_file, municipality
from dashboard.services import areas, cities, population, setup, towns, venues
from dashboard.services.common import StepReport

_COUNT_LABELS = {"towns": "町丁目", "places_relocated": "所属の変わった資源", "cells": "メッシュ", "rows": "行",
                 "pop_total": "人口", "pop65": "65歳以上", "pop75": "75歳以上", "areas": "圏域", "venues": "候補会場",
                 "area_km2": "面積(km²)", "new": "新規", "updated": "更新", "changed": "変更", "unchanged": "変更なし"}


def print_report(report: StepReport) -> None:
    counts = " / ".join(f"{_COUNT_LABELS.get(k, k)} {v:,}" if isinstance(v, int) else f"{_COUNT_LABELS.get(k, k)} {v:,.1f}"
                        for k, v in report.counts.items())
    print(f"完了: {counts}" if counts else "完了")
    for note in report.notes:
        print(f"  ・{note}")


def cmd_municipality_add(args, engine) -> int:
    boundary = existing_file(args.boundary) if args.boundary else None
    report = cities.add_municipality(engine, args.code, args.name, boundary, as_of=args.as_of)
    print_report(report)
    print("次は町丁目です: python -m dashboard import towns FILE --municipality " + cities.parse_code(args.code))
    return EXIT_OK


def cmd_municipality_list(args, engine) -> int:
    table = cities.list_municipalities(engine)
    if table.empty:
        print("市町村はまだ登録されていません")
        return EXIT_OK
    print("コード  市町村            町丁目  圏域  メッシュ  資源  候補会場")
    for row in table.itertuples():
        print(f"{row.code}  {row.prefecture}{row.name:<10}  {row.towns:>6}  {row.areas:>4}  {row.population_cells:>8}"
              f"  {row.places:>4}  {row.candidate_venues:>8}")
    return EXIT_OK


def cmd_municipality_status(args, engine) -> int:
    code = municipality(engine, args.municipality)
    for step in setup.checklist(engine, code):
        mark = "✔" if step.done else "□"
        print(f"{mark} {step.label}: {step.detail}")
        if not step.done and step.command:
            print(f"    → {step.command}")
    for page, missing in setup.page_gaps(engine, code).items():
        print(f"  {page}: {'使えます' if not missing else 'まだ使えません（' + '、'.join(missing) + '）'}")
    return EXIT_OK


def cmd_import_towns(args, engine) -> int:
    code = municipality(engine, args.municipality)
    print_report(towns.import_towns(engine, code, existing_file(args.file)))
    return EXIT_OK


def _renames(values: list[str] | None) -> dict[str, str]:
    result = {}
    for value in values or []:
        if "=" not in value:
            raise UsageError(f"--rename は「ファイルの名前=町丁目名」の形で指定してください: {value}")
        old, new = value.split("=", 1)
        result[old.strip()] = new.strip()
    return result


def cmd_import_population(args, engine) -> int:
    code = municipality(engine, args.municipality)
    path = [existing_file(f) for f in args.file]
    mapping = population.load_mapping(existing_file(args.mapping)) if args.mapping else None
    fixes = population.NameFixes(skip=frozenset(args.skip or ()), rename=_renames(args.rename))
    print_report(population.import_population(engine, code, path, mapping=mapping, as_of=args.as_of, fixes=fixes))
    return EXIT_OK


def cmd_import_areas(args, engine) -> int:
    code = municipality(engine, args.municipality)
    print_report(areas.import_areas(engine, code, existing_file(args.file), provisional=args.provisional))
    return EXIT_OK


def cmd_import_venues(args, engine) -> int:
    code = municipality(engine, args.municipality)
    print_report(venues.import_venues(engine, code, [existing_file(f) for f in args.file]))
    return EXIT_OK


def register(sub: argparse._SubParsersAction, imports: argparse._SubParsersAction) -> None:
    """Add ``municipality …`` to the top-level commands and towns/population/areas/venues to ``import``."""
    city = sub.add_parser("municipality", help="set up a city: add, list, status").add_subparsers(dest="action", required=True)
    add = city.add_parser("add", help="register a city with its outline")
    add.add_argument("code", help="全国地方公共団体コード, 5 digits (or 6 with the check digit)")
    add.add_argument("--name", help="the city's name (taken from an N03 file when left out)")
    add.add_argument("--boundary", help="N03 GeoJSON/Shapefile/zip (prefecture-wide is fine) or any polygon file; "
                                        "埼玉県 cities may leave it out (bundled N03)")
    add.add_argument("--as-of", help="date of the boundary (default: from the N03 file name)")
    add.set_defaults(func=cmd_municipality_add)
    city.add_parser("list", help="cities in the store").set_defaults(func=cmd_municipality_list)
    status = city.add_parser("status", help="which setup steps are done and what each page still lacks")
    status.add_argument("--municipality")
    status.set_defaults(func=cmd_municipality_status)

    towns_cmd = imports.add_parser("towns", help="町丁目: e-Stat 小地域 (shp/zip), polygons with a name column, "
                                                 "Geolonia JSON or CSV 町丁目名,緯度,経度")
    population_cmd = imports.add_parser("population", help="population: e-Stat mesh T001142 or a 町丁目 age table")
    population_cmd.add_argument("--mapping", help="JSON {town, code, total:[cols], pop65:[cols], pop75:[cols], pop85:[cols]}")
    population_cmd.add_argument("--as-of", help="date of the figures, e.g. 2024-04-01")
    population_cmd.add_argument("--skip", action="append", metavar="NAME", help="a 地域名 of the file not to import (repeatable)")
    population_cmd.add_argument("--rename", action="append", metavar="FILE_NAME=TOWN",
                                help="match this 地域名 of the file to this 町丁目 (repeatable)")
    areas_cmd = imports.add_parser("areas", help="日常生活圏域: polygons, or a table 町丁目 → 圏域 (CSV/XLSX)")
    areas_cmd.add_argument("--provisional", action="store_true",
                           help="mark them デモ用の仮の圏域 (not the city's official areas)")
    venues_cmd = imports.add_parser("venues", help="candidate venues: GSI shelters JSON or a places file")
    for command, func in ((towns_cmd, cmd_import_towns), (population_cmd, cmd_import_population),
                          (areas_cmd, cmd_import_areas), (venues_cmd, cmd_import_venues)):
        if command in (venues_cmd, population_cmd):  # mesh tables: one file per 1st-level mesh
            command.add_argument("file", nargs="+")
        else:
            command.add_argument("file")
        command.add_argument("--municipality")
        command.set_defaults(func=func)
