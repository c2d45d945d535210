-- Reading lists: where an imported list came from ("lists.json, 2026-12-04"), so that an imported copy is
-- told apart from its original on the lists page and in `studykb lists list`. NULL for lists made here.
ALTER TABLE reading_lists ADD COLUMN imported_from TEXT;
