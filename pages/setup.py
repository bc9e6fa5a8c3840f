"""まちの設定 (admins): set a municipality up from its own open data, step by step."""

import streamlit as st

from dashboard.ui import setup_view, shell

st.title("まちの設定")
if not setup_view.admin_gate():
    st.stop()
current = shell.municipality()
code, city = current if current is not None else (None, None)
setup_view.overview(code)
setup_view.city_step(code)
if code is None:
    st.stop()
has_towns = bool(setup_view.town_names(code))
setup_view.towns_step(code)
setup_view.population_step(code, city, has_towns)
setup_view.areas_step(code, has_towns)
setup_view.venues_step(code, has_towns)
setup_view.places_step(code, has_towns)
