package plan

import "github.com/xiezuo/xiezuo"

// Who may do what with needs, resources, matches and the plan. Pure
// rules: the store enforces them, the web only asks them.

// CanUse reports whether u has the plan pages at all: everyone signed in
// to the ledger (not the market-only accounts).
func CanUse(u *xiezuo.User) bool { return u != nil && !u.Role.MarketOnly() }

// CanPostNeed reports whether u may post a need for county: a county
// user for its own county, the office for any.
func CanPostNeed(u *xiezuo.User, county string) bool {
	return u.IsOffice() || (u != nil && u.Role == xiezuo.RoleCounty && u.CountyCode != "" && (county == "" || county == u.CountyCode))
}

// CanViewNeed reports whether u may see n: a published need (and what
// became of it) everyone who uses the plan; a pending or returned one the
// office and the users of its county.
func CanViewNeed(u *xiezuo.User, n *Need) bool {
	switch {
	case !CanUse(u):
		return false
	case u.IsOffice() || n.Status.Public():
		return true
	}
	return u.Role == xiezuo.RoleCounty && u.CountyCode == n.CountyCode
}

// CheckEditNeed says whether u may change or withdraw n: while pending or
// returned, by the office or a user of its county. Errors: EFORBIDDEN,
// ECONFLICT (published and on).
func CheckEditNeed(u *xiezuo.User, n *Need) error {
	if !CanPostNeed(u, n.CountyCode) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有本县用户和协作办可以修改需求")
	}
	if n.Status != NeedPending && n.Status != NeedReturned {
		return xiezuo.Errorf(xiezuo.ECONFLICT, "需求状态为“%s”，不能修改", n.Status.Label())
	}
	return nil
}

// Moderation actions on a need.
const (
	NeedApprove = "approve" // 待审核 → 已发布
	NeedReturn  = "return"  // 待审核 → 已退回, with a reason
	NeedClose   = "close"   // 已发布 or 已匹配 (the office), 待审核 or 已退回 (also its county) → 已关闭, with a reason
	NeedMetAct  = "met"     // 已匹配 → 已满足 (e.g. a project completed)
)

// NeedTransition checks whether u may apply action a to n and returns the
// new status. Errors: EFORBIDDEN (not the office), ECONFLICT (wrong
// state), EINVALID (a return or close without a reason).
//
// A county may close (withdraw) its own need while it is pending or
// returned, with a reason like the office's.
func NeedTransition(u *xiezuo.User, n *Need, a, reason string) (NeedStatus, error) {
	withdraw := a == NeedClose && (n.Status == NeedPending || n.Status == NeedReturned)
	switch {
	case withdraw && !CanPostNeed(u, n.CountyCode):
		return "", xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有本县用户和协作办可以撤回需求")
	case !withdraw && !u.IsOffice():
		return "", xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以审核需求")
	}
	needReason := func() error {
		if reason == "" {
			return &xiezuo.Error{Code: xiezuo.EINVALID, Message: "请填写理由", Fields: map[string]string{"reason": "请填写理由（如不合理、与已有需求重复）"}}
		}
		return nil
	}
	switch a {
	case NeedApprove, NeedReturn:
		if n.Status != NeedPending {
			return "", xiezuo.Errorf(xiezuo.ECONFLICT, "需求状态为“%s”，只有待审核的需求可以审核", n.Status.Label())
		}
		if a == NeedApprove {
			return NeedPublished, nil
		}
		return NeedReturned, needReason()
	case NeedClose:
		if !withdraw && n.Status != NeedPublished && n.Status != NeedMatched {
			return "", xiezuo.Errorf(xiezuo.ECONFLICT, "需求状态为“%s”，不能关闭", n.Status.Label())
		}
		return NeedClosed, needReason()
	case NeedMetAct:
		if n.Status != NeedMatched {
			return "", xiezuo.Errorf(xiezuo.ECONFLICT, "只有已匹配的需求可以标为已满足")
		}
		return NeedMet, nil
	}
	return "", xiezuo.Errorf(xiezuo.EINVALID, "未知的需求操作")
}

// CanPostResource reports whether u may post or change a resource of unit
// orgID: a unit user for its own unit, the office for any.
func CanPostResource(u *xiezuo.User, orgID int64) bool {
	return u.IsOffice() || (u != nil && u.Role == xiezuo.RoleUnit && u.OrgID != 0 && (orgID == 0 || orgID == u.OrgID))
}

// Sides of a match.
const (
	SideUnit   = "unit"   // the resource's unit
	SideCounty = "county" // the need's county
	SideOffice = "office" // the office, confirming for both
)

// MatchSide says for which side u answers a proposed match of n and r:
// the resource's unit, the need's county, or the office (for both); ""
// for none.
func MatchSide(u *xiezuo.User, n *Need, r *Resource) string {
	switch {
	case u.IsOffice():
		return SideOffice
	case u != nil && u.Role == xiezuo.RoleUnit && u.OrgID != 0 && u.OrgID == r.OrgID:
		return SideUnit
	case u != nil && u.Role == xiezuo.RoleCounty && u.CountyCode != "" && u.CountyCode == n.CountyCode:
		return SideCounty
	}
	return ""
}

// CanDeliver reports whether u may record that the pledge of a match
// with resource r was delivered (到位): the giving unit or the office.
func CanDeliver(u *xiezuo.User, r *Resource) bool {
	return u.IsOffice() || (u != nil && u.Role == xiezuo.RoleUnit && u.OrgID != 0 && u.OrgID == r.OrgID)
}

// CanEditPlan reports whether u may enter and change plan items: the
// office.
func CanEditPlan(u *xiezuo.User) bool { return u.IsOffice() }
