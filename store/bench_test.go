package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

// benchRows is how many contributions the benchmarks seed
// (XIEZUO_BENCH_ROWS, for the growth from 100,000 to 3,000,000; else
// 1,111,112, as the seed has always made: all approved but a backlog of
// 1,000).
var benchRows = func() int {
	if n, err := strconv.Atoi(os.Getenv("XIEZUO_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_111_112
}()

// openBenchDB returns a SQLite database with the demo and benchRows
// synthetic contributions. The file is kept in the temp directory and
// reused by later runs (delete it to reseed). XIEZUO_BENCH_DB names
// another file, or a PostgreSQL database (postgres://…) seeded the same
// way on first use.
func openBenchDB(b *testing.B) *store.DB {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("xiezuo-bench-%d.db", benchRows))
	if p := os.Getenv("XIEZUO_BENCH_DB"); p != "" { // a copy, to leave the shared file as it is
		path = p
	}
	ctx := context.Background()
	_, statErr := os.Stat(path)
	if store.IsPostgres(path) { // a postgres:// URL: seeded once, like the file
		statErr = nil
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if statErr == nil {
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM contributions`).Scan(&n); err == nil && n >= benchRows {
			return db
		}
	}
	if _, err := demo.Load(ctx, db); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := seedContributions(db, benchRows); err != nil {
		b.Fatal(err)
	}
	rebuildSearch(b, db) // the seed writes around the store
	b.Logf("seeded %d contributions in %s", benchRows, time.Since(start).Round(time.Millisecond))
	return db
}

// seedContributions inserts n contributions spread over the demo's four
// counties and their townships, 2018–2025, all forms: approved, as the
// issue-11 figures assume, but for a backlog of pendingBacklog not yet
// approved, dated in the last 30 days of the range: an office's entries of
// the last few days, whatever the size of its history. (The seed had 10%
// of all rows pending, over all eight years, before 2026-12-02, then 1%;
// a backlog that grows with the history makes every list's totals grow
// with it, since rows not approved are read from the rows.)
//
// On PostgreSQL the rows go in with the row triggers off
// (session_replication_role), and their running sums are added once at
// the end as an import adds a batch's: through the row triggers a
// million rows took hours here, each one updating the same few sums rows
// in one transaction.
func seedContributions(sdb *store.DB, n int) error {
	const pendingBacklog = 1000
	db, postgres := sdb.SQL(), sdb.Dialect == store.Postgres
	ctx := context.Background()
	sums := store.NewSeedSums()
	r := rand.New(rand.NewPCG(1, 2))
	var units, creators []int64
	rows, err := db.Query(`SELECT id FROM organisations WHERE side = 'east'`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		units = append(units, id)
	}
	rows.Close()
	if err := db.QueryRow(`SELECT id FROM users WHERE username = 'admin'`).Scan(new(int64)); err != nil {
		return err
	}
	rows, _ = db.Query(`SELECT id FROM users`)
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		creators = append(creators, id)
	}
	rows.Close()
	counties := []string{"532531000000", "532530000000", "532529000000", "632623000000"}
	townships := map[string][]string{}
	for _, c := range counties {
		rs, _ := db.Query(`SELECT code FROM regions WHERE parent_code = $1`, c)
		for rs.Next() {
			var code string
			rs.Scan(&code)
			townships[c] = append(townships[c], code)
		}
		rs.Close()
	}
	forms := []string{"cash", "in_kind", "consumption", "fiscal"}
	sectors := []string{"education", "health", "industry", "livelihood", "infrastructure", "employment", "culture", "other"}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if postgres {
		if _, err := tx.Exec(`SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
	}
	var maxID int64
	tx.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM contributions`).Scan(&maxID)
	const batch = 500
	for i := 0; i < n; i += batch {
		var q, g strings.Builder
		q.WriteString(`INSERT INTO contributions (id, unit_id, status, created_by, created_at, updated_at, date_from, date_to, county_code, township_code, form, sector, delivery, amount_fen, item, area) VALUES `)
		g.WriteString(`INSERT INTO contribution_givers (contribution_id, org_id, seq, date_from) VALUES `)
		for j := 0; j < batch && i+j < n; j++ {
			id := maxID + int64(i+j) + 1
			county := counties[r.IntN(len(counties))]
			town, townCode := "NULL", ""
			if ts := townships[county]; len(ts) > 0 && r.IntN(2) == 0 {
				townCode = ts[r.IntN(len(ts))]
				town = "'" + townCode + "'"
			}
			day := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(8*365)).Format("2006-01-02")
			status := "approved"
			if i+j < pendingBacklog {
				status = []string{"draft", "submitted", "returned"}[r.IntN(3)]
				day = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -r.IntN(30)).Format("2006-01-02")
			}
			delivery := "delivered"
			if r.IntN(5) == 0 {
				delivery = "pledged"
			}
			if j > 0 {
				q.WriteString(", ")
				g.WriteString(", ")
			}
			unit := units[r.IntN(len(units))]
			form, sector := forms[r.IntN(4)], sectors[r.IntN(8)]
			amount := int64(r.IntN(50_000_00)) + 100
			fmt.Fprintf(&q, "(%d, %d, '%s', %d, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '%s', '%s', '%s', %s, '%s', '%s', '%s', %d, '物资%d', '%s')",
				id, unit, status, creators[r.IntN(len(creators))], day, day, county, town, form, sector, delivery,
				amount, r.IntN(1000), ledger.ContributionArea(form, sector))
			giver := units[r.IntN(len(units))]
			fmt.Fprintf(&g, "(%d, %d, 0, '%s')", id, giver, day)
			if postgres && status == "approved" {
				sums.Add(&ledger.Contribution{DateFrom: day, CountyCode: county, TownshipCode: townCode,
					Form: form, Sector: sector, Delivery: delivery, AmountFen: amount, Givers: []ledger.Org{{ID: giver}}})
			}
		}
		if _, err := tx.Exec(q.String()); err != nil {
			return err
		}
		if _, err := tx.Exec(g.String()); err != nil {
			return err
		}
	}
	// PostgreSQL's id sequence does not see explicit ids: move it past them,
	// so later writes (the mixed load) get fresh ones.
	if postgres {
		if _, err := tx.Exec(`SET LOCAL session_replication_role = origin`); err != nil {
			return err
		}
		if err := sums.Apply(ctx, sdb, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(`SELECT setval(pg_get_serial_sequence('contributions', 'id'), (SELECT MAX(id) FROM contributions))`); err != nil {
			return err
		}
	}
	// No ANALYZE: the product never runs it, so the planner here sees the
	// same (absent) statistics as an office's database does.
	return tx.Commit()
}

// BenchmarkContributionList measures what the list page does for one
// request — a page of 50 rows with givers, and the totals of every matching
// row — on 1,000,000 contributions in SQLite. It reports p50 and p95.
func BenchmarkContributionList(b *testing.B) {
	db := openBenchDB(b)
	ctx := context.Background()
	admin := user(&testing.T{}, db, "admin")
	unit := user(&testing.T{}, db, "chengjiaqiao")
	deep := min(999_950, benchRows*9/10)
	// A township of 绿春县 and an east unit, for their own lists.
	var town string
	var giver int64
	if err := db.SQL().QueryRow(`SELECT code FROM regions WHERE parent_code = $1 ORDER BY code LIMIT 1`, lvchun).Scan(&town); err != nil {
		b.Fatal(err)
	}
	if err := db.SQL().QueryRow(`SELECT MIN(org_id) FROM contribution_givers`).Scan(&giver); err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		u    any
		f    ledger.ContributionFilter
	}{
		{"county+year+approved", admin, ledger.ContributionFilter{CountyCode: lvchun, Status: ledger.StatusApproved, From: "2020-01-01", To: "2020-12-31"}},
		{"county+month", admin, ledger.ContributionFilter{CountyCode: lvchun, From: "2020-09-01", To: "2020-09-30"}},
		{"county+day", admin, ledger.ContributionFilter{CountyCode: lvchun, From: "2020-09-01", To: "2020-09-01"}}, // the goal's yardstick: a year ≤ 3× a day
		{"county+year", admin, ledger.ContributionFilter{CountyCode: lvchun, From: "2020-01-01", To: "2020-12-31"}},
		// The bulletin's own period, 8月15日至10月14日: a month whole, two parts of months.
		{"county+bulletin-period", admin, ledger.ContributionFilter{CountyCode: lvchun, From: "2020-08-15", To: "2020-10-14"}},
		{"bulletin-period", admin, ledger.ContributionFilter{From: "2020-08-15", To: "2020-10-14"}},
		{"form+year", admin, ledger.ContributionFilter{Form: "cash", From: "2021-01-01", To: "2021-12-31"}},
		{"sector+year", admin, ledger.ContributionFilter{Sector: "education", From: "2021-01-01", To: "2021-12-31"}},
		// A township's or a giver's day holds a few rows, not a page: their
		// month, year and whole history show whether the cost grows with
		// the matches once a page is full.
		{"township+day", admin, ledger.ContributionFilter{TownshipCode: town, From: "2020-09-01", To: "2020-09-01"}},
		{"township+month", admin, ledger.ContributionFilter{TownshipCode: town, From: "2020-09-01", To: "2020-09-30"}},
		{"township+year", admin, ledger.ContributionFilter{TownshipCode: town, From: "2020-01-01", To: "2020-12-31"}},
		{"township-only", admin, ledger.ContributionFilter{TownshipCode: town}},
		{"giver+day", admin, ledger.ContributionFilter{GiverID: giver, From: "2020-09-01", To: "2020-09-01"}},
		{"giver+month", admin, ledger.ContributionFilter{GiverID: giver, From: "2020-09-01", To: "2020-09-30"}},
		{"giver+year", admin, ledger.ContributionFilter{GiverID: giver, From: "2020-01-01", To: "2020-12-31"}},
		{"giver-only", admin, ledger.ContributionFilter{GiverID: giver}},
		{"unit-user+county+year", unit, ledger.ContributionFilter{CountyCode: lvchun, From: "2020-01-01", To: "2020-12-31"}},
		{"county-only", admin, ledger.ContributionFilter{CountyCode: lvchun}},
		{"unfiltered", admin, ledger.ContributionFilter{}},
		// Page 20,000 of 50 rows (page 1,800 of 100,000 rows).
		{"unfiltered-deep-page-offset", admin, ledger.ContributionFilter{Offset: deep}},
		{"unfiltered-deep-page-cursor", admin, ledger.ContributionFilter{After: deepCursor(b, db, deep-1)}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			u := admin
			if c.u == unit {
				u = unit
			}
			var times []time.Duration
			var count int64
			for b.Loop() {
				start := time.Now()
				items, tot, err := db.ListContributions(ctx, u, c.f)
				// A small seed (XIEZUO_BENCH_ROWS) may leave a day empty.
				if err != nil || len(items) == 0 && tot.Count > 0 {
					b.Fatalf("%d items of %d, %v", len(items), tot.Count, err)
				}
				times = append(times, time.Since(start))
				count = tot.Count
			}
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(count), "rows-matched")
		})
	}
}

// deepCursor is the cursor of the row at offset n of the unfiltered
// newest-first list (the last row of the page before offset n+1).
func deepCursor(b *testing.B, db *store.DB, n int) string {
	var c ledger.Contribution
	if err := db.SQL().QueryRow(`SELECT date_from, id FROM contributions ORDER BY date_from DESC, id DESC LIMIT 1 OFFSET $1`, n).Scan(&c.DateFrom, &c.ID); err != nil {
		b.Fatal(err)
	}
	return ledger.Cursor(&c)
}

// searchWords are the keywords BenchmarkContributionSearch looks for; each
// is planted in about 1 in 300 contributions' items.
var searchWords = []string{"红米", "茶叶", "教育"}

// plantWords gives every 97th contribution an item with one of searchWords
// (once: a database that has them is left alone), then lets the store
// bring its search index up to date.
func plantWords(b *testing.B, db *store.DB) {
	b.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM contributions WHERE item = '云南红米'`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n > 0 {
		return
	}
	if _, err := db.SQL().Exec(`UPDATE contributions SET item = CASE id % 3 WHEN 0 THEN '云南红米' WHEN 1 THEN '绿春茶叶' ELSE '教育捐赠：图书' END WHERE id % 97 = 0`); err != nil {
		b.Fatal(err)
	}
	rebuildSearch(b, db)
}

// BenchmarkContributionSearch measures the list page's keyword filter
// (?q=) for two-character Chinese words on the benchmark database, as
// BenchmarkContributionList does; the "sql" cases run the list's two
// statements directly, to show what the store adds.
//
// Measured 2026-12 on a busy 2-core machine, 3,820 matches a word, p50:
// before the bigram index (LIKE) 红米 2656 ms, 茶叶 2334 ms, 教育 1573 ms;
// with it 30, 22, 25 ms (the same SQL run directly: 24, 11, 19 ms).
func BenchmarkContributionSearch(b *testing.B) {
	db := openBenchDB(b)
	plantWords(b, db)
	ctx := context.Background()
	admin := user(&testing.T{}, db, "admin")
	for _, word := range append(searchWords, "红米+县+年") {
		b.Run(word, func(b *testing.B) {
			f := ledger.ContributionFilter{Query: word}
			if word == "红米+县+年" {
				f = ledger.ContributionFilter{Query: "红米", CountyCode: lvchun, From: "2020-01-01", To: "2020-12-31"}
			}
			var times []time.Duration
			var count int64
			for b.Loop() {
				start := time.Now()
				items, tot, err := db.ListContributions(ctx, admin, f)
				if err != nil || len(items) == 0 {
					b.Fatalf("%d items, %v", len(items), err)
				}
				times = append(times, time.Since(start))
				count = tot.Count
			}
			reportTimes(b, times)
			b.ReportMetric(float64(count), "rows-matched")
		})
	}
	for _, word := range searchWords {
		b.Run("sql-"+word, func(b *testing.B) {
			page, totals, args := searchSQL(db, word)
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				rows, err := db.SQL().QueryContext(ctx, page, args...)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					n++
				}
				rows.Close()
				rows, err = db.SQL().QueryContext(ctx, totals, args...)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
				}
				rows.Close()
				if n == 0 {
					b.Fatal("no rows")
				}
				times = append(times, time.Since(start))
			}
			reportTimes(b, times)
		})
	}
}

func reportTimes(b *testing.B, times []time.Duration) {
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
}
