// Package web is the HTTP edge: server-rendered zh-CN pages that work
// without JavaScript, and a JSON API over the same store services with the
// same authorisation. Routes are listed in one place (routes.go); errors map
// to HTTP status in one table (httpStatus).
package web

import (
	"context"
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/store"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Server serves the product.
type Server struct {
	DB       *store.DB
	Sessions *scs.SessionManager
	Log      *slog.Logger
	// Demo is shown in the login page: the demo accounts exist.
	Demo bool
	// SessionClock times sessions' idle limit, as scs times their
	// lifetime: the wall clock (time.Now when nil), not the DB's Now.
	SessionClock func() time.Time

	pages map[string]*template.Template
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (see clientIP).
	TrustedProxies []netip.Prefix
	// Delivery is how reminders are delivered (the outbox page shows it).
	Delivery DeliveryInfo
	jobs     jobs
	mux      *router
	metrics  *metrics
	handler  http.Handler
	srv      *http.Server
	ln       net.Listener
	// bg is cancelled when the server stops: requests and background
	// imports end with it (an import then takes back what it wrote);
	// running counts the imports still going.
	bg      context.Context
	stopBg  context.CancelFunc
	running sync.WaitGroup
	line    *admission // the requests doing their work (admit.go)
}

// MemoryLimit is the soft limit (runtime/debug.SetMemoryLimit) serve sets
// unless GOMEMLIMIT is given: password checks free 19 MiB blocks at a high
// rate, and without a limit the collector lets the heap grow to twice what
// is live before it runs, which a flood of sign-ins turns into hundreds of
// MB held. Page caches of the database are outside it.
const MemoryLimit = 200 << 20

// NewServer builds the server. secureCookies sets the Secure flag on the
// session cookie (use it behind HTTPS).
func NewServer(db *store.DB, secureCookies bool, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.Default()
	}
	bg, stopBg := context.WithCancel(context.Background())
	s := &Server{DB: db, Log: log, bg: bg, stopBg: stopBg}
	s.metrics = newMetrics(db)
	sm := scs.New()
	sessions := db.Sessions()
	sessions.UserOf = func(b []byte) int64 { // read with the session (store.SessionUser)
		_, vals, err := sm.Codec.Decode(b)
		if err != nil {
			return 0
		}
		id, _ := vals[sessionUserID].(int64)
		return id
	}
	sm.Store = sessions
	// No scs IdleTimeout: it rewrites the session on every request, and
	// those writes queued every page behind the one writer (issue 11).
	// authenticate keeps the idle limit, writing at most every sessionTouch.
	sm.Lifetime = 12 * time.Hour
	sm.Cookie.Name = "xiezuo_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secureCookies
	s.Sessions = sm
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.mux = &router{ServeMux: http.NewServeMux()}
	s.routes(s.mux)
	cop := http.NewCrossOriginProtection()
	s.line = newAdmission(admitSlots)
	s.handler = s.edge(s.mux.ServeMux, s.admit(sm.LoadAndSave(cop.Handler(s.authenticate(s.limitBody(s.unrouted(s.mux))))))) // see middleware.go
	return s, nil
}

// ServeHTTP makes Server an http.Handler (tests use httptest with it).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Open listens on addr (":0" picks a free port) and serves in the background.
func (s *Server) Open(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.Serve(ln)
	return nil
}

// Serve serves on ln, a listener the caller opened (the command line takes
// its port before it opens the database), until Close.
func (s *Server) Serve(ln net.Listener) {
	s.ln = ln
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return s.bg }}
	go s.srv.Serve(ln)
	go s.sweepImports()
}

// sweepImports marks 中断, every importLease/3, the import batches whose
// process died (another server or CLI on the same database), and hourly
// forgets old sign-in failure counters and expired sessions.
func (s *Server) sweepImports() {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	var pruned time.Time
	for {
		select {
		case <-s.bg.Done():
			return
		case <-t.C:
			if _, err := s.DB.RecoverImports(s.bg); err != nil && s.bg.Err() == nil {
				s.Log.Error("检查中断的导入失败", "err", err)
			}
			if time.Since(pruned) > time.Hour {
				pruned = time.Now()
				if err := s.DB.PruneSignIns(s.bg); err != nil && s.bg.Err() == nil {
					s.Log.Error("清理登录记录失败", "err", err)
				}
			}
		}
	}
}

// URL is the base URL of an opened server.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops the server.
func (s *Server) Close(ctx context.Context) error {
	if s.srv == nil {
		s.stopBg()
		return nil
	}
	err := s.srv.Shutdown(ctx)
	// Imports still running are stopped: each marks its batch 中断 and
	// takes back its rows before the process exits.
	s.stopBg()
	done := make(chan struct{})
	go func() { s.running.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
	}
	return err
}

// httpStatus is the one table from error code to HTTP status.
var httpStatus = map[string]int{
	xiezuo.EINVALID:      http.StatusUnprocessableEntity,
	xiezuo.ENOTFOUND:     http.StatusNotFound,
	xiezuo.ECONFLICT:     http.StatusConflict,
	xiezuo.EFORBIDDEN:    http.StatusForbidden,
	xiezuo.EUNAUTHORIZED: http.StatusUnauthorized,
	xiezuo.EINTERNAL:     http.StatusInternalServerError,
	xiezuo.ETOOMANY:      http.StatusTooManyRequests,
	xiezuo.ETOOLARGE:     http.StatusRequestEntityTooLarge,
}

func statusOf(err error) int {
	if st, ok := httpStatus[xiezuo.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// logErr logs an internal error; one caused by the client hanging up
// (clientGone) is no fault of the server and only a debug line.
func (s *Server) logErr(r *http.Request, err error) {
	if xiezuo.ErrorCode(err) != xiezuo.EINTERNAL {
		return
	}
	if clientGone(r, err) {
		s.Log.Debug("request abandoned by the client", "method", r.Method, "route", r.Pattern, "path", r.URL.Path, "err", err)
		return
	}
	s.Log.Error("request failed", "method", r.Method, "route", r.Pattern, "path", r.URL.Path, "err", err)
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// apiError writes an error as JSON: {"error":{"code","message","fields"}}.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	s.logErr(r, err)
	if clientGone(r, err) {
		return // no one to answer (and the response may have begun)
	}
	body := map[string]any{"code": xiezuo.ErrorCode(err), "message": xiezuo.ErrorMessage(err)}
	if f := xiezuo.ErrorFields(err); len(f) > 0 {
		body["fields"] = f
	}
	writeJSON(w, statusOf(err), map[string]any{"error": body})
}

// pageError renders the error page.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	s.logErr(r, err)
	if clientGone(r, err) {
		return // no one to answer (and the response may have begun)
	}
	if xiezuo.ErrorCode(err) == xiezuo.EUNAUTHORIZED && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+template.URLQueryEscaper(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.render(w, r, statusOf(err), "error", map[string]any{"Title": "出错了", "Message": xiezuo.ErrorMessage(err), "Code": statusOf(err)})
}

// authenticate puts the user into the request context: from a bearer token
// (API clients) or the session.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u *xiezuo.User
		if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
			var err error
			if u, err = s.DB.UserByToken(r.Context(), strings.TrimPrefix(h, "Bearer ")); err != nil {
				s.apiError(w, r, err)
				return
			}
		} else if id := s.Sessions.GetInt64(r.Context(), sessionUserID); id != 0 && s.fresh(r.Context()) {
			got := store.SessionUser(r.Context(), id) // read with the session
			var err error
			if got == nil {
				got, err = s.DB.UserByID(r.Context(), id)
			}
			if err == nil && !got.Disabled {
				u = got
			}
			// Signed in with a one-time code: a new password comes first.
			if u != nil && u.MustChange && !mustChangeAllowed[r.Method+" "+r.URL.Path] && !strings.HasPrefix(r.URL.Path, "/static/") {
				if r.Method == http.MethodGet {
					http.Redirect(w, r, "/account?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				s.pageError(w, r, xiezuo.Errorf(xiezuo.EFORBIDDEN, "请先设置新密码"))
				return
			}
		}
		if u != nil {
			r = r.WithContext(xiezuo.NewContextWithUser(r.Context(), u))
		}
		next.ServeHTTP(w, r)
	})
}

// A session idle for sessionIdle is signed out; its last use is written
// when it is older than sessionTouch, not on every request.
const (
	sessionIdle  = 2 * time.Hour
	sessionTouch = 5 * time.Minute
)

// sessionUserID is the session's key for the signed-in user's id: put at
// sign-in, read by authenticate and by the session store (UserOf).
const sessionUserID = "user_id"

// fresh reports whether the signed-in session is within its idle limit
// (else it is destroyed), noting its use every sessionTouch.
func (s *Server) fresh(ctx context.Context) bool {
	clock := s.SessionClock
	if clock == nil {
		clock = time.Now
	}
	now := clock().UnixNano()
	seen := s.Sessions.GetInt64(ctx, "seen") // Unix ns; 0 before the first
	switch idle := time.Duration(now - seen); {
	case seen != 0 && idle > sessionIdle:
		_ = s.Sessions.Destroy(ctx)
		return false
	case idle > sessionTouch || idle < 0:
		s.Sessions.Put(ctx, "seen", now)
	}
	return true
}

// clientIP is the address a request came from: the peer, or — when the
// peer is a trusted reverse proxy (--trusted-proxy) — the nearest address
// in X-Forwarded-For that is not itself a trusted proxy. Forwarded headers
// from anyone else are ignored: a client cannot choose its own address.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(addr) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed entry: trust nothing to its left
		}
		if !s.trusted(hop) {
			return hop.Unmap().String()
		}
	}
	return addr.Unmap().String()
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func staticFS() http.Handler {
	sub, _ := fs.Sub(assets, "static")
	return http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
}
