package remind

import (
	"encoding/json"
	"fmt"
	"html"
	"net/mail"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/xiezuo/xiezuo"
)

// Digest is one day's message to one user (e-mail) or one unit (webhook).
// It carries counts and links only: no names of people, no ID numbers.
type Digest struct {
	Subject string
	Text    string // plain text
	HTML    string // a simple HTML version of Text
	// Markdown is the webhook's message (企业微信/钉钉 markdown).
	Markdown string
}

// dateCN shows 2020-10-03 as 2020年10月3日.
func dateCN(day string) string {
	t, err := time.Parse(xiezuo.DateLayout, day)
	if err != nil {
		return day
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// itemLine is an item's line with its date: "3 个项目 14 天内到期（最早 2020年10月20日）".
func itemLine(it Item) string {
	s := it.Line()
	if it.DueOn != "" {
		if it.Kind == KindMonthly {
			s += "（" + dateCN(it.DueOn) + "前）"
		} else {
			s += "（最早 " + dateCN(it.DueOn) + "）"
		}
	}
	return s
}

// MakeDigest writes the digest of items for whom (a user's or a unit's
// name) on day; base is the site's address (https://xiezuo.example) the
// links start with ("" leaves them as paths).
func MakeDigest(whom, day string, items []Item, base string) Digest {
	base = strings.TrimRight(base, "/")
	d := Digest{Subject: fmt.Sprintf("【协作平台】%s待办 %d 项", dateCN(day), len(items))}
	var t, h, m strings.Builder
	fmt.Fprintf(&t, "%s：\n\n截至%s，您有以下待办：\n\n", whom, dateCN(day))
	fmt.Fprintf(&h, "<p>%s：</p>\n<p>截至%s，您有以下待办：</p>\n<ul>\n", html.EscapeString(whom), dateCN(day))
	fmt.Fprintf(&m, "### 协作平台待办（%s）\n%s\n", dateCN(day), whom)
	for i, it := range items {
		line, link := itemLine(it), base+it.Link
		fmt.Fprintf(&t, "%d. %s\n   %s\n", i+1, line, link)
		fmt.Fprintf(&h, "<li><a href=\"%s\">%s</a></li>\n", html.EscapeString(link), html.EscapeString(line))
		fmt.Fprintf(&m, "- [%s](%s)\n", line, link)
	}
	t.WriteString("\n请登录协作平台办理。本邮件由系统每日发送一次。\n")
	h.WriteString("</ul>\n<p>请登录协作平台办理。本邮件由系统每日发送一次。</p>\n")
	d.Text, d.HTML, d.Markdown = t.String(), h.String(), m.String()
	return d
}

// WebhookBody is the JSON a unit's webhook receives: the 企业微信 group
// robot's markdown message, with the title and text fields 钉钉's robot
// reads as well.
func WebhookBody(d Digest) []byte {
	b, _ := json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"content": d.Markdown, "title": d.Subject, "text": d.Markdown},
	})
	return b
}

// CheckWebhook checks a webhook address: empty (none), or an http or
// https URL with a host, at most 500 characters. Unless allowPrivate (an
// office whose group robot relay is on its intranet, serve
// --webhook-allow-private), the host may not be this machine or an
// intranet address: the server would post there for whoever set it.
func CheckWebhook(s string, allowPrivate bool) error {
	p := xiezuo.Problems{}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	switch {
	case len(s) > 500:
		p.Add("webhook_url", "推送地址不能超过500个字符")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		p.Add("webhook_url", "推送地址应为 http:// 或 https:// 开头的网址")
	case u.User != nil:
		p.Add("webhook_url", "推送地址不能含用户名和密码")
	case !allowPrivate && privateHost(u.Hostname()):
		p.Add("webhook_url", "推送地址不能指向本机或内网地址（如 127.0.0.1、10.x.x.x、192.168.x.x）")
	}
	return p.Err()
}

// RedactWebhook is a webhook address as the audit log keeps it: the
// query's values (企业微信's key, 钉钉's access_token) starred, so an old
// robot key cannot be read back from the append-only log.
func RedactWebhook(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.RawQuery == "" {
		return s
	}
	q := u.Query()
	for k := range q {
		q.Set(k, "***")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// privateHost reports a host name that is this machine or an address
// that is not on the public internet (a name that resolves to one is
// refused when the worker connects: PrivateAddr).
func privateHost(h string) bool {
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && PrivateAddr(a)
}

// PrivateAddr reports an address a webhook may not reach: loopback,
// private, link-local (cloud metadata at 169.254.169.254), unspecified or
// multicast, IPv4 or IPv6 (IPv4 mapped into IPv6 too).
func PrivateAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsUnspecified() ||
		a.IsMulticast() || a.IsInterfaceLocalMulticast() || (a.Is4() && a.As4()[0] == 0) ||
		(a.Is4() && a.As4()[0] == 100 && a.As4()[1]&0xc0 == 64) // 100.64.0.0/10, carrier-grade NAT
}

// CheckEmail checks a digest address: empty (no digest) or one address.
func CheckEmail(s string) error {
	p := xiezuo.Problems{}
	if s = strings.TrimSpace(s); s == "" {
		return nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 200 || strings.ContainsAny(s, "\r\n") {
		p.Add("email", "电子邮箱格式不正确（如 name@example.cn）")
	}
	return p.Err()
}

// Retry policy of the outbox: after the n-th failed attempt the message
// waits Backoff[n-1] (the last step repeats) and is given up, its error
// kept, once MaxAttempts have failed.
var Backoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute}

// MaxAttempts is how many times a message is tried before it is marked
// failed.
const MaxAttempts = 4

// NextTry says when a message that has now failed attempts times is tried
// again: after wait, or never (giveUp).
func NextTry(attempts int) (wait time.Duration, giveUp bool) {
	if attempts >= MaxAttempts {
		return 0, true
	}
	if attempts < 1 {
		attempts = 1
	}
	return Backoff[min(attempts, len(Backoff))-1], false
}
