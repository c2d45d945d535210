-- Research topics (调研课题) get the stable text ids of their CSV file (topics.csv), as units and
-- visits have, so a re-import updates a topic instead of adding it again; and who changed one last.
-- Topics stored before keep their number as id 't-<number>'.
CREATE TABLE topics_by_id (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id),
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    theme TEXT NOT NULL,
    lead TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('立项', '进行中', '已结题')),
    start_date TEXT,
    end_date TEXT,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    updated_by TEXT NOT NULL DEFAULT '',
    CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date)
) WITHOUT ROWID;
INSERT INTO topics_by_id(id, unit_id, title, theme, lead, status, start_date, end_date)
    SELECT 't-' || id, unit_id, title, theme, lead, status, start_date, end_date FROM topics;
DROP TABLE topics;
ALTER TABLE topics_by_id RENAME TO topics;
CREATE INDEX topics_theme ON topics(theme);
CREATE INDEX topics_unit ON topics(unit_id);
