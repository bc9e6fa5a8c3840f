"""``python -m dashboard publish`` (the published copy a public server serves) and
``python -m dashboard export opendata`` (CSV, GeoJSON and README for a city's open-data page).

:func:`register` adds both to the parsers of :mod:`dashboard.cli`; this module imports only
:mod:`dashboard.cli_common` and the services.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dashboard import cli_common
from dashboard.services import opendata, publish


def _cities(engine, options: list[str] | None) -> list[str] | None:
    """The codes asked for (``--municipality`` repeated or comma-separated), checked; None = every city."""
    if not options:
        return None
    codes = []
    for option in options:
        for code in filter(None, (part.strip() for part in option.split(","))):
            checked = cli_common.municipality(engine, code)
            if checked not in codes:
                codes.append(checked)
    return codes


def cmd_publish(args, engine) -> int:
    report = publish.publish(engine, Path(args.out), _cities(engine, args.municipality))
    print(f"公開用のコピーを書き出しました: {report.path}（{report.published_at}）")
    for code, counts in report.counts.items():
        left = report.left_out[code]
        print(f"  {code}: 資源 {counts['places']} 件・圏域 {counts['areas']}・町丁目 {counts['towns']}"
              f"（公開しないもの：非公開 {left['internal']} 件、終了 {left['closed']} 件）")
    print("ニーズ調査・ユーザー・編集履歴・スナップショット・取り込み記録は含みません。"
          "このフォルダを公開サーバーに置き、TSUDOI_MODE=public で起動してください")
    return cli_common.EXIT_OK


def cmd_export_opendata(args, engine) -> int:
    code = cli_common.municipality(engine, args.municipality)
    try:
        report = opendata.export_opendata(engine, code, Path(args.out), licence=args.licence)
    except ValueError as error:
        raise cli_common.UsageError(f"--licence: {error}") from error
    print(f"オープンデータ（資源 {report.places} 件、公開のもの・終了したものを除く、ライセンス {args.licence}）を書き出しました:")
    for path in report.files:
        print(f"  {path}")
    if report.synthetic:
        print(f"注意: サンプル（架空）の資源が {report.synthetic} 件含まれます（デモ用）")
    return cli_common.EXIT_OK


def register(subparsers: argparse._SubParsersAction, export_subparsers: argparse._SubParsersAction) -> None:
    """Add ``publish`` to the commands and ``opendata`` to the ``export`` sub-commands."""
    command = subparsers.add_parser(
        "publish", help="write the published copy (public places and fields, areas, towns, attribution only) "
                        "that a public server runs with TSUDOI_MODE=public")
    command.add_argument("--out", default=str(publish.DEFAULT_PUBLISH_DIR),
                         help=f"folder to write {publish.PUBLISHED_FILE_NAME} to (default: var/public, "
                              "where the public site looks)")
    command.add_argument("--municipality", action="append",
                         help="publish this city (repeatable or comma-separated; default: every city of the store)")
    command.set_defaults(func=cmd_publish)

    data = export_subparsers.add_parser(
        "opendata", help="public places as 自治体標準オープンデータセット 正式版-style CSV and GeoJSON, with a README")
    data.add_argument("--out", required=True, help="folder to write the files to")
    data.add_argument("--municipality")
    data.add_argument("--licence", default=opendata.DEFAULT_LICENCE,
                      help=f"licence named in the README (default: {opendata.DEFAULT_LICENCE})")
    data.set_defaults(func=cmd_export_opendata)
