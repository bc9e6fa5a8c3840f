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
from dashboard.ui import language

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
.st-key-tsudoi_document_lang, .st-key-tsudoi_menu_closes {display: none;}
[data-testid="stCaptionContainer"] {opacity: 1; color: #5c5a58;}
[data-testid="stSidebarNavLink"] {height: auto; min-height: 2rem;}
[data-testid="stSidebarNavLink"] span, [data-testid="stSidebarNavLink"] .stMarkdownEllipsis,
[data-testid="stSidebarNavLink"] p {white-space: normal; overflow: visible; text-overflow: clip;}
</style>"""


#: Streamlit closes its menu after a page is chosen only when the browser *says* it is a phone (user
#: agent): on a narrow window or a phone that reports a desktop browser, the menu stayed open over the
#: page just chosen. This closes it after a click on a page link when the screen is narrow — the
#: width at which Streamlit lays the menu over the page — and only if it is still open (so Streamlit's
#: own closing is never undone). Installed once per browser tab.
_NARROW = "(max-width: 767.98px)"
_CLOSE_MENU_SCRIPT = f"""
export default function () {{
  if (window.__tsudoiMenuCloses) {{ return; }}
  window.__tsudoiMenuCloses = true;
  document.addEventListener("click", (event) => {{
    const link = event.target instanceof Element && event.target.closest('[data-testid="stSidebarNavLink"]');
    if (!link || !window.matchMedia("{_NARROW}").matches) {{ return; }}
    requestAnimationFrame(() => {{
      const menu = document.querySelector('[data-testid="stSidebar"]');
      const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (menu && menu.getAttribute("data-collapsed") === "false" && close) {{ close.click(); }}
    }});
  }}, true);
}}
"""
_close_menu_component = components.component("tsudoi_menu_closes", js=_CLOSE_MENU_SCRIPT)

#: Residents' phones (WCAG 2.5.5, Apple's and Google's guides): every control they tap at least 44 px
#: (2.75rem at the browser's normal text size) and no text under 16 px (1rem). Streamlit draws the
#: language switch's options 26 px tall, the search box 38 px, the menu's page links 32 px with 14 px
#: names and its notes in 14 px. Only on narrow screens and touch screens, and only for residents:
#: coordinators' pages keep Streamlit's denser layout.
_PHONE_TARGETS = f"""<style>
@media {_NARROW}, (pointer: coarse) {{
.st-key-tsudoi_lang_widget [data-testid="stRadioOption"] {{min-height: 2.75rem; display: flex; align-items: center;
  padding-right: 0.5rem;}}
.st-key-tsudoi_lang_widget [data-testid="stRadioOption"] p {{font-size: 1rem;}}
.st-key-tsudoi_text [data-baseweb="input"], .st-key-tsudoi_text input {{min-height: 2.75rem;}}
.st-key-tsudoi_text input {{font-size: 1rem;}}
[data-testid="stSidebarNavLink"] {{min-height: 2.75rem; align-items: center;}}
[data-testid="stSidebarNavLink"] span, [data-testid="stSidebarNavLink"] p {{font-size: 1rem;}}
[data-testid="stSidebar"] [data-testid="stCaptionContainer"], [data-testid="stSidebar"] [data-testid="stCaptionContainer"] p
  {{font-size: 1rem;}}
[data-testid="stSidebar"] summary {{min-height: 2.75rem;}}
[data-testid="stSidebarCollapseButton"] button {{min-width: 2.75rem; min-height: 2.75rem;}}
}}
</style>"""


def resident_page(lang: str = "ja") -> None:
    """What every page residents open starts with: the document language, a labelled menu button
    (named in ``lang``) and a menu that closes after a page is chosen on a narrow screen. For a
    resident (not logged in: :func:`dashboard.ui.language.is_resident`), phone-sized tap targets and
    text too (:data:`_PHONE_TARGETS`)."""
    japanese_document(lang)
    st.html(_MENU_LABEL)
    _close_menu_component(key="tsudoi_menu_closes")
    if language.is_resident():
        st.html(_PHONE_TARGETS)
    if lang != "ja":  # a later rule of the same weight wins; the words are our own (i18n), no quotes
        menu = i18n.display("menu", lang).replace('"', "")
        st.html(f'<style>[data-testid="stExpandSidebarButton"]::after {{content: "{menu}";}}</style>')
