"""Single sign-on decides identity only: access still needs an active user registered by an admin."""

from __future__ import annotations

from dashboard.auth import add_user, disable_user, user_for_sso
from dashboard.store.engine import open_store


def test_only_registered_active_users_get_in(demo_db_copy):
    engine = open_store(f"sqlite:///{demo_db_copy}")
    add_user(engine, "sato@city.example.lg.jp", "unused-password", "admin")
    assert user_for_sso(engine, "sato@city.example.lg.jp").role == "admin"
    assert user_for_sso(engine, "stranger@example.com") is None
    assert user_for_sso(engine, "") is None
    disable_user(engine, "sato@city.example.lg.jp")
    assert user_for_sso(engine, "sato@city.example.lg.jp") is None
