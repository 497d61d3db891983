package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/password"
	"github.com/xiezuo/xiezuo/registry"
)

// Buyer units and their accounts (issue 12, item 2; package market holds
// the rules). An imported account's password is a one-time activation
// code, kept as the office's 重置密码 keeps its codes (users.must_change,
// reset_expires, the hash in password_hash), so signing in with it at
// /login asks for a new password as a reset code does, and /activate
// (Activate) does both in one step. users.activated_at is set when the
// account first gets a password of its own (storePassword).

// ActivationCodeLife is how long an activation code stays good.
const ActivationCodeLife = 30 * 24 * time.Hour

// NewBuyerAccount is one row of a buyer accounts import.
type NewBuyerAccount struct {
	// Unit is the budget unit by Name (or alias); registered with Kind and
	// USCC on the east side when it is not yet.
	Unit registry.Organisation
	// Parent is the 主管预算单位 by Name, or nil. When it is not
	// registered it is registered like Unit if ParentInFile (it is a unit
	// of the same file, which gives its kind), else the row is refused.
	Parent       *registry.Organisation
	ParentInFile bool
	Role         xiezuo.Role // buyer_admin or purchaser
	DisplayName  string
	Username     string
	Phone        string
}

// Fields of NewBuyerAccount problems (imports name them by column).
const (
	FieldUnit     = "unit"
	FieldUSCC     = "uscc"
	FieldParent   = "parent"
	FieldUsername = "username"
)

// ImportBuyerAccount registers one account of a buyer accounts import
// (ctx carries the batch's transaction): its unit and the unit's
// 主管预算单位 when missing, then the account with a new activation code,
// which is returned once (only its hash is kept). An account of the same
// user name, unit and role exists already: ErrSkipRow. Every record made
// is audited. Callers: market.CanOpenAccounts. Errors: EFORBIDDEN,
// EINVALID and ECONFLICT with Fields (FieldUnit, FieldUSCC, FieldParent,
// FieldUsername), ETOOMANY.
func (d *DB) ImportBuyerAccount(ctx context.Context, u *xiezuo.User, a *NewBuyerAccount) (id int64, code string, err error) {
	if err := permit(market.CanOpenAccounts(u), "只有协作办或区财政局可以开通采购单位账号"); err != nil {
		return 0, "", err
	}
	if err := checkBuyerAccount(a); err != nil {
		return 0, "", err
	}
	code, hash, err := activationCode(ctx)
	if err != nil {
		return 0, "", err
	}
	skip := false
	err = d.tx(ctx, func(tx *sql.Tx) error {
		unit, err := findBuyerUnit(ctx, tx, &a.Unit, FieldUnit)
		if err != nil {
			return err
		}
		// The user name first: an account opened before is skipped
		// before anything is written.
		var uid, org int64
		var role string
		err = tx.QueryRowContext(ctx, `SELECT id, COALESCE(org_id, 0), role FROM users WHERE login = $1`, loginKey(a.Username)).Scan(&uid, &org, &role)
		if err == nil {
			if unit != 0 && org == unit && role == string(a.Role) {
				skip = true
				return nil
			}
			return &xiezuo.Error{Code: xiezuo.ECONFLICT, Message: "用户名“" + a.Username + "”已被其他账号使用（不区分大小写）",
				Fields: map[string]string{FieldUsername: "“" + a.Username + "”已被其他账号使用"}}
		} else if err != sql.ErrNoRows {
			return err
		}
		if unit == 0 {
			if unit, err = d.registerBuyerOrg(ctx, tx, u, &a.Unit, FieldUnit); err != nil {
				return err
			}
		}
		var parent int64
		if a.Parent != nil {
			if parent, err = findBuyerUnit(ctx, tx, a.Parent, FieldParent); err != nil {
				return err
			}
			if parent == 0 && !a.ParentInFile {
				return &xiezuo.Error{Code: xiezuo.EINVALID, Message: "找不到主管预算单位“" + a.Parent.Name + "”",
					Fields: map[string]string{FieldParent: "找不到单位“" + a.Parent.Name + "”：须已登记，或在本表中作为预算单位出现"}}
			}
			if parent == 0 {
				if parent, err = d.registerBuyerOrg(ctx, tx, u, a.Parent, FieldParent); err != nil {
					return err
				}
			}
			if parent == unit {
				return &xiezuo.Error{Code: xiezuo.EINVALID, Message: "主管预算单位不能是本单位", Fields: map[string]string{FieldParent: "不能是本单位"}}
			}
		}
		if err := d.linkBuyerUnit(ctx, tx, u, unit, parent); err != nil {
			return err
		}
		id, err = d.insertBuyerUser(ctx, tx, u, a, unit, hash)
		return err
	})
	if skip {
		return 0, "", ErrSkipRow
	}
	if err != nil {
		return 0, "", err
	}
	return id, code, nil
}

// checkBuyerAccount trims and checks a new buyer account's user name,
// role, name and phone: the rule of the accounts import and of a unit's
// management account adding a purchaser (AddPurchaser).
func checkBuyerAccount(a *NewBuyerAccount) error {
	a.Username, a.DisplayName, a.Phone = strings.TrimSpace(a.Username), strings.TrimSpace(a.DisplayName), strings.TrimSpace(a.Phone)
	p := xiezuo.Problems{}
	if msg := usernameProblem(a.Username); msg != "" {
		p.Add(FieldUsername, msg)
	}
	if !market.IsBuyerRole(a.Role) {
		p.Add("role", "账号类型应为 管理账号 或 采购人")
	}
	if a.DisplayName == "" || utf8.RuneCountInString(a.DisplayName) > 50 {
		p.Add("display_name", "姓名不能为空且不超过50个字")
	}
	if msg := market.PhoneProblem(a.Phone); msg != "" {
		p.Add("phone", msg)
	}
	return p.Err()
}

// insertBuyerUser writes a checked new account of unit whose password is
// the activation code of hash, good for ActivationCodeLife (audited).
func (d *DB) insertBuyerUser(ctx context.Context, tx *sql.Tx, u *xiezuo.User, a *NewBuyerAccount, unit int64, hash string) (id int64, err error) {
	now := d.now()
	expires := d.Now().Add(ActivationCodeLife).UTC().Format(time.RFC3339)
	if err := tx.QueryRowContext(ctx, `INSERT INTO users (username, login, display_name, password_hash, role, org_id, created_at, must_change, reset_expires)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) RETURNING id`,
		a.Username, loginKey(a.Username), a.DisplayName, hash, string(a.Role), unit, now, expires).Scan(&id); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO buyer_accounts (user_id, phone, issued_at, created_at) VALUES ($1, $2, $3, $3)`, id, a.Phone, now); err != nil {
		return 0, err
	}
	return id, d.audit(ctx, tx, u, "create", "user", id, nil, map[string]any{"username": a.Username, "display_name": a.DisplayName,
		"role": a.Role, "org_id": unit, "activation_code_expires": expires})
}

// findBuyerUnit returns the id of the organisation o names (by name or
// alias; 0 when none), refusing one that cannot buy (the west side, a
// supplier) and a 统一社会信用代码 that another unit holds or that differs
// from the registered one. field names the problem.
func findBuyerUnit(ctx context.Context, tx *sql.Tx, o *registry.Organisation, field string) (int64, error) {
	bad := func(code, msg string) error {
		return &xiezuo.Error{Code: code, Message: msg, Fields: map[string]string{field: msg}}
	}
	var id int64
	var side, kind, uscc string
	err := tx.QueryRowContext(ctx, `SELECT o.id, o.side, o.kind, COALESCE(o.uscc, '') FROM organisations o
		WHERE o.name = $1 OR o.id IN (SELECT org_id FROM org_aliases WHERE alias = $1) ORDER BY o.id LIMIT 1`, o.Name).Scan(&id, &side, &kind, &uscc)
	if err != nil && err != sql.ErrNoRows {
		return 0, err
	}
	if id != 0 {
		switch {
		case side != registry.SideEast || kind == "供应商":
			return 0, bad(xiezuo.EINVALID, "“"+o.Name+"”是"+registry.SideLabel(side)+kind+"，不能作为采购单位")
		case field == FieldUnit && o.USCC != "" && uscc != "" && uscc != o.USCC:
			return 0, &xiezuo.Error{Code: xiezuo.ECONFLICT, Message: "统一社会信用代码与已登记的不一致",
				Fields: map[string]string{FieldUSCC: "与已登记的“" + o.Name + "”（" + uscc + "）不一致"}}
		}
		return id, nil
	}
	if field == FieldUnit && o.USCC != "" {
		var other string
		err := tx.QueryRowContext(ctx, `SELECT name FROM organisations WHERE uscc = $1`, o.USCC).Scan(&other)
		if err == nil {
			return 0, &xiezuo.Error{Code: xiezuo.ECONFLICT, Message: "统一社会信用代码已登记为“" + other + "”",
				Fields: map[string]string{FieldUSCC: "已登记为“" + other + "”"}}
		} else if err != sql.ErrNoRows {
			return 0, err
		}
	}
	return 0, nil
}

// registerBuyerOrg registers o as an east-side organisation (audited).
func (d *DB) registerBuyerOrg(ctx context.Context, tx *sql.Tx, u *xiezuo.User, o *registry.Organisation, field string) (int64, error) {
	n := registry.Organisation{Name: o.Name, Kind: o.Kind, Side: registry.SideEast, USCC: o.USCC}
	if n.Kind == "" {
		n.Kind = "其他"
	}
	if field != FieldUnit {
		n.USCC = "" // the parent's code is on its own row
	}
	if err := n.Validate(); err != nil {
		msgs := []string{}
		for _, m := range xiezuo.ErrorFields(err) {
			msgs = append(msgs, m)
		}
		msg := "单位“" + o.Name + "”不能登记：" + strings.Join(msgs, "；")
		return 0, &xiezuo.Error{Code: xiezuo.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
	}
	if err := insertOrg(ctx, tx, &n); err != nil {
		return 0, err
	}
	return n.ID, d.audit(ctx, tx, u, "create", "organisation", n.ID, nil, n)
}

// linkBuyerUnit records org as a buyer unit under parent (0: none); a
// parent given again replaces the one recorded (audited). The link is
// also the reserved shares' (market_unit_parents), which lets the
// parent's management account see and check the unit's filing.
func (d *DB) linkBuyerUnit(ctx context.Context, tx *sql.Tx, u *xiezuo.User, org, parent int64) error {
	if parent != 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO market_unit_parents (unit_id, parent_id) VALUES ($1, $2)
			ON CONFLICT (unit_id) DO UPDATE SET parent_id = excluded.parent_id`, org, parent); err != nil {
			return err
		}
	}
	var was sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT buyer_parent_id FROM buyer_units WHERE org_id = $1`, org).Scan(&was)
	now := d.now()
	switch {
	case err == sql.ErrNoRows:
		if _, err := tx.ExecContext(ctx, `INSERT INTO buyer_units (org_id, buyer_parent_id, created_at, updated_at) VALUES ($1, $2, $3, $3)`, org, nullID(parent), now); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "create", "buyer_unit", org, nil, map[string]int64{"buyer_parent_id": parent})
	case err != nil:
		return err
	case parent == 0 || was.Int64 == parent:
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE buyer_units SET buyer_parent_id = $1, updated_at = $2 WHERE org_id = $3`, parent, now, org); err != nil {
		return err
	}
	return d.audit(ctx, tx, u, "update", "buyer_unit", org, map[string]int64{"buyer_parent_id": was.Int64}, map[string]int64{"buyer_parent_id": parent})
}

// IssueActivationCode gives a buyer account that is not activated yet a
// new activation code, good for ActivationCodeLife, returned once; the
// old one stops working. Callers: market.CanIssueCode (the office and
// 监管; a unit's management account for its purchasers). Errors:
// EFORBIDDEN, ENOTFOUND (no such buyer account), ECONFLICT (activated
// already: a forgotten password is the office admin's 重置密码), ETOOMANY.
func (d *DB) IssueActivationCode(ctx context.Context, u *xiezuo.User, userID int64) (string, error) {
	if err := permit(market.CanOpenAccounts(u) || (u != nil && u.Role == xiezuo.RoleBuyerAdmin), "只有协作办、区财政局或本单位管理账号可以发放激活码"); err != nil {
		return "", err
	}
	var role string
	var org int64
	var activated sql.NullString
	err := d.db.QueryRowContext(ctx, `SELECT role, COALESCE(org_id, 0), activated_at FROM users WHERE id = $1`, userID).Scan(&role, &org, &activated)
	if err == sql.ErrNoRows || (err == nil && !market.IsBuyerRole(xiezuo.Role(role))) {
		return "", xiezuo.Errorf(xiezuo.ENOTFOUND, "采购单位账号不存在")
	} else if err != nil {
		return "", xiezuo.Internal(err)
	}
	switch {
	case market.CanIssueCode(u, xiezuo.Role(role), org):
	case org == u.OrgID:
		return "", xiezuo.Errorf(xiezuo.EFORBIDDEN, "管理账号的激活码由区财政局或协作办发放")
	default: // another unit's account is not there for it
		return "", xiezuo.Errorf(xiezuo.ENOTFOUND, "本单位没有这个采购人账号")
	}
	if activated.Valid {
		return "", xiezuo.Errorf(xiezuo.ECONFLICT, "该账号已于%s激活，不再需要激活码；忘记密码请由协作办管理员重置", dateOf(activated.String))
	}
	code, hash, err := activationCode(ctx)
	if err != nil {
		return "", err
	}
	err = d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := d.storePassword(ctx, tx, u, userID, hash, "", ActivationCodeLife, "issue_activation_code"); err != nil {
			return err
		}
		now := d.now()
		_, err := tx.ExecContext(ctx, `INSERT INTO buyer_accounts (user_id, issued_at, created_at) VALUES ($1, $2, $2)
			ON CONFLICT (user_id) DO UPDATE SET issued_at = excluded.issued_at`, userID, now)
		return err
	})
	if err != nil {
		return "", err
	}
	return code, nil
}

// dateOf is the China date of an RFC 3339 time, or the text as it is.
func dateOf(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.In(xiezuo.China).Format("2006-01-02")
}

// Activate is the first sign-in of an account with its activation code
// (or any one-time code the office issued): from address addr, counted and
// throttled as SignIn counts a sign-in, it checks the code and sets the
// password next, which the user chose; the code then works no more. It
// returns the user, signed in. Anyone may call it. Errors: EINVALID
// (field password), EUNAUTHORIZED (wrong name or code, expired code),
// ECONFLICT (activated already, or the code was used meanwhile), ETOOMANY.
func (d *DB) Activate(ctx context.Context, username, code, next, addr string) (*xiezuo.User, error) {
	code = normalizeCode(code)
	weak := func(names ...string) error {
		if msg := password.Weak(next, false, names...); msg != "" {
			return &xiezuo.Error{Code: xiezuo.EINVALID, Message: msg, Fields: map[string]string{"password": msg}}
		}
		if next == code {
			return &xiezuo.Error{Code: xiezuo.EINVALID, Message: "新密码不能与激活码相同", Fields: map[string]string{"password": "不能与激活码相同"}}
		}
		return nil
	}
	if err := weak(username); err != nil { // the input alone: no account read yet
		return nil, err
	}
	// The same path whatever the user name: the new password is hashed
	// before the account is looked at (thrown away unless the code is
	// right), and the code is checked by password.CheckCode, whose work
	// does not depend on the stored hash (TestActivateSamePath).
	hash, err := hashPassword(ctx, next)
	if err != nil {
		return nil, err
	}
	var was string
	if err := d.db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE login = $1`, loginKey(username)).Scan(&was); err != nil && err != sql.ErrNoRows {
		return nil, xiezuo.Internal(err)
	}
	u, err := d.signIn(ctx, username, code, addr, password.CheckCode)
	switch {
	case err == errBadLogin:
		return nil, xiezuo.Errorf(xiezuo.EUNAUTHORIZED, "用户名或激活码不正确")
	case xiezuo.ErrorCode(err) == xiezuo.EUNAUTHORIZED:
		return nil, xiezuo.Errorf(xiezuo.EUNAUTHORIZED, "激活码已过期，请联系协作办或区财政局重新发放")
	case err != nil:
		return nil, err
	case !u.MustChange:
		return nil, xiezuo.Errorf(xiezuo.ECONFLICT, "该账号已激活，请直接用密码登录")
	}
	if err := weak(u.Username, u.DisplayName); err != nil {
		return nil, err
	}
	var ok bool
	err = d.tx(ctx, func(tx *sql.Tx) error {
		ok, err = d.storePassword(ctx, tx, u, u.ID, hash, was, 0, "activate")
		return err
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, xiezuo.Errorf(xiezuo.ECONFLICT, "激活码已被使用或已重新发放，请用新密码登录或联系发放单位")
	}
	u.MustChange = false
	return u, nil
}

// normalizeCode reads a one-time code as people type it: any case, with
// or without its hyphens or spaces.
// activationCode is a new one-time activation code and its hash (the
// only form stored).
func activationCode(ctx context.Context) (code, hash string, err error) {
	code = oneTimeCode()
	if hash, err = password.HashCode(ctx, code); err != nil {
		return "", "", passwordErr(err)
	}
	return code, hash, nil
}

func normalizeCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if len(s) != 15 {
		return strings.ToUpper(strings.TrimSpace(code))
	}
	return s[:5] + "-" + s[5:10] + "-" + s[10:]
}

// BuyerUnitRow is one buyer unit on the activation dashboard: its
// management and purchaser accounts, opened (已开通) and activated (已激活).
type BuyerUnitRow struct {
	OrgID                      int64
	Name, Kind                 string
	ParentID                   int64
	ParentName                 string
	AdminOpened, AdminActive   int
	BuyerOpened, BuyerActive   int
	Pending, Expired, Disabled int // accounts waiting on a code; of them expired; disabled accounts
}

// AccountBoard is the activation dashboard: its rows and their totals
// (Units counts the rows).
type AccountBoard struct {
	Rows    []BuyerUnitRow
	Total   BuyerUnitRow
	Units   int
	Parents []registry.Organisation // every 主管预算单位, for the filter
}

// AccountFilter narrows the dashboard: to one 主管预算单位's units (and
// itself), and to units with accounts not activated yet.
type AccountFilter struct {
	ParentID int64
	Pending  bool
}

// BuyerAccountBoard counts the buyer units' accounts: every organisation
// recorded as a buyer unit or with a buyer account. Callers:
// market.CanOpenAccounts. Errors: EFORBIDDEN, EINTERNAL.
func (d *DB) BuyerAccountBoard(ctx context.Context, u *xiezuo.User, f AccountFilter) (*AccountBoard, error) {
	if err := permit(market.CanOpenAccounts(u), "只有协作办或区财政局可以查看账号开通情况"); err != nil {
		return nil, err
	}
	now := d.now()
	rows, err := d.db.QueryContext(ctx, `WITH units AS (
			SELECT org_id FROM buyer_units UNION SELECT org_id FROM users WHERE role IN ('buyer_admin', 'purchaser') AND org_id IS NOT NULL)
		SELECT o.id, o.name, o.kind, COALESCE(b.buyer_parent_id, 0), COALESCE(p.name, ''),
			COALESCE(SUM(CASE WHEN us.role = 'buyer_admin' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN us.role = 'buyer_admin' AND us.activated_at IS NOT NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN us.role = 'purchaser' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN us.role = 'purchaser' AND us.activated_at IS NOT NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN us.id IS NOT NULL AND us.activated_at IS NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN us.activated_at IS NULL AND us.reset_expires < $1 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN us.disabled = 1 THEN 1 ELSE 0 END), 0)
		FROM units x JOIN organisations o ON o.id = x.org_id
		LEFT JOIN buyer_units b ON b.org_id = o.id LEFT JOIN organisations p ON p.id = b.buyer_parent_id
		LEFT JOIN users us ON us.org_id = o.id AND us.role IN ('buyer_admin', 'purchaser')
		WHERE $2 = 0 OR o.id = $2 OR b.buyer_parent_id = $2
		GROUP BY o.id, o.name, o.kind, b.buyer_parent_id, p.name
		ORDER BY COALESCE(p.name, o.name), b.buyer_parent_id IS NOT NULL, o.name`, now, f.ParentID)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	bd := &AccountBoard{}
	for rows.Next() {
		var r BuyerUnitRow
		if err := rows.Scan(&r.OrgID, &r.Name, &r.Kind, &r.ParentID, &r.ParentName, &r.AdminOpened, &r.AdminActive,
			&r.BuyerOpened, &r.BuyerActive, &r.Pending, &r.Expired, &r.Disabled); err != nil {
			return nil, xiezuo.Internal(err)
		}
		if f.Pending && r.Pending == 0 {
			continue
		}
		bd.Rows = append(bd.Rows, r)
		t := &bd.Total
		t.AdminOpened += r.AdminOpened
		t.AdminActive += r.AdminActive
		t.BuyerOpened += r.BuyerOpened
		t.BuyerActive += r.BuyerActive
		t.Pending += r.Pending
		t.Expired += r.Expired
		t.Disabled += r.Disabled
	}
	if err := rows.Err(); err != nil {
		return nil, xiezuo.Internal(err)
	}
	bd.Units = len(bd.Rows)
	prows, err := d.db.QueryContext(ctx, `SELECT o.id, o.name FROM organisations o WHERE o.id IN (SELECT buyer_parent_id FROM buyer_units) ORDER BY o.name`)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer prows.Close()
	for prows.Next() {
		var o registry.Organisation
		if err := prows.Scan(&o.ID, &o.Name); err != nil {
			return nil, xiezuo.Internal(err)
		}
		bd.Parents = append(bd.Parents, o)
	}
	return bd, prows.Err()
}

// BuyerAccount is one account of a buyer unit as the dashboard lists it.
type BuyerAccount struct {
	UserID      int64
	Username    string
	DisplayName string
	Role        xiezuo.Role
	Phone       string
	Disabled    bool
	ActivatedAt string // RFC 3339; "" while waiting on its code
	CodeExpires string // RFC 3339, while waiting on its code
	IssuedAt    string // when its last code was issued ("" if never)
}

// Expired reports whether the account's code has expired at now (RFC 3339).
func (a BuyerAccount) Expired(now string) bool {
	return a.ActivatedAt == "" && a.CodeExpires != "" && a.CodeExpires < now
}

// BuyerAccounts lists a buyer unit's accounts, management account first.
// Callers: market.CanOpenAccounts. Errors: EFORBIDDEN, EINTERNAL.
func (d *DB) BuyerAccounts(ctx context.Context, u *xiezuo.User, unitID int64) ([]BuyerAccount, error) {
	if err := permit(market.CanOpenAccounts(u), "只有协作办或区财政局可以查看账号开通情况"); err != nil {
		return nil, err
	}
	accs, err := d.unitAccounts(ctx, unitID)
	out := make([]BuyerAccount, len(accs))
	for i, a := range accs {
		out[i] = a.BuyerAccount
	}
	return out, err
}

// unitAccounts reads unit unitID's management and purchaser accounts,
// management account first, with their last sign-in.
func (d *DB) unitAccounts(ctx context.Context, unitID int64) ([]UnitAccount, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT u.id, u.username, u.display_name, u.role, COALESCE(a.phone, ''), u.disabled,
			COALESCE(u.activated_at, ''), CASE WHEN u.must_change = 1 THEN COALESCE(u.reset_expires, '') ELSE '' END, COALESCE(a.issued_at, ''),
			COALESCE((SELECT MAX(k.last_at) FROM login_known k WHERE k.user_id = u.id), 0)
		FROM users u LEFT JOIN buyer_accounts a ON a.user_id = u.id
		WHERE u.org_id = $1 AND u.role IN ('buyer_admin', 'purchaser') ORDER BY u.role, u.username`, unitID)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []UnitAccount
	for rows.Next() {
		var a UnitAccount
		var role string
		var disabled int
		var last int64
		if err := rows.Scan(&a.UserID, &a.Username, &a.DisplayName, &role, &a.Phone, &disabled, &a.ActivatedAt, &a.CodeExpires, &a.IssuedAt, &last); err != nil {
			return nil, xiezuo.Internal(err)
		}
		a.Role, a.Disabled = xiezuo.Role(role), disabled == 1
		if last > 0 {
			a.LastSignIn = time.Unix(last, 0).UTC().Format(time.RFC3339)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, xiezuo.Internal(err)
	}
	return out, nil
}
