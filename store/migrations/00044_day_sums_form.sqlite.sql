-- +goose Up
-- The day sums by form (issue 11): a list's days at the ends of its
-- period that are not whole months are answered from the sums, not the
-- rows, for every filter the day sums carry (county, area, form,
-- delivery). The table is rebuilt with form in its key and filled from
-- the rows as 00024 filled the others; the four row triggers of 00024
-- are made again with form in their day-sums part (their text otherwise
-- unchanged).
DROP TRIGGER contributions_sums_insert;
DROP TRIGGER contributions_sums_delete;
DROP TRIGGER contributions_sums_update_old;
DROP TRIGGER contributions_sums_update_new;
DROP TABLE contribution_sums;
CREATE TABLE contribution_sums (
    day         TEXT NOT NULL,
    county_code TEXT NOT NULL,
    area        TEXT NOT NULL,
    form        TEXT NOT NULL,
    delivery    TEXT NOT NULL,
    n           BIGINT NOT NULL,
    fen         BIGINT NOT NULL,
    PRIMARY KEY (day, county_code, area, form, delivery)
) WITHOUT ROWID;
INSERT INTO contribution_sums (day, county_code, area, form, delivery, n, fen)
    SELECT x.date_from, x.county_code, x.area, x.form, x.delivery, COUNT(*), SUM(x.amount_fen) FROM contributions x
    WHERE x.status = 'approved' AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = x.import_batch_id AND b.status IN ('running', 'interrupted'))
    GROUP BY 1, 2, 3, 4, 5;
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_insert AFTER INSERT ON contributions WHEN NEW.status = 'approved' AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = NEW.import_batch_id AND b.status IN ('running', 'interrupted')) BEGIN
    INSERT INTO contribution_sums (day, county_code, area, form, delivery, n, fen)
        VALUES (NEW.date_from, NEW.county_code, NEW.area, NEW.form, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (day, county_code, area, form, delivery) DO UPDATE SET n = contribution_sums.n + 1, fen = contribution_sums.fen + excluded.fen;
    INSERT INTO contribution_month_sums (month, county_code, area, form, sector, delivery, n, fen)
        VALUES (substr(NEW.date_from, 1, 7), NEW.county_code, NEW.area, NEW.form, NEW.sector, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (month, county_code, area, form, sector, delivery) DO UPDATE SET n = contribution_month_sums.n + 1, fen = contribution_month_sums.fen + excluded.fen;
    INSERT INTO township_month_sums (township_code, month, area, form, sector, delivery, n, fen)
        SELECT NEW.township_code, substr(NEW.date_from, 1, 7), NEW.area, NEW.form, NEW.sector, NEW.delivery, 1, NEW.amount_fen WHERE NEW.township_code IS NOT NULL
        ON CONFLICT (township_code, month, area, form, sector, delivery) DO UPDATE SET n = township_month_sums.n + 1, fen = township_month_sums.fen + excluded.fen;
    INSERT INTO giver_sums (month, county_code, org_id, form, n, fen)
        SELECT substr(NEW.date_from, 1, 7), NEW.county_code, g.org_id, NEW.form, 1, NEW.amount_fen FROM contribution_givers g WHERE g.contribution_id = NEW.id
        ON CONFLICT (month, county_code, org_id, form) DO UPDATE SET n = giver_sums.n + 1, fen = giver_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_delete BEFORE DELETE ON contributions WHEN OLD.status = 'approved' AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = OLD.import_batch_id AND b.status IN ('running', 'interrupted')) BEGIN
    UPDATE contribution_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = OLD.area AND form = OLD.form AND delivery = OLD.delivery;
    UPDATE contribution_month_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code AND area = OLD.area AND form = OLD.form AND sector = OLD.sector AND delivery = OLD.delivery;
    UPDATE township_month_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE township_code = OLD.township_code AND month = substr(OLD.date_from, 1, 7) AND area = OLD.area AND form = OLD.form AND sector = OLD.sector AND delivery = OLD.delivery;
    UPDATE giver_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code AND form = OLD.form
        AND org_id IN (SELECT org_id FROM contribution_givers WHERE contribution_id = OLD.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_update_old AFTER UPDATE ON contributions WHEN OLD.status = 'approved' AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = OLD.import_batch_id AND b.status IN ('running', 'interrupted')) BEGIN
    UPDATE contribution_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = OLD.area AND form = OLD.form AND delivery = OLD.delivery;
    UPDATE contribution_month_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code AND area = OLD.area AND form = OLD.form AND sector = OLD.sector AND delivery = OLD.delivery;
    UPDATE township_month_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE township_code = OLD.township_code AND month = substr(OLD.date_from, 1, 7) AND area = OLD.area AND form = OLD.form AND sector = OLD.sector AND delivery = OLD.delivery;
    UPDATE giver_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code AND form = OLD.form
        AND org_id IN (SELECT org_id FROM contribution_givers WHERE contribution_id = OLD.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_update_new AFTER UPDATE ON contributions WHEN NEW.status = 'approved' AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = NEW.import_batch_id AND b.status IN ('running', 'interrupted')) BEGIN
    INSERT INTO contribution_sums (day, county_code, area, form, delivery, n, fen)
        VALUES (NEW.date_from, NEW.county_code, NEW.area, NEW.form, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (day, county_code, area, form, delivery) DO UPDATE SET n = contribution_sums.n + 1, fen = contribution_sums.fen + excluded.fen;
    INSERT INTO contribution_month_sums (month, county_code, area, form, sector, delivery, n, fen)
        VALUES (substr(NEW.date_from, 1, 7), NEW.county_code, NEW.area, NEW.form, NEW.sector, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (month, county_code, area, form, sector, delivery) DO UPDATE SET n = contribution_month_sums.n + 1, fen = contribution_month_sums.fen + excluded.fen;
    INSERT INTO township_month_sums (township_code, month, area, form, sector, delivery, n, fen)
        SELECT NEW.township_code, substr(NEW.date_from, 1, 7), NEW.area, NEW.form, NEW.sector, NEW.delivery, 1, NEW.amount_fen WHERE NEW.township_code IS NOT NULL
        ON CONFLICT (township_code, month, area, form, sector, delivery) DO UPDATE SET n = township_month_sums.n + 1, fen = township_month_sums.fen + excluded.fen;
    INSERT INTO giver_sums (month, county_code, org_id, form, n, fen)
        SELECT substr(NEW.date_from, 1, 7), NEW.county_code, g.org_id, NEW.form, 1, NEW.amount_fen FROM contribution_givers g WHERE g.contribution_id = NEW.id
        ON CONFLICT (month, county_code, org_id, form) DO UPDATE SET n = giver_sums.n + 1, fen = giver_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose Down
SELECT 1;
