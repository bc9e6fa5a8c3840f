"""つどいマップについて, written for residents of whichever city is selected: what the map is, how to
use it, whom to ask, and where the data come from. Nothing here names a particular city; every
city-specific word comes from the store (the city's name and facts, see dashboard.store.reads.meta).
Every fixed word comes from dashboard.i18n in the resident's language; the full attribution stays as
the publishers word it (in Japanese), with a note saying so."""

from __future__ import annotations

import streamlit as st

from dashboard import public_mode, resident_text, sources
from dashboard.places_view import contact_parts
from dashboard.ui import language
from dashboard.ui.language import t
from dashboard.ui.text import md_escape

#: A city's own contact for questions about the map (free text, e.g. 「蕨市 介護保険課 048-…」),
#: stored as the city fact ``public_contact``; phone numbers in it become tap-to-call links.
CONTACT_FACT = "public_contact"


def _with_phone_links(text: str) -> str:
    return "".join(f"[{md_escape(piece)}](tel:{digits})" if digits else md_escape(piece)
                   for piece, digits in contact_parts(text))


def introduction(city: str) -> None:
    name = md_escape(city)
    said = resident_text.place_reading(city) if language.current() != "ja" else ""
    heading = f"{name} ({md_escape(said)})" if said and language.current() == "en" else (
        f"{name}（{md_escape(said)}）" if said else name)  # the city's name as given, with its reading
    st.subheader(t("about_title", city=heading), anchor=False)
    st.markdown(t("about_intro", city=name))
    st.markdown("\n".join(f"- {t(key)}" for key in ("about_how_filters", "about_how_details", "about_how_csv",
                                                    "about_how_language")))


def contacts(city: str, meta: dict) -> None:
    name = md_escape(city)
    st.subheader(t("contacts_title"), anchor=False)
    lines = [f"- {t('contacts_places')}"]
    own = (meta.get(CONTACT_FACT) or "").strip()
    if own:  # the city's own words: data, shown as written
        lines.append(f"- {t('contacts_own', contact=_with_phone_links(own))}")
    else:
        lines.append(f"- {t('contacts_default', city=name)}")
    lines.append(f"- {t('contacts_care')}")
    st.markdown("\n".join(lines))


def data_notes(city: str, meta: dict) -> None:
    lang = language.current()
    st.subheader(t("notes_title"), anchor=False)
    lines = [f"- {t('notes_public')}"]
    if meta.get("demo") == "true":
        lines.append(f"- {t('notes_demo', city=md_escape(city))}")
    synthetic = resident_text.synthetic_words(meta, lang)
    if synthetic:
        lines.append(f"- {t('notes_synthetic', what=md_escape(synthetic))}")
    for key, fact in (("notes_facilities", "facilities_as_of"), ("notes_population", "population_as_of"),
                      ("notes_boundary", "boundary_as_of")):
        if meta.get(fact):
            lines.append(f"- {t(key, date=md_escape(meta[fact]))}")
    st.markdown("\n".join(lines))
    st.subheader(t("sources"), anchor=False)
    if lang != "ja":
        st.caption(t("attribution_note"))
    st.code(sources.city_attribution(meta), language=None, wrap_lines=True)


def for_staff() -> None:
    """What the logged-in pages are for. Not on a public site (``TSUDOI_MODE=public``): it has no login."""
    if public_mode.requested():
        return
    st.subheader(t("staff_title"), anchor=False)
    st.markdown(t("staff_body"))
