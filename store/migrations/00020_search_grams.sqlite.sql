-- +goose Up
-- Keyword search (issue 10): every two adjacent characters of a record's
-- searchable text, one row each, so that 红米 or 茶叶 is found by an index
-- lookup instead of LIKE '%…%' over a million rows (FTS5's trigram
-- tokenizer never matches two-character words). The Go code keeps the
-- table in step on every write (store/search.go: searchGrams is the rule);
-- existing rows are filled here, the one time SQL has to know it: the
-- text ASCII-lowercased (SQLite's lower()), each field on its own, every
-- substr(t, i, 2). A store test checks these rows against the Go rule.
-- A query's bigrams narrow the records; LIKE on the candidates confirms.
CREATE TABLE search_grams (
    kind      TEXT NOT NULL,
    gram      TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    PRIMARY KEY (kind, gram, record_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO search_grams (kind, gram, record_id)
WITH RECURSIVE f(kind, id, t) AS (
    SELECT 'contribution', id, lower(item) FROM contributions
    UNION ALL SELECT 'contribution', id, lower(institution) FROM contributions
    UNION ALL SELECT 'contribution', id, lower(note) FROM contributions
    UNION ALL SELECT 'activity', id, lower(title) FROM activities
    UNION ALL SELECT 'activity', id, lower(narrative) FROM activities
    UNION ALL SELECT 'activity', id, lower(places) FROM activities
    UNION ALL SELECT 'activity', id, lower(leader) FROM activities
    UNION ALL SELECT 'activity', id, lower(participants_text) FROM activities
    UNION ALL SELECT 'agreement', id, lower(title) FROM agreements
    UNION ALL SELECT 'agreement', id, lower(note) FROM agreements
    UNION ALL SELECT 'project', id, lower(title) FROM projects
    UNION ALL SELECT 'project', id, lower(note) FROM projects
), g(kind, id, t, i) AS (
    SELECT kind, id, t, 1 FROM f WHERE length(t) >= 2
    UNION ALL SELECT kind, id, t, i + 1 FROM g WHERE i + 2 <= length(t)
)
SELECT kind, substr(t, i, 2), id FROM g;

-- +goose Down
DROP TABLE search_grams;
