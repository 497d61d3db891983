package demo_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/xiezuo/xiezuo/demo"
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
}
