-- +goose Up
-- A list's page in the order of an index (issue 11): newest first is
-- (date, id), and these two indexes had the id only at their end (SQLite's
-- rowid; PostgreSQL not at all). A page therefore read every row of its
-- last day and sorted them by id: a county's day grows with the history
-- (100 rows at 1.1M contributions, 263 at 3M), the whole list's day more
-- (~380 and ~1,000). With the id after the date a page reads its 50 index
-- entries and stops. The other columns stay, so the totals read from the
-- rows are still answered from the index alone.
--
-- The two partial indexes of the rows not approved are made again after
-- them. Without statistics SQLite's planner weighs a county's rows in
-- contributions_county and in contributions_pending alike and, on a tie,
-- takes the index made last: with only the first two made again, a
-- county's totals of the rows not approved read all its rows (277,416 at
-- 1.1M, 36 ms) instead of the few not approved. TestListPlans holds this.
DROP INDEX contributions_county;
DROP INDEX contributions_date;
DROP INDEX contributions_pending;
DROP INDEX contributions_pending_date;
CREATE INDEX contributions_county ON contributions (county_code, date_from, id, form, status, amount_fen, unit_id, import_batch_id);
CREATE INDEX contributions_date ON contributions (date_from, id, form, status, amount_fen, unit_id, county_code, import_batch_id);
CREATE INDEX contributions_pending ON contributions (county_code, date_from, form, amount_fen, unit_id, import_batch_id, status, id) WHERE status <> 'approved';
CREATE INDEX contributions_pending_date ON contributions (date_from, form, county_code, amount_fen, unit_id, import_batch_id, status, id) WHERE status <> 'approved';

-- +goose Down
DROP INDEX contributions_county;
DROP INDEX contributions_date;
DROP INDEX contributions_pending;
DROP INDEX contributions_pending_date;
CREATE INDEX contributions_county ON contributions (county_code, date_from, form, status, amount_fen, unit_id, import_batch_id);
CREATE INDEX contributions_date ON contributions (date_from, form, status, amount_fen, unit_id, county_code, import_batch_id);
CREATE INDEX contributions_pending ON contributions (county_code, date_from, form, amount_fen, unit_id, import_batch_id, status, id) WHERE status <> 'approved';
CREATE INDEX contributions_pending_date ON contributions (date_from, form, county_code, amount_fen, unit_id, import_batch_id, status, id) WHERE status <> 'approved';
