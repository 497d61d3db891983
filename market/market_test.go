package market

import (
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
)

// Places and parties shared by the tests: 绿春县 with its town 大兴镇 and
// village 阿迪村, 金平县, 甘德县; supplier 7 of 绿春 (supplier 8 another);
// buyer units 10 and 11.
const (
	lvchun  = "532531000000"
	daxing  = "532531101000"
	adi     = "532531101204"
	jinping = "532530000000"
	gande   = "632623000000"

	usccA = "91110000802100433B"
	usccB = "91440300708461136T"

	supplierID, otherSupplierID = 7, 8
	unitID, otherUnitID         = 10, 11
)

var users = map[string]*xiezuo.User{
	"admin":          {ID: 1, Role: xiezuo.RoleAdmin, OrgID: 1},
	"reviewer":       {ID: 2, Role: xiezuo.RoleReviewer, OrgID: 1},
	"county":         {ID: 3, Role: xiezuo.RoleCounty, OrgID: 30, CountyCode: lvchun},
	"other-county":   {ID: 4, Role: xiezuo.RoleCounty, OrgID: 31, CountyCode: jinping},
	"supplier":       {ID: 5, Role: RoleSupplier, OrgID: supplierID},
	"other-supplier": {ID: 6, Role: RoleSupplier, OrgID: otherSupplierID},
	"manager":        {ID: 7, Role: RoleBuyerAdmin, OrgID: unitID},
	"purchaser":      {ID: 8, Role: RolePurchaser, OrgID: unitID},
	"other-buyer":    {ID: 9, Role: RolePurchaser, OrgID: otherUnitID},
	"other-manager":  {ID: 10, Role: RoleBuyerAdmin, OrgID: otherUnitID},
	"supervisor":     {ID: 11, Role: RoleSupervisor, OrgID: 40},
	"unit":           {ID: 12, Role: xiezuo.RoleUnit, OrgID: unitID},
	"viewer":         {ID: 13, Role: xiezuo.RoleViewer},
	"anon":           nil,
}

// userOrder is the order in which rule tables list the allowed users.
var userOrder = []string{"admin", "reviewer", "county", "other-county", "supplier", "other-supplier",
	"manager", "purchaser", "other-buyer", "other-manager", "supervisor", "unit", "viewer", "anon"}

// allowed lists, in userOrder, the users for whom may is true.
func allowed(may func(*xiezuo.User) bool) string {
	var got []string
	for _, name := range userOrder {
		if may(users[name]) {
			got = append(got, name)
		}
	}
	return strings.Join(got, " ")
}

// checkErr checks that err has code and, when field is not "", that its
// message for field contains every one of want (else the error's whole
// message must).
func checkErr(t *testing.T, name string, err error, code, field string, want ...string) {
	t.Helper()
	if got := xiezuo.ErrorCode(err); got != code {
		t.Errorf("%s: code %q (%v), want %q", name, got, err, code)
		return
	}
	if err == nil {
		return
	}
	msg := xiezuo.ErrorMessage(err)
	if field != "" {
		fm, ok := xiezuo.ErrorFields(err)[field]
		if !ok {
			t.Errorf("%s: no message for field %q in %v", name, field, err)
			return
		}
		msg = fm
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: message %q does not contain %q", name, msg, w)
		}
	}
}

func TestRoleLabel(t *testing.T) {
	t.Parallel()
	for _, r := range Roles {
		if l := r.Label(); l == string(r) || l == "" || !r.Valid() {
			t.Errorf("role %s has no Chinese label or is not one of xiezuo.Roles", r)
		}
	}
	if got := allowed(CanSupervise); got != "admin reviewer supervisor" {
		t.Errorf("CanSupervise: %q", got)
	}
}

func TestMoneyHelpers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		qty, price, want int64
		ok               bool
	}{
		{20, 5980, 119600, true},
		{0, 5980, 0, true},
		{1, xiezuo.MaxFen, xiezuo.MaxFen, true},
		{2, xiezuo.MaxFen, 0, false},
		{1 << 40, 1 << 40, 0, false}, // would overflow int64
		{-1, 100, 0, false},
	} {
		got, ok := mulFen(c.qty, c.price)
		if got != c.want || ok != c.ok {
			t.Errorf("mulFen(%d, %d) = %d, %v", c.qty, c.price, got, ok)
		}
	}
	if _, ok := addFen(xiezuo.MaxFen, 1); ok {
		t.Error("addFen past MaxFen")
	}
	if s, ok := addFen(1, 2); s != 3 || !ok {
		t.Error("addFen(1, 2)")
	}
	for bp, want := range map[int64]string{1234: "12.34%", 5: "0.05%", 10000: "100.00%", -5: "-0.05%", 0: "0.00%"} {
		if got := FormatPercent(bp); got != want {
			t.Errorf("FormatPercent(%d) = %q, want %q", bp, got, want)
		}
	}
}

func TestCanRecordPurchase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		u    *xiezuo.User
		unit int64
		want bool
	}{
		{&xiezuo.User{Role: xiezuo.RoleAdmin}, 7, true},
		{&xiezuo.User{Role: xiezuo.RoleSupervisor}, 7, true},
		{&xiezuo.User{Role: xiezuo.RoleBuyerAdmin, OrgID: 7}, 7, true},
		{&xiezuo.User{Role: xiezuo.RoleBuyerAdmin, OrgID: 8}, 7, false},
		{&xiezuo.User{Role: xiezuo.RolePurchaser, OrgID: 7}, 7, false},
		{&xiezuo.User{Role: xiezuo.RoleSupplier, OrgID: 7}, 7, false},
		{&xiezuo.User{Role: xiezuo.RoleUnit, OrgID: 7}, 7, false},
		{nil, 7, false},
	} {
		if got := CanRecordPurchase(tc.u, tc.unit); got != tc.want {
			t.Errorf("%+v for unit %d: %v", tc.u, tc.unit, got)
		}
	}
}
