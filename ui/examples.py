"""Example queries for the empty search page, drawn from the corpus: its tags and short section headings
(glossary entries, named practices) that occur in the text of more than one document."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter

import streamlit as st

from search.engine import Engine
from search.records import DocumentInfo
from studykb.db import connect
from studykb.index_store import IndexStore
from studykb.text import fold

__all__ = ["example_queries"]

# A term worth suggesting: 2-8 characters of Chinese (optionally quoted), no section numbering like "一、".
_TERM = re.compile(r"^[“”\"]?[\u4e00-\u9fff]{2,8}[“”\"]?$")


def _candidates(conn: sqlite3.Connection, docs: list[DocumentInfo]) -> Counter[str]:
    """Tags and short headings, weighted by how many documents carry them."""
    found: Counter[str] = Counter(t for d in docs for t in d.tags)
    rows = IndexStore(conn).document_headings([d.id for d in docs])
    named = {(doc, heading) for doc, path in rows for heading in json.loads(path)}
    found.update(heading for _, heading in named)
    return Counter({t.strip("“”\""): n for t, n in found.items() if _TERM.match(t)})


def _document_frequency(conn: sqlite3.Connection, term: str, doc_ids: set[int]) -> int:
    """Number of current documents whose text contains `term` (matched on folded text)."""
    return len(IndexStore(conn).documents_with_phrase(fold(term)) & doc_ids)


@st.cache_data(max_entries=8, show_spinner=False)
def _examples(_engine: Engine, version: str, n: int) -> list[str]:
    docs = _engine.documents()
    doc_ids = {d.id for d in docs}
    conn = connect(_engine.data.db_path, migrate=False)
    try:
        found = _candidates(conn, docs)
        scored = sorted(((_document_frequency(conn, t, doc_ids), w, t) for t, w in found.items()),
                        key=lambda x: (-x[0], -x[1], x[2]))
    finally:
        conn.close()
    picks: list[str] = []
    for df, named, term in scored:
        if df < 2 or len(picks) >= n or (named < 2 and len(term) < 4):
            continue  # rare, or a short word (浙江, 党支部) that only one document names
        if any(term in p or p in term for p in picks):
            continue  # 枫桥经验 and 新时代枫桥经验 are one suggestion
        picks.append(term)
    return picks


def example_queries(engine: Engine, n: int = 7) -> list[str]:
    """Up to `n` terms found in at least two documents, most widespread first; the last one in Chinese
    quotes, to show how to search for an exact wording."""
    picks = _examples(engine, engine.snapshot().name, n)
    return picks[:-1] + [f"“{picks[-1]}”"] if picks else []
