package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
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
)

// ImportBatch is one import of one file.
type ImportBatch struct {
	ID         int64    `json:"id"`
	Kind       string   `json:"kind"`
	FileName   string   `json:"file_name"`
	FileSHA256 string   `json:"file_sha256"`
	UserID     int64    `json:"user_id"`
	UserName   string   `json:"user_name,omitempty"`
	UnitID     int64    `json:"unit_id"`
	UnitName   string   `json:"unit_name,omitempty"`
	Mode       string   `json:"mode"`
	Approve    bool     `json:"approve"`
	DryRun     bool     `json:"-"`
	Status     string   `json:"status"`
	Total      int64    `json:"rows_total"`
	Imported   int64    `json:"rows_imported"`
	Skipped    int64    `json:"rows_skipped"`
	Duplicates int64    `json:"rows_duplicate"`
	Errors     int64    `json:"rows_error"`
	Header     []string `json:"header,omitempty"`
	CreatedAt  string   `json:"created_at"`
	UndoneAt   string   `json:"undone_at,omitempty"`
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
	}
	return b.Status
}

// ImportRow is one parsed row handed to ImportContributions: a record, or
// the Chinese error that kept it from being one.
type ImportRow struct {
	Line         int
	Cells        []string
	Contribution *ledger.Contribution
	Key          string // fingerprint: the same row imported again is skipped
	Err          string
}

// ImportProblem is a row that was not written: an error, or a suspected
// duplicate of an existing record held for the office.
type ImportProblem struct {
	BatchID     int64    `json:"batch_id"`
	Line        int64    `json:"line"`
	Kind        string   `json:"kind"` // error | duplicate
	Message     string   `json:"message"`
	Cells       []string `json:"cells"`
	DuplicateOf int64    `json:"duplicate_of,omitempty"`
	Resolution  string   `json:"resolution,omitempty"`
	record      string
}

// maxKeptProblems bounds the problem rows kept for one batch; beyond it the
// rows are counted only.
const maxKeptProblems = 20000

// An import's write transaction ends after importChunk rows or
// importChunkTime, whichever comes first: SQLite has one writer, and
// between chunks a waiting writer (another user saving a form, a session
// update) takes the write lock (DB.wmu) before the import's next chunk.
const (
	// importFilterRows is how many new rows the duplicate filter is sized
	// for (beyond it the filter only answers "maybe" more often).
	importFilterRows = 2_000_000
	importChunk      = 20000
	importChunkTime  = 2 * time.Second
)

// ImportContributions writes the rows next yields (io.EOF at the end) as
// one batch. Rows already imported (same Key) are skipped; rows that look
// like an existing record (same county, amount and givers,
// overlapping dates) are held as suspected duplicates and not counted.
// Mode "all" leaves nothing written if any row has an error; "valid"
// writes the valid rows. DryRun writes no records and takes no write lock.
// Records are written in transactions of importChunk rows, so the rest of
// the office keeps working during a long import; a refused batch removes
// what it wrote. The batch and its problem rows are kept for the report.
// Records are drafts of b.UnitID, or approved when b.Approve (office
// only). progress, if set, is called every 1,000 rows. Callers: users who
// may record for b.UnitID. Errors: EFORBIDDEN, EINVALID (bad mode),
// EINTERNAL.
func (d *DB) ImportContributions(ctx context.Context, u *xiezuo.User, b *ImportBatch, next func() (ImportRow, error), progress func(int)) (err error) {
	switch {
	case !ledger.CanCreateFor(u, b.UnitID):
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只能为本单位导入记录")
	case b.Approve && !u.IsOffice():
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以直接导入为已通过")
	case b.Mode != "all" && b.Mode != "valid":
		return xiezuo.Errorf(xiezuo.EINVALID, "导入模式应为 all 或 valid")
	}
	b.Kind, b.UserID, b.CreatedAt = string(ledger.KindContribution), u.ID, d.now()
	b.Total, b.Imported, b.Skipped, b.Duplicates, b.Errors = 0, 0, 0, 0, 0
	var problems []ImportProblem
	keep := func(p ImportProblem) {
		if len(problems) < maxKeptProblems {
			problems = append(problems, p)
		}
	}
	status := string(ledger.StatusDraft)
	if b.Approve {
		status = string(ledger.StatusApproved)
	}
	if !b.DryRun {
		if err := d.tx(ctx, func(tx *sql.Tx) error { return d.insertBatch(ctx, tx, b, ImportImported) }); err != nil {
			return err
		}
	}
	filter, err := d.newDupFilter(ctx, importFilterRows)
	if err != nil {
		return xiezuo.Internal(err)
	}
	w := &chunkWriter{d: d, ctx: ctx, status: status, u: u, b: b, stmts: map[string]*sql.Stmt{}}
	defer func() {
		w.rollback()
		if err != nil && b.ID != 0 && !b.DryRun {
			// A failure after chunks were committed: take them back, and the batch.
			cctx := context.WithoutCancel(ctx)
			_ = d.tx(cctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(cctx, `DELETE FROM contributions WHERE import_batch_id = $1`, b.ID); err != nil {
					return err
				}
				_, err := tx.ExecContext(cctx, `DELETE FROM import_batches WHERE id = $1`, b.ID)
				return err
			})
		}
	}()
	for {
		row, err := next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return err
		}
		b.Total++
		if progress != nil && b.Total%1000 == 0 {
			progress(int(b.Total))
		}
		if row.Err != "" {
			b.Errors++
			keep(ImportProblem{Line: int64(row.Line), Kind: "error", Message: row.Err, Cells: row.Cells})
			continue
		}
		c := row.Contribution
		var dup int64
		var imported bool
		if filter.maybe(c.CountyCode, c.AmountFen, c.DateFrom, c.DateTo) {
			same, giversOf, err := w.lookups()
			if err != nil {
				return xiezuo.Internal(err)
			}
			if dup, imported, err = sameContribution(ctx, same, giversOf, c, row.Key); err != nil {
				return xiezuo.Internal(err)
			}
		}
		if imported {
			b.Skipped++
			continue
		}
		if dup != 0 {
			b.Duplicates++
			rec, _ := json.Marshal(c)
			keep(ImportProblem{Line: int64(row.Line), Kind: "duplicate", Message: fmt.Sprintf("疑似重复：与已有帮扶投入（编号%d）的帮扶单位、受援县、金额和日期相同", dup),
				Cells: row.Cells, DuplicateOf: dup, record: string(rec)})
			continue
		}
		if b.DryRun || (b.Errors > 0 && b.Mode == "all") {
			b.Imported++ // would be imported; nothing is written
			continue
		}
		if msg, err := w.insert(c, row.Key); err != nil {
			return err
		} else if msg != "" {
			b.Errors++
			keep(ImportProblem{Line: int64(row.Line), Kind: "error", Message: msg, Cells: row.Cells})
			continue
		}
		filter.add(c.CountyCode, c.AmountFen, c.DateFrom, c.DateTo)
		b.Imported++
	}
	if err := w.commit(); err != nil {
		return err
	}
	refused := b.Mode == "all" && b.Errors > 0
	if b.DryRun || refused {
		b.Status = ImportDryRun
		if refused {
			b.Status = ImportRefused
			if !b.DryRun {
				b.Imported = 0
			}
		}
		return d.tx(ctx, func(tx *sql.Tx) error {
			if b.DryRun {
				if err := d.insertBatch(ctx, tx, b, b.Status); err != nil {
					return err
				}
			} else {
				// Take back the chunks written before the first error showed.
				if _, err := tx.ExecContext(ctx, `DELETE FROM contributions WHERE import_batch_id = $1`, b.ID); err != nil {
					return err
				}
				if err := d.updateBatch(ctx, tx, b); err != nil {
					return err
				}
			}
			return d.insertProblems(ctx, tx, b.ID, problems)
		})
	}
	b.Status = ImportImported
	return d.tx(ctx, func(tx *sql.Tx) error {
		if err := d.updateBatch(ctx, tx, b); err != nil {
			return err
		}
		if err := d.insertProblems(ctx, tx, b.ID, problems); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "import", "import_batch", b.ID, nil, b)
	})
}

func (d *DB) updateBatch(ctx context.Context, tx *sql.Tx, b *ImportBatch) error {
	_, err := tx.ExecContext(ctx, `UPDATE import_batches SET status = $1, rows_total = $2, rows_imported = $3, rows_skipped = $4, rows_duplicate = $5, rows_error = $6 WHERE id = $7`,
		b.Status, b.Total, b.Imported, b.Skipped, b.Duplicates, b.Errors, b.ID)
	return err
}

// chunkWriter writes imported contributions in transactions of importChunk
// rows; between transactions, and in a dry run, lookups go to the pool.
type chunkWriter struct {
	d      *DB
	ctx    context.Context
	u      *xiezuo.User
	b      *ImportBatch
	status string
	tx     *writeTx
	n      int
	began  time.Time
	stmts  map[string]*sql.Stmt
	givers []any
	// PostgreSQL: rows buffered for COPY.
	copyBuf []copyRow
}

const (
	sqlSame     = `SELECT id, COALESCE(import_key, '') FROM contributions WHERE county_code = $1 AND amount_fen = $2 AND date_from <= $3 AND date_to >= $4 LIMIT 20`
	sqlGiversOf = `SELECT org_id FROM contribution_givers WHERE contribution_id = $1 ORDER BY org_id`
)

// sqlInsertContribution is SQLite's (PostgreSQL copies, see copyInsert).
var sqlInsertContribution = `INSERT INTO contributions (unit_id, status, created_by, created_at, updated_at, ` + strings.Join(contributionCols, ", ") +
	`, import_batch_id, import_key) VALUES (` + placeholders(1, 5+len(contributionCols)+2) + `)`

func (w *chunkWriter) stmt(q string) (*sql.Stmt, error) {
	if st, ok := w.stmts[q]; ok {
		return st, nil
	}
	key := q
	q = w.d.positional(q)
	var st *sql.Stmt
	var err error
	if w.tx != nil {
		st, err = w.tx.PrepareContext(w.ctx, q)
	} else {
		st, err = w.d.db.PrepareContext(w.ctx, q)
	}
	if err == nil {
		w.stmts[key] = st
	}
	return st, err
}

// lookups are the duplicate queries, inside the open chunk if there is one.
func (w *chunkWriter) lookups() (*sql.Stmt, *sql.Stmt, error) {
	same, err := w.stmt(sqlSame)
	if err != nil {
		return nil, nil, err
	}
	giversOf, err := w.stmt(sqlGiversOf)
	return same, giversOf, err
}

// insert writes one contribution; a constraint the row checks missed is
// returned as its message (SQLite) or ends the batch (PostgreSQL aborts a
// transaction on a failed statement).
func (w *chunkWriter) insert(c *ledger.Contribution, key string) (string, error) {
	if w.d.Dialect == Postgres {
		return "", w.copyInsert(c, key)
	}
	if w.tx == nil {
		w.closeStmts()
		tx, err := w.d.begin(w.ctx)
		if err != nil {
			return "", err
		}
		w.tx, w.n, w.began = tx, 0, time.Now()
	}
	ins, err := w.stmt(sqlInsertContribution)
	if err != nil {
		return "", xiezuo.Internal(err)
	}
	unit := c.UnitID
	if unit == 0 {
		unit = w.b.UnitID
	}
	args := append([]any{unit, w.status, w.u.ID, w.b.CreatedAt, w.b.CreatedAt}, contributionArgs(c)...)
	args = append(args, w.b.ID, key)
	res, err := ins.ExecContext(w.ctx, args...)
	if err == nil {
		c.ID, err = res.LastInsertId()
	}
	if err != nil {
		if xe := mapDBError(err); xiezuo.ErrorCode(xe) != xiezuo.EINTERNAL {
			return xiezuo.ErrorMessage(xe), nil
		}
		return "", mapDBError(err)
	}
	for i, g := range c.Givers {
		w.givers = append(w.givers, c.ID, g.ID, i)
	}
	if len(w.givers) >= 600 {
		if err := w.flushGivers(); err != nil {
			return "", err
		}
	}
	if w.n++; w.n >= importChunk || time.Since(w.began) > importChunkTime {
		if err := w.commit(); err != nil {
			return "", err
		}
	}
	return "", nil
}

// flushGivers writes the buffered givers, 200 rows a statement.
func (w *chunkWriter) flushGivers() error {
	if len(w.givers) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO contribution_givers (contribution_id, org_id, seq) VALUES `)
	for i := 0; i < len(w.givers); i += 3 {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(" + placeholders(i+1, 3) + ")")
	}
	_, err := w.tx.ExecContext(w.ctx, w.d.positional(q.String()), w.givers...)
	w.givers = w.givers[:0]
	if err != nil {
		return xiezuo.Internal(err)
	}
	return nil
}

// commit ends the open chunk, if any.
func (w *chunkWriter) commit() error {
	if len(w.copyBuf) > 0 {
		return w.flushCopy()
	}
	if w.tx == nil {
		return nil
	}
	if err := w.flushGivers(); err != nil {
		return err
	}
	w.closeStmts()
	err := w.tx.Commit()
	w.tx = nil
	if err != nil {
		return mapDBError(err)
	}
	return nil
}

func (w *chunkWriter) closeStmts() {
	for q, st := range w.stmts {
		st.Close()
		delete(w.stmts, q)
	}
}

// rollback abandons an open chunk (after an error).
func (w *chunkWriter) rollback() {
	w.closeStmts()
	if w.tx != nil {
		w.tx.Rollback()
		w.tx = nil
	}
}

// finishImport ends a batch's transaction: a dry run, or a refused mode
// "all" batch, is rolled back and only the batch and its report are kept;
// otherwise the counts, the report and one audit entry are written with
// the records.
func (d *DB) finishImport(ctx context.Context, tx *writeTx, u *xiezuo.User, b *ImportBatch, problems []ImportProblem) error {
	refused := b.Mode == "all" && b.Errors > 0
	if b.DryRun || refused {
		tx.Rollback()
		b.Status = ImportDryRun
		if refused {
			b.Status = ImportRefused
		}
		return d.tx(ctx, func(tx *sql.Tx) error {
			if err := d.insertBatch(ctx, tx, b, b.Status); err != nil {
				return err
			}
			return d.insertProblems(ctx, tx, b.ID, problems)
		})
	}
	b.Status = ImportImported
	if _, err := tx.ExecContext(ctx, `UPDATE import_batches SET rows_total = $1, rows_imported = $2, rows_skipped = $3, rows_duplicate = $4, rows_error = $5 WHERE id = $6`,
		b.Total, b.Imported, b.Skipped, b.Duplicates, b.Errors, b.ID); err != nil {
		return xiezuo.Internal(err)
	}
	if err := d.insertProblems(ctx, tx.Tx, b.ID, problems); err != nil {
		return xiezuo.Internal(err)
	}
	if err := d.audit(ctx, tx.Tx, u, "import", "import_batch", b.ID, nil, b); err != nil {
		return xiezuo.Internal(err)
	}
	if err := tx.Commit(); err != nil {
		return mapDBError(err)
	}
	return nil
}

func contributionArgs(c *ledger.Contribution) []any {
	return []any{c.DateFrom, c.DateTo, c.CountyCode, nullStr(c.TownshipCode), nullStr(c.VillageCode), c.Institution, c.Form, c.Sector,
		c.Delivery, c.AmountFen, c.Quantity, c.QuantityUnit, c.Item, c.Beneficiaries, nullID(c.ActivityID), nullID(c.AgreementID), nullID(c.ProjectID), c.Note}
}

// sameContribution looks for an existing contribution like c: same county
// and amount, overlapping dates (the item may be worded differently). imported is true when one of them was
// imported from this very row before (same key); otherwise dup is one with
// the same set of givers, or 0.
func sameContribution(ctx context.Context, same, giversOf *sql.Stmt, c *ledger.Contribution, key string) (dup int64, imported bool, err error) {
	rows, err := same.QueryContext(ctx, c.CountyCode, c.AmountFen, c.DateTo, c.DateFrom)
	if err != nil {
		return 0, false, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var k string
		rows.Scan(&id, &k)
		imported = imported || k == key
		ids = append(ids, id)
	}
	rows.Close()
	if imported || len(ids) == 0 {
		return 0, imported, nil
	}
	want := make([]int64, len(c.Givers))
	for i, g := range c.Givers {
		want[i] = g.ID
	}
	slices.Sort(want)
	for _, id := range ids {
		gs, err := giversOf.QueryContext(ctx, id)
		if err != nil {
			return 0, false, err
		}
		var have []int64
		for gs.Next() {
			var g int64
			gs.Scan(&g)
			have = append(have, g)
		}
		gs.Close()
		if slices.Equal(have, want) {
			return id, false, nil
		}
	}
	return 0, false, nil
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

const batchCols = `b.id, b.kind, b.file_name, b.file_sha256, b.user_id, u.username, COALESCE(b.unit_id, 0), COALESCE(o.name, ''), b.mode, b.approve,
	b.status, b.rows_total, b.rows_imported, b.rows_skipped, b.rows_duplicate, b.rows_error, b.header, b.created_at, COALESCE(b.undone_at, '')`
const batchFrom = ` FROM import_batches b JOIN users u ON u.id = b.user_id LEFT JOIN organisations o ON o.id = b.unit_id`

func scanBatchRow(s interface{ Scan(...any) error }) (*ImportBatch, error) {
	var b ImportBatch
	var approve int
	var header string
	err := s.Scan(&b.ID, &b.Kind, &b.FileName, &b.FileSHA256, &b.UserID, &b.UserName, &b.UnitID, &b.UnitName, &b.Mode, &approve,
		&b.Status, &b.Total, &b.Imported, &b.Skipped, &b.Duplicates, &b.Errors, &header, &b.CreatedAt, &b.UndoneAt)
	b.Approve = approve == 1
	_ = json.Unmarshal([]byte(header), &b.Header)
	return &b, err
}

// canSeeBatch: the office sees every batch, others their own.
func canSeeBatch(u *xiezuo.User, b *ImportBatch) bool {
	return u != nil && (u.IsOffice() || b.UserID == u.ID)
}

// ImportBatchByID returns a batch. Callers: the office, or the user who
// imported it. Errors: ENOTFOUND.
func (d *DB) ImportBatchByID(ctx context.Context, u *xiezuo.User, id int64) (*ImportBatch, error) {
	b, err := scanBatchRow(d.db.QueryRowContext(ctx, `SELECT `+batchCols+batchFrom+` WHERE b.id = $1`, id))
	if err == sql.ErrNoRows || (err == nil && !canSeeBatch(u, b)) {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "导入批次（编号%d）不存在", id)
	} else if err != nil {
		return nil, xiezuo.Internal(err)
	}
	return b, nil
}

// ImportBatches lists the batches u may see, newest first.
func (d *DB) ImportBatches(ctx context.Context, u *xiezuo.User) ([]*ImportBatch, error) {
	w := &where{}
	if !u.IsOffice() {
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
	if !u.IsOffice() {
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
		table := tables[ledger.Kind(kind)]
		if table == "" {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "该类批次（%s）不能撤销", kind)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM import_keys WHERE batch_id = $1`, id); err != nil {
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

// ResolveDuplicate keeps (writes as a record of the batch) or discards a row
// held as a suspected duplicate. Callers: the office. Errors: EFORBIDDEN,
// ENOTFOUND, ECONFLICT (already resolved or the batch is not imported).
func (d *DB) ResolveDuplicate(ctx context.Context, u *xiezuo.User, batch, line int64, keep bool) error {
	if !u.IsOffice() {
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
			for i, g := range c.Givers {
				if _, err := tx.ExecContext(ctx, `INSERT INTO contribution_givers (contribution_id, org_id, seq) VALUES ($1, $2, $3)`, created, g.ID, i); err != nil {
					return err
				}
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
