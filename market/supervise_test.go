package market

import (
	"strings"
	"testing"
)

// fact is an accepted line of order id, by unit 10, of a 袋 of 粮油 from 阿迪村.
func fact(id int64, day string, price, qty int64) OrderFact {
	return OrderFact{OrderID: id, OrderNo: "CN" + day[5:7] + day[8:] + string(rune('A'+id%26)), OrderedOn: day, Channel: "shop",
		BuyerUnitID: unitID, BuyerName: "新华路街道", BuyerUSCC: usccB, SupplierID: supplierID, SupplierName: "正华农产品加工厂", SupplierUSCC: usccA,
		ProductName: "梯田红米", Category: "grain_oil", Unit: "袋", OriginCode: adi, OriginName: "阿迪村",
		Qty: qty, PriceFen: price, AmountFen: price * qty, Status: OrderAccepted, CountedOn: day}
}

func kinds(flags []Flag) string {
	var ks []string
	for _, f := range flags {
		ks = append(ks, f.Kind)
	}
	return strings.Join(ks, " ")
}

func TestFlagSameUSCC(t *testing.T) {
	t.Parallel()
	a, b, c := fact(1, "2026-10-01", 5980, 1), fact(2, "2026-10-02", 5980, 1), fact(2, "2026-10-02", 9000, 1)
	b.SupplierUSCC, c.SupplierUSCC = usccB, usccB // order 2, two lines: one flag
	d := fact(3, "2026-10-03", 5980, 1)
	d.BuyerUSCC, d.SupplierUSCC = "", "" // unknown codes are not equal codes
	flags := FlagSameUSCC([]OrderFact{a, b, c, d})
	if len(flags) != 1 || flags[0].OrderID != 2 || flags[0].Kind != "same_uscc" {
		t.Fatalf("flags: %+v", flags)
	}
	for _, w := range []string{b.OrderNo, "新华路街道", "正华农产品加工厂", usccB, "统一社会信用代码相同"} {
		if !strings.Contains(flags[0].Message, w) {
			t.Errorf("message %q lacks %q", flags[0].Message, w)
		}
	}
}

func TestFlagPrices(t *testing.T) {
	t.Parallel()
	facts := []OrderFact{
		fact(1, "2026-10-01", 6000, 1),
		fact(2, "2026-10-02", 5000, 1),
		fact(3, "2026-10-03", 5500, 1),
		fact(4, "2026-10-04", 13000, 1), // > 2 × median
		fact(5, "2026-10-05", 2000, 1),  // < median / 2
		fact(6, "2026-10-06", 12000, 1), // exactly 2 × 6000? median is 5750 (even count): 12000 > 11500
	}
	cancelled := fact(7, "2026-10-07", 999999, 1)
	cancelled.Status = OrderCancelled // neither judged nor counted in the median
	perJin := fact(8, "2026-10-08", 800, 1)
	perJin.Unit = "斤" // another unit: its own (too small) sample
	tea := fact(9, "2026-10-09", 90000, 1)
	tea.Category = "tea"
	facts = append(facts, cancelled, perJin, tea)

	// median of 6000 5000 5500 13000 2000 12000 = (5500+6000)/2 = 5750
	flags := FlagPrices(facts, 200)
	var ids []int64
	for _, f := range flags {
		ids = append(ids, f.OrderID)
	}
	if len(ids) != 3 || ids[0] != 4 || ids[1] != 5 || ids[2] != 6 {
		t.Fatalf("flagged %v: %+v", ids, flags)
	}
	for _, w := range []string{"梯田红米", "130.00元/袋", "高于", "粮油", "57.50元", "2.26倍"} {
		if !strings.Contains(flags[0].Message, w) {
			t.Errorf("message %q lacks %q", flags[0].Message, w)
		}
	}
	if !strings.Contains(flags[1].Message, "低于") || !strings.Contains(flags[1].Message, "0.34倍") {
		t.Errorf("low price message: %q", flags[1].Message)
	}
	// A looser factor (2.5×) flags only the cheap one: 2000 × 2.5 < 5750, while 13000 < 5750 × 2.5.
	if got := FlagPrices(facts, 250); len(got) != 1 || got[0].OrderID != 5 {
		t.Errorf("factor 2.5: %+v", got)
	}
	// factor ≤ 1× takes the default 2×.
	if got := FlagPrices(facts, 0); len(got) != 3 {
		t.Errorf("default factor: %d flags", len(got))
	}
	// Too few samples: nothing judged.
	if got := FlagPrices(facts[:2], 200); got != nil {
		t.Errorf("two samples: %+v", got)
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   []int64
		want int64
	}{{[]int64{3, 1, 2}, 2}, {[]int64{4, 1, 3, 2}, 2}, {[]int64{5, 6}, 5}, {[]int64{7}, 7}} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestFlagBursts(t *testing.T) {
	t.Parallel()
	facts := []OrderFact{
		fact(1, "2026-06-10", 5000, 2), // 100.00
		fact(2, "2026-11-22", 5000, 6), // in the window
		fact(3, "2026-11-28", 5000, 6), // in the window
		fact(4, "2026-11-30", 5000, 6), // the report date itself: in
		fact(5, "2026-12-01", 5000, 100),
	}
	calm := fact(6, "2026-03-01", 5000, 10)
	calm.BuyerUnitID, calm.BuyerName, calm.OrderID = otherUnitID, "程家桥街道", 6
	calmLate := calm
	calmLate.OrderID, calmLate.OrderedOn, calmLate.AmountFen = 7, "2026-11-29", 5000
	cancelled := fact(8, "2026-11-29", 5000, 100)
	cancelled.Status = OrderCancelled
	facts = append(facts, calm, calmLate, cancelled)

	rule := BurstRule{ReportDate: "2026-11-30", Days: 10, MinSharePct: 50, MinOrders: 2}
	flags := FlagBursts(facts, rule)
	if len(flags) != 1 || flags[0].UnitID != unitID || flags[0].Kind != "burst" {
		t.Fatalf("flags: %+v", flags)
	}
	// Window 2026-11-21..30: orders 2, 3, 4 = 900.00 of 1,000.00 = 90%.
	for _, w := range []string{"新华路街道", "2026年11月30日", "10天", "3笔", "900.00元", "90.00%"} {
		if !strings.Contains(flags[0].Message, w) {
			t.Errorf("message %q lacks %q", flags[0].Message, w)
		}
	}
	// A shorter window holds only orders 3 and 4 (600.00 of 1,000.00 = 60%).
	if got := FlagBursts(facts, BurstRule{ReportDate: "2026-11-30", Days: 3, MinSharePct: 50, MinOrders: 2}); len(got) != 1 || !strings.Contains(got[0].Message, "2笔") {
		t.Errorf("3-day window: %+v", got)
	}
	if got := FlagBursts(facts, BurstRule{ReportDate: "2026-11-30", Days: 10, MinSharePct: 95, MinOrders: 2}); got != nil {
		t.Errorf("95%%: %+v", got)
	}
	if got := FlagBursts(facts, BurstRule{ReportDate: "2026-11-30", Days: 10, MinSharePct: 50, MinOrders: 4}); got != nil {
		t.Errorf("4 orders: %+v", got)
	}
	if FlagBursts(facts, BurstRule{}) != nil || FlagBursts(facts, BurstRule{ReportDate: "2026-11-31", Days: 3}) != nil {
		t.Error("no or bad report date: no check")
	}
}

func TestFlagReversedAndOutside(t *testing.T) {
	t.Parallel()
	returned := fact(1, "2026-10-01", 5980, 1)
	returned.Status, returned.CountedOn, returned.ReversedOn = OrderReturned, "2026-10-05", "2026-10-20"
	second := returned // another line of the same order
	cancelled := fact(2, "2026-10-01", 5980, 1)
	cancelled.Status, cancelled.CountedOn = OrderCancelled, "" // never counted
	open := fact(3, "2026-10-01", 5980, 1)
	flags := FlagReversed([]OrderFact{returned, second, cancelled, open})
	if len(flags) != 1 || flags[0].OrderID != 1 {
		t.Fatalf("reversed: %+v", flags)
	}
	for _, w := range []string{returned.OrderNo, "2026年10月5日", "2026年10月20日", "已退货", "冲减"} {
		if !strings.Contains(flags[0].Message, w) {
			t.Errorf("message %q lacks %q", flags[0].Message, w)
		}
	}

	paired := map[string]bool{lvchun: true, jinping: true}
	outside := fact(4, "2026-10-01", 5980, 1)
	outside.OriginCode, outside.OriginName, outside.ProductName = "310105000000", "长宁区", "上海大米"
	noName := fact(5, "2026-10-01", 5980, 1)
	noName.OriginCode, noName.OriginName = gande, ""
	flags = FlagOutside([]OrderFact{open, outside, noName}, paired)
	if len(flags) != 2 || flags[0].OrderID != 4 || flags[1].OrderID != 5 {
		t.Fatalf("outside: %+v", flags)
	}
	if FlagOutside([]OrderFact{outside}, nil) != nil {
		t.Error("no county set: no check")
	}
	if !strings.Contains(flags[0].Message, "上海大米") || !strings.Contains(flags[0].Message, "长宁区") || !strings.Contains(flags[1].Message, gande) {
		t.Errorf("messages: %q / %q", flags[0].Message, flags[1].Message)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	facts := []OrderFact{fact(1, "2026-11-01", 5000, 1), fact(2, "2026-11-02", 5000, 1), fact(3, "2026-11-03", 20000, 1)}
	facts[0].SupplierUSCC = usccB
	facts[1].Status, facts[1].ReversedOn = OrderReturned, "2026-11-10"
	facts[2].OriginCode = gande
	flags := Check(facts, Rules{Burst: BurstRule{ReportDate: "2026-11-30", Days: 30, MinSharePct: 80, MinOrders: 3},
		Counties: map[string]bool{lvchun: true}})
	if got := kinds(flags); got != "same_uscc price burst reversed outside" {
		t.Errorf("Check: %q", got)
	}
	for _, f := range flags {
		if f.Message == "" {
			t.Errorf("flag %s without a message", f.Kind)
		}
	}
	for _, k := range FlagKinds {
		found := false
		for _, f := range flags {
			found = found || f.Kind == k.Code
		}
		if !found {
			t.Errorf("kind %s never raised", k.Code)
		}
	}
}
