package store_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/store"
)

// p50 runs fn n times and returns the median duration.
func p50(b *testing.B, n int, fn func() error) time.Duration {
	times := make([]time.Duration, n)
	for i := range times {
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		times[i] = time.Since(start)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	return times[n/2]
}

// rawQuery runs q and reads every row, as a bare GROUP BY would.
func rawQuery(db *store.DB, q string, args []any) error {
	rows, err := db.SQL().Query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(any)
	}
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// BenchmarkDashboard measures the dashboard on ~1,000,000 approved
// contributions (SQLite): the whole page's figures (p50), and each
// contribution aggregate against the same GROUP BY run as raw SQL.
func BenchmarkDashboard(b *testing.B) {
	db := openBenchDB(b)
	ctx := context.Background()
	var approved int64
	db.SQL().QueryRow(`SELECT COUNT(*) FROM contributions WHERE status = 'approved'`).Scan(&approved)
	b.Logf("%d approved contributions", approved)
	for _, c := range []struct {
		name string
		f    report.Filter
	}{
		{"year", report.ForYear(2020, "")},
		{"year+county", report.ForYear(2020, lvchun)},
		{"all-years", report.ForYear(0, "")},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				const n = 15
				page := p50(b, n, func() error { _, err := db.Dashboard(ctx, c.f); return err })
				mq, margs := store.MoneySQL(c.f)
				gq, gargs := store.GiversSQL(c.f)
				money := p50(b, n, func() error { return db.MoneyFigures(ctx, c.f) })
				moneyRaw := p50(b, n, func() error { return rawQuery(db, mq, margs) })
				givers := p50(b, n, func() error { return db.TopGivers(ctx, c.f) })
				giversRaw := p50(b, n, func() error { return rawQuery(db, gq, gargs) })
				ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
				b.ReportMetric(ms(page), "dashboard-p50-ms")
				b.ReportMetric(ms(money), "money-ms")
				b.ReportMetric(float64(money)/float64(moneyRaw), "money-ratio")
				b.ReportMetric(ms(givers), "givers-ms")
				b.ReportMetric(float64(givers)/float64(giversRaw), "givers-ratio")
			}
		})
	}
}
