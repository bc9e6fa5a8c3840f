"""Matching 町丁目 names written in different files to the town names of the store.

The same town is written many ways: 「あたご一丁目」 (Geolonia), 「あたご1丁目」 (e-Stat),
「あたご１丁目」 (a city's spreadsheet), 「新座市あたご1丁目」, 「大字新塚」 / 「新塚」, 「堀ノ内」 /
「堀の内」, 「緑ヶ丘」 / 「緑が丘」. :func:`town_key` maps all of them to one comparison key and
:func:`match_town_names` uses it to pair a file's names with the store's.

The key is conservative on purpose: it only removes differences of *writing* (width, whitespace,
prefixes, numeral script, the small ケ and ノ), never of *content*, so two different towns keep
different keys — 「本町1丁目」 ≠ 「本町2丁目」, 「東町」 ≠ 「東本町」, 「中央」 ≠ 「中央町」,
「新塚」 ≠ 「新塚1丁目」. A name that is not an exact key match is left unmatched with suggestions,
never guessed.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

#: Prefecture names end in 都/道/府/県 and are 2–3 characters before it (北海道, 東京都, 神奈川県,
#: 和歌山県, 鹿児島県). Only ever stripped together with the city that follows it.
_PREFECTURE = r"(?:北海道|東京都|(?:京都|大阪)府|[^\s]{2,3}?県)"
#: 郡 between prefecture and 町/村 (埼玉県入間郡三芳町).
_GUN = r"(?:[^\s]{1,4}?郡)"

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
#: A number (arabic after NFKC, or kanji) directly before a unit of the 住居表示/地番. The longest
#: units first so that 「番地」 is not read as 「番」+「地」.
_NUMBERED_UNIT = re.compile(r"([0-9〇零一二三四五六七八九十百千]+)(丁目|番地|番|号)")

#: The small ケ written five ways (緑ケ丘, 緑ヶ丘, 緑が丘, 緑ガ丘, 緑ヵ丘, 緑カ丘): one only between kanji,
#: where it is always the 連体助詞 「が」 and never part of a kana word.
_KE_VARIANTS = "ケヶがガヵカ"
#: 堀ノ内, 堀の内, 堀之内 (the 助詞 「の」 between kanji).
_NO_VARIANTS = "ノの之"
#: 「字」 is a marker (大字野火止字西堀) except in words where it is part of the name (一文字, 十字).
_AZA_WORDS = ("文", "十")

#: Below this difflib ratio of keys a town is not offered as a candidate at all: the keys of
#: unrelated towns still share 「N丁目」, which alone gives ratios of about 0.4–0.5.
CANDIDATE_CUTOFF = 0.5


def _is_kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch in "々〆" or "\uf900" <= ch <= "\ufaff"


def _kanji_int(text: str) -> int:
    """``十二`` → 12, ``二十`` → 20, ``百一`` → 101, ``二〇`` → 20 (digit by digit without 十/百/千)."""
    if not any(ch in _KANJI_UNITS for ch in text):
        value = 0
        for ch in text:
            value = value * 10 + _KANJI_DIGITS[ch]
        return value
    total, current = 0, 0
    for ch in text:
        if ch in _KANJI_DIGITS:
            current = _KANJI_DIGITS[ch]
        else:
            total += (current or 1) * _KANJI_UNITS[ch]
            current = 0
    return total + current


def _arabic(match: re.Match) -> str:
    digits, unit = match.groups()
    if digits.isdigit():
        return f"{int(digits)}{unit}"  # 01丁目 → 1丁目
    if any(ch.isdigit() for ch in digits):
        return match.group(0)  # a mix such as 1十 is not a number we can read: leave it
    return f"{_kanji_int(digits)}{unit}"


def _city_core(city: str) -> str:
    """「埼玉県新座市」 → 「新座市」; 「新座市」 stays."""
    return re.sub(rf"^{_PREFECTURE}{_GUN}?", "", city) or city


def _strip_city(text: str, city: str) -> str:
    """Drop a leading [prefecture][郡]city; the rest must not be empty (a town may share the city's
    stem: 新座市 has 「新座一丁目」, which stays because only 「新座市」 with 市 is removed)."""
    core = _city_core(re.sub(r"\s+", "", unicodedata.normalize("NFKC", city)))
    stripped = re.sub(rf"^{_PREFECTURE}?{_GUN}?{re.escape(core)}", "", text, count=1)
    return stripped if stripped and stripped != text else text


def _strip_aza(text: str) -> str:
    """大字野火止 → 野火止, 字西堀 → 西堀, 大字野火止字西堀 → 野火止西堀 (一文字, 十字 keep their 字)."""
    text = re.sub(r"^大?字", "", text)
    out = []
    for i, ch in enumerate(text):
        is_marker = ch == "字" and 0 < i < len(text) - 1 and text[i - 1] not in _AZA_WORDS
        if not is_marker:
            out.append(ch)
    return "".join(out)


def _between_kanji(text: str, variants: str, canonical: str) -> str:
    chars = list(text)
    for i in range(1, len(chars) - 1):
        if chars[i] in variants and _is_kanji(chars[i - 1]) and _is_kanji(chars[i + 1]):
            chars[i] = canonical
    return "".join(chars)


def town_key(name: str, city: str | None = None) -> str:
    """A comparison key under which the usual ways of writing one 町丁目 are equal.

    Steps, in order: NFKC (全角→半角 digits, 半角カナ→全角); remove all whitespace; with ``city``
    (「新座市」 or 「埼玉県新座市」), remove a leading [prefecture][郡]city; remove a leading
    「大字」/「字」 and inner 「字」 markers; write numbers before 丁目/番地/番/号 in arabic numerals
    without leading zeros (「十二丁目」「１２丁目」「012丁目」 → 「12丁目」, 「第一号」 → 「第1号」);
    ケ/ヶ/が/ガ/ヵ/カ between two kanji → ケ; ノ/の/之 between two kanji → ノ.

    Different towns never share a key through these steps: nothing is dropped that could carry
    meaning (「本町」, 「東」, 「町」 stay), and the city is only removed as a prefix with its 市/町/村.

    >>> town_key("埼玉県新座市大字野火止字西堀", city="新座市")
    '野火止西堀'
    >>> town_key("緑ヶ丘十二丁目") == town_key("緑が丘１２丁目")
    True
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))
    if city:
        text = _strip_city(text, city)
    text = _strip_aza(text)
    text = _NUMBERED_UNIT.sub(_arabic, text)
    text = _between_kanji(text, _KE_VARIANTS, "ケ")
    return _between_kanji(text, _NO_VARIANTS, "ノ")


@dataclass(frozen=True)
class TownMatch:
    """The result of :func:`match_town_names`.

    ``matched``: each matched name (as given) → the store's town name. Two given names may match
    the same town (「あたご1丁目」 and 「あたご一丁目」 in one file); a caller that needs one row
    per town must check that itself.
    ``unmatched``: ``(name, candidates)`` in the order the names were given; candidates are store
    town names, best first (possibly none).
    ``ambiguous``: the unmatched names whose key equals the key of two or more towns (the store
    writes one town two ways); their candidates are exactly those towns.
    """

    matched: dict[str, str] = field(default_factory=dict)
    unmatched: list[tuple[str, list[str]]] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


def _candidates(key: str, town_keys: list[tuple[str, str]], limit: int) -> list[str]:
    """The ``limit`` towns whose keys are most similar to ``key`` (difflib ratio, ties in store order)."""
    scored = []
    for order, (town, other) in enumerate(town_keys):
        ratio = difflib.SequenceMatcher(None, key, other, autojunk=False).ratio()
        if ratio >= CANDIDATE_CUTOFF:
            scored.append((-ratio, order, town))
    return [town for _, _, town in sorted(scored)[:limit]]


def match_town_names(names, towns, *, city: str | None = None, limit: int = 3) -> TownMatch:
    """Pair each of ``names`` (from a file) with one of ``towns`` (the store's town names).

    A name equal to a town's name matches it. Otherwise the name matches the single town with the
    same :func:`town_key` (``city`` is passed to it for both sides). A name whose key belongs to
    two or more towns is ambiguous and left unmatched with those towns as candidates; a name whose
    key belongs to none is unmatched with up to ``limit`` similar towns as candidates (difflib
    ratio of the keys, at least :data:`CANDIDATE_CUTOFF`). Names are matched independently; a
    repeated name appears once.

    >>> match_town_names(["あたご１丁目", "あたご9丁目"], ["あたご一丁目", "あたご二丁目"]).matched
    {'あたご１丁目': 'あたご一丁目'}
    """
    towns = list(dict.fromkeys(towns))
    exact = set(towns)
    town_keys = [(town, town_key(town, city)) for town in towns]
    by_key: dict[str, list[str]] = {}
    for town, key in town_keys:
        by_key.setdefault(key, []).append(town)
    matched: dict[str, str] = {}
    unmatched: list[tuple[str, list[str]]] = []
    ambiguous: list[str] = []
    for name in dict.fromkeys(names):
        if name in exact:
            matched[name] = name
            continue
        key = town_key(name, city)
        same = by_key.get(key, [])
        if len(same) == 1:
            matched[name] = same[0]
        elif same:
            ambiguous.append(name)
            unmatched.append((name, list(same)))
        else:
            unmatched.append((name, _candidates(key, town_keys, limit)))
    return TownMatch(matched=matched, unmatched=unmatched, ambiguous=ambiguous)
