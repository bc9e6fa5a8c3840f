"""このサイトでは公開していません: what the public site (TSUDOI_MODE=public) shows at the URL of a
coordinators' page or of the login — never a login form, because that server has no logins and no
internal data at all."""

import streamlit as st

from dashboard.ui import language
from dashboard.ui.document import resident_page
from dashboard.ui.language import t

resident_page(language.current())
language.switch()
st.title(t("page_not_public"))
st.markdown(t("not_public_body") + "\n\n" + t("not_public_hint"))
st.page_link("../pages/map.py", label=t("open_map"))
