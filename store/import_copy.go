package store

import (
	"context"
	"database/sql/driver"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/sync/errgroup"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// copyWorkers is how many chunks a PostgreSQL import copies at once, each
// in its own transaction on its own connection, while the importing
// goroutine checks the next rows. A chunk's COPY is the server's work
// (its indexes and foreign-key checks: ~95 µs a row against the client's
// ~40), and copied one after the other, with the client waiting on each,
// one of this machine's two cores stood idle (perf: 42% idle).
const copyWorkers = 2

// copyRow is a contribution waiting to be copied into PostgreSQL.
type copyRow struct {
	c   *ledger.Contribution
	key string
}

// copyJob is a chunk handed to a copy worker, with the batch's progress
// when it was handed over (for the heartbeat it writes).
type copyJob struct {
	rows            []copyRow
	total, imported int64
}

// handOff gives the buffered rows to a copy worker, starting one per
// chunk up to copyWorkers and waiting while all are busy: at most
// copyWorkers chunks are in flight and one filling. Once a chunk has
// failed (which cancels the others) it returns that chunk's error: the
// batch then stops.
func (s *chunkSink) handOff(ctx context.Context) error {
	if s.copies == nil {
		s.copies, s.copyCtx = errgroup.WithContext(ctx)
		s.copies.SetLimit(copyWorkers)
	}
	if err := s.copyCtx.Err(); err != nil {
		if werr := s.drain(); werr != nil {
			return werr
		}
		return xiezuo.Internal(err)
	}
	job := copyJob{rows: s.copyBuf, total: s.b.Total, imported: s.b.Imported}
	s.copyBuf = nil // the worker's now
	s.copies.Go(func() error { return s.copyChunk(s.copyCtx, job) })
	return nil
}

// drain waits for the chunks in flight; it returns the first error of
// any chunk.
func (s *chunkSink) drain() error {
	if s.copies == nil {
		return nil
	}
	return s.copies.Wait()
}

// copyChunk writes a chunk of contributions into PostgreSQL with the COPY
// protocol in one transaction: ids are reserved from the identity sequence
// first, so the givers and the bigrams can be copied too. The rows are the
// batch's, hidden from every reader and left out of the sums until the
// batch is published (close), so a chunk takes neither the write lock nor
// the audit lock: chunks are copied side by side, and other users' saves
// never wait for one. Its heartbeat widens the batch's id range (the
// chunks may commit out of order) in the same transaction, so a batch
// whose process dies still knows every row it wrote.
func (s *chunkSink) copyChunk(ctx context.Context, job copyJob) error {
	rows := job.rows
	if len(rows) == 0 {
		return nil
	}
	conn, err := s.d.db.Conn(ctx)
	if err != nil {
		return xiezuo.Internal(err)
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		if w, ok := driverConn.(interface{ Unwrap() driver.Conn }); ok {
			driverConn = w.Unwrap()
		}
		pc := driverConn.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return xiezuo.Internal(err)
		}
		defer tx.Rollback(ctx)
		// The batch's rows are hidden and counted by the batch: the sum
		// triggers need not look at them (see migration 00011).
		if _, err := tx.Exec(ctx, "SET LOCAL xiezuo.batch = 'on'"); err != nil {
			return xiezuo.Internal(err)
		}
		// The sequence's name once, not once a row (2% of the server's time).
		ids := make([]int64, 0, len(rows))
		res, err := tx.Query(ctx, `SELECT nextval(q.seq) FROM (SELECT pg_get_serial_sequence('contributions', 'id')::regclass AS seq OFFSET 0) q, generate_series(1, $1)`, len(rows))
		if err != nil {
			return xiezuo.Internal(err)
		}
		for res.Next() {
			var id int64
			res.Scan(&id)
			ids = append(ids, id)
		}
		res.Close()
		if err := res.Err(); err != nil || len(ids) != len(rows) {
			return xiezuo.Internal(err)
		}
		givers := make([]giverRow, 0, len(rows)*3/2)
		lo, hi := ids[0], ids[0]
		for i, r := range rows {
			r.c.ID = ids[i]
			lo, hi = min(lo, ids[i]), max(hi, ids[i])
			for j, g := range r.c.Givers {
				givers = append(givers, giverRow{ids[i], g.ID, int64(j), r.c.DateFrom})
			}
		}
		cols := append([]string{"id", "unit_id", "status", "created_by", "created_at", "updated_at"}, contributionCols...)
		cols = append(cols, "import_batch_id", "import_key", "grams")
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"contributions"}, cols, copyRows(len(rows), func(i int, v []any) []any {
			c := rows[i].c
			v = append(v, c.ID, c.UnitID, string(s.status), s.u.ID, s.b.CreatedAt, s.b.CreatedAt)
			return append(appendContributionArgs(v, c), s.b.ID, rows[i].key, gramsArg(searchGrams(c.Item, c.Institution, c.Note)))
		})); err != nil {
			return mapDBError(err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"contribution_givers"}, giverCols, copyRows(len(givers), func(i int, v []any) []any {
			g := givers[i]
			return append(v, g.contribution, g.org, g.seq, g.date)
		})); err != nil {
			return mapDBError(err)
		}
		if _, err := tx.Exec(ctx, sqlBeat, s.d.now(), lo, hi, job.total, job.imported, s.b.ID); err != nil {
			return xiezuo.Internal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			return mapDBError(err)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, r := range rows {
			s.wrote(r.c)
		}
		return nil
	})
}

// giverRow is one giver of one copied contribution.
type giverRow struct {
	contribution, org, seq int64
	date                   string
}

// copyRows feeds COPY n rows, each built by row into one reused slice:
// pgx encodes a row before it asks for the next, and a chunk's values
// boxed all at once (~20 values a row, ~10 bigrams) were the import's
// largest garbage.
func copyRows(n int, row func(i int, vals []any) []any) pgx.CopyFromSource {
	var vals []any
	i := 0
	return pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		vals = row(i, vals[:0])
		i++
		return vals, nil
	})
}
