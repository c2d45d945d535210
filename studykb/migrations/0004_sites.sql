-- Learning sites: the directory of recommended on-site study sites, keyed by the stable site id.
-- themes and related_queries are JSON arrays of strings; hidden sites stay (with their id) but are
-- left out of listings; revision grows with every change (optimistic concurrency for edits).
CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    province TEXT NOT NULL,
    city TEXT NOT NULL,
    district TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    hours TEXT,
    booking TEXT,
    themes TEXT NOT NULL DEFAULT '[]',
    description TEXT NOT NULL DEFAULT '',
    url TEXT,
    related_queries TEXT NOT NULL DEFAULT '[]',
    hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    revision INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    updated_by TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX sites_place ON sites(province, city);
