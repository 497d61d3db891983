package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/notify"
)

// TestHomeTodo: the home page's 待办 per role — a unit's drafts with the
// link to its list, a county's deliveries to confirm, the office's own
// items and its per-unit table, and 暂无待办 for a viewer.
func TestHomeTodo(t *testing.T) {
	t.Parallel()
	e := newEnvAt(t, time.Date(2020, 10, 20, 9, 0, 0, 0, xiezuo.China))
	e.draft("chengjiaqiao")
	e.submitted("xinhualu")
	lc := e.user("lvchun")
	if err := e.db.SaveRectification(ctx, e.user("admin"), &ledger.Rectification{Title: "台账不全", OwnerID: lc.OrgID, CountyCode: "532531000000", DueOn: "2020-10-10"}); err != nil {
		t.Fatal(err)
	}
	page := func(who string) string {
		resp, body := do(t, e.client(who), "GET", e.srv.URL+"/", "", "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", who, resp.StatusCode)
		}
		i := strings.Index(body, `<section class="waiting"`)
		j := strings.Index(body[max(i, 0):], "</section>")
		if i < 0 || j < 0 {
			t.Fatalf("%s: no 待办 block", who)
		}
		return body[i : i+j]
	}
	for _, tc := range []struct {
		who      string
		want     []string
		dontWant []string
	}{
		{"chengjiaqiao", []string{`<a href="/mine">`, "条草稿待提交"}, []string{"各单位待办", "待审核", "暂无待办"}},
		{"lvchun", []string{"笔已到位的帮扶待确认收到", `href="/receipts"`, "项问题整改已超过整改期限", "已逾期"}, []string{"各单位待办"}},
		{"admin", []string{"条提交待审核", `href="/review"`, "各单位待办", "<th class=\"num\">草稿</th>", "程家桥街道", "新华路街道"}, []string{"条草稿待提交"}},
		{"reviewer", []string{"条提交待审核", "各单位待办"}, nil},
		{"viewer", []string{"暂无待办"}, []string{"<li"}},
	} {
		got := page(tc.who)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: no %q in %s", tc.who, w, got)
			}
		}
		for _, w := range tc.dontWant {
			if strings.Contains(got, w) {
				t.Errorf("%s: %q in %s", tc.who, w, got)
			}
		}
	}
}

// TestWebhookEnqueueOnly: the test message of a unit's webhook is only
// enqueued: the request returns before anything reaches the endpoint, and
// a second request returns while the worker is stuck on a dead slow
// endpoint; the worker delivers it afterwards.
func TestWebhookEnqueueOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.db.AllowPrivateWebhooks = true // the test's endpoint is on 127.0.0.1
	var arrived atomic.Int32
	inside, release := make(chan struct{}, 4), make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		inside <- struct{}{}
		<-release // slow: holds the worker until the test lets go
	}))
	defer hook.Close()
	defer close(release)
	cjq := e.client("chengjiaqiao")
	org := e.user("chengjiaqiao").OrgID
	path := e.srv.URL + "/reminders/webhook/" + itoa(org)
	if resp, body := do(t, cjq, "POST", path, "application/x-www-form-urlencoded", url.Values{"webhook_url": {hook.URL + "/send?key=k"}}.Encode()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", resp.StatusCode, body)
	}
	if resp, _ := do(t, cjq, "POST", path+"/test", "application/x-www-form-urlencoded", ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("test: %d", resp.StatusCode)
	}
	if arrived.Load() != 0 {
		t.Fatal("the request delivered the message itself")
	}
	// The worker takes it and hangs on the endpoint; meanwhile another
	// request enqueues and returns.
	w := &notify.Worker{DB: e.db, AllowPrivate: true}
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Once(context.Background())
	}()
	<-inside
	if resp, _ := do(t, cjq, "POST", path+"/test", "application/x-www-form-urlencoded", ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second test while the worker is stuck: %d", resp.StatusCode)
	}
	var pending int
	if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND org_id = $1`, org).Scan(&pending); err != nil || pending != 2 {
		t.Fatalf("pending %d %v", pending, err)
	}
	release <- struct{}{}
	<-done
	// The admin sees both on the outbox page, without the robot's key.
	resp, body := do(t, e.client("admin"), "GET", e.srv.URL+"/reminders/outbox", "", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "【协作平台】测试消息") || strings.Contains(body, "key=k") {
		t.Errorf("outbox page: %d %s", resp.StatusCode, body)
	}
}

// TestAccountEmailError: a bad digest address is told above the e-mail
// form, not under 修改密码 (where it read as a failed password change),
// and a server without SMTP says so before the address is saved.
func TestAccountEmailError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, body := do(t, e.client("chengjiaqiao"), "POST", e.srv.URL+"/account/email", form, "email=not-an-address")
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad address: %d", resp.StatusCode)
	}
	pw, mail, failed := strings.Index(body, "<h2>修改密码</h2>"), strings.Index(body, "<h2>每日待办提醒</h2>"), strings.Index(body, "未保存。")
	if pw < 0 || mail < 0 || failed < mail || strings.Count(body, "未保存。") != 1 {
		t.Errorf("the error at %d, password form at %d, e-mail form at %d", failed, pw, mail)
	}
	if !strings.Contains(body, "没有配置邮件服务器") {
		t.Error("no word that e-mail is not configured")
	}
}
