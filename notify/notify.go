// Package notify delivers the outbox (store.Message): e-mail over SMTP
// (net/smtp) and webhook messages as a JSON POST. A Worker takes the
// messages due, sends each and records the outcome; store and
// remind.NextTry decide retries. It also runs the daily digest at a set
// hour (China time). Requests and the digest run only enqueue, so a slow
// or dead server never blocks them.
package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/smtp"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/remind"
	"github.com/xiezuo/xiezuo/store"
)

// SMTP are the mail server's settings, from serve's flags and the
// environment (the password only from XIEZUO_SMTP_PASSWORD, never shown).
type SMTP struct {
	Host     string
	Port     int
	User     string
	Password string
	From     string
}

// Enabled reports whether e-mail is configured.
func (c SMTP) Enabled() bool { return c.Host != "" && c.From != "" }

// Worker sends the outbox's due messages.
type Worker struct {
	DB   *store.DB
	SMTP SMTP
	HTTP *http.Client // nil: webhookClient
	Log  *slog.Logger
	// AllowPrivate lets webhooks reach this machine and the intranet
	// (serve --webhook-allow-private); otherwise such a connection is
	// refused whatever name led to it (remind.PrivateAddr).
	AllowPrivate bool

	once sync.Once
	hc   *http.Client // HTTP, or webhookClient made once: its connections are reused
}

// webhookClient posts webhooks: a 15 s timeout, no redirects (a 3xx is a
// failure: a redirect could lead to an address the URL check passed), and,
// unless allowPrivate, no connection to a private address — checked on the
// address actually dialled, so a public name that resolves to 127.0.0.1
// does not get through.
func webhookClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: Timeout}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			if ap, err := netip.ParseAddrPort(address); err != nil || remind.PrivateAddr(ap.Addr()) {
				return errPrivate
			}
			return nil
		}
	}
	return &http.Client{
		Timeout:       Timeout,
		Transport:     &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: Timeout, ResponseHeaderTimeout: Timeout},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

var errPrivate = errors.New("目标是本机或内网地址，已拒绝（如确需推送到内网，启动时加 --webhook-allow-private）")

// Timeout bounds one delivery attempt.
const Timeout = 15 * time.Second

// Once sends the messages due now (at most 50) and returns how many were
// sent and how many failed this time.
func (w *Worker) Once(ctx context.Context) (sent, failed int, err error) {
	// Without SMTP settings the e-mails wait for a process that has them
	// (xiezuo digest --smtp-host …, or serve restarted with them).
	channels := []string{"webhook"}
	if w.SMTP.Enabled() {
		channels = append(channels, "email")
	}
	due, err := w.DB.DueMessages(ctx, 50, channels...)
	if err != nil {
		return 0, 0, err
	}
	for _, m := range due {
		var serr error
		switch m.Channel {
		case "email":
			serr = w.sendMail(ctx, m)
		case "webhook":
			serr = w.sendWebhook(ctx, m)
		default:
			serr = fmt.Errorf("unknown channel %q", m.Channel)
		}
		if serr != nil {
			failed++
			if w.Log != nil {
				w.Log.Warn("发送失败", "outbox", m.ID, "channel", m.Channel, "err", serr)
			}
			if err := w.DB.MarkFailed(ctx, m.ID, serr); err != nil {
				return sent, failed, err
			}
			continue
		}
		sent++
		if err := w.DB.MarkSent(ctx, m.ID); err != nil {
			return sent, failed, err
		}
	}
	return sent, failed, nil
}

// Run calls Once every period until ctx ends.
func (w *Worker) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, _, err := w.Once(ctx); err != nil && ctx.Err() == nil && w.Log != nil {
			w.Log.Error("发送队列", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *Worker) sendWebhook(ctx context.Context, m *store.Message) error {
	w.once.Do(func() {
		if w.hc = w.HTTP; w.hc == nil {
			w.hc = webhookClient(w.AllowPrivate)
		}
	})
	c := w.hc
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Target, strings.NewReader(m.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // without the URL: it carries the robot's key
			return fmt.Errorf("%s: %w", ue.Op, ue.Err)
		}
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(body))
	}
	// 企业微信 and 钉钉 answer 200 with an error code when they refuse.
	var ans struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if json.Unmarshal(body, &ans) == nil && ans.ErrCode != 0 {
		return fmt.Errorf("errcode %d: %s", ans.ErrCode, ans.ErrMsg)
	}
	return nil
}

// sendMail speaks SMTP to the configured server: STARTTLS when offered,
// AUTH PLAIN when a user is set, one message in UTF-8 (plain text and
// HTML).
func (w *Worker) sendMail(ctx context.Context, m *store.Message) error {
	c := w.SMTP
	if !c.Enabled() {
		return errors.New("未配置 SMTP 服务器")
	}
	port := c.Port
	if port == 0 {
		port = 25
	}
	addr := net.JoinHostPort(c.Host, strconv.Itoa(port))
	d := net.Dialer{Timeout: Timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * Timeout))
	cl, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		return err
	}
	defer cl.Close()
	if ok, _ := cl.Extension("STARTTLS"); ok {
		if err := cl.StartTLS(&tls.Config{ServerName: c.Host}); err != nil {
			return err
		}
	}
	if c.User != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.User, c.Password, c.Host)); err != nil {
			return err
		}
	}
	if err := cl.Mail(c.From); err != nil {
		return err
	}
	if err := cl.Rcpt(m.Target); err != nil {
		return err
	}
	wc, err := cl.Data()
	if err != nil {
		return err
	}
	if _, err := wc.Write(Compose(c.From, m, time.Now())); err != nil {
		return err
	}
	if err := wc.Close(); err != nil {
		return err
	}
	return cl.Quit()
}

// Compose writes message m as a MIME e-mail: the subject encoded for
// UTF-8, a plain text part and, when m has one, an HTML part, each base64.
func Compose(from string, m *store.Message, at time.Time) []byte {
	var b bytes.Buffer
	boundary := fmt.Sprintf("xiezuo-%d", m.ID)
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <outbox-%d-%d@xiezuo>\r\nMIME-Version: 1.0\r\n",
		from, m.Target, mime.BEncoding.Encode("UTF-8", m.Subject), at.In(xiezuo.China).Format(time.RFC1123Z), m.ID, at.Unix())
	part := func(ctype, body string) {
		fmt.Fprintf(&b, "Content-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n", ctype)
		enc := base64.StdEncoding.EncodeToString([]byte(body))
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	if m.BodyHTML == "" {
		part("text/plain", m.Body)
		return b.Bytes()
	}
	fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=%q\r\n\r\n--%s\r\n", boundary, boundary)
	part("text/plain", m.Body)
	fmt.Fprintf(&b, "--%s\r\n", boundary)
	part("text/html", m.BodyHTML)
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}

// Daily runs the digest once a day at Hour (0–23, China time) or later:
// at each tick it runs it when the hour has come and today's run is not
// done in this process; store.RunDigest keeps it to once per recipient
// per day across restarts.
type Daily struct {
	DB    *store.DB
	Hour  int
	Base  string
	Email bool
	Log   *slog.Logger
	done  string
}

// Tick runs the digest if it is due at now.
func (d *Daily) Tick(ctx context.Context, now time.Time) (int, error) {
	cn := now.In(xiezuo.China)
	day := cn.Format(xiezuo.DateLayout)
	if cn.Hour() < d.Hour || d.done == day {
		return 0, nil
	}
	out, err := d.DB.RunDigest(ctx, store.DigestOptions{Day: day, Base: d.Base, Email: d.Email})
	if err != nil {
		return 0, err
	}
	d.done = day
	n := 0
	for _, o := range out {
		if !o.Skipped {
			n++
		}
	}
	if d.Log != nil {
		d.Log.Info("每日待办提醒已排入发送队列", "day", day, "messages", n)
	}
	return n, nil
}

// Run ticks every period until ctx ends.
func (d *Daily) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := d.Tick(ctx, d.DB.Now()); err != nil && ctx.Err() == nil && d.Log != nil {
			d.Log.Error("每日待办提醒", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
