-- Accounts: a session generation, raised by `users set-password`, `set-role` (and gone with `remove`).
-- A browser session remembers the generation it logged in with; every write re-reads the account and
-- refuses a session whose generation (or account) no longer matches, so a changed account logs out.
ALTER TABLE users ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0;
