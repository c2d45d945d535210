"""The search engine: opened once from a data dir, answers hybrid, exact-phrase and similar-passage
queries with citations, and follows newly published index versions without a restart.

Thread-safe: a query takes one immutable Snapshot for its whole run (versions never mix inside a
query); SQLite connections are per thread; the encoder is shared behind a lock.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from studykb.db import connect
from studykb.errors import IndexMismatchError, QueryError, StudyKBError
from studykb.index_store import IndexStore
from studykb.layout import DataDir
from studykb.models import ModelSpec, resolve_backend, spec_for_index

from .context import with_document, with_neighbours
from .fuse import hybrid
from .highlight import mark_spans, snippet
from .index_format import fingerprint
from .query import Filters, ParsedQuery, parse_query
from .records import DocumentInfo, Hit, Leg, Location, SearchLeg, SearchResult
from .relevance import weak_flags
from .snapshot import Snapshot, load_snapshot
from .weights import dense_weight, has_cjk, model_reads

__all__ = ["Engine"]

log = logging.getLogger(__name__)

MIN_DEPTH = 100


class Engine:
    """Search over the published index of one data dir. Create with `Engine.open(data_dir)`."""

    def __init__(self, data: DataDir, snapshot: Snapshot, backend: str | None = None) -> None:
        self.data = data
        self._backend = backend  # None: resolve_backend's default ($STUDYKB_BACKEND, studykb.toml, auto)
        self._snap = snapshot
        self._swap_lock = threading.Lock()
        self._encode_lock = threading.Lock()
        self._local = threading.local()
        self._spec: ModelSpec | None = None
        self._refused: tuple[str, object] | None = None  # (version, files' fingerprint) that failed to load

    @classmethod
    def open(cls, data_dir: Path | str, backend: str | None = None) -> Engine:
        """Open the published index; raises IndexMissingError when there is none yet.

        `backend` embeds queries (one of studykb.backends.BACKENDS); None: `$STUDYKB_BACKEND`, else
        `[embedding] backend` in studykb.toml, else auto (see `studykb.models.resolve_backend`).
        """
        data = DataDir(Path(data_dir))
        if data.current() is None:
            load_snapshot(data, None)  # type: ignore[arg-type]  # raises IndexMissingError
        conn = connect(data.db_path)
        try:
            return cls(data, load_snapshot(data, conn), backend)
        finally:
            conn.close()

    # -- plumbing ------------------------------------------------------------------------------

    @property
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.data.db_path, migrate=False)
            self._local.conn = conn
        return conn

    @property
    def _store(self) -> IndexStore:
        return IndexStore(self._conn)

    def snapshot(self) -> Snapshot:
        """The current snapshot, reloading first if a newer version was published.

        A newly published version whose files fail their checks (or a damaged CURRENT) is never
        switched to: the engine keeps serving the version it has and logs why, once per state of
        the new version's files.
        """
        try:
            name = self.data.current()
        except StudyKBError as exc:
            self._refuse("CURRENT", None, exc)
            return self._snap
        if name and name != self._snap.name:
            with self._swap_lock:
                if name != self._snap.name:
                    self._switch(name)
        return self._snap

    def _switch(self, name: str) -> None:
        try:
            state = fingerprint(self.data.version_path(name))
        except OSError:
            state = None
        if self._refused == (name, state):
            return
        try:
            self._snap = load_snapshot(self.data, self._conn, name)
            self._refused = None
        except (StudyKBError, OSError, sqlite3.Error) as exc:
            self._refuse(name, state, exc)

    def _refuse(self, name: str, state: object, exc: Exception) -> None:
        """Keep the current snapshot; log the reason once per (version, state of its files)."""
        if self._refused != (name, state):
            self._refused = (name, state)
            log.error("not switching to index version %s, still serving %s: %s", name, self._snap.name, exc)

    @property
    def model(self) -> ModelSpec:
        """The embedding model the index was built with."""
        name = self._snap.manifest["model"]
        if self._spec is None or self._spec.name != name:
            self._spec = spec_for_index(name, backend=resolve_backend(self._backend, data_dir=self.data.root))
        return self._spec

    def embed_query(self, text: str) -> np.ndarray:
        """The normalised query vector (with the model's query instruction, if it has one)."""
        from studykb.models import load_encoder

        spec = self.model
        with self._encode_lock:
            vec = load_encoder(spec, purpose="query").encode(
                [spec.query_prefix + text],
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        out = np.asarray(vec[0], dtype=np.float32)
        if out.shape[0] != self._snap.dense.dim:
            raise IndexMismatchError(
                f"query vectors have {out.shape[0]} dimensions but the index has {self._snap.dense.dim}: "
                "the index was built with another model; run `studykb ingest --rebuild`"
            )
        return out

    # -- search --------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        offset: int = 0,
        legs: Sequence[SearchLeg] = ("bm25", "dense"),
    ) -> SearchResult:
        """Search the library. Quoted parts of `query` ("…", “…”, 「…」) must appear verbatim.

        Returns up to `k` hits after skipping `offset` (paging), duplicates collapsed. `legs` can
        restrict retrieval to "bm25" or "dense" alone (for evaluation).
        """
        t0 = time.perf_counter()
        if k <= 0 or offset < 0:
            raise QueryError("k must be positive and offset non-negative")
        parsed = parse_query(query)
        snap = self.snapshot()
        filters = filters or Filters()
        filters.check()
        allowed = self._allowed(snap, filters)
        depth = max(MIN_DEPTH, 3 * (offset + k))
        notes: list[str] = []
        weak: set[int] = set()
        if parsed.exact:
            ranked, found_by = self._phrase(snap, parsed, allowed, depth)
        else:
            ranked, found_by, notes, weak = self._hybrid(snap, parsed, allowed, depth, legs)
        collapsed = self._collapse(snap, ranked)
        # The floor is a cut in the fused ranking, never a re-ranking (moving weak hits below
        # relevant ones cost CMRC R@1 0.967 -> 0.961): hits after the last one with real evidence
        # are weak, the ones before it relevant.
        last = max((i for i, c in enumerate(collapsed) if c[0] not in weak), default=-1)
        weak = {c[0] for c in collapsed[last + 1 :]}
        page = collapsed[offset : offset + k]
        hits = self._hits(snap, page, parsed, found_by, weak)
        return SearchResult(
            query,
            tuple(hits),
            len(collapsed),
            offset,
            parsed.exact,
            parsed.terms,
            parsed.phrases,
            snap.name,
            time.perf_counter() - t0,
            tuple(notes),
            last + 1,
            depth,
        )

    def _allowed(self, snap: Snapshot, filters: Filters) -> np.ndarray | None:
        """Sorted row positions allowed by the filters, or None when nothing is filtered."""
        if not filters.active:
            return None
        docs = [d for d in snap.documents.values() if _matches(d, filters)]
        return np.flatnonzero(np.isin(snap.doc_of, [d.id for d in docs])).astype(np.int64)

    def _hybrid(
        self,
        snap: Snapshot,
        parsed: ParsedQuery,
        allowed: np.ndarray | None,
        depth: int,
        legs: Sequence[SearchLeg],
    ) -> tuple[list[tuple[int, float]], dict[int, set[Leg]], list[str], set[int]]:
        """Fused (position, score) best first, the legs that found each position, notes for the
        reader, and the positions that are only weak matches (search/relevance.py)."""
        bm25: list[tuple[int, float]] = []
        dense: list[tuple[int, float]] = []
        found_by: dict[int, set[Leg]] = {}
        notes: list[str] = []
        if "bm25" in legs and parsed.terms:
            mask = None
            if allowed is not None:
                mask = np.zeros(snap.lexical.size, dtype=np.float32)
                mask[allowed] = 1
            bm25 = snap.lexical.search(parsed.terms, depth, mask)
        cannot = False
        cosines: list[tuple[int, float]] = []
        if "dense" in legs:
            query = self.embed_query(parsed.text)
            dense = cosines = snap.dense.search(query, depth, allowed)
            cannot = not model_reads(self.model, parsed.text)
            if snap.doc_vectors is not None and dense and not cannot:  # search/context.py
                near = snap.doc_vectors.cosines(query, snap.doc_of[[p for p, _ in dense]])
                dense = with_document(dense, near)
            if cannot:
                notes.append(
                    "the embedding model is the English-only all-MiniLM-L6-v2: "
                    "Chinese queries rank mainly by keywords"
                )
        leg_lists: tuple[tuple[Leg, list[tuple[int, float]]], ...] = (("bm25", bm25), ("dense", dense))
        for name, items in leg_lists:
            for pos, _ in items:
                found_by.setdefault(pos, set()).add(name)
        # Chinese queries: a passage also scores for the keywords of its neighbours (search/context.py).
        lexical = with_neighbours(bm25, snap.doc_of) if has_cjk(parsed.text) else bm25
        for pos, _ in lexical:
            found_by.setdefault(pos, {"context"})
        candidates = sorted(found_by)
        coverage = snap.lexical.coverage(parsed.terms, candidates)
        covered = dict(zip(candidates, coverage.tolist(), strict=True))
        top = covered.get(bm25[0][0], 0.0) if bm25 else 0.0
        fused = hybrid(lexical, dense, dense_weight(self.model, parsed.text, top), rerank_only=cannot)
        flags = weak_flags(candidates, coverage, cosines, dense_counts=bool(cosines) and not cannot)
        weak = {pos for pos, flag in zip(candidates, flags, strict=True) if flag}
        return fused, found_by, notes, weak

    def _phrase(
        self, snap: Snapshot, parsed: ParsedQuery, allowed: np.ndarray | None, depth: int
    ) -> tuple[list[tuple[int, float]], dict[int, set[Leg]]]:
        """Passages containing every quoted phrase, ranked by BM25 over all query terms."""
        ids: set[int] | None = None
        for phrase in parsed.phrases:
            found = set(self._phrase_ids(phrase))
            ids = found if ids is None else ids & found
        positions = snap.positions(np.array(sorted(ids or ()), dtype=np.int64))
        if allowed is not None:
            positions = np.intersect1d(positions, allowed)
        from studykb.text import tokenize

        terms = list(parsed.terms) + [t for p in parsed.phrases for t in tokenize(p)]
        scores = snap.lexical.scores(terms)[positions] if len(positions) else np.array([])
        order = np.lexsort((positions, -scores)) if len(positions) else np.array([], dtype=np.int64)
        ranked = [(int(positions[i]), float(scores[i])) for i in order]
        return ranked, {pos: {"phrase"} for pos, _ in ranked}

    def _phrase_ids(self, phrase: str) -> list[int]:
        return self._store.phrase_ids(phrase)

    def _collapse(
        self, snap: Snapshot, ranked: list[tuple[int, float]]
    ) -> list[tuple[int, float, list[int]]]:
        """Merge hits whose passage text is identical (reprints): [(position, score, other positions)]."""
        if not ranked:
            return []
        ids = [int(snap.chunk_ids[p]) for p, _ in ranked]
        hashes = self._store.text_hashes(ids)
        out: list[tuple[int, float, list[int]]] = []
        first: dict[str, int] = {}
        for (pos, score), cid in zip(ranked, ids, strict=True):
            h = hashes.get(cid)
            if h is None:
                continue  # row gone (retired version): never cite it
            if h in first:
                out[first[h]][2].append(pos)
            else:
                first[h] = len(out)
                out.append((pos, score, []))
        return out

    def _hits(
        self,
        snap: Snapshot,
        page: list[tuple[int, float, list[int]]],
        parsed: ParsedQuery,
        found_by: dict[int, set[Leg]],
        weak: Collection[int] = (),
    ) -> list[Hit]:
        wanted = [int(snap.chunk_ids[p]) for p, _, others in page] + [
            int(snap.chunk_ids[o]) for _, _, others in page for o in others
        ]
        rows = self._chunk_rows(wanted)
        hits: list[Hit] = []
        for pos, score, others in page:
            row = rows.get(int(snap.chunk_ids[pos]))
            if row is None:
                continue
            legs = set(found_by.get(pos, set()))
            for o in others:
                legs |= found_by.get(o, set())
            also = tuple(
                Location(
                    r["id"],
                    r["document_id"],
                    snap.documents[r["document_id"]].path,
                    snap.documents[r["document_id"]].title,
                    snap.documents[r["document_id"]].date,
                    r["page"],
                )
                for o in others
                if (r := rows.get(int(snap.chunk_ids[o]))) is not None and r["document_id"] in snap.documents
            )
            hits.append(self._hit(snap, row, score, tuple(sorted(legs)), parsed, also, pos in weak))
        return hits

    def _chunk_rows(self, ids: list[int]) -> dict[int, sqlite3.Row]:
        return self._store.chunks(ids)

    def _hit(
        self,
        snap: Snapshot,
        row: sqlite3.Row,
        score: float,
        legs: tuple[Leg, ...],
        parsed: ParsedQuery | None,
        also: tuple[Location, ...] = (),
        weak: bool = False,
    ) -> Hit:
        text = row["text"]
        # An exact quote marks only the quoted words, and its snippet is centred on them.
        exact = bool(parsed and parsed.exact)
        spans = mark_spans(text, () if exact else parsed.terms, parsed.phrases) if parsed else []
        snip, snip_spans = snippet(text, spans, centred=exact)
        return Hit(
            chunk_id=row["id"],
            text=text,
            snippet=snip,
            snippet_spans=tuple(snip_spans),
            highlights=tuple(spans),
            document=snap.documents[row["document_id"]],
            page=row["page"],
            page_end=row["page_end"],
            heading_path=tuple(json.loads(row["heading_path"])),
            start=row["start"],
            end=row["end"],
            score=score,
            legs=legs,
            also_in=also,
            ocr_confidence=row["ocr_confidence"],
            weak=weak,
        )

    # -- more like this, documents, status -----------------------------------------------------

    def more_like_this(self, chunk_id: int, k: int = 5) -> list[Hit]:
        """Passages similar to passage `chunk_id` in *other* documents (dense + BM25 of its terms)."""
        snap = self.snapshot()
        row = self._store.chunk(chunk_id)
        if row is None or row["document_id"] not in snap.documents:
            raise QueryError(f"passage {chunk_id} is not in the current index")
        vector = self._store.vector(row["embed_hash"], snap.manifest["model"])
        allowed = np.flatnonzero(snap.doc_of != row["document_id"]).astype(np.int64)
        depth = max(MIN_DEPTH, 4 * k)
        dense = (
            snap.dense.search(np.frombuffer(vector, dtype=np.float32), depth, allowed)
            if vector is not None
            else []
        )
        terms = list(dict.fromkeys(row["tokens"].split()))[:32]
        mask = np.zeros(snap.lexical.size, dtype=np.float32)
        mask[allowed] = 1
        bm25 = snap.lexical.search(terms, depth, mask)
        ranked = hybrid(bm25, dense, dense_weight(self.model, row["text"]))
        collapsed = [
            c
            for c in self._collapse(snap, ranked)
            if self._text_hash(int(snap.chunk_ids[c[0]])) != row["text_hash"]
        ][:k]
        return self._hits(snap, collapsed, None, {})  # type: ignore[arg-type]

    def _text_hash(self, chunk_id: int) -> str | None:
        return self._store.text_hash(chunk_id)

    def passage(self, chunk_id: int) -> Hit:
        """One passage of the current index as a Hit without highlights."""
        snap = self.snapshot()
        row = self._store.chunk(chunk_id)
        if row is None or row["document_id"] not in snap.documents:
            raise QueryError(f"passage {chunk_id} is not in the current index")
        return self._hit(snap, row, 0.0, (), None)

    def document(self, document_id: int) -> tuple[DocumentInfo, str, list[int]]:
        """A document of the current index: its info, full text and the text offset of each page."""
        snap = self.snapshot()
        if document_id not in snap.documents:
            raise QueryError(f"document {document_id} is not in the current index")
        row = self._store.document_text(document_id)
        return snap.documents[document_id], row["text"], json.loads(row["page_starts"])

    def documents(self) -> list[DocumentInfo]:
        """All documents of the current index, by title."""
        return sorted(self.snapshot().documents.values(), key=lambda d: (d.title, d.path))

    def status(self) -> dict[str, Any]:
        """Figures about the published index (documents, passages, model, type, build time)."""
        snap = self.snapshot()
        m = snap.manifest
        return {
            "version": snap.name,
            "documents": len(snap.documents),
            "passages": int(len(snap.chunk_ids)),
            "model": m["model"],
            "model_fallback": bool(m.get("model_fallback")),
            "model_reason": m.get("model_reason", ""),
            "index_type": m.get("index_type"),
            "built_at": m.get("created_at"),
        }


def _matches(doc: DocumentInfo, f: Filters) -> bool:
    if f.categories and doc.category not in f.categories:
        return False
    if f.documents and doc.path not in f.documents and str(doc.id) not in f.documents:
        return False
    if (f.date_from or f.date_to) and not doc.date:
        return False
    if f.date_from and doc.date and doc.date < f.date_from:
        return False
    if f.date_to and doc.date and doc.date > f.date_to:
        return False
    return not (f.tags and not set(f.tags) & set(doc.tags))
