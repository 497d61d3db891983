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

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/password"
)

// ResetCodeLife is how long a one-time code the office issues stays good.
const ResetCodeLife = 72 * time.Hour

// TokenLife is an API token's life when none is given.
const TokenLife = 365 * 24 * time.Hour

// ChangePassword sets u's own password after checking the current one (a
// one-time code counts as the current one). Errors: EINVALID (fields
// current, password), ETOOMANY.
func (d *DB) ChangePassword(ctx context.Context, u *xiezuo.User, current, next string) error {
	var hash string
	if err := d.db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, u.ID).Scan(&hash); err != nil {
		return xiezuo.Internal(err)
	}
	ok, err := password.Check(ctx, current, hash)
	if err != nil {
		return passwordErr(err)
	}
	p := xiezuo.Problems{}
	if !ok {
		p.Add("current", "当前密码不正确")
	}
	if msg := password.Weak(next, u.Role == xiezuo.RoleAdmin, u.Username, u.DisplayName); msg != "" {
		p.Add("password", msg)
	} else if next == current {
		p.Add("password", "新密码不能与当前密码相同")
	}
	if err := p.Err(); err != nil {
		return err
	}
	return d.setPassword(ctx, u, u.ID, next, false, "change_password")
}

// SetPassword sets a user's password with the machine's authority (the
// CLI's `user passwd`). Errors: ENOTFOUND, EINVALID, ETOOMANY.
func (d *DB) SetPassword(ctx context.Context, username, next string) error {
	u, err := d.UserByName(ctx, username)
	if err != nil {
		return err
	}
	if msg := password.Weak(next, u.Role == xiezuo.RoleAdmin, u.Username, u.DisplayName); msg != "" {
		return &xiezuo.Error{Code: xiezuo.EINVALID, Message: msg, Fields: map[string]string{"password": msg}}
	}
	return d.setPassword(ctx, nil, u.ID, next, false, "set_password")
}

// ResetPassword replaces a user's password with a one-time code, returned
// once: it signs in for ResetCodeLife and must then be changed. Callers:
// office admin, or nil (CLI). Errors: EFORBIDDEN, ENOTFOUND, ETOOMANY.
func (d *DB) ResetPassword(ctx context.Context, actor *xiezuo.User, userID int64) (string, error) {
	if actor != nil {
		if err := requireAdmin(actor); err != nil {
			return "", err
		}
	}
	if _, err := d.UserByID(ctx, userID); err != nil {
		return "", err
	}
	code := oneTimeCode()
	return code, d.setPassword(ctx, actor, userID, code, true, "reset_password")
}

// oneTimeCode is 15 random letters and digits in groups of five, without
// the ones people misread (0/O, 1/I/L).
func oneTimeCode() string {
	const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	b := make([]byte, 15)
	rand.Read(b)
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%5 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return s.String()
}

// setPassword stores pw's hash for the user; oneTime marks it a one-time
// code that expires. The user's failure counters are cleared.
func (d *DB) setPassword(ctx context.Context, actor *xiezuo.User, userID int64, pw string, oneTime bool, action string) error {
	hash, err := hashPassword(ctx, pw)
	if err != nil {
		return err
	}
	var life time.Duration
	if oneTime {
		life = ResetCodeLife
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		_, err := d.storePassword(ctx, tx, actor, userID, hash, "", life, action)
		return err
	})
}

// storePassword writes a password hash for the user in tx: a one-time
// code good for life, or (life 0) a password of the user's own, which
// also marks the account activated the first time. When was is not
// empty the hash is replaced only if it is still was (a code works once);
// ok reports whether a row changed. The user's failure counters are
// cleared and action audited.
func (d *DB) storePassword(ctx context.Context, tx *sql.Tx, actor *xiezuo.User, userID int64, hash, was string, life time.Duration, action string) (ok bool, err error) {
	var expires any
	must := 0
	if life > 0 {
		must, expires = 1, d.Now().Add(life).UTC().Format(time.RFC3339)
	}
	now := d.now()
	var login string
	err = tx.QueryRowContext(ctx, `UPDATE users SET password_hash = $1, must_change = $2, reset_expires = $3, password_changed_at = $4,
		activated_at = CASE WHEN $2 = 0 THEN COALESCE(activated_at, $4) ELSE activated_at END
		WHERE id = $5 AND ($6 = '' OR password_hash = $6) RETURNING login`,
		hash, must, expires, now, userID, was).Scan(&login)
	if err == sql.ErrNoRows && was != "" {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if err := clearSignInFailures(ctx, tx, login); err != nil {
		return false, err
	}
	return true, d.audit(ctx, tx, actor, action, "user", userID, nil, map[string]any{"one_time": life > 0})
}

// clearSignInFailures forgets the failure counters of a user: theirs and
// their per-address ones, keys "p:login\x1f…" (a range, not LIKE: a name
// may hold _ or %).
func clearSignInFailures(ctx context.Context, tx *sql.Tx, login string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE key = $1 OR (key > $2 AND key < $3)`,
		"u:"+login, "p:"+login+"\x1f", "p:"+login+"\x20")
	return err
}

// SetDisabled disables (or enables again) a user's account: a disabled
// user cannot sign in, and their sessions and API tokens stop working at
// once. Callers: office admin (not on their own account), or nil (CLI).
// Errors: EFORBIDDEN, ENOTFOUND.
func (d *DB) SetDisabled(ctx context.Context, actor *xiezuo.User, userID int64, disabled bool) error {
	if actor != nil {
		if err := requireAdmin(actor); err != nil {
			return err
		}
		if actor.ID == userID && disabled {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "不能停用自己的账号")
		}
	}
	before, err := d.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	flag, action := 0, "enable"
	if disabled {
		flag, action = 1, "disable"
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, flag, userID); err != nil {
			return err
		}
		return d.audit(ctx, tx, actor, action, "user", userID, map[string]bool{"disabled": before.Disabled}, map[string]bool{"disabled": disabled})
	})
}

// Token is an API token as listed (never the token itself).
type Token struct {
	ID        int64
	UserID    int64
	Username  string
	Label     string
	CreatedAt string
	ExpiresAt string
	RevokedAt string
	LastUsed  string
}

// Active reports whether the token still works at now (RFC 3339).
func (t Token) Active(now string) bool {
	return t.RevokedAt == "" && (t.ExpiresAt == "" || t.ExpiresAt > now)
}

func hashToken(tok string) string {
	s := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(s[:])
}

// CreateToken makes a bearer token for a user, valid for life (TokenLife
// when 0), and returns it once; only its SHA-256 is stored. Callers: the
// user themself or the office admin (ledger.CanManageAccount), or nil (CLI).
// Errors: EFORBIDDEN, ENOTFOUND, EINVALID.
func (d *DB) CreateToken(ctx context.Context, actor *xiezuo.User, userID int64, label string, life time.Duration) (string, error) {
	if actor != nil {
		if err := permit(ledger.CanManageAccount(actor, userID), "只能管理自己的令牌"); err != nil {
			return "", err
		}
	}
	if _, err := d.UserByID(ctx, userID); err != nil {
		return "", err
	}
	label = strings.TrimSpace(label)
	if len([]rune(label)) > 50 {
		return "", &xiezuo.Error{Code: xiezuo.EINVALID, Message: "令牌用途不超过50个字", Fields: map[string]string{"label": "不超过50个字"}}
	}
	if life <= 0 {
		life = TokenLife
	}
	if life > 5*TokenLife {
		return "", &xiezuo.Error{Code: xiezuo.EINVALID, Message: "令牌有效期最长5年", Fields: map[string]string{"days": "最长5年"}}
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", xiezuo.Internal(err)
	}
	tok := "xz_" + base64.RawURLEncoding.EncodeToString(b)
	expires := d.Now().Add(life).UTC().Format(time.RFC3339)
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, token_hash, created_at, label, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			userID, hashToken(tok), d.now(), label, expires).Scan(&id); err != nil {
			return err
		}
		return d.audit(ctx, tx, actor, "create", "api_token", id, nil, map[string]any{"user_id": userID, "label": label, "expires_at": expires})
	})
	return tok, err
}

// Tokens lists a user's tokens (0: everyone's, office admin only), newest
// first. Callers: as CreateToken. Errors: EFORBIDDEN.
func (d *DB) Tokens(ctx context.Context, actor *xiezuo.User, userID int64) ([]Token, error) {
	if actor != nil {
		if err := permit((userID != 0 && ledger.CanManageAccount(actor, userID)) || ledger.CanManageRegistry(actor), "只能查看自己的令牌"); err != nil {
			return nil, err
		}
	}
	rows, err := d.db.QueryContext(ctx, `SELECT t.id, t.user_id, u.username, t.label, t.created_at, COALESCE(t.expires_at, ''), COALESCE(t.revoked_at, ''), COALESCE(t.last_used_at, '')
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE $1 = 0 OR t.user_id = $1 ORDER BY t.id DESC`, userID)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		if err := rows.Scan(&t.ID, &t.UserID, &t.Username, &t.Label, &t.CreatedAt, &t.ExpiresAt, &t.RevokedAt, &t.LastUsed); err != nil {
			return nil, xiezuo.Internal(err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken ends a token. Callers: as CreateToken. Errors: EFORBIDDEN,
// ENOTFOUND, ECONFLICT (already revoked).
func (d *DB) RevokeToken(ctx context.Context, actor *xiezuo.User, tokenID int64) error {
	var owner int64
	var revoked sql.NullString
	err := d.db.QueryRowContext(ctx, `SELECT user_id, revoked_at FROM api_tokens WHERE id = $1`, tokenID).Scan(&owner, &revoked)
	if err == sql.ErrNoRows || (err == nil && actor != nil && !ledger.CanManageAccount(actor, owner)) {
		return xiezuo.Errorf(xiezuo.ENOTFOUND, "令牌不存在")
	} else if err != nil {
		return xiezuo.Internal(err)
	}
	if revoked.Valid {
		return xiezuo.Errorf(xiezuo.ECONFLICT, "令牌已于%s吊销", revoked.String)
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2`, d.now(), tokenID); err != nil {
			return err
		}
		return d.audit(ctx, tx, actor, "revoke", "api_token", tokenID, nil, map[string]int64{"user_id": owner})
	})
}

// UserByToken returns the user a bearer token belongs to, while the token
// is neither expired nor revoked and the user not disabled. Its last use
// is recorded at most hourly. Errors: EUNAUTHORIZED.
func (d *DB) UserByToken(ctx context.Context, tok string) (*xiezuo.User, error) {
	var id int64
	var expires, used string
	u, err := scanUser(d.db.QueryRowContext(ctx, `SELECT `+userCols+`, t.id, COALESCE(t.expires_at, ''), COALESCE(t.last_used_at, '')`+userFrom+
		` JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, hashToken(tok)), &id, &expires, &used)
	now := d.now()
	if err != nil || u.Disabled || (expires != "" && expires <= now) {
		return nil, xiezuo.Errorf(xiezuo.EUNAUTHORIZED, "API 令牌无效、已过期或已吊销")
	}
	if used == "" || used < d.Now().Add(-time.Hour).UTC().Format(time.RFC3339) {
		_ = d.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, id)
			return err
		})
	}
	return u, nil
}

// SessionStore keeps web sessions in the database (scs.CtxStore over the
// same SQL on both engines), by the SHA-256 of their token: a copy of the
// table does not sign anyone in.
type SessionStore struct {
	d *DB
	// UserOf reads the signed-in user's id from session data (the web
	// layer knows its encoding), 0 for none; Commit notes it beside the
	// data, so that FindCtx reads the user with the session.
	UserOf func(data []byte) int64
}

// Sessions returns the session store.
func (d *DB) Sessions() *SessionStore { return &SessionStore{d: d} }

// sessionUserKey holds, in a request's context, the user its session
// lookup read (WithSessionUser).
type sessionUserKey struct{}

// WithSessionUser returns ctx with room for the user that the session
// lookup (FindCtx) reads with the session: SessionUser then gives it,
// where a separate UserByID was one more round trip a request.
func WithSessionUser(ctx context.Context) context.Context {
	return context.WithValue(ctx, sessionUserKey{}, new(*xiezuo.User))
}

// SessionUser returns the user the request's session lookup read, if it
// is user id; else nil (ask UserByID).
func SessionUser(ctx context.Context, id int64) *xiezuo.User {
	if slot, _ := ctx.Value(sessionUserKey{}).(**xiezuo.User); slot != nil && *slot != nil && (*slot).ID == id {
		return *slot
	}
	return nil
}

// FindCtx returns the session data for token, and reads the session's
// user in the same statement into ctx's room for it (WithSessionUser).
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	u, err := scanUser(s.d.db.QueryRowContext(ctx, `SELECT `+userCols+`, s.data FROM sessions s LEFT JOIN users u ON u.id = s.user_id
		LEFT JOIN organisations o ON o.id = u.org_id WHERE s.token = $1 AND s.expiry > $2`, hashToken(token), time.Now().UnixNano()), &b)
	if err == sql.ErrNoRows {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	if slot, _ := ctx.Value(sessionUserKey{}).(**xiezuo.User); slot != nil && u.ID != 0 {
		*slot = u
	}
	return b, true, nil
}

// Find returns the session data for token.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// CommitCtx saves session data, with the id of its user (UserOf).
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	var user any // NULL for none
	if s.UserOf != nil {
		if id := s.UserOf(b); id != 0 {
			user = id
		}
	}
	ctx = context.WithoutCancel(ctx) // a session the response names is saved
	return s.d.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry, user_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry, user_id = excluded.user_id`, hashToken(token), b, expiry.UnixNano(), user)
		return err
	})
}

// Commit saves session data.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// DeleteCtx removes a session.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	ctx = context.WithoutCancel(ctx)
	return s.d.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token = $1`, hashToken(token))
		return err
	})
}

// Delete removes a session.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}
