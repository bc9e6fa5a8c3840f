"""Users, argon2id hashes and the lock-out, on a private copy of the demo store.

Stored values (hash, failure counter) are read back with ``sqlite3``, not through the code under test.
"""

from __future__ import annotations

import sqlite3

import pytest

from dashboard.auth import MAX_FAILED_LOGINS, AuthenticatedUser, AuthError, add_user, authenticate
from dashboard.store.engine import make_engine

PASSWORD = "correct horse 42"


@pytest.fixture
def engine(demo_db_copy):
    store = make_engine(f"sqlite:///{demo_db_copy}")
    yield store
    store.dispose()


def stored(db_path, name: str):
    with sqlite3.connect(db_path) as connection:
        return connection.execute("SELECT role, password_hash, active, failed_logins FROM users WHERE name = ?",
                                  (name,)).fetchone()


def refusal(engine, name: str, password: str) -> str:
    with pytest.raises(AuthError) as error:
        authenticate(engine, name, password)
    return error.value.message_ja


def test_added_user_can_log_in(engine):
    add_user(engine, "sato", PASSWORD, "coordinator")
    add_user(engine, "suzuki", "admin-pass", "admin")
    assert authenticate(engine, "sato", PASSWORD) == AuthenticatedUser("sato", "coordinator")
    assert authenticate(engine, "suzuki", "admin-pass") == AuthenticatedUser("suzuki", "admin")


def test_demo_user_of_the_demo_store_logs_in(engine):
    assert authenticate(engine, "demo", "demo") == AuthenticatedUser("demo", "coordinator")


def test_wrong_password_and_unknown_user_get_the_same_message(engine, demo_db_copy):
    add_user(engine, "sato", PASSWORD, "coordinator")
    wrong_password = refusal(engine, "sato", PASSWORD + "x")
    unknown_user = refusal(engine, "nobody", PASSWORD)
    assert wrong_password == unknown_user
    assert "sato" not in wrong_password and "nobody" not in unknown_user
    assert stored(demo_db_copy, "sato")[3] == 1  # the failure was counted
    assert stored(demo_db_copy, "nobody") is None  # no row is created for an unknown name


def test_empty_password_is_refused(engine):
    add_user(engine, "sato", PASSWORD, "coordinator")
    refusal(engine, "sato", "")


def test_lock_after_max_failed_logins_even_with_right_password(engine, demo_db_copy):
    add_user(engine, "sato", PASSWORD, "coordinator")
    wrong = refusal(engine, "sato", "nope")
    for _ in range(MAX_FAILED_LOGINS - 1):
        assert refusal(engine, "sato", "nope") == wrong
    assert stored(demo_db_copy, "sato")[3] == MAX_FAILED_LOGINS
    locked = refusal(engine, "sato", PASSWORD)
    assert locked != wrong
    assert "ロック" in locked
    # still locked on the next try
    assert refusal(engine, "sato", PASSWORD) == locked


def test_one_failure_short_of_the_limit_still_logs_in(engine, demo_db_copy):
    add_user(engine, "sato", PASSWORD, "coordinator")
    for _ in range(MAX_FAILED_LOGINS - 1):
        refusal(engine, "sato", "nope")
    assert authenticate(engine, "sato", PASSWORD).name == "sato"


def test_successful_login_resets_the_counter(engine, demo_db_copy):
    add_user(engine, "sato", PASSWORD, "coordinator")
    for _ in range(MAX_FAILED_LOGINS - 1):
        refusal(engine, "sato", "nope")
    authenticate(engine, "sato", PASSWORD)
    assert stored(demo_db_copy, "sato")[3] == 0
    # a fresh allowance of failures: MAX - 1 more do not lock
    for _ in range(MAX_FAILED_LOGINS - 1):
        refusal(engine, "sato", "nope")
    assert authenticate(engine, "sato", PASSWORD) == AuthenticatedUser("sato", "coordinator")


def test_adding_an_existing_user_again_replaces_password_and_unlocks(engine, demo_db_copy):
    add_user(engine, "sato", PASSWORD, "coordinator")
    for _ in range(MAX_FAILED_LOGINS):
        refusal(engine, "sato", "nope")
    add_user(engine, "sato", "new-password", "admin")
    assert stored(demo_db_copy, "sato")[3] == 0
    assert authenticate(engine, "sato", "new-password") == AuthenticatedUser("sato", "admin")
    refusal(engine, "sato", PASSWORD)  # the old password no longer works


def test_stored_hash_is_argon2id_not_the_password(engine, demo_db_copy):
    add_user(engine, "sato", PASSWORD, "coordinator")
    role, password_hash, active, failed = stored(demo_db_copy, "sato")
    assert (role, bool(active), failed) == ("coordinator", True, 0)
    assert password_hash.startswith("$argon2id$")
    assert PASSWORD not in password_hash
    # salted: the same password for another user gives another hash
    add_user(engine, "tanaka", PASSWORD, "coordinator")
    assert stored(demo_db_copy, "tanaka")[1] != password_hash


@pytest.mark.parametrize("role", ["resident", "Admin", "", "coordinator "])
def test_invalid_role_is_refused(engine, demo_db_copy, role):
    with pytest.raises(ValueError, match="role"):
        add_user(engine, "sato", PASSWORD, role)
    assert stored(demo_db_copy, "sato") is None


@pytest.mark.parametrize("name, password", [("", PASSWORD), ("   ", PASSWORD), ("sato", "abc")])
def test_empty_name_or_short_password_is_refused(engine, demo_db_copy, name, password):
    with pytest.raises(ValueError):
        add_user(engine, name, password, "coordinator")
    assert stored(demo_db_copy, name) is None


def test_the_lock_runs_out_by_itself(engine, demo_db_copy):
    import sqlite3

    add_user(engine, "sato", PASSWORD, "coordinator")
    for _ in range(MAX_FAILED_LOGINS):
        refusal(engine, "sato", "nope")
    assert "ロック" in refusal(engine, "sato", PASSWORD)
    with sqlite3.connect(demo_db_copy) as connection:  # LOCK_MINUTES later: the lock ended a minute ago
        connection.execute("UPDATE users SET locked_until = datetime('now', '-1 minutes') WHERE name = 'sato'")
    assert authenticate(engine, "sato", PASSWORD).name == "sato"
    assert stored(demo_db_copy, "sato")[3] == 0
    # one wrong password after an expired lock is one failure, not an immediate new lock
    refusal(engine, "sato", "nope")
    assert authenticate(engine, "sato", PASSWORD).name == "sato"
