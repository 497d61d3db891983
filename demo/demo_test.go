package demo_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/store"
)

// openEmpty opens a new SQLite database in a temp dir, closed with the test.
func openEmpty(t *testing.T) *store.DB {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestLoadSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openEmpty(t)
	loaded, err := demo.Load(ctx, db)
	if err != nil || !loaded {
		t.Fatalf("Load = %v, %v", loaded, err)
	}
	again, err := demo.Load(ctx, db)
	if err != nil || again {
		t.Fatalf("second Load = %v, %v; want false, nil", again, err)
	}
	tots, err := db.CountyTotals(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range tots {
		t.Logf("%s %s count=%d amount=%d", c.CountyCode, c.CountyName, c.Count, c.AmountFen)
	}
	admin, err := db.UserByName(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.VerifyAudit(ctx, admin); err != nil || n == 0 {
		t.Fatalf("VerifyAudit = %d, %v", n, err)
	}
}

// Issue 10, fault 8 (part): demo facts as the bulletin states them.
func TestDemoFactsAsInBulletin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openEmpty(t)
	if loaded, err := demo.Load(ctx, db); err != nil || !loaded {
		t.Fatal(err)
	}
	// The 216 free-clinic visits were on 9月8日 (the visit ran 9月5日–8日).
	var date string
	if err := db.SQL().QueryRow(`SELECT date FROM batches WHERE kind = '义诊' AND count = 216`).Scan(&date); err != nil || date != "2020-09-08" {
		t.Errorf("义诊216人次 dated %q, %v", date, err)
	}
	// The ~20万 purchase list is the enterprises', pledged, and the
	// bulletin names no township for it.
	var giver string
	var township *string
	err := db.SQL().QueryRow(`SELECT o.name, c.township_code FROM contributions c JOIN contribution_givers g ON g.contribution_id = c.id
		JOIN organisations o ON o.id = g.org_id WHERE c.item LIKE '%采购清单%'`).Scan(&giver, &township)
	if err != nil || giver == "长宁区生态环境局" || township != nil {
		t.Errorf("采购清单: giver %q, township %v, %v", giver, township, err)
	}
	// 天山路's 50万 agreement is for its four township pairings (the
	// bulletin names none); 江苏路's four enterprises pair with 扎垤村 and
	// 合莫村 as villages, and 天山路's three enterprises with 8 villages.
	sums, err := db.DashboardSums(ctx, report.ForYear(2020, ""))
	if err != nil {
		t.Fatal(err)
	}
	if sums.Counts.Pairs != [2]int64{23, 10} {
		t.Errorf("街镇与乡镇结对, 企业与村结对 = %v, want [23 10]", sums.Counts.Pairs)
	}
	ps, err := db.Pairings(ctx, store.PairingFilter{Kind: "村企结对"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, fmt.Sprintf("%s+%d—%s×%d", p.EastName, len(p.Partners), p.WestName, p.PartyCount))
	}
	want := []string{"上海假面信息科技有限公司+2—红河县×8", "唐利商贸（上海）有限公司+3—红河县架车乡合莫村委会×1", "唐利商贸（上海）有限公司+3—红河县架车乡扎垤村委会×1"}
	if !slices.Equal(names, want) {
		t.Errorf("村企结对 = %q, want %q", names, want)
	}
	var label string
	if err := db.SQL().QueryRow(`SELECT p.west_region_code FROM agreements a JOIN agreement_pairings ap ON ap.agreement_id = a.id
		JOIN pairings p ON p.id = ap.pairing_id WHERE a.pledged_fen = 50000000 AND a.title LIKE '天山路%'`).Scan(&label); err != nil || label != "532529000000" {
		t.Errorf("天山路 50万 agreement's pairing: %q, %v", label, err)
	}
}
