package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo/store"
)

// TestListKeyword: 活动, 协议 and 项目 honour ?q= as 帮扶投入 does, on
// the page and in the API, with a two-character word.
func TestListKeyword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.user("admin")
	all := store.RecordFilter{Limit: 500}
	type rec struct {
		id     int64
		fields []string
	}
	var acts, ags, projs []rec
	as, _, err := e.db.ListActivities(ctx, admin, all)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		acts = append(acts, rec{a.ID, []string{a.Title, a.Narrative, a.Places, a.Leader, a.ParticipantsText}})
	}
	agl, _ := e.db.ListAgreements(ctx, admin, all)
	for _, a := range agl {
		ags = append(ags, rec{a.ID, []string{a.Title, a.Note}})
	}
	pl, _ := e.db.ListProjects(ctx, admin, all)
	for _, p := range pl {
		projs = append(projs, rec{p.ID, []string{p.Title, p.Note}})
	}
	c := e.client("admin")
	for _, l := range []struct {
		path string
		recs []rec
	}{{"/activities", acts}, {"/agreements", ags}, {"/projects", projs}} {
		if len(l.recs) < 2 {
			t.Fatalf("%s: demo has %d records", l.path, len(l.recs))
		}
		word := string([]rune(l.recs[len(l.recs)-1].fields[0])[:2])
		var in, out []int64
		for _, r := range l.recs {
			hit := false
			for _, f := range r.fields {
				hit = hit || strings.Contains(f, word)
			}
			if hit {
				in = append(in, r.id)
			} else {
				out = append(out, r.id)
			}
		}
		if len(out) == 0 {
			t.Fatalf("%s: every record has %q", l.path, word)
		}
		resp, body := do(t, c, "GET", e.srv.URL+l.path+"?q="+url.QueryEscape(word), "", "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", l.path, resp.StatusCode)
		}
		for _, id := range in {
			if !strings.Contains(body, fmt.Sprintf(`href="%s/%d"`, l.path, id)) {
				t.Errorf("%s?q=%s lacks record %d", l.path, word, id)
			}
		}
		for _, id := range out {
			if strings.Contains(body, fmt.Sprintf(`href="%s/%d"`, l.path, id)) {
				t.Errorf("%s?q=%s shows record %d", l.path, word, id)
			}
		}
		if !strings.Contains(body, `name="q" value="`+word+`"`) {
			t.Errorf("%s: the keyword box does not keep %q", l.path, word)
		}
		_, api := do(t, c, "GET", e.srv.URL+"/api/v1"+l.path+"?limit=500&q="+url.QueryEscape(word), "", "")
		if n := strings.Count(api, `"unit_id"`); n != len(in) {
			t.Errorf("API %s?q=%s: %d items, want %d", l.path, word, n, len(in))
		}
	}
}

// TestListSortLinks: the column headers sort, keep the other filters and
// reverse on a second click.
func TestListSortLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("admin")
	_, body := do(t, c, "GET", e.srv.URL+"/contributions?county=532531000000&q=%E5%8A%A9%E5%AD%A6&offset=50", "", "")
	if !strings.Contains(body, `href="?county=532531000000&amp;dir=asc&amp;q=%E5%8A%A9%E5%AD%A6&amp;sort=amount"`) {
		t.Errorf("no amount header link keeping the filter (and dropping the page)")
	}
	if !strings.Contains(body, `日期 ▼</a>`) {
		t.Errorf("the default order is not shown on 日期")
	}
	_, body = do(t, c, "GET", e.srv.URL+"/contributions?sort=amount&dir=asc", "", "")
	if !strings.Contains(body, `金额（元） ▲</a>`) || !strings.Contains(body, `dir=desc&amp;sort=amount"`) {
		t.Errorf("sorted by amount: no ▲ or no link to reverse it")
	}
	for _, p := range []string{"/activities?sort=title&dir=desc", "/agreements?sort=amount", "/projects?sort=budget&dir=desc"} {
		resp, body := do(t, c, "GET", e.srv.URL+p, "", "")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `class="sort"`) {
			t.Errorf("%s: %d, sort links %v", p, resp.StatusCode, strings.Contains(body, `class="sort"`))
		}
	}
}

// TestBackToList: a record page links back to the list it came from, with
// its filter, and to nothing off the site or of another kind.
func TestBackToList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("admin")
	list := "/contributions?county=532531000000&q=%E5%8A%A9%E5%AD%A6&sort=amount"
	cases := []struct {
		path, referer, want string
	}{
		{"/contributions/1", e.srv.URL + list, `href="/contributions?county=532531000000&amp;q=%E5%8A%A9%E5%AD%A6&amp;sort=amount"`},
		{"/contributions/1?back=" + url.QueryEscape(list), "", `href="/contributions?county=532531000000&amp;q=%E5%8A%A9%E5%AD%A6&amp;sort=amount"`},
		{"/contributions/1", "http://evil.example" + list, `href="/contributions">← 返回列表`},
		{"/contributions/1?back=" + url.QueryEscape("//evil.example/contributions"), "", `href="/contributions">← 返回列表`},
		{"/contributions/1?back=" + url.QueryEscape("https://evil.example/contributions"), "", `href="/contributions">← 返回列表`},
		{"/contributions/1", e.srv.URL + "/activities?county=532531000000", `href="/contributions">← 返回列表`},
		{"/activities/1", e.srv.URL + "/activities?section=%E6%89%B6%E8%B4%AB%E5%8D%8F%E4%BD%9C", `href="/activities?section=%E6%89%B6%E8%B4%AB%E5%8D%8F%E4%BD%9C">← 返回列表`},
		{"/projects/1", "", `href="/projects">← 返回列表`},
		{"/agreements/1", e.srv.URL + "/agreements?q=%E5%8D%8F%E8%AE%AE", `href="/agreements?q=%E5%8D%8F%E8%AE%AE">← 返回列表`},
	}
	for _, tc := range cases {
		var h []string
		if tc.referer != "" {
			h = []string{"Referer", tc.referer}
		}
		resp, body := do(t, c, "GET", e.srv.URL+tc.path, "", "", h...)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, tc.want) {
			i := strings.Index(body, "← 返回列表")
			t.Errorf("%s from %q: %d, want %s; got %q", tc.path, tc.referer, resp.StatusCode, tc.want, body[max(0, i-120):max(0, i)])
		}
	}
}

// TestChineseNotFound: unknown paths and wrong methods answer the Chinese
// error page (JSON under /api/); /public offers 登录.
func TestChineseNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, who := range []string{"", "admin"} {
		c := e.client(who)
		resp, body := do(t, c, "GET", e.srv.URL+"/no-such-page", "", "")
		if resp.StatusCode != 404 || !strings.Contains(body, "页面不存在") || strings.Contains(body, "404 page not found") {
			t.Errorf("%q: unknown path: %d %.200s", who, resp.StatusCode, body)
		}
		resp, body = do(t, c, "DELETE", e.srv.URL+"/contributions", "", "")
		if resp.StatusCode != 405 || !strings.Contains(body, "请求方式") || resp.Header.Get("Allow") == "" {
			t.Errorf("%q: wrong method: %d allow %q %.200s", who, resp.StatusCode, resp.Header.Get("Allow"), body)
		}
		resp, body = do(t, c, "GET", e.srv.URL+"/api/v1/nothing", "", "")
		if resp.StatusCode != 404 || !strings.Contains(body, `"message":"页面不存在`) {
			t.Errorf("%q: unknown API path: %d %s", who, resp.StatusCode, body)
		}
	}
	_, body := do(t, e.client(""), "GET", e.srv.URL+"/public", "", "")
	if !strings.Contains(body, `<a href="/login">登录</a>`) {
		t.Errorf("/public has no 登录 link")
	}
	_, body = do(t, e.client("admin"), "GET", e.srv.URL+"/public", "", "")
	if strings.Contains(body, `<a href="/login">登录</a>`) {
		t.Errorf("/public offers 登录 to a signed-in user")
	}
}

// TestReceiptsPage: lvchun has a menu entry to the deliveries waiting for
// 确认收到 and confirms one from the list, which then leaves it.
func TestReceiptsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("lvchun")
	_, home := do(t, c, "GET", e.srv.URL+"/", "", "")
	if !strings.Contains(home, `href="/receipts"`) {
		t.Errorf("no 待确认收到 in the county user's menu")
	}
	_, admin := do(t, e.client("chengjiaqiao"), "GET", e.srv.URL+"/", "", "")
	if strings.Contains(admin, `href="/receipts"`) {
		t.Errorf("a unit user's menu offers 待确认收到")
	}
	resp, body := do(t, c, "GET", e.srv.URL+"/receipts", "", "")
	if resp.StatusCode != 200 || !strings.Contains(body, "确认收到</button>") {
		t.Fatalf("/receipts: %d", resp.StatusCode)
	}
	i := strings.Index(body, `action="/contributions/`)
	id := body[i+len(`action="/contributions/`):]
	id = id[:strings.Index(id, "/")]
	n := strings.Count(body, "确认收到</button>")
	resp, _ = do(t, noRedirect(c), "POST", e.srv.URL+"/contributions/"+id+"/receive", form, "back=%2Freceipts", "Origin", e.srv.URL)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/receipts" {
		t.Fatalf("confirm: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = do(t, c, "GET", e.srv.URL+"/receipts", "", "")
	if strings.Contains(body, `action="/contributions/`+id+`/receive"`) || (n < 100 && strings.Count(body, "确认收到</button>") != n-1) {
		t.Errorf("the confirmed delivery %s is still listed", id)
	}
}

// noRedirect is c without following redirects.
func noRedirect(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

// TestAuditPageBrowse: /audit lists entries with filters that link on.
func TestAuditPageBrowse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.draft("chengjiaqiao")
	c := e.client("admin")
	resp, body := do(t, c, "GET", e.srv.URL+fmt.Sprintf("/audit?entity=contribution&entity_id=%d", id), "", "")
	if resp.StatusCode != 200 || !strings.Contains(body, "审计日志完整") || strings.Count(body, fmt.Sprintf(`entity_id=%d"`, id)) != 1 {
		t.Errorf("record filter: %d, entries %d", resp.StatusCode, strings.Count(body, fmt.Sprintf(`entity_id=%d"`, id)))
	}
	_, body = do(t, c, "GET", e.srv.URL+"/audit?user=chengjiaqiao", "", "")
	if !strings.Contains(body, `<a href="/audit?user=chengjiaqiao">chengjiaqiao</a>`) || strings.Contains(body, `<a href="/audit?user=admin">`) {
		t.Errorf("user filter does not keep to chengjiaqiao")
	}
	_, body = do(t, c, "GET", e.srv.URL+"/audit?from=2020-13-45", "", "")
	if !strings.Contains(body, "起始日期应为有效日期") {
		t.Errorf("bad date not explained")
	}
	resp, _ = do(t, e.client("lvchun"), "GET", e.srv.URL+"/audit?user=admin", "", "")
	if resp.StatusCode != 403 {
		t.Errorf("county user: %d", resp.StatusCode)
	}
}
