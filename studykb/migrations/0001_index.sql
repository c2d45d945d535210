-- Index metadata: documents, passages, FTS for exact phrases, embedding cache, versions, runs.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    root TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    meta_hash TEXT NOT NULL,
    format TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT,
    category TEXT,
    source TEXT,
    author TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    pages INTEGER,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    text TEXT NOT NULL,
    page_starts TEXT NOT NULL DEFAULT '[]',
    warnings TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX documents_path ON documents(path);
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    embed_hash TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    page INTEGER,
    page_end INTEGER,
    heading_path TEXT NOT NULL DEFAULT '[]',
    tokens TEXT NOT NULL,
    ocr_confidence REAL
);
CREATE INDEX chunks_document ON chunks(document_id, ordinal);
CREATE INDEX chunks_text_hash ON chunks(text_hash);
CREATE VIRTUAL TABLE chunk_fts USING fts5(folded, tokenize='trigram');
CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
    DELETE FROM chunk_fts WHERE rowid = old.id;
END;
CREATE TABLE embeddings (
    embed_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (embed_hash, model)
) WITHOUT ROWID;
CREATE TABLE index_versions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('building', 'published', 'retired')),
    model TEXT NOT NULL,
    dim INTEGER NOT NULL,
    index_type TEXT NOT NULL DEFAULT '',
    n_documents INTEGER NOT NULL DEFAULT 0,
    n_chunks INTEGER NOT NULL DEFAULT 0,
    checksum TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE TABLE version_documents (
    version_id INTEGER NOT NULL REFERENCES index_versions(id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    PRIMARY KEY (version_id, document_id)
) WITHOUT ROWID;
CREATE INDEX version_documents_document ON version_documents(document_id);
CREATE TABLE ingest_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    version_name TEXT,
    report TEXT NOT NULL DEFAULT '{}'
);
