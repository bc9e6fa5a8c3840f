"""地域支え合いガイドブック: ``python -m dashboard export guidebook --out FILE.pdf``.

A4 booklet for every household, in large print, for residents of one city:

1. cover — city, title, as-of date, QR code to the online map;
2. how to use;
3. one section per 日常生活圏域 — a map with numbered places (:mod:`.area_map`), then the numbered
   list: name, category, schedule in words, place, fee, public contact;
4. an index by category (numbers and names);
5. sources (the city's 出典, as the publishers' terms require) and what the booklet is.

Two editions: ``standard`` (日本語) and ``easy`` (やさしい日本語: simpler words and shorter
sentences from :mod:`dashboard.i18n`, ふりがな in brackets after hard words, 名称のカナ under names,
a larger body). Only public places and public fields are printed — they come from
:func:`dashboard.public_places.gather`, which never reads internal ones. Every text is at least
:data:`MIN_TEXT_PT` points; the booklet's numbers are the one-file map's numbers.
"""

from __future__ import annotations

from dashboard.guidebook.pdf import EDITIONS, MIN_TEXT_PT, build_guidebook, guidebook_pdf_bytes, online_map_url

__all__ = ["EDITIONS", "MIN_TEXT_PT", "build_guidebook", "guidebook_pdf_bytes", "online_map_url"]
