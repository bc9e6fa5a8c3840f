"""``python -m dashboard export places|template|public-map|guidebook``: places in every export format,
the input template, and the two artefacts for residents (the one-file offline map and the
支え合いガイドブック PDF).

:func:`register` adds the commands to the ``export`` sub-command parser of :mod:`dashboard.cli`.
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


def cmd_export_public_map(args, engine) -> int:
    from dashboard.publicmap import build_html  # imported here: the CLI starts fast without it

    code = cli_common.municipality(engine, args.municipality)
    data = build_html(engine, code, tiles=args.tiles)
    cli_common.write_file(args.out, data)
    print(f"住民向けの地図（1ファイル、{len(data) / 1024:,.0f} KB、公開分のみ）を書き出しました: {args.out}"
          + ("（背景地図なし）" if args.tiles == "none" else "（背景地図：地理院タイル、オフラインでは境界のみ）"))
    return cli_common.EXIT_OK


def cmd_export_guidebook(args, engine) -> int:
    from dashboard.guidebook import build_guidebook, online_map_url

    code = cli_common.municipality(engine, args.municipality)
    if Path(args.out).suffix.lower() != ".pdf":
        raise cli_common.UsageError(f"ガイドブックは PDF（.pdf）です: {args.out}")
    url = online_map_url(reads.meta(engine, code), args.url)
    pages = build_guidebook(engine, code, args.out, edition=args.edition, url=url)
    edition = "やさしい日本語版" if args.edition == "easy" else "標準版"
    print(f"地域支え合いガイドブック（{edition}、{pages} ページ、公開分のみ）を書き出しました: {args.out}")
    if url is None:
        print("注意: インターネットの地図のURLがないため、QRコードを載せていません（--url で指定できます）")
    return cli_common.EXIT_OK


def register(export_subparsers: argparse._SubParsersAction) -> None:
    """Add ``places``, ``template``, ``public-map`` and ``guidebook`` to the ``export`` sub-commands."""
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

    public_map = export_subparsers.add_parser(
        "public-map", help="one self-contained HTML map for residents (public places only; works offline from file://)")
    public_map.add_argument("--out", required=True, help="the .html file to write")
    public_map.add_argument("--tiles", choices=("none", "gsi"), default="none",
                            help="background tiles: none (default; city outline and areas only, fully offline) "
                                 "or gsi (地理院タイル 淡色地図, needs the internet, switchable off)")
    public_map.add_argument("--municipality")
    public_map.set_defaults(func=cmd_export_public_map)

    guidebook = export_subparsers.add_parser(
        "guidebook", help="地域支え合いガイドブック: A4 large-print PDF for residents (public places only)")
    guidebook.add_argument("--out", required=True, help="the .pdf file to write")
    guidebook.add_argument("--edition", choices=("standard", "easy"), default="standard",
                           help="standard (日本語) or easy (やさしい日本語)")
    guidebook.add_argument("--url", help="address of the online map for the QR code "
                                         "(default: the city's public_map_url fact; none: no QR code)")
    guidebook.add_argument("--municipality")
    guidebook.set_defaults(func=cmd_export_guidebook)
