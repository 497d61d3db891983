-- +goose Up
-- Every list filter the running sums can answer (issue 11): the monthly
-- sums carry the sector beside the form (area follows from the two, so
-- a county-month has at most 4 forms × 8 sectors × 2 deliveries rows);
-- a township's months have their own table, led by the township; the
-- givers' sums carry the form, so a giver's list has its totals by form.
-- The tables are rebuilt from the live approved records and the six
-- triggers recreated with the new columns (their text otherwise as in
-- 00011 and 00022).
DROP TRIGGER contributions_sums_insert;
DROP TRIGGER contributions_sums_delete;
DROP TRIGGER contributions_sums_update_old;
DROP TRIGGER contributions_sums_update_new;
DROP TRIGGER givers_sums_insert;
DROP TRIGGER givers_sums_delete;
-- A village's township is implied (ledger.Contribution.Validate fills it
-- from now on): the records of a village without their township get it,
-- so a township's list and sums include its villages.
UPDATE contributions SET township_code = (SELECT r.parent_code FROM regions r WHERE r.code = contributions.village_code)
    WHERE township_code IS NULL AND village_code IS NOT NULL;
DROP TABLE contribution_month_sums;
DROP TABLE giver_sums;
CREATE TABLE contribution_month_sums (
    month       TEXT NOT NULL,
    county_code TEXT NOT NULL,
    area        TEXT NOT NULL,
    form        TEXT NOT NULL,
    sector      TEXT NOT NULL,
    delivery    TEXT NOT NULL,
    n           BIGINT NOT NULL,
    fen         BIGINT NOT NULL,
    PRIMARY KEY (month, county_code, area, form, sector, delivery)
) WITHOUT ROWID;
CREATE TABLE township_month_sums (
    township_code TEXT NOT NULL,
    month         TEXT NOT NULL,
    area          TEXT NOT NULL,
    form          TEXT NOT NULL,
    sector        TEXT NOT NULL,
    delivery      TEXT NOT NULL,
    n             BIGINT NOT NULL,
    fen           BIGINT NOT NULL,
    PRIMARY KEY (township_code, month, area, form, sector, delivery)
) WITHOUT ROWID;
CREATE TABLE giver_sums (
    month       TEXT NOT NULL,
    county_code TEXT NOT NULL,
    org_id      BIGINT NOT NULL,
    form        TEXT NOT NULL,
    n           BIGINT NOT NULL,
    fen         BIGINT NOT NULL,
    PRIMARY KEY (month, county_code, org_id, form)
) WITHOUT ROWID;
-- A giver's list reads its own months.
CREATE INDEX giver_sums_org ON giver_sums (org_id, month, county_code, form, n, fen);
INSERT INTO contribution_month_sums (month, county_code, area, form, sector, delivery, n, fen)
    SELECT substr(x.date_from, 1, 7), x.county_code, x.area, x.form, x.sector, x.delivery, COUNT(*), SUM(x.amount_fen) FROM contributions x
    WHERE x.status = 'approved' AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = x.import_batch_id AND b.status IN ('running', 'interrupted'))
    GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO township_month_sums (township_code, month, area, form, sector, delivery, n, fen)
    SELECT x.township_code, substr(x.date_from, 1, 7), x.area, x.form, x.sector, x.delivery, COUNT(*), SUM(x.amount_fen) FROM contributions x
    WHERE x.status = 'approved' AND x.township_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = x.import_batch_id AND b.status IN ('running', 'interrupted'))
    GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO giver_sums (month, county_code, org_id, form, n, fen)
    SELECT substr(x.date_from, 1, 7), x.county_code, g.org_id, x.form, COUNT(*), SUM(x.amount_fen) FROM contributions x JOIN contribution_givers g ON g.contribution_id = x.id
    WHERE x.status = 'approved' AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = x.import_batch_id AND b.status IN ('running', 'interrupted'))
    GROUP BY 1, 2, 3, 4;
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_insert AFTER INSERT ON contributions WHEN NEW.status = 'approved' AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = NEW.import_batch_id AND b.status IN ('running', 'interrupted')) BEGIN
    INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
        VALUES (NEW.date_from, NEW.county_code, NEW.area, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + 1, fen = contribution_sums.fen + excluded.fen;
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
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = OLD.area AND delivery = OLD.delivery;
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
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = OLD.area AND delivery = OLD.delivery;
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
    INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
        VALUES (NEW.date_from, NEW.county_code, NEW.area, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + 1, fen = contribution_sums.fen + excluded.fen;
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
CREATE TRIGGER givers_sums_insert AFTER INSERT ON contribution_givers BEGIN
    INSERT INTO giver_sums (month, county_code, org_id, form, n, fen)
        SELECT substr(x.date_from, 1, 7), x.county_code, NEW.org_id, x.form, 1, x.amount_fen FROM contributions x
        WHERE x.id = NEW.contribution_id AND x.status = 'approved'
        AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = x.import_batch_id AND b.status IN ('running', 'interrupted'))
        ON CONFLICT (month, county_code, org_id, form) DO UPDATE SET n = giver_sums.n + 1, fen = giver_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER givers_sums_delete AFTER DELETE ON contribution_givers BEGIN
    UPDATE giver_sums SET n = n - 1, fen = fen - (SELECT x.amount_fen FROM contributions x WHERE x.id = OLD.contribution_id)
        WHERE org_id = OLD.org_id AND EXISTS (SELECT 1 FROM contributions x WHERE x.id = OLD.contribution_id AND x.status = 'approved'
        AND giver_sums.month = substr(x.date_from, 1, 7) AND giver_sums.county_code = x.county_code AND giver_sums.form = x.form
        AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = x.import_batch_id AND b.status IN ('running', 'interrupted')));
END;
-- +goose StatementEnd

-- +goose Down
SELECT 1;
