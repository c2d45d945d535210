-- Reading lists: organisers' ordered lists of documents and passages, and each member's reading progress.
-- `revision` grows with every edit of a list or its items; writers pass the revision they read
-- (optimistic concurrency). An item anchors its text by document path + passage text_hash and keeps
-- a copy of what it pointed at, so it can be found again (or flagged missing) after re-ingestion.
CREATE TABLE reading_lists (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    description TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL DEFAULT '',
    period_start TEXT,
    period_end TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    owner_name TEXT NOT NULL DEFAULT '',
    revision INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    published_at TEXT,
    CHECK (period_start IS NULL OR period_end IS NULL OR period_start <= period_end)
);
CREATE INDEX reading_lists_status ON reading_lists(status, updated_at);
CREATE TABLE reading_list_items (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES reading_lists(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('document', 'passage')),
    doc_path TEXT NOT NULL,
    doc_root TEXT NOT NULL DEFAULT '',
    doc_title TEXT NOT NULL,
    doc_date TEXT,
    text_hash TEXT,
    passage_text TEXT,
    start_offset INTEGER,
    end_offset INTEGER,
    page INTEGER,
    page_end INTEGER,
    heading_path TEXT NOT NULL DEFAULT '[]',
    chunk_id INTEGER,
    note TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    CHECK (kind = 'document' OR (text_hash IS NOT NULL AND passage_text IS NOT NULL))
);
CREATE UNIQUE INDEX reading_list_items_position ON reading_list_items(list_id, position);
CREATE TABLE reading_progress (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES reading_list_items(id) ON DELETE CASCADE,
    read_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    PRIMARY KEY (user_id, item_id)
) WITHOUT ROWID;
CREATE INDEX reading_progress_item ON reading_progress(item_id);
