"""The page as a document: ``<html lang="ja">``.

Streamlit serves ``<html lang="en">`` whatever the app says (streamlit/streamlit#15726), so screen
readers read Japanese with English rules and Chrome offers to translate the page "from English".
Two layers fix it:

- :class:`dashboard.page_lang.HtmlLangMiddleware` rewrites the served HTML itself (first paint, every
  URL) once ``dashboard/app.py`` passes it to ``st.App(middleware=...)``;
- :func:`japanese_document` sets the attribute in the browser from any page that calls it (a
  Streamlit session is one document, so it then holds on every page the visitor moves to).

A resident who reads the page in English (``?lang=en``, :mod:`dashboard.ui.language`) gets
``<html lang="en">`` the same two ways: the middleware reads ``lang`` from the URL it serves, and
:func:`resident_page` sets the attribute on every run, so switching the language changes it at once.
"""

from __future__ import annotations

import streamlit as st
import streamlit.components.v2 as components

from dashboard import i18n
from dashboard.page_lang import LANG

#: ``data.lang`` is one of our own BCP 47 tags (i18n.HTML_LANG), never user text.
_SCRIPT = f"""
export default function (component) {{
  const lang = (component && component.data && component.data.lang) || "{LANG}";
  if (document.documentElement.lang !== lang) {{ document.documentElement.lang = lang; }}
}}
"""
_lang_component = components.component("tsudoi_document_lang", js=_SCRIPT)


def japanese_document(lang: str = "ja") -> None:
    """Mark the page as written in ``lang`` (``ja``, ``easy`` or ``en``; ``<html lang="ja">`` for the
    first two). Draws nothing."""
    _lang_component(key="tsudoi_document_lang", data={"lang": i18n.HTML_LANG[lang]})


#: Streamlit's unlabelled 「»」 opens the menu (pages, city, login): residents are told so.
#: Streamlit greys captions with ``opacity: 0.6`` — 3.8:1 on the sidebar, under WCAG AA's 4.5:1
#: (axe, tests/e2e/test_accessibility_browser.py); #5c5a58 is 6.5:1 there and 6.9:1 on white.
#: Streamlit fixes the root font size at 16 px, so a browser set to larger text (WCAG 1.4.4) changed
#: nothing: ``100%`` is the browser's size (16 px unless the resident enlarged it), and the menu's page
#: names wrap instead of ending in 「…」 when text is large; so does the menu button's label (「メニュー
#: （ほかの ページ）」 in やさしい日本語 ran off a phone's screen at 200%).
_MENU_LABEL = """<style>
html {font-size: 100%;}
[data-testid="stExpandSidebarButton"] {max-width: calc(100vw - 2rem); height: auto; min-height: 2.75rem;}
[data-testid="stExpandSidebarButton"]::after {content: "メニュー"; font-size: 1rem; margin-left: 0.25rem; color: #31333f;
  white-space: normal; text-align: left; line-height: 1.3;}
.st-key-tsudoi_document_lang {display: none;}
[data-testid="stCaptionContainer"] {opacity: 1; color: #5c5a58;}
[data-testid="stSidebarNavLink"] {height: auto; min-height: 2rem;}
[data-testid="stSidebarNavLink"] span, [data-testid="stSidebarNavLink"] .stMarkdownEllipsis,
[data-testid="stSidebarNavLink"] p {white-space: normal; overflow: visible; text-overflow: clip;}
</style>"""


def resident_page(lang: str = "ja") -> None:
    """What every page residents open starts with: the document language and a labelled menu button
    (named in ``lang``)."""
    japanese_document(lang)
    st.html(_MENU_LABEL)
    if lang != "ja":  # a later rule of the same weight wins; the words are our own (i18n), no quotes
        menu = i18n.display("menu", lang).replace('"', "")
        st.html(f'<style>[data-testid="stExpandSidebarButton"]::after {{content: "{menu}";}}</style>')
