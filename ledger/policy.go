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
	case u == nil:
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

// CanRecordForAnyUnit reports whether u records on behalf of any unit —
// choosing the unit of a record and any pairing for an agreement — rather
// than for its own unit only: the office.
func CanRecordForAnyUnit(u *xiezuo.User) bool {
	return u.IsOffice()
}

// CanCreateFor reports whether u may create a record owned by unitID.
func CanCreateFor(u *xiezuo.User, unitID int64) bool {
	if u == nil || !u.CanRecord() {
		return false
	}
	return CanRecordForAnyUnit(u) || (u.OrgID != 0 && u.OrgID == unitID)
}

// CanReview reports whether u reviews records: sees the review queue,
// approves or returns submitted records and reopens approved ones (see
// Transition): the office.
func CanReview(u *xiezuo.User) bool {
	return u.IsOffice()
}

// CanReopen reports whether u may reopen the record: an approved record,
// by a reviewer (Transition also asks for a reason).
func CanReopen(u *xiezuo.User, h Header) bool {
	return CanReview(u) && h.Status == StatusApproved
}

// CheckReceipt checks whether u may confirm that the county received
// contribution c. Errors: EFORBIDDEN unless u is in the office or a county
// user of c's county; ECONFLICT unless c is approved, delivered and not
// yet confirmed.
func CheckReceipt(u *xiezuo.User, c *Contribution) error {
	if !u.IsOffice() && (u == nil || u.Role != xiezuo.RoleCounty || u.CountyCode != c.CountyCode) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有受援县用户可以确认收到本县的帮扶")
	}
	if c.Status != StatusApproved || c.Delivery != "delivered" {
		return xiezuo.Errorf(xiezuo.ECONFLICT, "只有已通过且已到位的帮扶可以确认收到")
	}
	if c.ReceivedAt != "" {
		return xiezuo.Errorf(xiezuo.ECONFLICT, "该笔帮扶已确认收到")
	}
	return nil
}

// ReceiptScope says whose deliveries u may list as waiting for 确认收到
// (the ones CheckReceipt would let u confirm): ok for the office (every
// county: county "") and for county users (their own county).
func ReceiptScope(u *xiezuo.User) (county string, ok bool) {
	switch {
	case u.IsOffice():
		return "", true
	case u != nil && u.Role == xiezuo.RoleCounty && u.CountyCode != "":
		return u.CountyCode, true
	}
	return "", false
}

// CanConfirmReceipt reports whether u may confirm receipt of c now (see
// CheckReceipt).
func CanConfirmReceipt(u *xiezuo.User, c *Contribution) bool {
	return CheckReceipt(u, c) == nil
}

// CanManageRegistry reports whether u keeps the registry: organisations,
// pairings, posted people and user accounts. The office admin.
func CanManageRegistry(u *xiezuo.User) bool {
	return u != nil && u.Role == xiezuo.RoleAdmin
}

// CanEditBulletins reports whether u may see and edit draft bulletins
// (简报), publish and delete them: the office. Published issues are for
// everyone.
func CanEditBulletins(u *xiezuo.User) bool {
	return u.IsOffice()
}

// CanSetTargets reports whether u may set the yearly assessment targets:
// the office. Anyone signed in may read them.
func CanSetTargets(u *xiezuo.User) bool {
	return u.IsOffice()
}

// CanEditRectifications reports whether u may register and update 问题整改
// items: the office. Anyone signed in may read them.
func CanEditRectifications(u *xiezuo.User) bool {
	return u.IsOffice()
}

// CanReadAuditLog reports whether u may read the audit log as a whole —
// verify its hash chain, see the history of entities that are not ledger
// records (bulletins, targets, the registry): the office.
func CanReadAuditLog(u *xiezuo.User) bool {
	return u.IsOffice()
}

// CanReadMetrics reports whether u may read the operating metrics
// (/metrics: request counts by route, database pool, imports running,
// sign-in throttling): the office admin, who runs the installation — in a
// browser or from a Prometheus scraper with the admin's API token.
func CanReadMetrics(u *xiezuo.User) bool {
	return u != nil && u.Role == xiezuo.RoleAdmin
}

// CanSeeHistory reports whether u may see the audit history of a ledger
// record: whoever may see the record.
func CanSeeHistory(u *xiezuo.User, h Header) bool {
	return CanView(u, h)
}

// CanRecordInCounty reports whether u may record for county: a county
// user only for its own county; everyone else for any.
func CanRecordInCounty(u *xiezuo.User, county string) bool {
	return u != nil && (u.Role != xiezuo.RoleCounty || county == "" || county == u.CountyCode)
}

// CanImport reports whether u may import a file of kind for unitID (0:
// each row names its own unit, or u's). Registry kinds (organisation,
// pairing, person) are the office admin's; assessment targets, whoever
// sets targets; contributions follow CanCreateFor; the other ledger kinds,
// anyone who records.
func CanImport(u *xiezuo.User, kind Kind, unitID int64) bool {
	switch {
	case u == nil:
		return false
	case kind == "organisation" || kind == "pairing" || kind == "person":
		return CanManageRegistry(u)
	case kind == "target":
		return CanSetTargets(u)
	case kind == "purchase": // an 832 export: market.CanRecordPurchase, per row
		return u.IsOffice() || u.Role == xiezuo.RoleSupervisor || u.Role == xiezuo.RoleBuyerAdmin
	case kind == "product": // market.CanImportCatalogue; market.CanImportProducts per row
		return u.IsOffice() || (u.Role == xiezuo.RoleSupplier && u.OrgID != 0) || (u.Role == xiezuo.RoleCounty && u.CountyCode != "")
	case kind == "buyer_account": // market.CanOpenAccounts: the office and 监管
		return u.IsOffice() || u.Role == xiezuo.RoleSupervisor
	case kind == KindContribution:
		return CanCreateFor(u, unitID)
	}
	return kind.Valid() && u.CanRecord()
}

// CanSeeImport reports whether u may see a batch that importerID
// imported, with its problem rows, and discard it once interrupted: the
// office, or the user who imported it.
func CanSeeImport(u *xiezuo.User, importerID int64) bool {
	return u != nil && (u.IsOffice() || u.ID == importerID)
}

// CanSettleImport reports whether u may undo an imported batch and keep
// or discard its suspected duplicates: the office.
func CanSettleImport(u *xiezuo.User) bool {
	return u != nil && u.IsOffice()
}

// CanEdit reports whether u may change or delete the record: drafts and
// returned records of the user's own unit, or any such record for the office.
func CanEdit(u *xiezuo.User, h Header) bool {
	if h.Status != StatusDraft && h.Status != StatusReturned {
		return false
	}
	return CanCreateFor(u, h.UnitID)
}

// CheckSave says whether u may save a record: create one for h.UnitID
// (h.ID 0), or change the stored record whose header is h. It is asked
// before the input is checked, so who may not save learns nothing of the
// form's rules. Errors: EFORBIDDEN (role or unit), ECONFLICT (the record is
// submitted or approved, locked until returned or reopened).
func CheckSave(u *xiezuo.User, h Header) error {
	if !CanCreateFor(u, h.UnitID) {
		if h.ID == 0 {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只能为本单位新建记录")
		}
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只能修改本单位的记录")
	}
	if h.ID != 0 && !CanEdit(u, h) {
		return xiezuo.Errorf(xiezuo.ECONFLICT, "记录状态为“%s”，已锁定，不能修改", h.Status.Label())
	}
	return nil
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
		if !CanReview(u) {
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
		if !CanReview(u) {
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

// CanManageAccount reports whether u may look after the account of user
// ownerID — list, create and revoke its API tokens: the user themself, or
// the office admin.
func CanManageAccount(u *xiezuo.User, ownerID int64) bool {
	return u != nil && (u.ID == ownerID || CanManageRegistry(u))
}

// CanEditWebhook reports whether u may read and set the reminder webhook
// (企业微信/钉钉 robot URL) of organisation orgID: the office, and the
// unit's or county office's own accounts.
func CanEditWebhook(u *xiezuo.User, orgID int64) bool {
	if u == nil || orgID == 0 {
		return false
	}
	return u.IsOffice() || ((u.Role == xiezuo.RoleUnit || u.Role == xiezuo.RoleCounty) && u.OrgID == orgID)
}

// CanSeeOutbox reports whether u may see the outbox of e-mails and webhook
// messages (status, attempts, last error) and the delivery settings: the
// office admin, who runs the installation.
func CanSeeOutbox(u *xiezuo.User) bool {
	return u != nil && u.Role == xiezuo.RoleAdmin
}
