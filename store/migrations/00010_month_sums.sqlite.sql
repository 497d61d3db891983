-- +goose Up
-- Monthly running sums beside the daily ones: a period of whole months
-- (a year, all years) sums a few hundred rows instead of a row per day.
CREATE TABLE contribution_month_sums (
    month       TEXT NOT NULL,
    county_code TEXT NOT NULL,
    area        TEXT NOT NULL,
    delivery    TEXT NOT NULL,
    n           BIGINT NOT NULL,
    fen         BIGINT NOT NULL,
    PRIMARY KEY (month, county_code, area, delivery)
);
INSERT INTO contribution_month_sums (month, county_code, area, delivery, n, fen)
    SELECT substr(day, 1, 7), county_code, area, delivery, SUM(n), SUM(fen) FROM contribution_sums GROUP BY 1, 2, 3, 4;

DROP TRIGGER contributions_sums_insert;
DROP TRIGGER contributions_sums_delete;
DROP TRIGGER contributions_sums_update_old;
DROP TRIGGER contributions_sums_update_new;
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_insert AFTER INSERT ON contributions WHEN NEW.status = 'approved' BEGIN
    INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
        VALUES (NEW.date_from, NEW.county_code, CASE WHEN NEW.form = 'fiscal' THEN 'funds' WHEN NEW.form = 'consumption' THEN 'consumption' WHEN NEW.sector = 'industry' THEN 'industry' ELSE 'social' END, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + 1, fen = contribution_sums.fen + excluded.fen;
    INSERT INTO contribution_month_sums (month, county_code, area, delivery, n, fen)
        VALUES (substr(NEW.date_from, 1, 7), NEW.county_code, CASE WHEN NEW.form = 'fiscal' THEN 'funds' WHEN NEW.form = 'consumption' THEN 'consumption' WHEN NEW.sector = 'industry' THEN 'industry' ELSE 'social' END, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (month, county_code, area, delivery) DO UPDATE SET n = contribution_month_sums.n + 1, fen = contribution_month_sums.fen + excluded.fen;
    INSERT INTO giver_sums (month, county_code, org_id, n, fen)
        SELECT substr(NEW.date_from, 1, 7), NEW.county_code, g.org_id, 1, NEW.amount_fen FROM contribution_givers g WHERE g.contribution_id = NEW.id
        ON CONFLICT (month, county_code, org_id) DO UPDATE SET n = giver_sums.n + 1, fen = giver_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_delete BEFORE DELETE ON contributions WHEN OLD.status = 'approved' BEGIN
    UPDATE contribution_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = CASE WHEN OLD.form = 'fiscal' THEN 'funds' WHEN OLD.form = 'consumption' THEN 'consumption' WHEN OLD.sector = 'industry' THEN 'industry' ELSE 'social' END AND delivery = OLD.delivery;
    UPDATE contribution_month_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code AND area = CASE WHEN OLD.form = 'fiscal' THEN 'funds' WHEN OLD.form = 'consumption' THEN 'consumption' WHEN OLD.sector = 'industry' THEN 'industry' ELSE 'social' END AND delivery = OLD.delivery;
    UPDATE giver_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code
        AND org_id IN (SELECT org_id FROM contribution_givers WHERE contribution_id = OLD.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_update_old AFTER UPDATE ON contributions WHEN OLD.status = 'approved' BEGIN
    UPDATE contribution_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = CASE WHEN OLD.form = 'fiscal' THEN 'funds' WHEN OLD.form = 'consumption' THEN 'consumption' WHEN OLD.sector = 'industry' THEN 'industry' ELSE 'social' END AND delivery = OLD.delivery;
    UPDATE contribution_month_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code AND area = CASE WHEN OLD.form = 'fiscal' THEN 'funds' WHEN OLD.form = 'consumption' THEN 'consumption' WHEN OLD.sector = 'industry' THEN 'industry' ELSE 'social' END AND delivery = OLD.delivery;
    UPDATE giver_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code
        AND org_id IN (SELECT org_id FROM contribution_givers WHERE contribution_id = OLD.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_update_new AFTER UPDATE ON contributions WHEN NEW.status = 'approved' BEGIN
    INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
        VALUES (NEW.date_from, NEW.county_code, CASE WHEN NEW.form = 'fiscal' THEN 'funds' WHEN NEW.form = 'consumption' THEN 'consumption' WHEN NEW.sector = 'industry' THEN 'industry' ELSE 'social' END, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + 1, fen = contribution_sums.fen + excluded.fen;
    INSERT INTO contribution_month_sums (month, county_code, area, delivery, n, fen)
        VALUES (substr(NEW.date_from, 1, 7), NEW.county_code, CASE WHEN NEW.form = 'fiscal' THEN 'funds' WHEN NEW.form = 'consumption' THEN 'consumption' WHEN NEW.sector = 'industry' THEN 'industry' ELSE 'social' END, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (month, county_code, area, delivery) DO UPDATE SET n = contribution_month_sums.n + 1, fen = contribution_month_sums.fen + excluded.fen;
    INSERT INTO giver_sums (month, county_code, org_id, n, fen)
        SELECT substr(NEW.date_from, 1, 7), NEW.county_code, g.org_id, 1, NEW.amount_fen FROM contribution_givers g WHERE g.contribution_id = NEW.id
        ON CONFLICT (month, county_code, org_id) DO UPDATE SET n = giver_sums.n + 1, fen = giver_sums.fen + excluded.fen;
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE contribution_month_sums;
