package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/xiezuo/xiezuo"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.DB.SQL().PingContext(r.Context()); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", map[string]any{"Title": "登录", "Next": safeNext(r.URL.Query().Get("next")), "Demo": s.Demo})
}

// safeNext keeps redirects after login on this site: it returns next only
// when it is a plain path on this host as a browser would read it. A
// browser drops tabs and newlines anywhere in a URL and takes \ for /, so
// “/<TAB>/evil.example” or “/\\evil.example” would lead away: any control
// character or backslash is refused outright, and what is left must parse
// with no scheme, no host and a path that starts with exactly one slash.
func safeNext(next string) string {
	if next == "" || strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}

func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	username := strings.TrimSpace(r.PostFormValue("username"))
	next := safeNext(r.PostFormValue("next"))
	u, err := s.DB.SignIn(r.Context(), username, r.PostFormValue("password"), s.clientIP(r))
	if err != nil {
		if xiezuo.ErrorCode(err) == xiezuo.ETOOMANY {
			s.metrics.loginThrottled.Inc()
		}
		s.logErr(r, err)
		s.render(w, r, statusOf(err), "login", map[string]any{"Title": "登录", "Next": next, "Error": xiezuo.ErrorMessage(err), "Username": username, "Demo": s.Demo})
		return
	}
	// A new session token on every sign-in defeats session fixation.
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		s.pageError(w, r, xiezuo.Internal(err))
		return
	}
	s.Sessions.Put(r.Context(), sessionUserID, u.ID)
	if u.MustChange {
		next = "/account?next=" + url.QueryEscape(next)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	_ = s.Sessions.Destroy(r.Context())
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// page wraps a page handler that returns an error: it requires a signed-in
// user and renders errors as the error page.
func (s *Server) page(h func(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		isoDates(r)
		u := xiezuo.UserFromContext(r.Context())
		if u == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.pageError(w, r, xiezuo.Errorf(xiezuo.EUNAUTHORIZED, "请先登录"))
			return
		}
		if err := marketOnly(u, r); err != nil {
			if r.Method == http.MethodGet && r.Pattern == "GET /{$}" {
				http.Redirect(w, r, "/market", http.StatusSeeOther) // their home
				return
			}
			s.pageError(w, r, err)
			return
		}
		if err := h(w, r, u); err != nil {
			s.pageError(w, r, err)
		}
	}
}

// marketOnly refuses a market-only account (supplier, buyer admin,
// purchaser: xiezuo.Role.MarketOnly) every route but the market's
// (/market…, /api/v1/market…) and its own account's: the ledger, the
// registry and the reports are not theirs to read.
func marketOnly(u *xiezuo.User, r *http.Request) error {
	if !u.Role.MarketOnly() {
		return nil
	}
	_, path, _ := strings.Cut(r.Pattern, " ")
	for _, p := range []string{"/market", "/api/v1/market", "/account", "/tokens/", "/api/v1/me"} {
		if path == p || strings.HasPrefix(path, p+"/") || (strings.HasSuffix(p, "/") && strings.HasPrefix(path, p)) {
			return nil
		}
	}
	return xiezuo.Errorf(xiezuo.EFORBIDDEN, "%s账号只能使用消费帮扶（商城）和本人账号的功能", u.Role.Label())
}

// isoDates rewrites the date filters of a query (from, to, asof) typed or
// pasted as 2020年9月1日 or 2020/9/1 into 2020-09-01, in one place for every
// page, export and API list; what is not a date is left for the handler
// to refuse.
func isoDates(r *http.Request) {
	q := r.URL.Query()
	changed := false
	for _, k := range []string{"from", "to", "asof"} {
		if v := q.Get(k); v != "" {
			if d, ok := xiezuo.ParseDate(v, 0); ok && d != v {
				q.Set(k, d)
				changed = true
			}
		}
	}
	if changed {
		r.URL.RawQuery = q.Encode()
	}
}

// api wraps a JSON handler: it requires a user and writes errors as JSON.
func (s *Server) api(h func(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		isoDates(r)
		u := xiezuo.UserFromContext(r.Context())
		if u == nil {
			s.apiError(w, r, xiezuo.Errorf(xiezuo.EUNAUTHORIZED, "请先登录或提供 API 令牌"))
			return
		}
		if err := marketOnly(u, r); err != nil {
			s.apiError(w, r, err)
			return
		}
		if err := h(w, r, u); err != nil {
			s.apiError(w, r, err)
		}
	}
}
