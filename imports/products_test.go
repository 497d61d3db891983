package imports_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/store"
)

// catalogueSheet fills the catalogue template's data sheet with rows
// below its example row, as a supplier would type them.
func catalogueSheet(t *testing.T, db *store.DB, rows [][]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := imports.Template(ctx, db, &buf, imports.ProductSpec); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := f.SetSheetRow(imports.ProductSpec.Title, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if _, err := f.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// catalogueState is every product's listing as one string: what a refused
// import must leave as it was.
func catalogueState(t *testing.T, db *store.DB) string {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT id, supplier_id, name, category, origin_code, spec, unit, price_fen, stock, min_order, status, updated_at FROM products ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, sup, price, stock, min int64
		var name, cat, origin, spec, unit, status, updated string
		if err := rows.Scan(&id, &sup, &name, &cat, &origin, &spec, &unit, &price, &stock, &min, &status, &updated); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, id, sup, name, cat, origin, spec, unit, price, stock, min, status, updated)
	}
	return b.String()
}

func product(t *testing.T, db *store.DB, name, spec string) *market.Product {
	t.Helper()
	var id int64
	if err := db.SQL().QueryRow(`SELECT id FROM products WHERE name = $1 AND spec = $2`, name, spec).Scan(&id); err != nil {
		t.Fatalf("product %s %s: %v", name, spec, err)
	}
	p, err := db.Product(ctx, user(t, db, "admin"), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The catalogue import (issue 12, item 1) on both engines: a supplier's
// good sheet creates and updates its products (re-importing the same
// product updates it, never duplicates it); importing it again changes
// nothing; a hostile sheet gets a Chinese problem per row and column and
// writes nothing; the office undoes a batch (created products deleted,
// updated ones restored); an export imports back cleanly, for the
// supplier and for its county.
func TestImportProducts(t *testing.T) {
	for _, eng := range testdb.Engines {
		t.Run(eng, func(t *testing.T) {
			t.Parallel()
			db := testdb.OpenDemo(t, eng)
			zhenghua, admin, lvchun := user(t, db, "zhenghua"), user(t, db, "admin"), user(t, db, "lvchun")
			imp := func(u *xiezuo.User, data []byte, mode string) (*store.ImportBatch, error) {
				return imports.Products(ctx, db, u, "商品目录.xlsx", bytes.NewReader(data), int64(len(data)), imports.Options{Mode: mode})
			}
			count := func() (n int) {
				db.SQL().QueryRow(`SELECT COUNT(*) FROM products`).Scan(&n)
				return n
			}
			before := count()
			old := product(t, db, "梯田红米", "5斤/袋")
			good := catalogueSheet(t, db, [][]any{
				{"", "梯田红米", "粮油", "大兴镇", "5斤/袋", "袋", "52.00", 450, 1},                             // the demo's: updated
				{"91532531MA6K32H01K", "梯田红米", "粮油", "牛孔镇", "10斤/袋", "袋", 95, 120, 2},               // same name, other spec: new
				{"绿春县正华农产品加工厂", "绿春草果", "干货调味", "532531000000", "500克/袋", "袋", "36.5", "1,000", ""}, // code of the county
			})
			b, err := imp(zhenghua, good, "")
			if err != nil || b.Imported != 3 || b.Errors != 0 {
				t.Fatalf("good sheet: %+v, %v", b, err)
			}
			if n := count(); n != before+2 {
				t.Fatalf("%d products after the import, want %d (one updated, two new)", n, before+2)
			}
			upd := product(t, db, "梯田红米", "5斤/袋")
			if upd.ID != old.ID || upd.PriceFen != 5200 || upd.Stock != 450 || upd.Status != market.ProductListed || upd.Cert.No != old.Cert.No {
				t.Fatalf("updated product: %+v (was %+v): price, stock change; status and certificate stay", upd, old)
			}
			big := product(t, db, "梯田红米", "10斤/袋")
			if big.Status != market.ProductDraft || big.MinOrder != 2 || big.PriceFen != 9500 || !strings.HasSuffix(big.OriginName, "牛孔镇") {
				t.Fatalf("new product: %+v", big)
			}
			if g := product(t, db, "绿春草果", "500克/袋"); g.Stock != 1000 || g.MinOrder != 1 || g.OriginCode != "532531000000" || g.Category != "dried" {
				t.Fatalf("new product: %+v", g)
			}
			// The same sheet again: nothing changes, nothing is duplicated.
			if b2, err := imp(zhenghua, good, ""); err != nil || b2.Imported != 0 || b2.Skipped != 3 || count() != before+2 {
				t.Fatalf("re-import: %+v, %v, %d products", b2, err, count())
			}
			// A hostile sheet: each row refused naming its column; nothing written.
			state := catalogueState(t, db)
			hostile := catalogueSheet(t, db, [][]any{
				{"", "=cmd|' /C calc'!A0", "粮油", "大兴镇", "5斤/袋", "袋", 10, 1, 1},
				{"", strings.Repeat("红", 5000), "粮油", "大兴镇", "", "袋", 10, 1, 1},
				{"", "负库存米", "粮油", "大兴镇", "", "袋", 10, -5, 1},
				{"", "零价米", "粮油", "大兴镇", "", "袋", 0, 5, 1},
				{"", "火星米", "粮油", "火星县", "", "袋", 10, 5, 1},
				{"绿春县绿鑫生态茶叶有限公司", "别人的茶", "茶叶", "绿春县", "", "罐", 10, 5, 1},
				{"", "新米", "稻谷", "大兴镇", "", "袋", "=1+1", 5, 1},
				{"", "好米", "粮油", "大兴镇", "1斤", "袋", 10, 5, 1}, // good, but the sheet is refused
				{"", "好米", "粮油", "大兴镇", "1斤", "袋", 12, 5, 1},
			})
			b, err = imp(zhenghua, hostile, "all")
			if !errors.Is(err, imports.ErrRefused) || b == nil || b.Imported != 0 || b.Errors != 8 {
				t.Fatalf("hostile sheet: %+v, %v", b, err)
			}
			probs, err := db.ImportProblems(ctx, zhenghua, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			byLine := map[int64]string{}
			for _, p := range probs {
				byLine[p.Line] = p.Message
			}
			for line, want := range map[int64]string{3: "【商品名称】", 4: "【商品名称】商品名称不能超过60", 5: "【库存】库存不能为负数", 6: "【单价（元）】单价须大于0元",
				7: "【产地】", 8: "【供应商】不能导入“绿春县绿鑫生态茶叶有限公司”的商品", 9: "【品类】", 11: "与第10行是同一商品"} {
				if !strings.Contains(byLine[line], want) {
					t.Errorf("line %d: %q, want it to contain %q", line, byLine[line], want)
				}
			}
			if !strings.Contains(byLine[9], "【单价（元）】是公式") {
				t.Errorf("line 9 names only %q", byLine[9])
			}
			if len(byLine[4]) > 400 {
				t.Errorf("the problem repeats the huge cell: %d bytes", len(byLine[4]))
			}
			if got := catalogueState(t, db); got != state || count() != before+2 {
				t.Fatal("a refused sheet changed the catalogue")
			}
			// A stopped import (the request gone, the server closing) takes
			// back what it wrote: one transaction, as for every kind.
			stopped, cancel := context.WithCancel(ctx)
			cancel()
			fresh := catalogueSheet(t, db, [][]any{{"", "停下的米", "粮油", "大兴镇", "", "袋", 10, 5, 1}})
			if _, err := imports.Products(stopped, db, zhenghua, "目录.xlsx", bytes.NewReader(fresh), int64(len(fresh)), imports.Options{}); err == nil {
				t.Fatal("a cancelled import succeeded")
			}
			if got := catalogueState(t, db); got != state {
				t.Fatal("a cancelled import changed the catalogue")
			}
			// The county imports for its county's suppliers only.
			county := catalogueSheet(t, db, [][]any{
				{"绿春县绿鑫生态茶叶有限公司", "绿春白茶", "茶叶", "绿春县", "100克/罐", "罐", 88, 50, 1},
				{"金平县勐拉镇百香果种植专业合作社", "百香果干", "果蔬", "勐拉镇", "", "袋", 20, 50, 1},
			})
			if b, err := imp(lvchun, county, "valid"); err != nil || b.Imported != 1 || b.Errors != 1 {
				ps, _ := db.ImportProblems(ctx, lvchun, b.ID)
				t.Fatalf("county import: %+v, %v %+v", b, err, ps)
			}
			if _, err := imp(user(t, db, "cjq-caigou"), good, ""); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
				t.Fatalf("a purchaser imported a catalogue: %v", err)
			}
			// Export → import: the exported file is a clean template.
			for _, u := range []*xiezuo.User{zhenghua, lvchun} {
				var out bytes.Buffer
				if err := imports.ExportProducts(ctx, db, u, store.ProductFilter{}, imports.ExportMeta{User: u.Username, At: time.Now()}, &out); err != nil {
					t.Fatal(err)
				}
				f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				head, _ := f.GetRows(imports.ProductSpec.Title)
				if len(head) < 4 || strings.Join(head[0][:3], ",") != "供应商,商品名称,品类" || head[0][9] != "状态" {
					t.Fatalf("export header: %v", head[:min(len(head), 1)])
				}
				back, err := imp(u, out.Bytes(), "all")
				if err != nil || back.Errors != 0 || back.Imported != 0 || back.Skipped != int64(len(head)-1) {
					t.Fatalf("%s: export imported back: %+v, %v (%d rows)", u.Username, back, err, len(head)-1)
				}
			}
			// Undo: the office takes the first batch back.
			if _, err := db.UndoImport(ctx, zhenghua, b.ID); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
				t.Fatalf("a supplier undid a batch: %v", err)
			}
			var first int64
			db.SQL().QueryRow(`SELECT MIN(id) FROM import_batches WHERE kind = 'product' AND status = 'imported'`).Scan(&first)
			n, err := db.UndoImport(ctx, admin, first)
			if err != nil || n != 3 {
				t.Fatalf("undo: %d, %v", n, err)
			}
			if got := product(t, db, "梯田红米", "5斤/袋"); got.PriceFen != old.PriceFen || got.Stock != old.Stock || got.Status != market.ProductListed {
				t.Fatalf("after undo: %+v, want %+v", got, old)
			}
			var left int
			db.SQL().QueryRow(`SELECT COUNT(*) FROM products WHERE name = '绿春草果' OR spec = '10斤/袋'`).Scan(&left)
			if left != 0 || count() != before+1 { // the county's 绿春白茶 stays
				t.Fatalf("after undo: %d created products left, %d products", left, count())
			}
			if _, err := db.UndoImport(ctx, admin, first); xiezuo.ErrorCode(err) != xiezuo.ECONFLICT {
				t.Fatalf("undo twice: %v", err)
			}
			// A product changed after its import keeps its batch from being undone.
			again := catalogueSheet(t, db, [][]any{{"", "绿春草果", "干货调味", "绿春县", "500克/袋", "袋", 36, 100, 1}})
			b, err = imp(zhenghua, again, "")
			if err != nil || b.Imported != 1 {
				t.Fatalf("import: %+v, %v", b, err)
			}
			g := product(t, db, "绿春草果", "500克/袋")
			time.Sleep(1100 * time.Millisecond) // updated_at is to the second
			in := market.ProductInput{Cert: market.Certification{No: "绿扶认〔2020〕099号", CountyCode: "532531000000", ValidUntil: "2099-12-31"}}
			if err := db.ProductTransition(ctx, lvchun, g.ID, market.ProductCertify, in); err != nil {
				t.Fatal(err)
			}
			if _, err := db.UndoImport(ctx, admin, b.ID); xiezuo.ErrorCode(err) != xiezuo.ECONFLICT || !strings.Contains(xiezuo.ErrorMessage(err), "绿春草果") {
				t.Fatalf("undo of a batch whose product was certified since: %v", err)
			}
			if product(t, db, "绿春草果", "500克/袋").Status != market.ProductListed {
				t.Fatal("a refused undo changed the product")
			}
			if n, err := db.VerifyAudit(ctx, admin); err != nil || n == 0 {
				t.Fatalf("audit: %d, %v", n, err)
			}
		})
	}
}
