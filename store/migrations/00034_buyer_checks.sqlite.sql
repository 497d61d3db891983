-- +goose Up
-- Reserved shares checked by the supervising unit (主管预算单位, issue 12
-- item 2): its management account approves (approved) or returns
-- (returned, with a reason the unit sees on /market/share) each
-- subordinate unit's filing for a year. A filing made again goes back to
-- 待审核: FileShare deletes its check. filed_at is the filing's filed_at
-- that was checked, so a check of a filing made again meanwhile is refused.
CREATE TABLE market_share_checks (
    unit_id    BIGINT NOT NULL REFERENCES organisations (id),
    year       INTEGER NOT NULL CHECK (year >= 2019 AND year <= 2100),
    status     TEXT NOT NULL CHECK (status IN ('approved', 'returned')),
    reason     TEXT NOT NULL DEFAULT '',
    filed_at   TEXT NOT NULL,
    checked_by BIGINT NOT NULL REFERENCES users (id),
    checked_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, year),
    CHECK (status <> 'returned' OR reason <> '')
);

-- The 832 counties (国家扶贫开发工作重点县 and 集中连片特困地区县 whose
-- products the 扶贫832平台 sells) that the office keeps: a purchase of a
-- product from one of them counts for a unit's reserved share as one from
-- a paired county does (store/market_832.go).
CREATE TABLE market_832_counties (
    code     TEXT PRIMARY KEY REFERENCES regions (code),
    added_by BIGINT NOT NULL REFERENCES users (id),
    added_at TEXT NOT NULL
);

-- The accounts import recorded each unit's 主管预算单位 in buyer_units,
-- while reserved shares read market_unit_parents: the import now writes
-- both (store.linkBuyerUnit); the links made before are copied here.
INSERT INTO market_unit_parents (unit_id, parent_id)
    SELECT org_id, buyer_parent_id FROM buyer_units WHERE buyer_parent_id IS NOT NULL
    ON CONFLICT (unit_id) DO NOTHING;

-- An imported row can be written and still carry a notice (kind notice):
-- an 832 order whose 产地县 is neither a paired nor an 832 county is
-- imported, and its row says it does not count for the reserved share.
-- SQLite cannot change a CHECK: the table is made again.
CREATE TABLE import_rows_new (
    batch_id     BIGINT NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    line         BIGINT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('error', 'duplicate', 'notice')),
    message      TEXT NOT NULL,
    cells        TEXT NOT NULL,
    duplicate_of BIGINT,
    record       TEXT NOT NULL DEFAULT '',
    resolution   TEXT CHECK (resolution IS NULL OR resolution IN ('kept', 'discarded')),
    PRIMARY KEY (batch_id, line)
);
INSERT INTO import_rows_new SELECT batch_id, line, kind, message, cells, duplicate_of, record, resolution FROM import_rows;
DROP TABLE import_rows;
ALTER TABLE import_rows_new RENAME TO import_rows;

-- +goose Down
DELETE FROM import_rows WHERE kind = 'notice';
DROP TABLE market_832_counties;
DROP TABLE market_share_checks;
