package ledger

import (
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
)

func TestPolicy(t *testing.T) {
	t.Parallel()
	const own, other = 10, 20
	users := map[string]*xiezuo.User{
		"admin":    {Role: xiezuo.RoleAdmin, OrgID: 1},
		"reviewer": {Role: xiezuo.RoleReviewer, OrgID: 1},
		"unit":     {Role: xiezuo.RoleUnit, OrgID: own},
		"county":   {Role: xiezuo.RoleCounty, OrgID: 30},
		"viewer":   {Role: xiezuo.RoleViewer},
	}
	type want struct{ view, edit bool }
	cases := []struct {
		status Status
		unit   int64
		by     map[string]want
	}{
		{StatusDraft, own, map[string]want{"admin": {true, true}, "reviewer": {true, true}, "unit": {true, true}, "county": {false, false}, "viewer": {false, false}}},
		{StatusDraft, other, map[string]want{"unit": {false, false}}},
		{StatusSubmitted, own, map[string]want{"admin": {true, false}, "unit": {true, false}, "viewer": {false, false}}},
		{StatusApproved, other, map[string]want{"unit": {true, false}, "county": {true, false}, "viewer": {true, false}, "admin": {true, false}}},
		{StatusReturned, own, map[string]want{"unit": {true, true}, "county": {false, false}}},
	}
	for _, c := range cases {
		h := Header{Status: c.status, UnitID: c.unit}
		for name, w := range c.by {
			u := users[name]
			if got := CanView(u, h); got != w.view {
				t.Errorf("%s on %s of unit %d: view = %v", name, c.status, c.unit, got)
			}
			if got := CanEdit(u, h); got != w.edit {
				t.Errorf("%s on %s of unit %d: edit = %v", name, c.status, c.unit, got)
			}
		}
	}
	if CanView(nil, Header{Status: StatusApproved}) {
		t.Error("anonymous may view")
	}
	// Transitions.
	steps := []struct {
		user   string
		from   Status
		a      Action
		reason string
		to     Status
		code   string
	}{
		{"unit", StatusDraft, ActionSubmit, "", StatusSubmitted, ""},
		{"unit", StatusReturned, ActionSubmit, "", StatusSubmitted, ""},
		{"unit", StatusSubmitted, ActionApprove, "", "", xiezuo.EFORBIDDEN},
		{"reviewer", StatusSubmitted, ActionApprove, "", StatusApproved, ""},
		{"reviewer", StatusSubmitted, ActionReturn, "", "", xiezuo.EINVALID},
		{"reviewer", StatusSubmitted, ActionReturn, "缺发票", StatusReturned, ""},
		{"reviewer", StatusDraft, ActionApprove, "", "", xiezuo.ECONFLICT},
		{"reviewer", StatusApproved, ActionReopen, "更正", StatusReturned, ""},
		{"unit", StatusApproved, ActionReopen, "更正", "", xiezuo.EFORBIDDEN},
		{"viewer", StatusDraft, ActionSubmit, "", "", xiezuo.EFORBIDDEN},
	}
	for _, s := range steps {
		got, err := Transition(users[s.user], Header{Status: s.from, UnitID: own}, s.a, s.reason)
		if got != s.to || xiezuo.ErrorCode(err) != s.code {
			t.Errorf("%s %s on %s = %s, %v; want %s, %q", s.user, s.a, s.from, got, err, s.to, s.code)
		}
	}
}

func TestCanImport(t *testing.T) {
	t.Parallel()
	const own = 10
	users := map[string]*xiezuo.User{
		"admin":         {ID: 1, Role: xiezuo.RoleAdmin, OrgID: 1},
		"admin-no-unit": {ID: 2, Role: xiezuo.RoleAdmin},
		"reviewer":      {ID: 3, Role: xiezuo.RoleReviewer, OrgID: 1},
		"unit":          {ID: 4, Role: xiezuo.RoleUnit, OrgID: own},
		"viewer":        {ID: 5, Role: xiezuo.RoleViewer},
	}
	cases := []struct {
		kind Kind
		unit int64
		may  map[string]bool
	}{
		{KindContribution, own, map[string]bool{"admin": true, "reviewer": true, "unit": true, "viewer": false}},
		{KindContribution, 0, map[string]bool{"admin-no-unit": true, "unit": false, "viewer": false}},
		{KindContribution, 99, map[string]bool{"unit": false, "admin": true}},
		{KindActivity, 0, map[string]bool{"unit": true, "viewer": false, "admin-no-unit": true}},
		{"pairing", 0, map[string]bool{"admin": true, "admin-no-unit": true, "reviewer": false, "unit": false}},
		{"organisation", 0, map[string]bool{"admin": true, "reviewer": false}},
		{"person", 0, map[string]bool{"admin": true, "unit": false}},
		{"target", 0, map[string]bool{"admin": true, "reviewer": true, "unit": false, "viewer": false}},
		{"nonsense", 0, map[string]bool{"admin": false}},
	}
	for _, c := range cases {
		for name, want := range c.may {
			if got := CanImport(users[name], c.kind, c.unit); got != want {
				t.Errorf("%s importing %s for unit %d: %v, want %v", name, c.kind, c.unit, got, want)
			}
		}
	}
	if CanImport(nil, KindActivity, 0) {
		t.Error("anonymous may import")
	}
	if !CanSeeImport(users["unit"], 4) || CanSeeImport(users["unit"], 1) || !CanSeeImport(users["reviewer"], 4) || CanSeeImport(nil, 4) {
		t.Error("CanSeeImport: the office or the importer only")
	}
	if CanSettleImport(users["unit"]) || !CanSettleImport(users["reviewer"]) || !CanSettleImport(users["admin"]) || CanSettleImport(nil) {
		t.Error("CanSettleImport: the office only")
	}
}

// TestRolePolicy: the rules that depend on the role only, one row each.
func TestRolePolicy(t *testing.T) {
	t.Parallel()
	users := map[string]*xiezuo.User{
		"admin":    {Role: xiezuo.RoleAdmin, OrgID: 1},
		"reviewer": {Role: xiezuo.RoleReviewer, OrgID: 1},
		"unit":     {Role: xiezuo.RoleUnit, OrgID: 10},
		"county":   {Role: xiezuo.RoleCounty, OrgID: 30, CountyCode: "532531000000"},
		"viewer":   {Role: xiezuo.RoleViewer},
		"anon":     nil,
	}
	order := []string{"admin", "reviewer", "unit", "county", "viewer", "anon"}
	rules := []struct {
		name string
		may  func(*xiezuo.User) bool
		want string // the users allowed, in order
	}{
		{"CanRecordForAnyUnit", CanRecordForAnyUnit, "admin reviewer"},
		{"CanReview", CanReview, "admin reviewer"},
		{"CanManageRegistry", CanManageRegistry, "admin"},
		{"CanEditBulletins", CanEditBulletins, "admin reviewer"},
		{"CanSetTargets", CanSetTargets, "admin reviewer"},
		{"CanEditRectifications", CanEditRectifications, "admin reviewer"},
		{"CanReadAuditLog", CanReadAuditLog, "admin reviewer"},
		{"CanReadMetrics", CanReadMetrics, "admin"},
		{"CanReopen(approved)", func(u *xiezuo.User) bool { return CanReopen(u, Header{Status: StatusApproved, UnitID: 10}) }, "admin reviewer"},
		{"CanReopen(submitted)", func(u *xiezuo.User) bool { return CanReopen(u, Header{Status: StatusSubmitted, UnitID: 10}) }, ""},
		{"CanSeeHistory(draft of unit 10)", func(u *xiezuo.User) bool { return CanSeeHistory(u, Header{Status: StatusDraft, UnitID: 10}) }, "admin reviewer unit"},
		{"CanSeeHistory(approved)", func(u *xiezuo.User) bool { return CanSeeHistory(u, Header{Status: StatusApproved, UnitID: 10}) }, "admin reviewer unit county viewer"},
	}
	for _, r := range rules {
		var got []string
		for _, name := range order {
			if r.may(users[name]) {
				got = append(got, name)
			}
		}
		if g := strings.Join(got, " "); g != r.want {
			t.Errorf("%s: %q, want %q", r.name, g, r.want)
		}
	}
}

func TestCheckReceipt(t *testing.T) {
	t.Parallel()
	const lvchun, jinping = "532531000000", "532530000000"
	delivered := func(mod func(*Contribution)) *Contribution {
		c := &Contribution{Header: Header{Status: StatusApproved, UnitID: 10}, CountyCode: lvchun, Delivery: "delivered"}
		if mod != nil {
			mod(c)
		}
		return c
	}
	cases := []struct {
		name string
		u    *xiezuo.User
		c    *Contribution
		code string
	}{
		{"county user of the county", &xiezuo.User{Role: xiezuo.RoleCounty, OrgID: 30, CountyCode: lvchun}, delivered(nil), ""},
		{"the office", &xiezuo.User{Role: xiezuo.RoleReviewer, OrgID: 1}, delivered(nil), ""},
		{"county user of another county", &xiezuo.User{Role: xiezuo.RoleCounty, OrgID: 31, CountyCode: jinping}, delivered(nil), xiezuo.EFORBIDDEN},
		{"the giving unit", &xiezuo.User{Role: xiezuo.RoleUnit, OrgID: 10}, delivered(nil), xiezuo.EFORBIDDEN},
		{"anonymous", nil, delivered(nil), xiezuo.EFORBIDDEN},
		{"a pledge", &xiezuo.User{Role: xiezuo.RoleCounty, CountyCode: lvchun}, delivered(func(c *Contribution) { c.Delivery = "pledged" }), xiezuo.ECONFLICT},
		{"not approved", &xiezuo.User{Role: xiezuo.RoleCounty, CountyCode: lvchun}, delivered(func(c *Contribution) { c.Status = StatusSubmitted }), xiezuo.ECONFLICT},
		{"already confirmed", &xiezuo.User{Role: xiezuo.RoleAdmin}, delivered(func(c *Contribution) { c.ReceivedAt = "2020-09-05T00:00:00Z" }), xiezuo.ECONFLICT},
	}
	for _, c := range cases {
		err := CheckReceipt(c.u, c.c)
		if xiezuo.ErrorCode(err) != c.code || CanConfirmReceipt(c.u, c.c) != (c.code == "") {
			t.Errorf("%s: %v, want %q", c.name, err, c.code)
		}
	}
}

func TestCanRecordInCounty(t *testing.T) {
	t.Parallel()
	county := &xiezuo.User{Role: xiezuo.RoleCounty, CountyCode: "532531000000"}
	unit := &xiezuo.User{Role: xiezuo.RoleUnit, OrgID: 10}
	if !CanRecordInCounty(county, "532531000000") || CanRecordInCounty(county, "532530000000") || !CanRecordInCounty(county, "") {
		t.Error("a county user records for its own county only")
	}
	if !CanRecordInCounty(unit, "532530000000") || CanRecordInCounty(nil, "") {
		t.Error("units record for any county; anonymous for none")
	}
}

func TestReminderPolicy(t *testing.T) {
	const own, other = 7, 8
	for _, tc := range []struct {
		u              *xiezuo.User
		webhook, outbx bool
	}{
		{nil, false, false},
		{&xiezuo.User{Role: xiezuo.RoleAdmin}, true, true},
		{&xiezuo.User{Role: xiezuo.RoleReviewer}, true, false},
		{&xiezuo.User{Role: xiezuo.RoleUnit, OrgID: own}, true, false},
		{&xiezuo.User{Role: xiezuo.RoleCounty, OrgID: own, CountyCode: "532531000000"}, true, false},
		{&xiezuo.User{Role: xiezuo.RoleBuyerAdmin, OrgID: own}, false, false},
		{&xiezuo.User{Role: xiezuo.RoleViewer, OrgID: own}, false, false},
	} {
		if got := CanEditWebhook(tc.u, own); got != tc.webhook {
			t.Errorf("%+v: CanEditWebhook(own) = %v", tc.u, got)
		}
		if tc.u != nil && !tc.u.IsOffice() && CanEditWebhook(tc.u, other) {
			t.Errorf("%+v may edit another unit's webhook", tc.u)
		}
		if got := CanSeeOutbox(tc.u); got != tc.outbx {
			t.Errorf("%+v: CanSeeOutbox = %v", tc.u, got)
		}
	}
}
