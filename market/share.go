package market

import (
	"math"
	"sort"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// Reserved shares (预留份额): each budget unit reserves a part of its
// yearly canteen farm-produce budget for products of the paired and 832
// counties. Ratios are in basis points (1% = 100 bp).

// FirstShareYear is the first year a reserved share may be filed for:
// budget units' reserved shares for the poor counties' products began in
// 2019.
const FirstShareYear = 2019

// DefaultRatioBP is the reserved ratio until the office sets another for
// the year: 10%.
const DefaultRatioBP int64 = 1000

// ShareFiling is a budget unit's filing for a year: its canteen
// farm-produce budget and reserved ratio, or 无食堂 (no canteen, no share).
type ShareFiling struct {
	UnitID    int64  `json:"unit_id"`
	UnitName  string `json:"unit_name,omitempty"`
	Year      int    `json:"year"`
	NoCanteen bool   `json:"no_canteen"`
	BudgetFen int64  `json:"budget_fen"`
	RatioBP   int64  `json:"ratio_bp"`
}

// Validate checks the filing on day today against officeRatioBP, the
// ratio the office set for the year (DefaultRatioBP unless it changed
// it): a unit may reserve more, never less. A ratio of 0 takes the
// office's. A unit without a canteen files no budget.
func (f *ShareFiling) Validate(today string, officeRatioBP int64) error {
	p := xiezuo.Problems{}
	if f.UnitID <= 0 {
		p.Add("unit_id", "请选择预算单位")
	}
	if last := ledger.LastYear(today); f.Year < FirstShareYear || f.Year > last {
		p.Add("year", "年度应在"+strconv.Itoa(FirstShareYear)+"年至"+strconv.Itoa(last)+"年之间")
	}
	if f.NoCanteen {
		if f.BudgetFen != 0 {
			p.Add("budget_fen", "无食堂的单位不填写食堂农副产品预算")
		}
		f.RatioBP = 0
		return p.Err()
	}
	switch {
	case f.BudgetFen <= 0:
		p.Add("budget_fen", "请填写食堂农副产品年度预算，或选择“无食堂”")
	case f.BudgetFen > xiezuo.MaxFen:
		p.Add("budget_fen", "食堂农副产品预算超过100亿元，请核对单位是否为元")
	}
	if f.RatioBP == 0 {
		f.RatioBP = officeRatioBP
	}
	switch {
	case f.RatioBP > 10000:
		p.Add("ratio_bp", "预留比例不能超过100%")
	case f.RatioBP < officeRatioBP:
		p.Add("ratio_bp", "预留比例不能低于协作办规定的"+FormatPercent(officeRatioBP))
	}
	return p.Err()
}

// Reserved is the filing's reserved share in fen (0 for 无食堂).
func (f *ShareFiling) Reserved() int64 {
	if f.NoCanteen {
		return 0
	}
	return ReservedFen(f.BudgetFen, f.RatioBP)
}

// ReservedFen is budgetFen × ratioBP / 10000, rounded half up to the fen;
// 0 for a negative or oversized budget or ratio (Validate refuses those).
func ReservedFen(budgetFen, ratioBP int64) int64 {
	if budgetFen <= 0 || ratioBP <= 0 || budgetFen > xiezuo.MaxFen || ratioBP > 10000 {
		return 0
	}
	return (budgetFen*ratioBP + 5000) / 10000
}

// Progress is purchased against reserved in basis points (10000 = 100%;
// more is possible), rounded down; ok is false when there is no share.
func Progress(reservedFen, purchasedFen int64) (bp int64, ok bool) {
	if reservedFen <= 0 {
		return 0, false
	}
	if purchasedFen <= 0 {
		return 0, true
	}
	q, r := purchasedFen/reservedFen, purchasedFen%reservedFen
	if q > math.MaxInt64/10000-1 {
		return math.MaxInt64, true
	}
	return q*10000 + r*10000/reservedFen, true // r < reserved ≤ MaxFen: no overflow
}

// ProgressText shows Progress as 12.34%, or 无预留份额.
func ProgressText(reservedFen, purchasedFen int64) string {
	if bp, ok := Progress(reservedFen, purchasedFen); ok {
		return FormatPercent(bp)
	}
	return "无预留份额"
}

// ShareRow is one unit's line in the supervision table: its share, what
// it purchased (counted orders of certified products of the paired or
// 832 counties), and, once ranked, its progress and rank.
type ShareRow struct {
	UnitID       int64  `json:"unit_id"`
	UnitName     string `json:"unit_name"`
	ReservedFen  int64  `json:"reserved_fen"`
	PurchasedFen int64  `json:"purchased_fen"`
	ProgressBP   int64  `json:"progress_bp"`
	HasShare     bool   `json:"has_share"`
	Rank         int    `json:"rank,omitempty"` // 0: no share, not ranked
}

// RankShares fills each row's progress and orders the rows: units with a
// share by progress, then amount purchased, highest first (ties share a
// rank: 1, 2, 2, 4), then units without a share by amount purchased,
// unranked. Equal rows keep the unit id order.
func RankShares(rows []ShareRow) []ShareRow {
	out := make([]ShareRow, len(rows))
	copy(out, rows)
	for i := range out {
		out[i].ProgressBP, out[i].HasShare = Progress(out[i].ReservedFen, out[i].PurchasedFen)
		out[i].Rank = 0
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.HasShare != b.HasShare:
			return a.HasShare
		case a.HasShare && a.ProgressBP != b.ProgressBP:
			return a.ProgressBP > b.ProgressBP
		case a.PurchasedFen != b.PurchasedFen:
			return a.PurchasedFen > b.PurchasedFen
		}
		return a.UnitID < b.UnitID
	})
	for i := range out {
		if !out[i].HasShare {
			break
		}
		if i > 0 && out[i].ProgressBP == out[i-1].ProgressBP {
			out[i].Rank = out[i-1].Rank
		} else {
			out[i].Rank = i + 1
		}
	}
	return out
}

// CanFileShare reports whether u may file or change unit unitID's
// budget and ratio: the unit's management account.
func CanFileShare(u *xiezuo.User, unitID int64) bool {
	return isBuyerOf(u, unitID) && u.Role == RoleBuyerAdmin
}

// CanSetRatio reports whether u may set the year's reserved ratio for
// every unit: the office.
func CanSetRatio(u *xiezuo.User) bool {
	return u.IsOffice()
}

// CanSeeShare reports whether u may see unit unitID's filing and
// progress: the unit's own accounts, the management account of its
// supervising unit (主管预算单位, parentID; 0 if none), the office and 监管.
func CanSeeShare(u *xiezuo.User, unitID, parentID int64) bool {
	return CanSupervise(u) || isBuyerOf(u, unitID) || (isBuyerOf(u, parentID) && u.Role == RoleBuyerAdmin)
}
