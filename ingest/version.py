"""Writing one immutable index version: FAISS + BM25 + passage ids + a manifest with checksums.

Files are built in a hidden temporary folder, fsynced, then renamed into `versions/<name>` in one
step; only after that does the caller move the CURRENT pointer, so a crash at any point leaves the
previously published version untouched and complete.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from search.dense import DenseIndex, index_type_for
from search.doc_vectors import DocVectors
from search.index_format import (
    CHUNK_IDS_FILE,
    DENSE_FILE,
    LEXICAL_DIR,
    Manifest,
    check_version,
    write_manifest,
)
from search.lexical import LexicalIndex
from studykb.db import write
from studykb.errors import StorageError
from studykb.index_store import IndexStore
from studykb.layout import DataDir

__all__ = ["publish_version", "write_version"]


def _fsync_tree(folder: Path) -> None:
    for p in [*folder.rglob("*"), folder]:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _carried_over(
    data: DataDir, previous: str, model: Any, chunk_ids: np.ndarray, vectors: np.ndarray
) -> DenseIndex | None:
    """The previous version's dense index updated for this one, if it is intact and fits; else None."""
    from studykb.errors import StudyKBError

    folder = data.version_path(previous)
    try:
        verdict = check_version(data, previous)  # never carry a damaged file over
        old = verdict.manifest
        if not verdict.ok or old.get("model") != model or old.get("dim") != int(vectors.shape[1]):
            return None
        previous_ids = np.load(folder / CHUNK_IDS_FILE)
        return DenseIndex.updated(folder / DENSE_FILE, previous_ids, chunk_ids, vectors)
    except (OSError, ValueError, KeyError, RuntimeError, StudyKBError):  # build afresh instead
        return None


def write_version(
    data: DataDir,
    name: str,
    chunk_ids: np.ndarray,
    tokens: Sequence[Sequence[str]],
    vectors: np.ndarray,
    info: dict[str, Any],
    previous: str | None = None,
    documents: np.ndarray | None = None,
) -> Manifest:
    """Build and atomically place version `name`; return its manifest.

    `chunk_ids` (sorted, int64) gives the passage id of each row of `tokens` and `vectors`;
    `documents`, when given, the document id of each row: the version then also stores one mean
    vector per document (search/doc_vectors.py).
    `info` (model, dim, n_documents, …) is stored in the manifest. `previous` names the version
    this one follows (same model): its HNSW index is carried over when it can be (see
    `DenseIndex.updated`) instead of being built again — minutes at a million passages.
    """
    if not (len(chunk_ids) == len(tokens) == len(vectors)):
        raise ValueError("chunk_ids, tokens and vectors must have the same length")
    data.versions.mkdir(parents=True, exist_ok=True)
    tmp = data.versions / f".{name}.tmp"
    try:
        return _write(data, name, tmp, chunk_ids, tokens, vectors, info, previous, documents)
    except (OSError, RuntimeError) as exc:  # a full disk, a quota, a read-only volume (FAISS: RuntimeError)
        shutil.rmtree(tmp, ignore_errors=True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).splitlines()[0]
        raise StorageError(
            f"could not write index version {name} in {data.versions} ({reason}); the published "
            "version is unchanged: free some space (or make the data dir writable) and run ingest again"
        ) from exc


def _write(data: DataDir, name: str, tmp: Path, chunk_ids: np.ndarray, tokens: Sequence[Sequence[str]],
           vectors: np.ndarray, info: dict[str, Any], previous: str | None,
           documents: np.ndarray | None = None) -> Manifest:
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    np.save(tmp / CHUNK_IDS_FILE, np.asarray(chunk_ids, dtype=np.int64))
    index_type = index_type_for(len(chunk_ids))
    dense = _carried_over(data, previous, info.get("model"), chunk_ids, vectors) if previous else None
    (dense or DenseIndex.build(vectors, index_type)).save(tmp / DENSE_FILE)
    (tmp / LEXICAL_DIR).mkdir()
    LexicalIndex.build(tokens).save(tmp / LEXICAL_DIR)
    if documents is not None and len(documents):
        DocVectors.build(vectors, documents).save(tmp)
    manifest = write_manifest(tmp, {
        "name": name,
        **info,
        "index_type": index_type,
        "n_chunks": int(len(chunk_ids)),
        "dense_carried_from": previous if dense else None,
        "dense_hidden_rows": dense.hidden if dense else 0,
    })
    _fsync_tree(tmp)
    final = data.version_path(name)
    if final.exists():
        shutil.rmtree(final)
    os.rename(tmp, final)
    return manifest


def publish_version(
    conn: sqlite3.Connection,
    data: DataDir,
    version_id: int,
    name: str,
    chunk_ids: np.ndarray,
    tokens: Sequence[Sequence[str]],
    vectors: np.ndarray,
    info: dict[str, Any],
    *,
    n_documents: int,
    previous: str | None = None,
    documents: np.ndarray | None = None,
) -> Manifest:
    """The publish sequence: write version `name` (`write_version`), mark its `index_versions` row
    `version_id` published with the manifest's figures, then switch the CURRENT pointer to it."""
    manifest = write_version(data, name, chunk_ids, tokens, vectors, info, previous, documents)
    with write(conn):
        IndexStore(conn).mark_published(version_id, dim=manifest.dim, index_type=manifest.index_type,
                                        n_documents=n_documents, n_chunks=len(chunk_ids),
                                        checksum=manifest.checksum)
    data.publish(name)
    return manifest
