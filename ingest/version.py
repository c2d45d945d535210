"""Writing one immutable index version: FAISS + BM25 + passage ids + a manifest with checksums.

Files are built in a hidden temporary folder, fsynced, then renamed into `versions/<name>` in one
step; only after that does the caller move the CURRENT pointer, so a crash at any point leaves the
previously published version untouched and complete.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from search.dense import DenseIndex, index_type_for
from search.integrity import MANIFEST, SEAL_KEY, check_version, manifest_seal
from search.lexical import LexicalIndex
from studykb.digest import file_sha256, files_digest
from studykb.errors import StorageError
from studykb.layout import DataDir

__all__ = ["MANIFEST", "files_checksum", "write_version"]

FORMAT_VERSION = 1


def files_checksum(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder` except the manifest, keyed by relative path."""
    return {
        p.relative_to(folder).as_posix(): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


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
        previous_ids = np.load(folder / "chunk_ids.npy")
        return DenseIndex.updated(folder / "faiss.index", previous_ids, chunk_ids, vectors)
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
) -> dict[str, Any]:
    """Build and atomically place version `name`; return its manifest.

    `chunk_ids` (sorted, int64) gives the passage id of each row of `tokens` and `vectors`.
    `info` (model, dim, n_documents, …) is stored in the manifest. `previous` names the version
    this one follows (same model): its HNSW index is carried over when it can be (see
    `DenseIndex.updated`) instead of being built again — minutes at a million passages.
    """
    if not (len(chunk_ids) == len(tokens) == len(vectors)):
        raise ValueError("chunk_ids, tokens and vectors must have the same length")
    data.versions.mkdir(parents=True, exist_ok=True)
    tmp = data.versions / f".{name}.tmp"
    try:
        return _write(data, name, tmp, chunk_ids, tokens, vectors, info, previous)
    except (OSError, RuntimeError) as exc:  # a full disk, a quota, a read-only volume (FAISS: RuntimeError)
        shutil.rmtree(tmp, ignore_errors=True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).splitlines()[0]
        raise StorageError(
            f"could not write index version {name} in {data.versions} ({reason}); the published "
            "version is unchanged: free some space (or make the data dir writable) and run ingest again"
        ) from exc


def _write(data: DataDir, name: str, tmp: Path, chunk_ids: np.ndarray, tokens: Sequence[Sequence[str]],
           vectors: np.ndarray, info: dict[str, Any], previous: str | None) -> dict[str, Any]:
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    np.save(tmp / "chunk_ids.npy", np.asarray(chunk_ids, dtype=np.int64))
    index_type = index_type_for(len(chunk_ids))
    dense = _carried_over(data, previous, info.get("model"), chunk_ids, vectors) if previous else None
    (dense or DenseIndex.build(vectors, index_type)).save(tmp / "faiss.index")
    (tmp / "bm25").mkdir()
    LexicalIndex.build(tokens).save(tmp / "bm25")
    files = files_checksum(tmp)
    manifest = {
        "format": FORMAT_VERSION,
        "name": name,
        **info,
        "index_type": index_type,
        "n_chunks": int(len(chunk_ids)),
        "dense_carried_from": previous if dense else None,
        "dense_hidden_rows": dense.hidden if dense else 0,
        "files": files,
        "sizes": {rel: (tmp / rel).stat().st_size for rel in files},
        "checksum": files_digest(files),
    }
    manifest[SEAL_KEY] = manifest_seal(manifest)
    (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    _fsync_tree(tmp)
    final = data.version_path(name)
    if final.exists():
        shutil.rmtree(final)
    os.rename(tmp, final)
    return manifest
