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

	pages map[string]*template.Template
	// Failed sign-ins are limited per user name (5 in 15 minutes) and, more
	// loosely, per address: an office's staff often share one address.
	userThrottle, ipThrottle *throttle
	jobs                     jobs
	metrics                  *metrics
	handler                  http.Handler
	srv                      *http.Server
	ln                       net.Listener
	// bg is cancelled when the server stops: requests and background
	// imports end with it (an import then takes back what it wrote);
	// running counts the imports still going.
	bg      context.Context
	stopBg  context.CancelFunc
	running sync.WaitGroup
}

// NewServer builds the server. secureCookies sets the Secure flag on the
// session cookie (use it behind HTTPS).
func NewServer(db *store.DB, secureCookies bool, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.Default()
	}
	bg, stopBg := context.WithCancel(context.Background())
	s := &Server{DB: db, Log: log, bg: bg, stopBg: stopBg, userThrottle: newThrottle(5, 15*time.Minute), ipThrottle: newThrottle(50, 15*time.Minute)}
	s.metrics = newMetrics(db)
	sm := scs.New()
	sm.Store = db.Sessions()
	sm.Lifetime = 12 * time.Hour
	sm.IdleTimeout = 2 * time.Hour
	sm.Cookie.Name = "xiezuo_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secureCookies
	s.Sessions = sm
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	s.routes(mux)
	cop := http.NewCrossOriginProtection()
	s.handler = s.edge(mux, sm.LoadAndSave(cop.Handler(s.authenticate(s.limitBody(mux))))) // see middleware.go
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
	s.ln = ln
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return s.bg }}
	go s.srv.Serve(ln)
	go s.sweepImports()
	return nil
}

// sweepImports marks 中断, every importLease/3, the import batches whose
// process died (another server or CLI on the same database).
func (s *Server) sweepImports() {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.bg.Done():
			return
		case <-t.C:
			if _, err := s.DB.RecoverImports(s.bg); err != nil && s.bg.Err() == nil {
				s.Log.Error("检查中断的导入失败", "err", err)
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
	case <-time.After(20 * time.Second):
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
		} else if id := s.Sessions.GetInt64(r.Context(), "user_id"); id != 0 {
			if got, err := s.DB.UserByID(r.Context(), id); err == nil && !got.Disabled {
				u = got
			}
		}
		if u != nil {
			r = r.WithContext(xiezuo.NewContextWithUser(r.Context(), u))
		}
		next.ServeHTTP(w, r)
	})
}

// throttle limits failed logins per user name and per client address.
type throttle struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

func newThrottle(max int, window time.Duration) *throttle {
	return &throttle{max: max, window: window, fails: map[string][]time.Time{}}
}

func (t *throttle) recent(key string, now time.Time) []time.Time {
	var keep []time.Time
	for _, at := range t.fails[key] {
		if now.Sub(at) < t.window {
			keep = append(keep, at)
		}
	}
	if len(keep) == 0 {
		delete(t.fails, key)
	} else {
		t.fails[key] = keep
	}
	return keep
}

// blocked reports whether key has reached the limit.
func (t *throttle) blocked(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.recent(key, time.Now())) >= t.max
}

func (t *throttle) fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	t.fails[key] = append(t.recent(key, now), now)
}

func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, key)
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func staticFS() http.Handler {
	sub, _ := fs.Sub(assets, "static")
	return http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
}
