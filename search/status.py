"""Figures about a data dir's published index and its last ingest run (`studykb status`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studykb.db import connect
from studykb.errors import IndexMissingError
from studykb.index_store import IndexStore
from studykb.layout import DataDir
from studykb.pg import PgConnection

from .index_format import check_version
from .snapshot import corpus_root

__all__ = ["index_status"]


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _database_bytes(conn: Any, data: DataDir) -> int:
    """Size of the SQLite file, or of the PostgreSQL database."""
    if isinstance(conn, PgConnection):
        return int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])
    return data.db_path.stat().st_size


def index_status(data_dir: Path) -> dict[str, Any]:
    """Documents, passages, model, index type, on-disk size, integrity and the last run of `data_dir`.

    `damaged` is None when the published version's files verify, else the one-line error naming the
    damage and the rebuild command. Raises IndexCorruptError when data/CURRENT itself is unusable.
    """
    data = DataDir(data_dir)
    name = data.current()
    if name is None or not data.has_database():
        raise IndexMissingError(
            f"no index in {data_dir}: build one with `studykb ingest corpus --data-dir {data_dir}`"
        )
    conn = connect(data.db_path, migrate=False)
    try:
        verdict = check_version(data, name)
        store = IndexStore(conn)
        v = store.version(name)
        manifest = verdict.manifest
        run = store.last_run()
        report = json.loads(run["report"]) if run else {}
        folder = data.version_path(name)
        return {
            "data_dir": str(data.root),
            "version": name,
            "documents": v["n_documents"] if v else manifest.get("n_documents"),
            "passages": v["n_chunks"] if v else manifest.get("n_chunks"),
            "model": str((v["model"] if v else manifest.get("model")) or "unknown")
            + (" (offline English-only fallback)" if manifest.get("model_fallback") else ""),
            "model_reason": manifest.get("model_reason", ""),
            "dimensions": manifest.get("dim"),
            "index_type": manifest.get("index_type"),
            "index_bytes": _size(folder) if folder.is_dir() else 0,
            "database_bytes": _database_bytes(conn, data),
            "built_at": manifest.get("created_at"),
            "damaged": None if verdict.ok else str(verdict.error(data, corpus_root(conn, name))),
            "last_run": {
                "finished_at": run["finished_at"],
                "status": run["status"],
                "summary": report.get("summary", {}),
            }
            if run
            else None,
        }
    finally:
        conn.close()
