package store

import (
	"context"
	"database/sql"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

const rectSelect = `SELECT x.id, x.year, x.title, x.source, x.measure, x.owner_org_id, o.name, COALESCE(x.county_code, ''), COALESCE(r.name, ''),
	x.due_on, COALESCE(x.done_on, ''), x.note
	FROM rectifications x JOIN organisations o ON o.id = x.owner_org_id LEFT JOIN regions r ON r.code = x.county_code`

func scanRect(s interface{ Scan(...any) error }) (*ledger.Rectification, error) {
	r := &ledger.Rectification{}
	return r, s.Scan(&r.ID, &r.Year, &r.Title, &r.Source, &r.Measure, &r.OwnerID, &r.OwnerName, &r.CountyCode, &r.CountyName, &r.DueOn, &r.DoneOn, &r.Note)
}

// Rectifications lists a year's 问题整改 items by due date (open ones
// only when open is true). Anyone signed in may call it. Errors: EINTERNAL.
func (d *DB) Rectifications(ctx context.Context, year int, open bool) ([]*ledger.Rectification, error) {
	w := &where{}
	if year != 0 {
		w.add("x.year = ?", year)
	}
	if open {
		w.add("x.done_on IS NULL")
	}
	rows, err := d.db.QueryContext(ctx, rectSelect+w.sql()+` ORDER BY x.due_on, x.id`, w.args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []*ledger.Rectification
	for rows.Next() {
		r, err := scanRect(rows)
		if err != nil {
			return nil, xiezuo.Internal(err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Rectification returns one item. Errors: ENOTFOUND.
func (d *DB) Rectification(ctx context.Context, id int64) (*ledger.Rectification, error) {
	r, err := scanRect(d.db.QueryRowContext(ctx, rectSelect+` WHERE x.id = $1`, id))
	if err != nil {
		return nil, mapDBError(err)
	}
	return r, nil
}

// SaveRectification creates (ID 0) or updates an item, audited. Callers:
// the office. Errors: EFORBIDDEN, EINVALID, ENOTFOUND.
func (d *DB) SaveRectification(ctx context.Context, u *xiezuo.User, r *ledger.Rectification) error {
	if err := permit(ledger.CanEditRectifications(u), "只有协作办可以登记问题整改"); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		p := xiezuo.Problems{}
		if err := checkOrgs(ctx, tx, p, "owner", "责任单位", r.OwnerID); err != nil {
			return err
		}
		if r.CountyCode != "" {
			if err := checkRegions(ctx, tx, p, map[string]string{"county_code": r.CountyCode}); err != nil {
				return err
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		now := d.now()
		if r.ID == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO rectifications (year, title, source, measure, owner_org_id, county_code, due_on, done_on, note, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
				r.Year, r.Title, r.Source, r.Measure, r.OwnerID, nullStr(r.CountyCode), r.DueOn, nullStr(r.DoneOn), r.Note, u.ID, now).Scan(&r.ID); err != nil {
				return err
			}
			return d.audit(ctx, tx, u, "create", "rectification", r.ID, nil, r)
		}
		old, err := scanRect(tx.QueryRowContext(ctx, rectSelect+` WHERE x.id = $1`, r.ID))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE rectifications SET year = $1, title = $2, source = $3, measure = $4, owner_org_id = $5, county_code = $6,
			due_on = $7, done_on = $8, note = $9, updated_at = $10 WHERE id = $11`,
			r.Year, r.Title, r.Source, r.Measure, r.OwnerID, nullStr(r.CountyCode), r.DueOn, nullStr(r.DoneOn), r.Note, now, r.ID); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "update", "rectification", r.ID, old, r)
	})
}
