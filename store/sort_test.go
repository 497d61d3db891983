package store_test

import (
	"slices"
	"testing"

	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

func TestListSort(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		admin := user(t, db, "admin")
		for _, dir := range []string{"asc", "desc"} {
			items, _, err := db.ListContributions(ctx, admin, ledger.ContributionFilter{Sort: "amount", Dir: dir, Limit: 500})
			if err != nil || len(items) < 5 {
				t.Fatalf("%d items, %v", len(items), err)
			}
			amounts := make([]int64, len(items))
			for i, c := range items {
				amounts[i] = c.AmountFen
			}
			want := slices.Clone(amounts)
			slices.Sort(want)
			if dir == "desc" {
				slices.Reverse(want)
			}
			if !slices.Equal(amounts, want) {
				t.Errorf("contributions by amount %s: %v", dir, amounts)
			}
		}
		// An unknown column is the default order, newest first, not an error.
		items, _, err := db.ListContributions(ctx, admin, ledger.ContributionFilter{Sort: "x.id; DROP TABLE users", Dir: "asc", Limit: 500})
		if err != nil || !slices.IsSortedFunc(items, func(a, b *ledger.Contribution) int { return -compareStr(a.DateFrom, b.DateFrom) }) {
			t.Errorf("unknown sort: %v", err)
		}
		ps, err := db.ListProjects(ctx, admin, store.RecordFilter{Sort: "budget", Dir: "desc", Limit: 500})
		if err != nil || !slices.IsSortedFunc(ps, func(a, b *ledger.Project) int { return int(b.BudgetFen - a.BudgetFen) }) {
			t.Errorf("projects by budget desc: %v", err)
		}
		ags, err := db.ListAgreements(ctx, admin, store.RecordFilter{Sort: "amount", Dir: "asc", Limit: 500})
		if err != nil || !slices.IsSortedFunc(ags, func(a, b *ledger.Agreement) int { return int(a.PledgedFen - b.PledgedFen) }) {
			t.Errorf("agreements by amount: %v", err)
		}
		as, _, err := db.ListActivities(ctx, admin, store.RecordFilter{Sort: "date", Dir: "asc", Limit: 500})
		if err != nil || !slices.IsSortedFunc(as, func(a, b *ledger.Activity) int { return compareStr(a.DateFrom, b.DateFrom) }) {
			t.Errorf("activities by date asc: %v", err)
		}
	})
}

func compareStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestAwaitingReceipt: a county user lists the approved deliveries of the
// county not yet confirmed received; others may not ask.
func TestAwaitingReceipt(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		county, office := user(t, db, "lvchun"), user(t, db, "admin")
		f := ledger.ContributionFilter{AwaitingReceipt: true, Limit: 500}
		items, tot, err := db.ListContributions(ctx, county, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range items {
			if !ledger.CanConfirmReceipt(county, c) {
				t.Errorf("listed %d, which lvchun may not confirm (%s %s %s %q)", c.ID, c.CountyCode, c.Status, c.Delivery, c.ReceivedAt)
			}
		}
		all, _, _ := db.ListContributions(ctx, county, ledger.ContributionFilter{Limit: 500})
		want := 0
		for _, c := range all {
			if ledger.CanConfirmReceipt(county, c) {
				want++
			}
		}
		if int(tot.Count) != want || want == 0 {
			t.Fatalf("lvchun waits for %d, want %d (>0)", tot.Count, want)
		}
		if err := db.ConfirmReceipt(ctx, county, items[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, tot2, _ := db.ListContributions(ctx, county, f); tot2.Count != tot.Count-1 {
			t.Errorf("after one receipt: %d, want %d", tot2.Count, tot.Count-1)
		}
		if _, all, _ := db.ListContributions(ctx, office, f); all.Count < tot.Count {
			t.Errorf("office sees %d waiting, fewer than lvchun's county", all.Count)
		}
		_, _, err = db.ListContributions(ctx, user(t, db, "chengjiaqiao"), f)
		wantCode(t, err, "forbidden")
	})
}

// TestAuditBrowse: the office pages through audit entries, newest first,
// by record, user and date; nobody else may.
func TestAuditBrowse(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		admin, unit := user(t, db, "admin"), user(t, db, "chengjiaqiao")
		c := newContribution(t, db, 4321)
		if err := db.SaveContribution(ctx, unit, c); err != nil {
			t.Fatal(err)
		}
		if err := db.Transition(ctx, unit, ledger.KindContribution, c.ID, ledger.ActionSubmit, ""); err != nil {
			t.Fatal(err)
		}
		es, n, err := db.AuditEntries(ctx, admin, store.AuditFilter{Entity: "contribution", EntityID: c.ID})
		if err != nil || n != 2 || len(es) != 2 || es[0].Action != "submit" || es[1].Action != "create" {
			t.Fatalf("record's entries: %d %v %+v", n, err, es)
		}
		all, total, err := db.AuditEntries(ctx, admin, store.AuditFilter{Limit: 10})
		if err != nil || len(all) != 10 || total < 10 || all[0].Seq < all[9].Seq {
			t.Fatalf("newest first: %d of %d, %v", len(all), total, err)
		}
		page2, _, _ := db.AuditEntries(ctx, admin, store.AuditFilter{Limit: 10, Offset: 10})
		if len(page2) > 0 && page2[0].Seq >= all[9].Seq {
			t.Errorf("page 2 overlaps page 1")
		}
		mine, _, err := db.AuditEntries(ctx, admin, store.AuditFilter{Actor: "chengjiaqiao", Limit: 500})
		if err != nil || len(mine) < 2 {
			t.Fatalf("by user: %d, %v", len(mine), err)
		}
		for _, e := range mine {
			if e.ActorName != "chengjiaqiao" {
				t.Errorf("by user: entry of %s", e.ActorName)
			}
		}
		today := db.Today()
		_, nToday, _ := db.AuditEntries(ctx, admin, store.AuditFilter{From: today, To: today})
		_, nPast, _ := db.AuditEntries(ctx, admin, store.AuditFilter{To: "2000-01-01"})
		if nToday < 2 || nPast != 0 {
			t.Errorf("by date: today %d, before 2000 %d", nToday, nPast)
		}
		_, _, err = db.AuditEntries(ctx, admin, store.AuditFilter{From: "2020-13-45"})
		wantCode(t, err, "invalid")
		_, _, err = db.AuditEntries(ctx, unit, store.AuditFilter{})
		wantCode(t, err, "forbidden")
		_, _, err = db.AuditEntries(ctx, user(t, db, "lvchun"), store.AuditFilter{})
		wantCode(t, err, "forbidden")
	})
}
