-- Local accounts with roles, and failed login attempts for rate limiting.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('member', 'organiser', 'maintainer')),
    password_hash TEXT,
    email TEXT UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE TABLE login_failures (
    username TEXT NOT NULL COLLATE NOCASE,
    at REAL NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(username, at);
