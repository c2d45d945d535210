"""The login cookie: the browser keeps a session token (see studykb.sessions) so that a reload stays
logged in. Streamlit reads cookies (st.context.cookies) but cannot set them from Python; a one-pixel
st.iframe, whose frame shares the app's origin, sets or clears it with `document.cookie`."""

from __future__ import annotations

import json

import streamlit as st

from studykb.sessions import SESSION_TTL_S

__all__ = ["COOKIE", "clear_cookie", "cookie_token", "set_cookie"]

COOKIE = "studykb_session"


def cookie_token() -> str | None:
    """The session token the browser sent when this page was opened, if any."""
    try:
        value = st.context.cookies.get(COOKIE)
    except (AttributeError, RuntimeError):  # no browser connection (scripts run outside `streamlit run`)
        return None
    return value if isinstance(value, str) and value else None  # AppTest answers with a stand-in object


def _write(value: str, max_age: int) -> None:
    # SameSite=Strict: the cookie is never sent with requests from other sites. The token is URL-safe
    # base64; json.dumps quotes it for the script.
    cookie = json.dumps(f"{COOKIE}={value}; Max-Age={max_age}; Path=/; SameSite=Strict")
    st.iframe(f"<script>document.cookie = {cookie};</script>", height=1)


def set_cookie(token: str) -> None:
    """Have the browser keep `token` for the session's lifetime."""
    _write(token, int(SESSION_TTL_S))


def clear_cookie() -> None:
    """Have the browser forget the session token (logout)."""
    _write("", 0)
