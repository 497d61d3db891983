package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

// TestSignInAndAccounts runs the sign-in gate and account care on both
// engines (the web tests run them on SQLite through HTTP).
func TestSignInAndAccounts(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		db.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

		// Any case signs in; the address becomes known.
		if u, err := db.SignIn(ctx, "Reviewer", demo.Password, "10.0.0.5"); err != nil || u.Username != "reviewer" {
			t.Fatalf("sign in: %+v, %v", u, err)
		}
		// Parallel guesses are counted before they are checked.
		var wg sync.WaitGroup
		codes := make([]string, 20)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.SignIn(ctx, "reviewer", "wrong-password", "203.0.113.9")
				codes[i] = xiezuo.ErrorCode(err)
			}()
		}
		wg.Wait()
		n := map[string]int{}
		for _, c := range codes {
			n[c]++
		}
		if n[xiezuo.EUNAUTHORIZED] != ledger.SignInFree || n[xiezuo.ETOOMANY] != 20-ledger.SignInFree {
			t.Fatalf("20 parallel guesses: %v", n)
		}
		// More failures from elsewhere lock the name for unknown addresses
		// but not for the owner's known one.
		for i := 0; i < ledger.SignInUserLock; i++ {
			db.SignIn(ctx, "reviewer", "wrong", "198.51.100."+string(rune('1'+i%9)))
		}
		_, err := db.SignIn(ctx, "reviewer", demo.Password, "192.0.2.77")
		wantCode(t, err, xiezuo.ETOOMANY)
		if _, err := db.SignIn(ctx, "reviewer", demo.Password, "10.0.0.5"); err != nil {
			t.Fatalf("owner at the known address: %v", err)
		}
		advance(ledger.SignInPairWindow + time.Minute)
		if err := db.PruneSignIns(ctx); err != nil {
			t.Fatal(err)
		}

		// One-time code, own change, disable.
		admin, viewer := user(t, db, "admin"), user(t, db, "viewer")
		// The owner forgot the password: the free attempts are used up…
		for i := 0; i < ledger.SignInFree; i++ {
			db.SignIn(ctx, "viewer", "forgotten", "10.9.9.9")
		}
		_, err = db.SignIn(ctx, "viewer", demo.Password, "10.9.9.9")
		wantCode(t, err, xiezuo.ETOOMANY)
		// …and the office's reset clears the counters with the password.
		code, err := db.ResetPassword(ctx, admin, viewer.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.ResetPassword(ctx, viewer, admin.ID)
		wantCode(t, err, xiezuo.EFORBIDDEN)
		u, err := db.SignIn(ctx, "viewer", code, "10.9.9.9")
		if err != nil || !u.MustChange {
			t.Fatalf("one-time code: %+v, %v", u, err)
		}
		wantCode(t, db.ChangePassword(ctx, u, code, "12345678"), xiezuo.EINVALID)
		if err := db.ChangePassword(ctx, u, code, "Hongmi-tea-2026"); err != nil {
			t.Fatal(err)
		}
		if u, err := db.SignIn(ctx, "viewer", "Hongmi-tea-2026", "10.0.0.5"); err != nil || u.MustChange {
			t.Fatalf("after the change: %+v, %v", u, err)
		}
		wantCode(t, db.SetDisabled(ctx, admin, admin.ID, true), xiezuo.EFORBIDDEN)
		if err := db.SetDisabled(ctx, admin, viewer.ID, true); err != nil {
			t.Fatal(err)
		}
		_, err = db.SignIn(ctx, "viewer", "Hongmi-tea-2026", "10.0.0.5")
		wantCode(t, err, xiezuo.EUNAUTHORIZED)

		// Tokens: expiry, revocation, only the owner or the admin.
		unit := user(t, db, "chengjiaqiao")
		tok, err := db.CreateToken(ctx, unit, unit.ID, "同步", 48*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.CreateToken(ctx, unit, admin.ID, "", 0)
		wantCode(t, err, xiezuo.EFORBIDDEN)
		if _, err := db.UserByToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		toks, err := db.Tokens(ctx, unit, unit.ID)
		if err != nil || len(toks) != 1 || toks[0].LastUsed == "" {
			t.Fatalf("tokens: %+v, %v", toks, err)
		}
		wantCode(t, db.RevokeToken(ctx, user(t, db, "xinhualu"), toks[0].ID), xiezuo.ENOTFOUND)
		advance(49 * time.Hour)
		_, err = db.UserByToken(ctx, tok)
		wantCode(t, err, xiezuo.EUNAUTHORIZED)
		if err := db.RevokeToken(ctx, admin, toks[0].ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.RevokeToken(ctx, admin, toks[0].ID), xiezuo.ECONFLICT)
		if _, err := db.VerifyAudit(ctx, admin); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSessionUser: a session saved with its user's id is read back with
// that user's row in the same statement (one statement where a page's
// request took two), current at the time of the lookup (a disabled user
// reads as disabled); a session saved without one, or a lookup without
// room for the user, leaves the caller to ask UserByID.
func TestSessionUser(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		viewer := user(t, db, "viewer")
		ss := db.Sessions()
		ss.UserOf = func(b []byte) int64 {
			if string(b) == "viewer" {
				return viewer.ID
			}
			return 0
		}
		exp := time.Now().Add(time.Hour)
		if err := ss.CommitCtx(ctx, "tok-viewer", []byte("viewer"), exp); err != nil {
			t.Fatal(err)
		}
		if err := ss.CommitCtx(ctx, "tok-anon", []byte("anon"), exp); err != nil {
			t.Fatal(err)
		}
		find := func(tok string) (*xiezuo.User, int64) {
			t.Helper()
			rctx := store.WithSessionUser(ctx)
			before := db.Statements()
			b, ok, err := ss.FindCtx(rctx, tok)
			n := db.Statements() - before
			if err != nil || !ok || len(b) == 0 {
				t.Fatalf("%s: %q, %v, %v", tok, b, ok, err)
			}
			return store.SessionUser(rctx, viewer.ID), n
		}
		u, n := find("tok-viewer")
		if u == nil || *u != *viewer || n != 1 {
			t.Fatalf("session user %+v in %d statements, want %+v in 1", u, n, viewer)
		}
		if u, _ := find("tok-anon"); u != nil {
			t.Fatalf("a session without a user read %+v", u)
		}
		if err := db.SetDisabled(ctx, nil, viewer.ID, true); err != nil {
			t.Fatal(err)
		}
		if u, _ := find("tok-viewer"); u == nil || !u.Disabled {
			t.Fatalf("after disabling: %+v", u)
		}
		if store.SessionUser(ctx, viewer.ID) != nil {
			t.Fatal("a context without room read a user")
		}
		if b, ok, err := ss.Find("tok-viewer"); err != nil || !ok || string(b) != "viewer" {
			t.Fatalf("Find: %q, %v, %v", b, ok, err)
		}
		if err := ss.Delete("tok-viewer"); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := ss.Find("tok-viewer"); ok || err != nil {
			t.Fatalf("after Delete: %v, %v", ok, err)
		}
	})
}
