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

	"github.com/xiezuo/xiezuo/internal/testdb"
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
	out, err := capture(t, "regions", "import", "--data", dir, filepath.Join(testdb.SharedData(t), "regions"))
	if err != nil || !strings.Contains(out, "已导入") {
		t.Fatalf("regions import: %q, %v", out, err)
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
}
