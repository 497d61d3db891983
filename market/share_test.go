package market

import (
	"math"
	"testing"

	"github.com/xiezuo/xiezuo"
)

func TestShareFilingValidate(t *testing.T) {
	t.Parallel()
	good := func() ShareFiling {
		return ShareFiling{UnitID: unitID, Year: 2026, BudgetFen: 50_000_000, RatioBP: 1500}
	}
	cases := []struct {
		name   string
		mod    func(*ShareFiling)
		office int64
		field  string
		want   []string
	}{
		{"valid", nil, DefaultRatioBP, "", nil},
		{"next year", func(f *ShareFiling) { f.Year = 2027 }, DefaultRatioBP, "", nil},
		{"no canteen", func(f *ShareFiling) { f.NoCanteen, f.BudgetFen = true, 0 }, DefaultRatioBP, "", nil},
		{"no unit", func(f *ShareFiling) { f.UnitID = 0 }, DefaultRatioBP, "unit_id", []string{"预算单位"}},
		{"year too far", func(f *ShareFiling) { f.Year = 2028 }, DefaultRatioBP, "year", []string{"年度", "2027"}},
		{"year too early", func(f *ShareFiling) { f.Year = 2000 }, DefaultRatioBP, "year", []string{"年度"}},
		{"no budget", func(f *ShareFiling) { f.BudgetFen = 0 }, DefaultRatioBP, "budget_fen", []string{"预算", "无食堂"}},
		{"negative budget", func(f *ShareFiling) { f.BudgetFen = -1 }, DefaultRatioBP, "budget_fen", []string{"预算"}},
		{"huge budget", func(f *ShareFiling) { f.BudgetFen = xiezuo.MaxFen + 1 }, DefaultRatioBP, "budget_fen", []string{"预算", "100亿"}},
		{"no canteen with a budget", func(f *ShareFiling) { f.NoCanteen = true }, DefaultRatioBP, "budget_fen", []string{"无食堂"}},
		{"ratio below the office's", func(f *ShareFiling) { f.RatioBP = 500 }, DefaultRatioBP, "ratio_bp", []string{"预留比例", "10.00%"}},
		{"ratio below a raised office ratio", nil, 2000, "ratio_bp", []string{"预留比例", "20.00%"}},
		{"ratio over 100%", func(f *ShareFiling) { f.RatioBP = 10001 }, DefaultRatioBP, "ratio_bp", []string{"预留比例", "100%"}},
	}
	for _, c := range cases {
		f := good()
		if c.mod != nil {
			c.mod(&f)
		}
		code := ""
		if c.field != "" {
			code = xiezuo.EINVALID
		}
		checkErr(t, c.name, f.Validate(today, c.office), code, c.field, c.want...)
	}
	f := good()
	f.RatioBP = 0
	if err := f.Validate(today, 1200); err != nil || f.RatioBP != 1200 || f.Reserved() != 6_000_000 {
		t.Errorf("ratio 0 takes the office's: %v, %d, reserved %d", err, f.RatioBP, f.Reserved())
	}
	f = ShareFiling{UnitID: unitID, Year: 2026, NoCanteen: true, RatioBP: 1000}
	if err := f.Validate(today, DefaultRatioBP); err != nil || f.Reserved() != 0 || f.RatioBP != 0 {
		t.Errorf("无食堂: %v, reserved %d", err, f.Reserved())
	}
}

func TestReservedAndProgress(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ budget, ratio, want int64 }{
		{50_000_000, 1000, 5_000_000}, // 50万元 × 10% = 5万元
		{12345, 1000, 1235},           // 1234.5 fen rounds half up
		{12344, 1000, 1234},
		{xiezuo.MaxFen, 10000, xiezuo.MaxFen},
		{0, 1000, 0},
		{-5, 1000, 0},
		{100, 10001, 0},
	} {
		if got := ReservedFen(c.budget, c.ratio); got != c.want {
			t.Errorf("ReservedFen(%d, %d) = %d, want %d", c.budget, c.ratio, got, c.want)
		}
	}
	for _, c := range []struct {
		reserved, purchased, bp int64
		ok                      bool
		text                    string
	}{
		{5_000_000, 1_250_000, 2500, true, "25.00%"},
		{5_000_000, 6_000_000, 12000, true, "120.00%"},
		{3, 1, 3333, true, "33.33%"},
		{5_000_000, 0, 0, true, "0.00%"},
		{0, 100, 0, false, "无预留份额"},
		{1, math.MaxInt64, math.MaxInt64, true, ""},
	} {
		bp, ok := Progress(c.reserved, c.purchased)
		if bp != c.bp || ok != c.ok {
			t.Errorf("Progress(%d, %d) = %d, %v", c.reserved, c.purchased, bp, ok)
		}
		if c.text != "" && ProgressText(c.reserved, c.purchased) != c.text {
			t.Errorf("ProgressText(%d, %d) = %q", c.reserved, c.purchased, ProgressText(c.reserved, c.purchased))
		}
	}
}

func TestRankShares(t *testing.T) {
	t.Parallel()
	rows := []ShareRow{
		{UnitID: 1, UnitName: "新华路街道", ReservedFen: 1000, PurchasedFen: 500},
		{UnitID: 2, UnitName: "财政局", ReservedFen: 1000, PurchasedFen: 1200},
		{UnitID: 3, UnitName: "无食堂单位", ReservedFen: 0, PurchasedFen: 9000},
		{UnitID: 4, UnitName: "生态环境局", ReservedFen: 2000, PurchasedFen: 1000},
		{UnitID: 5, UnitName: "程家桥街道", ReservedFen: 1000, PurchasedFen: 0},
		{UnitID: 6, UnitName: "无食堂未采购", ReservedFen: 0, PurchasedFen: 0},
	}
	got := RankShares(rows)
	want := []struct {
		id   int64
		rank int
		bp   int64
	}{{2, 1, 12000}, {4, 2, 5000}, {1, 2, 5000}, {5, 4, 0}, {3, 0, 0}, {6, 0, 0}}
	for i, w := range want {
		if got[i].UnitID != w.id || got[i].Rank != w.rank || got[i].ProgressBP != w.bp {
			t.Errorf("row %d: %+v, want unit %d rank %d progress %d", i, got[i], w.id, w.rank, w.bp)
		}
	}
	if rows[0].Rank != 0 || rows[0].ProgressBP != 0 {
		t.Error("RankShares changed its input")
	}
}

func TestSharePolicy(t *testing.T) {
	t.Parallel()
	if got := allowed(func(u *xiezuo.User) bool { return CanFileShare(u, unitID) }); got != "manager" {
		t.Errorf("CanFileShare: %q", got)
	}
	if got := allowed(CanSetRatio); got != "admin reviewer" {
		t.Errorf("CanSetRatio: %q", got)
	}
	if got := allowed(func(u *xiezuo.User) bool { return CanSeeShare(u, unitID, 0) }); got != "admin reviewer manager purchaser supervisor" {
		t.Errorf("CanSeeShare: %q", got)
	}
	// Unit 11's management account supervises unit 10; its purchasers do not.
	if got := allowed(func(u *xiezuo.User) bool { return CanSeeShare(u, unitID, otherUnitID) }); got != "admin reviewer manager purchaser other-manager supervisor" {
		t.Errorf("CanSeeShare with a supervising unit: %q", got)
	}
}
