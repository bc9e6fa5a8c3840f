"""The one-file offline map for residents: ``python -m dashboard export public-map --out FILE.html``.

One self-contained HTML file that a city can put on its website or a USB stick and that works
from ``file://`` with no network at all:

* Leaflet's JS and CSS are inlined from the vendored copy (``dashboard/static/vendor/leaflet``);
  its CSS images become ``data:`` URIs and its source-map comment is dropped, so the file asks
  for nothing. Markers are CSS circles (``L.divIcon``), not image files.
* The city's public places (:func:`dashboard.public_places.gather`), the city outline and the
  日常生活圏域 are one JSON document inside ``<script type="application/json">``, read with
  ``JSON.parse`` — data never becomes JavaScript code. Every ``<``, ``>`` and ``&`` in it is a
  ``\\u`` escape, so no value can close the script element.
* The page script (``assets/publicmap.js``) puts data on the page with ``textContent`` and
  DOM nodes only; the little HTML rendered here (title, first-paint labels, the ``<noscript>``
  list) goes through :func:`dashboard.htmlsafe.escape`.
* Background tiles are optional (``tiles="gsi"``: 地理院タイル 淡色地図, switchable off, with a
  notice when they cannot load); by default there are none and the outline and areas are drawn
  as GeoJSON, so the map is useful offline.
* Every UI string and category name comes from :mod:`dashboard.i18n` in 日本語, やさしい日本語 and
  English; category colours and symbols from :mod:`dashboard.vocab`.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import shapely
from sqlalchemy import Engine

from dashboard import htmlsafe, i18n, vocab
from dashboard.public_places import PublicCity, PublicPlace, gather
from dashboard.settings import ROOT

LEAFLET_DIR = ROOT / "dashboard" / "static" / "vendor" / "leaflet"
ASSETS_DIR = Path(__file__).resolve().parent / "assets"
TILE_CHOICES = ("none", "gsi")
#: 地理院タイル 淡色地図 and the credit its terms ask for (https://maps.gsi.go.jp/development/ichiran.html).
GSI_TILES = {"url": "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png",
             "attribution": "出典：国土地理院", "maxZoom": 18}
#: Facts about survey data have no place in a resident's artefact (no survey is published).
_NOT_PUBLISHED = ("調査",)


def build_html(engine: Engine, code: str, *, tiles: str = "none") -> bytes:
    """The map of city ``code`` as one UTF-8 HTML document (see the module docstring)."""
    return render(gather(engine, code), tiles=tiles)


def render(city: PublicCity, *, tiles: str = "none") -> bytes:
    if tiles not in TILE_CHOICES:
        raise ValueError(f"tiles={tiles!r}: choose one of {', '.join(TILE_CHOICES)}")
    data = page_data(city, tiles)
    title = i18n.text("map_title", "ja", city=city.name)
    html = _TEMPLATE.format(
        title=htmlsafe.escape(title),
        leaflet_css=_leaflet_css(), page_css=(ASSETS_DIR / "publicmap.css").read_text(encoding="utf-8"),
        noscript=_noscript(city), data=script_json(data),
        leaflet_js=_leaflet_js(), page_js=_inline_js((ASSETS_DIR / "publicmap.js").read_text(encoding="utf-8")),
        **{f"t_{key}": htmlsafe.escape(i18n.plain(i18n.STRINGS["ja"][key])) for key in i18n.DOCUMENT_KEYS},
    )
    return html.encode("utf-8")


# --- the data document ---------------------------------------------------------------------------

def page_data(city: PublicCity, tiles: str) -> dict:
    """Everything the page script needs, as plain JSON-able values."""
    present = {p.category for p in city.places}
    return {
        "city": {"code": city.code, "name": city.name},
        "madeOn": city.made_on.isoformat(),
        "attribution": city.attribution,
        "synthetic": [s for s in city.synthetic if not any(word in s for word in _NOT_PUBLISHED)],
        "tiles": GSI_TILES if tiles == "gsi" else None,
        "languages": [{"id": lang, "name": i18n.LANGUAGE_NAMES[lang], "htmlLang": i18n.HTML_LANG[lang]}
                      for lang in i18n.LANGUAGES],
        # the Streamlit pages' strings stay out of the one-file map (≈ 19 KB it would never use)
        "strings": {lang: {k: v for k, v in i18n.STRINGS[lang].items() if k in i18n.DOCUMENT_KEYS}
                    for lang in i18n.LANGUAGES},
        "weekdays": i18n.WEEKDAY_NAMES,
        "categories": [{"id": c.id, "color": c.color, "text": text_color(c.color), "symbol": c.symbol,
                        "names": {lang: i18n.category_name(c.id, lang) for lang in i18n.LANGUAGES}}
                       for c in vocab.CATEGORIES if c.id in present]
                      + [_unknown_category(c) for c in sorted(present - set(vocab.CATEGORY_IDS))],
        "targets": i18n.TARGET_NAMES,
        "outline": None if city.outline is None else shapely.geometry.mapping(city.outline),
        "areas": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"id": a.area_id, "name": a.name},
             "geometry": shapely.geometry.mapping(a.geometry)} for a in city.areas]},
        "places": [_place(number, p) for number, p in enumerate(city.places, start=1)],
    }


def _unknown_category(category: str) -> dict:
    other = vocab.CATEGORY_BY_ID["その他"]
    return {"id": category, "color": other.color, "text": text_color(other.color), "symbol": other.symbol,
            "names": {lang: category for lang in i18n.LANGUAGES}}


def _place(number: int, p: PublicPlace) -> dict:
    return {"no": number, "id": p.id, "name": p.name, "kana": p.kana, "reading": p.reading, "cat": p.category,
            "paused": p.paused, "addr": p.address, "lat": p.lat, "lon": p.lon, "area": p.area_id,
            "days": list(p.weekdays), "sched": p.schedule, "fee": p.fee, "contact": p.contact, "tel": p.tel,
            "url": p.url, "target": p.target}


def text_color(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (``#RRGGBB``; WCAG relative luminance)."""
    channels = [int(background[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    # contrast with white = 1.05 / (L + 0.05); with black = (L + 0.05) / 0.05: pick the larger
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def script_json(data: dict) -> str:
    """``data`` as JSON that is safe inside ``<script type="application/json">``: ``<``, ``>`` and
    ``&`` are ``\\u`` escapes (JSON.parse reads them back), so ``</script>`` or ``<!--`` in any
    value cannot end or confuse the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# --- inlined Leaflet -----------------------------------------------------------------------------

def _leaflet_css() -> str:
    """Leaflet's CSS with its ``url(images/…png)`` turned into ``data:`` URIs."""
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        image = (LEAFLET_DIR / "images" / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(image).decode('ascii')})"
    return re.sub(r"url\(images/([\w.-]+\.png)\)", inline, css)


def _leaflet_js() -> str:
    js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    return _inline_js(re.sub(r"//# sourceMappingURL=\S+", "", js))  # DevTools would ask for the .map file


def _inline_js(js: str) -> str:
    """``js`` unchanged, after checking it can sit inside ``<script>``: ``</script`` would end the
    element and ``<!--``/``<script`` would switch the HTML parser into its escaped states."""
    if re.search(r"</?script|<!--", js, flags=re.IGNORECASE):
        raise ValueError("script contains '<script', '</script' or '<!--' and cannot be inlined as it is")
    return js


# --- first paint and <noscript> ----------------------------------------------------------------

def _noscript(city: PublicCity) -> str:
    """The list as plain HTML for browsers without JavaScript (Japanese, escaped)."""
    rows = []
    for number, p in enumerate(city.places, start=1):
        contact = htmlsafe.escape(p.contact)
        if p.tel:
            contact = f'<a href="tel:{htmlsafe.escape(p.tel)}">{contact}</a>'
        parts = [f"{htmlsafe.escape(i18n.category_name(p.category, 'ja'))}",
                 htmlsafe.escape(p.schedule["ja"]), htmlsafe.escape(p.address)]
        if p.fee:
            parts.append(f"参加費：{htmlsafe.escape(p.fee)}")
        if p.contact:
            parts.append(f"問い合わせ：{contact}")
        paused = "（休止中）" if p.paused else ""
        rows.append(f"<li><strong>{number}. {htmlsafe.escape(p.name)}</strong>{paused}<br>{'<br>'.join(parts)}</li>")
    return "<ol>" + "".join(rows) + "</ol>"


_TEMPLATE = """<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="つどいマップ (Tsudoi)">
<title>{title}</title>
<style>{leaflet_css}</style>
<style>{page_css}</style>
</head>
<body>
<a class="skip" href="#list" data-i18n="skip_to_list">{t_skip_to_list}</a>
<header class="top">
  <h1 id="title">{title}</h1>
  <div class="switches">
    <div class="langs" role="group" aria-labelledby="lang-label">
      <span id="lang-label" class="visually-hidden" data-i18n="language">{t_language}</span>
    </div>
    <button type="button" id="large" class="toggle" aria-pressed="false" data-i18n="large_text">{t_large_text}</button>
  </div>
</header>
<main class="layout">
  <aside class="side">
    <form class="filters" role="search" onsubmit="return false">
      <label for="q" data-i18n="search">{t_search}</label>
      <input id="q" type="search" autocomplete="off" aria-describedby="q-hint">
      <p id="q-hint" class="hint" data-i18n="search_hint">{t_search_hint}</p>
      <details id="more" open>
        <summary data-i18n="filters">{t_filters}</summary>
        <fieldset id="cats"><legend data-i18n="category">{t_category}</legend></fieldset>
        <fieldset id="days"><legend data-i18n="weekday">{t_weekday}</legend></fieldset>
        <button type="button" id="clear" data-i18n="clear_filters">{t_clear_filters}</button>
      </details>
    </form>
    <div class="views" role="group">
      <button type="button" id="show-map" class="toggle" aria-pressed="true" aria-controls="map" data-i18n="map">{t_map}</button>
      <button type="button" id="show-list" class="toggle" aria-pressed="false" aria-controls="list" data-i18n="list">{t_list}</button>
    </div>
    <p id="count" class="count" role="status" aria-live="polite"></p>
    <section id="list" class="list" aria-labelledby="list-title" tabindex="-1">
      <h2 id="list-title" data-i18n="list">{t_list}</h2>
      <ol id="results" class="results"></ol>
    </section>
  </aside>
  <section class="mapwrap" aria-labelledby="map-title">
    <h2 id="map-title" class="visually-hidden" data-i18n="map">{t_map}</h2>
    <div id="map" class="map"></div>
    <p id="tile-notice" class="notice" hidden data-i18n="basemap_offline">{t_basemap_offline}</p>
  </section>
  <section id="details" class="details" hidden tabindex="-1" aria-labelledby="details-title">
    <button type="button" id="close" class="close" data-i18n="close">{t_close}</button>
    <h2 id="details-title"></h2>
    <dl id="details-body"></dl>
  </section>
</main>
<footer class="foot">
  <p id="as-of"></p>
  <p id="synthetic"></p>
  <p data-i18n="call_before">{t_call_before}</p>
  <details><summary data-i18n="sources">{t_sources}</summary><pre id="attribution"></pre></details>
</footer>
<noscript>{noscript}</noscript>
<script type="application/json" id="tsudoi-data">{data}</script>
<script>{leaflet_js}</script>
<script>{page_js}</script>
</body>
</html>
"""
