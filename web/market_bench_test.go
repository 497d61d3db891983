package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/store"
	"github.com/xiezuo/xiezuo/web"
)

// BenchmarkCheckoutHTTP drives the shop's checkout (POST
// /api/v1/market/checkout, a cart of two products of one supplier, each
// request its own Idempotency-Key) from 64 clients over loopback HTTP for
// XIEZUO_BENCH_SECONDS (10), as a signed-in purchaser of the demo, and
// reports checkouts per second with p50 and p99 beside the same run's raw
// single-row INSERT rate (autocommit, one client) on the same database.
// SQLite in a temporary file, or XIEZUO_BENCH_DB (a postgres:// URL of an
// empty database, or a SQLite file).
func BenchmarkCheckoutHTTP(b *testing.B) {
	secs := 10 * time.Second
	if v, err := time.ParseDuration(os.Getenv("XIEZUO_BENCH_SECONDS") + "s"); err == nil && v > 0 {
		secs = v
	}
	dsn := os.Getenv("XIEZUO_BENCH_DB")
	if dsn == "" {
		dsn = filepath.Join(b.TempDir(), "checkout.db")
	}
	debug.SetMemoryLimit(web.MemoryLimit)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := demo.Load(ctx, db); err != nil {
		b.Fatal(err)
	}
	var rice, spice int64
	if err := db.SQL().QueryRow(`SELECT (SELECT id FROM products WHERE name = '梯田红米'), (SELECT id FROM products WHERE name = '草果八角香料礼盒')`).Scan(&rice, &spice); err != nil {
		b.Fatal(err)
	}
	if _, err := db.SQL().Exec(`UPDATE products SET stock = 1000000000`); err != nil {
		b.Fatal(err)
	}
	s, err := web.NewServer(db, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	if resp, err := c.PostForm(srv.URL+"/login", url.Values{"username": {"cjq-caigou"}, "password": {demo.Password}}); err != nil {
		b.Fatal(err)
	} else {
		resp.Body.Close()
	}
	cart := fmt.Sprintf(`{"lines":[{"product_id":%d,"qty":2},{"product_id":%d,"qty":1}]}`, rice, spice)
	for b.Loop() {
		// The raw operation: single-row INSERTs, autocommit, one client.
		if _, err := db.SQL().Exec(`CREATE TABLE IF NOT EXISTS bench_raw (id BIGINT PRIMARY KEY, note TEXT NOT NULL)`); err != nil {
			b.Fatal(err)
		}
		db.SQL().Exec(`DELETE FROM bench_raw`)
		var raw int
		for t0 := time.Now(); time.Since(t0) < 2*time.Second; raw++ {
			if _, err := db.SQL().Exec(`INSERT INTO bench_raw (id, note) VALUES ($1, $2)`, raw, "raw insert"); err != nil {
				b.Fatal(err)
			}
		}
		rawRate := float64(raw) / 2
		var n atomic.Int64
		start := time.Now().UnixNano()
		checkout := func() (*http.Response, error) {
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1/market/checkout", strings.NewReader(cart))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "bench-"+strconv.FormatInt(start, 36)+"-"+strconv.FormatInt(n.Add(1), 10))
			return c.Do(req)
		}
		rps, p50, p99, errs := loadWith(checkout, 64, secs)
		b.Logf("%s: checkout c=64 %.1f /s  p50 %v  p99 %v  errors %d; raw INSERT %.0f /s (ratio %.3f)", db.Dialect, rps, p50, p99, errs, rawRate, rps/rawRate)
		b.ReportMetric(rps, "checkouts/s")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	}
}
