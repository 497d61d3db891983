package imports_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// An 832 order whose 产地县 is neither paired nor on the office's 832
// list is imported all the same, with a notice on its row; supervision
// leaves it out of the unit's purchases and flags it, until the office
// adds its county to the 832 list. On both engines.
func TestImport832Outside(t *testing.T) {
	for _, eng := range testdb.Engines {
		t.Run(eng, func(t *testing.T) {
			t.Parallel()
			db := testdb.OpenDemo(t, eng)
			office, admin := user(t, db, "caizheng"), user(t, db, "admin")
			luxi := registry.Region{Code: "532527000000", Name: "泸西县", ShortName: "泸西", Level: registry.LevelCounty, ParentCode: "532500000000"}
			if _, err := db.UpsertRegions(ctx, admin, []registry.Region{luxi}); err != nil {
				t.Fatal(err)
			}
			cjq, err := db.OrgByName(ctx, "程家桥街道")
			if err != nil {
				t.Fatal(err)
			}
			purchased := func() (int64, int) {
				t.Helper()
				rep, err := db.Supervision(ctx, office, 2020, store.SupervisionOptions{})
				if err != nil {
					t.Fatal(err)
				}
				outside := 0
				for _, f := range rep.Flags {
					if f.Kind == "outside" && strings.Contains(f.Message, "泸西县") {
						outside++
					}
				}
				for _, l := range rep.Units {
					if l.UnitID == cjq.ID {
						return l.PurchasedFen, outside
					}
				}
				return 0, outside
			}
			base, _ := purchased()
			data := []byte("订单号,下单时间,预算单位,供应商名称,商品名称,产地,购买数量,实付金额,订单状态\n" +
				"8322020100100001,2020-10-01,程家桥街道,绿春县正华农产品加工厂,梯田红米,绿春县,10,499.00,已完成\n" +
				"8322020100100002,2020-10-01,程家桥街道,泸西县高原梨专业合作社,泸西高原梨,红河州泸西县,20,360.00,已完成\n")
			b, err := imports.Purchases832(ctx, db, office, "832订单.csv", bytes.NewReader(data), int64(len(data)), imports.Options{Mode: "all"})
			if err != nil || b.Imported != 2 || b.Errors != 0 {
				t.Fatalf("import: %+v, %v", b, err)
			}
			problems, err := db.ImportProblems(ctx, office, b.ID)
			if err != nil || len(problems) != 1 || problems[0].Kind != "notice" || problems[0].Line != 3 ||
				!strings.Contains(problems[0].Message, "“泸西县”不是结对县，也不在832县名单中") || !strings.Contains(problems[0].Message, "不计入") {
				t.Fatalf("problems: %+v, %v", problems, err)
			}
			got, outside := purchased()
			if got-base != 49900 || outside != 1 {
				t.Fatalf("before 泸西县 is on the 832 list: purchased +%d fen (want 49900), %d outside flags", got-base, outside)
			}
			if _, err := db.Add832County(ctx, admin, "泸西县"); err != nil {
				t.Fatal(err)
			}
			got, outside = purchased()
			if got-base != 49900+36000 || outside != 0 {
				t.Fatalf("on the 832 list: purchased +%d fen (want 85900), %d outside flags", got-base, outside)
			}
			// Imported again, the same orders count nothing twice and the
			// row is no longer remarked on.
			b, err = imports.Purchases832(ctx, db, office, "832订单.csv", bytes.NewReader(data), int64(len(data)), imports.Options{Mode: "all"})
			if err != nil || b.Imported != 0 || b.Skipped != 2 {
				t.Fatalf("again: %+v, %v", b, err)
			}
			if got, _ = purchased(); got-base != 85900 {
				t.Fatalf("again: +%d fen", got-base)
			}
		})
	}
}
