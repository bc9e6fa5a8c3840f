"""Schedules as RFC 5545 RRULEs: frequency class and a Japanese description.

Parsing and expansion use ``dateutil.rrule`` (domain.md: don't write an RRULE parser).
"""

from __future__ import annotations

import functools

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from dateutil.rrule import rrulestr

#: A fixed reference year for counting occurrences (a common year starting on Wednesday).
_YEAR_START = datetime(2025, 1, 1)
_YEAR_END = datetime(2025, 12, 31, 23, 59)
#: Two years are compared when asking whether two rules name the same days (INTERVAL=2 rules
#: repeat over two years at most for the patterns we read).
_COMPARE_END = datetime(2026, 12, 31, 23, 59)
_ORDINALS = {"1": "第1", "2": "第2", "3": "第3", "4": "第4", "5": "第5", "+1": "第1", "+2": "第2", "+3": "第3",
             "+4": "第4", "+5": "第5", "-1": "最終"}
_WEEKDAYS_JA = {"MO": "月", "TU": "火", "WE": "水", "TH": "木", "FR": "金", "SA": "土", "SU": "日"}


def validate_rrule(rule: str) -> None:
    """Raise ``ValueError`` if ``rule`` is not an RRULE dateutil can expand."""
    _parse(rule)


def _parse(rule: str):
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if "UNTIL" in text.upper() or "COUNT" in text.upper():
        raise ValueError("UNTIL/COUNT are not supported for regular schedules")
    return rrulestr(text, dtstart=_YEAR_START)


@functools.lru_cache(maxsize=4096)
def occurrences_per_year(rule: str) -> int:
    """How often ``rule`` happens in one calendar year (a pure function of the text, so cached: an
    import of 20,000 places has a few dozen distinct rules, and expanding each took 6 of its 27 s)."""
    return len(_parse(rule).between(_YEAR_START, _YEAR_END, inc=True))


def frequency_class(rule: str | None) -> str:
    """``weekly`` (≥ 52 a year, i.e. 週1回以上), ``monthly`` (12–51: 月1〜3回), ``less``, or
    ``unknown`` without a rule."""
    if not rule or not rule.strip():
        return "unknown"
    count = occurrences_per_year(rule)
    if count >= 52:
        return "weekly"
    if count >= 12:
        return "monthly"
    return "less"


def _parts(rule: str) -> dict[str, str]:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    return {k.upper(): v.upper() for k, v in (p.split("=", 1) for p in text.split(";") if "=" in p)}


def _ordinal_grid(days: list[str]) -> tuple[list[int], list[str]] | None:
    """``["1WE", "3WE", "1FR", "3FR"]`` → ``([1, 3], ["WE", "FR"])``: BYDAY entries that are every
    ordinal with every weekday (第1・第3 × 水・金), ordinals ascending with 最終 (-1) last and weekdays
    Monday first; ``None`` for anything else (第1月曜・第3木曜 cannot be said in one phrase)."""
    pairs = set()
    for day in days:
        number, weekday = day[:-2].lstrip("+"), day[-2:]
        if weekday not in _WEEKDAYS_JA or number not in _ORDINALS:
            return None
        pairs.add((int(number), weekday))
    ordinals = sorted({n for n, _ in pairs}, key=lambda n: (n < 0, n))
    weekdays = [d for d in _WEEKDAYS_JA if any(w == d for _, w in pairs)]
    if len(pairs) != len(ordinals) * len(weekdays) or len(days) != len(pairs):
        return None
    return ordinals, weekdays


def describe_ja(rule: str | None) -> str:
    """Japanese words for common rules: 毎週水曜, 隔週金曜, 毎月第2・第4火曜, 毎月第1・第3水・金曜, 毎月15日.

    Falls back to "年N回" for anything else, so a user always sees a number, never raw RRULE.
    """
    if not isinstance(rule, str) or not rule.strip():
        return "日程未登録"
    parts = _parts(rule)
    freq, interval = parts.get("FREQ"), int(parts.get("INTERVAL", "1"))
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "WKST"}:  # BYMONTH, BYSETPOS …: say how often
        return f"年{occurrences_per_year(rule)}回"
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    if freq == "WEEKLY" and days and all(d in _WEEKDAYS_JA for d in days):
        names = "・".join(_WEEKDAYS_JA[d] for d in days) + "曜"
        prefix = {1: "毎週", 2: "隔週"}.get(interval, f"{interval}週ごと")
        return prefix + names
    if freq == "MONTHLY" and interval == 1 and days:
        grid = _ordinal_grid(days)
        if grid is None:
            return f"年{occurrences_per_year(rule)}回"
        ordinals, weekdays = grid
        return ("毎月" + "・".join(_ORDINALS[str(n)] for n in ordinals)
                + "・".join(_WEEKDAYS_JA[d] for d in weekdays) + "曜")
    if freq == "MONTHLY" and interval == 1 and "BYMONTHDAY" in parts:
        return "毎月" + "・".join(parts["BYMONTHDAY"].split(",")) + "日"
    return f"年{occurrences_per_year(rule)}回"


# --- Japanese schedule words → RRULE ---------------------------------------------------------------

_WEEKDAY_CODES = {ja: code for code, ja in _WEEKDAYS_JA.items()}
_KANJI_ORDINALS = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5"}
_SEP = r"[・、,/と及]"
_DAY = r"[月火水木金土日](?:曜日?)?"
#: A day list such as 月・木曜, 月曜・木曜日, 火、金曜日. The last day must say 曜 (checked below),
#: otherwise "毎週日" or "毎月1日" could be read as a weekday.
_DAYS = rf"{_DAY}(?:{_SEP}{_DAY})*"
_WEEKLY = re.compile(rf"^(?P<every>毎週|隔週|(?P<n>[2-4])週(?:ごと|毎))(?P<days>{_DAYS})$")
_WEEKLY_SUFFIX = re.compile(rf"^(?P<days>{_DAYS})\((?P<every>毎週|隔週)\)$")
_ORDINAL = r"(?:第?[1-5]|最終)"
_MONTHLY_GROUP = rf"(?:第?[1-5]|最終)(?:{_SEP}{_ORDINAL})*{_DAYS}"
_MONTHLY = re.compile(rf"^(?:毎月)?(?P<groups>{_MONTHLY_GROUP}(?:{_SEP}{_MONTHLY_GROUP})*)$")
_MONTHDAYS = re.compile(rf"^毎月(?P<days>\d{{1,2}}日?(?:{_SEP}\d{{1,2}}日?)*)$")
#: 月2回（第2・第4火曜） or 第2・第4火曜（月2回）: the count must agree with the days named.
_TIMES_A_MONTH = re.compile(r"^(?:毎月)?月(?P<n>[1-9])回\((?P<inner>.+)\)$")
_TIMES_A_MONTH_AFTER = re.compile(r"^(?P<inner>.+)\((?:毎月)?月(?P<n>[1-9])回\)$")
#: Times after the days (10:00〜11:30, 10時半から, 午後) are not part of the rule.
_CLOCK = r"(?:午前|午後)?\d{1,2}(?::\d{2}|時(?:\d{1,2}分|半)?)"
_TIME_RANGE = rf"(?:{_CLOCK}(?:頃|ごろ)?(?:(?:[〜~\-–—ー]|から)(?:{_CLOCK})?(?:頃|ごろ|まで)?)?|午前中?|午後)"
_TIME_TAIL = re.compile(rf"の?(?:{_TIME_RANGE})(?:[、,・]?{_TIME_RANGE})*$")


def _weekday_codes(days: str) -> list[str] | None:
    """``月・木曜`` → ``["MO", "TH"]``; ``None`` unless the list ends in 曜 (so 毎週日 stays unread)."""
    if not days.endswith(("曜", "曜日")):
        return None
    codes = []
    for part in re.split(_SEP, days):
        code = _WEEKDAY_CODES[part[0]]
        if code not in codes:
            codes.append(code)
    return codes


def _monthly_byday(groups: str) -> list[str] | None:
    """``第2・第4火曜`` → ``["2TU", "4TU"]``; ``第1月曜・第3木曜`` → ``["1MO", "3TH"]``;
    ``第1・第3水・金曜`` → ``["1WE", "3WE", "1FR", "3FR"]`` (every ordinal with every day).

    A run of days takes the ordinals just before it; only its last day says 曜. 第1水曜・金曜 is
    not read: it may mean 毎週金曜.
    """
    byday, ordinals, days = [], [], []

    def close() -> bool:
        nonlocal ordinals, days
        if not ordinals or not days[-1].endswith(("曜", "曜日")) or any("曜" in d for d in days[:-1]):
            return False
        byday.extend(f"{n}{_WEEKDAY_CODES[d[0]]}" for d in days for n in ordinals)
        ordinals, days = [], []
        return True

    for token in re.findall(rf"第?[1-5]|最終|{_DAY}", groups):
        if token[0] in _WEEKDAY_CODES:
            days.append(token)
            continue
        if days and not close():
            return None
        ordinals.append("-1" if token == "最終" else token.lstrip("第"))
    if ordinals and not days:
        return None
    if days and not close():
        return None
    return list(dict.fromkeys(byday))


def parse_schedule_ja(text: str | None) -> str | None:
    """An RRULE for an unambiguous Japanese schedule phrase, else ``None``.

    Read (after NFKC, so 全角数字 and spaces do not matter; 曜 or 曜日 either way):

    ============================  ==============================
    毎週水曜 / 水曜日（毎週）      ``FREQ=WEEKLY;BYDAY=WE``
    毎週月・木曜                   ``FREQ=WEEKLY;BYDAY=MO,TH``
    隔週金曜 / 3週ごと月曜         ``FREQ=WEEKLY;INTERVAL=2;BYDAY=FR``
    (毎月)第2・第4火曜             ``FREQ=MONTHLY;BYDAY=2TU,4TU``
    (毎月)最終金曜                 ``FREQ=MONTHLY;BYDAY=-1FR``
    第1・第3水・金曜               ``FREQ=MONTHLY;BYDAY=1WE,3WE,1FR,3FR``
    月2回（第2・第4火曜）           ``FREQ=MONTHLY;BYDAY=2TU,4TU`` (the count must match)
    毎月15日 / 毎月1日・15日        ``FREQ=MONTHLY;BYMONTHDAY=1,15``
    ============================  ==============================

    Times after the days (``毎週水曜 10:00〜11:30``) are ignored: the rule says which days, the
    display text keeps the time. Anything else — 月2回程度, 不定期, 要問合せ, 毎週水曜（祝日除く）,
    a bare 水曜日 (one day or every week?) — gives ``None``: a guessed rule would put a place on
    the map as "weekly" that is not.

    >>> parse_schedule_ja("毎月第２・第４火曜日 13:30〜15:00")
    'FREQ=MONTHLY;BYDAY=2TU,4TU'
    """
    if not isinstance(text, str):
        return None
    value = unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")
    for kanji, digit in _KANJI_ORDINALS.items():
        value = value.replace(f"第{kanji}", f"第{digit}")
    # 第2週の火曜 is not 第2火曜 when the month starts on a Wednesday: left unread on purpose
    value = value.replace("毎月の", "毎月").rstrip("。")
    value = _TIME_TAIL.sub("", value).rstrip("、,・の")
    return _rule_of(value) if value else None


def _rule_of(value: str) -> str | None:
    """The rule of a normalised phrase (NFKC, no spaces, no trailing times); see parse_schedule_ja."""
    match = _TIMES_A_MONTH.match(value) or _TIMES_A_MONTH_AFTER.match(value)
    if match:
        inner = _rule_of(match.group("inner"))
        parts = _parts(inner) if inner else {}
        count = len(parts.get("BYDAY", "").split(","))
        if parts.get("FREQ") == "MONTHLY" and "BYDAY" in parts and count == int(match.group("n")):
            return inner
        return None
    match = _WEEKLY.match(value) or _WEEKLY_SUFFIX.match(value)
    if match:
        codes = _weekday_codes(match.group("days"))
        if codes is None:
            return None
        every = match.group("every")
        interval = 2 if every == "隔週" else int(match.groupdict().get("n") or 1)
        prefix = "FREQ=WEEKLY" + (f";INTERVAL={interval}" if interval > 1 else "")
        return f"{prefix};BYDAY={','.join(codes)}"
    match = _MONTHLY.match(value)
    if match:
        byday = _monthly_byday(match.group("groups"))
        if byday:
            return f"FREQ=MONTHLY;BYDAY={','.join(byday)}"
    match = _MONTHDAYS.match(value)
    if match and match.group("days").endswith("日"):
        days = list(dict.fromkeys(int(d) for d in re.findall(r"\d{1,2}", match.group("days"))))
        if all(1 <= d <= 31 for d in days):
            return "FREQ=MONTHLY;BYMONTHDAY=" + ",".join(str(d) for d in days)
    return None


# --- Times of day -----------------------------------------------------------------------------------

_DIGIT = "[0-9０-９]"
#: A clock time as people write it, half- or full-width: 10:00, １０：００, 午前10時, 午後1時半, 10時30分.
_CLOCK_ANY = rf"(?:午前|午後)?{_DIGIT}{{1,2}}(?:[:：]{_DIGIT}{{2}}|時(?:{_DIGIT}{{1,2}}分|半)?)"
_RANGE_ANY = re.compile(rf"(?P<start>{_CLOCK_ANY})(?:頃|ごろ)?[ \u3000]*(?:(?:[〜~～\-－–—ー]|から)[ \u3000]*"
                        rf"(?P<end>{_CLOCK_ANY})?(?:頃|ごろ|まで)?)?")
_CLOCK_PARTS = re.compile(r"(?P<ampm>午前|午後)?(?P<h>\d{1,2})(?::(?P<m>\d{2})|時(?:(?P<mm>\d{1,2})分|(?P<half>半))?)")
_HM = re.compile(r"^(\d{1,2}):(\d{2})$")


def _clock(text: str, afternoon: bool = False) -> str:
    """``午後1時半`` → ``13:30``; ``afternoon``: an earlier 午後 carries over (午後1時〜3時 ends 15:00)."""
    match = _CLOCK_PARTS.fullmatch(unicodedata.normalize("NFKC", text))
    hour = int(match.group("h"))
    minute = 30 if match.group("half") else int(match.group("m") or match.group("mm") or 0)
    if (match.group("ampm") == "午後" or (afternoon and not match.group("ampm"))) and hour < 12:
        hour += 12
    return f"{hour}:{minute:02d}"


def parse_times(text: str | None) -> tuple[str, str]:
    """Start and end (``"H:MM"``, ``""`` when not written) of the first time range in ``text``.

    >>> parse_times("毎月第1・3水曜日 10:00～11:30")
    ('10:00', '11:30')
    >>> parse_times("毎週月曜 午前10時から")
    ('10:00', '')
    """
    match = _RANGE_ANY.search(text or "")
    if not match:
        return "", ""
    start = _clock(match.group("start"))
    end = _clock(match.group("end"), afternoon="午後" in match.group("start")) if match.group("end") else ""
    return start, end


def _minutes(clock: str) -> int | None:
    match = _HM.match(clock or "")
    if not match or int(match.group(1)) > 24 or int(match.group(2)) > 59:
        return None
    return int(match.group(1)) * 60 + int(match.group(2))


# --- The schedule builder: one source of truth --------------------------------------------------------

#: Builder choices. ``other`` keeps a stored rule the builder does not edit (毎月15日, 3週ごと …);
#: ``unread`` keeps imported words that are not a rule (月2回程度): such a place is 要確認.
REPEATS = {
    "weekly": "毎週", "biweekly": "隔週", "monthly": "毎月（第N週）", "irregular": "不定期", "none": "日程未登録",
    "other": "いまの規則のまま", "unread": "取り込んだ日程の文のまま（要確認）",
}
WEEKDAY_CODES = tuple(_WEEKDAYS_JA)  # MO … SU
WEEKDAY_LABELS = dict(_WEEKDAYS_JA)
ORDINAL_CHOICES = (1, 2, 3, 4, 5, -1)  # -1 = 最終
ORDINAL_LABELS = {1: "第1", 2: "第2", 3: "第3", 4: "第4", 5: "第5", -1: "最終"}
IRREGULAR = "不定期"
#: Words that name days; a remark holding them could contradict the rule, so it is refused.
_DAY_WORDS = re.compile(r"[月火水木金土日]曜|第\s*[1-5１-５一二三四五]|最終|毎週|隔週|毎月")


@dataclass(frozen=True)
class Schedule:
    """A schedule as the builder edits it; :meth:`rrule` and :meth:`text` are derived from it, so
    the rule the filters read and the words people read cannot drift apart.

    ``repeat`` is a key of :data:`REPEATS`; ``weekdays`` are RRULE codes (``MO`` … ``SU``);
    ``ordinals`` are 1–5 or -1 (最終), used by ``monthly`` only; ``start``/``end`` are ``"H:MM"``
    or ``""``; ``remark`` is a short note shown after the time (``（電話受付）``, ``8月は休み``) and
    may not name days. ``kept`` is the stored rule (``other``) or the imported words (``unread``).
    Choices that do not belong to ``repeat`` (a 第N週 with 毎週, days with 不定期) are not used.
    """

    repeat: str = "none"
    weekdays: tuple[str, ...] = ()
    ordinals: tuple[int, ...] = ()
    start: str = ""
    end: str = ""
    remark: str = ""
    kept: str = ""

    def _days(self) -> list[str]:
        return [d for d in WEEKDAY_CODES if d in self.weekdays]

    def _ordinals(self) -> list[int]:
        return sorted({n for n in self.ordinals if n in ORDINAL_CHOICES}, key=lambda n: (n < 0, n))

    def problems(self) -> list[str]:
        """What must be fixed before this can be saved (Japanese messages; empty when fine)."""
        found = []
        if self.repeat not in REPEATS:
            return [f"繰り返し「{self.repeat}」は選べません（{'・'.join(REPEATS.values())}）"]
        if self.repeat in ("weekly", "biweekly", "monthly") and not self._days():
            found.append("曜日を選んでください")
        if self.repeat == "monthly" and not self._ordinals():
            found.append("第何週かを選んでください（例：第1と第3）")
        if self.repeat == "other" and not self.kept:
            found.append("いまの規則がありません。繰り返しを選んでください")
        if self.repeat in ("none", "unread"):
            return found
        start, end = _minutes(self.start), _minutes(self.end)
        if self.start and start is None:
            found.append(f"開始時刻「{self.start}」は 10:00 のように書いてください")
        if self.end and end is None:
            found.append(f"終了時刻「{self.end}」は 11:30 のように書いてください")
        if self.end and not self.start:
            found.append("終了時刻だけでは登録できません（開始時刻も入れてください）")
        if start is not None and end is not None and end <= start:
            found.append("終了時刻は開始時刻より後にしてください")
        if _DAY_WORDS.search(self.remark or ""):
            found.append("補足には曜日や「毎週」「第N」を書かないでください（日程は繰り返しと曜日で選びます）")
        return found

    def rrule(self) -> str | None:
        """The RFC 5545 rule (``None`` for 不定期, 日程未登録 and unread words)."""
        days = self._days()
        if self.repeat == "weekly" and days:
            return "FREQ=WEEKLY;BYDAY=" + ",".join(days)
        if self.repeat == "biweekly" and days:
            return "FREQ=WEEKLY;INTERVAL=2;BYDAY=" + ",".join(days)
        if self.repeat == "monthly" and days and self._ordinals():
            return "FREQ=MONTHLY;BYDAY=" + ",".join(f"{n}{d}" for d in days for n in self._ordinals())
        if self.repeat == "other" and self.kept:
            return self.kept
        return None

    def text(self) -> str | None:
        """The words shown to people: :func:`describe_ja` of the rule (or 不定期), then the time and
        the remark; the imported words as they were for ``unread``; ``None`` when nothing is set."""
        if self.repeat == "unread":
            return self.kept or None
        rule = self.rrule()
        if rule:
            words = describe_ja(rule)
        elif self.repeat == "irregular":
            words = IRREGULAR
        else:
            return None
        return compose(words, self.start, self.end, self.remark)


def compose(words: str, start: str = "", end: str = "", remark: str = "") -> str:
    """``毎週水曜`` + ``10:00`` + ``11:30`` + ``（祝日除く）`` → ``毎週水曜 10:00〜11:30（祝日除く）``."""
    text = words
    if start:
        text += f" {start}〜{end}"
    remark = (remark or "").strip()
    if remark:
        text += remark if remark[0] in "（(" else f" {remark}"
    return text


def schedule_from_rule(rule: str, start: str = "", end: str = "", remark: str = "") -> Schedule:
    """The builder state of a rule: 毎週/隔週/毎月第N when the builder can say it, else ``other``."""
    parts = _parts(rule)
    freq, interval = parts.get("FREQ"), parts.get("INTERVAL", "1")
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    extra = set(parts) - {"FREQ", "INTERVAL", "BYDAY", "WKST"}
    times = {"start": start, "end": end, "remark": remark}
    if not extra and freq == "WEEKLY" and interval in ("1", "2") and days and all(d in _WEEKDAYS_JA for d in days):
        return Schedule("weekly" if interval == "1" else "biweekly", weekdays=tuple(days), **times)
    grid = _ordinal_grid(days) if days else None
    if not extra and freq == "MONTHLY" and interval == "1" and grid:
        return Schedule("monthly", weekdays=tuple(grid[1]), ordinals=tuple(grid[0]), **times)
    return Schedule("other", kept=rule, **times)


def read_schedule(text: str | None) -> Schedule | None:
    """Imported words → a builder state, or ``None`` when they are not a rule (then 要確認).

    The rule comes from :func:`parse_schedule_ja`, the times from :func:`parse_times`;
    ``不定期`` is read as 不定期. Nothing else is guessed.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    start, end = parse_times(text)
    rule = parse_schedule_ja(text)
    if rule:
        return schedule_from_rule(rule, start, end)
    value = unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")
    if _TIME_TAIL.sub("", value).rstrip("、,・の") == IRREGULAR:
        return Schedule("irregular", start=start, end=end)
    return None


def _after_words(text: str, words: str) -> tuple[str, str, str] | None:
    """When ``text`` starts with ``words`` (after NFKC), the start, end and remark after them."""
    text = text.strip()
    if not unicodedata.normalize("NFKC", text).startswith(words):
        return None
    # the shortest head of the original text that reads as the words: the rest keeps its own
    # characters (a remark 「（電話受付）」 keeps its full-width brackets)
    cut = next(i for i in range(len(text) + 1) if unicodedata.normalize("NFKC", text[:i]) == words)
    rest = text[cut:].removeprefix("日").strip(" \u3000")  # 毎週水曜日 10:00: 曜 or 曜日
    match = _RANGE_ANY.match(rest)
    if not match:
        return "", "", rest
    start, end = parse_times(match.group(0))
    return start, end, rest[match.end():].strip()


def schedule_of(rule: str | None, text: str | None) -> Schedule:
    """The builder state of a stored place (its rule and its words).

    The rule decides the days; the time and remark are read from the words (a text that drifted
    from its rule — 「第3金曜」 beside ``3TH`` — keeps only its time). Without a rule, 不定期 stays
    不定期, words that read as a rule become it, and other words are kept as ``unread``.
    """
    rule = (rule or "").strip()
    text = (text or "").strip()
    if rule:
        after = _after_words(text, describe_ja(rule)) if text else None
        if after is not None and not _DAY_WORDS.search(after[2]):
            return schedule_from_rule(rule, *after)
        return schedule_from_rule(rule, *parse_times(text))
    if not text:
        return Schedule()
    after = _after_words(text, IRREGULAR)
    if after is not None and not _DAY_WORDS.search(after[2]):
        return Schedule("irregular", start=after[0], end=after[1], remark=after[2])
    return read_schedule(text) or Schedule("unread", kept=text)


def same_days(rule_a: str, rule_b: str) -> bool:
    """Whether two rules fall on the same days (2025–2026): ``BYDAY=3WE,1WE`` equals ``1WE,3WE``."""
    return (_parse(rule_a).between(_YEAR_START, _COMPARE_END, inc=True)
            == _parse(rule_b).between(_YEAR_START, _COMPARE_END, inc=True))


def reconcile(rule: str, text: str | None) -> tuple[str | None, str | None]:
    """Words for a stored or imported ``rule`` given the words that came with it.

    Returns ``(schedule_text, None)`` — the rule's words plus the time (and remark) of ``text`` —
    or ``(None, reason)`` when ``text`` names other days than the rule (第3金曜 beside ``3TH``) or
    cannot be checked against it: the two must never be stored side by side.
    """
    words = describe_ja(rule)
    if not text or not text.strip():
        return words, None
    after = _after_words(text, words)
    if after is not None and not _DAY_WORDS.search(after[2]):
        return compose(words, *after), None
    reading = read_schedule(text)
    if reading is not None and reading.rrule() and same_days(reading.rrule(), rule):
        return compose(words, reading.start, reading.end), None
    if reading is None:
        return None, f"日程「{text.strip()}」を繰り返し規則（{words}）と照合できません"
    return None, f"日程「{text.strip()}」と繰り返し規則（{words}）が食い違っています"


def needs_check(rule: str | None, text: str | None) -> bool:
    """要確認 (schedule): words that are not a rule and not 不定期 (月2回程度, 要問合せ …)."""
    rule = "" if not isinstance(rule, str) else rule.strip()
    text = "" if not isinstance(text, str) else text.strip()
    return not rule and bool(text) and schedule_of(None, text).repeat == "unread"


def display_text(rule: str | None, text: str | None) -> str:
    """The schedule as shown: always the rule's words when there is a rule (with the time from the
    stored words), so a text that drifted from its rule is never shown; else the words or 日程未登録."""
    rule = "" if not isinstance(rule, str) else rule.strip()
    text = "" if not isinstance(text, str) else text.strip()
    if not rule:
        return text or describe_ja(None)
    return schedule_of(rule, text).text() or describe_ja(rule)
