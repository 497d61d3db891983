package ledger

import "github.com/xiezuo/xiezuo"

// Action is a review step.
type Action string

const (
	ActionSubmit  Action = "submit"
	ActionApprove Action = "approve"
	ActionReturn  Action = "return"
	ActionReopen  Action = "reopen"
)

// Label is the action in Chinese.
func (a Action) Label() string {
	switch a {
	case ActionSubmit:
		return "提交审核"
	case ActionApprove:
		return "审核通过"
	case ActionReturn:
		return "退回"
	case ActionReopen:
		return "重新打开"
	}
	return string(a)
}

// CanView reports whether u may see a record with header h. The office sees
// everything; units and counties see their own records and approved ones;
// viewers see approved records only.
func CanView(u *xiezuo.User, h Header) bool {
	switch {
	case u == nil || h.Status == StatusImporting:
		return false
	case u.IsOffice():
		return true
	case h.Status == StatusApproved:
		return true
	case u.Role == xiezuo.RoleUnit || u.Role == xiezuo.RoleCounty:
		return u.OrgID != 0 && h.UnitID == u.OrgID
	}
	return false
}

// CanCreateFor reports whether u may create a record owned by unitID.
func CanCreateFor(u *xiezuo.User, unitID int64) bool {
	if u == nil || !u.CanRecord() {
		return false
	}
	return u.IsOffice() || (u.OrgID != 0 && u.OrgID == unitID)
}

// CanImport reports whether u may import a file of kind for unitID (0:
// each row names its own unit, or u's). Registry kinds (organisation,
// pairing, person) are the office admin's; contributions follow
// CanCreateFor; the other ledger kinds, anyone who records.
func CanImport(u *xiezuo.User, kind Kind, unitID int64) bool {
	switch {
	case u == nil:
		return false
	case kind == "organisation" || kind == "pairing" || kind == "person":
		return u.Role == xiezuo.RoleAdmin
	case kind == KindContribution:
		return CanCreateFor(u, unitID)
	}
	return kind.Valid() && u.CanRecord()
}

// CanDiscardImport reports whether u may discard an interrupted batch that
// userID imported: the office, or the user who imported it.
func CanDiscardImport(u *xiezuo.User, userID int64) bool {
	return u != nil && (u.IsOffice() || u.ID == userID)
}

// CanEdit reports whether u may change or delete the record: drafts and
// returned records of the user's own unit, or any such record for the office.
func CanEdit(u *xiezuo.User, h Header) bool {
	if h.Status != StatusDraft && h.Status != StatusReturned {
		return false
	}
	return CanCreateFor(u, h.UnitID)
}

// Transition checks whether u may apply action a to a record with header h
// and returns the new status. Errors are EFORBIDDEN (role or ownership) or
// ECONFLICT (wrong state), with a Chinese message.
func Transition(u *xiezuo.User, h Header, a Action, reason string) (Status, error) {
	switch a {
	case ActionSubmit:
		if !CanCreateFor(u, h.UnitID) {
			return "", xiezuo.Errorf(xiezuo.EFORBIDDEN, "只能提交本单位的记录")
		}
		if h.Status != StatusDraft && h.Status != StatusReturned {
			return "", xiezuo.Errorf(xiezuo.ECONFLICT, "记录状态为“%s”，不能提交", h.Status.Label())
		}
		return StatusSubmitted, nil
	case ActionApprove, ActionReturn:
		if !u.IsOffice() {
			return "", xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以审核")
		}
		if h.Status != StatusSubmitted {
			return "", xiezuo.Errorf(xiezuo.ECONFLICT, "记录状态为“%s”，只有待审核的记录可以审核", h.Status.Label())
		}
		if a == ActionReturn {
			if reason == "" {
				return "", &xiezuo.Error{Code: xiezuo.EINVALID, Message: "退回时须填写退回理由", Fields: map[string]string{"reason": "请填写退回理由"}}
			}
			return StatusReturned, nil
		}
		return StatusApproved, nil
	case ActionReopen:
		if !u.IsOffice() {
			return "", xiezuo.Errorf(xiezuo.EFORBIDDEN, "已通过的记录只有协作办可以重新打开")
		}
		if h.Status != StatusApproved {
			return "", xiezuo.Errorf(xiezuo.ECONFLICT, "只有已通过的记录可以重新打开")
		}
		if reason == "" {
			return "", &xiezuo.Error{Code: xiezuo.EINVALID, Message: "重新打开时须填写理由", Fields: map[string]string{"reason": "请填写理由"}}
		}
		return StatusReturned, nil
	}
	return "", xiezuo.Errorf(xiezuo.EINVALID, "未知的审核操作")
}
