package market

import (
	"testing"

	"github.com/xiezuo/xiezuo"
)

// The seed's lot: 170 亩 of 梯田红米 claimed by 临空园区's enterprises and
// people for about 67.7万元 (3,982.35 元 a 亩).
func riceLot() Lot {
	return Lot{ID: 1, Name: "梯田红米", SupplierID: supplierID, OriginCode: daxing, OrganiserID: 50, Year: 2020,
		Unit: "亩", Quantity: 170, PriceFen: 398235, YieldPerUnit: 400, YieldUnit: "斤"}
}

func TestLotValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		mod   func(*Lot)
		field string
		want  []string
	}{
		{"valid", nil, "", nil},
		{"yield unknown", func(l *Lot) { l.YieldPerUnit, l.YieldUnit = 0, "" }, "", nil},
		{"no name", func(l *Lot) { l.Name = "" }, "name", []string{"认购项目名称"}},
		{"no supplier", func(l *Lot) { l.SupplierID = 0 }, "supplier_id", []string{"供应商"}},
		{"origin a province", func(l *Lot) { l.OriginCode = "530000000000" }, "origin_code", []string{"产地"}},
		{"no organiser", func(l *Lot) { l.OrganiserID = 0 }, "organiser_id", []string{"组织认购"}},
		{"no unit", func(l *Lot) { l.Unit = "" }, "unit", []string{"认购单位"}},
		{"quantity 0", func(l *Lot) { l.Quantity = 0 }, "quantity", []string{"可认购数量"}},
		{"price 0", func(l *Lot) { l.PriceFen = 0 }, "price_fen", []string{"认购单价"}},
		{"total overflows", func(l *Lot) { l.PriceFen = xiezuo.MaxFen }, "price_fen", []string{"100亿"}},
		{"yield without unit", func(l *Lot) { l.YieldUnit = "" }, "yield_unit", []string{"产量单位"}},
		{"negative yield", func(l *Lot) { l.YieldPerUnit = -1 }, "yield_per_unit", []string{"单位产量"}},
		{"bad year", func(l *Lot) { l.Year = 0 }, "year", []string{"年度", "1996", "2027"}},
		{"year past next", func(l *Lot) { l.Year = 2028 }, "year", []string{"年度", "2027"}},
	}
	for _, c := range cases {
		l := riceLot()
		if c.mod != nil {
			c.mod(&l)
		}
		code := ""
		if c.field != "" {
			code = xiezuo.EINVALID
		}
		checkErr(t, c.name, l.Validate(today), code, c.field, c.want...)
	}
}

func TestCheckShares(t *testing.T) {
	t.Parallel()
	l := riceLot()
	ok := []Share{{OrgID: 61, Name: "上海虹桥临空经济园区发展有限公司", Units: 100}, {OrgID: 62, Name: "统一企业", Units: 60}, {Name: "张三", Units: 10}}
	if err := CheckShares(&l, ok); err != nil {
		t.Fatalf("170 of 170: %v", err)
	}
	if Remaining(&l, ok) != 0 || Remaining(&l, ok[:1]) != 70 || Remaining(&l, nil) != 170 {
		t.Error("Remaining")
	}
	cases := []struct {
		name   string
		shares []Share
		field  string
		want   []string
	}{
		{"over the lot", append(append([]Share{}, ok...), Share{Name: "李四", Units: 1}), "shares", []string{"认购合计171亩", "170亩"}},
		{"zero units", []Share{{OrgID: 61, Name: "统一企业", Units: 0}}, "shares.0", []string{"统一企业", "至少为1亩"}},
		{"one share over the lot", []Share{{Name: "王五", Units: 171}}, "shares.0", []string{"王五", "171亩", "170亩"}},
		{"no name", []Share{{OrgID: 61, Units: 1}, {Name: " ", Units: 1}}, "shares.1", []string{"第2位认购人"}},
		{"same organisation twice", []Share{{OrgID: 61, Name: "统一企业", Units: 1}, {OrgID: 61, Name: "统一企业", Units: 2}}, "shares.1", []string{"统一企业", "重复"}},
		{"same person twice", []Share{{Name: "张三", Units: 1}, {Name: "张三 ", Units: 2}}, "shares.1", []string{"张三", "重复"}},
	}
	for _, c := range cases {
		checkErr(t, c.name, CheckShares(&l, c.shares), xiezuo.EINVALID, c.field, c.want...)
	}
	// Two people of the same name in different organisations are fine.
	if err := CheckShares(&l, []Share{{OrgID: 61, Name: "统一企业", Units: 1}, {Name: "统一企业", Units: 1}}); err != nil {
		t.Errorf("an organisation and a person of one name: %v", err)
	}
}

func TestFulfil(t *testing.T) {
	t.Parallel()
	l := riceLot()
	shares := []Share{{OrgID: 61, Name: "临空园区企业", Units: 160}, {Name: "张三", Units: 10}}
	got, err := Fulfil(&l, shares, "2020-10-15")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].AmountFen != 160*398235 || got[0].Produce != 64000 || got[1].AmountFen != 3982350 || got[1].Produce != 4000 {
		t.Fatalf("fulfilment: %+v", got)
	}
	if sum := got[0].AmountFen + got[1].AmountFen; xiezuo.FormatWan(sum) != "67.70" {
		t.Errorf("the lot comes to %s万元, want 67.70", xiezuo.FormatWan(sum))
	}
	o := got[0].Order(&l, "2020-10-15")
	if err := o.Validate(); err != nil || o.BuyerUnitID != 61 || o.Channel != "subscription" || !Counts(o.Status) || o.TotalFen != got[0].AmountFen {
		t.Errorf("an enterprise's order: %+v, %v", o, err)
	}
	p := got[1].Order(&l, "2020-10-15")
	if err := p.Validate(); err != nil || p.BuyerUnitID != 50 || p.BuyerUnitName != "" {
		t.Errorf("a person's share counts under the organiser: %+v, %v", p, err)
	}
	_, err = Fulfil(&l, shares, "2020-10-32")
	checkErr(t, "bad harvest date", err, xiezuo.EINVALID, "harvest_on", "交付日期")
	_, err = Fulfil(&l, append(shares, Share{Name: "李四", Units: 1}), "2020-10-15")
	checkErr(t, "over-subscribed", err, xiezuo.EINVALID, "shares", "171亩")
}

func TestPledge(t *testing.T) {
	t.Parallel()
	pl := Pledge{ID: 3, GiverID: 70, GiverName: "爱心企业", CountyCode: jinping, AmountFen: 20_000_000, PledgedOn: "2020-09-18"}
	if err := pl.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		mod   func(*Pledge)
		field string
		want  string
	}{
		{"no giver", func(p *Pledge) { p.GiverID = 0 }, "giver_id", "认捐单位"},
		{"zero amount", func(p *Pledge) { p.AmountFen = 0 }, "amount_fen", "认捐金额"},
		{"huge amount", func(p *Pledge) { p.AmountFen = xiezuo.MaxFen + 1 }, "amount_fen", "100亿"},
		{"county a village", func(p *Pledge) { p.CountyCode = adi }, "county_code", "受援县"},
		{"no date", func(p *Pledge) { p.PledgedOn = "" }, "pledged_on", "认捐日期"},
	} {
		p := pl
		c.mod(&p)
		checkErr(t, c.name, p.Validate(), xiezuo.EINVALID, c.field, c.want)
	}

	order := func(pledge int64, st OrderStatus, fen int64) Order {
		return Order{PledgeID: pledge, Status: st, TotalFen: fen}
	}
	orders := []Order{
		order(3, OrderAccepted, 5_000_000),
		order(3, OrderSettled, 3_000_000),
		order(3, OrderShipped, 4_000_000),   // not yet accepted
		order(3, OrderCancelled, 9_000_000), // never counts
		order(3, OrderReturned, 2_000_000),  // reversed
		order(4, OrderAccepted, 7_000_000),  // another pledge
		order(0, OrderAccepted, 1_000_000),  // no pledge
	}
	got := pl.Progress(orders)
	want := PledgeProgress{PledgedFen: 20_000_000, DeliveredFen: 8_000_000, OutstandingFen: 12_000_000, ProgressBP: 4000, Delivery: "pledged"}
	if got != want {
		t.Errorf("progress %+v, want %+v", got, want)
	}
	orders = append(orders, order(3, OrderAccepted, 13_000_000))
	got = pl.Progress(orders)
	want = PledgeProgress{PledgedFen: 20_000_000, DeliveredFen: 21_000_000, OutstandingFen: 0, ProgressBP: 10500, Delivery: "delivered"}
	if got != want {
		t.Errorf("progress past the pledge %+v, want %+v", got, want)
	}
	unsaved := Pledge{AmountFen: 100}
	if got := unsaved.Progress([]Order{order(0, OrderAccepted, 100)}); got.DeliveredFen != 0 || got.Delivery != "pledged" {
		t.Errorf("an unsaved pledge takes no orders: %+v", got)
	}
}
