"""Tests for search.doc_vectors and the document evidence of search.context, on real indexes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from ingest.version import write_version
from search.context import with_document
from search.doc_vectors import DocVectors
from search.engine import Engine
from studykb.layout import DataDir


def test_document_vector_is_the_normalised_mean_of_its_passages() -> None:
    vectors = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    docs = DocVectors.build(vectors, np.array([9, 4, 9]))
    assert docs.ids.tolist() == [4, 9]
    assert np.allclose(docs.vectors.astype(np.float32), [[0, 1, 0], [2**-0.5, 0, 2**-0.5]], atol=1e-3)
    query = np.array([1, 0, 0], dtype=np.float32)
    # unknown document id 5 scores 0
    assert np.allclose(docs.cosines(query, np.array([9, 4, 5])), [2**-0.5, 0, 0], atol=1e-3)


def test_document_evidence_reorders_dense_candidates() -> None:
    ranked = with_document([(1, 0.50), (2, 0.48)], np.array([0.1, 0.3]), 0.3)
    assert [p for p, _ in ranked] == [2, 1]
    assert ranked[0][1] == pytest.approx(0.48 + 0.09)


def test_ingested_version_stores_one_vector_per_document(use_engine: Engine) -> None:
    snap = use_engine.snapshot()
    assert snap.doc_vectors is not None
    assert snap.doc_vectors.ids.tolist() == sorted(snap.documents)
    conn = sqlite3.connect(use_engine.data.db_path)
    doc = int(snap.doc_of[0])
    rows = conn.execute(
        "SELECT e.vector FROM chunks c JOIN embeddings e ON e.embed_hash = c.embed_hash AND e.model = ? "
        "WHERE c.document_id = ?",
        (snap.manifest["model"], doc),
    ).fetchall()
    conn.close()
    mean = np.mean([np.frombuffer(r[0], dtype=np.float32) for r in rows], axis=0)
    row = snap.doc_vectors.vectors[int(np.searchsorted(snap.doc_vectors.ids, doc))].astype(np.float32)
    assert float(row @ (mean / np.linalg.norm(mean))) == pytest.approx(1.0, abs=1e-3)


def test_version_written_without_documents_has_none(tmp_path: Path, use_engine: Engine) -> None:
    """Like a version written before document vectors existed (or by a benchmark): it loads as None."""
    data = DataDir(tmp_path)
    vectors = np.eye(4, 512, dtype=np.float32)
    write_version(data, "v000001", np.arange(1, 5, dtype=np.int64), [["a"], ["b"], ["c"], ["d"]], vectors,
                  {"model": use_engine.model.name, "dim": 512})
    assert DocVectors.load(data.version_path("v000001")) is None
    assert (data.version_path("v000001") / "faiss.index").is_file()
