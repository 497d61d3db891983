package store_test

import (
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/store"
)

// ledgerDelivery is a county's approved consumption money by delivery,
// all years: 认捐 (pledged) and 到位 (delivered), from the dashboard's
// running sums, checked against the contribution list's totals.
func ledgerDelivery(t *testing.T, db *store.DB, county string) (pledged, delivered int64) {
	t.Helper()
	s, err := db.DashboardSums(ctx, report.ForYear(0, county))
	if err != nil {
		t.Fatal(err)
	}
	admin := user(t, db, "admin")
	for _, d := range []string{"pledged", "delivered"} {
		_, lt, err := db.ListContributions(ctx, admin, ledger.ContributionFilter{CountyCode: county, Form: "consumption", Delivery: d, Status: ledger.StatusApproved})
		if err != nil {
			t.Fatal(err)
		}
		var other int64 // the dashboard's delivery sums cover every form
		_, all, err := db.ListContributions(ctx, admin, ledger.ContributionFilter{CountyCode: county, Delivery: d, Status: ledger.StatusApproved})
		if err != nil {
			t.Fatal(err)
		}
		other = all.AmountFen - lt.AmountFen
		if got := s.Delivery[d].Fen - other; got != lt.AmountFen {
			t.Fatalf("%s %s: dashboard %d fen, list %d fen", county, d, got, lt.AmountFen)
		}
		if d == "pledged" {
			pledged = lt.AmountFen
		} else {
			delivered = lt.AmountFen
		}
	}
	return pledged, delivered
}

// The seed's kind of lot: 170 亩 of 梯田红米 organised by a unit, shared by
// organisations and people, fulfilled at harvest into orders that count
// in the ledger exactly once.
func TestLotFlow(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		s := newOrdShop(t, db)
		organiser := s.buyerUnit // 程家桥街道, whose management account runs its 认购
		xinhua, linkong := orgID(t, db, "新华路街道"), orgID(t, db, "临空园区")
		lot := &market.Lot{Name: "梯田红米", SupplierID: s.supplier, OriginCode: ordVillage, OrganiserID: organiser, Year: 2020,
			Unit: "亩", Quantity: 170, PriceFen: 398200, YieldPerUnit: 400, YieldUnit: "斤"}

		// Who may: not a purchaser, not another unit, not the supplier, not 监管.
		otherAdmin := ordUser(t, db, "xhl-admin", xiezuo.RoleBuyerAdmin, xinhua)
		for _, u := range []*xiezuo.User{s.purchaser, otherAdmin, s.supplierUser, s.supervisor, user(t, db, "chengjiaqiao")} {
			l := *lot
			wantCode(t, db.SaveLot(ctx, u, &l), xiezuo.EFORBIDDEN)
		}
		bad := *lot
		bad.SupplierID = organiser // an east-side unit
		wantField(t, db.SaveLot(ctx, s.buyerAdmin, &bad), "supplier_id")
		if err := db.SaveLot(ctx, s.buyerAdmin, lot); err != nil {
			t.Fatal(err)
		}
		if got := auditActions(t, db, "lot", lot.ID); len(got) != 1 || got[0] != "create" {
			t.Errorf("lot audit %v", got)
		}

		shares := []*market.Share{{OrgID: xinhua, Units: 100}, {Name: "张三", Units: 40}, {OrgID: linkong, Units: 20}}
		for _, sh := range shares {
			if err := db.SaveShare(ctx, s.buyerAdmin, lot.ID, sh); err != nil {
				t.Fatal(err)
			}
		}
		if shares[0].Name != "新华路街道" {
			t.Errorf("an organisation's share keeps its registered name: %q", shares[0].Name)
		}
		// Over the lot: refused, naming the subscriber; nothing written.
		over := &market.Share{Name: "李四", Units: 11}
		err := db.SaveShare(ctx, s.buyerAdmin, lot.ID, over)
		wantField(t, err, "units")
		if msg := xiezuo.ErrorFields(err)["units"]; !strings.Contains(msg, "李四") || !strings.Contains(msg, "剩余可认购的10亩") {
			t.Errorf("over the lot: %q", msg)
		}
		raised := *shares[1]
		raised.Units = 51
		wantField(t, db.SaveShare(ctx, s.buyerAdmin, lot.ID, &raised), "units")
		wantCode(t, db.SaveShare(ctx, otherAdmin, lot.ID, &market.Share{Name: "王五", Units: 1}), xiezuo.ENOTFOUND) // not theirs to see
		wantCode(t, db.SaveShare(ctx, s.purchaser, lot.ID, &market.Share{Name: "王五", Units: 1}), xiezuo.EFORBIDDEN)
		// Edit and remove before fulfilment.
		shares[1].Units = 45
		if err := db.SaveShare(ctx, s.buyerAdmin, lot.ID, shares[1]); err != nil {
			t.Fatal(err)
		}
		extra := &market.Share{Name: "王五", Units: 5}
		if err := db.SaveShare(ctx, s.buyerAdmin, lot.ID, extra); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteShare(ctx, s.buyerAdmin, lot.ID, extra.ID); err != nil {
			t.Fatal(err)
		}
		// Not below what is subscribed.
		smaller := *lot
		smaller.Quantity = 164
		wantField(t, db.SaveLot(ctx, s.buyerAdmin, &smaller), "quantity")
		v, err := db.Lot(ctx, s.admin, lot.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Subscribed != 165 || v.Remaining != 5 || len(v.Shares) != 3 || v.Status != market.LotOpen {
			t.Fatalf("lot before harvest: %+v", v)
		}
		if _, err := db.Lot(ctx, otherAdmin, lot.ID); xiezuo.ErrorCode(err) != xiezuo.ENOTFOUND {
			t.Errorf("another unit sees the lot: %v", err)
		}
		if _, err := db.Lot(ctx, s.supplierUser, lot.ID); err != nil {
			t.Errorf("the lot's supplier: %v", err)
		}

		// Fulfilment: who may, and a date within reason.
		for _, u := range []*xiezuo.User{s.purchaser, s.supervisor} {
			if _, err := db.FulfilLot(ctx, u, lot.ID, "2020-10-20"); xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
				t.Errorf("%s fulfils: %v", u.Username, err)
			}
		}
		if _, err := db.FulfilLot(ctx, otherAdmin, lot.ID, "2020-10-20"); xiezuo.ErrorCode(err) != xiezuo.ENOTFOUND {
			t.Errorf("another unit fulfils: %v", err)
		}
		_, err = db.FulfilLot(ctx, s.buyerAdmin, lot.ID, "2019-10-20")
		wantField(t, err, "harvest_on")
		before2020 := yearConsumption(t, db, 2020)
		pledgedBefore, deliveredBefore := ledgerDelivery(t, db, lvchun)
		orders, err := db.FulfilLot(ctx, s.buyerAdmin, lot.ID, "2020-10-20")
		if err != nil {
			t.Fatal(err)
		}
		want := int64(165 * 398200)
		var sum int64
		for _, o := range orders {
			sum += o.TotalFen
			if o.Channel != "subscription" || o.Status != market.OrderAccepted || o.OrderedOn != "2020-10-20" {
				t.Errorf("order %+v", o)
			}
		}
		if len(orders) != 3 || sum != want {
			t.Fatalf("%d orders for %d fen, want 3 for %d", len(orders), sum, want)
		}
		if orders[1].BuyerUnitID != organiser || orders[0].BuyerUnitID != xinhua || orders[2].BuyerUnitID != linkong {
			t.Errorf("buyers: %d %d %d (a person's share is the organiser's)", orders[0].BuyerUnitID, orders[1].BuyerUnitID, orders[2].BuyerUnitID)
		}
		if got := yearConsumption(t, db, 2020) - before2020; got != want {
			t.Errorf("2020's consumption rose by %d fen, want %d", got, want)
		}
		if p, d := ledgerDelivery(t, db, lvchun); p != pledgedBefore || d-deliveredBefore != want {
			t.Errorf("绿春县 pledged %+d, delivered %+d; want 0, %d", p-pledgedBefore, d-deliveredBefore, want)
		}
		// One contribution per order, given by the buyer.
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM contributions c JOIN lot_shares s ON s.order_id = c.order_id WHERE s.lot_id = $1 AND c.delivery = 'delivered'`, lot.ID).Scan(&n); err != nil || n != 3 {
			t.Errorf("contributions of the lot's orders: %d, %v", n, err)
		}
		// Locked: a second fulfilment, a share, an edit are refused; nothing moves.
		if _, err := db.FulfilLot(ctx, s.buyerAdmin, lot.ID, "2020-10-21"); xiezuo.ErrorCode(err) != xiezuo.ECONFLICT {
			t.Errorf("second fulfilment: %v", err)
		}
		wantCode(t, db.SaveShare(ctx, s.buyerAdmin, lot.ID, &market.Share{Name: "王五", Units: 1}), xiezuo.ECONFLICT)
		wantCode(t, db.DeleteShare(ctx, s.buyerAdmin, lot.ID, shares[0].ID), xiezuo.ECONFLICT)
		edit := *lot
		wantCode(t, db.SaveLot(ctx, s.admin, &edit), xiezuo.ECONFLICT)
		if got := yearConsumption(t, db, 2020) - before2020; got != want {
			t.Errorf("after the refusals 2020's consumption is %+d fen, want %d", got, want)
		}
		v, _ = db.Lot(ctx, s.admin, lot.ID)
		if v.Status != market.LotFulfilled || v.HarvestOn != "2020-10-20" || v.Shares[0].OrderNo == "" {
			t.Errorf("fulfilled lot: %+v", v)
		}
		if got := auditActions(t, db, "lot", lot.ID); len(got) != 2 || got[1] != "fulfil" {
			t.Errorf("lot audit %v", got)
		}
		lots, err := db.Lots(ctx, s.buyerAdmin, store.LotFilter{Year: 2020})
		if err != nil || len(lots) != 1 || lots[0].ID != lot.ID {
			t.Errorf("the organiser's lots: %d, %v", len(lots), err)
		}
		if lots, _ := db.Lots(ctx, otherAdmin, store.LotFilter{}); len(lots) != 0 {
			t.Errorf("another unit lists %d lots", len(lots))
		}
	})
}

// yearConsumption is the approved consumption money of a year, all
// counties.
func yearConsumption(t *testing.T, db *store.DB, year int) int64 {
	t.Helper()
	s, err := db.DashboardSums(ctx, report.ForYear(year, ""))
	if err != nil {
		t.Fatal(err)
	}
	return s.Area("consumption")
}

// A pledge (认捐) stands in the ledger as 认捐 for exactly what is not yet
// 到位: through its life — recorded, an order accepted, that order
// returned, the pledge met — the 认捐 and 到位 totals are right and the
// consumption total never counts a yuan twice.
func TestPledgeLedger(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		s := newOrdShop(t, db)
		step := func(name string, wantPledged, wantDelivered int64, p0, d0 int64) {
			t.Helper()
			p, d := ledgerDelivery(t, db, lvchun)
			if p-p0 != wantPledged || d-d0 != wantDelivered {
				t.Errorf("%s: 认捐 %+d, 到位 %+d fen; want %d, %d", name, p-p0, d-d0, wantPledged, wantDelivered)
			}
		}
		p0, d0 := ledgerDelivery(t, db, lvchun)
		pl := &market.Pledge{GiverID: s.buyerUnit, CountyCode: lvchun, AmountFen: 100_000, PledgedOn: "2026-03-01", Note: "梯田红米采购清单"}
		for _, u := range []*xiezuo.User{s.purchaser, s.supervisor, s.supplierUser, user(t, db, "chengjiaqiao")} {
			p := *pl
			wantCode(t, db.SavePledge(ctx, u, &p), xiezuo.EFORBIDDEN)
		}
		future := *pl
		future.PledgedOn = "2099-01-01"
		wantField(t, db.SavePledge(ctx, s.buyerAdmin, &future), "pledged_on")
		if err := db.SavePledge(ctx, s.buyerAdmin, pl); err != nil {
			t.Fatal(err)
		}
		step("pledged", 100_000, 0, p0, d0)
		v, err := db.Pledge(ctx, s.purchaser, pl.ID)
		if err != nil || v.LedgerID == 0 || v.Progress.OutstandingFen != 100_000 {
			t.Fatalf("pledge %+v, %v", v, err)
		}
		// The 认捐 line follows the pledge: the office cannot reopen it in the ledger.
		wantCode(t, db.Transition(ctx, s.admin, ledger.KindContribution, v.LedgerID, ledger.ActionReopen, "金额有误"), xiezuo.ECONFLICT)
		if _, err := db.Pledge(ctx, s.otherPurchaser, pl.ID); xiezuo.ErrorCode(err) != xiezuo.ENOTFOUND {
			t.Errorf("another unit sees the pledge: %v", err)
		}

		// A shop order counted towards it: nothing moves until accepted.
		o := s.checkout(t, s.purchaser, "", s.rice, 20)[0] // 20 × 39.90 = 798 元
		wantCode(t, db.SetOrderPledge(ctx, s.otherPurchaser, o.ID, pl.ID), xiezuo.ENOTFOUND)
		if err := db.SetOrderPledge(ctx, s.purchaser, o.ID, pl.ID); err != nil {
			t.Fatal(err)
		}
		step("order placed", 100_000, 0, p0, d0)
		s.step(t, s.supplierUser, o.ID, market.OrderConfirm, market.OrderInput{})
		s.step(t, s.supplierUser, o.ID, market.OrderShip, market.OrderInput{Carrier: "顺丰", TrackingNo: "SF1"})
		s.step(t, s.purchaser, o.ID, market.OrderReceive, market.OrderInput{})
		s.step(t, s.purchaser, o.ID, market.OrderAccept, market.OrderInput{InvoiceRef: "photo:1"})
		step("order accepted", 100_000-79_800, 79_800, p0, d0)
		v, _ = db.Pledge(ctx, s.admin, pl.ID)
		if v.Progress.DeliveredFen != 79_800 || v.Progress.OutstandingFen != 20_200 || len(v.Orders) != 1 {
			t.Errorf("progress after acceptance: %+v", v.Progress)
		}
		s.step(t, s.buyerAdmin, o.ID, market.OrderReturn, market.OrderInput{Reason: "霉变"})
		step("order returned", 100_000, 0, p0, d0)

		// Someone else's pledge, or goods of another county, do not fit.
		voucher := func(buyer int64, county string, fen int64, pledge int64) *market.Order {
			return &market.Order{Channel: "targeted", OrderedOn: "2026-04-01", BuyerUnitID: buyer, SupplierID: s.supplier, Status: market.OrderAccepted,
				TotalFen: fen, PledgeID: pledge, Lines: []market.OrderLine{{ProductName: "梯田红米", OriginCode: county, Qty: 100, AmountFen: fen}}}
		}
		xinhua := orgID(t, db, "新华路街道")
		_, err = db.RecordPurchase(ctx, s.admin, voucher(xinhua, ordVillage, 100_000, pl.ID), "V-1", "targeted|V-1")
		wantField(t, err, "pledge_id")
		_, err = db.RecordPurchase(ctx, s.admin, voucher(s.buyerUnit, "532530000000", 100_000, pl.ID), "V-2", "targeted|V-2")
		wantField(t, err, "pledge_id")
		step("refused vouchers", 100_000, 0, p0, d0)

		// A voucher for the whole amount: the pledge is met, its 认捐 line gone.
		if _, err := db.RecordPurchase(ctx, s.buyerAdmin, voucher(s.buyerUnit, ordVillage, 100_000, pl.ID), "V-3", "targeted|V-3"); err != nil {
			t.Fatal(err)
		}
		step("pledge met", 0, 100_000, p0, d0)
		v, _ = db.Pledge(ctx, s.admin, pl.ID)
		if v.LedgerID != 0 || v.Progress.Delivery != "delivered" || v.Progress.ProgressBP != 10000 {
			t.Errorf("met pledge: ledger %d, %+v", v.LedgerID, v.Progress)
		}
		open, err := db.Pledges(ctx, s.buyerAdmin, store.PledgeFilter{GiverID: s.buyerUnit, Open: true})
		if err != nil || len(open) != 0 {
			t.Errorf("open pledges after it is met: %d, %v", len(open), err)
		}
		// Raising the pledge brings 认捐 back for the new difference only.
		pl.AmountFen = 150_000
		if err := db.SavePledge(ctx, s.admin, pl); err != nil {
			t.Fatal(err)
		}
		step("pledge raised", 50_000, 100_000, p0, d0)
		// It carries orders: no other giver, no deletion.
		moved := *pl
		moved.GiverID = xinhua
		wantCode(t, db.SavePledge(ctx, s.admin, &moved), xiezuo.ECONFLICT)
		wantCode(t, db.DeletePledge(ctx, s.admin, pl.ID), xiezuo.ECONFLICT)

		// A pledge with no order can go, with its line.
		spare := &market.Pledge{GiverID: s.buyerUnit, CountyCode: lvchun, AmountFen: 7_000, PledgedOn: "2026-05-01"}
		if err := db.SavePledge(ctx, s.admin, spare); err != nil {
			t.Fatal(err)
		}
		step("second pledge", 57_000, 100_000, p0, d0)
		if err := db.DeletePledge(ctx, s.buyerAdmin, spare.ID); err != nil {
			t.Fatal(err)
		}
		step("second pledge deleted", 50_000, 100_000, p0, d0)
		if got := auditActions(t, db, "pledge", pl.ID); len(got) != 2 || got[0] != "create" || got[1] != "update" {
			t.Errorf("pledge audit %v", got)
		}
	})
}
