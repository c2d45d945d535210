"""Process-wide resources of the app: the data dir and the search engine (loaded once)."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from search.engine import Engine
from studykb.layout import DATA_DIR_ENV, default_data_dir

__all__ = ["data_dir", "engine"]


def data_dir() -> Path:
    """The data dir the app serves (set by `studykb serve`, else `$STUDYKB_DATA_DIR` or data/)."""
    return Path(os.environ.get(DATA_DIR_ENV) or default_data_dir()).resolve()


@st.cache_resource(show_spinner="正在加载索引…")
def _engine(path: str) -> Engine:
    return Engine.open(path)


def engine() -> Engine:
    """The shared Engine (it follows newly published index versions by itself).

    Raises IndexMissingError when nothing has been ingested yet; the caller shows the fix.
    """
    return _engine(str(data_dir()))
