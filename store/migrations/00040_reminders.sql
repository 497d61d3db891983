-- +goose Up
-- Reminders (issue 13 item 5; package remind): a user's address for the
-- daily digest, a unit's webhook (企业微信/钉钉 group robot), the outbox
-- every e-mail and webhook message goes through (a request or the digest
-- run only enqueues; package notify's worker sends, retries with backoff
-- and gives up keeping the error), and the digests already enqueued per
-- day, so a restart or a second run does not send twice.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN webhook_url TEXT NOT NULL DEFAULT '';

CREATE TABLE outbox (
    id         {{ID}},
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    target     TEXT NOT NULL CHECK (target <> ''), -- an address or a URL
    subject    TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,                       -- plain text, or the webhook's JSON
    body_html  TEXT NOT NULL DEFAULT '',
    user_id    BIGINT REFERENCES users (id),
    org_id     BIGINT REFERENCES organisations (id),
    status     TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_at    TEXT NOT NULL,                       -- RFC 3339 UTC: when it is tried next
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    sent_at    TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_at);

CREATE TABLE digests_sent (
    day        TEXT NOT NULL,                       -- the digest's civil date in China
    recipient  TEXT NOT NULL,                       -- user:ID or org:ID
    outbox_id  BIGINT NOT NULL REFERENCES outbox (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (day, recipient)
);

-- +goose Down
SELECT 1;
