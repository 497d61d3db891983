package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

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
// the machine's authority). Errors: EFORBIDDEN, EINVALID, ECONFLICT.
func (d *DB) CreateUser(ctx context.Context, actor *xiezuo.User, nu NewUser) (*xiezuo.User, error) {
	if actor != nil {
		if err := requireAdmin(actor); err != nil {
			return nil, err
		}
	}
	p := xiezuo.Problems{}
	nu.Username = strings.TrimSpace(nu.Username)
	if nu.Username == "" || utf8.RuneCountInString(nu.Username) > 50 || strings.ContainsAny(nu.Username, " \t/") {
		p.Add("username", "用户名不能为空、不能含空格且不超过50个字")
	}
	if utf8.RuneCountInString(nu.Password) < 8 {
		p.Add("password", "密码至少8位")
	}
	if !nu.Role.Valid() {
		p.Add("role", "角色无效")
	}
	if (nu.Role == xiezuo.RoleUnit || nu.Role == xiezuo.RoleCounty) && nu.OrgID == 0 {
		p.Add("org_id", "报送单位和受援县用户须指定所属单位")
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
	hash, err := argon2id.CreateHash(nu.Password, argon2id.DefaultParams)
	if err != nil {
		return nil, xiezuo.Internal(err)
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
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username = $1`, nu.Username).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &xiezuo.Error{Code: xiezuo.ECONFLICT, Message: "用户名“" + nu.Username + "”已存在", Fields: map[string]string{"username": "用户名已存在"}}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO users (username, display_name, password_hash, role, org_id, county_code, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			u.Username, u.DisplayName, hash, string(u.Role), nullID(u.OrgID), nullStr(u.CountyCode), d.now()).Scan(&u.ID); err != nil {
			return err
		}
		return d.audit(ctx, tx, actor, "create", "user", u.ID, nil, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

const userCols = `u.id, u.username, u.display_name, u.role, COALESCE(u.org_id, 0), COALESCE(o.name, ''), COALESCE(u.county_code, ''), u.disabled`
const userFrom = ` FROM users u LEFT JOIN organisations o ON o.id = u.org_id`

func scanUser(s interface{ Scan(...any) error }, extra ...any) (*xiezuo.User, error) {
	var u xiezuo.User
	var role string
	var disabled int
	err := s.Scan(append([]any{&u.ID, &u.Username, &u.DisplayName, &role, &u.OrgID, &u.OrgName, &u.CountyCode, &disabled}, extra...)...)
	u.Role, u.Disabled = xiezuo.Role(role), disabled == 1
	return &u, err
}

// errBadLogin is the one answer for a wrong user name or password, so the
// answer does not tell which.
var errBadLogin = xiezuo.Errorf(xiezuo.EUNAUTHORIZED, "用户名或密码不正确")

// Authenticate checks a user name and password. Errors: EUNAUTHORIZED.
func (d *DB) Authenticate(ctx context.Context, username, password string) (*xiezuo.User, error) {
	var hash string
	u, err := scanUser(d.db.QueryRowContext(ctx, `SELECT `+userCols+`, u.password_hash`+userFrom+` WHERE u.username = $1`, strings.TrimSpace(username)), &hash)
	if err == sql.ErrNoRows {
		// Spend the same time as a real check.
		_, _ = argon2id.ComparePasswordAndHash(password, dummyHash)
		return nil, errBadLogin
	} else if err != nil {
		return nil, xiezuo.Internal(err)
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil || !ok || u.Disabled {
		return nil, errBadLogin
	}
	return u, nil
}

var dummyHash, _ = argon2id.CreateHash("xiezuo-dummy-password", argon2id.DefaultParams)

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
	err := d.db.QueryRowContext(ctx, `SELECT id FROM users WHERE username = $1`, name).Scan(&id)
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

func hashToken(tok string) string {
	s := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(s[:])
}

// CreateToken makes a bearer token for a user and returns it once; only its
// SHA-256 is stored. Callers: the CLI (machine authority). Errors: ENOTFOUND.
func (d *DB) CreateToken(ctx context.Context, userID int64) (string, error) {
	if _, err := d.UserByID(ctx, userID); err != nil {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", xiezuo.Internal(err)
	}
	tok := "xz_" + base64.RawURLEncoding.EncodeToString(b)
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id`,
			userID, hashToken(tok), d.now()).Scan(&id); err != nil {
			return err
		}
		return d.audit(ctx, tx, nil, "create", "api_token", id, nil, map[string]int64{"user_id": userID})
	})
	return tok, err
}

// UserByToken returns the user a bearer token belongs to. Errors: EUNAUTHORIZED.
func (d *DB) UserByToken(ctx context.Context, tok string) (*xiezuo.User, error) {
	u, err := scanUser(d.db.QueryRowContext(ctx, `SELECT `+userCols+userFrom+` JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = $1`, hashToken(tok)))
	if err != nil || u.Disabled {
		return nil, xiezuo.Errorf(xiezuo.EUNAUTHORIZED, "API 令牌无效")
	}
	return u, nil
}

// SessionStore keeps web sessions in the database (scs.CtxStore over the
// same SQL on both engines).
type SessionStore struct{ d *DB }

// Sessions returns the session store.
func (d *DB) Sessions() *SessionStore { return &SessionStore{d} }

// Find returns the session data for token.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	var b []byte
	err := s.d.db.QueryRow(`SELECT data FROM sessions WHERE token = $1 AND expiry > $2`, token, time.Now().UnixNano()).Scan(&b)
	if err == sql.ErrNoRows {
		return nil, false, nil
	}
	return b, err == nil, err
}

// Commit saves session data.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.d.tx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, b, expiry.UnixNano())
		return err
	})
}

// Delete removes a session.
func (s *SessionStore) Delete(token string) error {
	return s.d.tx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM sessions WHERE token = $1`, token)
		return err
	})
}
