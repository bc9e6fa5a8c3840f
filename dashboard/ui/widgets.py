"""Streamlit widgets whose built-in words are English, said in Japanese for the coordinators' pages.

Streamlit 1.67 has no locale setting. Two widgets show their own English:

- ``st.multiselect`` shows 「Choose options」 when nothing is chosen and 「No options to select」 (and
  is disabled) when there is nothing to choose. Its ``placeholder=`` replaces both: pass
  ``**choice_texts(options)``.
- ``st.file_uploader`` has no parameter for its words: a button 「Upload」 and 「50MB per file • CSV」
  under it. :func:`file_uploader` draws the uploader and a style, scoped to that uploader's key, that
  hides those words and shows Japanese ones (「ファイルを選ぶ」, 「1ファイル 50MB まで・CSV」) — CSS
  ``content``, so the words stay in one place here and nothing of the widget's behaviour changes.

Resident pages never use either: they have their own words from :mod:`dashboard.i18n`.
"""

from __future__ import annotations

import re
from collections.abc import Sized

import streamlit as st

#: 「Choose options」 in Japanese.
CHOOSE = "選んでください"
#: 「No options to select」 in Japanese (the widget is then disabled, as Streamlit does).
NOTHING_TO_CHOOSE = "選べるものがありません"
#: 「Upload」 in Japanese.
UPLOAD = "ファイルを選ぶ"
#: 「… per file」 in Japanese; ``{mb}`` is the limit in MB, as Streamlit counts it.
PER_FILE = "1ファイル {mb}MB まで"
#: A key is put into a CSS class name (``st-key-<key>``) and a selector: only these characters.
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def choice_texts(options: Sized) -> dict:
    """``placeholder`` (and ``disabled`` when ``options`` is empty) for ``st.multiselect``:
    ``st.multiselect("場", names, **choice_texts(names))``."""
    if len(options) == 0:
        return {"placeholder": NOTHING_TO_CHOOSE, "disabled": True}
    return {"placeholder": CHOOSE}


def _css_text(text: str) -> str:
    """``text`` as a CSS string literal (our own words and file types; quotes and backslashes escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def uploader_style(key: str, types: list[str] | None, max_mb: int) -> str:
    """The ``<style>`` that says the uploader ``key``'s words in Japanese. ``types``: the file endings
    it accepts (shown as Streamlit shows them, upper case without the dot); ``max_mb``: its size limit."""
    if not _SAFE_KEY.match(key):
        raise ValueError(f"an uploader's key must be letters, digits, _ or -, got {key!r}")
    limit = PER_FILE.format(mb=max_mb)
    if types:
        limit += "・" + ", ".join(t.lstrip(".").upper() for t in types)
    scope = f".st-key-{key} [data-testid='stFileUploaderDropzone']"
    return (f"<style>"
            f"{scope} button [data-testid='stMarkdownContainer'] p {{display: none;}}"
            f"{scope} button [data-testid='stMarkdownContainer']::after {{content: {_css_text(UPLOAD)};}}"
            f"{scope} [data-testid='stFileUploaderDropzoneInstructions'] span {{font-size: 0;}}"
            f"{scope} [data-testid='stFileUploaderDropzoneInstructions'] span::after"
            f" {{content: {_css_text(limit)}; font-size: 0.875rem;}}"
            f"</style>")


def file_uploader(label: str, *, key: str, container=None, **kwargs):
    """``st.file_uploader`` (same keyword arguments and value; ``key`` required) with Japanese words.
    ``container``: where to draw it (``st.sidebar``, a column); the page body by default."""
    where = st if container is None else container
    accepted = kwargs.get("type")
    types = [accepted] if isinstance(accepted, str) else list(accepted or [])
    max_mb = kwargs.get("max_upload_size") or st.get_option("server.maxUploadSize")
    where.html(uploader_style(key, types, int(max_mb)))
    return where.file_uploader(label, key=key, **kwargs)
