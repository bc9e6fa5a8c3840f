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
