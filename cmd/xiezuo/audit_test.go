package main

import (
	"context"
	"database/sql"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/store"
)

// serveOnce runs `serve --data dir` with the demo, as the README's first
// step does, until it answers, then stops it.
func serveOnce(t *testing.T, dir string) {
	t.Helper()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--data", dir, "--addr", addr}) }()
	var err error
	for i := 0; i < 200; i++ {
		var resp *http.Response
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err != nil {
		t.Fatalf("serve: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestCLIAuditTruncation is issue 9, fault 7: in the default setup (serve
// on a data directory, nothing configured), deleting the newest audit
// entries with SQL must make `audit verify --data DIR` fail.
func TestCLIAuditTruncation(t *testing.T) {
	dir := t.TempDir()
	serveOnce(t, dir)
	for _, f := range []string{"audit.key", "audit.head"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	out, err := capture(t, "audit", "verify", "--data", dir)
	if err != nil || !strings.Contains(out, "审计日志完整") || !strings.Contains(out, "当前审计检查点：第") {
		t.Fatalf("audit verify: %q, %v", out, err)
	}
	early := filepath.Join(t.TempDir(), "early.checkpoint")
	if out, err := capture(t, "audit", "checkpoint", "--data", dir, "--out", early); err != nil || !strings.Contains(out, "审计检查点：第") {
		t.Fatalf("audit checkpoint: %q, %v", out, err)
	}
	if _, err := capture(t, "user", "add", "--data", dir, "--username", "boss", "--password", "long-enough-1", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	if out, err := capture(t, "audit", "verify", "--data", dir, "--checkpoint", early); err != nil || !strings.Contains(out, "包含 1 个检查点") {
		t.Fatalf("audit verify --checkpoint: %q, %v", out, err)
	}

	db, err := sql.Open("sqlite", filepath.Join(dir, "xiezuo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var last int64
	db.QueryRow(`SELECT MAX(seq) FROM audit_log`).Scan(&last)
	for _, keep := range []int64{last - 1, last - 50, 0} {
		if _, err := db.Exec(`DELETE FROM audit_log WHERE seq > ?`, keep); err != nil {
			t.Fatal(err)
		}
		_, err := capture(t, "audit", "verify", "--data", dir)
		if err == nil || !strings.Contains(err.Error(), "审计日志被截断：审计锚点记录到第") {
			t.Fatalf("newest entries after %d deleted: %v", keep, err)
		}
	}
	// With the anchor removed too, the earlier checkpoint still tells.
	os.Remove(filepath.Join(dir, "audit.head"))
	if _, err := capture(t, "audit", "verify", "--data", dir); err == nil || !strings.Contains(err.Error(), "audit.head）缺失") {
		t.Fatalf("anchor deleted: %v", err)
	}
	_, err = capture(t, "audit", "verify", "--db", filepath.Join(dir, "xiezuo.db"), "--key", filepath.Join(dir, "audit.key"), "--checkpoint", early)
	if err == nil || !strings.Contains(err.Error(), "审计日志被截断：检查点记录到第") {
		t.Fatalf("truncation below a checkpoint: %v", err)
	}
	// The form printed on a bulletin, typed in.
	_, err = capture(t, "audit", "verify", "--data", dir, "--key", filepath.Join(dir, "audit.key"), "--checkpoint", "第3条 0123abcd…0123abcd")
	if err == nil || !strings.Contains(err.Error(), "审计日志被截断：检查点记录到第 3 条，数据库只有 0 条") {
		t.Fatalf("printed checkpoint: %v", err)
	}
}

// BenchmarkAnchor is what the anchor adds to a write that appends an
// audit entry (a token created: one small transaction): the write with
// the data directory's key and anchor, and without.
func BenchmarkAnchor(b *testing.B) {
	for _, anchored := range []bool{false, true} {
		name := "plain"
		if anchored {
			name = "anchored"
		}
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			var o store.Options
			if anchored {
				var err error
				if o, _, err = auditOptions(dir); err != nil {
					b.Fatal(err)
				}
			}
			db, err := store.OpenWith(context.Background(), filepath.Join(dir, "xiezuo.db"), o)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			u, err := db.CreateUser(context.Background(), nil, store.NewUser{Username: "boss", Password: "long-enough-1", Role: xiezuo.RoleAdmin})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := db.CreateToken(context.Background(), nil, u.ID, "", 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
