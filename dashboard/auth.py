"""Users and passwords: argon2id hashes (argon2-cffi), roles, and lock-out after failed logins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
import pandas as pd
from sqlalchemy import Engine, select, update

from dashboard.store import models as m
from dashboard.store.engine import read_session, write_session

ROLES = ("coordinator", "admin")
#: Consecutive failed logins after which an account is locked for LOCK_MINUTES (an admin can unlock
#: it earlier). The lock expires by itself, so nobody can shut a colleague out for good.
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_CHARS = 4

_hasher = PasswordHasher()


@dataclass(frozen=True)
class AuthenticatedUser:
    name: str
    role: str


def as_authenticated(user: m.User) -> AuthenticatedUser:
    """What the app carries around for a stored user (the one place that builds it from a row)."""
    return AuthenticatedUser(name=user.name, role=user.role)


class AuthError(Exception):
    """Login refused; ``message_ja`` is safe to show (it never says which part was wrong)."""

    def __init__(self, message_ja: str):
        super().__init__(message_ja)
        self.message_ja = message_ja


def add_user(engine: Engine, name: str, password: str, role: str) -> None:
    """Create a user (or replace the password and role of an existing one)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, got {role!r}")
    if not name.strip() or len(password) < 4:
        raise ValueError("name must not be empty and the password must have at least 4 characters")
    with write_session(engine) as session:
        put_user(session, name, password, role)


def put_user(session, name: str, password: str, role: str) -> None:
    """Create or replace a user inside the caller's transaction (e.g. the demo build's)."""
    user = session.get(m.User, name)
    password_hash = _hasher.hash(password)
    if user is None:
        session.add(m.User(name=name, role=role, password_hash=password_hash, active=True, failed_logins=0))
    else:
        user.role, user.password_hash, user.active, user.failed_logins = role, password_hash, True, 0
        user.locked_until = None


def authenticate(engine: Engine, name: str, password: str) -> AuthenticatedUser:
    """The user if ``password`` is right; otherwise :class:`AuthError`. Failures are counted."""
    with read_session(engine) as session:
        user = session.scalar(select(m.User).where(m.User.name == name))
    refused = AuthError("ユーザー名またはパスワードが違います")
    if user is None:
        _hasher.hash(password)  # same work as a real check, so timing does not reveal unknown names
        raise refused
    now = _utcnow()
    if not user.active:
        raise AuthError("このアカウントは使えません。管理者に連絡してください")
    if user.locked_until is not None and now < user.locked_until:
        raise AuthError(f"続けて{MAX_FAILED_LOGINS}回間違えたため、このアカウントは{LOCK_MINUTES}分間ロックされています。"
                        "急ぐ場合は管理者に解除を依頼してください")
    expired = user.locked_until is not None  # a lock that has run out starts a fresh allowance
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        with write_session(engine) as session:
            stored = session.get(m.User, name)
            stored.failed_logins = (0 if expired else stored.failed_logins) + 1
            stored.locked_until = now + timedelta(minutes=LOCK_MINUTES) \
                if stored.failed_logins >= MAX_FAILED_LOGINS else None
        raise refused from None
    if user.failed_logins or expired:
        with write_session(engine) as session:
            stored = session.get(m.User, name)
            stored.failed_logins, stored.locked_until = 0, None
    return as_authenticated(user)


def _utcnow() -> datetime:
    """Naive UTC, as the store keeps timestamps."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _end_sessions(session, name: str) -> None:
    """Revoke every login session of ``name`` inside the caller's transaction (see dashboard.websession)."""
    session.execute(update(m.LoginSession)
                    .where(m.LoginSession.user_name == name, m.LoginSession.revoked_at.is_(None))
                    .values(revoked_at=_utcnow()))


def _existing(session, name: str) -> m.User:
    user = session.get(m.User, name)
    if user is None:
        raise ValueError(f"ユーザー「{name}」は登録されていません (unknown user)")
    return user


def disable_user(engine: Engine, name: str) -> None:
    """Refuse every future login of ``name`` and end its open sessions at once (every tab and device
    is logged out at its next page run). The row and its history stay. ValueError if unknown.

    ``add_user`` with the same name enables the account again with a new password.
    """
    with write_session(engine) as session:
        _existing(session, name).active = False
        _end_sessions(session, name)


def set_password(engine: Engine, name: str, password: str) -> None:
    """Replace the password of ``name``, unlock it (failed logins back to 0) and end its open sessions
    (whoever knew the old password is logged out). A disabled account stays disabled.
    ValueError if unknown or the password is too short.
    """
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"パスワードは{MIN_PASSWORD_CHARS}文字以上にしてください (password too short)")
    password_hash = _hasher.hash(password)
    with write_session(engine) as session:
        user = _existing(session, name)
        user.password_hash, user.failed_logins, user.locked_until = password_hash, 0, None
        _end_sessions(session, name)


def unlock_user(engine: Engine, name: str) -> None:
    """Reset the failed-login counter of ``name`` (the password stays). ValueError if unknown."""
    with write_session(engine) as session:
        user = _existing(session, name)
        user.failed_logins, user.locked_until = 0, None


def list_users(engine: Engine) -> pd.DataFrame:
    """``name, role, active, failed_logins, locked`` by name; ``locked``: too many failed logins
    (:data:`MAX_FAILED_LOGINS`) and the lock (:data:`LOCK_MINUTES`) has not run out yet."""
    with read_session(engine) as session:
        rows = session.execute(select(m.User.name, m.User.role, m.User.active, m.User.failed_logins,
                                      m.User.locked_until).order_by(m.User.name)).all()
    now = _utcnow()
    return pd.DataFrame([(r.name, r.role, r.active, r.failed_logins, r.locked_until is not None and now < r.locked_until)
                         for r in rows], columns=["name", "role", "active", "failed_logins", "locked"])


def user_for_sso(engine: Engine, email: str) -> AuthenticatedUser | None:
    """The active user registered under ``email`` (OIDC single sign-on, when configured).

    Signing in with the organisation's account proves who someone is; what they may see is still
    decided here: only people an admin registered (``user add <email>``) get in, with their role.
    """
    return active_user(engine, email)


def active_user(engine: Engine, name: str) -> AuthenticatedUser | None:
    """``name`` as stored now, or None when unknown or disabled (the app checks this on every page run)."""
    with read_session(engine) as session:
        user = session.scalar(select(m.User).where(m.User.name == name))
    if user is None or not user.active:
        return None
    return as_authenticated(user)
