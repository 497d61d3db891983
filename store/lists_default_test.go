package store_test

import (
	"testing"

	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

// TestListDefaultLimit: a record filter without a limit lists a page of
// store.DefaultLimit, not LIMIT 0, whichever list takes it (agreements
// take the filter by value).
func TestListDefaultLimit(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		u := user(t, db, "admin")
		as, err := db.ListAgreements(ctx, u, store.RecordFilter{Status: ledger.StatusApproved})
		if err != nil {
			t.Fatal(err)
		}
		if len(as) == 0 {
			t.Fatal("no approved agreements without a limit")
		}
		one, err := db.ListAgreements(ctx, u, store.RecordFilter{Status: ledger.StatusApproved, Limit: 1})
		if err != nil || len(one) != 1 {
			t.Fatalf("limit 1: %d, %v", len(one), err)
		}
	})
}
