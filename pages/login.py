"""ログイン: coordinators sign in here; residents never need to."""

import streamlit as st

from dashboard.ui import login

login.show()
