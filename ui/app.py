"""The Streamlit entrypoint: page set-up and navigation (检索, and the feature pages that exist)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from studykb.auth import can
from studykb.errors import DatabaseUnavailableError
from studykb.pg import UNAVAILABLE_ZH
from ui.auth import current_user
from ui.phone import phone_css
from ui.widget_text import widget_text_css

HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="studykb 学习资料库", page_icon="📚", layout="wide")
phone_css()
widget_text_css()

# Feature pages join the navigation when their module exists: never a placeholder page. (The folder
# is not called pages/, which Streamlit would also serve as automatic pages.) Material icons render
# everywhere, emoji only where an emoji font is installed.
_PAGES = [
    ("views/search.py", "检索", ":material/search:", True),
    ("views/lists.py", "阅读清单", ":material/checklist:", False),
    ("views/sites.py", "学习地图", ":material/map:", False),
    ("views/quotes.py", "原文核对", ":material/fact_check:", False),
    ("views/stats.py", "学习统计", ":material/monitoring:", False),
]
#: Pages only maintainers are shown (each page also checks the role itself).
_MAINTAINER_PAGES = [("views/maintain.py", "维护", ":material/build:", False)]
try:
    # Who is logged in is read from the database too: inside the try, like the page itself.
    shown = _PAGES + (_MAINTAINER_PAGES if can(current_user(), "maintainer") else [])
    pages = [
        st.Page(str(HERE / path), title=title, icon=icon, default=default)
        for path, title, icon, default in shown
        if (HERE / path).is_file()
    ]
    st.navigation(pages).run()
except DatabaseUnavailableError as exc:  # PostgreSQL restarting: this request fails, the next succeeds
    st.error(str(exc) if str(exc).startswith(UNAVAILABLE_ZH) else f"{UNAVAILABLE_ZH}（{exc}）",
             icon=":material/cloud_off:")
