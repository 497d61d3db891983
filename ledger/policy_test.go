package ledger

import (
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
