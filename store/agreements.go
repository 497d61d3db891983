package store

import (
	"context"
	"database/sql"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
)

// SaveAgreement creates (ID 0) or updates an agreement and the pairings it
// is signed under. Callers: the owner unit's users and the office. Errors:
// EFORBIDDEN, ENOTFOUND, ECONFLICT (locked), EINVALID.
func (d *DB) SaveAgreement(ctx context.Context, u *xiezuo.User, a *ledger.Agreement) error {
	if err := a.Validate(d.Today()); err != nil {
		return err
	}
	return d.saveRecord(ctx, u, saveSpec{
		kind: ledger.KindAgreement, h: &a.Header,
		cols: []string{"title", "year", "signed_on", "pledged_fen", "activity_id", "note"},
		args: []any{a.Title, a.Year, a.SignedOn, a.PledgedFen, nullID(a.ActivityID), a.Note},
		check: func(tx *sql.Tx, p xiezuo.Problems) error {
			for _, id := range a.PairingIDs {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pairings WHERE id = $1`, id).Scan(&n); err != nil {
					return err
				}
				if n == 0 {
					p.Add("pairing_ids", "所选结对关系不存在")
				}
			}
			return d.checkLinks(ctx, tx, u, p, map[ledger.Kind]int64{ledger.KindActivity: a.ActivityID})
		},
		clear: `agreement_pairings WHERE agreement_id = $1`,
		children: func(tx *sql.Tx, id int64) error {
			seen := map[int64]bool{}
			for _, pid := range a.PairingIDs {
				if !seen[pid] {
					seen[pid] = true
					if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_pairings (agreement_id, pairing_id) VALUES ($1, $2)`, id, pid); err != nil {
						return err
					}
				}
			}
			return nil
		},
		load: func(q queryer, id int64) (any, error) { return d.getAgreement(ctx, q, id) },
	})
}

const agreementSelect = `SELECT ` + headerCols + `, x.title, x.year, x.signed_on, x.pledged_fen, COALESCE(x.activity_id, 0), x.note` + ` FROM agreements x
	JOIN organisations un ON un.id = x.unit_id JOIN users cu ON cu.id = x.created_by`

func scanAgreement(s interface{ Scan(...any) error }) (*ledger.Agreement, error) {
	var a ledger.Agreement
	err := s.Scan(append(headerDest(&a.Header), &a.Title, &a.Year, &a.SignedOn, &a.PledgedFen, &a.ActivityID, &a.Note)...)
	return &a, err
}

func (d *DB) getAgreement(ctx context.Context, q queryer, id int64) (*ledger.Agreement, error) {
	a, err := getOne(ctx, q, ledger.KindAgreement, agreementSelect, id, scanAgreement)
	if err != nil {
		return nil, err
	}
	return a, fillPairings(ctx, q, []*ledger.Agreement{a})
}

// fillPairings reads the pairings of agreements in one query.
func fillPairings(ctx context.Context, q queryer, as []*ledger.Agreement) error {
	if len(as) == 0 {
		return nil
	}
	byID := map[int64]*ledger.Agreement{}
	args := make([]any, len(as))
	for i, a := range as {
		byID[a.ID] = a
		a.PairingIDs, a.Pairings = nil, nil
		args[i] = a.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT ap.agreement_id, p.id, p.kind, eo.name, (SELECT COUNT(*) FROM pairing_partners pp WHERE pp.pairing_id = p.id),
		`+pairingWest+` FROM`+pairingFrom+` JOIN agreement_pairings ap ON ap.pairing_id = p.id
		WHERE ap.agreement_id IN (`+placeholders(1, len(args))+`) ORDER BY ap.agreement_id, p.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var aid, pid, partners int64
		var kind, east, west string
		if err := rows.Scan(&aid, &pid, &kind, &east, &partners, &west); err != nil {
			return err
		}
		label := kind + "：" + registry.JointName(east, int(partners)) + " — " + west
		a := byID[aid]
		a.PairingIDs = append(a.PairingIDs, pid)
		a.Pairings = append(a.Pairings, label)
	}
	return rows.Err()
}

// Agreement returns one agreement u may see. Errors: ENOTFOUND.
func (d *DB) Agreement(ctx context.Context, u *xiezuo.User, id int64) (*ledger.Agreement, error) {
	a, err := d.getAgreement(ctx, d.db, id)
	if err != nil {
		return nil, mapDBError(err)
	}
	return viewable(u, ledger.KindAgreement, a.Header, a, nil)
}

// agreementWhere selects agreements by signing date and, for a county, by
// the west party of their pairings.
func (d *DB) agreementWhere(u *xiezuo.User, f RecordFilter) *where {
	w := f.where(d, u, ledger.KindAgreement, "signed_on", false)
	if len(f.CountyCode) == 12 {
		w.add(`EXISTS (SELECT 1 FROM agreement_pairings ap JOIN pairings p ON p.id = ap.pairing_id LEFT JOIN organisations wo ON wo.id = p.west_org_id
			WHERE ap.agreement_id = x.id AND `+pairingPlace+` LIKE ?)`, f.CountyCode[:6]+"%")
	}
	return w
}

// ListAgreements lists agreements u may see, newest first.
func (d *DB) ListAgreements(ctx context.Context, u *xiezuo.User, f RecordFilter) ([]*ledger.Agreement, error) {
	w := d.agreementWhere(u, f)
	out, err := listAll(ctx, d, agreementSelect+w.sql()+f.page(ledger.KindAgreement), w.args, scanAgreement)
	if err != nil {
		return nil, err
	}
	if err := fillPairings(ctx, d.db, out); err != nil {
		return nil, xiezuo.Internal(err)
	}
	return out, nil
}
