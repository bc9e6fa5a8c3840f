"""Escaping for text that reaches HTML or JavaScript.

folium writes popup and tooltip strings into the page as raw HTML inside a JavaScript template
literal, and does not escape them. So besides the HTML specials we neutralise the backtick and
``${`` (which would end the literal or start an interpolation).
"""

from __future__ import annotations

import html


def escape(value) -> str:
    """HTML-escape ``value`` (``&<>"'``) and make it inert inside a JS template literal."""
    text = "" if value is None else str(value)
    return html.escape(text, quote=True).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")
