package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// BatchRow is one row of an import file, parsed and checked by the caller
// (package imports). A row has an Err, or a record to write: Contribution
// for the contributions kind, Save for every other kind.
type BatchRow struct {
	Line  int
	Cells []string
	Err   string // why the row cannot be written (reported, not written)
	Key   string // fingerprint: a row imported before, from any file, is skipped
	// Contribution is a contributions row's record.
	Contribution *ledger.Contribution
	// Save writes the row's record through its service and returns its id.
	// It runs inside the batch's transaction (ctx carries it), so the
	// service authorises, validates and audits as for a form. ErrSkipRow
	// means the record is registered already.
	Save func(ctx context.Context, u *xiezuo.User) (int64, error)
	// DuplicateOf names an existing record the row resembles; the row is
	// held for the office, Record (JSON) being what is written if kept.
	DuplicateOf int64
	Record      string
	// Note is said of a row that is written all the same (kind notice):
	// an 832 order whose origin does not count, for one.
	Note string
}

// ErrSkipRow is returned by a BatchRow's Save for a record that exists
// already: the row is counted as skipped.
var ErrSkipRow = errors.New("already registered")

// rowResult is what a sink did with one checked row.
type rowResult struct {
	kind    string // written (or would be, in a dry run), skipped, duplicate, error
	message string
	dupOf   int64
	record  string
}

// batchSink writes the rows of one kind. Import drives it:
// open → put and tick for each row → close, or abort on any failure.
type batchSink interface {
	// open prepares the batch; the batch row exists afterwards unless this
	// is a dry run.
	open(ctx context.Context) error
	// put writes one checked row; write is false in a dry run and after a
	// mode "all" batch met an error (the row is then only checked).
	put(ctx context.Context, r *BatchRow, write bool) (rowResult, error)
	// tick lets the sink end a chunk and show it is alive.
	tick(ctx context.Context) error
	// close ends the batch as b.Status says; report writes the batch's
	// counts, problem rows and audit entry in the last transaction.
	close(ctx context.Context, report func(*sql.Tx) error) error
	// abort takes back what the batch wrote after a failure or a stop.
	abort(ctx context.Context)
}

// Import writes the rows next yields (io.EOF at the end) as one batch of
// b.Kind: parse and check errors, rows imported before (same Key, skipped)
// and suspected duplicates are reported per row; mode "all" writes nothing
// when any row has an error, "valid" writes the valid rows; a dry run
// writes only its report. A batch is atomic for readers: none of its rows
// is seen by any list, total, export or report until it has finished, and
// a batch whose process dies is marked 中断 at the next start with its rows
// still hidden (DiscardImport removes them). Contributions are written in
// chunks, so other users keep saving during a long import; the other
// kinds, a few thousand rows at most, in one transaction. Records are
// drafts of b.UnitID (the user's unit, or each row's own), or approved
// with b.Approve (office only; meaningless for registry kinds). progress,
// if set, is called every 1,000 rows.
// Callers: see ledger.CanImport. Errors: EFORBIDDEN, EINVALID (mode),
// EINTERNAL; a cancelled ctx stops the batch and takes its rows back.
func (d *DB) Import(ctx context.Context, u *xiezuo.User, b *ImportBatch, next func() (BatchRow, error), progress func(int)) (err error) {
	kind := ledger.Kind(b.Kind)
	noReview := !kind.Valid() // registry kinds and targets are not reviewed
	switch {
	case !ledger.CanImport(u, kind, b.UnitID):
		if noReview {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能导入该类数据（基础信息、考核目标由协作办导入）")
		}
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只能为本单位导入记录")
	case b.Approve && !noReview && !ledger.CanReview(u): // approving is reviewing
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以直接导入为已通过")
	case b.Mode != "all" && b.Mode != "valid":
		return xiezuo.Errorf(xiezuo.EINVALID, "导入模式应为 all 或 valid")
	}
	if noReview {
		b.Approve = false // nothing to review
	}
	if b.UnitID == 0 {
		b.UnitID = u.OrgID
	}
	b.UserID, b.CreatedAt, b.Status = u.ID, d.now(), ImportRunning
	b.Total, b.Imported, b.Skipped, b.Duplicates, b.Errors = 0, 0, 0, 0, 0
	var s batchSink
	if kind == ledger.KindContribution {
		s = &chunkSink{d: d, u: u, b: b, stmts: map[string]*sql.Stmt{}}
	} else {
		s = &txSink{d: d, u: u, b: b}
	}
	if err := s.open(ctx); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			s.abort(context.WithoutCancel(ctx))
		}
	}()
	var problems []ImportProblem
	keep := func(p ImportProblem) {
		if len(problems) < maxKeptProblems {
			problems = append(problems, p)
		}
	}
	for {
		row, err := next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return xiezuo.Errorf(xiezuo.EINTERNAL, "导入已停止，已写入的行已撤回")
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
		res, err := s.put(ctx, &row, !b.DryRun && !(b.Mode == "all" && b.Errors > 0))
		if err != nil {
			return err
		}
		switch res.kind {
		case "written":
			b.Imported++
			if row.Note != "" {
				keep(ImportProblem{Line: int64(row.Line), Kind: "notice", Message: row.Note, Cells: row.Cells})
			}
		case "skipped":
			b.Skipped++
		case "duplicate":
			b.Duplicates++
			keep(ImportProblem{Line: int64(row.Line), Kind: "duplicate", Message: res.message, Cells: row.Cells, DuplicateOf: res.dupOf, record: res.record})
		default:
			b.Errors++
			keep(ImportProblem{Line: int64(row.Line), Kind: "error", Message: res.message, Cells: row.Cells})
		}
		if err := s.tick(ctx); err != nil {
			return err
		}
	}
	refused := b.Mode == "all" && b.Errors > 0
	if refused {
		b.Imported = 0 // a dry run too: mode all would import nothing
	}
	switch {
	case b.DryRun:
		b.Status = ImportDryRun
	case refused:
		b.Status = ImportRefused
	default:
		b.Status = ImportImported
	}
	return s.close(ctx, func(tx *sql.Tx) error {
		if b.ID == 0 {
			if err := d.insertBatch(ctx, tx, b, b.Status); err != nil {
				return err
			}
		} else if err := d.updateBatch(ctx, tx, b); err != nil {
			return err
		}
		if err := d.insertProblems(ctx, tx, b.ID, problems); err != nil {
			return err
		}
		if b.Status != ImportImported {
			return nil // nothing written but the report
		}
		return d.audit(ctx, tx, u, "import", "import_batch", b.ID, nil, b)
	})
}

// batchTxKey is the context key of the transaction a txSink writes in;
// batchKey that of its batch (a row's Save may record what it did).
type (
	batchTxKey struct{}
	batchKey   struct{}
)

// txSink writes the rows of a low-volume kind in one transaction, each
// row in a savepoint through its service; the batch row is written in the
// same transaction, so a batch whose process dies leaves nothing behind.
// A dry run and a refused batch write every row too, to check it as it
// would be written, and roll back.
type txSink struct {
	d   *DB
	u   *xiezuo.User
	b   *ImportBatch
	tx  *writeTx
	ctx context.Context // carries tx
}

func (s *txSink) open(ctx context.Context) error {
	tx, err := s.d.begin(ctx)
	if err != nil {
		return err
	}
	s.tx, s.ctx = tx, context.WithValue(context.WithValue(ctx, batchTxKey{}, tx.Tx), batchKey{}, s.b)
	if err := s.d.insertBatch(ctx, tx.Tx, s.b, ImportRunning); err != nil {
		tx.Rollback()
		return xiezuo.Internal(err)
	}
	return nil
}

func (s *txSink) put(_ context.Context, r *BatchRow, _ bool) (rowResult, error) {
	ctx, kind := s.ctx, s.b.Kind
	if r.Key != "" { // a row without a key (a target) is written again each time
		var seen int
		if err := s.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM import_keys WHERE kind = $1 AND key = $2`, kind, r.Key).Scan(&seen); err != nil {
			return rowResult{}, xiezuo.Internal(err)
		} else if seen > 0 {
			return rowResult{kind: "skipped"}, nil
		}
	}
	if r.DuplicateOf != 0 {
		return rowResult{kind: "duplicate", dupOf: r.DuplicateOf, record: r.Record,
			message: fmt.Sprintf("疑似重复：与已有活动（编号%d）同县且日期重叠，可能是同一行程；由协作办决定作为同一行程的报送保留，或舍弃", r.DuplicateOf)}, nil
	}
	if _, err := s.tx.ExecContext(ctx, `SAVEPOINT batch_row`); err != nil {
		return rowResult{}, xiezuo.Internal(err)
	}
	err := s.write(r)
	if err == nil {
		_, err = s.tx.ExecContext(ctx, `RELEASE SAVEPOINT batch_row`)
		if err != nil {
			return rowResult{}, xiezuo.Internal(err)
		}
		return rowResult{kind: "written"}, nil
	}
	if _, rerr := s.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT batch_row`); rerr != nil {
		return rowResult{}, xiezuo.Internal(rerr)
	}
	if _, rerr := s.tx.ExecContext(ctx, `RELEASE SAVEPOINT batch_row`); rerr != nil {
		return rowResult{}, xiezuo.Internal(rerr)
	}
	if errors.Is(err, ErrSkipRow) {
		return rowResult{kind: "skipped"}, nil
	}
	if xiezuo.ErrorCode(err) == xiezuo.EINTERNAL {
		return rowResult{}, err
	}
	return rowResult{kind: "error", message: xiezuo.ErrorMessage(err)}, nil
}

// write saves one row, links it to the batch and, for an approved batch,
// submits and approves it.
func (s *txSink) write(r *BatchRow) error {
	ctx, kind := s.ctx, ledger.Kind(s.b.Kind)
	id, err := r.Save(ctx, s.u)
	if err != nil {
		return err
	}
	if table := tables[kind]; table != "" { // registry kinds are not linked to batches
		if _, err := s.tx.ExecContext(ctx, `UPDATE `+table+` SET import_batch_id = $1 WHERE id = $2`, s.b.ID, id); err != nil {
			return mapDBError(err)
		}
	}
	if r.Key == "" {
		return nil
	}
	if _, err := s.tx.ExecContext(ctx, `INSERT INTO import_keys (kind, key, batch_id, record_id) VALUES ($1, $2, $3, $4)`, string(kind), r.Key, s.b.ID, id); err != nil {
		return mapDBError(err)
	}
	if s.b.Approve && kind.Valid() {
		for _, a := range []ledger.Action{ledger.ActionSubmit, ledger.ActionApprove} {
			if err := s.d.Transition(ctx, s.u, kind, id, a, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *txSink) tick(context.Context) error { return nil }

func (s *txSink) close(ctx context.Context, report func(*sql.Tx) error) error {
	if s.b.Status == ImportImported {
		if err := report(s.tx.Tx); err != nil {
			s.tx.Rollback()
			return mapDBError(err)
		}
		if err := s.tx.Commit(); err != nil {
			return mapDBError(err)
		}
		return nil
	}
	// A dry run or a refused batch: nothing it wrote is kept but the report.
	s.tx.Rollback()
	s.b.ID = 0
	return s.d.tx(ctx, report)
}

func (s *txSink) abort(context.Context) { s.tx.Rollback() }
