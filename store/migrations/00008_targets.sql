-- +goose Up
-- Yearly assessment targets per county and figure (a dashboard figure's
-- code: social, visits, trained…); money in fen, counts as counts.
CREATE TABLE targets (
    year        INTEGER NOT NULL CHECK (year BETWEEN 1996 AND 2100),
    county_code TEXT NOT NULL REFERENCES regions (code),
    metric      TEXT NOT NULL,
    value       BIGINT NOT NULL CHECK (value >= 0),
    updated_by  BIGINT NOT NULL REFERENCES users (id),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (year, county_code, metric)
);

-- +goose Down
DROP TABLE targets;
