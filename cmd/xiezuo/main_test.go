package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/internal/testdb"
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
	if out, err := capture(t, "audit", "verify", "--data", dir); err != nil || !strings.Contains(out, "审计日志完整") {
		t.Fatalf("audit verify: %q, %v", out, err)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	if _, err := capture(t, "backup", "--data", dir, backup); err != nil {
		t.Fatal(err)
	}
	if out, err := capture(t, "audit", "verify", "--db", backup); err != nil || !strings.Contains(out, "审计日志完整") {
		t.Fatalf("restored backup: %q, %v", out, err)
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
