"""Store administration: ``db upgrade`` and ``db copy --from URL --to URL``.

:func:`register` adds them to the parser of :mod:`dashboard.cli`. Unlike the other commands they
open the stores they name themselves (``opens_store=False``): ``db upgrade`` reports the schema
revision before and after, and ``db copy`` must not create or migrate the ``--db`` store.
"""

from __future__ import annotations

from dashboard.cli_common import EXIT_OK, UsageError
from dashboard.services import dbcopy


def cmd_db_upgrade(args, _engine) -> int:
    report = dbcopy.upgrade(dbcopy.resolve_url(args.db))
    if report.before == report.after:
        print(f"スキーマは最新です (already at the newest schema): {report.url} [{report.backend}] revision {report.after}")
    else:
        print(f"スキーマを更新しました (upgraded): {report.url} [{report.backend}] "
              f"revision {report.before or '（空のデータベース）'} → {report.after}")
    if not report.sorts_like_sqlite:
        print(f"注意: このデータベースの照合順序は {report.collation} です。一覧の並び順が組み込みストアと変わることがあります。"
              "LC_COLLATE を C にして作り直すことをおすすめします (README「本番環境」; the database sorts text by "
              "language rules, not by code point as SQLite does)")
    return EXIT_OK


def cmd_db_copy(args, _engine) -> int:
    source, target = dbcopy.resolve_url(args.source), dbcopy.resolve_url(args.target)
    try:
        report = dbcopy.copy(source, target, replace=args.replace)
    except dbcopy.CopyError as error:
        raise UsageError(str(error)) from error
    print(f"{report.source} → {report.target}")
    width = max(len(check.table) for check, _ in report.tables)
    print(f"  {'table':<{width}}  {'rows':>8}  {'copied':>8}  sha256 (source = copy)")
    for source_check, target_check in report.tables:
        same = "=" if source_check.sha256 == target_check.sha256 else "≠"
        print(f"  {source_check.table:<{width}}  {source_check.rows:>8,}  {target_check.rows:>8,}  "
              f"{source_check.sha256[:16]} {same} {target_check.sha256[:16]}")
    print(f"{len(report.tables)} 表・{report.rows:,} 行をコピーし、行数とチェックサムが一致しました "
          "(every table's count and checksum match)")
    return EXIT_OK


def register(sub) -> None:
    """``db upgrade`` and ``db copy`` on the top-level subparsers."""
    db = sub.add_parser("db", help="the store itself: upgrade its schema, copy it to another backend")
    actions = db.add_subparsers(dest="action", required=True)
    upgrade = actions.add_parser("upgrade", help="migrate the --db store ($DATABASE_URL) to the newest schema")
    upgrade.set_defaults(func=cmd_db_upgrade, opens_store=False)
    copy = actions.add_parser("copy", help="copy every row of one store into another (SQLite ⇄ PostgreSQL), "
                                           "verified by row counts and checksums per table")
    copy.add_argument("--from", dest="source", required=True, metavar="URL",
                      help="the store to copy: a SQLite path or an SQLAlchemy URL (read only)")
    copy.add_argument("--to", dest="target", required=True, metavar="URL",
                      help="the store to fill (created and migrated as needed); must hold no data")
    copy.add_argument("--replace", action="store_true", help="replace the data the target already holds")
    copy.set_defaults(func=cmd_db_copy, opens_store=False)
