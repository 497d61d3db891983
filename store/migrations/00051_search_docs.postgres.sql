-- +goose Up
-- Keyword search on PostgreSQL keeps one row per record: its bigrams
-- (the rule is Go's searchGrams, unchanged) as an array under a GIN index
-- per kind (issue 8). A bigram per row of search_grams was a heap tuple
-- and a B-tree descent each, ~10 a contribution: importing a million
-- contributions, its COPY took 37 of the server's 102 seconds. GIN
-- appends new entries to its pending list and merges them into the index
-- in sorted runs: in psql, 556,000 records' 2.2 million bigrams took 11.0
-- and 12.3 s as rows and 5.7 and 5.9 s as arrays (pending list merged).
-- A query's bigrams are one containment test (grams @> ARRAY[…]), which
-- GIN answers by intersecting its posting lists. SQLite has no inverted
-- index and keeps search_grams (00051_search_docs.sqlite.sql).
CREATE TABLE search_docs (
    kind      TEXT COLLATE "C" NOT NULL,
    record_id BIGINT NOT NULL,
    grams     TEXT[] COLLATE "C" NOT NULL,
    PRIMARY KEY (kind, record_id)
);
INSERT INTO search_docs (kind, record_id, grams)
SELECT kind, record_id, array_agg(gram ORDER BY gram) FROM search_grams GROUP BY kind, record_id;
DROP TABLE search_grams;
-- One index per kind, so a search of the market's few products does not
-- read the contributions that share a bigram; queries name the kind as a
-- literal to match the predicate.
CREATE INDEX search_docs_contribution ON search_docs USING gin (grams) WHERE kind = 'contribution';
CREATE INDEX search_docs_activity ON search_docs USING gin (grams) WHERE kind = 'activity';
CREATE INDEX search_docs_agreement ON search_docs USING gin (grams) WHERE kind = 'agreement';
CREATE INDEX search_docs_project ON search_docs USING gin (grams) WHERE kind = 'project';
CREATE INDEX search_docs_product ON search_docs USING gin (grams) WHERE kind = 'product';

-- +goose Down
CREATE TABLE search_grams (
    kind      TEXT COLLATE "C" NOT NULL,
    gram      TEXT COLLATE "C" NOT NULL,
    record_id BIGINT NOT NULL,
    PRIMARY KEY (kind, gram, record_id)
);
INSERT INTO search_grams (kind, gram, record_id) SELECT kind, unnest(grams), record_id FROM search_docs;
DROP TABLE search_docs;
