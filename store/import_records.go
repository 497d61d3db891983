package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// RecordRow is a parsed row of a low-volume record kind (activities,
// projects, labour records, beneficiary batches): Save writes it through
// the kind's service, which validates, authorises and audits it.
type RecordRow struct {
	Line  int
	Cells []string
	Key   string // fingerprint: a row imported before is skipped
	Err   string
	// DuplicateOf, when set, names an existing record this row resembles
	// (an activity: the same trip reported by another unit); the row is
	// held for the office, with Record (JSON) to write if it is kept.
	DuplicateOf int64
	Record      string
	Save        func(ctx context.Context, u *xiezuo.User) (int64, error)
}

// registryTables are the tables of the registry kinds a file may import.
var registryTables = map[ledger.Kind]string{"pairing": "pairings", "person": "people"}

// takeBack deletes the records a refused batch had written, in one
// transaction with one audit entry.
func (d *DB) takeBack(ctx context.Context, u *xiezuo.User, batch int64, table string, ids []any) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM import_keys WHERE batch_id = $1`, batch); err != nil {
			return err
		}
		if len(ids) > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE id IN (`+placeholders(1, len(ids))+`)`, ids...); err != nil {
				return err
			}
		}
		return d.audit(ctx, tx, u, "undo_import", "import_batch", batch, nil, map[string]any{"deleted": len(ids), "reason": "mode all: a row failed while writing"})
	})
}

// ImportRecords writes parsed rows of one kind as a batch, row by row
// through the services. Mode "all" writes nothing when any row has an
// error, and removes what it wrote if a row fails while writing; "valid"
// writes the valid rows. With b.Approve (office) each record is submitted
// and approved. Callers: users who may record for their unit. Errors:
// EFORBIDDEN, EINVALID, EINTERNAL.
func (d *DB) ImportRecords(ctx context.Context, u *xiezuo.User, kind ledger.Kind, b *ImportBatch, rows []RecordRow) error {
	switch {
	case !u.CanRecord():
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能导入记录")
	case b.Approve && !u.IsOffice():
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以直接导入为已通过")
	case b.Mode != "all" && b.Mode != "valid":
		return xiezuo.Errorf(xiezuo.EINVALID, "导入模式应为 all 或 valid")
	}
	b.Kind, b.UserID, b.CreatedAt, b.UnitID = string(kind), u.ID, d.now(), u.OrgID
	var problems []ImportProblem
	bad := func(r RecordRow, msg string) {
		b.Errors++
		problems = append(problems, ImportProblem{Line: int64(r.Line), Kind: "error", Message: msg, Cells: r.Cells})
	}
	b.Total = int64(len(rows))
	for _, r := range rows {
		if r.Err != "" {
			bad(r, r.Err)
		}
	}
	if b.DryRun || (b.Mode == "all" && b.Errors > 0) {
		b.Status = ImportDryRun
		if !b.DryRun {
			b.Status = ImportRefused
		}
		return d.tx(ctx, func(tx *sql.Tx) error {
			if err := d.insertBatch(ctx, tx, b, b.Status); err != nil {
				return err
			}
			return d.insertProblems(ctx, tx, b.ID, problems)
		})
	}
	if err := d.tx(ctx, func(tx *sql.Tx) error { return d.insertBatch(ctx, tx, b, ImportImported) }); err != nil {
		return err
	}
	table := tables[kind]
	written := registryTables[kind]
	if written == "" {
		written = table
	}
	var created []any
	for _, r := range rows {
		if r.Err != "" {
			continue
		}
		var seen int
		if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM import_keys WHERE kind = $1 AND key = $2`, string(kind), r.Key).Scan(&seen); err != nil {
			return xiezuo.Internal(err)
		}
		if seen > 0 {
			b.Skipped++
			continue
		}
		if r.DuplicateOf != 0 {
			b.Duplicates++
			problems = append(problems, ImportProblem{Line: int64(r.Line), Kind: "duplicate", Cells: r.Cells, DuplicateOf: r.DuplicateOf, record: r.Record,
				Message: fmt.Sprintf("疑似重复：与已有活动（编号%d）同县且日期重叠，可能是同一行程；由协作办决定作为同一行程的报送保留，或舍弃", r.DuplicateOf)})
			continue
		}
		id, err := r.Save(ctx, u)
		if err == nil && table != "" { // registry kinds (pairings, people) are not linked to batches
			_, err = d.db.ExecContext(ctx, `UPDATE `+table+` SET import_batch_id = $1 WHERE id = $2`, b.ID, id)
		}
		if err == nil {
			_, err = d.db.ExecContext(ctx, `INSERT INTO import_keys (kind, key, batch_id, record_id) VALUES ($1, $2, $3, $4)`, string(kind), r.Key, b.ID, id)
		}
		if err == nil && b.Approve {
			for _, a := range []ledger.Action{ledger.ActionSubmit, ledger.ActionApprove} {
				if err = d.Transition(ctx, u, kind, id, a, ""); err != nil {
					break
				}
			}
		}
		if err != nil {
			if xiezuo.ErrorCode(err) == xiezuo.EINTERNAL {
				return err
			}
			bad(r, xiezuo.ErrorMessage(err))
			if b.Mode == "all" { // take back what this batch wrote
				if err := d.takeBack(ctx, u, b.ID, written, created); err != nil {
					return err
				}
				b.Imported, b.Status = 0, ImportRefused
				break
			}
			continue
		}
		created = append(created, id)
		b.Imported++
	}
	if b.Status == "" {
		b.Status = ImportImported
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE import_batches SET status = $1, rows_total = $2, rows_imported = $3, rows_skipped = $4, rows_duplicate = $5, rows_error = $6 WHERE id = $7`,
			b.Status, b.Total, b.Imported, b.Skipped, b.Duplicates, b.Errors, b.ID); err != nil {
			return err
		}
		if err := d.insertProblems(ctx, tx, b.ID, problems); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "import", "import_batch", b.ID, nil, b)
	})
}
