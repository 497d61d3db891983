package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync/atomic"
	"testing"

	"modernc.org/sqlite"
)

// TestStmtCache: a kept statement gives the same answers as a new one,
// also when the same query runs again while its first rows are still
// open, and after the least recently used statements were let go; every
// execution is still counted.
func TestStmtCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var n atomic.Int64
	c, err := newCountingConnector(&sqlite.Driver{}, "file:"+filepath.Join(t.TempDir(), "c.db"), &n, 2)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: every statement meets the same cache
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if _, err := db.ExecContext(ctx, `INSERT INTO t (k, v) VALUES ($1, $2)`, i, string(rune('a'+i-1))); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := db.BeginTx(ctx, nil) // pins the connection, so the nested query shares it
	if err != nil {
		t.Fatal(err)
	}
	outer, err := tx.QueryContext(ctx, `SELECT k FROM t WHERE k >= $1 ORDER BY k`, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for outer.Next() {
		var k int64
		outer.Scan(&k)
		// The same text again while outer reads: a statement of its own.
		var inner int64
		if err := tx.QueryRowContext(ctx, `SELECT k FROM t WHERE k >= $1 ORDER BY k`, k).Scan(&inner); err != nil || inner != k {
			t.Fatalf("nested query for %d: %d, %v", k, inner, err)
		}
		got = append(got, k)
	}
	outer.Close()
	tx.Commit()
	if len(got) != 3 {
		t.Fatalf("outer rows %v", got)
	}
	// More texts than kept: the oldest go, answers stay right.
	for round := 0; round < 3; round++ {
		for i, q := range []string{`SELECT v FROM t WHERE k = $1`, `SELECT v || '' FROM t WHERE k = $1`, `SELECT upper(v) FROM t WHERE k = $1`} {
			var v string
			if err := db.QueryRowContext(ctx, q, 2).Scan(&v); err != nil || (i < 2 && v != "b") || (i == 2 && v != "B") {
				t.Fatalf("round %d, %q: %q, %v", round, q, v, err)
			}
		}
	}
	before := n.Load()
	for range 5 {
		db.QueryRowContext(ctx, `SELECT COUNT(*) FROM t`).Scan(new(int))
	}
	if d := n.Load() - before; d != 5 {
		t.Errorf("5 executions of a kept statement counted %d", d)
	}
}
