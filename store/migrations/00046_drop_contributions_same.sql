-- +goose Up
-- The import's duplicate check (issue 8) reads the county's rows of the
-- days around a row from contributions_county instead: the bloom filter
-- (dupfilter.go) already answers "no" for almost every row, and a record
-- that overlaps a row starts at most as many days before it as the
-- county's longest record spans (the filter knows it, up to 62 days;
-- longer ones it knows by county and amount, searched without a bound).
-- contributions_same, led by county and amount, took an insert at a
-- random place for every row written: at a million rows it was 55 MB of
-- the ~260 MB of indexes an import writes at random, for one query.
DROP INDEX contributions_same;

-- +goose Down
CREATE INDEX contributions_same ON contributions (county_code, amount_fen, date_from, date_to);
