"""Checking a draft's quotations against the library: candidates from the trigram phrase index,
alignment in the source text around each candidate, one verdict per quotation."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from studykb.db import connect
from studykb.index_store import IndexStore
from studykb.text import fold, normalize, to_traditional

from .align import ELLIPSIS, Alignment, Key, align, align_parts, diff, key
from .draft import check_text
from .extract import extract_quotations
from .records import DraftReport, Quotation, Source, Verdict
from .verdict import rank_score, status_of

if TYPE_CHECKING:
    from search.engine import Engine

__all__ = ["QuoteChecker"]

#: Characters of a candidate piece looked up in the trigram index (two trigrams must follow each other):
#: long enough to be selective in 100,000 passages, short enough to survive one changed word nearby.
PIECE_CHARS = 6
#: Pieces per quotation, spread evenly over it.
MAX_PIECES = 10
#: Passages (best first, see `_candidate_ids`) aligned per quotation.
CANDIDATES = 8


@dataclass(frozen=True)
class _Passage:
    chunk_id: int
    document_id: int
    start: int  # offset in the document text of `text`
    text: str  # the passage plus what follows it in the document (a quotation may cross passages)
    page: int | None
    heading_path: tuple[str, ...]
    page_starts: tuple[int, ...]


def _pieces(quote: str) -> list[str]:
    """Punctuation-free pieces of the folded quotation to look up in the trigram index."""
    runs = [r for r in key_runs(fold(quote)) if len(r) >= 3]
    pieces: list[str] = []
    for run in runs:
        if len(run) <= PIECE_CHARS:
            pieces.append(run)
        else:
            starts = range(0, len(run) - PIECE_CHARS + 1, PIECE_CHARS // 2)
            pieces += [run[i : i + PIECE_CHARS] for i in starts]
    if len(pieces) > MAX_PIECES:
        step = len(pieces) / MAX_PIECES
        pieces = [pieces[int(i * step)] for i in range(MAX_PIECES)]
    return list(dict.fromkeys(pieces))


def key_runs(folded: str) -> list[str]:
    """Runs of letters, digits and ideographs of a folded text (what the trigram index can match)."""
    out, run = [], []
    for ch in folded:
        if ch.isalnum():
            run.append(ch)
        elif run:
            out.append("".join(run))
            run = []
    if run:
        out.append("".join(run))
    return out


class QuoteChecker:
    """Checks quotations against the published index of an Engine. Thread-safe.

    Example: QuoteChecker(Engine.open("data")).check("总书记指出：“绿水青山就是金山银山。”").counts
    """

    def __init__(self, engine: Engine, *, candidates: int = CANDIDATES) -> None:
        self.engine = engine
        self.candidates = candidates
        self._local = threading.local()

    @property
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.engine.data.db_path, migrate=False)
            self._local.conn = conn
        return conn

    def check(self, draft: str) -> DraftReport:
        """Extract and check every quotation of `draft`; QueryError (Chinese) for empty/over-long text."""
        t0 = time.perf_counter()
        check_text(draft)
        verdicts = tuple(self.check_quotation(q) for q in extract_quotations(draft))
        return DraftReport(draft, verdicts, time.perf_counter() - t0)

    def check_quotation(self, quotation: Quotation) -> Verdict:
        """The verdict for one quotation (terms are listed, not checked)."""
        return self.check_with_alignment(quotation)[0]

    def check_with_alignment(self, quotation: Quotation) -> tuple[Verdict, Alignment | None]:
        """The verdict and the best alignment behind it (None when no passage was a candidate)."""
        if quotation.term:
            return Verdict(quotation, "term"), None
        qkey = key(quotation.text)
        parts = [k for p in ELLIPSIS.split(quotation.text) if (k := key(p).text)]
        best: tuple[float, float, Alignment, _Passage, Key] | None = None
        exact_docs: list[int] = []
        for passage in self._candidates(quotation.text, len(quotation.text)):
            pkey = key(passage.text)
            found = (len(parts) > 1 and align_parts(parts, pkey.text)) or align(qkey.text, pkey.text)
            # Ties (the same words in two documents): prefer the copy in the quotation's own script.
            span = pkey.span(found.start, found.end)
            script = _same_script(quotation.text, passage.text[span[0] : span[1]])
            rank = (rank_score(found), script)
            if found.exact:
                exact_docs.append(passage.document_id)
            if best is None or rank > (best[0], best[1]):
                best = (rank[0], script, found, passage, pkey)
        if best is None:
            return Verdict(quotation, "not_found"), None
        _, _, found, passage, pkey = best
        status = status_of(found)
        if status == "not_found":
            return Verdict(quotation, "not_found", found.edit), found
        s, e = pkey.span(found.start, found.end)
        while e > s and passage.text[e - 1] in "，、；：,;: \n":
            e -= 1  # a span ends at its last word, not at the comma after it
        source_text = passage.text[s:e]
        if status == "near" and _variants_only(qkey.text, key(source_text).text):
            status = "exact"
        ops = diff(quotation.text, qkey, source_text, key(source_text)) if status == "near" else ()
        source = self._source(passage, s, source_text, exact_docs)
        return Verdict(quotation, status, found.edit, source, ops), found

    # -- candidates ---------------------------------------------------------------------------------

    def _candidates(self, quote: str, length: int) -> list[_Passage]:
        pieces = _pieces(quote)
        if not pieces:
            return []
        ids = self._candidate_ids(pieces, self.candidates * 2)
        snap = self.engine.snapshot()
        current = set(int(i) for i in snap.chunk_ids[snap.positions(np.array(ids, dtype=np.int64))])
        ids = [i for i in ids if i in current][: self.candidates]
        return self._passages(ids, length)

    def _candidate_ids(self, pieces: list[str], limit: int) -> list[int]:
        """Passages holding any of the pieces, best first: FTS5's rank on SQLite; on PostgreSQL, where
        `chunk_fts` is a plain table of folded texts (studykb.pg_schema), the number of pieces held."""
        return IndexStore(self._conn).phrase_candidates(pieces, limit)

    def _passages(self, ids: list[int], extend: int) -> list[_Passage]:
        if not ids:
            return []
        rows = IndexStore(self._conn).passage_windows(ids, extend)
        by_id = {r["id"]: r for r in rows}
        out = []
        for i in ids:
            r = by_id.get(i)
            if r is None:
                continue
            # The document text around the passage, so a quotation crossing into the next passage is
            # whole; documents stored without their text (none today) fall back to the passage.
            window = r["window"] if r["window"] and r["window"].startswith(r["text"]) else r["text"]
            out.append(_Passage(r["id"], r["document_id"], r["start"], window, r["page"],
                                tuple(json.loads(r["heading_path"])),
                                tuple(json.loads(r["page_starts"] or "[]"))))
        return out

    def _source(self, passage: _Passage, offset: int, text: str, exact_docs: list[int]) -> Source:
        docs = self.engine.snapshot().documents
        doc = docs[passage.document_id]
        also = tuple(dict.fromkeys(docs[d].path for d in exact_docs if d != doc.id and d in docs))
        page = passage.page
        if passage.page_starts:  # the page where the quoted words begin
            page = bisect_right(passage.page_starts, passage.start + offset) or page
        return Source(passage.chunk_id, doc.id, doc.path, doc.title, doc.source, doc.date, page,
                      passage.heading_path, text, also)


def _variants_only(quote: str, source: str) -> bool:
    """True when two keys differ only in variant words that t2s keeps apart (想像/想象, 週/周)."""
    return len(quote) == len(source) and to_traditional(quote) == to_traditional(source)


def _same_script(quote: str, source: str) -> float:
    """Share of the quotation's characters the source span has unchanged (before any folding)."""
    q = normalize(quote)
    return sum(1 for ch in q if ch in source) / max(1, len(q))
