package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/password"
	"github.com/xiezuo/xiezuo/web"
)

// BenchmarkLogin fires XIEZUO_BENCH_LOGINS (500) parallel sign-in attempts
// at a server — half with known user names and wrong passwords, half with
// unknown names — from one address, and again from as many addresses as
// attempts (behind a trusted proxy, as a distributed guesser would), and
// reports the process's peak RSS, the p50/p99 answer time and the answers.
//
//	go test ./web/ -run XXX -bench Login -benchtime 3x
func BenchmarkLogin(b *testing.B) {
	n := 500
	if v, err := strconv.Atoi(os.Getenv("XIEZUO_BENCH_LOGINS")); err == nil && v > 0 {
		n = v
	}
	debug.SetMemoryLimit(web.MemoryLimit) // as serve does
	for b.Loop() {
		for _, spread := range []bool{false, true} {
			db := testdb.OpenDemo(b, "sqlite")
			s, err := web.NewServer(db, false, nil)
			if err != nil {
				b.Fatal(err)
			}
			s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
			srv := newTestServer(&testing.T{}, s)
			tr := &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: 0}
			c := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			known := []string{"admin", "reviewer", "viewer", "chengjiaqiao", "lvchun", "xinhualu"}
			// The raw operation, in the same run: one password check alone.
			h, _ := password.Hash(context.Background(), "raw-limit-password")
			t1 := time.Now()
			password.Check(context.Background(), "raw-limit-password", h)
			one := time.Since(t1)
			debug.FreeOSMemory()
			testdb.PeakRSS(true)
			base := testdb.PeakRSS(false)
			took := make([]time.Duration, n)
			codes := make([]int, n)
			var start, wg sync.WaitGroup
			start.Add(1)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					name := fmt.Sprintf("nobody%d", i)
					if i%2 == 0 {
						name = known[i/2%len(known)]
					}
					req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader(url.Values{"username": {name}, "password": {"wrong-password-" + strconv.Itoa(i)}}.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					if spread {
						req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255+1))
					}
					start.Wait()
					t0 := time.Now()
					resp, err := c.Do(req)
					took[i] = time.Since(t0)
					if err != nil {
						codes[i] = -1
						return
					}
					resp.Body.Close()
					codes[i] = resp.StatusCode
				}()
			}
			t0 := time.Now()
			start.Done()
			wg.Wait()
			wall := time.Since(t0)
			rss := testdb.PeakRSS(false)
			srv.Close()
			tr.CloseIdleConnections()
			db.Close()
			slices.Sort(took)
			where := "one address"
			if spread {
				where = fmt.Sprintf("%d addresses", n)
			}
			b.Logf("one check alone %s; %d parallel sign-ins from %s: RSS before %.0f MB, peak %.0f MB, p50 %s, p99 %s, all answered in %s; answers %v",
				one.Round(time.Millisecond), n, where, float64(base)/(1<<20), float64(rss)/(1<<20), took[n/2].Round(time.Millisecond), took[n*99/100].Round(time.Millisecond), wall.Round(time.Millisecond), statuses(codes))
			key := "one-addr"
			if spread {
				key = "many-addr"
			}
			b.ReportMetric(float64(rss)/(1<<20), key+"-peak-RSS-MB")
			b.ReportMetric(float64(took[n*99/100].Milliseconds()), key+"-p99-ms")
		}
	}
}
