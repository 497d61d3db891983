-- +goose Up
-- The import's duplicate check (issue 8) reads the county's rows of the
-- days around a row from contributions_county instead: the bloom filter
-- (dupfilter.go) already answers "no" for almost every row, and a record
-- spanning up to 62 days that overlaps a row starts at most 62 days
-- before it (longer ones are known to the filter and searched without
-- that bound). contributions_same, led by county and amount, took an
-- insert at a random place for every row written: at a million rows it was
-- 55 MB of the ~260 MB of indexes an import writes at random, for one
-- query.
DROP INDEX contributions_same;

-- +goose Down
CREATE INDEX contributions_same ON contributions (county_code, amount_fen, date_from, date_to);
