package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// The order tests make their suppliers and products with SQL (the
// catalogue's store services are another file's): ordSupplier and
// ordProduct below.

const ordPassword = "Changning-2020-x"

// ordUser creates a market account of role in organisation org.
func ordUser(t testing.TB, db *store.DB, name string, role xiezuo.Role, org int64) *xiezuo.User {
	t.Helper()
	u, err := db.CreateUser(ctx, nil, store.NewUser{Username: name, Password: ordPassword, Role: role, OrgID: org})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// ordSupplier inserts a west-side organisation of kind 供应商 in county and
// its suppliers row in status, and returns its id.
func ordSupplier(t testing.TB, db *store.DB, name, county string, status market.SupplierStatus) int64 {
	t.Helper()
	var id int64
	if err := db.SQL().QueryRow(`INSERT INTO organisations (name, kind, side, region_code) VALUES ($1, '供应商', 'west', $2) RETURNING id`,
		name, county).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`INSERT INTO suppliers (org_id, county_code, farmer_link, contact, phone, status, created_at, updated_at)
		VALUES ($1, $2, '带动建档立卡户种植', '李四', '0873-4221234', $3, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
		id, county, string(status)); err != nil {
		t.Fatal(err)
	}
	return id
}

// ordProduct inserts a listed product of supplier from origin (its county
// certifies it until validUntil), sold by the 袋, and returns it.
func ordProduct(t testing.TB, db *store.DB, supplier int64, name, origin string, price, stock, minOrder int64, validUntil string) *market.Product {
	t.Helper()
	county := registry.CountyOf(origin)
	p := &market.Product{SupplierID: supplier, Name: name, Category: "grain_oil", OriginCode: origin, Unit: "袋", PriceFen: price,
		Stock: stock, MinOrder: minOrder, Status: market.ProductListed,
		Cert: market.Certification{No: "RD-" + name, CountyCode: county, ValidUntil: validUntil}}
	if err := db.SQL().QueryRow(`INSERT INTO products (supplier_id, name, category, origin_code, county_code, spec, unit, price_fen, stock, min_order,
		cert_no, cert_county, cert_valid_until, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, '5斤/袋', $6, $7, $8, $9, $10, $11, $12, $13, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z') RETURNING id`,
		supplier, name, p.Category, origin, county, p.Unit, price, stock, minOrder, p.Cert.No, county, validUntil, string(p.Status)).Scan(&p.ID); err != nil {
		t.Fatal(err)
	}
	return p
}

func ordStock(t testing.TB, db *store.DB, product int64) int64 {
	t.Helper()
	var n int64
	if err := db.SQL().QueryRow(`SELECT stock FROM products WHERE id = $1`, product).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// ordCart is a cart of (product, quantity) pairs; only the product's ID
// matters to Checkout.
func ordCart(items ...any) []market.CartLine {
	var out []market.CartLine
	for i := 0; i < len(items); i += 2 {
		out = append(out, market.CartLine{Product: items[i].(*market.Product), Qty: int64(items[i+1].(int))})
	}
	return out
}

const ordVillage = "532531101204" // a village of 绿春县 (township 532531101000)

// ordShop is a shop of two 绿春县 suppliers and the accounts of two buyer
// units.
type ordShop struct {
	db                           *store.DB
	admin, supervisor            *xiezuo.User
	purchaser, buyerAdmin        *xiezuo.User // of 程家桥街道
	otherPurchaser               *xiezuo.User // of 新华路街道
	supplierUser, otherSupplierU *xiezuo.User
	supplier, otherSupplier      int64
	rice, tea                    *market.Product
	buyerUnit                    int64
}

// withoutDemoOrders takes the demo's market orders away — 临空园区's 认购,
// 晨讯's 定向采购 and the 爱心企业's 认捐 (demo/market_lots.go) with their
// ledger lines — so an order test counts its own orders alone. Their ids
// may be given again (SQLite): audit counts start after this point
// (marketStart).
func withoutDemoOrders(t testing.TB, db *store.DB) {
	t.Helper()
	var seq int64
	if err := db.SQL().QueryRow(`SELECT COALESCE(MAX(seq), 0) FROM audit_log`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	marketStart.Store(db, seq)
	for _, q := range []string{
		clearGrams(db, "contribution", "contributions", "order_id IS NOT NULL OR pledge_id IS NOT NULL"),
		`DELETE FROM contribution_givers WHERE contribution_id IN (SELECT id FROM contributions WHERE order_id IS NOT NULL OR pledge_id IS NOT NULL)`,
		`DELETE FROM contributions WHERE order_id IS NOT NULL OR pledge_id IS NOT NULL`, `DELETE FROM lot_shares`, `DELETE FROM lots`,
		`DELETE FROM order_lines`, `DELETE FROM orders`, `DELETE FROM pledges`,
	} {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

func newOrdShop(t *testing.T, db *store.DB) *ordShop {
	t.Helper()
	withoutDemoOrders(t, db)
	s := &ordShop{db: db, admin: user(t, db, "admin"), buyerUnit: orgID(t, db, "程家桥街道")}
	s.supplier = ordSupplier(t, db, "绿春县梯田红米专业合作社", lvchun, market.SupplierAdmitted)
	s.otherSupplier = ordSupplier(t, db, "绿春县玛玉茶叶专业合作社", lvchun, market.SupplierAdmitted)
	s.rice = ordProduct(t, db, s.supplier, "梯田红米", ordVillage, 3990, 100, 1, "2099-12-31")
	s.tea = ordProduct(t, db, s.otherSupplier, "绿春玛玉茶", "532531101000", 12800, 50, 2, "2099-12-31")
	s.purchaser = ordUser(t, db, "cjq-purchaser", xiezuo.RolePurchaser, s.buyerUnit)
	s.buyerAdmin = ordUser(t, db, "cjq-finance", xiezuo.RoleBuyerAdmin, s.buyerUnit)
	s.otherPurchaser = ordUser(t, db, "xhl-purchaser", xiezuo.RolePurchaser, orgID(t, db, "新华路街道"))
	s.supplierUser = ordUser(t, db, "hongmi", xiezuo.RoleSupplier, s.supplier)
	s.otherSupplierU = ordUser(t, db, "lvxin", xiezuo.RoleSupplier, s.otherSupplier)
	s.supervisor = ordUser(t, db, "czj-jianguan", xiezuo.RoleSupervisor, 0)
	return s
}

// consumption is 绿春县's approved consumption total: from the county
// totals (running sums) and from the list's totals, which must agree.
func (s *ordShop) consumption(t *testing.T) int64 {
	t.Helper()
	tots, err := s.db.CountyTotals(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var county int64
	for _, c := range tots {
		if c.CountyCode == lvchun {
			county = c.ByForm["consumption"]
		}
	}
	_, lt, err := s.db.ListContributions(ctx, s.admin, ledger.ContributionFilter{CountyCode: lvchun, Form: "consumption", Status: ledger.StatusApproved})
	if err != nil {
		t.Fatal(err)
	}
	if lt.AmountFen != county {
		t.Fatalf("绿春县 consumption: county totals %d fen, list totals %d fen", county, lt.AmountFen)
	}
	return county
}

func (s *ordShop) checkout(t *testing.T, u *xiezuo.User, key string, items ...any) []market.Order {
	t.Helper()
	os, err := s.db.Checkout(ctx, u, ordCart(items...), key)
	if err != nil {
		t.Fatal(err)
	}
	return os
}

func (s *ordShop) step(t *testing.T, u *xiezuo.User, id int64, a market.OrderAction, in market.OrderInput) {
	t.Helper()
	if err := s.db.OrderTransition(ctx, u, id, a, in); err != nil {
		t.Fatalf("%s by %s: %v", a, u.Username, err)
	}
}

func (s *ordShop) status(t *testing.T, id int64) market.OrderStatus {
	t.Helper()
	o, err := s.db.Order(ctx, s.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return o.Status
}

func ordAuditCount(t *testing.T, db *store.DB, entity string, id int64) int {
	t.Helper()
	var n int
	since, _ := marketStart.Load(db) // see withoutDemoOrders
	if since == nil {
		since = int64(0)
	}
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = $1 AND entity_id = $2 AND seq > $3`, entity, id, since).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The shop flow of the "done means": a purchaser of 程家桥街道 buys
// 20 袋 梯田红米; the supplier confirms and ships; the purchaser accepts with
// the invoice; 绿春县's consumption total rises by exactly the order's
// total, settlement keeps it, a return reverses it; a cancelled order's
// stock comes back.
func TestOrderShopFlow(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		s := newOrdShop(t, db)
		base := s.consumption(t)
		today := db.Today()

		os := s.checkout(t, s.purchaser, "", s.rice, 20)
		if len(os) != 1 {
			t.Fatalf("%d orders", len(os))
		}
		o := os[0]
		if o.ID == 0 || !strings.HasPrefix(o.No, "XZ"+strings.ReplaceAll(today, "-", "")) || o.TotalFen != 20*3990 || o.Status != market.OrderPending ||
			o.Channel != "shop" || o.BuyerUnitID != s.buyerUnit || o.PurchaserID != s.purchaser.ID || o.SupplierID != s.supplier ||
			len(o.Lines) != 1 || o.Lines[0].PriceFen != 3990 || o.Lines[0].OriginCode != ordVillage || o.BuyerUnitName != "程家桥街道" {
			t.Fatalf("order = %+v", o)
		}
		if got := ordStock(t, db, s.rice.ID); got != 80 {
			t.Fatalf("stock after checkout = %d, want 80", got)
		}
		stored, err := db.Order(ctx, s.purchaser, o.ID)
		if err != nil || stored.No != o.No || stored.SupplierName != "绿春县梯田红米专业合作社" || len(stored.Lines) != 1 || stored.Lines[0].ProductName != "梯田红米" {
			t.Fatalf("Order = %+v, %v", stored, err)
		}

		// Only the supplier confirms and ships; shipping needs carrier and tracking no.
		wantCode(t, db.OrderTransition(ctx, s.purchaser, o.ID, market.OrderConfirm, market.OrderInput{}), xiezuo.EFORBIDDEN)
		s.step(t, s.supplierUser, o.ID, market.OrderConfirm, market.OrderInput{})
		wantCode(t, db.OrderTransition(ctx, s.supplierUser, o.ID, market.OrderConfirm, market.OrderInput{}), xiezuo.ECONFLICT)
		wantField(t, db.OrderTransition(ctx, s.supplierUser, o.ID, market.OrderShip, market.OrderInput{Carrier: "顺丰速运"}), "tracking_no")
		s.step(t, s.supplierUser, o.ID, market.OrderShip, market.OrderInput{Carrier: " 顺丰速运 ", TrackingNo: "SF1234567890"})
		wantCode(t, db.OrderTransition(ctx, s.purchaser, o.ID, market.OrderCancel, market.OrderInput{}), xiezuo.ECONFLICT)
		s.step(t, s.purchaser, o.ID, market.OrderReceive, market.OrderInput{})
		if got := s.consumption(t); got != base {
			t.Fatalf("counted before acceptance: %d, want %d", got, base)
		}
		wantField(t, db.OrderTransition(ctx, s.purchaser, o.ID, market.OrderAccept, market.OrderInput{}), "invoice_ref")
		wantCode(t, db.OrderTransition(ctx, s.buyerAdmin, o.ID, market.OrderAccept, market.OrderInput{InvoiceRef: "photo:1"}), xiezuo.EFORBIDDEN)
		s.step(t, s.purchaser, o.ID, market.OrderAccept, market.OrderInput{InvoiceRef: "photo:17", InspectionRef: "photo:18"})
		if got := s.consumption(t); got != base+o.TotalFen {
			t.Fatalf("绿春县 consumption after acceptance = %d, want %d + %d", got, base, o.TotalFen)
		}
		got, err := db.Order(ctx, s.supplierUser, o.ID)
		if err != nil || got.Status != market.OrderAccepted || got.Carrier != "顺丰速运" || got.TrackingNo != "SF1234567890" || got.InvoiceRef != "photo:17" {
			t.Fatalf("accepted order = %+v, %v", got, err)
		}

		// The one ledger line: the buyer unit gives to the product's village.
		cs, _, err := db.ListContributions(ctx, s.admin, ledger.ContributionFilter{CountyCode: lvchun, Form: "consumption"})
		if err != nil {
			t.Fatal(err)
		}
		// It follows its order: the office cannot reopen it in the ledger.
		var line int64
		if err := db.SQL().QueryRow(`SELECT id FROM contributions WHERE order_id = $1`, o.ID).Scan(&line); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.Transition(ctx, s.admin, ledger.KindContribution, line, ledger.ActionReopen, "金额有误"), xiezuo.ECONFLICT)
		var c *ledger.Contribution
		for _, x := range cs {
			if x.OrderID == o.ID {
				if c != nil {
					t.Fatal("two contributions for one order")
				}
				c = x
			}
		}
		if c == nil || c.Status != ledger.StatusApproved || c.AmountFen != o.TotalFen || c.DateFrom != today || c.UnitID != s.buyerUnit ||
			len(c.Givers) != 1 || c.Givers[0].ID != s.buyerUnit || c.TownshipCode != "532531101000" || c.VillageCode != ordVillage ||
			c.Delivery != "delivered" || c.Item != "梯田红米" || c.Quantity != 20 || c.QuantityUnit != "袋" || c.CreatedBy != s.purchaser.ID ||
			c.Institution != "绿春县梯田红米专业合作社" || !strings.Contains(c.Note, o.No) {
			t.Fatalf("contribution = %+v", c)
		}
		// The giver's sums count it too, and the keyword search finds it.
		_, gt, err := db.ListContributions(ctx, s.admin, ledger.ContributionFilter{GiverID: s.buyerUnit, Form: "consumption"})
		if err != nil || gt.AmountFen < o.TotalFen {
			t.Fatalf("giver totals = %+v, %v", gt, err)
		}
		if found, _, err := db.ListContributions(ctx, s.admin, ledger.ContributionFilter{Query: "红米", Form: "consumption"}); err != nil ||
			!slices.ContainsFunc(found, func(x *ledger.Contribution) bool { return x.OrderID == o.ID }) {
			t.Fatalf("keyword 红米 did not find the order's contribution: %v", err)
		}

		// Settlement by the buyer's finance keeps the total.
		wantCode(t, db.OrderTransition(ctx, s.purchaser, o.ID, market.OrderSettle, market.OrderInput{PaymentRef: "ZF-1", PaidOn: today}), xiezuo.EFORBIDDEN)
		wantField(t, db.OrderTransition(ctx, s.buyerAdmin, o.ID, market.OrderSettle, market.OrderInput{PaidOn: today}), "payment_ref")
		s.step(t, s.buyerAdmin, o.ID, market.OrderSettle, market.OrderInput{PaymentRef: "ZF-20261105-01", PaidOn: today})
		if got := s.consumption(t); got != base+o.TotalFen {
			t.Fatalf("after settlement = %d, want %d", got, base+o.TotalFen)
		}
		// A return reverses it (stock does not come back: goods returned are not resold).
		wantField(t, db.OrderTransition(ctx, s.buyerAdmin, o.ID, market.OrderReturn, market.OrderInput{}), "reason")
		s.step(t, s.buyerAdmin, o.ID, market.OrderReturn, market.OrderInput{Reason: "霉变"})
		if got := s.consumption(t); got != base {
			t.Fatalf("after return = %d, want %d", got, base)
		}
		if _, gt2, _ := db.ListContributions(ctx, s.admin, ledger.ContributionFilter{GiverID: s.buyerUnit, Form: "consumption"}); gt2.AmountFen != gt.AmountFen-o.TotalFen {
			t.Fatalf("giver totals after return = %d, want %d", gt2.AmountFen, gt.AmountFen-o.TotalFen)
		}
		var left int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM contributions WHERE order_id = $1`, o.ID).Scan(&left)
		if left != 0 || ordStock(t, db, s.rice.ID) != 80 {
			t.Fatalf("after return: %d contributions, stock %d", left, ordStock(t, db, s.rice.ID))
		}
		// create, confirm, ship, receive, accept, settle, return
		if n := ordAuditCount(t, db, "order", o.ID); n != 7 {
			t.Errorf("order audit entries = %d, want 7", n)
		}

		// Cancel before shipping returns the stock: by the purchaser …
		c1 := s.checkout(t, s.purchaser, "", s.rice, 10)[0]
		if ordStock(t, db, s.rice.ID) != 70 {
			t.Fatal("stock not taken")
		}
		s.step(t, s.purchaser, c1.ID, market.OrderCancel, market.OrderInput{})
		if got := ordStock(t, db, s.rice.ID); got != 80 {
			t.Fatalf("stock after cancel = %d, want 80", got)
		}
		wantCode(t, db.OrderTransition(ctx, s.purchaser, c1.ID, market.OrderCancel, market.OrderInput{}), xiezuo.ECONFLICT)
		// … or, with a reason, by the supplier after confirming.
		c2 := s.checkout(t, s.purchaser, "", s.rice, 5)[0]
		s.step(t, s.supplierUser, c2.ID, market.OrderConfirm, market.OrderInput{})
		wantField(t, db.OrderTransition(ctx, s.supplierUser, c2.ID, market.OrderCancel, market.OrderInput{}), "reason")
		s.step(t, s.supplierUser, c2.ID, market.OrderCancel, market.OrderInput{Reason: "产区暴雨，无法发货"})
		if got := ordStock(t, db, s.rice.ID); got != 80 {
			t.Fatalf("stock after supplier's cancel = %d, want 80", got)
		}

		// The same step twice at once (a double click, a retried request):
		// exactly one applies, the other is told the order moved on. (A
		// confirm racing a cancel may rightly both apply, in that order.)
		c3 := s.checkout(t, s.purchaser, "", s.rice, 1)[0]
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.OrderTransition(ctx, s.supplierUser, c3.ID, market.OrderConfirm, market.OrderInput{})
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("concurrent confirms: %v, %v", errs[0], errs[1])
		}
		for _, err := range errs {
			if err != nil {
				wantCode(t, err, xiezuo.ECONFLICT)
			}
		}
		if st := s.status(t, c3.ID); st != market.OrderToShip {
			t.Fatalf("status after the race = %s", st)
		}
		if n, err := db.VerifyAudit(ctx, s.admin); err != nil {
			t.Fatalf("VerifyAudit = %d, %v", n, err)
		}
	})
}

// Checkout under contention: 200 concurrent carts on 10 products of 100
// each never sell a unit twice; every rejection names a product.
func TestCheckoutOversell(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		start := time.Now()
		unit := orgID(t, db, "程家桥街道")
		buyers := []*xiezuo.User{
			ordUser(t, db, "p1", xiezuo.RolePurchaser, unit),
			ordUser(t, db, "p2", xiezuo.RolePurchaser, orgID(t, db, "新华路街道")),
		}
		sups := []int64{
			ordSupplier(t, db, "绿春县供应商甲", lvchun, market.SupplierAdmitted),
			ordSupplier(t, db, "绿春县供应商乙", lvchun, market.SupplierAdmitted),
		}
		var products []*market.Product
		for i := range 10 {
			products = append(products, ordProduct(t, db, sups[i%2], fmt.Sprintf("红米%02d号", i), ordVillage, int64(1000+i), 100, 1, "2099-12-31"))
		}
		const workers = 500 // purchasers checking out at once (issue 12)
		var wg sync.WaitGroup
		var mu sync.Mutex
		sold := map[int64]int64{}
		var accepted, rejected int
		var orderIDs []int64
		var bad []string
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(w), 7))
				var cart []market.CartLine
				for range 2 + r.IntN(3) {
					cart = append(cart, market.CartLine{Product: products[r.IntN(len(products))], Qty: 1 + r.Int64N(5)})
				}
				os, err := db.Checkout(ctx, buyers[w%2], cart, "")
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					code, msg := xiezuo.ErrorCode(err), xiezuo.ErrorMessage(err)
					names := slices.ContainsFunc(products, func(p *market.Product) bool { return strings.Contains(msg, p.Name) })
					if (code != xiezuo.EINVALID && code != xiezuo.ECONFLICT) || !names || !strings.Contains(msg, "库存不足") && !strings.Contains(msg, "售罄") {
						bad = append(bad, fmt.Sprintf("%s: %v", code, err))
					}
					rejected++
					return
				}
				accepted++
				for _, o := range os {
					orderIDs = append(orderIDs, o.ID)
					for _, l := range o.Lines {
						sold[l.ProductID] += l.Qty
					}
				}
			}()
		}
		wg.Wait()
		if len(bad) > 0 {
			t.Fatalf("%d unexpected errors, e.g. %s", len(bad), bad[0])
		}
		if rejected == 0 || accepted == 0 {
			t.Fatalf("accepted %d, rejected %d: no contention tested", accepted, rejected)
		}
		var total int64
		for _, p := range products {
			if sold[p.ID] > 100 {
				t.Errorf("%s oversold: %d", p.Name, sold[p.ID])
			}
			if got := ordStock(t, db, p.ID); got != 100-sold[p.ID] {
				t.Errorf("%s stock = %d, want 100 - %d", p.Name, got, sold[p.ID])
			}
			var lines int64
			db.SQL().QueryRow(`SELECT COALESCE(SUM(qty), 0) FROM order_lines WHERE product_id = $1`, p.ID).Scan(&lines)
			if lines != sold[p.ID] {
				t.Errorf("%s: order lines hold %d, acknowledged %d", p.Name, lines, sold[p.ID])
			}
			total += sold[p.ID]
		}
		var stored int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM orders WHERE channel = 'shop'`).Scan(&stored) // the demo's are 认购 and 定向采购
		if stored != len(orderIDs) {
			t.Errorf("%d orders stored, %d acknowledged", stored, len(orderIDs))
		}
		// Every acknowledged order is delivered and accepted: the ledger
		// rises by exactly the orders' sum.
		consumption := func() int64 {
			_, tot, err := db.ListContributions(ctx, user(t, db, "admin"), ledger.ContributionFilter{CountyCode: lvchun, Form: "consumption", Status: ledger.StatusApproved})
			if err != nil {
				t.Fatal(err)
			}
			return tot.AmountFen
		}
		before := consumption()
		supplierUsers := map[int64]*xiezuo.User{}
		for i, s := range sups {
			supplierUsers[s] = ordUser(t, db, fmt.Sprintf("s%d", i), xiezuo.RoleSupplier, s)
		}
		var sum int64
		for _, id := range orderIDs {
			o, err := db.Order(ctx, user(t, db, "admin"), id)
			if err != nil {
				t.Fatal(err)
			}
			buyer := buyers[0]
			if o.BuyerUnitID != unit {
				buyer = buyers[1]
			}
			for _, step := range []struct {
				u  *xiezuo.User
				a  market.OrderAction
				in market.OrderInput
			}{{supplierUsers[o.SupplierID], market.OrderConfirm, market.OrderInput{}},
				{supplierUsers[o.SupplierID], market.OrderShip, market.OrderInput{Carrier: "顺丰速运", TrackingNo: fmt.Sprintf("SF%010d", id)}},
				{buyer, market.OrderReceive, market.OrderInput{}},
				{buyer, market.OrderAccept, market.OrderInput{InvoiceRef: "photo:1"}}} {
				if err := db.OrderTransition(ctx, step.u, id, step.a, step.in); err != nil {
					t.Fatalf("order %s %s: %v", o.No, step.a.Label(), err)
				}
			}
			sum += o.TotalFen
		}
		if got := consumption() - before; got != sum {
			t.Errorf("绿春县 consumption rose by %d fen, the accepted orders sum to %d", got, sum)
		}
		if n, err := db.VerifyAudit(ctx, user(t, db, "admin")); err != nil {
			t.Fatalf("VerifyAudit = %d, %v", n, err)
		}
		t.Logf("%s: %d checkouts accepted (%d orders, %d units), %d rejected, in %s", db.Dialect, accepted, len(orderIDs), total, rejected, time.Since(start).Round(time.Millisecond))
	})
}

// A retried checkout (same purchaser, same key) returns the first's orders
// and takes stock once, even when the retries race; another key orders
// again.
func TestCheckoutIdempotency(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		s := newOrdShop(t, db)
		first := s.checkout(t, s.purchaser, "8f14e45f-ceea-467a-9af0-1b2c3d4e5f60", s.rice, 3, s.tea, 2)
		if len(first) != 2 {
			t.Fatalf("%d orders for two suppliers", len(first))
		}
		again := s.checkout(t, s.purchaser, "8f14e45f-ceea-467a-9af0-1b2c3d4e5f60", s.rice, 3, s.tea, 2)
		ids := func(os []market.Order) []int64 {
			var out []int64
			for _, o := range os {
				out = append(out, o.ID)
			}
			sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
			return out
		}
		if !slices.Equal(ids(first), ids(again)) {
			t.Fatalf("retry made %v, first %v", ids(again), ids(first))
		}
		if ordStock(t, db, s.rice.ID) != 97 || ordStock(t, db, s.tea.ID) != 48 {
			t.Fatalf("stock taken twice: %d, %d", ordStock(t, db, s.rice.ID), ordStock(t, db, s.tea.ID))
		}
		// Ten racing retries of a new key: one checkout.
		var wg sync.WaitGroup
		got := make([][]int64, 10)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				os, err := db.Checkout(ctx, s.purchaser, ordCart(s.rice, 1), "retry-key")
				if err != nil {
					t.Error(err)
				}
				got[i] = ids(os)
			}()
		}
		wg.Wait()
		for _, g := range got {
			if len(g) != 1 || g[0] != got[0][0] {
				t.Fatalf("racing retries made %v", got)
			}
		}
		if ordStock(t, db, s.rice.ID) != 96 {
			t.Fatalf("stock after racing retries = %d, want 96", ordStock(t, db, s.rice.ID))
		}
		// The same key of another purchaser, or another key: new orders.
		other := s.checkout(t, s.otherPurchaser, "retry-key", s.rice, 1)
		third := s.checkout(t, s.purchaser, "another-key", s.rice, 3)
		if other[0].ID == got[0][0] || slices.Contains(ids(first), third[0].ID) || ordStock(t, db, s.rice.ID) != 92 {
			t.Fatalf("new keys: %v %v, stock %d", ids(other), ids(third), ordStock(t, db, s.rice.ID))
		}
		var n int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM orders`).Scan(&n)
		if n != 5 {
			t.Fatalf("%d orders, want 5", n)
		}
	})
}

// Nobody sees another buyer's or supplier's orders; 监管 and the office see
// all, read-only.
func TestOrderIsolation(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		s := newOrdShop(t, db)
		o := s.checkout(t, s.purchaser, "", s.rice, 2)[0]
		theirs := s.checkout(t, s.otherPurchaser, "", s.tea, 2)[0]
		unitUser := user(t, db, "chengjiaqiao") // a ledger user of the same street, not a buyer account
		for _, u := range []*xiezuo.User{s.otherPurchaser, s.otherSupplierU, unitUser, user(t, db, "lvchun"), user(t, db, "viewer")} {
			_, err := db.Order(ctx, u, o.ID)
			wantCode(t, err, xiezuo.ENOTFOUND)
			wantCode(t, db.OrderTransition(ctx, u, o.ID, market.OrderCancel, market.OrderInput{Reason: "x"}), xiezuo.ENOTFOUND)
			list, n, err := db.Orders(ctx, u, store.OrderFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(list, func(x market.Order) bool { return x.ID == o.ID }) {
				t.Errorf("%s sees the order in the list (%d)", u.Username, n)
			}
		}
		// Each party sees its own orders only, even asking for another's.
		for _, c := range []struct {
			u    *xiezuo.User
			f    store.OrderFilter
			want []int64
		}{
			{s.purchaser, store.OrderFilter{}, []int64{o.ID}},
			{s.buyerAdmin, store.OrderFilter{}, []int64{o.ID}},
			{s.supplierUser, store.OrderFilter{}, []int64{o.ID}},
			{s.otherSupplierU, store.OrderFilter{}, []int64{theirs.ID}},
			{s.otherPurchaser, store.OrderFilter{BuyerUnitID: s.buyerUnit}, nil},
			{s.supervisor, store.OrderFilter{}, []int64{theirs.ID, o.ID}},
			{s.supervisor, store.OrderFilter{BuyerUnitID: s.buyerUnit, Status: market.OrderPending, Channel: "shop"}, []int64{o.ID}},
			{s.supervisor, store.OrderFilter{SupplierID: s.otherSupplier}, []int64{theirs.ID}},
			{s.admin, store.OrderFilter{From: db.Today(), To: db.Today(), Limit: 1}, []int64{theirs.ID}},
			{s.admin, store.OrderFilter{Status: market.OrderSettled}, nil},
		} {
			list, _, err := db.Orders(ctx, c.u, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, x := range list {
				got = append(got, x.ID)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s %+v: %v, want %v", c.u.Username, c.f, got, c.want)
			}
		}
		if _, n, _ := db.Orders(ctx, s.admin, store.OrderFilter{Limit: 1}); n != 2 {
			t.Errorf("total = %d, want 2", n)
		}
		_, _, err := db.Orders(ctx, s.admin, store.OrderFilter{Status: "bogus"})
		wantCode(t, err, xiezuo.EINVALID)
		// 监管 and the office read it and cannot move it.
		for _, u := range []*xiezuo.User{s.supervisor, s.admin} {
			if got, err := db.Order(ctx, u, o.ID); err != nil || got.ID != o.ID {
				t.Fatalf("%s: %v", u.Username, err)
			}
			for _, a := range []market.OrderAction{market.OrderConfirm, market.OrderCancel} {
				wantCode(t, db.OrderTransition(ctx, u, o.ID, a, market.OrderInput{Reason: "检查"}), xiezuo.EFORBIDDEN)
			}
		}
		// Another supplier cannot confirm; a buyer account cannot check out
		// unless it is a purchaser.
		wantCode(t, db.OrderTransition(ctx, s.otherSupplierU, o.ID, market.OrderConfirm, market.OrderInput{}), xiezuo.ENOTFOUND)
		for _, u := range []*xiezuo.User{s.buyerAdmin, s.supplierUser, s.supervisor, s.admin, unitUser} {
			_, err := db.Checkout(ctx, u, ordCart(s.rice, 1), "")
			wantCode(t, err, xiezuo.EFORBIDDEN)
		}
		if s.status(t, o.ID) != market.OrderPending {
			t.Fatal("order moved")
		}
	})
}

// Bad carts are refused with a message naming the product, and nothing is
// written: no order, no stock taken, no audit entry.
func TestCheckoutBadInput(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		s := newOrdShop(t, db)
		suspended := ordSupplier(t, db, "绿春县停业食品厂", lvchun, market.SupplierSuspended)
		stale := ordProduct(t, db, suspended, "停业厂米线", ordVillage, 500, 100, 1, "2099-12-31")
		expired := ordProduct(t, db, s.supplier, "过期认定红米", ordVillage, 500, 100, 1, "2020-12-31")
		var audits int
		count := func() (orders, audit int) {
			db.SQL().QueryRow(`SELECT COUNT(*) FROM orders`).Scan(&orders)
			db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&audit)
			return
		}
		_, audits = count()
		for _, c := range []struct {
			name  string
			cart  []market.CartLine
			field string
			words []string
		}{
			{"empty cart", nil, "", []string{"购物车是空的"}},
			{"no product", []market.CartLine{{Qty: 1}}, "", []string{"无效的商品"}},
			{"unknown product", ordCart(&market.Product{ID: 999999}, 1), "qty.999999", []string{"999999", "不存在"}},
			{"quantity 0", ordCart(s.rice, 0), fmt.Sprintf("qty.%d", s.rice.ID), []string{"梯田红米", "数量"}},
			{"negative quantity, good line beside", ordCart(s.tea, 2, s.rice, -1), fmt.Sprintf("qty.%d", s.rice.ID), []string{"梯田红米"}},
			{"suspended supplier", ordCart(s.rice, 1, stale, 1), fmt.Sprintf("qty.%d", stale.ID), []string{"绿春县停业食品厂", "暂停"}},
			{"expired certificate", ordCart(s.rice, 1, expired, 1), fmt.Sprintf("qty.%d", expired.ID), []string{"过期认定红米", "到期"}},
			{"below minimum order", ordCart(s.rice, 1, s.tea, 1), fmt.Sprintf("qty.%d", s.tea.ID), []string{"绿春玛玉茶", "起订量为2袋"}},
			{"more than stock", ordCart(s.rice, 60, s.rice, 41), fmt.Sprintf("qty.%d", s.rice.ID), []string{"梯田红米", "库存不足", "剩余100袋", "需要101袋"}},
		} {
			_, err := db.Checkout(ctx, s.purchaser, c.cart, "k-"+c.name)
			wantCode(t, err, xiezuo.EINVALID)
			if c.field != "" && xiezuo.ErrorFields(err)[c.field] == "" {
				t.Errorf("%s: no problem on %s: %v", c.name, c.field, err)
			}
			for _, w := range c.words {
				if !strings.Contains(xiezuo.ErrorMessage(err), w) {
					t.Errorf("%s: message %q lacks %q", c.name, xiezuo.ErrorMessage(err), w)
				}
			}
			if o, a := count(); o != 0 || a != audits {
				t.Fatalf("%s: %d orders, %d audit entries written", c.name, o, a-audits)
			}
		}
		_, err := db.Checkout(ctx, s.purchaser, ordCart(s.rice, 1), strings.Repeat("k", 101))
		wantCode(t, err, xiezuo.EINVALID)
		if ordStock(t, db, s.rice.ID) != 100 || ordStock(t, db, s.tea.ID) != 50 || ordStock(t, db, stale.ID) != 100 {
			t.Fatal("stock taken by a refused checkout")
		}
		// A refused key is not spent: the same key with a good cart orders.
		if os := s.checkout(t, s.purchaser, "k-below minimum order", s.rice, 1, s.tea, 2); len(os) != 2 {
			t.Fatalf("%d orders", len(os))
		}
		if n, err := db.VerifyAudit(ctx, s.admin); err != nil {
			t.Fatalf("VerifyAudit = %d, %v", n, err)
		}
	})
}

// BenchmarkCheckout measures store-level checkouts per second with 64
// concurrent purchasers (one 2-line order each, products of large stock),
// with p50/p99 latency, beside the raw rate of single-row autocommit
// INSERTs into a scratch table on the same database in the same run
// (sequential: the engine's commit rate), and their ratio. SQLite always;
// PostgreSQL when XIEZUO_TEST_POSTGRES is set.
func BenchmarkCheckout(b *testing.B) {
	for _, eng := range testdb.Engines {
		b.Run(eng, func(b *testing.B) {
			db := testdb.OpenDemo(b, eng)
			org, err := db.OrgByName(ctx, "程家桥街道")
			if err != nil {
				b.Fatal(err)
			}
			unit := org.ID
			var buyers []*xiezuo.User
			for i := range 4 {
				buyers = append(buyers, ordUser(b, db, fmt.Sprintf("bench-p%d", i), xiezuo.RolePurchaser, unit))
			}
			sup := ordSupplier(b, db, "绿春县压测供应商", lvchun, market.SupplierAdmitted)
			var products []*market.Product
			for i := range 10 {
				products = append(products, ordProduct(b, db, sup, fmt.Sprintf("压测红米%02d", i), ordVillage, 3990, market.MaxQuantity, 1, "2099-12-31"))
			}
			const clients = 64
			lat := make([]time.Duration, b.N)
			var next atomic.Int64
			var failed atomic.Int64
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(c), 1))
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						p, q := products[r.IntN(10)], products[r.IntN(10)]
						t0 := time.Now()
						if _, err := db.Checkout(ctx, buyers[c%len(buyers)], ordCart(p, 1+r.IntN(5), q, 1+r.IntN(5)), ""); err != nil {
							failed.Add(1)
						}
						lat[i] = time.Since(t0)
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if failed.Load() > 0 {
				b.Fatalf("%d checkouts failed", failed.Load())
			}
			slices.Sort(lat)
			rate := float64(b.N) / elapsed.Seconds()
			raw := rawInsertRate(b, db)
			b.ReportMetric(rate, "checkouts/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(raw, "raw-inserts/s")
			b.ReportMetric(rate/raw, "ratio")
		})
	}
}

// rawInsertRate is single-row autocommit INSERTs per second into a scratch
// table, one after another, for about half a second.
func rawInsertRate(b *testing.B, db *store.DB) float64 {
	b.Helper()
	id := "INTEGER PRIMARY KEY"
	if db.Dialect == store.Postgres {
		id = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
	}
	if _, err := db.SQL().Exec(`CREATE TABLE bench_raw (id ` + id + `, v TEXT NOT NULL, n BIGINT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n := 0
	for ; time.Since(start) < 500*time.Millisecond; n++ {
		if _, err := db.SQL().Exec(`INSERT INTO bench_raw (v, n) VALUES ($1, $2)`, "XZ20261105000001", n); err != nil {
			b.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}
