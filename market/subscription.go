package market

import (
	"fmt"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
)

// Subscriptions (认领/认购): a lot of a future harvest — 170 亩 of 梯田红米
// at a price per 亩 — shared among enterprises and people, fulfilled at
// harvest; each share then becomes an order of channel 认领/认购.
// Pledges (认捐): a buyer's promise to purchase (约20万元采购清单) that is
// 到位 only as far as its orders are accepted.

// Lot is what is offered for subscription. OrganiserID is the east-side
// unit that organised it (临空园区); shares of people count under it.
type Lot struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"` // 梯田红米
	SupplierID   int64  `json:"supplier_id"`
	OriginCode   string `json:"origin_code"` // county, township or village
	OrganiserID  int64  `json:"organiser_id"`
	Year         int    `json:"year"`
	Unit         string `json:"unit"`           // 亩
	Quantity     int64  `json:"quantity"`       // 170
	PriceFen     int64  `json:"price_fen"`      // per unit
	YieldPerUnit int64  `json:"yield_per_unit"` // produce per unit at harvest, e.g. 400 (斤/亩); 0 unknown
	YieldUnit    string `json:"yield_unit,omitempty"`
}

// Validate checks the lot's fields on day today (which bounds its year).
func (l *Lot) Validate(today string) error {
	p := xiezuo.Problems{}
	p.Text("name", "认购项目名称", &l.Name, 60, true)
	if l.SupplierID <= 0 {
		p.Add("supplier_id", "请选择供应商")
	}
	if !registry.ValidCode(l.OriginCode) || registry.LevelOf(l.OriginCode) < registry.LevelCounty {
		p.Add("origin_code", "产地须为县、乡镇或村的12位区划代码")
	}
	if l.OrganiserID <= 0 {
		p.Add("organiser_id", "请选择组织认购的单位")
	}
	if last := ledger.LastYear(today); l.Year < ledger.FirstYear || l.Year > last {
		p.Add("year", ledger.YearsMessage("年度", last))
	}
	p.Text("unit", "认购单位", &l.Unit, 10, true)
	switch {
	case l.Quantity < 1:
		p.Add("quantity", "可认购数量须至少为1")
	case l.Quantity > MaxQuantity:
		p.Add("quantity", "可认购数量过大，请核对")
	}
	if l.PriceFen <= 0 {
		p.Add("price_fen", "认购单价须大于0元")
	} else if _, ok := mulFen(l.Quantity, l.PriceFen); !ok {
		p.Add("price_fen", "认购总金额超过100亿元，请核对")
	}
	if l.YieldPerUnit < 0 || l.YieldPerUnit > MaxQuantity {
		p.Add("yield_per_unit", "单位产量无效")
	}
	p.Text("yield_unit", "产量单位", &l.YieldUnit, 10, l.YieldPerUnit > 0)
	return p.Err()
}

// Share is one subscriber's part of a lot: an organisation (OrgID) or a
// person (OrgID 0, Name only).
type Share struct {
	ID    int64  `json:"id"`
	OrgID int64  `json:"org_id,omitempty"`
	Name  string `json:"name"`
	Units int64  `json:"units"`
}

// CheckShares checks the shares of lot l: each names its subscriber
// once and takes at least one unit, and together they never exceed the
// lot. Errors are EINVALID, one field per share ("shares.<i>") naming the
// subscriber, and "shares" for the total.
func CheckShares(l *Lot, shares []Share) error {
	p := xiezuo.Problems{}
	var total int64
	seenOrg := map[int64]bool{}
	seenName := map[string]bool{}
	for i := range shares {
		s := &shares[i]
		field := "shares." + strconv.Itoa(i)
		p.Text(field, "第"+strconv.Itoa(i+1)+"位认购人名称", &s.Name, 100, true)
		switch {
		case s.OrgID != 0 && seenOrg[s.OrgID], s.OrgID == 0 && s.Name != "" && seenName[s.Name]:
			p.Add(field, "“"+s.Name+"”重复认购，请合并为一条")
		case s.Units < 1:
			p.Add(field, fmt.Sprintf("“%s”的认购数量须至少为1%s", s.Name, l.Unit))
		case s.Units > l.Quantity:
			p.Add(field, fmt.Sprintf("“%s”认购%d%s，超过可认购的%d%s", s.Name, s.Units, l.Unit, l.Quantity, l.Unit))
		}
		if s.OrgID != 0 {
			seenOrg[s.OrgID] = true
		} else {
			seenName[s.Name] = true
		}
		if s.Units > 0 && s.Units <= l.Quantity {
			total += s.Units // ≤ len(shares) × MaxQuantity: no overflow
		}
	}
	if total > l.Quantity {
		p.Add("shares", fmt.Sprintf("认购合计%d%s，超过可认购的%d%s", total, l.Unit, l.Quantity, l.Unit))
	}
	return p.Err()
}

// Remaining is how many units of l are not yet subscribed (never
// negative).
func Remaining(l *Lot, shares []Share) int64 {
	left := l.Quantity
	for _, s := range shares {
		if s.Units > 0 {
			left -= s.Units
		}
	}
	return max(left, 0)
}

// Fulfilment is what one share comes to at harvest: its amount (units ×
// price) and its produce (units × yield).
type Fulfilment struct {
	Share     Share
	AmountFen int64
	Produce   int64 // in the lot's YieldUnit; 0 when the yield is unknown
}

// Fulfil computes each share's fulfilment when lot l is harvested on
// harvestOn. The shares must pass CheckShares. The store records each as
// an accepted order (see Fulfilment.Order), which makes it count.
func Fulfil(l *Lot, shares []Share, harvestOn string) ([]Fulfilment, error) {
	p := xiezuo.Problems{}
	checkDate(p, "harvest_on", "交付日期", harvestOn, true)
	if err := p.Err(); err != nil {
		return nil, err
	}
	if err := CheckShares(l, shares); err != nil {
		return nil, err
	}
	out := make([]Fulfilment, len(shares))
	for i, s := range shares {
		amount, ok := mulFen(s.Units, l.PriceFen)
		if !ok {
			return nil, xiezuo.Errorf(xiezuo.EINVALID, "“%s”的认购金额超过100亿元，请核对", s.Name)
		}
		out[i] = Fulfilment{Share: s, AmountFen: amount, Produce: s.Units * l.YieldPerUnit} // both ≤ MaxQuantity: ≤ 1e16
	}
	return out, nil
}

// Order is fulfilment f of lot l as an accepted order of channel 认领/认购
// dated harvestOn: bought by the subscribing organisation, or for a
// person by the lot's organiser.
func (f Fulfilment) Order(l *Lot, harvestOn string) Order {
	buyer, name := f.Share.OrgID, f.Share.Name
	if buyer == 0 {
		buyer, name = l.OrganiserID, ""
	}
	return Order{
		Channel: "subscription", OrderedOn: harvestOn, BuyerUnitID: buyer, BuyerUnitName: name,
		SupplierID: l.SupplierID, Status: OrderAccepted, TotalFen: f.AmountFen,
		Lines: []OrderLine{{ProductName: l.Name, OriginCode: l.OriginCode, Unit: l.Unit,
			Qty: f.Share.Units, PriceFen: l.PriceFen, AmountFen: f.AmountFen}},
	}
}

// Pledge is a buyer's promise to purchase (认捐) an amount, perhaps from
// one county; orders carrying its ID fulfil it.
type Pledge struct {
	ID         int64  `json:"id"`
	GiverID    int64  `json:"giver_id"`
	GiverName  string `json:"giver_name,omitempty"`
	CountyCode string `json:"county_code,omitempty"`
	AmountFen  int64  `json:"amount_fen"`
	PledgedOn  string `json:"pledged_on"`
	Note       string `json:"note,omitempty"`
}

// Validate checks the pledge's fields.
func (pl *Pledge) Validate() error {
	p := xiezuo.Problems{}
	if pl.GiverID <= 0 {
		p.Add("giver_id", "请选择认捐单位")
	}
	if pl.CountyCode != "" {
		checkCounty(p, "county_code", "受援县", pl.CountyCode)
	}
	switch {
	case pl.AmountFen <= 0:
		p.Add("amount_fen", "认捐金额须大于0元")
	case pl.AmountFen > xiezuo.MaxFen:
		p.Add("amount_fen", "认捐金额超过100亿元，请核对单位是否为元")
	}
	checkDate(p, "pledged_on", "认捐日期", pl.PledgedOn, true)
	p.Text("note", "备注", &pl.Note, 500, false)
	return p.Err()
}

// PledgeProgress is how far a pledge is 到位.
type PledgeProgress struct {
	PledgedFen     int64  `json:"pledged_fen"`
	DeliveredFen   int64  `json:"delivered_fen"`   // counted orders of the pledge
	OutstandingFen int64  `json:"outstanding_fen"` // still 认捐: pledged − delivered, never negative
	ProgressBP     int64  `json:"progress_bp"`
	Delivery       string `json:"delivery"` // the ledger's code: "delivered" once fully 到位, else "pledged"
}

// Progress sums the orders of orders that belong to pl and count
// (Counts): accepted and settled ones; cancelled and returned ones do not.
func (pl *Pledge) Progress(orders []Order) PledgeProgress {
	var delivered int64
	for i := range orders {
		o := &orders[i]
		if o.PledgeID == pl.ID && pl.ID != 0 && Counts(o.Status) && o.TotalFen > 0 {
			if s, ok := addFen(delivered, o.TotalFen); ok {
				delivered = s
			} else {
				delivered = xiezuo.MaxFen
			}
		}
	}
	bp, _ := Progress(pl.AmountFen, delivered)
	out := PledgeProgress{PledgedFen: pl.AmountFen, DeliveredFen: delivered, OutstandingFen: max(pl.AmountFen-delivered, 0),
		ProgressBP: bp, Delivery: "pledged"}
	if pl.AmountFen > 0 && delivered >= pl.AmountFen {
		out.Delivery = "delivered"
	}
	return out
}
