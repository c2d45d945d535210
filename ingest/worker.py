"""Extraction in a separate worker process, with a time limit and a memory cap per file.

A hostile or broken file (decompression bomb, endless loop in a parser) can only kill or stall the
worker: the parent reports the file as failed, starts a fresh worker and goes on with the batch.
The worker also chunks and tokenises, so the parent receives ready passages.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studykb.errors import ExtractionError

from .records import Chunk, Extracted

__all__ = ["DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT_S", "ExtractWorker", "Extraction", "index_text"]

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MEMORY_MB = 2048


@dataclass(frozen=True)
class Extraction:
    """What the worker returns for one file: its text, passages and their BM25 terms."""

    extracted: Extracted
    chunks: tuple[Chunk, ...]
    tokens: tuple[tuple[str, ...], ...]


def index_text(text: str, heading_path: Sequence[str]) -> str:
    """The text that is embedded and BM25-indexed for a passage: its nearest heading, then its text."""
    return f"{heading_path[-1]}\n{text}" if heading_path else text


def _run(path: str, max_chars: int, overlap: int) -> Extraction:
    from studykb.text import tokenize

    from .chunk import chunk
    from .extract import extract

    extracted = extract(Path(path))
    chunks = tuple(chunk(extracted.blocks, max_chars=max_chars, overlap=overlap))
    return Extraction(extracted, chunks, tuple(tuple(tokenize(index_text(c.text, c.heading_path))) for c in chunks))


def _serve(conn: Any, memory_mb: int) -> None:
    """Worker loop: receive (path, max_chars, overlap), send ("ok", Extraction) or ("error", reason)."""
    import resource

    if memory_mb > 0:
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            conn.send(("ok", _run(*task)))
        except ExtractionError as exc:
            conn.send(("error", exc.reason))
        except MemoryError:
            conn.send(("error", f"memory cap of {memory_mb} MB exceeded"))
        except RecursionError:
            conn.send(("error", "structure nested too deeply"))
        except Exception as exc:  # any parser failure becomes a one-line reason for the report
            conn.send(("error", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]))


class ExtractWorker:
    """A reusable extraction process; `process(path)` returns an Extraction or raises ExtractionError."""

    def __init__(
        self,
        *,
        max_chars: int,
        overlap: int,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        memory_mb: int = DEFAULT_MEMORY_MB,
    ) -> None:
        self.max_chars, self.overlap = max_chars, overlap
        self.timeout_s, self.memory_mb = timeout_s, memory_mb
        self._ctx = mp.get_context("spawn")
        self._proc: Any = None
        self._conn: Any = None

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_serve, args=(child, self.memory_mb), daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def process(self, path: Path) -> Extraction:
        """Extract, chunk and tokenise `path` in the worker, within the time and memory limits."""
        if self._proc is None or not self._proc.is_alive():
            self._kill()
            self._start()
        self._conn.send((str(path), self.max_chars, self.overlap))
        if not self._conn.poll(self.timeout_s):
            self._kill()
            raise ExtractionError(path, f"extraction timed out after {self.timeout_s:g} s")
        try:
            status, payload = self._conn.recv()
        except (EOFError, OSError):
            self._kill()
            raise ExtractionError(
                path, f"extraction worker died (memory cap {self.memory_mb} MB or a crash in a parser)"
            ) from None
        if status == "error":
            raise ExtractionError(path, payload)
        result: Extraction = payload
        return result

    def close(self) -> None:
        """Stop the worker process."""
        if self._proc is not None and self._proc.is_alive() and self._conn is not None:
            try:
                self._conn.send(None)
                self._proc.join(2)
            except (BrokenPipeError, OSError):
                pass
        self._kill()

    def __enter__(self) -> ExtractWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
