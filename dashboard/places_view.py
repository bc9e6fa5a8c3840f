"""What the resource map shows: filtering places and describing one place. Pure pandas."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from dateutil.rrule import rrulestr

from dashboard import schedule, vocab
from dashboard.normalize import is_missing, search_key
from dashboard.readings import text_matches
from dashboard.settings import STALE_AFTER_DAYS

WEEKDAYS = {"MO": "月", "TU": "火", "WE": "水", "TH": "木", "FR": "金", "SA": "土", "SU": "日"}
FREQUENCY_FILTERS = {"all": "すべて", "weekly": "毎週（週1回以上）", "monthly": "月1回以上"}


@dataclass(frozen=True)
class PlaceFilter:
    """Sidebar choices. Empty tuples mean "no restriction"."""

    categories: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    weekdays: tuple[str, ...] = ()  # RRULE day codes: MO … SU
    frequency: str = "all"  # all / weekly / monthly (= 月1回以上, weekly included)
    area_id: str | None = None
    targets: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("active",)
    text: str = ""


def _text(value) -> str:
    """A cell as text; None, NaN and blanks are ``""`` (frames hold NaN for missing text)."""
    return "" if is_missing(value) else str(value).strip()


def weekdays_of(rule: str | None) -> set[str]:
    """RRULE BYDAY day codes (``2TU`` → ``TU``); empty when the rule names no day."""
    rule = _text(rule)
    if not rule:
        return set()
    for part in rule.upper().removeprefix("RRULE:").split(";"):
        if part.startswith("BYDAY="):
            return {d.strip()[-2:] for d in part[6:].split(",") if d.strip()}
    return set()


def _contains_any(series: pd.Series, needles: tuple[str, ...]) -> pd.Series:
    text = series.fillna("")
    mask = pd.Series(False, index=series.index)
    for needle in needles:
        mask |= text.str.contains(needle, regex=False)
    return mask


def filter_places(places: pd.DataFrame, chosen: PlaceFilter) -> pd.DataFrame:
    """The rows of ``places`` that match every choice; the input is not modified."""
    mask = pd.Series(True, index=places.index)
    if chosen.categories:
        mask &= places["category"].isin(chosen.categories)
    if chosen.activities:
        mask &= _contains_any(places["activities"], chosen.activities)
    if chosen.targets:
        mask &= _contains_any(places["target"], chosen.targets)
    if chosen.weekdays:
        wanted = set(chosen.weekdays)
        mask &= places["rrule"].map(lambda r: bool(weekdays_of(r) & wanted))
    if chosen.frequency == "weekly":
        mask &= places["frequency_class"] == "weekly"
    elif chosen.frequency == "monthly":
        mask &= places["frequency_class"].isin(("weekly", "monthly"))
    if chosen.area_id:
        mask &= places["area_id"] == chosen.area_id
    if chosen.statuses:
        mask &= places["status"].isin(chosen.statuses)
    if search_key(chosen.text):  # name, ふりがな or address, as written or as read (readings.py)
        mask &= text_matches(places, chosen.text)
    return places[mask]


def is_stale(last_verified, today: date, max_age_days: int = STALE_AFTER_DAYS) -> bool:
    """要確認: never verified, or verified more than ``max_age_days`` ago."""
    if is_missing(last_verified):
        return True
    return (today - last_verified).days > max_age_days


def details(place: dict, today: date, *, internal: bool = True) -> list[tuple[str, str]]:
    """``(label, text)`` pairs describing one place, in reading order, for a detail panel.

    Only fields present in ``place`` are shown, so a public record (no internal contact) yields
    no internal line. Values are plain text: the caller escapes or renders them as text.
    ``internal`` False (residents): no 要確認 notes and no 公開区分 — those are the coordinators'
    work lists — and the date the information was last checked only when there is one.
    """
    text = {key: _text(value) for key, value in place.items()}
    rows = [("種別", text.get("category", ""))]
    status = text.get("status")
    if status and status != "active":
        rows.append(("状態", vocab.STATUSES.get(status, status)))
    # the words come from the rule (a stored text that drifted from its rule is never shown)
    words = schedule.display_text(text.get("rrule"), text.get("schedule_text"))
    if internal and schedule.needs_check(text.get("rrule"), text.get("schedule_text")):
        words += "（要確認：日程を曜日の規則として読めませんでした）"
    rows.append(("日程", words))
    rows.append(("頻度", vocab.FREQUENCY_CLASSES.get(text.get("frequency_class") or "unknown", "不明")))
    for key, label in (("address", "所在地"), ("building", "会場・建物"), ("contact_public", "連絡先"),
                       ("operator_type", "運営"),
                       ("venue_type", "場所"), ("activities", "活動"), ("target", "対象"), ("fee", "参加費"),
                       ("url", "ホームページ")):
        if text.get(key):
            rows.append((label, text[key]))
    if text.get("capacity"):
        rows.append(("定員", f"{int(float(text['capacity']))}人"))
    if text.get("contact_internal"):
        rows.append(("内部連絡先（非公開）", text["contact_internal"]))
    verified = place.get("last_verified")
    verified = verified if isinstance(verified, date) else None
    if internal:
        badge = "（要確認：12か月以上確認されていません）" if is_stale(verified, today) else ""
        rows.append(("最終確認日", (verified.isoformat() if verified else "未確認") + badge))
    elif verified:
        rows.append(("情報を確認した日", japanese_date(verified)))
    precision = text.get("location_precision")
    if precision and precision not in ("surveyed", "manual"):
        rows.append(("位置の精度", vocab.LOCATION_PRECISIONS.get(precision, precision)))
    rows.append(("出典", text.get("source") or "不明"))
    if internal and text.get("visibility"):
        rows.append(("公開区分", vocab.VISIBILITIES.get(text["visibility"], text["visibility"])))
    return rows


# --- the resident's list: next date, tap-to-call, CSV ------------------------------------------------

_WEEKDAY_JA = "月火水木金土日"


def japanese_date(day: date) -> str:
    """「2026年12月4日（金）」."""
    return f"{day.year}年{day.month}月{day.day}日（{_WEEKDAY_JA[day.weekday()]}）"


def next_date(rule: str | None, today: date) -> date | None:
    """The first day on or after ``today`` that ``rule`` (an RRULE) names, or None.

    None as well when the day cannot be known from the rule alone: a rule that repeats every
    second week or month (``INTERVAL`` > 1) depends on a start date we do not store, and 不定期 or
    unreadable rules have no next day.
    """
    text = _text(rule).upper().removeprefix("RRULE:")
    if not text or "INTERVAL=" in text and not re.search(r"INTERVAL=1(;|$)", text):
        return None
    try:
        start = datetime(today.year, today.month, today.day)
        found = rrulestr(text, dtstart=start).after(start - timedelta(seconds=1))
    except (ValueError, TypeError):
        return None
    return found.date() if found else None


def next_date_text(rule: str | None, today: date) -> str:
    """「次回 12月4日（金）」, 「次回 今日」 or 「次回 明日」; empty when :func:`next_date` cannot say."""
    day = next_date(rule, today)
    if day is None:
        return ""
    if day == today:
        return "次回 今日"
    if day == today + timedelta(days=1):
        return "次回 明日"
    return f"次回 {day.month}月{day.day}日（{_WEEKDAY_JA[day.weekday()]}）"


#: A Japanese phone number inside free text (after NFKC): 048-000-4707, 048(432)1234, 0120-12-3456.
_PHONE_IN_TEXT = re.compile(r"(?<![\d-])0\d{1,4}(?:-|\(|\s)?\d{1,4}(?:-|\)|\s)?\d{3,4}(?![\d-])")


def contact_parts(text: str | None) -> list[tuple[str, str | None]]:
    """Split a contact text into ``(piece, digits)``: ``digits`` is set for a phone number (10 or
    11 digits, for a ``tel:`` link) and None for the words around it. The pieces join back to the
    text as written (only normalised to NFKC, so full-width digits can be dialled)."""
    text = unicodedata.normalize("NFKC", _text(text))
    parts, last = [], 0
    for match in _PHONE_IN_TEXT.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) not in (10, 11):
            continue
        if match.start() > last:
            parts.append((text[last:match.start()], None))
        parts.append((match.group(), digits))
        last = match.end()
    if last < len(text):
        parts.append((text[last:], None))
    return parts


def list_rows(places: pd.DataFrame, today: date) -> pd.DataFrame:
    """What the resident's list shows per place: ``id``, ``name``, ``category`` and ``when`` (the
    next date, else the schedule in words, else 「日程は連絡先へ」). Same order as ``places``."""
    when = []
    for rule, words in zip(places["rrule"], places["schedule_text"]):
        rule, words = _text(rule) or None, _text(words) or None
        said = schedule.display_text(rule, words) if rule or words else ""
        when.append(next_date_text(rule, today) or said or "日程は連絡先にお問い合わせください")
    return pd.DataFrame({"id": places["id"].tolist(), "name": places["name"].map(_text).tolist(),
                         "category": places["category"].map(_text).tolist(), "when": when})


#: The list for Excel, in Japanese: (header, place column) in column order.
RESIDENT_CSV_COLUMNS = (("名称", "name"), ("ふりがな", "name_kana"), ("種別", "category"), ("日程", None),
                        ("次回", None), ("圏域", None), ("住所", "address"), ("会場・建物", "building"),
                        ("連絡先", "contact_public"), ("活動", "activities"), ("対象", "target"), ("参加費", "fee"),
                        ("ホームページ", "url"), ("緯度", "lat"), ("経度", "lon"))


def resident_table(places: pd.DataFrame, area_names: dict[str, str], today: date) -> pd.DataFrame:
    """The filtered list as a table with Japanese headers (:data:`RESIDENT_CSV_COLUMNS`): what a
    resident can read in Excel. Only public fields; the input is not modified."""
    table = {}
    for header, column in RESIDENT_CSV_COLUMNS:
        if header == "日程":
            table[header] = [schedule.display_text(_text(r) or None, _text(w) or None)
                             for r, w in zip(places["rrule"], places["schedule_text"])]
        elif header == "次回":
            table[header] = [next_date_text(r, today).removeprefix("次回 ") for r in places["rrule"]]
        elif header == "圏域":
            table[header] = [area_names.get(a, "") if isinstance(a, str) else "" for a in places["area_id"]]
        elif column in places.columns:
            table[header] = places[column].tolist() if column in ("lat", "lon") else places[column].map(_text).tolist()
        else:
            table[header] = [""] * len(places)
    return pd.DataFrame(table)
