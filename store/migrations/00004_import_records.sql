-- +goose Up
-- Records of the other kinds imported from a file carry their batch, so an
-- import is undone as a unit.
ALTER TABLE activities ADD COLUMN import_batch_id BIGINT REFERENCES import_batches (id);
ALTER TABLE agreements ADD COLUMN import_batch_id BIGINT REFERENCES import_batches (id);
ALTER TABLE projects ADD COLUMN import_batch_id BIGINT REFERENCES import_batches (id);
ALTER TABLE labour_records ADD COLUMN import_batch_id BIGINT REFERENCES import_batches (id);
ALTER TABLE batches ADD COLUMN import_batch_id BIGINT REFERENCES import_batches (id);

-- The rows already imported, by fingerprint, so that the same rows
-- imported again are skipped.
CREATE TABLE import_keys (
    kind      TEXT NOT NULL,
    key       TEXT NOT NULL,
    batch_id  BIGINT NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    record_id BIGINT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX import_keys_batch ON import_keys (batch_id);

-- +goose Down
DROP TABLE import_keys;
ALTER TABLE batches DROP COLUMN import_batch_id;
ALTER TABLE labour_records DROP COLUMN import_batch_id;
ALTER TABLE projects DROP COLUMN import_batch_id;
ALTER TABLE agreements DROP COLUMN import_batch_id;
ALTER TABLE activities DROP COLUMN import_batch_id;
