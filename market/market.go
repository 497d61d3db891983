// Package market holds 消费帮扶 as records: suppliers of the paired counties
// and their certified products, buyers' orders from every channel, budget
// units' reserved shares, subscriptions (认领/认购) and pledges (认捐),
// supervision flags and the rows of an 832-platform order export. It
// defines the records, their validation and the pure who-may-do-what rules;
// the store implements the services over them and posts every counted
// order to the ledger as a consumption contribution. This package has no
// I/O and never reads the clock: callers pass today (YYYY-MM-DD in China).
package market

import (
	"strconv"

	"github.com/xiezuo/xiezuo"
)

// The market's roles are xiezuo's (user.go): a supplier's users belong to
// the supplier (xiezuo.User.OrgID), buyer accounts to their budget unit,
// union or enterprise. The county (xiezuo.RoleCounty, with CountyCode)
// recommends suppliers and certifies products of its county; the office
// (User.IsOffice) admits and suspends suppliers.
const (
	RoleSupplier   = xiezuo.RoleSupplier
	RoleBuyerAdmin = xiezuo.RoleBuyerAdmin
	RolePurchaser  = xiezuo.RolePurchaser
	RoleSupervisor = xiezuo.RoleSupervisor
)

// Roles lists the market's roles in display order.
var Roles = []xiezuo.Role{RoleSupplier, RoleBuyerAdmin, RolePurchaser, RoleSupervisor}

// isBuyerOf reports whether u is an account (management or purchaser) of
// buyer unit unitID.
func isBuyerOf(u *xiezuo.User, unitID int64) bool {
	return u != nil && unitID != 0 && u.OrgID == unitID && (u.Role == RoleBuyerAdmin || u.Role == RolePurchaser)
}

// isSupplier reports whether u is a user of supplier supplierID.
func isSupplier(u *xiezuo.User, supplierID int64) bool {
	return u != nil && supplierID != 0 && u.Role == RoleSupplier && u.OrgID == supplierID
}

// isCountyOf reports whether u is a county user of county.
func isCountyOf(u *xiezuo.User, county string) bool {
	return u != nil && county != "" && u.Role == xiezuo.RoleCounty && u.CountyCode == county
}

// CanSupervise reports whether u sees every buyer's purchases, shares and
// the supervision flags (read-only): the office and 监管 (区财政局).
func CanSupervise(u *xiezuo.User) bool {
	return u != nil && (u.IsOffice() || u.Role == RoleSupervisor)
}

// checkDate adds a problem when date is not YYYY-MM-DD; empty is allowed
// unless required.
func checkDate(p xiezuo.Problems, field, label, date string, required bool) bool {
	if date == "" {
		if required {
			p.Add(field, label+"不能为空")
		}
		return false
	}
	if !xiezuo.ValidDate(date) {
		p.Add(field, label+xiezuo.DateProblem(date))
		return false
	}
	return true
}

// MaxQuantity bounds any count of goods (units, 斤, 亩): a larger one is a
// typing error.
const MaxQuantity int64 = 100_000_000

// mulFen is qty × priceFen, false when either is negative or the product
// exceeds xiezuo.MaxFen (100亿元): no int64 overflow is possible.
func mulFen(qty, priceFen int64) (int64, bool) {
	if qty < 0 || priceFen < 0 {
		return 0, false
	}
	if qty != 0 && priceFen > xiezuo.MaxFen/qty {
		return 0, false
	}
	return qty * priceFen, true
}

// addFen is a + b, false when the sum exceeds xiezuo.MaxFen.
func addFen(a, b int64) (int64, bool) {
	if a < 0 || b < 0 || a > xiezuo.MaxFen-b {
		return 0, false
	}
	return a + b, true
}

// FormatPercent shows basis points as a percent with two decimals:
// 1234 → "12.34%", -5 → "-0.05%".
func FormatPercent(bp int64) string {
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	frac := strconv.FormatInt(bp%100, 10)
	if len(frac) < 2 {
		frac = "0" + frac
	}
	return sign + strconv.FormatInt(bp/100, 10) + "." + frac + "%"
}
