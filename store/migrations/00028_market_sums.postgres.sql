-- +goose Up
-- Running sums for supervision: see 00028_market_sums.sqlite.sql. Row
-- triggers whose WHEN leaves out the contributions of no order, so the
-- ledger's own imports never enter the functions.
CREATE TABLE market_purchase_sums (
    month       TEXT NOT NULL,
    unit_id     BIGINT NOT NULL,
    county_code TEXT NOT NULL,
    channel     TEXT NOT NULL,
    n           BIGINT NOT NULL,
    fen         BIGINT NOT NULL,
    PRIMARY KEY (month, unit_id, county_code, channel)
);
CREATE TABLE market_order_days (
    day     TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    n       BIGINT NOT NULL,
    fen     BIGINT NOT NULL,
    PRIMARY KEY (day, unit_id)
);
CREATE TABLE market_line_prices (
    year      TEXT NOT NULL,
    category  TEXT NOT NULL,
    unit      TEXT NOT NULL,
    price_fen BIGINT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (year, category, unit, price_fen)
);

INSERT INTO market_purchase_sums (month, unit_id, county_code, channel, n, fen)
    SELECT substr(c.date_from, 1, 7), x.buyer_unit_id, c.county_code, x.channel, COUNT(*), SUM(c.amount_fen)
    FROM contributions c JOIN orders x ON x.id = c.order_id WHERE c.status = 'approved' GROUP BY 1, 2, 3, 4;
INSERT INTO market_order_days (day, unit_id, n, fen)
    SELECT ordered_on, buyer_unit_id, COUNT(*), SUM(total_fen) FROM orders WHERE status <> 'cancelled' GROUP BY 1, 2;
INSERT INTO market_line_prices (year, category, unit, price_fen, n)
    SELECT substr(x.ordered_on, 1, 4), l.category, l.unit, l.price_fen, COUNT(*) FROM order_lines l JOIN orders x ON x.id = l.order_id
    WHERE x.status <> 'cancelled' AND l.price_fen > 0 GROUP BY 1, 2, 3, 4;

-- +goose StatementBegin
CREATE FUNCTION market_purchase_sums() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.order_id IS NOT NULL AND OLD.status = 'approved' THEN
        UPDATE market_purchase_sums s SET n = s.n - 1, fen = s.fen - OLD.amount_fen FROM orders x
            WHERE x.id = OLD.order_id AND s.month = substr(OLD.date_from, 1, 7) AND s.unit_id = x.buyer_unit_id
            AND s.county_code = OLD.county_code AND s.channel = x.channel;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.order_id IS NOT NULL AND NEW.status = 'approved' THEN
        INSERT INTO market_purchase_sums (month, unit_id, county_code, channel, n, fen)
            SELECT substr(NEW.date_from, 1, 7), x.buyer_unit_id, NEW.county_code, x.channel, 1, NEW.amount_fen FROM orders x WHERE x.id = NEW.order_id
            ON CONFLICT (month, unit_id, county_code, channel) DO UPDATE SET n = market_purchase_sums.n + 1, fen = market_purchase_sums.fen + excluded.fen;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER market_purchase_sums_insert AFTER INSERT ON contributions FOR EACH ROW WHEN (NEW.order_id IS NOT NULL) EXECUTE FUNCTION market_purchase_sums();
CREATE TRIGGER market_purchase_sums_update AFTER UPDATE OF status, date_from, county_code, amount_fen, order_id ON contributions
    FOR EACH ROW WHEN (OLD.order_id IS NOT NULL OR NEW.order_id IS NOT NULL) EXECUTE FUNCTION market_purchase_sums();
CREATE TRIGGER market_purchase_sums_delete BEFORE DELETE ON contributions FOR EACH ROW WHEN (OLD.order_id IS NOT NULL) EXECUTE FUNCTION market_purchase_sums();

-- +goose StatementBegin
CREATE FUNCTION market_order_sums() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO market_order_days (day, unit_id, n, fen) VALUES (NEW.ordered_on, NEW.buyer_unit_id, 1, NEW.total_fen)
            ON CONFLICT (day, unit_id) DO UPDATE SET n = market_order_days.n + 1, fen = market_order_days.fen + excluded.fen;
        RETURN NEW;
    END IF;
    -- a cancellation (final), or the order deleted (its lines go by cascade)
    UPDATE market_order_days SET n = n - 1, fen = fen - OLD.total_fen WHERE day = OLD.ordered_on AND unit_id = OLD.buyer_unit_id;
    UPDATE market_line_prices p SET n = p.n - l.k
        FROM (SELECT category, unit, price_fen, COUNT(*) AS k FROM order_lines WHERE order_id = OLD.id AND price_fen > 0 GROUP BY 1, 2, 3) l
        WHERE p.year = substr(OLD.ordered_on, 1, 4) AND p.category = l.category AND p.unit = l.unit AND p.price_fen = l.price_fen;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER market_order_days_insert AFTER INSERT ON orders FOR EACH ROW WHEN (NEW.status <> 'cancelled') EXECUTE FUNCTION market_order_sums();
CREATE TRIGGER market_order_days_cancel AFTER UPDATE OF status ON orders FOR EACH ROW
    WHEN (OLD.status <> 'cancelled' AND NEW.status = 'cancelled') EXECUTE FUNCTION market_order_sums();
CREATE TRIGGER market_order_days_delete BEFORE DELETE ON orders FOR EACH ROW WHEN (OLD.status <> 'cancelled') EXECUTE FUNCTION market_order_sums();

-- +goose StatementBegin
CREATE FUNCTION market_line_prices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO market_line_prices (year, category, unit, price_fen, n)
        SELECT substr(x.ordered_on, 1, 4), NEW.category, NEW.unit, NEW.price_fen, 1 FROM orders x WHERE x.id = NEW.order_id AND x.status <> 'cancelled'
        ON CONFLICT (year, category, unit, price_fen) DO UPDATE SET n = market_line_prices.n + 1;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER market_line_prices_insert AFTER INSERT ON order_lines FOR EACH ROW WHEN (NEW.price_fen > 0) EXECUTE FUNCTION market_line_prices();

-- +goose Down
DROP TRIGGER market_line_prices_insert ON order_lines;
DROP TRIGGER market_order_days_delete ON orders;
DROP TRIGGER market_order_days_cancel ON orders;
DROP TRIGGER market_order_days_insert ON orders;
DROP TRIGGER market_purchase_sums_delete ON contributions;
DROP TRIGGER market_purchase_sums_update ON contributions;
DROP TRIGGER market_purchase_sums_insert ON contributions;
DROP FUNCTION market_line_prices();
DROP FUNCTION market_order_sums();
DROP FUNCTION market_purchase_sums();
DROP TABLE market_line_prices;
DROP TABLE market_order_days;
DROP TABLE market_purchase_sums;
