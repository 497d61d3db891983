package store

import (
	"context"
	"database/sql"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// SaveProject creates (ID 0) or updates a project with its milestones.
// Callers: the owner unit's users, county users for their county, the
// office. Errors: EFORBIDDEN, ENOTFOUND, ECONFLICT (locked), EINVALID.
func (d *DB) SaveProject(ctx context.Context, u *xiezuo.User, p *ledger.Project) error {
	if err := p.Validate(d.Today()); err != nil {
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
		clear: `milestones WHERE project_id = $1`,
		children: func(tx *sql.Tx, id int64) error {
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
	w := f.where(d, u, ledger.KindProject, "deadline", true)
	return listAll(ctx, d, projectSelect+w.sql()+f.page(ledger.KindProject), w.args, scanProject)
}
