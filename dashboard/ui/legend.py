"""A map legend drawn in the page beside or under the map, never over it (so it hides no point
or area). Colours come from our own vocabularies; every label is HTML-escaped."""

from __future__ import annotations

import streamlit as st

from dashboard.htmlsafe import escape

_CSS = """
<style>
.tsudoi-legend {display: flex; flex-wrap: wrap; gap: 0.2rem 1.1rem; line-height: 1.4; color: #111;}
.tsudoi-legend .swatch {display: inline-block; width: 0.9em; height: 0.9em; border-radius: 50%; margin-right: 0.35em;
  vertical-align: -0.1em; border: 1px solid #222;}
</style>
"""


def show_legend(items: list[tuple[str, str, bool]]) -> None:
    """``items``: ``(colour, label, dashed)``; dashed = a ring with a dashed edge (internal places,
    candidate venues). Wraps onto more lines on a narrow screen."""
    chips = []
    for color, label, dashed in items:
        style = f"border:2px dashed {escape(color)};background:#fff" if dashed else f"background:{escape(color)}"
        chips.append(f'<span><span class="swatch" style="{style}"></span>{escape(label)}</span>')
    st.html(_CSS + f'<div class="tsudoi-legend" data-testid="tsudoi-legend">{"".join(chips)}</div>')
