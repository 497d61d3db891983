-- +goose Up
-- The 简报: an issue holds its own copy of every item (editing it never
-- changes the activity) and, once published, the figures box as it was
-- then (JSON), so a published issue never changes when records do.
CREATE TABLE bulletins (
    id           {{ID}},
    issuer       TEXT NOT NULL,
    year         INTEGER NOT NULL CHECK (year BETWEEN 1996 AND 2100),
    numbers      TEXT NOT NULL CHECK (numbers <> ''),
    title        TEXT NOT NULL DEFAULT '',
    period_from  TEXT NOT NULL CHECK (length(period_from) = 10),
    period_to    TEXT NOT NULL CHECK (length(period_to) = 10 AND period_to >= period_from),
    status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    figures      TEXT NOT NULL DEFAULT '',
    created_by   BIGINT NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    published_at TEXT,
    published_by BIGINT REFERENCES users (id)
);

CREATE TABLE bulletin_items (
    bulletin_id BIGINT NOT NULL REFERENCES bulletins (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL CHECK (seq > 0),
    section     TEXT NOT NULL CHECK (section IN ('扶贫协作', '对口支援', '前方工作', '工作动态')),
    activity_id BIGINT REFERENCES activities (id) ON DELETE SET NULL,
    headline    TEXT NOT NULL CHECK (headline <> ''),
    date_text   TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL CHECK (body <> ''),
    PRIMARY KEY (bulletin_id, seq)
);

-- +goose Down
DROP TABLE bulletin_items;
DROP TABLE bulletins;
