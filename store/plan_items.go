package store

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/plan"
)

// The yearly plan (计划 2021 年项目): plan items per county and year, with
// actual figures read from the records they are linked to (plan.Item):
// a contribution counts once approved and 到位, a project its budget once
// approved and 1 once completed.

const planItemSelect = `SELECT x.id, x.year, x.county_code, rc.name, COALESCE(x.township_code, ''), COALESCE(rt.name, ''), x.kind, x.title, x.category,
	COALESCE(x.unit_id, 0), COALESCE(o.name, ''), x.target_fen, x.target_count, COALESCE(x.match_id, 0), COALESCE(m.need_id, 0),
	COALESCE(x.contribution_id, 0), COALESCE(x.project_id, 0), x.note,
	CASE WHEN c.status = 'approved' AND c.delivery = 'delivered' THEN c.amount_fen WHEN p.status = 'approved' THEN p.budget_fen ELSE 0 END,
	CASE WHEN c.status = 'approved' AND c.delivery = 'delivered' THEN 1 WHEN p.status = 'approved' AND p.work_state = 'completed' THEN 1 ELSE 0 END
	FROM plan_items x JOIN regions rc ON rc.code = x.county_code LEFT JOIN regions rt ON rt.code = x.township_code
	LEFT JOIN organisations o ON o.id = x.unit_id LEFT JOIN matches m ON m.id = x.match_id
	LEFT JOIN contributions c ON c.id = x.contribution_id LEFT JOIN projects p ON p.id = x.project_id`

func readPlanItems(ctx context.Context, q queryer, query string, args ...any) ([]plan.Item, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []plan.Item
	for rows.Next() {
		var it plan.Item
		if err := rows.Scan(&it.ID, &it.Year, &it.CountyCode, &it.CountyName, &it.TownshipCode, &it.TownshipName, &it.Kind, &it.Title, &it.Category,
			&it.UnitID, &it.UnitName, &it.TargetFen, &it.TargetCount, &it.MatchID, &it.NeedID, &it.ContributionID, &it.ProjectID, &it.Note,
			&it.ActualFen, &it.ActualCount); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// DefaultPlanYear is the year the plan page shows when none is asked
// for: the newest year with plan items, not after next year (an office
// plans the coming year late in this one); this year when there are none.
// Callers: plan.CanUse. Errors: EINTERNAL.
func (d *DB) DefaultPlanYear(ctx context.Context) (int, error) {
	this := d.Now().In(xiezuo.China).Year()
	var y int
	if err := d.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(year), 0) FROM plan_items WHERE year <= $1`, this+1).Scan(&y); err != nil {
		return 0, xiezuo.Internal(err)
	}
	if y == 0 {
		return this, nil
	}
	return y, nil
}

// PlanItems lists the plan of a county for a year (county "": every
// county), by county, then kind (projects first), then id. Callers:
// plan.CanUse. Errors: EINTERNAL.
func (d *DB) PlanItems(ctx context.Context, u *xiezuo.User, county string, year int) ([]plan.Item, error) {
	if !plan.CanUse(u) {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能查看年度计划")
	}
	w := &where{}
	w.add("x.year = ?", year)
	if county != "" {
		w.add("x.county_code = ?", county)
	}
	items, err := readPlanItems(ctx, d.db, planItemSelect+w.sql()+` ORDER BY x.county_code, x.kind DESC, x.id`, w.args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	return items, nil
}

// PlanItem returns one plan item. Errors: ENOTFOUND, EINTERNAL.
func (d *DB) PlanItem(ctx context.Context, u *xiezuo.User, id int64) (*plan.Item, error) {
	if !plan.CanUse(u) {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能查看年度计划")
	}
	items, err := readPlanItems(ctx, d.db, planItemSelect+` WHERE x.id = $1`, id)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	if len(items) == 0 {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "计划项（编号%d）不存在", id)
	}
	return &items[0], nil
}

// SavePlanItem enters (ID 0) or changes a plan item, audited; an item a
// match made keeps its link. Callers: plan.CanEditPlan (the office).
// Errors: EFORBIDDEN, ENOTFOUND, EINVALID (fields, unknown county, unit or
// linked record), EINTERNAL.
func (d *DB) SavePlanItem(ctx context.Context, u *xiezuo.User, it *plan.Item) error {
	if !plan.CanEditPlan(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以编制年度计划")
	}
	if err := it.Validate(d.Today()); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		var before *plan.Item
		if it.ID != 0 {
			old, err := readPlanItems(ctx, tx, planItemSelect+` WHERE x.id = $1`, it.ID)
			if err != nil {
				return err
			}
			if len(old) == 0 {
				return xiezuo.Errorf(xiezuo.ENOTFOUND, "计划项（编号%d）不存在", it.ID)
			}
			before = &old[0]
			if before.MatchID != 0 { // made by a match: its link stays
				it.MatchID, it.ContributionID, it.ProjectID = before.MatchID, before.ContributionID, before.ProjectID
			}
		}
		p := xiezuo.Problems{}
		if err := checkRegions(ctx, tx, p, map[string]string{"county_code": it.CountyCode, "township_code": it.TownshipCode}); err != nil {
			return err
		}
		if it.UnitID != 0 {
			if err := checkOrgs(ctx, tx, p, "unit_id", "负责单位", it.UnitID); err != nil {
				return err
			}
		}
		for kind, id := range map[ledger.Kind]int64{ledger.KindContribution: it.ContributionID, ledger.KindProject: it.ProjectID} {
			if id == 0 {
				continue
			}
			var county string
			err := tx.QueryRowContext(ctx, `SELECT county_code FROM `+tables[kind]+` WHERE id = $1`, id).Scan(&county)
			if err == sql.ErrNoRows {
				p.Add("link", kind.Label()+"（编号"+itoa(id)+"）不存在")
			} else if err != nil {
				return err
			} else if county != it.CountyCode {
				p.Add("link", kind.Label()+"（编号"+itoa(id)+"）不在本县")
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		if before == nil {
			return d.insertPlanItem(ctx, tx, u, it)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plan_items SET year = $1, county_code = $2, township_code = $3, kind = $4, title = $5, category = $6,
			unit_id = $7, target_fen = $8, target_count = $9, contribution_id = $10, project_id = $11, note = $12, updated_at = $13 WHERE id = $14`,
			it.Year, it.CountyCode, nullStr(it.TownshipCode), it.Kind, it.Title, it.Category, nullID(it.UnitID), it.TargetFen, it.TargetCount,
			nullID(it.ContributionID), nullID(it.ProjectID), it.Note, d.now(), it.ID); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "update", "plan_item", it.ID, before, it)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// insertPlanItem writes it, created by u, audited.
func (d *DB) insertPlanItem(ctx context.Context, tx *sql.Tx, u *xiezuo.User, it *plan.Item) error {
	now := d.now()
	if err := tx.QueryRowContext(ctx, `INSERT INTO plan_items (year, county_code, township_code, kind, title, category, unit_id, target_fen, target_count,
		match_id, contribution_id, project_id, note, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id`,
		it.Year, it.CountyCode, nullStr(it.TownshipCode), it.Kind, it.Title, it.Category, nullID(it.UnitID), it.TargetFen, it.TargetCount,
		nullID(it.MatchID), nullID(it.ContributionID), nullID(it.ProjectID), it.Note, u.ID, now).Scan(&it.ID); err != nil {
		return err
	}
	return d.audit(ctx, tx, u, "create", "plan_item", it.ID, nil, it)
}

// DeletePlanItem removes a plan item the office entered (one a match made
// goes with its match), audited. Callers: plan.CanEditPlan. Errors:
// EFORBIDDEN, ENOTFOUND, ECONFLICT, EINTERNAL.
func (d *DB) DeletePlanItem(ctx context.Context, u *xiezuo.User, id int64) error {
	if !plan.CanEditPlan(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以编制年度计划")
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		old, err := readPlanItems(ctx, tx, planItemSelect+` WHERE x.id = $1`, id)
		if err != nil {
			return err
		}
		if len(old) == 0 {
			return xiezuo.Errorf(xiezuo.ENOTFOUND, "计划项（编号%d）不存在", id)
		}
		if old[0].MatchID != 0 {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "该计划项由匹配（编号%d）生成，不能删除", old[0].MatchID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM plan_items WHERE id = $1`, id); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "delete", "plan_item", id, old[0], nil)
	})
}
