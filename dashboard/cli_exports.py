"""``python -m dashboard export places|template``: places in every export format, and the input template.

:func:`register` adds the two commands to the ``export`` sub-command parser of :mod:`dashboard.cli`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard import cli_common, exports
from dashboard.store import reads

#: Formats of ``export places``; ``ods`` is the 自治体標準オープンデータセット 正式版 CSV.
FORMATS = ("csv", "xlsx", "geojson", "gpkg", "ods")
#: The format a file name implies. ``.csv`` means our own CSV: the ODS CSV must be asked for.
FORMAT_BY_SUFFIX = {".csv": "csv", ".xlsx": "xlsx", ".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg"}
FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel", "geojson": "GeoJSON", "gpkg": "GeoPackage",
                 "ods": "自治体標準オープンデータセット CSV"}


def export_format(fmt: str | None, out: str | None) -> str:
    """The format asked for, else the one the ``--out`` extension implies; UsageError if neither."""
    if fmt:
        return fmt
    if out is None:
        raise cli_common.UsageError(f"--out がないときは --format を指定してください（{' / '.join(FORMATS)}）")
    suffix = Path(out).suffix.lower()
    if suffix not in FORMAT_BY_SUFFIX:
        known = ", ".join(FORMAT_BY_SUFFIX)
        raise cli_common.UsageError(f"ファイル名 {out} から形式を決められません（拡張子 {suffix or 'なし'}; 使えるもの: {known}）。"
                                f"--format で指定してください（{' / '.join(FORMATS)}）")
    return FORMAT_BY_SUFFIX[suffix]


def _places_bytes(fmt: str, places, engine, code: str) -> bytes:
    if fmt == "csv":
        return exports.places_csv(places)
    if fmt == "xlsx":
        return exports.places_xlsx(places)
    if fmt == "geojson":
        return exports.json_bytes(exports.places_geojson(places))
    if fmt == "gpkg":
        return exports.places_gpkg(places)
    municipality = reads.municipalities(engine).set_index("code").loc[code]
    return exports.places_ods_csv(places, code, municipality["name"], municipality["prefecture"])


def _emit(out: str | None, data: bytes) -> None:
    """Write to the file, or to standard output when no file is given."""
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        cli_common.write_file(out, data)


def cmd_export_places(args, engine) -> int:
    fmt = export_format(args.format, args.out)
    code = cli_common.municipality(engine, args.municipality)
    places = reads.places(engine, code, internal=not args.public)
    # With the file on standard output, messages go to stderr so they don't end up inside it.
    messages = sys.stdout if args.out else sys.stderr
    if fmt == "ods" and not args.public:
        print("注意: --public がないため、非公開の資源と内部の備考も含みます。公開する前に --public を付けてください",
              file=messages)
    _emit(args.out, _places_bytes(fmt, places, engine, code))
    where = args.out or "標準出力"
    print(f"{len(places)} 件の資源を書き出しました（{FORMAT_LABELS[fmt]}）: {where}"
          + ("（公開分のみ）" if args.public else ""), file=messages)
    return cli_common.EXIT_OK


def cmd_export_template(args, engine) -> int:
    if Path(args.out).suffix.lower() != ".xlsx":
        raise cli_common.UsageError(f"入力用テンプレートは Excel（.xlsx）です: {args.out}")
    cli_common.write_file(args.out, exports.places_template_xlsx())
    print(f"資源の入力用テンプレートを書き出しました: {args.out}")
    return cli_common.EXIT_OK


def register(export_subparsers: argparse._SubParsersAction) -> None:
    """Add ``places`` and ``template`` to the ``export`` sub-commands."""
    places = export_subparsers.add_parser(
        "places", help="places as CSV, Excel, GeoJSON, GeoPackage or 自治体標準オープンデータセット CSV")
    places.add_argument("--format", choices=FORMATS,
                        help="default: from the --out extension (.csv .xlsx .geojson/.json .gpkg); "
                             "ods (正式版-style CSV) must be given")
    places.add_argument("--out", help="file to write (default: standard output; then --format is needed)")
    places.add_argument("--public", action="store_true", help="only public places and public fields")
    places.add_argument("--municipality")
    places.set_defaults(func=cmd_export_places)

    template = export_subparsers.add_parser("template", help="Excel template for entering places (.xlsx)")
    template.add_argument("--out", required=True)
    template.set_defaults(func=cmd_export_template)
