package web

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/spreadsheet"
	"github.com/xiezuo/xiezuo/store"
)

// The middleware of the edge, outermost first (see NewServer):
//
//	s.edge(mux, s.admit(sessions(crossOrigin(authenticate(s.limitBody(mux))))))
//
// edge is outermost so that it sees every response, the cross-origin
// refusal included: it sets the security headers, and once the response is
// done counts it (metrics) and writes the access log line. limitBody is
// innermost, inside the session and after sign-in, so that a refusal is an
// error page (or JSON error) like any other. admit (admit.go) holds reads
// to a few at a time, in arrival order, before the session is read.

// csp allows only this site's own scripts, styles and images (and data:
// images), no framing, and forms that post back to this site. Templates
// therefore carry no inline scripts, event-handler attributes or style
// attributes: behaviour lives in static/app.js, looks in static/app.css.
const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// reqInfo is what the inner middleware learns for the outer one: the
// route pattern and the signed-in user.
type reqInfo struct {
	route string
	user  int64
}

type reqInfoKey struct{}

// edge sets the security headers on every response, and records every
// request in the metrics and the access log. The route is mux's pattern
// for the request, never the raw path.
func (s *Server) edge(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		// On every response, not only pages: a strict policy is harmless
		// on JSON and files and keeps a mislabelled upload from running.
		h.Set("Content-Security-Policy", csp)
		_, route := mux.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		info := &reqInfo{route: route}
		rec := &recorder{ResponseWriter: w}
		s.metrics.inFlight.Inc()
		defer func() {
			s.metrics.inFlight.Dec()
			d := time.Since(start)
			status := rec.status
			if status == 0 {
				status = http.StatusOK // what net/http sends for a handler that wrote nothing
				if r.Context().Err() != nil {
					status = 499 // the client went away first (as nginx logs it)
				}
			}
			s.metrics.observe(route, status, d)
			attrs := []slog.Attr{slog.String("method", r.Method), slog.String("route", route), slog.String("path", r.URL.Path),
				slog.Int("status", status), slog.Int64("bytes", rec.bytes), slog.Duration("duration", d)}
			if info.user != 0 {
				attrs = append(attrs, slog.Int64("user", info.user))
			}
			// Never the query string, headers or cookies: they may hold
			// tokens and personal data.
			s.Log.LogAttrs(context.WithoutCancel(r.Context()), slog.LevelInfo, "http", attrs...)
		}()
		ctx := store.WithSessionUser(context.WithValue(r.Context(), reqInfoKey{}, info))
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			ctx = store.ReadRegistryOnce(ctx) // a read changes no registry
		}
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// recorder notes a response's status and size.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flush,
// deadlines).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Request body limits. A form or JSON body may have formMaxBytes; the
// upload routes have their own limits for the file, and 1 MiB more for the
// multipart envelope and the other fields.
const formMaxBytes = 2 << 20

type bodyLimit struct {
	max int64
	msg string // with %d for the limit in MB
}

var uploadLimits = map[string]bodyLimit{
	"POST /imports":                     {spreadsheet.DefaultMaxBytes, "上传的文件超过 %d MB，已拒绝。请拆分后分批导入。"},
	"POST /activities/{id}/photos":      {store.MaxPhotoBytes, "照片不能超过 %d MB"},
	"POST /market/orders/{id}/accept":   {2 * store.MaxPhotoBytes, "发票和验收照片合计不能超过 %d MB"},
	"POST /scorecard/targets/import":    {10 << 20, "考核目标文件不能超过 %d MB"},
	"POST /market/accounts/import":      {accountImportBytes, "账号文件不能超过 %d MB，请拆分后分批导入"},
	"POST /market/products/import":      {catalogueImportBytes, "商品目录文件不能超过 %d MB，请拆分后分批导入"},
	"POST /market/products/{id}/photos": {productPhotoUploadBytes, "一次上传的图片合计不能超过 %d MB（每张不超过2MB，最多5张）"},
}

// limitOf returns the body limit of route (the reader's, with the
// envelope) and the error to answer when it is exceeded.
func limitOf(route string) (int64, *xiezuo.Error) {
	if l, ok := uploadLimits[route]; ok {
		return l.max + 1<<20, xiezuo.Errorf(xiezuo.ETOOLARGE, l.msg, l.max>>20)
	}
	return formMaxBytes, xiezuo.Errorf(xiezuo.ETOOLARGE, "提交的内容过大（上限 %d MB）", formMaxBytes>>20)
}

// tooLarge maps a failure to read r's body to ETOOLARGE when the body was
// over its limit, and returns nil otherwise (the caller decides about
// other failures). Handlers that read a body themselves (JSON, uploads)
// ask it; forms are read by limitBody.
func tooLarge(r *http.Request, err error) error {
	var mbe *http.MaxBytesError
	if !errors.As(err, &mbe) {
		return nil
	}
	_, e := limitOf(r.Pattern)
	return e
}

// limitBody limits the request body to its route's limit: a body that
// says it is larger is refused unread (413); a longer one, sent without a
// length, fails when read. A posted form is read here, so its handler
// never sees a cut-off form as an empty one.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := r.Context().Value(reqInfoKey{}).(*reqInfo)
		if info == nil {
			info = &reqInfo{}
		}
		if u := xiezuo.UserFromContext(r.Context()); u != nil {
			info.user = u.ID
		}
		limit, errTooLarge := limitOf(info.route)
		refuse := func() {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				s.apiError(w, r, errTooLarge)
			} else {
				s.pageError(w, r, errTooLarge)
			}
		}
		if r.ContentLength > limit {
			refuse()
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
			var mbe *http.MaxBytesError
			if err := r.ParseForm(); errors.As(err, &mbe) {
				refuse()
				return
			}
			// Other malformed forms read as far as they go, as before.
		}
		next.ServeHTTP(w, r)
	})
}

// clientGone reports whether err is only the consequence of the request
// ending early — the client hung up (or the server is stopping) — rather
// than a fault of the server: the request's context is done and err is
// that, or a failed write to the closed connection.
func clientGone(r *http.Request, err error) bool {
	if r.Context().Err() == nil {
		return false
	}
	var ne *net.OpError
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || errors.As(err, &ne)
}
