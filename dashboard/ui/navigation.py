"""Which pages exist, per role. Pages not passed to ``st.navigation`` cannot be opened by URL, so
an anonymous deep link to an internal page is given the login page instead of the content."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard import i18n
from dashboard.auth import AuthenticatedUser


@dataclass(frozen=True)
class PageSpec:
    script: str  # relative to dashboard/app.py (style.md: the entrypoint must not sit beside pages/)
    title: str
    url_path: str
    icon: str
    public: bool
    #: the i18n key of the title residents see in their language (public pages only)
    title_key: str | None = None


#: Every page of the product, in menu order. Add a page here when its issue is done.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("../pages/map.py", "資源マップ", "map", ":material/map:", True, "page_map"),
    PageSpec("../pages/coverage.py", "圏域カバー状況", "coverage", ":material/radar:", False),
    PageSpec("../pages/prefecture.py", "県内の状況", "prefecture", ":material/travel_explore:", False),
    PageSpec("../pages/survey.py", "ニーズ調査", "survey", ":material/bar_chart:", False),
    PageSpec("../pages/council.py", "会議モード", "council", ":material/co_present:", False),
    PageSpec("../pages/records.py", "活動記録", "records", ":material/edit_note:", False),
    PageSpec("../pages/data.py", "データ管理", "data", ":material/database:", False),
    PageSpec("../pages/setup.py", "まちの設定", "setup", ":material/settings:", False),
    PageSpec("../pages/about.py", "つどいマップについて", "about", ":material/info:", True, "page_about"),
)
#: URL paths of coordinator-only pages (present and planned). An anonymous visitor who opens any of
#: them gets the login page at that URL, never the content and never a silent redirect.
INTERNAL_PATHS = ("coverage", "prefecture", "survey", "council", "records", "data", "setup")
LOGIN = PageSpec("../pages/login.py", "ログイン", "login", ":material/login:", True)
#: The public site (TSUDOI_MODE=public) has no login: internal URLs and /login get this page instead.
NOT_PUBLIC = PageSpec("../pages/not_public.py", "このサイトでは公開していません", "not-public", ":material/block:", True,
                      "page_not_public")


def _title(spec: PageSpec, lang: str) -> str:
    """The menu title in the resident's language (coordinators' pages have Japanese titles only)."""
    return i18n.display(spec.title_key, lang) if spec.title_key else spec.title


def pages_for(user: AuthenticatedUser | None, *, public_site: bool = False, lang: str = "ja") -> list:
    """``st.Page`` objects for this visitor; the first one is the default page. ``public_site``: only
    the public pages, and the URLs of the others (and of the login) say they are not published here.
    ``lang``: the resident's language for the public pages' titles (``ja`` for a logged-in user)."""
    if public_site and user is not None:
        raise ValueError("the public site has no logins")
    if user is not None:
        lang = "ja"
    pages = []
    for spec in PAGES:
        if spec.public or user is not None:
            title = _title(spec, lang)
            if not pages:  # the default page is served at "/"; keep its own path working too (/map)
                pages.append(st.Page(spec.script, title=title, url_path="home", icon=spec.icon, default=True))
                pages.append(st.Page(spec.script, title=title, url_path=spec.url_path, visibility="hidden"))
            else:
                pages.append(st.Page(spec.script, title=title, url_path=spec.url_path, icon=spec.icon))
    if public_site:  # same URL, never a login form: there is nothing to log in to on this server
        for path in (*INTERNAL_PATHS, LOGIN.url_path):
            pages.append(st.Page(NOT_PUBLIC.script, title=_title(NOT_PUBLIC, lang), url_path=path, visibility="hidden"))
    elif user is None:
        pages.append(st.Page(LOGIN.script, title=LOGIN.title, url_path=LOGIN.url_path, icon=LOGIN.icon))
        for path in INTERNAL_PATHS:  # same URL, login page instead of the content
            pages.append(st.Page(LOGIN.script, title=LOGIN.title, url_path=path, visibility="hidden"))
    else:  # /login stays a valid URL after logging in (it then says so and links onwards)
        pages.append(st.Page(LOGIN.script, title=LOGIN.title, url_path=LOGIN.url_path, visibility="hidden"))
    return pages
