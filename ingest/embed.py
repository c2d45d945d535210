"""Embedding passages with sentence-transformers, cached by text hash so nothing is embedded twice."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from studykb.db import write
from studykb.index_store import IndexStore
from studykb.models import ModelSpec, load_encoder

__all__ = ["DEFAULT_BATCH", "EarlyEmbedder", "embed_hash", "embed_missing", "encode"]

DEFAULT_BATCH = 64
#: EarlyEmbedder sends the longest batch of this many batches' worth of queued texts. Measured
#: by bench/ingest.py, pipeline ÷ raw encode (sample corpus / 100 generated files; ±0.07 noise):
#: batches in document order 0.76 / 0.83; window 2: 0.96 / 0.89; window 4: 0.82 / 0.95 (a small
#: corpus then starts nothing early); sending whenever the model is idle: 0.82 / 0.88.
SORT_WINDOW = 2


def embed_hash(text: str) -> str:
    """The cache key of a passage text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def encode(spec: ModelSpec, texts: Sequence[str], *, batch_size: int = DEFAULT_BATCH,
           purpose: str = "passages") -> np.ndarray:
    """Normalised float32 embeddings of `texts` (one row each); `purpose` as for `load_encoder`."""
    model = load_encoder(spec, purpose=purpose)
    vectors = model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                           convert_to_numpy=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def embed_missing(
    conn: sqlite3.Connection,
    spec: ModelSpec,
    items: Sequence[tuple[str, str]],
    *,
    batch_size: int = DEFAULT_BATCH,
    on_batch: Callable[[int], None] | None = None,
    purpose: str = "passages",
) -> int:
    """Embed the (hash, text) items not yet cached for this model; return how many were embedded.

    Each batch is committed as soon as it is computed, so an interrupted run keeps its work and the
    next run embeds only what is still missing. The model is loaded only if something is missing.
    """
    have = _cached(conn, spec.name, [h for h, _ in items])
    todo = list({h: t for h, t in items if h not in have}.items())
    # Texts of similar length share a batch: a batch is padded to its longest text, and on the
    # sample corpus document order cost ~20 % more model time than length order.
    todo.sort(key=lambda item: -len(item[1]))
    for i in range(0, len(todo), batch_size):
        batch = todo[i : i + batch_size]
        vectors = encode(spec, [t for _, t in batch], batch_size=batch_size, purpose=purpose)
        _store_vectors(conn, spec.name, [h for h, _ in batch], vectors)
        if on_batch:
            on_batch(len(batch))
    return len(todo)


class EarlyEmbedder:
    """Embeds passages on a background thread while the caller goes on extracting the next files.

    Ingestion alternates between waiting for the extraction worker (another process) and embedding;
    torch uses one core here, so running both at once hides extraction behind embedding. The model
    starts loading as soon as the embedder is created. `add(items)` queues (hash, text) pairs that
    are not cached yet; once SORT_WINDOW batches' worth are queued, the longest batch of them is
    encoded on the background thread (texts of similar length pad less), and its vectors are
    written to the cache by the caller's thread (the SQLite connection never changes threads) in
    `add` and `close`. What is still queued at the end is left to `embed_missing`, which sorts it
    all by length.
    """

    def __init__(self, conn: sqlite3.Connection, spec: ModelSpec, *, batch_size: int = DEFAULT_BATCH,
                 purpose: str = "passages") -> None:
        self.conn, self.spec, self.batch_size, self.purpose = conn, spec, batch_size, purpose
        self.embedded = 0
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="studykb-embed")
        self._pool.submit(load_encoder, spec, purpose=purpose)  # load while the first files are extracted
        self._queued: set[str] = set()
        self._pending: list[tuple[str, str]] = []
        self._running: list[tuple[list[str], Future[np.ndarray]]] = []

    def add(self, items: Sequence[tuple[str, str]]) -> None:
        """Queue passages for embedding; store the batches finished meanwhile."""
        fresh = [(h, t) for h, t in dict(items).items() if h not in self._queued]
        have = _cached(self.conn, self.spec.name, [h for h, _ in fresh])
        for h, t in fresh:
            if h not in have:
                self._queued.add(h)
                self._pending.append((h, t))
        while len(self._pending) >= SORT_WINDOW * self.batch_size:
            self._pending.sort(key=lambda item: -len(item[1]))
            batch, self._pending = self._pending[: self.batch_size], self._pending[self.batch_size :]
            texts = [t for _, t in batch]
            self._running.append(([h for h, _ in batch],
                                  self._pool.submit(encode, self.spec, texts, batch_size=self.batch_size,
                                                    purpose=self.purpose)))
        self._store(wait=False)

    def _store(self, wait: bool) -> None:
        while self._running and (wait or self._running[0][1].done()):
            hashes, future = self._running.pop(0)
            _store_vectors(self.conn, self.spec.name, hashes, future.result())
            self.embedded += len(hashes)

    def close(self, *, store: bool = True) -> None:
        """Wait for the submitted batches and store them (`store=False` drops them: the run failed)."""
        try:
            if store:
                self._store(wait=True)
        finally:
            self._pool.shutdown(wait=store, cancel_futures=True)

    def __enter__(self) -> EarlyEmbedder:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(store=exc_type is None)


def _store_vectors(conn: sqlite3.Connection, model: str, hashes: Sequence[str], vectors: np.ndarray) -> None:
    """Write one batch of vectors to the embedding cache, in one transaction."""
    with write(conn):
        IndexStore(conn).save_vectors(model, [(h, v.tobytes()) for h, v in zip(hashes, vectors, strict=True)])


def _cached(conn: sqlite3.Connection, model: str, hashes: Sequence[str]) -> set[str]:
    return IndexStore(conn).cached(model, hashes)
