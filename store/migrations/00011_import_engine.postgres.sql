-- +goose Up
-- One import engine (issue 8); see 00011_import_engine.sqlite.sql.
ALTER TABLE import_batches DROP CONSTRAINT import_batches_status_check;
ALTER TABLE import_batches ADD CONSTRAINT import_batches_status_check
    CHECK (status IN ('dry_run', 'refused', 'imported', 'undone', 'running', 'interrupted', 'discarded'));

ALTER TABLE contributions ADD COLUMN area TEXT NOT NULL DEFAULT '';
UPDATE contributions SET area = CASE WHEN form = 'fiscal' THEN 'funds' WHEN form = 'consumption' THEN 'consumption'
    WHEN sector = 'industry' THEN 'industry' ELSE 'social' END;
ALTER TABLE import_batches ADD COLUMN heartbeat_at TEXT;
ALTER TABLE import_batches ADD COLUMN first_id BIGINT;
ALTER TABLE import_batches ADD COLUMN last_id BIGINT;
CREATE INDEX import_batches_status ON import_batches (status);
-- The covering indexes of the lists carry import_batch_id, so the test
-- that passes over unfinished batches (store.liveContribution) reads no
-- table row either.
DROP INDEX contributions_county;
DROP INDEX contributions_date;
CREATE INDEX contributions_county ON contributions (county_code, date_from, form, status, amount_fen, unit_id, import_batch_id);
CREATE INDEX contributions_date ON contributions (date_from, form, status, amount_fen, unit_id, county_code, import_batch_id);

-- A row of a batch that is running or interrupted is not counted. The
-- transactions that write or delete a batch's rows say so with
-- SET LOCAL xiezuo.batch = 'on', and the triggers then do nothing at all:
-- the batch adds its sums itself when it is published. (On a new database
-- the planner's statistics say contributions is tiny, and a join from a
-- COPY's transition table was planned as a scan per row.)
-- +goose StatementBegin
CREATE FUNCTION import_hidden(batch BIGINT) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = batch AND b.status IN ('running', 'interrupted'))
$$;
-- +goose StatementEnd

-- Changes and deletions, a row at a time.
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
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code AND area = OLD.area AND delivery = OLD.delivery;
    UPDATE giver_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code
        AND org_id IN (SELECT org_id FROM contribution_givers WHERE contribution_id = OLD.id);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status = 'approved' AND NOT import_hidden(NEW.import_batch_id) THEN
    INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
        VALUES (NEW.date_from, NEW.county_code, NEW.area, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + 1, fen = contribution_sums.fen + excluded.fen;
    INSERT INTO contribution_month_sums (month, county_code, area, delivery, n, fen)
        VALUES (substr(NEW.date_from, 1, 7), NEW.county_code, NEW.area, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (month, county_code, area, delivery) DO UPDATE SET n = contribution_month_sums.n + 1, fen = contribution_month_sums.fen + excluded.fen;
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
CREATE FUNCTION contributions_sums_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('xiezuo.batch', true) = 'on' THEN
        RETURN NULL;
    END IF;
    INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
        SELECT x.date_from, x.county_code, x.area, x.delivery, COUNT(*), SUM(x.amount_fen) FROM added x
        WHERE x.status = 'approved' AND NOT import_hidden(x.import_batch_id) GROUP BY 1, 2, 3, 4
        ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + excluded.n, fen = contribution_sums.fen + excluded.fen;
    INSERT INTO contribution_month_sums (month, county_code, area, delivery, n, fen)
        SELECT substr(x.date_from, 1, 7), x.county_code, x.area, x.delivery, COUNT(*), SUM(x.amount_fen) FROM added x
        WHERE x.status = 'approved' AND NOT import_hidden(x.import_batch_id) GROUP BY 1, 2, 3, 4
        ON CONFLICT (month, county_code, area, delivery) DO UPDATE SET n = contribution_month_sums.n + excluded.n, fen = contribution_month_sums.fen + excluded.fen;
    RETURN NULL;
END $$;
-- +goose StatementEnd
DROP TRIGGER contributions_sums_change ON contributions;
CREATE TRIGGER contributions_sums_insert AFTER INSERT ON contributions REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION contributions_sums_added();
CREATE TRIGGER contributions_sums_update AFTER UPDATE ON contributions FOR EACH ROW
    WHEN (OLD.status = 'approved' OR NEW.status = 'approved') EXECUTE FUNCTION contributions_sums();
DROP TRIGGER contributions_sums_delete ON contributions;
CREATE TRIGGER contributions_sums_delete BEFORE DELETE ON contributions FOR EACH ROW WHEN (OLD.status = 'approved') EXECUTE FUNCTION contributions_sums();

-- Givers a statement at a time too; each added giver looks its record up
-- by id (the planner knows nothing of a transition table's size and may
-- otherwise scan every contribution for each giver).
DROP TRIGGER givers_sums_change ON contribution_givers;
DROP FUNCTION givers_sums();
-- +goose StatementBegin
CREATE FUNCTION givers_sums_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('xiezuo.batch', true) = 'on' THEN
        RETURN NULL;
    END IF;
    INSERT INTO giver_sums (month, county_code, org_id, n, fen)
        SELECT substr(x.date_from, 1, 7), x.county_code, g.org_id, COUNT(*), SUM(x.amount_fen)
        FROM added g CROSS JOIN LATERAL (SELECT c.date_from, c.county_code, c.amount_fen FROM contributions c
            WHERE c.id = g.contribution_id AND c.status = 'approved' AND NOT import_hidden(c.import_batch_id)) x
        GROUP BY 1, 2, 3
        ON CONFLICT (month, county_code, org_id) DO UPDATE SET n = giver_sums.n + excluded.n, fen = giver_sums.fen + excluded.fen;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION givers_sums_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('xiezuo.batch', true) = 'on' THEN
        RETURN NULL;
    END IF;
    UPDATE giver_sums s SET n = s.n - r.n, fen = s.fen - r.fen
        FROM (SELECT substr(x.date_from, 1, 7) AS month, x.county_code, g.org_id, COUNT(*) AS n, SUM(x.amount_fen) AS fen
              FROM removed g CROSS JOIN LATERAL (SELECT c.date_from, c.county_code, c.amount_fen FROM contributions c
                  WHERE c.id = g.contribution_id AND c.status = 'approved' AND NOT import_hidden(c.import_batch_id)) x
              GROUP BY 1, 2, 3) r
        WHERE s.month = r.month AND s.county_code = r.county_code AND s.org_id = r.org_id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER givers_sums_insert AFTER INSERT ON contribution_givers REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION givers_sums_added();
CREATE TRIGGER givers_sums_delete AFTER DELETE ON contribution_givers REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION givers_sums_removed();

-- +goose Down
SELECT 1;
