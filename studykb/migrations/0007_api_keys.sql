-- API keys of the HTTP API: only the SHA-256 of each token is stored (the token is shown once).
-- A key acts with `role` (never more than its linked account's role) and may name the unit it serves;
-- a key linked to an account (user_id) can also record that account's reading progress.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('member', 'organiser', 'maintainer')),
    unit TEXT,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
    revoked_at TEXT
);
