-- +goose Up
-- The market's roles (issue 12): 供应商, 采购单位管理账号, 采购人 (each of
-- an organisation) and 监管. SQLite rebuilds the users table to change its
-- CHECK constraints (store/migrate_go.go, the same version).
-- +goose StatementBegin
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'users'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%role%' LOOP
        EXECUTE 'ALTER TABLE users DROP CONSTRAINT ' || quote_ident(c.conname);
    END LOOP;
END $$;
-- +goose StatementEnd
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin','reviewer','unit','county','viewer','supplier','buyer_admin','purchaser','supervisor'));
ALTER TABLE users ADD CONSTRAINT users_org_check
    CHECK (role NOT IN ('unit','county','supplier','buyer_admin','purchaser') OR org_id IS NOT NULL);
ALTER TABLE users ADD CONSTRAINT users_county_check CHECK (role <> 'county' OR county_code IS NOT NULL);

-- +goose Down
SELECT 1;
