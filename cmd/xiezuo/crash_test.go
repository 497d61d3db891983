package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

// TestMain lets the crash tests run this test binary as the xiezuo
// command (XIEZUO_TEST_CHILD=1), so they can kill a real process.
func TestMain(m *testing.M) {
	if os.Getenv("XIEZUO_TEST_CHILD") == "1" {
		main()
		if os.Getenv("XIEZUO_TEST_PEAK") == "1" { // its own peak, for TestHelpStartsLight
			status, _ := os.ReadFile("/proc/self/status")
			for _, line := range strings.Split(string(status), "\n") {
				if strings.HasPrefix(line, "VmHWM:") {
					fmt.Fprintln(os.Stderr, line)
				}
			}
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child starts this binary as `xiezuo args…`.
func child(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "XIEZUO_TEST_CHILD=1")
	return cmd
}

const crashRows = 5000

// crashFile writes a contributions CSV for run k: rows approved rows
// of 2021 with amounts no other run has (so no row is a suspected
// duplicate of another run's) and the item “crash-k”. pad lengthens each
// row (the web upload must exceed the synchronous limit).
func crashFile(t *testing.T, dir string, k, rows int, pad string) (path string, sumFen int64) {
	var b strings.Builder
	b.WriteString("日期,帮扶单位,受援县,形式,金额(元),物资/内容,备注\n")
	day := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < rows; i++ {
		yuan := int64(k*rows + i + 1)
		sumFen += yuan * 100
		fmt.Fprintf(&b, "%s,上海龙舜投资管理有限公司,绿春县,资金,%d,crash-%02d,%s\n", day.AddDate(0, 0, i%300).Format(time.DateOnly), yuan, k, pad)
	}
	path = filepath.Join(dir, fmt.Sprintf("crash-%02d.csv", k))
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, sumFen
}

// crashDB returns the DSN of a fresh demo database on engine.
func crashDB(t *testing.T, engine string) string {
	t.Helper()
	if engine == "sqlite" {
		dsn := filepath.Join(t.TempDir(), "xiezuo.db")
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := demo.Load(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		return dsn
	}
	return testdb.OpenDemo(t, engine).DSN
}

// checkAfterRestart opens the database as a restarted server would and
// checks that every run's batch is wholly counted or not at all, that the
// running sums equal the approved records, that the list total equals the
// sum of the visible rows, and that the database and the audit chain are
// sound. It returns how many runs are counted.
func checkAfterRestart(t *testing.T, dsn string, sums []int64) int {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	defer db.Close()
	admin, err := db.UserByName(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	counted := 0
	for k, want := range sums {
		items, tot, err := db.ListContributions(ctx, admin, ledger.ContributionFilter{Query: fmt.Sprintf("crash-%02d", k), Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tot.Count == 0:
		case tot.Count == crashRows && tot.AmountFen == want && len(items) == 1 && items[0].Status == ledger.StatusApproved:
			counted++
		default:
			t.Fatalf("run %d half counted: %d rows, %d fen (want 0 or %d rows, %d fen)", k, tot.Count, tot.AmountFen, crashRows, want)
		}
	}
	q := func(sql string) int64 {
		var n int64
		if err := db.SQL().QueryRowContext(ctx, sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	// The approved records: rows of batches that have not finished are not records yet.
	records := q(`SELECT COALESCE(SUM(c.amount_fen), 0) FROM contributions c WHERE c.status = 'approved' AND c.date_from >= '2021-01-01' AND c.date_from <= '2021-12-31'
		AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = c.import_batch_id AND b.status IN ('running', 'interrupted'))`)
	for _, sum := range []string{
		`SELECT COALESCE(SUM(fen), 0) FROM contribution_sums WHERE day >= '2021-01-01' AND day <= '2021-12-31'`,
		`SELECT COALESCE(SUM(fen), 0) FROM contribution_month_sums WHERE month >= '2021-01' AND month <= '2021-12'`,
		`SELECT COALESCE(SUM(fen), 0) FROM giver_sums WHERE month >= '2021-01' AND month <= '2021-12'`,
	} {
		if got := q(sum); got != records {
			t.Fatalf("running sums %d ≠ approved records %d: %s", got, records, sum)
		}
	}
	_, tot, err := db.ListContributions(ctx, admin, ledger.ContributionFilter{From: "2021-01-01", To: "2021-12-31", Limit: 1})
	if err != nil || tot.AmountFen != records {
		t.Fatalf("list total %d ≠ visible rows %d (%v)", tot.AmountFen, records, err)
	}
	if db.Dialect == store.SQLite {
		var ok string
		if err := db.SQL().QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
			t.Fatalf("integrity_check: %q, %v", ok, err)
		}
	}
	if out, err := child(t, "audit", "verify", "--db", dsn).CombinedOutput(); err != nil || !strings.Contains(string(out), "审计日志完整") {
		t.Fatalf("audit verify: %s, %v", out, err)
	}
	return counted
}

// TestImportCrash kills `xiezuo import --mode all --approve` with SIGKILL
// at random moments, 20 times on each engine (issue 8): after every
// restart each batch is wholly counted or not at all. Then a dead batch is
// marked 中断 and discarded, leaving no hidden row behind.
func TestImportCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes; not in -short")
	}
	for _, engine := range testdb.Engines {
		t.Run(engine, func(t *testing.T) {
			dsn := crashDB(t, engine)
			dir := t.TempDir()
			rng := rand.New(rand.NewPCG(1, uint64(len(engine))))
			var sums []int64
			// Run 0 finishes and times a whole run; every later run is
			// killed at a random moment of up to 1.5 times the fastest
			// whole run so far, so kills land in every phase, publishing
			// included, and some runs finish (a slow first run on a busy
			// machine does not leave every later run unkilled).
			var limit time.Duration
			killed := 0
			ctx := context.Background()
			wdb, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer wdb.Close()
			watch := wdb.SQL()
			for k := 0; k < 20; k++ {
				file, sum := crashFile(t, dir, k, crashRows, "")
				sums = append(sums, sum)
				cmd := child(t, "import", "--db", dsn, "--user", "admin", "--mode", "all", "--approve", "--chunk", "500", file)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				var last int64
				watch.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM import_batches`).Scan(&last)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				// The clock starts when the batch exists (reading the file
				// and the lookups before it are not what is tested).
				start := time.Now()
				for time.Since(start) < 30*time.Second {
					var n int64
					watch.QueryRowContext(ctx, `SELECT COUNT(*) FROM import_batches WHERE id > $1`, last).Scan(&n)
					if n > 0 {
						break
					}
					time.Sleep(2 * time.Millisecond)
				}
				start = time.Now()
				kill := time.After(time.Hour)
				if k > 0 {
					kill = time.After(time.Duration(rng.Int64N(int64(limit))))
				}
				select {
				case err := <-done:
					if err != nil {
						t.Fatalf("run %d failed: %v\n%s", k, err, out.String())
					}
					if whole := time.Since(start) * 3 / 2; k == 0 || whole < limit {
						limit = whole
					}
				case <-kill:
					cmd.Process.Signal(syscall.SIGKILL)
					<-done
					killed++
				}
				checkAfterRestart(t, dsn, sums)
			}
			if killed < 8 {
				t.Fatalf("only %d of 19 runs were killed before they finished", killed)
			}
			// The dead batches are marked 中断 once their heartbeat is old,
			// then discarded: no hidden row is left.
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.Now = func() time.Time { return time.Now().Add(time.Minute) }
			if _, err := db.RecoverImports(ctx); err != nil {
				t.Fatal(err)
			}
			admin, _ := db.UserByName(ctx, "admin")
			batches, err := db.ImportBatches(ctx, admin)
			if err != nil {
				t.Fatal(err)
			}
			interrupted := 0
			for _, b := range batches {
				switch b.Status {
				case store.ImportRunning:
					t.Errorf("batch %d still running after recovery", b.ID)
				case store.ImportInterrupted:
					interrupted++
					if err := db.DiscardImport(ctx, admin, b.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
			var hidden int
			db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM contributions c JOIN import_batches b ON b.id = c.import_batch_id WHERE b.status <> 'imported'`).Scan(&hidden)
			if hidden != 0 {
				t.Fatalf("%d hidden rows left after discarding %d interrupted batches", hidden, interrupted)
			}
			counted := checkAfterRestart(t, dsn, sums)
			t.Logf("%s: 20 runs, %d killed, %d counted whole, %d interrupted batches discarded", engine, killed, counted, interrupted)
		})
	}
}

// TestUploadSIGTERM stops the server with SIGTERM while a web upload is
// being imported in the background: the batch is marked 中断, its rows are
// taken back, and nothing of it is counted.
func TestUploadSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real server; not in -short")
	}
	for _, engine := range testdb.Engines {
		t.Run(engine, func(t *testing.T) {
			dsn := crashDB(t, engine)
			ln, _ := net.Listen("tcp", "127.0.0.1:0")
			addr := ln.Addr().String()
			ln.Close()
			srv := child(t, "serve", "--db", dsn, "--addr", addr, "--no-demo")
			var out bytes.Buffer
			srv.Stdout, srv.Stderr = &out, &out
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.Wait() }()
			defer func() {
				if srv.ProcessState == nil {
					srv.Process.Kill()
				}
			}()
			base := "http://" + addr
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
			var resp *http.Response
			var err error
			for i := 0; i < 100; i++ {
				if resp, err = c.Get(base + "/healthz"); err == nil {
					resp.Body.Close()
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if resp, err = c.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {demo.Password}}); err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			// Over the 2 MB a request imports itself: a background job. Six
			// chunks of 20,000: after the first is written, seconds of work
			// are left for SIGTERM to interrupt (with two, PostgreSQL's
			// faster import had published the batch before the signal came).
			file, _ := crashFile(t, t.TempDir(), 0, 120000, strings.Repeat("长宁区对口支援", 6))
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for k, v := range map[string]string{"type": "contributions", "mode": "all", "approve": "1"} {
				mw.WriteField(k, v)
			}
			fw, _ := mw.CreateFormFile("file", "crash.csv")
			data, _ := os.ReadFile(file)
			fw.Write(data)
			mw.Close()
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err = c.Post(base+"/imports", mw.FormDataContentType(), &body)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/import-jobs/") {
				t.Fatalf("upload: %d → %q (a background job was expected)\n%s", resp.StatusCode, loc, out.String())
			}
			// Stop the server once some chunks are written.
			ctx := context.Background()
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			deadline := time.Now().Add(60 * time.Second)
			for {
				var n int
				db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM contributions c JOIN import_batches b ON b.id = c.import_batch_id WHERE b.status <> 'imported'`).Scan(&n)
				if n > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the upload wrote nothing in 60 s\n%s", out.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			srv.Process.Signal(syscall.SIGTERM)
			stopped := time.Now()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("server exit: %v\n%s", err, out.String())
				}
				t.Logf("the server stopped %v after SIGTERM", time.Since(stopped).Round(time.Millisecond))
			case <-time.After(90 * time.Second):
				srv.Process.Signal(syscall.SIGQUIT) // its goroutines, to see where it hangs
				<-done
				t.Fatalf("the server did not stop within 90 s of SIGTERM:\n%s", out.String())
			}
			var status string
			var hidden int
			db.SQL().QueryRowContext(ctx, `SELECT status FROM import_batches ORDER BY id DESC LIMIT 1`).Scan(&status)
			db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM contributions c JOIN import_batches b ON b.id = c.import_batch_id WHERE b.status <> 'imported'`).Scan(&hidden)
			if status != store.ImportInterrupted || hidden != 0 {
				t.Fatalf("after SIGTERM: batch %q, %d hidden rows left (want interrupted, 0)", status, hidden)
			}
			if n := checkAfterRestart(t, dsn, []int64{-1}); n != 0 { // any row of crash-00 visible fails
				t.Fatal("the stopped upload was counted")
			}
		})
	}
}
