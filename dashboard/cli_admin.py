"""Admin commands: ``snapshot create|list|diff`` (活動の振り返り) and ``user disable|passwd|list``.

:func:`register` adds them to the parser of :mod:`dashboard.cli`; the handlers follow its
conventions (``func(args, engine) -> exit status``; mistakes raise ``UsageError``).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard import exports, snapshots
from dashboard.cli_common import EXIT_OK, UsageError
from dashboard.cli_common import municipality as _municipality
from dashboard.cli_common import write_file as _write


def _signed(number: int) -> str:
    return f"{number:+d}" if number else "±0"


# --- snapshot -----------------------------------------------------------------------------------

def cmd_snapshot_create(args, engine) -> int:
    code = _municipality(engine, args.municipality)
    try:
        snapshot_id = snapshots.create_snapshot(engine, code, args.label, user=args.by)
    except ValueError as error:
        raise UsageError(f"スナップショットを保存できません: {error}") from error
    row = snapshots.list_snapshots(engine, code).set_index("id").loc[snapshot_id]
    print(f"スナップショット「{row['label']}」を保存しました（ID {snapshot_id}、資源 {row['places']} 件、"
          f"うち活動中 {row['active_places']} 件）")
    return EXIT_OK


def cmd_snapshot_list(args, engine) -> int:
    code = _municipality(engine, args.municipality)
    table = snapshots.list_snapshots(engine, code)
    if table.empty:
        print("スナップショットはまだありません（`snapshot create --label 2026年度` で保存できます）")
        return EXIT_OK
    for row in table.itertuples():
        by = f"  作成者 {row.created_by}" if row.created_by else ""
        print(f"{row.id}\t{row.label}\t{row.created_at:%Y-%m-%d %H:%M}\t資源 {row.places} 件（活動中 {row.active_places}）{by}")
    return EXIT_OK


def _places(engine, code: str, reference: str):
    try:
        return snapshots.resolve_places(engine, code, reference)
    except snapshots.SnapshotNotFound as error:
        raise UsageError(str(error)) from error


def cmd_snapshot_diff(args, engine) -> int:
    code = _municipality(engine, args.municipality)
    diff = snapshots.diff_snapshots(_places(engine, code, args.old), _places(engine, code, args.new))
    changed_places = diff["changed"]["id"].nunique()
    print(f"{args.old} → {args.new}: 追加 {len(diff['added'])} 件 / 終了 {len(diff['closed'])} 件 / "
          f"変更 {changed_places} 件（{len(diff['changed'])} 項目）")
    counts = diff["counts"]
    print("種別ごとの活動中の件数:")
    for row in counts[counts["dimension"] == "category"].itertuples():
        print(f"  {row.group}: {row.old} → {row.new} ({_signed(row.difference)})")
    if args.out:
        table = snapshots.changes_table(diff)
        _write(args.out, exports.csv_bytes(table))
        print(f"変更点 {len(table)} 行を書き出しました: {args.out}")
    return EXIT_OK


# --- user ---------------------------------------------------------------------------------------

def _user_change(action, *values) -> None:
    try:
        action(*values)
    except ValueError as error:
        raise UsageError(str(error)) from error


def cmd_user_disable(args, engine) -> int:
    from dashboard.auth import disable_user

    _user_change(disable_user, engine, args.name)
    print(f"ユーザー {args.name} を無効にしました（ログインできなくなります）")
    return EXIT_OK


def _read_password() -> str:
    if sys.stdin.isatty():
        password = getpass.getpass("新しいパスワード: ")
        if getpass.getpass("新しいパスワード（確認）: ") != password:
            raise UsageError("パスワードが一致しません (passwords differ)")
        return password
    return sys.stdin.readline().rstrip("\n")


def cmd_user_passwd(args, engine) -> int:
    from dashboard.auth import set_password

    _user_change(set_password, engine, args.name, _read_password())
    print(f"ユーザー {args.name} のパスワードを変更しました（ロックも解除しました）")
    return EXIT_OK


def cmd_user_list(args, engine) -> int:
    from dashboard.auth import list_users

    users = list_users(engine)
    if users.empty:
        print("ユーザーは登録されていません（`user add NAME --role admin` で登録できます）")
        return EXIT_OK
    for row in users.itertuples():
        state = "無効" if not row.active else ("ロック中" if row.locked else "有効")
        print(f"{row.name}\t{row.role}\t{state}\tログイン失敗 {row.failed_logins} 回")
    return EXIT_OK


def register(sub: argparse._SubParsersAction, user_subparsers: argparse._SubParsersAction) -> None:
    """Add ``snapshot …`` to ``sub`` (the top-level sub-parsers) and ``disable``, ``passwd``,
    ``list`` to ``user_subparsers`` (the sub-parsers of the existing ``user`` command)."""
    snapshot = sub.add_parser("snapshot", help="snapshots of places for 活動の振り返り").add_subparsers(
        dest="action", required=True)
    create = snapshot.add_parser("create", help="save the current places and coverage under a label")
    create.add_argument("--label", required=True, help="e.g. 2026年度 (unique per municipality; not digits only)")
    create.add_argument("--by", help="who takes it (stored as created_by)")
    create.add_argument("--municipality")
    create.set_defaults(func=cmd_snapshot_create)
    listing = snapshot.add_parser("list", help="saved snapshots, oldest first")
    listing.add_argument("--municipality")
    listing.set_defaults(func=cmd_snapshot_list)
    diff = snapshot.add_parser("diff", help="added / closed / changed places between two snapshots")
    diff.add_argument("old", help=f"label or id of a snapshot, or {snapshots.CURRENT}")
    diff.add_argument("new", help=f"label or id of a snapshot, or {snapshots.CURRENT}")
    diff.add_argument("--out", help="CSV of every change (column change_type: added / closed / changed)")
    diff.add_argument("--municipality")
    diff.set_defaults(func=cmd_snapshot_diff)

    disable = user_subparsers.add_parser("disable", help="refuse every future login of a user")
    disable.add_argument("name")
    disable.set_defaults(func=cmd_user_disable)
    passwd = user_subparsers.add_parser("passwd", help="set a new password (prompted, or one line on stdin); "
                                                       "also unlocks")
    passwd.add_argument("name")
    passwd.set_defaults(func=cmd_user_passwd)
    user_subparsers.add_parser("list", help="users with role, state and failed logins").set_defaults(
        func=cmd_user_list)
