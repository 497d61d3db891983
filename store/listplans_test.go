package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// TestListPlans holds the SQLite plans a contributions list depends on
// (issue 11), on a database with no statistics, as an office's has: the
// page reads its rows in the order of an index, without a sort, and the
// totals of the rows not approved read a partial index of those rows,
// not every row of the county or the period. A migration that remade
// contributions_county after contributions_pending flipped the second
// (the planner, with nothing to tell them apart, takes the index made
// last): a county's totals then read all its 277,416 rows at 1.1M.
func TestListPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "plans.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin := &xiezuo.User{ID: 1, Role: xiezuo.RoleAdmin}
	plan := func(q string, args []any) string {
		t.Helper()
		rows, err := db.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var steps []string
		for rows.Next() {
			var id, parent, notUsed int
			var detail string
			if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
				t.Fatal(err)
			}
			steps = append(steps, detail)
		}
		return strings.Join(steps, "; ") + ";"
	}
	// uses: the plan reads the index name (not one whose name it begins).
	uses := func(plan, name string) bool {
		return strings.Contains(plan, "INDEX "+name+" ") || strings.Contains(plan, "INDEX "+name+";")
	}
	const county, township = "532531000000", "532531101000"
	for _, c := range []struct {
		name          string
		f             ledger.ContributionFilter
		page, pending string // the index each must use
	}{
		{"unfiltered", ledger.ContributionFilter{}, "contributions_date", "contributions_pending_date"},
		{"year", ledger.ContributionFilter{From: "2020-01-01", To: "2020-12-31"}, "contributions_date", "contributions_pending_date"},
		{"county", ledger.ContributionFilter{CountyCode: county}, "contributions_county", "contributions_pending"},
		{"county+year", ledger.ContributionFilter{CountyCode: county, From: "2020-01-01", To: "2020-12-31"}, "contributions_county", "contributions_pending"},
		{"county+day", ledger.ContributionFilter{CountyCode: county, From: "2020-09-01", To: "2020-09-01"}, "contributions_county", "contributions_pending"},
		{"township", ledger.ContributionFilter{CountyCode: county, TownshipCode: township}, "contributions_township", "contributions_township_pending"},
		{"township+year", ledger.ContributionFilter{CountyCode: county, TownshipCode: township, From: "2020-01-01", To: "2020-12-31"}, "contributions_township", "contributions_township_pending"},
	} {
		f := c.f
		f.Limit = 50
		w := db.contributionWhere(admin, &f)
		q, args, newestFirst := db.pageQuery(admin, f, w)
		if !newestFirst {
			t.Fatalf("%s: not the newest-first page", c.name)
		}
		if p := plan(q, args); !uses(p, c.page) || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s: the page's plan is %q, want %s and no sort", c.name, p, c.page)
		}
		nw := db.contributionWhere(admin, &f)
		nw.add(notApproved)
		if p := plan(contributionTotalsSQL(nw), nw.args); !uses(p, c.pending) {
			t.Errorf("%s: the totals of the rows not approved are planned %q, want %s", c.name, p, c.pending)
		}
	}
}
