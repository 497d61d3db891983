-- +goose Up
-- A giver's contributions in date order (issue 11): each giver row
-- carries its contribution's date, and the givers' index leads with the
-- giver and the date, so a giver's list reads its own rows newest first
-- however few of a period's rows are the giver's. The writers give the
-- date (store.giverCols); a row written without it (date_from '') gets
-- it from its contribution, and a contribution's new date is copied to
-- its givers.
ALTER TABLE contribution_givers ADD COLUMN date_from TEXT NOT NULL DEFAULT '';
UPDATE contribution_givers SET date_from = (SELECT c.date_from FROM contributions c WHERE c.id = contribution_givers.contribution_id);
DROP INDEX contribution_givers_org;
CREATE INDEX contribution_givers_org ON contribution_givers (org_id, date_from, contribution_id);
-- +goose StatementBegin
CREATE TRIGGER contribution_givers_undated AFTER INSERT ON contribution_givers WHEN NEW.date_from = '' BEGIN
    UPDATE contribution_givers SET date_from = (SELECT c.date_from FROM contributions c WHERE c.id = NEW.contribution_id)
        WHERE contribution_id = NEW.contribution_id AND org_id = NEW.org_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contribution_givers_redate AFTER UPDATE OF date_from ON contributions WHEN NEW.date_from <> OLD.date_from BEGIN
    UPDATE contribution_givers SET date_from = NEW.date_from WHERE contribution_id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
SELECT 1;
