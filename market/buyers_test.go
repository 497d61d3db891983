package market

import (
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
)

// A unit's management account manages its own purchasers and nobody
// else's; the office and 监管 issue codes to any buyer account.
func TestPurchaserRules(t *testing.T) {
	const unit, other = 3, 4
	admin := &xiezuo.User{Role: RoleBuyerAdmin, OrgID: unit}
	for _, c := range []struct {
		name   string
		u      *xiezuo.User
		role   xiezuo.Role
		org    int64
		manage bool // CanManagePurchaser
		code   bool // CanIssueCode
	}{
		{"own purchaser", admin, RolePurchaser, unit, true, true},
		{"own management account", admin, RoleBuyerAdmin, unit, false, false},
		{"another unit's purchaser", admin, RolePurchaser, other, false, false},
		{"a purchaser of the unit", &xiezuo.User{Role: RolePurchaser, OrgID: unit}, RolePurchaser, unit, false, false},
		{"a unit user of the same org", &xiezuo.User{Role: xiezuo.RoleUnit, OrgID: unit}, RolePurchaser, unit, false, false},
		{"a supplier", &xiezuo.User{Role: RoleSupplier, OrgID: unit}, RolePurchaser, unit, false, false},
		{"the office", &xiezuo.User{Role: xiezuo.RoleAdmin}, RolePurchaser, unit, false, true},
		{"the office, a management account", &xiezuo.User{Role: xiezuo.RoleReviewer}, RoleBuyerAdmin, unit, false, true},
		{"the office, not a buyer", &xiezuo.User{Role: xiezuo.RoleAdmin}, xiezuo.RoleUnit, unit, false, false},
		{"监管", &xiezuo.User{Role: RoleSupervisor}, RolePurchaser, other, false, true},
		{"a viewer", &xiezuo.User{Role: xiezuo.RoleViewer}, RolePurchaser, unit, false, false},
		{"nobody", nil, RolePurchaser, unit, false, false},
		{"no unit", &xiezuo.User{Role: RoleBuyerAdmin}, RolePurchaser, 0, false, false},
	} {
		if got := CanManagePurchaser(c.u, c.role, c.org); got != c.manage {
			t.Errorf("%s: CanManagePurchaser = %v", c.name, got)
		}
		if got := CanIssueCode(c.u, c.role, c.org); got != c.code {
			t.Errorf("%s: CanIssueCode = %v", c.name, got)
		}
	}
	if !CanManagePurchasers(admin, unit) || CanManagePurchasers(admin, other) || CanManagePurchasers(&xiezuo.User{Role: RolePurchaser, OrgID: unit}, unit) {
		t.Error("CanManagePurchasers")
	}
}

// Only the supervising unit's management account checks a subordinate's
// filing; the office keeps the 832 list.
func TestShareCheckRules(t *testing.T) {
	const parent, unit = 10, 11
	for _, c := range []struct {
		name         string
		u            *xiezuo.User
		unit, parent int64
		want         bool
	}{
		{"the parent's management account", &xiezuo.User{Role: RoleBuyerAdmin, OrgID: parent}, unit, parent, true},
		{"the parent's purchaser", &xiezuo.User{Role: RolePurchaser, OrgID: parent}, unit, parent, false},
		{"the unit itself", &xiezuo.User{Role: RoleBuyerAdmin, OrgID: unit}, unit, parent, false},
		{"another parent", &xiezuo.User{Role: RoleBuyerAdmin, OrgID: 12}, unit, parent, false},
		{"no parent", &xiezuo.User{Role: RoleBuyerAdmin, OrgID: parent}, unit, 0, false},
		{"its own unit as parent", &xiezuo.User{Role: RoleBuyerAdmin, OrgID: unit}, unit, unit, false},
		{"the office", &xiezuo.User{Role: xiezuo.RoleAdmin}, unit, parent, false},
		{"监管", &xiezuo.User{Role: RoleSupervisor}, unit, parent, false},
	} {
		if got := CanCheckShare(c.u, c.unit, c.parent); got != c.want {
			t.Errorf("%s: CanCheckShare = %v", c.name, got)
		}
	}
	for u, want := range map[*xiezuo.User]bool{{Role: xiezuo.RoleAdmin}: true, {Role: xiezuo.RoleReviewer}: true, {Role: RoleSupervisor}: false,
		{Role: RoleBuyerAdmin, OrgID: 1}: false, {Role: xiezuo.RoleCounty, CountyCode: "532531000000"}: false, nil: false} {
		if got := CanKeep832(u); got != want {
			t.Errorf("CanKeep832(%v) = %v", u, got)
		}
	}
}

func TestShareCheckValidate(t *testing.T) {
	for _, c := range []struct {
		c     ShareCheck
		field string // "" valid
	}{
		{ShareCheck{UnitID: 1, Status: CheckApproved, Reason: "好"}, ""},
		{ShareCheck{UnitID: 1, Status: CheckReturned, Reason: "预算偏低，请核对"}, ""},
		{ShareCheck{UnitID: 1, Status: CheckReturned, Reason: "  "}, "reason"},
		{ShareCheck{UnitID: 1, Status: CheckReturned, Reason: strings.Repeat("长", MaxCheckReason+1)}, "reason"},
		{ShareCheck{UnitID: 1, Status: CheckPending}, "status"},
		{ShareCheck{UnitID: 1, Status: "ok"}, "status"},
		{ShareCheck{Status: CheckApproved}, "unit_id"},
	} {
		err := c.c.Validate()
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%+v: %v", c.c, err)
		case c.field != "" && xiezuo.ErrorFields(err)[c.field] == "":
			t.Errorf("%+v: want a problem with %s, got %v", c.c, c.field, err)
		}
	}
	a := ShareCheck{UnitID: 1, Status: CheckApproved, Reason: "x"}
	if a.Validate(); a.Reason != "" {
		t.Error("an approval keeps a reason")
	}
	for _, c := range []struct {
		filed, parent bool
		rec           CheckStatus
		want          CheckStatus
	}{
		{false, true, CheckApproved, CheckNone}, {true, false, CheckReturned, CheckNone}, {true, true, CheckNone, CheckPending},
		{true, true, CheckApproved, CheckApproved}, {true, true, CheckReturned, CheckReturned},
	} {
		if got := CheckOf(c.filed, c.parent, c.rec); got != c.want {
			t.Errorf("CheckOf(%v, %v, %q) = %q", c.filed, c.parent, c.rec, got)
		}
	}
	if CheckPending.Label() != "待审核" || CheckReturned.Label() != "已退回" || CheckNone.Label() != "" {
		t.Error("labels")
	}
}
