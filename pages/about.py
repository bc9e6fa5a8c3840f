"""つどいマップについて: for residents of the selected city — what this is, how to use it, whom to
ask — then the data sources and, for staff, what the logged-in pages do."""

import streamlit as st

from dashboard.ui import about_view, language, shell
from dashboard.ui.document import resident_page
from dashboard.ui.language import t
from dashboard.ui.store import read

resident_page(language.current())
st.html("<style>[data-testid='stMain'] p, [data-testid='stMain'] li {font-size: 1.05rem;}</style>")
language.switch()
st.title(t("page_about"))
current = shell.municipality()
if current is None:
    st.stop()
code, city = current
meta = read("meta", code)
about_view.introduction(city)
about_view.contacts(city, meta)
about_view.data_notes(city, meta)
about_view.for_staff()
