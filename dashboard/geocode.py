"""Offline geocoding to 町丁目 level: an address → the 町丁目 it names → that town's representative point.

Japanese addresses write 丁目 either in full (中央5丁目9-14) or as the first number of the block
(南町3-13-1 = 南町3丁目13番1号). After NFKC, the prefecture and municipality prefixes are dropped and
the longest known town name that the rest starts with wins.
"""

from __future__ import annotations

import re

from dashboard.normalize import chome_arabic

_PREFIX = re.compile(r"^(?:.{2,3}?[都道府県])?(?:.+?[市区町村](?=.))?")
_DASHES = "-－ー‐―−"


def town_of_address(address: str | None, town_names: list[str], city: str | None = None) -> str | None:
    """The 町丁目 name (from ``town_names``) an address lies in, or ``None``.

    >>> town_of_address("埼玉県蕨市南町３－１３－１", ["南町3丁目", "南町4丁目"], city="蕨市")
    '南町3丁目'
    """
    if not address:
        return None
    text = chome_arabic(address).replace(" ", "").replace("　", "")
    # "北町1-9" has no prefix, and 北町 itself ends in 町: try the text as it is and without prefixes
    texts = {text, _PREFIX.sub("", text, count=1)}
    if city and city in text:
        texts.add(text.split(city, 1)[1])
    candidates = list(texts)
    for text in texts:
        match = re.match(rf"^(\D+?)(\d+)[{_DASHES}]", text)
        if match:
            candidates.append(f"{match.group(1)}{match.group(2)}丁目")
    best = None
    for name in town_names:
        if any(c.startswith(name) for c in candidates) and (best is None or len(name) > len(best)):
            best = name
    return best


_PREFECTURE = re.compile(r"^(?:東京都|北海道|(?:京都|大阪)府|.{2,3}?県)")
_CITY = re.compile(r"^(?:.+?郡.+?[町村]|.+?市(?:.{1,4}?区)?|.+?[区町村])")
_TOWN = re.compile(r"^(?P<town>\D+?)(?P<chome>\d+丁目)?(?P<banchi>\d.*)?$")


def split_address(address: str | None, city: str | None = None) -> dict[str, str]:
    """One address → the 自治体標準オープンデータセット address block (``prefecture``, ``city``,
    ``town_street``, ``banchi``), each ``""`` when not written. NFKC-normalised (全角数字 → 半角).

    The prefecture is what ends in 都道府県; the municipality is ``city`` when the address names it
    (四日市市, 市川市 and 郡 cannot be cut by a pattern), else up to 市 (with a 政令市's 区), 区,
    町 or 村 when a town name follows it (北町1-9 is a town); 町字 runs to the first number (with a written 丁目, 中央5丁目), 番地以下 is the rest
    up to a space (a building name after it belongs to 建物名等).

    >>> split_address("埼玉県蕨市中央5丁目9-14", city="蕨市")
    {'prefecture': '埼玉県', 'city': '蕨市', 'town_street': '中央5丁目', 'banchi': '9-14'}
    """
    parts = {"prefecture": "", "city": "", "town_street": "", "banchi": ""}
    text = chome_arabic(address or "").replace("\u3000", " ").strip()
    if not text:
        return parts
    match = _PREFECTURE.match(text)
    if match and len(text) > match.end():
        parts["prefecture"], text = match.group(0), text[match.end():]
    if city and text.startswith(city):
        parts["city"], text = city, text[len(city):]
    else:
        match = _CITY.match(text)
        # a town must follow a municipality: in 北町1-9, 北町 is the town (a number follows it)
        if match and len(text) > match.end() and not text[match.end()].isdigit():
            parts["city"], text = match.group(0), text[match.end():]
    text = text.split(" ", 1)[0]
    match = _TOWN.match(text)
    if match:
        parts["town_street"] = match.group("town") + (match.group("chome") or "")
        parts["banchi"] = match.group("banchi") or ""
    else:
        parts["banchi"] = text
    return parts
