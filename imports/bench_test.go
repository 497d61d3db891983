package imports_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/internal/testdb"
)

// benchRows is the size of the generated workbook (XIEZUO_BENCH_ROWS).
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("XIEZUO_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// sortWindow is XIEZUO_BENCH_SORT_WINDOW: the generated rows are sorted
// by date within windows of that many rows (0: as drawn, dates at random),
// to measure what the order of a file's rows costs the import.
func sortWindow() int {
	n, _ := strconv.Atoi(os.Getenv("XIEZUO_BENCH_SORT_WINDOW"))
	return max(n, 0)
}

// benchFormat is XIEZUO_BENCH_FORMAT: xlsx (the default) or csv. A
// worksheet holds at most 1,048,576 rows, so sizes beyond that are CSV.
func benchFormat(b *testing.B) string {
	switch f := os.Getenv("XIEZUO_BENCH_FORMAT"); f {
	case "", "xlsx":
		return "xlsx"
	case "csv":
		return f
	default:
		b.Fatalf("XIEZUO_BENCH_FORMAT=%q: xlsx or csv", f)
		return ""
	}
}

// drawRows draws n contributions rows as a unit would fill them: short
// county names, township names, 万元 amounts, Chinese dates; sorted by
// date within windows of sortWindow() rows when that is set. Items are
// numbered to a fixed width (批量第0000001笔), so every row has as many
// search bigrams at 100,000 rows as at 3,000,000 (unpadded numbers gave
// 8 a row at 100,000 and nearly 10 at 3,000,000, a growth of the data and
// not of the import).
func drawRows(n int, emit func(row []any) error) error {
	givers := []string{"上海龙舜投资管理有限公司", "拼多多", "携程集团", "上海服装（集团）有限公司", "西雅衣家（中国）商业有限公司", "斯必克（中国）投资有限公司"}
	places := [][2]string{{"绿春", "大兴镇"}, {"绿春县", "三猛乡"}, {"金平县", "勐拉镇"}, {"红河县", "甲寅镇"}, {"金平县", ""}, {"甘德县", "柯曲镇"}}
	forms := []string{"资金", "物资", "消费帮扶"}
	r := rand.New(rand.NewPCG(7, 7))
	type drawn struct {
		day int
		row []any
	}
	rows := make([]drawn, 0, min(n, max(sortWindow(), 1)))
	flush := func() error {
		slices.SortStableFunc(rows, func(a, b drawn) int { return a.day - b.day })
		for _, d := range rows {
			if err := emit(d.row); err != nil {
				return err
			}
		}
		rows = rows[:0]
		return nil
	}
	for i := 0; i < n; i++ {
		p := places[r.IntN(len(places))]
		day := r.IntN(3650)
		d := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day)
		rows = append(rows, drawn{day, []any{fmt.Sprintf("%d年%d月%d日", d.Year(), d.Month(), d.Day()), nil, givers[r.IntN(len(givers))], p[0], p[1], nil, nil,
			forms[r.IntN(3)], "教育", fmt.Sprintf("%d.%02d万", 1+r.IntN(50), r.IntN(100)), nil, nil, fmt.Sprintf("批量第%07d笔", i), nil, "到位", nil, nil, nil}})
		if len(rows) == cap(rows) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// benchFile writes (once, cached in the temp dir) a contributions file of
// n rows in benchFormat and returns its path.
func benchFile(b *testing.B, n int) string {
	format := benchFormat(b)
	if format == "xlsx" && n >= excelize.TotalRows { // a header row and n rows must fit one sheet
		b.Fatalf("XIEZUO_BENCH_ROWS=%d: a worksheet holds at most %d rows, the header included; use XIEZUO_BENCH_FORMAT=csv", n, excelize.TotalRows)
	}
	name := fmt.Sprintf("xiezuo-import-fixed-%d", n) // "fixed": items numbered to a fixed width
	if w := sortWindow(); w > 0 {
		name += fmt.Sprintf("-sorted-%d", w)
	}
	path := filepath.Join(os.TempDir(), name+"."+format)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	head := []string{}
	for _, h := range imports.ContributionSpec.Headers() {
		head = append(head, h)
	}
	var err error
	if format == "csv" {
		err = writeBenchCSV(path, head, n)
	} else {
		err = writeBenchXLSX(path, head, n)
	}
	if err != nil {
		os.Remove(path)
		b.Fatal(err)
	}
	return path
}

func writeBenchXLSX(path string, head []string, n int) error {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	cells := make([]any, len(head))
	for i, h := range head {
		cells[i] = h
	}
	sw.SetRow("A1", cells)
	line := 2
	err = drawRows(n, func(row []any) error {
		cell, _ := excelize.CoordinatesToCellName(1, line)
		line++
		return sw.SetRow(cell, row)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}

// writeBenchCSV writes the rows as a CSV saved from Excel: UTF-8 with a
// byte-order mark.
func writeBenchCSV(path string, head []string, n int) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	bw := bufio.NewWriterSize(out, 1<<20)
	bw.WriteString("\ufeff")
	w := csv.NewWriter(bw)
	w.Write(head)
	rec := make([]string, len(head))
	err = drawRows(n, func(row []any) error {
		for i := range rec {
			rec[i] = ""
			if i < len(row) && row[i] != nil {
				rec[i] = row[i].(string)
			}
		}
		return w.Write(rec)
	})
	if err != nil {
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return out.Close()
}

// fileRows returns a reader of the file's rows with the fastest plain
// reader of its format (no header matching, no checks), for rawLimit;
// done closes the file and returns a read error next met. next may run on
// another goroutine (pgx's COPY), so it does not fail the benchmark itself.
func fileRows(b *testing.B, path string) (next func() ([]string, bool), done func() error) {
	if strings.HasSuffix(path, ".csv") {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		c := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
		c.FieldsPerRecord = -1
		var readErr error
		return func() ([]string, bool) {
				rec, err := c.Read()
				if err != nil && err != io.EOF {
					readErr = err
				}
				return rec, err == nil
			}, func() error {
				f.Close()
				return readErr
			}
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	rows, err := f.Rows("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	var readErr error
	return func() ([]string, bool) {
			if !rows.Next() {
				readErr = rows.Error()
				return nil, false
			}
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				readErr = err
				return nil, false
			}
			return cells, true
		}, func() error {
			rows.Close()
			f.Close()
			return readErr
		}
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rawColumns is the width of the raw limits' table: the template's columns.
const rawColumns = 17

// rawArgs puts a row's cells into args (rawColumns long), nil where the
// row is shorter, and returns args.
func rawArgs(args []any, cells []string) []any {
	for i := range args {
		args[i] = nil
		if i < len(cells) {
			args[i] = cells[i]
		}
	}
	return args
}

// rawLimit reads the file with the plain reader of its format (fileRows)
// and inserts its cells into a table without indexes in one SQLite
// transaction: the fastest any import of this file can be on this machine
// at this moment.
func rawLimit(b *testing.B, path string) float64 {
	raw := testdb.Open(b, "sqlite")
	defer raw.Close() // its page cache is not the import's memory
	runtime.GC()
	start := time.Now()
	next, done := fileRows(b, path)
	tx, _ := raw.SQL().Begin()
	tx.Exec(`CREATE TABLE raw_rows (c1 TEXT, c2 TEXT, c3 TEXT, c4 TEXT, c5 TEXT, c6 TEXT, c7 TEXT, c8 TEXT, c9 TEXT, c10 TEXT, c11 TEXT, c12 TEXT, c13 TEXT, c14 TEXT, c15 TEXT, c16 TEXT, c17 TEXT)`)
	ins, err := tx.Prepare(`INSERT INTO raw_rows VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`)
	if err != nil {
		b.Fatal(err)
	}
	got := 0
	for cells, ok := next(); ok; cells, ok = next() {
		if _, err := ins.Exec(rawArgs(make([]any, rawColumns), cells)...); err != nil {
			b.Fatal(err)
		}
		got++
	}
	if err := done(); err != nil {
		b.Fatal(err)
	}
	tx.Commit()
	return float64(got-1) / time.Since(start).Seconds()
}

// copyLimit is rawLimit on PostgreSQL: the file read with fileRows and its
// cells copied (COPY, one transaction) into a table without indexes in a
// fresh database of the server the import writes to.
func copyLimit(b *testing.B, path string) float64 {
	raw := testdb.Open(b, "postgres")
	defer raw.Close()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, raw.DSN)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	runtime.GC()
	start := time.Now()
	next, done := fileRows(b, path)
	next() // the header
	tx, err := conn.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	cols := make([]string, rawColumns)
	for i := range cols {
		cols[i] = fmt.Sprintf("c%d", i+1)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE raw_rows (`+strings.Join(cols, " TEXT, ")+` TEXT)`); err != nil {
		b.Fatal(err)
	}
	args := make([]any, rawColumns)
	got, err := tx.CopyFrom(ctx, pgx.Identifier{"raw_rows"}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		cells, ok := next()
		if !ok {
			return nil, nil
		}
		return rawArgs(args, cells), nil
	}))
	if rerr := done(); err == nil {
		err = rerr
	}
	if err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	return float64(got) / time.Since(start).Seconds()
}

// heapAtPeak, when XIEZUO_BENCH_HEAP names a file, writes a heap profile
// there each time the process's resident set passes its highest so far
// (sampled every second, from 200 MB), so the profile shows what was live
// at the peak; stop ends the sampling.
func heapAtPeak(b *testing.B) (stop func()) {
	path := os.Getenv("XIEZUO_BENCH_HEAP")
	if path == "" {
		return func() {}
	}
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		high := int64(200 << 20)
		for {
			select {
			case <-done:
				return
			case <-time.After(time.Second):
			}
			if rss := testdb.RSS(); rss > high {
				high = rss
				f, err := os.Create(path)
				if err != nil {
					b.Error(err)
					return
				}
				pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
				b.Logf("heap profile at %.0f MB resident (the Go runtime holds %.0f MB): %s", float64(rss)/(1<<20), float64(testdb.GoMemory())/(1<<20), path)
			}
		}
	}()
	return func() { close(done); <-ended }
}

// BenchmarkImport measures, on one generated file (XIEZUO_BENCH_FORMAT), three turns of: the
// raw limit (rawLimit) and the real import as the office loads history
// (parse, resolve names, check duplicates, write records and givers in
// chunks as hidden rows, publish them as approved with the running sums)
// into a fresh demo database on XIEZUO_BENCH_ENGINE (sqlite, or postgres
// with XIEZUO_TEST_POSTGRES), XIEZUO_BENCH_TURNS times (3). It logs each
// turn and reports the medians:
// both rates, their ratio, the import's CPU per row and its peak RSS. On
// PostgreSQL each turn also measures copyLimit and, for a server on this
// machine, the server's CPU per row (its processes' CPU time).
//
//	XIEZUO_BENCH_ROWS=1000000 go test ./imports/ -run XXX -bench Import -benchtime 1x -timeout 2h
//	XIEZUO_BENCH_FORMAT=csv XIEZUO_BENCH_ROWS=3000000 go test ./imports/ -run XXX -bench Import -benchtime 1x -timeout 4h
func BenchmarkImport(b *testing.B) {
	n := benchRows()
	path := benchFile(b, n)
	st, _ := os.Stat(path)
	engine := os.Getenv("XIEZUO_BENCH_ENGINE")
	if engine == "" {
		engine = "sqlite"
	}
	ctx := context.Background()
	defer imports.TuneGC()() // as xiezuo import does
	for b.Loop() {
		var raws, rates, ratios, cpus, rsss, secs []float64
		turns := 3
		if n, err := strconv.Atoi(os.Getenv("XIEZUO_BENCH_TURNS")); err == nil && n > 0 {
			turns = n
		}
		for turn := 1; turn <= turns; turn++ {
			rawRate := rawLimit(b, path)
			copyRate := 0.0
			if engine == "postgres" {
				copyRate = copyLimit(b, path)
			}
			db := testdb.OpenDemo(b, engine)
			admin, _ := db.UserByName(ctx, "admin")
			file, _ := os.Open(path)
			debug.FreeOSMemory()
			testdb.PeakRSS(true)
			stopHeap := heapAtPeak(b)
			var srv0 time.Duration
			if engine == "postgres" {
				srv0 = testdb.ProcessCPU("postgres")
			}
			cpu0, start := cpuTime(), time.Now()
			batch, err := imports.Contributions(ctx, db, admin, filepath.Base(path), file, st.Size(), imports.Options{Mode: "valid", Approve: true, MaxBytes: 1 << 30})
			file.Close()
			if err != nil {
				b.Fatal(err)
			}
			took, cpu := time.Since(start), cpuTime()-cpu0
			var srv time.Duration
			if engine == "postgres" {
				srv = testdb.ProcessCPU("postgres") - srv0 // before Close ends the backends
			}
			stopHeap()
			rss := testdb.PeakRSS(false)
			if batch.Imported+batch.Duplicates+batch.Skipped != int64(n) || batch.Errors != 0 {
				b.Fatalf("imported %d, duplicates %d, errors %d of %d", batch.Imported, batch.Duplicates, batch.Errors, n)
			}
			db.Close()
			rate := float64(n) / took.Seconds()
			server := ""
			if engine == "postgres" {
				server = fmt.Sprintf(", COPY limit %.0f rows/s (import %.1f%% of it)", copyRate, 100*rate/copyRate)
				if srv > 0 {
					server += fmt.Sprintf(", local server CPU %.0f µs/row", float64(srv.Microseconds())/float64(n))
				}
			}
			b.Logf("turn %d, %s, %d rows, %.1f MB file: raw %.0f rows/s, import %.0f rows/s (%.1f%%) in %s, CPU %.0f µs/row%s, peak RSS %.0f MB",
				turn, engine, n, float64(st.Size())/(1<<20), rawRate, rate, 100*rate/rawRate, took.Round(time.Millisecond),
				float64(cpu.Microseconds())/float64(n), server, float64(rss)/(1<<20))
			raws, rates, ratios = append(raws, rawRate), append(rates, rate), append(ratios, rate/rawRate)
			cpus, rsss, secs = append(cpus, float64(cpu.Microseconds())/float64(n)), append(rsss, float64(rss)/(1<<20)), append(secs, took.Seconds())
		}
		b.ReportMetric(median(raws), "raw-rows/s")
		b.ReportMetric(median(rates), "import-rows/s")
		b.ReportMetric(median(ratios), "ratio")
		b.ReportMetric(median(secs), "import-s")
		b.ReportMetric(median(cpus), "cpu-µs/row")
		b.ReportMetric(median(rsss), "peak-RSS-MB")
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
