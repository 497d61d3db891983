package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/web"
)

// logBuf collects a server's log lines (written from request goroutines).
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newEnvLog is newEnv with the server's log (debug level and up) kept.
func newEnvLog(t *testing.T) (*env, *logBuf) {
	t.Helper()
	db := testdb.OpenDemo(t, "sqlite")
	lb := &logBuf{}
	s, err := web.NewServer(db, false, slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	s.Demo = true
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &env{t: t, db: db, srv: srv}, lb
}

// TestSecurityHeaders: every response forbids sniffing and framing and
// keeps the referrer on the site; pages carry a strict CSP.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anon := e.client("")
	for _, path := range []string{"/login", "/static/app.css", "/api/v1/me", "/healthz", "/no-such-page", "/contributions"} {
		resp, _ := do(t, anon, "GET", e.srv.URL+path, "", "")
		h := resp.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("%s: headers %v", path, h)
		}
		if strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s: CSP %q lacks %q", path, csp, want)
				}
			}
		}
	}
	// The refusal of a cross-origin post is a response like any other.
	resp, _ := do(t, e.client("reviewer"), "POST", e.srv.URL+"/records/contribution/1/reopen", form, "reason=x", "Origin", "http://evil.example")
	if resp.StatusCode != 403 || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("cross-origin refusal: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestTemplatesRunUnderCSP: no template relies on what the CSP blocks —
// inline scripts, event-handler attributes, javascript: links, inline
// styles. (TestBrowserCSP checks the rendered pages in Chromium.)
func TestTemplatesRunUnderCSP(t *testing.T) {
	t.Parallel()
	blocked := regexp.MustCompile(`(?i)<script(\s[^>]*)?>\s*[^<\s]|<script>|\son[a-z]+\s*=|\sstyle\s*=|<style|javascript:`)
	err := filepath.WalkDir("templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := blocked.FindString(line); m != "" {
				t.Errorf("%s:%d: %q is blocked by the CSP", path, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// chunked hides a body's length: the client sends it chunked, so only the
// server's reading limit stops it.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

func post(t *testing.T, c *http.Client, u, ctype string, body io.Reader, length int64) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, body)
	req.ContentLength = length
	req.Header.Set("Content-Type", ctype)
	return send(t, c, req)
}

// TestBodyTooLarge: a body over its limit is answered 413 with a Chinese
// message — not read as an empty form — for forms, JSON and uploads, with
// or without a Content-Length.
func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("chengjiaqiao")
	big := func(n int64) io.Reader { return io.LimitReader(zeros{}, n) }
	fifty := int64(50 << 20)
	// A 50 MB form: refused from its Content-Length.
	resp, body := post(t, c, e.srv.URL+"/contributions", form, big(fifty), fifty)
	if resp.StatusCode != 413 || !strings.Contains(body, "提交的内容过大（上限 2 MB）") || strings.Contains(body, "请选择") {
		t.Fatalf("50 MB form: %d %.300s", resp.StatusCode, body)
	}
	// The same sent chunked: refused once the limit is read.
	resp, body = post(t, c, e.srv.URL+"/contributions", form, chunked{big(fifty)}, -1)
	if resp.StatusCode != 413 || !strings.Contains(body, "提交的内容过大") {
		t.Fatalf("chunked form: %d %.300s", resp.StatusCode, body)
	}
	// A form of ordinary size still works.
	resp, _ = post(t, c, e.srv.URL+"/contributions", form, strings.NewReader("date_from=x"), -1)
	if resp.StatusCode != 422 {
		t.Fatalf("small chunked form: %d", resp.StatusCode)
	}
	// JSON: the API answers in JSON.
	// A long text field: the decoder reads on until the limit stops it.
	long := `{"narrative":"` + strings.Repeat("长", 1<<20)
	for _, length := range []int64{int64(len(long)), -1} {
		var r io.Reader = strings.NewReader(long)
		if length < 0 {
			r = chunked{r}
		}
		resp, body = post(t, c, e.srv.URL+"/api/v1/contributions", "application/json", r, length)
		var got struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal([]byte(body), &got)
		if resp.StatusCode != 413 || got.Error.Code != "too_large" || !strings.Contains(got.Error.Message, "提交的内容过大") {
			t.Fatalf("3 MB JSON (length %d): %d %.300s", length, resp.StatusCode, body)
		}
	}
	// A photo over its 10 MB limit.
	admin := e.client("admin")
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("photo", "big.png")
	fw.Write(make([]byte, 12<<20))
	mw.Close()
	resp, body = post(t, admin, e.srv.URL+"/activities/1/photos", mw.FormDataContentType(), chunked{&mp}, -1)
	if resp.StatusCode != 413 || !strings.Contains(body, "10 MB") {
		t.Fatalf("12 MB photo: %d %.300s", resp.StatusCode, body)
	}
	// An import file over 64 MB, from its Content-Length alone.
	resp, body = post(t, c, e.srv.URL+"/imports", "multipart/form-data; boundary=x", big(100<<20), 100<<20)
	if resp.StatusCode != 413 || !strings.Contains(body, "文件超过 64 MB") {
		t.Fatalf("100 MB import: %d %.300s", resp.StatusCode, body)
	}
}

// TestJSONOneDocument: a JSON body is one document; trailing data, unknown
// fields and broken JSON are refused with a Chinese message and nothing is
// written.
func TestJSONOneDocument(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("admin")
	giver, _ := e.db.OrgByName(ctx, "上海龙舜投资管理有限公司")
	doc := fmt.Sprintf(`{"date_from":"2021-05-03","givers":[{"id":%d}],"county_code":"532531000000","form":"cash","sector":"education","delivery":"delivered","amount_fen":5000}`, giver.ID)
	before, _, _ := e.db.ListContributions(ctx, e.user("admin"), ledger.ContributionFilter{Limit: 1000})
	for _, tc := range []struct{ body, want string }{
		{doc + doc, "只能是一个 JSON"},
		{doc + `x`, "只能是一个 JSON"},
		{`{"date_from":"2021-05-03","colour":"red"}`, "未知字段“colour”"},
		{`{"amount_fen":"many"}`, "字段“amount_fen”"},
		{`{"date_from":`, "不是有效的 JSON"},
		{``, "请求内容为空"},
	} {
		resp, body := do(t, c, "POST", e.srv.URL+"/api/v1/contributions", "application/json", tc.body)
		if resp.StatusCode != 422 || !strings.Contains(body, tc.want) || strings.Contains(body, "json:") {
			t.Errorf("%.40s…: %d %s", tc.body, resp.StatusCode, body)
		}
	}
	after, _, _ := e.db.ListContributions(ctx, e.user("admin"), ledger.ContributionFilter{Limit: 1000})
	if len(after) != len(before) {
		t.Fatalf("refused bodies wrote %d records", len(after)-len(before))
	}
	// Trailing white space is not trailing data.
	if resp, body := do(t, c, "POST", e.srv.URL+"/api/v1/contributions", "application/json", doc+"\n"); resp.StatusCode != 201 {
		t.Fatalf("one document: %d %s", resp.StatusCode, body)
	}
}

// TestMetrics: /metrics speaks the Prometheus text format to the office
// admin (session or API token) and to no one else.
func TestMetrics(t *testing.T) {
	t.Parallel()
	e := newEnvAt(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)) // a stopped clock: the sign-in delay does not run out
	admin := e.client("admin")
	do(t, admin, "GET", e.srv.URL+"/contributions/1", "", "")
	do(t, admin, "POST", e.srv.URL+"/contributions", form, "date_from=2021-05-01") // 422
	e.draft("chengjiaqiao")                                                        // a write transaction
	anon := e.client("")
	for i := 0; i < 6; i++ { // the sixth is throttled
		do(t, anon, "POST", e.srv.URL+"/login", form, "username=ghost&password=wrong")
	}
	resp, body := do(t, admin, "GET", e.srv.URL+"/metrics", "", "")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`xiezuo_http_requests_total{code="200",route="GET /contributions/{id}"} 1`,
		`xiezuo_http_requests_total{code="429",route="POST /login"} 1`,
		`xiezuo_http_request_duration_seconds_bucket{route="GET /contributions/{id}",le="+Inf"} 1`,
		`xiezuo_http_requests_in_flight 1`,
		`xiezuo_login_throttled_total 1`,
		`xiezuo_imports_running 0`,
		`xiezuo_db_write_lock_wait_seconds_count`,
		`go_sql_open_connections{db_name="xiezuo"}`,
		`go_sql_wait_duration_seconds_total{db_name="xiezuo"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if !regexp.MustCompile(`(?m)^xiezuo_db_write_lock_wait_seconds_count [1-9]`).MatchString(body) {
		t.Error("no write-lock wait observed")
	}
	// Raw paths never become labels.
	if strings.Contains(body, `route="/contributions/1"`) || strings.Contains(body, `GET /contributions/1"`) {
		t.Error("a raw path is a label")
	}
	tok, _ := e.db.CreateToken(ctx, nil, e.user("admin").ID, "", 0)
	if resp, _ := do(t, &http.Client{}, "GET", e.srv.URL+"/metrics", "", "", "Authorization", "Bearer "+tok); resp.StatusCode != 200 {
		t.Errorf("admin token: %d", resp.StatusCode)
	}
	if resp, _ := do(t, e.client("reviewer"), "GET", e.srv.URL+"/metrics", "", ""); resp.StatusCode != 403 {
		t.Errorf("reviewer: %d", resp.StatusCode)
	}
	if resp, _ := do(t, anon, "GET", e.srv.URL+"/metrics", "", ""); resp.StatusCode != 401 {
		t.Errorf("anonymous: %d", resp.StatusCode)
	}
}

// TestAccessLog: one line per request with the route pattern, status, size,
// duration and user; never the query string, a password or a cookie.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	e, lb := newEnvLog(t)
	c := e.client("viewer")
	do(t, c, "GET", e.srv.URL+"/contributions?q=secret-query&county=532531000000", "", "")
	do(t, e.client(""), "POST", e.srv.URL+"/login?token=secret-token", form, "username=viewer&password=secret-password")
	log := lb.String()
	viewer := e.user("viewer")
	var line string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, `route="GET /contributions"`) {
			line = l
		}
	}
	for _, want := range []string{"level=INFO", "msg=http", "method=GET", "path=/contributions ", "status=200", "bytes=", "duration=", fmt.Sprintf("user=%d", viewer.ID)} {
		if !strings.Contains(line, want) {
			t.Errorf("access log line lacks %q: %s", want, line)
		}
	}
	if !strings.Contains(log, `route="POST /login"`) {
		t.Errorf("no line for the sign-in: %s", log)
	}
	for _, secret := range []string{"secret-query", "secret-token", "secret-password", "xiezuo_session"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// TestClientDisconnect: a client that hangs up during a long export is not
// an internal error; the log has no ERROR line.
func TestClientDisconnect(t *testing.T) {
	t.Parallel()
	e, lb := newEnvLog(t)
	// Enough rows for an export of several MB.
	var csv strings.Builder
	csv.WriteString("日期,帮扶单位,受援县,形式,金额(元),物资/内容,备注\n")
	for i := 0; i < 30000; i++ {
		fmt.Fprintf(&csv, "2021-06-01,上海龙舜投资管理有限公司,绿春县,资金,%d,助学金第%d笔,一条足够长的备注，让导出的每一行都有一百多个字节\n", i+1, i)
	}
	data := []byte(csv.String())
	if _, err := imports.Contributions(ctx, e.db, e.user("admin"), "big.csv", bytes.NewReader(data), int64(len(data)), imports.Options{Mode: "all"}); err != nil {
		t.Fatal(err)
	}
	c := e.client("admin")
	for i := 0; i < 3; i++ {
		rctx, cancel := context.WithCancel(ctx)
		req, _ := http.NewRequestWithContext(rctx, "GET", e.srv.URL+"/export/contributions.csv", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.CopyN(io.Discard, resp.Body, 64<<10) // the first rows, then hang up
		cancel()
		resp.Body.Close()
	}
	// The server notices and stops; wait for its access log lines.
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(lb.String(), `route="GET /export/{file}"`) < 3 && !strings.Contains(lb.String(), "level=ERROR") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	log := lb.String()
	if strings.Contains(log, "level=ERROR") {
		t.Fatalf("a client hanging up was logged as an error:\n%s", log)
	}
	if strings.Count(log, `route="GET /export/{file}"`) < 3 {
		t.Fatalf("no access log lines for the exports: %s", log)
	}
}
