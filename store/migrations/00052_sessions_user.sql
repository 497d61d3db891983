-- +goose Up
-- A session names its user in a column too (issue 11), so the lookup of a
-- signed-in request's session reads the user's row in the same statement
-- (SessionStore.FindCtx): one round trip fewer on every page and API call.
-- A session written before has none until its next write (its use is
-- noted every five minutes) and is looked up as before meanwhile.
ALTER TABLE sessions ADD COLUMN user_id BIGINT;

-- +goose Down
ALTER TABLE sessions DROP COLUMN user_id;
