-- +goose Up
-- Keyword search (issue 10): see 00020_search_grams.sqlite.sql. The same
-- rule: ASCII-only lowercasing (translate, as SQLite's lower() and the Go
-- code do), each field on its own, every substr(t, i, 2).
CREATE TABLE search_grams (
    kind      TEXT NOT NULL,
    gram      TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    PRIMARY KEY (kind, gram, record_id)
);
INSERT INTO search_grams (kind, gram, record_id)
SELECT DISTINCT f.kind, substr(f.t, i, 2), f.id FROM (
    SELECT 'contribution' AS kind, id, item AS t FROM contributions
    UNION ALL SELECT 'contribution', id, institution FROM contributions
    UNION ALL SELECT 'contribution', id, note FROM contributions
    UNION ALL SELECT 'activity', id, title FROM activities
    UNION ALL SELECT 'activity', id, narrative FROM activities
    UNION ALL SELECT 'activity', id, places FROM activities
    UNION ALL SELECT 'activity', id, leader FROM activities
    UNION ALL SELECT 'activity', id, participants_text FROM activities
    UNION ALL SELECT 'agreement', id, title FROM agreements
    UNION ALL SELECT 'agreement', id, note FROM agreements
    UNION ALL SELECT 'project', id, title FROM projects
    UNION ALL SELECT 'project', id, note FROM projects
) f0 CROSS JOIN LATERAL (SELECT f0.kind, f0.id, translate(f0.t, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS t) f
CROSS JOIN LATERAL generate_series(1, char_length(f.t) - 1) i;

-- +goose Down
DROP TABLE search_grams;
