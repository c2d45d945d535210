"""Page state in the address bar (st.query_params), so that reload, back/forward, bookmarks and shared
links reopen the same view. Widgets bind their own parameters (`bind="query-params"`); this module
carries the state that is not a widget (the open passage, how many results are shown, the open list).

Each parameter mirrors one session-state key: `adopt` takes the URL's value when the URL changed since
this session last wrote it (a pasted link, a reload, back/forward); `publish` writes the key's value back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

__all__ = ["adopt", "publish", "whole_number"]

T = TypeVar("T")


def _seen(param: str) -> str:
    return f"_url_seen_{param}"


def adopt(param: str, key: str, parse: Callable[[str], T | None]) -> None:
    """Set session state `key` from URL parameter `param` when the URL holds a value this session did
    not write itself; an unreadable value means no value."""
    value = st.query_params.get(param)
    if value == st.session_state.get(_seen(param), None):
        return
    st.session_state[_seen(param)] = value
    st.session_state[key] = parse(value) if value is not None else None


def publish(param: str, value: object | None) -> None:
    """Write `value` to URL parameter `param` (None removes it)."""
    text = None if value is None else str(value)
    if text is None:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != text:
        st.query_params[param] = text
    st.session_state[_seen(param)] = text


def whole_number(text: str) -> int | None:
    """A positive whole number from a URL parameter, else None."""
    return int(text) if text.isdigit() and 0 < int(text) < 10**9 else None
