package market

import (
	"testing"

	"github.com/xiezuo/xiezuo"
)

func TestLotAndPledgeRoles(t *testing.T) {
	t.Parallel()
	l := riceLot() // organised by unit 50, supplier supplierID
	pl := Pledge{ID: 3, GiverID: 70, AmountFen: 100}
	users := []struct {
		name                     string
		u                        *xiezuo.User
		manageLot, viewLot       bool
		managePledge, viewPledge bool
	}{
		{"nobody", nil, false, false, false, false},
		{"admin", &xiezuo.User{Role: xiezuo.RoleAdmin}, true, true, true, true},
		{"reviewer", &xiezuo.User{Role: xiezuo.RoleReviewer}, true, true, true, true},
		{"监管", &xiezuo.User{Role: RoleSupervisor, OrgID: 9}, false, true, false, true},
		{"organiser's management account", &xiezuo.User{Role: RoleBuyerAdmin, OrgID: 50}, true, true, false, false},
		{"organiser's purchaser", &xiezuo.User{Role: RolePurchaser, OrgID: 50}, false, true, false, false},
		{"another unit's management account", &xiezuo.User{Role: RoleBuyerAdmin, OrgID: 51}, false, false, false, false},
		{"the lot's supplier", &xiezuo.User{Role: RoleSupplier, OrgID: supplierID}, false, true, false, false},
		{"another supplier", &xiezuo.User{Role: RoleSupplier, OrgID: supplierID + 1}, false, false, false, false},
		{"giver's management account", &xiezuo.User{Role: RoleBuyerAdmin, OrgID: 70}, false, false, true, true},
		{"giver's purchaser", &xiezuo.User{Role: RolePurchaser, OrgID: 70}, false, false, false, true},
		{"a reporting unit of the giver's id", &xiezuo.User{Role: xiezuo.RoleUnit, OrgID: 70}, false, false, false, false},
		{"county", &xiezuo.User{Role: xiezuo.RoleCounty, CountyCode: lvchun}, false, false, false, false},
	}
	for _, c := range users {
		if got := CanManageLot(c.u, l.OrganiserID); got != c.manageLot {
			t.Errorf("%s: CanManageLot = %v", c.name, got)
		}
		if got := CanViewLot(c.u, &l); got != c.viewLot {
			t.Errorf("%s: CanViewLot = %v", c.name, got)
		}
		if got := CanManagePledge(c.u, pl.GiverID); got != c.managePledge {
			t.Errorf("%s: CanManagePledge = %v", c.name, got)
		}
		if got := CanViewPledge(c.u, &pl); got != c.viewPledge {
			t.Errorf("%s: CanViewPledge = %v", c.name, got)
		}
	}
	o := Order{BuyerUnitID: 70}
	for _, c := range []struct {
		u    *xiezuo.User
		want bool
	}{{nil, false}, {&xiezuo.User{Role: xiezuo.RoleAdmin}, true}, {&xiezuo.User{Role: RolePurchaser, OrgID: 70}, true}, {&xiezuo.User{Role: RoleBuyerAdmin, OrgID: 70}, true},
		{&xiezuo.User{Role: RoleSupervisor}, false}, {&xiezuo.User{Role: RolePurchaser, OrgID: 71}, false}, {&xiezuo.User{Role: RoleSupplier, OrgID: 70}, false}} {
		if got := CanPledgeOrder(c.u, &o); got != c.want {
			t.Errorf("CanPledgeOrder(%+v) = %v", c.u, got)
		}
	}
	if CanManageLot(&xiezuo.User{Role: RoleBuyerAdmin}, 0) {
		t.Error("a management account without a unit manages a lot without an organiser")
	}
}

func TestCheckHarvest(t *testing.T) {
	t.Parallel()
	l := riceLot() // 2020
	if err := CheckHarvest(&l, "2020-10-20", today); err != nil {
		t.Fatal(err)
	}
	checkErr(t, "empty", CheckHarvest(&l, "", today), xiezuo.EINVALID, "harvest_on", "交付日期不能为空")
	checkErr(t, "bad", CheckHarvest(&l, "2020-02-30", today), xiezuo.EINVALID, "harvest_on", "交付日期")
	checkErr(t, "before the lot's year", CheckHarvest(&l, "2019-12-31", today), xiezuo.EINVALID, "harvest_on", "2020年")
	checkErr(t, "in the future", CheckHarvest(&l, "2026-11-21", today), xiezuo.EINVALID, "harvest_on", "晚于今天")
}

func TestPledgeFitsAndLine(t *testing.T) {
	t.Parallel()
	pl := Pledge{ID: 3, GiverID: 70, GiverName: "爱心企业", CountyCode: jinping, AmountFen: 20_000_000, PledgedOn: "2020-09-18"}
	o := Order{BuyerUnitID: 70, Lines: []OrderLine{{ProductName: "勐拉百香果", OriginCode: "532530103000"}}}
	if err := PledgeFits(&pl, &o); err != nil {
		t.Fatal(err)
	}
	other := o
	other.BuyerUnitID = 71
	checkErr(t, "another buyer", PledgeFits(&pl, &other), xiezuo.EINVALID, "pledge_id", "爱心企业")
	fromLvchun := o
	fromLvchun.Lines = append([]OrderLine{}, o.Lines...)
	fromLvchun.Lines = append(fromLvchun.Lines, OrderLine{ProductName: "梯田红米", OriginCode: daxing})
	checkErr(t, "a line of another county", PledgeFits(&pl, &fromLvchun), xiezuo.EINVALID, "pledge_id", "梯田红米")
	anyCounty := pl
	anyCounty.CountyCode = ""
	if err := PledgeFits(&anyCounty, &fromLvchun); err != nil {
		t.Errorf("a pledge without a county takes any county's goods: %v", err)
	}

	// The ledger line is the outstanding amount, through the pledge's life.
	steps := []struct {
		name   string
		orders []Order
		fen    int64
		ok     bool
	}{
		{"pledged, nothing bought", nil, 20_000_000, true},
		{"an order shipped, not yet accepted", []Order{{PledgeID: 3, Status: OrderShipped, TotalFen: 5_000_000}}, 20_000_000, true},
		{"that order accepted", []Order{{PledgeID: 3, Status: OrderAccepted, TotalFen: 5_000_000}}, 15_000_000, true},
		{"and returned", []Order{{PledgeID: 3, Status: OrderReturned, TotalFen: 5_000_000}}, 20_000_000, true},
		{"fully met", []Order{{PledgeID: 3, Status: OrderSettled, TotalFen: 20_000_000}}, 0, false},
		{"more than met", []Order{{PledgeID: 3, Status: OrderAccepted, TotalFen: 25_000_000}}, 0, false},
	}
	for _, s := range steps {
		fen, ok := PledgeLine(&pl, pl.Progress(s.orders))
		if fen != s.fen || ok != s.ok {
			t.Errorf("%s: line %d, %v; want %d, %v", s.name, fen, ok, s.fen, s.ok)
		}
	}
	if _, ok := PledgeLine(&anyCounty, anyCounty.Progress(nil)); ok {
		t.Error("a pledge without a county has a ledger line")
	}
}

func TestCheckShare(t *testing.T) {
	t.Parallel()
	l := riceLot() // 170 亩
	shares := []Share{{ID: 1, OrgID: 61, Name: "携程", Units: 100}, {ID: 2, Name: "张三", Units: 60}}
	if err := CheckShare(&l, shares, &Share{OrgID: 62, Name: "统一企业", Units: 10}); err != nil {
		t.Fatalf("the last 10 亩: %v", err)
	}
	if err := CheckShare(&l, shares, &Share{ID: 1, OrgID: 61, Name: "携程", Units: 110}); err != nil {
		t.Fatalf("携程 raising its own share to 110: %v", err)
	}
	checkErr(t, "over what is left", CheckShare(&l, shares, &Share{OrgID: 62, Name: "统一企业", Units: 11}), xiezuo.EINVALID, "units", "统一企业", "11亩", "剩余可认购的10亩")
	checkErr(t, "an edit over the lot", CheckShare(&l, shares, &Share{ID: 2, Name: "张三", Units: 71}), xiezuo.EINVALID, "units", "张三", "71亩", "70亩")
	checkErr(t, "zero", CheckShare(&l, shares, &Share{Name: "李四"}), xiezuo.EINVALID, "units", "李四", "至少为1亩")
	checkErr(t, "the same organisation again", CheckShare(&l, shares, &Share{OrgID: 61, Name: "携程", Units: 1}), xiezuo.EINVALID, "name", "携程", "已认购100亩")
	checkErr(t, "the same person again", CheckShare(&l, shares, &Share{Name: "张三", Units: 1}), xiezuo.EINVALID, "name", "张三", "重复")
	checkErr(t, "no name", CheckShare(&l, shares, &Share{Name: " ", Units: 1}), xiezuo.EINVALID, "name", "认购人名称不能为空")
}
