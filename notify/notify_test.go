package notify_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/notify"
	"github.com/xiezuo/xiezuo/remind"
	"github.com/xiezuo/xiezuo/store"
)

var ctx = context.Background()

// idNumber matches a 居民身份证号码 (17 digits and a check character).
var idNumber = regexp.MustCompile(`\d{17}[\dXx]`)

// smtpServer is a small in-test SMTP server: it speaks enough of RFC 5321
// (no TLS, no AUTH) to take messages and keeps each one's DATA.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []smtpMsg
}

type smtpMsg struct {
	from, to, data string
}

func newSMTP(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { io.WriteString(c, line+"\r\n") }
	say("220 test ESMTP")
	var m smtpMsg
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-test")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			m.from = addrOf(line[10:])
			say("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			m.to = addrOf(line[8:])
			say("250 OK")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			m.data = b.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 OK")
		}
	}
}

// addrOf is the address in "<a@b> BODY=8BITMIME".
func addrOf(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '>'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimPrefix(s, "<")
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// TestDeliverDigest: the digest of 程家桥街道 reaches a local SMTP server
// with its Chinese subject and body, and a webhook server as JSON; a dead
// webhook is retried with backoff and finally marked failed, its error
// kept.
func TestDeliverDigest(t *testing.T) {
	for _, eng := range testdb.Engines {
		t.Run(eng, func(t *testing.T) {
			t.Parallel()
			db := testdb.OpenDemo(t, eng)
			db.AllowPrivateWebhooks = true // the test's servers are on 127.0.0.1
			now := time.Date(2020, 10, 20, 8, 0, 0, 0, xiezuo.China)
			db.Now = func() time.Time { return now }
			cjq, _ := db.UserByName(ctx, "chengjiaqiao")
			xhl, _ := db.UserByName(ctx, "xinhualu")
			admin, _ := db.UserByName(ctx, "admin")

			var hookMu sync.Mutex
			var hookBodies []map[string]any
			good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var v map[string]any
				json.NewDecoder(r.Body).Decode(&v)
				hookMu.Lock()
				hookBodies = append(hookBodies, v)
				hookMu.Unlock()
				io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
			}))
			defer good.Close()
			dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "down", http.StatusBadGateway)
			}))
			defer dead.Close()
			smtpd := newSMTP(t)

			if err := db.SetOwnEmail(ctx, cjq, "cjq@example.cn"); err != nil {
				t.Fatal(err)
			}
			if err := db.SetWebhook(ctx, cjq, cjq.OrgID, good.URL+"/cgi-bin/webhook/send?key=abc"); err != nil {
				t.Fatal(err)
			}
			if err := db.SetWebhook(ctx, xhl, xhl.OrgID, dead.URL+"/robot/send"); err != nil {
				t.Fatal(err)
			}
			// Something waits for each: a draft of 程家桥街道, a 问题整改 of 新华路街道.
			c := &ledger.Contribution{Header: ledger.Header{UnitID: cjq.OrgID}, DateFrom: "2020-10-02", Givers: []ledger.Org{{ID: cjq.OrgID}},
				CountyCode: "532531000000", Form: "cash", Sector: "education", Delivery: "delivered", AmountFen: 100000, Item: "助学金"}
			if err := db.SaveContribution(ctx, cjq, c); err != nil {
				t.Fatal(err)
			}
			if err := db.SaveRectification(ctx, admin, &ledger.Rectification{Title: "台账不全", OwnerID: xhl.OrgID, DueOn: "2020-10-25"}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.RunDigest(ctx, store.DigestOptions{Day: "2020-10-20", Base: "https://xiezuo.example.cn", Email: true}); err != nil {
				t.Fatal(err)
			}
			w := &notify.Worker{DB: db, SMTP: notify.SMTP{Host: "127.0.0.1", Port: smtpd.port(), From: "xiezuo@example.cn"}, AllowPrivate: true}
			sent, failed, err := w.Once(ctx)
			if err != nil || sent != 2 || failed != 1 {
				t.Fatalf("first round: sent %d failed %d %v", sent, failed, err)
			}

			// The e-mail: Chinese subject and body, nothing personal.
			if len(smtpd.msgs) != 1 {
				t.Fatalf("smtp got %d messages", len(smtpd.msgs))
			}
			got := smtpd.msgs[0]
			if got.to != "cjq@example.cn" || got.from != "xiezuo@example.cn" {
				t.Errorf("envelope %s → %s", got.from, got.to)
			}
			msg, err := mail.ReadMessage(strings.NewReader(got.data))
			if err != nil {
				t.Fatal(err)
			}
			subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			if subject != "【协作平台】2020年10月20日待办 1 项" {
				t.Errorf("subject %q", subject)
			}
			_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
			mr := multipart.NewReader(msg.Body, params["boundary"])
			var text, html string
			for {
				p, err := mr.NextPart()
				if err != nil {
					break
				}
				raw, _ := io.ReadAll(p)
				dec, _ := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\r\n", ""))
				if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
					html = string(dec)
				} else {
					text = string(dec)
				}
			}
			if !strings.Contains(text, "1 条草稿待提交") || !strings.Contains(text, "https://xiezuo.example.cn/mine") || !strings.Contains(text, "程家桥街道") {
				t.Errorf("text body: %q", text)
			}
			if !strings.Contains(html, `<a href="https://xiezuo.example.cn/mine">1 条草稿待提交</a>`) {
				t.Errorf("html body: %q", html)
			}
			if idNumber.MatchString(text) || idNumber.MatchString(html) {
				t.Errorf("an ID number in the digest: %q", text)
			}

			// The webhook: the 企业微信 markdown JSON.
			if len(hookBodies) != 1 {
				t.Fatalf("webhook got %d", len(hookBodies))
			}
			md, _ := hookBodies[0]["markdown"].(map[string]any)
			if hookBodies[0]["msgtype"] != "markdown" || !strings.Contains(md["content"].(string), "1 条草稿待提交") {
				t.Errorf("webhook body %v", hookBodies[0])
			}

			// The dead webhook: tried after each backoff step, then failed.
			for i := 2; i <= remind.MaxAttempts; i++ {
				wait, _ := remind.NextTry(i - 1)
				now = now.Add(wait)
				if s, f, err := w.Once(ctx); err != nil || s != 0 || f != 1 {
					t.Fatalf("attempt %d: sent %d failed %d %v", i, s, f, err)
				}
			}
			now = now.Add(24 * time.Hour)
			if s, f, _ := w.Once(ctx); s+f != 0 {
				t.Errorf("a failed message was tried again")
			}
			msgs, counts, _ := db.Outbox(ctx, admin, 10)
			if counts != (store.OutboxCounts{Sent: 2, Failed: 1}) {
				t.Errorf("outbox %+v", counts)
			}
			for _, m := range msgs {
				if m.Status == "failed" && (!strings.Contains(m.LastError, "HTTP 502") || m.Attempts != remind.MaxAttempts) {
					t.Errorf("failed message: attempts %d, error %q", m.Attempts, m.LastError)
				}
			}
		})
	}
}

// TestDailyTick: the daily run waits for its hour (China time), runs once
// a day in a process, and a second process the same day enqueues nothing
// again.
func TestDailyTick(t *testing.T) {
	db := testdb.OpenDemo(t, testdb.Engines[0])
	cjq, _ := db.UserByName(ctx, "chengjiaqiao")
	if err := db.SetWebhook(ctx, cjq, cjq.OrgID, "https://example.cn/hook"); err != nil {
		t.Fatal(err)
	}
	admin, _ := db.UserByName(ctx, "admin")
	if err := db.SaveRectification(ctx, admin, &ledger.Rectification{Title: "台账不全", OwnerID: cjq.OrgID, DueOn: "2020-10-25"}); err != nil {
		t.Fatal(err)
	}
	morning := time.Date(2020, 10, 20, 7, 59, 0, 0, xiezuo.China)
	d := &notify.Daily{DB: db, Hour: 8}
	for _, tc := range []struct {
		at   time.Time
		want int
	}{{morning, 0}, {morning.Add(time.Minute), 1}, {morning.Add(2 * time.Hour), 0}} {
		if n, err := d.Tick(ctx, tc.at); err != nil || n != tc.want {
			t.Errorf("%s: %d enqueued (%v), want %d", tc.at, n, err, tc.want)
		}
	}
	restarted := &notify.Daily{DB: db, Hour: 8}
	if n, err := restarted.Tick(ctx, morning.Add(3*time.Hour)); err != nil || n != 0 {
		t.Errorf("after a restart: %d enqueued (%v)", n, err)
	}
}

// TestWebhookErrorHidesKey: a connection error is kept without the URL,
// whose query carries the robot's key; e-mails wait while SMTP is not
// configured.
func TestWebhookErrorHidesKey(t *testing.T) {
	db := testdb.OpenDemo(t, testdb.Engines[0])
	db.AllowPrivateWebhooks = true
	cjq, _ := db.UserByName(ctx, "chengjiaqiao")
	admin, _ := db.UserByName(ctx, "admin")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close() // nothing listens there now
	if err := db.SetWebhook(ctx, cjq, cjq.OrgID, "http://"+dead+"/send?key=topsecret"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TestWebhook(ctx, cjq, cjq.OrgID); err != nil {
		t.Fatal(err)
	}
	if err := db.SetOwnEmail(ctx, cjq, "cjq@example.cn"); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveRectification(ctx, admin, &ledger.Rectification{Title: "台账不全", OwnerID: cjq.OrgID, DueOn: db.Today()}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RunDigest(ctx, store.DigestOptions{Day: db.Today(), Email: true}); err != nil {
		t.Fatal(err)
	}
	w := &notify.Worker{DB: db, AllowPrivate: true} // no SMTP
	if sent, failed, err := w.Once(ctx); err != nil || sent != 0 || failed != 2 {
		t.Fatalf("sent %d failed %d %v", sent, failed, err)
	}
	msgs, _, _ := db.Outbox(ctx, admin, 10)
	for _, m := range msgs {
		switch {
		case m.Channel == "webhook" && (m.LastError == "" || strings.Contains(m.LastError, "topsecret")):
			t.Errorf("webhook error %q", m.LastError)
		case m.Channel == "email" && m.Attempts != 0:
			t.Errorf("an e-mail was tried without SMTP: %+v", m)
		}
	}
}

// TestWebhookPrivateRefused: without --webhook-allow-private, a webhook
// that leads to this machine is refused when the worker connects (whatever
// name led there), and redirects are not followed; nothing reaches the
// listener.
func TestWebhookPrivateRefused(t *testing.T) {
	db := testdb.OpenDemo(t, testdb.Engines[0])
	cjq, _ := db.UserByName(ctx, "chengjiaqiao")
	admin, _ := db.UserByName(ctx, "admin")
	var hits atomic.Int32
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer inner.Close()
	if err := db.SetWebhook(ctx, cjq, cjq.OrgID, inner.URL+"/ssrf"); xiezuo.ErrorFields(err)["webhook_url"] == "" {
		t.Fatalf("a loopback webhook saved: %v", err)
	}
	// Saved by a name the check cannot see through (as if it resolved to
	// 127.0.0.1): the worker still refuses to connect.
	db.AllowPrivateWebhooks = true
	if err := db.SetWebhook(ctx, cjq, cjq.OrgID, strings.Replace(inner.URL, "127.0.0.1", "localhost", 1)+"/ssrf"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TestWebhook(ctx, cjq, cjq.OrgID); err != nil {
		t.Fatal(err)
	}
	w := &notify.Worker{DB: db}
	if sent, failed, err := w.Once(ctx); err != nil || sent != 0 || failed != 1 {
		t.Fatalf("sent %d failed %d %v", sent, failed, err)
	}
	if hits.Load() != 0 {
		t.Fatalf("the private listener was reached %d times", hits.Load())
	}
	msgs, _, _ := db.Outbox(ctx, admin, 10)
	if len(msgs) == 0 || !strings.Contains(msgs[0].LastError, "内网地址") {
		t.Fatalf("outbox %+v", msgs)
	}
}
