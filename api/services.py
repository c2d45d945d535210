"""What the API serves from: one data dir's settings, its search engine and per-thread database
connections — the same Engine and stores the web app uses."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from search.engine import Engine
from studykb.config import Settings, load_settings
from studykb.db import connect
from studykb.errors import StudyKBError
from studykb.layout import DataDir

__all__ = ["Services"]


class Services:
    """Opened once per worker process. Thread-safe: the engine is, and each thread gets its own
    SQLite connection (endpoints run in a thread pool; one connection must not interleave two
    requests' transactions)."""

    def __init__(self, data_dir: Path | str, settings: Settings | None = None) -> None:
        self.data = DataDir(Path(data_dir).resolve())
        self.settings = settings or load_settings(self.data.root)
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self._local = threading.local()

    def engine(self) -> Engine:
        """The search engine; opened on first use, so an API started before the first ingest
        answers 503 until an index is published and then serves it without a restart."""
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    self._engine = Engine.open(self.data.root)  # IndexMissingError → 503
        return self._engine

    def db(self) -> sqlite3.Connection:
        """This thread's connection to the data dir's database (migrated on first open)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            self.data.root.mkdir(parents=True, exist_ok=True)
            conn = connect(self.data.db_path)
            self._local.conn = conn
        return conn

    def warm_up(self) -> None:
        """Load the index, the query encoder and the segmenter now rather than on the first request."""
        try:
            self.engine().search("学习")
        except StudyKBError:
            pass  # no index yet, or a query problem: requests report it with the fix
