package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/xiezuo/xiezuo/password"

	"github.com/xiezuo/xiezuo"
)

// NewUser is what CreateUser needs.
type NewUser struct {
	Username    string
	DisplayName string
	Password    string
	Role        xiezuo.Role
	OrgID       int64
	CountyCode  string
}

// CreateUser adds a user with an argon2id password hash. Callers: office
// admin, or nil (the CLI's `user add` and the demo loader, which run with
// the machine's authority). User names are unique without regard to case.
// Errors: EFORBIDDEN, EINVALID, ECONFLICT, ETOOMANY (password checks busy).
func (d *DB) CreateUser(ctx context.Context, actor *xiezuo.User, nu NewUser) (*xiezuo.User, error) {
	if actor != nil {
		if err := requireAdmin(actor); err != nil {
			return nil, err
		}
	}
	p := xiezuo.Problems{}
	nu.Username = strings.TrimSpace(nu.Username)
	if msg := usernameProblem(nu.Username); msg != "" {
		p.Add("username", msg)
	}
	if msg := password.Weak(nu.Password, nu.Role == xiezuo.RoleAdmin, nu.Username, nu.DisplayName); msg != "" {
		p.Add("password", msg)
	}
	if !nu.Role.Valid() {
		p.Add("role", "角色无效")
	}
	if nu.Role.NeedsOrg() && nu.OrgID == 0 {
		p.Add("org_id", nu.Role.Label()+"用户须指定所属单位")
	}
	if nu.Role == xiezuo.RoleCounty && nu.CountyCode == "" {
		p.Add("county_code", "受援县用户须指定所属县")
	}
	if nu.DisplayName == "" {
		nu.DisplayName = nu.Username
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	hash, err := hashPassword(ctx, nu.Password)
	if err != nil {
		return nil, err
	}
	u := &xiezuo.User{Username: nu.Username, DisplayName: nu.DisplayName, Role: nu.Role, OrgID: nu.OrgID, CountyCode: nu.CountyCode}
	err = d.tx(ctx, func(tx *sql.Tx) error {
		pr := xiezuo.Problems{}
		if err := checkOrgs(ctx, tx, pr, "org_id", "所属单位", nu.OrgID); err != nil {
			return err
		}
		if err := checkRegions(ctx, tx, pr, map[string]string{"county_code": nu.CountyCode}); err != nil {
			return err
		}
		if err := pr.Err(); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE login = $1`, loginKey(nu.Username)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &xiezuo.Error{Code: xiezuo.ECONFLICT, Message: "用户名“" + nu.Username + "”已存在（不区分大小写）", Fields: map[string]string{"username": "用户名已存在"}}
		}
		now := d.now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO users (username, login, display_name, password_hash, role, org_id, county_code, created_at, password_changed_at, activated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8) RETURNING id`,
			u.Username, loginKey(u.Username), u.DisplayName, hash, string(u.Role), nullID(u.OrgID), nullStr(u.CountyCode), now).Scan(&u.ID); err != nil {
			return err
		}
		return d.audit(ctx, tx, actor, "create", "user", u.ID, nil, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// usernameProblem says what is wrong with a (trimmed) user name, or "".
func usernameProblem(name string) string {
	if name == "" || utf8.RuneCountInString(name) > 50 || strings.ContainsAny(name, " \t/") {
		return "用户名不能为空、不能含空格且不超过50个字"
	}
	return ""
}

// loginKey is how a user name is compared: trimmed, lower case.
func loginKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// hashPassword hashes pw through the password check slots.
func hashPassword(ctx context.Context, pw string) (string, error) {
	h, err := password.Hash(ctx, pw)
	if err != nil {
		return "", passwordErr(err)
	}
	return h, nil
}

// passwordErr maps a failed password slot wait.
func passwordErr(err error) error {
	if errors.Is(err, password.ErrBusy) {
		return xiezuo.Errorf(xiezuo.ETOOMANY, "登录的人较多，请稍后再试")
	}
	return xiezuo.Internal(err)
}

// userCols are a user's columns (alias u, its organisation o), each
// NULL-safe: a session without a user (SessionStore.FindCtx) reads ID 0.
const userCols = `COALESCE(u.id, 0), COALESCE(u.username, ''), COALESCE(u.display_name, ''), COALESCE(u.role, ''), COALESCE(u.org_id, 0),
	COALESCE(o.name, ''), COALESCE(u.county_code, ''), COALESCE(u.disabled, 0), COALESCE(u.must_change, 0)`
const userFrom = ` FROM users u LEFT JOIN organisations o ON o.id = u.org_id`

func scanUser(s interface{ Scan(...any) error }, extra ...any) (*xiezuo.User, error) {
	var u xiezuo.User
	var role string
	var disabled, must int
	err := s.Scan(append([]any{&u.ID, &u.Username, &u.DisplayName, &role, &u.OrgID, &u.OrgName, &u.CountyCode, &disabled, &must}, extra...)...)
	u.Role, u.Disabled, u.MustChange = xiezuo.Role(role), disabled == 1, must == 1
	return &u, err
}

// UserByID returns a user. Errors: ENOTFOUND.
func (d *DB) UserByID(ctx context.Context, id int64) (*xiezuo.User, error) {
	u, err := scanUser(d.db.QueryRowContext(ctx, `SELECT `+userCols+userFrom+` WHERE u.id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "用户不存在")
	} else if err != nil {
		return nil, xiezuo.Internal(err)
	}
	return u, nil
}

// UserByName returns a user by user name. Errors: ENOTFOUND.
func (d *DB) UserByName(ctx context.Context, name string) (*xiezuo.User, error) {
	var id int64
	err := d.db.QueryRowContext(ctx, `SELECT id FROM users WHERE login = $1`, loginKey(name)).Scan(&id)
	if err == sql.ErrNoRows {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "用户“%s”不存在", name)
	} else if err != nil {
		return nil, xiezuo.Internal(err)
	}
	return d.UserByID(ctx, id)
}

// Users lists all users. Callers: office admin. Errors: EFORBIDDEN.
func (d *DB) Users(ctx context.Context, actor *xiezuo.User) ([]*xiezuo.User, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	rows, err := d.db.QueryContext(ctx, `SELECT `+userCols+userFrom+` ORDER BY u.role, u.username`)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []*xiezuo.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, xiezuo.Internal(err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
