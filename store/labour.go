package store

import (
	"context"
	"database/sql"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// SaveLabour creates (ID 0) or updates a labour record. Callers: the owner
// unit's users, county users for their county, the office. Errors:
// EFORBIDDEN, ENOTFOUND, ECONFLICT (locked), EINVALID.
func (d *DB) SaveLabour(ctx context.Context, u *xiezuo.User, l *ledger.LabourRecord) error {
	if err := l.Validate(d.Today()); err != nil {
		return err
	}
	return d.saveRecord(ctx, u, saveSpec{
		kind: ledger.KindLabour, h: &l.Header, county: l.CountyCode,
		cols: []string{"date_from", "date_to", "county_code", "kind", "trained", "placed", "poor_count", "destination", "activity_id", "note"},
		args: []any{l.DateFrom, l.DateTo, l.CountyCode, l.Kind, l.Trained, l.Placed, l.PoorCount, l.Destination, nullID(l.ActivityID), l.Note},
		check: func(tx *sql.Tx, p xiezuo.Problems) error {
			if err := checkRegions(ctx, tx, p, map[string]string{"county_code": l.CountyCode}); err != nil {
				return err
			}
			return d.checkLinks(ctx, tx, u, p, map[ledger.Kind]int64{ledger.KindActivity: l.ActivityID})
		},
		load: func(q queryer, id int64) (any, error) {
			return getOne(ctx, q, ledger.KindLabour, labourSelect, id, scanLabour)
		},
	})
}

const labourSelect = `SELECT ` + headerCols + `, x.date_from, x.date_to, x.county_code, rc.name, x.kind, x.trained, x.placed, x.poor_count,
	x.destination, COALESCE(x.activity_id, 0), x.note FROM labour_records x JOIN organisations un ON un.id = x.unit_id
	JOIN users cu ON cu.id = x.created_by JOIN regions rc ON rc.code = x.county_code`

func scanLabour(s interface{ Scan(...any) error }) (*ledger.LabourRecord, error) {
	var l ledger.LabourRecord
	err := s.Scan(append(headerDest(&l.Header), &l.DateFrom, &l.DateTo, &l.CountyCode, &l.CountyName, &l.Kind, &l.Trained, &l.Placed,
		&l.PoorCount, &l.Destination, &l.ActivityID, &l.Note)...)
	return &l, err
}

// Labour returns one labour record u may see. Errors: ENOTFOUND.
func (d *DB) Labour(ctx context.Context, u *xiezuo.User, id int64) (*ledger.LabourRecord, error) {
	l, err := getOne(ctx, d.db, ledger.KindLabour, labourSelect, id, scanLabour)
	if err != nil {
		return nil, mapDBError(err)
	}
	return viewable(u, ledger.KindLabour, l.Header, l, nil)
}

// ListLabour lists labour records u may see, newest first.
func (d *DB) ListLabour(ctx context.Context, u *xiezuo.User, f RecordFilter) ([]*ledger.LabourRecord, error) {
	w := f.where(d, u, ledger.KindLabour, "date_from", true)
	return listAll(ctx, d, labourSelect+w.sql()+f.page(ledger.KindLabour), w.args, scanLabour)
}
