-- +goose Up
-- The files an order's steps carry (issue 12): the invoice and the
-- inspection photo the buyer uploads on acceptance. An order's
-- invoice_ref / inspection_ref is then "file:<id>" of this table.
CREATE TABLE order_files (
    id           {{ID}},
    order_id     BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    field        TEXT NOT NULL CHECK (field IN ('invoice_ref', 'inspection_ref')),
    name         TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
    data         {{BLOB}} NOT NULL,
    size         BIGINT NOT NULL CHECK (size > 0 AND size <= 10485760),
    sha256       TEXT NOT NULL,
    created_by   BIGINT NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL
);
CREATE INDEX order_files_order ON order_files (order_id);

-- +goose Down
SELECT 1;
