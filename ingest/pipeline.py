"""The ingest run: scan, extract what changed, embed what is new, publish a new index version.

Incremental: unchanged files (same size and mtime, or same content hash, same declared metadata and
chunking settings) are skipped without loading the model; only passage texts whose embedding is not
cached are embedded. Safe: document and passage rows are immutable and shared between versions, a
new version is built aside and published by switching the CURRENT pointer, and the previous version
stays intact until a later run retires it. A crashed run is resumed by the next one: its rows and
cached embeddings are reused.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from search.index_format import check_version, read_manifest
from studykb.corpus_path import resolve_inside
from studykb.db import connect, write
from studykb.digest import file_sha256
from studykb.errors import (
    ConfigError,
    CorpusRootError,
    ExtractionError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
)
from studykb.index_store import IndexStore
from studykb.layout import DataDir
from studykb.lock import writer_lock

from .chunk import DEFAULT_MAX_CHARS, DEFAULT_OVERLAP, index_text
from .metadata import Catalog, declared_fingerprint, resolve_meta
from .ocr_settings import OcrProgress, OcrSettings, OcrStats, cache_dir
from .report import FileOutcome, IngestReport
from .scan import Found, in_scope, scan, within
from .worker import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S, Extraction, ExtractWorker

if TYPE_CHECKING:
    import numpy as np

    from studykb.models import ModelSpec

__all__ = ["IngestOptions", "Progress", "ingest"]

#: Bump when tokenisation or chunk text construction changes, to force re-processing.
PIPELINE_VERSION = "1"
KEEP_VERSIONS = 2


@dataclass(frozen=True)
class IngestOptions:
    """Settings of one run (see `studykb ingest --help`)."""

    model: str | None = None
    rebuild: bool = False
    max_chars: int | None = None  # None: the index's current setting, else DEFAULT_MAX_CHARS
    overlap: int | None = None  # None: the index's current setting, else DEFAULT_OVERLAP
    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_mb: int = DEFAULT_MEMORY_MB
    batch_size: int = 64
    ocr: bool = True  # OCR PDF pages without a text layer (results cached in <data>/ocr-cache/)
    backend: str | None = None  # embedding backend; None: $STUDYKB_BACKEND, studykb.toml, else auto
    prune: bool = False  # remove every indexed document not under the paths given (see `_Run._scan`)


class Progress:
    """Progress callbacks; the default does nothing. The CLI passes a rich-based one."""

    def stage(self, name: str, total: int) -> None:
        """A stage starts with `total` steps."""

    def advance(self, steps: int = 1, detail: str = "") -> None:
        """`steps` more steps of the current stage are done."""

    def note(self, message: str) -> None:
        """A message for the maintainer (e.g. the model fallback)."""


def _outcome(rel: str, status: str, chunks: int, ocr: OcrStats | None, warnings: list[str]) -> FileOutcome:
    """The outcome of an extracted file, with its OCR figures; low-confidence pages also go to `warnings`."""
    if ocr is None:
        return FileOutcome(rel, status, chunks=chunks)
    low = tuple(page for page, _ in ocr.low_confidence)
    if low:
        pages = ", ".join(f"{page} ({confidence:.2f})" for page, confidence in ocr.low_confidence)
        warnings.append(f"{rel}: low OCR confidence on page(s) {pages}: check the text of these pages")
    return FileOutcome(rel, status, chunks=chunks, ocr_pages=ocr.pages, ocr_cached=ocr.cached, ocr_low=low)


def _indexed_root(current_docs: dict[str, sqlite3.Row]) -> Path | None:
    """The corpus root the published version was built from (the most common root of its documents)."""
    roots = Counter(row["root"] for row in current_docs.values())
    return Path(roots.most_common(1)[0][0]) if roots else None


def _unknown_catalog_keys(catalog: Catalog, found: Found) -> list[str]:
    """A warning for each catalog entry, within the scanned paths, that names no document found."""
    names = {rel for _, rel in found.documents} | {rel for rel, _ in found.failed}
    keys = sorted((set(catalog.entries) | set(catalog.errors)) - names)
    return [f'{catalog.path}: [documents."{key}"] names no document in the corpus (no such file, or '
            "not a supported type): its metadata is unused" for key in keys if in_scope(key, found.scope)]


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def ingest(
    paths: list[Path],
    data_dir: Path,
    options: IngestOptions | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index in `data_dir` in line with the documents under `paths`; return the report.

    Raises LockedError when another ingest runs, ConfigError for a broken catalog or bad options,
    IndexMismatchError when `options.model` differs from the index's model without `rebuild`.
    """
    from studykb.models import resolve_backend

    opts = options or IngestOptions()
    prog = progress or Progress()
    data = DataDir(data_dir)
    backend = resolve_backend(opts.backend, data_dir=data.root)  # a bad value fails before any work
    data.root.mkdir(parents=True, exist_ok=True)
    with writer_lock(data.lock_path):
        conn = connect(data.db_path)
        try:
            return _Run(data, conn, opts, prog, backend).run(paths)
        finally:
            conn.close()


@dataclass(frozen=True)
class _Base:
    """The published version a run builds on, and the scan of the paths given against it."""

    current: str | None  # the version's name; None for a new index
    damage: str  # why the version must be rebuilt; "" when it is intact
    docs: dict[str, sqlite3.Row]  # rel path -> document row of the version
    found: Found
    removed: list[str]  # documents in the scanned scope that are gone
    catalog: Catalog
    model: str | None  # the version's embedding model


@dataclass(frozen=True)
class _Todo:
    """A file to extract."""

    path: Path
    rel: str
    meta_hash: str
    status: str  # "added" or "updated"


@dataclass(frozen=True)
class _Plan:
    """What the diff decided: the new version's documents so far, and the files to extract."""

    members: dict[str, int]  # rel path -> document row id; documents outside the scope stay as they are
    todo: list[_Todo]


#: Runs that re-read at most this many files embed with the quick-loading encoder (see `_Run.run`).
SMALL_UPDATE_FILES = 20


class _Run:
    def __init__(self, data: DataDir, conn: sqlite3.Connection, opts: IngestOptions, prog: Progress,
                 backend: str = "") -> None:
        self.data, self.conn, self.opts, self.prog = data, conn, opts, prog
        self.store = IndexStore(conn)
        self.backend = backend
        self.t0 = time.perf_counter()
        self.timings: dict[str, float] = {}

    def _lap(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[name] = round(now - since, 3)
        return now

    def run(self, paths: list[Path]) -> IngestReport:
        """The whole run: diff and plan, extract, embed, write a version, publish it."""
        base = self._diff(paths)
        report = self._new_report(base)
        self.max_chars, self.overlap = self._chunking(base.current)
        if self.opts.model is not None and base.model and not self.opts.rebuild:
            self._model(base.current, base.model)  # an explicit, different model needs --rebuild
        run_id = self._start_run()

        t = time.perf_counter()
        plan = self._plan(base, report)
        t = self._lap("scan", t)
        if base.current and not plan.todo and not base.removed and not self.opts.rebuild and not base.damage:
            report.version = base.current
            report.model = base.model
            report.n_documents, report.n_chunks = self._version_counts(base.current)
            return self._finish(run_id, report, "noop")

        spec = self._run_model(base, report)
        # A small update embeds a few passages: the ONNX encoder (torch's vectors) loads in a fraction
        # of a second where torch takes seconds; a large one runs torch, as fast in long batches.
        purpose = "query" if len(plan.todo) <= SMALL_UPDATE_FILES else "passages"
        early = self._extract(plan.todo, base.catalog, base.docs, plan.members, report, spec, purpose)
        t = self._lap("extract", t)
        if not plan.members and not base.current:
            return self._finish(run_id, report, "empty")

        version_id, name = self._create_version(run_id, spec.name, plan.members)
        chunk_rows = self.store.version_chunks(version_id)
        report.embedded = early + self._embed(chunk_rows, spec, early, purpose)
        t = self._lap("embed", t)

        self._publish(version_id, name, chunk_rows, spec, plan.members,
                      previous=None if self.opts.rebuild or base.damage else report.previous_version)
        self._lap("publish", t)
        self._prepare_query_encoder(spec)
        self._collect_garbage()
        report.version = name
        report.n_documents, report.n_chunks = len(plan.members), len(chunk_rows)
        return self._finish(run_id, report, "published")

    # -- stages ------------------------------------------------------------------------------

    def _diff(self, paths: list[Path]) -> _Base:
        """Stage 1a: the published version this run builds on, and the scan of `paths` against it."""
        current, damage = self._base_version()
        docs = self._version_docs(current)
        found, removed = self._scan(paths, docs)
        self.root = found.root
        return _Base(current, damage, docs, found, removed, Catalog(found.root), self._version_model(current))

    def _new_report(self, base: _Base) -> IngestReport:
        """The report of this run, with what the scan already decided (skipped, failed, warnings)."""
        found = base.found
        report = IngestReport(str(self.data.root), str(found.root), scope=list(found.scope))
        report.outcomes += [FileOutcome(rel, "skipped", reason) for rel, reason in found.skipped]
        report.outcomes += [FileOutcome(rel, "failed", reason) for rel, reason in found.failed]
        report.warnings += _unknown_catalog_keys(base.catalog, found)
        if base.damage:
            report.warnings.append(base.damage)
            self.prog.note(base.damage)
        report.previous_version = base.current
        return report

    def _plan(self, base: _Base, report: IngestReport) -> _Plan:
        """Stage 1b: which documents stay as they are and which files must be extracted.

        Documents outside the scanned scope keep their rows; a file with the same size and mtime (or
        content hash), declared metadata and chunking settings is "unchanged"; a file that cannot be
        read or has a broken catalog entry fails (keeping its previous version, if any).
        """
        members: dict[str, int] = {rel: row["id"] for rel, row in base.docs.items()
                                   if not in_scope(rel, base.found.scope)}
        todo: list[_Todo] = []
        moved: list[int] = []  # unchanged documents of a corpus that moved: their root follows it
        for path, rel in base.found.documents:
            prev = base.docs.get(rel)
            try:
                meta_hash = self._meta_hash(self.root / rel, rel, base.catalog)  # a link's own sidecar
            except ConfigError as exc:
                self._failed(report, members, rel, str(exc), prev)
                continue
            try:
                same = prev is not None and not self.opts.rebuild and self._unchanged(path, prev, meta_hash)
            except FileNotFoundError:
                self._failed(report, members, rel, "file disappeared during ingestion", prev)
                continue
            except OSError as exc:  # e.g. no permission to read it: this file fails, the batch goes on
                self._failed(report, members, rel, f"cannot be read ({exc.strerror})", prev)
                continue
            if prev and same:
                members[rel] = prev["id"]
                report.outcomes.append(FileOutcome(rel, "unchanged"))
                if prev["root"] != str(self.root):
                    moved.append(prev["id"])
                continue
            todo.append(_Todo(path, rel, meta_hash, "updated" if prev else "added"))
        report.outcomes += [FileOutcome(rel, "removed") for rel in base.removed]
        self._follow_move(moved, base.docs, report)
        return _Plan(members, todo)

    @staticmethod
    def _unchanged(path: Path, prev: sqlite3.Row, meta_hash: str) -> bool:
        """Whether `path` is the document `prev` (same metadata, and same size and mtime or content)."""
        if prev["meta_hash"] != meta_hash:
            return False
        stat = path.stat()
        return (prev["size"], prev["mtime"]) == (stat.st_size, stat.st_mtime) \
            or prev["content_hash"] == file_sha256(path)

    def _run_model(self, base: _Base, report: IngestReport) -> ModelSpec:
        """The embedding model of the new version, noted in the report (and shown when it fell back)."""
        spec = self._model(base.current, base.model)
        report.model = spec.name
        if spec.reason:
            report.model_note = spec.reason
        if spec.fallback or "unreachable" in spec.reason:
            self.prog.note(spec.reason)
        return spec

    def _embed(self, chunk_rows: list[sqlite3.Row], spec: ModelSpec, early: int, purpose: str) -> int:
        """Stage 3: embed the version's passages whose embedding is not cached; return how many."""
        from .embed import embed_missing

        items = [(r["embed_hash"], index_text(r["text"], json.loads(r["heading_path"]))) for r in chunk_rows]
        self.prog.stage("embedding", len(items))
        self.prog.advance(early, "embedded during extraction")
        return embed_missing(self.conn, spec, items, batch_size=self.opts.batch_size,
                             on_batch=lambda n: self.prog.advance(n), purpose=purpose)

    def _publish(self, version_id: int, name: str, chunk_rows: list[sqlite3.Row], spec: ModelSpec,
                 members: dict[str, int], previous: str | None) -> None:
        """Stages 4 and 5: write the version's files (vectors, phrase index, manifest) and publish it."""
        import numpy as np  # here, not at the top: a no-op run never needs it

        from .version import publish_version

        vectors = self._vectors(version_id, spec.name, len(chunk_rows))
        self.prog.stage("publishing", 1)
        publish_version(
            self.conn,
            self.data,
            version_id,
            name,
            np.array([r["id"] for r in chunk_rows], dtype=np.int64),
            [r["tokens"].split(" ") if r["tokens"] else [] for r in chunk_rows],
            vectors,
            {"model": spec.name, "model_fallback": spec.fallback, "model_reason": spec.reason,
             "dim": int(vectors.shape[1]),
             "chunking": {"max_chars": self.max_chars, "overlap": self.overlap},
             "n_documents": len(members), "created_at": _now()},
            n_documents=len(members),
            previous=previous,
            documents=np.array([r["document_id"] for r in chunk_rows], dtype=np.int64),
        )
        self.prog.advance()

    # -- steps -------------------------------------------------------------------------------

    def _base_version(self) -> tuple[str | None, str]:
        """The version this run builds on, and why it must be rebuilt ("" when it is intact).

        A damaged CURRENT pointer falls back to the newest version the database records as
        published; a version whose files fail their checks is rebuilt from the database's rows
        (nothing is extracted or embedded again), never reported "unchanged".
        """
        try:
            current = self.data.current()
        except IndexCorruptError:
            return self.store.newest_published(), (
                f"{self.data.pointer} did not name a usable version; repaired by publishing a new one")
        if current is None:
            return None, ""
        verdict = check_version(self.data, current)
        if verdict.ok:
            return current, ""
        return current, (f"index version {current} was damaged ({'; '.join(verdict.problems)}); "
                         "rebuilt as a new version")

    def _scan(self, paths: list[Path], current_docs: dict[str, sqlite3.Row]) -> tuple[Found, list[str]]:
        """Scan `paths` against the indexed corpus; return what was found and the documents to remove.

        Paths inside the indexed corpus root update that part of it (its root and relative paths are
        kept). Paths elsewhere form a new root: if that would remove documents of the indexed corpus,
        CorpusRootError unless `prune` (a corpus moved with all its files is simply adopted).
        """
        old_root = _indexed_root(current_docs)
        inside = old_root is not None and within(old_root, paths)
        found = scan(paths, root=old_root if inside else None)
        seen = {rel for _, rel in found.documents} | {rel for rel, _ in found.failed}
        scope = () if self.opts.prune else found.scope
        removed = sorted(rel for rel in set(current_docs) - seen if in_scope(rel, scope))
        if old_root is not None and not inside and removed and not self.opts.prune:
            shown = ", ".join(removed[:3]) + (", …" if len(removed) > 3 else "")
            raise CorpusRootError(
                f"the index in {self.data.root} was built from {old_root}; ingesting "
                f"{', '.join(str(p) for p in paths)} would remove {len(removed)} of its "
                f"{len(current_docs)} documents ({shown}). Ingest files or folders inside {old_root} to "
                "update just them, or add --prune to make the index hold only the paths given"
            )
        if self.opts.prune and found.scope:
            found = replace(found, scope=())
        return found, removed

    def _follow_move(self, moved: list[int], current_docs: dict[str, sqlite3.Row],
                     report: IngestReport) -> None:
        """Point unchanged documents of a corpus that moved at its new root (their original files)."""
        if not moved:
            return
        old = _indexed_root(current_docs)
        with write(self.conn):
            self.store.move_root(moved, str(self.root))
        report.warnings.append(f"the corpus moved: the index was built from {old}; its documents now "
                               f"point to {self.root}")

    def _prepare_query_encoder(self, spec: ModelSpec) -> None:
        """Export the ONNX query encoder now (seconds, once per model), not on a reader's first search."""
        if self.backend == "torch":
            return
        from studykb.errors import StudyKBError
        from studykb.models import load_encoder

        try:
            load_encoder(replace(spec, backend=self.backend), purpose="query")
        except StudyKBError as exc:  # an explicit onnx backend that cannot export: searches will say so
            self.prog.note(str(exc))

    def _meta_hash(self, path: Path, rel: str, catalog: Catalog) -> str:
        fingerprint = declared_fingerprint(path, rel, catalog)
        settings = f"{PIPELINE_VERSION}/{self.max_chars}/{self.overlap}"
        if not self.opts.ocr:  # files read without OCR are read again once OCR is back on
            settings += "/no-ocr"
        return hashlib.sha1(f"{settings}\n{fingerprint}".encode()).hexdigest()

    def _failed(self, report: IngestReport, members: dict[str, int], rel: str, reason: str,
                prev: sqlite3.Row | None) -> None:
        if prev is not None:
            members[rel] = prev["id"]
        reason = reason.splitlines()[0]
        report.outcomes.append(FileOutcome(rel, "failed", reason, kept_previous=prev is not None))

    def _model(self, current: str | None, current_model: str | None) -> ModelSpec:
        """The index's model for an update; else the one asked for (IndexMismatchError without --rebuild)."""
        from studykb.models import resolve_model, spec_for_index

        if self.opts.model is None and current_model and not self.opts.rebuild:
            return spec_for_index(current_model, backend=self.backend)
        spec = resolve_model(self.opts.model, backend=self.backend)
        if current_model and spec.name != current_model and not self.opts.rebuild:
            raise IndexMismatchError(
                f"the index in {self.data.root} was built with {current_model}; switching to {spec.name} "
                "re-embeds everything: run again with --rebuild"
            )
        return spec

    def _extract(self, todo: list[_Todo], catalog: Catalog,
                 current_docs: dict[str, sqlite3.Row], members: dict[str, int], report: IngestReport,
                 spec: ModelSpec, purpose: str) -> int:
        """Stage 2: extract the files to do; their passages are embedded meanwhile. Returns how many
        were embedded."""
        if not todo:
            return 0
        from .embed import EarlyEmbedder

        self.prog.stage("extracting", len(todo))
        ocr = OcrSettings(cache_dir(self.data.root)) if self.opts.ocr else None
        worker = ExtractWorker(max_chars=self.max_chars, overlap=self.overlap,
                               timeout_s=self.opts.timeout_s, memory_mb=self.opts.memory_mb, ocr=ocr)
        with worker, EarlyEmbedder(
            self.conn, spec, batch_size=self.opts.batch_size, purpose=purpose
        ) as early:
            for item in todo:
                prev = current_docs.get(item.rel)
                try:
                    doc_id, items, stats = self._extract_one(worker, item, catalog)
                except (ExtractionError, ConfigError) as exc:
                    reason = exc.reason if isinstance(exc, ExtractionError) else str(exc)
                    self._failed(report, members, item.rel, reason, prev)
                else:
                    members[item.rel] = doc_id
                    outcome = _outcome(item.rel, item.status, len(items), stats, report.warnings)
                    report.outcomes.append(outcome)
                    early.add(items)
                self.prog.advance(1, item.rel)
        return early.embedded

    def _embed_items(self, document_id: int) -> list[tuple[str, str]]:
        """(embedding cache key, embedded text) of each passage of a document."""
        rows = self.store.document_chunks(document_id)
        return [(r["embed_hash"], index_text(r["text"], json.loads(r["heading_path"]))) for r in rows]

    def _extract_one(self, worker: ExtractWorker, item: _Todo,
                     catalog: Catalog) -> tuple[int, list[tuple[str, str]], OcrStats | None]:
        """Extract and store one file: its document id, the (embedding cache key, embedded text) of
        each of its passages, and what OCR did."""
        path, rel, meta_hash = item.path, item.rel, item.meta_hash
        try:
            # Read the real file, checked once more: an entry swapped for a link out of the corpus
            # since the scan is refused, and a link re-pointed from now on is not followed.
            real = resolve_inside(self.root, path)
            if real is None:
                raise ExtractionError(rel, "now leads outside the corpus root (a symbolic link): not read")
            path = real
            before = path.stat()
            content_hash = file_sha256(path)
        except FileNotFoundError:
            raise ExtractionError(rel, "file disappeared during ingestion") from None
        except OSError as exc:
            raise ExtractionError(rel, f"cannot be read ({exc.strerror})") from None
        reuse = self.store.reusable_document(rel, str(self.root), content_hash, meta_hash)
        if reuse is not None:  # left by an interrupted run: nothing to extract again
            return reuse, self._embed_items(reuse), None

        def ocr_progress(p: OcrProgress) -> None:
            self.prog.advance(0, f"{rel} · OCR {p.done}/{p.total}")

        result = worker.process(path, on_progress=ocr_progress)
        try:
            after = path.stat()
        except FileNotFoundError:
            raise ExtractionError(rel, "file disappeared during ingestion") from None
        if (after.st_size, after.st_mtime) != (before.st_size, before.st_mtime):
            raise ExtractionError(rel, "file changed during ingestion; run ingest again")
        meta = resolve_meta(self.root / rel, rel, catalog, result.extracted)  # a link's own name
        return (*self._store_document(path, rel, content_hash, meta_hash, before, meta, result), result.ocr)

    def _store_document(self, path: Path, rel: str, content_hash: str, meta_hash: str, stat: object,
                        meta: object, result: Extraction) -> tuple[int, list[tuple[str, str]]]:
        """Insert the document, its passages and their phrase-index rows in one transaction; return
        the document id and each passage's (embedding cache key, embedded text)."""
        from studykb.text import fold

        from .embed import embed_hash

        ex = result.extracted
        page_starts: list[int] = []
        pos, last_page = 0, None
        for block in ex.blocks:
            if block.page is not None and block.page != last_page:
                page_starts.append(pos)
                last_page = block.page
            pos += len(block.text) + 1
        items: list[tuple[str, str]] = []
        chunk_rows: list[tuple[object, ...]] = []
        folded_texts: list[str] = []
        for ordinal, (chunk, tokens) in enumerate(zip(result.chunks, result.tokens, strict=True)):
            itext = index_text(chunk.text, chunk.heading_path)
            folded = fold(chunk.text)
            items.append((embed_hash(itext), itext))
            folded_texts.append(folded)
            chunk_rows.append((ordinal, chunk.text, hashlib.sha1(folded.encode()).hexdigest(),
                               items[-1][0], chunk.start, chunk.end, chunk.page, chunk.page_end,
                               json.dumps(list(chunk.heading_path), ensure_ascii=False), " ".join(tokens),
                               chunk.ocr_confidence))
        document = (rel, str(self.root), content_hash, meta_hash, ex.format, meta.title, meta.date,  # type: ignore[attr-defined]
                    meta.category, meta.source, meta.author,  # type: ignore[attr-defined]
                    json.dumps(list(meta.tags), ensure_ascii=False), ex.pages,  # type: ignore[attr-defined]
                    stat.st_size, stat.st_mtime, ex.text,  # type: ignore[attr-defined]
                    json.dumps(page_starts), json.dumps(list(ex.warnings), ensure_ascii=False))
        with write(self.conn):
            doc_id = self.store.add_document(document, chunk_rows, folded_texts)
        return doc_id, items

    def _create_version(self, run_id: int, model: str, members: dict[str, int]) -> tuple[int, str]:
        """The new version's row (status 'building') with its documents: its id and name."""
        name = f"v{run_id:06d}"
        with write(self.conn):
            version_id = self.store.create_version(name, model, sorted(set(members.values())))
        return version_id, name

    def _vectors(self, version_id: int, model: str, n: int) -> np.ndarray:
        import numpy as np

        rows = self.store.version_vectors(version_id, model)
        if len(rows) != n:
            raise RuntimeError(f"{n - len(rows)} passages have no cached embedding")
        if not rows:
            from studykb.models import spec_for_index

            from .embed import encode

            spec = spec_for_index(model, backend=self.backend)
            return np.zeros((0, encode(spec, ["维度"]).shape[1]), dtype=np.float32)
        return np.vstack([np.frombuffer(r, dtype=np.float32) for r in rows])

    # -- bookkeeping ---------------------------------------------------------------------------

    def _version_row(self, name: str | None) -> sqlite3.Row | None:
        if name is None:
            return None
        return self.store.version(name)

    def _version_docs(self, name: str | None) -> dict[str, sqlite3.Row]:
        row = self._version_row(name)
        if row is None:
            return {}
        docs = self.store.version_files(row["id"])
        return {d["path"]: d for d in docs}

    def _chunking(self, current: str | None) -> tuple[int, int]:
        """Chunk settings: the options', else the published index's, else the defaults."""
        stored: dict[str, int] = {}
        if current:
            try:
                # as written: a damaged version is rebuilt with the chunking it was built with
                stored = read_manifest(self.data, current, checked=False).chunking
            except (IndexCorruptError, IndexMissingError):  # unreadable: the options, else the defaults
                stored = {}
        max_chars = stored.get("max_chars", DEFAULT_MAX_CHARS) if self.opts.max_chars is None \
            else self.opts.max_chars  # an explicit 0 is an error below, not the default
        overlap = stored.get("overlap", DEFAULT_OVERLAP) if self.opts.overlap is None else self.opts.overlap
        from .chunk import chunk

        chunk([], max_chars=max_chars, overlap=overlap)  # validates: ConfigError before any work
        return max_chars, overlap

    def _version_model(self, name: str | None) -> str | None:
        row = self._version_row(name)
        return row["model"] if row else None

    def _version_counts(self, name: str) -> tuple[int, int]:
        row = self._version_row(name)
        return (int(row["n_documents"]), int(row["n_chunks"])) if row else (0, 0)

    def _start_run(self) -> int:
        with write(self.conn):
            # Versions left 'building' by a crashed run were never published: drop their records.
            self.store.drop_unfinished()
            return self.store.start_run(_now())

    def _finish(self, run_id: int, report: IngestReport, status: str) -> IngestReport:
        self.timings["total"] = round(time.perf_counter() - self.t0, 3)
        report.seconds = dict(self.timings)
        with write(self.conn):
            self.store.finish_run(run_id, _now(), status, report.version,
                                  json.dumps(report.to_json(), ensure_ascii=False))
        return report

    def _collect_garbage(self) -> None:
        """Retire versions beyond the newest KEEP_VERSIONS and delete rows no version uses."""
        import shutil

        current = self.data.current()
        rows = self.store.kept_versions()
        keep = {r["name"] for r in rows[:KEEP_VERSIONS]} | {current}
        old = [r for r in rows if r["name"] not in keep]
        with write(self.conn):
            self.store.retire([r["id"] for r in rows if r["name"] != current and r["name"] in keep])
            self.store.delete_versions([r["id"] for r in old])
        for r in old:
            shutil.rmtree(self.data.version_path(r["name"]), ignore_errors=True)
        for stale in self.data.versions.glob(".*.tmp"):
            shutil.rmtree(stale, ignore_errors=True)

