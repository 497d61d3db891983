-- +goose Up
-- A giver's contributions in date order (issue 11): see
-- 00036_giver_dates.sqlite.sql.
ALTER TABLE contribution_givers ADD COLUMN date_from TEXT NOT NULL DEFAULT '';
UPDATE contribution_givers g SET date_from = c.date_from FROM contributions c WHERE c.id = g.contribution_id;
DROP INDEX contribution_givers_org;
CREATE INDEX contribution_givers_org ON contribution_givers (org_id, date_from, contribution_id);
-- +goose StatementBegin
CREATE FUNCTION contribution_givers_undated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT c.date_from INTO NEW.date_from FROM contributions c WHERE c.id = NEW.contribution_id;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER contribution_givers_undated BEFORE INSERT ON contribution_givers FOR EACH ROW WHEN (NEW.date_from = '') EXECUTE FUNCTION contribution_givers_undated();
-- +goose StatementBegin
CREATE FUNCTION contribution_givers_redate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contribution_givers SET date_from = NEW.date_from WHERE contribution_id = NEW.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER contribution_givers_redate AFTER UPDATE OF date_from ON contributions FOR EACH ROW WHEN (NEW.date_from <> OLD.date_from) EXECUTE FUNCTION contribution_givers_redate();

-- +goose Down
SELECT 1;
