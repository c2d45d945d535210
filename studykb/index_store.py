"""The index tables' one owner: every statement on documents, chunks, chunk_fts, embeddings,
index_versions, version_documents and ingest_runs.

`IndexStore(conn)` wraps a connection from `studykb.db.connect` (SQLite, or PostgreSQL through
studykb/pg.py, which translates the `?` parameters); the statements run on both engines. Methods
never open transactions: a caller that writes wraps its calls in `studykb.db.write(conn)`, so one
document with its passages and phrase rows, or a version with its members, commits as one.
Batched lookups split long id lists into parts of `BATCH` (SQLite's parameter limit).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .pg import PgConnection

__all__ = ["BATCH", "IndexStore"]

#: Ids per `IN (…)` lookup: under SQLite's default limit of 999 parameters.
BATCH = 900

Row = Any  # sqlite3.Row, or studykb.pg's row: both index by name and position


def _parts(values: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


class IndexStore:
    """Reads and writes of the library's index tables over one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # -- index versions ------------------------------------------------------------------------

    def version(self, name: str) -> Row | None:
        """The index_versions row of version `name`, if recorded."""
        return self.conn.execute("SELECT * FROM index_versions WHERE name = ?", (name,)).fetchone()

    def newest_published(self) -> str | None:
        """The name of the newest version recorded as published."""
        row = self.conn.execute(
            "SELECT name FROM index_versions WHERE state = 'published' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return str(row["name"]) if row else None

    def kept_names(self) -> list[str]:
        """Published and kept versions, the published one first, then newest first (PostgreSQL: []
        while the tables do not exist yet)."""
        if isinstance(self.conn, PgConnection):
            exists = self.conn.execute("SELECT to_regclass('index_versions') IS NOT NULL").fetchone()
            if not exists[0]:
                return []
        return [r[0] for r in self.conn.execute(
            "SELECT name FROM index_versions WHERE state IN ('published', 'retired') "
            "ORDER BY state = 'published' DESC, id DESC")]

    def create_version(self, name: str, model: str, document_ids: Iterable[int], dim: int = 0) -> int:
        """Record version `name` as 'building' with its member documents; return its id."""
        cur = self.conn.execute(
            "INSERT INTO index_versions(name, state, model, dim) VALUES (?, 'building', ?, ?)",
            (name, model, dim),
        )
        version_id = int(cur.lastrowid or 0)
        self.conn.executemany(
            "INSERT INTO version_documents(version_id, document_id) VALUES (?, ?)",
            [(version_id, doc_id) for doc_id in document_ids],
        )
        return version_id

    def mark_published(self, version_id: int, *, dim: int, index_type: str, n_documents: int,
                       n_chunks: int, checksum: str) -> None:
        """Record the figures of a version whose files are written, and mark it published."""
        self.conn.execute(
            "UPDATE index_versions SET state='published', dim=?, index_type=?, n_documents=?, "
            "n_chunks=?, checksum=? WHERE id=?",
            (dim, index_type, n_documents, n_chunks, checksum, version_id),
        )

    def drop_unfinished(self) -> None:
        """Forget versions left 'building' by a crashed run (they were never published)."""
        self.conn.execute("DELETE FROM index_versions WHERE state = 'building'")

    def kept_versions(self) -> list[Row]:
        """(id, name) of the published and retired versions, newest first."""
        return self.conn.execute(
            "SELECT id, name FROM index_versions WHERE state IN ('published', 'retired') ORDER BY id DESC"
        ).fetchall()

    def retire(self, version_ids: Iterable[int]) -> None:
        self.conn.executemany("UPDATE index_versions SET state='retired' WHERE id=?",
                              [(i,) for i in version_ids])

    def delete_versions(self, version_ids: Iterable[int]) -> None:
        """Delete version records, then the documents and cached vectors no version uses."""
        self.conn.executemany("DELETE FROM index_versions WHERE id=?", [(i,) for i in version_ids])
        self.conn.execute(
            "DELETE FROM documents WHERE id NOT IN (SELECT document_id FROM version_documents)"
        )
        self.conn.execute(
            "DELETE FROM embeddings WHERE embed_hash NOT IN (SELECT embed_hash FROM chunks)"
        )

    # -- ingest runs ---------------------------------------------------------------------------

    def start_run(self, started_at: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO ingest_runs(started_at, status) VALUES (?, 'running')", (started_at,)
        )
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, finished_at: str, status: str, version: str | None,
                   report: str) -> None:
        self.conn.execute(
            "UPDATE ingest_runs SET finished_at=?, status=?, version_name=?, report=? WHERE id=?",
            (finished_at, status, version, report, run_id),
        )

    def last_run(self) -> Row | None:
        """The last finished ingest run."""
        return self.conn.execute(
            "SELECT * FROM ingest_runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()

    # -- documents -----------------------------------------------------------------------------

    def reusable_document(self, path: str, root: str, content_hash: str, meta_hash: str) -> int | None:
        """A stored document with exactly this file and metadata (left by an interrupted run)."""
        row = self.conn.execute(
            "SELECT id FROM documents WHERE path=? AND root=? AND content_hash=? AND meta_hash=? "
            "ORDER BY id DESC LIMIT 1",
            (path, root, content_hash, meta_hash),
        ).fetchone()
        return int(row["id"]) if row else None

    def add_document(self, document: Sequence[Any], chunks: Sequence[Sequence[Any]],
                     folded: Sequence[str]) -> int:
        """Insert a document (path, root, content_hash, meta_hash, format, title, date, category,
        source, author, tags, pages, size, mtime, text, page_starts, warnings), its passages
        (ordinal, text, text_hash, embed_hash, start, end, page, page_end, heading_path, tokens,
        ocr_confidence) and their phrase-index rows (`folded`, one per passage); return its id."""
        cur = self.conn.execute(
            "INSERT INTO documents(path, root, content_hash, meta_hash, format, title, date, category, "
            "source, author, tags, pages, size, mtime, text, page_starts, warnings) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            tuple(document),
        )
        doc_id = int(cur.lastrowid or 0)
        phrase_rows: list[tuple[int | None, str]] = []
        for values, text in zip(chunks, folded, strict=True):
            c = self.conn.execute(
                'INSERT INTO chunks(document_id, ordinal, text, text_hash, embed_hash, start, "end", '
                "page, page_end, heading_path, tokens, ocr_confidence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                "RETURNING id",
                (doc_id, *values),
            )
            phrase_rows.append((c.fetchone()[0], text))
        self.conn.executemany("INSERT INTO chunk_fts(rowid, folded) VALUES (?, ?)", phrase_rows)
        return doc_id

    def add_rows(self, documents: Sequence[Sequence[Any]], chunks: Sequence[Sequence[Any]]) -> None:
        """Bulk insert with explicit ids (bench/synth.py): documents (id, path, root, content_hash,
        meta_hash, format, title, date, category, tags, size, mtime, text) and chunks (id, document_id,
        ordinal, text, text_hash, embed_hash, start, end, page, page_end, heading_path, tokens); no
        phrase-index rows."""
        if documents:
            self.conn.executemany(
                "INSERT INTO documents(id, path, root, content_hash, meta_hash, format, title, date, "
                "category, tags, size, mtime, text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                documents,
            )
        if chunks:
            self.conn.executemany(
                'INSERT INTO chunks(id, document_id, ordinal, text, text_hash, embed_hash, start, "end", '
                "page, page_end, heading_path, tokens) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                chunks,
            )

    def move_root(self, document_ids: Iterable[int], root: str) -> None:
        """Point documents at the folder their corpus moved to."""
        self.conn.executemany("UPDATE documents SET root = ? WHERE id = ?", [(root, i) for i in document_ids])

    def version_files(self, version_id: int) -> list[Row]:
        """(id, path, root, content_hash, meta_hash, size, mtime) of each document of a version."""
        return self.conn.execute(
            "SELECT d.id, d.path, d.root, d.content_hash, d.meta_hash, d.size, d.mtime FROM documents d "
            "JOIN version_documents v ON v.document_id = d.id WHERE v.version_id = ?",
            (version_id,),
        ).fetchall()

    def version_documents(self, name: str) -> list[Row]:
        """Every column of each document of version `name`."""
        return self.conn.execute(
            "SELECT d.* FROM documents d JOIN version_documents v ON v.document_id = d.id "
            "JOIN index_versions iv ON iv.id = v.version_id WHERE iv.name = ?",
            (name,),
        ).fetchall()

    def documents_at(self, version_id: int, paths: Sequence[str]) -> Iterator[Row]:
        """The documents of a version at `paths` (a path may hold several roots), by id within each part."""
        for part in _parts(paths, 500):
            yield from self.conn.execute(
                "SELECT d.id, d.path, d.root, d.title, d.format, d.date, d.category, d.source, d.author, "
                "d.tags, d.pages FROM documents d JOIN version_documents v ON v.document_id = d.id "
                f"WHERE v.version_id = ? AND d.path IN ({_marks(len(part))}) ORDER BY d.id",
                (version_id, *part),
            )

    def corpus_root(self, name: str) -> str | None:
        """The corpus folder version `name` was ingested from, if recorded."""
        row = self.conn.execute(
            "SELECT d.root FROM documents d JOIN version_documents v ON v.document_id = d.id "
            "JOIN index_versions iv ON iv.id = v.version_id WHERE iv.name = ? LIMIT 1",
            (name,),
        ).fetchone()
        return str(row[0]) if row else None

    def document_text(self, document_id: int) -> Row:
        """(text, page_starts) of a stored document (None for an unknown id)."""
        return self.conn.execute(
            "SELECT text, page_starts FROM documents WHERE id = ?", (document_id,)
        ).fetchone()

    # -- passages ------------------------------------------------------------------------------

    def version_chunks(self, version_id: int) -> list[Row]:
        """(id, document_id, embed_hash, text, heading_path, tokens) of a version's passages, by id."""
        return self.conn.execute(
            "SELECT c.id, c.document_id, c.embed_hash, c.text, c.heading_path, c.tokens FROM chunks c "
            "JOIN version_documents v ON v.document_id = c.document_id WHERE v.version_id = ? ORDER BY c.id",
            (version_id,),
        ).fetchall()

    def version_chunk_ids(self, version_id: int) -> list[int]:
        """The passage ids of a version, ascending."""
        return [r[0] for r in self.conn.execute(
            "SELECT c.id FROM chunks c JOIN version_documents v ON v.document_id = c.document_id "
            "WHERE v.version_id = ? ORDER BY c.id",
            (version_id,),
        )]

    def chunk_documents(self, name: str) -> list[Row]:
        """(id, document_id) of version `name`'s passages, by id."""
        return self.conn.execute(
            "SELECT c.id, c.document_id FROM chunks c "
            "JOIN version_documents v ON v.document_id = c.document_id "
            "JOIN index_versions iv ON iv.id = v.version_id WHERE iv.name = ? ORDER BY c.id",
            (name,),
        ).fetchall()

    def document_chunks(self, document_id: int) -> list[Row]:
        """(embed_hash, text, heading_path) of a document's passages in order."""
        return self.conn.execute(
            "SELECT embed_hash, text, heading_path FROM chunks WHERE document_id = ? ORDER BY ordinal",
            (document_id,),
        ).fetchall()

    def document_layout(self, document_id: int) -> list[Row]:
        """(id, start, end, heading_path) of a document's passages in order."""
        return self.conn.execute('SELECT id, start, "end", heading_path FROM chunks '
                                 "WHERE document_id = ? ORDER BY ordinal", (document_id,)).fetchall()

    def document_headings(self, document_ids: Sequence[int]) -> list[Row]:
        """Distinct (document_id, heading_path) pairs of the passages of these documents."""
        rows: list[Row] = []
        for part in _parts(document_ids):
            rows += self.conn.execute(
                f"SELECT DISTINCT document_id, heading_path FROM chunks WHERE document_id IN "
                f"({_marks(len(part))})", part).fetchall()
        return rows

    def documents_with_phrase(self, folded: str) -> set[int]:
        """Ids of the documents with a passage whose folded text contains `folded`."""
        if len(folded) >= 3 and not isinstance(self.conn, PgConnection):  # FTS5 trigram: 3+ characters
            rows = self.conn.execute("SELECT DISTINCT document_id FROM chunks WHERE id IN "
                                     "(SELECT rowid FROM chunk_fts WHERE chunk_fts MATCH ?)",
                                     ('"' + folded + '"',))
        else:
            rows = self.conn.execute("SELECT DISTINCT c.document_id FROM chunks c JOIN chunk_fts f "
                                     "ON f.rowid = c.id WHERE instr(f.folded, ?) > 0", (folded,))
        return {r[0] for r in rows}

    def chunks_with_hash(self, document_id: int, text_hash: str | None) -> list[Row]:
        """(id, text, start, end, page, page_end, heading_path) of a document's passages with this text."""
        return self.conn.execute(
            'SELECT id, text, start, "end", page, page_end, heading_path FROM chunks '
            "WHERE document_id = ? AND text_hash = ?", (document_id, text_hash),
        ).fetchall()

    def chunks_overlapping(self, document_id: int, start: int, end: int) -> list[Row]:
        """(id, start, end, page, page_end, heading_path) of a document's passages over [start, end)."""
        return self.conn.execute(
            'SELECT id, start, "end", page, page_end, heading_path FROM chunks '
            'WHERE document_id = ? AND start < ? AND "end" > ?', (document_id, end, start),
        ).fetchall()

    def chunk(self, chunk_id: int) -> Row | None:
        """Every column of one passage."""
        return self.conn.execute("SELECT * FROM chunks WHERE id = ?", (chunk_id,)).fetchone()

    def chunks(self, ids: Sequence[int]) -> dict[int, Row]:
        """Every column of the passages with these ids (missing ones left out)."""
        out: dict[int, Row] = {}
        for part in _parts(ids):
            for r in self.conn.execute(f"SELECT * FROM chunks WHERE id IN ({_marks(len(part))})", part):
                out[r["id"]] = r
        return out

    def text_hash(self, chunk_id: int) -> str | None:
        r = self.conn.execute("SELECT text_hash FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
        return r[0] if r else None

    def text_hashes(self, ids: Sequence[int]) -> dict[int, str]:
        """Passage id → hash of its folded text (missing ids left out)."""
        out: dict[int, str] = {}
        for part in _parts(ids):
            out.update(self.conn.execute(
                f"SELECT id, text_hash FROM chunks WHERE id IN ({_marks(len(part))})", part
            ).fetchall())
        return out

    def chunk_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def passage_windows(self, ids: Sequence[int], extend: int) -> list[Row]:
        """(id, document_id, text, start, end, page, heading_path, page_starts, window) of passages,
        `window` being the document's text from the passage's start to `extend` characters past its end."""
        if not ids:
            return []
        return self.conn.execute(
            f'SELECT c.id, c.document_id, c.text, c.start, c."end", c.page, c.heading_path, d.page_starts, '
            # CAST: PostgreSQL's substr takes integer, and BIGINT columns add up to bigint there.
            f'substr(d.text, CAST(c.start + 1 AS INTEGER), CAST(c."end" - c.start + ? AS INTEGER)) AS window '
            "FROM chunks c JOIN documents d ON d.id = c.document_id "
            f"WHERE c.id IN ({_marks(len(ids))})",
            (extend, *ids),
        ).fetchall()

    def all_chunks(self, columns: str = "id, text") -> list[Row]:
        """`columns` ("id, text", "text, heading_path", "tokens", …) of every stored passage, by id
        (benchmarks and evaluation)."""
        if not all(c.strip().strip('"').isidentifier() for c in columns.split(",")):
            raise ValueError(f"not a list of columns: {columns!r}")
        return self.conn.execute(f"SELECT {columns} FROM chunks ORDER BY id").fetchall()

    # -- phrase index --------------------------------------------------------------------------

    def phrase_ids(self, phrase: str) -> list[int]:
        """Ids of the passages whose folded text contains `phrase` (FTS5 trigrams on SQLite for 3+
        characters, a substring scan otherwise)."""
        if len(phrase) >= 3 and not isinstance(self.conn, PgConnection):  # FTS5 trigram: 3+ characters
            quoted = '"' + phrase.replace('"', '""') + '"'
            rows = self.conn.execute("SELECT rowid FROM chunk_fts WHERE chunk_fts MATCH ?", (quoted,))
        else:
            rows = self.conn.execute("SELECT rowid FROM chunk_fts WHERE instr(folded, ?) > 0", (phrase,))
        return [r[0] for r in rows]

    def phrase_candidates(self, pieces: Sequence[str], limit: int) -> list[int]:
        """Passages holding any of the pieces, best first: FTS5's rank on SQLite; on PostgreSQL, where
        `chunk_fts` is a plain table of folded texts (studykb.pg_schema), the number of pieces held."""
        if not isinstance(self.conn, PgConnection):
            match = " OR ".join('"' + p.replace('"', '""') + '"' for p in pieces)
            return [r[0] for r in self.conn.execute(
                "SELECT rowid FROM chunk_fts WHERE chunk_fts MATCH ? ORDER BY rank LIMIT ?", (match, limit))]
        held = " + ".join(["(strpos(folded, ?) > 0)::int"] * len(pieces))
        return [r[0] for r in self.conn.execute(
            f"SELECT rowid FROM (SELECT rowid, {held} AS held FROM chunk_fts) AS c "
            "WHERE held > 0 ORDER BY held DESC, rowid LIMIT ?", (*pieces, limit))]

    def rebuild_phrases(self, rows: Iterable[tuple[int, str]]) -> None:
        """Replace the phrase index with (passage id, folded text) rows."""
        self.conn.execute("DELETE FROM chunk_fts")
        self.conn.executemany("INSERT INTO chunk_fts(rowid, folded) VALUES (?, ?)", rows)

    # -- embedding cache -----------------------------------------------------------------------

    def save_vectors(self, model: str, rows: Iterable[tuple[str, bytes]]) -> None:
        """Cache (embed_hash, float32 bytes) vectors of `model`, replacing earlier ones."""
        self.conn.executemany(
            "INSERT INTO embeddings(embed_hash, model, vector) VALUES (?, ?, ?) "
            "ON CONFLICT (embed_hash, model) DO UPDATE SET vector = excluded.vector",
            [(h, model, v) for h, v in rows],
        )

    def cached(self, model: str, hashes: Sequence[str]) -> set[str]:
        """Which of `hashes` have a cached vector of `model`."""
        found: set[str] = set()
        for part in _parts(list(set(hashes))):
            rows = self.conn.execute(
                f"SELECT embed_hash FROM embeddings WHERE model = ? AND embed_hash IN ({_marks(len(part))})",
                (model, *part),
            )
            found.update(r[0] for r in rows)
        return found

    def vector(self, embed_hash: str, model: str) -> bytes | None:
        """The cached vector (float32 bytes) of one passage text, if any."""
        row = self.conn.execute(
            "SELECT vector FROM embeddings WHERE embed_hash = ? AND model = ?", (embed_hash, model),
        ).fetchone()
        return bytes(row[0]) if row is not None else None

    def version_vectors(self, version_id: int, model: str) -> list[bytes]:
        """The cached vectors of a version's passages, by passage id (passages without one left out)."""
        return [r[0] for r in self.conn.execute(
            "SELECT e.vector FROM chunks c JOIN version_documents v ON v.document_id = c.document_id "
            "JOIN embeddings e ON e.embed_hash = c.embed_hash AND e.model = ? WHERE v.version_id = ? "
            "ORDER BY c.id",
            (model, version_id),
        ).fetchall()]
