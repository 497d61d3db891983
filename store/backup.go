package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of a SQLite database to out while others
// keep writing (VACUUM INTO reads one snapshot). The copy opens as a normal
// database and passes VerifyAudit. PostgreSQL databases are backed up with
// pg_dump instead. Callers: the CLI (machine authority).
func (d *DB) Backup(ctx context.Context, out string) error {
	if d.Dialect != SQLite {
		return errors.New("PostgreSQL 数据库请使用 pg_dump 备份")
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s 已存在，请换一个文件名", out)
	}
	if dir := filepath.Dir(out); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return err
		}
	}
	_, err := d.db.ExecContext(ctx, `VACUUM INTO $1`, out)
	return err
}
