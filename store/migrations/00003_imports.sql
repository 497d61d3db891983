-- +goose Up
-- An import is a batch: who, when, which file, how many rows did what.
-- status: dry_run (nothing written), refused (mode all with errors:
-- nothing written), imported, undone.
CREATE TABLE import_batches (
    id             {{ID}},
    kind           TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    file_sha256    TEXT NOT NULL,
    user_id        BIGINT NOT NULL REFERENCES users (id),
    unit_id        BIGINT REFERENCES organisations (id),
    mode           TEXT NOT NULL CHECK (mode IN ('all', 'valid')),
    approve        INTEGER NOT NULL DEFAULT 0 CHECK (approve IN (0, 1)),
    status         TEXT NOT NULL CHECK (status IN ('dry_run', 'refused', 'imported', 'undone')),
    rows_total     BIGINT NOT NULL DEFAULT 0,
    rows_imported  BIGINT NOT NULL DEFAULT 0,
    rows_skipped   BIGINT NOT NULL DEFAULT 0,
    rows_duplicate BIGINT NOT NULL DEFAULT 0,
    rows_error     BIGINT NOT NULL DEFAULT 0,
    header         TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    undone_at      TEXT,
    undone_by      BIGINT REFERENCES users (id)
);
CREATE INDEX import_batches_user ON import_batches (user_id, id);

-- Rows of a batch that were not written: errors, and suspected duplicates
-- of existing records held for the office to keep or discard.
CREATE TABLE import_rows (
    batch_id     BIGINT NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    line         BIGINT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('error', 'duplicate')),
    message      TEXT NOT NULL,
    cells        TEXT NOT NULL,
    duplicate_of BIGINT,
    record       TEXT NOT NULL DEFAULT '',
    resolution   TEXT CHECK (resolution IS NULL OR resolution IN ('kept', 'discarded')),
    PRIMARY KEY (batch_id, line)
);

-- import_key is the fingerprint of the row a record was imported from. It
-- is found through contributions_same (an identical row has the same
-- county, amount and dates), so it needs no index of its own; neither does
-- import_batch_id (undoing a batch may scan). Fewer indexes keep a
-- million-row import fast.
ALTER TABLE contributions ADD COLUMN import_batch_id BIGINT REFERENCES import_batches (id);
ALTER TABLE contributions ADD COLUMN import_key TEXT;
-- Finding a record that a new row may duplicate: same county and amount.
CREATE INDEX contributions_same ON contributions (county_code, amount_fen, date_from);

-- +goose Down
DROP INDEX contributions_same;
ALTER TABLE contributions DROP COLUMN import_key;
ALTER TABLE contributions DROP COLUMN import_batch_id;
DROP TABLE import_rows;
DROP TABLE import_batches;
