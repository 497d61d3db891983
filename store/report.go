package store

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/report"
)

// topGivers is how many east units the dashboard ranks.
const topGivers = 10

// Dashboard computes every figure of the dashboard for f from approved
// records only. It holds aggregates, no personal data, so anyone may call
// it (the public view too). Errors: EINVALID (bad filter), EINTERNAL.
func (d *DB) Dashboard(ctx context.Context, f report.Filter) (*report.Dashboard, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	db := &report.Dashboard{Filter: f}
	if err := d.moneyFigures(ctx, db); err != nil {
		return nil, xiezuo.Internal(err)
	}
	if err := d.topGivers(ctx, db); err != nil {
		return nil, xiezuo.Internal(err)
	}
	counts, err := d.countFigures(ctx, f)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	money := map[string]int64{}
	for _, c := range db.Counties {
		for a, v := range c.ByArea {
			money[a] += v
		}
	}
	q := f.Query
	fig := func(code, label, unit string, v int64, href string) report.Figure {
		return report.Figure{Code: code, Label: label, Unit: unit, Value: v, Href: href}
	}
	moneyFig := func(area, label string) report.Figure {
		return report.Figure{Code: area, Label: label, Unit: "万元", Value: money[area], Money: true, Href: "/contributions?" + q("area", area)}
	}
	kinds := func(ks []string) string {
		var kv []string
		for _, k := range ks {
			kv = append(kv, "kind", k)
		}
		return "/activities?" + q(append(kv, "trip", "1")...)
	}
	registryQ := func(extra ...string) string {
		v := []string{}
		if f.CountyCode != "" {
			v = append(v, "county", f.CountyCode)
		}
		return "?" + urlPairs(append(v, extra...)...)
	}
	yearQ := []string{}
	if f.Year != 0 {
		yearQ = []string{"year", strconv.Itoa(f.Year)}
	}
	db.Areas = []report.AreaFigures{
		{Area: report.Areas[0], Figures: []report.Figure{
			fig("visits", "考察互访", "次", counts.visits, kinds(report.VisitKinds)),
			fig("meetings", "座谈会议和签约", "次", counts.meetings, kinds(report.MeetingKinds)),
		}},
		{Area: report.Areas[1], Figures: []report.Figure{
			fig("people", "援派干部人才", "人", counts.people, "/registry/people"+registryQ("from", f.From, "to", f.To)),
			fig("talent", "培训、义诊和远程课堂", "次", counts.talent, kinds(report.TalentKinds)),
		}},
		{Area: report.Areas[2], Figures: []report.Figure{
			moneyFig("funds", "财政帮扶资金"),
			fig("projects", "项目（截止期在期内）", "个", counts.projects, "/projects?"+q()),
			fig("completed", "其中已完工", "个", counts.completed, "/projects?"+q("state", "completed")),
		}},
		{Area: report.Areas[3], Figures: []report.Figure{
			moneyFig("industry", "产业帮扶投入"),
		}},
		{Area: report.Areas[4], Figures: []report.Figure{
			fig("trained", "培训人数", "人", counts.trained, "/labour?"+q()),
			fig("placed", "转移就业人数", "人", counts.placed, "/labour?"+q()),
		}},
		{Area: report.Areas[5], Figures: []report.Figure{
			fig("pairs_township", "街镇与乡镇结对", "对", counts.pairs[0], "/registry/pairings"+registryQ(append([]string{"kind", report.XieshouPairs[0]}, yearQ...)...)),
			fig("pairs_village", "企业与村结对", "对", counts.pairs[1], "/registry/pairings"+registryQ(append([]string{"kind", report.XieshouPairs[1]}, yearQ...)...)),
			fig("agreements", "签订协议", "份", counts.agreements, "/agreements?"+q()),
			{Code: "pledged", Label: "协议约定金额", Unit: "万元", Value: counts.pledged, Money: true, Href: "/agreements?" + q()},
		}},
		{Area: report.Areas[6], Figures: []report.Figure{
			moneyFig("consumption", "消费帮扶金额"),
		}},
		{Area: report.Areas[7], Figures: []report.Figure{
			moneyFig("social", "捐款捐物折款"),
		}},
	}
	return db, nil
}

// urlPairs encodes (key, value) pairs, leaving out empty values.
func urlPairs(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Add(kv[i], kv[i+1])
		}
	}
	return v.Encode()
}

// moneyFigures sums approved contributions of the scope in one pass over
// the covering index: by county, area, month and delivery.
func (d *DB) moneyFigures(ctx context.Context, db *report.Dashboard) error {
	q, args := moneySQL(db.Filter)
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	months := make([]report.Amount, 12)
	delivery := map[string]*report.Amount{}
	for _, c := range ledger.Deliveries {
		a := &report.Amount{Key: c.Code, Label: c.Label, Href: "/contributions?" + db.Filter.Query("delivery", c.Code)}
		delivery[c.Code] = a
	}
	for rows.Next() {
		var county, month, area, deliv string
		var n, sum int64
		if err := rows.Scan(&county, &month, &area, &deliv, &n, &sum); err != nil {
			return err
		}
		if len(db.Counties) == 0 || db.Counties[len(db.Counties)-1].CountyCode != county {
			db.Counties = append(db.Counties, report.CountyRow{CountyCode: county, ByArea: map[string]int64{}})
		}
		c := &db.Counties[len(db.Counties)-1]
		c.ByArea[area] += sum
		c.TotalFen += sum
		c.Count += n
		db.TotalFen += sum
		db.TotalRows += n
		if m, err := strconv.Atoi(month); err == nil && m >= 1 && m <= 12 {
			months[m-1].Fen += sum
			months[m-1].Count += n
		}
		if a := delivery[deliv]; a != nil {
			a.Fen += sum
			a.Count += n
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range db.Counties {
		c := &db.Counties[i]
		if err := d.db.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = $1`, c.CountyCode).Scan(&c.CountyName); err != nil {
			return err
		}
	}
	if db.Filter.Year != 0 {
		for i := range months {
			m := fmt.Sprintf("%d-%02d", db.Filter.Year, i+1)
			last := lastDay(db.Filter.Year, i+1)
			scope := db.Filter
			scope.From, scope.To = m+"-01", m+"-"+strconv.Itoa(last)
			months[i].Key, months[i].Label, months[i].Href = m, strconv.Itoa(i+1)+"月", "/contributions?"+scope.Query()
		}
		db.Months = months
	}
	for _, c := range ledger.Deliveries {
		db.Delivery = append(db.Delivery, *delivery[c.Code])
	}
	return nil
}

// topGivers ranks east units by the approved money they gave (a
// contribution of several givers counts in full for each of them).
func (d *DB) topGivers(ctx context.Context, db *report.Dashboard) error {
	q, args := giversSQL(db.Filter)
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a report.Amount
		if err := rows.Scan(&id, &a.Label, &a.Count, &a.Fen); err != nil {
			return err
		}
		a.Key = strconv.FormatInt(id, 10)
		a.Href = "/contributions?" + db.Filter.Query("giver", a.Key)
		db.Givers = append(db.Givers, a)
	}
	return rows.Err()
}

// moneySQL is the dashboard's main aggregate: approved money by county,
// month, area and delivery, from the running sums — monthly ones when the
// period is whole months, else daily ones.
func moneySQL(f report.Filter) (string, []any) {
	if from, to, ok := wholeMonths(f.From, f.To); ok {
		w := sumsWhere(f, "s.month", from, to)
		return `SELECT s.county_code, substr(s.month, 6, 2), s.area, s.delivery, SUM(s.n), SUM(s.fen)
		FROM contribution_month_sums s` + w.sql() + ` GROUP BY 1, 2, 3, 4 HAVING SUM(s.n) > 0 ORDER BY 1`, w.args
	}
	w := sumsWhere(f, "s.day", f.From, f.To)
	return `SELECT s.county_code, substr(s.day, 6, 2), s.area, s.delivery, SUM(s.n), SUM(s.fen)
		FROM contribution_sums s` + w.sql() + ` GROUP BY 1, 2, 3, 4 HAVING SUM(s.n) > 0 ORDER BY 1`, w.args
}

// giversSQL ranks the east units by approved money: from the monthly
// running sums (giver_sums) when the period is whole months, else from
// the records.
func giversSQL(f report.Filter) (string, []any) {
	if from, to, ok := wholeMonths(f.From, f.To); ok {
		w := sumsWhere(f, "s.month", from, to)
		return `SELECT s.org_id, o.name, SUM(s.n), SUM(s.fen) FROM giver_sums s JOIN organisations o ON o.id = s.org_id` + w.sql() +
			` GROUP BY s.org_id, o.name HAVING SUM(s.n) > 0 ORDER BY 4 DESC, 1 LIMIT ` + strconv.Itoa(topGivers), w.args
	}
	w := reportWhere(f)
	return `SELECT g.org_id, o.name, COUNT(*), SUM(x.amount_fen) FROM contributions x
		JOIN contribution_givers g ON g.contribution_id = x.id JOIN organisations o ON o.id = g.org_id` + w.sql() +
		` GROUP BY g.org_id, o.name ORDER BY 4 DESC, 1 LIMIT ` + strconv.Itoa(topGivers), w.args
}

// sumsWhere selects running-sum rows of a scope by their date column.
func sumsWhere(f report.Filter, col, from, to string) *where {
	w := &where{}
	if from != "" {
		w.add(col+" >= ?", from)
	}
	if to != "" {
		w.add(col+" <= ?", to)
	}
	if f.CountyCode != "" {
		w.add("s.county_code = ?", f.CountyCode)
	}
	return w
}

// wholeMonths reports whether from..to (either may be empty) covers whole
// months, and returns them as YYYY-MM.
func wholeMonths(from, to string) (string, string, bool) {
	if from != "" && (len(from) != 10 || from[8:] != "01") {
		return "", "", false
	}
	if to != "" {
		t, err := time.Parse(time.DateOnly, to)
		if err != nil || t.AddDate(0, 0, 1).Day() != 1 {
			return "", "", false
		}
	}
	if from != "" {
		from = from[:7]
	}
	if to != "" {
		to = to[:7]
	}
	return from, to, true
}

// reportWhere selects the approved contributions of a scope.
func reportWhere(f report.Filter) *where {
	w := &where{}
	w.add("x.status = 'approved'")
	if f.From != "" {
		w.add("x.date_from >= ?", f.From)
	}
	if f.To != "" {
		w.add("x.date_from <= ?", f.To)
	}
	if f.CountyCode != "" {
		w.add("x.county_code = ?", f.CountyCode)
	}
	return w
}

type reportCounts struct {
	visits, meetings, talent, people int64
	projects, completed              int64
	trained, placed                  int64
	pairs                            [2]int64
	agreements, pledged              int64
}

// countFigures counts the records behind the non-money figures, with the
// same filters as the lists they link to.
func (d *DB) countFigures(ctx context.Context, f report.Filter) (reportCounts, error) {
	var c reportCounts
	rf := RecordFilter{CountyCode: f.CountyCode, Status: ledger.StatusApproved, From: f.From, To: f.To}
	public := &xiezuo.User{Role: xiezuo.RoleViewer} // approved records only
	one := func(dst *int64, q string, w *where) error {
		return d.db.QueryRowContext(ctx, q+w.sql(), w.args...).Scan(dst)
	}
	for _, k := range []struct {
		dst   *int64
		kinds []string
	}{{&c.visits, report.VisitKinds}, {&c.meetings, report.MeetingKinds}, {&c.talent, report.TalentKinds}} {
		af := rf
		af.Kinds, af.OneTrip = k.kinds, true
		if err := one(k.dst, `SELECT COUNT(*) FROM activities x`, af.where(public, "date_from", true)); err != nil {
			return c, err
		}
	}
	pw := PeopleFilter{County: f.CountyCode, From: f.From, To: f.To}.where()
	if err := one(&c.people, `SELECT COUNT(*) FROM people p`, pw); err != nil {
		return c, err
	}
	if err := one(&c.projects, `SELECT COUNT(*) FROM projects x`, rf.where(public, "deadline", true)); err != nil {
		return c, err
	}
	done := rf
	done.State = "completed"
	if err := one(&c.completed, `SELECT COUNT(*) FROM projects x`, done.where(public, "deadline", true)); err != nil {
		return c, err
	}
	lw := rf.where(public, "date_from", true)
	if err := d.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(x.trained), 0), COALESCE(SUM(x.placed), 0) FROM labour_records x`+lw.sql(), lw.args...).Scan(&c.trained, &c.placed); err != nil {
		return c, err
	}
	for i, kind := range report.XieshouPairs {
		pairs, err := d.Pairings(ctx, PairingFilter{Kind: kind, County: f.CountyCode, Year: f.Year})
		if err != nil {
			return c, err
		}
		c.pairs[i] = int64(len(pairs))
	}
	aw := agreementWhere(public, rf)
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(x.pledged_fen), 0) FROM agreements x`+aw.sql(), aw.args...).Scan(&c.agreements, &c.pledged); err != nil {
		return c, err
	}
	return c, nil
}

// lastDay is the number of days in a month.
func lastDay(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// LatestYear is the year of the newest approved contribution or activity
// (the current year when there is none): the dashboard's default.
func (d *DB) LatestYear(ctx context.Context) (int, error) {
	var day string
	err := d.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(m), '') FROM (
		SELECT MAX(date_from) AS m FROM contributions WHERE status = 'approved'
		UNION ALL SELECT MAX(date_from) FROM activities WHERE status = 'approved') t`).Scan(&day)
	if err != nil {
		return 0, xiezuo.Internal(err)
	}
	if len(day) < 4 {
		return d.Now().Year(), nil
	}
	return strconv.Atoi(day[:4])
}
