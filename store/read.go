package store

import (
	"context"
	"database/sql"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// getOne reads one record with sel (which ends in FROM … joins) and scan,
// mapping no rows to ENOTFOUND.
func getOne[T any](ctx context.Context, q queryer, kind ledger.Kind, sel string, id int64, scan func(interface{ Scan(...any) error }) (T, error)) (T, error) {
	v, err := scan(q.QueryRowContext(ctx, sel+` WHERE x.id = $1`, id))
	if err == sql.ErrNoRows {
		return v, notFound(kind, id)
	}
	return v, err
}

// listAll reads every row of a query with scan.
func listAll[T any](ctx context.Context, d *DB, q string, args []any, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, xiezuo.Internal(err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// viewable returns v when u may see header h, else ENOTFOUND.
func viewable[T any](u *xiezuo.User, kind ledger.Kind, h ledger.Header, v T, err error) (T, error) {
	var zero T
	if err != nil {
		return zero, mapDBError(err)
	}
	if !ledger.CanView(u, h) {
		return zero, notFound(kind, h.ID)
	}
	return v, nil
}
