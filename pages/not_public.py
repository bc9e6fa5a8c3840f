"""このサイトでは公開していません: what the public site (TSUDOI_MODE=public) shows at the URL of a
coordinators' page or of the login — never a login form, because that server has no logins and no
internal data at all."""

import streamlit as st

st.title("このサイトでは公開していません")
st.markdown(
    "このページは、市町村と社会福祉協議会の職員が庁内で使うものです。住民向けの公開サイトにはありません。\n\n"
    "地域の集いの場・通いの場・サロンは「資源マップ」で探せます。"
)
st.page_link("../pages/map.py", label="資源マップを開く")
