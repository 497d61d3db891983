-- +goose Up
CREATE TABLE activity_photos (
    id           {{ID}},
    activity_id  BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    caption      TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    data         {{BLOB}} NOT NULL,
    size         BIGINT NOT NULL CHECK (size > 0 AND size <= 10485760),
    sha256       TEXT NOT NULL,
    created_by   BIGINT NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL
);
CREATE INDEX activity_photos_activity ON activity_photos (activity_id, id);

-- +goose Down
DROP TABLE activity_photos;
