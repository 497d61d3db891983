-- +goose Up
-- A county's months of the running sums in one index range (issue 11):
-- the primary key leads with the month, which suits the dashboard (every
-- county, a period) but made a county's list read every county's rows of
-- the period and drop three in four (3,072 rows for a county-year, 768
-- kept). Covering, so the totals read no table row.
CREATE INDEX contribution_month_sums_county ON contribution_month_sums (county_code, month, form, n, fen);

-- +goose Down
DROP INDEX contribution_month_sums_county;
