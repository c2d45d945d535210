"""Where things live inside a data dir, and the atomic pointer to the published index version.

data/
  studykb.db            SQLite: documents, chunks, versions, runs, embedding cache, curated data
                        (absent with $STUDYKB_DATABASE_URL: those rows are in PostgreSQL)
  CURRENT               name of the published index version (replaced atomically)
  ingest.lock           held (flock) by a running ingest
  versions/<name>/      one immutable index version: faiss.index, bm25/, chunk_ids.npy, manifest.json
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .db import DB_NAME
from .pg import database_url

__all__ = ["DATA_DIR_ENV", "DataDir", "default_data_dir"]

DATA_DIR_ENV = "STUDYKB_DATA_DIR"


def default_data_dir() -> Path:
    """`$STUDYKB_DATA_DIR`, else `data/` in the working directory."""
    return Path(os.environ.get(DATA_DIR_ENV) or "data")


@dataclass(frozen=True)
class DataDir:
    """Paths inside one data dir."""

    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def versions(self) -> Path:
        return self.root / "versions"

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    @property
    def lock_path(self) -> Path:
        return self.root / "ingest.lock"

    def has_database(self) -> bool:
        """Whether the database exists: the PostgreSQL URL is set, or the SQLite file is there."""
        return database_url() is not None or self.db_path.exists()

    def version_path(self, name: str) -> Path:
        return self.versions / name

    def current(self) -> str | None:
        """The published version name, or None when nothing was published yet."""
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def publish(self, name: str) -> None:
        """Point CURRENT at `name` in one atomic rename (readers see the old or the new name)."""
        tmp = self.root / f".CURRENT.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer)
        _fsync_dir(self.root)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
