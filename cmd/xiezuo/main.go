// Command xiezuo runs the cooperation platform and its administration tasks.
//
//	xiezuo serve [--addr 127.0.0.1:8080] [--data DIR | --db postgres://…] [--no-demo]
//	xiezuo regions import [--data DIR | --db …] CSV_DIR
//	xiezuo user add [--data DIR | --db …] --username NAME --password PW --role admin|reviewer|unit|county|viewer|supplier|buyer_admin|purchaser|supervisor [--org 单位] [--county 代码]
//	xiezuo user passwd|reset|disable|enable [--data DIR | --db …] --username NAME
//	xiezuo token create|list|revoke [--data DIR | --db …] …
//	xiezuo audit verify [--data DIR | --db … [--key FILE]] [--checkpoint FILE]…
//	xiezuo audit checkpoint [--data DIR | --db …] [--out FILE]
//	xiezuo backup [--data DIR] OUT
//	xiezuo import [--data DIR | --db …] [--mode all|valid] [--dry-run] [--approve] [--user NAME] FILE
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/notify"
	"github.com/xiezuo/xiezuo/store"
	"github.com/xiezuo/xiezuo/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "xiezuo:", errorText(err))
		os.Exit(1)
	}
}

const usage = `用法:
  xiezuo serve [--addr 127.0.0.1:8080] [--data DIR | --db postgres://…] [--no-demo] [--secure-cookies]
  xiezuo regions import [--data DIR | --db …] CSV目录
  xiezuo user add [--data DIR | --db …] --username 用户名 --password 密码 --role admin|reviewer|unit|county|viewer|supplier|buyer_admin|purchaser|supervisor [--org 单位名称] [--county 区划代码]
  xiezuo user passwd [--data DIR | --db …] --username 用户名 --password 新密码
  xiezuo user reset [--data DIR | --db …] --username 用户名        （发一次性密码，登录后须改密）
  xiezuo user disable|enable [--data DIR | --db …] --username 用户名
  xiezuo token create [--data DIR | --db …] --user 用户名 [--label 用途] [--days 365]
  xiezuo token list [--data DIR | --db …] [--user 用户名]
  xiezuo token revoke [--data DIR | --db …] 令牌编号
  xiezuo audit verify [--data DIR | --db … [--key 密钥文件]] [--checkpoint 检查点文件]…
  xiezuo audit checkpoint [--data DIR | --db …] [--out 文件]
  xiezuo backup [--data DIR] 输出文件（旁边写出 输出文件.checkpoint）
  xiezuo import [--data DIR | --db …] [--type contributions|purchases832|…] [--mode all|valid] [--dry-run] [--approve] [--user 用户名] [--year 2020] 文件
  xiezuo bulletin [--data DIR | --db …] --from 2020-09-01 --to 2020-10-31 [--title 标题] [--numbers 9、10] [--save] --out 简报.docx
  xiezuo export iati [--data DIR | --db …] --out 文件.xml
  xiezuo digest [--data DIR | --db …] [--dry-run] [--date YYYY-MM-DD] [--base-url URL] [--smtp-host … --smtp-port … --smtp-user … --smtp-from …]`

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	cmd, rest := args[0], args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") && (cmd == "regions" || cmd == "user" || cmd == "token" || cmd == "audit" || cmd == "export") {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	err := runCmd(ctx, cmd, rest)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func runCmd(ctx context.Context, cmd string, rest []string) error {
	switch cmd {
	case "serve":
		return serve(ctx, rest)
	case "regions import":
		return regionsImport(ctx, rest)
	case "user add":
		return userAdd(ctx, rest)
	case "user passwd", "user reset", "user disable", "user enable":
		return userCare(ctx, strings.TrimPrefix(cmd, "user "), rest)
	case "token create":
		return tokenCreate(ctx, rest)
	case "token list":
		return tokenList(ctx, rest)
	case "token revoke":
		return tokenRevoke(ctx, rest)
	case "audit verify":
		return auditVerify(ctx, rest)
	case "audit checkpoint":
		return auditCheckpoint(ctx, rest)
	case "backup":
		return backup(ctx, rest)
	case "import":
		return importCmd(ctx, rest)
	case "bulletin":
		return bulletinCmd(ctx, rest)
	case "export iati":
		return exportCmd(ctx, rest)
	case "digest":
		return digestCmd(ctx, rest)
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	}
	return fmt.Errorf("未知命令 %q\n%s", cmd, usage)
}

// openDB parses a command's flags — the shared --data, --db and --key, and
// those setup adds — and opens the database they name. nargs is how many
// positional arguments the command takes; usage is shown when they differ.
//
// The audit key and anchor (audit.go) are the data directory's when the
// database is its own (no --db) or --data is given with --db (PostgreSQL
// deployments keep them there); --key names a key alone.
func openDB(ctx context.Context, name string, args []string, nargs int, usage string, setup func(fs *flag.FlagSet)) (*flag.FlagSet, *store.DB, error) {
	return openDBAfter(ctx, name, args, nargs, usage, setup, nil)
}

// errHelp: the command's help was asked for and printed; run ends with
// no error.
var errHelp = errors.New("help")

// openDBAfter is openDB that calls before, when given, once the flags are
// read and before anything is created or opened: serve takes its port
// there, so a busy port leaves no new data directory behind.
//
// Only serve creates a data directory that does not exist: the other
// commands say it does not, rather than start an empty database in
// ./xiezuo-data that the server never sees.
func openDBAfter(ctx context.Context, name string, args []string, nargs int, usage string, setup func(fs *flag.FlagSet), before func() error) (*flag.FlagSet, *store.DB, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	data := fs.String("data", "xiezuo-data", "数据目录（SQLite 文件 xiezuo.db 所在）")
	dsn := fs.String("db", "", "PostgreSQL 连接串 postgres://… 或另一个 SQLite 文件（设置后 --data 只用于审计密钥和锚点）")
	key := fs.String("key", "", "审计密钥文件（默认为数据目录中的 audit.key；指定后不读写审计锚点）")
	if setup != nil {
		setup(fs)
	}
	if err := parseFlags(fs, args, usage); err != nil {
		return nil, nil, err
	}
	if fs.NArg() != nargs {
		return nil, nil, errors.New("用法: " + usage)
	}
	dataSet := false
	fs.Visit(func(f *flag.Flag) { dataSet = dataSet || f.Name == "data" })
	if name != "serve" && *key == "" && (*dsn == "" || dataSet) {
		if st, err := os.Stat(*data); err != nil || !st.IsDir() {
			return nil, nil, fmt.Errorf("数据目录 %s 不存在：请用 --data 指定已有的数据目录（xiezuo serve 首次运行时创建它）", *data)
		}
	}
	if before != nil {
		if err := before(); err != nil {
			return nil, nil, err
		}
	}
	var o store.Options
	var created string
	var err error
	switch {
	case *key != "":
		o.AuditKey, err = readKey(*key)
		if errors.Is(err, os.ErrNotExist) {
			err = fmt.Errorf("审计密钥 %s 不存在", *key)
		}
	case *dsn == "" || dataSet:
		o, created, err = auditOptions(*data)
	}
	if err != nil {
		return nil, nil, err
	}
	if *dsn == "" {
		*dsn = filepath.Join(*data, "xiezuo.db")
	}
	db, err := store.OpenWith(ctx, *dsn, o)
	if err != nil && created != "" && errors.Is(err, store.ErrAuditKeyLost) {
		os.Remove(created) // the database's own key is lost: do not leave a wrong one
	}
	return fs, db, err
}

// parseFlags reads a command's flags and speaks Chinese about them: -h or
// --help prints the command's usage and every flag (errHelp); an unknown
// flag or a missing value is said in Chinese with the usage.
func parseFlags(fs *flag.FlagSet, args []string, usage string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Print(flagHelp(fs, usage))
		return errHelp
	}
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, t := range []struct{ en, zh string }{
		{"flag provided but not defined: ", "不认识的选项 "},
		{"flag needs an argument: ", "选项缺少值："},
		{"bad flag syntax: ", "选项写法不对："},
	} {
		if rest, ok := strings.CutPrefix(msg, t.en); ok {
			msg = t.zh + rest
			if t.en == "flag needs an argument: " {
				msg = "选项 " + rest + " 缺少值"
			}
			break
		}
	}
	if strings.HasPrefix(msg, "invalid value ") || strings.HasPrefix(msg, "invalid boolean value ") {
		msg = "选项的值无效：" + msg
	}
	return errors.New(msg + "\n" + flagHelp(fs, usage))
}

// flagHelp is a command's usage and its flags, in Chinese.
func flagHelp(fs *flag.FlagSet, usage string) string {
	var b strings.Builder
	b.WriteString("用法: " + usage + "\n选项:\n")
	fs.VisitAll(func(f *flag.Flag) {
		b.WriteString("  --" + f.Name)
		if name, _ := flag.UnquoteUsage(f); name != "" {
			b.WriteString(" 值")
		}
		b.WriteString("\n      " + f.Usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			b.WriteString("（默认 " + f.DefValue + "）")
		}
		b.WriteString("\n")
	})
	return b.String()
}

// listenOn takes the server's port, saying in Chinese when it cannot.
func listenOn(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("端口 %s 已被占用：可能已有一个 xiezuo 在运行；请先停止它，或用 --addr 指定其他端口", addr)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("没有权限监听 %s：1024 以下的端口需要管理员权限，请用 --addr 指定其他端口", addr)
	case err != nil:
		return nil, fmt.Errorf("无法监听 %s（--addr 应为 主机:端口，如 127.0.0.1:8080）：%v", addr, err)
	}
	return ln, nil
}

// parsePrefixes reads --trusted-proxy: CIDRs or single addresses, comma
// separated.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("--trusted-proxy：“%s”不是地址或地址段（CIDR，如 10.0.0.0/8）", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func serve(ctx context.Context, args []string) error {
	var addr, proxies *string
	var noDemo, secure, privateHooks *bool
	var digestHour *int
	var baseURL *string
	var smtp func() notify.SMTP
	var ln net.Listener
	listen := func() error {
		var err error
		ln, err = listenOn(*addr)
		return err
	}
	_, db, err := openDBAfter(ctx, "serve", args, 0, "xiezuo serve [--addr …] [--data DIR | --db …] [--no-demo] [--secure-cookies] [--trusted-proxy CIDR,…]", func(fs *flag.FlagSet) {
		addr = fs.String("addr", "127.0.0.1:8080", "监听地址")
		proxies = fs.String("trusted-proxy", "", "可信反向代理的地址段（CIDR，逗号分隔，如 127.0.0.1/32）：只采信它们转来的 X-Forwarded-For")
		noDemo = fs.Bool("no-demo", false, "空库启动时不载入演示数据")
		secure = fs.Bool("secure-cookies", false, "会话 Cookie 加 Secure 标志（经 HTTPS 访问时使用）")
		digestHour = fs.Int("digest-hour", 8, "每天几点（北京时间，0–23）生成待办提醒；-1 不生成")
		baseURL = fs.String("base-url", "", "平台对外网址，提醒中的链接以它开头（默认为监听地址）")
		smtp = smtpFlags(fs)
		privateHooks = fs.Bool("webhook-allow-private", false, "允许群机器人推送地址指向本机或内网地址（推送经内网中转时使用）")
	}, listen)
	served := false
	defer func() {
		if ln != nil && !served {
			ln.Close() // refused before serving: give the port back
		}
	}()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	defer db.Close()
	trusted, err := parsePrefixes(*proxies)
	if err != nil {
		return err
	}
	demoLoaded := false
	if !*noDemo {
		loaded, err := demo.Load(ctx, db)
		if err != nil {
			return err
		}
		if loaded {
			log.Info("已载入演示数据（2020年第9、10期简报）", "password", demo.Password)
		}
		_, err = db.UserByName(ctx, "admin")
		demoLoaded = err == nil
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(web.MemoryLimit)
	}
	srv, err := web.NewServer(db, *secure, log)
	if err != nil {
		return err
	}
	srv.Demo = demoLoaded
	srv.TrustedProxies = trusted
	db.AllowPrivateWebhooks = *privateHooks // before the first request
	mailCfg := smtp()
	base := *baseURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	srv.Delivery = web.DeliveryInfo{SMTPHost: mailCfg.Host, SMTPPort: mailCfg.Port, SMTPUser: mailCfg.User, SMTPFrom: mailCfg.From,
		PasswordSet: mailCfg.Password != "", DigestHour: *digestHour, Base: base}
	srv.Serve(ln)
	served = true
	// Reminders: the outbox worker every 30 s, the daily digest checked
	// every minute (both end with ctx).
	go (&notify.Worker{DB: db, SMTP: mailCfg, Log: log, AllowPrivate: *privateHooks}).Run(ctx, 30*time.Second)
	if *digestHour >= 0 && *digestHour <= 23 {
		go (&notify.Daily{DB: db, Hour: *digestHour, Base: base, Email: mailCfg.Enabled(), Log: log}).Run(ctx, time.Minute)
	}
	if !db.AuditKeyed() {
		log.Warn("未使用审计密钥（--db 未配 --data）：删除最新的审计记录、或改后重算哈希，将无法发现")
	}
	log.Info("协作平台已启动", "url", srv.URL(), "db", string(db.Dialect))
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Close(sctx)
}

func regionsImport(ctx context.Context, args []string) error {
	start := time.Now()
	fs, db, err := openDB(ctx, "regions import", args, 1, "xiezuo regions import [--data DIR] CSV目录", nil)
	if err != nil {
		return err
	}
	defer db.Close()
	regions, err := imports.ReadRegionsDir(fs.Arg(0))
	if err != nil {
		return err
	}
	n, err := db.UpsertRegions(ctx, nil, regions)
	if err != nil {
		return err
	}
	total, _ := db.RegionCount(ctx)
	fmt.Printf("已导入 %d 条区划（库中共 %d 条），用时 %.1f 秒\n", n, total, time.Since(start).Seconds())
	return nil
}

func userAdd(ctx context.Context, args []string) error {
	var name, display, pw, role, org, county *string
	_, db, err := openDB(ctx, "user add", args, 0, "xiezuo user add --username … --password … --role …", func(fs *flag.FlagSet) {
		name = fs.String("username", "", "用户名")
		display = fs.String("name", "", "显示名称")
		pw = fs.String("password", "", "密码（至少8位）")
		role = fs.String("role", "", "角色 admin|reviewer|unit|county|viewer|supplier|buyer_admin|purchaser|supervisor")
		org = fs.String("org", "", "所属单位名称（报送单位、受援县用户必填）")
		county = fs.String("county", "", "所属县12位区划代码（受援县用户必填）")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	nu := store.NewUser{Username: *name, DisplayName: *display, Password: *pw, Role: xiezuo.Role(*role), CountyCode: *county}
	if *org != "" {
		o, err := db.OrgByName(ctx, *org)
		if err != nil {
			return errors.New(xiezuo.ErrorMessage(err))
		}
		nu.OrgID = o.ID
	}
	u, err := db.CreateUser(ctx, nil, nu)
	if err != nil {
		return errors.New(xiezuo.ErrorMessage(err) + fieldText(err))
	}
	fmt.Printf("已创建用户 %s（%s，编号 %d）\n", u.Username, u.Role.Label(), u.ID)
	return nil
}

// fieldText is what the fields of err add to its message: the Chinese
// messages the message does not already say (a Problems error's message
// lists them all), never the fields' internal names (org_id).
func fieldText(err error) string {
	msg := xiezuo.ErrorMessage(err)
	var parts []string
	for _, v := range xiezuo.ErrorFields(err) {
		if !strings.Contains(msg, v) && !slices.Contains(parts, v) {
			parts = append(parts, v)
		}
	}
	slices.Sort(parts)
	if len(parts) == 0 {
		return ""
	}
	return "（" + strings.Join(parts, "；") + "）"
}

// errorText is how the command line shows an error: a service error as its
// Chinese message (and, for an internal one, its cause for the operator);
// others as they are.
func errorText(err error) string {
	var e *xiezuo.Error
	if !errors.As(err, &e) || err != error(e) {
		return err.Error()
	}
	s := xiezuo.ErrorMessage(err) + fieldText(err)
	if e.Code == xiezuo.EINTERNAL && e.Cause != nil {
		s += "\n原因：" + e.Cause.Error()
	}
	return s
}

// operator is the user of CLI commands that check rather than record
// (audit verify): whoever can open the database runs them with the
// office's authority, as the demo loader's system user does.
var operator = &xiezuo.User{Username: "system", DisplayName: "命令行", Role: xiezuo.RoleAdmin}
