-- Login sessions that survive a reload: the browser keeps a random token in a cookie; the database
-- keeps only its SHA-256. A session ends when it expires, is revoked (logout), its user is removed
-- (ON DELETE CASCADE), or the account's session_generation (0006: raised by a password or role
-- change) is no longer the one the session logged in with: the same rule as `studykb.auth.current`.
CREATE TABLE sessions (
    token_hash     TEXT PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    generation     INTEGER NOT NULL,
    created_at     REAL NOT NULL,
    expires_at     REAL NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
