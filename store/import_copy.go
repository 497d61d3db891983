package store

import (
	"time"

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
func (w *chunkWriter) copyChunk(rows []copyRow) error {
	if len(rows) == 0 {
		return nil
	}
	conn, err := w.d.db.Conn(w.ctx)
	if err != nil {
		return xiezuo.Internal(err)
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		pc := driverConn.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(w.ctx)
		if err != nil {
			return xiezuo.Internal(err)
		}
		defer tx.Rollback(w.ctx)
		if _, err := tx.Exec(w.ctx, "SELECT pg_advisory_xact_lock(7310105)"); err != nil {
			return xiezuo.Internal(err)
		}
		ids := make([]int64, 0, len(rows))
		res, err := tx.Query(w.ctx, `SELECT nextval(pg_get_serial_sequence('contributions', 'id')) FROM generate_series(1, $1)`, len(rows))
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
		var givers [][]any
		data := make([][]any, len(rows))
		for i, r := range rows {
			r.c.ID = ids[i]
			unit := r.c.UnitID
			if unit == 0 {
				unit = w.b.UnitID
			}
			vals := append([]any{ids[i], unit, w.status, w.u.ID, w.b.CreatedAt, w.b.CreatedAt}, contributionArgs(r.c)...)
			data[i] = append(vals, w.b.ID, r.key)
			for j, g := range r.c.Givers {
				givers = append(givers, []any{ids[i], g.ID, int64(j)})
			}
		}
		if _, err := tx.CopyFrom(w.ctx, pgx.Identifier{"contributions"}, cols, pgx.CopyFromRows(data)); err != nil {
			return mapDBError(err)
		}
		if _, err := tx.CopyFrom(w.ctx, pgx.Identifier{"contribution_givers"}, []string{"contribution_id", "org_id", "seq"}, pgx.CopyFromRows(givers)); err != nil {
			return mapDBError(err)
		}
		if err := tx.Commit(w.ctx); err != nil {
			return mapDBError(err)
		}
		return nil
	})
}

// copyInsert buffers a row for COPY and writes the buffer when it is full
// or old enough (PostgreSQL).
func (w *chunkWriter) copyInsert(c *ledger.Contribution, key string) error {
	if len(w.copyBuf) == 0 {
		w.began = time.Now()
	}
	w.copyBuf = append(w.copyBuf, copyRow{c, key})
	if len(w.copyBuf) >= importChunk || time.Since(w.began) > importChunkTime {
		return w.flushCopy()
	}
	return nil
}

func (w *chunkWriter) flushCopy() error {
	err := w.copyChunk(w.copyBuf)
	w.copyBuf = w.copyBuf[:0]
	return err
}
