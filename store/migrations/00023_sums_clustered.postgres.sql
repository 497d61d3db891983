-- +goose Up
-- SQLite only (its sums tables become WITHOUT ROWID); PostgreSQL reads
-- the same ranges from its primary-key indexes and is unchanged.
SELECT 1;

-- +goose Down
SELECT 1;
