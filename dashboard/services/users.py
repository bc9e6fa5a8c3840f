"""Which cities a login may see: an admin sees every city of the store; a coordinator may be
limited to one (``user add NAME --role coordinator --municipality CODE``). Residents see every
city's public data."""

from __future__ import annotations

from sqlalchemy import Engine, select

from dashboard.errors import InputError, Problem
from dashboard.store import models as m
from dashboard.store.engine import read_session, write_session


def limit_to_city(engine: Engine, user_name: str, code: str | None) -> None:
    """Limit a coordinator to city ``code`` (None: no limit). Admins are never limited."""
    with write_session(engine) as session:
        user = session.get(m.User, user_name)
        if user is None:
            raise InputError([Problem(user_name, f"ユーザー「{user_name}」はいません", "unknown user")])
        if code is not None and session.get(m.Municipality, code) is None:
            raise InputError([Problem(user_name, f"市町村コード {code} はストアにありません", "unknown municipality")])
        if code is not None and user.role == "admin":
            raise InputError([Problem(user_name, "管理者はすべての市町村を扱います（市町村を限定できるのはコーディネーターです）",
                                      "admins are not limited")])
        user.municipality_code = code


def allowed_cities(engine: Engine, user_name: str | None, role: str | None, all_codes: list[str]) -> list[str]:
    """The codes this visitor may look at, checked against the store on every call (server side)."""
    if user_name is None or role == "admin":
        return list(all_codes)
    with read_session(engine) as session:
        limit = session.scalar(select(m.User.municipality_code).where(m.User.name == user_name))
    return [c for c in all_codes if c == limit] if limit else list(all_codes)
