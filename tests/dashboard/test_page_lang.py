"""The ``<html lang>`` middleware on a tiny Starlette app: HTML rewritten (length kept right),
everything else untouched."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from dashboard.page_lang import HtmlLangMiddleware

SHELL = '<!DOCTYPE html>\n<html lang="en">\n<head><title>つどいマップ</title></head><body><div id="root"></div></body></html>'


class _Response:
    def __init__(self, status: int, headers: dict[str, str], content: bytes):
        self.status_code, self.headers, self.content = status, headers, content
        self.text = content.decode("utf-8", "replace")


class _Client:
    """Just enough of an HTTP client to GET from an ASGI app in-process (httpx is not installed)."""

    def __init__(self, app):
        self.app = app

    def get(self, path: str) -> _Response:
        messages, asked = [], []
        finished = asyncio.Event()

        async def receive():  # the request once, then "disconnected" when the response is complete
            if not asked:
                asked.append(True)
                return {"type": "http.request", "body": b"", "more_body": False}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            messages.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                finished.set()

        path, _, query = path.partition("?")
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
                 "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
                 "headers": [(b"host", b"testserver")], "server": ("testserver", 80), "client": ("test", 1)}
        async def run():
            nonlocal finished
            finished = asyncio.Event()  # bound to this run's event loop
            await asyncio.wait_for(self.app(scope, receive, send), timeout=10)

        # a thread of its own: a test run may already have an event loop in this one (Playwright's)
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, run()).result()
        start = next(m for m in messages if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        return _Response(start["status"], headers, body)


def _client(lang: str = "ja") -> _Client:
    async def shell(request):
        return HTMLResponse(SHELL)

    async def streamed(request):
        async def parts():
            yield SHELL[:20].encode()
            yield SHELL[20:].encode()
        return StreamingResponse(parts(), media_type="text/html")

    async def data(request):
        return JSONResponse({"text": '<html lang="en">'})

    async def zipped(request):
        return Response(gzip.compress(SHELL.encode()), media_type="text/html", headers={"content-encoding": "gzip"})

    app = Starlette(routes=[Route("/", shell), Route("/streamed", streamed), Route("/data", data),
                            Route("/zipped", zipped)],
                    middleware=[Middleware(HtmlLangMiddleware, lang=lang)])
    return _Client(app)


def test_the_app_shell_says_japanese_and_its_length_is_right():
    response = _client().get("/")
    assert '<html lang="ja">' in response.text and 'lang="en"' not in response.text
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.text.replace('lang="ja"', 'lang="en"') == SHELL  # nothing else changed


def test_a_body_sent_in_pieces_is_rewritten_too():
    response = _client().get("/streamed")
    assert '<html lang="ja">' in response.text and len(response.content) == len(SHELL.encode())


def test_json_and_compressed_bodies_pass_through():
    client = _client()
    assert client.get("/data").text == '{"text":"<html lang=\\"en\\">"}'
    assert b'lang="en"' in gzip.decompress(client.get("/zipped").content)


@pytest.mark.parametrize("bad", ['ja" onload="x', "ja><script>", ""])
def test_only_a_language_tag_is_accepted(bad):
    with pytest.raises(ValueError):
        HtmlLangMiddleware(None, lang=bad)


@pytest.mark.parametrize(("query", "lang"), [("lang=en", "en"), ("city=11230&lang=en", "en"), ("lang=easy", "ja"),
                                             ("lang=EN", "en"), ("lang=en-US", "en"), ("lang=ja-JP", "ja"),
                                             ("lang=english", "ja"), ("lang=fr", "ja"), ("lang=%22%3E%3Cscript%3E", "ja"), ("", "ja")])
def test_a_resident_link_in_english_is_english_from_the_first_byte(query, lang):
    # ?lang=en (dashboard/ui/language.py) is the only value taken from the URL; やさしい日本語 is Japanese
    response = _client().get(f"/?{query}")
    assert f'<html lang="{lang}">' in response.text
    assert int(response.headers["content-length"]) == len(response.content)
