package imports_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/store"
)

// An 832 order export (issue 12): counted rows become consumption of the
// buyer unit to the county of origin; importing the same export again
// counts nothing twice; a later export where an order is 已退款 takes it
// back out; a hostile or wrong row is refused naming its column, and a
// refused file writes nothing. On both engines.
func TestImport832(t *testing.T) {
	for _, eng := range testdb.Engines {
		t.Run(eng, func(t *testing.T) {
			t.Parallel()
			db := testdb.OpenDemo(t, eng)
			office := user(t, db, "caizheng") // 区财政局 supervises and imports
			consumption := func() int64 {
				rows, err := db.CountyTotals(ctx, "2020-01-01", "2020-12-31")
				if err != nil {
					t.Fatal(err)
				}
				var fen int64
				for _, c := range rows {
					if c.CountyCode == "532530000000" {
						fen += c.ByForm["consumption"]
					}
				}
				return fen
			}
			base := consumption()
			csv := func(lines ...string) []byte {
				return []byte("订单号,下单时间,预算单位,供应商名称,商品名称,产地,购买数量,实付金额,订单状态\n" + strings.Join(lines, "\n") + "\n")
			}
			imp := func(data []byte) (*store.ImportBatch, error) {
				return imports.Purchases832(ctx, db, office, "832订单.csv", bytes.NewReader(data), int64(len(data)), imports.Options{Mode: "all"})
			}
			first := csv(
				"8322020091500001,2020-09-15,程家桥街道,金平县勐拉镇百香果种植专业合作社,勐拉百香果,金平县,10,590.00,已完成",
				"8322020091500001,2020-09-15,程家桥街道,金平县勐拉镇百香果种植专业合作社,百香果原浆,金平县,2,158,已完成",
				"8322020092000007,2020-09-20,程家桥街道,金平县者米乡茶叶专业合作社,者米绿茶,云南省红河州金平县,5,400,待发货",
			)
			b, err := imp(first)
			if err != nil || b.Imported != 3 {
				t.Fatalf("first import: %+v, %v", b, err)
			}
			if got := consumption() - base; got != 59000+15800 {
				t.Fatalf("金平县 consumption rose by %d fen, want %d (the two 已完成 rows)", got, 59000+15800)
			}
			var newSupplier int
			db.SQL().QueryRow(`SELECT COUNT(*) FROM organisations WHERE name = '金平县者米乡茶叶专业合作社' AND kind = '供应商' AND side = 'west'`).Scan(&newSupplier)
			if newSupplier != 1 {
				t.Fatal("the unregistered supplier was not registered")
			}
			// The same export again: nothing new, nothing counted twice.
			if b, err := imp(first); err != nil || b.Imported != 0 || b.Skipped != 3 {
				t.Fatalf("re-import: %+v, %v", b, err)
			}
			// A later export: one order refunded, the other now delivered.
			later := csv(
				"8322020091500001,2020-09-15,程家桥街道,金平县勐拉镇百香果种植专业合作社,勐拉百香果,金平县,10,590.00,已退款",
				"8322020092000007,2020-09-20,程家桥街道,金平县者米乡茶叶专业合作社,者米绿茶,金平县,5,400,交易成功",
			)
			if b, err := imp(later); err != nil || b.Imported != 2 {
				t.Fatalf("later export: %+v, %v", b, err)
			}
			if got := consumption() - base; got != 15800+40000 {
				t.Fatalf("after the refund and the delivery: +%d fen, want %d", got, 15800+40000)
			}
			var orders int
			db.SQL().QueryRow(`SELECT COUNT(*) FROM orders WHERE channel = 'p832'`).Scan(&orders)
			if orders != 3 {
				t.Fatalf("%d 832 orders stored, want 3", orders)
			}
			// Bad rows: each names its column; mode all writes nothing.
			bad := csv(
				"8322020093000001,2020-09-30,程家桥街道,某合作社,红米,绿春县,1,=HYPERLINK(\"http://x\"),已完成",
				"8322020093000002,2020-13-01,不存在的单位,某合作社,红米,绿春县,0,10,已完成",
				"8322020093000003,2020-09-30,程家桥街道,某合作社,红米,火星县,1,10,天知道",
			)
			b, err = imp(bad)
			if err == nil || b.Imported != 0 || b.Errors != 3 {
				t.Fatalf("bad rows: %+v, %v", b, err)
			}
			problems, err := db.ImportProblems(ctx, office, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, p := range problems {
				msgs = append(msgs, p.Message)
			}
			all := strings.Join(msgs, "\n")
			for _, want := range []string{"【金额(元)】", "【下单日期】", "【产地县】", "【订单状态】"} {
				if !strings.Contains(all, want) {
					t.Errorf("no problem names %s:\n%s", want, all)
				}
			}
			db.SQL().QueryRow(`SELECT COUNT(*) FROM orders WHERE channel = 'p832'`).Scan(&orders)
			if orders != 3 {
				t.Fatalf("a refused file wrote orders: %d", orders)
			}
			// Only the office, 监管 and management accounts import; a unit's
			// management account only for its own unit.
			if _, err := imports.Purchases832(ctx, db, user(t, db, "chengjiaqiao"), "x.csv", bytes.NewReader(first), int64(len(first)), imports.Options{}); err == nil {
				t.Error("a unit user imported 832 orders")
			}
			other := csv("8322020091600009,2020-09-16,新华路街道,金平县勐拉镇百香果种植专业合作社,勐拉百香果,金平县,1,59,已完成")
			if b, err := imports.Purchases832(ctx, db, user(t, db, "cjq-guanli"), "x.csv", bytes.NewReader(other), int64(len(other)), imports.Options{Mode: "all"}); err == nil || b.Imported != 0 {
				t.Errorf("程家桥街道's manager imported 新华路街道's order: %+v, %v", b, err)
			}
			if n, err := db.VerifyAudit(ctx, user(t, db, "admin")); err != nil || n == 0 {
				t.Fatalf("audit: %d, %v", n, err)
			}
		})
	}
}
