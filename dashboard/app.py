"""Streamlit entrypoint: ``python -m streamlit run dashboard/app.py`` (see run.sh).

It sits in dashboard/, not beside pages/, because st.navigation next to a ``pages/`` folder falls
back to legacy multipage mode on deep links (style.md).
"""

from pathlib import Path

import streamlit as st

from dashboard.ui import login, navigation, session, shell

# A local favicon: a :material/…: icon would be fetched from Google's servers, which LGWAN blocks.
st.set_page_config(page_title="つどいマップ", page_icon=str(Path(__file__).parent / "static" / "favicon.png"), layout="wide")

login.adopt_sso_user()  # only does something when OIDC is configured in secrets (off by default)
page = st.navigation(navigation.pages_for(session.current_user()))
shell.sidebar()
page.run()
if page.url_path != "council":  # the projector slides carry their own short source line
    shell.footer()
