-- +goose Up
-- Lighter imports (issue 8). An imported contribution names no activity,
-- and every NULL was an entry in contributions_activity: the index now
-- holds only the rows that name one (a lookup by activity_id = $1, the
-- filters' and ON DELETE SET NULL's, implies it). search_grams' kind and
-- gram compare bytewise: a bigram is looked up only by equality, and each
-- of a row's ~10 bigrams was a descent of the primary key through
-- locale-aware comparisons (in psql, inserting 3M bigrams took 9.1 and
-- 8.5 s, bytewise 7.9 and 7.8 s).
DROP INDEX contributions_activity;
CREATE INDEX contributions_activity ON contributions (activity_id) WHERE activity_id IS NOT NULL;
ALTER TABLE search_grams ALTER COLUMN kind TYPE text COLLATE "C", ALTER COLUMN gram TYPE text COLLATE "C";

-- +goose Down
ALTER TABLE search_grams ALTER COLUMN kind TYPE text COLLATE "default", ALTER COLUMN gram TYPE text COLLATE "default";
DROP INDEX contributions_activity;
CREATE INDEX contributions_activity ON contributions (activity_id);
