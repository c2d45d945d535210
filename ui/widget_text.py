"""Chinese for the texts that Streamlit draws inside its own widgets and offers no option to change.

The file uploader's button says "Upload" and its line under it "5MB per file • JSON": CSS hides those
English words and shows Chinese in their place (the widget's label already names the file types).
Texts this cannot reach are listed in README (the multiselect's dropdown, the running indicator).
"""

from __future__ import annotations

import streamlit as st

from ui.launch import MAX_UPLOAD_MB

__all__ = ["widget_text_css"]

_CSS = """
[data-testid="stFileUploaderDropzone"] button p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button p::after { content: "选择文件"; font-size: 0.95rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after { content: "%(limit)s"; font-size: 0.85rem; }
"""


def widget_text_css() -> None:
    """Add the rules to the page (once per run, from the entrypoint)."""
    st.html("<style>" + _CSS % {"limit": f"每个文件不超过 {MAX_UPLOAD_MB} MB"} + "</style>")
