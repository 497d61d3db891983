package store_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/store"
)

// p50 runs each fn n times, taking turns so that no one of them warms
// the cache for another, and returns their median durations.
func p50(b *testing.B, n int, fns ...func() error) []time.Duration {
	times := make([][]time.Duration, len(fns))
	for range n {
		for i, fn := range fns {
			start := time.Now()
			if err := fn(); err != nil {
				b.Fatal(err)
			}
			times[i] = append(times[i], time.Since(start))
		}
	}
	out := make([]time.Duration, len(fns))
	for i, ts := range times {
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
		out[i] = ts[n/2]
	}
	return out
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
				mq, margs := store.MoneySQL(c.f)
				gq, gargs := store.GiversSQL(c.f)
				t := p50(b, n,
					func() error { s, err := db.DashboardSums(ctx, c.f); report.NewDashboard(s); return err },
					func() error { return db.MoneyFigures(ctx, c.f) },
					func() error { return rawQuery(db, mq, margs) },
					func() error { return db.TopGivers(ctx, c.f) },
					func() error { return rawQuery(db, gq, gargs) })
				page, money, moneyRaw, givers, giversRaw := t[0], t[1], t[2], t[3], t[4]
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
