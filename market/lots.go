package market

import (
	"fmt"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/registry"
)

// Who may do what with lots (认领/认购) and pledges (认捐), and the one
// rule of how a pledge stands in the ledger. See subscription.go for the
// records themselves.

// LotStatus is where a lot is: open (shares may change) or fulfilled (its
// shares became orders at harvest; locked).
type LotStatus string

const (
	LotOpen      LotStatus = "open"      // 认购中
	LotFulfilled LotStatus = "fulfilled" // 已交付
)

// Label is the status in Chinese.
func (s LotStatus) Label() string {
	if s == LotFulfilled {
		return "已交付"
	}
	return "认购中"
}

// CanManageLot reports whether u may create or edit a lot organised by
// unit organiserID, record its shares and fulfil it: the office, and the
// organising unit's management account (临空园区 runs its own 认购). 监管
// only reads; purchasers, suppliers and other units may not.
func CanManageLot(u *xiezuo.User, organiserID int64) bool {
	return u != nil && (u.IsOffice() || (u.Role == RoleBuyerAdmin && organiserID != 0 && u.OrgID == organiserID))
}

// CanViewLot reports whether u may see lot l: the office and 监管, the
// organising unit's accounts, and the lot's supplier.
func CanViewLot(u *xiezuo.User, l *Lot) bool {
	return CanSupervise(u) || isBuyerOf(u, l.OrganiserID) || isSupplier(u, l.SupplierID)
}

// CheckHarvest checks the day lot l is fulfilled: a date not before the
// lot's year and not after today (a harvest is recorded once delivered).
// Errors: EINVALID on field harvest_on.
func CheckHarvest(l *Lot, harvestOn, today string) error {
	p := xiezuo.Problems{}
	if checkDate(p, "harvest_on", "交付日期", harvestOn, true) {
		switch {
		case harvestOn < fmt.Sprintf("%04d-01-01", l.Year):
			p.Add("harvest_on", fmt.Sprintf("交付日期不能早于认购年度（%d年）", l.Year))
		case today != "" && harvestOn > today:
			p.Add("harvest_on", "交付日期不能晚于今天：收获交付后再登记")
		}
	}
	return p.Err()
}

// CanManagePledge reports whether u may record or edit a pledge of unit
// giverID: the office, and the giver's own management account. 监管 only
// reads.
func CanManagePledge(u *xiezuo.User, giverID int64) bool {
	return u != nil && (u.IsOffice() || (u.Role == RoleBuyerAdmin && giverID != 0 && u.OrgID == giverID))
}

// CanViewPledge reports whether u may see pledge pl: the office, 监管 and
// the giver's accounts (whose orders fulfil it).
func CanViewPledge(u *xiezuo.User, pl *Pledge) bool {
	return CanSupervise(u) || isBuyerOf(u, pl.GiverID)
}

// CanPledgeOrder reports whether u may count order o towards a pledge
// (or take it off one): the order's buyer unit's accounts and the office.
func CanPledgeOrder(u *xiezuo.User, o *Order) bool {
	return u != nil && (u.IsOffice() || isBuyerOf(u, o.BuyerUnitID))
}

// PledgeFits checks that order o may count towards pledge pl: it is the
// giver's own purchase and, when the pledge names a county, every line
// comes from that county. Errors: EINVALID on field pledge_id.
func PledgeFits(pl *Pledge, o *Order) error {
	if pl.GiverID != o.BuyerUnitID {
		name := pl.GiverName
		if name == "" {
			name = "认捐单位"
		}
		return pledgeProblem(fmt.Sprintf("只能计入采购单位自己的认捐：这项认捐属于“%s”", name))
	}
	if pl.CountyCode != "" {
		for _, l := range o.Lines {
			if registry.CountyOf(l.OriginCode) != pl.CountyCode {
				return pledgeProblem(fmt.Sprintf("“%s”的产地不在这项认捐的受援县内，不能计入", l.ProductName))
			}
		}
	}
	return nil
}

func pledgeProblem(msg string) error {
	p := xiezuo.Problems{}
	p.Add("pledge_id", msg)
	return p.Err()
}

// PledgeLine is how a pledge stands in the ledger: one approved
// consumption contribution of the giver, delivery 认捐 (pledged), for
// exactly the amount not yet 到位. The orders that fulfil the pledge are
// each their own 到位 contribution, so a yuan is counted once: as 认捐
// while promised, as 到位 once its order is accepted, and as 认捐 again if
// that order is returned. A pledge fully met, or one that names no county
// (every ledger line lies in a county), has no line (ok false).
func PledgeLine(pl *Pledge, pr PledgeProgress) (fen int64, ok bool) {
	if pl.CountyCode == "" || pr.OutstandingFen <= 0 {
		return 0, false
	}
	return pr.OutstandingFen, true
}

// CheckShare checks share s as it joins lot l (s.ID 0) or replaces the
// share of its ID, beside the lot's other shares: it names its subscriber
// once and takes at least one unit and no more than the lot has left.
// Every problem names the subscriber. Errors: EINVALID on fields name and
// units.
func CheckShare(l *Lot, shares []Share, s *Share) error {
	p := xiezuo.Problems{}
	p.Text("name", "认购人名称", &s.Name, 100, true)
	var others []Share
	for _, o := range shares {
		if s.ID == 0 || o.ID != s.ID {
			others = append(others, o)
		}
	}
	for _, o := range others {
		if (s.OrgID != 0 && o.OrgID == s.OrgID) || (s.OrgID == 0 && o.OrgID == 0 && s.Name != "" && o.Name == s.Name) {
			p.Add("name", fmt.Sprintf("“%s”已认购%d%s，请修改原有的一条，不要重复登记", o.Name, o.Units, l.Unit))
		}
	}
	left := Remaining(l, others)
	switch {
	case s.Units < 1:
		p.Add("units", fmt.Sprintf("“%s”的认购数量须至少为1%s", s.Name, l.Unit))
	case s.Units > left:
		p.Add("units", fmt.Sprintf("“%s”认购%d%s，超过剩余可认购的%d%s（共%d%s）", s.Name, s.Units, l.Unit, left, l.Unit, l.Quantity, l.Unit))
	}
	return p.Err()
}
