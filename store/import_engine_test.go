package store_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// importRows yields n contributions of 2022 to 绿春县 from 上海龙舜, each
// with its own amount; after row pauseAt it signals paused and waits for
// resume (pauseAt 0: no pause).
func importRows(t *testing.T, db *store.DB, n, pauseAt int, paused, resume chan struct{}) func() (store.BatchRow, error) {
	giver := orgID(t, db, "上海龙舜投资管理有限公司")
	i := 0
	return func() (store.BatchRow, error) {
		if i == n {
			return store.BatchRow{}, io.EOF
		}
		if pauseAt != 0 && i == pauseAt {
			paused <- struct{}{}
			<-resume
		}
		i++
		c := &ledger.Contribution{DateFrom: "2022-03-01", DateTo: "2022-03-01", Givers: []ledger.Org{{ID: giver}}, CountyCode: lvchun,
			Form: "cash", Sector: "education", Delivery: "delivered", AmountFen: int64(i) * 100, Item: "分批导入"}
		return store.BatchRow{Line: i + 1, Contribution: c, Key: fmt.Sprintf("engine-test-%d", i)}, nil
	}
}

// visible2022 is what an office user, a viewer and the dashboard see of 2022.
func visible2022(t *testing.T, db *store.DB) (list, approved int64, sums int64) {
	t.Helper()
	_, tot, err := db.ListContributions(ctx, user(t, db, "admin"), ledger.ContributionFilter{From: "2022-01-01", To: "2022-12-31", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, vt, err := db.ListContributions(ctx, user(t, db, "viewer"), ledger.ContributionFilter{From: "2022-01-01", To: "2022-12-31", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SQL().QueryRowContext(ctx, `SELECT COALESCE(SUM(fen), 0) FROM contribution_month_sums WHERE month = '2022-03'`).Scan(&sums); err != nil {
		t.Fatal(err)
	}
	return tot.Count, vt.Count, sums
}

// TestImportAtomicForReaders: while a contributions batch is written in
// chunks, none of its rows is seen by any list, total, record page or sum;
// when it finishes, all of them are, at once.
func TestImportAtomicForReaders(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		db.ImportChunk = 100
		admin := user(t, db, "admin")
		paused, resume := make(chan struct{}), make(chan struct{})
		b := &store.ImportBatch{Kind: "contribution", FileName: "t.csv", Mode: "all", Approve: true}
		done := make(chan error, 1)
		go func() { done <- db.Import(ctx, admin, b, importRows(t, db, 1000, 700, paused, resume), nil) }()
		<-paused
		// PostgreSQL's copy workers may still be committing the last
		// chunks handed to them (at most two).
		var hidden int64
		for deadline := time.Now().Add(10 * time.Second); hidden < 600 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM contributions c JOIN import_batches b ON b.id = c.import_batch_id WHERE b.status <> 'imported'`).Scan(&hidden)
		}
		if hidden < 600 {
			t.Fatalf("only %d rows written in chunks before the pause (batch: %+v)", hidden, b)
		}
		if l, v, s := visible2022(t, db); l != 0 || v != 0 || s != 0 {
			t.Fatalf("a running batch is visible: list %d, viewer %d, sums %d", l, v, s)
		}
		var id int64
		db.SQL().QueryRowContext(ctx, `SELECT MIN(c.id) FROM contributions c JOIN import_batches b ON b.id = c.import_batch_id WHERE b.status = 'running'`).Scan(&id)
		if _, err := db.Contribution(ctx, admin, id); xiezuo.ErrorCode(err) != xiezuo.ENOTFOUND {
			t.Fatalf("a running batch's record opens: %v", err)
		}
		// Another user saves a form meanwhile.
		if err := db.SaveContribution(ctx, user(t, db, "chengjiaqiao"), newContribution(t, db, 12345)); err != nil {
			t.Fatalf("a form could not be saved during the import: %v", err)
		}
		close(resume)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if b.Status != store.ImportImported || b.Imported != 1000 {
			t.Fatalf("batch %s, %d imported", b.Status, b.Imported)
		}
		want := int64(1000*1001/2) * 100
		if l, v, s := visible2022(t, db); l != 1000 || v != 1000 || s != want {
			t.Fatalf("after the batch: list %d, viewer %d, sums %d (want 1000, 1000, %d)", l, v, s, want)
		}
	})
}

// TestImportStopped: a batch whose ctx is cancelled midway is marked 中断
// and takes its rows back; one whose process died is marked 中断 by
// RecoverImports once its heartbeat is old, and discarded by its importer.
func TestImportStopped(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		db.ImportChunk = 100
		unit := user(t, db, "chengjiaqiao")
		cctx, cancel := context.WithCancel(ctx)
		paused, resume := make(chan struct{}), make(chan struct{})
		b := &store.ImportBatch{Kind: "contribution", FileName: "t.csv", Mode: "all", UnitID: unit.OrgID}
		done := make(chan error, 1)
		go func() { done <- db.Import(cctx, unit, b, importRows(t, db, 500, 300, paused, resume), nil) }()
		<-paused
		cancel()
		close(resume)
		if err := <-done; err == nil {
			t.Fatal("a cancelled import succeeded")
		}
		var status string
		var hidden int
		db.SQL().QueryRowContext(ctx, `SELECT status FROM import_batches WHERE id = $1`, b.ID).Scan(&status)
		db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM contributions c JOIN import_batches b ON b.id = c.import_batch_id WHERE b.status <> 'imported'`).Scan(&hidden)
		if status != store.ImportInterrupted || hidden != 0 {
			t.Fatalf("cancelled: batch %q, %d hidden rows (want interrupted, 0)", status, hidden)
		}

		// A batch left running by a dead process (no heartbeat for a minute).
		if _, err := db.SQL().ExecContext(ctx, `UPDATE import_batches SET status = 'running', heartbeat_at = '2000-01-01T00:00:00Z' WHERE id = $1`, b.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := db.RecoverImports(ctx); err != nil || n != 1 {
			t.Fatalf("recovered %d, %v", n, err)
		}
		if err := db.DiscardImport(ctx, user(t, db, "xinhualu"), b.ID); xiezuo.ErrorCode(err) != xiezuo.ENOTFOUND {
			t.Fatalf("another unit discarded the batch: %v", err)
		}
		if err := db.DiscardImport(ctx, unit, b.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DiscardImport(ctx, unit, b.ID); xiezuo.ErrorCode(err) != xiezuo.ECONFLICT {
			t.Fatalf("discarded twice: %v", err)
		}
		got, _ := db.ImportBatchByID(ctx, unit, b.ID)
		if got.Status != store.ImportDiscarded {
			t.Fatalf("status %q", got.Status)
		}
	})
}

// TestImportRecordsAtomic: a low-volume kind is written in one
// transaction: a mode "all" batch whose second row fails in its service
// leaves nothing (fault 2), a dry run writes nothing, --approve is
// accepted for pairings and means nothing there.
func TestImportRecordsAtomic(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		admin := user(t, db, "admin")
		east, west := orgID(t, db, "程家桥街道"), orgID(t, db, "上海龙舜投资管理有限公司")
		before, _ := db.Pairings(ctx, store.PairingFilter{})
		rows := func(pairs ...[2]int64) func() (store.BatchRow, error) {
			var out []store.BatchRow
			for i, p := range pairs {
				pr := &registry.Pairing{Kind: "其他结对", EastOrgID: p[0], WestOrgID: p[1], YearFrom: 2022}
				out = append(out, store.BatchRow{Line: i + 2, Key: fmt.Sprintf("pair-%d-%d", p[0], p[1]),
					Save: func(ctx context.Context, u *xiezuo.User) (int64, error) {
						err := db.SavePairing(ctx, u, pr)
						return pr.ID, err
					}})
			}
			return func() (store.BatchRow, error) {
				if len(out) == 0 {
					return store.BatchRow{}, io.EOF
				}
				r := out[0]
				out = out[1:]
				return r, nil
			}
		}
		lvchunOrg := orgID(t, db, "绿春县")
		// The second pairs two eastern units: its service refuses it.
		b := &store.ImportBatch{Kind: "pairing", FileName: "p.csv", Mode: "all", Approve: true}
		if err := db.Import(ctx, admin, b, rows([2]int64{east, lvchunOrg}, [2]int64{east, west}), nil); err != nil {
			t.Fatal(err)
		}
		after, _ := db.Pairings(ctx, store.PairingFilter{})
		if b.Status != store.ImportRefused || b.Errors != 1 || len(after) != len(before) {
			t.Fatalf("refused batch: %s, %d errors, pairings %d → %d", b.Status, b.Errors, len(before), len(after))
		}
		b = &store.ImportBatch{Kind: "pairing", FileName: "p.csv", Mode: "all", DryRun: true}
		if err := db.Import(ctx, admin, b, rows([2]int64{east, lvchunOrg}), nil); err != nil || b.Status != store.ImportDryRun || b.Imported != 1 {
			t.Fatalf("dry run: %s, %d, %v", b.Status, b.Imported, err)
		}
		if after, _ = db.Pairings(ctx, store.PairingFilter{}); len(after) != len(before) {
			t.Fatal("a dry run wrote a pairing")
		}
		b = &store.ImportBatch{Kind: "pairing", FileName: "p.csv", Mode: "all", Approve: true}
		if err := db.Import(ctx, admin, b, rows([2]int64{east, lvchunOrg}), nil); err != nil || b.Status != store.ImportImported || b.Imported != 1 {
			t.Fatalf("pairings --approve: %s, %d, %v", b.Status, b.Imported, err)
		}
		if after, _ = db.Pairings(ctx, store.PairingFilter{}); len(after) != len(before)+1 {
			t.Fatal("the pairing was not written")
		}
		// A unit may not import registry kinds.
		b = &store.ImportBatch{Kind: "pairing", FileName: "p.csv", Mode: "all"}
		if err := db.Import(ctx, user(t, db, "chengjiaqiao"), b, rows(), nil); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
			t.Fatalf("a unit imported pairings: %v", err)
		}
	})
}

// TestAreaStored: the stored area of every contribution, however written,
// is ledger.ContributionArea of its form and sector (the one rule).
func TestAreaStored(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		unit := user(t, db, "chengjiaqiao")
		for _, form := range []string{"cash", "in_kind", "consumption", "fiscal"} {
			for _, sector := range ledger.Sectors {
				c := newContribution(t, db, 100)
				c.Form, c.Sector = form, sector.Code
				if err := db.SaveContribution(ctx, unit, c); err != nil {
					t.Fatal(err)
				}
			}
		}
		rows, err := db.SQL().QueryContext(ctx, `SELECT form, sector, area FROM contributions`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var form, sector, area string
			rows.Scan(&form, &sector, &area)
			if want := ledger.ContributionArea(form, sector); area != want {
				t.Errorf("%s/%s stored as %q, rule says %q", form, sector, area, want)
			}
			n++
		}
		if n < 32 {
			t.Fatalf("only %d contributions", n)
		}
	})
}

// TestImportFindsOverlaps: the duplicate check reads only the days around
// a row (no index led by county and amount): a row is still held as a
// suspected duplicate of a record starting 62 days before it, and of a
// year-long record of the same county and amount, and not of one that
// ended the day before.
func TestImportFindsOverlaps(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		admin := user(t, db, "admin")
		giver, unit := orgID(t, db, "上海龙舜投资管理有限公司"), orgID(t, db, "程家桥街道")
		rec := func(from, to string, fen int64, item string) *ledger.Contribution {
			return &ledger.Contribution{Header: ledger.Header{UnitID: unit}, DateFrom: from, DateTo: to, Givers: []ledger.Org{{ID: giver}}, CountyCode: lvchun,
				Form: "cash", Sector: "education", Delivery: "delivered", AmountFen: fen, Item: item}
		}
		seed := []*ledger.Contribution{
			rec("2022-01-01", "2022-03-04", 700_00, "两个月"), // 62 days
			rec("2022-01-01", "2022-12-31", 800_00, "全年"),  // wide
			rec("2022-05-01", "2022-05-09", 900_00, "九天"),
		}
		for _, c := range seed {
			if err := db.SaveContribution(ctx, admin, c); err != nil {
				t.Fatal(err)
			}
		}
		rows := []*ledger.Contribution{
			rec("2022-03-04", "2022-03-04", 700_00, "两个月的最后一天"),
			rec("2022-06-30", "2022-06-30", 800_00, "年中"),
			rec("2022-05-10", "2022-05-10", 900_00, "第二天"),
		}
		i := 0
		b := &store.ImportBatch{Kind: "contribution", FileName: "overlap.csv", Mode: "valid"}
		err := db.Import(ctx, admin, b, func() (store.BatchRow, error) {
			if i == len(rows) {
				return store.BatchRow{}, io.EOF
			}
			i++
			return store.BatchRow{Line: i + 1, Contribution: rows[i-1], Key: fmt.Sprintf("overlap-%d", i)}, nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if b.Duplicates != 2 || b.Imported != 1 {
			t.Fatalf("duplicates %d, imported %d (want 2 held, 1 written)", b.Duplicates, b.Imported)
		}
		ps, err := db.ImportProblems(ctx, admin, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		for n, p := range ps {
			if p.Kind != "duplicate" || p.DuplicateOf != seed[n].ID || p.Line != int64(n+2) {
				t.Errorf("problem %d: %+v (want line %d held as a duplicate of %d)", n, p, n+2, seed[n].ID)
			}
		}
	})
}
