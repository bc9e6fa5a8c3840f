"""What an 活動記録 is made of: its kinds, the 地域の声 tags (a vocabulary in ``data/vocab``) and the
text form of voices used by imports and exports (「【買い物・移動】バス停まで遠い／…」). Pure; no store.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dashboard.settings import DATA_DIR

#: Kinds of activity (issue #16), in display order. The Japanese label is the id, as for categories.
RECORD_KINDS = ("住民座談会", "協議体", "訪問", "講座・研修", "その他")
#: Other spellings a city's list may use for a kind (after NFKC).
KIND_ALIASES = {
    "座談会": "住民座談会", "ワークショップ": "住民座談会", "住民ワークショップ": "住民座談会", "話し合いの場": "住民座談会",
    "第1層協議体": "協議体", "第2層協議体": "協議体", "協議体会議": "協議体",
    "個別訪問": "訪問", "訪問活動": "訪問", "講座": "講座・研修", "研修": "講座・研修", "研修会": "講座・研修",
    "講座・研修会": "講座・研修", "勉強会": "講座・研修",
}
#: The tag vocabulary file (columns タグ, 別名, 説明; see data/vocab/README.md).
TAGS_FILE = DATA_DIR / "vocab" / "needs_tags.csv"
#: Statements in one cell are separated by this full-width solidus only: a half-width "/" stays part
#: of a statement (「4/1から移動販売が来なくなった」).
VOICE_SEPARATOR = "／"
#: Tags in front of a statement: 【買い物・移動】. NFKC leaves 【】 as they are.
_TAG_PREFIX = re.compile(r"^\s*【([^】]*)】\s*")
#: Between tags inside 【】.
_TAG_SPLIT = re.compile(r"[・、,，\s]+")


@dataclass(frozen=True)
class Tag:
    name: str
    aliases: tuple[str, ...]
    note: str


@lru_cache(maxsize=4)
def _read_tags(path: str, stamp: float) -> tuple[Tag, ...]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    tags = []
    for row in rows:
        name = unicodedata.normalize("NFKC", (row.get("タグ") or "").strip())
        if not name:
            continue
        aliases = tuple(a for a in (unicodedata.normalize("NFKC", x).strip()
                                    for x in (row.get("別名") or "").split("、")) if a)
        tags.append(Tag(name, aliases, (row.get("説明") or "").strip()))
    return tuple(tags)


def tags(path: Path | None = None) -> tuple[Tag, ...]:
    """The tag vocabulary, in file order (re-read when the file changes)."""
    path = Path(path or TAGS_FILE)
    return _read_tags(str(path), path.stat().st_mtime)


def tag_names(path: Path | None = None) -> tuple[str, ...]:
    return tuple(t.name for t in tags(path))


def _lookup(path: Path | None = None) -> dict[str, str]:
    """Every accepted spelling (name and aliases, NFKC) → the tag's name."""
    table = {}
    for tag in tags(path):
        for spelling in (*tag.aliases, tag.name):  # a name wins over another tag's alias
            table[spelling] = tag.name
    return table


def kind_of(text: str) -> str | None:
    """A kind from a cell (NFKC; aliases such as 座談会, 第2層協議体, 研修), or None if unknown."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if value in RECORD_KINDS:
        return value
    nfkc_kinds = {unicodedata.normalize("NFKC", k): k for k in RECORD_KINDS}
    return nfkc_kinds.get(value) or KIND_ALIASES.get(value)


class UnknownTag(ValueError):
    """A tag that is not in the vocabulary; ``tag`` is the text as written."""

    def __init__(self, tag: str):
        super().__init__(tag)
        self.tag = tag


def parse_tags(text: str, path: Path | None = None) -> tuple[str, ...]:
    """The tags written inside one 【】 (「買い物・移動」), in order, without repeats.

    Tags are separated by 「・」「、」「,」 or spaces; a tag whose own name holds 「・」 (健康・介護予防) is
    found by taking the longest run of pieces that is a known tag. Raises :class:`UnknownTag`.
    """
    table = _lookup(path)
    pieces = [p for p in _TAG_SPLIT.split(unicodedata.normalize("NFKC", text or "").strip()) if p]
    found, i = [], 0
    while i < len(pieces):
        for j in range(len(pieces), i, -1):  # longest first
            joined = "・".join(pieces[i:j])
            if joined in table:
                if table[joined] not in found:
                    found.append(table[joined])
                i = j
                break
        else:
            raise UnknownTag(pieces[i])
    return tuple(found)


@dataclass(frozen=True)
class Voice:
    """One statement and its tags, as written in a 地域の声 cell."""

    text: str
    tags: tuple[str, ...]


def parse_voices(cell: str, path: Path | None = None) -> list[Voice]:
    """Statements of one cell: separated by 「／」, each optionally led by its tags in 【】.

    >>> parse_voices("【買い物・移動】バス停まで遠い／会話の機会が少ない")
    [Voice(text='バス停まで遠い', tags=('買い物', '移動')), Voice(text='会話の機会が少ない', tags=())]

    Statements are kept as written (only trimmed); empty pieces are dropped. Raises
    :class:`UnknownTag` for a tag that is not in the vocabulary, and ``ValueError`` for 【】 with
    no statement after them.
    """
    voices = []
    for piece in (cell or "").split(VOICE_SEPARATOR):
        piece = piece.strip()
        if not piece:
            continue
        found: list[str] = []
        while (match := _TAG_PREFIX.match(piece)) is not None:  # 【買い物】【移動】… is allowed too
            found += [t for t in parse_tags(match.group(1), path) if t not in found]
            piece = piece[match.end():]
        piece = piece.strip()
        if not piece:
            raise ValueError("タグのあとに声の本文がありません")
        voices.append(Voice(piece, tuple(found)))
    return voices


def format_voices(voices: list[Voice] | list[tuple[str, tuple[str, ...]]]) -> str:
    """The inverse of :func:`parse_voices`: 「【買い物・移動】バス停まで遠い／会話の機会が少ない」."""
    parts = []
    for voice in voices:
        text, voice_tags = (voice.text, voice.tags) if isinstance(voice, Voice) else voice
        parts.append((f"【{'・'.join(voice_tags)}】" if voice_tags else "") + text)
    return VOICE_SEPARATOR.join(parts)
