package market

import (
	"testing"

	"github.com/xiezuo/xiezuo"
)

func goodRow() Row832 {
	return Row832{OrderNo: "832202010150001", Date: "2020-10-15", BuyerUnit: "长宁区财政局", Supplier: "绿春县正华农产品加工厂",
		Product: "梯田红米 5斤装", CountyCode: lvchun, Quantity: 20, AmountFen: 119600, Status: "已完成"}
}

func TestRow832Validate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		mod   func(*Row832)
		field string
		want  []string
	}{
		{"valid", nil, "", nil},
		{"excel's text apostrophe and lower case", func(r *Row832) { r.OrderNo = " '832abc " }, "", nil},
		{"status with spaces", func(r *Row832) { r.Status = " 交易 成功 " }, "", nil},
		{"no order no", func(r *Row832) { r.OrderNo = " " }, "order_no", []string{"订单编号"}},
		{"order no too long", func(r *Row832) { r.OrderNo = "8322020101500018322020101500018322020101500018322020101500018322020" }, "order_no", []string{"订单编号", "64"}},
		{"no date", func(r *Row832) { r.Date = "" }, "date", []string{"下单日期"}},
		{"bad date", func(r *Row832) { r.Date = "2020-02-30" }, "date", []string{"下单日期", "2月只有29天"}},
		{"future date", func(r *Row832) { r.Date = "2026-12-01" }, "date", []string{"下单日期", "晚于今天"}},
		{"no buyer", func(r *Row832) { r.BuyerUnit = "" }, "buyer_unit", []string{"采购单位"}},
		{"no supplier", func(r *Row832) { r.Supplier = "" }, "supplier", []string{"供应商"}},
		{"no product", func(r *Row832) { r.Product = "" }, "product", []string{"商品名称"}},
		{"county unresolved", func(r *Row832) { r.CountyCode = "" }, "county_code", []string{"产地县"}},
		{"county a village", func(r *Row832) { r.CountyCode = adi }, "county_code", []string{"产地县", "县级"}},
		{"quantity 0", func(r *Row832) { r.Quantity = 0 }, "quantity", []string{"数量"}},
		{"quantity huge", func(r *Row832) { r.Quantity = MaxQuantity + 1 }, "quantity", []string{"数量过大"}},
		{"amount 0", func(r *Row832) { r.AmountFen = 0 }, "amount_fen", []string{"金额"}},
		{"amount huge", func(r *Row832) { r.AmountFen = xiezuo.MaxFen + 1 }, "amount_fen", []string{"金额", "100亿"}},
		{"no status", func(r *Row832) { r.Status = "" }, "status", []string{"订单状态"}},
		{"unknown status", func(r *Row832) { r.Status = "拼团中" }, "status", []string{"订单状态", "拼团中", "已完成"}},
	}
	for _, c := range cases {
		r := goodRow()
		if c.mod != nil {
			c.mod(&r)
		}
		code := ""
		if c.field != "" {
			code = xiezuo.EINVALID
		}
		checkErr(t, c.name, r.Validate(today), code, c.field, c.want...)
	}
	r := goodRow()
	r.OrderNo = " '832abc "
	if err := r.Validate(today); err != nil || r.OrderNo != "832ABC" {
		t.Errorf("normalised order no %q, %v", r.OrderNo, err)
	}
}

func TestStatus832(t *testing.T) {
	t.Parallel()
	for word, want := range map[string]OrderStatus{
		"已完成": OrderSettled, "交易成功": OrderSettled, "待发货": OrderToShip, "待收货": OrderShipped,
		"已取消": OrderCancelled, "交易关闭": OrderCancelled, "已退款": OrderReturned, "待付款": OrderPending,
	} {
		if got, ok := Status832(word); !ok || got != want {
			t.Errorf("Status832(%q) = %q, %v; want %q", word, got, ok, want)
		}
	}
	if _, ok := Status832("完成"); ok {
		t.Error("an unknown word is not guessed")
	}
	// Only finished purchases count; a refund never does.
	done, _ := Status832("已完成")
	refund, _ := Status832("已退款")
	if !Counts(done) || Counts(refund) {
		t.Error("已完成 counts, 已退款 does not")
	}
}

func TestRow832Key(t *testing.T) {
	t.Parallel()
	a := goodRow()
	b := goodRow() // the same order exported again a month later
	b.Status, b.AmountFen, b.OrderNo, b.Product = "已退款", 100000, " 832202010150001 ", "梯田红米  5斤装"
	if a.Key() != b.Key() {
		t.Errorf("same purchase, keys %q and %q", a.Key(), b.Key())
	}
	c := goodRow()
	c.Product = "绿春茶"
	d := goodRow()
	d.OrderNo = "832202010150002"
	if a.Key() == c.Key() || a.Key() == d.Key() {
		t.Error("another product or order must have another key")
	}
	dups := DuplicateRows([]Row832{a, c, b, d, a})
	if len(dups) != 2 || dups[2] != 0 || dups[4] != 0 {
		t.Errorf("DuplicateRows = %v", dups)
	}
}

func TestRow832Line(t *testing.T) {
	t.Parallel()
	r := goodRow()
	l := r.Line()
	if l.PriceFen != 5980 || l.AmountFen != 119600 || l.Qty != 20 || l.OriginCode != lvchun || l.ProductName != "梯田红米 5斤装" {
		t.Errorf("line %+v", l)
	}
	r.Quantity, r.AmountFen = 3, 10000 // 33.333… 元 a unit: amount only
	l = r.Line()
	if l.PriceFen != 0 || l.AmountFen != 10000 {
		t.Errorf("uneven line %+v", l)
	}
	o := Order{Channel: "p832", OrderedOn: r.Date, BuyerUnitID: unitID, SupplierID: supplierID, Lines: []OrderLine{l}, TotalFen: 10000, Status: OrderSettled}
	if err := o.Validate(); err != nil {
		t.Errorf("an imported order by amount: %v", err)
	}
}
