package market

import (
	"testing"

	"github.com/xiezuo/xiezuo"
)

func goodOrder() Order {
	return Order{ID: 1, No: "CN20261120001", Channel: "shop", OrderedOn: "2026-11-01", BuyerUnitID: unitID, PurchaserID: 8,
		SupplierID: supplierID, Status: OrderPending, TotalFen: 119600 + 9000,
		Lines: []OrderLine{
			{ProductID: 101, ProductName: "梯田红米", Category: "grain_oil", OriginCode: adi, Unit: "袋", Qty: 20, PriceFen: 5980, AmountFen: 119600},
			{ProductID: 102, ProductName: "绿春茶", Category: "tea", OriginCode: lvchun, Unit: "盒", Qty: 1, PriceFen: 9000, AmountFen: 9000},
		}}
}

func TestChannels(t *testing.T) {
	t.Parallel()
	want := []string{"本平台商城", "832平台", "工会采购", "企业采购", "展销会", "直营店/专柜", "定向采购", "认领/认购"}
	if len(Channels) != len(want) {
		t.Fatalf("%d channels", len(Channels))
	}
	for i, c := range Channels {
		if c.Label != want[i] || ChannelLabel(c.Code) != want[i] || !ValidChannel(c.Code) {
			t.Errorf("channel %d: %+v", i, c)
		}
	}
	if ValidChannel("832平台") {
		t.Error("a label is not a code")
	}
}

func TestOrderValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		mod   func(*Order)
		field string
		want  []string
	}{
		{"valid", nil, "", nil},
		{"import outside the catalogue", func(o *Order) { o.Channel, o.Lines[0].ProductID, o.Lines[0].Category = "p832", 0, "" }, "", nil},
		{"import by amount only", func(o *Order) {
			o.Channel, o.Lines[0].PriceFen, o.Lines[0].AmountFen, o.TotalFen = "p832", 0, 10000, 19000
		}, "", nil},
		{"import by amount only, amount 0", func(o *Order) { o.Channel, o.Lines[0].PriceFen, o.Lines[0].AmountFen, o.TotalFen = "p832", 0, 0, 9000 }, "lines.0", []string{"梯田红米", "金额须大于0"}},
		{"import by amount only, amount huge", func(o *Order) { o.Channel, o.Lines[0].PriceFen, o.Lines[0].AmountFen = "union", 0, xiezuo.MaxFen+1 }, "lines.0", []string{"梯田红米", "100亿"}},
		{"the shop needs a price", func(o *Order) { o.Lines[0].PriceFen, o.Lines[0].AmountFen, o.TotalFen = 0, 10000, 19000 }, "lines.0", []string{"梯田红米", "单价"}},
		{"bad channel", func(o *Order) { o.Channel = "" }, "channel", []string{"采购渠道"}},
		{"bad date", func(o *Order) { o.OrderedOn = "2026-13-01" }, "ordered_on", []string{"下单日期", "月份"}},
		{"no buyer", func(o *Order) { o.BuyerUnitID = 0 }, "buyer_unit_id", []string{"采购单位"}},
		{"no supplier", func(o *Order) { o.SupplierID = 0 }, "supplier_id", []string{"供应商"}},
		{"a union's unit", func(o *Order) { o.Channel, o.ForUnitID = "union", 7 }, "", nil},
		{"a unit on a shop order", func(o *Order) { o.ForUnitID = 7 }, "for_unit_id", []string{"只有工会采购"}},
		{"the union as its own unit", func(o *Order) { o.Channel, o.ForUnitID = "union", o.BuyerUnitID }, "for_unit_id", []string{"不能是工会本身"}},
		{"bad status", func(o *Order) { o.Status = "paid" }, "status", []string{"订单状态"}},
		{"no lines", func(o *Order) { o.Lines, o.TotalFen = nil, 0 }, "lines", []string{"至少"}},
		{"line without name", func(o *Order) { o.Lines[1].ProductName = " " }, "lines.1", []string{"第2行", "商品名称"}},
		{"qty 0", func(o *Order) { o.Lines[0].Qty, o.Lines[0].AmountFen, o.TotalFen = 0, 0, 9000 }, "lines.0", []string{"梯田红米", "数量"}},
		{"price 0", func(o *Order) { o.Lines[0].PriceFen, o.Lines[0].AmountFen, o.TotalFen = 0, 0, 9000 }, "lines.0", []string{"梯田红米", "单价"}},
		{"amount not qty × price", func(o *Order) { o.Lines[0].AmountFen = 100000 }, "lines.0", []string{"梯田红米", "数量×单价", "1,196.00"}},
		{"amount overflows", func(o *Order) { o.Lines[0].Qty, o.Lines[0].PriceFen = 10_000_000, xiezuo.MaxFen }, "lines.0", []string{"梯田红米", "100亿"}},
		{"origin missing", func(o *Order) { o.Lines[1].OriginCode = "" }, "lines.1", []string{"绿春茶", "产地"}},
		{"origin a prefecture", func(o *Order) { o.Lines[1].OriginCode = "532500000000" }, "lines.1", []string{"绿春茶", "产地"}},
		{"bad category", func(o *Order) { o.Lines[1].Category = "drinks" }, "lines.1", []string{"绿春茶", "品类"}},
		{"total wrong", func(o *Order) { o.TotalFen = 1 }, "total_fen", []string{"订单金额", "1,286.00"}},
		{"total overflows", func(o *Order) {
			o.Lines[0].Qty, o.Lines[0].PriceFen, o.Lines[0].AmountFen = 1, xiezuo.MaxFen, xiezuo.MaxFen
		}, "total_fen", []string{"100亿"}},
	}
	for _, c := range cases {
		o := goodOrder()
		if c.mod != nil {
			c.mod(&o)
		}
		code := ""
		if c.field != "" {
			code = xiezuo.EINVALID
		}
		checkErr(t, c.name, o.Validate(), code, c.field, c.want...)
	}
	o := goodOrder()
	o.Status = ""
	if err := o.Validate(); err != nil || o.Status != OrderPending {
		t.Errorf("a new order: %v, status %q", err, o.Status)
	}
}

func TestCounts(t *testing.T) {
	t.Parallel()
	counting := map[OrderStatus]bool{OrderAccepted: true, OrderSettled: true}
	for _, s := range OrderStatuses {
		if Counts(s) != counting[s] {
			t.Errorf("Counts(%s) = %v", s, Counts(s))
		}
		if s.Label() == string(s) || !s.Valid() {
			t.Errorf("status %s: label or validity", s)
		}
	}
	effects := []struct {
		from, to OrderStatus
		want     int
	}{
		{OrderToAccept, OrderAccepted, 1},
		{OrderAccepted, OrderSettled, 0},
		{OrderSettled, OrderReturned, -1},
		{OrderAccepted, OrderReturned, -1},
		{OrderPending, OrderCancelled, 0},
		{OrderPending, OrderToShip, 0},
	}
	for _, e := range effects {
		if got := LedgerEffect(e.from, e.to); got != e.want {
			t.Errorf("LedgerEffect(%s → %s) = %d, want %d", e.from, e.to, got, e.want)
		}
	}
	for _, s := range OrderStatuses {
		if ReturnsStock(s) != (s == OrderCancelled) {
			t.Errorf("ReturnsStock(%s)", s)
		}
	}
}

func TestOrderTransition(t *testing.T) {
	t.Parallel()
	ship := OrderInput{Carrier: "顺丰速运", TrackingNo: "SF1234567890"}
	accept := OrderInput{InvoiceRef: "photo/2026/11/inv-1.jpg", InspectionRef: "photo/2026/11/chk-1.jpg"}
	settle := OrderInput{PaymentRef: "GK2026-1120-01", PaidOn: "2026-11-20", Today: today}
	steps := []struct {
		user  string
		from  OrderStatus
		a     OrderAction
		in    OrderInput
		to    OrderStatus
		code  string
		field string // the input field named, for EINVALID
	}{
		// the happy path
		{"supplier", OrderPending, OrderConfirm, OrderInput{}, OrderToShip, "", ""},
		{"supplier", OrderToShip, OrderShip, ship, OrderShipped, "", ""},
		{"purchaser", OrderShipped, OrderReceive, OrderInput{}, OrderToAccept, "", ""},
		{"supplier", OrderShipped, OrderReceive, OrderInput{}, OrderToAccept, "", ""},
		{"purchaser", OrderToAccept, OrderAccept, accept, OrderAccepted, "", ""},
		{"manager", OrderAccepted, OrderSettle, settle, OrderSettled, "", ""},
		// confirm and ship: the supplier of the order only
		{"other-supplier", OrderPending, OrderConfirm, OrderInput{}, "", xiezuo.EFORBIDDEN, ""},
		{"purchaser", OrderPending, OrderConfirm, OrderInput{}, "", xiezuo.EFORBIDDEN, ""},
		{"admin", OrderPending, OrderConfirm, OrderInput{}, "", xiezuo.EFORBIDDEN, ""},
		{"supplier", OrderToShip, OrderConfirm, OrderInput{}, "", xiezuo.ECONFLICT, ""},
		{"supplier", OrderPending, OrderShip, ship, "", xiezuo.ECONFLICT, ""},
		{"supplier", OrderToShip, OrderShip, OrderInput{TrackingNo: "SF1"}, "", xiezuo.EINVALID, "carrier"},
		{"supplier", OrderToShip, OrderShip, OrderInput{Carrier: "顺丰速运"}, "", xiezuo.EINVALID, "tracking_no"},
		// receive and accept
		{"other-buyer", OrderShipped, OrderReceive, OrderInput{}, "", xiezuo.EFORBIDDEN, ""},
		{"purchaser", OrderToShip, OrderReceive, OrderInput{}, "", xiezuo.ECONFLICT, ""},
		{"manager", OrderToAccept, OrderAccept, accept, "", xiezuo.EFORBIDDEN, ""},
		{"supplier", OrderToAccept, OrderAccept, accept, "", xiezuo.EFORBIDDEN, ""},
		{"other-buyer", OrderToAccept, OrderAccept, accept, "", xiezuo.EFORBIDDEN, ""},
		{"purchaser", OrderShipped, OrderAccept, accept, "", xiezuo.ECONFLICT, ""},
		{"purchaser", OrderToAccept, OrderAccept, OrderInput{InspectionRef: "x.jpg"}, "", xiezuo.EINVALID, "invoice_ref"},
		{"purchaser", OrderToAccept, OrderAccept, OrderInput{InvoiceRef: "inv.jpg"}, OrderAccepted, "", ""},
		// settle: the buyer's management account, with the payment
		{"purchaser", OrderAccepted, OrderSettle, settle, "", xiezuo.EFORBIDDEN, ""},
		{"other-manager", OrderAccepted, OrderSettle, settle, "", xiezuo.EFORBIDDEN, ""},
		{"manager", OrderToAccept, OrderSettle, settle, "", xiezuo.ECONFLICT, ""},
		{"manager", OrderAccepted, OrderSettle, OrderInput{PaidOn: "2026-11-20", Today: today}, "", xiezuo.EINVALID, "payment_ref"},
		{"manager", OrderAccepted, OrderSettle, OrderInput{PaymentRef: "GK1", Today: today}, "", xiezuo.EINVALID, "paid_on"},
		{"manager", OrderAccepted, OrderSettle, OrderInput{PaymentRef: "GK1", PaidOn: "2026-10-31", Today: today}, "", xiezuo.EINVALID, "paid_on"},
		{"manager", OrderAccepted, OrderSettle, OrderInput{PaymentRef: "GK1", PaidOn: "2026-11-21", Today: today}, "", xiezuo.EINVALID, "paid_on"},
		// cancel: before shipping, by the buyer or (with a reason) the supplier
		{"purchaser", OrderPending, OrderCancel, OrderInput{}, OrderCancelled, "", ""},
		{"manager", OrderToShip, OrderCancel, OrderInput{}, OrderCancelled, "", ""},
		{"supplier", OrderToShip, OrderCancel, OrderInput{Reason: "缺货"}, OrderCancelled, "", ""},
		{"supplier", OrderToShip, OrderCancel, OrderInput{}, "", xiezuo.EINVALID, "reason"},
		{"other-buyer", OrderPending, OrderCancel, OrderInput{}, "", xiezuo.EFORBIDDEN, ""},
		{"admin", OrderPending, OrderCancel, OrderInput{}, "", xiezuo.EFORBIDDEN, ""},
		{"purchaser", OrderShipped, OrderCancel, OrderInput{}, "", xiezuo.ECONFLICT, ""},
		{"purchaser", OrderAccepted, OrderCancel, OrderInput{}, "", xiezuo.ECONFLICT, ""},
		// return: after acceptance, by the buyer's management account or the supplier
		{"manager", OrderAccepted, OrderReturn, OrderInput{Reason: "霉变"}, OrderReturned, "", ""},
		{"supplier", OrderSettled, OrderReturn, OrderInput{Reason: "霉变"}, OrderReturned, "", ""},
		{"manager", OrderSettled, OrderReturn, OrderInput{}, "", xiezuo.EINVALID, "reason"},
		{"purchaser", OrderAccepted, OrderReturn, OrderInput{Reason: "霉变"}, "", xiezuo.EFORBIDDEN, ""},
		{"manager", OrderShipped, OrderReturn, OrderInput{Reason: "霉变"}, "", xiezuo.ECONFLICT, ""},
		{"manager", OrderReturned, OrderReturn, OrderInput{Reason: "霉变"}, "", xiezuo.ECONFLICT, ""},
		// nobody else
		{"supervisor", OrderPending, OrderCancel, OrderInput{}, "", xiezuo.EFORBIDDEN, ""},
		{"unit", OrderPending, OrderCancel, OrderInput{}, "", xiezuo.EFORBIDDEN, ""},
		{"anon", OrderPending, OrderConfirm, OrderInput{}, "", xiezuo.EFORBIDDEN, ""},
		{"supplier", OrderPending, "pay", OrderInput{}, "", xiezuo.EINVALID, ""},
	}
	for _, s := range steps {
		o := goodOrder()
		o.Status = s.from
		got, err := Transition(&o, s.a, users[s.user], s.in)
		if got != s.to || xiezuo.ErrorCode(err) != s.code {
			t.Errorf("%s %s on %s = %q, %v; want %q, %q", s.user, s.a, s.from, got, err, s.to, s.code)
			continue
		}
		if s.field != "" {
			if _, ok := xiezuo.ErrorFields(err)[s.field]; !ok {
				t.Errorf("%s %s on %s: no message for %s in %v", s.user, s.a, s.from, s.field, err)
			}
		}
	}
	o := goodOrder()
	o.Status = OrderShipped
	_, err := Transition(&o, OrderCancel, users["purchaser"], OrderInput{})
	checkErr(t, "cancel after shipping", err, xiezuo.ECONFLICT, "", "CN20261120001", "发货后不能取消")
}

func TestCanViewOrder(t *testing.T) {
	t.Parallel()
	o := goodOrder()
	if got := allowed(func(u *xiezuo.User) bool { return CanViewOrder(u, &o) }); got != "admin reviewer supplier manager purchaser supervisor" {
		t.Errorf("CanViewOrder: %q", got)
	}
	if got := allowed(CanCheckout); got != "purchaser other-buyer" {
		t.Errorf("CanCheckout: %q", got)
	}
}

func TestSplitCart(t *testing.T) {
	t.Parallel()
	s7, s8 := goodSupplier(), goodSupplier()
	s8.ID, s8.Name, s8.CountyCode = otherSupplierID, "金平县绿鑫生态茶叶有限公司", jinping
	rice := goodProduct()
	tea := Product{ID: 102, SupplierID: supplierID, Name: "绿春茶", Category: "tea", OriginCode: lvchun, Unit: "盒",
		PriceFen: 9000, Stock: 5, MinOrder: 2, Cert: rice.Cert, Status: ProductListed}
	jp := Product{ID: 201, SupplierID: otherSupplierID, Name: "金平古树茶", Category: "tea", OriginCode: jinping, Unit: "饼",
		PriceFen: 25000, Stock: 10, MinOrder: 1, Cert: Certification{No: "JP-1", CountyCode: jinping, ValidUntil: "2027-01-01"}, Status: ProductListed}

	drafts, err := SplitCart([]CartLine{
		{&rice, &s7, 12}, {&jp, &s8, 1}, {&tea, &s7, 2}, {&rice, &s7, 8},
	}, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(drafts) != 2 || drafts[0].SupplierID != supplierID || drafts[1].SupplierID != otherSupplierID {
		t.Fatalf("drafts: %+v", drafts)
	}
	d := drafts[0]
	if len(d.Lines) != 2 || d.Lines[0].ProductID != 101 || d.Lines[0].Qty != 20 || d.Lines[0].AmountFen != 119600 ||
		d.Lines[0].OriginCode != adi || d.Lines[0].PriceFen != 5980 || d.Lines[1].AmountFen != 18000 || d.TotalFen != 137600 {
		t.Errorf("supplier 7's draft: %+v", d)
	}
	if drafts[1].TotalFen != 25000 || len(drafts[1].Lines) != 1 {
		t.Errorf("supplier 8's draft: %+v", drafts[1])
	}
	o := d.Order(unitID, 8, today)
	if err := o.Validate(); err != nil || o.Channel != "shop" || o.Status != OrderPending || o.OrderedOn != today {
		t.Errorf("draft's order: %+v, %v", o, err)
	}

	expired := jp
	expired.Cert.ValidUntil = "2026-11-19"
	cheap := rice
	cheap.ID, cheap.PriceFen, cheap.Stock = 103, xiezuo.MaxFen/2, 10
	bad := []struct {
		name  string
		lines []CartLine
		field string
		want  []string
	}{
		{"below minimum order", []CartLine{{&tea, &s7, 1}}, "qty.102", []string{"绿春茶", "起订量为2盒"}},
		{"merged lines over stock", []CartLine{{&tea, &s7, 3}, {&tea, &s7, 3}}, "qty.102", []string{"绿春茶", "库存不足", "剩余5盒", "需要6盒"}},
		{"zero quantity", []CartLine{{&rice, &s7, 0}}, "qty.101", []string{"梯田红米", "数量"}},
		{"negative quantity", []CartLine{{&rice, &s7, -3}}, "qty.101", []string{"梯田红米", "数量"}},
		{"expired certificate", []CartLine{{&rice, &s7, 1}, {&expired, &s8, 1}}, "qty.201", []string{"金平古树茶", "到期"}},
		{"amount overflow", []CartLine{{&cheap, &s7, 3}}, "qty.103", []string{"梯田红米", "100亿"}},
		{"supplier total overflow", []CartLine{{&cheap, &s7, 2}, {&rice, &s7, 1}}, "qty.101", []string{"正华农产品加工厂", "100亿"}},
		{"quantity overflow", []CartLine{{&rice, &s7, MaxQuantity}, {&rice, &s7, 1}}, "qty.101", []string{"梯田红米", "数量过大"}},
	}
	for _, c := range bad {
		drafts, err := SplitCart(c.lines, today)
		if drafts != nil {
			t.Errorf("%s: drafts %+v with an error", c.name, drafts)
		}
		checkErr(t, c.name, err, xiezuo.EINVALID, c.field, c.want...)
	}
	suspended := s8
	suspended.Status = SupplierSuspended
	_, err = SplitCart([]CartLine{{&jp, &suspended, 1}, {&tea, &s7, 1}}, today)
	checkErr(t, "two problems, each named", err, xiezuo.EINVALID, "qty.201", "金平县绿鑫生态茶叶有限公司", "暂停")
	checkErr(t, "two problems, each named", err, xiezuo.EINVALID, "qty.102", "绿春茶", "起订量")
	_, err = SplitCart(nil, today)
	checkErr(t, "empty cart", err, xiezuo.EINVALID, "", "购物车")
	_, err = SplitCart([]CartLine{{&jp, &s7, 1}}, today)
	checkErr(t, "a line with another supplier", err, xiezuo.EINTERNAL, "")

	checkErr(t, "ShortOfStock", ShortOfStock(&tea, 7), xiezuo.ECONFLICT, "", "绿春茶", "剩余5盒", "需要7盒")
}
