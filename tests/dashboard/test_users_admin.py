"""Admin user management (disable, new password, unlock, list) and its CLI, on a copy of the demo store.

Stored values are read back with ``sqlite3``, not through the code under test.
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import sys

import pytest
from argon2 import PasswordHasher

from dashboard import auth, cli_admin
from dashboard.auth import (MAX_FAILED_LOGINS, AuthenticatedUser, AuthError, add_user, authenticate, disable_user,
                            list_users, set_password, unlock_user)
from dashboard.cli import UsageError
from dashboard.store.engine import make_engine

PASSWORD = "correct horse 42"
NEW_PASSWORD = "battery staple 7"


@pytest.fixture
def engine(demo_db_copy, monkeypatch):
    # Cheap argon2id parameters: these tests are about accounts, not hash strength (test_auth.py
    # covers the real hasher), and lock-outs need many verifications.
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    store = make_engine(f"sqlite:///{demo_db_copy}")
    add_user(store, "sato", PASSWORD, "coordinator")
    add_user(store, "suzuki", "admin-pass", "admin")
    yield store
    store.dispose()


def stored(db_path, name: str):
    with sqlite3.connect(db_path) as connection:
        return connection.execute("SELECT password_hash, active, failed_logins FROM users WHERE name = ?",
                                  (name,)).fetchone()


def user_names(db_path) -> list[str]:
    with sqlite3.connect(db_path) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM users ORDER BY name")]


def lock_out(engine, name: str, times: int = MAX_FAILED_LOGINS) -> None:
    for _ in range(times):
        with pytest.raises(AuthError):
            authenticate(engine, name, "wrong")


def test_disabled_user_cannot_log_in_and_others_still_can(engine, demo_db_copy):
    disable_user(engine, "sato")
    assert stored(demo_db_copy, "sato")[1] == 0
    with pytest.raises(AuthError):
        authenticate(engine, "sato", PASSWORD)
    assert authenticate(engine, "suzuki", "admin-pass") == AuthenticatedUser("suzuki", "admin")


def test_add_user_still_enables_a_disabled_user_again(engine):
    disable_user(engine, "sato")
    add_user(engine, "sato", NEW_PASSWORD, "coordinator")
    assert authenticate(engine, "sato", NEW_PASSWORD) == AuthenticatedUser("sato", "coordinator")


def test_new_password_unlocks_and_replaces_the_old_one(engine, demo_db_copy):
    lock_out(engine, "sato")
    assert stored(demo_db_copy, "sato")[2] == MAX_FAILED_LOGINS
    with pytest.raises(AuthError):
        authenticate(engine, "sato", PASSWORD)  # the right password is refused while locked
    old_hash = stored(demo_db_copy, "sato")[0]

    set_password(engine, "sato", NEW_PASSWORD)

    new_hash, active, failed = stored(demo_db_copy, "sato")
    assert (active, failed) == (1, 0) and new_hash != old_hash and NEW_PASSWORD not in new_hash
    with pytest.raises(AuthError):
        authenticate(engine, "sato", PASSWORD)
    assert authenticate(engine, "sato", NEW_PASSWORD) == AuthenticatedUser("sato", "coordinator")


def test_new_password_does_not_enable_a_disabled_user(engine):
    disable_user(engine, "sato")
    set_password(engine, "sato", NEW_PASSWORD)
    with pytest.raises(AuthError):
        authenticate(engine, "sato", NEW_PASSWORD)


def test_unlock_keeps_the_password(engine, demo_db_copy):
    lock_out(engine, "sato")
    old_hash = stored(demo_db_copy, "sato")[0]
    unlock_user(engine, "sato")
    assert stored(demo_db_copy, "sato") == (old_hash, 1, 0)
    assert authenticate(engine, "sato", PASSWORD) == AuthenticatedUser("sato", "coordinator")


def test_unknown_user_and_short_password_change_nothing(engine, demo_db_copy):
    before = stored(demo_db_copy, "sato")
    for action in (lambda: disable_user(engine, "nobody"), lambda: unlock_user(engine, "nobody"),
                   lambda: set_password(engine, "nobody", NEW_PASSWORD), lambda: set_password(engine, "sato", "abc")):
        with pytest.raises(ValueError):
            action()
    names = user_names(demo_db_copy)
    assert stored(demo_db_copy, "sato") == before
    assert "nobody" not in names


def test_list_users_shows_lock_at_the_limit(engine, demo_db_copy):
    lock_out(engine, "sato", MAX_FAILED_LOGINS - 1)
    users = list_users(engine)
    assert users.columns.tolist() == ["name", "role", "active", "failed_logins", "locked"]
    assert users["name"].tolist() == user_names(demo_db_copy)  # every user (the demo store has its own too)
    ours = users.set_index("name").loc[["sato", "suzuki"]]
    assert ours["failed_logins"].tolist() == [MAX_FAILED_LOGINS - 1, 0]
    assert ours["locked"].tolist() == [False, False]

    lock_out(engine, "sato", 1)
    disable_user(engine, "suzuki")
    users = list_users(engine).set_index("name")
    assert users.loc["sato", ["active", "failed_logins", "locked"]].tolist() == [True, MAX_FAILED_LOGINS, True]
    assert users.loc["suzuki", ["role", "active", "locked"]].tolist() == ["admin", False, False]


# --- CLI -----------------------------------------------------------------------------------------

def admin_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="test")
    sub = parser.add_subparsers(dest="command", required=True)
    user = sub.add_parser("user").add_subparsers(dest="action", required=True)
    cli_admin.register(sub, user)
    return parser


def run_cli(engine, *argv: str) -> int:
    args = admin_parser().parse_args(list(argv))
    return args.func(args, engine)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_user_disable_and_list(engine, demo_db_copy, capsys):
    lock_out(engine, "suzuki")
    assert run_cli(engine, "user", "disable", "sato") == 0
    with pytest.raises(AuthError):
        authenticate(engine, "sato", PASSWORD)
    capsys.readouterr()
    assert run_cli(engine, "user", "list") == 0
    lines = {line.split("\t")[0]: line.split("\t")[1:3] for line in capsys.readouterr().out.splitlines()}
    assert sorted(lines) == user_names(demo_db_copy)
    assert (lines["sato"], lines["suzuki"]) == (["coordinator", "無効"], ["admin", "ロック中"])
    with pytest.raises(UsageError, match="nobody"):
        run_cli(engine, "user", "disable", "nobody")


def test_cli_passwd_from_a_pipe(engine, demo_db_copy, monkeypatch):
    lock_out(engine, "sato")
    monkeypatch.setattr(sys, "stdin", io.StringIO(NEW_PASSWORD + "\n"))
    assert run_cli(engine, "user", "passwd", "sato") == 0
    assert stored(demo_db_copy, "sato")[2] == 0
    assert authenticate(engine, "sato", NEW_PASSWORD) == AuthenticatedUser("sato", "coordinator")


def test_cli_passwd_prompts_twice_on_a_terminal(engine, demo_db_copy, monkeypatch):
    monkeypatch.setattr(sys, "stdin", Terminal())
    answers = iter([NEW_PASSWORD, NEW_PASSWORD + "x"])
    monkeypatch.setattr(cli_admin.getpass, "getpass", lambda prompt: next(answers))
    before = stored(demo_db_copy, "sato")
    with pytest.raises(UsageError, match="一致しません"):
        run_cli(engine, "user", "passwd", "sato")
    assert stored(demo_db_copy, "sato") == before

    prompts = []
    monkeypatch.setattr(cli_admin.getpass, "getpass", lambda prompt: prompts.append(prompt) or NEW_PASSWORD)
    assert run_cli(engine, "user", "passwd", "sato") == 0
    assert len(prompts) == 2
    assert authenticate(engine, "sato", NEW_PASSWORD) == AuthenticatedUser("sato", "coordinator")


def test_cli_passwd_refuses_a_short_password(engine, demo_db_copy, monkeypatch):
    before = stored(demo_db_copy, "sato")
    monkeypatch.setattr(sys, "stdin", io.StringIO("abc\n"))
    with pytest.raises(UsageError, match="4文字以上"):
        run_cli(engine, "user", "passwd", "sato")
    assert stored(demo_db_copy, "sato") == before
