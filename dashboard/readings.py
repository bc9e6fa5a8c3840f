"""Search keys for places: readings (ひらがな) of names and addresses, and one way to write 番地.

Most municipal lists give no ふりがな, so 「たいそう」 could not find 「百歳体操」 and 「ちゅうおう」 no
place in 中央. Readings are derived with pykakasi (a maintained kanji → kana analyser whose
dictionary ships in its wheel, so it works offline) for every name and address; a ふりがな given in
the data is searched as well (it fixes the analyser's rare misreadings, such as 南町 read みなみまち).

Addresses are also searched under one spelling of 丁目・番地・号 — 「中央4丁目21番29号」, 「中央4-21-29」,
「中央４－２１－２９」 and 「中央四丁目21-29」 all become 「中央4-21-29-」 — so 「中央4丁目」 finds
「中央4-21-29」 and 「中央4-21」 finds 「中央4丁目21番29号」.

Readings are computed when a search runs, not stored: nothing in the store changes, an edited name
is searched under its new reading at once, and each text is analysed once per process — the caches
below are keyed by the text itself (plain strings), so a rerun with 10,000 places is dictionary
lookups. The analyser is loaded on the first search (about a second). Pure functions, no Streamlit.
"""

from __future__ import annotations

import re
import threading
from functools import cache, lru_cache

import pandas as pd

from dashboard.normalize import chome_arabic, is_missing, nfkc, search_key

#: Distinct texts (and places) whose keys are kept; far more than a city's places and addresses.
CACHE_SIZE = 65_536
#: Between the fields of a place's key, so a query never matches across two fields.
_FIELD_SEPARATOR = "|"
#: 「の」 between numbers, after 番地 too (4の21, 21番地の29), and a number followed by 丁目・番地・番・号
#: (or their readings).
_NO_BETWEEN_NUMBERS = re.compile(r"(?<=\d)\s*(?:番地|ばんち|番|ばん)?の(?=\d)")
_ADDRESS_UNIT = re.compile(r"(\d+)\s*(?:丁目|ちょうめ|番地|ばんち|番|ばん|号|ごう)")
#: Dashes people type between 番地 numbers (after NFKC, the full-width hyphen is already "-"):
#: the long-vowel mark ー, hyphens, en/em dashes, the horizontal bar and the minus sign.
_DASH_AFTER_NUMBER = re.compile(r"(?<=\d)\s*[ー‐‑‒–—―−\-]+\s*")
#: A number run that a letter or kana follows (「14ミヨシビル」, 「1F」): ends like a 番地 part.
_NUMBER_THEN_TEXT = re.compile(r"(?<=\d)(?=[^\d\-\s])")
_lock = threading.Lock()

#: Readings the analyser gets wrong in words common in the names of community places, put in before
#: it reads the rest (one place; each entry was checked against pykakasi 2.3, whose reading is in the
#: comment). Words it reads right — 老人, 集会所, 公民館, 憩い(の家), 生きがい, 地区, 町会, 自治会, 喫茶,
#: 長寿 — are not here: tests/dashboard/test_readings.py checks them so a dictionary update is noticed.
READING_OVERRIDES: dict[str, str] = {
    "百歳": "ひゃくさい",  # ひゃくじゅうさい (いきいき百歳体操, 百歳体操)
    "寿": "ことぶき",  # ひさし (寿クラブ, 寿会) — only at the start of a word: see _OVERRIDE_PATTERNS
    "憩の家": "いこいのいえ",  # けいのいえ (老人憩の家, written without い)
    "憩の場": "いこいのば",  # けいのば
    "集会場": "しゅうかいじょう",  # しゅうかいば
}
#: Where an override applies. 寿 after a kanji is じゅ (長寿, 福寿, 松寿会, which the analyser reads
#: right), and the analyser is left to read 寿 before 司・命・老・町 (寿司, 寿命, 寿老人, 寿町 ことぶきちょう);
#: everywhere else the word as written.
_KANJI = r"[\u3400-\u9fff\uf900-\ufaff々〆]"
_OVERRIDE_PATTERNS = {"寿": rf"(?<!{_KANJI})寿(?![司命老町])"}
_OVERRIDE = re.compile("|".join(_OVERRIDE_PATTERNS.get(word, re.escape(word))
                                for word in sorted(READING_OVERRIDES, key=len, reverse=True)))
#: Brackets in a reading shown to people: full-width, like the Japanese text around it.
_FULL_WIDTH_BRACKETS = str.maketrans({"(": "（", ")": "）"})


@cache
def _analyser():
    import pykakasi  # imported here: loading its dictionary takes about a second

    return pykakasi.kakasi()


@lru_cache(maxsize=CACHE_SIZE)
def reading(text: str) -> str:
    """The ひらがな reading of ``text`` (kanji and katakana read, everything else kept), after NFKC
    and 「四丁目」 → 「4丁目」: ``reading("中央4-21-29") == "ちゅうおう4-21-29"``. A reading is the
    analyser's guess from its dictionary, not the official one."""
    text = chome_arabic(text) if text else ""
    if not text:
        return ""
    text = _OVERRIDE.sub(lambda m: READING_OVERRIDES[m.group(0)], text)  # kana passes the analyser as it is
    with _lock:  # one analyser shared by every session's thread
        parts = _analyser().convert(text)
    return "".join(part["hira"] for part in parts)


def shown_reading(text: str) -> str:
    """A reading (:func:`reading`, or a ふりがな from the data) as people read it beside a name:
    brackets full-width and balanced — an unmatched one is dropped, so a reading put in brackets
    itself never shows 「)))」: ``shown_reading("(さんぷる(かくう))") == "（さんぷる（かくう））"``."""
    kept, open_at = [], []
    for char in nfkc(text or "").translate(_FULL_WIDTH_BRACKETS):
        if char == "（":
            open_at.append(len(kept))
        elif char == "）":
            if not open_at:
                continue  # a closing bracket nothing opened
            open_at.pop()
        kept.append(char)
    for index in reversed(open_at):  # opened and never closed
        del kept[index]
    return "".join(kept).strip()


def address_key(text: str) -> str:
    """``text`` with 丁目・番地・番・号 and every dash after a number written as 「-」, and a 「-」 closing
    each number run: 「中央四丁目21番29号」 → 「中央4-21-29-」, 「中央4－21－29」 → 「中央4-21-29-」."""
    text = chome_arabic(text) if text else ""
    text = _NO_BETWEEN_NUMBERS.sub("-", text)
    text = _ADDRESS_UNIT.sub(r"\1-", text)
    text = _DASH_AFTER_NUMBER.sub("-", text)
    text = _NUMBER_THEN_TEXT.sub("-", text)
    return text + "-" if text[-1:].isdigit() else text


def _query_address_key(text: str) -> str:
    """:func:`address_key` without the closing 「-」: 「中央4-2」 must still find 「中央4-21」."""
    key = address_key(text)
    closed = nfkc(text).endswith(("-", "丁目", "番地", "番", "号", "ちょうめ", "ばんち", "ばん", "ごう"))
    return key[:-1] if key.endswith("-") and not closed else key


@lru_cache(maxsize=CACHE_SIZE)
def place_key(name: str, kana: str, address: str) -> str:
    """Everything a search may match for one place, as :func:`dashboard.normalize.search_key`s:
    the name, the given ふりがな, the name's reading, the address, its reading, and both with the
    one spelling of 番地."""
    address_reading = reading(address)
    parts = (name, kana, reading(name), address, address_reading, address_key(address), address_key(address_reading))
    return _FIELD_SEPARATOR.join(search_key(part) for part in parts if part)


@lru_cache(maxsize=1024)
def query_keys(text: str) -> tuple[str, ...]:
    """The ways a typed query is looked for: as typed, its reading, and both with the one spelling
    of 番地 (「中央4丁目」 → 「中央4-」). Empty when the query is blank."""
    if not search_key(text):
        return ()
    text_reading = reading(text)
    keys = (search_key(text), search_key(text_reading), search_key(_query_address_key(text)),
            search_key(_query_address_key(text_reading)))
    return tuple(dict.fromkeys(k for k in keys if k and _FIELD_SEPARATOR not in k))


def _text(value) -> str:
    return "" if is_missing(value) else str(value)


def text_matches(places: pd.DataFrame, text: str) -> pd.Series:
    """Boolean mask of ``places`` (``name``, ``address``, optional ``name_kana``) whose name, ふりがな
    or address — as written, as read, or with 番地 spelt either way — contains the query ``text``.
    A blank query matches every place."""
    keys = query_keys(text or "")
    if not keys:
        return pd.Series(True, index=places.index)
    kana = places["name_kana"] if "name_kana" in places.columns else pd.Series("", index=places.index)
    haystack = pd.Series([place_key(_text(n), _text(k), _text(a))
                          for n, k, a in zip(places["name"], kana, places["address"])], index=places.index, dtype=str)
    mask = pd.Series(False, index=places.index)
    for key in keys:
        mask |= haystack.str.contains(key, regex=False)
    return mask
