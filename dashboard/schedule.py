"""Schedules as RFC 5545 RRULEs: frequency class and a Japanese description.

Parsing and expansion use ``dateutil.rrule`` (domain.md: don't write an RRULE parser).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from dateutil.rrule import rrulestr

#: A fixed reference year for counting occurrences (a common year starting on Wednesday).
_YEAR_START = datetime(2025, 1, 1)
_YEAR_END = datetime(2025, 12, 31, 23, 59)
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


def occurrences_per_year(rule: str) -> int:
    """How often ``rule`` happens in one calendar year."""
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


def describe_ja(rule: str | None) -> str:
    """Japanese words for common rules: 毎週水曜, 隔週金曜, 毎月第2・第4火曜, 毎月15日.

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
        ordinals = []
        weekday = None
        for d in days:
            number, wd = d[:-2], d[-2:]
            if wd not in _WEEKDAYS_JA or (weekday and wd != weekday) or number not in _ORDINALS:
                return f"年{occurrences_per_year(rule)}回"
            weekday = wd
            ordinals.append(_ORDINALS[number])
        return "毎月" + "・".join(ordinals) + _WEEKDAYS_JA[weekday] + "曜"
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
_MONTHLY_GROUP = rf"第?[1-5](?:{_SEP}{_ORDINAL})*{_DAY}|最終(?:{_SEP}{_ORDINAL})*{_DAY}"
_MONTHLY = re.compile(rf"^(?:毎月)?(?P<groups>(?:{_MONTHLY_GROUP})(?:{_SEP}(?:{_MONTHLY_GROUP}))*)$")
_MONTHDAYS = re.compile(rf"^毎月(?P<days>\d{{1,2}}日?(?:{_SEP}\d{{1,2}}日?)*)$")
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
    """``第2・第4火曜`` → ``["2TU", "4TU"]``; ``第1月曜・第3木曜`` → ``["1MO", "3TH"]``."""
    byday, pending = [], []
    for token in re.findall(rf"第?[1-5]|最終|{_DAY}", groups):
        if token[0] in _WEEKDAY_CODES:
            if not pending or not token.endswith(("曜", "曜日")):
                return None
            byday += [f"{n}{_WEEKDAY_CODES[token[0]]}" for n in pending]
            pending = []
        else:
            pending.append("-1" if token == "最終" else token.lstrip("第"))
    if pending:
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
    if not value:
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
