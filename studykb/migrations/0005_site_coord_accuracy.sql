-- Learning sites: the estimated error radius of a site's lat/lon in whole metres (NULL: not stated).
-- Existing rows keep all their data and get NULL; the page marks sites above 200 m as estimated positions.
ALTER TABLE sites ADD COLUMN coord_accuracy_m INTEGER
    CHECK (coord_accuracy_m IS NULL OR coord_accuracy_m BETWEEN 1 AND 50000);
