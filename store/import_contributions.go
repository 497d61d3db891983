package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

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
	// importLease is how long a running batch may go without a heartbeat
	// before it is taken for dead (its process killed) and marked 中断.
	importLease = 30 * time.Second
)

// chunkSink writes a contributions batch in transactions of importChunk
// rows as status 'importing', which no reader sees; close makes them all
// drafts or approved records, and adds them to the running sums, in one
// transaction. Each chunk also records the batch's heartbeat and the range
// of ids it wrote, so a batch whose process died can be found and taken
// back.
type chunkSink struct {
	d      *DB
	u      *xiezuo.User
	b      *ImportBatch
	filter *dupFilter
	tx     *writeTx
	n      int
	began  time.Time
	beat   time.Time
	stmts  map[string]*sql.Stmt
	givers []any
	// The ids this batch wrote lie in first..last (other users' records
	// may lie between them).
	first, last int64
	// PostgreSQL: rows buffered for COPY.
	copyBuf []copyRow
}

const (
	sqlSame     = `SELECT id, COALESCE(import_key, ''), status, COALESCE(import_batch_id, 0) FROM contributions WHERE county_code = $1 AND amount_fen = $2 AND date_from <= $3 AND date_to >= $4 LIMIT 20`
	sqlGiversOf = `SELECT org_id FROM contribution_givers WHERE contribution_id = $1 ORDER BY org_id`
	sqlBeat     = `UPDATE import_batches SET heartbeat_at = $1, first_id = COALESCE(first_id, $2), last_id = $3, rows_total = $4, rows_imported = $5 WHERE id = $6`
)

// sqlInsertContribution is SQLite's (PostgreSQL copies, see copyChunk).
var sqlInsertContribution = `INSERT INTO contributions (unit_id, status, created_by, created_at, updated_at, ` + strings.Join(contributionCols, ", ") +
	`, import_batch_id, import_key) VALUES (` + placeholders(1, 5+len(contributionCols)+2) + `)`

func (s *chunkSink) open(ctx context.Context) error {
	f, err := s.d.newDupFilter(ctx, importFilterRows)
	if err != nil {
		return xiezuo.Internal(err)
	}
	s.filter = f
	if s.b.DryRun {
		return nil
	}
	s.beat = time.Now()
	return s.d.tx(ctx, func(tx *sql.Tx) error {
		if err := s.d.insertBatch(ctx, tx, s.b, ImportRunning); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE import_batches SET heartbeat_at = $1 WHERE id = $2`, s.d.now(), s.b.ID)
		return err
	})
}

func (s *chunkSink) put(ctx context.Context, r *BatchRow, write bool) (rowResult, error) {
	c := r.Contribution
	if c.UnitID == 0 {
		c.UnitID = s.b.UnitID
	}
	if c.UnitID == 0 {
		return rowResult{kind: "error", message: "【填报单位】未填写，且导入账号不属于任何单位"}, nil
	}
	if s.filter.maybe(c.CountyCode, c.AmountFen, c.DateFrom, c.DateTo) {
		dup, imported, err := s.same(ctx, c, r.Key)
		if err != nil {
			return rowResult{}, xiezuo.Internal(err)
		}
		if imported {
			return rowResult{kind: "skipped"}, nil
		}
		if dup != 0 {
			rec, _ := json.Marshal(c)
			return rowResult{kind: "duplicate", dupOf: dup, record: string(rec),
				message: fmt.Sprintf("疑似重复：与已有帮扶投入（编号%d）的帮扶单位、受援县、金额和日期相同", dup)}, nil
		}
	}
	if !write {
		return rowResult{kind: "written"}, nil // would be written
	}
	if msg, err := s.insert(ctx, c, r.Key); err != nil {
		return rowResult{}, err
	} else if msg != "" {
		return rowResult{kind: "error", message: msg}, nil
	}
	s.filter.add(c.CountyCode, c.AmountFen, c.DateFrom, c.DateTo)
	return rowResult{kind: "written"}, nil
}

// tick ends the open chunk when it is full or old, and otherwise shows the
// batch alive while it only checks rows.
func (s *chunkSink) tick(ctx context.Context) error {
	switch {
	case s.tx != nil && (s.n >= s.d.chunkRows() || time.Since(s.began) > importChunkTime):
		return s.commit(ctx)
	case len(s.copyBuf) > 0 && (len(s.copyBuf) >= s.d.chunkRows() || time.Since(s.began) > importChunkTime):
		return s.commit(ctx)
	case s.tx == nil && len(s.copyBuf) == 0 && !s.b.DryRun && time.Since(s.beat) > importChunkTime:
		s.beat = time.Now()
		return s.d.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, sqlBeat, s.beatArgs()...)
			return err
		})
	}
	return nil
}

func (s *chunkSink) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.stmts[q]; ok {
		return st, nil
	}
	key := q
	q = s.d.positional(q)
	var st *sql.Stmt
	var err error
	if s.tx != nil {
		st, err = s.tx.PrepareContext(ctx, q)
	} else {
		st, err = s.d.db.PrepareContext(ctx, q)
	}
	if err == nil {
		s.stmts[key] = st
	}
	return st, err
}

// same looks for an existing contribution like c: same county and amount,
// overlapping dates (the item may be worded differently). imported is true
// when one of them was imported from this very row before (same key);
// otherwise dup is one with the same set of givers, or 0. Rows of other
// unfinished batches are not records yet and are passed over.
func (s *chunkSink) same(ctx context.Context, c *ledger.Contribution, key string) (dup int64, imported bool, err error) {
	same, err := s.stmt(ctx, sqlSame)
	if err != nil {
		return 0, false, err
	}
	rows, err := same.QueryContext(ctx, c.CountyCode, c.AmountFen, c.DateTo, c.DateFrom)
	if err != nil {
		return 0, false, err
	}
	var ids []int64
	for rows.Next() {
		var id, batch int64
		var k, status string
		if err := rows.Scan(&id, &k, &status, &batch); err != nil {
			rows.Close()
			return 0, false, err
		}
		if status == string(ledger.StatusImporting) && batch != s.b.ID {
			continue
		}
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
	giversOf, err := s.stmt(ctx, sqlGiversOf)
	if err != nil {
		return 0, false, err
	}
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

// insert writes one contribution as 'importing'; a constraint the row
// checks missed is returned as its message (SQLite) or ends the batch
// (PostgreSQL aborts a transaction on a failed statement).
func (s *chunkSink) insert(ctx context.Context, c *ledger.Contribution, key string) (string, error) {
	if s.d.Dialect == Postgres {
		if len(s.copyBuf) == 0 {
			s.began = time.Now()
		}
		s.copyBuf = append(s.copyBuf, copyRow{c, key})
		return "", nil
	}
	if s.tx == nil {
		s.closeStmts()
		tx, err := s.d.begin(ctx)
		if err != nil {
			return "", err
		}
		s.tx, s.n, s.began = tx, 0, time.Now()
	}
	ins, err := s.stmt(ctx, sqlInsertContribution)
	if err != nil {
		return "", xiezuo.Internal(err)
	}
	args := append([]any{c.UnitID, string(ledger.StatusImporting), s.u.ID, s.b.CreatedAt, s.b.CreatedAt}, contributionArgs(c)...)
	args = append(args, s.b.ID, key)
	res, err := ins.ExecContext(ctx, args...)
	if err == nil {
		c.ID, err = res.LastInsertId()
	}
	if err != nil {
		if xe := mapDBError(err); xiezuo.ErrorCode(xe) != xiezuo.EINTERNAL {
			return xiezuo.ErrorMessage(xe), nil
		}
		return "", mapDBError(err)
	}
	s.wrote(c.ID)
	s.n++
	for i, g := range c.Givers {
		s.givers = append(s.givers, c.ID, g.ID, i)
	}
	if len(s.givers) >= 600 {
		if err := s.flushGivers(ctx); err != nil {
			return "", err
		}
	}
	return "", nil
}

func (s *chunkSink) wrote(id int64) {
	if s.first == 0 {
		s.first = id
	}
	s.last = max(s.last, id)
}

// flushGivers writes the buffered givers, 200 rows a statement.
func (s *chunkSink) flushGivers(ctx context.Context) error {
	if len(s.givers) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO contribution_givers (contribution_id, org_id, seq) VALUES `)
	for i := 0; i < len(s.givers); i += 3 {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(" + placeholders(i+1, 3) + ")")
	}
	_, err := s.tx.ExecContext(ctx, s.d.positional(q.String()), s.givers...)
	s.givers = s.givers[:0]
	if err != nil {
		return xiezuo.Internal(err)
	}
	return nil
}

// commit ends the open chunk, if any, with the batch's heartbeat.
func (s *chunkSink) commit(ctx context.Context) error {
	if len(s.copyBuf) > 0 {
		err := s.copyChunk(ctx, s.copyBuf)
		s.copyBuf = s.copyBuf[:0]
		s.beat = time.Now()
		return err
	}
	if s.tx == nil {
		return nil
	}
	if err := s.flushGivers(ctx); err != nil {
		return err
	}
	if _, err := s.tx.ExecContext(ctx, sqlBeat, s.beatArgs()...); err != nil {
		return xiezuo.Internal(err)
	}
	s.closeStmts()
	err := s.tx.Commit()
	s.tx, s.beat = nil, time.Now()
	if err != nil {
		return mapDBError(err)
	}
	return nil
}

// beatArgs are sqlBeat's: the heartbeat, the ids written so far and the
// progress the batch page shows while it runs (or after it died).
func (s *chunkSink) beatArgs() []any {
	return []any{s.d.now(), nullID(s.first), nullID(s.last), s.b.Total, s.b.Imported, s.b.ID}
}

func (s *chunkSink) closeStmts() {
	for q, st := range s.stmts {
		st.Close()
		delete(s.stmts, q)
	}
}

// close publishes an imported batch: in one transaction its rows become
// drafts or approved records, counted in the running sums by one aggregate
// per sum table (the triggers leave rows coming out of 'importing' alone).
// A refused batch keeps only its report; its hidden rows are then deleted.
func (s *chunkSink) close(ctx context.Context, report func(*sql.Tx) error) error {
	if err := s.commit(ctx); err != nil {
		return err
	}
	s.closeStmts()
	if s.b.Status != ImportImported {
		if err := s.d.tx(ctx, report); err != nil {
			return err
		}
		return s.d.deleteImporting(ctx, s.b.ID, s.first, s.last)
	}
	status := ledger.StatusDraft
	if s.b.Approve {
		status = ledger.StatusApproved
	}
	start := time.Now()
	defer func() {
		s.d.Log.Info("导入批次已发布", "batch", s.b.ID, "rows", s.b.Imported, "status", status, "took", time.Since(start).Round(time.Millisecond))
	}()
	return s.d.tx(ctx, func(tx *sql.Tx) error {
		// The batch row first: on PostgreSQL this locks it against a
		// concurrent RecoverImports until the batch is published.
		if _, err := tx.ExecContext(ctx, `UPDATE import_batches SET heartbeat_at = $1 WHERE id = $2`, s.d.now(), s.b.ID); err != nil {
			return err
		}
		if s.first != 0 {
			if err := publishImported(ctx, tx, s.b.ID, s.first, s.last, status); err != nil {
				return err
			}
		}
		return report(tx)
	})
}

// publishImported makes a batch's hidden rows records of status.
func publishImported(ctx context.Context, tx *sql.Tx, batch, first, last int64, status ledger.Status) error {
	const rows = ` FROM contributions x WHERE x.id BETWEEN $1 AND $2 AND x.import_batch_id = $3 AND x.status = 'importing'`
	args := []any{first, last, batch}
	if status == ledger.StatusApproved {
		for _, q := range []string{
			`INSERT INTO contribution_sums (day, county_code, area, delivery, n, fen)
				SELECT x.date_from, x.county_code, x.area, x.delivery, COUNT(*), SUM(x.amount_fen)` + rows + ` GROUP BY 1, 2, 3, 4
				ON CONFLICT (day, county_code, area, delivery) DO UPDATE SET n = contribution_sums.n + excluded.n, fen = contribution_sums.fen + excluded.fen`,
			`INSERT INTO contribution_month_sums (month, county_code, area, delivery, n, fen)
				SELECT substr(x.date_from, 1, 7), x.county_code, x.area, x.delivery, COUNT(*), SUM(x.amount_fen)` + rows + ` GROUP BY 1, 2, 3, 4
				ON CONFLICT (month, county_code, area, delivery) DO UPDATE SET n = contribution_month_sums.n + excluded.n, fen = contribution_month_sums.fen + excluded.fen`,
			`INSERT INTO giver_sums (month, county_code, org_id, n, fen)
				SELECT substr(x.date_from, 1, 7), x.county_code, g.org_id, COUNT(*), SUM(x.amount_fen)` +
				strings.Replace(rows, "contributions x", "contributions x JOIN contribution_givers g ON g.contribution_id = x.id", 1) + ` GROUP BY 1, 2, 3
				ON CONFLICT (month, county_code, org_id) DO UPDATE SET n = giver_sums.n + excluded.n, fen = giver_sums.fen + excluded.fen`,
		} {
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE contributions SET status = $4 WHERE id BETWEEN $1 AND $2 AND import_batch_id = $3 AND status = 'importing'`,
		first, last, batch, string(status))
	return err
}

// abort rolls back the open chunk, marks the batch 中断 and deletes what
// it wrote (after a stop or a failure; a killed process leaves this to
// RecoverImports and DiscardImport).
func (s *chunkSink) abort(ctx context.Context) {
	s.closeStmts()
	if s.tx != nil {
		s.tx.Rollback()
		s.tx = nil
	}
	if s.b.ID == 0 || s.b.DryRun {
		return
	}
	_ = s.d.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE import_batches SET status = $1, rows_total = $2 WHERE id = $3 AND status = $4`,
			ImportInterrupted, s.b.Total, s.b.ID, ImportRunning)
		return err
	})
	_ = s.d.deleteImporting(ctx, s.b.ID, s.first, s.last)
	s.b.Status = ImportInterrupted
}

func (d *DB) chunkRows() int {
	if d.ImportChunk > 0 {
		return d.ImportChunk
	}
	return importChunk
}

// deleteImporting deletes a batch's hidden rows, importChunk at a time so
// other writers get their turns.
func (d *DB) deleteImporting(ctx context.Context, batch, first, last int64) error {
	if first == 0 {
		return nil
	}
	for {
		var n int64
		err := d.tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM contributions WHERE id IN (SELECT id FROM contributions
				WHERE id BETWEEN $1 AND $2 AND import_batch_id = $3 AND status = 'importing' LIMIT `+fmt.Sprint(importChunk)+`)`, first, last, batch)
			if err == nil {
				n, err = res.RowsAffected()
			}
			return err
		})
		if err != nil || n == 0 {
			return err
		}
	}
}
