package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/report"
)

// DashboardSums adds up the approved records of a scope: money by county,
// area, month and delivery, the largest givers, and the counts behind the
// other figures (report.NewDashboard names and links them). It holds
// aggregates, no personal data, so anyone may call it (the public view
// too). Errors: EINVALID (bad filter), EINTERNAL.
func (d *DB) DashboardSums(ctx context.Context, f report.Filter) (*report.Sums, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	s := &report.Sums{Filter: f}
	if err := d.moneyFigures(ctx, s); err != nil {
		return nil, xiezuo.Internal(err)
	}
	if err := d.topGivers(ctx, s); err != nil {
		return nil, xiezuo.Internal(err)
	}
	var err error
	if s.Counts, err = d.countFigures(ctx, f); err != nil {
		return nil, xiezuo.Internal(err)
	}
	return s, nil
}

// moneyFigures sums approved contributions of the scope in one pass over
// the running sums: by county, area, month and delivery.
func (d *DB) moneyFigures(ctx context.Context, s *report.Sums) error {
	q, args := moneySQL(s.Filter)
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	s.Delivery = map[string]report.Tally{}
	at := map[string]int{} // a county's place in s.Counties
	for rows.Next() {
		var county, month, area string
		var n, fen [2]int64 // pledged, delivered
		if err := rows.Scan(&county, &month, &area, &n[0], &fen[0], &n[1], &fen[1]); err != nil {
			return err
		}
		i, ok := at[county]
		if !ok {
			i, at[county] = len(s.Counties), len(s.Counties)
			s.Counties = append(s.Counties, report.CountyRow{CountyCode: county, ByArea: map[string]int64{}})
		}
		c, all, count := &s.Counties[i], fen[0]+fen[1], n[0]+n[1]
		c.ByArea[area] += all
		c.TotalFen += all
		c.Count += count
		s.TotalFen += all
		s.TotalRows += count
		if m, err := strconv.Atoi(month); err == nil && m >= 1 && m <= 12 {
			s.Months[m-1].Fen += all
			s.Months[m-1].Count += count
		}
		for j, deliv := range ledger.Deliveries { // pledged, then delivered, as moneySQL
			if n[j] > 0 {
				t := s.Delivery[deliv.Code]
				t.Fen += fen[j]
				t.Count += n[j]
				s.Delivery[deliv.Code] = t
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	if len(s.Counties) == 0 {
		return nil
	}
	slices.SortFunc(s.Counties, func(a, b report.CountyRow) int { return strings.Compare(a.CountyCode, b.CountyCode) })
	codes := make([]any, len(s.Counties))
	for i, c := range s.Counties {
		codes[i] = c.CountyCode
	}
	names := map[string]string{}
	nrows, err := d.db.QueryContext(ctx, `SELECT code, name FROM regions WHERE code IN (`+placeholders(1, len(codes))+`)`, codes...)
	if err != nil {
		return err
	}
	defer nrows.Close()
	for nrows.Next() {
		var code, name string
		if err := nrows.Scan(&code, &name); err != nil {
			return err
		}
		names[code] = name
	}
	for i := range s.Counties {
		s.Counties[i].CountyName = names[s.Counties[i].CountyCode]
	}
	return nrows.Err()
}

// topGivers ranks east units by the approved money they gave (a
// contribution of several givers counts in full for each of them).
func (d *DB) topGivers(ctx context.Context, s *report.Sums) error {
	q, args := giversSQL(s.Filter)
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var g report.GiverSum
		if err := rows.Scan(&g.OrgID, &g.Name, &g.Count, &g.Fen); err != nil {
			return err
		}
		s.Givers = append(s.Givers, g)
	}
	return rows.Err()
}

// moneySQL is the dashboard's main aggregate: approved money by county,
// month and area, each split into pledged and delivered (count, fen),
// from the running sums — monthly ones when the period is whole months,
// else daily ones. Grouped by a prefix of the month sums' key, the rows
// stream in key order: grouped by delivery too, SQLite sorted every row
// of the period, and its sorter's allocations (one lock for the whole
// process in modernc's C library) kept the dashboard from using a second
// core. Only the groups that count a record are read (a running sum
// emptied by a delete or a reopen is still there with zeros).
func moneySQL(f report.Filter) (string, []any) {
	const cols = `s.county_code, substr(%[1]s, 6, 2), s.area,
		SUM(CASE WHEN s.delivery = '%[2]s' THEN s.n ELSE 0 END), SUM(CASE WHEN s.delivery = '%[2]s' THEN s.fen ELSE 0 END),
		SUM(CASE WHEN s.delivery = '%[2]s' THEN 0 ELSE s.n END), SUM(CASE WHEN s.delivery = '%[2]s' THEN 0 ELSE s.fen END)`
	pledged := ledger.Deliveries[0].Code
	if from, to, ok := wholeMonths(f.From, f.To); ok {
		w := sumsWhere(f, "s.month", from, to)
		return `SELECT ` + fmt.Sprintf(cols, "s.month", pledged) + ` FROM contribution_month_sums s` + w.sql() +
			` GROUP BY s.month, s.county_code, s.area HAVING SUM(s.n) > 0`, w.args
	}
	w := sumsWhere(f, "s.day", f.From, f.To)
	return `SELECT ` + fmt.Sprintf(cols, "s.day", pledged) + ` FROM contribution_sums s` + w.sql() +
		` GROUP BY 1, 2, 3 HAVING SUM(s.n) > 0`, w.args
}

// giversSQL ranks the east units by approved money: from the monthly
// running sums when the period is whole months — the givers' months alone
// (giver_rank_sums) for every county, their months by county (giver_sums)
// for one — else from the records.
func giversSQL(f report.Filter) (string, []any) {
	if from, to, ok := wholeMonths(f.From, f.To); ok {
		w, table := sumsWhere(f, "s.month", from, to), "giver_rank_sums"
		if f.CountyCode != "" {
			table = "giver_sums"
		}
		// Ranked first, named after: the names of the top few only.
		return `SELECT t.org_id, o.name, t.n, t.fen FROM (SELECT s.org_id, SUM(s.n) AS n, SUM(s.fen) AS fen FROM ` + table + ` s` + w.sql() +
			` GROUP BY s.org_id HAVING SUM(s.n) > 0 ORDER BY 3 DESC, 1 LIMIT ` + strconv.Itoa(report.TopGivers) +
			`) t JOIN organisations o ON o.id = t.org_id ORDER BY t.fen DESC, t.org_id`, w.args
	}
	w := reportWhere(f)
	return `SELECT g.org_id, o.name, COUNT(*), SUM(x.amount_fen) FROM contributions x
		JOIN contribution_givers g ON g.contribution_id = x.id JOIN organisations o ON o.id = g.org_id` + w.sql() +
		` GROUP BY g.org_id, o.name ORDER BY 4 DESC, 1 LIMIT ` + strconv.Itoa(report.TopGivers), w.args
}

// sumsWhere selects running-sum rows of a scope by their date column.
func sumsWhere(f report.Filter, col, from, to string) *where {
	w := &where{}
	w.period(col, from, to)
	if f.CountyCode != "" {
		w.add("s.county_code = ?", f.CountyCode)
	}
	return w
}

// wholeMonths reports whether from..to (either may be empty) covers whole
// months, and returns them as YYYY-MM.
func wholeMonths(from, to string) (string, string, bool) {
	first, last, edges := monthSpan(from, to)
	return first, last, len(edges) == 0
}

// reportWhere selects the approved contributions of a scope.
func reportWhere(f report.Filter) *where {
	w := approvedContributions(f.From, f.To)
	if f.CountyCode != "" {
		w.add("x.county_code = ?", f.CountyCode)
	}
	return w
}

// countFigures counts the records behind the non-money figures, with the
// same filters as the lists they link to.
func (d *DB) countFigures(ctx context.Context, f report.Filter) (report.Counts, error) {
	var c report.Counts
	rf := RecordFilter{CountyCode: f.CountyCode, Status: ledger.StatusApproved, From: f.From, To: f.To}
	public := &xiezuo.User{Role: xiezuo.RoleViewer} // approved records only
	one := func(dst *int64, q string, w *where) error {
		return d.db.QueryRowContext(ctx, q+w.sql(), w.args...).Scan(dst)
	}
	for _, k := range []struct {
		dst   *int64
		kinds []string
	}{{&c.Visits, report.VisitKinds}, {&c.Meetings, report.MeetingKinds}, {&c.Talent, report.TalentKinds}} {
		af := rf
		af.Kinds, af.OneTrip = k.kinds, true
		if err := one(k.dst, `SELECT COUNT(*) FROM activities x`, af.where(d, public, ledger.KindActivity, "date_from", true)); err != nil {
			return c, err
		}
	}
	// 援派干部人才: each posted person once, alone or in a team, and the
	// teams' unnamed members (TalentHeadcount).
	n, err := d.TalentHeadcount(ctx, PeopleFilter{County: f.CountyCode, From: f.From, To: f.To})
	if err != nil {
		return c, err
	}
	c.People = n
	if err := one(&c.Projects, `SELECT COUNT(*) FROM projects x`, rf.where(d, public, ledger.KindProject, "deadline", true)); err != nil {
		return c, err
	}
	done := rf
	done.State = "completed"
	if err := one(&c.Completed, `SELECT COUNT(*) FROM projects x`, done.where(d, public, ledger.KindProject, "deadline", true)); err != nil {
		return c, err
	}
	lw := rf.where(d, public, ledger.KindLabour, "date_from", true)
	if err := d.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(x.trained), 0), COALESCE(SUM(x.placed), 0) FROM labour_records x`+lw.sql(), lw.args...).Scan(&c.Trained, &c.Placed); err != nil {
		return c, err
	}
	// The pairs a pairing list of the kind counts (its 计 N 对), both kinds
	// in one statement.
	kw := PairingFilter{County: f.CountyCode, Year: f.Year}.where()
	kw.in("p.kind", report.XieshouPairs)
	prows, err := d.db.QueryContext(ctx, `SELECT p.kind, COALESCE(SUM(p.party_count), 0) FROM pairings p LEFT JOIN organisations wo ON wo.id = p.west_org_id`+
		kw.sql()+` GROUP BY p.kind`, kw.args...)
	if err != nil {
		return c, err
	}
	defer prows.Close()
	for prows.Next() {
		var kind string
		var n int64
		if err := prows.Scan(&kind, &n); err != nil {
			return c, err
		}
		if i := slices.Index(report.XieshouPairs, kind); i >= 0 {
			c.Pairs[i] = n
		}
	}
	if err := prows.Err(); err != nil {
		return c, err
	}
	aw := d.agreementWhere(public, rf)
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(x.pledged_fen), 0) FROM agreements x`+aw.sql(), aw.args...).Scan(&c.Agreements, &c.PledgedFen); err != nil {
		return c, err
	}
	return c, nil
}

// DefaultYear is the year the reports show when none is asked for: this
// year (in China, on the database's clock Now) when it has an approved
// contribution or activity, else the newest year before it that has one,
// since early in a year offices still report the last (this year when
// there is none). Never a year after this one nor before ledger.FirstYear:
// a record dated 2202, typed before dates were bounded, stays out of it.
func (d *DB) DefaultYear(ctx context.Context) (int, error) {
	this := d.Now().In(xiezuo.China).Year()
	from, to := strconv.Itoa(ledger.FirstYear)+"-01-01", strconv.Itoa(this)+"-12-31"
	var day string
	err := d.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(m), '') FROM (
		SELECT MAX(x.date_from) AS m FROM contributions x WHERE x.status = 'approved' AND `+liveContribution+` AND x.date_from BETWEEN $1 AND $2
		UNION ALL SELECT MAX(date_from) FROM activities WHERE status = 'approved' AND date_from BETWEEN $1 AND $2) t`, from, to).Scan(&day)
	if err != nil {
		return 0, xiezuo.Internal(err)
	}
	if y, err := strconv.Atoi(day[:min(4, len(day))]); err == nil && y >= ledger.FirstYear && y <= this {
		return y, nil
	}
	return this, nil
}
