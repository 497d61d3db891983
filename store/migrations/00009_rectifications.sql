-- +goose Up
-- 问题整改: a problem found by an inspection or the assessment, the unit
-- that owns its fix, and the date it is due (e.g. “11月10日前全部完成”).
CREATE TABLE rectifications (
    id           {{ID}},
    year         INTEGER NOT NULL CHECK (year BETWEEN 1996 AND 2100),
    title        TEXT NOT NULL CHECK (title <> ''),
    source       TEXT NOT NULL DEFAULT '',
    measure      TEXT NOT NULL DEFAULT '',
    owner_org_id BIGINT NOT NULL REFERENCES organisations (id),
    county_code  TEXT REFERENCES regions (code),
    due_on       TEXT NOT NULL CHECK (length(due_on) = 10),
    done_on      TEXT CHECK (done_on IS NULL OR length(done_on) = 10),
    note         TEXT NOT NULL DEFAULT '',
    created_by   BIGINT NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX rectifications_due ON rectifications (year, due_on);

-- +goose Down
DROP TABLE rectifications;
