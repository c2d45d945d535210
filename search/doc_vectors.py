"""One vector per document: the normalised mean of its passages' vectors, stored with an index version.

A passage of 320 characters says little about what its document as a whole is about; a question
that names a topic ("former residence of Soong Ching-ling") can sit closer to the right document's
mean than to any one of its passages. search/context.py `with_document` adds that evidence to the
dense leg. Files in the version folder: `doc_ids.npy` (sorted document ids, int64) and
`doc_vectors.npy` (float16, one row each). A version written without them (before 2026-12-04, or by
the synthetic benchmarks) simply has no document evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["IDS_FILE", "VECTORS_FILE", "DocVectors"]

IDS_FILE = "doc_ids.npy"
VECTORS_FILE = "doc_vectors.npy"


@dataclass(frozen=True)
class DocVectors:
    """Document ids (sorted) and their unit-length mean vectors, row for row."""

    ids: np.ndarray
    vectors: np.ndarray

    @classmethod
    def build(cls, vectors: np.ndarray, doc_of: np.ndarray) -> DocVectors:
        """Mean of the (normalised) passage `vectors` of each document in `doc_of`, normalised."""
        ids, rows = np.unique(np.asarray(doc_of, dtype=np.int64), return_inverse=True)
        sums = np.zeros((len(ids), vectors.shape[1]), dtype=np.float32)
        np.add.at(sums, rows, vectors.astype(np.float32, copy=False))
        sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        return cls(ids, sums.astype(np.float16))

    def save(self, folder: Path) -> None:
        """Write the two files into `folder`."""
        np.save(folder / IDS_FILE, self.ids)
        np.save(folder / VECTORS_FILE, self.vectors)

    @classmethod
    def load(cls, folder: Path) -> DocVectors | None:
        """The files of `folder` (memory-mapped), or None when the version has none."""
        if not (folder / IDS_FILE).is_file() or not (folder / VECTORS_FILE).is_file():
            return None
        ids = np.load(folder / IDS_FILE)
        vectors = np.load(folder / VECTORS_FILE, mmap_mode="r")
        if vectors.ndim != 2 or len(vectors) != len(ids):
            raise ValueError(f"{folder}: {len(ids)} document ids but {len(vectors)} document vectors")
        return cls(ids, vectors)

    def cosines(self, query: np.ndarray, documents: np.ndarray) -> np.ndarray:
        """Cosine of the unit `query` vector to each of `documents` (ids; 0 for an unknown id)."""
        documents = np.asarray(documents, dtype=np.int64)
        if not len(self.ids) or not len(documents):
            return np.zeros(len(documents), dtype=np.float32)
        at = np.clip(np.searchsorted(self.ids, documents), 0, len(self.ids) - 1)
        known = self.ids[at] == documents
        out = np.asarray(self.vectors[at], dtype=np.float32) @ np.asarray(query, dtype=np.float32)
        return np.where(known, out, 0.0).astype(np.float32)
