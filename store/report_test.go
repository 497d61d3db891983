package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/store"
)

func xiezuoFields(err error) map[string]string { return xiezuo.ErrorFields(err) }

// figureTotal follows a figure's drill-down link into the list it sums and
// returns that list's total, as the list page computes it.
func figureTotal(t *testing.T, db *store.DB, f report.Figure) int64 {
	t.Helper()
	u, err := url.Parse(f.Href)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	admin := user(t, db, "admin")
	rf := store.RecordFilter{CountyCode: q.Get("county"), Status: ledger.Status(q.Get("status")), From: q.Get("from"), To: q.Get("to"),
		Kinds: q["kind"], OneTrip: q.Get("trip") == "1", State: q.Get("state"), Limit: 500}
	switch u.Path {
	case "/contributions":
		cf := ledger.ContributionFilter{CountyCode: q.Get("county"), Status: ledger.Status(q.Get("status")), From: q.Get("from"), To: q.Get("to"),
			Area: q.Get("area"), Delivery: q.Get("delivery")}
		_, tot, err := db.ListContributions(ctx, admin, cf)
		if err != nil {
			t.Fatal(err)
		}
		return tot.AmountFen
	case "/activities":
		_, n, err := db.ListActivities(ctx, admin, rf)
		if err != nil {
			t.Fatal(err)
		}
		return n
	case "/projects":
		ps, err := db.ListProjects(ctx, admin, rf)
		if err != nil {
			t.Fatal(err)
		}
		return int64(len(ps))
	case "/labour":
		ls, err := db.ListLabour(ctx, admin, rf)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, l := range ls {
			if f.Code == "trained" {
				sum += l.Trained
			} else {
				sum += l.Placed
			}
		}
		return sum
	case "/agreements":
		as, err := db.ListAgreements(ctx, admin, rf)
		if err != nil {
			t.Fatal(err)
		}
		if f.Code == "pledged" {
			var sum int64
			for _, a := range as {
				sum += a.PledgedFen
			}
			return sum
		}
		return int64(len(as))
	case "/registry/pairings":
		var year int
		if y := q.Get("year"); y != "" {
			year = 2020
		}
		ps, err := db.Pairings(ctx, store.PairingFilter{Kind: q.Get("kind"), County: q.Get("county"), Year: year})
		if err != nil {
			t.Fatal(err)
		}
		var pairs int64 // the list's 计 N 对
		for _, p := range ps {
			pairs += int64(p.PartyCount)
		}
		return pairs
	case "/registry/people":
		pf := store.PeopleFilter{County: q.Get("county"), From: q.Get("from"), To: q.Get("to")}
		ps, err := db.People(ctx, pf)
		if err != nil {
			t.Fatal(err)
		}
		ts, err := db.Teams(ctx, pf)
		if err != nil {
			t.Fatal(err)
		}
		// The list's people and the teams' named members, each once, and
		// the teams' unnamed members.
		seen := map[int64]bool{}
		var n int64
		for _, p := range ps {
			seen[p.ID] = true
		}
		for _, tm := range ts {
			for _, id := range tm.MemberIDs {
				seen[id] = true
			}
			n += tm.OtherCount
		}
		return n + int64(len(seen))
	}
	t.Fatalf("figure %s links to %s", f.Code, f.Href)
	return 0
}

// dashboard is the dashboard of a scope: the store's sums, named and linked.
func dashboard(t *testing.T, db *store.DB, f report.Filter) *report.Dashboard {
	t.Helper()
	s, err := db.DashboardSums(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	return report.NewDashboard(s)
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		for _, f := range []report.Filter{report.ForYear(2020, ""), report.ForYear(2020, lvchun), report.ForYear(0, ""), {From: "2020-09-02", To: "2020-10-20"}} { // the last from the day sums
			d := dashboard(t, db, f)
			// Every figure equals the total of the list it links to.
			for _, a := range d.Areas {
				for _, fg := range a.Figures {
					if got := figureTotal(t, db, fg); got != fg.Value {
						t.Errorf("%+v: %s/%s = %d, its list sums %d (%s)", f, a.Label, fg.Label, fg.Value, got, fg.Href)
					}
				}
			}
			// The areas split the total: every yuan counts once.
			var sum, months, deliv int64
			for _, c := range d.Counties {
				for _, v := range c.ByArea {
					sum += v
				}
			}
			for _, m := range d.Months {
				months += m.Fen
			}
			for _, a := range d.Delivery {
				deliv += a.Fen
			}
			if sum != d.TotalFen || deliv != d.TotalFen || (f.Year != 0 && months != d.TotalFen) {
				t.Errorf("%+v: total %d, by area %d, by month %d, by delivery %d", f, d.TotalFen, sum, months, deliv)
			}
			// Each county's areas and the two deliveries equal their lists'
			// totals (the rows, approved, in the period).
			s, err := db.DashboardSums(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			listed := func(lf ledger.ContributionFilter) ledger.Totals {
				lf.Status, lf.From, lf.To, lf.Limit = ledger.StatusApproved, f.From, f.To, 1
				if lf.CountyCode == "" {
					lf.CountyCode = f.CountyCode
				}
				_, tot, err := db.ListContributions(ctx, user(t, db, "admin"), lf)
				if err != nil {
					t.Fatal(err)
				}
				return tot
			}
			for _, deliv := range []string{"pledged", "delivered"} {
				if got, want := s.Delivery[deliv], listed(ledger.ContributionFilter{Delivery: deliv}); got.Fen != want.AmountFen || got.Count != want.Count {
					t.Errorf("%+v: %s %+v, its list %d 笔 %d fen", f, deliv, got, want.Count, want.AmountFen)
				}
			}
			for _, c := range s.Counties {
				for _, area := range ledger.ContributionAreas {
					if want := listed(ledger.ContributionFilter{CountyCode: c.CountyCode, Area: area}); c.ByArea[area] != want.AmountFen {
						t.Errorf("%+v: %s %s %d fen, its list %d", f, c.CountyCode, area, c.ByArea[area], want.AmountFen)
					}
				}
			}
		}
		d := dashboard(t, db, report.ForYear(2020, lvchun))
		// 绿春县 2020 (the bulletin): 3,112,088 元 in all, with the 认购 at
		// 3,982 元/亩 (−60 元) and 晨讯's 1万斤 at 4.99 元 (+49,900 元), see
		// demo/market_lots.go.
		if d.TotalFen != 316192800 || len(d.Counties) != 1 {
			t.Errorf("绿春县 2020 total = %d over %d counties, want 316192800 in 1", d.TotalFen, len(d.Counties))
		}
		// The 科委科协 and 程家桥 reports of 9月1日至4日 are one visit.
		if v := d.Figure("leadership", "visits"); v == nil || v.Value < 1 {
			t.Errorf("visits = %+v", v)
		}
		if len(d.Givers) == 0 || d.Givers[0].Fen < d.Givers[len(d.Givers)-1].Fen {
			t.Errorf("top givers not ranked: %+v", d.Givers)
		}
		if _, err := db.DashboardSums(ctx, report.Filter{From: "2020-13-01"}); err == nil {
			t.Error("a bad date was accepted")
		}
	})
}

func TestBulletin(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		admin, unit := user(t, db, "admin"), user(t, db, "chengjiaqiao")
		b := &report.Bulletin{Year: 2020, Numbers: "9、10", From: "2020-08-01", To: "2020-10-31"}
		wantCode(t, db.CreateBulletin(ctx, unit, b), "forbidden")
		if err := db.CreateBulletin(ctx, admin, b); err != nil {
			t.Fatal(err)
		}
		// Every approved activity of the period is proposed, in the four sections.
		acts, n, err := db.ListActivities(ctx, admin, store.RecordFilter{Status: ledger.StatusApproved, From: b.From, To: b.To, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(b.Items)) != n || len(acts) != len(b.Items) {
			t.Fatalf("proposed %d items for %d activities", len(b.Items), n)
		}
		var names []string
		for _, s := range b.Sections() {
			names = append(names, s.Name)
		}
		if strings.Join(names, ",") != "扶贫协作,对口支援,前方工作,工作动态" {
			t.Errorf("sections = %v", names)
		}
		// The editor drops one item, edits another, adds one; the record is untouched.
		got, err := db.Bulletin(ctx, admin, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		edited := got.Items[0]
		got.Items = got.Items[1:]
		got.Items[0].Body = "（编辑后的正文）"
		got.Items = append(got.Items, report.BulletinItem{Section: "工作动态", Seq: 1, Headline: "新增条目", Body: "正文"})
		if err := db.SaveBulletin(ctx, admin, got); err != nil {
			t.Fatal(err)
		}
		if a, err := db.Activity(ctx, admin, got.Items[0].ActivityID); err != nil || a.Narrative == "（编辑后的正文）" {
			t.Fatalf("the record changed with the bulletin: %v", err)
		}
		again, _ := db.Bulletin(ctx, admin, b.ID)
		if len(again.Items) != len(b.Items) || again.Items[0].ActivityID == edited.ActivityID {
			t.Errorf("saved items: %d (want %d), first %d", len(again.Items), len(b.Items), again.Items[0].ActivityID)
		}
		// Bad input names the item.
		bad := *again
		bad.Items = append([]report.BulletinItem(nil), again.Items...)
		bad.Items[2].Headline = ""
		err = db.SaveBulletin(ctx, admin, &bad)
		wantCode(t, err, "invalid")
		if !strings.Contains(err.Error(), "第3条") {
			t.Errorf("error does not name the item: %v", err)
		}
		// Drafts are the office's; publishing freezes text and figures.
		if _, err := db.Bulletin(ctx, unit, b.ID); err == nil {
			t.Error("a unit user read a draft")
		}
		if err := db.PublishBulletin(ctx, admin, b.ID); err != nil {
			t.Fatal(err)
		}
		pub, err := db.Bulletin(ctx, nil, b.ID)
		if err != nil || !pub.Published() || len(pub.Figures) == 0 {
			t.Fatalf("published: %+v, %v", pub, err)
		}
		before := pub.Figures[0].Value
		c := newContribution(t, db, 1_000_000)
		c.DateFrom = "2020-09-10"
		if err := db.SaveContribution(ctx, admin, c); err != nil {
			t.Fatal(err)
		}
		for _, a := range []ledger.Action{ledger.ActionSubmit, ledger.ActionApprove} {
			if err := db.Transition(ctx, admin, ledger.KindContribution, c.ID, a, ""); err != nil {
				t.Fatal(err)
			}
		}
		sums, err := db.DashboardSums(ctx, b.Scope())
		if err != nil {
			t.Fatal(err)
		}
		live := report.BoxFigures(sums)
		frozen, _ := db.Bulletin(ctx, nil, b.ID)
		if live[0].Value != before+1_000_000 || frozen.Figures[0].Value != before {
			t.Errorf("after a new approved record: live %d, frozen %d, was %d", live[0].Value, frozen.Figures[0].Value, before)
		}
		wantCode(t, db.SaveBulletin(ctx, admin, frozen), "conflict")
		wantCode(t, db.DeleteBulletin(ctx, admin, b.ID), "conflict")
		if list, _ := db.Bulletins(ctx, nil); len(list) != 1 {
			t.Errorf("public archive has %d issues", len(list))
		}
		if n, err := db.VerifyAudit(ctx, user(t, db, "admin")); err != nil || n == 0 {
			t.Fatalf("audit: %d, %v", n, err)
		}
	})
}

// areaOf is a contribution's (alias x) assessment area as SQL, for
// sumsMismatch to compute the sums from the rows on its own.
const areaOf = `CASE WHEN x.form = 'fiscal' THEN 'funds' WHEN x.form = 'consumption' THEN 'consumption' WHEN x.sector = 'industry' THEN 'industry' ELSE 'social' END`

// sumsMismatch compares the running sums with the same sums computed from
// the records, and describes the first difference ("" if none).
func sumsMismatch(t *testing.T, db *store.DB) string {
	t.Helper()
	pairs := [][2]string{
		{`SELECT day, county_code, area || '/' || form, delivery, n, fen FROM contribution_sums WHERE n <> 0 OR fen <> 0 ORDER BY 1, 2, 3, 4`,
			`SELECT x.date_from, x.county_code, ` + areaOf + ` || '/' || x.form, x.delivery, COUNT(*), SUM(x.amount_fen)
			FROM contributions x WHERE x.status = 'approved' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`},
		{`SELECT month, county_code, area || '/' || form || '/' || sector, delivery, n, fen FROM contribution_month_sums WHERE n <> 0 OR fen <> 0 ORDER BY 1, 2, 3, 4`,
			`SELECT substr(x.date_from, 1, 7), x.county_code, ` + areaOf + ` || '/' || x.form || '/' || x.sector, x.delivery, COUNT(*), SUM(x.amount_fen)
			FROM contributions x WHERE x.status = 'approved' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`},
		{`SELECT township_code, month, area || '/' || form || '/' || sector, delivery, n, fen FROM township_month_sums WHERE n <> 0 OR fen <> 0 ORDER BY 1, 2, 3, 4`,
			`SELECT x.township_code, substr(x.date_from, 1, 7), ` + areaOf + ` || '/' || x.form || '/' || x.sector, x.delivery, COUNT(*), SUM(x.amount_fen)
			FROM contributions x WHERE x.status = 'approved' AND x.township_code IS NOT NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`},
		{`SELECT month, county_code, CAST(org_id AS TEXT), form, n, fen FROM giver_sums WHERE n <> 0 OR fen <> 0 ORDER BY 1, 2, 3, 4`,
			`SELECT substr(x.date_from, 1, 7), x.county_code, CAST(g.org_id AS TEXT), x.form, COUNT(*), SUM(x.amount_fen)
			FROM contributions x JOIN contribution_givers g ON g.contribution_id = x.id WHERE x.status = 'approved' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`},
		// The years follow the months (migration 00048).
		{`SELECT county_code, year, area || '/' || form || '/' || sector, delivery, n, fen FROM contribution_year_sums WHERE n <> 0 OR fen <> 0 ORDER BY 1, 2, 3, 4`,
			`SELECT x.county_code, substr(x.date_from, 1, 4), ` + areaOf + ` || '/' || x.form || '/' || x.sector, x.delivery, COUNT(*), SUM(x.amount_fen)
			FROM contributions x WHERE x.status = 'approved' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`},
		{`SELECT township_code, year, area || '/' || form || '/' || sector, delivery, n, fen FROM township_year_sums WHERE n <> 0 OR fen <> 0 ORDER BY 1, 2, 3, 4`,
			`SELECT x.township_code, substr(x.date_from, 1, 4), ` + areaOf + ` || '/' || x.form || '/' || x.sector, x.delivery, COUNT(*), SUM(x.amount_fen)
			FROM contributions x WHERE x.status = 'approved' AND x.township_code IS NOT NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`},
		{`SELECT CAST(org_id AS TEXT), year, county_code, form, n, fen FROM giver_year_sums WHERE n <> 0 OR fen <> 0 ORDER BY 1, 2, 3, 4`,
			`SELECT CAST(g.org_id AS TEXT), substr(x.date_from, 1, 4), x.county_code, x.form, COUNT(*), SUM(x.amount_fen)
			FROM contributions x JOIN contribution_givers g ON g.contribution_id = x.id WHERE x.status = 'approved' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`},
		// The givers' months alone follow giver_sums (migration 00042).
		{`SELECT month, '', CAST(org_id AS TEXT), '', n, fen FROM giver_rank_sums WHERE n <> 0 OR fen <> 0 ORDER BY 1, 3`,
			`SELECT substr(x.date_from, 1, 7), '', CAST(g.org_id AS TEXT), '', COUNT(*), SUM(x.amount_fen)
			FROM contributions x JOIN contribution_givers g ON g.contribution_id = x.id WHERE x.status = 'approved' GROUP BY 1, 3 ORDER BY 1, 3`},
		// Each giver row carries its contribution's date (migration 00036).
		{`SELECT CAST(g.contribution_id AS TEXT), CAST(g.org_id AS TEXT), g.date_from, '', 0, 0 FROM contribution_givers g ORDER BY g.contribution_id, g.org_id`,
			`SELECT CAST(g.contribution_id AS TEXT), CAST(g.org_id AS TEXT), x.date_from, '', 0, 0 FROM contribution_givers g JOIN contributions x ON x.id = g.contribution_id ORDER BY g.contribution_id, g.org_id`},
	}
	read := func(q string) []string {
		rows, err := db.SQL().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var a, b, c, d string
			var n, fen int64
			if err := rows.Scan(&a, &b, &c, &d, &n, &fen); err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.Join([]string{a, b, c, d}, "/")+" "+strconv.FormatInt(n, 10)+" "+strconv.FormatInt(fen, 10))
		}
		return out
	}
	for _, p := range pairs {
		got, want := read(p[0]), read(p[1])
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			return fmt.Sprintf("running sums (%d rows) differ from the records (%d rows): %v … vs %v …", len(got), len(want), first(got, want), first(want, got))
		}
	}
	return ""
}

// giverPagesMismatch lists giver filter f's rows page by page, two a
// page, following the cursors, and describes the first fault ("" if
// none): not count rows in all, a row out of the newest-first order or
// twice, or a row the filter does not match.
func giverPagesMismatch(ctx context.Context, db *store.DB, u *xiezuo.User, f ledger.ContributionFilter, count int64) string {
	f.Limit = 2
	var seen []*ledger.Contribution
	for range count + 1 {
		items, _, err := db.ListContributions(ctx, u, f)
		if err != nil {
			return err.Error()
		}
		seen = append(seen, items...)
		if len(items) < f.Limit {
			break
		}
		f.After = ledger.Cursor(items[len(items)-1])
	}
	if int64(len(seen)) != count {
		return fmt.Sprintf("giver %d: pages hold %d rows, totals count %d", f.GiverID, len(seen), count)
	}
	for i, c := range seen {
		if i > 0 && (c.DateFrom > seen[i-1].DateFrom || c.DateFrom == seen[i-1].DateFrom && c.ID >= seen[i-1].ID) {
			return fmt.Sprintf("giver %d: row %d (%s #%d) out of order after %s #%d", f.GiverID, i, c.DateFrom, c.ID, seen[i-1].DateFrom, seen[i-1].ID)
		}
		if !slices.ContainsFunc(c.Givers, func(g ledger.Org) bool { return g.ID == f.GiverID }) ||
			(f.From != "" && c.DateFrom < f.From) || (f.To != "" && c.DateFrom > f.To) {
			return fmt.Sprintf("giver %d: row #%d (%s, givers %v) does not match", f.GiverID, c.ID, c.DateFrom, c.Givers)
		}
	}
	return ""
}

// listTotalsMismatch compares a list's totals as ListContributions gives
// them (from the monthly sums where it can) with the same totals read from
// the rows, for every filter the sums answer — counties, whole and partial
// months, form, area, delivery, status — as the office, a unit and a
// viewer; it describes the first difference ("" if none).
func listTotalsMismatch(t *testing.T, db *store.DB) string {
	t.Helper()
	periods := [][2]string{{"", ""}, {"2020-01-01", "2020-12-31"}, {"2020-09-01", "2020-09-30"}, {"2020-09-05", "2020-10-14"},
		{"2020-09-20", ""}, {"", "2020-10-02"}, {"2020-09-15", "2020-09-20"}, {"2020-10-01", "2020-09-30"}, {"2019-12-31", "2021-01-01"},
		// Whole years and the months of partial ones (year sums, migration 00048).
		{"2019-01-01", "2021-12-31"}, {"2019-03-01", "2021-05-31"}, {"2019-03-15", "2021-05-20"}, {"2020-03-01", "2020-11-30"},
		{"2020-01-01", "2021-06-30"}, {"2019-07-01", "2020-12-31"}, {"2020-02-01", ""}, {"", "2020-11-30"}, {"2021-01-01", ""}}
	others := []func(*ledger.ContributionFilter){
		func(*ledger.ContributionFilter) {},
		func(f *ledger.ContributionFilter) { f.Form = "cash" },
		func(f *ledger.ContributionFilter) { f.Form = "in_kind" },
		func(f *ledger.ContributionFilter) { f.Area = "social" },
		func(f *ledger.ContributionFilter) { f.Area = "industry" },
		func(f *ledger.ContributionFilter) { f.Delivery = "pledged" },
		func(f *ledger.ContributionFilter) { f.Status = ledger.StatusApproved },
		func(f *ledger.ContributionFilter) {
			f.Status = ledger.StatusApproved
			f.Form = "consumption"
			f.Delivery = "delivered"
		},
		func(f *ledger.ContributionFilter) { f.Status = ledger.StatusDraft },
		func(f *ledger.ContributionFilter) { f.Sector = "education" },
		func(f *ledger.ContributionFilter) {
			f.Sector = "industry"
			f.Form = "cash"
			f.Delivery = "delivered"
		},
	}
	// The first givers and townships with records, alone and with another
	// filter (a township implies its county).
	var givers []int64
	var townships []string
	for q, into := range map[string]func(*sql.Rows) error{
		`SELECT DISTINCT g.org_id FROM contribution_givers g JOIN contributions x ON x.id = g.contribution_id ORDER BY 1`: func(r *sql.Rows) error {
			var id int64
			err := r.Scan(&id)
			givers = append(givers, id)
			return err
		},
		`SELECT DISTINCT township_code FROM contributions WHERE township_code IS NOT NULL ORDER BY 1`: func(r *sql.Rows) error {
			var code string
			err := r.Scan(&code)
			townships = append(townships, code)
			return err
		},
	} {
		rows, err := db.SQL().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			if err := into(rows); err != nil {
				t.Fatal(err)
			}
		}
		rows.Close()
	}
	for _, g := range givers[:min(3, len(givers))] {
		others = append(others,
			func(f *ledger.ContributionFilter) { f.GiverID = g },
			func(f *ledger.ContributionFilter) { f.GiverID, f.Form, f.Status = g, "cash", ledger.StatusApproved },
			func(f *ledger.ContributionFilter) { f.GiverID, f.Sector = g, "education" }) // the rows answer
	}
	for _, code := range townships[:min(3, len(townships))] {
		others = append(others,
			func(f *ledger.ContributionFilter) { f.CountyCode, f.TownshipCode = "", code },
			func(f *ledger.ContributionFilter) { f.CountyCode, f.TownshipCode, f.Form = "", code, "cash" },
			func(f *ledger.ContributionFilter) { f.CountyCode, f.TownshipCode, f.Area = "", code, "industry" })
	}
	admin := user(t, db, "admin")
	for _, p := range periods { // the home page's county table
		got, err := db.CountyTotals(ctx, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		var all ledger.Totals
		for _, c := range got {
			all.Plus(c.Totals)
			want, err := db.RowTotals(ctx, admin, ledger.ContributionFilter{CountyCode: c.CountyCode, Status: ledger.StatusApproved, From: p[0], To: p[1]})
			if err != nil {
				t.Fatal(err)
			}
			if c.Count != want.Count || c.AmountFen != want.AmountFen || fmt.Sprint(c.ByForm) != fmt.Sprint(want.ByForm) || c.CountyName == "" {
				return fmt.Sprintf("county totals %s..%s: %s %+v, rows %+v", p[0], p[1], c.CountyCode, c, want)
			}
		}
		want, err := db.RowTotals(ctx, admin, ledger.ContributionFilter{Status: ledger.StatusApproved, From: p[0], To: p[1]})
		if err != nil {
			t.Fatal(err)
		}
		if all.Count != want.Count || all.AmountFen != want.AmountFen { // no county left out
			return fmt.Sprintf("county totals %s..%s add to %d records, %d fen; rows %d, %d", p[0], p[1], all.Count, all.AmountFen, want.Count, want.AmountFen)
		}
	}
	for _, name := range []string{"admin", "chengjiaqiao", "viewer"} {
		u := user(t, db, name)
		for _, county := range []string{"", "532531000000", "532530000000"} {
			for _, p := range periods {
				for i, other := range others {
					f := ledger.ContributionFilter{CountyCode: county, From: p[0], To: p[1], Limit: 1}
					other(&f)
					_, got, err := db.ListContributions(ctx, u, f)
					if err != nil {
						t.Fatal(err)
					}
					want, err := db.RowTotals(ctx, u, f)
					if err != nil {
						t.Fatal(err)
					}
					if got.Count != want.Count || got.AmountFen != want.AmountFen || fmt.Sprint(got.ByForm) != fmt.Sprint(want.ByForm) {
						return fmt.Sprintf("%s, county %q, %s..%s, filter %d: list totals %+v, rows %+v", name, county, p[0], p[1], i, got, want)
					}
					if f.GiverID != 0 { // a giver's rows, read from its own index (migration 00036)
						if msg := giverPagesMismatch(ctx, db, u, f, want.Count); msg != "" {
							return fmt.Sprintf("%s, county %q, %s..%s, filter %d: %s", name, county, p[0], p[1], i, msg)
						}
					}
				}
			}
		}
	}
	return ""
}

// first is the first line of a that b lacks.
func first(a, b []string) string {
	in := map[string]bool{}
	for _, s := range b {
		in[s] = true
	}
	for _, s := range a {
		if !in[s] {
			return s
		}
	}
	return ""
}

// TestRunningSums: whatever writes the ledger — approving, reopening,
// returning, deleting, importing as approved, undoing an import — the
// dashboard's running sums stay equal to the records.
func TestRunningSums(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		admin := user(t, db, "admin")
		check := func(step string) {
			t.Helper()
			if msg := sumsMismatch(t, db); msg != "" {
				t.Fatalf("after %s: %s", step, msg)
			}
			if msg := listTotalsMismatch(t, db); msg != "" {
				t.Fatalf("after %s: %s", step, msg)
			}
		}
		check("the demo")
		c := newContribution(t, db, 2_500_000)
		c.Givers = append(c.Givers, ledger.Org{ID: orgID(t, db, "携程集团")})
		if err := db.SaveContribution(ctx, admin, c); err != nil {
			t.Fatal(err)
		}
		for _, a := range []ledger.Action{ledger.ActionSubmit, ledger.ActionApprove} {
			if err := db.Transition(ctx, admin, ledger.KindContribution, c.ID, a, ""); err != nil {
				t.Fatal(err)
			}
		}
		check("approving a record with two givers")
		if err := db.ConfirmReceipt(ctx, admin, c.ID); err != nil {
			t.Fatal(err)
		}
		check("confirming receipt")
		if err := db.Transition(ctx, admin, ledger.KindContribution, c.ID, ledger.ActionReopen, "金额有误"); err != nil {
			t.Fatal(err)
		}
		check("reopening it")
		c.AmountFen, c.Givers = 1_000_000, c.Givers[:1]
		if err := db.SaveContribution(ctx, admin, c); err != nil {
			t.Fatal(err)
		}
		for _, a := range []ledger.Action{ledger.ActionSubmit, ledger.ActionApprove} {
			if err := db.Transition(ctx, admin, ledger.KindContribution, c.ID, a, ""); err != nil {
				t.Fatal(err)
			}
		}
		check("editing and approving it again")
		// PostgreSQL writes every record's search words with an UPDATE
		// of that column alone, which the sums' trigger passes over.
		if err := db.RebuildSearch(ctx); err != nil {
			t.Fatal(err)
		}
		check("rewriting every record's search words")
		csv := "日期,帮扶单位,受援县,受援乡镇,形式,领域,金额(元),物资/内容\n" +
			"2020年9月20日,携程集团、拼多多,绿春县,大兴镇,资金,产业,5万,产业帮扶资金\n" +
			"2020-10-02,上海龙舜投资管理有限公司,金平县,,物资,教育,1.5万元,图书\n"
		b, err := imports.Contributions(ctx, db, admin, "历史数据.csv", strings.NewReader(csv), int64(len(csv)), imports.Options{Mode: "all", Approve: true})
		if err != nil || b.Imported != 2 {
			t.Fatalf("import: %+v, %v", b, err)
		}
		check("importing as approved")
		if _, err := db.UndoImport(ctx, admin, b.ID); err != nil {
			t.Fatal(err)
		}
		check("undoing the import")
		if err := db.Transition(ctx, admin, ledger.KindContribution, c.ID, ledger.ActionReopen, "撤回"); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteRecord(ctx, admin, ledger.KindContribution, c.ID); err != nil {
			t.Fatal(err)
		}
		check("deleting it")
	})
}

// TestImportSumsMany imports, as approved, rows that make hundreds of rows
// in every running-sums table (the import writes them 100 to a statement,
// from keys it numbers), and compares the sums with the records.
func TestImportSumsMany(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		admin := user(t, db, "admin")
		var b strings.Builder
		b.WriteString("日期,帮扶单位,受援县,受援乡镇,形式,领域,金额(元),物资/内容\n")
		givers := []string{"携程集团", "拼多多", "携程集团、拼多多"}
		places := [][2]string{{"绿春县", "大兴镇"}, {"金平县", ""}, {"绿春县", ""}}
		forms := []string{"资金", "物资"}
		sectors := []string{"产业", "教育", "医疗"}
		for i := range 330 {
			day := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*3)
			p := places[i%3]
			fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%d,第%d行\n", day.Format("2006-01-02"), givers[i%3], p[0], p[1], forms[i%2], sectors[i%3], 100+i, i)
		}
		csv := b.String()
		batch, err := imports.Contributions(ctx, db, admin, "多行.csv", strings.NewReader(csv), int64(len(csv)), imports.Options{Mode: "all", Approve: true})
		if err != nil || batch.Imported != 330 {
			t.Fatalf("import: %+v, %v", batch, err)
		}
		var days int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM contribution_sums WHERE day >= '2019-01-01' AND day < '2021-09-01'`).Scan(&days); err != nil || days < 300 {
			t.Fatalf("day sums of the batch: %d, %v (the test wants over 300, three statements)", days, err)
		}
		if msg := sumsMismatch(t, db); msg != "" {
			t.Fatal(msg)
		}
		if msg := listTotalsMismatch(t, db); msg != "" { // three years: whole years from the year sums
			t.Fatal(msg)
		}
	})
}

func TestScorecard(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		admin, unit := user(t, db, "admin"), user(t, db, "chengjiaqiao")
		metrics := report.Metrics()
		const jinping = "532530000000"
		ts := []report.Target{
			{Year: 2020, CountyCode: lvchun, Metric: "social", Value: 300_000_000}, // 300 万元
			{Year: 2020, CountyCode: lvchun, Metric: "consumption", Value: 50_000_000},
			{Year: 2020, CountyCode: jinping, Metric: "visits", Value: 10},
		}
		wantCode(t, db.SaveTargets(ctx, unit, ts, metrics), "forbidden")
		bad := append([]report.Target{}, ts...)
		bad[1].Metric = "no_such"
		err := db.SaveTargets(ctx, admin, bad, metrics)
		wantCode(t, err, "invalid")
		if !strings.Contains(err.Error(), "第2项") {
			t.Errorf("error does not name the row: %v", err)
		}
		if got, _ := db.Targets(ctx, 2020); len(got) != 0 {
			t.Fatalf("a refused save wrote %d targets", len(got))
		}
		if err := db.SaveTargets(ctx, admin, ts, metrics); err != nil {
			t.Fatal(err)
		}
		counties := []report.Area{{Code: lvchun, Label: "绿春县"}, {Code: jinping, Label: "金平县"}}
		ss, err := db.ScorecardSums(ctx, 2020, "2020-10-31", []string{lvchun, jinping})
		if err != nil {
			t.Fatal(err)
		}
		sc := report.NewScorecard(ss, counties)
		cell := func(metric string, i int) report.Cell {
			for _, r := range sc.Rows {
				if r.Code == metric {
					if i < 0 {
						return r.Total
					}
					return r.Cells[i]
				}
			}
			t.Fatalf("no row %s", metric)
			return report.Cell{}
		}
		// 绿春县 社会帮扶: 243.51 of 300 万元 = 81%, behind 83% of the year elapsed.
		if c := cell("social", 0); c.Actual != 243_508_800 { // 2,435,088.00 元
			t.Errorf("绿春县 social actual = %d", c.Actual)
		} else if c.Percent() != 81 || c.State(sc.Elapsed) != report.StateBehind {
			t.Errorf("绿春县 social: %d%% %s", c.Percent(), c.State(sc.Elapsed))
		}
		if c := cell("consumption", 0); c.State(sc.Elapsed) != report.StateDone {
			t.Errorf("绿春县 consumption: %+v %s", c, c.State(sc.Elapsed))
		}
		// The total scores only counties with a target.
		if c := cell("social", -1); c.Target != 300_000_000 || c.Scored != cell("social", 0).Actual || c.Actual <= c.Scored {
			t.Errorf("total social: %+v", c)
		}
		// The counties and 未分县 add up to the total in every row, and the
		// total says when its percent counts fewer records than its 实绩.
		for _, r := range sc.Rows {
			sum := r.Unassigned.Actual
			for _, c := range r.Cells {
				sum += c.Actual
			}
			if sum != r.Total.Actual || r.Unassigned.Actual < 0 {
				t.Errorf("%s: counties + 未分县 = %d, total %d", r.Code, sum, r.Total.Actual)
			}
		}
		if c := cell("social", -1); !c.PartlyScored() {
			t.Errorf("total social scored on part of its 实绩 but does not say so: %+v", c)
		}
		if c := cell("trained", 1); c.HasTarget {
			t.Errorf("金平县 trained has a target: %+v", c)
		}
		// A negative value removes a target.
		if err := db.SaveTargets(ctx, admin, []report.Target{{Year: 2020, CountyCode: jinping, Metric: "visits", Value: -1}}, metrics); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Targets(ctx, 2020); len(got) != 2 {
			t.Errorf("%d targets after removing one", len(got))
		}
		if _, err := db.ScorecardSums(ctx, 2020, "2019-05-01", nil); err == nil {
			t.Error("an as-of date before the year was accepted")
		}
	})
}

func TestRectifications(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		admin, unit := user(t, db, "admin"), user(t, db, "chengjiaqiao")
		open, err := db.Rectifications(ctx, 2020, true)
		if err != nil || len(open) != 2 || open[0].DueOn != "2020-11-10" {
			t.Fatalf("demo items: %+v, %v", open, err)
		}
		r := &ledger.Rectification{Title: "村企结对协议未全部签订", OwnerID: orgID(t, db, "程家桥街道"), DueOn: "2020-12-15", CountyCode: lvchun}
		wantCode(t, db.SaveRectification(ctx, unit, r), "forbidden")
		bad := *r
		bad.DueOn, bad.OwnerID = "12月15日", 0
		err = db.SaveRectification(ctx, admin, &bad)
		wantCode(t, err, "invalid")
		if f := xiezuoFields(err); f["due_on"] == "" || f["owner"] == "" {
			t.Errorf("fields: %v", f)
		}
		if err := db.SaveRectification(ctx, admin, r); err != nil {
			t.Fatal(err)
		}
		if !r.Overdue("2020-12-16") || r.Overdue("2020-12-15") {
			t.Error("overdue rule")
		}
		r.DoneOn = "2020-12-01"
		if err := db.SaveRectification(ctx, admin, r); err != nil {
			t.Fatal(err)
		}
		ss, err := db.ScorecardSums(ctx, 2020, "2020-11-30", nil)
		if err != nil {
			t.Fatal(err)
		}
		sc := report.NewScorecard(ss, nil)
		if len(sc.Rectifications) != 2 || !sc.Rectifications[0].Overdue(sc.AsOf) || sc.Rectifications[1].Overdue(sc.AsOf) {
			t.Errorf("scorecard items: %+v", sc.Rectifications)
		}
	})
}

func TestTenCoverage(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		cov, err := db.TenCoverage(ctx, 2020)
		if err != nil {
			t.Fatal(err)
		}
		if len(cov) == 0 {
			t.Fatal("no pairings checked")
		}
		var chengjiaqiao *report.Coverage
		for i, c := range cov {
			if i > 0 && len(c.Missing()) > len(cov[i-1].Missing()) {
				t.Errorf("not sorted by what is missing")
			}
			if c.East == "程家桥街道" && strings.Contains(c.West, "大兴镇") {
				chengjiaqiao = &cov[i]
			}
		}
		// 程家桥街道 ↔ 大兴镇 (2020): the agreement of 9月2日 and the 9月1日至4日
		// visit; the agreement names no sum and no project is recorded.
		if chengjiaqiao == nil {
			t.Fatal("程家桥街道—大兴镇 not checked")
		}
		has := map[string]bool{}
		for i, ok := range chengjiaqiao.Has {
			has[report.TenChecks[i]] = ok
		}
		if !has["有协议"] || !has["有互访"] || has["有计划"] || has["有项目"] {
			t.Errorf("程家桥街道—大兴镇: %v", has)
		}
	})
}

func TestCompliance(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		unit := user(t, db, "chengjiaqiao")
		db.Now = func() time.Time { return time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) }
		// 程家桥街道 reports November 2026 itself: one record submitted on
		// 11月20日 (before 12月5日), one left as a draft.
		c := newContribution(t, db, 100_000)
		c.DateFrom = "2026-11-03"
		if err := db.SaveContribution(ctx, unit, c); err != nil {
			t.Fatal(err)
		}
		if err := db.Transition(ctx, unit, ledger.KindContribution, c.ID, ledger.ActionSubmit, ""); err != nil {
			t.Fatal(err)
		}
		draft := newContribution(t, db, 200_000)
		draft.DateFrom = "2026-10-08"
		if err := db.SaveContribution(ctx, unit, draft); err != nil {
			t.Fatal(err)
		}
		rows, err := db.Compliance(ctx, 2026, "2026-11-28")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][12]string{}
		for _, r := range rows {
			got[r.OrgName] = r.Months
		}
		cjq, ok := got["程家桥街道"]
		if !ok {
			t.Fatalf("程家桥街道 is not a reporting unit: %v", got)
		}
		if cjq[10] != report.ReportOnTime || cjq[9] != report.ReportUnsent || cjq[0] != report.ReportNone || cjq[11] != "" {
			t.Errorf("程家桥街道 2026: %v", cjq)
		}
		// The demo's 2020 records were entered by the office.
		rows, err = db.Compliance(ctx, 2020, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.OrgName == "程家桥街道" && r.Months[8] != report.ReportByOffice {
				t.Errorf("程家桥街道 2020年9月: %s", r.Months[8])
			}
		}
	})
}
