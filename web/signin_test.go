package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/web"
)

// clock is a settable time for the store (sign-in counters, expiries).
type clock struct{ t atomic.Int64 }

func (c *clock) now() time.Time      { return time.Unix(0, c.t.Load()) }
func (c *clock) add(d time.Duration) { c.t.Add(int64(d)) }
func newClock(e *env) *clock {
	c := &clock{}
	c.t.Store(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	e.db.Now = c.now
	return c
}

// login posts a sign-in as from address from ("" for the peer itself;
// it is only believed behind a trusted proxy) and returns the status.
func (e *env) login(from, username, pw string) int {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(url.Values{"username": {username}, "password": {pw}}.Encode()))
	req.Header.Set("Content-Type", form)
	if from != "" {
		req.Header.Set("X-Forwarded-For", from)
	}
	resp, err := e.client("").Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func statuses(codes []int) map[int]int {
	m := map[int]int{}
	for _, c := range codes {
		m[c]++
	}
	return m
}

// Fault 2: 100 parallel wrong passwords for one account were all checked.
// The attempt is counted before the check: only the free ones are checked.
func TestSignInThrottleRace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	clk := newClock(e)
	codes := make([]int, 100)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = e.login("", "reviewer", "wrong-password")
		}()
	}
	wg.Wait()
	if got := statuses(codes); got[401] != ledger.SignInFree || got[429] != 100-ledger.SignInFree {
		t.Fatalf("100 parallel guesses: %v, want %d checked (401) and the rest 429", got, ledger.SignInFree)
	}
	// The owner at the same address waits the growing delay, then signs in.
	if st := e.login("", "reviewer", demo.Password); st != 429 {
		t.Fatalf("right password during the delay: %d", st)
	}
	clk.add(2 * time.Second)
	if st := e.login("", "reviewer", demo.Password); st != 303 {
		t.Fatalf("right password after the delay: %d", st)
	}
	// Success cleared the counters: a mistype is a plain 401 again.
	if st := e.login("", "reviewer", "typo"); st != 401 {
		t.Fatalf("after success: %d", st)
	}
}

// Fault 3: failures must not lock the owner out, nor everyone behind one
// address; the counters live in the database; X-Forwarded-For is believed
// only from a trusted proxy.
func TestSignInLockoutIsNotAWeapon(t *testing.T) {
	t.Parallel()
	proxy := func(s *web.Server) { s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} }
	e := newEnv(t, proxy)
	clk := newClock(e)
	const office, attacker = "10.0.0.5", "203.0.113.9"
	// Staff have signed in from the office before.
	for _, u := range []string{"viewer", "admin"} {
		if st := e.login(office, u, demo.Password); st != 303 {
			t.Fatalf("%s from the office: %d", u, st)
		}
	}
	// Random names from the office address (a colleague's script, or an
	// attacker inside): after SignInAddrLock the address is held back…
	var codes []int
	for i := 0; i < ledger.SignInAddrLock+10; i++ {
		codes = append(codes, e.login(office, fmt.Sprintf("nobody%d", i), "x-wrong-password"))
	}
	if got := statuses(codes); got[401] != ledger.SignInAddrLock || got[429] != 10 {
		t.Fatalf("random names from one address: %v", got)
	}
	// …but not for the staff who signed in from it before.
	if st := e.login(office, "viewer", demo.Password); st != 303 {
		t.Fatalf("known user behind a busy address: %d", st)
	}
	// A guesser tries admin from many addresses: the account locks for
	// addresses it never signed in from…
	for i := 0; i < ledger.SignInUserLock; i++ {
		if st := e.login(fmt.Sprintf("198.51.100.%d", i+1), "admin", "guess-"+fmt.Sprint(i)); st != 401 {
			t.Fatalf("guess %d: %d", i, st)
		}
	}
	if st := e.login("198.51.100.77", "ADMIN", demo.Password); st != 429 {
		t.Fatalf("locked account from a new address: %d", st)
	}
	if st := e.login(attacker, "admin", demo.Password); st != 429 {
		t.Fatalf("locked account from the attacker: %d", st)
	}
	// …and the owner still signs in at the office.
	if st := e.login(office, "admin", demo.Password); st != 303 {
		t.Fatalf("admin from the office while locked elsewhere: %d", st)
	}
	// Counters are in the database: a restarted server still holds the
	// address back (the admin's lock was cleared by the office sign-in).
	e2 := &env{t: t, db: e.db}
	s2, err := web.NewServer(e.db, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	proxy(s2)
	e2.srv = newTestServer(t, s2)
	if st := e2.login(office, "nobody-else", "x-wrong-password"); st != 429 {
		t.Fatalf("address limit after restart: %d", st)
	}
	// The window passes.
	clk.add(ledger.SignInWindow + time.Second)
	if st := e2.login(office, "nobody-else", "x-wrong-password"); st != 401 {
		t.Fatalf("after the window: %d", st)
	}
}

// Without --trusted-proxy a client cannot choose its address with
// X-Forwarded-For.
func TestForwardedForIgnoredWithoutTrustedProxy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	newClock(e)
	for i := 0; i < ledger.SignInFree; i++ {
		if st := e.login(fmt.Sprintf("192.0.2.%d", i), "viewer", "wrong-password"); st != 401 {
			t.Fatalf("guess %d: %d", i, st)
		}
	}
	if st := e.login("192.0.2.200", "viewer", "wrong-password"); st != 429 {
		t.Fatalf("a forged X-Forwarded-For escaped the per-address delay: %d", st)
	}
}

// Fault 4: the redirect after sign-in stays on this site as the browser
// reads the URL (it drops tabs and newlines, and takes \ for /).
func TestLoginRedirectStaysOnSite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := map[string]string{
		"/%09/127.0.0.1:18199/pwned": "/",
		"/\t/127.0.0.1:18199/pwned":  "/",
		"/\n/evil.example":           "/",
		"//evil.example/x":           "/",
		"/\\evil.example":            "/",
		"\\\\evil.example":           "/",
		"https://evil.example/":      "/",
		"javascript:alert(1)":        "/",
		" /x":                        "/",
		"/%2F/evil.example":          "/",
		"":                           "/",
		"/contributions?county=532531000000&q=%E7%BA%A2%E7%B1%B3": "/contributions?county=532531000000&q=%E7%BA%A2%E7%B1%B3",
		"/dashboard": "/dashboard",
	}
	for next, want := range cases {
		dec, err := url.PathUnescape(next)
		if err != nil || strings.HasPrefix(next, "/contributions") {
			dec = next
		}
		body := url.Values{"username": {"viewer"}, "password": {demo.Password}, "next": {dec}}.Encode()
		resp, _ := do(t, e.client(""), "POST", e.srv.URL+"/login", form, body)
		if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc != want {
			t.Errorf("next %q: %d → %q, want %q", next, resp.StatusCode, loc, want)
		}
	}
	// The login page does not carry a hostile next into its form either.
	_, page := do(t, e.client(""), "GET", e.srv.URL+"/login?next=/%09/127.0.0.1:18199/pwned", "", "")
	if strings.Contains(page, "127.0.0.1:18199") {
		t.Fatal("login page kept the hostile next")
	}
}

var codeRe = regexp.MustCompile(`[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}`)

// Fault 8: account care — one-time codes, own password change, disable,
// tokens with expiry and revocation, names without regard to case.
func TestAccountCare(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	clk := newClock(e)
	admin := e.client("admin")
	viewer := e.user("viewer")

	// The office resets a forgotten password: a one-time code, shown once.
	resp, body := do(t, admin, "POST", fmt.Sprintf("%s/registry/users/%d/reset", e.srv.URL, viewer.ID), form, "")
	code := codeRe.FindString(body)
	if resp.StatusCode != 200 || code == "" || !strings.Contains(body, "登录后须设置新密码") {
		t.Fatalf("reset: %d %q", resp.StatusCode, code)
	}
	if st := e.login("", "viewer", demo.Password); st != 401 {
		t.Fatalf("old password after reset: %d", st)
	}
	c := e.client("")
	resp, _ = do(t, c, "POST", e.srv.URL+"/login", form, url.Values{"username": {"viewer"}, "password": {code}, "next": {"/contributions"}}.Encode())
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/account?next=") {
		t.Fatalf("one-time code sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Nothing else until a new password is chosen.
	if resp, _ := do(t, c, "GET", e.srv.URL+"/contributions", "", ""); resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/account") {
		t.Fatalf("page before the new password: %d", resp.StatusCode)
	}
	if resp, _ := do(t, c, "POST", e.srv.URL+"/contributions", form, ""); resp.StatusCode != 403 {
		t.Fatalf("write before the new password: %d", resp.StatusCode)
	}
	resp, body = do(t, c, "POST", e.srv.URL+"/account/password", form, url.Values{"current": {code}, "password": {"12345678"}, "confirm": {"12345678"}}.Encode())
	if resp.StatusCode != 422 || !strings.Contains(body, "密码太简单") {
		t.Fatalf("weak new password: %d", resp.StatusCode)
	}
	resp, body = do(t, c, "POST", e.srv.URL+"/account/password", form, url.Values{"current": {code}, "password": {"Hongmi-tea-2026"}, "confirm": {"Hongmi-tea-2027"}}.Encode())
	if resp.StatusCode != 422 || !strings.Contains(body, "两次输入的新密码不一致") {
		t.Fatalf("mismatched confirm: %d", resp.StatusCode)
	}
	resp, _ = do(t, c, "POST", e.srv.URL+"/account/password", form, url.Values{"current": {code}, "password": {"Hongmi-tea-2026"}, "confirm": {"Hongmi-tea-2026"}, "next": {"/contributions"}}.Encode())
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/contributions" {
		t.Fatalf("new password: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := do(t, c, "GET", e.srv.URL+"/contributions", "", ""); resp.StatusCode != 200 {
		t.Fatalf("after the new password: %d", resp.StatusCode)
	}
	if st := e.login("", "viewer", code); st != 401 {
		t.Fatalf("the one-time code still works: %d", st)
	}
	// An unused code expires.
	if _, err := e.db.ResetPassword(ctx, e.user("admin"), e.user("reviewer").ID); err != nil {
		t.Fatal(err)
	}
	code2, _ := e.db.ResetPassword(ctx, e.user("admin"), e.user("reviewer").ID)
	clk.add(80 * time.Hour)
	if resp, body := do(t, e.client(""), "POST", e.srv.URL+"/login", form, url.Values{"username": {"reviewer"}, "password": {code2}}.Encode()); resp.StatusCode != 401 || !strings.Contains(body, "一次性密码已过期") {
		t.Fatalf("expired code: %d", resp.StatusCode)
	}

	// Own password change checks the current one.
	unit := e.client("chengjiaqiao")
	resp, body = do(t, unit, "POST", e.srv.URL+"/account/password", form, url.Values{"current": {"nope"}, "password": {"Chengjia-bridge-9"}, "confirm": {"Chengjia-bridge-9"}}.Encode())
	if resp.StatusCode != 422 || !strings.Contains(body, "当前密码不正确") {
		t.Fatalf("wrong current password: %d", resp.StatusCode)
	}

	// Tokens: made on the account page, shown once, revocable, expiring.
	resp, body = do(t, unit, "POST", e.srv.URL+"/account/tokens", form, url.Values{"label": {"同步脚本"}, "days": {"30"}}.Encode())
	tok := regexp.MustCompile(`xz_[A-Za-z0-9_-]{43}`).FindString(body)
	if resp.StatusCode != 201 || tok == "" {
		t.Fatalf("token create: %d", resp.StatusCode)
	}
	api := func(tok string) int {
		resp, _ := do(t, e.client(""), "GET", e.srv.URL+"/api/v1/me", "", "", "Authorization", "Bearer "+tok)
		return resp.StatusCode
	}
	if st := api(tok); st != 200 {
		t.Fatalf("new token: %d", st)
	}
	toks, _ := e.db.Tokens(ctx, nil, e.user("chengjiaqiao").ID)
	if len(toks) != 1 || toks[0].Label != "同步脚本" || toks[0].LastUsed == "" {
		t.Fatalf("token list: %+v", toks)
	}
	// Another unit cannot revoke it; its owner can.
	if resp, _ := do(t, e.client("xinhualu"), "POST", fmt.Sprintf("%s/tokens/%d/revoke", e.srv.URL, toks[0].ID), form, "back=/account"); resp.StatusCode != 404 {
		t.Fatalf("foreign revoke: %d", resp.StatusCode)
	}
	if resp, _ := do(t, unit, "POST", fmt.Sprintf("%s/tokens/%d/revoke", e.srv.URL, toks[0].ID), form, "back=/account"); resp.StatusCode != 303 {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if st := api(tok); st != 401 {
		t.Fatalf("revoked token: %d", st)
	}
	short, _ := e.db.CreateToken(ctx, nil, e.user("chengjiaqiao").ID, "", 24*time.Hour)
	clk.add(25 * time.Hour)
	if st := api(short); st != 401 {
		t.Fatalf("expired token: %d", st)
	}

	// Disable: sign-in, sessions and tokens stop at once; enable restores.
	live, _ := e.db.CreateToken(ctx, nil, e.user("chengjiaqiao").ID, "", 0)
	uid := e.user("chengjiaqiao").ID
	if resp, _ := do(t, admin, "POST", fmt.Sprintf("%s/registry/users/%d/disable", e.srv.URL, uid), form, ""); resp.StatusCode != 303 {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp, _ := do(t, unit, "GET", e.srv.URL+"/contributions", "", ""); resp.StatusCode != 303 {
		t.Fatalf("disabled user's session: %d", resp.StatusCode)
	}
	if st := api(live); st != 401 {
		t.Fatalf("disabled user's token: %d", st)
	}
	if st := e.login("", "chengjiaqiao", demo.Password); st != 401 {
		t.Fatalf("disabled sign-in: %d", st)
	}
	if resp, _ := do(t, admin, "POST", fmt.Sprintf("%s/registry/users/%d/enable", e.srv.URL, uid), form, ""); resp.StatusCode != 303 {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	if st := api(live); st != 200 {
		t.Fatalf("enabled user's token: %d", st)
	}
	if resp, _ := do(t, admin, "POST", fmt.Sprintf("%s/registry/users/%d/disable", e.srv.URL, e.user("admin").ID), form, ""); resp.StatusCode != 403 {
		t.Fatalf("admin disabling themself: %d", resp.StatusCode)
	}

	// Names are unique without regard to case.
	resp, body = do(t, admin, "POST", e.srv.URL+"/registry/users", form, url.Values{"username": {"ADMIN"}, "password": {"Another-boss-77x"}, "role": {"viewer"}}.Encode())
	if resp.StatusCode != 409 || !strings.Contains(body, "已存在") {
		t.Fatalf("ADMIN beside admin: %d", resp.StatusCode)
	}

	// Every change is in the audit log.
	var n int
	e.db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action IN ('reset_password', 'change_password', 'disable', 'enable', 'revoke') OR (entity = 'api_token' AND action = 'create')`).Scan(&n)
	if n < 9 {
		t.Fatalf("audit entries for account care: %d", n)
	}
}

// Fault 9 (part): sessions are kept by the hash of their token.
func TestSessionTokensHashed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("viewer")
	u, _ := url.Parse(e.srv.URL)
	var tok string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "xiezuo_session" {
			tok = ck.Value
		}
	}
	sum := sha256.Sum256([]byte(tok))
	var clear, hashed int
	e.db.SQL().QueryRow(`SELECT COUNT(*) FROM sessions WHERE token = $1`, tok).Scan(&clear)
	e.db.SQL().QueryRow(`SELECT COUNT(*) FROM sessions WHERE token = $1`, hex.EncodeToString(sum[:])).Scan(&hashed)
	if tok == "" || clear != 0 || hashed != 1 {
		t.Fatalf("session token stored in clear %d, hashed %d", clear, hashed)
	}
}
