-- +goose Up
-- See 00043_registry_version.sqlite.sql. One bump a statement here.
CREATE TABLE registry_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
INSERT INTO registry_version (id, n) VALUES (1, 0);
-- +goose StatementBegin
CREATE FUNCTION registry_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registry_version SET n = n + 1;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER registry_version_orgs AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organisations FOR EACH STATEMENT EXECUTE FUNCTION registry_version_bump();
CREATE TRIGGER registry_version_pairings AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pairings FOR EACH STATEMENT EXECUTE FUNCTION registry_version_bump();
CREATE TRIGGER registry_version_regions AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON regions FOR EACH STATEMENT EXECUTE FUNCTION registry_version_bump();

-- +goose Down
DROP TRIGGER registry_version_orgs ON organisations;
DROP TRIGGER registry_version_pairings ON pairings;
DROP TRIGGER registry_version_regions ON regions;
DROP FUNCTION registry_version_bump();
DROP TABLE registry_version;
