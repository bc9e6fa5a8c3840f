"""Server-side login sessions behind a signed cookie (dashboard/websession.py), on a fresh store.

Times are passed in explicitly (``now``), so expiry is tested without waiting or patching clocks.
What is stored is read back with ``sqlite3``, not through the code under test.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime, timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from dashboard import websession
from dashboard.auth import AuthenticatedUser, add_user, disable_user, set_password
from dashboard.store.engine import open_store, revision

T0 = datetime(2026, 11, 30, 9, 0, 0)  # naive UTC, as the store keeps times


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "store.sqlite"


@pytest.fixture
def engine(db_path):
    store = open_store(f"sqlite:///{db_path}")
    add_user(store, "sato", "pass-1234", "coordinator")
    add_user(store, "suzuki", "pass-5678", "coordinator")
    yield store
    store.dispose()


def logged_in(engine, name="sato", now=T0):
    """A session whose cookie the browser has fetched: ``(session_id, cookie)``."""
    handoff = websession.start(engine, name, now=now)
    cookie = websession.redeem(engine, handoff.ticket, now=now + timedelta(seconds=1))
    assert cookie is not None
    return handoff.session_id, cookie


def rows(db_path):
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT id, user_name, token_sha256, handoff_sha256, revoked_at "
                          "FROM login_sessions").fetchall()


# --- the happy path ------------------------------------------------------------------------------------------

def test_a_redeemed_ticket_gives_a_cookie_that_names_the_session_and_user(engine):
    session_id, cookie = logged_in(engine)
    assert websession.session_for_cookie(engine, cookie.value, now=T0 + timedelta(hours=1)) == (
        session_id, AuthenticatedUser("sato", "coordinator"))


def test_the_cookie_lives_as_long_as_the_rest_of_the_session(engine):
    handoff = websession.start(engine, "sato", now=T0)
    cookie = websession.redeem(engine, handoff.ticket, now=T0 + timedelta(seconds=30))
    # 8 hours from T0, redeemed 30 s later: 8 × 3600 − 30 = 28,770 s left
    assert cookie.max_age_s == 8 * 3600 - 30


def test_the_tab_that_logged_in_counts_before_the_cookie_is_fetched(engine):
    handoff = websession.start(engine, "sato", now=T0)
    assert websession.user_for_session(engine, handoff.session_id, now=T0) == AuthenticatedUser("sato", "coordinator")
    assert websession.handoff_pending(engine, handoff.session_id, now=T0)
    websession.redeem(engine, handoff.ticket, now=T0)
    assert not websession.handoff_pending(engine, handoff.session_id, now=T0)


def test_a_ticket_never_fetched_stops_being_offered_when_it_expires(engine):
    handoff = websession.start(engine, "sato", now=T0)
    assert websession.handoff_pending(engine, handoff.session_id, now=T0 + websession.HANDOFF_LIFETIME)
    assert not websession.handoff_pending(engine, handoff.session_id,
                                          now=T0 + websession.HANDOFF_LIFETIME + timedelta(seconds=1))
    # the tab that logged in stays logged in; only reloads and other tabs cannot share the login
    assert websession.user_for_session(engine, handoff.session_id, now=T0 + timedelta(hours=1)) is not None


def test_the_store_keeps_hashes_never_the_token_or_the_ticket_secret(engine, db_path):
    handoff = websession.start(engine, "sato", now=T0)
    cookie = websession.redeem(engine, handoff.ticket, now=T0)
    key = sqlite3.connect(db_path).execute("SELECT value FROM app_secrets").fetchone()[0]
    token = URLSafeTimedSerializer(key, salt="tsudoi.session-cookie").loads(cookie.value)
    [(session_id, user, token_sha256, handoff_sha256, revoked_at)] = rows(db_path)
    assert (session_id, user, handoff_sha256, revoked_at) == (handoff.session_id, "sato", None, None)
    assert token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    dump = "\n".join(sqlite3.connect(db_path).iterdump())
    assert token not in dump and cookie.value not in dump and handoff.ticket not in dump


def test_logins_do_not_bump_the_store_revision(engine):
    """Session rows are not data: a bump would drop every visitor's cached reads at each login."""
    before = revision(engine)
    session_id, cookie = logged_in(engine)
    websession.end(engine, session_id)
    assert revision(engine) == before


# --- refused: forged, replayed, expired, ended -------------------------------------------------------------

def test_a_ticket_works_once(engine):
    handoff = websession.start(engine, "sato", now=T0)
    assert websession.redeem(engine, handoff.ticket, now=T0) is not None
    assert websession.redeem(engine, handoff.ticket, now=T0) is None


def test_a_ticket_expires_after_two_minutes(engine):
    handoff = websession.start(engine, "sato", now=T0)
    assert websession.redeem(engine, handoff.ticket, now=T0 + timedelta(minutes=2, seconds=1)) is None


def test_a_tampered_ticket_is_refused(engine):
    handoff = websession.start(engine, "sato", now=T0)
    body, signature = handoff.ticket.rsplit(".", 1)
    assert websession.redeem(engine, body + "." + signature[::-1], now=T0) is None
    assert websession.redeem(engine, "", now=T0) is None
    assert websession.redeem(engine, "ログイン", now=T0) is None


@pytest.mark.parametrize("forge", ["flip-signature", "wrong-key", "unknown-token", "garbage", "empty"])
def test_a_forged_cookie_is_refused(engine, db_path, forge):
    _, cookie = logged_in(engine)
    key = sqlite3.connect(db_path).execute("SELECT value FROM app_secrets").fetchone()[0]
    body, signature = cookie.value.rsplit(".", 1)
    forged = {
        "flip-signature": body + "." + ("A" if signature[0] != "A" else "B") + signature[1:],
        # a well-formed cookie for the real token, signed by someone who does not have the store's key
        "wrong-key": URLSafeTimedSerializer("not-the-key", salt="tsudoi.session-cookie").dumps(
            URLSafeTimedSerializer(key, salt="tsudoi.session-cookie").loads(cookie.value)),
        # correctly signed (as if the key leaked) but a token no session was ever given
        "unknown-token": URLSafeTimedSerializer(key, salt="tsudoi.session-cookie").dumps("made-up-token"),
        "garbage": "not a cookie at all",
        "empty": "",
    }[forge]
    assert websession.session_for_cookie(engine, forged, now=T0 + timedelta(minutes=1)) is None


def test_a_cookie_of_another_store_is_refused(engine, tmp_path):
    """Every store gets its own signing key (migration 0006), e.g. two copies of the demo."""
    _, cookie = logged_in(engine)
    other = open_store(f"sqlite:///{tmp_path / 'other.sqlite'}")
    try:
        add_user(other, "sato", "pass-1234", "coordinator")
        assert websession.session_for_cookie(other, cookie.value, now=T0) is None
    finally:
        other.dispose()


def test_an_expired_session_is_refused(engine):
    session_id, cookie = logged_in(engine)
    last_moment = T0 + websession.SESSION_LIFETIME - timedelta(seconds=1)
    assert websession.session_for_cookie(engine, cookie.value, now=last_moment) is not None
    assert websession.session_for_cookie(engine, cookie.value, now=T0 + websession.SESSION_LIFETIME) is None
    assert websession.user_for_session(engine, session_id, now=T0 + websession.SESSION_LIFETIME) is None


def test_an_expired_session_cannot_fetch_a_cookie(engine):
    handoff = websession.start(engine, "sato", now=T0)
    with sqlite3.connect(engine.url.database) as db:
        db.execute("UPDATE login_sessions SET expires_at = ?", ((T0 + timedelta(seconds=10)).isoformat(" "),))
    assert websession.redeem(engine, handoff.ticket, now=T0 + timedelta(seconds=11)) is None


def test_a_cookie_older_than_a_session_is_refused_even_if_its_row_was_extended(engine, db_path):
    """The signature's own timestamp bounds the cookie, whatever the row says."""
    _, cookie = logged_in(engine)
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE login_sessions SET expires_at = '2030-01-01 00:00:00.000000'")
    assert websession.session_for_cookie(engine, cookie.value, now=T0 + timedelta(hours=9)) is None


def test_logout_ends_every_session_of_the_user_and_no_one_else(engine):
    first, first_cookie = logged_in(engine)
    second, second_cookie = logged_in(engine, now=T0 + timedelta(minutes=5))  # another device
    other, other_cookie = logged_in(engine, name="suzuki")
    assert websession.end_all(engine, "sato", now=T0 + timedelta(minutes=10)) == 2
    later = T0 + timedelta(minutes=11)
    assert websession.session_for_cookie(engine, first_cookie.value, now=later) is None
    assert websession.session_for_cookie(engine, second_cookie.value, now=later) is None
    assert websession.user_for_session(engine, first, now=later) is None
    assert websession.session_for_cookie(engine, other_cookie.value, now=later) == (
        other, AuthenticatedUser("suzuki", "coordinator"))


def test_a_disabled_user_is_refused_at_once_and_stays_out_after_being_enabled_again(engine):
    session_id, cookie = logged_in(engine)
    disable_user(engine, "sato")
    assert websession.session_for_cookie(engine, cookie.value, now=T0) is None
    assert websession.user_for_session(engine, session_id, now=T0) is None
    add_user(engine, "sato", "new-pass-1", "coordinator")  # enabled again: the old login does not come back
    assert websession.session_for_cookie(engine, cookie.value, now=T0) is None


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(engine):
    _, cookie = logged_in(engine)
    set_password(engine, "sato", "another-pass")
    assert websession.session_for_cookie(engine, cookie.value, now=T0) is None


def test_the_role_is_read_from_the_store_at_every_check(engine, db_path):
    session_id, cookie = logged_in(engine)
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE users SET role = 'admin' WHERE name = 'sato'")
    assert websession.session_for_cookie(engine, cookie.value, now=T0)[1] == AuthenticatedUser("sato", "admin")
    assert websession.user_for_session(engine, session_id, now=T0) == AuthenticatedUser("sato", "admin")


def test_rows_that_ended_a_week_ago_are_cleared_at_the_next_login(engine, db_path):
    old, _ = logged_in(engine, now=T0)
    websession.end(engine, old, now=T0 + timedelta(hours=1))
    recent, _ = logged_in(engine, now=T0 + timedelta(days=7, hours=2))
    assert [r[0] for r in rows(db_path)] == [recent]
