package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/report"
)

// Targets returns a year's assessment targets. Anyone signed in may call
// it. Errors: EINTERNAL.
func (d *DB) Targets(ctx context.Context, year int) ([]report.Target, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT year, county_code, metric, value FROM targets WHERE year = $1 ORDER BY county_code, metric`, year)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []report.Target
	for rows.Next() {
		var t report.Target
		if err := rows.Scan(&t.Year, &t.CountyCode, &t.Metric, &t.Value); err != nil {
			return nil, xiezuo.Internal(err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SaveTargets sets a year's targets: each given (year, county, metric) is
// set to its value, or removed when the value is negative. Nothing is
// written if any is invalid; one audit entry records the change. Callers:
// the office. Errors: EFORBIDDEN, EINVALID (names the row), EINTERNAL.
func (d *DB) SaveTargets(ctx context.Context, u *xiezuo.User, ts []report.Target, metrics []report.Metric) error {
	if err := permit(ledger.CanSetTargets(u), "只有协作办可以设置考核目标"); err != nil {
		return err
	}
	known := map[string]bool{}
	for _, m := range metrics {
		known[m.Code] = true
	}
	p := xiezuo.Problems{}
	for i, t := range ts {
		row := "第" + strconv.Itoa(i+1) + "项："
		switch {
		case t.Year < 1996 || t.Year > 2100:
			p.Add("targets", row+"年度应在1996至2100之间")
		case len(t.CountyCode) != 12 || t.CountyCode[6:] != "000000":
			p.Add("targets", row+"受援县代码应为12位县级区划代码")
		case !known[t.Metric]:
			p.Add("targets", row+"指标“"+t.Metric+"”不是考核指标")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		for _, t := range ts {
			if _, err := tx.ExecContext(ctx, `DELETE FROM targets WHERE year = $1 AND county_code = $2 AND metric = $3`, t.Year, t.CountyCode, t.Metric); err != nil {
				return err
			}
			if t.Value < 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO targets (year, county_code, metric, value, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				t.Year, t.CountyCode, t.Metric, t.Value, u.ID, d.now()); err != nil {
				return err
			}
		}
		return d.audit(ctx, tx, u, "update", "targets", 0, nil, ts)
	})
}

// ScorecardSums reads what a scorecard compares: the approved sums from
// the year's start to asOf (YYYY-MM-DD within the year; empty or later:
// the year's end), in total and for each county (12-digit codes), the
// year's targets, the projects overdue on asOf and the open 问题整改 items
// (report.NewScorecard sets them against each other). Aggregates only:
// anyone signed in may call it. Errors: EINVALID, EINTERNAL.
func (d *DB) ScorecardSums(ctx context.Context, year int, asOf string, counties []string) (*report.ScoreSums, error) {
	y := strconv.Itoa(year)
	if asOf == "" || asOf > y+"-12-31" {
		asOf = y + "-12-31"
	}
	start, err1 := time.Parse(time.DateOnly, y+"-01-01")
	at, err2 := time.Parse(time.DateOnly, asOf)
	if year < 1996 || year > 2100 || err1 != nil || err2 != nil || at.Before(start) {
		return nil, &xiezuo.Error{Code: xiezuo.EINVALID, Message: "年度或截至日期无效", Fields: map[string]string{"asof": "截至日期应在所选年度内，格式为YYYY-MM-DD"}}
	}
	ss := &report.ScoreSums{Year: year, AsOf: asOf}
	scope := func(county string) report.Filter {
		return report.Filter{Year: year, From: y + "-01-01", To: asOf, CountyCode: county}
	}
	var err error
	if ss.Total, err = d.DashboardSums(ctx, scope("")); err != nil {
		return nil, err
	}
	for _, c := range counties {
		s, err := d.DashboardSums(ctx, scope(c))
		if err != nil {
			return nil, err
		}
		ss.Counties = append(ss.Counties, s)
	}
	if ss.Targets, err = d.Targets(ctx, year); err != nil {
		return nil, err
	}
	// Overdue projects (approved records), most overdue first.
	projects, err := d.ListProjects(ctx, &xiezuo.User{Role: xiezuo.RoleViewer}, RecordFilter{Status: ledger.StatusApproved, Limit: 500})
	if err != nil {
		return nil, err
	}
	for _, p := range projects {
		if !p.Overdue(asOf) {
			continue
		}
		dl, _ := time.Parse(time.DateOnly, p.Deadline)
		ss.Overdue = append(ss.Overdue, report.OverdueProject{ID: p.ID, Title: p.Title, CountyName: p.CountyName, UnitName: p.UnitName,
			Deadline: p.Deadline, Progress: p.Progress, DaysLate: int(at.Sub(dl).Hours() / 24)})
	}
	ss.Rectifications, err = d.Rectifications(ctx, year, true)
	return ss, err
}
