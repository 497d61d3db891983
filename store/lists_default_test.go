package store_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/internal/testdb"
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

// TestGenericPlans: PostgreSQL connections plan a prepared statement once
// (plan_cache_mode) and cost a random page as on an SSD (random_page_cost),
// unless the URL chooses otherwise; the page query was re-planned for
// every request before (issue 11).
func TestGenericPlans(t *testing.T) {
	t.Parallel()
	for _, eng := range testdb.Engines {
		if eng != "postgres" {
			continue
		}
		db := testdb.Open(t, eng)
		var mode, cost string
		if err := db.SQL().QueryRowContext(ctx, `SELECT current_setting('plan_cache_mode'), current_setting('random_page_cost')`).Scan(&mode, &cost); err != nil ||
			mode != "force_generic_plan" || cost != "1.1" {
			t.Fatalf("plan_cache_mode %q, random_page_cost %q, %v", mode, cost, err)
		}
	}
	for dsn, want := range map[string]string{
		"postgres://u@h:5432/db?sslmode=disable":                      "postgres://u@h:5432/db?plan_cache_mode=force_generic_plan&random_page_cost=1.1&sslmode=disable",
		"postgres://u@h/db?plan_cache_mode=auto":                      "postgres://u@h/db?plan_cache_mode=auto&random_page_cost=1.1",
		"postgresql://u@h/db?random_page_cost=4&plan_cache_mode=auto": "postgresql://u@h/db?plan_cache_mode=auto&random_page_cost=4",
	} {
		if got, conns, err := store.GenericPlans(dsn); got != want || conns != max(4, 2*runtime.GOMAXPROCS(0)) || err != nil {
			t.Errorf("%s: got %s, %d connections, %v; want %s", dsn, got, conns, err, want)
		}
	}
}

// TestPoolConns: the PostgreSQL pool is sized to the cores unless the URL
// says pool_max_conns, which is taken out of the URL (the server would
// refuse it as a setting); a bad value is refused naming the parameter.
func TestPoolConns(t *testing.T) {
	t.Parallel()
	got, conns, err := store.GenericPlans("postgres://u@h/db?pool_max_conns=6&sslmode=disable")
	if want := "postgres://u@h/db?plan_cache_mode=force_generic_plan&random_page_cost=1.1&sslmode=disable"; got != want || conns != 6 || err != nil {
		t.Errorf("got %s, %d connections, %v", got, conns, err)
	}
	for _, v := range []string{"0", "-1", "abc", "1001", ""} {
		_, _, err := store.GenericPlans("postgres://u@h/db?pool_max_conns=" + v)
		if xiezuo.ErrorCode(err) != xiezuo.EINVALID || !strings.Contains(xiezuo.ErrorMessage(err), "pool_max_conns") {
			t.Errorf("pool_max_conns=%q: %v", v, err)
		}
	}
	for _, eng := range testdb.Engines {
		if eng != "postgres" {
			continue
		}
		db := testdb.Open(t, eng)
		if n := db.SQL().Stats().MaxOpenConnections; n != max(4, 2*runtime.GOMAXPROCS(0)) {
			t.Errorf("pool of %d connections", n)
		}
		sep := "?"
		if strings.Contains(db.DSN, "?") {
			sep = "&"
		}
		two, err := store.Open(ctx, db.DSN+sep+"pool_max_conns=3")
		if err != nil {
			t.Fatal(err)
		}
		defer two.Close()
		if n := two.SQL().Stats().MaxOpenConnections; n != 3 {
			t.Errorf("pool_max_conns=3: a pool of %d connections", n)
		}
	}
}

// TestSumsClustered: on SQLite the running sums are stored in key order
// (WITHOUT ROWID, migration 00023), and the triggers that keep them still
// work after the tables were renamed into place (TestRunningSums checks
// their figures).
func TestSumsClustered(t *testing.T) {
	t.Parallel()
	db := testdb.Open(t, "sqlite")
	for _, table := range []string{"contribution_sums", "contribution_month_sums", "giver_sums", "contribution_year_sums", "township_year_sums", "giver_year_sums"} {
		var ddl string
		if err := db.SQL().QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1`, table).Scan(&ddl); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ddl, "WITHOUT ROWID") {
			t.Errorf("%s: %s", table, ddl)
		}
	}
	var bad int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE sql LIKE '%_sums_new%'`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("%d schema entries still name a *_new table (%v)", bad, err)
	}
}
