"""The BM25 leg: a bm25s index over jieba terms, built at ingest time and stored with the version."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["LexicalIndex"]


class LexicalIndex:
    """BM25 (Lucene variant, k1=1.5, b=0.75) over pre-tokenised passages, addressed by position."""

    def __init__(self, retriever: Any, size: int) -> None:
        self._bm25 = retriever
        self.size = size

    @classmethod
    def build(cls, corpus_tokens: Sequence[Sequence[str]]) -> LexicalIndex:
        """Index one token list per passage (position i = passage i of the version)."""
        import bm25s

        retriever = bm25s.BM25()
        # bm25s rejects an empty corpus; a version without passages gets a one-row placeholder.
        docs = [t if isinstance(t, list) else list(t) for t in corpus_tokens] or [[]]
        # Indexing allocates millions of small objects that live to the end: the cyclic collector
        # would walk the whole token corpus again and again (a third of the build time at 1M passages).
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            retriever.index(docs, show_progress=False)
        finally:
            if was_enabled:
                gc.enable()
        return cls(retriever, len(corpus_tokens))

    def save(self, directory: Path) -> None:
        """Write the index files into `directory`."""
        self._bm25.save(str(directory))
        (directory / "size.txt").write_text(str(self.size), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        """Load an index saved by `save` (memory-mapped)."""
        import bm25s

        size = int((directory / "size.txt").read_text(encoding="utf-8"))
        return cls(bm25s.BM25.load(str(directory), mmap=True), size)

    def search(
        self, tokens: Sequence[str], k: int, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (position, score) with score > 0, best first; `mask` (0/1 per position) restricts
        candidates.

        Scores are bm25s's precomputed ones, summed here rather than by `BM25.retrieve`: its top-k
        selection runs `argpartition` over every passage, which on the mostly-zero score vector of
        a large corpus cost ~10 ms a query at 100k passages here; selecting among the passages that contain a
        query term gives the same hits (ties by position) at a fraction of the time.
        """
        if not tokens or self.size == 0 or k <= 0:
            return []
        if self._bm25.nonoccurrence_array is not None:  # BM25L/BM25+ score every passage: use bm25s
            return self._retrieve(tokens, k, mask)
        scores = self._sum(tokens)
        if mask is not None:
            scores *= mask[: len(scores)]
        found = np.flatnonzero(scores > 0)
        if len(found) > k:
            found = found[np.argpartition(scores[found], -k)[-k:]]
        order = found[np.lexsort((found, -scores[found]))]
        return [(int(i), float(scores[i])) for i in order]

    def _sum(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage: the sum of each query term's precomputed column (as bm25s)."""
        matrix = self._bm25.scores
        data, indices, indptr = matrix["data"], matrix["indices"], matrix["indptr"]
        vocab = self._bm25.vocab_dict
        scores = np.zeros(matrix["num_docs"], dtype=np.float32)
        for token in tokens:  # a repeated term counts again, as in bm25s
            column = vocab.get(token)
            if column is not None:
                start, end = indptr[column], indptr[column + 1]
                scores[indices[start:end]] += data[start:end]  # positions are unique within a column
        return scores[: self.size]

    def coverage(self, tokens: Sequence[str], positions: Sequence[int]) -> np.ndarray:
        """For each passage in `positions`, the IDF-weighted share of the query's distinct terms it
        contains (0-1): 1 when it has every term, near 0 when it has only common ones. A term no
        passage has counts with the highest IDF, so made-up words pull the share down.

        IDF as BM25's Lucene variant: ln(1 + (N − df + 0.5) / (df + 0.5)).
        """
        pos = np.asarray(positions, dtype=np.int64)
        terms = list(dict.fromkeys(tokens))
        if not terms or not len(pos):
            return np.zeros(len(pos), dtype=np.float32)
        matrix = self._bm25.scores
        indices, indptr = matrix["indices"], matrix["indptr"]
        n = float(matrix["num_docs"])
        vocab = self._bm25.vocab_dict
        have = np.zeros(len(pos), dtype=np.float64)
        total = 0.0
        for term in terms:
            column = vocab.get(term)
            df = 0 if column is None else int(indptr[column + 1] - indptr[column])
            idf = float(np.log1p((n - df + 0.5) / (df + 0.5)))
            total += idf
            if df:
                have += idf * np.isin(pos, indices[indptr[column] : indptr[column + 1]])
        return (have / total).astype(np.float32)

    def _retrieve(self, tokens: Sequence[str], k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        k = min(k, self.size)
        docs, scores = self._bm25.retrieve(
            [list(tokens)], k=k, show_progress=False, weight_mask=mask, n_threads=0
        )
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """The BM25 score of every passage for `tokens` (length = size)."""
        if not tokens or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(list(tokens)), dtype=np.float32)[: self.size]
