package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/password"
)

// errBadLogin is the one answer for a wrong user name or password, so the
// answer does not tell which.
var errBadLogin = xiezuo.Errorf(xiezuo.EUNAUTHORIZED, "用户名或密码不正确")

// The keys of the three failure counters of an attempt (ledger/signin.go).
func signInKeys(login, addr string) (pair, user, address string) {
	return "p:" + login + "\x1f" + addr, "u:" + login, "a:" + addr
}

// SignIn checks a sign-in attempt by user name (any case) and password
// from address addr. The attempt is counted before the password is
// checked, in the database, and refused without a check when the
// counters say so (ledger.SignInRefusal). A user name that does not exist
// costs the same check time. Errors: EUNAUTHORIZED (wrong name or
// password, disabled account, expired one-time code), ETOOMANY (throttled,
// or the password checks are all busy).
func (d *DB) SignIn(ctx context.Context, username, pw, addr string) (*xiezuo.User, error) {
	return d.signIn(ctx, username, pw, addr, password.Check)
}

// signIn is SignIn with check comparing pw to the stored hash ("" for a
// user name that does not exist): password.Check, or password.CheckCode
// for an activation (Activate). The same queries run whether or not the
// user name exists.
func (d *DB) signIn(ctx context.Context, username, pw, addr string, check func(context.Context, string, string) (bool, error)) (*xiezuo.User, error) {
	login := loginKey(username)
	kPair, kUser, kAddr := signInKeys(login, addr)
	now := d.Now()
	var id int64
	var hash string
	var expires sql.NullString
	err := d.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id, password_hash, reset_expires FROM users WHERE login = $1`, login).Scan(&id, &hash, &expires)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		st := ledger.SignInState{}
		var n int // asked for an unknown name too (id 0: none), so it takes as long
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_known WHERE user_id = $1 AND address = $2`, id, addr).Scan(&n); err != nil {
			return err
		}
		st.Known = n > 0
		counts := map[string]*ledger.SignInCount{kPair: &st.Pair, kUser: &st.User, kAddr: &st.Addr}
		rows, err := tx.QueryContext(ctx, `SELECT key, failures, last_at FROM login_attempts WHERE key IN ($1, $2, $3)`, kPair, kUser, kAddr)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k string
			var f int
			var at int64
			if err := rows.Scan(&k, &f, &at); err != nil {
				rows.Close()
				return err
			}
			*counts[k] = ledger.SignInCount{Failures: f, Last: time.Unix(at, 0)}
		}
		rows.Close()
		if msg, _ := ledger.SignInRefusal(st, now); msg != "" {
			return xiezuo.Errorf(xiezuo.ETOOMANY, "%s", msg)
		}
		// Count this attempt now; a success takes it back.
		for k, w := range map[string]time.Duration{kPair: ledger.SignInPairWindow, kUser: ledger.SignInWindow, kAddr: ledger.SignInWindow} {
			next := counts[k].Next(w, now)
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_attempts (key, failures, last_at) VALUES ($1, $2, $3)
				ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at`, k, next.Failures, next.Last.Unix()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ok, err := check(ctx, pw, hash)
	if err != nil {
		return nil, passwordErr(err)
	}
	if !ok {
		return nil, errBadLogin
	}
	u, err := d.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, errBadLogin
	}
	if u.MustChange && expires.Valid && expires.String < d.now() {
		return nil, xiezuo.Errorf(xiezuo.EUNAUTHORIZED, "一次性密码已过期，请联系协作办管理员重新重置")
	}
	// A hash made with older costs is renewed while the password is at
	// hand; a one-time code's is not (it is about to be replaced, and an
	// activation code is hashed cheaply on purpose: password.HashCode).
	var renewed string
	if password.NeedsRehash(hash) && !u.MustChange {
		if renewed, err = password.Hash(ctx, pw); err != nil {
			renewed = "" // next time
		}
	}
	err = d.tx(ctx, func(tx *sql.Tx) error {
		if renewed != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3`, renewed, id, hash); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE key IN ($1, $2)`, kPair, kUser); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE login_attempts SET failures = failures - 1 WHERE key = $1 AND failures > 0`, kAddr); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO login_known (user_id, address, last_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, address) DO UPDATE SET last_at = excluded.last_at`, id, addr, now.Unix())
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// PruneSignIns forgets failure counters no rule reads any more and
// sessions past their expiry.
func (d *DB) PruneSignIns(ctx context.Context) error {
	now := d.Now()
	return d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE last_at < $1`, now.Add(-ledger.SignInPairWindow).Unix()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expiry < $1`, now.UnixNano())
		return err
	})
}
