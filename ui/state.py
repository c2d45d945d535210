"""Process-wide resources of the app: the data dir, the search engine (loaded once) and cached searches."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import astuple
from pathlib import Path

import streamlit as st

from search.engine import Engine
from search.query import Filters
from search.records import Hit, SearchResult
from studykb.errors import IndexCorruptError, IndexMissingError, StorageError, StudyKBError
from studykb.layout import DATA_DIR_ENV, DataDir, default_data_dir
from ui.messages import INDEX_DAMAGED, INDEX_UNAVAILABLE, error_text

__all__ = [
    "INDEX_DAMAGED", "current_version", "data_dir", "engine", "index_error_text", "search", "session_db",
    "similar",
]


def data_dir() -> Path:
    """The data dir the app serves (set by `studykb serve`, else `$STUDYKB_DATA_DIR` or data/)."""
    return Path(os.environ.get(DATA_DIR_ENV) or default_data_dir()).resolve()


#: Where a browser session keeps its database connection (and the path it was opened on).
_SESSION_DB = "_db"


def session_db() -> sqlite3.Connection:
    """This browser session's own connection to the data dir's database, the one every page uses
    (sessions run in threads; one session's writes must not interleave with another's)."""
    from studykb.db import connect

    path = str(data_dir() / "studykb.db")
    key = _SESSION_DB
    conn: sqlite3.Connection | None = st.session_state.get(key)
    if conn is None or st.session_state.get(f"{key}_path") != path:
        data_dir().mkdir(parents=True, exist_ok=True)
        conn = connect(path)
        st.session_state[key], st.session_state[f"{key}_path"] = conn, path
    return conn


@st.cache_resource(show_spinner="正在加载索引和模型…")
def _engine(path: str) -> Engine:
    # Query encoders run one thread (studykb.models: torch and ONNX Runtime alike): one short sequence
    # is answered faster than by two threads contending with each other and with other sessions.
    engine = Engine.open(path)
    try:
        engine.search("学习")  # load the model and the segmenter now, not on the first reader's query
    except StudyKBError:
        pass  # the first search reports it, with its fix
    return engine


def index_error_text(exc: StudyKBError) -> str:
    """A Chinese, path-free explanation of why the index cannot be used, by error kind (ui.messages)."""
    return error_text(exc) if isinstance(exc, (IndexMissingError, IndexCorruptError)) else INDEX_UNAVAILABLE


def current_version() -> str | None:
    """The published version's name, None when there is none or data/CURRENT is damaged."""
    try:
        return DataDir(data_dir()).current()
    except (IndexCorruptError, StorageError):
        return None


def engine() -> Engine:
    """The shared Engine (it follows newly published index versions by itself).

    Raises IndexMissingError when nothing has been ingested yet; the caller shows the fix.
    """
    return _engine(str(data_dir()))


@st.cache_data(max_entries=512, show_spinner=False)
def _search(path: str, version: str, query: str, k: int, filters: tuple[object, ...]) -> SearchResult:
    return _engine(path).search(query, k=k, filters=Filters(*filters))  # type: ignore[arg-type]


def search(query: str, k: int, filters: Filters) -> SearchResult:
    """`engine().search(...)`, cached per index version so that reruns (clicks, paging) answer at once."""
    eng = engine()
    return _search(str(data_dir()), eng.snapshot().name, query, k, astuple(filters))


@st.cache_data(max_entries=512, show_spinner=False)
def _similar(path: str, version: str, chunk_id: int, k: int) -> list[Hit]:
    return _engine(path).more_like_this(chunk_id, k=k)


def similar(chunk_id: int, k: int = 5) -> list[Hit]:
    """Passages like `chunk_id` in other documents, cached per index version."""
    eng = engine()
    return _similar(str(data_dir()), eng.snapshot().name, chunk_id, k)
