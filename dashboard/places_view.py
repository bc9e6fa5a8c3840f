"""What the resource map shows: filtering places and describing one place. Pure pandas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

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


def details(place: dict, today: date) -> list[tuple[str, str]]:
    """``(label, text)`` pairs describing one place, in reading order, for a detail panel.

    Only fields present in ``place`` are shown, so a public record (no internal contact) yields
    no internal line. Values are plain text: the caller escapes or renders them as text.
    """
    text = {key: _text(value) for key, value in place.items()}
    rows = [("種別", text.get("category", ""))]
    status = text.get("status")
    if status and status != "active":
        rows.append(("状態", vocab.STATUSES.get(status, status)))
    # the words come from the rule (a stored text that drifted from its rule is never shown)
    words = schedule.display_text(text.get("rrule"), text.get("schedule_text"))
    if schedule.needs_check(text.get("rrule"), text.get("schedule_text")):
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
    badge = "（要確認：12か月以上確認されていません）" if is_stale(verified, today) else ""
    rows.append(("最終確認日", (verified.isoformat() if verified else "未確認") + badge))
    precision = text.get("location_precision")
    if precision and precision not in ("surveyed", "manual"):
        rows.append(("位置の精度", vocab.LOCATION_PRECISIONS.get(precision, precision)))
    rows.append(("出典", text.get("source") or "不明"))
    if text.get("visibility"):
        rows.append(("公開区分", vocab.VISIBILITIES.get(text["visibility"], text["visibility"])))
    return rows
