"""Streamlit entrypoint: ``streamlit run dashboard/app.py`` from the repository root (run.sh does this).

The file plays two parts:

- Streamlit executes it as ``__main__`` for every page run (AppTest does too): :func:`_page_run`.
- ``streamlit run`` sees ``app = st.App(...)`` below, imports this file as the module ``app`` and
  serves that ASGI app. ``st.App`` (Streamlit ≥ 1.53) is the supported way to add HTTP routes to the
  same server; we add the two that set and delete the HttpOnly login cookie
  (``dashboard/session_routes.py``) and the hook that turns store errors outside a page run (fragments,
  callbacks) into a friendly message.

It sits in dashboard/, not beside pages/, because st.navigation next to a ``pages/`` folder falls
back to legacy multipage mode on deep links (style.md).
"""

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the repository root, so
# `import dashboard` failed (issue #11). Adding the root here makes the file work however it is
# started — the `streamlit` command, `python -m streamlit`, an IDE's run button, a hosting platform
# that only installs requirements.txt — with nothing to install and no working directory to get right
# (an editable install would help only inside the venv that has it).
_REPO_ROOT = str(Path(__file__).resolve().parent.parent)
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

import streamlit as st  # noqa: E402  (after the path set-up above)

from dashboard import public_mode, session_routes  # noqa: E402
from dashboard.ui import errors  # noqa: E402

_FAVICON = Path(__file__).parent / "static" / "favicon.png"


def _page_run() -> None:
    # Imported here, not above: serving the app (the `app` import below) needs none of them, and their
    # st.cache_* decorators would log "No runtime found" when imported before the server has started.
    from dashboard.ui import language, login, navigation, session, shell

    # A local favicon: a :material/…: icon would be fetched from Google's servers, which LGWAN blocks.
    st.set_page_config(page_title="つどいマップ", page_icon=str(_FAVICON), layout="wide")
    with errors.store_boundary():  # a store error is a retry message, never a traceback
        if public_mode.requested():  # TSUDOI_MODE=public: the published copy, public pages, no login
            _public_page_run(navigation, shell, language)
            return
        session.resolve()  # who is logged in, decided from the store on every run
        login.adopt_sso_user()  # only does something when OIDC is configured in secrets (off by default)
        lang = language.resolve(resident=session.current_user() is None)  # coordinators: always ja
        _title(lang)
        page = st.navigation(navigation.pages_for(session.current_user(), lang=lang))
        shell.sidebar()
        with st.sidebar:
            session.sync_cookie()  # the hidden frame that stores or deletes the login cookie
        page.run()
        if page.url_path != "council":  # the projector slides carry their own short source line
            shell.footer()


def _title(lang: str) -> None:
    """The browser tab's title in the resident's language (called again after the language is known)."""
    if lang != "ja":
        from dashboard import i18n

        st.set_page_config(page_title=i18n.display("app_title", lang))


def _public_page_run(navigation, shell, language) -> None:
    """The public site: every store access goes to the published copy (read-only), or nothing is shown."""
    try:
        public_mode.prepare()
    except public_mode.PublicModeError as error:
        st.error(str(error))
        st.stop()
    lang = language.resolve(resident=True)
    _title(lang)
    page = st.navigation(navigation.pages_for(None, public_site=True, lang=lang))
    shell.sidebar()
    page.run()
    shell.footer()


if __name__ == "__main__":  # a page run
    _page_run()
else:  # imported by `streamlit run` (uvicorn) to serve the app
    if public_mode.requested():  # refuse to start rather than serve a store that is not a published copy
        try:
            public_mode.prepare()
        except public_mode.PublicModeError as error:
            print(error, file=sys.stderr)
            raise SystemExit(2) from error
    # The public site has no logins, so it has no login-cookie routes either.
    _routes = [] if public_mode.requested() else session_routes.routes(st.get_option("server.baseUrlPath") or "")
    from starlette.middleware import Middleware

    from dashboard.page_lang import HtmlLangMiddleware

    # <html lang="ja"> from the first byte (Streamlit serves lang="en" and has no setting for it)
    app = st.App(__file__, routes=_routes, middleware=[Middleware(HtmlLangMiddleware)],
                 on_script_error=errors.on_script_error)
