package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// SaveBatch creates (ID 0) or updates a beneficiary batch. Callers: the
// owner unit's users, county users for their county, the office. Errors:
// EFORBIDDEN, ENOTFOUND, ECONFLICT (locked), EINVALID.
func (d *DB) SaveBatch(ctx context.Context, u *xiezuo.User, b *ledger.Batch) error {
	if err := b.Validate(d.Today()); err != nil {
		return err
	}
	return d.saveRecord(ctx, u, saveSpec{
		kind: ledger.KindBatch, h: &b.Header, county: b.CountyCode,
		cols: []string{"date", "county_code", "kind", "label", "count", "count_unit", "activity_id", "note"},
		args: []any{b.Date, b.CountyCode, b.Kind, strings.TrimSpace(b.Label), b.Count, b.CountUnit, nullID(b.ActivityID), b.Note},
		check: func(tx *sql.Tx, p xiezuo.Problems) error {
			if err := checkRegions(ctx, tx, p, map[string]string{"county_code": b.CountyCode}); err != nil {
				return err
			}
			return d.checkLinks(ctx, tx, u, p, map[ledger.Kind]int64{ledger.KindActivity: b.ActivityID})
		},
		load: func(q queryer, id int64) (any, error) {
			return getOne(ctx, q, ledger.KindBatch, batchSelect, id, scanBatch)
		},
	})
}

const batchSelect = `SELECT ` + headerCols + `, x.date, x.county_code, rc.name, x.kind, x.label, x.count, x.count_unit,
	COALESCE(x.activity_id, 0), x.note, (SELECT COUNT(*) FROM beneficiaries bn WHERE bn.batch_id = x.id) FROM batches x JOIN organisations un ON un.id = x.unit_id
	JOIN users cu ON cu.id = x.created_by JOIN regions rc ON rc.code = x.county_code`

func scanBatch(s interface{ Scan(...any) error }) (*ledger.Batch, error) {
	var b ledger.Batch
	err := s.Scan(append(headerDest(&b.Header), &b.Date, &b.CountyCode, &b.CountyName, &b.Kind, &b.Label, &b.Count, &b.CountUnit,
		&b.ActivityID, &b.Note, &b.RegisterCount)...)
	return &b, err
}

// Batch returns one batch u may see. Errors: ENOTFOUND.
func (d *DB) Batch(ctx context.Context, u *xiezuo.User, id int64) (*ledger.Batch, error) {
	b, err := getOne(ctx, d.db, ledger.KindBatch, batchSelect, id, scanBatch)
	if err != nil {
		return nil, mapDBError(err)
	}
	return viewable(u, ledger.KindBatch, b.Header, b, nil)
}

// ListBatches lists batches u may see, newest first.
func (d *DB) ListBatches(ctx context.Context, u *xiezuo.User, f RecordFilter) ([]*ledger.Batch, error) {
	w := f.where(d, u, ledger.KindBatch, "date", true)
	return listAll(ctx, d, batchSelect+w.sql()+f.page(ledger.KindBatch), w.args, scanBatch)
}
