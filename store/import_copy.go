package store

import (
	"context"
	"database/sql/driver"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// copyRow is a contribution waiting to be copied into PostgreSQL.
type copyRow struct {
	c   *ledger.Contribution
	key string
}

// copyChunk writes buffered contributions into PostgreSQL with the COPY
// protocol in one transaction: ids are reserved from the identity sequence
// first, so the givers can be copied too.
func (s *chunkSink) copyChunk(ctx context.Context, rows []copyRow) error {
	if len(rows) == 0 {
		return nil
	}
	s.d.wmu.Lock() // as every writer (DB.begin): the turn before a connection
	defer s.d.wmu.Unlock()
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
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7310105)"); err != nil {
			return xiezuo.Internal(err)
		}
		// The batch's rows are hidden and counted by the batch: the sum
		// triggers need not look at them (see migration 00011).
		if _, err := tx.Exec(ctx, "SET LOCAL xiezuo.batch = 'on'"); err != nil {
			return xiezuo.Internal(err)
		}
		ids := make([]int64, 0, len(rows))
		res, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('contributions', 'id')) FROM generate_series(1, $1)`, len(rows))
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
		cols := append([]string{"id", "unit_id", "status", "created_by", "created_at", "updated_at"}, contributionCols...)
		cols = append(cols, "import_batch_id", "import_key")
		var givers, grams [][]any
		data := make([][]any, len(rows))
		for i, r := range rows {
			r.c.ID = ids[i]
			s.wrote(r.c)
			vals := append([]any{ids[i], r.c.UnitID, string(s.status), s.u.ID, s.b.CreatedAt, s.b.CreatedAt}, contributionArgs(r.c)...)
			data[i] = append(vals, s.b.ID, r.key)
			for j, g := range r.c.Givers {
				givers = append(givers, []any{ids[i], g.ID, int64(j), r.c.DateFrom})
			}
			for _, g := range searchGrams(r.c.Item, r.c.Institution, r.c.Note) {
				grams = append(grams, []any{string(ledger.KindContribution), g, ids[i]})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"contributions"}, cols, pgx.CopyFromRows(data)); err != nil {
			return mapDBError(err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"contribution_givers"}, giverCols, pgx.CopyFromRows(givers)); err != nil {
			return mapDBError(err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"search_grams"}, []string{"kind", "gram", "record_id"}, pgx.CopyFromRows(grams)); err != nil {
			return mapDBError(err)
		}
		if _, err := tx.Exec(ctx, sqlBeat, s.beatArgs()...); err != nil {
			return xiezuo.Internal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			return mapDBError(err)
		}
		return nil
	})
}
