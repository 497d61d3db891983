package remind

import (
	"strings"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
)

func TestLine(t *testing.T) {
	for _, tc := range []struct {
		it   Item
		want string
	}{
		{Item{Kind: KindDraft, Count: 3}, "3 条草稿待提交"},
		{Item{Kind: KindReturned, Count: 1}, "1 条退回的记录待修改后重新提交"},
		{Item{Kind: KindReview, Count: 12}, "12 条提交待审核"},
		{Item{Kind: KindReceipt, Count: 2}, "2 笔已到位的帮扶待确认收到"},
		{Item{Kind: KindProject, Count: 2}, "2 个项目14 天内到期"},
		{Item{Kind: KindProject, Count: 3, Overdue: 1}, "3 个项目14 天内到期或已逾期（其中 1 已逾期）"},
		{Item{Kind: KindRectification, Count: 2, Overdue: 2}, "2 项问题整改已超过整改期限"},
		{Item{Kind: KindMonthly, Count: 1, Month: "2020-09"}, "2020年9月工作情况尚未报送"},
		{Item{Kind: KindMonthly, Count: 6, Month: "2020-09", Units: true}, "6 个单位尚未报送2020年9月工作情况"},
	} {
		if got := tc.it.Line(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.it, got, tc.want)
		}
	}
}

func TestMonthDue(t *testing.T) {
	for _, tc := range []struct{ today, month, first, last, due string }{
		{"2020-10-20", "2020-09", "2020-09-01", "2020-09-30", "2020-10-05"},
		{"2021-01-03", "2020-12", "2020-12-01", "2020-12-31", "2021-01-05"},
		{"2020-03-31", "2020-02", "2020-02-01", "2020-02-29", "2020-03-05"},
	} {
		m, f, l, d := MonthDue(tc.today)
		if m != tc.month || f != tc.first || l != tc.last || d != tc.due {
			t.Errorf("%s: %s %s %s %s", tc.today, m, f, l, d)
		}
	}
}

func TestNextTry(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		wait     time.Duration
		giveUp   bool
	}{{1, time.Minute, false}, {2, 5 * time.Minute, false}, {3, 30 * time.Minute, false}, {MaxAttempts, 0, true}, {9, 0, true}} {
		w, g := NextTry(tc.attempts)
		if w != tc.wait || g != tc.giveUp {
			t.Errorf("after %d: %s %v", tc.attempts, w, g)
		}
	}
}

func TestCheckWebhookAndEmail(t *testing.T) {
	for s, ok := range map[string]bool{
		"":                                       true,
		"https://qyapi.weixin.qq.com/send?key=k": true,
		"http://10.0.0.5:8080/robot":             false,
		"http://127.0.0.1:18599/ssrf":            false,
		"http://[::1]:8080/":                     false,
		"http://localhost/x":                     false,
		"http://169.254.169.254/latest":          false,
		"http://192.168.1.1/robot":               false,
		"http://[::ffff:127.0.0.1]/x":            false,
		"http://0.0.0.0/x":                       false,
		"ftp://example.cn/x":                     false,
		"javascript:alert(1)":                    false,
		"https://user:pw@example.cn/x":           false,
		"example.cn/hook":                        false,
	} {
		if err := CheckWebhook(s, false); (err == nil) != ok {
			t.Errorf("%q: %v", s, err)
		} else if err != nil && xiezuo.ErrorFields(err)["webhook_url"] == "" {
			t.Errorf("%q: no field problem", s)
		}
	}
	if got := RedactWebhook("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123"); got != "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=%2A%2A%2A" {
		t.Errorf("redacted %q", got)
	}
	// An intranet relay is allowed when the office says so.
	for _, s := range []string{"http://10.0.0.5:8080/robot", "http://127.0.0.1:18599/x"} {
		if err := CheckWebhook(s, true); err != nil {
			t.Errorf("%q with private addresses allowed: %v", s, err)
		}
	}
	for s, ok := range map[string]bool{"": true, "a@example.cn": true, "张三 <a@example.cn>": false, "a@": false, "a@example.cn\r\nBcc: b@x": false} {
		if err := CheckEmail(s); (err == nil) != ok {
			t.Errorf("email %q: %v", s, err)
		}
	}
}

func TestMakeDigest(t *testing.T) {
	d := MakeDigest("程家桥街道", "2020-10-20", []Item{{Kind: KindDraft, Count: 2, Link: "/mine"},
		{Kind: KindMonthly, Count: 1, Month: "2020-09", DueOn: "2020-10-05", Link: "/scorecard/compliance?year=2020"}}, "https://x.example/")
	if d.Subject != "【协作平台】2020年10月20日待办 2 项" {
		t.Errorf("subject %q", d.Subject)
	}
	for _, want := range []string{"2 条草稿待提交", "https://x.example/mine", "2020年9月工作情况尚未报送（2020年10月5日前）"} {
		if !strings.Contains(d.Text, want) || !strings.Contains(d.Markdown, want) {
			t.Errorf("no %q in %q / %q", want, d.Text, d.Markdown)
		}
	}
	if !strings.Contains(d.HTML, `<a href="https://x.example/scorecard/compliance?year=2020">`) {
		t.Errorf("html %q", d.HTML)
	}
}
