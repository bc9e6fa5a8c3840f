"""File names of 地域カルテ downloads, with the area's Japanese name: 「地域カルテ_錦町地区.pdf」."""

from __future__ import annotations

import re

#: Characters Windows, macOS or a browser refuse in a file name, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
#: Long names are cut (file systems allow 255 bytes; a Japanese character takes 3 in UTF-8).
MAX_NAME_CHARS = 60


def _part(text: str | None, fallback: str) -> str:
    cleaned = _UNSAFE.sub("_", str(text or "")).strip(" ._")
    return cleaned[:MAX_NAME_CHARS] or fallback


def karte_file_name(area_name: str | None, city_name: str, estimate: str = "") -> str:
    """``地域カルテ_<area>.pdf`` for one area, ``地域カルテ_<city>_全圏域.pdf`` for the city summary and
    every area (``area_name`` None); a karte of a future year ends in its ``estimate``
    (:func:`dashboard.projection.file_tag`): ``地域カルテ_北町地区_2030推計.pdf``. Unsafe characters
    become 「_」; an empty name falls back."""
    suffix = f"_{_part(estimate, '推計')}" if estimate else ""
    if area_name is None:
        return f"地域カルテ_{_part(city_name, '市')}_全圏域{suffix}.pdf"
    return f"地域カルテ_{_part(area_name, '圏域')}{suffix}.pdf"
