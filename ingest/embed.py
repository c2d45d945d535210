"""Embedding passages with sentence-transformers, cached by text hash so nothing is embedded twice."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence

import numpy as np

from studykb.db import write
from studykb.models import ModelSpec, load_encoder

__all__ = ["DEFAULT_BATCH", "embed_hash", "embed_missing", "encode"]

DEFAULT_BATCH = 64


def embed_hash(text: str) -> str:
    """The cache key of a passage text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def encode(spec: ModelSpec, texts: Sequence[str], *, batch_size: int = DEFAULT_BATCH) -> np.ndarray:
    """Normalised float32 embeddings of `texts` (one row each)."""
    model = load_encoder(spec)
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
) -> int:
    """Embed the (hash, text) items not yet cached for this model; return how many were embedded.

    Each batch is committed as soon as it is computed, so an interrupted run keeps its work and the
    next run embeds only what is still missing. The model is loaded only if something is missing.
    """
    have = _cached(conn, spec.name, [h for h, _ in items])
    todo = list({h: t for h, t in items if h not in have}.items())
    for i in range(0, len(todo), batch_size):
        batch = todo[i : i + batch_size]
        vectors = encode(spec, [t for _, t in batch], batch_size=batch_size)
        with write(conn):
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings(embed_hash, model, vector) VALUES (?, ?, ?)",
                [(h, spec.name, v.tobytes()) for (h, _), v in zip(batch, vectors, strict=True)],
            )
        if on_batch:
            on_batch(len(batch))
    return len(todo)


def _cached(conn: sqlite3.Connection, model: str, hashes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    unique = list(set(hashes))
    for i in range(0, len(unique), 900):
        part = unique[i : i + 900]
        marks = ",".join("?" * len(part))
        rows = conn.execute(
            f"SELECT embed_hash FROM embeddings WHERE model = ? AND embed_hash IN ({marks})", (model, *part)
        )
        found.update(r[0] for r in rows)
    return found
