-- +goose Up
-- The market (消费帮扶, issue 12; package market holds the rules).
-- A supplier is an organisation (kind 供应商, side west: its name and
-- USCC live there) with an admission record; its products carry their
-- certification; an order is one buyer unit's purchase from one supplier
-- in one channel, its lines priced when it was placed. An order that
-- counts (market.Counts: 已验收, 已结算) is one approved consumption
-- contribution in the ledger (contributions.order_id), removed again if
-- the order is returned.
CREATE TABLE suppliers (
    org_id      BIGINT PRIMARY KEY REFERENCES organisations (id),
    county_code TEXT NOT NULL REFERENCES regions (code),
    farmer_link TEXT NOT NULL DEFAULT '',
    contact     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('applied','recommended','admitted','suspended')),
    reason      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX suppliers_county ON suppliers (county_code, status);

CREATE TABLE products (
    id               {{ID}},
    supplier_id      BIGINT NOT NULL REFERENCES suppliers (org_id),
    name             TEXT NOT NULL CHECK (name <> ''),
    category         TEXT NOT NULL CHECK (category IN ('grain_oil','tea','meat_egg','dried','fruit_veg','herbal','craft','other')),
    origin_code      TEXT NOT NULL REFERENCES regions (code),
    county_code      TEXT NOT NULL REFERENCES regions (code), -- of the origin, for the catalogue's county filter
    spec             TEXT NOT NULL DEFAULT '',
    unit             TEXT NOT NULL CHECK (unit <> ''),
    price_fen        BIGINT NOT NULL CHECK (price_fen > 0 AND price_fen <= 1000000000000),
    stock            BIGINT NOT NULL CHECK (stock >= 0),
    min_order        BIGINT NOT NULL DEFAULT 1 CHECK (min_order >= 1),
    cert_no          TEXT NOT NULL DEFAULT '',
    cert_county      TEXT REFERENCES regions (code),
    cert_valid_until TEXT,
    status           TEXT NOT NULL CHECK (status IN ('draft','listed','delisted','suspended')),
    reason           TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX products_supplier ON products (supplier_id);
CREATE INDEX products_catalogue ON products (status, county_code, category, price_fen);

CREATE TABLE orders (
    id              {{ID}},
    no              TEXT NOT NULL UNIQUE CHECK (no <> ''),
    channel         TEXT NOT NULL CHECK (channel IN ('shop','p832','union','enterprise','fair','outlet','targeted','subscription')),
    ordered_on      TEXT NOT NULL CHECK (length(ordered_on) = 10),
    buyer_unit_id   BIGINT NOT NULL REFERENCES organisations (id),
    purchaser_id    BIGINT REFERENCES users (id),
    supplier_id     BIGINT NOT NULL REFERENCES organisations (id),
    total_fen       BIGINT NOT NULL CHECK (total_fen >= 0 AND total_fen <= 1000000000000),
    status          TEXT NOT NULL CHECK (status IN ('pending','to_ship','shipped','to_accept','accepted','settled','cancelled','returned')),
    carrier         TEXT NOT NULL DEFAULT '',
    tracking_no     TEXT NOT NULL DEFAULT '',
    invoice_ref     TEXT NOT NULL DEFAULT '',
    inspection_ref  TEXT NOT NULL DEFAULT '',
    payment_ref     TEXT NOT NULL DEFAULT '',
    paid_on         TEXT,
    reason          TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX orders_buyer ON orders (buyer_unit_id, ordered_on);
CREATE INDEX orders_supplier ON orders (supplier_id, ordered_on);
CREATE INDEX orders_status ON orders (status, ordered_on);
-- A retried checkout (the same Idempotency-Key from the same purchaser)
-- finds the orders of the first; one key may make one order per supplier.
CREATE UNIQUE INDEX orders_idempotency ON orders (purchaser_id, idempotency_key, supplier_id);

CREATE TABLE order_lines (
    order_id    BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    product_id  BIGINT REFERENCES products (id),
    name        TEXT NOT NULL CHECK (name <> ''),
    category    TEXT NOT NULL DEFAULT '',
    origin_code TEXT NOT NULL REFERENCES regions (code),
    unit        TEXT NOT NULL DEFAULT '',
    qty         BIGINT NOT NULL CHECK (qty > 0),
    price_fen   BIGINT NOT NULL CHECK (price_fen >= 0),
    amount_fen  BIGINT NOT NULL CHECK (amount_fen >= 0),
    PRIMARY KEY (order_id, seq)
);
CREATE INDEX order_lines_product ON order_lines (product_id);

ALTER TABLE contributions ADD COLUMN order_id BIGINT REFERENCES orders (id);
CREATE UNIQUE INDEX contributions_order ON contributions (order_id) WHERE order_id IS NOT NULL;

-- +goose Down
SELECT 1;
