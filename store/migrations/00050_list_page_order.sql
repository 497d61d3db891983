-- +goose Up
-- A list's page in the order of an index (issue 11): newest first is
-- (date, id), and these two indexes had the id only at their end (SQLite's
-- rowid; PostgreSQL not at all). A page therefore read every row of its
-- last day and sorted them by id: a county's day grows with the history
-- (100 rows at 1.1M contributions, 263 at 3M), the whole list's day more
-- (~380 and ~1,000). With the id after the date a page reads its 50 index
-- entries and stops. The other columns stay, so the totals read from the
-- rows are still answered from the index alone.
DROP INDEX contributions_county;
DROP INDEX contributions_date;
CREATE INDEX contributions_county ON contributions (county_code, date_from, id, form, status, amount_fen, unit_id, import_batch_id);
CREATE INDEX contributions_date ON contributions (date_from, id, form, status, amount_fen, unit_id, county_code, import_batch_id);

-- +goose Down
DROP INDEX contributions_county;
DROP INDEX contributions_date;
CREATE INDEX contributions_county ON contributions (county_code, date_from, form, status, amount_fen, unit_id, import_batch_id);
CREATE INDEX contributions_date ON contributions (date_from, form, status, amount_fen, unit_id, county_code, import_batch_id);
