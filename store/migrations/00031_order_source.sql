-- +goose Up
-- A purchase made outside the shop (an 832 export row, a union's or a
-- fair's record) keeps the key of its source, so importing the same
-- export again updates it instead of counting it twice (issue 12).
ALTER TABLE orders ADD COLUMN source_key TEXT;
CREATE UNIQUE INDEX orders_source ON orders (source_key) WHERE source_key IS NOT NULL;

-- +goose Down
SELECT 1;
