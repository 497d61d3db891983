package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
)

// A buyer unit's own management (issue 12, item 2; package market's
// buyers.go holds the rules): its management account lists the unit's
// accounts, adds purchasers (each with a one-time activation code, as the
// accounts import gives), disables and re-enables them and issues new
// codes (IssueActivationCode); the management account of its
// 主管预算单位 checks its reserved-share filing (CheckShare).

// UnitAccount is one account of a unit as its management account sees
// it: the account and when it last signed in (RFC 3339, "" never).
type UnitAccount struct {
	BuyerAccount
	LastSignIn string
}

// UnitAccounts lists unit unitID's accounts, management account first.
// Callers: the unit's management account (market.CanManagePurchasers).
// Errors: EFORBIDDEN, EINTERNAL.
func (d *DB) UnitAccounts(ctx context.Context, u *xiezuo.User, unitID int64) ([]UnitAccount, error) {
	if err := permit(market.CanManagePurchasers(u, unitID), "只有本单位的采购单位管理账号可以管理采购人账号"); err != nil {
		return nil, err
	}
	return d.unitAccounts(ctx, unitID)
}

// AddPurchaser opens a purchaser account (a.DisplayName, a.Username,
// a.Phone; a.Unit and a.Parent are not read) in u's own unit with a new
// activation code, returned once, checked as the accounts import checks
// a row, audited. Callers: the unit's management account
// (market.CanManagePurchasers). Errors: EFORBIDDEN, EINVALID (Fields
// username, display_name, phone), ECONFLICT (FieldUsername: the name is
// taken), ETOOMANY.
func (d *DB) AddPurchaser(ctx context.Context, u *xiezuo.User, a *NewBuyerAccount) (id int64, code string, err error) {
	if err := permit(u != nil && market.CanManagePurchasers(u, u.OrgID), "只有采购单位管理账号可以为本单位添加采购人"); err != nil {
		return 0, "", err
	}
	a.Role = market.RolePurchaser
	if err := checkBuyerAccount(a); err != nil {
		return 0, "", err
	}
	code, hash, err := activationCode(ctx)
	if err != nil {
		return 0, "", err
	}
	err = d.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE login = $1`, loginKey(a.Username)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &xiezuo.Error{Code: xiezuo.ECONFLICT, Message: "用户名“" + a.Username + "”已被其他账号使用（不区分大小写），请换一个",
				Fields: map[string]string{FieldUsername: "“" + a.Username + "”已被其他账号使用"}}
		}
		id, err = d.insertBuyerUser(ctx, tx, u, a, u.OrgID, hash)
		return err
	})
	if err != nil {
		return 0, "", err
	}
	return id, code, nil
}

// buyerAccountOf reads an account's role and unit for the checks of a
// unit's management account: another unit's account, or a non-buyer,
// is not found; the unit's management account is forbidden.
func buyerAccountOf(ctx context.Context, q queryer, u *xiezuo.User, userID int64) (disabled bool, name string, err error) {
	var role string
	var org int64
	var dis int
	err = q.QueryRowContext(ctx, `SELECT role, COALESCE(org_id, 0), disabled, display_name FROM users WHERE id = $1`, userID).Scan(&role, &org, &dis, &name)
	switch {
	case err == sql.ErrNoRows:
		return false, "", xiezuo.Errorf(xiezuo.ENOTFOUND, "本单位没有这个采购人账号")
	case err != nil:
		return false, "", xiezuo.Internal(err)
	case market.CanManagePurchaser(u, xiezuo.Role(role), org):
		return dis == 1, name, nil
	case market.CanManagePurchasers(u, org):
		return false, "", xiezuo.Errorf(xiezuo.EFORBIDDEN, "管理账号不能停用或启用自己，也不能停用本单位的其他管理账号；请联系区财政局或协作办")
	}
	return false, "", xiezuo.Errorf(xiezuo.ENOTFOUND, "本单位没有这个采购人账号")
}

// SetPurchaserDisabled disables (or enables again) a purchaser of u's
// unit: a disabled account cannot sign in and its sessions stop working
// at once (as SetDisabled), audited. Callers: the unit's management
// account (market.CanManagePurchaser). Errors: EFORBIDDEN, ENOTFOUND
// (another unit's account: not there for it), EINTERNAL.
func (d *DB) SetPurchaserDisabled(ctx context.Context, u *xiezuo.User, userID int64, disabled bool) (string, error) {
	if err := permit(u != nil && u.Role == xiezuo.RoleBuyerAdmin, "只有采购单位管理账号可以停用或启用本单位的采购人"); err != nil {
		return "", err
	}
	var name string
	err := d.tx(ctx, func(tx *sql.Tx) error {
		was, n, err := buyerAccountOf(ctx, tx, u, userID)
		if err != nil {
			return err
		}
		name = n
		if was == disabled {
			return nil
		}
		flag, action := 0, "enable"
		if disabled {
			flag, action = 1, "disable"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, flag, userID); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, action, "user", userID, map[string]bool{"disabled": was}, map[string]bool{"disabled": disabled})
	})
	return name, err
}

// CheckShare records the supervising unit's check of a subordinate
// unit's filing for c.Year: approved, or returned with c.Reason, which
// the unit sees on its share page and answers by filing again (FileShare
// then takes the check back: 待审核). c.FiledAt, when given, must be the
// filing's filed_at: a filing made again meanwhile is not checked unseen.
// Audited. Callers: the management account of the unit's 主管预算单位
// (market.CanCheckShare). Errors: EFORBIDDEN, ENOTFOUND (not a
// subordinate unit of u's), EINVALID (Fields status, reason; not filed),
// ECONFLICT (filed again meanwhile), EINTERNAL.
func (d *DB) CheckShare(ctx context.Context, u *xiezuo.User, c *market.ShareCheck) error {
	if err := permit(u != nil && u.Role == xiezuo.RoleBuyerAdmin, "只有主管预算单位的管理账号可以审核下属单位的填报"); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		parent, err := unitParent(ctx, tx, c.UnitID)
		if err != nil {
			return err
		}
		if !market.CanCheckShare(u, c.UnitID, parent) {
			return xiezuo.Errorf(xiezuo.ENOTFOUND, "该单位不是本单位的下属预算单位")
		}
		if err := c.Validate(); err != nil {
			return err
		}
		var filedAt, name string
		err = tx.QueryRowContext(ctx, `SELECT s.filed_at, o.name FROM market_shares s JOIN organisations o ON o.id = s.unit_id
			WHERE s.unit_id = $1 AND s.year = $2`, c.UnitID, c.Year).Scan(&filedAt, &name)
		if err == sql.ErrNoRows {
			return xiezuo.Errorf(xiezuo.EINVALID, "该单位尚未填报%d年的预留份额，没有可审核的填报", c.Year)
		} else if err != nil {
			return err
		}
		if c.FiledAt != "" && c.FiledAt != filedAt {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "“%s”已于%s重新填报，请查看新的填报后再审核", name, localTime(filedAt))
		}
		c.FiledAt = filedAt
		var before any
		var was, wasReason string
		err = tx.QueryRowContext(ctx, `SELECT status, reason FROM market_share_checks WHERE unit_id = $1 AND year = $2 AND filed_at = $3`,
			c.UnitID, c.Year, filedAt).Scan(&was, &wasReason)
		if err == nil {
			before = map[string]any{"year": c.Year, "status": was, "reason": wasReason}
		} else if err != sql.ErrNoRows {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO market_share_checks (unit_id, year, status, reason, filed_at, checked_by, checked_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (unit_id, year) DO UPDATE SET status = excluded.status, reason = excluded.reason, filed_at = excluded.filed_at,
			checked_by = excluded.checked_by, checked_at = excluded.checked_at`,
			c.UnitID, c.Year, string(c.Status), c.Reason, filedAt, u.ID, d.now()); err != nil {
			return err
		}
		action := "approve"
		if c.Status == market.CheckReturned {
			action = "return"
		}
		return d.audit(ctx, tx, u, action, "share", c.UnitID, before, map[string]any{"year": c.Year, "status": c.Status, "reason": c.Reason, "filed_at": filedAt})
	})
}

// localTime shows an RFC 3339 time in China as 2006-01-02 15:04.
func localTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.In(xiezuo.China).Format("2006-01-02 15:04")
}
