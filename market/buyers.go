package market

import (
	"strings"
	"unicode/utf8"

	"github.com/xiezuo/xiezuo"
)

// A buyer unit's own management (issue 12, item 2): its management
// account (采购单位管理账号) adds its purchasers, disables and re-enables
// them and issues a new activation code to one that has not activated;
// the management account of its supervising unit (主管预算单位) checks
// the unit's reserved-share filing; the office keeps the list of the 832
// counties whose products count as the paired counties' do.

// CanManagePurchasers reports whether u may list and add the purchaser
// accounts of unit unitID: the unit's management account.
func CanManagePurchasers(u *xiezuo.User, unitID int64) bool {
	return isBuyerOf(u, unitID) && u.Role == RoleBuyerAdmin
}

// CanManagePurchaser reports whether u may disable, re-enable or issue a
// new code to an account of role in unit org: the unit's management
// account, for the unit's purchasers only (never a management account,
// its own included, nor another unit's accounts).
func CanManagePurchaser(u *xiezuo.User, role xiezuo.Role, org int64) bool {
	return role == RolePurchaser && CanManagePurchasers(u, org)
}

// CanIssueCode reports whether u may give an account of role in unit org
// a new activation code: the office and 监管 for any buyer account
// (CanOpenAccounts), a unit's management account for its purchasers.
func CanIssueCode(u *xiezuo.User, role xiezuo.Role, org int64) bool {
	return (CanOpenAccounts(u) && IsBuyerRole(role)) || CanManagePurchaser(u, role, org)
}

// CheckStatus is where a unit's filing stands with its supervising unit.
type CheckStatus string

const (
	CheckNone     CheckStatus = ""         // no supervising unit, or not filed: nothing to check
	CheckPending  CheckStatus = "pending"  // filed (or filed again), not checked yet
	CheckApproved CheckStatus = "approved" // 审核通过
	CheckReturned CheckStatus = "returned" // 退回: the unit must file again
)

// Label is the status in Chinese.
func (s CheckStatus) Label() string {
	switch s {
	case CheckPending:
		return "待审核"
	case CheckApproved:
		return "审核通过"
	case CheckReturned:
		return "已退回"
	}
	return ""
}

// CheckOf is the status of a filing: filed (false: nothing to check),
// hasParent (false: no supervising unit checks it) and the check recorded
// for the filing as it stands (CheckNone when none: a filing made again
// has none).
func CheckOf(filed, hasParent bool, recorded CheckStatus) CheckStatus {
	switch {
	case !filed || !hasParent:
		return CheckNone
	case recorded == CheckApproved || recorded == CheckReturned:
		return recorded
	}
	return CheckPending
}

// CanCheckShare reports whether u may check unit unitID's filing, whose
// supervising unit is parentID (0: none): the supervising unit's
// management account, never for its own unit.
func CanCheckShare(u *xiezuo.User, unitID, parentID int64) bool {
	return parentID != 0 && parentID != unitID && isBuyerOf(u, parentID) && u.Role == RoleBuyerAdmin
}

// MaxCheckReason bounds a return's reason, in characters.
const MaxCheckReason = 200

// ShareCheck is a supervising unit's check of a filing: approve, or
// return with the reason the unit reads. FiledAt is the time of the
// filing checked (the unit may file again meanwhile).
type ShareCheck struct {
	UnitID  int64       `json:"unit_id"`
	Year    int         `json:"year"`
	Status  CheckStatus `json:"status"`
	Reason  string      `json:"reason,omitempty"`
	FiledAt string      `json:"filed_at"`
}

// Validate checks the check: approved or returned, a return with its
// reason (an approval's is dropped).
func (c *ShareCheck) Validate() error {
	p := xiezuo.Problems{}
	c.Reason = strings.TrimSpace(c.Reason)
	if c.UnitID <= 0 {
		p.Add("unit_id", "请选择下属预算单位")
	}
	switch c.Status {
	case CheckApproved:
		c.Reason = ""
	case CheckReturned:
		if c.Reason == "" {
			p.Add("reason", "退回时请填写退回原因，下属单位据此修改后重新填报")
		} else if utf8.RuneCountInString(c.Reason) > MaxCheckReason {
			p.Add("reason", "退回原因不超过200个字")
		}
	default:
		p.Add("status", "请选择“审核通过”或“退回”")
	}
	return p.Err()
}

// CanKeep832 reports whether u may add counties to the 832 list and
// remove them: the office.
func CanKeep832(u *xiezuo.User) bool { return u.IsOffice() }
