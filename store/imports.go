package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// Import batch statuses.
const (
	ImportDryRun   = "dry_run"
	ImportRefused  = "refused"
	ImportImported = "imported"
	ImportUndone   = "undone"
	// A batch is running while it writes; interrupted when its process
	// stopped or died before it finished (its rows are hidden, and removed
	// when the batch is discarded); discarded once they are removed.
	ImportRunning     = "running"
	ImportInterrupted = "interrupted"
	ImportDiscarded   = "discarded"
)

// ImportBatch is one import of one file.
type ImportBatch struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	FileName   string `json:"file_name"`
	FileSHA256 string `json:"file_sha256"`
	UserID     int64  `json:"user_id"`
	UserName   string `json:"user_name,omitempty"`
	// UserDisplay is the importer's display name (screens show the person).
	UserDisplay string   `json:"user_display,omitempty"`
	UnitID      int64    `json:"unit_id"`
	UnitName    string   `json:"unit_name,omitempty"`
	Mode        string   `json:"mode"`
	Approve     bool     `json:"approve"`
	DryRun      bool     `json:"-"`
	Status      string   `json:"status"`
	Total       int64    `json:"rows_total"`
	Imported    int64    `json:"rows_imported"`
	Skipped     int64    `json:"rows_skipped"`
	Duplicates  int64    `json:"rows_duplicate"`
	Errors      int64    `json:"rows_error"`
	Header      []string `json:"header,omitempty"`
	CreatedAt   string   `json:"created_at"`
	UndoneAt    string   `json:"undone_at,omitempty"`
}

// StatusLabel is the batch status in Chinese.
func (b *ImportBatch) StatusLabel() string {
	switch b.Status {
	case ImportDryRun:
		return "仅检查"
	case ImportRefused:
		return "有错误，未导入"
	case ImportImported:
		return "已导入"
	case ImportUndone:
		return "已撤销"
	case ImportRunning:
		return "导入中"
	case ImportInterrupted:
		return "已中断，未导入"
	case ImportDiscarded:
		return "已中断，已丢弃"
	}
	return b.Status
}

// ResultVerb says what the Imported count is: rows written, or, in a dry
// run, rows that would be.
func (b *ImportBatch) ResultVerb() string {
	if b.Status == ImportDryRun {
		return "可导入"
	}
	return "导入"
}

// ImportProblem is a row that was not written: an error, or a suspected
// duplicate of an existing record held for the office.
type ImportProblem struct {
	BatchID     int64    `json:"batch_id"`
	Line        int64    `json:"line"`
	Kind        string   `json:"kind"` // error | duplicate | notice (written, with a remark)
	Message     string   `json:"message"`
	Cells       []string `json:"cells"`
	DuplicateOf int64    `json:"duplicate_of,omitempty"`
	Resolution  string   `json:"resolution,omitempty"`
	record      string
}

// maxKeptProblems bounds the problem rows kept for one batch; beyond it the
// rows are counted only.
const maxKeptProblems = 20000

func (d *DB) updateBatch(ctx context.Context, tx *sql.Tx, b *ImportBatch) error {
	_, err := tx.ExecContext(ctx, `UPDATE import_batches SET status = $1, rows_total = $2, rows_imported = $3, rows_skipped = $4, rows_duplicate = $5, rows_error = $6 WHERE id = $7`,
		b.Status, b.Total, b.Imported, b.Skipped, b.Duplicates, b.Errors, b.ID)
	return err
}

// contributionArgs are c's values of contributionCols.
func contributionArgs(c *ledger.Contribution) []any {
	return appendContributionArgs(make([]any, 0, len(contributionCols)), c)
}

// appendContributionArgs appends contributionArgs(c) to args.
func appendContributionArgs(args []any, c *ledger.Contribution) []any {
	return append(args, c.DateFrom, c.DateTo, c.CountyCode, nullStr(c.TownshipCode), nullStr(c.VillageCode), c.Institution, c.Form, c.Sector,
		c.Delivery, c.AmountFen, c.Quantity, c.QuantityUnit, c.Item, c.Beneficiaries, nullID(c.ActivityID), nullID(c.AgreementID), nullID(c.ProjectID), c.Note,
		ledger.ContributionArea(c.Form, c.Sector))
}

func (d *DB) insertBatch(ctx context.Context, tx *sql.Tx, b *ImportBatch, status string) error {
	header, _ := json.Marshal(b.Header)
	return tx.QueryRowContext(ctx, `INSERT INTO import_batches (kind, file_name, file_sha256, user_id, unit_id, mode, approve, status,
		rows_total, rows_imported, rows_skipped, rows_duplicate, rows_error, header, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		b.Kind, b.FileName, b.FileSHA256, b.UserID, nullID(b.UnitID), b.Mode, boolInt(b.Approve), status,
		b.Total, b.Imported, b.Skipped, b.Duplicates, b.Errors, string(header), b.CreatedAt).Scan(&b.ID)
}

func (d *DB) insertProblems(ctx context.Context, tx *sql.Tx, batch int64, ps []ImportProblem) error {
	st, err := tx.PrepareContext(ctx, `INSERT INTO import_rows (batch_id, line, kind, message, cells, duplicate_of, record) VALUES ($1, $2, $3, $4, $5, $6, $7)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, p := range ps {
		cells, _ := json.Marshal(p.Cells)
		if _, err := st.ExecContext(ctx, batch, p.Line, p.Kind, p.Message, string(cells), nullID(p.DuplicateOf), p.record); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const batchCols = `b.id, b.kind, b.file_name, b.file_sha256, b.user_id, u.username, u.display_name, COALESCE(b.unit_id, 0), COALESCE(o.name, ''), b.mode, b.approve,
	b.status, b.rows_total, b.rows_imported, b.rows_skipped, b.rows_duplicate, b.rows_error, b.header, b.created_at, COALESCE(b.undone_at, '')`
const batchFrom = ` FROM import_batches b JOIN users u ON u.id = b.user_id LEFT JOIN organisations o ON o.id = b.unit_id`

func scanBatchRow(s interface{ Scan(...any) error }) (*ImportBatch, error) {
	var b ImportBatch
	var approve int
	var header string
	err := s.Scan(&b.ID, &b.Kind, &b.FileName, &b.FileSHA256, &b.UserID, &b.UserName, &b.UserDisplay, &b.UnitID, &b.UnitName, &b.Mode, &approve,
		&b.Status, &b.Total, &b.Imported, &b.Skipped, &b.Duplicates, &b.Errors, &header, &b.CreatedAt, &b.UndoneAt)
	b.Approve = approve == 1
	_ = json.Unmarshal([]byte(header), &b.Header)
	return &b, err
}

// ImportBatchByID returns a batch. Callers: the office, or the user who
// imported it. Errors: ENOTFOUND.
func (d *DB) ImportBatchByID(ctx context.Context, u *xiezuo.User, id int64) (*ImportBatch, error) {
	b, err := scanBatchRow(d.db.QueryRowContext(ctx, `SELECT `+batchCols+batchFrom+` WHERE b.id = $1`, id))
	if err == sql.ErrNoRows || (err == nil && !ledger.CanSeeImport(u, b.UserID)) {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "导入批次（编号%d）不存在", id)
	} else if err != nil {
		return nil, xiezuo.Internal(err)
	}
	return b, nil
}

// ImportBatches lists the batches u may see, newest first.
func (d *DB) ImportBatches(ctx context.Context, u *xiezuo.User) ([]*ImportBatch, error) {
	w := &where{}
	if !ledger.CanSettleImport(u) { // not the office: one's own batches
		w.add("b.user_id = ?", u.ID)
	}
	return listAll(ctx, d, `SELECT `+batchCols+batchFrom+w.sql()+` ORDER BY b.id DESC LIMIT 200`, w.args, scanBatchRow)
}

// ImportProblems returns a batch's problem rows in line order. Callers: as
// ImportBatchByID.
func (d *DB) ImportProblems(ctx context.Context, u *xiezuo.User, batch int64) ([]ImportProblem, error) {
	if _, err := d.ImportBatchByID(ctx, u, batch); err != nil {
		return nil, err
	}
	return listAll(ctx, d, `SELECT batch_id, line, kind, message, cells, COALESCE(duplicate_of, 0), COALESCE(resolution, ''), record
		FROM import_rows WHERE batch_id = $1 ORDER BY line`, []any{batch}, func(s interface{ Scan(...any) error }) (ImportProblem, error) {
		var p ImportProblem
		var cells string
		err := s.Scan(&p.BatchID, &p.Line, &p.Kind, &p.Message, &cells, &p.DuplicateOf, &p.Resolution, &p.record)
		_ = json.Unmarshal([]byte(cells), &p.Cells)
		return p, err
	})
}

// UndoImport deletes every record a batch wrote, whatever their review
// state, and marks the batch undone. Callers: the office. Errors:
// EFORBIDDEN, ENOTFOUND, ECONFLICT (not an imported batch).
func (d *DB) UndoImport(ctx context.Context, u *xiezuo.User, id int64) (int64, error) {
	if !ledger.CanSettleImport(u) {
		return 0, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以撤销导入")
	}
	var n int64
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM import_batches WHERE id = $1`, id).Scan(&status); err == sql.ErrNoRows {
			return xiezuo.Errorf(xiezuo.ENOTFOUND, "导入批次（编号%d）不存在", id)
		} else if err != nil {
			return err
		}
		if status != ImportImported {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "该批次状态为“%s”，不能撤销", (&ImportBatch{Status: status}).StatusLabel())
		}
		var kind string
		if err := tx.QueryRowContext(ctx, `SELECT kind FROM import_batches WHERE id = $1`, id).Scan(&kind); err != nil {
			return err
		}
		if kind == ProductImportKind { // the catalogue's (market_product_import.go): its own undo, marked and audited there
			return d.undoProductImport(ctx, tx, u, id, status, &n)
		}
		table := tables[ledger.Kind(kind)]
		if table == "" {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "该类批次（%s）不能撤销", kind)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM import_keys WHERE batch_id = $1`, id); err != nil {
			return err
		}
		if err := d.unindexSearch(ctx, tx, ledger.Kind(kind), "x.import_batch_id = $1", id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE import_batch_id = $1`, id)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if _, err := tx.ExecContext(ctx, `UPDATE import_batches SET status = $1, undone_at = $2, undone_by = $3 WHERE id = $4`, ImportUndone, d.now(), u.ID, id); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "undo_import", "import_batch", id, map[string]string{"status": status}, map[string]int64{"deleted": n})
	})
	return n, err
}

// RecoverImports marks 中断 the running batches whose heartbeat stopped
// (their process was killed or lost its database); their rows stay hidden
// until the batch is discarded. Run when the store opens and from time to
// time by the server. It returns how many batches it marked.
func (d *DB) RecoverImports(ctx context.Context) (int, error) {
	cutoff := d.Now().Add(-importLease).UTC().Format(time.RFC3339)
	var ids []int64
	rows, err := d.db.QueryContext(ctx, `SELECT id FROM import_batches WHERE status = $1 AND (heartbeat_at IS NULL OR heartbeat_at < $2)`, ImportRunning, cutoff)
	if err != nil {
		return 0, xiezuo.Internal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	n := 0
	for _, id := range ids {
		err := d.tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE import_batches SET status = $1 WHERE id = $2 AND status = $3 AND (heartbeat_at IS NULL OR heartbeat_at < $4)`,
				ImportInterrupted, id, ImportRunning, cutoff)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				return nil // it beat meanwhile
			}
			n++
			return d.audit(ctx, tx, nil, "interrupt_import", "import_batch", id, map[string]string{"status": ImportRunning},
				map[string]string{"status": ImportInterrupted, "reason": "导入进程在完成前停止"})
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// DiscardImport removes the hidden rows of an interrupted batch and marks
// it discarded. Callers: the office, or the user who imported it. Errors:
// EFORBIDDEN, ENOTFOUND, ECONFLICT (not interrupted).
func (d *DB) DiscardImport(ctx context.Context, u *xiezuo.User, id int64) error {
	b, err := d.ImportBatchByID(ctx, u, id)
	if err != nil {
		return err
	}
	if b.Status != ImportInterrupted {
		return xiezuo.Errorf(xiezuo.ECONFLICT, "该批次状态为“%s”，不能丢弃", b.StatusLabel())
	}
	var first, last sql.NullInt64
	if err := d.db.QueryRowContext(ctx, `SELECT first_id, last_id FROM import_batches WHERE id = $1`, id).Scan(&first, &last); err != nil {
		return xiezuo.Internal(err)
	}
	if err := d.deleteUnfinished(ctx, id, first.Int64, last.Int64); err != nil {
		return xiezuo.Internal(err)
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE import_batches SET status = $1, undone_at = $2, undone_by = $3 WHERE id = $4`, ImportDiscarded, d.now(), u.ID, id); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "discard_import", "import_batch", id, map[string]string{"status": ImportInterrupted}, map[string]string{"status": ImportDiscarded})
	})
}

// ResolveDuplicate keeps (writes as a record of the batch) or discards a row
// held as a suspected duplicate. Callers: the office. Errors: EFORBIDDEN,
// ENOTFOUND, ECONFLICT (already resolved or the batch is not imported).
func (d *DB) ResolveDuplicate(ctx context.Context, u *xiezuo.User, batch, line int64, keep bool) error {
	if !ledger.CanSettleImport(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以处理疑似重复")
	}
	b, err := d.ImportBatchByID(ctx, u, batch)
	if err != nil {
		return err
	}
	if b.Kind == string(ledger.KindActivity) {
		return d.resolveActivity(ctx, u, b, line, keep)
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		record, _, err := d.heldRow(ctx, tx, b, line)
		if err != nil {
			return err
		}
		res := "discarded"
		var created int64
		if keep {
			res = "kept"
			var c ledger.Contribution
			if err := json.Unmarshal([]byte(record), &c); err != nil {
				return err
			}
			status := string(ledger.StatusDraft)
			if b.Approve {
				status = string(ledger.StatusApproved)
			}
			unit := c.UnitID
			if unit == 0 {
				unit = b.UnitID
			}
			now := d.now()
			args := append([]any{unit, status, u.ID, now, now}, contributionArgs(&c)...)
			args = append(args, batch)
			if err := tx.QueryRowContext(ctx, `INSERT INTO contributions (unit_id, status, created_by, created_at, updated_at, `+strings.Join(contributionCols, ", ")+
				`, import_batch_id) VALUES (`+placeholders(1, 5+len(contributionCols)+1)+`) RETURNING id`, args...).Scan(&created); err != nil {
				return err
			}
			if err := insertGivers(ctx, tx, created, &c); err != nil {
				return err
			}
			if err := d.indexSearch(ctx, tx, ledger.KindContribution, created); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE import_batches SET rows_imported = rows_imported + 1 WHERE id = $1`, batch); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE import_rows SET resolution = $1 WHERE batch_id = $2 AND line = $3`, res, batch, line); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "resolve_duplicate", "import_batch", batch, nil, map[string]any{"line": line, "resolution": res, "contribution_id": created})
	})
}

// heldRow reads a row held as a suspected duplicate that is still open.
func (d *DB) heldRow(ctx context.Context, q queryer, b *ImportBatch, line int64) (record string, dupOf int64, err error) {
	var kind, resolution string
	err = q.QueryRowContext(ctx, `SELECT kind, COALESCE(resolution, ''), record, COALESCE(duplicate_of, 0) FROM import_rows WHERE batch_id = $1 AND line = $2`, b.ID, line).
		Scan(&kind, &resolution, &record, &dupOf)
	if err == sql.ErrNoRows || (err == nil && kind != "duplicate") {
		return "", 0, xiezuo.Errorf(xiezuo.ENOTFOUND, "该行不是待处理的疑似重复")
	} else if err != nil {
		return "", 0, xiezuo.Internal(err)
	}
	if resolution != "" || b.Status != ImportImported {
		return "", 0, xiezuo.Errorf(xiezuo.ECONFLICT, "该行已处理，或批次未导入")
	}
	return record, dupOf, nil
}

// resolveActivity keeps a held activity as a report of the same trip as
// the one it resembles (linked by same_as_id, so the trip is counted once),
// or discards it.
func (d *DB) resolveActivity(ctx context.Context, u *xiezuo.User, b *ImportBatch, line int64, keep bool) error {
	record, dupOf, err := d.heldRow(ctx, d.db, b, line)
	if err != nil {
		return err
	}
	res, created := "discarded", int64(0)
	if keep {
		res = "kept"
		var a ledger.Activity
		if err := json.Unmarshal([]byte(record), &a); err != nil {
			return xiezuo.Internal(err)
		}
		a.ID, a.SameAsID = 0, dupOf
		if err := d.SaveActivity(ctx, u, &a); err != nil {
			return err
		}
		created = a.ID
		if _, err := d.db.ExecContext(ctx, `UPDATE activities SET import_batch_id = $1 WHERE id = $2`, b.ID, a.ID); err != nil {
			return xiezuo.Internal(err)
		}
		if b.Approve {
			for _, step := range []ledger.Action{ledger.ActionSubmit, ledger.ActionApprove} {
				if err := d.Transition(ctx, u, ledger.KindActivity, a.ID, step, ""); err != nil {
					return err
				}
			}
		}
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE import_rows SET resolution = $1 WHERE batch_id = $2 AND line = $3`, res, b.ID, line); err != nil {
			return err
		}
		if keep {
			if _, err := tx.ExecContext(ctx, `UPDATE import_batches SET rows_imported = rows_imported + 1 WHERE id = $1`, b.ID); err != nil {
				return err
			}
		}
		return d.audit(ctx, tx, u, "resolve_duplicate", "import_batch", b.ID, nil, map[string]any{"line": line, "resolution": res, "activity_id": created})
	})
}
