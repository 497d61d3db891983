-- +goose Up
-- The day sums by form (issue 11): see 00044_day_sums_form.sqlite.sql.
-- The two functions of 00024 that keep contribution_sums are replaced
-- with form in their day-sums part (their text otherwise unchanged).
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
);
INSERT INTO contribution_sums (day, county_code, area, form, delivery, n, fen)
    SELECT x.date_from, x.county_code, x.area, x.form, x.delivery, COUNT(*), SUM(x.amount_fen) FROM contributions x
    WHERE x.status = 'approved' AND NOT import_hidden(x.import_batch_id)
    GROUP BY 1, 2, 3, 4, 5;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contributions_sums() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('xiezuo.batch', true) = 'on' THEN -- a batch's own rows: see 00011
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'approved' AND NOT import_hidden(OLD.import_batch_id) THEN
    UPDATE contribution_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = OLD.area AND form = OLD.form AND delivery = OLD.delivery;
    UPDATE contribution_month_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code AND area = OLD.area AND form = OLD.form AND sector = OLD.sector AND delivery = OLD.delivery;
    UPDATE township_month_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE township_code = OLD.township_code AND month = substr(OLD.date_from, 1, 7) AND area = OLD.area AND form = OLD.form AND sector = OLD.sector AND delivery = OLD.delivery;
    UPDATE giver_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code AND form = OLD.form
        AND org_id IN (SELECT org_id FROM contribution_givers WHERE contribution_id = OLD.id);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status = 'approved' AND NOT import_hidden(NEW.import_batch_id) THEN
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
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contributions_sums_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('xiezuo.batch', true) = 'on' THEN
        RETURN NULL;
    END IF;
    INSERT INTO contribution_sums (day, county_code, area, form, delivery, n, fen)
        SELECT x.date_from, x.county_code, x.area, x.form, x.delivery, COUNT(*), SUM(x.amount_fen) FROM added x
        WHERE x.status = 'approved' AND NOT import_hidden(x.import_batch_id) GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (day, county_code, area, form, delivery) DO UPDATE SET n = contribution_sums.n + excluded.n, fen = contribution_sums.fen + excluded.fen;
    INSERT INTO contribution_month_sums (month, county_code, area, form, sector, delivery, n, fen)
        SELECT substr(x.date_from, 1, 7), x.county_code, x.area, x.form, x.sector, x.delivery, COUNT(*), SUM(x.amount_fen) FROM added x
        WHERE x.status = 'approved' AND NOT import_hidden(x.import_batch_id) GROUP BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (month, county_code, area, form, sector, delivery) DO UPDATE SET n = contribution_month_sums.n + excluded.n, fen = contribution_month_sums.fen + excluded.fen;
    INSERT INTO township_month_sums (township_code, month, area, form, sector, delivery, n, fen)
        SELECT x.township_code, substr(x.date_from, 1, 7), x.area, x.form, x.sector, x.delivery, COUNT(*), SUM(x.amount_fen) FROM added x
        WHERE x.status = 'approved' AND x.township_code IS NOT NULL AND NOT import_hidden(x.import_batch_id) GROUP BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (township_code, month, area, form, sector, delivery) DO UPDATE SET n = township_month_sums.n + excluded.n, fen = township_month_sums.fen + excluded.fen;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose Down
SELECT 1;
