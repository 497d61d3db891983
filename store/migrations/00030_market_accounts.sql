-- +goose Up
-- Buyer units and their accounts (消费帮扶, issue 12 item 2: the 832 work).
-- An account the office or 区财政局 opens by import has no password of its
-- own yet: its password is a one-time activation code (must_change, with
-- reset_expires, as a code the office issues on 重置密码) until its user
-- chooses one. users.activated_at is when an account first got a password
-- of its own; accounts made with a password, and every existing account
-- not waiting on a one-time code, count as activated.
ALTER TABLE users ADD COLUMN activated_at TEXT;
UPDATE users SET activated_at = COALESCE(password_changed_at, created_at) WHERE must_change = 0;

-- A buyer unit (预算单位, union, enterprise: an organisation on the east
-- side) and its 主管预算单位, which sees its subordinate units' filings.
-- buyer_parent_id is named so as not to clash with another parent link.
CREATE TABLE buyer_units (
    org_id          BIGINT PRIMARY KEY REFERENCES organisations (id),
    buyer_parent_id BIGINT REFERENCES organisations (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK (buyer_parent_id IS NULL OR buyer_parent_id <> org_id)
);
CREATE INDEX buyer_units_parent ON buyer_units (buyer_parent_id);

-- What an imported buyer account has beyond its user row: the mobile
-- number its unit gave, and when its last activation code was issued.
CREATE TABLE buyer_accounts (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    phone      TEXT NOT NULL DEFAULT '',
    issued_at  TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE buyer_accounts;
DROP TABLE buyer_units;
ALTER TABLE users DROP COLUMN activated_at;
