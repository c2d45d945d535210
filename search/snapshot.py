"""One published index version loaded for searching, and its consistency check (`studykb verify`)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

import numpy as np

from studykb.errors import IndexCorruptError, IndexMissingError
from studykb.index_store import IndexStore
from studykb.layout import DataDir

from .dense import DenseIndex
from .doc_vectors import DocVectors
from .index_format import CHUNK_IDS_FILE, DENSE_FILE, LEXICAL_DIR, Manifest, check_version, rebuild_advice
from .lexical import LexicalIndex
from .records import DocumentInfo

__all__ = ["Snapshot", "corpus_root", "load_snapshot", "verify_version"]


@dataclass(frozen=True)
class Snapshot:
    """Everything one query needs from one version; never mutated, so queries never mix versions."""

    name: str
    manifest: Manifest
    dense: DenseIndex
    lexical: LexicalIndex
    chunk_ids: np.ndarray  # sorted passage ids; row i of both indexes is chunk_ids[i]
    doc_of: np.ndarray  # document id of each row
    documents: dict[int, DocumentInfo]
    doc_vectors: DocVectors | None = None  # one mean vector per document, when the version has them

    def positions(self, chunk_ids: np.ndarray) -> np.ndarray:
        """Row positions of the given passage ids that belong to this version (others dropped)."""
        pos = np.searchsorted(self.chunk_ids, chunk_ids)
        pos = np.clip(pos, 0, max(len(self.chunk_ids) - 1, 0))
        ok = (
            (len(self.chunk_ids) > 0) & (self.chunk_ids[pos] == chunk_ids) if len(self.chunk_ids) else pos < 0
        )
        return pos[ok]


def corpus_root(conn: sqlite3.Connection, name: str) -> str | None:
    """The corpus folder version `name` was ingested from (for the rebuild command), if recorded."""
    try:
        return IndexStore(conn).corpus_root(name)
    except sqlite3.Error:
        return None


def _documents(conn: sqlite3.Connection, name: str) -> dict[int, DocumentInfo]:
    rows = IndexStore(conn).version_documents(name)
    return {
        r["id"]: DocumentInfo(
            id=r["id"],
            path=r["path"],
            root=r["root"],
            title=r["title"],
            format=r["format"],
            date=r["date"],
            category=r["category"],
            source=r["source"],
            author=r["author"],
            tags=tuple(json.loads(r["tags"])),
            pages=r["pages"],
            content_hash=r["content_hash"],
            size=r["size"],
        )
        for r in rows
    }


def load_snapshot(data: DataDir, conn: sqlite3.Connection, name: str | None = None) -> Snapshot:
    """Load version `name` (default: the published one). Raises IndexMissingError if none."""
    name = name or data.current()
    if name is None:
        raise IndexMissingError(
            f"no index in {data.root}: build one with `studykb ingest corpus --data-dir {data.root}`"
        )
    verdict = check_version(data, name)
    if not verdict.ok:
        raise verdict.error(data, corpus_root(conn, name))
    manifest = verdict.manifest
    folder = data.version_path(name)
    try:
        chunk_ids = np.load(folder / CHUNK_IDS_FILE)
        dense = DenseIndex.load(folder / DENSE_FILE)
        lexical = LexicalIndex.load(folder / LEXICAL_DIR)
        doc_vectors = DocVectors.load(folder)
    except (OSError, ValueError, RuntimeError, EOFError) as exc:  # damage the checks could not see
        raise IndexCorruptError(
            f"index version {name} in {data.root} is damaged ({exc}): "
            f"{rebuild_advice(data, corpus_root(conn, name))}",
            version=name, problems=(str(exc),),
        ) from exc
    documents = _documents(conn, name)
    rows = IndexStore(conn).chunk_documents(name)
    if len(rows) != len(chunk_ids) or len(chunk_ids) != dense.size or lexical.size != dense.size:
        raise IndexCorruptError(
            f"index version {name} is inconsistent ({len(chunk_ids)} ids, {dense.size} vectors, "
            f"{lexical.size} BM25 rows, {len(rows)} database rows): "
            f"{rebuild_advice(data, corpus_root(conn, name))}",
            version=name,
        )
    doc_of = np.array([r[1] for r in rows], dtype=np.int64)
    return Snapshot(name, manifest, dense, lexical, chunk_ids, doc_of, documents, doc_vectors)


def verify_version(data: DataDir, conn: sqlite3.Connection, name: str | None = None) -> list[str]:
    """Check one version's consistency; return the problems found (empty when all is well).

    Checks: every file's sha256 against the manifest and the manifest's overall checksum; FAISS
    vector count, BM25 document count, passage ids and database rows all agree.
    """
    name = name or data.current()
    if name is None:
        return [f"no published index version in {data.root}"]
    verdict = check_version(data, name, checksums=True)
    if not verdict.ok:
        return [f"{name}: {problem}" for problem in verdict.problems]
    problems: list[str] = []
    manifest = verdict.manifest
    folder = data.version_path(name)
    n = int(manifest.get("n_chunks", -1))
    chunk_ids = np.load(folder / CHUNK_IDS_FILE)
    dense = DenseIndex.load(folder / DENSE_FILE)
    lexical = LexicalIndex.load(folder / LEXICAL_DIR)
    row = IndexStore(conn).version(name)
    if row is None:
        return [f"{name}: no record in the database"]
    if row["checksum"] and row["checksum"] != manifest.get("checksum"):
        problems.append(f"{name}: the manifest's checksum differs from the database's record")
    db_ids = np.array(IndexStore(conn).version_chunk_ids(row["id"]), dtype=np.int64)
    counts = {
        "manifest": n,
        "passage ids": len(chunk_ids),
        "FAISS vectors": dense.size,
        "BM25 documents": lexical.size,
        "database rows": len(db_ids),
        "version record": row["n_chunks"],
    }
    if len(set(counts.values())) != 1:
        problems.append(f"{name}: counts disagree: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    elif not np.array_equal(db_ids, chunk_ids):
        problems.append(f"{name}: passage ids in the index differ from the database rows")
    return problems
