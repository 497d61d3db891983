package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"
)

// sqliteGoMigrations are the SQLite migrations SQL alone cannot do: a
// change of a table's CHECK constraints needs the table rebuilt with
// foreign keys off, on one connection (SQLite's "12 steps"). Their
// PostgreSQL versions are NAME.postgres.sql files of the same number.
func sqliteGoMigrations() []*goose.Migration {
	return []*goose.Migration{
		// 00025: the market's roles (see 00025_market_roles.postgres.sql).
		goose.NewGoMigration(25, &goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
			return rebuildTable(ctx, db, "users", [][2]string{
				{`CHECK (role IN ('admin','reviewer','unit','county','viewer'))`,
					`CHECK (role IN ('admin','reviewer','unit','county','viewer','supplier','buyer_admin','purchaser','supervisor'))`},
				{`CHECK (role NOT IN ('unit','county') OR org_id IS NOT NULL)`,
					`CHECK (role NOT IN ('unit','county','supplier','buyer_admin','purchaser') OR org_id IS NOT NULL)`},
			})
		}}, nil),
	}
}

// rebuildTable rewrites a SQLite table's CREATE statement (each edit
// replaces text that must be there) and copies its rows into the new
// table, keeping its indexes and triggers, in one transaction on one
// connection with foreign keys off; it checks them before committing.
func rebuildTable(ctx context.Context, db *sql.DB, table string, edits [][2]string) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var create string
	if err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = $1`, table).Scan(&create); err != nil {
		return fmt.Errorf("table %s: %w", table, err)
	}
	for _, e := range edits {
		if !strings.Contains(create, e[0]) {
			return fmt.Errorf("table %s: %q not in its definition", table, e[0])
		}
		create = strings.Replace(create, e[0], e[1], 1)
	}
	var keep []string // its indexes and triggers, made again after the rename
	rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_schema WHERE tbl_name = $1 AND type IN ('index', 'trigger') AND sql IS NOT NULL`, table)
	if err != nil {
		return err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		keep = append(keep, s)
	}
	rows.Close()
	_, cols, ok := strings.Cut(create, "(") // after CREATE TABLE users or "users" (once renamed)
	if !ok {
		return fmt.Errorf("table %s: unexpected definition", table)
	}
	steps := []string{
		"CREATE TABLE " + table + "_new (" + cols,
		"INSERT INTO " + table + "_new SELECT * FROM " + table,
		"DROP TABLE " + table,
		"ALTER TABLE " + table + "_new RENAME TO " + table,
	}
	for _, s := range append(steps, keep...) {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("rebuilding %s: %w", table, err)
		}
	}
	fk, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	bad := fk.Next()
	fk.Close()
	if bad {
		return fmt.Errorf("rebuilding %s: a foreign key no longer holds", table)
	}
	return tx.Commit()
}
