package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIWording: the commands speak Chinese to the operator and leave no
// trace when they refuse: help for every command's flags, a busy port
// found before the data directory is made, no new data directory but by
// serve, no internal field names in errors. It swaps os.Stdout and the
// working directory, so it is not parallel.
func TestCLIWording(t *testing.T) {
	t.Run("help", func(t *testing.T) {
		for _, args := range [][]string{{"serve", "--help"}, {"token", "create", "-h"}, {"import", "--help"}} {
			out, err := capture(t, args...)
			if err != nil || !strings.Contains(out, "用法") || !strings.Contains(out, "--data") || strings.Contains(out, "Usage") || strings.Contains(out, "default") {
				t.Errorf("%v: %q, %v", args, out, err)
			}
		}
		out, _ := capture(t, "serve", "--help")
		if !strings.Contains(out, "监听地址（默认 127.0.0.1:8080）") {
			t.Errorf("serve --help: %q", out)
		}
		_, err := capture(t, "token", "list", "--bogus")
		if err == nil || !strings.Contains(err.Error(), "不认识的选项 -bogus") || strings.Contains(err.Error(), "flag provided") {
			t.Errorf("unknown flag: %v", err)
		}
		_, err = capture(t, "token", "list", "--data")
		if err == nil || !strings.Contains(err.Error(), "选项 -data 缺少值") {
			t.Errorf("flag without value: %v", err)
		}
	})
	t.Run("busy port", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		addr := ln.Addr().String()
		dir := filepath.Join(t.TempDir(), "new")
		_, err = capture(t, "serve", "--addr", addr, "--data", dir, "--no-demo")
		if err == nil || !strings.Contains(err.Error(), "端口 "+addr+" 已被占用") {
			t.Fatalf("busy port: %v", err)
		}
		if _, serr := os.Stat(dir); serr == nil {
			t.Errorf("serve on a busy port created %s", dir)
		}
	})
	t.Run("no new data directory", func(t *testing.T) {
		t.Chdir(t.TempDir())
		_, err := capture(t, "token", "create", "--user", "boss")
		if err == nil || !strings.Contains(err.Error(), "数据目录 xiezuo-data 不存在") {
			t.Fatalf("token create without --data: %v", err)
		}
		dir := filepath.Join(t.TempDir(), "none")
		_, err = capture(t, "user", "add", "--data", dir, "--username", "boss", "--password", "long-enough-1", "--role", "admin")
		if err == nil || !strings.Contains(err.Error(), "不存在") {
			t.Fatalf("user add on a missing directory: %v", err)
		}
		for _, d := range []string{"xiezuo-data", dir} {
			if _, serr := os.Stat(d); serr == nil {
				t.Errorf("%s was created", d)
			}
		}
	})
	t.Run("no field names", func(t *testing.T) {
		dir := t.TempDir()
		_, err := capture(t, "user", "add", "--data", dir, "--username", "u1", "--password", "long-enough-1", "--role", "unit")
		if err == nil || !strings.Contains(err.Error(), "须指定所属单位") || strings.Contains(err.Error(), "org_id") || strings.Count(err.Error(), "须指定所属单位") != 1 {
			t.Fatalf("user add without --org: %v", err)
		}
	})
}
