"""Widget values that must survive the runs in which their widget is not drawn (a reader replaces the page).

Streamlit forgets a widget's value at the end of a run that does not draw it. Writing the value back
through the Session State API at the start of each run makes it a value the app set, which Streamlit
keeps, and which the widget shows again when it is drawn next.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["keep"]


def keep(*keys: str) -> None:
    """Carry the values of the widgets with these keys over to the runs that do not draw them."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
