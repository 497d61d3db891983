-- +goose Up
-- The running sums by year (issue 11): see 00048_year_sums.sqlite.sql.
-- Each table follows its month table through a row trigger on it, as
-- giver_rank_sums follows giver_sums (00042).
CREATE TABLE contribution_year_sums (
    county_code TEXT NOT NULL,
    year        TEXT NOT NULL,
    area        TEXT NOT NULL,
    form        TEXT NOT NULL,
    sector      TEXT NOT NULL,
    delivery    TEXT NOT NULL,
    n           BIGINT NOT NULL,
    fen         BIGINT NOT NULL,
    PRIMARY KEY (county_code, year, area, form, sector, delivery)
);
CREATE TABLE township_year_sums (
    township_code TEXT NOT NULL,
    year          TEXT NOT NULL,
    area          TEXT NOT NULL,
    form          TEXT NOT NULL,
    sector        TEXT NOT NULL,
    delivery      TEXT NOT NULL,
    n             BIGINT NOT NULL,
    fen           BIGINT NOT NULL,
    PRIMARY KEY (township_code, year, area, form, sector, delivery)
);
CREATE TABLE giver_year_sums (
    org_id      BIGINT NOT NULL,
    year        TEXT NOT NULL,
    county_code TEXT NOT NULL,
    form        TEXT NOT NULL,
    n           BIGINT NOT NULL,
    fen         BIGINT NOT NULL,
    PRIMARY KEY (org_id, year, county_code, form)
);
INSERT INTO contribution_year_sums (county_code, year, area, form, sector, delivery, n, fen)
    SELECT county_code, substr(month, 1, 4), area, form, sector, delivery, SUM(n), SUM(fen) FROM contribution_month_sums GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO township_year_sums (township_code, year, area, form, sector, delivery, n, fen)
    SELECT township_code, substr(month, 1, 4), area, form, sector, delivery, SUM(n), SUM(fen) FROM township_month_sums GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO giver_year_sums (org_id, year, county_code, form, n, fen)
    SELECT org_id, substr(month, 1, 4), county_code, form, SUM(n), SUM(fen) FROM giver_sums GROUP BY 1, 2, 3, 4;
-- +goose StatementBegin
CREATE FUNCTION contribution_year_sums_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE contribution_year_sums SET n = n - OLD.n, fen = fen - OLD.fen
            WHERE county_code = OLD.county_code AND year = substr(OLD.month, 1, 4) AND area = OLD.area AND form = OLD.form AND sector = OLD.sector AND delivery = OLD.delivery;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO contribution_year_sums (county_code, year, area, form, sector, delivery, n, fen)
            VALUES (NEW.county_code, substr(NEW.month, 1, 4), NEW.area, NEW.form, NEW.sector, NEW.delivery, NEW.n, NEW.fen)
            ON CONFLICT (county_code, year, area, form, sector, delivery) DO UPDATE SET n = contribution_year_sums.n + excluded.n, fen = contribution_year_sums.fen + excluded.fen;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION township_year_sums_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE township_year_sums SET n = n - OLD.n, fen = fen - OLD.fen
            WHERE township_code = OLD.township_code AND year = substr(OLD.month, 1, 4) AND area = OLD.area AND form = OLD.form AND sector = OLD.sector AND delivery = OLD.delivery;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO township_year_sums (township_code, year, area, form, sector, delivery, n, fen)
            VALUES (NEW.township_code, substr(NEW.month, 1, 4), NEW.area, NEW.form, NEW.sector, NEW.delivery, NEW.n, NEW.fen)
            ON CONFLICT (township_code, year, area, form, sector, delivery) DO UPDATE SET n = township_year_sums.n + excluded.n, fen = township_year_sums.fen + excluded.fen;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION giver_year_sums_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE giver_year_sums SET n = n - OLD.n, fen = fen - OLD.fen
            WHERE org_id = OLD.org_id AND year = substr(OLD.month, 1, 4) AND county_code = OLD.county_code AND form = OLD.form;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO giver_year_sums (org_id, year, county_code, form, n, fen)
            VALUES (NEW.org_id, substr(NEW.month, 1, 4), NEW.county_code, NEW.form, NEW.n, NEW.fen)
            ON CONFLICT (org_id, year, county_code, form) DO UPDATE SET n = giver_year_sums.n + excluded.n, fen = giver_year_sums.fen + excluded.fen;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER contribution_year_sums_follow AFTER INSERT OR UPDATE OR DELETE ON contribution_month_sums FOR EACH ROW EXECUTE FUNCTION contribution_year_sums_follow();
CREATE TRIGGER township_year_sums_follow AFTER INSERT OR UPDATE OR DELETE ON township_month_sums FOR EACH ROW EXECUTE FUNCTION township_year_sums_follow();
CREATE TRIGGER giver_year_sums_follow AFTER INSERT OR UPDATE OR DELETE ON giver_sums FOR EACH ROW EXECUTE FUNCTION giver_year_sums_follow();

-- +goose Down
DROP TRIGGER giver_year_sums_follow ON giver_sums;
DROP TRIGGER township_year_sums_follow ON township_month_sums;
DROP TRIGGER contribution_year_sums_follow ON contribution_month_sums;
DROP FUNCTION giver_year_sums_follow();
DROP FUNCTION township_year_sums_follow();
DROP FUNCTION contribution_year_sums_follow();
DROP TABLE giver_year_sums;
DROP TABLE township_year_sums;
DROP TABLE contribution_year_sums;
