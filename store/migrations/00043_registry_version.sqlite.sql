-- +goose Up
-- A counter that every change to the registry's organisations, pairings
-- and regions moves on (issue 11): the store keeps what every list page
-- offers in its filters (the paired counties, their townships, the east
-- units) until it moves, whichever process made the change.
CREATE TABLE registry_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO registry_version (id, n) VALUES (1, 0);
CREATE TRIGGER registry_version_orgs_insert AFTER INSERT ON organisations BEGIN UPDATE registry_version SET n = n + 1; END;
CREATE TRIGGER registry_version_orgs_update AFTER UPDATE ON organisations BEGIN UPDATE registry_version SET n = n + 1; END;
CREATE TRIGGER registry_version_orgs_delete AFTER DELETE ON organisations BEGIN UPDATE registry_version SET n = n + 1; END;
CREATE TRIGGER registry_version_pairings_insert AFTER INSERT ON pairings BEGIN UPDATE registry_version SET n = n + 1; END;
CREATE TRIGGER registry_version_pairings_update AFTER UPDATE ON pairings BEGIN UPDATE registry_version SET n = n + 1; END;
CREATE TRIGGER registry_version_pairings_delete AFTER DELETE ON pairings BEGIN UPDATE registry_version SET n = n + 1; END;
CREATE TRIGGER registry_version_regions_insert AFTER INSERT ON regions BEGIN UPDATE registry_version SET n = n + 1; END;
CREATE TRIGGER registry_version_regions_update AFTER UPDATE ON regions BEGIN UPDATE registry_version SET n = n + 1; END;
CREATE TRIGGER registry_version_regions_delete AFTER DELETE ON regions BEGIN UPDATE registry_version SET n = n + 1; END;

-- +goose Down
DROP TRIGGER registry_version_orgs_insert;
DROP TRIGGER registry_version_orgs_update;
DROP TRIGGER registry_version_orgs_delete;
DROP TRIGGER registry_version_pairings_insert;
DROP TRIGGER registry_version_pairings_update;
DROP TRIGGER registry_version_pairings_delete;
DROP TRIGGER registry_version_regions_insert;
DROP TRIGGER registry_version_regions_update;
DROP TRIGGER registry_version_regions_delete;
DROP TABLE registry_version;
