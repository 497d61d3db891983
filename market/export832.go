package market

import (
	"strings"

	"github.com/xiezuo/xiezuo"
)

// Purchases made on the 扶贫832平台 come in as the platform's order export,
// per unit and month. The import machinery (imports) reads the sheet and
// resolves what people and the platform write — dates, 万元 amounts, the
// county's name — then each row is checked here; Key makes re-importing
// the same export update rows instead of adding them.

// Row832 is one row of an 832 order export, after the import read its
// cells: Date is YYYY-MM-DD, CountyCode the resolved 12-digit code of the
// county of origin, AmountFen the amount in fen, Status the platform's own
// word for the order's state (see Status832).
type Row832 struct {
	OrderNo    string `json:"order_no"`
	Date       string `json:"date"`
	BuyerUnit  string `json:"buyer_unit"`
	Supplier   string `json:"supplier"`
	Product    string `json:"product"`
	CountyCode string `json:"county_code"`
	Quantity   int64  `json:"quantity"`
	AmountFen  int64  `json:"amount_fen"`
	Status     string `json:"status"`
}

// statuses832 maps the words an 832 export uses for an order's state to
// ours.
var statuses832 = map[string]OrderStatus{
	"待付款": OrderPending, "待支付": OrderPending, "待确认": OrderPending,
	"待发货": OrderToShip,
	"已发货": OrderShipped, "待收货": OrderShipped,
	"已收货": OrderToAccept, "待验收": OrderToAccept,
	"已验收": OrderAccepted,
	"已完成": OrderSettled, "交易完成": OrderSettled, "交易成功": OrderSettled, "已结算": OrderSettled,
	"已取消": OrderCancelled, "已关闭": OrderCancelled, "交易关闭": OrderCancelled,
	"已退款": OrderReturned, "已退货": OrderReturned, "退货退款": OrderReturned,
}

// Status832 is our status for an 832 export's status word (spaces
// ignored); ok is false for a word it does not know.
func Status832(word string) (OrderStatus, bool) {
	s, ok := statuses832[strings.Join(strings.Fields(word), "")]
	return s, ok
}

// status832Help lists the words Status832 knows, for the error message.
const status832Help = "待付款、待发货、已发货、待收货、已收货、已完成、交易成功、已取消、已关闭、已退款、已退货"

// Validate checks the row on day today; each problem names its column.
func (r *Row832) Validate(today string) error {
	p := xiezuo.Problems{}
	r.OrderNo = normalizeOrderNo(r.OrderNo)
	if r.OrderNo == "" {
		p.Add("order_no", "订单编号不能为空")
	} else if len(r.OrderNo) > 64 {
		p.Add("order_no", "订单编号不能超过64个字符")
	}
	if checkDate(p, "date", "下单日期", r.Date, true) && today != "" && r.Date > today {
		p.Add("date", "下单日期不能晚于今天")
	}
	p.Text("buyer_unit", "采购单位", &r.BuyerUnit, 100, true)
	p.Text("supplier", "供应商", &r.Supplier, 100, true)
	r.Product = strings.Join(strings.Fields(r.Product), " ")
	p.Text("product", "商品名称", &r.Product, 100, true)
	checkCounty(p, "county_code", "产地县", r.CountyCode)
	switch {
	case r.Quantity < 1:
		p.Add("quantity", "数量须至少为1")
	case r.Quantity > MaxQuantity:
		p.Add("quantity", "数量过大，请核对")
	}
	switch {
	case r.AmountFen <= 0:
		p.Add("amount_fen", "金额须大于0元")
	case r.AmountFen > xiezuo.MaxFen:
		p.Add("amount_fen", "金额超过100亿元，请核对单位是否为元")
	}
	if r.Status = strings.TrimSpace(r.Status); r.Status == "" {
		p.Add("status", "订单状态不能为空")
	} else if _, ok := Status832(r.Status); !ok {
		p.Add("status", "订单状态“"+r.Status+"”无法识别，应为"+status832Help+"之一")
	}
	return p.Err()
}

// normalizeOrderNo trims an order number and the apostrophe Excel keeps
// before digits stored as text, and upper-cases its letters.
func normalizeOrderNo(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "'")
	return strings.ToUpper(strings.TrimSpace(s))
}

// Key identifies the row's purchase across imports: the channel, the
// platform's order number and the product. Status, quantity and amount are
// not part of it, so a later export of the same order (now 已完成, or
// 已退款) updates the purchase instead of counting it twice.
func (r *Row832) Key() string {
	return "p832|" + normalizeOrderNo(r.OrderNo) + "|" + strings.Join(strings.Fields(r.Product), " ")
}

// DuplicateRows finds rows of one file with the same Key: for each later
// row, the index of the first (0-based). The import reports them instead
// of summing them.
func DuplicateRows(rows []Row832) map[int]int {
	first := map[string]int{}
	dups := map[int]int{}
	for i := range rows {
		k := rows[i].Key()
		if j, ok := first[k]; ok {
			dups[i] = j
		} else {
			first[k] = i
		}
	}
	return dups
}

// Line is the row as an order line of channel 832平台: amount only, with
// a unit price when the amount divides evenly by the quantity.
func (r *Row832) Line() OrderLine {
	l := OrderLine{ProductName: r.Product, OriginCode: r.CountyCode, Qty: r.Quantity, AmountFen: r.AmountFen}
	if r.Quantity > 0 && r.AmountFen%r.Quantity == 0 {
		l.PriceFen = r.AmountFen / r.Quantity
	}
	return l
}
