package market

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
)

// Supervision (区财政局): pure checks over the facts of order lines that
// the store reads for a period. Each flag carries its Chinese explanation.

// OrderFact is one line of one order with what supervision needs to know
// of its order, parties and product.
type OrderFact struct {
	OrderID      int64
	OrderNo      string
	OrderedOn    string
	Channel      string
	BuyerUnitID  int64
	BuyerName    string
	BuyerUSCC    string
	SupplierID   int64
	SupplierName string
	SupplierUSCC string
	ProductName  string
	Category     string
	Unit         string
	OriginCode   string
	OriginName   string
	Qty          int64
	PriceFen     int64
	AmountFen    int64
	Status       OrderStatus
	CountedOn    string // the day it began to count (accepted); "" if it never did
	ReversedOn   string // the day it was cancelled or returned
}

// Flag kinds, in the order Check lists them.
var FlagKinds = []ledger.Choice{
	{Code: "same_uscc", Label: "供需双方为同一主体"},
	{Code: "price", Label: "价格偏离同类中位数"},
	{Code: "burst", Label: "报送日前集中下单"},
	{Code: "reversed", Label: "计入后取消或退货"},
	{Code: "outside", Label: "产地不在结对县或832县"},
}

// Flag is one finding: its kind, the order (or, for a burst, the buyer
// unit) it is about, and why, in Chinese.
type Flag struct {
	Kind    string `json:"kind"`
	OrderID int64  `json:"order_id,omitempty"`
	OrderNo string `json:"order_no,omitempty"`
	UnitID  int64  `json:"unit_id,omitempty"`
	Message string `json:"message"`
}

// Rules are the parameters of Check.
type Rules struct {
	// PriceFactorPct: a unit price more than this percent of its
	// category's median, or less than its inverse, is flagged (200: more
	// than 2× or less than 0.5×). 0 takes DefaultPriceFactorPct.
	PriceFactorPct int64
	Burst          BurstRule
	// Counties are the county codes whose products count: the paired
	// counties and the 832 counties (empty: origins are not checked).
	Counties map[string]bool
}

// DefaultPriceFactorPct: 2×.
const DefaultPriceFactorPct int64 = 200

// MinPriceSamples is how many prices a category (and unit) needs before
// one of them is judged against its median.
const MinPriceSamples = 3

// Check runs every check over facts and returns the flags, grouped by
// kind in FlagKinds order.
func Check(facts []OrderFact, r Rules) []Flag {
	var out []Flag
	out = append(out, FlagSameUSCC(facts)...)
	out = append(out, FlagPrices(facts, r.PriceFactorPct)...)
	out = append(out, FlagBursts(facts, r.Burst)...)
	out = append(out, FlagReversed(facts)...)
	out = append(out, FlagOutside(facts, r.Counties)...)
	return out
}

// FlagSameUSCC flags each order whose supplier and buyer have the same
// 统一社会信用代码: a unit buying from itself.
func FlagSameUSCC(facts []OrderFact) []Flag {
	var out []Flag
	seen := map[int64]bool{}
	for _, f := range facts {
		if f.BuyerUSCC == "" || f.BuyerUSCC != f.SupplierUSCC || seen[f.OrderID] {
			continue
		}
		seen[f.OrderID] = true
		out = append(out, Flag{Kind: "same_uscc", OrderID: f.OrderID, OrderNo: f.OrderNo, UnitID: f.BuyerUnitID,
			Message: fmt.Sprintf("订单%s的采购单位“%s”与供应商“%s”统一社会信用代码相同（%s）", f.OrderNo, f.BuyerName, f.SupplierName, f.BuyerUSCC)})
	}
	return out
}

// FlagPrices flags each line whose unit price is more than factorPct
// percent of the median price of its category sold by the same unit
// (袋, 斤…: prices per 袋 and per 斤 are not compared), or less than the
// median divided by the factor. Cancelled lines are left out; a category
// needs MinPriceSamples prices. factorPct ≤ 100 takes the default.
func FlagPrices(facts []OrderFact, factorPct int64) []Flag {
	if factorPct <= 100 {
		factorPct = DefaultPriceFactorPct
	}
	type key struct{ category, unit string }
	prices := map[key][]int64{}
	for _, f := range facts {
		if f.Status != OrderCancelled && f.PriceFen > 0 {
			k := key{f.Category, f.Unit}
			prices[k] = append(prices[k], f.PriceFen)
		}
	}
	medians := map[key]int64{}
	for k, ps := range prices {
		if len(ps) >= MinPriceSamples {
			medians[k] = median(ps)
		}
	}
	var out []Flag
	for _, f := range facts {
		m, ok := medians[key{f.Category, f.Unit}]
		if !ok || f.Status == OrderCancelled || f.PriceFen <= 0 || m <= 0 {
			continue
		}
		// price > m × factor, or price × factor < m: both in integers
		// (prices ≤ MaxFen, factors ≤ a few thousand: no overflow).
		high := f.PriceFen*100 > m*factorPct
		low := f.PriceFen*factorPct < m*100
		if !high && !low {
			continue
		}
		dir := "高于"
		if low {
			dir = "低于"
		}
		out = append(out, Flag{Kind: "price", OrderID: f.OrderID, OrderNo: f.OrderNo, UnitID: f.BuyerUnitID,
			Message: fmt.Sprintf("订单%s中“%s”单价%s元/%s，%s同类（%s）中位数%s元的%s倍", f.OrderNo, f.ProductName,
				xiezuo.FormatYuan(f.PriceFen), f.Unit, dir, CategoryLabel(f.Category), xiezuo.FormatYuan(m), times(f.PriceFen, m))})
	}
	return out
}

// median of ps (sorted in place); the lower middle's and upper middle's
// mean for an even count.
func median(ps []int64) int64 {
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	n := len(ps)
	if n%2 == 1 {
		return ps[n/2]
	}
	return ps[n/2-1] + (ps[n/2]-ps[n/2-1])/2
}

// times shows a / b with two decimals: 4.98.
func times(a, b int64) string {
	h := a * 100 / b
	frac := strconv.FormatInt(h%100, 10)
	if len(frac) < 2 {
		frac = "0" + frac
	}
	return strconv.FormatInt(h/100, 10) + "." + frac
}

// BurstRule describes a burst: a buyer unit that placed at least
// MinOrders orders in the Days days up to and including ReportDate (a
// reporting deadline) whose amount is at least MinSharePct percent of
// all it ordered up to that date in the facts given (cancelled orders
// left out). An empty ReportDate or Days ≤ 0 turns the check off.
type BurstRule struct {
	ReportDate  string
	Days        int
	MinSharePct int64
	MinOrders   int
}

// FlagBursts flags each buyer unit with a burst of orders before the
// reporting date (one flag per unit).
func FlagBursts(facts []OrderFact, r BurstRule) []Flag {
	end, err := time.Parse(xiezuo.DateLayout, r.ReportDate)
	if err != nil || r.Days <= 0 {
		return nil
	}
	start := end.AddDate(0, 0, -(r.Days - 1)).Format(xiezuo.DateLayout)
	type tally struct {
		name         string
		all, window  int64
		windowOrders map[int64]bool
	}
	units := map[int64]*tally{}
	var order []int64
	for _, f := range facts {
		if f.Status == OrderCancelled || f.OrderedOn > r.ReportDate {
			continue
		}
		t := units[f.BuyerUnitID]
		if t == nil {
			t = &tally{name: f.BuyerName, windowOrders: map[int64]bool{}}
			units[f.BuyerUnitID] = t
			order = append(order, f.BuyerUnitID)
		}
		t.all += f.AmountFen
		if f.OrderedOn >= start {
			t.window += f.AmountFen
			t.windowOrders[f.OrderID] = true
		}
	}
	var out []Flag
	for _, id := range order {
		t := units[id]
		if t.all <= 0 || len(t.windowOrders) < max(r.MinOrders, 1) || t.window*100 < t.all*r.MinSharePct {
			continue
		}
		out = append(out, Flag{Kind: "burst", UnitID: id,
			Message: fmt.Sprintf("“%s”在%s报送日前%d天内下单%d笔、金额%s元，占其累计采购的%s", t.name,
				xiezuo.FormatDateCN(r.ReportDate), r.Days, len(t.windowOrders), xiezuo.FormatYuan(t.window), FormatPercent(t.window*10000/t.all))})
	}
	return out
}

// FlagReversed flags each order cancelled or returned after it had been
// counted in 消费帮扶: its figures in reports already sent change.
func FlagReversed(facts []OrderFact) []Flag {
	var out []Flag
	seen := map[int64]bool{}
	for _, f := range facts {
		if f.CountedOn == "" || (f.Status != OrderCancelled && f.Status != OrderReturned) || seen[f.OrderID] {
			continue
		}
		seen[f.OrderID] = true
		when := ""
		if f.ReversedOn != "" {
			when = "于" + xiezuo.FormatDateCN(f.ReversedOn)
		}
		out = append(out, Flag{Kind: "reversed", OrderID: f.OrderID, OrderNo: f.OrderNo, UnitID: f.BuyerUnitID,
			Message: fmt.Sprintf("订单%s于%s验收计入消费帮扶后%s%s，已冲减", f.OrderNo, xiezuo.FormatDateCN(f.CountedOn), when, f.Status.Label())})
	}
	return out
}

// FlagOutside flags each line whose origin lies outside counties (the
// paired and 832 counties): it does not count as 消费帮扶 of the work. An
// empty set turns the check off.
func FlagOutside(facts []OrderFact, counties map[string]bool) []Flag {
	if len(counties) == 0 {
		return nil
	}
	var out []Flag
	for _, f := range facts {
		if counties[registry.CountyOf(f.OriginCode)] {
			continue
		}
		origin := f.OriginName
		if origin == "" {
			origin = f.OriginCode
		}
		out = append(out, Flag{Kind: "outside", OrderID: f.OrderID, OrderNo: f.OrderNo, UnitID: f.BuyerUnitID,
			Message: fmt.Sprintf("订单%s中“%s”的产地“%s”不在结对县或832县之列，不计入消费帮扶", f.OrderNo, f.ProductName, origin)})
	}
	return out
}
