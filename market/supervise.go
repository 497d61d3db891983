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
// unit) it is about, the day it is about (the order's date; a burst's
// reporting date; the day a counted order was reversed), and why, in
// Chinese.
type Flag struct {
	Kind    string `json:"kind"`
	OrderID int64  `json:"order_id,omitempty"`
	OrderNo string `json:"order_no,omitempty"`
	UnitID  int64  `json:"unit_id,omitempty"`
	On      string `json:"on,omitempty"`
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
		out = append(out, Flag{Kind: "same_uscc", OrderID: f.OrderID, OrderNo: f.OrderNo, UnitID: f.BuyerUnitID, On: f.OrderedOn,
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
	prices := map[PriceKey][]int64{}
	for _, f := range facts {
		if f.Status != OrderCancelled && f.PriceFen > 0 {
			k := PriceKey{f.Category, f.Unit}
			prices[k] = append(prices[k], f.PriceFen)
		}
	}
	medians := map[PriceKey]int64{}
	for k, ps := range prices {
		if len(ps) >= MinPriceSamples {
			medians[k] = median(ps)
		}
	}
	return FlagPricesByMedian(facts, medians, factorPct)
}

// PriceKey is what prices are compared within: a category and a unit.
type PriceKey struct{ Category, Unit string }

// PriceCount is how many lines (N) sold at one unit price.
type PriceCount struct{ PriceFen, N int64 }

// MedianOfCounts is the median of the prices ps stand for (each PriceFen
// N times), as FlagPrices takes it of a list; ok is false below
// MinPriceSamples prices. ps must be sorted by price.
func MedianOfCounts(ps []PriceCount) (m int64, ok bool) {
	var n int64
	for _, p := range ps {
		if p.N > 0 {
			n += p.N
		}
	}
	if n < MinPriceSamples {
		return 0, false
	}
	at := func(i int64) int64 { // the i-th price (from 0)
		for _, p := range ps {
			if p.N <= 0 {
				continue
			}
			if i < p.N {
				return p.PriceFen
			}
			i -= p.N
		}
		return 0
	}
	if n%2 == 1 {
		return at(n / 2), true
	}
	lo, hi := at(n/2-1), at(n/2)
	return lo + (hi-lo)/2, true
}

// PriceBand is the unit prices FlagPricesByMedian leaves alone for
// median m: from low to high inclusive; factorPct as for FlagPrices.
func PriceBand(m, factorPct int64) (low, high int64) {
	if factorPct <= 100 {
		factorPct = DefaultPriceFactorPct
	}
	return (m*100 + factorPct - 1) / factorPct, m * factorPct / 100
}

// FlagPricesByMedian flags each line of facts, cancelled ones left out,
// whose unit price lies outside PriceBand of its category and unit's
// median in medians (no median: not judged).
func FlagPricesByMedian(facts []OrderFact, medians map[PriceKey]int64, factorPct int64) []Flag {
	if factorPct <= 100 {
		factorPct = DefaultPriceFactorPct
	}
	var out []Flag
	for _, f := range facts {
		m, ok := medians[PriceKey{f.Category, f.Unit}]
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
		out = append(out, Flag{Kind: "price", OrderID: f.OrderID, OrderNo: f.OrderNo, UnitID: f.BuyerUnitID, On: f.OrderedOn,
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

// Window is the first day of the rule's window (ReportDate's Days days
// up to and including it); ok is false when the check is off.
func (r BurstRule) Window() (start string, ok bool) {
	end, err := time.Parse(xiezuo.DateLayout, r.ReportDate)
	if err != nil || r.Days <= 0 {
		return "", false
	}
	return end.AddDate(0, 0, -(r.Days - 1)).Format(xiezuo.DateLayout), true
}

// BurstTally is what FlagBursts adds up of one buyer unit's orders up to
// the reporting date, cancelled ones left out: all of them, and those in
// the window.
type BurstTally struct {
	UnitID       int64
	Name         string
	AllFen       int64
	WindowFen    int64
	WindowOrders int
}

// FlagBursts flags each buyer unit with a burst of orders before the
// reporting date (one flag per unit).
func FlagBursts(facts []OrderFact, r BurstRule) []Flag {
	start, ok := r.Window()
	if !ok {
		return nil
	}
	type tally struct {
		BurstTally
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
			t = &tally{BurstTally: BurstTally{UnitID: f.BuyerUnitID, Name: f.BuyerName}, windowOrders: map[int64]bool{}}
			units[f.BuyerUnitID] = t
			order = append(order, f.BuyerUnitID)
		}
		t.AllFen += f.AmountFen
		if f.OrderedOn >= start {
			t.WindowFen += f.AmountFen
			t.windowOrders[f.OrderID] = true
		}
	}
	ts := make([]BurstTally, 0, len(order))
	for _, id := range order {
		t := units[id]
		t.WindowOrders = len(t.windowOrders)
		ts = append(ts, t.BurstTally)
	}
	return FlagBurstTallies(ts, r)
}

// FlagBurstTallies flags each unit of ts whose tally is a burst under r,
// in the order of ts.
func FlagBurstTallies(ts []BurstTally, r BurstRule) []Flag {
	if _, ok := r.Window(); !ok {
		return nil
	}
	var out []Flag
	for _, t := range ts {
		if t.AllFen <= 0 || t.WindowOrders < max(r.MinOrders, 1) || t.WindowFen*100 < t.AllFen*r.MinSharePct {
			continue
		}
		out = append(out, Flag{Kind: "burst", UnitID: t.UnitID, On: r.ReportDate,
			Message: fmt.Sprintf("“%s”在%s报送日前%d天内下单%d笔、金额%s元，占其累计采购的%s", t.Name,
				xiezuo.FormatDateCN(r.ReportDate), r.Days, t.WindowOrders, xiezuo.FormatYuan(t.WindowFen), FormatPercent(t.WindowFen*10000/t.AllFen))})
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
		when, on := "", f.OrderedOn
		if f.ReversedOn != "" {
			when, on = "于"+xiezuo.FormatDateCN(f.ReversedOn), f.ReversedOn
		}
		out = append(out, Flag{Kind: "reversed", OrderID: f.OrderID, OrderNo: f.OrderNo, UnitID: f.BuyerUnitID, On: on,
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
		out = append(out, Flag{Kind: "outside", OrderID: f.OrderID, OrderNo: f.OrderNo, UnitID: f.BuyerUnitID, On: f.OrderedOn,
			Message: fmt.Sprintf("订单%s中“%s”的产地“%s”不在结对县或832县之列，不计入消费帮扶", f.OrderNo, f.ProductName, origin)})
	}
	return out
}
