-- +goose Up
-- Pairing parties (issue 10): see 00021_pairing_parties.sqlite.sql.
ALTER TABLE pairings ADD COLUMN west_region_code TEXT REFERENCES regions (code);
ALTER TABLE pairings ADD COLUMN party_count INTEGER NOT NULL DEFAULT 1 CHECK (party_count BETWEEN 1 AND 999);
ALTER TABLE pairings ALTER COLUMN west_org_id DROP NOT NULL;
ALTER TABLE pairings ADD CONSTRAINT pairings_one_west CHECK ((west_org_id IS NULL) <> (west_region_code IS NULL));
CREATE UNIQUE INDEX pairings_region ON pairings (kind, east_org_id, west_region_code, year_from) WHERE west_region_code IS NOT NULL;
CREATE TABLE pairing_partners (
    pairing_id BIGINT NOT NULL REFERENCES pairings (id),
    org_id     BIGINT NOT NULL REFERENCES organisations (id),
    seq        INTEGER NOT NULL,
    PRIMARY KEY (pairing_id, org_id)
);
CREATE INDEX pairing_partners_org ON pairing_partners (org_id);

-- +goose Down
DROP TABLE pairing_partners;
DROP INDEX pairings_region;
DELETE FROM agreement_pairings WHERE pairing_id IN (SELECT id FROM pairings WHERE west_region_code IS NOT NULL);
DELETE FROM pairings WHERE west_region_code IS NOT NULL;
ALTER TABLE pairings DROP CONSTRAINT pairings_one_west;
ALTER TABLE pairings ALTER COLUMN west_org_id SET NOT NULL;
ALTER TABLE pairings DROP COLUMN party_count;
ALTER TABLE pairings DROP COLUMN west_region_code;
