"""The privacy check of 活動記録: does a text look like it holds a phone number, an e-mail address, an
address down to the 番地, or a person's name? Pure; used before saving (form, import) to *warn*.

Personal data are never needed in an activity record (「独居の方が増えている」 says what the council
must know; 「山本花子さん（北町2-3-4）」 does not). The check is a safety net, not a guarantee:

* **phone**: a domestic number (10–11 digits starting with 0, any hyphen or space, 048(432)1234,
  +81) or a local number (431-1234) right after 電話・TEL・携帯・℡. Not found: numbers written in kanji
  or split over words.
* **e-mail**: ``name@domain.tld`` (full-width ＠ too, after NFKC).
* **address with 番地**: 「5番地」「3番10号」「101号室」「丁目5-10」「中央1-2-3」「錦町3-27」「〒335-0004」. A
  町丁目 on its own (「錦町3丁目」) is *not* flagged: that is the level records speak at.
* **name**: with SudachiPy (WorksApplications' maintained morphological analyser; its dictionary
  ``sudachidict_small`` ships in the wheel, so it works offline) a 姓 followed by a 名 (「山田花子」
  「やまだ はなこ」), or any 固有名詞 followed by an honorific or a role (「田中さん」「岡田様」
  「佐藤会長」「山本さん宅」). Surnames that are also place names (塚越, 栗原, 片山) are flagged only
  with a given name, an honorific or a role, so 「塚越の坂」 passes. Not found: a surname alone
  (「田中から連絡」), rare names the dictionary lacks, names in romaji. Without SudachiPy the check falls
  back to a short list of common surnames (``data/vocab/common_surnames.txt``) followed by up to three
  characters and an honorific or role — it then misses given names and uncommon surnames.

Findings carry the matched text so the user sees what to rewrite.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from dashboard.settings import DATA_DIR

KIND_LABELS = {"phone": "電話番号", "email": "メールアドレス", "address": "番地までの住所", "name": "個人の名前"}
SURNAMES_FILE = DATA_DIR / "vocab" / "common_surnames.txt"

#: Words after a name that make it a person: honorifics, then 宅/家 (a household).
HONORIFICS = ("さん", "さま", "様", "氏", "君", "くん", "ちゃん", "殿", "宅")
#: Roles written after a surname (「佐藤会長」「田中民生委員」).
ROLES = ("会長", "副会長", "町会長", "自治会長", "先生", "委員", "民生委員", "理事", "代表", "部長", "課長", "係長",
         "班長", "医師", "看護師", "師長")


@dataclass(frozen=True)
class Finding:
    """Something in ``field`` that looks like personal data: ``kind`` (:data:`KIND_LABELS`) and the
    matched ``text`` (NFKC)."""

    kind: str
    text: str
    field: str = ""

    def message(self) -> str:
        where = f"{self.field}：" if self.field else ""
        return f"{where}「{self.text}」は{KIND_LABELS[self.kind]}のように見えます"


# --- phone, e-mail, address --------------------------------------------------------------------------

_DASH = re.compile(r"(?<=\d)\s*[ー－―‐‑‒–—−-]\s*(?=\d)")
_PHONE = re.compile(r"(?<![\d+])(\+81[\s(]*0?\)?|0)\d[\d\s()\-]{7,14}\d(?!\d)")
_LOCAL_PHONE = re.compile(r"(?:電話|TEL|Tel|tel|携帯|℡|☎|でんわ)[\s:：番号は]*(\d{2,4}-\d{4})(?![\d-])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_N = "[0-9〇一二三四五六七八九十百千]"
_ADDRESS = (
    re.compile(rf"{_N}+番地"),
    re.compile(rf"{_N}+番{_N}+(?:号)?"),
    re.compile(r"\d+号室"),
    re.compile(r"丁目\s*\d+(?:-\d+)*(?![\d人名回件歳時%])"),
    re.compile(r"〒\s*\d{3}-?\d{4}"),
    # 1-2-3: three numbers, none a year (2024-4-1 is a date)
    re.compile(r"(?<![\d\-])(?!(?:19|20)\d\d-)[1-9]\d{0,3}-\d{1,4}-\d{1,4}(?![\d\-])"),
    # 錦町3-27: a place name, then two numbers (not 第1-2回, 平成30-31年, 約3-4人)
    re.compile(r"(?<=[\u4e00-\u9fff々ヶ])(?<![第約計各全毎])[1-9]\d{0,3}-\d{1,4}(?![\d\-])(?!\s*[回名人件月日時歳年%分度])"),
)


def _normalised(text: str) -> str:
    """NFKC, and hyphens of any kind between digits as "-" (電話 048ー432ー1234)."""
    return _DASH.sub("-", unicodedata.normalize("NFKC", text or ""))


def _phones(text: str) -> list[str]:
    found = []
    for match in _PHONE.finditer(text):
        value = match.group(0)
        digits = re.sub(r"\D", "", value)
        if value.startswith("+81"):
            digits = "0" + digits[2:].lstrip("0")
        if 10 <= len(digits) <= 11:
            found.append(value.strip())
    found += [m.group(1) for m in _LOCAL_PHONE.finditer(text) if not any(m.group(1) in f for f in found)]
    return found


def _addresses(text: str, phones: list[str]) -> list[str]:
    """Address-like parts; overlapping matches of several patterns become one (「丁目5番10号」)."""
    spans = sorted((m.start(), m.end()) for pattern in _ADDRESS for m in pattern.finditer(text))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    values = [text[start:end] for start, end in merged]
    return [v for v in values if not any(v in p or p in v for p in phones)]


# --- names ---------------------------------------------------------------------------------------------

class _Analyser(threading.local):
    """One SudachiPy tokenizer per thread (Streamlit runs each browser session in a thread)."""

    tokenizer = None


_local = _Analyser()


@lru_cache(maxsize=1)
def _dictionary():
    try:
        from sudachipy import Dictionary
    except ImportError:
        return None
    try:
        return Dictionary(dict="small")
    except Exception:  # the dictionary package is missing or broken: fall back, never fail a save
        return None


def analyser_available() -> bool:
    """True when names are found with SudachiPy (else the surname-list fallback is used)."""
    return _dictionary() is not None


def _tokens(text: str):
    dictionary = _dictionary()
    if dictionary is None:
        return None
    if _local.tokenizer is None:
        from sudachipy import SplitMode

        _local.tokenizer = dictionary.tokenizer(mode=SplitMode.C)
    return _local.tokenizer.tokenize(text)


def _follows(text: str, end: int, words: tuple[str, ...]) -> str | None:
    rest = text[end:]
    return next((w for w in sorted(words, key=len, reverse=True) if rest.startswith(w)), None)


def _names_sudachi(text: str, tokens) -> list[str]:
    morphemes = [(m.surface(), m.part_of_speech(), m.begin(), m.end()) for m in tokens]
    found, used = [], -1
    for i, (surface, pos, begin, end) in enumerate(morphemes):
        if begin < used or pos[1] != "固有名詞":
            continue
        person = pos[2] == "人名"
        stop = end
        if person and pos[3] == "姓":  # 姓 + 名, maybe with a space or ・ between
            j = i + 1
            while j < len(morphemes) and morphemes[j][0].strip(" 　・") == "":
                j += 1
            if j < len(morphemes) and morphemes[j][1][2:4] == ("人名", "名"):
                stop = morphemes[j][3]
        suffix = _follows(text, stop, HONORIFICS if not person else HONORIFICS + ROLES)
        if suffix is not None:
            stop += len(suffix)
        if stop > end or (suffix is not None):
            found.append(text[begin:stop])
            used = stop
    return found


@lru_cache(maxsize=1)
def _surnames() -> tuple[str, ...]:
    try:
        lines = SURNAMES_FILE.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ()
    names = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    return tuple(sorted(names, key=len, reverse=True))


def _names_fallback(text: str) -> list[str]:
    surnames = "|".join(map(re.escape, _surnames()))
    if not surnames:
        return []
    after = "|".join(map(re.escape, sorted(HONORIFICS + ROLES, key=len, reverse=True)))
    pattern = re.compile(rf"(?:{surnames})[\s・]?[\u4e00-\u9fff\u3041-\u3096\u30a1-\u30fa]{{0,3}}?(?:{after})")
    return [m.group(0) for m in pattern.finditer(text)]


def _names(text: str, *, use_analyser: bool = True) -> list[str]:
    tokens = _tokens(text) if use_analyser else None
    return _names_fallback(text) if tokens is None else _names_sudachi(text, tokens)


# --- the check ---------------------------------------------------------------------------------------

def check(text: str, field: str = "", *, use_analyser: bool = True) -> list[Finding]:
    """Findings in one text, in the order phone, e-mail, address, name. ``use_analyser=False``
    forces the surname-list fallback (tests)."""
    value = _normalised(text)
    if not value.strip():
        return []
    phones = _phones(value)
    emails = [m.group(0) for m in _EMAIL.finditer(value)]
    findings = [Finding("phone", p, field) for p in phones]
    findings += [Finding("email", e, field) for e in emails]
    findings += [Finding("address", a, field) for a in _addresses(value, phones)]
    without_mail = _EMAIL.sub(" ", value)
    findings += [Finding("name", n, field) for n in _names(without_mail, use_analyser=use_analyser)]
    return findings


def check_fields(fields: dict[str, str]) -> list[Finding]:
    """Findings of several texts, each labelled with its field (「概要」「地域の声 2」…)."""
    return [finding for field, text in fields.items() for finding in check(text, field)]
