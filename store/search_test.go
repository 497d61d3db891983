package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

// grams lists the keyword index in order, as "kind gram id" lines:
// SQLite's search_grams, PostgreSQL's records' grams a bigram a line.
func grams(t *testing.T, db *store.DB) []string {
	t.Helper()
	q := `SELECT kind, gram, record_id FROM search_grams`
	if db.Dialect == store.Postgres {
		q = `SELECT 'contribution', unnest(grams), id FROM contributions
			UNION ALL SELECT 'activity', unnest(grams), id FROM activities
			UNION ALL SELECT 'agreement', unnest(grams), id FROM agreements
			UNION ALL SELECT 'project', unnest(grams), id FROM projects
			UNION ALL SELECT 'product', unnest(grams), id FROM products`
	}
	rows, err := db.SQL().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k, g string
		var id int64
		if err := rows.Scan(&k, &g, &id); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %d", k, g, id))
	}
	slices.Sort(out)
	return out
}

func TestKeywordSearch(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		office, unit := user(t, db, "admin"), user(t, db, "chengjiaqiao")
		c := newContribution(t, db, 12345)
		c.Item, c.Institution, c.Note = "云南红米 50kg", "绿春县第一中学", "茶叶_100%"
		if err := db.SaveContribution(ctx, unit, c); err != nil {
			t.Fatal(err)
		}
		find := func(q string) []int64 {
			t.Helper()
			items, tot, err := db.ListContributions(ctx, office, ledger.ContributionFilter{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			if int(tot.Count) != len(items) && len(items) < 50 {
				t.Fatalf("q=%q: %d items, total %d", q, len(items), tot.Count)
			}
			var ids []int64
			for _, x := range items {
				ids = append(ids, x.ID)
			}
			return ids
		}
		for q, want := range map[string]bool{
			"红米": true, "云南红米": true, "红": true, "红米 50KG": true, "KG": true, "第一中学": true, "茶叶_100%": true,
			"云南红米 50kg": true, "云南红米 50kg!": false, "茶叶%": false, "红米饭": false, "南红米米": false, "茶叶x": false, "米 5": true, "红米50": false,
		} {
			if got := slices.Contains(find(q), c.ID); got != want {
				t.Errorf("q=%q finds the record: %v, want %v", q, got, want)
			}
		}
		// An update replaces the old words.
		c.Item, c.Note = "教育捐赠", ""
		if err := db.SaveContribution(ctx, unit, c); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(find("红米"), c.ID) || !slices.Contains(find("教育"), c.ID) {
			t.Errorf("after the update: 红米 %v 教育 %v", find("红米"), find("教育"))
		}

		// The other lists share the rule.
		as, _, err := db.ListActivities(ctx, office, store.RecordFilter{Query: "果洛"})
		if err != nil {
			t.Fatal(err)
		}
		all, _, _ := db.ListActivities(ctx, office, store.RecordFilter{Limit: 500})
		var want int
		for _, a := range all {
			if containsAny("果洛", a.Title, a.Narrative, a.Places, a.Leader, a.ParticipantsText) {
				want++
			}
		}
		if len(as) != want || want == 0 {
			t.Errorf("activities 果洛: %d, want %d (>0)", len(as), want)
		}
		ags, err := db.ListAgreements(ctx, office, store.RecordFilter{Query: "协议", Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		allAgs, _ := db.ListAgreements(ctx, office, store.RecordFilter{Limit: 500})
		want = 0
		for _, a := range allAgs {
			if containsAny("协议", a.Title, a.Note) {
				want++
			}
		}
		if len(ags) != want {
			t.Errorf("agreements 协议: %d, want %d", len(ags), want)
		}
		ps, err := db.ListProjects(ctx, office, store.RecordFilter{Query: "不存在的词", Limit: 500})
		if err != nil || len(ps) != 0 {
			t.Errorf("projects: %d, %v", len(ps), err)
		}

		// A chunked import (SQLite inserts, PostgreSQL COPY) indexes too.
		db.ImportChunk = 100
		b := &store.ImportBatch{Kind: "contribution", FileName: "t.csv", Mode: "all", Approve: true}
		if err := db.Import(ctx, office, b, importRows(t, db, 250, 0, nil, nil), nil); err != nil {
			t.Fatal(err)
		}
		if got := len(find("分批导入")); got != 50 { // one page
			t.Errorf("imported rows found: %d, want a page of 50", got)
		}
		if _, tot, _ := db.ListContributions(ctx, office, ledger.ContributionFilter{Query: "批导"}); tot.Count != 250 {
			t.Errorf("imported rows counted: %d, want 250", tot.Count)
		}

		// Undoing the import and deleting a draft take their bigrams away;
		// a new record on a reused id (SQLite) gets its own.
		if _, err := db.UndoImport(ctx, office, b.ID); err != nil {
			t.Fatal(err)
		}
		d := newContribution(t, db, 999)
		d.Item = "删除的红米"
		if err := db.SaveContribution(ctx, unit, d); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteRecord(ctx, unit, ledger.KindContribution, d.ID); err != nil {
			t.Fatal(err)
		}
		e := newContribution(t, db, 998)
		e.Item = "新的茶叶"
		if err := db.SaveContribution(ctx, unit, e); err != nil {
			t.Fatal(err)
		}
		if ids := find("茶叶"); !slices.Contains(ids, e.ID) {
			t.Errorf("new record on id %d not found: %v", e.ID, ids)
		}

		// What the write paths stored is the Go rule, and the migration's
		// SQL (which filled the rows of older databases) is the same rule.
		written, versions := grams(t, db), rowVersions(t, db)
		if err := db.RebuildSearch(ctx); err != nil {
			t.Fatal(err)
		}
		if rebuilt := grams(t, db); !slices.Equal(written, rebuilt) {
			t.Errorf("write paths stored %d bigrams, the rule gives %d", len(written), len(rebuilt))
		}
		// PostgreSQL rewrites no record whose words are already right.
		if after := rowVersions(t, db); !slices.Equal(versions, after) {
			t.Error("a rebuild of a consistent index rewrote records")
		}
		if err := db.RefillSearchByMigration(ctx); err != nil {
			t.Fatal(err)
		}
		if migrated := grams(t, db); !slices.Equal(written, migrated) {
			t.Errorf("migration 00020 gives %d bigrams, the rule %d", len(migrated), len(written))
		}
	})
}

// rowVersions lists, on PostgreSQL, every contribution's id and row
// version (xmin): equal before and after means no row was rewritten. On
// SQLite, nil.
func rowVersions(t *testing.T, db *store.DB) []string {
	t.Helper()
	if db.Dialect != store.Postgres {
		return nil
	}
	return texts(t, db, `SELECT id || ' ' || xmin::text FROM contributions ORDER BY id`)
}

func containsAny(q string, fields ...string) bool {
	for _, f := range fields {
		if strings.Contains(f, q) {
			return true
		}
	}
	return false
}
