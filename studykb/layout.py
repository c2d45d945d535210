"""Where things live inside a data dir, and the atomic pointer to the published index version.

data/
  studykb.db            SQLite: documents, chunks, versions, runs, embedding cache, curated data
                        (absent with $STUDYKB_DATABASE_URL: those rows are in PostgreSQL)
  CURRENT               name of the published index version (replaced atomically); on PostgreSQL a
                        replica without it serves the version the database records as published
  ingest.lock           held (flock) by a running ingest
  serve.lock            held (shared flock) by every running `studykb serve`: restore refuses then
  verified.json         fingerprints of versions whose checksums verified (search/index_format.py)
  versions/<name>/      one immutable index version (its files: search/index_format.py)
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .db import DB_NAME
from .errors import IndexCorruptError, StorageError
from .index_store import IndexStore
from .pg import database_url

__all__ = ["DATA_DIR_ENV", "DataDir", "default_data_dir"]

DATA_DIR_ENV = "STUDYKB_DATA_DIR"
#: What a version name may look like (ingest writes v000001, v000002, …): never a path.
VERSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def default_data_dir() -> Path:
    """`$STUDYKB_DATA_DIR`, else `data/` in the working directory."""
    return Path(os.environ.get(DATA_DIR_ENV) or "data")


@dataclass(frozen=True)
class DataDir:
    """Paths inside one data dir. Raises StorageError when `root` lies under a regular file."""

    root: Path

    def __post_init__(self) -> None:
        for folder in (self.root, *self.root.parents):  # the nearest part that exists must be a folder
            if folder.exists():
                if not folder.is_dir():
                    raise StorageError(f"data dir {self.root}: {folder} is a file, not a folder: "
                                       "choose another --data-dir")
                return

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
        """The published version name, or None when nothing was published yet.

        Raises IndexCorruptError when CURRENT is not a version name (binary bytes, a path such as
        `../..`) or names a folder outside `versions/`; `studykb ingest` repairs it.
        """
        try:
            raw = self.pointer.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return self._published_in_database()
        try:
            name = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            name = None
        if name == "":
            return None
        if name is None or not VERSION_NAME.fullmatch(name):
            raise self.pointer_error(f"it holds {raw[:40]!r}, not a version name")
        if self.versions.is_dir() and self.version_path(name).resolve().parent != self.versions.resolve():
            raise self.pointer_error(f"version {name} lies outside {self.versions}")
        return name

    def _published_in_database(self) -> str | None:
        """Without a CURRENT file, on PostgreSQL: the newest version the database records as published
        (or kept) whose folder is here. A replica given only the writer's version folders thus serves
        what the writer published, and keeps its version until the newer folder arrives. None on SQLite.
        """
        url = database_url()
        if url is None or not self.versions.is_dir():
            return None
        for name in _published_names(url):
            if VERSION_NAME.fullmatch(name) and self.version_path(name).is_dir():
                return name
        return None

    def pointer_error(self, why: str) -> IndexCorruptError:
        """The error for an unusable CURRENT file, naming the command that repairs it."""
        return IndexCorruptError(
            f"{self.pointer} is damaged ({why}): run `studykb ingest CORPUS --data-dir {self.root}` "
            "to repair it"
        )

    def publish(self, name: str) -> None:
        """Point CURRENT at `name` in one atomic rename (readers see the old or the new name)."""
        tmp = self.root / f".CURRENT.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer)
        _fsync_dir(self.root)


#: How long the database's answer to "which version is published" is reused (per thread): the engine
#: asks on every query, a replica need not follow a new version within less than this.
PUBLISHED_TTL_S = 2.0
_published = threading.local()


def _published_names(url: str) -> list[str]:
    """Names of the published and kept index versions in the database at `url`, newest first."""
    from .pg import PgConnection

    cached = getattr(_published, "answer", None)
    if cached is not None and cached[0] == url and time.monotonic() - cached[1] < PUBLISHED_TTL_S:
        return list(cached[2])
    conn = getattr(_published, "conn", None)
    if conn is None or conn.url != url:
        if conn is not None:
            conn.close()
        conn = PgConnection(url)
        _published.conn = conn
    names = IndexStore(conn).kept_names()  # type: ignore[arg-type]
    _published.answer = (url, time.monotonic(), tuple(names))
    return names


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
