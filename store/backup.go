package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of a SQLite database to out while others
// keep writing (VACUUM INTO reads one snapshot). The copy opens as a normal
// database and passes VerifyAudit. It returns the signed checkpoint of the
// copy's audit log (read from the copy, so it names the snapshot's head,
// not a later one): the caller keeps it beside the copy, and the live log
// must extend it (VerifyAudit with it as a checkpoint). PostgreSQL
// databases are backed up with pg_dump instead. Callers: the CLI (machine
// authority).
func (d *DB) Backup(ctx context.Context, out string) (Checkpoint, error) {
	if d.Dialect != SQLite {
		return Checkpoint{}, errors.New("PostgreSQL 数据库请使用 pg_dump 备份")
	}
	if _, err := os.Stat(out); err == nil {
		return Checkpoint{}, fmt.Errorf("%s 已存在，请换一个文件名", out)
	}
	if dir := filepath.Dir(out); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return Checkpoint{}, err
		}
	}
	if _, err := d.db.ExecContext(ctx, `VACUUM INTO $1`, out); err != nil {
		return Checkpoint{}, err
	}
	cp, err := sql.Open("sqlite", "file:"+out+"?mode=ro")
	if err != nil {
		return Checkpoint{}, err
	}
	defer cp.Close()
	seq, h, err := head(ctx, cp)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("读取备份的审计日志失败：%w", err)
	}
	return d.sign(seq, h), nil
}
