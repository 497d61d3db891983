-- +goose Up
-- Lighter imports (issue 8): see 00049_import_lighter.postgres.sql. SQLite
-- already compares text bytewise.
DROP INDEX contributions_activity;
CREATE INDEX contributions_activity ON contributions (activity_id) WHERE activity_id IS NOT NULL;

-- +goose Down
DROP INDEX contributions_activity;
CREATE INDEX contributions_activity ON contributions (activity_id);
