"""The phone layout (a screen up to 640 px wide), in CSS only: the desktop layout is left as it is.

- A compact header: a fixed top bar holds the menu button and, beside it, the page title (the h1 of
  `page_title`, shrunk); the page starts below the bar; the line under the search page's title hides.
- One labelled button at the top opens the sidebar, which holds the navigation and the filters: it reads
  筛选 (with the number of filters set) on the pages that filter, 菜单 elsewhere (`menu_button`).
- Less padding around the page and inside the cards, so that a line holds about twenty characters at
  the normal reading size.

Streamlit gives a container with `key="x"` the class `st-key-x`; the rules below address the page's
own containers that way (`HEAD_KEY`, cards keyed `card-…`) and Streamlit's parts by their test ids.
"""

from __future__ import annotations

import json

import streamlit as st

__all__ = ["HEAD_KEY", "PHONE", "menu_button", "page_title", "phone_css"]

#: The media query of the phone layout.
PHONE = "(max-width: 640px)"
#: The key of the container that holds a page's title and the line under it.
HEAD_KEY = "page-head"

_CSS = """
@media %(phone)s {
  [data-testid="stMainBlockContainer"] { padding: 3.4rem 0.75rem 4rem !important; }
  [data-testid="stHeader"] { height: 3rem !important; background: var(--st-background-color, #fff) !important;
                             box-shadow: 0 1px 0 rgba(49, 51, 63, 0.08); }
  [data-testid="stExpandSidebarButton"] {
    display: inline-flex !important; align-items: center; gap: 0.3rem; width: auto !important;
    height: 2.2rem !important; padding: 0 0.8rem 0 0.6rem !important; margin: 0.1rem 0 0 0.1rem;
    border: 1px solid rgba(49, 51, 63, 0.25) !important; border-radius: 1.1rem !important;
  }
  [data-testid="stExpandSidebarButton"] [data-testid="stIconMaterial"] { font-size: 0 !important; }
  [data-testid="stExpandSidebarButton"] [data-testid="stIconMaterial"]::before {
    content: var(--studykb-menu-icon, "menu"); font-size: 1.25rem;
  }
  [data-testid="stExpandSidebarButton"]::after {
    content: var(--studykb-menu-label, "菜单"); font-size: 0.95rem; font-weight: 600;
    color: rgb(49, 51, 63); white-space: nowrap;
  }
  .st-key-%(head)s h1 {
    /* z-index: over the top bar (which comes first in the page), under the opened sidebar */
    position: fixed; top: 0; left: var(--studykb-title-indent, 7rem); right: 0.75rem; z-index: 999990;
    font-size: 1.3rem !important; line-height: 3.6rem !important; padding: 0 !important; margin: 0 !important;
    white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  }
  .st-key-%(head)s { display: contents; }
  .st-key-%(head)s [data-testid="stCaptionContainer"] { display: none; }
  [data-testid="stMainBlockContainer"] h2 { font-size: 1.3rem !important; }
  [data-testid="stMainBlockContainer"] h3 { font-size: 1.15rem !important; }
  [class*="st-key-card-"] { padding: 0.7rem 0.75rem !important; }
  [class*="st-key-card-"] p { line-height: 1.75; }
}
"""


def phone_css() -> None:
    """Add the phone layout's rules to the page (once per run, from the entrypoint)."""
    st.html("<style>" + _CSS % {"phone": PHONE, "head": HEAD_KEY} + "</style>")


def menu_button(label: str, active: int = 0, *, icon: str = "tune") -> None:
    """Label the phone's sidebar button `label` (e.g. 筛选) with a Material Symbols `icon`, and
    `active` (the number of filters set) after it."""
    text = f"{label} · {active}" if active else label
    indent = 7 + 0.35 * (len(text) - 2)  # the title starts after the button, which grows with its label
    values = {"--studykb-menu-label": text, "--studykb-menu-icon": icon}
    rules = " ".join(f"{name}: {json.dumps(value, ensure_ascii=False)};" for name, value in values.items())
    rules += f" --studykb-title-indent: {indent:.2f}rem;"
    st.html(f"<style>@media {PHONE} {{ :root {{ {rules} }} }}</style>")


def page_title(text: str, caption: str | None = None) -> None:
    """The page's title (and the line under it, hidden on a phone), which the phone puts in its top bar."""
    with st.container(key=HEAD_KEY):
        st.title(text, anchor=False)
        if caption:
            st.caption(caption)
