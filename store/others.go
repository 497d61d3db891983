package store

import (
	"context"
	"database/sql"
	"strings"

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

// ---- agreements

// SaveAgreement creates (ID 0) or updates an agreement and the pairings it
// is signed under. Callers: the owner unit's users and the office. Errors:
// EFORBIDDEN, ENOTFOUND, ECONFLICT (locked), EINVALID.
func (d *DB) SaveAgreement(ctx context.Context, u *xiezuo.User, a *ledger.Agreement) error {
	if err := a.Validate(); err != nil {
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
		children: func(tx *sql.Tx, id int64) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM agreement_pairings WHERE agreement_id = $1`, id); err != nil {
				return err
			}
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
	rows, err := q.QueryContext(ctx, `SELECT ap.agreement_id, p.id, p.kind || '：' || eo.name || ' — ' || wo.name FROM agreement_pairings ap
		JOIN pairings p ON p.id = ap.pairing_id JOIN organisations eo ON eo.id = p.east_org_id JOIN organisations wo ON wo.id = p.west_org_id
		WHERE ap.agreement_id IN (`+placeholders(1, len(args))+`) ORDER BY ap.agreement_id, p.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var aid, pid int64
		var label string
		if err := rows.Scan(&aid, &pid, &label); err != nil {
			return err
		}
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
func agreementWhere(u *xiezuo.User, f RecordFilter) *where {
	w := f.where(u, "signed_on", false)
	if len(f.CountyCode) == 12 {
		w.add(`EXISTS (SELECT 1 FROM agreement_pairings ap JOIN pairings p ON p.id = ap.pairing_id JOIN organisations wo ON wo.id = p.west_org_id
			WHERE ap.agreement_id = x.id AND wo.region_code LIKE ?)`, f.CountyCode[:6]+"%")
	}
	return w
}

// ListAgreements lists agreements u may see, newest first.
func (d *DB) ListAgreements(ctx context.Context, u *xiezuo.User, f RecordFilter) ([]*ledger.Agreement, error) {
	w := agreementWhere(u, f)
	out, err := listAll(ctx, d, agreementSelect+w.sql()+f.page("x.signed_on DESC, x.id DESC"), w.args, scanAgreement)
	if err != nil {
		return nil, err
	}
	if err := fillPairings(ctx, d.db, out); err != nil {
		return nil, xiezuo.Internal(err)
	}
	return out, nil
}

// ---- projects

// SaveProject creates (ID 0) or updates a project with its milestones.
// Callers: the owner unit's users, county users for their county, the
// office. Errors: EFORBIDDEN, ENOTFOUND, ECONFLICT (locked), EINVALID.
func (d *DB) SaveProject(ctx context.Context, u *xiezuo.User, p *ledger.Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return d.saveRecord(ctx, u, saveSpec{
		kind: ledger.KindProject, h: &p.Header, county: p.CountyCode,
		cols: []string{"title", "county_code", "township_code", "village_code", "sector", "funding_source", "budget_fen",
			"start_on", "deadline", "progress", "work_state", "completed_on", "note"},
		args: []any{p.Title, p.CountyCode, nullStr(p.TownshipCode), nullStr(p.VillageCode), p.Sector, p.FundingSource, p.BudgetFen,
			nullStr(p.StartOn), p.Deadline, p.Progress, p.WorkState, nullStr(p.CompletedOn), p.Note},
		check: func(tx *sql.Tx, pr xiezuo.Problems) error {
			return checkRegions(ctx, tx, pr, map[string]string{"county_code": p.CountyCode, "township_code": p.TownshipCode, "village_code": p.VillageCode})
		},
		children: func(tx *sql.Tx, id int64) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM milestones WHERE project_id = $1`, id); err != nil {
				return err
			}
			for i, m := range p.Milestones {
				if _, err := tx.ExecContext(ctx, `INSERT INTO milestones (project_id, seq, title, due_on, done_on) VALUES ($1, $2, $3, $4, $5)`,
					id, i+1, m.Title, m.DueOn, nullStr(m.DoneOn)); err != nil {
					return err
				}
			}
			return nil
		},
		load: func(q queryer, id int64) (any, error) { return d.getProject(ctx, q, id) },
	})
}

const projectSelect = `SELECT ` + headerCols + `, x.title, x.county_code, rc.name, COALESCE(x.township_code, ''), COALESCE(rt.name, ''),
	COALESCE(x.village_code, ''), COALESCE(rv.name, ''), x.sector, x.funding_source, x.budget_fen, COALESCE(x.start_on, ''), x.deadline,
	x.progress, x.work_state, COALESCE(x.completed_on, ''), x.note
	FROM projects x JOIN organisations un ON un.id = x.unit_id JOIN users cu ON cu.id = x.created_by
	JOIN regions rc ON rc.code = x.county_code LEFT JOIN regions rt ON rt.code = x.township_code LEFT JOIN regions rv ON rv.code = x.village_code`

func scanProject(s interface{ Scan(...any) error }) (*ledger.Project, error) {
	var p ledger.Project
	err := s.Scan(append(headerDest(&p.Header), &p.Title, &p.CountyCode, &p.CountyName, &p.TownshipCode, &p.TownshipName,
		&p.VillageCode, &p.VillageName, &p.Sector, &p.FundingSource, &p.BudgetFen, &p.StartOn, &p.Deadline,
		&p.Progress, &p.WorkState, &p.CompletedOn, &p.Note)...)
	return &p, err
}

func (d *DB) getProject(ctx context.Context, q queryer, id int64) (*ledger.Project, error) {
	p, err := getOne(ctx, q, ledger.KindProject, projectSelect, id, scanProject)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT title, due_on, COALESCE(done_on, '') FROM milestones WHERE project_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var m ledger.Milestone
		if err := rows.Scan(&m.Title, &m.DueOn, &m.DoneOn); err != nil {
			return nil, err
		}
		p.Milestones = append(p.Milestones, m)
	}
	return p, rows.Err()
}

// Project returns one project u may see. Errors: ENOTFOUND.
func (d *DB) Project(ctx context.Context, u *xiezuo.User, id int64) (*ledger.Project, error) {
	p, err := d.getProject(ctx, d.db, id)
	if err != nil {
		return nil, mapDBError(err)
	}
	return viewable(u, ledger.KindProject, p.Header, p, nil)
}

// ListProjects lists projects u may see by deadline.
func (d *DB) ListProjects(ctx context.Context, u *xiezuo.User, f RecordFilter) ([]*ledger.Project, error) {
	w := f.where(u, "deadline", true)
	return listAll(ctx, d, projectSelect+w.sql()+f.page("x.deadline, x.id"), w.args, scanProject)
}

// ---- labour records

// SaveLabour creates (ID 0) or updates a labour record. Callers: the owner
// unit's users, county users for their county, the office. Errors:
// EFORBIDDEN, ENOTFOUND, ECONFLICT (locked), EINVALID.
func (d *DB) SaveLabour(ctx context.Context, u *xiezuo.User, l *ledger.LabourRecord) error {
	if err := l.Validate(); err != nil {
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
	w := f.where(u, "date_from", true)
	return listAll(ctx, d, labourSelect+w.sql()+f.page("x.date_from DESC, x.id DESC"), w.args, scanLabour)
}

// ---- beneficiary batches

// SaveBatch creates (ID 0) or updates a beneficiary batch. Callers: the
// owner unit's users, county users for their county, the office. Errors:
// EFORBIDDEN, ENOTFOUND, ECONFLICT (locked), EINVALID.
func (d *DB) SaveBatch(ctx context.Context, u *xiezuo.User, b *ledger.Batch) error {
	if err := b.Validate(); err != nil {
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
	COALESCE(x.activity_id, 0), x.note FROM batches x JOIN organisations un ON un.id = x.unit_id
	JOIN users cu ON cu.id = x.created_by JOIN regions rc ON rc.code = x.county_code`

func scanBatch(s interface{ Scan(...any) error }) (*ledger.Batch, error) {
	var b ledger.Batch
	err := s.Scan(append(headerDest(&b.Header), &b.Date, &b.CountyCode, &b.CountyName, &b.Kind, &b.Label, &b.Count, &b.CountUnit,
		&b.ActivityID, &b.Note)...)
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
	w := f.where(u, "date", true)
	return listAll(ctx, d, batchSelect+w.sql()+f.page("x.date DESC, x.id DESC"), w.args, scanBatch)
}
