"""Logins that outlive a browser tab: server-side sessions behind a signed, HttpOnly cookie.

A Streamlit script cannot set cookies (``st.context.cookies`` is read-only), and a cookie written by
JavaScript could be read by JavaScript. So a login takes three steps:

1. :func:`start` — after the password check, in the script run: a ``login_sessions`` row and a
   one-time *handoff ticket* (signed, valid :data:`HANDOFF_LIFETIME`). The tab keeps the row's id
   in its server-side ``st.session_state`` and is logged in at once.
2. :func:`redeem` — the browser loads ``/tsudoi/session/start?ticket=…`` (a hidden same-origin frame,
   :mod:`dashboard.session_routes`); the ticket is used up and the response sets the cookie
   :data:`COOKIE_NAME`: a random token signed with the store's key, ``HttpOnly`` (no script can read
   it), ``SameSite=Strict``, for the rest of the session's lifetime. The store keeps the token's
   SHA-256 only.
3. :func:`session_for_cookie` / :func:`user_for_session` — on every page run. A reload, a deep link
   or another tab sends the cookie with its WebSocket handshake. A session counts only while its row
   is not revoked, not expired and its user is active; the role is read from ``users`` each time.

Session rows are not data: they are written in their own transactions that do not bump the store
revision (a bump would throw away every cached read of every visitor at each login).

All times are naive UTC, as the store keeps them.
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from dashboard.auth import AuthenticatedUser, as_authenticated
from dashboard.store import models as m

#: Name of the login cookie.
COOKIE_NAME = "tsudoi_session"
#: A login lasts one working day at most, so a shared PC in a 公民館 is not left logged in overnight.
SESSION_LIFETIME = timedelta(hours=8)
#: Time for the browser to fetch its cookie after the login form was sent (it needs well under a second).
HANDOFF_LIFETIME = timedelta(minutes=2)
#: Expired or revoked rows are deleted this long after they stopped counting (they stay a while for support).
KEEP_ENDED_ROWS = timedelta(days=7)
_SIGNING_KEY_NAME = "session_signing_key"
_COOKIE_SALT = "tsudoi.session-cookie"
_HANDOFF_SALT = "tsudoi.session-handoff"


@dataclass(frozen=True)
class Handoff:
    """A new login: ``session_id`` for the tab's server-side state, ``ticket`` for the browser (once)."""

    session_id: str
    ticket: str


@dataclass(frozen=True)
class IssuedCookie:
    """The cookie value to set and its ``Max-Age`` in seconds (the time left of the session)."""

    value: str
    max_age_s: int


def utcnow() -> datetime:
    """Naive UTC, as the store keeps timestamps."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def start(engine: Engine, user_name: str, now: datetime | None = None) -> Handoff:
    """Open a session for ``user_name`` (already authenticated) and a ticket to fetch its cookie."""
    now = now or utcnow()
    session_id, handoff_secret = secrets.token_hex(16), secrets.token_urlsafe(32)
    with _transaction(engine) as session:
        session.execute(delete(m.LoginSession).where(m.LoginSession.expires_at < now - KEEP_ENDED_ROWS))
        session.execute(delete(m.LoginSession).where(m.LoginSession.revoked_at < now - KEEP_ENDED_ROWS))
        session.add(m.LoginSession(id=session_id, user_name=user_name, handoff_sha256=_sha256(handoff_secret),
                                   created_at=now, expires_at=now + SESSION_LIFETIME))
        key = _signing_key(session)
    ticket = _serializer(key, _HANDOFF_SALT, now).dumps([session_id, handoff_secret])
    return Handoff(session_id=session_id, ticket=ticket)


def redeem(engine: Engine, ticket: str, now: datetime | None = None) -> IssuedCookie | None:
    """Use up a handoff ticket: the session's cookie, or None (forged, too old, used, session ended).

    The token is created here and only its hash is stored, so the cookie exists nowhere but in the
    response that sets it. The update is conditional, so two requests with one ticket get one cookie.
    """
    now = now or utcnow()
    with _transaction(engine) as session:
        key = _signing_key(session)
        payload = _loads(key, _HANDOFF_SALT, ticket, HANDOFF_LIFETIME, now)
        if not (isinstance(payload, list) and len(payload) == 2 and all(isinstance(p, str) for p in payload)):
            return None
        session_id, handoff_secret = payload
        token = secrets.token_urlsafe(32)
        used = session.execute(
            update(m.LoginSession)
            .where(m.LoginSession.id == session_id, m.LoginSession.handoff_sha256 == _sha256(handoff_secret),
                   m.LoginSession.revoked_at.is_(None), m.LoginSession.expires_at > now)
            .values(token_sha256=_sha256(token), handoff_sha256=None))
        if used.rowcount != 1:
            return None
        expires_at = session.scalar(select(m.LoginSession.expires_at).where(m.LoginSession.id == session_id))
    return IssuedCookie(value=_serializer(key, _COOKIE_SALT, now).dumps(token),
                        max_age_s=int((expires_at - now).total_seconds()))


def handoff_pending(engine: Engine, session_id: str, now: datetime | None = None) -> bool:
    """True while the browser may still fetch the session's cookie: not fetched, ticket not expired,
    session not revoked. (A browser that never fetched it stays logged in in that one tab only.)"""
    now = now or utcnow()
    with Session(engine) as session:
        row = session.get(m.LoginSession, session_id)
        return (row is not None and row.handoff_sha256 is not None and row.revoked_at is None
                and now - row.created_at <= HANDOFF_LIFETIME)


def user_for_session(engine: Engine, session_id: str, now: datetime | None = None) -> AuthenticatedUser | None:
    """The user of a live session (not revoked, not expired, user active), with the role stored now."""
    with Session(engine) as session:
        found = session.execute(select(m.LoginSession, m.User).join(m.User)
                                .where(m.LoginSession.id == session_id)).first()
        return _live_user(found, now or utcnow())


def session_for_cookie(engine: Engine, cookie_value: str,
                       now: datetime | None = None) -> tuple[str, AuthenticatedUser] | None:
    """``(session_id, user)`` for a login cookie, or None if it is forged, expired or ended."""
    now = now or utcnow()
    with Session(engine) as session:
        token = _loads(_signing_key(session), _COOKIE_SALT, cookie_value, SESSION_LIFETIME, now)
        if not isinstance(token, str):
            return None
        found = session.execute(select(m.LoginSession, m.User).join(m.User)
                                .where(m.LoginSession.token_sha256 == _sha256(token))).first()
        user = _live_user(found, now)
        return None if user is None else (found[0].id, user)


def end(engine: Engine, session_id: str, now: datetime | None = None) -> None:
    """Revoke one session (unknown ids are ignored)."""
    with _transaction(engine) as session:
        session.execute(update(m.LoginSession)
                        .where(m.LoginSession.id == session_id, m.LoginSession.revoked_at.is_(None))
                        .values(revoked_at=now or utcnow()))


def end_all(engine: Engine, user_name: str, now: datetime | None = None) -> int:
    """Revoke every session of ``user_name`` — every tab, window and device. Returns how many."""
    with _transaction(engine) as session:
        return session.execute(update(m.LoginSession)
                               .where(m.LoginSession.user_name == user_name, m.LoginSession.revoked_at.is_(None))
                               .values(revoked_at=now or utcnow())).rowcount


def _live_user(found, now: datetime) -> AuthenticatedUser | None:
    if found is None:
        return None
    row, user = found
    if row.revoked_at is not None or now >= row.expires_at or not user.active:
        return None
    return as_authenticated(user)


@contextmanager
def _transaction(engine: Engine) -> Iterator[Session]:
    """A write that does not bump the store revision (session rows are not data; see the module doc)."""
    with Session(engine) as session, session.begin():
        yield session


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _signing_key(session: Session) -> str:
    key = session.get(m.AppSecret, _SIGNING_KEY_NAME)
    if key is None:  # migration 0006 creates it; a store without it was tampered with
        raise RuntimeError(f"the store has no {_SIGNING_KEY_NAME!r} in app_secrets (expected since migration 0006)")
    return key.value


def _serializer(key: str, salt: str, now: datetime) -> URLSafeTimedSerializer:
    """An itsdangerous serializer whose signatures carry ``now`` (not the wall clock), so expiry is testable."""
    stamp = int(now.replace(tzinfo=timezone.utc).timestamp())

    class _SignedAt(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp

    return URLSafeTimedSerializer(key, salt=salt, signer=_SignedAt)


def _loads(key: str, salt: str, text: str, lifetime: timedelta, now: datetime):
    """The signed value, or None when the signature is wrong or older than ``lifetime`` at ``now``."""
    try:
        value, signed_at = _serializer(key, salt, now).loads(text, return_timestamp=True)
    except (BadData, UnicodeError, ValueError):
        return None
    age = now - signed_at.astimezone(timezone.utc).replace(tzinfo=None)
    if age > lifetime or age < -timedelta(minutes=5):  # a little clock skew between servers is fine
        return None
    return value
