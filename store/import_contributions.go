package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

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
// rows, in their final status (draft, or approved), while the batch is
// running: every reader passes over them (liveContribution) and the sum
// triggers leave them out. Each chunk also records the batch's heartbeat
// and the range of ids it wrote, by which readers know its rows and a
// batch whose process died is taken back. close marks the batch imported
// and adds the sums counted as it wrote, in one transaction: no row is
// touched again.
type chunkSink struct {
	d      *DB
	u      *xiezuo.User
	b      *ImportBatch
	status ledger.Status
	sums   *importSums
	filter *dupFilter
	tx     *writeTx
	n      int
	began  time.Time
	beat   time.Time
	stmts  map[string]*sql.Stmt
	givers []any
	grams  []gramRow // the chunk's bigrams for search_grams, written at its commit
	// The ids this batch wrote lie in first..last (other users' records
	// may lie between them).
	first, last int64
	// PostgreSQL: rows buffered for COPY, and the workers that copy them
	// (handOff) in copyCtx; mu guards first, last and sums, which the
	// workers update.
	copyBuf []copyRow
	copies  *errgroup.Group
	copyCtx context.Context
	mu      sync.Mutex
}

const (
	sqlSame = `SELECT c.id, COALESCE(c.import_key, ''), COALESCE(c.import_batch_id, 0), EXISTS (SELECT 1 FROM import_batches b WHERE b.id = c.import_batch_id AND b.status IN ('running', 'interrupted'))
		FROM contributions c WHERE c.county_code = $1 AND c.date_from >= $2 AND c.date_from <= $3 AND c.amount_fen = $4 AND c.date_to >= $5 LIMIT 20`
	sqlGiversOf = `SELECT org_id FROM contribution_givers WHERE contribution_id = $1 ORDER BY org_id`
	// sqlBeat only widens the batch's id range and moves its progress
	// forward: PostgreSQL's chunks may commit out of order (copyChunk).
	sqlBeat = `UPDATE import_batches SET heartbeat_at = $1,
		first_id = CASE WHEN first_id IS NULL OR first_id > $2 THEN $2 ELSE first_id END,
		last_id = CASE WHEN last_id IS NULL OR last_id < $3 THEN $3 ELSE last_id END,
		rows_total = CASE WHEN rows_total > $4 THEN rows_total ELSE $4 END,
		rows_imported = CASE WHEN rows_imported > $5 THEN rows_imported ELSE $5 END WHERE id = $6`
)

// sqlInsertContribution is SQLite's (PostgreSQL copies, see copyChunk).
var sqlInsertContribution = `INSERT INTO contributions (unit_id, status, created_by, created_at, updated_at, ` + strings.Join(contributionCols, ", ") +
	`, import_batch_id, import_key) VALUES (` + placeholders(1, 5+len(contributionCols)+2) + `)`

func (s *chunkSink) open(ctx context.Context) error {
	s.status = ledger.StatusDraft
	if s.b.Approve {
		s.status = ledger.StatusApproved
		s.sums = newImportSums()
	}
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
		_, err := tx.ExecContext(ctx, sqlBeat, s.beatArgs()...)
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
	rows, err := same.QueryContext(ctx, c.CountyCode, s.filter.earliest(c.CountyCode, c.AmountFen, c.DateFrom, c.DateTo), c.DateTo, c.AmountFen, c.DateFrom)
	if err != nil {
		return 0, false, err
	}
	var ids []int64
	for rows.Next() {
		var id, batch int64
		var k string
		var hidden bool
		if err := rows.Scan(&id, &k, &batch, &hidden); err != nil {
			rows.Close()
			return 0, false, err
		}
		if hidden && batch != s.b.ID { // another unfinished batch: not a record yet
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

// insert writes one contribution; a constraint the row
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
	args := append([]any{c.UnitID, string(s.status), s.u.ID, s.b.CreatedAt, s.b.CreatedAt}, contributionArgs(c)...)
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
	s.wrote(c)
	s.n++
	for i, g := range c.Givers {
		s.givers = append(s.givers, c.ID, g.ID, i, c.DateFrom)
	}
	s.grams = contributionGrams(s.grams, c)
	if len(s.givers) >= 200*len(giverCols) {
		if err := s.flushGivers(ctx); err != nil {
			return "", err
		}
	}
	return "", nil
}

// wrote notes a written row: its id, and its money for the running sums.
func (s *chunkSink) wrote(c *ledger.Contribution) {
	if s.first == 0 {
		s.first = c.ID
	}
	s.last = max(s.last, c.ID)
	s.sums.add(c)
}

// flushGivers writes the buffered givers, 200 rows a statement.
func (s *chunkSink) flushGivers(ctx context.Context) error {
	if len(s.givers) == 0 {
		return nil
	}
	_, err := s.tx.ExecContext(ctx, s.d.valuesSQL(`INSERT INTO contribution_givers (`+strings.Join(giverCols, ", ")+`)`, len(s.givers)/len(giverCols), len(giverCols), ""), s.givers...)
	s.givers = s.givers[:0]
	if err != nil {
		return xiezuo.Internal(err)
	}
	return nil
}

// valuesSQL is head + " VALUES (…), (…)" for n rows of width
// placeholders each, then tail, in d's placeholder style. The text is
// built once per shape (callers send at most 300 rows, so the shapes are
// few): an import sends the same full-size statement thousands of times,
// and building it each time cost 14 s of a million-row import's 224 s of
// writer CPU.
func (d *DB) valuesSQL(head string, n, width int, tail string) string {
	key := valuesKey{head, tail, n, width}
	if q, ok := d.values.Load(key); ok {
		return q.(string)
	}
	var q strings.Builder
	q.WriteString(head + " VALUES ")
	for i := 0; i < n; i++ {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(" + placeholders(i*width+1, width) + ")")
	}
	q.WriteString(tail)
	text := d.positional(q.String())
	d.values.Store(key, text)
	return text
}

// valuesKey is the shape of a multi-row insert (see valuesSQL).
type valuesKey struct {
	head, tail string
	n, width   int
}

// commit ends the open chunk, if any, with the batch's heartbeat.
func (s *chunkSink) commit(ctx context.Context) error {
	if len(s.copyBuf) > 0 {
		s.beat = time.Now()
		return s.handOff(ctx)
	}
	if s.tx == nil {
		return nil
	}
	if err := s.flushGivers(ctx); err != nil {
		return err
	}
	if len(s.grams) > 0 {
		err := s.d.insertGramRows(ctx, s.tx, s.grams)
		s.grams = s.grams[:0]
		if err != nil {
			return xiezuo.Internal(err)
		}
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
	s.mu.Lock()
	defer s.mu.Unlock()
	return []any{s.d.now(), nullID(s.first), nullID(s.last), s.b.Total, s.b.Imported, s.b.ID}
}

func (s *chunkSink) closeStmts() {
	for q, st := range s.stmts {
		st.Close()
		delete(s.stmts, q)
	}
}

// close ends the batch. An imported batch is marked so, with its sums
// added, in one transaction: from its commit every reader sees all its
// rows. A refused batch deletes its rows while they are still hidden, then
// keeps its report.
func (s *chunkSink) close(ctx context.Context, report func(*sql.Tx) error) error {
	if err := s.commit(ctx); err != nil {
		return err
	}
	if err := s.drain(); err != nil {
		return err
	}
	s.closeStmts()
	if s.b.Status != ImportImported {
		if err := s.d.deleteUnfinished(ctx, s.b.ID, s.first, s.last); err != nil {
			return err
		}
		return s.d.tx(ctx, report)
	}
	start := time.Now()
	defer func() {
		s.d.Log.Debug("导入批次已完成", "batch", s.b.ID, "rows", s.b.Imported, "status", s.status, "publish", time.Since(start).Round(time.Millisecond))
	}()
	return s.d.tx(ctx, func(tx *sql.Tx) error {
		// report updates the batch row first (status imported: the rows
		// are live), which on PostgreSQL also locks it against a
		// concurrent RecoverImports until this commits.
		if err := report(tx); err != nil {
			return err
		}
		return s.sums.apply(ctx, s.d, tx)
	})
}

// abort rolls back the open chunk, marks the batch 中断 and deletes what
// it wrote (after a stop or a failure; a killed process leaves this to
// RecoverImports and DiscardImport).
func (s *chunkSink) abort(ctx context.Context) {
	s.drain() // the chunks in flight commit or fail before their rows are taken back
	s.closeStmts()
	if s.tx != nil {
		s.tx.Rollback()
		s.tx = nil
	}
	s.grams = s.grams[:0]
	if s.b.ID == 0 || s.b.DryRun {
		return
	}
	_ = s.d.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE import_batches SET status = $1, rows_total = $2 WHERE id = $3 AND status = $4`,
			ImportInterrupted, s.b.Total, s.b.ID, ImportRunning)
		return err
	})
	_ = s.d.deleteUnfinished(ctx, s.b.ID, s.first, s.last)
	s.b.Status = ImportInterrupted
}

func (d *DB) chunkRows() int {
	if d.ImportChunk > 0 {
		return d.ImportChunk
	}
	return importChunk
}

// deleteUnfinished deletes the rows of a batch that is not finished (still
// hidden, so no sum changes), a window of importChunk ids at a time so
// other writers get their turns. The windows are primary-key ranges, so
// both statements read the same rows by the index, whatever the planner
// knows of a table that just grew.
func (d *DB) deleteUnfinished(ctx context.Context, batch, first, last int64) error {
	if first == 0 {
		return nil
	}
	for lo := first; lo <= last; lo += importChunk {
		hi := min(lo+importChunk-1, last)
		err := d.tx(ctx, func(tx *sql.Tx) error {
			if d.Dialect == Postgres { // hidden rows: the sum triggers need not look
				if _, err := tx.ExecContext(ctx, `SET LOCAL xiezuo.batch = 'on'`); err != nil {
					return err
				}
			}
			// The bigrams of the rows about to go.
			if err := d.unindexSearch(ctx, tx, ledger.KindContribution, `x.id BETWEEN $1 AND $2 AND x.import_batch_id = $3`, lo, hi, batch); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM contributions WHERE id BETWEEN $1 AND $2 AND import_batch_id = $3`, lo, hi, batch)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// importSums are the running sums of an approved batch's rows, counted as
// they are written and added when the batch is published: one map per
// sums table (sumTables), keyed by its key columns. The benchmark's
// 1.1M-row database has ~485,000 sums rows, so the keys are numbers: the
// giver's org_id as itself, every other column a string numbered once
// (a key of six interface values took 96 bytes and a boxed string header
// each, and held on to the rows' strings; this one takes 48).
type importSums struct {
	tables []map[sumKey][2]int64 // n, fen
	ids    map[string]int64
	strs   []string
}

// sumKey is a sums row's key columns, in table order.
type sumKey [6]int64

// sumTables are the running-sums tables, as their triggers keep them: the
// key columns, then n and fen.
var sumTables = []struct{ table, keys string }{
	{"contribution_sums", "day, county_code, area, form, delivery"},
	{"contribution_month_sums", "month, county_code, area, form, sector, delivery"},
	{"township_month_sums", "township_code, month, area, form, sector, delivery"},
	{"giver_sums", "month, county_code, org_id, form"},
}

func newImportSums() *importSums {
	m := &importSums{tables: make([]map[sumKey][2]int64, len(sumTables)), ids: map[string]int64{}}
	for i := range m.tables {
		m.tables[i] = map[sumKey][2]int64{}
	}
	return m
}

// id is the number of the key string v.
func (m *importSums) id(v string) int64 {
	if id, ok := m.ids[v]; ok {
		return id
	}
	v = strings.Clone(v) // not the row's memory
	m.ids[v] = int64(len(m.strs))
	m.strs = append(m.strs, v)
	return int64(len(m.strs) - 1)
}

func (m *importSums) add(c *ledger.Contribution) {
	if m == nil {
		return // a batch of drafts counts nothing
	}
	count := func(table int, k sumKey) {
		v := m.tables[table][k]
		m.tables[table][k] = [2]int64{v[0] + 1, v[1] + c.AmountFen}
	}
	day, month, county := m.id(c.DateFrom), m.id(c.DateFrom[:7]), m.id(c.CountyCode)
	area, form, sector, delivery := m.id(ledger.ContributionArea(c.Form, c.Sector)), m.id(c.Form), m.id(c.Sector), m.id(c.Delivery)
	count(0, sumKey{day, county, area, form, delivery})
	count(1, sumKey{month, county, area, form, sector, delivery})
	if c.TownshipCode != "" {
		count(2, sumKey{m.id(c.TownshipCode), month, area, form, sector, delivery})
	}
	for _, g := range c.Givers {
		count(3, sumKey{month, county, g.ID, form})
	}
}

// apply adds the sums to the sums tables, 100 rows a statement.
func (m *importSums) apply(ctx context.Context, d *DB, tx *sql.Tx) error {
	if m == nil {
		return nil // a batch of drafts
	}
	for i, t := range sumTables {
		cols := strings.Split(t.keys, ", ")
		keys, num := len(cols), slices.Index(cols, "org_id") // the one number column, or -1
		tail := " ON CONFLICT (" + t.keys + ") DO UPDATE SET n = " + t.table + ".n + excluded.n, fen = " + t.table + ".fen + excluded.fen"
		args := make([]any, 0, 100*(keys+2))
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			rows := len(args) / (keys + 2)
			_, err := tx.ExecContext(ctx, d.valuesSQL("INSERT INTO "+t.table+" ("+t.keys+", n, fen)", rows, keys+2, tail), args...)
			args = args[:0]
			return err
		}
		for k, v := range m.tables[i] {
			for j, x := range k[:keys] {
				if j == num {
					args = append(args, x)
				} else {
					args = append(args, m.strs[x])
				}
			}
			if args = append(args, v[0], v[1]); len(args) == cap(args) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
	}
	return nil
}
