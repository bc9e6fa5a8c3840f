"""What residents may see of one city, gathered once for every published artefact.

The one-file offline map (:mod:`dashboard.publicmap`) and the 支え合いガイドブック
(:mod:`dashboard.guidebook`) both start from :func:`gather`. Privacy is decided here and only here:

* places come from :func:`dashboard.store.reads.places` with ``internal=False`` — ``visibility =
  public`` rows and :data:`~dashboard.store.reads.PUBLIC_PLACE_FIELDS` only; internal contacts and
  notes are never read, so no renderer can print them by mistake;
* closed places are left out (a resident cannot go there); paused ones stay, marked 休止中;
* a website is kept only when it is ``http(s)://`` (never ``javascript:`` or ``data:``), and the
  ``tel:`` link is built from the digits of the public contact only.

Schedules are said in every language of :mod:`dashboard.i18n` here, so renderers do no wording.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Engine

from dashboard import i18n, sources, vocab
from dashboard.normalize import is_missing
from dashboard.places_view import weekdays_of
from dashboard.store import reads

#: A Japanese phone number inside free text (after NFKC): 048-000-4707, 0120-12-3456, 090 1234 5678.
_PHONE = re.compile(r"(?<!\d)0\d{1,4}[-(\s]?\d{1,4}[-)\s]?\d{3,4}(?!\d)")
#: Outline simplification for the published map (degrees, about 3 m): keeps the shape of 町丁目-
#: scale areas while making the file much smaller.
SIMPLIFY_DEG = 0.00003
#: Where areas without an id go (a place outside every 日常生活圏域 or in a city with none).
NO_AREA = ""


@dataclass(frozen=True)
class PublicPlace:
    """One place as residents see it. Every field is public (:data:`reads.PUBLIC_PLACE_FIELDS`)."""

    id: str
    name: str
    kana: str  # 名称_カナ as given (may be empty)
    reading: str  # computed readings of name and address, "|"-separated, for search ("" without a helper)
    category: str
    paused: bool
    address: str
    lat: float | None
    lon: float | None
    area_id: str
    weekdays: tuple[str, ...]  # RRULE day codes MO … SU
    schedule: dict[str, str]  # language → words (:func:`dashboard.i18n.schedule_words`)
    fee: str
    contact: str  # the public contact as given
    tel: str  # digits for a tel: link, or ""
    url: str  # http(s) only, or ""
    target: str

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class PublicArea:
    area_id: str
    name: str
    is_demo: bool
    geometry: object  # shapely, EPSG:4326


@dataclass
class PublicCity:
    code: str
    name: str
    prefecture: str
    made_on: date
    facts: dict[str, str]  # reads.meta(engine, code): as-of facts, sources …
    attribution: str  # the city's full 出典 text (Japanese: publishers' terms)
    synthetic: list[str]  # what is sample data (サロン・通いの場 …), to label it
    outline: object | None  # shapely (Multi)Polygon, EPSG:4326
    areas: list[PublicArea]
    places: list[PublicPlace] = field(default_factory=list)  # in book order: area, category, name

    def area_name(self, area_id: str) -> str:
        return next((a.name for a in self.areas if a.area_id == area_id), "")

    def places_of(self, area_id: str) -> list[PublicPlace]:
        return [p for p in self.places if p.area_id == area_id]


def gather(engine: Engine, code: str, *, today: date | None = None) -> PublicCity:
    """Public places, areas, outline and attribution of city ``code`` (see the module docstring)."""
    cities = reads.municipalities(engine).set_index("code")
    facts = reads.meta(engine, code)
    areas = _areas(reads.areas(engine, code))
    outline = reads.municipality_boundary(engine, code)
    if outline is None and areas:
        outline = shapely.union_all([a.geometry for a in areas])
    if outline is not None:
        outline = outline.simplify(SIMPLIFY_DEG, preserve_topology=True)
    places = _places(reads.places(engine, code, internal=False), [a.area_id for a in areas])
    return PublicCity(code=code, name=str(cities.loc[code, "name"]), prefecture=str(cities.loc[code, "prefecture"] or ""),
                      made_on=today or date.today(), facts=facts, attribution=sources.city_attribution(facts),
                      synthetic=sources.city_synthetic(facts), outline=outline, areas=areas, places=places)


def _areas(frame: gpd.GeoDataFrame) -> list[PublicArea]:
    return [PublicArea(area_id=str(row.area_id), name=str(row.area_name), is_demo=bool(row.is_demo),
                       geometry=row.geometry.simplify(SIMPLIFY_DEG, preserve_topology=True))
            for row in frame.itertuples() if row.geometry is not None]


def _text(value) -> str:
    return "" if is_missing(value) else str(value).strip()


def _number(value) -> float | None:
    return None if is_missing(value) else float(value)


def phone_digits(contact: str) -> str:
    """The first phone number in a public contact, for ``tel:`` (``048-000-4707（架空）`` →
    ``048-000-4707``); ``""`` when there is none (a contact may be a name or an e-mail)."""
    match = _PHONE.search(unicodedata.normalize("NFKC", contact or ""))
    return re.sub(r"[^\d-]", "-", match.group(0)).strip("-") if match else ""


def safe_url(value: str) -> str:
    """``value`` when it is an ``http(s)://`` address without spaces or quotes, else ``""``."""
    text = (value or "").strip()
    return text if re.fullmatch(r"https?://[^\s\"'<>`]+", text, flags=re.IGNORECASE) else ""


def _reader():
    """The reading helper :func:`dashboard.readings.reading` (kanji → ひらがな, so 「たいそう」 finds
    「体操」), looked up at run time so this module works in a checkout without it."""
    if importlib.util.find_spec("dashboard.readings") is None:
        return None
    module = importlib.import_module("dashboard.readings")
    return getattr(module, "reading", None)


def _places(frame: pd.DataFrame, area_order: list[str]) -> list[PublicPlace]:
    frame = frame[frame["status"] != "closed"]
    reader = _reader()
    places = []
    for row in frame.itertuples():
        name, contact = _text(row.name), _text(row.contact_public)
        places.append(PublicPlace(
            id=_text(row.id), name=name, kana=_text(row.name_kana),
            reading="|".join(reader(t) for t in (name, _text(row.address)) if t) if reader else "",
            category=_text(row.category), paused=row.status == "paused", address=_text(row.address),
            lat=_number(row.lat), lon=_number(row.lon), area_id=_text(row.area_id) if _text(row.area_id) in area_order else NO_AREA,
            weekdays=tuple(d for d in ("MO", "TU", "WE", "TH", "FR", "SA", "SU") if d in weekdays_of(row.rrule)),
            schedule={lang: i18n.schedule_words(_text(row.rrule), _text(row.schedule_text), lang) for lang in i18n.LANGUAGES},
            fee=_text(row.fee), contact=contact, tel=phone_digits(contact), url=safe_url(_text(row.url)),
            target=_text(row.target)))
    return sorted(places, key=_book_order(area_order))


def _book_order(area_order: list[str]):
    """Area (city order, places without an area last), gathering categories first, then name."""
    areas = {a: i for i, a in enumerate(area_order)}
    categories = {c: i for i, c in enumerate(vocab.CATEGORY_IDS)}

    def key(place: PublicPlace):
        return (areas.get(place.area_id, len(areas)), place.category not in vocab.GATHERING_CATEGORIES,
                categories.get(place.category, len(categories)), place.name, place.id)
    return key
