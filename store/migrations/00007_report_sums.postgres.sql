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

-- A deleted record is taken out BEFORE the delete, while its givers exist.
-- +goose StatementBegin
CREATE FUNCTION contributions_sums() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'approved' THEN
    UPDATE contribution_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = CASE WHEN OLD.form = 'fiscal' THEN 'funds' WHEN OLD.form = 'consumption' THEN 'consumption' WHEN OLD.sector = 'industry' THEN 'industry' ELSE 'social' END AND delivery = OLD.delivery;
    UPDATE giver_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code
        AND org_id IN (SELECT org_id FROM contribution_givers WHERE contribution_id = OLD.id);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'approved' THEN
    INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
        VALUES (NEW.date_from, NEW.county_code, CASE WHEN NEW.form = 'fiscal' THEN 'funds' WHEN NEW.form = 'consumption' THEN 'consumption' WHEN NEW.sector = 'industry' THEN 'industry' ELSE 'social' END, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + 1, fen = contribution_sums.fen + excluded.fen;
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
-- +goose StatementBegin
CREATE FUNCTION givers_sums() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
    INSERT INTO giver_sums (month, county_code, org_id, n, fen)
        SELECT substr(x.date_from, 1, 7), x.county_code, NEW.org_id, 1, x.amount_fen FROM contributions x
        WHERE x.id = NEW.contribution_id AND x.status = 'approved'
        ON CONFLICT (month, county_code, org_id) DO UPDATE SET n = giver_sums.n + 1, fen = giver_sums.fen + excluded.fen;
    ELSE
    UPDATE giver_sums SET n = n - 1, fen = fen - (SELECT x.amount_fen FROM contributions x WHERE x.id = OLD.contribution_id)
        WHERE org_id = OLD.org_id AND EXISTS (SELECT 1 FROM contributions x WHERE x.id = OLD.contribution_id AND x.status = 'approved'
        AND giver_sums.month = substr(x.date_from, 1, 7) AND giver_sums.county_code = x.county_code);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER contributions_sums_change AFTER INSERT OR UPDATE ON contributions FOR EACH ROW EXECUTE FUNCTION contributions_sums();
CREATE TRIGGER contributions_sums_delete BEFORE DELETE ON contributions FOR EACH ROW EXECUTE FUNCTION contributions_sums();
CREATE TRIGGER givers_sums_change AFTER INSERT OR DELETE ON contribution_givers FOR EACH ROW EXECUTE FUNCTION givers_sums();

-- +goose Down
DROP TRIGGER givers_sums_change ON contribution_givers;
DROP TRIGGER contributions_sums_delete ON contributions;
DROP TRIGGER contributions_sums_change ON contributions;
DROP FUNCTION givers_sums();
DROP FUNCTION contributions_sums();
DROP TABLE giver_sums;
DROP TABLE contribution_sums;
