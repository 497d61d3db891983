package store

import (
	"context"
	"errors"
	"io"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/registry"
)

// OrgRow is one parsed row of an organisations file.
type OrgRow struct {
	Line  int
	Cells []string
	Org   *registry.Organisation
	Err   string
}

// ImportOrgs registers the organisations next yields as one batch, in one
// transaction. A row whose name, one of its aliases or its 统一社会信用代码
// is already registered is skipped, so the same file imports once. Modes
// and dry runs work as in ImportContributions. Callers: the office admin.
// Errors: EFORBIDDEN, EINVALID, EINTERNAL.
func (d *DB) ImportOrgs(ctx context.Context, u *xiezuo.User, b *ImportBatch, next func() (OrgRow, error)) error {
	if err := requireAdmin(u); err != nil {
		return err
	}
	if b.Mode != "all" && b.Mode != "valid" {
		return xiezuo.Errorf(xiezuo.EINVALID, "导入模式应为 all 或 valid")
	}
	b.Kind, b.UserID, b.CreatedAt, b.UnitID = "organisation", u.ID, d.now(), u.OrgID
	var problems []ImportProblem
	tx, err := d.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := d.insertBatch(ctx, tx.Tx, b, ImportImported); err != nil {
		return xiezuo.Internal(err)
	}
	for {
		row, err := next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return err
		}
		b.Total++
		if row.Err == "" {
			var n int
			o := row.Org
			names := append([]string{o.Name}, o.Aliases...)
			for _, name := range names {
				var c int
				if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM organisations WHERE name = $1) + (SELECT COUNT(*) FROM org_aliases WHERE alias = $1)`, name).Scan(&c); err != nil {
					return xiezuo.Internal(err)
				}
				n += c
			}
			if o.USCC != "" {
				var c int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE uscc = $1`, o.USCC).Scan(&c); err != nil {
					return xiezuo.Internal(err)
				}
				n += c
			}
			if n > 0 {
				b.Skipped++
				continue
			}
			if err := insertOrg(ctx, tx.Tx, o); err != nil {
				if d.Dialect == Postgres { // a failed statement ends a PostgreSQL transaction
					return mapDBError(err)
				}
				row.Err = xiezuo.ErrorMessage(mapDBError(err))
			} else {
				b.Imported++
				continue
			}
		}
		b.Errors++
		if len(problems) < maxKeptProblems {
			problems = append(problems, ImportProblem{Line: int64(row.Line), Kind: "error", Message: row.Err, Cells: row.Cells})
		}
	}
	return d.finishImport(ctx, tx, u, b, problems)
}
