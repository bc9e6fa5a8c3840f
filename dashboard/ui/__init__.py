"""Streamlit UI components. With ``pages/`` the only code that imports Streamlit."""
