"""地域カルテ (area profile) PDF: one A4 page per 日常生活圏域, city summary first.

``data.gather`` reads the store into dataclasses, ``static_map`` draws the offline map with
matplotlib, ``pdf`` lays out the pages with reportlab. No Streamlit here; the council page's
download buttons call ``dashboard.karte.pdf.build_karte`` and ``dashboard.karte.pdf.render_area_map_png``
(imported from ``pdf`` so that importing this package stays cheap).
"""
