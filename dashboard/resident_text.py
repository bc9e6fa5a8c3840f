"""What the resident pages say about places, in the visitor's language (``ja``, ``easy``, ``en``).

The coordinators' wording lives in :mod:`dashboard.places_view`; for ``ja`` these functions return
exactly that (residents on the Japanese page see what they saw before). For やさしい日本語 and English
every fixed word comes from :mod:`dashboard.i18n`; place names, addresses, fees, contacts and area
names are data and stay as written, and a place's name gets its reading (the ふりがな column, else
the reading :func:`dashboard.readings.reading` derives) so a reader who cannot read the kanji can
still say it.

Strings are returned ready to show where ruby cannot be set (widget labels, Markdown, CSV): やさしい
日本語 carries its ふりがな in brackets (:func:`dashboard.i18n.with_readings`). Pure pandas, no I/O.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from dashboard import i18n, places_view, schedule, sources
from dashboard.normalize import is_missing, search_key
from dashboard.readings import reading, shown_reading

#: Detail kinds a renderer treats specially (tap-to-call, link); everything else is plain text.
CONTACT, URL, TEXT = "contact", "url", "text"
_JA_KINDS = {"連絡先": CONTACT, "ホームページ": URL}


def _text(value) -> str:
    return "" if is_missing(value) else str(value).strip()


def _say(text: str) -> str:
    return i18n.with_readings(text)


def place_reading(name, kana=None) -> str:
    """How to read a place's name: its ふりがな when given, else the derived reading; "" when the
    name is already written as it is read (kana only), so nothing is said twice."""
    name, kana = _text(name), _text(kana)
    said = shown_reading(kana or reading(name))
    return "" if not said or search_key(said) == search_key(name) else said


def category(value, lang: str) -> str:
    return _say(i18n.category_name(_text(value), lang))


def next_date_text(rule, today: date, lang: str) -> str:
    """「次回 12月4日（金）」 / 「つぎ：12/4（金（きん））」 / "Next: Fri 4 Dec"; "" when the rule cannot say."""
    if lang == "ja":
        return places_view.next_date_text(rule, today)
    day = places_view.next_date(rule, today)
    if day is None:
        return ""
    if day == today:
        when = i18n.text("today", lang)
    elif day == today + timedelta(days=1):
        when = i18n.text("tomorrow", lang)
    else:
        when = i18n.date_words(day, lang, year=False)
    return i18n.display("next", lang, date=_say(when))


def schedule_text(rule, words, lang: str) -> str:
    """The schedule in words (a remark written in the data stays as written)."""
    rule, words = _text(rule) or None, _text(words) or None
    if lang == "ja":
        return schedule.display_text(rule, words)
    return _say(i18n.schedule_words(rule, words, lang))


def list_rows(places: pd.DataFrame, today: date, lang: str) -> pd.DataFrame:
    """:func:`dashboard.places_view.list_rows` in ``lang``, with ``reading`` (empty in ``ja``, where
    the list stays as it was)."""
    if lang == "ja":
        rows = places_view.list_rows(places, today)
        return rows.assign(reading="")
    kana = places["name_kana"] if "name_kana" in places.columns else pd.Series("", index=places.index)
    when = []
    for rule, words in zip(places["rrule"], places["schedule_text"]):
        said = schedule_text(rule, words, lang) if _text(rule) or _text(words) else ""
        when.append(next_date_text(rule, today, lang) or said or i18n.display("ask_schedule", lang))
    return pd.DataFrame({"id": places["id"].tolist(), "name": places["name"].map(_text).tolist(),
                         "reading": [place_reading(n, k) for n, k in zip(places["name"], kana)],
                         "category": [category(c, lang) for c in places["category"]], "when": when})


def details(place: dict, today: date, lang: str) -> list[tuple[str, str, str]]:
    """``(kind, label, text)`` for a resident's detail panel (kind: :data:`CONTACT`, :data:`URL` or
    :data:`TEXT`). ``ja`` is :func:`dashboard.places_view.details` for residents, word for word."""
    if lang == "ja":
        return [(_JA_KINDS.get(label, TEXT), label, value)
                for label, value in places_view.details(place, today, internal=False)]
    text = {key: _text(value) for key, value in place.items()}
    label = lambda key: i18n.display(key, lang)  # noqa: E731
    rows = [(TEXT, label("category"), category(text.get("category"), lang))]
    said = place_reading(text.get("name"), text.get("name_kana"))
    if said:
        rows.insert(0, (TEXT, label("kana"), said))
    status = text.get("status")
    if status and status != "active":
        rows.append((TEXT, label("status"), _say(i18n.name_in(i18n.STATUS_NAMES, status, lang))))
    rows.append((TEXT, label("schedule"), schedule_text(text.get("rrule"), text.get("schedule_text"), lang)))
    frequency = text.get("frequency_class") or "unknown"
    rows.append((TEXT, label("frequency_label"), _say(i18n.name_in(i18n.FREQUENCY_NAMES, frequency, lang))))
    for key, kind, name in (("address", TEXT, "address_label"), ("building", TEXT, "building"),
                            ("contact_public", CONTACT, "contact_label")):
        if text.get(key):
            rows.append((kind, label(name), text[key]))
    for key, names, name in (("operator_type", i18n.OPERATOR_NAMES, "operator"), ("venue_type", i18n.VENUE_NAMES, "venue")):
        if text.get(key):
            rows.append((TEXT, label(name), _say(i18n.name_in(names, text[key], lang))))
    if text.get("activities"):
        rows.append((TEXT, label("activities"), _say(i18n.list_in(i18n.ACTIVITY_NAMES, text["activities"], lang))))
    if text.get("target"):
        rows.append((TEXT, label("target"), _say(i18n.target_name(text["target"], lang))))
    if text.get("fee"):
        rows.append((TEXT, label("fee"), text["fee"]))
    if text.get("url"):
        rows.append((URL, label("homepage"), text["url"]))
    if text.get("capacity"):
        rows.append((TEXT, label("capacity"), i18n.display("people", lang, n=int(float(text["capacity"])))))
    verified = place.get("last_verified")
    if isinstance(verified, date):
        rows.append((TEXT, label("verified"), _say(i18n.date_words(verified, lang))))
    precision = text.get("location_precision")
    if precision and precision not in ("surveyed", "manual"):
        rows.append((TEXT, label("precision"), _say(i18n.name_in(i18n.PRECISION_NAMES, precision, lang))))
    rows.append((TEXT, label("sources"), text.get("source") or label("unknown")))
    return rows


#: The list for Excel in English: (header, place column) in the column order of the Japanese one.
CSV_COLUMNS_EN = (("Name", "name"), ("Reading (kana)", "name_kana"), ("Type", "category"), ("Schedule", None),
                  ("Next date", None), ("Area", None), ("Address", "address"), ("Building", "building"),
                  ("Contact", "contact_public"), ("Activities", "activities"), ("Who can join", "target"),
                  ("Fee", "fee"), ("Website", "url"), ("Latitude", "lat"), ("Longitude", "lon"))


def csv_table(places: pd.DataFrame, area_names: dict[str, str], today: date, lang: str) -> pd.DataFrame:
    """The list for Excel: Japanese headers and words in ``ja`` and ``easy`` (a spreadsheet cannot set
    ruby, and the city's own lists use these headers), English headers and words in ``en``; names,
    addresses, contacts and fees as written. Same rows as ``places``; the input is not modified."""
    if lang != "en":
        return places_view.resident_table(places, area_names, today)
    kana = places["name_kana"] if "name_kana" in places.columns else pd.Series("", index=places.index)
    table = {}
    for header, column in CSV_COLUMNS_EN:
        if header == "Reading (kana)":
            table[header] = [_text(k) or place_reading(n) for n, k in zip(places["name"], kana)]
        elif header == "Type":
            table[header] = [category(c, lang) for c in places["category"]]
        elif header == "Schedule":
            table[header] = [schedule_text(r, w, lang) for r, w in zip(places["rrule"], places["schedule_text"])]
        elif header == "Next date":
            day = [places_view.next_date(r, today) for r in places["rrule"]]
            table[header] = [d.isoformat() if d else "" for d in day]
        elif header == "Area":
            table[header] = [area_names.get(a, "") if isinstance(a, str) else "" for a in places["area_id"]]
        elif header == "Activities":
            table[header] = [i18n.list_in(i18n.ACTIVITY_NAMES, _text(a), lang) for a in places["activities"]]
        elif header == "Who can join":
            table[header] = [i18n.target_name(_text(t), lang) for t in places["target"]]
        elif column in places.columns:
            table[header] = places[column].tolist() if column in ("lat", "lon") else places[column].map(_text).tolist()
        else:
            table[header] = [""] * len(places)
    return pd.DataFrame(table)


def synthetic(meta: dict, lang: str) -> list[str]:
    """What the city marks as synthetic, in ``lang`` (unknown words kept as written)."""
    return [_say(i18n.name_in(i18n.SYNTHETIC_NAMES, what, lang)) for what in sources.city_synthetic(meta)]


def synthetic_words(meta: dict, lang: str) -> str:
    """:func:`synthetic` as one phrase for a sentence: 「サロン・通いの場、ニーズ調査」,
    "salons and community groups, the needs survey"."""
    return ("、" if lang != "en" else ", ").join(synthetic(meta, lang))


def footer(meta: dict, lang: str) -> str:
    """The page footer's one line: the city's sources, then what is synthetic. ``ja`` is
    :func:`dashboard.sources.city_footer`; source names without a translation stay as the publisher
    wrote them."""
    if lang == "ja":
        return sources.city_footer(meta)
    keys = sources.city_source_keys(meta)
    names = [i18n.SOURCE_NAMES[lang].get(k) or sources.SOURCES.get(k, (k, k))[1] for k in keys]
    separator = "; " if lang == "en" else "、"
    line = i18n.display("footer_sources", lang, sources=separator.join(names)) if keys else i18n.display("footer_none", lang)
    what = synthetic_words(meta, lang)
    if what:
        line += " " + i18n.display("footer_synthetic", lang, what=what)
    return line
