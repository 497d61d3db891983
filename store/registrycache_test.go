package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// TestRegistryCache: the paired counties, their townships and the east
// units are kept between reads, and a change to organisations, pairings
// or regions made through another connection pool (as another process,
// the CLI's imports, would) is seen at the next read: insert, update and
// delete of each table.
func TestRegistryCache(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		other := testdb.Reopen(t, db, store.Options{})
		admin := user(t, db, "admin")
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := other.SQL().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		unitNames := func() (out []string) {
			t.Helper()
			us, err := db.EastUnits(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range us {
				out = append(out, u.Name)
			}
			return out
		}
		// regions reads the regions read returns, as "code name".
		regions := func(read func(context.Context) ([]registry.Region, error)) (out []string) {
			t.Helper()
			rs, err := read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				out = append(out, r.Code+" "+r.Name)
			}
			return out
		}
		townships := func() []string { return regions(db.PairedTownships) }
		counties := func() []string { return regions(db.PairedCounties) }
		const lvchun = "532531000000"
		before := counties()
		if !slices.Contains(before, lvchun+" 绿春县") || len(townships()) == 0 || len(unitNames()) == 0 {
			t.Fatalf("demo registry not read: %v", before)
		}
		// A read returns what the last one did without reading again.
		n0 := db.Statements()
		counties()
		if n := db.Statements() - n0; n != 1 {
			t.Errorf("a cached read ran %d statements, want 1 (the version)", n)
		}
		// In a request's context the version is asked once, and a change
		// made meanwhile is left to the next request.
		once := store.ReadRegistryOnce(ctx)
		n0 = db.Statements()
		for range 2 {
			if _, err := db.PairedCounties(once); err != nil {
				t.Fatal(err)
			}
			if _, err := db.PairedTownships(once); err != nil {
				t.Fatal(err)
			}
			if _, err := db.EastUnits(once); err != nil {
				t.Fatal(err)
			}
		}
		if n := db.Statements() - n0; n != 1 {
			t.Errorf("six reads in one request ran %d statements, want 1", n)
		}
		exec(`UPDATE organisations SET name = name WHERE side = 'east'`) // moves the version
		if us, _ := db.EastUnits(once); len(us) == 0 || db.Statements()-n0 != 1 {
			t.Errorf("the request read the registry again: %d statements", db.Statements()-n0)
		}
		// The slices are shared: appending to one must not reach the next caller.
		cs, _ := db.PairedCounties(ctx)
		_ = append(cs, registry.Region{Code: "000000000000"})
		if got := counties(); !slices.Equal(got, before) {
			t.Errorf("an append by a caller changed the kept counties: %v", got)
		}

		// organisations
		o := &registry.Organisation{Name: "缓存测试街道", Kind: "街道", Side: registry.SideEast}
		if err := other.SaveOrg(ctx, admin, o); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(unitNames(), "缓存测试街道") {
			t.Errorf("a new east unit is not offered: %v", unitNames())
		}
		exec(`UPDATE organisations SET name = '缓存测试街道二' WHERE id = $1`, o.ID)
		if names := unitNames(); !slices.Contains(names, "缓存测试街道二") || slices.Contains(names, "缓存测试街道") {
			t.Errorf("a renamed unit is offered under its old name: %v", names)
		}
		exec(`DELETE FROM organisations WHERE id = $1`, o.ID)
		if slices.Contains(unitNames(), "缓存测试街道二") {
			t.Error("a deleted unit is still offered")
		}

		// regions
		const town = "532531990000"
		exec(`INSERT INTO regions (code, name, short_name, level, parent_code) VALUES ($1, '缓存测试乡', '缓存测试乡', 4, $2)`, town, lvchun)
		if !slices.Contains(townships(), town+" 缓存测试乡") {
			t.Errorf("a new township is not offered: %v", townships())
		}
		exec(`UPDATE regions SET name = '缓存测试镇' WHERE code = $1`, town)
		if !slices.Contains(townships(), town+" 缓存测试镇") {
			t.Errorf("a renamed township keeps its old name: %v", townships())
		}
		exec(`DELETE FROM regions WHERE code = $1`, town)
		if slices.ContainsFunc(townships(), func(s string) bool { return s[:12] == town }) {
			t.Error("a deleted township is still offered")
		}

		// pairings
		const county = "532599000000"
		exec(`INSERT INTO regions (code, name, short_name, level, parent_code) VALUES ($1, '缓存测试县', '缓存测试县', 3, '532500000000')`, county)
		exec(`INSERT INTO pairings (kind, east_org_id, west_region_code, party_count, year_from) VALUES ($1, (SELECT MIN(id) FROM organisations WHERE side = 'east'), $2, 1, 2021)`, registry.PairingCounty, county)
		if !slices.Contains(counties(), county+" 缓存测试县") {
			t.Errorf("a newly paired county is not offered: %v", counties())
		}
		exec(`DELETE FROM pairings WHERE west_region_code = $1`, county)
		if got := counties(); !slices.Equal(got, before) {
			t.Errorf("after its pairing was deleted the counties are %v, want %v", got, before)
		}
		exec(`UPDATE pairings SET kind = '其他结对' WHERE kind = $1 AND (west_region_code = $2 OR west_org_id IN (SELECT id FROM organisations WHERE region_code = $2))`, registry.PairingCounty, lvchun)
		if slices.Contains(counties(), lvchun+" 绿春县") {
			t.Errorf("a county no longer paired is still offered: %v", counties())
		}
	})
}
