package main

// The audit key and head anchor of a data directory (issue 9, fault 7).
// The store receives the key as bytes and the anchor as an interface; the
// files are kept here:
//
//	DIR/audit.key   32 random bytes as hex, 0600, created on the first
//	                open of the data directory; never in the database
//	DIR/audit.head  the signed head of the audit chain (a checkpoint),
//	                rewritten (temp file + rename) after each write
//
// With --db and no --data there is no data directory and so no key: the
// chain is plain SHA-256 as before, and audit verify says what that cannot
// detect. --key FILE names a key without its directory, for checking a
// backup copy (then no anchor is read: the copy is older than it).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/xiezuo/xiezuo/store"
)

const (
	keyFile    = "audit.key"
	anchorFile = "audit.head"
)

// auditOptions reads the data directory's audit key, creating it (and the
// anchor) on the directory's first open.
func auditOptions(dir string) (o store.Options, created string, err error) {
	path := filepath.Join(dir, keyFile)
	o.Anchor = fileAnchor{filepath.Join(dir, anchorFile)}
	o.AuditKey, err = readKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return o, "", err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return o, "", err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return o, "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) { // another process created it just now
		o.AuditKey, err = readKey(path)
		return o, "", err
	}
	if err != nil {
		return o, "", fmt.Errorf("创建审计密钥 %s 失败：%w", path, err)
	}
	_, err = f.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return o, "", fmt.Errorf("创建审计密钥 %s 失败：%w", path, err)
	}
	o.AuditKey, o.NewAuditKey = key, true
	fmt.Fprintf(os.Stderr, "已创建审计密钥 %s：审计日志用它签名，请与数据库分开备份；丢失后无法再校验已签名的日志\n", path)
	return o, path, nil
}

// readKey reads a key file written by auditOptions.
func readKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("读取审计密钥 %s 失败：%w", path, err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("审计密钥 %s 格式不对（应为64位十六进制数）", path)
	}
	return key, nil
}

// fileAnchor is store.AuditAnchor on a file.
type fileAnchor struct{ path string }

func (a fileAnchor) Head() (store.Checkpoint, error) {
	b, err := os.ReadFile(a.path)
	if err != nil {
		return store.Checkpoint{}, err
	}
	return store.ParseCheckpoint(b)
}

// SetHead writes a temporary file beside the anchor and renames it over
// the anchor: a reader, or a crash, sees the old head or the new one. It
// does not fsync (see BenchmarkAnchor): after a power failure the anchor
// may be older than the database's head, which verify accepts, and SQLite
// itself (synchronous=NORMAL) may have lost its newest commits, which
// verify reports against the anchor as a truncation at that time.
func (a fileAnchor) SetHead(c store.Checkpoint) error {
	return writeAtomic(a.path, c.Marshal())
}

func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// writeNew writes a file that must not exist yet.
func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s 已存在，请换一个文件名", path)
		}
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// readCheckpoint reads a checkpoint file, or takes the short form printed
// on a bulletin (第1234条 3f2a9c1e…5b7d0a44) as given.
func readCheckpoint(path string) (store.Checkpoint, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && strings.Contains(path, "第") {
		return store.ParseCheckpoint([]byte(path))
	}
	if err != nil {
		return store.Checkpoint{}, fmt.Errorf("读取检查点文件失败：%w", err)
	}
	cp, err := store.ParseCheckpoint(b)
	if err != nil {
		return cp, fmt.Errorf("%s %w", path, err)
	}
	return cp, nil
}

const unkeyedNote = "未使用审计密钥（--db 未配 --data 或 --key）：只能发现前后不一致的修改，发现不了删除最新记录或改后重算哈希"

func auditVerify(ctx context.Context, args []string) error {
	var files []string
	_, db, err := openDB(ctx, "audit verify", args, 0, "xiezuo audit verify [--data DIR | --db … [--key 密钥文件]] [--checkpoint 检查点文件或“第N条 …”]…", func(fs *flag.FlagSet) {
		fs.Func("checkpoint", "审计检查点文件（备份旁的 .checkpoint 或 audit checkpoint 写出的），或简报上印的“第N条 xxxxxxxx…xxxxxxxx”，可重复", func(s string) error {
			files = append(files, s)
			return nil
		})
	})
	if err != nil {
		return err
	}
	defer db.Close()
	var cps []store.Checkpoint
	for _, f := range files {
		cp, err := readCheckpoint(f)
		if err != nil {
			return err
		}
		cps = append(cps, cp)
	}
	n, err := db.VerifyAudit(ctx, operator, cps...)
	if err != nil {
		return fmt.Errorf("审计日志校验失败（已校验 %d 条）：%w", n, err)
	}
	fmt.Printf("审计日志完整：%d 条，哈希链校验通过", n)
	if len(cps) > 0 {
		fmt.Printf("，包含 %d 个检查点", len(cps))
	}
	fmt.Println()
	if !db.AuditKeyed() {
		fmt.Println(unkeyedNote)
	}
	if cp, err := db.AuditCheckpoint(ctx); err == nil {
		fmt.Println("当前审计检查点：" + cp.Short())
	}
	return nil
}

func auditCheckpoint(ctx context.Context, args []string) error {
	var out *string
	_, db, err := openDB(ctx, "audit checkpoint", args, 0, "xiezuo audit checkpoint [--data DIR | --db …] [--out 文件]", func(fs *flag.FlagSet) {
		out = fs.String("out", "", "写入检查点文件（不覆盖已有文件）；不指定则打印")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	cp, err := db.AuditCheckpoint(ctx)
	if err != nil {
		return err
	}
	if !db.AuditKeyed() {
		fmt.Fprintln(os.Stderr, unkeyedNote+"；本检查点没有签名")
	}
	if *out == "" {
		fmt.Println("审计检查点：" + cp.Short())
		os.Stdout.Write(cp.Marshal())
		return nil
	}
	if err := writeNew(*out, cp.Marshal()); err != nil {
		return err
	}
	fmt.Printf("审计检查点：%s（已写入 %s）\n", cp.Short(), *out)
	return nil
}

func backup(ctx context.Context, args []string) error {
	fs, db, err := openDB(ctx, "backup", args, 1, "xiezuo backup [--data DIR] 输出文件", nil)
	if err != nil {
		return err
	}
	defer db.Close()
	out := fs.Arg(0)
	cp, err := db.Backup(ctx, out)
	if err != nil {
		return err
	}
	fmt.Printf("已备份到 %s\n", out)
	if err := writeNew(out+".checkpoint", cp.Marshal()); err != nil {
		return fmt.Errorf("写入审计检查点失败：%w", err)
	}
	fmt.Printf("审计检查点：%s（已写入 %s.checkpoint；请与备份分开保存，日后用 xiezuo audit verify --checkpoint 核对）\n", cp.Short(), out)
	return nil
}
