package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/store"
)

// TestWriteGroups: writes that arrive while another is being written are
// committed together, each in its own savepoint: one that fails, panics,
// breaks a constraint, or whose caller goes away before or during it is
// rolled back alone with its own error, and every other one is stored.
func TestWriteGroups(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		if _, err := db.SQL().ExecContext(ctx, `CREATE TABLE group_probe (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		put := func(tx *sql.Tx, c context.Context, k int) error {
			_, err := tx.ExecContext(c, `INSERT INTO group_probe (k, v) VALUES ($1, 'x')`, k)
			return err
		}
		// The first write holds the queue's goroutine while the rest gather.
		started, hold, first := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			first <- db.Tx(ctx, func(tx *sql.Tx) error { close(started); <-hold; return put(tx, ctx, 0) })
		}()
		<-started
		gone, goneCancel := context.WithCancel(ctx)
		mid, midCancel := context.WithCancel(ctx)
		writes := map[int]func(tx *sql.Tx) error{ // by key; the ok ones are 1..20
			100: func(tx *sql.Tx) error { // fails after writing
				if err := put(tx, ctx, 100); err != nil {
					return err
				}
				return xiezuo.Errorf(xiezuo.EINVALID, "不写")
			},
			101: func(tx *sql.Tx) error { put(tx, ctx, 101); panic("probe") },
			102: func(tx *sql.Tx) error { return put(tx, ctx, 1) }, // key 1 is taken by an ok write before it
			103: func(tx *sql.Tx) error { return put(tx, gone, 103) },
			104: func(tx *sql.Tx) error {
				if err := put(tx, mid, 104); err != nil {
					return err
				}
				midCancel() // the caller goes away between two statements
				return put(tx, mid, 105)
			},
		}
		order := []int{1, 100, 2, 101, 3, 102, 103, 4, 104}
		for k := 5; k <= 20; k++ {
			order = append(order, k)
		}
		errs := make([]error, len(order))
		var wg sync.WaitGroup
		for i, k := range order {
			fn, c := writes[k], ctx
			if fn == nil {
				fn = func(tx *sql.Tx) error { return put(tx, ctx, k) }
			}
			if k == 103 {
				c = gone
			}
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = db.Tx(c, fn) }()
			for db.QueuedWrites() < i+1 { // queued in this order
				time.Sleep(time.Millisecond)
			}
		}
		goneCancel() // before its group starts: not written
		close(hold)
		wg.Wait()
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		for i, k := range order {
			failing := k >= 100
			if failing != (errs[i] != nil) {
				t.Errorf("write %d: error %v", k, errs[i])
			}
		}
		if xiezuo.ErrorMessage(errs[1]) != "不写" {
			t.Errorf("the failing write's own error: %v", errs[1])
		}
		if xiezuo.ErrorCode(errs[3]) != xiezuo.EINTERNAL {
			t.Errorf("the panicking write: %v", errs[3])
		}
		var got []int
		rows, err := db.SQL().QueryContext(ctx, `SELECT k FROM group_probe ORDER BY k`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k int
			rows.Scan(&k)
			got = append(got, k)
		}
		rows.Close()
		want := []int{0}
		for k := 1; k <= 20; k++ {
			want = append(want, k)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("stored %v, want %v", got, want)
		}
		// The queue is idle again and a lone write still works.
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return put(tx, ctx, 21) }); err != nil {
			t.Fatal(err)
		}
	})
}

// TestStatementsPerCreate: a contribution's create sends a bounded number
// of statements, alone and within a group (issue 11: on PostgreSQL each is
// a round trip while the group's transaction is open, and under load each
// round trip waits to be scheduled). Within a group the audit log's head is
// read once; a write that appended an entry and then failed is rolled back
// with it, and the chain still verifies.
func TestStatementsPerCreate(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		u := user(t, db, "admin")
		create := func() error { return db.SaveContribution(ctx, u, newContribution(t, db, 100)) }
		if err := create(); err != nil { // warm: first-use lookups
			t.Fatal(err)
		}
		before := db.Statements()
		if err := create(); err != nil {
			t.Fatal(err)
		}
		alone := db.Statements() - before
		entries := countRows(t, db, "audit_log")
		// A group: the first write holds the queue while the rest gather.
		started, hold, first := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			first <- db.Tx(ctx, func(tx *sql.Tx) error { close(started); <-hold; return nil })
		}()
		<-started
		const n = 10
		writes := make([]func() error, n)
		for i := range writes {
			writes[i] = create
		}
		writes[4] = func() error { // appends an entry, then fails
			return db.Tx(ctx, func(tx *sql.Tx) error {
				if err := db.Audit(ctx, tx, u, "probe"); err != nil {
					return err
				}
				return xiezuo.Errorf(xiezuo.EINVALID, "不写")
			})
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i, w := range writes {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = w() }()
			for db.QueuedWrites() < i+1 {
				time.Sleep(time.Millisecond)
			}
		}
		before = db.Statements()
		close(hold)
		wg.Wait()
		grouped := float64(db.Statements()-before) / n
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		for i, err := range errs {
			if (i == 4) != (err != nil) {
				t.Errorf("write %d: %v", i, err)
			}
		}
		t.Logf("statements per create: alone %d, in a group of %d %.1f", alone, n, grouped)
		if alone > 16 || grouped > 9 {
			t.Errorf("statements per create: alone %d (at most 16), in a group %.1f (at most 9)", alone, grouped)
		}
		if got := countRows(t, db, "audit_log"); got != entries+n-1 {
			t.Errorf("audit entries: %d new, want %d", got-entries, n-1)
		}
		if _, err := db.VerifyAudit(ctx, u); err != nil {
			t.Errorf("audit chain after the group: %v", err)
		}
	})
}
