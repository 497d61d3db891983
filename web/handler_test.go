package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/demo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/people"
	"github.com/xiezuo/xiezuo/plan"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/store"
	"github.com/xiezuo/xiezuo/web"
)

var ctx = context.Background()

type env struct {
	t   *testing.T
	db  *store.DB
	s   *web.Server
	srv *httptest.Server
}

func newEnv(t *testing.T, setup ...func(*web.Server)) *env {
	t.Helper()
	return newEnvAt(t, time.Time{}, setup...)
}

// newEnvAt is newEnv on a clock stopped at now (the real clock when zero):
// the server's "today" is the database's Now. setup adjusts the server.
func newEnvAt(t *testing.T, now time.Time, setup ...func(*web.Server)) *env {
	t.Helper()
	db := testdb.OpenDemo(t, "sqlite")
	if !now.IsZero() {
		db.Now = func() time.Time { return now }
	}
	s, err := web.NewServer(db, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Demo = true
	for _, f := range setup {
		f(s)
	}
	return &env{t: t, db: db, s: s, srv: newTestServer(t, s)}
}

func newTestServer(t *testing.T, s *web.Server) *httptest.Server {
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

// client returns an HTTP client signed in as username ("" for anonymous)
// that does not follow redirects.
func (e *env) client(username string) *http.Client {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if username == "" {
		return c
	}
	resp, err := c.PostForm(e.srv.URL+"/login", url.Values{"username": {username}, "password": {demo.Password}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d", username, resp.StatusCode)
	}
	return c
}

func (e *env) user(name string) *xiezuo.User {
	u, err := e.db.UserByName(ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// draft creates a draft contribution owned by username's unit.
func (e *env) draft(username string) int64 {
	e.t.Helper()
	u := e.user(username)
	giver, _ := e.db.OrgByName(ctx, "上海龙舜投资管理有限公司")
	c := &ledger.Contribution{Header: ledger.Header{UnitID: u.OrgID}, DateFrom: "2021-05-01", Givers: []ledger.Org{{ID: giver.ID}},
		CountyCode: "532531000000", Form: "cash", Sector: "education", Delivery: "delivered", AmountFen: 100000}
	if err := e.db.SaveContribution(ctx, u, c); err != nil {
		e.t.Fatal(err)
	}
	return c.ID
}

// importBatch imports one row as username and returns the batch.
func (e *env) importBatch(username string) int64 {
	e.t.Helper()
	data := []byte("日期,帮扶单位,受援县,形式,金额(元),物资/内容\n2021-06-01,上海龙舜投资管理有限公司,绿春县,资金," + fmt.Sprint(time.Now().UnixNano()%100000+1) + ",测试\n")
	b, err := imports.Contributions(ctx, e.db, e.user(username), "t.csv", bytes.NewReader(data), int64(len(data)), imports.Options{Mode: "all"})
	if err != nil {
		e.t.Fatal(err)
	}
	return b.ID
}

func (e *env) submitted(username string) int64 {
	id := e.draft(username)
	if err := e.db.Transition(ctx, e.user(username), ledger.KindContribution, id, ledger.ActionSubmit, ""); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func do(t *testing.T, c *http.Client, method, u, contentType, body string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return send(t, c, req)
}

// send does req with c and returns the response with its body read.
func send(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

const form = "application/x-www-form-urlencoded"

var roles = []string{"anon", "admin", "reviewer", "chengjiaqiao", "lvchun", "viewer", "zhenghua", "cjq-guanli", "cjq-caigou", "caizheng"}

// TestAuthorisationMatrix requests every route as every role, including a
// unit user reaching for another unit's drafts through the UI and the API.
func TestAuthorisationMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	clients := map[string]*http.Client{}
	for _, r := range roles {
		name := r
		if r == "anon" {
			name = ""
		}
		clients[r] = e.client(name)
	}
	validForm := url.Values{"unit_id": {""}, "date_from": {"2021-05-02"}, "givers": {"上海龙舜投资管理有限公司"}, "county_code": {"532531000000"},
		"form": {"cash"}, "sector": {"education"}, "delivery": {"delivered"}, "amount": {"2000"}}.Encode()
	contribJSON := `{"date_from":"2021-05-03","givers":[{"id":%d}],"county_code":"532531000000","form":"cash","sector":"education","delivery":"delivered","amount_fen":5000}`
	giver, _ := e.db.OrgByName(ctx, "上海龙舜投资管理有限公司")
	type row struct {
		method, path string
		fixture      func() int64 // a fresh record for the path's %d
		ctype, body  string
		want         map[string]int // by role; roles not listed: want["*"]
	}
	photoIDs := map[int64]int64{} // activity → its photo (the photo fixture)
	own := func() int64 { return e.draft("chengjiaqiao") }
	other := func() int64 { return e.draft("xinhualu") }
	sub := func() int64 { return e.submitted("xinhualu") }
	ok, see, redirect := 200, 303, 303
	batch := func() int64 { return e.importBatch("chengjiaqiao") }
	bulletin := func() int64 { // a fresh draft issue
		b := &report.Bulletin{Year: 2020, Numbers: "9", From: "2020-09-01", To: "2020-09-30"}
		if err := e.db.CreateBulletin(ctx, e.user("admin"), b); err != nil {
			t.Fatal(err)
		}
		return b.ID
	}
	published := func() int64 {
		id := bulletin()
		if err := e.db.PublishBulletin(ctx, e.user("admin"), id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	newIssue := url.Values{"year": {"2020"}, "numbers": {"9、10"}, "from": {"2020-08-01"}, "to": {"2020-10-31"}}.Encode()
	rows := []row{
		{"GET", "/healthz", nil, "", "", map[string]int{"*": ok}},
		{"GET", "/metrics", nil, "", "", map[string]int{"*": 403, "anon": 401, "admin": ok}},
		{"GET", "/", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/contributions", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/contributions/new", nil, "", "", map[string]int{"*": ok, "anon": redirect, "viewer": 403}},
		{"GET", "/contributions/1", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/contributions/%d", own, "", "", map[string]int{"*": 404, "anon": redirect, "admin": ok, "reviewer": ok, "chengjiaqiao": ok}},
		{"GET", "/contributions/%d", other, "", "", map[string]int{"*": 404, "anon": redirect, "admin": ok, "reviewer": ok}},
		{"GET", "/contributions/%d/edit", own, "", "", map[string]int{"*": 404, "anon": redirect, "admin": ok, "reviewer": ok, "chengjiaqiao": ok}},
		{"GET", "/contributions/1/edit", nil, "", "", map[string]int{"*": 403, "anon": redirect}},
		{"POST", "/contributions", nil, form, validForm, map[string]int{"*": see, "anon": 401, "viewer": 403}},
		{"POST", "/contributions/%d", own, form, validForm, map[string]int{"*": 404, "anon": 401, "admin": see, "reviewer": see, "chengjiaqiao": see}},
		{"POST", "/contributions/%d", other, form, validForm, map[string]int{"*": 404, "anon": 401, "admin": see, "reviewer": see}},
		{"POST", "/records/contribution/%d/submit", own, form, "", map[string]int{"*": 404, "anon": 401, "admin": see, "reviewer": see, "chengjiaqiao": see}},
		{"POST", "/records/contribution/%d/submit", other, form, "", map[string]int{"*": 404, "anon": 401, "admin": see, "reviewer": see}},
		{"POST", "/records/contribution/%d/approve", sub, form, "", map[string]int{"*": 404, "anon": 401, "admin": see, "reviewer": see}},
		{"POST", "/records/contribution/%d/delete", own, form, "", map[string]int{"*": 404, "anon": 401, "admin": see, "reviewer": see, "chengjiaqiao": see}},
		{"POST", "/records/contribution/1/delete", nil, form, "", map[string]int{"*": 403, "anon": 401}},
		{"POST", "/contributions/1/receive", nil, form, "", map[string]int{"*": 403, "anon": 401, "admin": see, "reviewer": 409, "lvchun": 409}},
		{"GET", "/receipts", nil, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok, "reviewer": ok, "lvchun": ok}},
		{"GET", "/activities", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/activities/1", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/projects", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/agreements", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/labour", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/batches", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/review", nil, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok, "reviewer": ok}},
		{"GET", "/mine", nil, "", "", map[string]int{"*": ok, "anon": redirect, "viewer": 403}},
		{"GET", "/audit", nil, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok, "reviewer": ok}},
		{"GET", "/registry/orgs", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"POST", "/registry/orgs", nil, form, "name=%E6%B5%8B%E8%AF%95&kind=%E4%BC%81%E4%B8%9A&side=east", map[string]int{"*": 403, "anon": 401, "admin": see}},
		{"GET", "/registry/regions?q=%E7%BB%BF%E6%98%A5", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/registry/people", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/registry/orgs/1", nil, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok}},
		{"POST", "/registry/orgs/2", nil, form, url.Values{"name": {"上海市长宁区人民政府"}, "aliases": {"长宁区、长宁"}, "kind": {"区县"}, "side": {"east"}, "region": {"310105000000"}}.Encode(),
			map[string]int{"*": 403, "anon": 401, "admin": see}},
		{"POST", "/registry/people", nil, form, url.Values{"name": {"张三"}, "kind": {"援滇干部"}, "org": {"程家桥街道"}, "dest": {"绿春县"}}.Encode(),
			map[string]int{"*": 403, "anon": 401, "admin": see}},
		{"GET", "/registry/users", nil, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok}},
		{"POST", "/registry/users", nil, form, url.Values{"username": {"u1"}, "password": {"x"}, "role": {"viewer"}}.Encode(),
			map[string]int{"*": 403, "anon": 401, "admin": 422}},
		{"GET", "/api/v1/contributions", nil, "", "", map[string]int{"*": ok, "anon": 401}},
		{"GET", "/api/v1/contributions/%d", own, "", "", map[string]int{"*": 404, "anon": 401, "admin": ok, "reviewer": ok, "chengjiaqiao": ok}},
		{"GET", "/api/v1/contributions/%d", other, "", "", map[string]int{"*": 404, "anon": 401, "admin": ok, "reviewer": ok}},
		{"POST", "/api/v1/contributions", nil, "application/json", fmt.Sprintf(contribJSON, giver.ID), map[string]int{"*": 201, "anon": 401, "viewer": 403}},
		{"PUT", "/api/v1/contributions/%d", other, "application/json", fmt.Sprintf(contribJSON, giver.ID), map[string]int{"*": 404, "anon": 401, "admin": ok, "reviewer": ok}},
		{"POST", "/api/v1/records/contribution/%d/submit", other, "application/json", "", map[string]int{"*": 404, "anon": 401, "admin": ok, "reviewer": ok}},
		{"POST", "/api/v1/records/contribution/%d/approve", sub, "application/json", "", map[string]int{"*": 404, "anon": 401, "admin": ok, "reviewer": ok}},
		{"DELETE", "/api/v1/records/contribution/%d", other, "", "", map[string]int{"*": 404, "anon": 401, "admin": 204, "reviewer": 204}},
		{"GET", "/api/v1/regions?q=%E9%87%91%E5%B9%B3%E5%8E%BF", nil, "", "", map[string]int{"*": ok, "anon": 401}},
		{"GET", "/api/v1/orgs?q=%E6%8B%BC%E5%A4%9A%E5%A4%9A", nil, "", "", map[string]int{"*": ok, "anon": 401}},
		{"GET", "/api/v1/totals/counties", nil, "", "", map[string]int{"*": ok, "anon": 401}},
		{"GET", "/api/openapi.yaml", nil, "", "", map[string]int{"*": ok}},
		{"GET", "/imports", nil, "", "", map[string]int{"*": ok, "anon": redirect, "viewer": 403}},
		{"GET", "/templates/contributions", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/export/contributions.xlsx?county=532531000000", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/export/contributions.csv", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/imports/%d", batch, "", "", map[string]int{"*": 404, "anon": redirect, "admin": ok, "reviewer": ok, "chengjiaqiao": ok}},
		{"POST", "/imports/%d/undo", batch, form, "", map[string]int{"*": 403, "anon": 401, "admin": see, "reviewer": see}},
		// Only an interrupted batch can be discarded; others may not see this one.
		{"POST", "/imports/%d/discard", batch, form, "", map[string]int{"*": 404, "anon": 401, "admin": 409, "reviewer": 409, "chengjiaqiao": 409}},
		{"GET", "/dashboard?year=2020&county=532531000000", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/dashboard?year=abc", nil, "", "", map[string]int{"*": 422, "anon": redirect}},
		{"GET", "/public?year=2020", nil, "", "", map[string]int{"*": ok}},
		{"GET", "/api/v1/dashboard?year=2020", nil, "", "", map[string]int{"*": ok, "anon": 401}},
		{"GET", "/api/v1/dashboard?year=2020&format=csv", nil, "", "", map[string]int{"*": ok, "anon": 401}},
		{"GET", "/bulletins", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/export/iati.xml", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/rectifications?year=2020", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/scorecard/coverage?year=2020", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/scorecard/compliance?year=2020", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/scorecard/targets.xlsx", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"POST", "/scorecard/targets/import?year=2020", nil, form, "", map[string]int{"*": 403, "anon": 401, "admin": 422, "reviewer": 422}},
		{"POST", "/rectifications", nil, form, url.Values{"title": {"问题"}, "owner": {"程家桥街道"}, "due_on": {"2020年12月1日"}}.Encode(), map[string]int{"*": 403, "anon": 401, "admin": see, "reviewer": see}},
		{"POST", "/rectifications", nil, form, url.Values{"title": {"问题"}, "owner": {"不存在的单位"}, "due_on": {"明天"}}.Encode(), map[string]int{"*": 403, "anon": 401, "admin": 422, "reviewer": 422}},
		{"GET", "/rectifications/1", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/scorecard?year=2020&asof=2020-10-31", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"GET", "/scorecard?year=2020&asof=2019-01-01", nil, "", "", map[string]int{"*": 422, "anon": redirect}},
		{"GET", "/scorecard/targets?year=2020", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"POST", "/scorecard/targets?year=2020", nil, form, "t_532531000000_social=300", map[string]int{"*": 403, "anon": 401, "admin": see, "reviewer": see}},
		{"POST", "/scorecard/targets?year=2020", nil, form, "t_532531000000_social=%E4%B8%89%E7%99%BE", map[string]int{"*": 403, "anon": 401, "admin": 422, "reviewer": 422}},
		{"POST", "/bulletins", nil, form, newIssue, map[string]int{"*": 403, "anon": 401, "admin": see, "reviewer": see}},
		{"GET", "/bulletins/%d", bulletin, "", "", map[string]int{"*": 404, "anon": redirect, "admin": ok, "reviewer": ok}},
		{"GET", "/bulletins/%d/print", bulletin, "", "", map[string]int{"*": 404, "admin": ok, "reviewer": ok}},
		{"GET", "/bulletins/%d/docx", bulletin, "", "", map[string]int{"*": 404, "admin": ok, "reviewer": ok}},
		{"GET", "/bulletins/%d/print", published, "", "", map[string]int{"*": ok}},
		{"GET", "/bulletins/%d/docx", published, "", "", map[string]int{"*": ok}},
		{"GET", "/bulletins/%d", published, "", "", map[string]int{"*": ok, "anon": redirect}},
		{"POST", "/bulletins/%d", bulletin, form, newIssue, map[string]int{"*": 403, "anon": 401, "admin": see, "reviewer": see}},
		{"POST", "/bulletins/%d/publish", bulletin, form, "", map[string]int{"*": 403, "anon": 401, "admin": see, "reviewer": see}},
		{"POST", "/bulletins/%d/publish", published, form, "", map[string]int{"*": 403, "anon": 401, "admin": 409, "reviewer": 409}},
		{"POST", "/bulletins/%d/delete", bulletin, form, "", map[string]int{"*": 403, "anon": 401, "admin": see, "reviewer": see}},
	}
	// Every other record kind: an approved demo record is read by all; an
	// empty form or JSON body tells who may create (422: may, but the
	// input is wrong) from who may not (403, asked before the input is
	// checked); an approved record is locked for the office (409) and
	// another unit's for the rest (403).
	approved := func(table string) func() int64 {
		return func() int64 {
			var id int64
			// One no unit user of the matrix owns: for them it is another unit's.
			if err := e.db.SQL().QueryRow(`SELECT COALESCE(MIN(id), 0) FROM `+table+` WHERE status = 'approved' AND unit_id NOT IN ($1, $2)`,
				e.user("chengjiaqiao").OrgID, e.user("lvchun").OrgID).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if id == 0 && table == "labour_records" { // the demo has none approved: 新华路街道 records one
				unit := e.user("xinhualu")
				l := &ledger.LabourRecord{Header: ledger.Header{UnitID: unit.OrgID}, DateFrom: "2020-09-15", CountyCode: "532531000000", Kind: ledger.LabourKinds[0], Trained: 12}
				if err := e.db.SaveLabour(ctx, unit, l); err != nil {
					t.Fatal(err)
				}
				if err := e.db.Transition(ctx, unit, ledger.KindLabour, l.ID, ledger.ActionSubmit, ""); err != nil {
					t.Fatal(err)
				}
				if err := e.db.Transition(ctx, e.user("reviewer"), ledger.KindLabour, l.ID, ledger.ActionApprove, ""); err != nil {
					t.Fatal(err)
				}
				id = l.ID
			}
			return id
		}
	}
	for _, k := range []struct{ base, table string }{{"activities", "activities"}, {"agreements", "agreements"}, {"projects", "projects"}, {"labour", "labour_records"}, {"batches", "batches"}} {
		rec := approved(k.table)
		rows = append(rows,
			row{"GET", "/" + k.base + "/%d", rec, "", "", map[string]int{"*": ok, "anon": redirect}},
			row{"GET", "/" + k.base + "/new", nil, "", "", kindWant(k.base, "new")},
			row{"POST", "/" + k.base, nil, form, "", kindWant(k.base, "create")},
			row{"GET", "/" + k.base + "/%d/edit", rec, "", "", map[string]int{"*": 403, "anon": redirect}},
			row{"POST", "/" + k.base + "/%d", rec, form, "", map[string]int{"*": 403, "anon": 401, "admin": 409, "reviewer": 409}},
			row{"GET", "/api/v1/" + k.base, nil, "", "", map[string]int{"*": ok, "anon": 401}},
			row{"GET", "/api/v1/" + k.base + "/%d", rec, "", "", map[string]int{"*": ok, "anon": 401}},
			row{"POST", "/api/v1/" + k.base, nil, "application/json", "{}", kindWant(k.base, "api")},
			row{"PUT", "/api/v1/" + k.base + "/%d", rec, "application/json", "{}", map[string]int{"*": 403, "anon": 401, "admin": 409, "reviewer": 409}},
		)
	}
	// A draft activity of 程家桥街道 with one photo.
	photo := func() int64 {
		u := e.user("chengjiaqiao")
		a := &ledger.Activity{Header: ledger.Header{UnitID: u.OrgID}, Kind: "捐赠仪式", Title: "捐赠仪式", DateFrom: "2021-04-01",
			Section: "扶贫协作", CountyCode: "532531000000", Narrative: "举行捐赠仪式。"}
		if err := e.db.SaveActivity(ctx, u, a); err != nil {
			t.Fatal(err)
		}
		ph, err := e.db.AddPhoto(ctx, u, a.ID, "现场", testdb.PNG(t))
		if err != nil {
			t.Fatal(err)
		}
		photoIDs[a.ID] = ph.ID
		return a.ID
	}
	ownToken := func() int64 {
		if _, err := e.db.CreateToken(ctx, nil, e.user("chengjiaqiao").ID, "", 0); err != nil {
			t.Fatal(err)
		}
		toks, _ := e.db.Tokens(ctx, nil, e.user("chengjiaqiao").ID)
		return toks[0].ID
	}
	freshUser := func() int64 {
		u, err := e.db.CreateUser(ctx, nil, store.NewUser{Username: fmt.Sprintf("matrix%d", time.Now().UnixNano()), Password: "Matrix-user-2026", Role: xiezuo.RoleViewer})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	rows = append(rows,
		row{"GET", "/static/app.css", nil, "", "", map[string]int{"*": ok}},
		row{"GET", "/login", nil, "", "", map[string]int{"*": ok}},
		row{"POST", "/login", nil, form, "username=nobody%d&password=wrong", map[string]int{"*": 401}},
		row{"GET", "/account", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"POST", "/account/password", nil, form, "", map[string]int{"*": 422, "anon": 401}},
		row{"POST", "/account/tokens", nil, form, "label=x", map[string]int{"*": 201, "anon": 401}},
		row{"POST", "/tokens/%d/revoke", ownToken, form, "back=/account", map[string]int{"*": 404, "anon": 401, "admin": see, "chengjiaqiao": see}},
		row{"POST", "/rectifications/1", nil, form, "", map[string]int{"*": 403, "anon": 401, "admin": 422, "reviewer": 422}},
		// No photo in the form: those who may add are told so (a flash and back to the activity).
		row{"POST", "/activities/%d/photos", photo, form, "", map[string]int{"*": 404, "anon": 401, "admin": see, "reviewer": see, "chengjiaqiao": see}},
		row{"GET", "/activities/%d/photos/{pid}", photo, "", "", map[string]int{"*": 404, "anon": redirect, "admin": ok, "reviewer": ok, "chengjiaqiao": ok}},
		row{"POST", "/activities/%d/photos/{pid}/delete", photo, form, "", map[string]int{"*": 404, "anon": 401, "admin": see, "reviewer": see, "chengjiaqiao": see}},
		row{"POST", "/imports", nil, form, "", map[string]int{"*": 422, "anon": 401, "viewer": 403}},
		row{"GET", "/import-jobs/999999", nil, "", "", map[string]int{"*": 404, "anon": redirect}},
		row{"GET", "/imports/%d/errors.xlsx", batch, "", "", map[string]int{"*": 404, "anon": redirect, "admin": ok, "reviewer": ok, "chengjiaqiao": ok}},
		// Settling suspected duplicates is the office's (the row here is none: 404).
		row{"POST", "/imports/%d/rows/2/keep", batch, form, "", map[string]int{"*": 403, "anon": 401, "admin": 404, "reviewer": 404}},
		row{"GET", "/registry/pairings", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"POST", "/registry/pairings", nil, form, "", map[string]int{"*": 403, "anon": 401, "admin": 422}},
		row{"GET", "/registry/users/%d", freshUser, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok}},
		row{"POST", "/registry/users/%d/reset", freshUser, form, "", map[string]int{"*": 403, "anon": 401, "admin": ok}},
		row{"POST", "/registry/users/%d/disable", freshUser, form, "", map[string]int{"*": 403, "anon": 401, "admin": see}},
		row{"GET", "/api/v1/me", nil, "", "", map[string]int{"*": ok, "anon": 401}},
	)
	// Registers of the people helped (web/people.go): the office, and unit
	// and county users for their own entries (a county also its county's);
	// viewers, 监管 and the market never. Exports and erasure are the
	// office's. Teams: everyone of the ledger reads, the admin keeps them.
	var heart, team int64
	if err := e.db.SQL().QueryRow(`SELECT id FROM batches WHERE kind = '先心病患儿赴沪治疗'`).Scan(&heart); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SQL().QueryRow(`SELECT MIN(id) FROM teams`).Scan(&team); err != nil {
		t.Fatal(err)
	}
	patient := func() int64 { // a fresh entry of 绿春县's office
		b := &people.Beneficiary{Kind: people.KindPatient, UnitID: e.user("lvchun").OrgID, Name: "演示-矩阵", BatchID: heart, Stage: "screening"}
		if err := e.db.SaveBeneficiary(ctx, e.user("admin"), b); err != nil {
			t.Fatal(err)
		}
		return b.ID
	}
	teamID := func() int64 { return team }
	register := func(m map[string]int) map[string]int {
		for _, r := range []string{"admin", "reviewer", "chengjiaqiao", "lvchun"} {
			if _, ok := m[r]; !ok {
				m[r] = m["*register"]
			}
		}
		delete(m, "*register")
		return m
	}
	rows = append(rows,
		row{"GET", "/people", nil, "", "", register(map[string]int{"*": 403, "anon": redirect, "*register": ok})},
		row{"GET", "/people/export.xlsx", nil, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok, "reviewer": ok}},
		row{"GET", "/people/%d", patient, "", "", register(map[string]int{"*": 403, "anon": redirect, "*register": ok, "chengjiaqiao": 404})},
		row{"GET", "/people/new", nil, "", "", register(map[string]int{"*": 403, "anon": redirect, "*register": ok})},
		row{"POST", "/people", nil, form, "", register(map[string]int{"*": 403, "anon": 401, "*register": 422})},
		row{"GET", "/people/%d/edit", patient, "", "", register(map[string]int{"*": 403, "anon": redirect, "*register": ok, "chengjiaqiao": 404})},
		row{"POST", "/people/%d", patient, form, "", register(map[string]int{"*": 403, "anon": 401, "*register": 422, "chengjiaqiao": 404})},
		row{"GET", "/people/%d/erase", patient, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok, "reviewer": ok}},
		row{"POST", "/people/%d/erase", patient, form, "confirm=yes", map[string]int{"*": 403, "anon": 401, "admin": see, "reviewer": see}},
		row{"GET", "/registry/teams", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"GET", "/registry/teams/%d", teamID, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"GET", "/registry/teams/new", nil, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok}},
		row{"POST", "/registry/teams", nil, form, "", map[string]int{"*": 403, "anon": 401, "admin": 422}},
		row{"GET", "/registry/teams/%d/edit", teamID, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok}},
		row{"POST", "/registry/teams/%d", teamID, form, "", map[string]int{"*": 403, "anon": 401, "admin": 422}},
	)
	// The market: the demo's 梯田红米 of 正华 (绿春县, listed) and a fresh
	// order of it by 程家桥街道's purchaser. Market-only accounts not named
	// get "*"; the rest of the perimeter is marketOnlyWant's.
	var product, supplier int64
	if err := e.db.SQL().QueryRow(`SELECT id, supplier_id FROM products WHERE name = '梯田红米'`).Scan(&product, &supplier); err != nil {
		t.Fatal(err)
	}
	productID, supplierID := func() int64 { return product }, func() int64 { return supplier }
	order := func() int64 {
		os, err := e.db.Checkout(ctx, e.user("cjq-caigou"), []market.CartLine{{Product: &market.Product{ID: product}, Qty: 1}}, "")
		if err != nil {
			t.Fatal(err)
		}
		return os[0].ID
	}
	office := func(m map[string]int) map[string]int {
		m["admin"], m["reviewer"] = m["*office"], m["*office"]
		delete(m, "*office")
		return m
	}
	rows = append(rows,
		row{"GET", "/market", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"GET", "/market/products", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"GET", "/market/products/new", nil, "", "", office(map[string]int{"*": 403, "anon": redirect, "*office": ok, "zhenghua": ok})},
		row{"POST", "/market/products", nil, form, "", office(map[string]int{"*": 403, "anon": 401, "*office": 422, "zhenghua": 422})},
		row{"GET", "/market/products/%d", productID, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"GET", "/market/products/%d/edit", productID, "", "", office(map[string]int{"*": 403, "anon": redirect, "*office": ok, "zhenghua": ok})},
		row{"POST", "/market/products/%d", productID, form, "", office(map[string]int{"*": 403, "anon": 401, "*office": 422, "zhenghua": 422})},
		// Certifying without a certificate: who may is told what is missing.
		row{"POST", "/market/products/%d/certify", productID, form, "", office(map[string]int{"*": 403, "anon": 401, "*office": 422, "lvchun": 422})},
		row{"GET", "/market/suppliers", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"POST", "/market/suppliers", nil, form, "", office(map[string]int{"*": 403, "anon": 401, "*office": 422, "lvchun": 422})},
		row{"GET", "/market/suppliers/%d", supplierID, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"POST", "/market/suppliers/%d/suspend", supplierID, form, "", office(map[string]int{"*": 403, "anon": 401, "*office": 422})},
		row{"GET", "/market/cart", nil, "", "", map[string]int{"*": 403, "anon": redirect, "cjq-caigou": ok}},
		row{"POST", "/market/cart", nil, form, "", map[string]int{"*": 403, "anon": 401, "cjq-caigou": see}}, // no quantity: told on the product page
		row{"POST", "/market/cart/remove", nil, form, "", map[string]int{"*": 403, "anon": 401, "cjq-caigou": see}},
		row{"POST", "/market/checkout", nil, form, "", map[string]int{"*": 403, "anon": 401, "cjq-caigou": 422}},
		row{"GET", "/market/orders", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		// The order's parties and its overseers see it; nobody else knows it is there.
		row{"GET", "/market/orders/%d", order, "", "", office(map[string]int{"*": 404, "anon": redirect, "*office": ok, "caizheng": ok, "zhenghua": ok, "cjq-guanli": ok, "cjq-caigou": ok})},
		row{"POST", "/market/orders/%d/confirm", order, form, "", office(map[string]int{"*": 404, "anon": 401, "*office": 403, "caizheng": 403, "zhenghua": see, "cjq-guanli": 403, "cjq-caigou": 403})},
		// Accepting a pending order: the purchaser is told it cannot yet (back to the order).
		row{"POST", "/market/orders/%d/accept", order, form, "", office(map[string]int{"*": 404, "anon": 401, "*office": 403, "caizheng": 403, "zhenghua": 403, "cjq-guanli": 403, "cjq-caigou": see})},
		row{"GET", "/market/orders/%d/files/1", order, "", "", map[string]int{"*": 404, "anon": redirect}},
		row{"GET", "/market/purchases", nil, "", "", office(map[string]int{"*": 403, "anon": redirect, "*office": ok, "caizheng": ok, "cjq-guanli": ok})},
		row{"POST", "/market/purchases", nil, form, "", office(map[string]int{"*": 403, "anon": 401, "*office": 422, "caizheng": 422, "cjq-guanli": 422})},
		row{"GET", "/market/purchases/template.xlsx", nil, "", "", office(map[string]int{"*": 403, "anon": redirect, "*office": ok, "caizheng": ok, "cjq-guanli": ok})},
		row{"POST", "/market/purchases/record", nil, form, "", office(map[string]int{"*": 403, "anon": 401, "*office": 422, "caizheng": 422, "cjq-guanli": 422})},
		row{"GET", "/api/v1/market/products", nil, "", "", map[string]int{"*": ok, "anon": 401}},
		// No Idempotency-Key: a purchaser is told to send one; nobody else may check out.
		row{"POST", "/api/v1/market/checkout", nil, "application/json", `{"lines":[]}`, map[string]int{"*": 403, "anon": 401, "cjq-caigou": 422}},
		row{"GET", "/api/v1/market/orders", nil, "", "", map[string]int{"*": ok, "anon": 401}},
		row{"GET", "/api/v1/market/orders/%d", order, "", "", office(map[string]int{"*": 404, "anon": 401, "*office": ok, "caizheng": ok, "zhenghua": ok, "cjq-guanli": ok, "cjq-caigou": ok})},
		row{"POST", "/api/v1/market/orders/%d/confirm", order, "application/json", "", office(map[string]int{"*": 404, "anon": 401, "*office": 403, "caizheng": 403, "zhenghua": ok, "cjq-guanli": 403, "cjq-caigou": 403})},
	)
	// The catalogue's import and export, product photos and ratings
	// (web/market_catalogue.go): the office, suppliers and the county
	// import (empty uploads: 422 for who may); 监管 exports too; the
	// product's supplier and the office manage its photos, everyone who
	// sees the product sees them; the buyer unit rates (a pending order:
	// refused with a message), the supplier, the office and 监管 read ratings.
	catalogueBatch := func() int64 {
		data := []byte("供应商,商品名称,品类,产地,单位,单价（元）,库存\n,坏米,粮油,火星县,袋,0,-1\n")
		b, _ := imports.Products(ctx, e.db, e.user("zhenghua"), "坏目录.csv", bytes.NewReader(data), int64(len(data)), imports.Options{})
		if b == nil {
			t.Fatal("no catalogue batch")
		}
		return b.ID
	}
	productPhoto := func() int64 { // a fresh photo (a product has at most five)
		e.db.SQL().Exec(`DELETE FROM product_photos WHERE product_id = $1`, product)
		ph, err := e.db.AddProductPhotos(ctx, e.user("admin"), product, []store.PhotoUpload{{Name: "红米.png", Data: testdb.PNG(t)}})
		if err != nil {
			t.Fatal(err)
		}
		photoIDs[product] = ph[0].ID
		return product
	}
	rows = append(rows,
		row{"GET", "/market/products/import", nil, "", "", office(map[string]int{"*": 403, "anon": redirect, "*office": ok, "lvchun": ok, "zhenghua": ok})},
		row{"POST", "/market/products/import", nil, form, "", office(map[string]int{"*": 403, "anon": 401, "*office": 422, "lvchun": 422, "zhenghua": 422})},
		row{"GET", "/market/products/template.xlsx", nil, "", "", office(map[string]int{"*": 403, "anon": redirect, "*office": ok, "lvchun": ok, "zhenghua": ok})},
		row{"GET", "/market/products/export.xlsx", nil, "", "", office(map[string]int{"*": 403, "anon": redirect, "*office": ok, "lvchun": ok, "zhenghua": ok, "caizheng": ok})},
		row{"GET", "/market/catalogue/batches/%d/errors.xlsx", catalogueBatch, "", "", office(map[string]int{"*": 404, "anon": redirect, "*office": ok, "zhenghua": ok})},
		row{"POST", "/market/products/%d/photos", productID, form, "", office(map[string]int{"*": 403, "anon": 401, "*office": see, "zhenghua": see})},
		row{"GET", "/market/products/%d/photos/{pid}", productPhoto, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"POST", "/market/products/%d/photos/{pid}/delete", productPhoto, form, "", office(map[string]int{"*": 403, "anon": 401, "*office": see, "zhenghua": see})},
		row{"POST", "/market/orders/%d/rate", order, form, "", office(map[string]int{"*": 404, "anon": 401, "*office": 403, "caizheng": 403, "zhenghua": 403, "cjq-guanli": see, "cjq-caigou": see})},
		row{"GET", "/market/ratings", nil, "", "", office(map[string]int{"*": 403, "anon": redirect, "*office": ok, "caizheng": ok, "zhenghua": ok})},
	)
	// Buyer units and accounts (web/market_accounts.go): the office and
	// 监管 open accounts and see their activation; /activate is public.
	pendingAccount := func() int64 {
		a := &store.NewBuyerAccount{Unit: registry.Organisation{Name: "长宁区矩阵测试局", Kind: "委办局"}, Role: xiezuo.RolePurchaser,
			DisplayName: "矩阵", Username: fmt.Sprintf("matrix-%d", time.Now().UnixNano())}
		id, _, err := e.db.ImportBuyerAccount(ctx, e.user("admin"), a)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	accounts := func(m map[string]int) map[string]int {
		m["admin"], m["reviewer"], m["caizheng"] = m["*accounts"], m["*accounts"], m["*accounts"]
		delete(m, "*accounts")
		return m
	}
	rows = append(rows,
		row{"GET", "/activate", nil, "", "", map[string]int{"*": ok}},
		row{"POST", "/activate", nil, form, "", map[string]int{"*": 422}}, // no password: refused before any code is checked
		row{"GET", "/market/accounts", nil, "", "", accounts(map[string]int{"*": 403, "anon": redirect, "*accounts": ok})},
		row{"GET", "/market/accounts/template.xlsx", nil, "", "", accounts(map[string]int{"*": 403, "anon": redirect, "*accounts": ok})},
		row{"POST", "/market/accounts/import", nil, form, "", accounts(map[string]int{"*": 403, "anon": 401, "*accounts": 422})},
		row{"POST", "/market/accounts/codes.xlsx", nil, form, "", accounts(map[string]int{"*": 403, "anon": 401, "*accounts": 422})},
		row{"POST", "/market/accounts/%d/code", pendingAccount, form, "", accounts(map[string]int{"*": 403, "anon": 401, "*accounts": 201})},
	)
	// Reserved shares and supervision: the office and 监管 supervise (a
	// buyer unit's management account is sent to its own share page); the
	// office alone sets the year's ratio; the management account alone
	// files its unit's share. Empty forms: who may is told what is missing.
	rows = append(rows,
		row{"GET", "/market/supervision", nil, "", "", office(map[string]int{"*": 403, "anon": redirect, "*office": ok, "caizheng": ok, "cjq-guanli": see})},
		row{"GET", "/market/supervision.xlsx", nil, "", "", office(map[string]int{"*": 403, "anon": redirect, "*office": ok, "caizheng": ok})},
		row{"POST", "/market/supervision/ratio", nil, form, "", office(map[string]int{"*": 403, "anon": 401, "*office": 422, "caizheng": 403})},
		row{"GET", "/market/share", nil, "", "", map[string]int{"*": 403, "anon": redirect, "caizheng": 403, "cjq-guanli": ok}},
		row{"POST", "/market/share", nil, form, "", map[string]int{"*": 403, "anon": 401, "caizheng": 403, "cjq-guanli": 422}},
	)
	// The monthly 消费帮扶 通报 as Word (web/market_notice.go): the office
	// and 监管, as the .xlsx; a bad month is told.
	rows = append(rows,
		row{"GET", "/market/supervision.docx", nil, "", "", office(map[string]int{"*": 403, "anon": redirect, "*office": ok, "caizheng": ok})},
		row{"GET", "/market/supervision.docx?month=13", nil, "", "", office(map[string]int{"*": 403, "anon": redirect, "*office": 422, "caizheng": 422})},
	)
	// A buyer unit's own management (web/market_buyers.go): its management
	// account manages its purchasers and checks its subordinate units'
	// filings, reaching nobody else's (not found); the office keeps the
	// 832 list, which 监管 reads.
	cjqPurchaser := func() int64 {
		id, _, err := e.db.AddPurchaser(ctx, e.user("cjq-guanli"), &store.NewBuyerAccount{DisplayName: "矩阵", Username: fmt.Sprintf("cjq-matrix-%d", time.Now().UnixNano())})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	otherPurchaser := func() int64 { return e.user("yzx-caigou").ID }
	subunit := func() int64 { return e.user("yzx-guanli").OrgID } // 教育局's
	county832 := func() int64 {
		if _, err := e.db.Add832County(ctx, e.user("admin"), "532528000000"); err != nil && xiezuo.ErrorCode(err) != xiezuo.ECONFLICT {
			t.Fatal(err)
		}
		return 532528000000
	}
	checkForm := "status=approved&year=" + e.db.Today()[:4]
	rows = append(rows,
		row{"GET", "/market/unit", nil, "", "", map[string]int{"*": 403, "anon": redirect, "cjq-guanli": ok}},
		row{"POST", "/market/unit/purchasers", nil, form, "", map[string]int{"*": 403, "anon": 401, "cjq-guanli": 422}},
		row{"POST", "/market/unit/purchasers/%d/disable", cjqPurchaser, form, "", map[string]int{"*": 403, "anon": 401, "cjq-guanli": see}},
		row{"POST", "/market/unit/purchasers/%d/code", cjqPurchaser, form, "", map[string]int{"*": 403, "anon": 401, "cjq-guanli": 201}},
		row{"POST", "/market/unit/purchasers/%d/disable", otherPurchaser, form, "", map[string]int{"*": 403, "anon": 401, "cjq-guanli": 404}},
		row{"GET", "/market/subunits", nil, "", "", map[string]int{"*": 403, "anon": redirect, "cjq-guanli": ok}},
		row{"POST", "/market/subunits/%d/check", subunit, form, checkForm, map[string]int{"*": 403, "anon": 401, "cjq-guanli": 404}},
		row{"GET", "/market/counties832", nil, "", "", office(map[string]int{"*": 403, "anon": redirect, "*office": ok, "caizheng": ok})},
		row{"POST", "/market/counties832", nil, form, "", office(map[string]int{"*": 403, "anon": 401, "*office": 422, "caizheng": 403})},
		row{"POST", "/market/counties832/%d/remove", county832, form, "", office(map[string]int{"*": 403, "anon": 401, "*office": see, "caizheng": 403})},
	)
	// Subscriptions and pledges (认领/认购 and 认捐, web/market_lots.go): the
	// office and a lot's organising unit's management account manage a
	// lot, 监管 and the organiser's purchaser read it, so does its supplier;
	// a pledge is the office's and its giver's. The demo's lot is
	// 临空园区's (of 正华); the fresh ones are 程家桥街道's. Empty forms: who
	// may is told what is missing; who may see but not manage is refused;
	// nobody else learns the record is there.
	var demoLot int64
	if err := e.db.SQL().QueryRow(`SELECT id FROM lots WHERE name = '梯田红米' AND year = 2020`).Scan(&demoLot); err != nil {
		t.Fatal(err)
	}
	cjqUnit := e.user("cjq-guanli").OrgID
	cjqLot := func() int64 {
		l := &market.Lot{Name: "梯田红米", SupplierID: supplier, OriginCode: "532531101000", OrganiserID: cjqUnit, Year: 2021, Unit: "亩", Quantity: 10, PriceFen: 398200}
		if err := e.db.SaveLot(ctx, e.user("admin"), l); err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	cjqPledge := func() int64 {
		p := &market.Pledge{GiverID: cjqUnit, CountyCode: "532531000000", AmountFen: 100_000, PledgedOn: "2021-03-01"}
		if err := e.db.SavePledge(ctx, e.user("admin"), p); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	lotWant := func(m map[string]int) map[string]int { // managers, readers; "*" and anon given
		m["admin"], m["reviewer"], m["cjq-guanli"] = m["*manage"], m["*manage"], m["*manage"]
		m["caizheng"], m["cjq-caigou"], m["zhenghua"] = m["*read"], m["*read"], m["*read"]
		delete(m, "*manage")
		delete(m, "*read")
		return m
	}
	pledgeWant := func(m map[string]int) map[string]int { // a role given explicitly is kept
		for role, as := range map[string]string{"admin": "*manage", "reviewer": "*manage", "cjq-guanli": "*manage", "caizheng": "*read", "cjq-caigou": "*read", "zhenghua": "*"} {
			if _, given := m[role]; !given {
				m[role] = m[as]
			}
		}
		delete(m, "*manage")
		delete(m, "*read")
		return m
	}
	rows = append(rows,
		row{"GET", "/market/lots", nil, "", "", lotWant(map[string]int{"*": 403, "anon": redirect, "*manage": ok, "*read": ok})},
		row{"POST", "/market/lots", nil, form, "", lotWant(map[string]int{"*": 403, "anon": 401, "*manage": 422, "*read": 403})},
		row{"GET", "/market/lots/%d", func() int64 { return demoLot }, "", "", office(map[string]int{"*": 404, "anon": redirect, "*office": ok, "caizheng": ok, "zhenghua": ok})},
		row{"GET", "/market/lots/%d", cjqLot, "", "", lotWant(map[string]int{"*": 404, "anon": redirect, "*manage": ok, "*read": ok})},
		row{"GET", "/market/lots/%d/edit", cjqLot, "", "", lotWant(map[string]int{"*": 404, "anon": redirect, "*manage": ok, "*read": 403})},
		row{"POST", "/market/lots/%d", cjqLot, form, "", lotWant(map[string]int{"*": 404, "anon": 401, "*manage": 422, "*read": 403})},
		row{"POST", "/market/lots/%d/shares", cjqLot, form, "", lotWant(map[string]int{"*": 404, "anon": 401, "*manage": 422, "*read": 403})},
		row{"POST", "/market/lots/%d/shares/1", cjqLot, form, "", lotWant(map[string]int{"*": 404, "anon": 401, "*manage": 422, "*read": 403})},
		// Share 1 is not this lot's: who may manage the lot is told so.
		row{"POST", "/market/lots/%d/shares/1/delete", cjqLot, form, "", lotWant(map[string]int{"*": 404, "anon": 401, "*manage": 404, "*read": 403})},
		row{"POST", "/market/lots/%d/fulfil", cjqLot, form, "", lotWant(map[string]int{"*": 404, "anon": 401, "*manage": 422, "*read": 403})},
		row{"POST", "/market/lots/%d/fulfil", func() int64 { return demoLot }, form, "harvest_on=2020-10-21", office(map[string]int{"*": 404, "anon": 401, "*office": 409, "caizheng": 403, "zhenghua": 403})},
		row{"GET", "/market/pledges", nil, "", "", pledgeWant(map[string]int{"*": 403, "anon": redirect, "*manage": ok, "*read": ok})},
		row{"POST", "/market/pledges", nil, form, "", pledgeWant(map[string]int{"*": 403, "anon": 401, "*manage": 422, "*read": 403})},
		row{"GET", "/market/pledges/%d", cjqPledge, "", "", pledgeWant(map[string]int{"*": 404, "anon": redirect, "*manage": ok, "*read": ok})},
		row{"POST", "/market/pledges/%d", cjqPledge, form, "", pledgeWant(map[string]int{"*": 404, "anon": 401, "*manage": 422, "*read": 403})},
		row{"POST", "/market/pledges/%d/delete", cjqPledge, form, "", pledgeWant(map[string]int{"*": 404, "anon": 401, "*manage": see, "*read": 403})},
		// No order chosen: the giver's purchaser may link one too.
		row{"POST", "/market/pledges/%d/orders", cjqPledge, form, "", pledgeWant(map[string]int{"*": 404, "anon": 401, "*manage": 422, "*read": 403, "cjq-caigou": 422})},
	)
	// Reminders: the outbox is the office admin's; a unit's webhook the
	// office's and the unit's own; one's digest address everyone's.
	cjqOrg := func() int64 { return e.user("chengjiaqiao").OrgID }
	lcOrg := func() int64 { return e.user("lvchun").OrgID }
	rows = append(rows,
		row{"GET", "/reminders/outbox", nil, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok}},
		row{"GET", "/reminders/webhook/%d", cjqOrg, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok, "reviewer": ok, "chengjiaqiao": ok}},
		row{"GET", "/reminders/webhook/%d", lcOrg, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok, "reviewer": ok, "lvchun": ok}},
		row{"POST", "/reminders/webhook/%d", cjqOrg, form, "webhook_url=ftp%3A%2F%2Fexample.cn%2Fhook", map[string]int{"*": 403, "anon": 401, "admin": 422, "reviewer": 422, "chengjiaqiao": 422}},
		row{"POST", "/reminders/webhook/%d", cjqOrg, form, "webhook_url=https%3A%2F%2Fexample.cn%2Fhook", map[string]int{"*": 403, "anon": 401, "admin": see, "reviewer": see, "chengjiaqiao": see}},
		row{"POST", "/reminders/webhook/%d/test", cjqOrg, form, "", map[string]int{"*": 403, "anon": 401, "admin": see, "reviewer": see, "chengjiaqiao": see}},
		row{"POST", "/reminders/webhook/%d/test", lcOrg, form, "", map[string]int{"*": 403, "anon": 401, "admin": 422, "reviewer": 422, "lvchun": 422}},
		row{"POST", "/account/email", nil, form, "email=someone%40example.cn", map[string]int{"*": see, "anon": 401}},
		row{"POST", "/account/email", nil, form, "email=not-an-address", map[string]int{"*": 422, "anon": 401}},
	)
	// 需求与计划 (web/plan.go): needs by 绿春县, resources by 程家桥街道,
	// moderation and the plan by the office; market-only accounts never.
	today := e.db.Today()
	nextYear := strconv.Itoa(atoi(today[:4])+1) + "-06-30"
	needSeq := 0
	pendingNeed := func() int64 {
		needSeq++
		n := &plan.Need{CountyCode: "532531000000", Category: "education", Item: "村小学电脑" + strconv.Itoa(needSeq) + "号", Quantity: 20, Unit: "台", AmountFen: 10_000_000,
			AskedOn: today, NeededBy: nextYear, Contact: "李老师"}
		if err := e.db.SaveNeed(ctx, e.user("lvchun"), n); err != nil {
			t.Fatal(err)
		}
		return n.ID
	}
	publishedNeed := func() int64 {
		id := pendingNeed()
		if err := e.db.NeedAction(ctx, e.user("admin"), id, plan.NeedApprove, ""); err != nil {
			t.Fatal(err)
		}
		return id
	}
	cjqResource := func() int64 {
		r := &plan.Resource{Category: "education", Form: "in_kind", Item: "台式电脑", Quantity: 20, Unit: "台", AmountFen: 10_000_000,
			AvailableFrom: today, AvailableUntil: nextYear, Contact: "王科长"}
		if err := e.db.SaveResource(ctx, e.user("chengjiaqiao"), r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	planItem := func() int64 {
		it := &plan.Item{Year: atoi(today[:4]) + 1, CountyCode: "532531000000", Kind: plan.OutcomeProject, Title: "产业路", Category: "infrastructure", TargetFen: 100}
		if err := e.db.SavePlanItem(ctx, e.user("admin"), it); err != nil {
			t.Fatal(err)
		}
		return it.ID
	}
	confirmedMatch := func() int64 {
		m, err := e.db.AnswerMatch(ctx, e.user("admin"), publishedNeed(), cjqResource(), true, "")
		if err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	with := func(base map[string]int, more map[string]int) map[string]int {
		m := map[string]int{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range more {
			m[k] = v
		}
		return m
	}
	rows = append(rows,
		row{"GET", "/plan", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"POST", "/plan/items", nil, form, "", map[string]int{"*": 403, "anon": 401, "admin": 422, "reviewer": 422}},
		row{"GET", "/plan/items/%d", planItem, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok, "reviewer": ok}},
		row{"POST", "/plan/items/%d", planItem, form, "", map[string]int{"*": 403, "anon": 401, "admin": 422, "reviewer": 422}},
		row{"POST", "/plan/items/%d/delete", planItem, form, "", map[string]int{"*": 403, "anon": 401, "admin": see, "reviewer": see}},
		row{"GET", "/plan/needs", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"GET", "/plan/needs/new", nil, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok, "reviewer": ok, "lvchun": ok}},
		row{"POST", "/plan/needs", nil, form, "", map[string]int{"*": 403, "anon": 401, "admin": 422, "reviewer": 422, "lvchun": 422}},
		row{"GET", "/plan/needs/%d", pendingNeed, "", "", map[string]int{"*": 404, "anon": redirect, "admin": ok, "reviewer": ok, "lvchun": ok}},
		row{"GET", "/plan/needs/%d", publishedNeed, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"GET", "/plan/needs/%d/edit", pendingNeed, "", "", map[string]int{"*": 404, "anon": redirect, "admin": ok, "reviewer": ok, "lvchun": ok}},
		row{"GET", "/plan/needs/%d/edit", publishedNeed, "", "", map[string]int{"*": 403, "anon": redirect, "admin": 409, "reviewer": 409, "lvchun": 409}},
		row{"POST", "/plan/needs/%d", pendingNeed, form, "", map[string]int{"*": 404, "anon": 401, "admin": 422, "reviewer": 422, "lvchun": 422}},
		row{"POST", "/plan/needs/%d/approve", pendingNeed, form, "", map[string]int{"*": 404, "anon": 401, "admin": see, "reviewer": see, "lvchun": 403}},
		row{"GET", "/plan/review", nil, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok, "reviewer": ok}},
		row{"GET", "/plan/resources", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"GET", "/plan/resources/new", nil, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok, "reviewer": ok, "chengjiaqiao": ok}},
		row{"POST", "/plan/resources", nil, form, "", map[string]int{"*": 403, "anon": 401, "admin": 422, "reviewer": 422, "chengjiaqiao": 422}},
		row{"GET", "/plan/resources/%d", cjqResource, "", "", map[string]int{"*": ok, "anon": redirect}},
		row{"GET", "/plan/resources/%d/edit", cjqResource, "", "", map[string]int{"*": 403, "anon": redirect, "admin": ok, "reviewer": ok, "chengjiaqiao": ok}},
		row{"POST", "/plan/resources/%d", cjqResource, form, "", map[string]int{"*": 403, "anon": 401, "admin": 422, "reviewer": 422, "chengjiaqiao": 422}},
		row{"GET", "/plan/matches", nil, "", "", map[string]int{"*": ok, "anon": redirect}},
		// No such need: nobody answers it.
		row{"POST", "/plan/matches", nil, form, "need_id=0&resource_id=0&answer=accept", map[string]int{"*": 404, "anon": 401}},
		row{"POST", "/plan/matches/%d/deliver", confirmedMatch, form, "", with(map[string]int{"*": 403, "anon": 401}, map[string]int{"admin": see, "reviewer": see, "chengjiaqiao": see})},
	)
	rows = append(rows,
		// Last: it signs every client out.
		row{"POST", "/logout", nil, form, "", map[string]int{"*": see}},
	)
	covered := map[string]bool{}
	for _, r := range rows {
		req := httptest.NewRequest(r.method, strings.NewReplacer("%d", "1", "{pid}", "1").Replace(r.path), nil)
		covered[e.s.Pattern(req)] = true
	}
	for _, p := range e.s.Routes() {
		if !covered[p] {
			t.Errorf("route %q is not in the authorisation matrix", p)
		}
	}
	for _, r := range rows {
		for _, role := range roles {
			path := r.path
			if r.fixture != nil {
				id := r.fixture()
				path = strings.ReplaceAll(fmt.Sprintf(r.path, id), "{pid}", fmt.Sprint(photoIDs[id]))
			}
			body := r.body
			if strings.Contains(body, "%d") {
				body = fmt.Sprintf(body, time.Now().UnixNano())
			}
			if role == "chengjiaqiao" || role == "lvchun" {
				body = strings.Replace(body, "unit_id=&", "", 1)
			}
			resp, text := do(t, clients[role], r.method, e.srv.URL+path, r.ctype, body)
			want, okRole := r.want[role]
			if !okRole && role == "caizheng" { // 监管 reads as a viewer does
				want, okRole = r.want["viewer"]
			}
			if !okRole {
				want = r.want["*"]
			}
			if marketAccounts[role] && !okRole {
				want = marketOnlyWant(r.method, r.path, r.want, want)
			}
			if resp.StatusCode != want {
				t.Errorf("%s %s as %s: status %d, want %d; body: %.200s", r.method, path, role, resp.StatusCode, want, text)
			}
		}
	}
}

// marketAccounts are the demo's market-only accounts (supplier, buyer
// admin, purchaser).
var marketAccounts = map[string]bool{"zhenghua": true, "cjq-guanli": true, "cjq-caigou": true}

// marketOnlyWant is what a market-only account gets from a route whose
// status for the signed-in is want: a route that needs signing in (anon
// is sent to /login or gets 401) is forbidden unless it is the market's or
// the account's own; the home page sends them to the market.
func marketOnlyWant(method, path string, w map[string]int, want int) int {
	anon, ok := w["anon"]
	if !ok {
		anon = w["*"]
	}
	if anon != 303 && anon != 401 {
		return want // public
	}
	if method == "GET" && path == "/" {
		return 303
	}
	for _, p := range []string{"/market", "/api/v1/market", "/account", "/tokens/", "/api/v1/me", "/login", "/logout"} {
		if strings.HasPrefix(path, p) {
			return want
		}
	}
	return 403
}

// kindWant is who may open the new-record form, post a new record
// (an empty form: 422 for those who may), or post one through the API, for
// the record kinds besides contributions.
func kindWant(base, what string) map[string]int {
	m := map[string]int{"*": 422, "viewer": 403, "anon": 401}
	if what == "new" {
		m = map[string]int{"*": 200, "viewer": 403, "anon": 303}
	}
	return m
}

func TestContributionsAPIContract(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("viewer")
	resp, body := do(t, c, "GET", e.srv.URL+"/api/v1/contributions?county=532531000000&form=cash&status=approved&delivery=delivered&from=2020-09-01&to=2020-09-30", "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got struct {
		Items []map[string]any `json:"items"`
		Tot   struct {
			Count     int64            `json:"count"`
			AmountFen int64            `json:"amount_fen"`
			ByForm    map[string]int64 `json:"by_form"`
		} `json:"totals"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	// Cash to 绿春县 in September 2020: 30,000 + 98,888 + 758,700 元.
	if got.Tot.Count != 3 || got.Tot.AmountFen != 88758800 || got.Tot.ByForm["cash"] != 88758800 || len(got.Items) != 3 {
		t.Fatalf("totals %+v, %d items", got.Tot, len(got.Items))
	}
	it := got.Items[0]
	for _, k := range []string{"id", "date_from", "date_to", "givers", "county_code", "form", "amount_fen", "status", "delivery"} {
		if _, ok := it[k]; !ok {
			t.Errorf("item lacks %q: %v", k, it)
		}
	}
	if it["county_code"] != "532531000000" || it["status"] != "approved" || it["form"] != "cash" {
		t.Errorf("item %v", it)
	}
	// A county filter includes its villages: 曼洛村 and 龙洞村 items are in 绿春县.
	_, body = do(t, c, "GET", e.srv.URL+"/api/v1/contributions?county=532531000000&form=in_kind&limit=500", "", "")
	if !strings.Contains(body, `"village_code":"532531102202"`) {
		t.Errorf("village record missing from county filter")
	}
	// Bad parameters: a Chinese message naming the parameter.
	resp, body = do(t, c, "GET", e.srv.URL+"/api/v1/contributions?form=gold&from=2020-13-01", "", "")
	if resp.StatusCode != 422 || !strings.Contains(body, `"form"`) || !strings.Contains(body, "起始日期") {
		t.Fatalf("bad params: %d %s", resp.StatusCode, body)
	}
	// A bearer token works like a session, with the same rights.
	tok, err := e.db.CreateToken(ctx, nil, e.user("xinhualu").ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	id := e.draft("chengjiaqiao")
	plain := &http.Client{}
	resp, _ = do(t, plain, "GET", fmt.Sprintf("%s/api/v1/contributions/%d", e.srv.URL, id), "", "", "Authorization", "Bearer "+tok)
	if resp.StatusCode != 404 {
		t.Fatalf("token of another unit read a draft: %d", resp.StatusCode)
	}
	resp, _ = do(t, plain, "GET", e.srv.URL+"/api/v1/me", "", "", "Authorization", "Bearer xz_wrong")
	if resp.StatusCode != 401 {
		t.Fatalf("bad token: %d", resp.StatusCode)
	}
	// Invalid JSON input: 422 with field messages, nothing written.
	before, _, _ := e.db.ListContributions(ctx, e.user("admin"), ledger.ContributionFilter{Limit: 500})
	resp, body = do(t, plain, "POST", e.srv.URL+"/api/v1/contributions", "application/json",
		`{"date_from":"2020-09-05","date_to":"2020-09-01","givers":[],"county_code":"532531000000","township_code":"532530205000","form":"cash","sector":"education","delivery":"delivered","amount_fen":-1}`,
		"Authorization", "Bearer "+tok)
	if resp.StatusCode != 422 {
		t.Fatalf("invalid create: %d %s", resp.StatusCode, body)
	}
	for _, f := range []string{"date_to", "givers", "township_code", "amount"} {
		if !strings.Contains(body, `"`+f+`"`) {
			t.Errorf("error lacks field %s: %s", f, body)
		}
	}
	after, _, _ := e.db.ListContributions(ctx, e.user("admin"), ledger.ContributionFilter{Limit: 500})
	if len(after) != len(before) {
		t.Fatal("invalid input was written")
	}
}

func TestRecordAPIs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok, _ := e.db.CreateToken(ctx, nil, e.user("lvchun").ID, "", 0)
	c := &http.Client{}
	auth := []string{"Authorization", "Bearer " + tok}
	body := `{"title":"茶叶初制所","county_code":"%s","sector":"industry","funding_source":"上海市财政援助资金","budget_fen":50000000,"deadline":"2021-10-31","work_state":"planned","status":"approved"}`
	resp, text := do(t, c, "POST", e.srv.URL+"/api/v1/projects", "application/json", fmt.Sprintf(body, "532530000000"), auth...)
	if resp.StatusCode != 422 || !strings.Contains(text, "受援县用户只能填报本县的记录") {
		t.Fatalf("other county: %d %s", resp.StatusCode, text)
	}
	resp, text = do(t, c, "POST", e.srv.URL+"/api/v1/projects", "application/json", fmt.Sprintf(body, "532531000000"), auth...)
	if resp.StatusCode != 201 || !strings.Contains(text, `"status":"draft"`) || !strings.Contains(text, `"unit_name":"绿春县东西部扶贫协作办公室"`) {
		t.Fatalf("create project: %d %s", resp.StatusCode, text)
	}
	resp, text = do(t, c, "GET", e.srv.URL+"/api/v1/projects?county=532531000000", "", "", auth...)
	if resp.StatusCode != 200 || strings.Count(text, `"title"`) != 2 {
		t.Fatalf("list projects: %d %s", resp.StatusCode, text)
	}
	for _, path := range []string{"/api/v1/agreements", "/api/v1/labour", "/api/v1/batches", "/api/v1/activities"} {
		resp, text = do(t, c, "GET", e.srv.URL+path, "", "", auth...)
		if resp.StatusCode != 200 || !strings.HasPrefix(text, `{"items":[`) {
			t.Errorf("%s: %d %.80s", path, resp.StatusCode, text)
		}
	}
}

func TestFormErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("chengjiaqiao")
	bad := url.Values{"date_from": {"2020-09-05"}, "date_to": {"2020-09-01"}, "givers": {"不存在的公司"}, "county_code": {"532531000000"},
		"township": {"者米乡"}, "form": {"cash"}, "sector": {"education"}, "delivery": {"delivered"}, "amount": {"-5"}}
	resp, body := do(t, c, "POST", e.srv.URL+"/contributions", form, bad.Encode())
	if resp.StatusCode != 422 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, msg := range []string{"截止日期不能早于开始日期", "“不存在的公司”不在单位名录中", "受援乡镇", "金额格式不正确", "不存在的公司"} {
		if !strings.Contains(body, msg) {
			t.Errorf("page lacks %q", msg)
		}
	}
	// A good form saves a draft and leads to it; paste-style input is accepted.
	good := url.Values{"date_from": {"2020/9/2"}, "givers": {"拼多多、上海龙舜投资管理有限公司"}, "county_code": {"532531000000"},
		"township": {"大兴镇"}, "village": {"阿迪村"}, "form": {"cash"}, "sector": {"education"}, "delivery": {"delivered"}, "amount": {"3.5万"}}
	resp, _ = do(t, c, "POST", e.srv.URL+"/contributions", form, good.Encode())
	if resp.StatusCode != 303 {
		t.Fatalf("good form: %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	_, page := do(t, c, "GET", e.srv.URL+loc, "", "")
	for _, want := range []string{"35,000.00 元", "上海寻梦信息技术有限公司、上海龙舜投资管理有限公司", "大兴镇", "阿迪村委会", "草稿"} {
		if !strings.Contains(page, want) {
			t.Errorf("saved page lacks %q", want)
		}
	}
}

func TestRegistryForms(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("admin")
	resp, body := do(t, c, "POST", e.srv.URL+"/registry/users", form, url.Values{"username": {"jiangsulu"}, "password": {"short"}, "role": {"unit"}}.Encode())
	if resp.StatusCode != 422 || !strings.Contains(body, "密码至少8位") || !strings.Contains(body, "须指定所属单位") {
		t.Fatalf("bad user form: %d", resp.StatusCode)
	}
	// A weak password is refused with the reason, a strong one accepted.
	resp, body = do(t, c, "POST", e.srv.URL+"/registry/users", form, url.Values{"username": {"jiangsulu"}, "password": {"12345678"}, "role": {"unit"}, "org": {"江苏路街道"}}.Encode())
	if resp.StatusCode != 422 || !strings.Contains(body, "密码太简单") {
		t.Fatalf("weak password: %d", resp.StatusCode)
	}
	resp, _ = do(t, c, "POST", e.srv.URL+"/registry/users", form, url.Values{"username": {"jiangsulu"}, "password": {"Jiangsu-road-2020"}, "role": {"unit"}, "org": {"江苏路街道"}}.Encode())
	if resp.StatusCode != 303 {
		t.Fatalf("good user form: %d", resp.StatusCode)
	}
	if u := e.user("jiangsulu"); u.OrgName != "江苏路街道" || u.Role != xiezuo.RoleUnit {
		t.Fatalf("created user %+v", u)
	}
	if resp, _ := do(t, e.client(""), "POST", e.srv.URL+"/login", form, "username=JiangSuLu&password=Jiangsu-road-2020"); resp.StatusCode != 303 {
		t.Fatalf("new user cannot sign in: %d", resp.StatusCode)
	}
	resp, body = do(t, c, "POST", e.srv.URL+"/registry/orgs", form, url.Values{"name": {"新企业"}, "kind": {"企业"}, "side": {"east"}, "uscc": {"91310000MA1FL4T91X"}}.Encode())
	if resp.StatusCode != 422 || !strings.Contains(body, "统一社会信用代码校验位不正确") {
		t.Fatalf("bad USCC: %d", resp.StatusCode)
	}
	// Editing: a bad credit code on an existing unit is shown on its form.
	resp, body = do(t, c, "POST", e.srv.URL+"/registry/orgs/2", form, url.Values{"name": {"上海市长宁区人民政府"}, "kind": {"区县"}, "side": {"east"}, "uscc": {"123"}}.Encode())
	if resp.StatusCode != 422 || !strings.Contains(body, "修改单位") || !strings.Contains(body, "统一社会信用代码校验位不正确") {
		t.Fatalf("org edit error: %d", resp.StatusCode)
	}
	resp, body = do(t, c, "POST", e.srv.URL+"/registry/people", form, url.Values{"name": {"李四"}, "kind": {"援滇干部"}, "org": {"程家桥街道"}, "dest": {"火星村"}}.Encode())
	if resp.StatusCode != 422 || !strings.Contains(body, "派驻地") {
		t.Fatalf("unknown destination: %d", resp.StatusCode)
	}
}

func TestLoginThrottleAndCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Throttling: see signin_test.go.
	// Cross-site form posts are refused before any handler runs.
	admin := e.client("reviewer")
	resp, _ := do(t, admin, "POST", e.srv.URL+"/records/contribution/1/reopen", form, "reason=x", "Sec-Fetch-Site", "cross-site")
	if resp.StatusCode != 403 {
		t.Fatalf("cross-site POST: %d", resp.StatusCode)
	}
	resp, _ = do(t, admin, "POST", e.srv.URL+"/records/contribution/1/reopen", form, "reason=x", "Origin", "http://evil.example")
	if resp.StatusCode != 403 {
		t.Fatalf("foreign-origin POST: %d", resp.StatusCode)
	}
	// The session cookie is HttpOnly and SameSite; a new token is issued on login.
	first := e.client("reviewer")
	u, _ := url.Parse(e.srv.URL)
	c1 := first.Jar.Cookies(u)
	second := e.client("reviewer")
	c2 := second.Jar.Cookies(u)
	if len(c1) == 0 || len(c2) == 0 || c1[0].Value == c2[0].Value {
		t.Fatal("session token not rotated")
	}
	resp, _ = do(t, e.client(""), "POST", e.srv.URL+"/login", form, "username=viewer&password="+demo.Password)
	sc := resp.Header.Get("Set-Cookie")
	if !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Lax") {
		t.Fatalf("cookie flags: %s", sc)
	}
}

// Issue 10, fault 8: the pairing form takes a village as the west party
// and the enterprises pairing jointly; the list shows them and counts the
// pairs a record stands for.
func TestPairingFormVillage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("admin")
	post := func(v url.Values) (*http.Response, string) {
		return do(t, c, "POST", e.srv.URL+"/registry/pairings", form, v.Encode())
	}
	v := url.Values{"kind": {"村企结对"}, "east": {"斯必克（中国）投资有限公司"}, "partners": {"凯西医药咨询（上海）有限公司、上海鼎创汇创客空间管理有限公司"},
		"west": {"扎垤村"}, "party_count": {"1"}, "year_from": {"2021"}}
	if resp, body := post(v); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", resp.StatusCode, body)
	}
	_, body := do(t, c, "GET", e.srv.URL+"/registry/pairings?kind=%E6%9D%91%E4%BC%81%E7%BB%93%E5%AF%B9&year=2021", "", "")
	for _, want := range []string{"斯必克（中国）投资有限公司、凯西医药咨询（上海）有限公司、上海鼎创汇创客空间管理有限公司", "红河县架车乡扎垤村委会", "共 4 条记录，计 11 对"} {
		if !strings.Contains(body, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	for _, tc := range []struct{ field, value, want string }{
		{"west", "火星村", "西部结对方：“火星村”既不是已登记的单位，也不是县、乡镇或村"},
		{"partners", "不存在的企业", "共同结对单位“不存在的企业”不在单位名录中"},
		{"party_count", "3", "一条记录代表多对结对，只用于简报未列各方名称时"},
	} {
		bad := url.Values{}
		for k, vs := range v {
			bad[k] = vs
		}
		bad.Set("year_from", "2022")
		bad.Set(tc.field, tc.value)
		resp, body := post(bad)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
			t.Errorf("%s=%s: %d, want the message %q", tc.field, tc.value, resp.StatusCode, tc.want)
		}
	}
}

// Issue 11: a page issues a bounded number of SQL statements whatever the
// data: a list at most 10, the dashboard at most 20.
func TestStatementsPerPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("admin")
	for _, tc := range []struct {
		path string
		max  int64
	}{
		{"/contributions", 10},
		{"/contributions?county=532531000000&from=2020-01-01&to=2020-12-31", 10},
		{"/contributions?township=532531102000&from=2020-01-01&to=2020-12-31", 10},
		{"/activities", 10},
		{"/agreements", 10},
		{"/projects", 10},
		{"/labour", 10},
		{"/batches", 10},
		{"/api/v1/contributions?county=532531000000", 10},
		{"/dashboard?year=2020", 20},
		{"/?year=2020", 20},
	} {
		do(t, c, "GET", e.srv.URL+tc.path, "", "") // warm: first-use lookups
		// The fewest of three: the server's background checks (interrupted
		// imports, every 10 s) may fall inside one request's count.
		var resp *http.Response
		n := int64(1 << 62)
		for range 3 {
			before := e.s.DB.Statements()
			resp, _ = do(t, c, "GET", e.srv.URL+tc.path, "", "")
			n = min(n, e.s.DB.Statements()-before)
		}
		t.Logf("%s: %d statements", tc.path, n)
		if resp.StatusCode != http.StatusOK || n > tc.max {
			t.Errorf("%s: %d, %d SQL statements (at most %d)", tc.path, resp.StatusCode, n, tc.max)
		}
	}
	// The home page's 待办 (one statement per reminder source, whatever
	// the number of units or records) for a unit and a county user; the
	// office's, with its per-unit table, is "/?year=2020" above.
	for _, who := range []string{"chengjiaqiao", "lvchun", "viewer"} {
		c := e.client(who)
		do(t, c, "GET", e.srv.URL+"/", "", "")
		n := int64(1 << 62)
		var resp *http.Response
		for range 3 {
			before := e.s.DB.Statements()
			resp, _ = do(t, c, "GET", e.srv.URL+"/", "", "")
			n = min(n, e.s.DB.Statements()-before)
		}
		t.Logf("/ as %s: %d statements", who, n)
		if resp.StatusCode != http.StatusOK || n > 20 {
			t.Errorf("/ as %s: %d, %d SQL statements (at most 20)", who, resp.StatusCode, n)
		}
	}
}

// Issue 11: reading a page does not rewrite the session (those writes
// queued every request behind the one writer); a session idle for two
// hours is still signed out.
func TestSessionIdleWithoutWrites(t *testing.T) {
	t.Parallel()
	var clock atomic.Int64
	clock.Store(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).UnixNano())
	e := newEnv(t, func(s *web.Server) { s.SessionClock = func() time.Time { return time.Unix(0, clock.Load()) } })
	c := e.client("admin")
	row := func() string {
		var data []byte
		var expiry int64
		if err := e.s.DB.SQL().QueryRow(`SELECT data, expiry FROM sessions`).Scan(&data, &expiry); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x/%d", data, expiry)
	}
	get := func() *http.Response {
		resp, _ := do(t, c, "GET", e.srv.URL+"/contributions", "", "")
		return resp
	}
	get() // notes the session's first use
	before := row()
	for range 3 {
		clock.Add(int64(time.Minute))
		if resp := get(); resp.StatusCode != http.StatusOK {
			t.Fatalf("signed-in read: %d", resp.StatusCode)
		}
	}
	if after := row(); after != before {
		t.Errorf("three reads within five minutes rewrote the session")
	}
	clock.Add(int64(2*time.Hour + time.Minute))
	if resp := get(); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("after two idle hours: %d → %q, want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// Issue 11: the contributions list pages by keyset cursors in its default
// order, on the page and in the API, with the same rows as by offset.
func TestKeysetPager(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("admin")
	_, body := do(t, c, "GET", e.srv.URL+"/contributions?limit=10", "", "")
	m := regexp.MustCompile(`<a href="([^"]*)">下一页</a>`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(m[1], "after=") || !strings.Contains(m[1], "offset=10") {
		t.Fatalf("下一页 link: %q", m)
	}
	_, page2 := do(t, c, "GET", e.srv.URL+html.UnescapeString(m[1]), "", "")
	if !strings.Contains(page2, "第 11–20 条") {
		t.Errorf("page 2 is not numbered 11–20")
	}
	if p := regexp.MustCompile(`<a href="([^"]*)">上一页</a>`).FindStringSubmatch(page2); p == nil || strings.Contains(p[1], "offset") || strings.Contains(p[1], "before") {
		t.Errorf("上一页 from page 2 should be the plain first page: %q", p)
	}
	type list struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
		Next string `json:"next"`
	}
	get := func(q string) list {
		var l list
		_, b := do(t, c, "GET", e.srv.URL+"/api/v1/contributions?"+q, "", "")
		if err := json.Unmarshal([]byte(b), &l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	first, byOffset := get("limit=5"), get("limit=5&offset=5")
	if first.Next == "" {
		t.Fatal("the API gives no next cursor")
	}
	byCursor := get("limit=5&after=" + url.QueryEscape(first.Next))
	if len(byCursor.Items) != 5 || byCursor.Items[0].ID != byOffset.Items[0].ID || byCursor.Items[4].ID != byOffset.Items[4].ID {
		t.Errorf("after the cursor %+v, by offset %+v", byCursor.Items, byOffset.Items)
	}
	if resp, _ := do(t, c, "GET", e.srv.URL+"/api/v1/contributions?after=nonsense", "", ""); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a bad cursor: %d", resp.StatusCode)
	}
}

// A township filter (issue 11): the page offers the paired counties'
// townships, keeps the choice, and lists only that township's records,
// its villages' included; a township of another county is refused in
// Chinese.
func TestContributionsTownshipFilter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("viewer")
	const town = "532531102000" // 绿春县, the township of 曼洛村 (532531102202)
	resp, body := do(t, c, "GET", e.srv.URL+"/contributions?township="+town, "", "")
	if resp.StatusCode != 200 || !strings.Contains(body, `<option value="`+town+`" selected>`) || !strings.Contains(body, `<optgroup label="金平县" data-county="532530000000">`) {
		t.Fatalf("page: %d, township choice missing or not kept", resp.StatusCode)
	}
	_, body = do(t, c, "GET", e.srv.URL+"/api/v1/contributions?limit=500&township="+town, "", "")
	var got struct {
		Items []struct {
			Township string `json:"township_code"`
			Village  string `json:"village_code"`
		} `json:"items"`
		Tot struct {
			Count int64 `json:"count"`
		} `json:"totals"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	village := false
	for _, it := range got.Items {
		if it.Township != town {
			t.Errorf("township %q in the list of %s", it.Township, town)
		}
		village = village || it.Village == "532531102202"
	}
	if len(got.Items) == 0 || int64(len(got.Items)) != got.Tot.Count || !village {
		t.Fatalf("%d items, total count %d, village record listed: %v", len(got.Items), got.Tot.Count, village)
	}
	resp, body = do(t, c, "GET", e.srv.URL+"/api/v1/contributions?county=532530000000&township="+town, "", "")
	if resp.StatusCode != 422 || !strings.Contains(body, "所选乡镇不属于所选受援县") {
		t.Fatalf("township of another county: %d %s", resp.StatusCode, body)
	}
}

// The menu marks the page's own item: an order is under 订单, not under
// another market item that shares /market; a user page under 基础信息.
func TestActiveNav(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct{ user, path, want string }{
		{"zhenghua", "/market/orders", "订单"},
		{"zhenghua", "/market/products/1", "商品管理"},
		{"zhenghua", "/market", "商城"},
		{"cjq-guanli", "/market/pledges", "认购与认捐"}, // the item's other page
		{"cjq-guanli", "/market/lots", "认购与认捐"},
		{"admin", "/market/orders", "消费帮扶"},
		{"admin", "/registry/users", "基础信息"},
		{"admin", "/", "首页"},
		{"lvchun", "/plan/needs", "需求与计划"},
		{"admin", "/plan", "需求与计划"}, // the item's other pages
		{"chengjiaqiao", "/plan/resources/new", "需求与计划"},
	} {
		_, body := do(t, e.client(tc.user), "GET", e.srv.URL+tc.path, "", "")
		if !strings.Contains(body, `class="on">`+tc.want+`</a>`) || strings.Count(body, `class="on">`) > 2 {
			t.Errorf("%s %s: the menu does not mark %s alone", tc.user, tc.path, tc.want)
		}
	}
}
