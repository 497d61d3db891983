// Package testdb opens fresh databases for tests on every engine: SQLite in
// a temporary directory, and PostgreSQL in a new database of the cluster
// named by XIEZUO_TEST_POSTGRES. When XIEZUO_REQUIRE_ALL=1 (set by .ci/run)
// a missing PostgreSQL, Chromium or LibreOffice fails the test instead of
// skipping it.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/store"
)

// Engines are the database engines every store test runs on.
var Engines = []string{"sqlite", "postgres"}

// Required reports whether missing test dependencies must fail the test.
func Required() bool { return os.Getenv("XIEZUO_REQUIRE_ALL") == "1" }

// Missing skips the test, or fails it in CI, for a missing dependency.
func Missing(t testing.TB, what string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s is required (XIEZUO_REQUIRE_ALL=1) but missing", what)
	}
	t.Skipf("%s not available; set it up with .ci/run", what)
}

// Open returns a fresh, migrated, empty database on engine, closed and
// dropped when the test ends.
func Open(t testing.TB, engine string) *store.DB {
	t.Helper()
	return OpenWith(t, engine, store.Options{})
}

// OpenWith is Open with store options (the audit key and anchor).
func OpenWith(t testing.TB, engine string, o store.Options) *store.DB {
	t.Helper()
	ctx := context.Background()
	var dsn string
	switch engine {
	case "sqlite":
		// Not t.TempDir(): a repeated subtest's name ends in #01, and a
		// '#' in the path ends the file: URI the driver opens, so every
		// such test shared one file /tmp/Test…sqlite (across runs too).
		dir, err := os.MkdirTemp("", "xiezuo-test-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		dsn = filepath.Join(dir, "xiezuo.db")
	case "postgres":
		base := os.Getenv("XIEZUO_TEST_POSTGRES")
		if base == "" {
			Missing(t, "PostgreSQL (XIEZUO_TEST_POSTGRES)")
		}
		dsn = newPostgresDB(t, base)
	default:
		t.Fatalf("unknown engine %q", engine)
	}
	db, err := store.OpenWith(ctx, dsn, o)
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Reopen opens db's database again with other options, closed when the
// test ends.
func Reopen(t testing.TB, db *store.DB, o store.Options) *store.DB {
	t.Helper()
	other, err := store.OpenWith(context.Background(), db.DSN, o)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// OpenDemo returns a fresh database on engine with the demo loaded: a
// copy of one loaded once per test process (a SQLite file copied, a
// PostgreSQL database created from it as template), since loading the
// demo — its accounts' password hashes above all — takes seconds.
func OpenDemo(t testing.TB, engine string) *store.DB {
	t.Helper()
	tpl := demoTemplateOf(t, engine)
	var dsn string
	switch engine {
	case "sqlite":
		dir, err := os.MkdirTemp("", "xiezuo-test-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		dsn = filepath.Join(dir, "xiezuo.db")
		b, err := os.ReadFile(tpl)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dsn, b, 0o600); err != nil {
			t.Fatal(err)
		}
	case "postgres":
		dsn = newPostgresDBFrom(t, os.Getenv("XIEZUO_TEST_POSTGRES"), tpl)
	}
	db, err := store.OpenWith(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// demoTemplates hold, per engine, the database the demo was loaded into
// once: a SQLite file's path or a PostgreSQL database's name.
var demoTemplates = map[string]*struct {
	once      sync.Once
	of        string
	err, skip error
}{"sqlite": {}, "postgres": {}}

func demoTemplateOf(t testing.TB, engine string) string {
	t.Helper()
	tpl, ok := demoTemplates[engine]
	if !ok {
		t.Fatalf("unknown engine %q", engine)
	}
	tpl.once.Do(func() {
		ctx := context.Background()
		var dsn string
		switch engine {
		case "sqlite":
			dir, err := os.MkdirTemp("", "xiezuo-demo-")
			if err != nil {
				tpl.err = err
				return
			}
			dsn = filepath.Join(dir, "xiezuo.db")
			tpl.of = dsn
		case "postgres":
			base := os.Getenv("XIEZUO_TEST_POSTGRES")
			if base == "" {
				tpl.skip = fmt.Errorf("PostgreSQL (XIEZUO_TEST_POSTGRES)")
				return
			}
			name, err := createPostgresDB(base, "xz_demo_", "template0")
			if err != nil {
				tpl.skip = err
				return
			}
			tpl.of, dsn = name, withDB(base, name)
		}
		db, err := store.OpenWith(ctx, dsn, store.Options{})
		if err != nil {
			tpl.err = err
			return
		}
		defer db.Close()
		if _, err := demo.Load(ctx, db); err != nil {
			tpl.err = err
			return
		}
		if engine == "sqlite" { // the whole database in its one file
			_, tpl.err = db.SQL().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		}
	})
	switch {
	case tpl.skip != nil:
		Missing(t, tpl.skip.Error())
	case tpl.err != nil:
		t.Fatalf("demo template (%s): %v", engine, tpl.err)
	}
	return tpl.of
}

func newPostgresDB(t testing.TB, base string) string {
	return newPostgresDBFrom(t, base, "template0")
}

// newPostgresDBFrom creates a database of the cluster at base as a copy of
// template, dropped when the test ends, and returns its URL.
func newPostgresDBFrom(t testing.TB, base, template string) string {
	if base == "" {
		Missing(t, "PostgreSQL (XIEZUO_TEST_POSTGRES)")
	}
	name, err := createPostgresDB(base, "xz_test_", template)
	if err != nil {
		if Required() {
			t.Fatalf("create test database: %v", err)
		}
		t.Skipf("PostgreSQL unreachable: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err == nil {
			a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
			a.Close()
		}
	})
	return withDB(base, name)
}

// createPostgresDB creates a database named prefix and random hex as a
// copy of template. The demo templates of earlier test processes (their
// names carry the hour they were made) are dropped after a day.
func createPostgresDB(base, prefix, template string) (string, error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	if prefix == "xz_demo_" {
		hour := time.Now().Unix() / 3600
		name = fmt.Sprintf("%s%d_%s", prefix, hour, hex.EncodeToString(b))
		rows, err := admin.Query(`SELECT datname FROM pg_database WHERE datname LIKE 'xz_demo_%'`)
		if err == nil {
			var old []string
			for rows.Next() {
				var n string
				rows.Scan(&n)
				var h int64
				if _, err := fmt.Sscanf(strings.TrimPrefix(n, prefix), "%d_", &h); err == nil && h < hour-24 {
					old = append(old, n)
				}
			}
			rows.Close()
			for _, n := range old {
				admin.Exec(`DROP DATABASE IF EXISTS ` + n + ` WITH (FORCE)`)
			}
		}
	}
	// Several test processes copy one template at once: PostgreSQL
	// refuses a copy while another is being made (retried briefly).
	for try := 0; ; try++ {
		_, err = admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + template + ` ENCODING 'UTF8'`)
		if err == nil || try == 50 || !strings.Contains(err.Error(), "being accessed by other users") {
			return name, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// withDB is base's URL naming database name.
func withDB(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

// SharedDataDir finds ../shared/data next to the repository (or
// XIEZUO_SHARED_DATA).
func SharedDataDir() (string, bool) {
	if d := os.Getenv("XIEZUO_SHARED_DATA"); d != "" {
		return d, true
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for dir != "/" {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(filepath.Dir(dir), "shared", "data")
			_, err := os.Stat(p)
			return p, err == nil
		}
		dir = filepath.Dir(dir)
	}
	return "", false
}

// SharedData returns the path of ../shared/data, or skips the test.
func SharedData(t testing.TB) string {
	t.Helper()
	if d, ok := SharedDataDir(); ok {
		return d
	}
	// The national data lives beside the repository, not in it; a checkout
	// without it skips these tests even in CI (PostgreSQL and Chromium do not).
	t.Skip("reference data ../shared/data (or XIEZUO_SHARED_DATA) not found")
	return ""
}

// Chromium returns the path of a Chromium binary, or skips/fails.
func Chromium(t testing.TB) string {
	t.Helper()
	return Tool(t, "Chromium", os.Getenv("XIEZUO_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
}

// Soffice returns the path of LibreOffice's soffice, or skips/fails.
func Soffice(t testing.TB) string {
	t.Helper()
	return Tool(t, "LibreOffice (soffice)", os.Getenv("XIEZUO_SOFFICE"), "/usr/bin/soffice", "/usr/bin/libreoffice", "/usr/local/bin/soffice")
}

// Tool returns the first of paths that is a file, or skips/fails naming what.
func Tool(t testing.TB, what string, paths ...string) string {
	t.Helper()
	for _, p := range paths {
		if p == "" {
			continue
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	Missing(t, what)
	return ""
}
