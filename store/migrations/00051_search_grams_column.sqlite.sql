-- +goose Up
-- PostgreSQL moves keyword search into each record's row, an array of
-- bigrams under a GIN index (00051_search_grams_column.postgres.sql).
-- SQLite has no inverted index type: search_grams, a row per bigram under
-- its primary key, is its inverted index, and stays. The version is kept
-- in step.
SELECT 1;

-- +goose Down
SELECT 1;
