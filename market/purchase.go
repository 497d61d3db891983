package market

import "github.com/xiezuo/xiezuo"

// CanRecordPurchase reports whether u may record purchases made outside
// the shop (an 832 export, a union's or a fair's sales) for buyer unit
// unitID: the office and 监管 for any unit, a unit's management account
// for its own.
func CanRecordPurchase(u *xiezuo.User, unitID int64) bool {
	return CanSupervise(u) || (u != nil && u.Role == RoleBuyerAdmin && unitID != 0 && u.OrgID == unitID)
}
