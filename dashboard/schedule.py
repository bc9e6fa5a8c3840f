"""Schedules as RFC 5545 RRULEs: frequency class and a Japanese description.

Parsing and expansion use ``dateutil.rrule`` (domain.md: don't write an RRULE parser).
"""

from __future__ import annotations

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
