-- +goose Up
-- Issue 9, fault 7: the audit chain is keyed. An entry written with the
-- data directory's audit key (audit.key, never stored here) has keyed = 1
-- and hash = HMAC-SHA256(key, …); the entries written before the key
-- existed keep keyed = 0 and their plain SHA-256 hash, so they still
-- verify. store.VerifyAudit refuses a plain entry after a keyed one.
ALTER TABLE audit_log ADD COLUMN keyed SMALLINT NOT NULL DEFAULT 0 CHECK (keyed IN (0, 1));

-- +goose Down
ALTER TABLE audit_log DROP COLUMN keyed;
