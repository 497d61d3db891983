-- +goose Up
-- List totals from the running sums (issue 11): a list's totals are by
-- form (资金、物资、消费帮扶、财政帮扶资金), so the monthly sums carry the
-- form beside the area. The table is rebuilt from the live approved
-- records and the four triggers of 00011 are recreated with the form
-- (their text otherwise unchanged).
DROP TRIGGER contributions_sums_insert;
DROP TRIGGER contributions_sums_delete;
DROP TRIGGER contributions_sums_update_old;
DROP TRIGGER contributions_sums_update_new;
DROP TABLE contribution_month_sums;
CREATE TABLE contribution_month_sums (
    month       TEXT NOT NULL,
    county_code TEXT NOT NULL,
    area        TEXT NOT NULL,
    form        TEXT NOT NULL,
    delivery    TEXT NOT NULL,
    n           BIGINT NOT NULL,
    fen         BIGINT NOT NULL,
    PRIMARY KEY (month, county_code, area, form, delivery)
);
INSERT INTO contribution_month_sums (month, county_code, area, form, delivery, n, fen)
    SELECT substr(x.date_from, 1, 7), x.county_code, x.area, x.form, x.delivery, COUNT(*), SUM(x.amount_fen) FROM contributions x
    WHERE x.status = 'approved' AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = x.import_batch_id AND b.status IN ('running', 'interrupted'))
    GROUP BY 1, 2, 3, 4, 5;
-- The rows not yet approved, which a list adds to the sums' approved
-- totals, by a partial index: few rows (the work in progress), not the
-- ledger's history.
CREATE INDEX contributions_pending ON contributions (county_code, date_from, form, amount_fen, unit_id, import_batch_id, status, id) WHERE status <> 'approved';
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_insert AFTER INSERT ON contributions WHEN NEW.status = 'approved' AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = NEW.import_batch_id AND b.status IN ('running', 'interrupted')) BEGIN
    INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
        VALUES (NEW.date_from, NEW.county_code, NEW.area, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + 1, fen = contribution_sums.fen + excluded.fen;
    INSERT INTO contribution_month_sums (month, county_code, area, form, delivery, n, fen)
        VALUES (substr(NEW.date_from, 1, 7), NEW.county_code, NEW.area, NEW.form, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (month, county_code, area, form, delivery) DO UPDATE SET n = contribution_month_sums.n + 1, fen = contribution_month_sums.fen + excluded.fen;
    INSERT INTO giver_sums (month, county_code, org_id, n, fen)
        SELECT substr(NEW.date_from, 1, 7), NEW.county_code, g.org_id, 1, NEW.amount_fen FROM contribution_givers g WHERE g.contribution_id = NEW.id
        ON CONFLICT (month, county_code, org_id) DO UPDATE SET n = giver_sums.n + 1, fen = giver_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_delete BEFORE DELETE ON contributions WHEN OLD.status = 'approved' AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = OLD.import_batch_id AND b.status IN ('running', 'interrupted')) BEGIN
    UPDATE contribution_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = OLD.area AND delivery = OLD.delivery;
    UPDATE contribution_month_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code AND area = OLD.area AND form = OLD.form AND delivery = OLD.delivery;
    UPDATE giver_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code
        AND org_id IN (SELECT org_id FROM contribution_givers WHERE contribution_id = OLD.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_update_old AFTER UPDATE ON contributions WHEN OLD.status = 'approved' AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = OLD.import_batch_id AND b.status IN ('running', 'interrupted')) BEGIN
    UPDATE contribution_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = OLD.area AND delivery = OLD.delivery;
    UPDATE contribution_month_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code AND area = OLD.area AND form = OLD.form AND delivery = OLD.delivery;
    UPDATE giver_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code
        AND org_id IN (SELECT org_id FROM contribution_givers WHERE contribution_id = OLD.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_update_new AFTER UPDATE ON contributions WHEN NEW.status = 'approved' AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = NEW.import_batch_id AND b.status IN ('running', 'interrupted')) BEGIN
    INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
        VALUES (NEW.date_from, NEW.county_code, NEW.area, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + 1, fen = contribution_sums.fen + excluded.fen;
    INSERT INTO contribution_month_sums (month, county_code, area, form, delivery, n, fen)
        VALUES (substr(NEW.date_from, 1, 7), NEW.county_code, NEW.area, NEW.form, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (month, county_code, area, form, delivery) DO UPDATE SET n = contribution_month_sums.n + 1, fen = contribution_month_sums.fen + excluded.fen;
    INSERT INTO giver_sums (month, county_code, org_id, n, fen)
        SELECT substr(NEW.date_from, 1, 7), NEW.county_code, g.org_id, 1, NEW.amount_fen FROM contribution_givers g WHERE g.contribution_id = NEW.id
        ON CONFLICT (month, county_code, org_id) DO UPDATE SET n = giver_sums.n + 1, fen = giver_sums.fen + excluded.fen;
END;
-- +goose StatementEnd

-- +goose Down
SELECT 1;
