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
