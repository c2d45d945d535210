-- Study activity: organisation units (党委 → 党总支 → 党支部) with their members, visits to learning
-- sites, members' own "我去过" marks, planned events at sites with sign-ups, research topics (调研课题),
-- and which units a reading list is for. Ids of units and visits are the stable ids of their CSV files.
CREATE TABLE units (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    parent_id TEXT REFERENCES units(id),
    kind TEXT NOT NULL CHECK (kind IN ('党委', '党总支', '党支部')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    updated_by TEXT NOT NULL DEFAULT '',
    CHECK (parent_id IS NULL OR parent_id <> id)
) WITHOUT ROWID;
CREATE INDEX units_parent ON units(parent_id);
CREATE TABLE unit_members (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    unit_id TEXT NOT NULL REFERENCES units(id)
);
CREATE INDEX unit_members_unit ON unit_members(unit_id);
CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    date TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units(id),
    participants INTEGER NOT NULL CHECK (participants BETWEEN 1 AND 10000),
    activity TEXT NOT NULL CHECK (activity IN ('现场教学', '主题党日', '调研', '其他')),
    topic TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    updated_by TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
-- Covering indexes: statistics group by site or unit (or filter by date) reading the index alone.
CREATE INDEX visits_date ON visits(date, site_id, unit_id, participants);
CREATE INDEX visits_site ON visits(site_id, participants, date, unit_id);
CREATE INDEX visits_unit ON visits(unit_id, participants, date, site_id);
CREATE TABLE site_marks (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    site_id TEXT NOT NULL REFERENCES sites(id),
    date TEXT NOT NULL,
    PRIMARY KEY (user_id, site_id, date)
) WITHOUT ROWID;
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    date TEXT NOT NULL,
    time TEXT NOT NULL DEFAULT '',
    capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
    online INTEGER NOT NULL DEFAULT 0 CHECK (online IN (0, 1)),
    unit_id TEXT NOT NULL REFERENCES units(id),
    series TEXT NOT NULL DEFAULT '',
    visit_id TEXT REFERENCES visits(id) ON DELETE SET NULL
);
CREATE INDEX events_date ON events(date);
CREATE TABLE event_signups (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    unit_id TEXT REFERENCES units(id),
    people INTEGER NOT NULL CHECK (people >= 1),
    attended INTEGER,
    CHECK ((user_id IS NULL) <> (unit_id IS NULL))
);
CREATE UNIQUE INDEX event_signups_user ON event_signups(event_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX event_signups_unit ON event_signups(event_id, unit_id) WHERE unit_id IS NOT NULL;
CREATE TABLE topics (
    id INTEGER PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id),
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    theme TEXT NOT NULL,
    lead TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('立项', '进行中', '已结题')),
    start_date TEXT,
    end_date TEXT,
    CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date)
);
CREATE INDEX topics_theme ON topics(theme);
CREATE TABLE reading_list_units (
    list_id INTEGER NOT NULL REFERENCES reading_lists(id) ON DELETE CASCADE,
    unit_id TEXT NOT NULL REFERENCES units(id),
    PRIMARY KEY (list_id, unit_id)
) WITHOUT ROWID;
