package imports_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

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

// benchWorkbook writes (once, cached in the temp dir) a contributions
// workbook of n rows as a unit would fill it: short county names, township
// names, 万元 amounts, Chinese dates.
func benchWorkbook(b *testing.B, n int) string {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("xiezuo-import-%d.xlsx", n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	head := []any{}
	for _, h := range imports.ContributionSpec.Headers() {
		head = append(head, h)
	}
	sw.SetRow("A1", head)
	givers := []string{"上海龙舜投资管理有限公司", "拼多多", "携程集团", "上海服装（集团）有限公司", "西雅衣家（中国）商业有限公司", "斯必克（中国）投资有限公司"}
	places := [][2]string{{"绿春", "大兴镇"}, {"绿春县", "三猛乡"}, {"金平县", "勐拉镇"}, {"红河县", "甲寅镇"}, {"金平县", ""}, {"甘德县", "柯曲镇"}}
	forms := []string{"资金", "物资", "消费帮扶"}
	r := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < n; i++ {
		p := places[r.IntN(len(places))]
		d := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(3650))
		row := []any{fmt.Sprintf("%d年%d月%d日", d.Year(), d.Month(), d.Day()), nil, givers[r.IntN(len(givers))], p[0], p[1], nil, nil,
			forms[r.IntN(3)], "教育", fmt.Sprintf("%d.%02d万", 1+r.IntN(50), r.IntN(100)), nil, nil, "批量第" + strconv.Itoa(i) + "笔", nil, "到位", nil, nil, nil}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	sw.Flush()
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
	return path
}

// peakRSS resets (resetting=true) or reads the process's peak resident set.
func peakRSS(resetting bool) int64 {
	if resetting {
		os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
		return 0
	}
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkImport measures, on one generated workbook: the raw limit
// (excelize streaming read + one-transaction INSERT of the same cells into
// SQLite) and the real import (parse, resolve names, check duplicates,
// write records and givers in one transaction). It reports both rates,
// their ratio and the import's peak RSS.
//
//	XIEZUO_BENCH_ROWS=1000000 go test ./imports/ -run XXX -bench Import -benchtime 1x
func BenchmarkImport(b *testing.B) {
	n := benchRows()
	path := benchWorkbook(b, n)
	st, _ := os.Stat(path)
	ctx := context.Background()
	for b.Loop() {
		// Raw limit.
		raw := testdb.Open(b, "sqlite")
		runtime.GC()
		start := time.Now()
		f, err := excelize.OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		rows, _ := f.Rows("Sheet1")
		tx, _ := raw.SQL().Begin()
		tx.Exec(`CREATE TABLE raw_rows (c1 TEXT, c2 TEXT, c3 TEXT, c4 TEXT, c5 TEXT, c6 TEXT, c7 TEXT, c8 TEXT, c9 TEXT, c10 TEXT, c11 TEXT, c12 TEXT, c13 TEXT, c14 TEXT, c15 TEXT, c16 TEXT, c17 TEXT)`)
		ins, err := tx.Prepare(`INSERT INTO raw_rows VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`)
		if err != nil {
			b.Fatal(err)
		}
		got := 0
		for rows.Next() {
			cells, _ := rows.Columns(excelize.Options{RawCellValue: true})
			args := make([]any, 17)
			for i := range args {
				if i < len(cells) {
					args[i] = cells[i]
				}
			}
			if _, err := ins.Exec(args...); err != nil {
				b.Fatal(err)
			}
			got++
		}
		tx.Commit()
		rows.Close()
		f.Close()
		rawRate := float64(got-1) / time.Since(start).Seconds()
		raw.Close() // its page cache is not the import's memory

		// The import.
		db := testdb.OpenDemo(b, "sqlite")
		admin, _ := db.UserByName(ctx, "admin")
		file, _ := os.Open(path)
		debug.FreeOSMemory()
		peakRSS(true)
		start = time.Now()
		batch, err := imports.Contributions(ctx, db, admin, filepath.Base(path), file, st.Size(), imports.Options{Mode: "valid", MaxBytes: 1 << 30})
		file.Close()
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		rss := peakRSS(false)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.Logf("Go runtime: Sys %.0f MB, HeapSys %.0f MB, HeapInuse %.0f MB", float64(ms.Sys)/(1<<20), float64(ms.HeapSys)/(1<<20), float64(ms.HeapInuse)/(1<<20))
		if batch.Imported+batch.Duplicates+batch.Skipped != int64(n) || batch.Errors != 0 {
			b.Fatalf("imported %d, duplicates %d, errors %d of %d", batch.Imported, batch.Duplicates, batch.Errors, n)
		}
		rate := float64(n) / took.Seconds()
		b.ReportMetric(rawRate, "raw-rows/s")
		b.ReportMetric(rate, "import-rows/s")
		b.ReportMetric(rate/rawRate, "ratio")
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
		b.Logf("%d rows, %.1f MB file: raw %.0f rows/s, import %.0f rows/s (%.0f%%) in %s, peak RSS %.0f MB",
			n, float64(st.Size())/(1<<20), rawRate, rate, 100*rate/rawRate, took.Round(time.Millisecond), float64(rss)/(1<<20))
	}
}
