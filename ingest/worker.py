"""Extraction in a separate worker process, with a time limit and a memory cap per file.

A hostile or broken file (decompression bomb, endless loop in a parser) can only kill or stall the
worker: the parent reports the file as failed, starts a fresh worker and goes on with the batch.
The worker also chunks and tokenises, so the parent receives ready passages.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studykb.errors import ExtractionError

from .chunk import index_text
from .ocr_settings import OCR_SECONDS_PER_PAGE, OCR_STALL_S, OcrProgress, OcrSettings, OcrStats
from .records import Chunk, Extracted

__all__ = ["DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT_S", "ExtractWorker", "Extraction"]

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MEMORY_MB = 2048


@dataclass(frozen=True)
class Extraction:
    """What the worker returns for one file: its text, passages and their BM25 terms, and what OCR
    did (None when OCR is off)."""

    extracted: Extracted
    chunks: tuple[Chunk, ...]
    tokens: tuple[tuple[str, ...], ...]
    ocr: OcrStats | None = None


def _run(
    path: str,
    max_chars: int,
    overlap: int,
    ocr: OcrSettings | None = None,
    notify: Callable[[OcrProgress], None] | None = None,
) -> Extraction:
    from studykb.text import tokenize

    from .chunk import chunk
    from .extract import extract
    from .ocr import ocr_session

    stats = None
    if ocr is None:
        extracted = extract(Path(path))
    else:
        with ocr_session(ocr, notify) as session:
            extracted = extract(Path(path))
        stats = session.stats()
    chunks = tuple(chunk(extracted.blocks, max_chars=max_chars, overlap=overlap))
    tokens = tuple(tuple(tokenize(index_text(c.text, c.heading_path))) for c in chunks)
    return Extraction(extracted, chunks, tokens, stats)


def _serve(conn: Any, memory_mb: int) -> None:
    """Worker loop: receive (path, max_chars, overlap, ocr settings), send ("ok", Extraction) or
    ("error", reason), after any number of ("progress", OcrProgress) messages."""
    import logging
    import resource

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its recovery chatter is not for the terminal
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
            path, max_chars, overlap, ocr = task
            conn.send(("ok", _run(path, max_chars, overlap, ocr, lambda p: conn.send(("progress", p)))))
        except ExtractionError as exc:
            conn.send(("error", exc.reason))
        except MemoryError:
            conn.send(("error", f"memory cap of {memory_mb} MB exceeded"))
        except RecursionError:
            conn.send(("error", "structure nested too deeply"))
        except Exception as exc:  # any parser failure becomes a one-line reason for the report
            conn.send(
                ("error", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300])
            )


class ExtractWorker:
    """A reusable extraction process; `process(path)` returns an Extraction or raises ExtractionError.

    With `ocr` settings, PDF pages without a text layer are OCR'd (`ingest.ocr`). The time allowed
    for a file then grows by OCR_SECONDS_PER_PAGE (20 s) for each page the worker announces it will
    OCR, and after each page it finishes at least OCR_STALL_S (60 s) are left, so a long scan on a
    busy machine finishes while a worker stuck on one page is still stopped.
    """

    def __init__(
        self,
        *,
        max_chars: int,
        overlap: int,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        memory_mb: int = DEFAULT_MEMORY_MB,
        ocr: OcrSettings | None = None,
    ) -> None:
        self.max_chars, self.overlap = max_chars, overlap
        self.timeout_s, self.memory_mb = timeout_s, memory_mb
        self.ocr = ocr
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

    def process(self, path: Path, on_progress: Callable[[OcrProgress], None] | None = None) -> Extraction:
        """Extract, chunk and tokenise `path` in the worker, within the time and memory limits.

        `on_progress` receives the worker's OCR progress messages (pages done of pages to OCR).
        """
        if self._proc is None or not self._proc.is_alive():
            self._kill()
            self._start()
        self._conn.send((str(path), self.max_chars, self.overlap, self.ocr))
        started = time.monotonic()
        deadline, why = started + self.timeout_s, ""
        while True:
            if not self._conn.poll(max(0.0, deadline - time.monotonic())):
                self._kill()
                elapsed = time.monotonic() - started
                raise ExtractionError(path, f"extraction timed out after {elapsed:.0f} s{why}")
            try:
                status, payload = self._conn.recv()
            except (EOFError, OSError):
                self._kill()
                raise ExtractionError(
                    path, f"extraction worker died (memory cap {self.memory_mb} MB or a crash in a parser)"
                ) from None
            if status != "progress":
                break
            if payload.done == 0:  # OCR is about to start: allow time for each page
                deadline += payload.total * OCR_SECONDS_PER_PAGE
                why = (
                    f" (limit {self.timeout_s:g} s + {OCR_SECONDS_PER_PAGE:g} s for each of "
                    f"{payload.total} pages to OCR)"
                )
            else:  # a page is done: leave time for the next one
                deadline = max(deadline, time.monotonic() + OCR_STALL_S)
            if on_progress is not None:
                on_progress(payload)
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
