-- +goose Up
-- One import engine (issue 8).
-- 1. A contribution's assessment area is stored, set by the Go code from
--    ledger.ContributionArea on every write; the running sums and the
--    area filter read the column, so the rule is written once. Existing
--    rows are filled here, the one time SQL has to know the rule (a store
--    test checks every stored area against ledger.ContributionArea).
-- 2. Rows of a contributions import are written as status 'importing'
--    (seen by no list, total, export or report) in chunks, and all made
--    draft or approved in the batch's last transaction, which adds them to
--    the running sums in one aggregate per table instead of a trigger per
--    row. A batch is 'running' while it writes, keeps a heartbeat, and is
--    'interrupted' when its process died; the office can discard it.
-- SQLite cannot alter a CHECK constraint; loosening one by rewriting the
-- schema text is the documented safe way (the stored rows do not change).

ALTER TABLE contributions ADD COLUMN area TEXT NOT NULL DEFAULT '';
UPDATE contributions SET area = CASE WHEN form = 'fiscal' THEN 'funds' WHEN form = 'consumption' THEN 'consumption'
    WHEN sector = 'industry' THEN 'industry' ELSE 'social' END;
ALTER TABLE import_batches ADD COLUMN heartbeat_at TEXT;
ALTER TABLE import_batches ADD COLUMN first_id BIGINT;
ALTER TABLE import_batches ADD COLUMN last_id BIGINT;
-- After the columns are added (ALTER TABLE works from the parsed schema);
-- RESET makes this connection read the new text, and the DDL below tells
-- the other connections.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (status IN (''draft'',''submitted'',''approved'',''returned''))',
    'CHECK (status IN (''draft'',''submitted'',''approved'',''returned'',''importing''))')
    WHERE type = 'table' AND name = 'contributions';
UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (status IN (''dry_run'', ''refused'', ''imported'', ''undone''))',
    'CHECK (status IN (''dry_run'', ''refused'', ''imported'', ''undone'', ''running'', ''interrupted'', ''discarded''))')
    WHERE type = 'table' AND name = 'import_batches';
PRAGMA writable_schema = RESET;
CREATE INDEX import_batches_status ON import_batches (status);

DROP TRIGGER contributions_sums_insert;
DROP TRIGGER contributions_sums_delete;
DROP TRIGGER contributions_sums_update_old;
DROP TRIGGER contributions_sums_update_new;
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_insert AFTER INSERT ON contributions WHEN NEW.status = 'approved' BEGIN
    INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
        VALUES (NEW.date_from, NEW.county_code, NEW.area, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + 1, fen = contribution_sums.fen + excluded.fen;
    INSERT INTO contribution_month_sums (month, county_code, area, delivery, n, fen)
        VALUES (substr(NEW.date_from, 1, 7), NEW.county_code, NEW.area, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (month, county_code, area, delivery) DO UPDATE SET n = contribution_month_sums.n + 1, fen = contribution_month_sums.fen + excluded.fen;
    INSERT INTO giver_sums (month, county_code, org_id, n, fen)
        SELECT substr(NEW.date_from, 1, 7), NEW.county_code, g.org_id, 1, NEW.amount_fen FROM contribution_givers g WHERE g.contribution_id = NEW.id
        ON CONFLICT (month, county_code, org_id) DO UPDATE SET n = giver_sums.n + 1, fen = giver_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_delete BEFORE DELETE ON contributions WHEN OLD.status = 'approved' BEGIN
    UPDATE contribution_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = OLD.area AND delivery = OLD.delivery;
    UPDATE contribution_month_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code AND area = OLD.area AND delivery = OLD.delivery;
    UPDATE giver_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code
        AND org_id IN (SELECT org_id FROM contribution_givers WHERE contribution_id = OLD.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_update_old AFTER UPDATE ON contributions WHEN OLD.status = 'approved' BEGIN
    UPDATE contribution_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE day = OLD.date_from AND county_code = OLD.county_code AND area = OLD.area AND delivery = OLD.delivery;
    UPDATE contribution_month_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code AND area = OLD.area AND delivery = OLD.delivery;
    UPDATE giver_sums SET n = n - 1, fen = fen - OLD.amount_fen
        WHERE month = substr(OLD.date_from, 1, 7) AND county_code = OLD.county_code
        AND org_id IN (SELECT org_id FROM contribution_givers WHERE contribution_id = OLD.id);
END;
-- +goose StatementEnd
-- An import's rows leave 'importing' with their sums added by the batch.
-- +goose StatementBegin
CREATE TRIGGER contributions_sums_update_new AFTER UPDATE ON contributions WHEN NEW.status = 'approved' AND OLD.status <> 'importing' BEGIN
    INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
        VALUES (NEW.date_from, NEW.county_code, NEW.area, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + 1, fen = contribution_sums.fen + excluded.fen;
    INSERT INTO contribution_month_sums (month, county_code, area, delivery, n, fen)
        VALUES (substr(NEW.date_from, 1, 7), NEW.county_code, NEW.area, NEW.delivery, 1, NEW.amount_fen)
        ON CONFLICT (month, county_code, area, delivery) DO UPDATE SET n = contribution_month_sums.n + 1, fen = contribution_month_sums.fen + excluded.fen;
    INSERT INTO giver_sums (month, county_code, org_id, n, fen)
        SELECT substr(NEW.date_from, 1, 7), NEW.county_code, g.org_id, 1, NEW.amount_fen FROM contribution_givers g WHERE g.contribution_id = NEW.id
        ON CONFLICT (month, county_code, org_id) DO UPDATE SET n = giver_sums.n + 1, fen = giver_sums.fen + excluded.fen;
END;
-- +goose StatementEnd

-- +goose Down
SELECT 1;
