package demo_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/store"
)

func TestLoadSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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
