package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/xiezuo/xiezuo/iati"
)

// exportCmd is `xiezuo export iati --out FILE.xml`: the approved ledger
// as IATI 2.03 activities.
func exportCmd(ctx context.Context, args []string) error {
	var out *string
	_, db, err := openDB(ctx, "export iati", args, 0, "xiezuo export iati [--data DIR | --db …] --out 文件.xml", func(fs *flag.FlagSet) {
		out = fs.String("out", "", "输出的 IATI XML 文件")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if *out == "" {
		return errors.New("请用 --out 指定输出文件")
	}
	d, err := db.LoadOpenData(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := iati.Write(&buf, d, time.Now()); err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("已导出 %s：%d 项活动、%d 个项目、%d 笔帮扶投入（IATI 2.03）\n", *out, len(d.Activities), len(d.Projects), len(d.Contributions))
	return nil
}
