-- +goose Up
-- The running sums by year (issue 11): a list of a county, a township or
-- a giver over its whole history read ten years of month sums (4,976
-- rows for one township of the benchmark, about 4 of its 8 ms); whole
-- years are now read from these tables and only the months at the ends
-- of a period from the month sums. Each table follows its month table
-- through that table's own triggers, as giver_rank_sums follows
-- giver_sums (00042), so every path that changes the month sums (the
-- contributions' triggers, an import's batch sums, its undo) keeps them
-- without knowing of them. Each is led by what a list filters on.
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
) WITHOUT ROWID;
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
) WITHOUT ROWID;
CREATE TABLE giver_year_sums (
    org_id      BIGINT NOT NULL,
    year        TEXT NOT NULL,
    county_code TEXT NOT NULL,
    form        TEXT NOT NULL,
    n           BIGINT NOT NULL,
    fen         BIGINT NOT NULL,
    PRIMARY KEY (org_id, year, county_code, form)
) WITHOUT ROWID;
INSERT INTO contribution_year_sums (county_code, year, area, form, sector, delivery, n, fen)
    SELECT county_code, substr(month, 1, 4), area, form, sector, delivery, SUM(n), SUM(fen) FROM contribution_month_sums GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO township_year_sums (township_code, year, area, form, sector, delivery, n, fen)
    SELECT township_code, substr(month, 1, 4), area, form, sector, delivery, SUM(n), SUM(fen) FROM township_month_sums GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO giver_year_sums (org_id, year, county_code, form, n, fen)
    SELECT org_id, substr(month, 1, 4), county_code, form, SUM(n), SUM(fen) FROM giver_sums GROUP BY 1, 2, 3, 4;
-- +goose StatementBegin
CREATE TRIGGER contribution_year_sums_insert AFTER INSERT ON contribution_month_sums BEGIN
    INSERT INTO contribution_year_sums (county_code, year, area, form, sector, delivery, n, fen)
        VALUES (NEW.county_code, substr(NEW.month, 1, 4), NEW.area, NEW.form, NEW.sector, NEW.delivery, NEW.n, NEW.fen)
        ON CONFLICT (county_code, year, area, form, sector, delivery) DO UPDATE SET n = contribution_year_sums.n + excluded.n, fen = contribution_year_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contribution_year_sums_update AFTER UPDATE ON contribution_month_sums BEGIN
    UPDATE contribution_year_sums SET n = n - OLD.n, fen = fen - OLD.fen
        WHERE county_code = OLD.county_code AND year = substr(OLD.month, 1, 4) AND area = OLD.area AND form = OLD.form AND sector = OLD.sector AND delivery = OLD.delivery;
    INSERT INTO contribution_year_sums (county_code, year, area, form, sector, delivery, n, fen)
        VALUES (NEW.county_code, substr(NEW.month, 1, 4), NEW.area, NEW.form, NEW.sector, NEW.delivery, NEW.n, NEW.fen)
        ON CONFLICT (county_code, year, area, form, sector, delivery) DO UPDATE SET n = contribution_year_sums.n + excluded.n, fen = contribution_year_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contribution_year_sums_delete AFTER DELETE ON contribution_month_sums BEGIN
    UPDATE contribution_year_sums SET n = n - OLD.n, fen = fen - OLD.fen
        WHERE county_code = OLD.county_code AND year = substr(OLD.month, 1, 4) AND area = OLD.area AND form = OLD.form AND sector = OLD.sector AND delivery = OLD.delivery;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER township_year_sums_insert AFTER INSERT ON township_month_sums BEGIN
    INSERT INTO township_year_sums (township_code, year, area, form, sector, delivery, n, fen)
        VALUES (NEW.township_code, substr(NEW.month, 1, 4), NEW.area, NEW.form, NEW.sector, NEW.delivery, NEW.n, NEW.fen)
        ON CONFLICT (township_code, year, area, form, sector, delivery) DO UPDATE SET n = township_year_sums.n + excluded.n, fen = township_year_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER township_year_sums_update AFTER UPDATE ON township_month_sums BEGIN
    UPDATE township_year_sums SET n = n - OLD.n, fen = fen - OLD.fen
        WHERE township_code = OLD.township_code AND year = substr(OLD.month, 1, 4) AND area = OLD.area AND form = OLD.form AND sector = OLD.sector AND delivery = OLD.delivery;
    INSERT INTO township_year_sums (township_code, year, area, form, sector, delivery, n, fen)
        VALUES (NEW.township_code, substr(NEW.month, 1, 4), NEW.area, NEW.form, NEW.sector, NEW.delivery, NEW.n, NEW.fen)
        ON CONFLICT (township_code, year, area, form, sector, delivery) DO UPDATE SET n = township_year_sums.n + excluded.n, fen = township_year_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER township_year_sums_delete AFTER DELETE ON township_month_sums BEGIN
    UPDATE township_year_sums SET n = n - OLD.n, fen = fen - OLD.fen
        WHERE township_code = OLD.township_code AND year = substr(OLD.month, 1, 4) AND area = OLD.area AND form = OLD.form AND sector = OLD.sector AND delivery = OLD.delivery;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER giver_year_sums_insert AFTER INSERT ON giver_sums BEGIN
    INSERT INTO giver_year_sums (org_id, year, county_code, form, n, fen)
        VALUES (NEW.org_id, substr(NEW.month, 1, 4), NEW.county_code, NEW.form, NEW.n, NEW.fen)
        ON CONFLICT (org_id, year, county_code, form) DO UPDATE SET n = giver_year_sums.n + excluded.n, fen = giver_year_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER giver_year_sums_update AFTER UPDATE ON giver_sums BEGIN
    UPDATE giver_year_sums SET n = n - OLD.n, fen = fen - OLD.fen
        WHERE org_id = OLD.org_id AND year = substr(OLD.month, 1, 4) AND county_code = OLD.county_code AND form = OLD.form;
    INSERT INTO giver_year_sums (org_id, year, county_code, form, n, fen)
        VALUES (NEW.org_id, substr(NEW.month, 1, 4), NEW.county_code, NEW.form, NEW.n, NEW.fen)
        ON CONFLICT (org_id, year, county_code, form) DO UPDATE SET n = giver_year_sums.n + excluded.n, fen = giver_year_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER giver_year_sums_delete AFTER DELETE ON giver_sums BEGIN
    UPDATE giver_year_sums SET n = n - OLD.n, fen = fen - OLD.fen
        WHERE org_id = OLD.org_id AND year = substr(OLD.month, 1, 4) AND county_code = OLD.county_code AND form = OLD.form;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER giver_year_sums_delete;
DROP TRIGGER giver_year_sums_update;
DROP TRIGGER giver_year_sums_insert;
DROP TRIGGER township_year_sums_delete;
DROP TRIGGER township_year_sums_update;
DROP TRIGGER township_year_sums_insert;
DROP TRIGGER contribution_year_sums_delete;
DROP TRIGGER contribution_year_sums_update;
DROP TRIGGER contribution_year_sums_insert;
DROP TABLE giver_year_sums;
DROP TABLE township_year_sums;
DROP TABLE contribution_year_sums;
