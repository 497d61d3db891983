-- +goose Up
-- Reserved shares (预留份额, issue 12 item 2; package market's share.go
-- holds the rules): each buyer unit files, per year, its canteen
-- farm-produce budget and the ratio it reserves for the paired counties'
-- products, or 无食堂 (no canteen: no budget, no share). The office sets
-- the year's lowest ratio (market_ratios; a year without a row takes
-- market.DefaultRatioBP, 10%). A buyer unit's supervising unit (主管预算单位)
-- is another organisation; its management account sees the subordinate
-- units' filings (market.CanSeeShare).
CREATE TABLE market_shares (
    unit_id    BIGINT NOT NULL REFERENCES organisations (id),
    year       INTEGER NOT NULL CHECK (year >= 2019 AND year <= 2100),
    no_canteen INTEGER NOT NULL DEFAULT 0 CHECK (no_canteen IN (0, 1)),
    budget_fen BIGINT NOT NULL CHECK (budget_fen >= 0 AND budget_fen <= 1000000000000),
    ratio_bp   BIGINT NOT NULL CHECK (ratio_bp >= 0 AND ratio_bp <= 10000),
    filed_by   BIGINT NOT NULL REFERENCES users (id),
    filed_at   TEXT NOT NULL,
    PRIMARY KEY (unit_id, year),
    CHECK ((no_canteen = 1 AND budget_fen = 0 AND ratio_bp = 0) OR (no_canteen = 0 AND budget_fen > 0 AND ratio_bp > 0))
);
CREATE INDEX market_shares_year ON market_shares (year, unit_id);

CREATE TABLE market_ratios (
    year     INTEGER PRIMARY KEY CHECK (year >= 2019 AND year <= 2100),
    ratio_bp BIGINT NOT NULL CHECK (ratio_bp > 0 AND ratio_bp <= 10000),
    set_by   BIGINT NOT NULL REFERENCES users (id),
    set_at   TEXT NOT NULL
);

CREATE TABLE market_unit_parents (
    unit_id   BIGINT PRIMARY KEY REFERENCES organisations (id),
    parent_id BIGINT NOT NULL REFERENCES organisations (id),
    CHECK (unit_id <> parent_id)
);
CREATE INDEX market_unit_parents_parent ON market_unit_parents (parent_id);

-- Supervision's flags read only the few suspect lines of a year, through
-- these indexes (store/market_shares.go): a reporting date's window of
-- orders per unit, lines whose origin lies outside the paired counties,
-- lines whose price lies outside their category's band.
CREATE INDEX orders_day ON orders (ordered_on, buyer_unit_id, status, total_fen);
CREATE INDEX order_lines_origin ON order_lines (origin_code);
CREATE INDEX order_lines_price ON order_lines (category, unit, price_fen);

-- +goose Down
DROP INDEX order_lines_price;
DROP INDEX order_lines_origin;
DROP INDEX orders_day;
DROP TABLE market_unit_parents;
DROP TABLE market_ratios;
DROP TABLE market_shares;
