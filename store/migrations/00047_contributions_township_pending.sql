-- +goose Up
-- A township's totals (issue 11) take its approved whole months from
-- township_month_sums and the rows not approved from the rows. Those were
-- picked out of contributions_township, which holds every row of the
-- township's period (1,971 for a township's year at 1.1M contributions, to
-- find the few not approved; the year cost ~14 times a day). This index holds
-- only the rows not approved, led by the township, and carries what the
-- totals and the visibility test read. Approved imports write nothing to
-- it, nor does a record that names only its county.
CREATE INDEX contributions_township_pending ON contributions (township_code, date_from, form, amount_fen, unit_id, import_batch_id, status, id) WHERE status <> 'approved' AND township_code IS NOT NULL;

-- +goose Down
DROP INDEX contributions_township_pending;
