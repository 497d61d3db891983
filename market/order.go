package market

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
)

// Channels of consumption aid: every purchase, whatever its channel, is an
// Order. The codes are the API's.
var Channels = []ledger.Choice{
	{Code: "shop", Label: "本平台商城"},
	{Code: "p832", Label: "832平台"},
	{Code: "union", Label: "工会采购"},
	{Code: "enterprise", Label: "企业采购"},
	{Code: "fair", Label: "展销会"},
	{Code: "outlet", Label: "直营店/专柜"},
	{Code: "targeted", Label: "定向采购"},
	{Code: "subscription", Label: "认领/认购"},
}

// ChannelLabel is the Chinese name of a channel code, or the code itself.
func ChannelLabel(code string) string { return ledger.LabelOf(Channels, code) }

// ValidChannel reports whether code is a known channel.
func ValidChannel(code string) bool { return ledger.ValidChoice(Channels, code) }

// OrderStatus is where an order is.
type OrderStatus string

const (
	OrderPending   OrderStatus = "pending"   // 待确认
	OrderToShip    OrderStatus = "to_ship"   // 待发货
	OrderShipped   OrderStatus = "shipped"   // 已发货
	OrderToAccept  OrderStatus = "to_accept" // 待验收
	OrderAccepted  OrderStatus = "accepted"  // 已验收
	OrderSettled   OrderStatus = "settled"   // 已结算
	OrderCancelled OrderStatus = "cancelled" // 已取消
	OrderReturned  OrderStatus = "returned"  // 已退货
)

// OrderStatuses in display order.
var OrderStatuses = []OrderStatus{OrderPending, OrderToShip, OrderShipped, OrderToAccept, OrderAccepted, OrderSettled, OrderCancelled, OrderReturned}

// Label is the status in Chinese.
func (s OrderStatus) Label() string {
	switch s {
	case OrderPending:
		return "待确认"
	case OrderToShip:
		return "待发货"
	case OrderShipped:
		return "已发货"
	case OrderToAccept:
		return "待验收"
	case OrderAccepted:
		return "已验收"
	case OrderSettled:
		return "已结算"
	case OrderCancelled:
		return "已取消"
	case OrderReturned:
		return "已退货"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s OrderStatus) Valid() bool {
	for _, x := range OrderStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// Counts reports whether an order in status s counts in the ledger (one
// consumption contribution, 到位): accepted and settled orders do;
// pending, shipped, cancelled and returned ones do not. The one rule of
// what a purchase adds to 消费帮扶.
func Counts(s OrderStatus) bool {
	return s == OrderAccepted || s == OrderSettled
}

// LedgerEffect says what moving an order from one status to another does
// to the ledger: +1 post its contribution, -1 reverse it, 0 nothing.
func LedgerEffect(from, to OrderStatus) int {
	switch {
	case !Counts(from) && Counts(to):
		return 1
	case Counts(from) && !Counts(to):
		return -1
	}
	return 0
}

// ReturnsStock reports whether an order arriving in status to gives its
// quantities back to stock: a cancellation (only possible before
// shipping). Goods returned after acceptance do not go back on sale.
func ReturnsStock(to OrderStatus) bool { return to == OrderCancelled }

// OrderLine is one product of an order. Name, category, origin, unit and
// price are a snapshot taken when the order was placed.
type OrderLine struct {
	ProductID   int64  `json:"product_id,omitempty"` // 0 for a purchase outside the catalogue
	ProductName string `json:"product_name"`
	Category    string `json:"category,omitempty"`
	OriginCode  string `json:"origin_code"`
	Unit        string `json:"unit,omitempty"`
	Qty         int64  `json:"qty"`
	PriceFen    int64  `json:"price_fen"` // 0: amount only (outside the shop)
	AmountFen   int64  `json:"amount_fen"`
}

// Order is one purchase from one supplier by one buyer unit, in any
// channel. PurchaserID is the account that placed it (0 for imports).
type Order struct {
	ID            int64       `json:"id"`
	No            string      `json:"no"`
	Channel       string      `json:"channel"`
	OrderedOn     string      `json:"ordered_on"`
	BuyerUnitID   int64       `json:"buyer_unit_id"`
	BuyerUnitName string      `json:"buyer_unit_name,omitempty"`
	PurchaserID   int64       `json:"purchaser_id,omitempty"`
	SupplierID    int64       `json:"supplier_id"`
	SupplierName  string      `json:"supplier_name,omitempty"`
	Lines         []OrderLine `json:"lines"`
	TotalFen      int64       `json:"total_fen"`
	Status        OrderStatus `json:"status"`
	Carrier       string      `json:"carrier,omitempty"`
	TrackingNo    string      `json:"tracking_no,omitempty"`
	InvoiceRef    string      `json:"invoice_ref,omitempty"`    // the stored invoice photo
	InspectionRef string      `json:"inspection_ref,omitempty"` // the stored inspection photo
	PaymentRef    string      `json:"payment_ref,omitempty"`
	PaidOn        string      `json:"paid_on,omitempty"`
	Reason        string      `json:"reason,omitempty"` // of a cancellation or return
	PledgeID      int64       `json:"pledge_id,omitempty"`
	// ForUnitID is, for a union's purchase with union funds (channel
	// union), the unit the union belongs to: the purchase counts to the
	// union (the buyer) and to its unit, as the ledger's second giver.
	ForUnitID   int64  `json:"for_unit_id,omitempty"`
	ForUnitName string `json:"for_unit_name,omitempty"`
}

// Validate checks every field that needs no database: channel, date,
// parties, lines (each naming its product) and that the amounts add up:
// a line's amount is quantity × unit price, except that a purchase made
// outside the shop may give its amount alone (unit price 0: an 832 export
// has no exact unit price in fen). An empty status is taken as 待确认.
func (o *Order) Validate() error {
	p := xiezuo.Problems{}
	if !ValidChannel(o.Channel) {
		p.Add("channel", "请选择采购渠道")
	}
	checkDate(p, "ordered_on", "下单日期", o.OrderedOn, true)
	if o.BuyerUnitID <= 0 {
		p.Add("buyer_unit_id", "请选择采购单位")
	}
	if o.SupplierID <= 0 {
		p.Add("supplier_id", "请选择供应商")
	}
	switch {
	case o.ForUnitID == 0:
	case o.Channel != "union":
		p.Add("for_unit_id", "只有工会采购可以写明工会所属单位")
	case o.ForUnitID < 0 || o.ForUnitID == o.BuyerUnitID:
		p.Add("for_unit_id", "工会所属单位应是工会所在的单位，不能是工会本身")
	}
	if o.Status == "" {
		o.Status = OrderPending
	} else if !o.Status.Valid() {
		p.Add("status", "订单状态无效")
	}
	if len(o.Lines) == 0 {
		p.Add("lines", "订单至少须有一种商品")
	}
	var total int64
	totalOK := true
	for i := range o.Lines {
		l := &o.Lines[i]
		field := "lines." + strconv.Itoa(i)
		l.ProductName = strings.TrimSpace(l.ProductName)
		name := l.ProductName
		if name == "" {
			p.Add(field, "第"+strconv.Itoa(i+1)+"行商品名称不能为空")
			name = "第" + strconv.Itoa(i+1) + "行商品"
		}
		byAmount := o.Channel != "shop" && l.PriceFen == 0
		switch amount, ok := mulFen(l.Qty, l.PriceFen); {
		case l.Qty < 1:
			p.Add(field, "“"+name+"”的数量须至少为1")
		case l.Qty > MaxQuantity:
			p.Add(field, "“"+name+"”的数量过大，请核对")
		case byAmount && l.AmountFen <= 0:
			p.Add(field, "“"+name+"”的金额须大于0元")
		case byAmount && l.AmountFen > xiezuo.MaxFen:
			p.Add(field, "“"+name+"”的金额超过100亿元，请核对")
		case byAmount:
		case l.PriceFen <= 0:
			p.Add(field, "“"+name+"”的单价须大于0元")
		case !ok:
			p.Add(field, "“"+name+"”的金额超过100亿元，请核对")
		case l.AmountFen != amount:
			p.Add(field, "“"+name+"”的金额应为数量×单价（"+xiezuo.FormatYuan(amount)+"元）")
		}
		if l.OriginCode == "" || !registry.ValidCode(l.OriginCode) || registry.LevelOf(l.OriginCode) < registry.LevelCounty {
			p.Add(field, "“"+name+"”的产地须为县、乡镇或村的12位区划代码")
		}
		if l.Category != "" && !ValidCategory(l.Category) {
			p.Add(field, "“"+name+"”的品类无效")
		}
		if totalOK {
			total, totalOK = addFen(total, l.AmountFen)
		}
	}
	switch {
	case !totalOK:
		p.Add("total_fen", "订单金额超过100亿元，请核对")
	case o.TotalFen != total:
		p.Add("total_fen", "订单金额应为各商品金额之和（"+xiezuo.FormatYuan(total)+"元）")
	}
	return p.Err()
}

// OrderAction is a step of an order.
type OrderAction string

const (
	OrderConfirm OrderAction = "confirm" // 确认订单
	OrderShip    OrderAction = "ship"    // 发货
	OrderReceive OrderAction = "receive" // 确认送达
	OrderAccept  OrderAction = "accept"  // 验收
	OrderSettle  OrderAction = "settle"  // 结算
	OrderCancel  OrderAction = "cancel"  // 取消
	OrderReturn  OrderAction = "return"  // 退货
)

// Label is the action in Chinese.
func (a OrderAction) Label() string {
	switch a {
	case OrderConfirm:
		return "确认订单"
	case OrderShip:
		return "发货"
	case OrderReceive:
		return "确认送达"
	case OrderAccept:
		return "验收"
	case OrderSettle:
		return "结算"
	case OrderCancel:
		return "取消"
	case OrderReturn:
		return "退货"
	}
	return string(a)
}

// OrderInput is what an order step carries: carrier and tracking number
// for 发货; the invoice (required) and inspection photo references for
// 验收; the payment reference and date for 结算; a reason for 退货 and for
// a supplier's 取消. Today bounds the payment date.
type OrderInput struct {
	Carrier       string
	TrackingNo    string
	InvoiceRef    string
	InspectionRef string
	PaymentRef    string
	PaidOn        string
	Reason        string
	Today         string
}

// Transition checks whether u may apply a to order o and returns the new
// status. Who does what:
//   - 确认订单 (待确认 → 待发货) and 发货 (待发货 → 已发货, carrier and
//     tracking number required): the supplier's users.
//   - 确认送达 (已发货 → 待验收): the supplier's users or the buyer's
//     purchasers.
//   - 验收 (待验收 → 已验收, invoice photo required): the buyer's purchasers.
//   - 结算 (已验收 → 已结算, payment reference and date required): the
//     buyer's management account (its finance).
//   - 取消 (待确认/待发货 → 已取消; stock returns, see ReturnsStock): the
//     buyer's accounts, or the supplier's users with a reason.
//   - 退货 (已验收/已结算 → 已退货; the ledger is reversed, see
//     LedgerEffect): the buyer's management account or the supplier's
//     users, with a reason.
//
// Errors: EFORBIDDEN (not a party allowed the step), ECONFLICT (wrong
// status), EINVALID (a required input missing, with Fields).
func Transition(o *Order, a OrderAction, u *xiezuo.User, in OrderInput) (OrderStatus, error) {
	supplier := isSupplier(u, o.SupplierID)
	buyer := isBuyerOf(u, o.BuyerUnitID)
	purchaser := buyer && u.Role == RolePurchaser
	manager := buyer && u.Role == RoleBuyerAdmin
	from := o.Status
	need := func(want ...OrderStatus) error {
		for _, w := range want {
			if from == w {
				return nil
			}
		}
		return xiezuo.Errorf(xiezuo.ECONFLICT, "订单%s状态为“%s”，不能%s", o.No, from.Label(), a.Label())
	}
	forbid := func(who string) error {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有%s可以%s", who, a.Label())
	}
	p := xiezuo.Problems{}
	var to OrderStatus
	switch a {
	case OrderConfirm:
		if !supplier {
			return "", forbid("本订单的供应商")
		}
		if err := need(OrderPending); err != nil {
			return "", err
		}
		to = OrderToShip
	case OrderShip:
		if !supplier {
			return "", forbid("本订单的供应商")
		}
		if err := need(OrderToShip); err != nil {
			return "", err
		}
		p.Text("carrier", "承运商", &in.Carrier, 50, true)
		p.Text("tracking_no", "物流单号", &in.TrackingNo, 50, true)
		to = OrderShipped
	case OrderReceive:
		if !supplier && !purchaser {
			return "", forbid("本订单的供应商或采购人")
		}
		if err := need(OrderShipped); err != nil {
			return "", err
		}
		to = OrderToAccept
	case OrderAccept:
		if !purchaser {
			return "", forbid("采购单位的采购人")
		}
		if err := need(OrderToAccept); err != nil {
			return "", err
		}
		p.Text("invoice_ref", "发票照片", &in.InvoiceRef, 200, true)
		p.Text("inspection_ref", "验收照片", &in.InspectionRef, 200, false)
		to = OrderAccepted
	case OrderSettle:
		if !manager {
			return "", forbid("采购单位的管理账号（财务）")
		}
		if err := need(OrderAccepted); err != nil {
			return "", err
		}
		p.Text("payment_ref", "付款凭证号", &in.PaymentRef, 50, true)
		if checkDate(p, "paid_on", "付款日期", in.PaidOn, true) {
			if in.PaidOn < o.OrderedOn {
				p.Add("paid_on", "付款日期不能早于下单日期")
			} else if in.Today != "" && in.PaidOn > in.Today {
				p.Add("paid_on", "付款日期不能晚于今天")
			}
		}
		to = OrderSettled
	case OrderCancel:
		if !buyer && !supplier {
			return "", forbid("本订单的采购单位或供应商")
		}
		if err := need(OrderPending, OrderToShip); err != nil {
			return "", xiezuo.Errorf(xiezuo.ECONFLICT, "订单%s已%s，发货后不能取消", o.No, from.Label())
		}
		p.Text("reason", "取消原因", &in.Reason, 200, supplier)
		to = OrderCancelled
	case OrderReturn:
		if !manager && !supplier {
			return "", forbid("采购单位的管理账号或供应商")
		}
		if err := need(OrderAccepted, OrderSettled); err != nil {
			return "", xiezuo.Errorf(xiezuo.ECONFLICT, "订单%s状态为“%s”，验收后才能退货", o.No, from.Label())
		}
		p.Text("reason", "退货原因", &in.Reason, 200, true)
		to = OrderReturned
	default:
		return "", xiezuo.Errorf(xiezuo.EINVALID, "未知的订单操作")
	}
	if err := p.Err(); err != nil {
		return "", err
	}
	return to, nil
}

// CanViewOrder reports whether u may see order o: its buyer unit's
// accounts, its supplier's users, the office and 监管. Nobody else sees
// another buyer's or supplier's orders.
func CanViewOrder(u *xiezuo.User, o *Order) bool {
	return CanSupervise(u) || isBuyerOf(u, o.BuyerUnitID) || isSupplier(u, o.SupplierID)
}

// CanCheckout reports whether u may place orders in the shop: a purchaser
// of a buyer unit.
func CanCheckout(u *xiezuo.User) bool {
	return u != nil && u.Role == RolePurchaser && u.OrgID != 0
}

// CartLine is one line of a purchaser's cart: a product as read at
// checkout, its supplier, and the quantity wanted.
type CartLine struct {
	Product  *Product
	Supplier *Supplier
	Qty      int64
}

// OrderDraft is the order a cart makes for one supplier, not yet stored.
type OrderDraft struct {
	SupplierID   int64
	SupplierName string
	Lines        []OrderLine
	TotalFen     int64
}

// Order makes d a new shop order of buyer unit buyerUnitID placed by
// purchaserID on day today, 待确认. The store gives it its number.
func (d OrderDraft) Order(buyerUnitID, purchaserID int64, today string) Order {
	return Order{
		Channel: "shop", OrderedOn: today, BuyerUnitID: buyerUnitID, PurchaserID: purchaserID,
		SupplierID: d.SupplierID, SupplierName: d.SupplierName, Lines: d.Lines, TotalFen: d.TotalFen,
		Status: OrderPending,
	}
}

// ShortOfStock is the ECONFLICT error for a product that has fewer than
// want units left: the message the store gives when taking stock fails
// under contention, and SplitCart when the cart already asks too much.
func ShortOfStock(p *Product, want int64) error {
	return xiezuo.Errorf(xiezuo.ECONFLICT, "商品“%s”库存不足：剩余%d%s，需要%d%s", p.Name, p.Stock, p.Unit, want, p.Unit)
}

// SplitCart turns a cart into one draft order per supplier, in the order
// suppliers first appear, with the lines of one product merged. Each
// product must be sellable today (Sellable), and its merged quantity at
// least its minimum order, at most its stock, and its amount within
// xiezuo.MaxFen. Every problem names its product; the error is EINVALID
// with one field per product ("qty.<product id>").
func SplitCart(lines []CartLine, today string) ([]OrderDraft, error) {
	if len(lines) == 0 {
		return nil, xiezuo.Errorf(xiezuo.EINVALID, "购物车是空的")
	}
	type merged struct {
		p   *Product
		s   *Supplier
		qty int64
	}
	var order []int64
	byProduct := map[int64]*merged{}
	p := xiezuo.Problems{}
	for _, l := range lines {
		if l.Product == nil || l.Supplier == nil || l.Product.SupplierID != l.Supplier.ID {
			return nil, xiezuo.Internal(fmt.Errorf("market: cart line without its product's supplier"))
		}
		field := "qty." + strconv.FormatInt(l.Product.ID, 10)
		if l.Qty < 1 {
			p.Add(field, "“"+l.Product.Name+"”的数量须至少为1")
			continue
		}
		m := byProduct[l.Product.ID]
		if m == nil {
			m = &merged{p: l.Product, s: l.Supplier}
			byProduct[l.Product.ID] = m
			order = append(order, l.Product.ID)
		}
		if m.qty > MaxQuantity-l.Qty {
			p.Add(field, "“"+l.Product.Name+"”的数量过大，请核对")
			m.qty = MaxQuantity + 1
			continue
		}
		m.qty += l.Qty
	}
	var drafts []OrderDraft
	draftOf := map[int64]int{}
	for _, id := range order {
		m := byProduct[id]
		field := "qty." + strconv.FormatInt(id, 10)
		if _, bad := p[field]; bad {
			continue
		}
		if err := Sellable(m.p, m.s, today); err != nil {
			p.Add(field, xiezuo.ErrorMessage(err))
			continue
		}
		if m.qty < m.p.MinOrder {
			p.Add(field, fmt.Sprintf("商品“%s”起订量为%d%s", m.p.Name, m.p.MinOrder, m.p.Unit))
			continue
		}
		if m.qty > m.p.Stock {
			p.Add(field, xiezuo.ErrorMessage(ShortOfStock(m.p, m.qty)))
			continue
		}
		amount, ok := mulFen(m.qty, m.p.PriceFen)
		if !ok {
			p.Add(field, "商品“"+m.p.Name+"”的金额超过100亿元，请减少数量")
			continue
		}
		i, seen := draftOf[m.s.ID]
		if !seen {
			i = len(drafts)
			draftOf[m.s.ID] = i
			drafts = append(drafts, OrderDraft{SupplierID: m.s.ID, SupplierName: m.s.Name})
		}
		d := &drafts[i]
		total, ok := addFen(d.TotalFen, amount)
		if !ok {
			p.Add(field, "向“"+m.s.Name+"”的订单金额超过100亿元，请分开下单")
			continue
		}
		d.TotalFen = total
		d.Lines = append(d.Lines, OrderLine{
			ProductID: id, ProductName: m.p.Name, Category: m.p.Category, OriginCode: m.p.OriginCode,
			Unit: m.p.Unit, Qty: m.qty, PriceFen: m.p.PriceFen, AmountFen: amount,
		})
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return drafts, nil
}
