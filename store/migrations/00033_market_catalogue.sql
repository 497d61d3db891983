-- +goose Up
-- The catalogue's photos, its .xlsx imports and the buyers' ratings
-- (issue 12, items 1 and 4).
--
-- A product has up to five photos (JPEG, PNG or WebP, at most 2 MiB
-- each; the store counts and sniffs them).
CREATE TABLE product_photos (
    id           {{ID}},
    product_id   BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    data         {{BLOB}} NOT NULL,
    size         BIGINT NOT NULL CHECK (size > 0 AND size <= 2097152),
    sha256       TEXT NOT NULL,
    created_by   BIGINT NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL
);
CREATE INDEX product_photos_product ON product_photos (product_id, id);

-- What a catalogue import batch did to each product, so that the batch
-- can be undone: a product it created is deleted again; one it updated
-- gets back its fields (before, JSON) unless it was changed since
-- (updated_at is the product's after the import); its stock goes back by
-- what the import changed (stock is what the import wrote), keeping what
-- was sold since.
CREATE TABLE product_import_changes (
    batch_id   BIGINT NOT NULL REFERENCES import_batches (id),
    product_id BIGINT NOT NULL, -- no reference: undoing deletes created products
    created    INTEGER NOT NULL CHECK (created IN (0, 1)),
    before     TEXT NOT NULL DEFAULT '',
    stock      BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (batch_id, product_id)
);
CREATE INDEX product_import_changes_product ON product_import_changes (product_id);

-- A buyer unit's rating of an accepted or settled order, once an order.
CREATE TABLE order_ratings (
    order_id      BIGINT PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    supplier_id   BIGINT NOT NULL REFERENCES organisations (id),
    buyer_unit_id BIGINT NOT NULL REFERENCES organisations (id),
    quality       INTEGER NOT NULL CHECK (quality BETWEEN 1 AND 5),
    delivery      INTEGER NOT NULL CHECK (delivery BETWEEN 1 AND 5),
    service       INTEGER NOT NULL CHECK (service BETWEEN 1 AND 5),
    comment       TEXT NOT NULL DEFAULT '',
    rated_by      BIGINT NOT NULL REFERENCES users (id),
    created_at    TEXT NOT NULL
);
CREATE INDEX order_ratings_supplier ON order_ratings (supplier_id);

-- +goose Down
SELECT 1;
