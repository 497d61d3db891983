package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/notify"
	"github.com/xiezuo/xiezuo/store"
)

// smtpFlags adds the SMTP settings to a command's flags; the password is
// read from XIEZUO_SMTP_PASSWORD only (not visible in ps, never shown).
func smtpFlags(fs *flag.FlagSet) func() notify.SMTP {
	host := fs.String("smtp-host", os.Getenv("XIEZUO_SMTP_HOST"), "发送提醒邮件的 SMTP 服务器（不设则不发邮件；也可用环境变量 XIEZUO_SMTP_HOST）")
	port := fs.Int("smtp-port", envInt("XIEZUO_SMTP_PORT", 25), "SMTP 端口（提供 STARTTLS 时自动加密）")
	user := fs.String("smtp-user", os.Getenv("XIEZUO_SMTP_USER"), "SMTP 用户名（密码用环境变量 XIEZUO_SMTP_PASSWORD）")
	from := fs.String("smtp-from", os.Getenv("XIEZUO_SMTP_FROM"), "发件人地址")
	return func() notify.SMTP {
		return notify.SMTP{Host: *host, Port: *port, User: *user, Password: os.Getenv("XIEZUO_SMTP_PASSWORD"), From: *from}
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

// digestCmd runs the daily digest for a day: prints it with --dry-run,
// else enqueues it (once per recipient per day) and sends what is due once.
func digestCmd(ctx context.Context, args []string) error {
	var dry, privateHooks *bool
	var date, base *string
	var smtp func() notify.SMTP
	_, db, err := openDB(ctx, "digest", args, 0, "xiezuo digest [--data DIR | --db …] [--dry-run] [--date YYYY-MM-DD] [--base-url URL] [--smtp-host …]", func(fs *flag.FlagSet) {
		dry = fs.Bool("dry-run", false, "只显示每人的提醒，不排入发送队列")
		date = fs.String("date", "", "提醒的日期（默认今天，北京时间）")
		base = fs.String("base-url", "http://127.0.0.1:8080", "平台网址（提醒中的链接以它开头）")
		smtp = smtpFlags(fs)
		privateHooks = fs.Bool("webhook-allow-private", false, "允许群机器人推送到本机或内网地址")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	day := *date
	if day == "" {
		day = time.Now().In(xiezuo.China).Format(xiezuo.DateLayout)
	} else if d, ok := xiezuo.ParseDate(day, 0); ok {
		day = d
	}
	cfg := smtp()
	out, err := db.RunDigest(ctx, store.DigestOptions{Day: day, Base: *base, Email: cfg.Enabled() || *dry, DryRun: *dry})
	if err != nil {
		return err
	}
	queued := 0
	for _, o := range out {
		state := "已排入发送队列"
		switch {
		case *dry:
			state = "仅预览"
		case o.Skipped:
			state = "今天已发过，跳过"
		default:
			queued++
		}
		fmt.Printf("== %s（%s %s）%s\n%s\n%s\n", o.Name, channelCN(o.Channel), o.Target, state, o.Digest.Subject, o.Digest.Text)
	}
	fmt.Printf("%s：%d 份提醒，新排入 %d 份\n", day, len(out), queued)
	if *dry || queued == 0 {
		return nil
	}
	w := &notify.Worker{DB: db, SMTP: cfg, AllowPrivate: *privateHooks}
	sent, failed, err := w.Once(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("已发送 %d 份，失败 %d 份（失败的由 xiezuo serve 按 1、5、30 分钟重试）\n", sent, failed)
	return nil
}

func channelCN(c string) string {
	if c == "email" {
		return "邮件"
	}
	return "群机器人"
}
