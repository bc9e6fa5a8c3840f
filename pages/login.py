"""ログイン: coordinators sign in here; residents never need to."""

from dashboard.ui import login

login.show()
