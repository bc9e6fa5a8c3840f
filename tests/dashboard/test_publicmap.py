"""The one-file offline map as bytes: self-contained, public only, hostile text inert.

What only a browser can show (markers, search, language switch, no dialog) is in
tests/e2e/test_public_map_browser.py.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.public_places import phone_digits, safe_url
from dashboard.publicmap import script_json, text_color
from tests.dashboard.public_store import (HOSTILE_ADDRESS, HOSTILE_FEE, HOSTILE_NAME, HOSTILE_SCHEDULE, SECRETS,
                                          WARABI, plant, public_rows)

DATA_ELEMENT = re.compile(r'<script type="application/json" id="tsudoi-data">(.*?)</script>', re.DOTALL)


@pytest.fixture(scope="module")
def planted(demo_db_path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("publicmap") / "store.sqlite"
    shutil.copy(demo_db_path, path)
    plant(path)
    return path


@pytest.fixture(scope="module")
def exported(planted, tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("out") / "map.html"
    assert main(["--db", str(planted), "export", "public-map", "--out", str(out), "--municipality", WARABI]) == 0
    return out.read_bytes()


def page_data(html: bytes) -> dict:
    found = DATA_ELEMENT.findall(html.decode("utf-8"))
    assert len(found) == 1
    return json.loads(found[0])


def test_the_file_needs_nothing_from_outside(exported):
    text = exported.decode("utf-8")
    assert "<script src" not in text and "<link" not in text and "@import" not in text
    assert not re.search(r"""src\s*=\s*["']?(?:https?:)?//""", text)  # links (href) load nothing
    # the only url(…) are Leaflet's images, inlined
    assert {u[:22] for u in re.findall(r"url\(([^)#]+)\)", text)} == {"data:image/png;base64,"}
    assert "sourceMappingURL" not in text
    assert "cyberjapandata" not in text  # no tiles unless asked for
    assert "Leaflet 1.9.3" in text  # the vendored copy, inlined


def test_only_public_places_of_the_city_and_never_an_internal_value(planted, exported):
    expected = {row["id"] for row in public_rows(planted)}  # public and not closed, counted in SQL
    assert {p["id"] for p in page_data(exported)["places"]} == expected
    assert "plant-kana-1" in expected and "plant-internal" not in expected and "plant-closed" not in expected
    for secret in SECRETS:
        assert secret.encode() not in exported, secret
    assert "みんなの居場所".encode() not in exported  # the demo's internal places (private homes)


def test_hostile_text_is_data_not_markup(exported):
    text = exported.decode("utf-8")
    for raw in ("<img src=x", "<script>alert", "<svg onload", "<b>無料", "xss-url"):
        assert raw not in text, raw
    assert "</script><script>" not in text
    place = next(p for p in page_data(exported)["places"] if p["id"] == "plant-hostile")
    # …yet it reaches the page exactly as written (JSON.parse gives back these strings)
    assert (place["name"], place["addr"], place["sched"]["ja"], place["fee"]) == (
        HOSTILE_NAME, HOSTILE_ADDRESS, HOSTILE_SCHEDULE, HOSTILE_FEE)
    assert place["url"] == "" and place["tel"] == ""  # javascript: dropped; =HYPERLINK is no phone


def test_script_json_cannot_close_its_element():
    text = script_json({"a": "</script><!-- & >"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!-- & >"}


def test_strings_and_categories_come_in_three_languages(exported):
    data = page_data(exported)
    assert [lang["id"] for lang in data["languages"]] == ["ja", "easy", "en"]
    assert data["strings"]["en"]["search"] == "Search by name or address"
    salon = next(c for c in data["categories"] if c["id"] == "サロン")
    assert salon["names"]["en"] == "Social salon" and salon["color"] == "#E69F00"
    place = next(p for p in data["places"] if p["id"] == "plant-kana-1")
    assert place["sched"] == {"ja": "毎週火曜 10:00〜11:00",
                              "easy": "{毎週|まいしゅう} {火曜日|かようび} 10:00から 11:00まで",
                              "en": "Every Tuesday 10:00–11:00"}
    assert place["days"] == ["TU"] and place["tel"] == "0480-00-1234"


def test_outline_areas_attribution_and_date(exported):
    data = page_data(exported)
    assert data["outline"]["type"] in ("Polygon", "MultiPolygon")
    assert [f["properties"]["name"] for f in data["areas"]["features"]] == [
        "錦町地区", "北町地区", "中央地区", "南町地区", "塚越地区"]
    assert data["attribution"].startswith("出典：") and "国土数値情報" in data["attribution"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["madeOn"])
    assert data["synthetic"] == ["サロン・通いの場"]  # the survey is not published, so not mentioned


def test_gsi_tiles_are_optional(planted, tmp_path):
    out = tmp_path / "tiles.html"
    assert main(["--db", str(planted), "export", "public-map", "--out", str(out), "--tiles", "gsi"]) == 0
    assert page_data(out.read_bytes())["tiles"]["attribution"] == "出典：国土地理院"


def test_noscript_list_is_escaped(exported):
    text = exported.decode("utf-8")
    noscript = text[text.index("<noscript>"):text.index("</noscript>")]
    assert "&lt;img src=x onerror=alert(&quot;xss-name&quot;)&gt;&#96;&#36;{alert" in noscript
    assert '<a href="tel:0480-00-1234">' in noscript


@pytest.mark.parametrize(("contact", "digits"), [
    ("048-000-4707（架空）", "048-000-4707"), ("０４８（２２２）１１１１", "048-222-1111"), ("社協 048 432 1234", "048-432-1234"),
    ("=HYPERLINK(\"http://x\")", ""), ("info@example.jp", ""), ("", "")])
def test_phone_digits(contact, digits):
    assert phone_digits(contact) == digits


@pytest.mark.parametrize(("url", "kept"), [
    ("https://example.jp/a?b=1", True), ("http://example.jp", True), ("javascript:alert(1)", False),
    ("data:text/html,<script>", False), ("https://x.jp/\"onmouseover=alert(1)", False), ("//x.jp", False)])
def test_safe_url(url, kept):
    assert safe_url(url) == (url if kept else "")


def test_text_colour_reads_on_every_category_colour():
    assert text_color("#F0E442") == "#000000"  # yellow: black text
    assert text_color("#332288") == "#ffffff"  # indigo: white text
