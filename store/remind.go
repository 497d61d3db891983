package store

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/remind"
)

// remindScope is whose 待办 is computed: the office (everything, and a
// per-unit breakdown), a unit (its own records) or a county user (its
// own records and its county's).
type remindScope struct {
	office bool
	role   xiezuo.Role
	org    int64
	county string
	today  string
}

// remindSource computes some kinds of reminder in one SQL statement. Its
// query returns "" when it has nothing for the scope, else a statement
// whose rows are: kind, unit id, unit name, count, overdue count, earliest
// date (” if none). link is the list that shows an item's things.
//
// To add a source (needs unanswered for 30 days, …): add its kind to
// remind.Kinds and one entry to remindSources.
type remindSource struct {
	query func(sc remindScope) (string, []any)
	link  func(sc remindScope, it *remind.Item) string
}

// remindSources is the one list of what waits; Reminders runs each once.
var remindSources = []remindSource{
	{recordsWaiting, func(sc remindScope, it *remind.Item) string {
		if it.Kind == remind.KindReview {
			return "/review"
		}
		return "/mine"
	}},
	{receiptsWaiting, func(remindScope, *remind.Item) string { return "/receipts" }},
	{projectsDue, func(sc remindScope, it *remind.Item) string {
		q := url.Values{"state": {"open"}, "to": {remind.AddDays(sc.today, remind.DueWindow)}}
		switch {
		case sc.office:
			q.Set("status", string(ledger.StatusApproved))
		case sc.role == xiezuo.RoleCounty:
			q.Set("county", sc.county)
		default:
			q.Set("unit", strconv.FormatInt(sc.org, 10))
		}
		return "/projects?" + q.Encode()
	}},
	{rectificationsDue, func(sc remindScope, it *remind.Item) string {
		return "/rectifications?year=" + it.DueOn[:4]
	}},
	{monthlyReport, func(sc remindScope, it *remind.Item) string {
		return "/scorecard/compliance?year=" + it.Month[:4]
	}},
	{needsWaiting, func(sc remindScope, it *remind.Item) string {
		if it.Kind == remind.KindNeedReview {
			return "/plan/review"
		}
		q := url.Values{"status": {"published"}}
		if !sc.office {
			q.Set("county", sc.county)
		}
		return "/plan/needs?" + q.Encode()
	}},
}

// officeOwn are the kinds in the office's own list; drafts and returns are
// the units' to act on and show in the per-unit breakdown only.
var officeOwn = []remind.Kind{remind.KindReview, remind.KindProject, remind.KindRectification, remind.KindMonthly, remind.KindNeedReview, remind.KindNeed}

// recordsWaiting counts drafts and returned records (a unit's or county's
// own; every unit's for the office's breakdown) and, for the office,
// submissions waiting for review: one UNION over the record tables.
func recordsWaiting(sc remindScope) (string, []any) {
	statuses, cond, args := `'draft', 'returned'`, ` AND x.unit_id = $1`, []any{sc.org}
	if sc.office {
		statuses, cond, args = `'draft', 'returned', 'submitted'`, "", nil
	}
	parts := make([]string, 0, len(ledger.Kinds))
	for _, k := range ledger.Kinds {
		live := ""
		if k == ledger.KindContribution {
			live = " AND " + liveContribution
		}
		// status <> 'approved' lets SQLite use the partial indexes.
		parts = append(parts, `SELECT x.unit_id, x.status FROM `+tables[k]+` x WHERE `+notApproved+` AND x.status IN (`+statuses+`)`+cond+live)
	}
	return `SELECT CASE r.status WHEN 'submitted' THEN 'review' ELSE r.status END, r.unit_id, o.name, COUNT(*), 0, ''
		FROM (` + strings.Join(parts, " UNION ALL ") + `) r JOIN organisations o ON o.id = r.unit_id GROUP BY r.status, r.unit_id, o.name`, args
}

// receiptsWaiting counts a county user's deliveries waiting for 确认收到
// (what /receipts lists), by giving unit.
func receiptsWaiting(sc remindScope) (string, []any) {
	if sc.role != xiezuo.RoleCounty || sc.county == "" {
		return "", nil
	}
	return `SELECT 'receipt', x.unit_id, o.name, COUNT(*), 0, '' FROM contributions x JOIN organisations o ON o.id = x.unit_id
		WHERE x.county_code = $1 AND x.status = 'approved' AND x.delivery = 'delivered' AND x.received_at IS NULL AND ` + liveContribution + `
		GROUP BY x.unit_id, o.name`, []any{sc.county}
}

// projectsDue counts projects not completed whose deadline is within
// remind.DueWindow days or past (ledger.Project.Overdue): a unit's own, a
// county's (the approved and its own), every approved one for the office.
func projectsDue(sc remindScope) (string, []any) {
	args := []any{sc.today, remind.AddDays(sc.today, remind.DueWindow)}
	var cond string
	switch {
	case sc.office:
		cond = ` AND x.status = 'approved'`
	case sc.role == xiezuo.RoleCounty:
		cond, args = ` AND x.county_code = $3 AND (x.status = 'approved' OR x.unit_id = $4)`, append(args, sc.county, sc.org)
	default:
		cond, args = ` AND x.unit_id = $3`, append(args, sc.org)
	}
	return `SELECT 'project', x.unit_id, o.name, COUNT(*), SUM(CASE WHEN x.deadline < $1 THEN 1 ELSE 0 END), MIN(x.deadline)
		FROM projects x JOIN organisations o ON o.id = x.unit_id
		WHERE x.work_state <> 'completed' AND x.deadline <= $2` + cond + ` GROUP BY x.unit_id, o.name`, args
}

// rectificationsDue counts open 问题整改 items due within remind.DueWindow
// days or past, by the unit that owns the fix: a unit's own, a county
// user's own and its county's, every one for the office.
func rectificationsDue(sc remindScope) (string, []any) {
	args := []any{sc.today, remind.AddDays(sc.today, remind.DueWindow)}
	var cond string
	switch {
	case sc.office:
	case sc.role == xiezuo.RoleCounty:
		cond, args = ` AND (x.county_code = $3 OR x.owner_org_id = $4)`, append(args, sc.county, sc.org)
	default:
		cond, args = ` AND x.owner_org_id = $3`, append(args, sc.org)
	}
	return `SELECT 'rectification', x.owner_org_id, o.name, COUNT(*), SUM(CASE WHEN x.due_on < $1 THEN 1 ELSE 0 END), MIN(x.due_on)
		FROM rectifications x JOIN organisations o ON o.id = x.owner_org_id
		WHERE x.done_on IS NULL AND x.due_on <= $2` + cond + ` GROUP BY x.owner_org_id, o.name`, args
}

// monthlyReport finds the reporting units (the compliance page's, see
// reportingUnit) with no activity and no contribution dated last month
// submitted or approved: "the monthly report" is last month's records,
// due by the remind.ReportDay of this month. It reminds for the whole
// month (overdue after the day), a unit user for its own unit and the
// office for every unit. County users do not report monthly.
func monthlyReport(sc remindScope) (string, []any) {
	if !sc.office && sc.role != xiezuo.RoleUnit {
		return "", nil
	}
	month, first, last, _ := remind.MonthDue(sc.today)
	year, _ := strconv.Atoi(month[:4])
	args := []any{year, first, last}
	cond := ""
	if !sc.office {
		cond, args = ` AND o.id = $4`, append(args, sc.org)
	}
	sent := func(table, live string) string {
		return `NOT EXISTS (SELECT 1 FROM ` + table + ` x WHERE x.unit_id = o.id AND x.date_from >= $2 AND x.date_from <= $3
			AND x.status IN ('submitted', 'approved')` + live + `)`
	}
	return `SELECT 'monthly', o.id, o.name, 1, 0, '' FROM organisations o WHERE ` + reportingUnit + cond + `
		AND ` + sent("activities", "") + ` AND ` + sent("contributions", " AND "+liveContribution), args
}

// needsWaiting counts, by the county office that posted them, needs
// waiting for the office's moderation (the office) and published needs
// no unit has answered remind.NeedWait days after they were published
// (the office; a county user for its county). A published need cannot be
// edited, so its updated_at (RFC 3339, UTC) is when it was published: on
// or before the China day NeedWait days ago is before the next day began.
func needsWaiting(sc remindScope) (string, []any) {
	day, _ := time.ParseInLocation(xiezuo.DateLayout, remind.AddDays(sc.today, 1-remind.NeedWait), xiezuo.China)
	old := day.UTC().Format(time.RFC3339)
	switch {
	case sc.office:
		return `SELECT CASE x.status WHEN 'pending' THEN 'need-review' ELSE 'need' END, x.org_id, o.name, COUNT(*), 0, ''
			FROM needs x JOIN organisations o ON o.id = x.org_id
			WHERE x.status = 'pending' OR (x.status = 'published' AND x.updated_at < $1) GROUP BY x.status, x.org_id, o.name`, []any{old}
	case sc.role == xiezuo.RoleCounty:
		return `SELECT 'need', x.org_id, o.name, COUNT(*), 0, '' FROM needs x JOIN organisations o ON o.id = x.org_id
			WHERE x.county_code = $1 AND x.status = 'published' AND x.updated_at < $2 GROUP BY x.org_id, o.name`, []any{sc.county, old}
	}
	return "", nil
}

// Reminders is what waits for u today (China): see RemindersOn.
func (d *DB) Reminders(ctx context.Context, u *xiezuo.User) (*remind.Summary, error) {
	return d.RemindersOn(ctx, u, d.Today())
}

// RemindersOn computes what waits for u on day (YYYY-MM-DD) from the
// records as they are: one statement per source (remindSources). The
// office gets its own items and the per-unit breakdown; a unit its own
// records; a county user its own records and its county's. Other roles
// get an empty summary. Callers: anyone signed in (the home page), the
// daily digest. Errors: EINVALID (day), EINTERNAL.
func (d *DB) RemindersOn(ctx context.Context, u *xiezuo.User, day string) (*remind.Summary, error) {
	if !xiezuo.ValidDate(day) {
		return nil, xiezuo.Errorf(xiezuo.EINVALID, "日期应为 YYYY-MM-DD")
	}
	s := &remind.Summary{Today: day}
	if u == nil || !remind.Reminded(u.Role) || (!u.IsOffice() && u.OrgID == 0) {
		return s, nil
	}
	sc := remindScope{office: u.IsOffice(), role: u.Role, org: u.OrgID, county: u.CountyCode, today: day}
	s.Office = sc.office
	items := map[remind.Kind]*remind.Item{}
	units := map[int64]*remind.UnitRow{}
	for _, src := range remindSources {
		q, args := src.query(sc)
		if q == "" {
			continue
		}
		rows, err := d.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, xiezuo.Internal(err)
		}
		var got []*remind.Item
		for rows.Next() {
			var kind, name, due string
			var unit int64
			var n, overdue int
			if err := rows.Scan(&kind, &unit, &name, &n, &overdue, &due); err != nil {
				rows.Close()
				return nil, xiezuo.Internal(err)
			}
			k := remind.Kind(kind)
			it := items[k]
			if it == nil {
				it = &remind.Item{Kind: k}
				items[k] = it
				got = append(got, it)
			}
			it.Count += n
			it.Overdue += overdue
			if due != "" && (it.DueOn == "" || due < it.DueOn) {
				it.DueOn = due
			}
			if sc.office {
				r := units[unit]
				if r == nil {
					r = &remind.UnitRow{UnitID: unit, UnitName: name, Counts: map[remind.Kind]int{}}
					units[unit] = r
				}
				r.Counts[k] += n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, xiezuo.Internal(err)
		}
		for _, it := range got {
			if it.Kind == remind.KindMonthly {
				var due string
				it.Month, _, _, due = remind.MonthDue(day)
				it.DueOn, it.Units = due, sc.office
				if day > due {
					it.Overdue = it.Count
				}
			}
			it.Link = src.link(sc, it)
		}
	}
	for _, k := range remind.Kinds {
		it := items[k]
		if it == nil || it.Count == 0 || (sc.office && !slices.Contains(officeOwn, k)) {
			continue
		}
		it.Text = it.Line()
		s.Items = append(s.Items, *it)
	}
	if sc.office {
		s.Columns = []remind.Kind{remind.KindDraft, remind.KindReturned, remind.KindReview, remind.KindProject, remind.KindRectification, remind.KindMonthly, remind.KindNeedReview, remind.KindNeed}
		for _, r := range units {
			s.Units = append(s.Units, *r)
		}
		slices.SortFunc(s.Units, func(a, b remind.UnitRow) int { return strings.Compare(a.UnitName, b.UnitName) })
	}
	return s, nil
}
