package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/store"
)

// supervisionOrders is how many orders BenchmarkSupervision seeds, all in
// one year (the worst case for one year's page).
const supervisionOrders = 1_000_000

// BenchmarkSupervision measures the supervision page's query (every
// unit's share and purchases, the sums per county, channel and month, the
// five flags) over 1,000,000 orders of one year by 300 buyer units, about
// 60% of them accepted (a consumption contribution each), on SQLite (or
// XIEZUO_BENCH_SUPERVISION_DB: another file or a postgres:// URL). The
// seed writes with SQL, through the running-sum triggers, and is kept for
// later runs. It reports p50 and p95.
func BenchmarkSupervision(b *testing.B) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("xiezuo-bench-supervision-%d.db", supervisionOrders))
	if p := os.Getenv("XIEZUO_BENCH_SUPERVISION_DB"); p != "" {
		path = p
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM orders`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n < supervisionOrders {
		if _, err := demo.Load(ctx, db); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := seedOrders(db, supervisionOrders); err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded %d orders in %s", supervisionOrders, time.Since(start).Round(time.Millisecond))
	}
	u, err := db.UserByName(ctx, "caizheng")
	if err != nil {
		b.Fatal(err)
	}
	opt := store.SupervisionOptions{ReportDate: "2025-06-30"}
	rep, err := db.Supervision(ctx, u, 2025, opt)
	if err != nil {
		b.Fatal(err)
	}
	nf := 0
	for _, c := range rep.FlagCounts {
		nf += c
	}
	b.Logf("%d units, %d counted orders, %s元 purchased, %d flags", len(rep.Units), rep.OrderCount, fmt.Sprint(rep.PurchasedFen/100), nf)
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := db.Supervision(ctx, u, 2025, opt); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
	}
	reportTimes(b, times)
}

// seedOrders inserts n shop orders of 2025 of 300 new buyer units from the
// demo's admitted suppliers, one line each: 60% accepted with their
// consumption contribution, 5% cancelled, 0.1% returned, the rest on
// their way; a few dear lines and a few from outside the paired counties.
func seedOrders(sdb *store.DB, n int) error {
	db := sdb.SQL()
	r := rand.New(rand.NewPCG(3, 4))
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var units []int64
	for i := 0; i < 300; i++ {
		var id int64
		if err := tx.QueryRow(`INSERT INTO organisations (name, kind, side) VALUES ($1, '委办局', 'east') RETURNING id`, fmt.Sprintf("预算单位%03d", i)).Scan(&id); err != nil {
			return err
		}
		units = append(units, id)
	}
	type prod struct {
		supplier        int64
		name, cat, unit string
		origin          string
		price           int64
	}
	var prods []prod
	rows, err := tx.Query(`SELECT supplier_id, name, category, unit, origin_code, price_fen FROM products`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var p prod
		if err := rows.Scan(&p.supplier, &p.name, &p.cat, &p.unit, &p.origin, &p.price); err != nil {
			return err
		}
		prods = append(prods, p)
	}
	rows.Close()
	var admin int64
	if err := tx.QueryRow(`SELECT id FROM users WHERE username = 'admin'`).Scan(&admin); err != nil {
		return err
	}
	var maxOrder, maxContrib int64
	tx.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM orders`).Scan(&maxOrder)
	tx.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM contributions`).Scan(&maxContrib)
	if err := tx.Commit(); err != nil {
		return err
	}
	// A transaction a batch: on PostgreSQL the running sums' rows, updated
	// by the triggers once an order, would otherwise pile up a million
	// versions in one transaction (the seed did not finish in an hour).
	const batch = 500
	for i := 0; i < n; i += batch {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		var o, l, c, g strings.Builder
		o.WriteString(`INSERT INTO orders (id, no, channel, ordered_on, buyer_unit_id, supplier_id, total_fen, status, created_at, updated_at) VALUES `)
		l.WriteString(`INSERT INTO order_lines (order_id, seq, name, category, origin_code, unit, qty, price_fen, amount_fen) VALUES `)
		c.WriteString(`INSERT INTO contributions (id, unit_id, status, created_by, created_at, updated_at, date_from, date_to, county_code, form, sector, delivery, amount_fen, item, area, order_id) VALUES `)
		g.WriteString(`INSERT INTO contribution_givers (contribution_id, org_id, seq) VALUES `)
		nc := 0
		for j := 0; j < batch && i+j < n; j++ {
			id := maxOrder + int64(i+j) + 1
			p := prods[r.IntN(len(prods))]
			unit := units[r.IntN(len(units))]
			day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(350))
			price, origin := p.price, p.origin
			if r.IntN(20000) == 0 {
				price *= 5
			}
			if r.IntN(50000) == 0 {
				origin = "310105000000" // 长宁区: not a paired county
			}
			qty := int64(1 + r.IntN(20))
			status := "pending"
			switch k := r.IntN(1000); {
			case k < 600:
				status = "accepted"
			case k < 650:
				status = "cancelled"
			case k < 651:
				status = "returned"
			case k < 800:
				status = "shipped"
			}
			if j > 0 {
				o.WriteString(", ")
				l.WriteString(", ")
			}
			fmt.Fprintf(&o, "(%d, 'B%09d', 'shop', '%s', %d, %d, %d, '%s', 'x', 'x')", id, id, day.Format("2006-01-02"), unit, p.supplier, qty*price, status)
			fmt.Fprintf(&l, "(%d, 0, '%s', '%s', '%s', '%s', %d, %d, %d)", id, p.name, p.cat, origin, p.unit, qty, price, qty*price)
			if status == "accepted" {
				cid := maxContrib + id
				if nc > 0 {
					c.WriteString(", ")
					g.WriteString(", ")
				}
				nc++
				acc := day.AddDate(0, 0, r.IntN(10)).Format("2006-01-02")
				if acc > "2025-12-31" {
					acc = "2025-12-31"
				}
				fmt.Fprintf(&c, "(%d, %d, 'approved', %d, 'x', 'x', '%s', '%s', '%s', 'consumption', 'industry', 'delivered', %d, '%s', 'consumption', %d)",
					cid, unit, admin, acc, acc, origin[:6]+"000000", qty*price, p.name, id)
				fmt.Fprintf(&g, "(%d, %d, 0)", cid, unit)
			}
		}
		for _, q := range []string{o.String(), l.String()} {
			if _, err := tx.Exec(q); err != nil {
				tx.Rollback()
				return err
			}
		}
		if nc > 0 {
			for _, q := range []string{c.String(), g.String()} {
				if _, err := tx.Exec(q); err != nil {
					tx.Rollback()
					return err
				}
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
