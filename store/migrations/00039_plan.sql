-- +goose Up
-- Needs ↔ resources → matches → pledge/project, and the yearly plan
-- (issue 13, item 4; package plan holds the rules).
--
-- A need is posted by a county office (org_id) for a place in its county,
-- moderated by the office (pending → published / returned), matched
-- (matched) and met once its pledge is delivered and received (met), or
-- closed. year is the year of needed_by: the plan year it belongs to and
-- the year the duplicate check compares.
CREATE TABLE needs (
    id            {{ID}},
    org_id        BIGINT NOT NULL REFERENCES organisations (id),
    county_code   TEXT NOT NULL REFERENCES regions (code),
    township_code TEXT REFERENCES regions (code),
    village_code  TEXT REFERENCES regions (code),
    institution   TEXT NOT NULL DEFAULT '',
    category      TEXT NOT NULL CHECK (category IN ('education', 'medical', 'industry', 'employment', 'infrastructure', 'necessities', 'other')),
    item          TEXT NOT NULL CHECK (item <> ''),
    quantity      BIGINT NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    quantity_unit TEXT NOT NULL DEFAULT '',
    amount_fen    BIGINT NOT NULL DEFAULT 0 CHECK (amount_fen >= 0 AND amount_fen <= 1000000000000),
    asked_on      TEXT NOT NULL CHECK (length(asked_on) = 10),
    needed_by     TEXT NOT NULL CHECK (length(needed_by) = 10),
    year          INTEGER NOT NULL,
    contact       TEXT NOT NULL CHECK (contact <> ''),
    note          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('pending', 'published', 'returned', 'matched', 'met', 'closed')),
    return_reason TEXT NOT NULL DEFAULT '',
    created_by    BIGINT NOT NULL REFERENCES users (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX needs_county ON needs (county_code, year, category);
CREATE INDEX needs_status ON needs (status, id);

-- A resource is what an eastern unit offers; its counties (none: any).
CREATE TABLE resources (
    id              {{ID}},
    org_id          BIGINT NOT NULL REFERENCES organisations (id),
    category        TEXT NOT NULL CHECK (category IN ('education', 'medical', 'industry', 'employment', 'infrastructure', 'necessities', 'other')),
    form            TEXT NOT NULL CHECK (form IN ('in_kind', 'cash')),
    item            TEXT NOT NULL CHECK (item <> ''),
    quantity        BIGINT NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    quantity_unit   TEXT NOT NULL DEFAULT '',
    amount_fen      BIGINT NOT NULL DEFAULT 0 CHECK (amount_fen >= 0 AND amount_fen <= 1000000000000),
    available_from  TEXT NOT NULL CHECK (length(available_from) = 10),
    available_until TEXT NOT NULL CHECK (length(available_until) = 10),
    contact         TEXT NOT NULL CHECK (contact <> ''),
    note            TEXT NOT NULL DEFAULT '',
    closed          INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
    created_by      BIGINT NOT NULL REFERENCES users (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX resources_org ON resources (org_id, id);

CREATE TABLE resource_counties (
    resource_id BIGINT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    county_code TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (resource_id, county_code)
);

-- A match is stored once a side answers a proposal (plan.Fit proposes
-- the rest on the fly): accepted by the unit and/or the county, declined,
-- or confirmed into its pledge (contribution_id, an approved 认捐 line)
-- or project (project_id, a draft of the unit).
CREATE TABLE matches (
    id              {{ID}},
    need_id         BIGINT NOT NULL REFERENCES needs (id),
    resource_id     BIGINT NOT NULL REFERENCES resources (id),
    score           INTEGER NOT NULL DEFAULT 0,
    reason          TEXT NOT NULL DEFAULT '',
    unit_accepted   INTEGER NOT NULL DEFAULT 0 CHECK (unit_accepted IN (0, 1)),
    county_accepted INTEGER NOT NULL DEFAULT 0 CHECK (county_accepted IN (0, 1)),
    status          TEXT NOT NULL CHECK (status IN ('proposed', 'declined', 'confirmed')),
    declined_by     TEXT NOT NULL DEFAULT '',
    decline_reason  TEXT NOT NULL DEFAULT '',
    outcome         TEXT CHECK (outcome IN ('pledge', 'project')),
    contribution_id BIGINT REFERENCES contributions (id),
    project_id      BIGINT REFERENCES projects (id),
    confirmed_on    TEXT,
    created_by      BIGINT NOT NULL REFERENCES users (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (need_id, resource_id)
);
CREATE INDEX matches_resource ON matches (resource_id);
CREATE INDEX matches_contribution ON matches (contribution_id) WHERE contribution_id IS NOT NULL;
CREATE INDEX matches_project ON matches (project_id) WHERE project_id IS NOT NULL;

-- The yearly plan: planned projects and pledges per county and year,
-- entered by the office or made by a confirmed match (match_id), each
-- linked to the record whose figures are its actual ones.
CREATE TABLE plan_items (
    id              {{ID}},
    year            INTEGER NOT NULL,
    county_code     TEXT NOT NULL REFERENCES regions (code),
    township_code   TEXT REFERENCES regions (code),
    kind            TEXT NOT NULL CHECK (kind IN ('pledge', 'project')),
    title           TEXT NOT NULL CHECK (title <> ''),
    category        TEXT NOT NULL CHECK (category IN ('education', 'medical', 'industry', 'employment', 'infrastructure', 'necessities', 'other')),
    unit_id         BIGINT REFERENCES organisations (id),
    target_fen      BIGINT NOT NULL DEFAULT 0 CHECK (target_fen >= 0 AND target_fen <= 1000000000000),
    target_count    BIGINT NOT NULL DEFAULT 0 CHECK (target_count >= 0),
    match_id        BIGINT UNIQUE REFERENCES matches (id),
    contribution_id BIGINT REFERENCES contributions (id),
    project_id      BIGINT REFERENCES projects (id),
    note            TEXT NOT NULL DEFAULT '',
    created_by      BIGINT NOT NULL REFERENCES users (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK (contribution_id IS NULL OR project_id IS NULL)
);
CREATE INDEX plan_items_county ON plan_items (county_code, year);
CREATE INDEX plan_items_unit ON plan_items (unit_id, year);

-- +goose Down
DROP TABLE plan_items;
DROP TABLE matches;
DROP TABLE resource_counties;
DROP TABLE resources;
DROP TABLE needs;
