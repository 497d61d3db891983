package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/store"
)

// importCmd is `xiezuo import [--data DIR] FILE`: it imports a workbook or
// CSV as a batch, prints the report and a progress line on the terminal,
// and exits non-zero when a --mode all import is refused.
func importCmd(ctx context.Context, args []string) error {
	var kind, mode, username *string
	var dry, approve *bool
	var year *int
	var maxMB *int64
	var chunk *int
	fs, db, err := openDB(ctx, "import", args, 1, "xiezuo import [--data DIR] [--type 类型] [--mode all|valid] [--dry-run] [--approve] [--user 用户名] [--year 2020] 文件", func(fs *flag.FlagSet) {
		kind = fs.String("type", "contributions", "记录类型："+strings.Join(imports.SpecOrder, "、"))
		mode = fs.String("mode", "all", "all：有任何错误则全部不导入；valid：导入正确的行，报告错误行")
		dry = fs.Bool("dry-run", false, "只检查、生成报告，不写入记录")
		approve = fs.Bool("approve", false, "直接导入为已通过（仅协作办，用于历史数据）")
		username = fs.String("user", "admin", "以哪个用户的身份导入（记录属于其单位）")
		year = fs.Int("year", 0, "日期未写年份时使用的年度，如 2020")
		maxMB = fs.Int64("max-mb", 512, "文件大小上限（MB）")
		chunk = fs.Int("chunk", 0, "每个写事务的行数（默认 20000；其间其他用户可以保存）")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	db.ImportChunk = *chunk
	imports.TuneGC()
	u, err := db.UserByName(ctx, *username)
	if err != nil {
		return errors.New(xiezuo.ErrorMessage(err))
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("无法打开 %s：%w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	start := time.Now()
	progress := func(n int) {
		if isTerminal(os.Stderr) {
			fmt.Fprintf(os.Stderr, "\r已读取 %d 行（%.0f 行/秒）", n, float64(n)/time.Since(start).Seconds())
		}
	}
	b, err := imports.ByKind(ctx, *kind, db, u, filepath.Base(path), f, st.Size(), imports.Options{
		Mode: *mode, DryRun: *dry, Approve: *approve, DefaultYear: *year, MaxBytes: *maxMB << 20, Progress: progress})
	if isTerminal(os.Stderr) {
		fmt.Fprintln(os.Stderr)
	}
	if b == nil {
		return errors.New(xiezuo.ErrorMessage(err))
	}
	printReport(ctx, db, u, b, time.Since(start))
	if b.DryRun && b.Mode == "all" && b.Errors > 0 {
		return fmt.Errorf("检查未通过：%d 行有错误，正式导入（--mode all）将全部不导入", b.Errors)
	}
	if err != nil {
		return fmt.Errorf("未导入：%d 行有错误（--mode all）。改正后重新导入，或用 --mode valid 先导入正确的行", b.Errors)
	}
	return nil
}

func printReport(ctx context.Context, db *store.DB, u *xiezuo.User, b *store.ImportBatch, took time.Duration) {
	fmt.Printf("批次 %d（%s）：共 %d 行，%s %d，已导入过跳过 %d，疑似重复 %d，错误 %d；用时 %.1f 秒\n",
		b.ID, b.StatusLabel(), b.Total, b.ResultVerb(), b.Imported, b.Skipped, b.Duplicates, b.Errors, took.Seconds())
	probs, err := db.ImportProblems(ctx, u, b.ID)
	if err != nil {
		return
	}
	for i, p := range probs {
		if i == 50 {
			fmt.Printf("……另有 %d 行，见网页上的错误报告\n", len(probs)-50)
			break
		}
		fmt.Printf("第%d行：%s\n", p.Line, strings.TrimSpace(p.Message))
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
