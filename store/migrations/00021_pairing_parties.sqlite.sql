-- +goose Up
-- Pairing parties (issue 10): a township or village is a west party by
-- its region code, not through a stand-in organisation; several east
-- units may pair jointly (四家企业与扎垤村), the first one leading and the
-- others in pairing_partners; and a pairing reported only by number
-- (与对口帮扶的4个乡镇) stands for party_count pairs at the county.
-- SQLite cannot drop NOT NULL or add a table CHECK; as in 00011, the
-- schema text is rewritten (the stored rows already satisfy it).
ALTER TABLE pairings ADD COLUMN west_region_code TEXT REFERENCES regions (code);
ALTER TABLE pairings ADD COLUMN party_count INTEGER NOT NULL DEFAULT 1 CHECK (party_count BETWEEN 1 AND 999);
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(replace(sql,
    'west_org_id BIGINT NOT NULL REFERENCES organisations (id)', 'west_org_id BIGINT REFERENCES organisations (id)'),
    'CHECK (east_org_id <> west_org_id),', 'CHECK (east_org_id <> west_org_id), CHECK ((west_org_id IS NULL) <> (west_region_code IS NULL)),')
    WHERE type = 'table' AND name = 'pairings';
PRAGMA writable_schema = RESET;
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
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(replace(sql,
    'west_org_id BIGINT REFERENCES organisations (id)', 'west_org_id BIGINT NOT NULL REFERENCES organisations (id)'),
    ' CHECK ((west_org_id IS NULL) <> (west_region_code IS NULL)),', '')
    WHERE type = 'table' AND name = 'pairings';
PRAGMA writable_schema = RESET;
ALTER TABLE pairings DROP COLUMN party_count;
ALTER TABLE pairings DROP COLUMN west_region_code;
