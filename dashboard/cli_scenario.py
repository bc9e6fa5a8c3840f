"""``scenario critical`` and ``scenario run``: critical places and what-if coverage (仮定) as CSV.

Imports only :mod:`dashboard.cli_common` and the services (style.md); ``cli.py`` registers it.
"""

from __future__ import annotations

from dashboard import cli_common
from dashboard.cli_common import EXIT_OK, UsageError
from dashboard.services import scenarios


def cmd_critical(args, engine) -> int:
    code = cli_common.municipality(engine, args.municipality)
    try:
        query = scenarios.query_of(args.distance, args.frequency, args.category)
    except ValueError as error:
        raise UsageError(f"条件が正しくありません (bad option): {error}") from error
    data, city, top = scenarios.critical_report(engine, code, query)
    cli_common.write_file(args.out, data)
    print(f"徒歩{args.distance} m 圏（直線距離）。ひとつの場に頼っている65歳以上：{city['pop65_single']:,.0f} 人"
          f"（徒歩圏の65歳以上 {city['pop65_covered']:,.0f} 人の {city['single_share65']:.1%}）→ {args.out}")
    for row in top:
        print(f"  {row['name']}（{row['place_id']}）: この場だけが徒歩圏の65歳以上 {row['unique65']:,.0f} 人・"
              f"75歳以上 {row['unique75']:,.0f} 人")
    return EXIT_OK


def cmd_run(args, engine) -> int:
    path = cli_common.existing_file(args.file)
    code = cli_common.municipality(engine, args.municipality)
    data, what_if, city = scenarios.run_report(engine, code, path.read_text(encoding="utf-8-sig"), path.name)
    cli_common.write_file(args.out, data)
    print(f"仮定「{what_if.name}」: 止める場 {len(what_if.off)} 件・加える場 {len(what_if.added)} 件・"
          f"徒歩{what_if.distance_m} m 圏" + (f"・{what_if.years}年後の推計人口" if what_if.years else "")
          + f" → 65歳以上カバー率（市全体） {city['coverage65']:.1%}、徒歩圏外の65歳以上 {city['uncovered65']:,.0f} 人"
          f" → {args.out}")
    return EXIT_OK


def register(sub) -> None:
    """``scenario critical`` and ``scenario run`` under the top-level parser's subcommands."""
    scenario = sub.add_parser("scenario", help="critical places and what-if coverage (仮定)").add_subparsers(
        dest="action", required=True)
    critical = scenario.add_parser("critical", help="per counted place, the 65+/75+ only it covers (CSV: place_id, "
                                                    "name, area_id, unique65, unique75)")
    critical.add_argument("--distance", type=int, default=500, help="walking distance, metres (default 500)")
    critical.add_argument("--frequency", choices=("any", "monthly", "weekly"), default="any")
    critical.add_argument("--category", action="append", help="count this category (repeatable; default: the "
                                                              "gathering categories)")
    critical.add_argument("--municipality")
    critical.add_argument("--out", required=True)
    critical.set_defaults(func=cmd_critical)
    run = scenario.add_parser("run", help="coverage under a scenario JSON (places off/added, distance, years) as the "
                                          "coverage CSV")
    run.add_argument("file", help='JSON: {"name", "distance_m", "frequency", "categories", "off": [place ids], '
                                  '"added": [{"name", "lat", "lon"}], "years": 0|5|10}')
    run.add_argument("--municipality")
    run.add_argument("--out", required=True)
    run.set_defaults(func=cmd_run)
