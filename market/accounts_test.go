package market

import (
	"testing"

	"github.com/xiezuo/xiezuo"
)

func TestAccountRules(t *testing.T) {
	for _, c := range []struct {
		u    *xiezuo.User
		want bool
	}{
		{nil, false},
		{&xiezuo.User{Role: xiezuo.RoleAdmin}, true},
		{&xiezuo.User{Role: xiezuo.RoleReviewer}, true},
		{&xiezuo.User{Role: RoleSupervisor}, true},
		{&xiezuo.User{Role: RoleBuyerAdmin, OrgID: 3}, false},
		{&xiezuo.User{Role: RolePurchaser, OrgID: 3}, false},
		{&xiezuo.User{Role: xiezuo.RoleUnit, OrgID: 3}, false},
		{&xiezuo.User{Role: xiezuo.RoleViewer}, false},
	} {
		if got := CanOpenAccounts(c.u); got != c.want {
			t.Errorf("CanOpenAccounts(%v) = %v", c.u, got)
		}
	}
	for phone, ok := range map[string]bool{"": true, "13812345678": true, "138-1234-5678": true, "+86 13812345678": true,
		"021-62345678": true, "62345678": true, "1381234567": false, "abc": false, "23812345678": false, "１３８": false} {
		if got := PhoneProblem(phone) == ""; got != ok {
			t.Errorf("PhoneProblem(%q) = %q", phone, PhoneProblem(phone))
		}
	}
}
