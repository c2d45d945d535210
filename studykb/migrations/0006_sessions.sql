-- Login sessions that survive a reload: the browser keeps a random token in a cookie; the database
-- keeps only its SHA-256. A session ends when it expires, is revoked (logout), its user is removed, or
-- the user's password changes (password_stamp no longer matches the stored hash).
CREATE TABLE sessions (
    token_hash     TEXT PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    password_stamp TEXT NOT NULL,
    created_at     REAL NOT NULL,
    expires_at     REAL NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
