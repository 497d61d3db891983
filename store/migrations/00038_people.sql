-- +goose Up
-- Registers of the people helped and posted teams (issue 13; package
-- people holds the rules).
--
-- A beneficiary is one person of a register (患者, 受助学生, 培训与就业,
-- 帮扶农户), kept by a unit and linked to what helped them: a batch, an
-- activity, a project or a contribution (at least one). Its personal
-- fields are erased on request (erased_at set, the row kept without them),
-- so a batch's count and any totals stay. A batch counts
-- max(batches.count, its register's rows) (ledger.Batch.Total).
CREATE TABLE beneficiaries (
    id               {{ID}},
    kind             TEXT NOT NULL CHECK (kind IN ('patient', 'student', 'trainee', 'household')),
    unit_id          BIGINT NOT NULL REFERENCES organisations (id),
    created_by       BIGINT NOT NULL REFERENCES users (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    name             TEXT NOT NULL DEFAULT '',
    gender           TEXT NOT NULL DEFAULT '' CHECK (gender IN ('', 'm', 'f')),
    id_number        TEXT NOT NULL DEFAULT '',
    birth_date       TEXT NOT NULL DEFAULT '',
    phone            TEXT NOT NULL DEFAULT '',
    county_code      TEXT REFERENCES regions (code),
    village_code     TEXT REFERENCES regions (code),
    batch_id         BIGINT REFERENCES batches (id),
    activity_id      BIGINT REFERENCES activities (id),
    project_id       BIGINT REFERENCES projects (id),
    contribution_id  BIGINT REFERENCES contributions (id),
    stage            TEXT NOT NULL DEFAULT '',
    hospital         TEXT NOT NULL DEFAULT '',
    school           TEXT NOT NULL DEFAULT '',
    grade            TEXT NOT NULL DEFAULT '',
    donor_org_id     BIGINT REFERENCES organisations (id),
    amount_per_term_fen BIGINT NOT NULL DEFAULT 0 CHECK (amount_per_term_fen >= 0),
    course           TEXT NOT NULL DEFAULT '',
    placed           INTEGER NOT NULL DEFAULT 0 CHECK (placed IN (0, 1)),
    employer         TEXT NOT NULL DEFAULT '',
    destination      TEXT NOT NULL DEFAULT '',
    months_employed  BIGINT NOT NULL DEFAULT 0 CHECK (months_employed >= 0),
    registered       INTEGER NOT NULL DEFAULT 0 CHECK (registered IN (0, 1)),
    household_status TEXT NOT NULL DEFAULT '',
    help             TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT '',
    erased_at        TEXT,
    erased_by        BIGINT REFERENCES users (id),
    CHECK (name <> '' OR erased_at IS NOT NULL),
    CHECK (erased_at IS NULL OR (name = '' AND id_number = '' AND birth_date = '' AND phone = '')),
    CHECK (batch_id IS NOT NULL OR activity_id IS NOT NULL OR project_id IS NOT NULL OR contribution_id IS NOT NULL)
);
CREATE INDEX beneficiaries_kind ON beneficiaries (kind, county_code, id);
CREATE INDEX beneficiaries_batch ON beneficiaries (batch_id);
CREATE INDEX beneficiaries_unit ON beneficiaries (unit_id, kind);

-- A posted team: sending unit, destination, term; its named members are
-- posted people (people), the others a count.
CREATE TABLE teams (
    id          {{ID}},
    name        TEXT NOT NULL CHECK (name <> ''),
    kind        TEXT NOT NULL,
    org_id      BIGINT NOT NULL REFERENCES organisations (id),
    dest_code   TEXT NOT NULL REFERENCES regions (code),
    term_from   TEXT NOT NULL CHECK (length(term_from) = 10),
    term_to     TEXT CHECK (term_to IS NULL OR term_to >= term_from),
    other_count BIGINT NOT NULL DEFAULT 0 CHECK (other_count >= 0),
    note        TEXT NOT NULL DEFAULT ''
);
CREATE TABLE team_members (
    team_id   BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id),
    PRIMARY KEY (team_id, person_id)
);
CREATE INDEX team_members_person ON team_members (person_id);

-- +goose Down
DROP TABLE team_members;
DROP TABLE teams;
DROP TABLE beneficiaries;
