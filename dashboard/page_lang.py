"""``<html lang="ja">`` from the first byte: an ASGI middleware for ``st.App(middleware=...)``.

Streamlit's index.html says ``<html lang="en">`` and has no setting for it (streamlit/streamlit#15726;
a ``page_lang`` for ``st.set_page_config`` was proposed in #16024 but is not in 1.67). The page is
Japanese, so screen readers should use Japanese rules and browsers should not offer a translation.
This middleware rewrites that one attribute in HTML responses (the app shell is the only HTML
Streamlit serves; every page URL gets it). Anything else — scripts, JSON, the websocket, compressed
bodies — passes through untouched. No Streamlit import: it runs in the server, outside page runs.

Usage (dashboard/app.py)::

    from starlette.middleware import Middleware
    from dashboard.page_lang import HtmlLangMiddleware
    app = st.App(__file__, ..., middleware=[Middleware(HtmlLangMiddleware)])
"""

from __future__ import annotations

from urllib.parse import parse_qs

from dashboard.i18n import url_language

LANG = "ja"
_FROM = b'<html lang="en">'
#: Languages of the resident pages (dashboard.ui.language) whose document is not Japanese: a shared
#: English link (``?lang=en``, ``EN``, ``en-US`` — read by dashboard.i18n.url_language) is announced as
#: English from the first byte. Nothing else is taken from the URL.
URL_LANGS = {"en": "en"}


class HtmlLangMiddleware:
    """Replace ``<html lang="en">`` by ``<html lang="<lang>">`` in uncompressed ``text/html`` responses."""

    def __init__(self, app, lang: str = LANG):
        if not lang.replace("-", "").isalnum():
            raise ValueError(f"lang must be a BCP 47 tag such as 'ja', got {lang!r}")
        self.app = app
        self.replacement = f'<html lang="{lang}">'.encode("ascii")
        self.by_url = {value: f'<html lang="{tag}">'.encode("ascii") for value, tag in URL_LANGS.items()}

    def _replacement(self, scope) -> bytes:
        """``<html lang="en">`` for a URL with ``?lang=en``, else the configured language."""
        try:
            wanted = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [""])[-1]
        except ValueError:
            wanted = ""
        return self.by_url.get(url_language(wanted), self.replacement)

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        replacement = self._replacement(scope)
        start: dict | None = None
        chunks: list[bytes] = []

        async def send_rewritten(message):
            nonlocal start
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                html = headers.get(b"content-type", b"").startswith(b"text/html")
                if html and b"content-encoding" not in headers:
                    start = message  # hold the headers: the length changes
                    return
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks).replace(_FROM, replacement, 1)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode("ascii")))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, send_rewritten)
