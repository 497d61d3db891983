-- +goose Up
-- A union's purchase with union funds counts to the union (the buyer)
-- and to the unit it belongs to (issue 12: 工会经费, "counted to the union
-- and to its unit"): the order names that unit, and its ledger line has
-- both as givers (market.Order.ForUnitID).
ALTER TABLE orders ADD COLUMN for_unit_id BIGINT REFERENCES organisations (id);

-- +goose Down
SELECT 1;
