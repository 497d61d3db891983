-- +goose Up
-- Running sums for supervision (issue 12 item 5), so its page reads a few
-- thousand rows whatever the number of orders (see
-- 00028_market_sums.postgres.sql for the same on PostgreSQL):
--   market_purchase_sums: what each buyer unit purchased — the approved
--     consumption contributions of counted orders (contributions.order_id
--     set; the giver is the order's buyer unit) — per month of the
--     contribution's date, county of origin and channel;
--   market_order_days: each unit's orders per order date, cancelled ones
--     left out (bursts before a reporting date);
--   market_line_prices: how many order lines of a year sold at each unit
--     price per category and unit, cancelled orders left out (the medians
--     of market.FlagPrices).
-- Rows that fall to n = 0 stay; readers skip them.
CREATE TABLE market_purchase_sums (
    month       TEXT NOT NULL,
    unit_id     BIGINT NOT NULL,
    county_code TEXT NOT NULL,
    channel     TEXT NOT NULL,
    n           BIGINT NOT NULL,
    fen         BIGINT NOT NULL,
    PRIMARY KEY (month, unit_id, county_code, channel)
) WITHOUT ROWID;
CREATE TABLE market_order_days (
    day     TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    n       BIGINT NOT NULL,
    fen     BIGINT NOT NULL,
    PRIMARY KEY (day, unit_id)
) WITHOUT ROWID;
CREATE TABLE market_line_prices (
    year      TEXT NOT NULL,
    category  TEXT NOT NULL,
    unit      TEXT NOT NULL,
    price_fen BIGINT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (year, category, unit, price_fen)
) WITHOUT ROWID;

INSERT INTO market_purchase_sums (month, unit_id, county_code, channel, n, fen)
    SELECT substr(c.date_from, 1, 7), x.buyer_unit_id, c.county_code, x.channel, COUNT(*), SUM(c.amount_fen)
    FROM contributions c JOIN orders x ON x.id = c.order_id WHERE c.status = 'approved' GROUP BY 1, 2, 3, 4;
INSERT INTO market_order_days (day, unit_id, n, fen)
    SELECT ordered_on, buyer_unit_id, COUNT(*), SUM(total_fen) FROM orders WHERE status <> 'cancelled' GROUP BY 1, 2;
INSERT INTO market_line_prices (year, category, unit, price_fen, n)
    SELECT substr(x.ordered_on, 1, 4), l.category, l.unit, l.price_fen, COUNT(*) FROM order_lines l JOIN orders x ON x.id = l.order_id
    WHERE x.status <> 'cancelled' AND l.price_fen > 0 GROUP BY 1, 2, 3, 4;

-- +goose StatementBegin
CREATE TRIGGER market_purchase_sums_insert AFTER INSERT ON contributions WHEN NEW.order_id IS NOT NULL AND NEW.status = 'approved' BEGIN
    INSERT INTO market_purchase_sums (month, unit_id, county_code, channel, n, fen)
        SELECT substr(NEW.date_from, 1, 7), x.buyer_unit_id, NEW.county_code, x.channel, 1, NEW.amount_fen FROM orders x WHERE x.id = NEW.order_id
        ON CONFLICT (month, unit_id, county_code, channel) DO UPDATE SET n = n + 1, fen = fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER market_purchase_sums_delete BEFORE DELETE ON contributions WHEN OLD.order_id IS NOT NULL AND OLD.status = 'approved' BEGIN
    UPDATE market_purchase_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code
        AND (unit_id, channel) = (SELECT x.buyer_unit_id, x.channel FROM orders x WHERE x.id = OLD.order_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER market_purchase_sums_update_old AFTER UPDATE OF status, date_from, county_code, amount_fen, order_id ON contributions
    WHEN OLD.order_id IS NOT NULL AND OLD.status = 'approved' BEGIN
    UPDATE market_purchase_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code
        AND (unit_id, channel) = (SELECT x.buyer_unit_id, x.channel FROM orders x WHERE x.id = OLD.order_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER market_purchase_sums_update_new AFTER UPDATE OF status, date_from, county_code, amount_fen, order_id ON contributions
    WHEN NEW.order_id IS NOT NULL AND NEW.status = 'approved' BEGIN
    INSERT INTO market_purchase_sums (month, unit_id, county_code, channel, n, fen)
        SELECT substr(NEW.date_from, 1, 7), x.buyer_unit_id, NEW.county_code, x.channel, 1, NEW.amount_fen FROM orders x WHERE x.id = NEW.order_id
        ON CONFLICT (month, unit_id, county_code, channel) DO UPDATE SET n = n + 1, fen = fen + excluded.fen;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER market_order_days_insert AFTER INSERT ON orders WHEN NEW.status <> 'cancelled' BEGIN
    INSERT INTO market_order_days (day, unit_id, n, fen) VALUES (NEW.ordered_on, NEW.buyer_unit_id, 1, NEW.total_fen)
        ON CONFLICT (day, unit_id) DO UPDATE SET n = n + 1, fen = fen + excluded.fen;
END;
-- +goose StatementEnd
-- A cancellation (final) takes the order and its lines out; so does
-- deleting an order (its lines go with it by cascade).
-- +goose StatementBegin
CREATE TRIGGER market_order_days_cancel AFTER UPDATE OF status ON orders WHEN OLD.status <> 'cancelled' AND NEW.status = 'cancelled' BEGIN
    UPDATE market_order_days SET n = n - 1, fen = fen - OLD.total_fen WHERE day = OLD.ordered_on AND unit_id = OLD.buyer_unit_id;
    UPDATE market_line_prices SET n = n - (SELECT COUNT(*) FROM order_lines l WHERE l.order_id = OLD.id AND l.category = market_line_prices.category
            AND l.unit = market_line_prices.unit AND l.price_fen = market_line_prices.price_fen)
        WHERE year = substr(OLD.ordered_on, 1, 4) AND (category, unit, price_fen) IN (SELECT category, unit, price_fen FROM order_lines WHERE order_id = OLD.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER market_order_days_delete BEFORE DELETE ON orders WHEN OLD.status <> 'cancelled' BEGIN
    UPDATE market_order_days SET n = n - 1, fen = fen - OLD.total_fen WHERE day = OLD.ordered_on AND unit_id = OLD.buyer_unit_id;
    UPDATE market_line_prices SET n = n - (SELECT COUNT(*) FROM order_lines l WHERE l.order_id = OLD.id AND l.category = market_line_prices.category
            AND l.unit = market_line_prices.unit AND l.price_fen = market_line_prices.price_fen)
        WHERE year = substr(OLD.ordered_on, 1, 4) AND (category, unit, price_fen) IN (SELECT category, unit, price_fen FROM order_lines WHERE order_id = OLD.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER market_line_prices_insert AFTER INSERT ON order_lines WHEN NEW.price_fen > 0 BEGIN
    INSERT INTO market_line_prices (year, category, unit, price_fen, n)
        SELECT substr(x.ordered_on, 1, 4), NEW.category, NEW.unit, NEW.price_fen, 1 FROM orders x WHERE x.id = NEW.order_id AND x.status <> 'cancelled'
        ON CONFLICT (year, category, unit, price_fen) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER market_line_prices_insert;
DROP TRIGGER market_order_days_delete;
DROP TRIGGER market_order_days_cancel;
DROP TRIGGER market_order_days_insert;
DROP TRIGGER market_purchase_sums_update_new;
DROP TRIGGER market_purchase_sums_update_old;
DROP TRIGGER market_purchase_sums_delete;
DROP TRIGGER market_purchase_sums_insert;
DROP TABLE market_line_prices;
DROP TABLE market_order_days;
DROP TABLE market_purchase_sums;
