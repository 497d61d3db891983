package store_test

import (
	"strconv"
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/store"
)

// TestConsumptionChannels: the dashboard's 消费帮扶 by channel (running
// sums) equals, channel by channel, the contributions list filtered to
// that channel — whole months from the same sums, a partial month from
// the rows — and the records no order posted make up the rest of the
// area's total.
func TestConsumptionChannels(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		s := newOrdShop(t, db)
		today := db.Today()
		year, _ := strconv.Atoi(today[:4])
		var shop int64
		for i := 0; i < 2; i++ {
			o := s.checkout(t, s.purchaser, "", s.rice, 3+i)[0]
			s.step(t, s.supplierUser, o.ID, market.OrderConfirm, market.OrderInput{})
			s.step(t, s.supplierUser, o.ID, market.OrderShip, market.OrderInput{Carrier: "顺丰速运", TrackingNo: "SF2"})
			s.step(t, s.purchaser, o.ID, market.OrderReceive, market.OrderInput{})
			s.step(t, s.purchaser, o.ID, market.OrderAccept, market.OrderInput{InvoiceRef: "photo:2"})
			shop += o.TotalFen
		}
		union := &market.Order{Channel: "union", OrderedOn: today[:4] + "-01-20", BuyerUnitID: s.buyerUnit, SupplierID: s.supplier, Status: market.OrderAccepted,
			TotalFen: 50_000, Lines: []market.OrderLine{{ProductName: "梯田红米", Category: "grain_oil", OriginCode: ordVillage, Unit: "袋", Qty: 10, AmountFen: 50_000}}}
		if _, err := db.RecordPurchase(ctx, s.admin, union, "GH-1", "test:union:1"); err != nil {
			t.Fatal(err)
		}
		// A consumption record no order posted, approved, this year.
		c := &ledger.Contribution{Header: ledger.Header{UnitID: s.buyerUnit}, DateFrom: today[:4] + "-02-10", Givers: []ledger.Org{{ID: s.buyerUnit}},
			CountyCode: lvchun, Form: "consumption", Sector: "industry", Delivery: "delivered", AmountFen: 77_700, Item: "展销会现场采购"}
		if err := db.SaveContribution(ctx, s.admin, c); err != nil {
			t.Fatal(err)
		}
		for _, a := range []ledger.Action{ledger.ActionSubmit, ledger.ActionApprove} {
			if err := db.Transition(ctx, s.admin, ledger.KindContribution, c.ID, a, ""); err != nil {
				t.Fatal(err)
			}
		}

		for _, f := range []report.Filter{report.ForYear(year, ""), report.ForYear(year, lvchun), report.ForYear(0, "")} {
			sums, ok, err := db.ConsumptionChannels(ctx, f)
			if err != nil || !ok {
				t.Fatalf("%+v: %v %v", f, ok, err)
			}
			got := map[string]int64{}
			var byOrders int64
			for _, x := range sums {
				got[x.Code] = x.Fen
				byOrders += x.Fen
				lf := ledger.ContributionFilter{CountyCode: f.CountyCode, Area: "consumption", Status: ledger.StatusApproved, From: f.From, To: f.To, Channel: x.Code}
				if _, tot, err := db.ListContributions(ctx, s.admin, lf); err != nil || tot.AmountFen != x.Fen || tot.Count != x.N {
					t.Fatalf("%+v channel %s: figure %d fen (%d), list %d fen (%d), %v", f, x.Code, x.Fen, x.N, tot.AmountFen, tot.Count, err)
				}
			}
			if got["shop"] != shop || got["union"] != 50_000 || (f.Year != 0 && len(sums) != 2) {
				t.Fatalf("%+v: channels %+v, want shop %d, union 50000", f, sums, shop)
			}
			ds, err := db.DashboardSums(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			lf := ledger.ContributionFilter{CountyCode: f.CountyCode, Area: "consumption", Status: ledger.StatusApproved, From: f.From, To: f.To, Channel: ledger.ChannelNone}
			_, none, err := db.ListContributions(ctx, s.admin, lf)
			if err != nil || none.AmountFen != ds.Area("consumption")-byOrders || (f.Year != 0 && none.AmountFen != 77_700) {
				t.Fatalf("%+v: not from orders %d fen, area %d − orders %d, %v", f, none.AmountFen, ds.Area("consumption"), byOrders, err)
			}
		}
		// A partial month (the rows) agrees with the sums' whole months.
		lf := ledger.ContributionFilter{Area: "consumption", Status: ledger.StatusApproved, From: today[:4] + "-01-15", To: today[:4] + "-01-31", Channel: "union"}
		if _, tot, err := db.ListContributions(ctx, s.admin, lf); err != nil || tot.AmountFen != 50_000 {
			t.Fatalf("partial month: %d, %v", tot.AmountFen, err)
		}
		lf.Channel = "shop"
		if _, tot, err := db.ListContributions(ctx, s.admin, lf); err != nil || tot.AmountFen != 0 {
			t.Fatalf("partial month, shop: %d, %v", tot.AmountFen, err)
		}
		if _, _, err := db.ListContributions(ctx, s.admin, ledger.ContributionFilter{Channel: "bogus"}); xiezuo.ErrorCode(err) != xiezuo.EINVALID {
			t.Fatalf("bogus channel: %v", err)
		}
		if _, ok, err := db.ConsumptionChannels(ctx, report.Filter{From: today[:8] + "02", To: today}); ok || err != nil {
			t.Fatalf("a partial month gives channels: %v %v", ok, err)
		}
	})
}
