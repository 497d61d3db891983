-- +goose Up
-- Keyword search on PostgreSQL keeps each record's bigrams (the rule is
-- Go's searchGrams, unchanged) in the record's own row, as an array under
-- a GIN index (issue 8). A bigram per row of search_grams was a heap tuple
-- and a B-tree descent each, ~10 a contribution: importing a million
-- contributions, its COPY took 37 of the server's 102 seconds. GIN
-- appends new entries to its pending list and merges them into the index
-- in sorted runs (in psql, 556,000 records' 2.2 million bigrams took 11.0
-- and 12.3 s as rows, 5.7 and 5.9 s as arrays with the pending list
-- merged). A query's bigrams are one containment test, x.grams @> ARRAY[…],
-- which GIN answers by intersecting its posting lists; it rechecks each
-- candidate in the row that the LIKE reads anyway. (Arrays in a table of
-- their own were as cheap to write, but that recheck then read a second
-- row a candidate: a common word's 3,856 matches took 120 ms, not 70.)
-- SQLite has no inverted index and keeps search_grams.
ALTER TABLE contributions ADD COLUMN grams TEXT[] COLLATE "C";
ALTER TABLE activities ADD COLUMN grams TEXT[] COLLATE "C";
ALTER TABLE agreements ADD COLUMN grams TEXT[] COLLATE "C";
ALTER TABLE projects ADD COLUMN grams TEXT[] COLLATE "C";
ALTER TABLE products ADD COLUMN grams TEXT[] COLLATE "C";
-- The store writes grams alone, in an UPDATE of that column only
-- (writeGrams), so such an update changes no running sum.
DROP TRIGGER contributions_sums_update ON contributions;
CREATE TRIGGER contributions_sums_update AFTER UPDATE ON contributions
    FOR EACH ROW WHEN ((OLD.status = 'approved' OR NEW.status = 'approved') AND OLD.grams IS NOT DISTINCT FROM NEW.grams)
    EXECUTE FUNCTION contributions_sums();
UPDATE contributions x SET grams = g.grams FROM (SELECT record_id, array_agg(gram ORDER BY gram) AS grams FROM search_grams WHERE kind = 'contribution' GROUP BY record_id) g WHERE x.id = g.record_id;
UPDATE activities x SET grams = g.grams FROM (SELECT record_id, array_agg(gram ORDER BY gram) AS grams FROM search_grams WHERE kind = 'activity' GROUP BY record_id) g WHERE x.id = g.record_id;
UPDATE agreements x SET grams = g.grams FROM (SELECT record_id, array_agg(gram ORDER BY gram) AS grams FROM search_grams WHERE kind = 'agreement' GROUP BY record_id) g WHERE x.id = g.record_id;
UPDATE projects x SET grams = g.grams FROM (SELECT record_id, array_agg(gram ORDER BY gram) AS grams FROM search_grams WHERE kind = 'project' GROUP BY record_id) g WHERE x.id = g.record_id;
UPDATE products x SET grams = g.grams FROM (SELECT record_id, array_agg(gram ORDER BY gram) AS grams FROM search_grams WHERE kind = 'product' GROUP BY record_id) g WHERE x.id = g.record_id;
DROP TABLE search_grams;
CREATE INDEX contributions_grams ON contributions USING gin (grams);
CREATE INDEX activities_grams ON activities USING gin (grams);
CREATE INDEX agreements_grams ON agreements USING gin (grams);
CREATE INDEX projects_grams ON projects USING gin (grams);
CREATE INDEX products_grams ON products USING gin (grams);

-- +goose Down
CREATE TABLE search_grams (
    kind      TEXT COLLATE "C" NOT NULL,
    gram      TEXT COLLATE "C" NOT NULL,
    record_id BIGINT NOT NULL,
    PRIMARY KEY (kind, gram, record_id)
);
INSERT INTO search_grams (kind, gram, record_id)
SELECT 'contribution', unnest(grams), id FROM contributions
UNION ALL SELECT 'activity', unnest(grams), id FROM activities
UNION ALL SELECT 'agreement', unnest(grams), id FROM agreements
UNION ALL SELECT 'project', unnest(grams), id FROM projects
UNION ALL SELECT 'product', unnest(grams), id FROM products;
DROP TRIGGER contributions_sums_update ON contributions;
CREATE TRIGGER contributions_sums_update AFTER UPDATE ON contributions
    FOR EACH ROW WHEN (OLD.status = 'approved' OR NEW.status = 'approved')
    EXECUTE FUNCTION contributions_sums();
ALTER TABLE contributions DROP COLUMN grams;
ALTER TABLE activities DROP COLUMN grams;
ALTER TABLE agreements DROP COLUMN grams;
ALTER TABLE projects DROP COLUMN grams;
ALTER TABLE products DROP COLUMN grams;
