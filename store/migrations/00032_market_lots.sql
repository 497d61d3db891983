-- +goose Up
-- Subscriptions (认领/认购) and pledges (认捐) of the market (issue 12;
-- package market holds the rules).
--
-- A lot is a harvest offered for subscription (170 亩 of 梯田红米 at a
-- price per 亩), organised by an east-side unit; its shares are the
-- subscribing organisations' and people's. Fulfilled at harvest, each
-- share becomes one accepted order of channel 'subscription'
-- (lot_shares.order_id), counted in the ledger like any order, and the
-- lot is locked.
CREATE TABLE lots (
    id             {{ID}},
    name           TEXT NOT NULL CHECK (name <> ''),
    supplier_id    BIGINT NOT NULL REFERENCES organisations (id),
    origin_code    TEXT NOT NULL REFERENCES regions (code),
    organiser_id   BIGINT NOT NULL REFERENCES organisations (id),
    year           INTEGER NOT NULL,
    unit           TEXT NOT NULL CHECK (unit <> ''),
    quantity       BIGINT NOT NULL CHECK (quantity > 0),
    price_fen      BIGINT NOT NULL CHECK (price_fen > 0 AND price_fen <= 1000000000000),
    yield_per_unit BIGINT NOT NULL DEFAULT 0 CHECK (yield_per_unit >= 0),
    yield_unit     TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('open', 'fulfilled')),
    harvest_on     TEXT,
    created_by     BIGINT NOT NULL REFERENCES users (id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX lots_organiser ON lots (organiser_id, year);
CREATE INDEX lots_supplier ON lots (supplier_id);

CREATE TABLE lot_shares (
    id       {{ID}},
    lot_id   BIGINT NOT NULL REFERENCES lots (id) ON DELETE CASCADE,
    org_id   BIGINT REFERENCES organisations (id), -- NULL: a person, by name
    name     TEXT NOT NULL CHECK (name <> ''),
    units    BIGINT NOT NULL CHECK (units > 0),
    order_id BIGINT REFERENCES orders (id)       -- set at fulfilment
);
CREATE INDEX lot_shares_lot ON lot_shares (lot_id, id);
CREATE UNIQUE INDEX lot_shares_org ON lot_shares (lot_id, org_id) WHERE org_id IS NOT NULL;

-- A pledge (认捐) is a buyer's promise to purchase an amount, perhaps in
-- one county; the orders that carry its id fulfil it. Its outstanding
-- part is one approved contribution of delivery 'pledged'
-- (contributions.pledge_id), kept equal to what is not yet 到位 by the
-- store (market.PledgeLine) and removed once the pledge is met.
CREATE TABLE pledges (
    id          {{ID}},
    giver_id    BIGINT NOT NULL REFERENCES organisations (id),
    county_code TEXT REFERENCES regions (code),
    amount_fen  BIGINT NOT NULL CHECK (amount_fen > 0 AND amount_fen <= 1000000000000),
    pledged_on  TEXT NOT NULL CHECK (length(pledged_on) = 10),
    note        TEXT NOT NULL DEFAULT '',
    created_by  BIGINT NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX pledges_giver ON pledges (giver_id, pledged_on);

ALTER TABLE orders ADD COLUMN pledge_id BIGINT REFERENCES pledges (id);
CREATE INDEX orders_pledge ON orders (pledge_id) WHERE pledge_id IS NOT NULL;

ALTER TABLE contributions ADD COLUMN pledge_id BIGINT REFERENCES pledges (id);
CREATE UNIQUE INDEX contributions_pledge ON contributions (pledge_id) WHERE pledge_id IS NOT NULL;

-- +goose Down
SELECT 1;
