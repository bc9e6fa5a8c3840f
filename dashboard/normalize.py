"""Normalising what people type into spreadsheets: widths, 和暦 dates, yes/no, kana for search."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import jaconv
import pandas as pd
import phonenumbers

#: First day of each era (Gregorian year offset = year of era 1 − 1).
_ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988, "昭和": 1925, "S": 1925}
_WAREKI = re.compile(r"^(令和|平成|昭和|[RHS])\s*(元|\d{1,2})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?$")
_SEIREKI = re.compile(r"^(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?(?:\s+00:00:00)?$")


def is_missing(value) -> bool:
    """None, NaN, NA or NaT: what frames hold for an empty cell (never true for text or booleans)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value  # NaN


def nfkc(text: str) -> str:
    """NFKC-normalise (全角数字→半角, 半角カナ→全角) and strip; the original is kept by callers."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_date_ja(text: str) -> date | None:
    """``2024-04-01``, ``2024/4/1``, ``2024年4月1日``, ``令和6年4月1日``, ``R6.4.1``, ``令和元年5月1日``.

    Returns ``None`` for an empty cell; raises ``ValueError`` for text that is not a valid date.
    """
    value = nfkc(text).upper()
    if not value:
        return None
    match = _WAREKI.match(value)
    if match:
        era, year, month, day = match.groups()
        era_year = 1 if year == "元" else int(year)
        return date(_ERAS[era] + era_year, int(month), int(day))
    match = _SEIREKI.match(value)
    if match:
        return date(*(int(g) for g in match.groups()))
    raise ValueError(f"not a date: {text!r}")


_TRUE = {"1", "TRUE", "YES", "Y", "あり", "有", "有り", "○", "〇", "可", "はい"}
_FALSE = {"0", "FALSE", "NO", "N", "なし", "無", "無し", "×", "不可", "いいえ"}


def parse_bool_ja(text: str) -> bool | None:
    """あり/なし, 有/無, ○/×, yes/no, 1/0 → bool; empty → None; anything else → ValueError."""
    value = nfkc(text).upper()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"not yes/no: {text!r}")


def search_key(text: str | None) -> str:
    """A key under which ひらがな, カタカナ, 半角ｶﾅ, full/half width and case compare equal."""
    if not text:
        return ""
    return jaconv.kata2hira(unicodedata.normalize("NFKC", text)).casefold().replace(" ", "")


_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_CHOME = re.compile(r"([〇一二三四五六七八九十]+)丁目")


def _kanji_number(text: str) -> int:
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _KANJI_DIGITS[ch]
    return value


def chome_arabic(name: str) -> str:
    """``塚越四丁目`` → ``塚越4丁目``, ``本町十二丁目`` → ``本町12丁目`` (e-Stat and Geolonia differ)."""
    return _KANJI_CHOME.sub(lambda m: f"{_kanji_number(m.group(1))}丁目", nfkc(name))


#: What a cell holding only a phone number is written with: digits, hyphens of every width (ー－―‐ and
#: the minus sign become "-" or stay after NFKC), spaces, the parentheses of 048(432)1234 and of
#: +81 (0)48…, and a leading ``+``. Anything else (「社協 048-…」, an e-mail address) is free text.
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-‐‑‒–—―ー−()]+$")
#: Japan's country calling code; a number written with another one is not a Japanese number.
_JAPAN_CODE = 81


def looks_like_phone(text: str | None) -> bool:
    """True when a cell holds only what a phone number is written with (digits, hyphens of any
    width, spaces, parentheses, a leading ``+``) and at least one digit.

    This is deliberately a question about characters, not validity: ``048-432-123`` looks like a
    phone number (so an import reports it as a wrong one, :func:`normalize_phone` refuses it),
    while a contact cell such as ``社協 048-000-0000`` or ``info@example.jp`` is free text, kept as
    written.
    """
    value = nfkc(text or "")
    return bool(value) and bool(_PHONE_LIKE.match(value)) and any(ch.isdigit() for ch in value)


def normalize_phone(text: str) -> str:
    """A Japanese phone number in its national form, hyphenated after the area code
    (``048-432-1234``); raises ``ValueError`` if it cannot be one.

    Parsed and checked with ``phonenumbers`` (Google's libphonenumber metadata, which follows the
    総務省 numbering plan): the number must be valid in Japan — 固定電話 with a real area code and
    local exchange, 携帯 (070/080/090), IP電話 (050), free dial (0120 with 10 digits, 0800 with 11),
    ナビダイヤル (0570) and the like. Hyphens are put where the numbering plan puts them, whatever
    was typed: ``0484321234`` and ``0484-32-1234`` both give ``048-432-1234``, ``0494221234`` (秩父)
    gives ``0494-22-1234``.

    Accepted writing: NFKC first (全角数字), any hyphen variant (ー－―‐−), spaces, ``048(432)1234``;
    either the domestic form with its leading 0 or ``+81`` (``+81 48-432-1234``, ``+81 (0)48 …``).
    Refused: a number without its leading 0 (``48-432-1234``: likely a digit lost, e.g. by Excel),
    an international prefix (``0048…``), another country's ``+1 …``, wrong lengths (``048-432-123``,
    ``090-1234-567``) and numbers no Japanese range holds (``011-123-4567``: no local exchange starts
    with 1).

    >>> normalize_phone("０４８（４３２）１２３４")
    '048-432-1234'
    """
    value = nfkc(text)
    if not _PHONE_LIKE.match(value):
        raise ValueError(f"not a phone number: {text!r}")
    digits = re.sub(r"\D", "", value)
    if not value.startswith(f"+{_JAPAN_CODE}") and (not digits.startswith("0") or digits.startswith("00")):
        # phonenumbers would read 48-432-1234 as 048-432-1234 and 0048… as an international call;
        # a domestic number is written with exactly one leading 0
        raise ValueError(f"not a Japanese phone number (domestic numbers start with one 0, or write +81): {text!r}")
    try:
        number = phonenumbers.parse(value, "JP")
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"not a phone number: {text!r}") from error
    if number.country_code != _JAPAN_CODE or not phonenumbers.is_valid_number(number):
        raise ValueError(f"not a valid Japanese phone number ({len(digits)} digits): {text!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
