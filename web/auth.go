package web

import (
	"net/http"
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

// safeNext keeps redirects after login on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	username := strings.TrimSpace(r.PostFormValue("username"))
	next := safeNext(r.PostFormValue("next"))
	ip := clientIP(r)
	fail := func(msg string, status int) {
		s.render(w, r, status, "login", map[string]any{"Title": "登录", "Next": next, "Error": msg, "Username": username, "Demo": s.Demo})
	}
	if s.userThrottle.blocked(username) || s.ipThrottle.blocked(ip) {
		s.metrics.loginThrottled.Inc()
		fail("登录失败次数过多，请15分钟后再试", http.StatusTooManyRequests)
		return
	}
	u, err := s.DB.Authenticate(r.Context(), username, r.PostFormValue("password"))
	if err != nil {
		if xiezuo.ErrorCode(err) == xiezuo.EUNAUTHORIZED {
			s.userThrottle.fail(username)
			s.ipThrottle.fail(ip)
		}
		s.logErr(r, err)
		fail(xiezuo.ErrorMessage(err), statusOf(err))
		return
	}
	s.userThrottle.reset(username)
	// A new session token on every sign-in defeats session fixation.
	if err := s.Sessions.RenewToken(r.Context()); err != nil {
		s.pageError(w, r, xiezuo.Internal(err))
		return
	}
	s.Sessions.Put(r.Context(), "user_id", u.ID)
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
		u := xiezuo.UserFromContext(r.Context())
		if u == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.pageError(w, r, xiezuo.Errorf(xiezuo.EUNAUTHORIZED, "请先登录"))
			return
		}
		if err := h(w, r, u); err != nil {
			s.pageError(w, r, err)
		}
	}
}

// api wraps a JSON handler: it requires a user and writes errors as JSON.
func (s *Server) api(h func(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := xiezuo.UserFromContext(r.Context())
		if u == nil {
			s.apiError(w, r, xiezuo.Errorf(xiezuo.EUNAUTHORIZED, "请先登录或提供 API 令牌"))
			return
		}
		if err := h(w, r, u); err != nil {
			s.apiError(w, r, err)
		}
	}
}
