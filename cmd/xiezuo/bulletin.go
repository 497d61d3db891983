package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/word"
)

// bulletinCmd is `xiezuo bulletin --from --to --out FILE.docx`: the
// period's approved activities by section, with the figures box, as a
// Word file — the same issue the web editor starts from. With --save it
// is also kept as a draft in the archive.
func bulletinCmd(ctx context.Context, args []string) error {
	var from, to, title, numbers, out, username, issuer *string
	var save *bool
	_, db, err := openDB(ctx, "bulletin", args, 0, "xiezuo bulletin [--data DIR | --db …] --from 2020-09-01 --to 2020-10-31 [--title 标题] [--numbers 9、10] [--save] --out 简报.docx", func(fs *flag.FlagSet) {
		from = fs.String("from", "", "期间起始日期 YYYY-MM-DD")
		to = fs.String("to", "", "期间截止日期 YYYY-MM-DD")
		title = fs.String("title", "", "标题（可不填）")
		numbers = fs.String("numbers", "", "期号，如 9、10（默认为月份）")
		issuer = fs.String("issuer", report.DefaultIssuer, "发文机关（报头）")
		out = fs.String("out", "", "输出的 .docx 文件")
		username = fs.String("user", "admin", "以哪个协作办用户的身份编发")
		save = fs.Bool("save", false, "同时存为简报草稿")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if *out == "" {
		return errors.New("请用 --out 指定输出文件")
	}
	u, err := db.UserByName(ctx, *username)
	if err != nil {
		return errors.New(xiezuo.ErrorMessage(err))
	}
	b := &report.Bulletin{Issuer: *issuer, Title: *title, Numbers: *numbers, From: *from, To: *to}
	if len(*from) >= 7 {
		b.Year, _ = strconv.Atoi((*from)[:4])
		if b.Numbers == "" {
			m, _ := strconv.Atoi((*from)[5:7])
			b.Numbers = strconv.Itoa(m)
		}
	}
	if err := b.Validate(); err != nil {
		return errors.New(xiezuo.ErrorMessage(err) + fieldText(err))
	}
	if *save {
		err = db.CreateBulletin(ctx, u, b)
	} else {
		b.Items, err = db.ProposeItems(ctx, u, b.From, b.To)
	}
	if err != nil {
		return errors.New(xiezuo.ErrorMessage(err) + fieldText(err))
	}
	sums, err := db.DashboardSums(ctx, b.Scope())
	if err != nil {
		return err
	}
	b.Figures = report.BoxFigures(sums)
	var buf bytes.Buffer
	if err := word.Bulletin(&buf, b); err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("已生成 %s：%s，%d 条，%d 个栏目\n", *out, b.IssueLabel(), len(b.Items), len(b.Sections()))
	return nil
}
