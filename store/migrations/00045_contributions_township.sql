-- +goose Up
-- A township's list (issue 11): no index led with the township, so its
-- page walked the county's rows by date and dropped the other townships'
-- (on PostgreSQL, with a generic plan, it read all 34,777 rows of the
-- county-year from the table for 1,971 matches: 160 ms). With the id
-- the index gives the list's own order (date, id), so a page stops after
-- its 50 rows on both engines; the status is in it so that the rows not
-- approved, which the totals read from the rows, are picked out in the
-- index. Partial: a record that names only its county is not in it, so
-- an import of such rows pays nothing for it.
CREATE INDEX contributions_township ON contributions (township_code, date_from, id, status) WHERE township_code IS NOT NULL;

-- +goose Down
DROP INDEX contributions_township;
