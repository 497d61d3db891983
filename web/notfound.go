package web

import (
	"net/http"
	"strings"

	"github.com/xiezuo/xiezuo"
)

// unrouted answers, in Chinese, the requests no route serves: the error
// page (JSON under /api/) with 404 for unknown paths and 405, with its
// Allow header, for a known path asked with the wrong method. ServeMux's
// own answers are plain English text.
func (s *Server) unrouted(mux *router) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, p := mux.Handler(r); p != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &statusProbe{header: http.Header{}} // which of 404 and 405 the mux means
		mux.ServeHTTP(probe, r)
		code, msg := http.StatusNotFound, "页面不存在：请检查网址，或从菜单进入。"
		if probe.code == http.StatusMethodNotAllowed {
			code, msg = http.StatusMethodNotAllowed, "该网址不支持此请求方式（"+r.Method+"）。"
			w.Header().Set("Allow", probe.header.Get("Allow"))
		} else if probe.code != http.StatusNotFound && probe.code != 0 {
			mux.ServeHTTP(w, r) // anything else the mux does itself (e.g. redirects)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			errCode := xiezuo.ENOTFOUND
			if code == http.StatusMethodNotAllowed {
				errCode = "method_not_allowed"
			}
			writeJSON(w, code, map[string]any{"error": map[string]any{"code": errCode, "message": msg}})
			return
		}
		title := "页面不存在"
		if code == http.StatusMethodNotAllowed {
			title = "请求方式不对"
		}
		s.render(w, r, code, "error", map[string]any{"Title": title, "Message": msg, "Code": code})
	})
}

// statusProbe records the status a handler writes and drops the body.
type statusProbe struct {
	header http.Header
	code   int
}

func (p *statusProbe) Header() http.Header { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) {
	if p.code == 0 {
		p.code = http.StatusOK
	}
	return len(b), nil
}
func (p *statusProbe) WriteHeader(code int) {
	if p.code == 0 {
		p.code = code
	}
}
