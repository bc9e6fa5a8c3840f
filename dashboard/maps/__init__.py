"""Folium maps of Tsudoi (no Streamlit): layers, legend, basemaps and offline assets."""
