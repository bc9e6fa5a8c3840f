"""``prefecture overview``: every municipality of the prefecture side by side (県内の状況) as CSV.

Imports only :mod:`dashboard.cli_common` and the services (style.md); ``cli.py`` registers it.
"""

from __future__ import annotations

import sys

from dashboard import cli_common
from dashboard.cli_common import EXIT_OK
from dashboard.services import prefecture


def cmd_overview(args, engine) -> int:
    # the command line reads the store file itself, so it sees every city's places (as an admin does)
    result = prefecture.overview(engine, args.prefecture)
    data = prefecture.overview_csv(result)
    if args.out:
        cli_common.write_file(args.out, data)
    else:
        sys.stdout.write(data.decode("utf-8-sig"))
    notes = sys.stdout if args.out else sys.stderr  # keep standard output pure CSV when it carries the CSV
    table = result.table
    loaded = table[table["loaded"]]
    print(f"{result.prefecture} {len(table)} 市町村（住基 {prefecture.JUKI_AS_OF}）、うちストアにある市町村 {len(loaded)}"
          f"（数える場：{'・'.join(result.query.categories)}、徒歩{result.query.distance_m} m 圏）"
          + (f" → {args.out}" if args.out else ""), file=notes)
    for row in loaded.itertuples():
        per_1000 = "—" if row.places_per_1000_65 != row.places_per_1000_65 else f"{row.places_per_1000_65:.2f}"
        share = "—" if row.coverage_share != row.coverage_share else f"{row.coverage_share:.1%}"
        print(f"  {row.name}（{row.code}）: 場 {row.places} 件・65歳以上1,000人あたり {per_1000}・"
              f"徒歩圏の65歳以上 {share}", file=notes)
    return EXIT_OK


def register(sub) -> None:
    """``prefecture overview`` under the top-level parser's subcommands."""
    group = sub.add_parser("prefecture", help="every municipality of the prefecture (県内の状況)").add_subparsers(
        dest="action", required=True)
    overview = group.add_parser(
        "overview", help="one row per municipality, the page's CSV (Japanese headers): code, name, population and "
                         "65+ with their share in %% (住基 2022-01-01), loaded, places, places per 1,000 65+, "
                         "walking coverage in %%, the loaded 65+ and which places were counted")
    overview.add_argument("--prefecture", type=int, default=11, choices=(11,),
                          help="prefecture code (only 11 埼玉県 has bundled outlines)")
    overview.add_argument("--out", help="CSV file (UTF-8 with BOM); without it the CSV goes to standard output")
    overview.set_defaults(func=cmd_overview)
