package store_test

import (
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

// TestDefaultYear (issue 9, fault 6): the reports' default year is this
// year when it has approved records, else the newest year before it with
// some; never a later year, whatever dates old rows carry. The demo's
// approved records are all of 2020.
func TestDefaultYear(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		at := func(year int, month time.Month, day int) {
			db.Now = func() time.Time { return time.Date(year, month, day, 10, 0, 0, 0, xiezuo.China) }
		}
		want := func(y int) {
			t.Helper()
			if got, err := db.DefaultYear(ctx); err != nil || got != y {
				t.Errorf("on %s: default year %d, %v; want %d", db.Today(), got, err, y)
			}
		}
		at(2020, 3, 1)
		want(2020) // this year has records
		at(2021, 1, 15)
		want(2020) // early in a year: last year's
		at(2026, 12, 1)
		want(2020)
		at(2019, 6, 1)
		want(2019) // no record yet: this year, not a later one
		// A record of 2202 and one of year 1, written before dates were
		// bounded, change nothing.
		unit, reviewer := user(t, db, "chengjiaqiao"), user(t, db, "reviewer")
		at(2026, 12, 1)
		for _, day := range []string{"2202-09-01", "0001-01-01"} {
			c := newContribution(t, db, 100_000)
			c.DateFrom = "2021-09-01"
			if err := db.SaveContribution(ctx, unit, c); err != nil {
				t.Fatal(err)
			}
			for _, tr := range []struct {
				u *xiezuo.User
				a ledger.Action
			}{{unit, ledger.ActionSubmit}, {reviewer, ledger.ActionApprove}} {
				if err := db.Transition(ctx, tr.u, ledger.KindContribution, c.ID, tr.a, ""); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.SQL().ExecContext(ctx, `UPDATE contributions SET date_from = $1, date_to = $1 WHERE id = $2`, day, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		want(2020)
		at(2300, 1, 1)
		want(2202) // once 2202 has come, it is a year like any other
	})
}

// TestRecordDatesBoundedOnSave: the store bounds record dates by its own
// clock, so a test (or an office's server) on another day sees its rule.
func TestRecordDatesBoundedOnSave(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		unit := user(t, db, "chengjiaqiao")
		db.Now = func() time.Time { return time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC) } // 2027-01-01 in China
		c := newContribution(t, db, 100_000)
		c.DateFrom = "2029-01-01"
		err := db.SaveContribution(ctx, unit, c)
		if xiezuo.ErrorCode(err) != xiezuo.EINVALID || xiezuo.ErrorFields(err)["date_from"] != "日期应在1996年至2028年之间" {
			t.Fatalf("2029 on 2027-01-01: %v", err)
		}
		c.DateFrom = "2028-12-31"
		if err := db.SaveContribution(ctx, unit, c); err != nil {
			t.Fatalf("2028 on 2027-01-01: %v", err)
		}
	})
}
