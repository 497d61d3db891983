-- +goose Up
-- List totals from the running sums (issue 11): see
-- 00022_month_sums_form.sqlite.sql. The two functions of 00011 are
-- replaced with the form (their text otherwise unchanged); the triggers
-- that call them stay.
ALTER TABLE contribution_month_sums ADD COLUMN form TEXT NOT NULL DEFAULT '';
DELETE FROM contribution_month_sums;
ALTER TABLE contribution_month_sums DROP CONSTRAINT contribution_month_sums_pkey;
ALTER TABLE contribution_month_sums ADD PRIMARY KEY (month, county_code, area, form, delivery);
INSERT INTO contribution_month_sums (month, county_code, area, form, delivery, n, fen)
    SELECT substr(x.date_from, 1, 7), x.county_code, x.area, x.form, x.delivery, COUNT(*), SUM(x.amount_fen) FROM contributions x
    WHERE x.status = 'approved' AND NOT import_hidden(x.import_batch_id)
    GROUP BY 1, 2, 3, 4, 5;
-- The rows not yet approved, which a list adds to the sums' approved
-- totals, by a partial index: few rows (the work in progress), not the
-- ledger's history.
CREATE INDEX contributions_pending ON contributions (county_code, date_from, form, amount_fen, unit_id, import_batch_id, status, id) WHERE status <> 'approved';
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contributions_sums() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('xiezuo.batch', true) = 'on' THEN -- a batch's own rows: see below
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'approved' AND NOT import_hidden(OLD.import_batch_id) THEN
    UPDATE contribution_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = OLD.area AND delivery = OLD.delivery;
    UPDATE contribution_month_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code AND area = OLD.area AND form = OLD.form AND delivery = OLD.delivery;
    UPDATE giver_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code
        AND org_id IN (SELECT org_id FROM contribution_givers WHERE contribution_id = OLD.id);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status = 'approved' AND NOT import_hidden(NEW.import_batch_id) THEN
    INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
        VALUES (NEW.date_from, NEW.county_code, NEW.area, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + 1, fen = contribution_sums.fen + excluded.fen;
    INSERT INTO contribution_month_sums (month, county_code, area, form, delivery, n, fen)
        VALUES (substr(NEW.date_from, 1, 7), NEW.county_code, NEW.area, NEW.form, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (month, county_code, area, form, delivery) DO UPDATE SET n = contribution_month_sums.n + 1, fen = contribution_month_sums.fen + excluded.fen;
    INSERT INTO giver_sums (month, county_code, org_id, n, fen)
        SELECT substr(NEW.date_from, 1, 7), NEW.county_code, g.org_id, 1, NEW.amount_fen FROM contribution_givers g WHERE g.contribution_id = NEW.id
        ON CONFLICT (month, county_code, org_id) DO UPDATE SET n = giver_sums.n + 1, fen = giver_sums.fen + excluded.fen;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
-- Insertions a statement at a time: a batch's COPY of a million rows is
-- one call (its rows are hidden and add nothing). Givers come in their
-- own statement and are counted by their trigger.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contributions_sums_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('xiezuo.batch', true) = 'on' THEN
        RETURN NULL;
    END IF;
    INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
        SELECT x.date_from, x.county_code, x.area, x.delivery, COUNT(*), SUM(x.amount_fen) FROM added x
        WHERE x.status = 'approved' AND NOT import_hidden(x.import_batch_id) GROUP BY 1, 2, 3, 4
        ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + excluded.n, fen = contribution_sums.fen + excluded.fen;
    INSERT INTO contribution_month_sums (month, county_code, area, form, delivery, n, fen)
        SELECT substr(x.date_from, 1, 7), x.county_code, x.area, x.form, x.delivery, COUNT(*), SUM(x.amount_fen) FROM added x
        WHERE x.status = 'approved' AND NOT import_hidden(x.import_batch_id) GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (month, county_code, area, form, delivery) DO UPDATE SET n = contribution_month_sums.n + excluded.n, fen = contribution_month_sums.fen + excluded.fen;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose Down
SELECT 1;
