package store

import (
	"context"
	"database/sql/driver"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

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

// copier runs the copy workers of one PostgreSQL import.
type copier struct {
	jobs   chan copyJob
	closed bool // jobs
	wg     sync.WaitGroup
	err    error // the first worker's error; under chunkSink.mu
}

// handOff gives the buffered rows to a copy worker, starting the workers
// on the first chunk, and waits while all are busy: at most copyWorkers
// chunks are in flight and one filling. It returns the error of a chunk
// copied before, if any: the batch then stops.
func (s *chunkSink) handOff(ctx context.Context) error {
	if err := s.copyErr(); err != nil {
		return err
	}
	if s.cp == nil {
		cp := &copier{jobs: make(chan copyJob)}
		s.cp = cp
		for range copyWorkers {
			cp.wg.Add(1)
			go func() {
				defer cp.wg.Done()
				for job := range cp.jobs {
					if s.copyErr() != nil {
						continue // the batch stops: the rest is not copied
					}
					if err := s.copyChunk(ctx, job); err != nil {
						s.mu.Lock()
						if cp.err == nil {
							cp.err = err
						}
						s.mu.Unlock()
					}
				}
			}()
		}
	}
	job := copyJob{rows: s.copyBuf, total: s.b.Total, imported: s.b.Imported}
	s.copyBuf = nil // the worker's now
	select {
	case s.cp.jobs <- job:
		return nil
	case <-ctx.Done():
		return xiezuo.Internal(ctx.Err())
	}
}

// copyErr is the first error of a copy worker, if any.
func (s *chunkSink) copyErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cp == nil {
		return nil
	}
	return s.cp.err
}

// drain waits for the chunks in flight and ends the workers; it returns
// the first error of any chunk.
func (s *chunkSink) drain() error {
	if s.cp == nil {
		return nil
	}
	if !s.cp.closed {
		close(s.cp.jobs)
		s.cp.closed = true
	}
	s.cp.wg.Wait()
	return s.copyErr()
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
		grams := make([]gramRow, 0, len(rows)*12)
		lo, hi := ids[0], ids[0]
		for i, r := range rows {
			r.c.ID = ids[i]
			lo, hi = min(lo, ids[i]), max(hi, ids[i])
			for j, g := range r.c.Givers {
				givers = append(givers, giverRow{ids[i], g.ID, int64(j), r.c.DateFrom})
			}
			grams = contributionGrams(grams, r.c)
		}
		sortGramRows(grams)
		cols := append([]string{"id", "unit_id", "status", "created_by", "created_at", "updated_at"}, contributionCols...)
		cols = append(cols, "import_batch_id", "import_key")
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"contributions"}, cols, &copySource{n: len(rows), row: func(i int, v []any) []any {
			c := rows[i].c
			v = append(v, c.ID, c.UnitID, string(s.status), s.u.ID, s.b.CreatedAt, s.b.CreatedAt)
			return append(appendContributionArgs(v, c), s.b.ID, rows[i].key)
		}}); err != nil {
			return mapDBError(err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"contribution_givers"}, giverCols, &copySource{n: len(givers), row: func(i int, v []any) []any {
			g := givers[i]
			return append(v, g.contribution, g.org, g.seq, g.date)
		}}); err != nil {
			return mapDBError(err)
		}
		kind := string(ledger.KindContribution)
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"search_grams"}, []string{"kind", "gram", "record_id"}, &copySource{n: len(grams), row: func(i int, v []any) []any {
			return append(v, kind, grams[i].gram, grams[i].id)
		}}); err != nil {
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

// copySource feeds COPY n rows, each built by row into one reused slice:
// pgx encodes a row before it asks for the next, and a chunk's values
// boxed all at once (~20 values a row, ~10 bigrams) were the import's
// largest garbage.
type copySource struct {
	n, i int
	vals []any
	row  func(i int, vals []any) []any
}

func (c *copySource) Next() bool { c.i++; return c.i <= c.n }

func (c *copySource) Values() ([]any, error) {
	c.vals = c.row(c.i-1, c.vals[:0])
	return c.vals, nil
}

func (c *copySource) Err() error { return nil }
