-- +goose Up
-- Running sums of approved contributions for the dashboard, kept by
-- triggers so every path that writes the ledger (forms, API, review,
-- imports, undo) keeps them right: money by day, county, assessment area
-- (ledger.ContributionArea) and delivery; money by month, county and
-- giver. A million-row ledger's year then sums a few thousand rows.
CREATE TABLE contribution_sums (
    day         TEXT NOT NULL,
    county_code TEXT NOT NULL,
    area        TEXT NOT NULL,
    delivery    TEXT NOT NULL,
    n           BIGINT NOT NULL,
    fen         BIGINT NOT NULL,
    PRIMARY KEY (day, county_code, area, delivery)
);
CREATE TABLE giver_sums (
    month       TEXT NOT NULL,
    county_code TEXT NOT NULL,
    org_id      BIGINT NOT NULL,
    n           BIGINT NOT NULL,
    fen         BIGINT NOT NULL,
    PRIMARY KEY (month, county_code, org_id)
);
INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
    SELECT x.date_from, x.county_code, CASE WHEN x.form = 'fiscal' THEN 'funds' WHEN x.form = 'consumption' THEN 'consumption' WHEN x.sector = 'industry' THEN 'industry' ELSE 'social' END, x.delivery, COUNT(*), SUM(x.amount_fen)
    FROM contributions x WHERE x.status = 'approved' GROUP BY 1, 2, 3, 4;
INSERT INTO giver_sums (month, county_code, org_id, n, fen)
    SELECT substr(x.date_from, 1, 7), x.county_code, g.org_id, COUNT(*), SUM(x.amount_fen)
    FROM contributions x JOIN contribution_givers g ON g.contribution_id = x.id WHERE x.status = 'approved' GROUP BY 1, 2, 3;

-- A deleted record is taken out BEFORE the delete: its givers go with it
-- (ON DELETE CASCADE) and are gone by the time an AFTER trigger runs.
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_insert AFTER INSERT ON contributions WHEN NEW.status = 'approved' BEGIN
    INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
        VALUES (NEW.date_from, NEW.county_code, CASE WHEN NEW.form = 'fiscal' THEN 'funds' WHEN NEW.form = 'consumption' THEN 'consumption' WHEN NEW.sector = 'industry' THEN 'industry' ELSE 'social' END, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + 1, fen = contribution_sums.fen + excluded.fen;
    INSERT INTO giver_sums (month, county_code, org_id, n, fen)
        SELECT substr(NEW.date_from, 1, 7), NEW.county_code, g.org_id, 1, NEW.amount_fen FROM contribution_givers g WHERE g.contribution_id = NEW.id
        ON CONFLICT (month, county_code, org_id) DO UPDATE SET n = giver_sums.n + 1, fen = giver_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_delete BEFORE DELETE ON contributions WHEN OLD.status = 'approved' BEGIN
    UPDATE contribution_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = CASE WHEN OLD.form = 'fiscal' THEN 'funds' WHEN OLD.form = 'consumption' THEN 'consumption' WHEN OLD.sector = 'industry' THEN 'industry' ELSE 'social' END AND delivery = OLD.delivery;
    UPDATE giver_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code
        AND org_id IN (SELECT org_id FROM contribution_givers WHERE contribution_id = OLD.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_update_old AFTER UPDATE ON contributions WHEN OLD.status = 'approved' BEGIN
    UPDATE contribution_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = CASE WHEN OLD.form = 'fiscal' THEN 'funds' WHEN OLD.form = 'consumption' THEN 'consumption' WHEN OLD.sector = 'industry' THEN 'industry' ELSE 'social' END AND delivery = OLD.delivery;
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
    INSERT INTO giver_sums (month, county_code, org_id, n, fen)
        SELECT substr(NEW.date_from, 1, 7), NEW.county_code, g.org_id, 1, NEW.amount_fen FROM contribution_givers g WHERE g.contribution_id = NEW.id
        ON CONFLICT (month, county_code, org_id) DO UPDATE SET n = giver_sums.n + 1, fen = giver_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- A giver added to (or removed from) an approved record; when the record
-- itself is deleted its row is already gone here and nothing is counted twice.
-- +goose StatementBegin
CREATE TRIGGER givers_sums_insert AFTER INSERT ON contribution_givers BEGIN
    INSERT INTO giver_sums (month, county_code, org_id, n, fen)
        SELECT substr(x.date_from, 1, 7), x.county_code, NEW.org_id, 1, x.amount_fen FROM contributions x
        WHERE x.id = NEW.contribution_id AND x.status = 'approved'
        ON CONFLICT (month, county_code, org_id) DO UPDATE SET n = giver_sums.n + 1, fen = giver_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER givers_sums_delete AFTER DELETE ON contribution_givers BEGIN
    UPDATE giver_sums SET n = n - 1, fen = fen - (SELECT x.amount_fen FROM contributions x WHERE x.id = OLD.contribution_id)
        WHERE org_id = OLD.org_id AND EXISTS (SELECT 1 FROM contributions x WHERE x.id = OLD.contribution_id AND x.status = 'approved'
        AND giver_sums.month = substr(x.date_from, 1, 7) AND giver_sums.county_code = x.county_code);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER givers_sums_delete;
DROP TRIGGER givers_sums_insert;
DROP TRIGGER contributions_sums_update_new;
DROP TRIGGER contributions_sums_update_old;
DROP TRIGGER contributions_sums_delete;
DROP TRIGGER contributions_sums_insert;
DROP TABLE giver_sums;
DROP TABLE contribution_sums;
