"""The two HTTP endpoints that put the login cookie into the browser and take it out again.

A Streamlit script run has no HTTP response to attach a cookie to, so ``dashboard/app.py`` mounts
these Starlette routes through ``st.App(routes=...)`` (Streamlit ≥ 1.53; the same server that
serves the app and Streamlit's own ``st.login`` cookie). The page loads them in a hidden, same-origin
frame (``dashboard/ui/session.py``) — no JavaScript anywhere:

- ``GET /tsudoi/session/start?ticket=T`` uses up a one-time handoff ticket and sets the cookie
  (:func:`dashboard.websession.redeem`);
- ``GET /tsudoi/session/end`` ends the session the cookie names and deletes the cookie.

Both answer only requests the browser marks as coming from this very site (``Sec-Fetch-Site``), so
another site cannot log a visitor in as someone else or out. The cookie is ``HttpOnly`` (scripts
cannot read it), ``SameSite=Strict`` (other sites' requests never carry it; the app's own WebSocket
handshake does, also after arriving from a bookmark or a link), ``Path=/`` and ``Secure`` on HTTPS.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from dashboard import websession
from dashboard.settings import database_url
from dashboard.store.engine import open_store

#: Where the endpoints live below the server's base path (Streamlit reserves /_stcore/, /media/, …).
SESSION_PATH = "/tsudoi/session"
#: An empty page: the frame that loads an endpoint shows nothing.
_EMPTY_PAGE = "<!doctype html><html lang=\"ja\"><title>つどいマップ</title></html>"
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def start_url(base_path: str, ticket: str) -> str:
    """The same-origin URL that turns ``ticket`` into the cookie (ticket characters are URL-safe)."""
    return f"{_prefix(base_path)}{SESSION_PATH}/start?ticket={ticket}"


def end_url(base_path: str) -> str:
    return f"{_prefix(base_path)}{SESSION_PATH}/end"


def routes(base_path: str = "") -> list[Route]:
    """The routes for ``st.App(routes=...)``; ``base_path`` is Streamlit's ``server.baseUrlPath``."""
    prefix = _prefix(base_path)
    return [Route(f"{prefix}{SESSION_PATH}/start", _start, methods=["GET"]),
            Route(f"{prefix}{SESSION_PATH}/end", _end, methods=["GET"])]


async def _start(request: Request) -> HTMLResponse:
    ticket = request.query_params.get("ticket", "")
    if not _from_this_site(request) or not ticket:
        return _page(403)
    cookie = await run_in_threadpool(websession.redeem, _engine(database_url()), ticket)
    if cookie is None:
        return _page(403)
    response = _page(200)
    response.set_cookie(websession.COOKIE_NAME, cookie.value, max_age=cookie.max_age_s, path="/",
                        secure=_is_https(request), httponly=True, samesite="strict")
    return response


async def _end(request: Request) -> HTMLResponse:
    if not _from_this_site(request):
        return _page(403)
    value = request.cookies.get(websession.COOKIE_NAME)
    if value:
        await run_in_threadpool(_end_session_of, value)
    response = _page(200)
    response.delete_cookie(websession.COOKIE_NAME, path="/", secure=_is_https(request), httponly=True,
                           samesite="strict")
    return response


def _end_session_of(cookie_value: str) -> None:
    engine = _engine(database_url())
    found = websession.session_for_cookie(engine, cookie_value)
    if found is not None:
        websession.end(engine, found[0])


@lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    """One engine per store URL for the endpoints (the script runs keep their own, see ui/store.py)."""
    return open_store(url)


def _from_this_site(request: Request) -> bool:
    """Refuse requests another site caused: browsers send ``Sec-Fetch-Site`` (Chromium 76+, Firefox 90+,
    Safari 16.4+); for older ones the frame's ``Referer`` must name this host."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    referer = urlsplit(request.headers.get("referer", ""))
    return bool(referer.netloc) and referer.netloc == request.headers.get("host")


def _is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def _page(status: int) -> HTMLResponse:
    return HTMLResponse(_EMPTY_PAGE, status_code=status, headers=_NO_STORE)


def _prefix(base_path: str) -> str:
    base = base_path.strip("/")
    return f"/{base}" if base else ""
