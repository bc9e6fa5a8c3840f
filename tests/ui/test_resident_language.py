"""The resident pages in 日本語, やさしい日本語 and English (``?lang=``), driven by AppTest.

The English check does not ask dashboard.i18n what English looks like: it collects every text the
page itself draws (titles, Markdown, captions, notices, widget labels, options and placeholders,
buttons, the HTML it writes), removes the data it shows — read with ``sqlite3`` from the published
copy, plus one place whose every field we planted — and requires that no kana or kanji is left.
Place names keep their reading, which must be kana only.
"""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from dashboard import i18n
from dashboard.cli import main
from tests.ui.apptest import DEMO_COORDINATOR, app_on
from tests.ui.test_public_mode import public_app

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
KANJI = re.compile(r"[\u3400-\u9fff]")
#: Each language names itself in its own words on the switch: these options are Japanese on purpose.
SWITCH_OPTIONS = {"日本語", "やさしい日本語", "English"}
PLANTED = {
    "name": "ひだまり茶屋 旭町（植えた名前）",
    "name_kana": "ひだまりちゃや あさひちょう",
    "address": "埼玉県蕨市旭町9-9-9",
    "building": "旭町テスト会館 2階",
    "contact_public": "旭町テスト会 048-000-9999",
    "fee": "100円（お茶代）",
    "rrule": "FREQ=WEEKLY;BYDAY=TU",
    "schedule_text": "毎週火曜 10:00〜11:30（雨天中止）",
    "activities": "体操（運動）、茶話会",
    "target": "高齢者・誰でも",
    "operator_type": "住民個人",
    "venue_type": "公園",
    "source": "旭町テスト会の届け出",
    "category": "サロン",
}


@pytest.fixture(scope="module")
def planted(demo_db_path, tmp_path_factory) -> tuple[Path, str]:
    """A published copy in which one public place holds the values of :data:`PLANTED`."""
    folder = tmp_path_factory.mktemp("published_lang")
    assert main(["--db", str(demo_db_path), "publish", "--out", str(folder)]) == 0
    store = folder / "tsudoi-public.sqlite"
    with sqlite3.connect(store) as connection:
        (place_id,), = connection.execute(
            "SELECT id FROM places WHERE status = 'active' AND lat IS NOT NULL ORDER BY id LIMIT 1").fetchall()
        columns = ", ".join(f"{column} = ?" for column in PLANTED)
        connection.execute(f"UPDATE places SET {columns}, status = 'active' WHERE id = ?", (*PLANTED.values(), place_id))
    return store, place_id


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def data_values(store: Path) -> list[str]:
    """Everything the store itself says (names, addresses, facts …), longest first, NFKC. Bracketed
    remarks inside schedule texts count as data too (schedules keep them in every language)."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as connection:
        values = [v for (v,) in connection.execute(
            "SELECT name FROM places UNION SELECT name_kana FROM places UNION SELECT address FROM places "
            "UNION SELECT building FROM places UNION SELECT contact_public FROM places UNION SELECT fee FROM places "
            "UNION SELECT url FROM places UNION SELECT source FROM places UNION SELECT schedule_text FROM places "
            "UNION SELECT name FROM areas UNION SELECT name FROM towns UNION SELECT name FROM municipalities "
            "UNION SELECT value FROM municipality_meta") if v]
    remarks = [r for v in values for r in re.findall(r"（[^（）]*）|\([^()]*\)", v)]
    return sorted({nfkc(v) for v in values + remarks}, key=len, reverse=True)


def unmarkdown(text: str) -> str:
    """What a reader sees of our Markdown: links as their text, escapes undone."""
    text = re.sub(r"\[([^\]]*)\]\((?:tel|https?):[^)]*\)", r"\1", text)
    return re.sub(r"\\(.)", r"\1", text)


def page_texts(at) -> list[str]:
    """Every text the page draws itself, as a reader sees it."""
    texts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        texts += [unmarkdown(e.value) for e in getattr(at, kind)]
    for kind in ("radio", "selectbox", "multiselect", "text_input", "checkbox", "select_slider", "button"):
        for widget in getattr(at, kind):
            texts.append(unmarkdown(widget.label))
            options = [str(o) for o in getattr(widget, "options", [])]
            texts += [o for o in options if o not in SWITCH_OPTIONS]
            texts.append(getattr(widget.proto, "placeholder", ""))
    texts += [e.proto.label for e in at.get("download_button")]
    for element in at.get("html"):
        body = re.sub(r"<style>.*?</style>", "", element.proto.body, flags=re.S)
        texts.append(html.unescape(re.sub(r"<[^>]+>", " ", body)))
    return [t for t in texts if t]


def without_data(text: str, data: list[str]) -> str:
    text = nfkc(text)
    for value in data:
        text = text.replace(value, " ")
    return text


def place_names(store: Path) -> list[str]:
    """Names of places, areas and cities (NFKC, longest first): what is shown with its reading."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as connection:
        names = [n for (n,) in connection.execute(
            "SELECT name FROM places UNION SELECT name FROM areas UNION SELECT name FROM municipalities") if n]
    return sorted({nfkc(n) for n in names}, key=len, reverse=True)


def readings_checked(text: str, names: list[str]) -> str:
    """Take out a place, area or city name with its reading — ``NAME (READING)``, ``**NAME** (READING)``
    — leaving NAME. The reading must be kana: it is there for people who cannot read the kanji."""
    def take(match):
        name, reading = match.group(1), match.group(2)
        assert not KANJI.search(reading), f"a reading with kanji: {reading!r} for {name!r}"
        return name
    pattern = "|".join(re.escape(n) for n in names)
    return re.sub(rf"({pattern})\**\s?[（(]([^\n]*?)[）)](?=[\s?.,:;!]|$)", take, nfkc(text))


@pytest.mark.parametrize("page", ["map", "about"])
def test_english_public_pages_have_no_japanese_of_their_own(monkeypatch, planted, demo_db_path, page):
    store, place_id = planted
    at = public_app(monkeypatch, store, demo_db_path)
    at.query_params["lang"] = "en"
    at.query_params["place"] = place_id  # the detail panel too
    at.run()
    if page == "about":
        at.switch_page("../pages/about.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    data, names = data_values(store), place_names(store)
    assert nfkc(PLANTED["name"]) in names and nfkc("（雨天中止）") in data  # the oracle knows the planted place
    leftovers = []
    for text in page_texts(at):
        rest = without_data(readings_checked(text, names), data)
        if JAPANESE.search(rest):
            leftovers.append((text, rest))
    assert not leftovers, leftovers
    if page == "map":
        details = next(m.value for m in at.markdown if PLANTED["name_kana"] in m.value)
        assert "**When**" in details and "Every Tuesday" in details and "Reading" in details
        assert "Tea and talk" in details and "Older people, Everyone" in details and "Park" in details
        assert [t.value for t in at.subheader][0] == PLANTED["name"]  # the name as given


def test_english_map_tooltips_and_legend_name_categories_in_english(monkeypatch, planted, demo_db_path):
    store, _ = planted
    at = public_app(monkeypatch, store, demo_db_path)
    at.query_params["lang"] = "en"
    at.run()
    maps = [c for c in at.get("component_instance") if c.proto.component_name == "streamlit_folium.st_folium"]
    script = maps[0].proto.json_args
    assert "(Social salon)" in script and "（サロン）" not in script
    legend = next(h.proto.body for h in at.get("html") if "tsudoi-legend" in h.proto.body and "swatch" in h.proto.body)
    assert "Social salon" in legend and "サロン" not in legend


def test_easy_japanese_shows_easy_words_with_readings(monkeypatch, planted, demo_db_path):
    store, place_id = planted
    at = public_app(monkeypatch, store, demo_db_path)
    at.query_params["lang"] = "easy"
    at.query_params["place"] = place_id
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["あつまる 場所（ばしょ）の 地図（ちず）"]
    assert at.multiselect(key="tsudoi_categories").label == "しゅるい"
    assert "体操（たいそう）の 会（かい）" in at.multiselect(key="tsudoi_categories").options
    assert at.radio(key="tsudoi_lang_widget").label == "ことば / Language"
    assert [s.value for s in at.subheader][-1] == "リスト"
    details = next(m.value for m in at.markdown if PLANTED["name_kana"] in m.value)
    assert "**いつ**" in details and "毎週（まいしゅう） 火曜日（かようび）" in details
    row = at.button(key=f"tsudoi_row_{place_id}").label
    assert PLANTED["name_kana"] in row  # the name as given, then how to read it
    assert "資源" not in " ".join(t.value for t in at.title)


def test_the_switch_writes_the_url_and_survives_reruns_and_the_other_page(monkeypatch, demo_db_path):
    at = app_on(monkeypatch, demo_db_path)  # an anonymous resident on the coordinators' server
    at.run()
    assert [t.value for t in at.title] == ["資源マップ"] and "lang" not in at.query_params
    switch = at.radio(key="tsudoi_lang_widget")
    assert switch.options == ["日本語", "やさしい日本語", "English"]  # each in its own words
    switch.set_value("en").run()
    assert at.query_params["lang"] == ["en"] or at.query_params["lang"] == "en"
    assert [t.value for t in at.title] == ["Community places map"]
    at.run()  # a rerun keeps it
    assert [t.value for t in at.title] == ["Community places map"]
    at.switch_page("../pages/about.py")
    at.run()
    assert [t.value for t in at.title] == ["About this map"] and "lang" in at.query_params
    at.radio(key="tsudoi_lang_widget").set_value("ja").run()
    assert [t.value for t in at.title] == ["つどいマップについて"] and "lang" not in at.query_params


def test_a_shared_link_opens_in_its_language_and_a_bad_value_is_ignored(monkeypatch, demo_db_path):
    at = app_on(monkeypatch, demo_db_path)
    at.query_params["lang"] = "easy"
    at.run()
    assert at.radio(key="tsudoi_lang_widget").value == "easy"
    bad = app_on(monkeypatch, demo_db_path)
    bad.query_params["lang"] = "<script>"
    bad.run()
    assert [t.value for t in bad.title] == ["資源マップ"] and "lang" not in bad.query_params


@pytest.mark.parametrize(("value", "lang"), [("EN", "en"), ("en-US", "en"), ("Easy", "easy"), ("ja-JP", "ja")])
def test_a_link_in_capitals_or_with_a_region_opens_in_that_language(monkeypatch, demo_db_path, value, lang):
    at = app_on(monkeypatch, demo_db_path)
    at.query_params["lang"] = value
    at.run()
    assert [t.value for t in at.title] == [i18n.display("page_map", lang)]
    assert at.query_params.get("lang", "ja") == lang  # written back in its one spelling (ja: no parameter)


def test_coordinators_pages_stay_japanese(monkeypatch, demo_db_copy):
    at = app_on(monkeypatch, demo_db_copy, DEMO_COORDINATOR)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["資源マップ"]
    assert not [r for r in at.radio if r.key == "tsudoi_lang_widget"]  # no switch for coordinators


def test_phone_tap_targets_are_for_residents_only(monkeypatch, demo_db_copy):
    # dashboard.ui.document: 44 px targets and 16 px text on residents' phones (measured in Chromium by
    # tests/e2e/test_public_site_browser.py); the coordinators' map keeps Streamlit's layout
    marker = '.st-key-tsudoi_lang_widget [data-testid="stRadioOption"]'
    resident = app_on(monkeypatch, demo_db_copy)
    resident.run()
    assert any(marker in h.value for h in resident.html)
    coordinator = app_on(monkeypatch, demo_db_copy, DEMO_COORDINATOR)
    coordinator.run()
    assert not coordinator.exception and not any(marker in h.value for h in coordinator.html)


def test_a_store_error_speaks_the_residents_language(monkeypatch, tmp_path):
    store = tmp_path / "store.sqlite"
    store.write_bytes(b"not an SQLite database")
    at = app_on(monkeypatch, store)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [b.label for b in at.button] == ["Try again"]
    assert len(at.warning) == 1 and not JAPANESE.search(at.warning[0].value)
