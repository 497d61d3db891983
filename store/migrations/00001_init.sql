-- +goose Up
-- One schema for both engines: {{ID}} and {{BLOB}} are replaced per dialect
-- by store.migrationsFS before goose applies it, and the review-columns
-- placeholder by the columns every reviewed ledger record has (reviewColumns
-- in db.go). Dates are TEXT YYYY-MM-DD,
-- times TEXT RFC 3339 UTC, money BIGINT fen, booleans INTEGER 0/1.

CREATE TABLE regions (
    code        TEXT PRIMARY KEY CHECK (length(code) = 12),
    name        TEXT NOT NULL CHECK (name <> ''),
    short_name  TEXT NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    parent_code TEXT REFERENCES regions (code)
);
CREATE INDEX regions_parent ON regions (parent_code, code);
CREATE INDEX regions_name ON regions (name);
CREATE INDEX regions_short ON regions (short_name);

CREATE TABLE organisations (
    id          {{ID}},
    name        TEXT NOT NULL UNIQUE CHECK (name <> ''),
    kind        TEXT NOT NULL CHECK (kind IN ('区县','街道','乡镇','委办局','国企','企业','学校','医院','社会组织','工会','县级部门','村','供应商','协作办','其他')),
    side        TEXT NOT NULL CHECK (side IN ('east','west')),
    region_code TEXT REFERENCES regions (code),
    uscc        TEXT UNIQUE CHECK (uscc IS NULL OR length(uscc) = 18)
);

CREATE TABLE org_aliases (
    org_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    alias  TEXT NOT NULL UNIQUE CHECK (alias <> '')
);
CREATE INDEX org_aliases_org ON org_aliases (org_id);

CREATE TABLE pairings (
    id          {{ID}},
    kind        TEXT NOT NULL CHECK (kind IN ('区县结对','携手奔小康','村企结对','医院结对','学校结对','社会组织结对','其他结对')),
    east_org_id BIGINT NOT NULL REFERENCES organisations (id),
    west_org_id BIGINT NOT NULL REFERENCES organisations (id),
    year_from   INTEGER NOT NULL CHECK (year_from BETWEEN 1996 AND 2100),
    year_to     INTEGER CHECK (year_to IS NULL OR year_to >= year_from),
    note        TEXT NOT NULL DEFAULT '',
    CHECK (east_org_id <> west_org_id),
    UNIQUE (kind, east_org_id, west_org_id, year_from)
);

CREATE TABLE people (
    id        {{ID}},
    name      TEXT NOT NULL CHECK (name <> ''),
    kind      TEXT NOT NULL,
    org_id    BIGINT NOT NULL REFERENCES organisations (id),
    dest_code TEXT NOT NULL REFERENCES regions (code),
    post      TEXT NOT NULL DEFAULT '',
    term_from TEXT CHECK (term_from IS NULL OR length(term_from) = 10),
    term_to   TEXT CHECK (term_to IS NULL OR term_from IS NULL OR term_to >= term_from),
    note      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE users (
    id            {{ID}},
    username      TEXT NOT NULL UNIQUE CHECK (username <> ''),
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin','reviewer','unit','county','viewer')),
    org_id        BIGINT REFERENCES organisations (id),
    county_code   TEXT REFERENCES regions (code),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0,1)),
    created_at    TEXT NOT NULL,
    CHECK (role NOT IN ('unit','county') OR org_id IS NOT NULL),
    CHECK (role <> 'county' OR county_code IS NOT NULL)
);

CREATE TABLE api_tokens (
    id         {{ID}},
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   {{BLOB}} NOT NULL,
    expiry BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

-- Ledger records share the review columns: unit_id (owner), status,
-- return_reason, created_by, created_at, updated_at.

CREATE TABLE activities (
    id                {{ID}},
    {{REVIEW_COLUMNS}},
    kind              TEXT NOT NULL,
    title             TEXT NOT NULL CHECK (title <> ''),
    date_from         TEXT NOT NULL CHECK (length(date_from) = 10),
    date_to           TEXT NOT NULL CHECK (date_to >= date_from),
    section           TEXT NOT NULL CHECK (section IN ('扶贫协作','对口支援','前方工作','工作动态')),
    county_code       TEXT REFERENCES regions (code),
    places            TEXT NOT NULL DEFAULT '',
    leader            TEXT NOT NULL DEFAULT '',
    participants_text TEXT NOT NULL DEFAULT '',
    headcount         BIGINT NOT NULL DEFAULT 0 CHECK (headcount >= 0),
    narrative         TEXT NOT NULL,
    same_as_id        BIGINT REFERENCES activities (id) ON DELETE SET NULL
);
CREATE INDEX activities_date ON activities (date_from);
CREATE INDEX activities_unit ON activities (unit_id, status);

CREATE TABLE activity_participants (
    activity_id BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    org_id      BIGINT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (activity_id, org_id)
);

CREATE TABLE agreements (
    id            {{ID}},
    {{REVIEW_COLUMNS}},
    title         TEXT NOT NULL CHECK (title <> ''),
    year          INTEGER NOT NULL CHECK (year BETWEEN 1996 AND 2100),
    signed_on     TEXT NOT NULL CHECK (length(signed_on) = 10),
    pledged_fen   BIGINT NOT NULL CHECK (pledged_fen >= 0 AND pledged_fen <= 1000000000000),
    activity_id   BIGINT REFERENCES activities (id) ON DELETE SET NULL,
    note          TEXT NOT NULL DEFAULT ''
);

CREATE TABLE agreement_pairings (
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    pairing_id   BIGINT NOT NULL REFERENCES pairings (id),
    PRIMARY KEY (agreement_id, pairing_id)
);

CREATE TABLE projects (
    id             {{ID}},
    {{REVIEW_COLUMNS}},
    title          TEXT NOT NULL CHECK (title <> ''),
    county_code    TEXT NOT NULL REFERENCES regions (code),
    township_code  TEXT REFERENCES regions (code),
    village_code   TEXT REFERENCES regions (code),
    sector         TEXT NOT NULL,
    funding_source TEXT NOT NULL,
    budget_fen     BIGINT NOT NULL CHECK (budget_fen >= 0 AND budget_fen <= 1000000000000),
    start_on       TEXT,
    deadline       TEXT NOT NULL CHECK (length(deadline) = 10),
    progress       INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
    work_state     TEXT NOT NULL CHECK (work_state IN ('planned','in_progress','completed')),
    completed_on   TEXT,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX projects_county ON projects (county_code, deadline);

CREATE TABLE milestones (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    title      TEXT NOT NULL CHECK (title <> ''),
    due_on     TEXT NOT NULL,
    done_on    TEXT,
    PRIMARY KEY (project_id, seq)
);

CREATE TABLE contributions (
    id            {{ID}},
    {{REVIEW_COLUMNS}},
    date_from     TEXT NOT NULL CHECK (length(date_from) = 10),
    date_to       TEXT NOT NULL CHECK (date_to >= date_from),
    county_code   TEXT NOT NULL REFERENCES regions (code),
    township_code TEXT REFERENCES regions (code),
    village_code  TEXT REFERENCES regions (code),
    institution   TEXT NOT NULL DEFAULT '',
    form          TEXT NOT NULL CHECK (form IN ('cash','in_kind','consumption','fiscal')),
    sector        TEXT NOT NULL CHECK (sector IN ('education','health','industry','livelihood','infrastructure','employment','culture','other')),
    delivery      TEXT NOT NULL CHECK (delivery IN ('pledged','delivered')),
    amount_fen    BIGINT NOT NULL CHECK (amount_fen >= 0 AND amount_fen <= 1000000000000),
    quantity      BIGINT NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    quantity_unit TEXT NOT NULL DEFAULT '',
    item          TEXT NOT NULL DEFAULT '',
    beneficiaries BIGINT NOT NULL DEFAULT 0 CHECK (beneficiaries >= 0),
    activity_id   BIGINT REFERENCES activities (id) ON DELETE SET NULL,
    agreement_id  BIGINT REFERENCES agreements (id) ON DELETE SET NULL,
    project_id    BIGINT REFERENCES projects (id) ON DELETE SET NULL,
    note          TEXT NOT NULL DEFAULT '',
    received_at   TEXT,
    received_by   BIGINT REFERENCES users (id)
);
-- Covering indexes: a filtered list page and its totals read only the index
-- (date for order and range; form, status, amount for totals; unit_id for
-- the visibility rule of unit users).
CREATE INDEX contributions_county ON contributions (county_code, date_from, form, status, amount_fen, unit_id);
CREATE INDEX contributions_date ON contributions (date_from, form, status, amount_fen, unit_id, county_code);
CREATE INDEX contributions_unit ON contributions (unit_id, date_from);
CREATE INDEX contributions_activity ON contributions (activity_id);

CREATE TABLE contribution_givers (
    contribution_id BIGINT NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    org_id          BIGINT NOT NULL REFERENCES organisations (id),
    seq             INTEGER NOT NULL,
    PRIMARY KEY (contribution_id, org_id)
);
CREATE INDEX contribution_givers_org ON contribution_givers (org_id);

CREATE TABLE labour_records (
    id            {{ID}},
    {{REVIEW_COLUMNS}},
    date_from     TEXT NOT NULL CHECK (length(date_from) = 10),
    date_to       TEXT NOT NULL CHECK (date_to >= date_from),
    county_code   TEXT NOT NULL REFERENCES regions (code),
    kind          TEXT NOT NULL,
    trained       BIGINT NOT NULL CHECK (trained >= 0),
    placed        BIGINT NOT NULL CHECK (placed >= 0),
    poor_count    BIGINT NOT NULL CHECK (poor_count >= 0),
    destination   TEXT NOT NULL DEFAULT '',
    activity_id   BIGINT REFERENCES activities (id) ON DELETE SET NULL,
    note          TEXT NOT NULL DEFAULT ''
);

CREATE TABLE batches (
    id            {{ID}},
    {{REVIEW_COLUMNS}},
    date          TEXT NOT NULL CHECK (length(date) = 10),
    county_code   TEXT NOT NULL REFERENCES regions (code),
    kind          TEXT NOT NULL,
    label         TEXT NOT NULL DEFAULT '',
    count         BIGINT NOT NULL CHECK (count > 0),
    count_unit    TEXT NOT NULL CHECK (count_unit <> ''),
    activity_id   BIGINT REFERENCES activities (id) ON DELETE SET NULL,
    note          TEXT NOT NULL DEFAULT ''
);

-- Append-only, hash-chained: hash = sha256(prev_hash | seq | at | actor | action | entity | entity_id | before | after).
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY,
    at         TEXT NOT NULL,
    actor_id   BIGINT,
    actor_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  BIGINT NOT NULL,
    before     TEXT NOT NULL,
    after      TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_entity ON audit_log (entity, entity_id);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE batches;
DROP TABLE labour_records;
DROP TABLE contribution_givers;
DROP TABLE contributions;
DROP TABLE milestones;
DROP TABLE projects;
DROP TABLE agreement_pairings;
DROP TABLE agreements;
DROP TABLE activity_participants;
DROP TABLE activities;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE people;
DROP TABLE pairings;
DROP TABLE org_aliases;
DROP TABLE organisations;
DROP TABLE regions;
