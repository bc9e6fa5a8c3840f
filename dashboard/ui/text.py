"""Putting user-supplied text into Streamlit Markdown safely."""

from __future__ import annotations

import re

# Markdown, GitHub extensions and Streamlit's own syntax ($…$ math, :color[…], :material/…:)
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:&])")


def md_escape(text) -> str:
    """Backslash-escape every character Markdown (or Streamlit's extensions) would interpret,
    so a user-supplied name is shown exactly as typed — never as markup, HTML or math."""
    return _SPECIAL.sub(r"\\\1", "" if text is None else str(text)).replace("\n", " ")
