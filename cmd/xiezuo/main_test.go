package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

// capture runs the command and returns what it printed.
func capture(t *testing.T, args ...string) (string, error) {
	t.Helper()
	r, w, _ := os.Pipe()
	old := os.Stdout
	os.Stdout = w
	err := run(context.Background(), args)
	w.Close()
	os.Stdout = old
	b, _ := io.ReadAll(r)
	return string(b), err
}

// TestCLI runs the administration commands on one data directory. It
// swaps os.Stdout, so it is not parallel.
func TestCLI(t *testing.T) {
	dir := t.TempDir()
	if data, ok := testdb.SharedDataDir(); ok {
		out, err := capture(t, "regions", "import", "--data", dir, filepath.Join(data, "regions"))
		if err != nil || !strings.Contains(out, "已导入") {
			t.Fatalf("regions import: %q, %v", out, err)
		}
	}
	if _, err := capture(t, "user", "add", "--data", dir, "--username", "boss", "--password", "short", "--role", "admin"); err == nil || !strings.Contains(err.Error(), "密码至少8位") {
		t.Fatalf("short password accepted: %v", err)
	}
	if out, err := capture(t, "user", "add", "--data", dir, "--username", "boss", "--password", "long-enough-1", "--role", "admin"); err != nil || !strings.Contains(out, "已创建用户 boss") {
		t.Fatalf("user add: %q, %v", out, err)
	}
	tok, err := capture(t, "token", "create", "--data", dir, "--user", "boss")
	if err != nil || !strings.HasPrefix(tok, "xz_") {
		t.Fatalf("token create: %q, %v", tok, err)
	}
	accountCare(t, dir)
	if out, err := capture(t, "audit", "verify", "--data", dir); err != nil || !strings.Contains(out, "审计日志完整") {
		t.Fatalf("audit verify: %q, %v", out, err)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	if _, err := capture(t, "backup", "--data", dir, backup); err != nil {
		t.Fatal(err)
	}
	// A backup copy is checked with the data directory's key and the
	// checkpoint written beside it; without the key it cannot be.
	if out, err := capture(t, "audit", "verify", "--db", backup, "--key", filepath.Join(dir, "audit.key"), "--checkpoint", backup+".checkpoint"); err != nil || !strings.Contains(out, "审计日志完整") {
		t.Fatalf("restored backup: %q, %v", out, err)
	}
	if _, err := capture(t, "audit", "verify", "--db", backup); err == nil || !strings.Contains(err.Error(), "需要该密钥") {
		t.Fatalf("backup verified without the key: %v", err)
	}

	// serve with the demo on a free port answers /healthz and the API token.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	sdir := t.TempDir()
	go func() { done <- run(ctx, []string{"serve", "--data", sdir, "--addr", addr}) }()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// The demo's 2020年第9、10期 as Word, kept as a draft; the ledger as IATI XML.
	docx := filepath.Join(t.TempDir(), "简报.docx")
	out, err := capture(t, "bulletin", "--data", sdir, "--from", "2020-08-01", "--to", "2020-10-31", "--numbers", "9、10", "--save", "--out", docx)
	if err != nil || !strings.Contains(out, "2020年第9、10期") || !strings.Contains(out, "4 个栏目") {
		t.Fatalf("bulletin: %q, %v", out, err)
	}
	if b, err := os.ReadFile(docx); err != nil || !strings.HasPrefix(string(b), "PK") {
		t.Fatalf("no .docx written: %v", err)
	}
	if _, err := capture(t, "bulletin", "--data", sdir, "--from", "2020-10-31", "--to", "2020-08-01", "--out", docx); err == nil || !strings.Contains(err.Error(), "截止日期不能早于起始日期") {
		t.Fatalf("a reversed period was accepted: %v", err)
	}
	xmlFile := filepath.Join(t.TempDir(), "iati.xml")
	if out, err := capture(t, "export", "iati", "--data", sdir, "--out", xmlFile); err != nil || !strings.Contains(out, "IATI 2.03") {
		t.Fatalf("export iati: %q, %v", out, err)
	}
	if b, err := os.ReadFile(xmlFile); err != nil || !strings.Contains(string(b), "<iati-activities version=\"2.03\"") {
		t.Fatalf("no IATI file: %v", err)
	}
}

// TestCLIImport imports a GBK-encoded CSV as Chinese Excel saves it, and
// checks that a refused --mode all import is an error (exit status 1).
func TestCLIImport(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "xiezuo.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	db.Close()
	csvText := "帮扶投入登记表\n日期,帮扶单位,受援县,受援乡镇,形式,金额(元),物资/内容\n" +
		"9月22日,上海龙舜投资管理有限公司,绿春,大兴镇,资金,3万,助学金\n" +
		"2020/9/3,拼多多,金平县,者米乡,消费帮扶,\"1,000,000\",采购茶叶\n"
	gbk, err := simplifiedchinese.GB18030.NewEncoder().String(csvText)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "九月.csv")
	os.WriteFile(file, []byte(gbk), 0o644)
	out, err := capture(t, "import", "--data", dir, "--user", "admin", "--year", "2020", file)
	if err != nil || !strings.Contains(out, "共 2 行，导入 2") {
		t.Fatalf("import: %q, %v", out, err)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("日期,帮扶单位,受援县,形式,金额(元)\n2020-09-02,上海龙舜投资管理有限公司,火星县,资金,abc\n"), 0o644)
	out, err = capture(t, "import", "--data", dir, bad)
	if err == nil || !strings.Contains(out, "第2行：【受援县】") || !strings.Contains(out, "【金额(元)】“abc”不是金额") {
		t.Fatalf("refused import: %q, %v", out, err)
	}
}

// TestCLIProductionPath follows the README's production setup on a fresh
// directory: no demo, a first admin without a unit, the national regions,
// then organisations, pairings and the office's history of contributions
// imported as approved (issue 8, faults 2–4).
func TestCLIProductionPath(t *testing.T) {
	data, ok := testdb.SharedDataDir()
	if !ok {
		testdb.Missing(t, "../shared/data (NBS regions)")
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if out, err := capture(t, "user", "add", "--data", dir, "--username", "office", "--password", "long-enough-1", "--role", "admin"); err != nil {
		t.Fatalf("user add: %q, %v", out, err)
	}
	if out, err := capture(t, "regions", "import", "--data", dir, filepath.Join(data, "regions")); err != nil {
		t.Fatalf("regions import: %q, %v", out, err)
	}
	orgs := write("orgs.csv", "单位名称,类型,东西部,所在地区\n"+
		"上海市长宁区程家桥街道办事处,街道,东部,上海市长宁区\n上海龙舜投资管理有限公司,企业,东部,上海市长宁区\n"+
		"绿春县人民政府,区县,西部,云南省红河州绿春县\n大兴镇人民政府,乡镇,西部,绿春县大兴镇\n")
	if out, err := capture(t, "import", "--data", dir, "--user", "office", "--type", "organisations", orgs); err != nil || !strings.Contains(out, "导入 4") {
		t.Fatalf("organisations: %q, %v", out, err)
	}
	// Fault 2: a refused pairings file leaves nothing; --approve means nothing for pairings.
	badPairs := write("bad-pairs.csv", "结对类型,东部单位,西部单位,起始年份\n携手奔小康,上海市长宁区程家桥街道办事处,大兴镇人民政府,2020\n"+
		"携手奔小康,上海市长宁区程家桥街道办事处,上海龙舜投资管理有限公司,2020\n")
	if out, err := capture(t, "import", "--data", dir, "--user", "office", "--type", "pairings", "--approve", badPairs); err == nil || !strings.Contains(out, "第3行") {
		t.Fatalf("a pairing between two eastern units was accepted: %q, %v", out, err)
	}
	pairs := write("pairs.csv", "结对类型,东部单位,西部单位,起始年份\n携手奔小康,上海市长宁区程家桥街道办事处,大兴镇人民政府,2020\n")
	out, err := capture(t, "import", "--data", dir, "--user", "office", "--type", "pairings", "--approve", pairs)
	if err != nil || !strings.Contains(out, "共 1 行，导入 1") {
		t.Fatalf("pairings --approve: %q, %v", out, err)
	}
	// Fault 4: a dry run with an error says 可导入 0 and fails.
	history := "日期,帮扶单位,受援县,受援乡镇,形式,金额(元),物资/内容\n" +
		"2020-09-22,上海龙舜投资管理有限公司,云南省红河州绿春县,大兴镇,资金,3万,助学金\n" +
		"2020-10-10,上海市长宁区程家桥街道办事处,红河州绿春县,,物资,12000,校服\n"
	bad := write("bad-history.csv", history+"2020-10-11,上海龙舜投资管理有限公司,绿春县,,资金,三万,助学金\n")
	out, err = capture(t, "import", "--data", dir, "--user", "office", "--approve", "--dry-run", bad)
	if err == nil || !strings.Contains(out, "可导入 0") || !strings.Contains(out, "第4行：【金额(元)】") {
		t.Fatalf("dry run with an error: %q, %v", out, err)
	}
	// Fault 3: the office's history, dry run then for real, as approved.
	good := write("history.csv", history)
	if out, err = capture(t, "import", "--data", dir, "--user", "office", "--approve", "--dry-run", good); err != nil || !strings.Contains(out, "可导入 2") {
		t.Fatalf("dry run: %q, %v", out, err)
	}
	if out, err = capture(t, "import", "--data", dir, "--user", "office", "--approve", good); err != nil || !strings.Contains(out, "共 2 行，导入 2") {
		t.Fatalf("history --approve: %q, %v", out, err)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "xiezuo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin, err := db.UserByName(context.Background(), "office")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := db.Pairings(context.Background(), store.PairingFilter{})
	if err != nil || len(ps) != 1 {
		t.Fatalf("pairings: %d, %v (the refused file must leave none)", len(ps), err)
	}
	items, tot, err := db.ListContributions(context.Background(), admin, ledger.ContributionFilter{Status: ledger.StatusApproved, CountyCode: "532531000000", Limit: 50})
	if err != nil || tot.Count != 2 || tot.AmountFen != 4200000 {
		t.Fatalf("approved history: %d items, %+v, %v", len(items), tot, err)
	}
	for _, c := range items {
		if c.UnitID == 0 || c.UnitName == "" || len(c.Givers) == 0 || c.UnitID != c.Givers[0].ID {
			t.Errorf("contribution %d: unit %d %q, givers %v (reported by its giver)", c.ID, c.UnitID, c.UnitName, c.Givers)
		}
	}
}

// accountCare runs the account commands (issue 9, fault 8) on dir, which
// has the admin “boss” with one API token.
func accountCare(t *testing.T, dir string) {
	t.Helper()
	if _, err := capture(t, "user", "add", "--data", dir, "--username", "weak", "--password", "12345678", "--role", "admin"); err == nil || !strings.Contains(err.Error(), "密码太简单") {
		t.Fatalf("weak admin password accepted: %v", err)
	}
	if _, err := capture(t, "user", "add", "--data", dir, "--username", "BOSS", "--password", "Another-chief-1", "--role", "viewer"); err == nil || !strings.Contains(err.Error(), "已存在") {
		t.Fatalf("BOSS beside boss: %v", err)
	}
	if out, err := capture(t, "user", "add", "--data", dir, "--username", "clerk", "--password", "Paper-desk-2026", "--role", "viewer"); err != nil {
		t.Fatalf("user add clerk: %q, %v", out, err)
	}
	out, err := capture(t, "user", "reset", "--data", dir, "--username", "Clerk")
	code := regexp.MustCompile(`[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}`).FindString(out)
	if err != nil || code == "" {
		t.Fatalf("user reset: %q, %v", out, err)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "xiezuo.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if u, err := db.SignIn(ctx, "clerk", code, "192.0.2.1"); err != nil || !u.MustChange {
		t.Fatalf("sign in with the one-time code: %+v, %v", u, err)
	}
	db.Close()
	if _, err := capture(t, "user", "passwd", "--data", dir, "--username", "clerk", "--password", "abc"); err == nil {
		t.Fatal("user passwd took a weak password")
	}
	if out, err := capture(t, "user", "passwd", "--data", dir, "--username", "clerk", "--password", "Paper-desk-2027"); err != nil || !strings.Contains(out, "已为 clerk 设置新密码") {
		t.Fatalf("user passwd: %q, %v", out, err)
	}
	if out, err := capture(t, "user", "disable", "--data", dir, "--username", "clerk"); err != nil || !strings.Contains(out, "已停用") {
		t.Fatalf("user disable: %q, %v", out, err)
	}
	db, _ = store.Open(ctx, filepath.Join(dir, "xiezuo.db"))
	if _, err := db.SignIn(ctx, "clerk", "Paper-desk-2027", "192.0.2.1"); err == nil {
		t.Fatal("a disabled user signed in")
	}
	db.Close()
	if _, err := capture(t, "user", "enable", "--data", dir, "--username", "clerk"); err != nil {
		t.Fatal(err)
	}
	out, err = capture(t, "token", "list", "--data", dir, "--user", "boss")
	if err != nil || !strings.Contains(out, "boss") || !strings.Contains(out, "有效") {
		t.Fatalf("token list: %q, %v", out, err)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	if out, err := capture(t, "token", "revoke", "--data", dir, id); err != nil || !strings.Contains(out, "已吊销") {
		t.Fatalf("token revoke: %q, %v", out, err)
	}
	if _, err := capture(t, "token", "revoke", "--data", dir, id); err == nil || !strings.Contains(err.Error(), "已于") {
		t.Fatalf("second revoke: %v", err)
	}
	if out, _ := capture(t, "token", "list", "--data", dir); !strings.Contains(out, "已吊销") {
		t.Fatalf("token list after revoke: %q", out)
	}
}

// TestHelpStartsLight: no password hash is made when the program starts
// (it once cost 64 MiB and ~170 ms on every command, help included).
func TestHelpStartsLight(t *testing.T) {
	t.Parallel()
	cmd := child(t, "help")
	cmd.Env = append(cmd.Env, "XIEZUO_TEST_PEAK=1")
	out, err := cmd.CombinedOutput()
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindStringSubmatch(string(out))
	if err != nil || !strings.Contains(string(out), "用法") || m == nil {
		t.Fatalf("help: %s, %v", out, err)
	}
	if kb, _ := strconv.Atoi(m[1]); kb > 48<<10 {
		t.Fatalf("help took %d MB at its peak", kb>>10)
	}
}
