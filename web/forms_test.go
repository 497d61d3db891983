package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestFormPlaceAndAmount: every form reads a place and an amount the same
// way: a township of another county is told where it is, not “找不到”,
// and an amount that is only too large says so, with the limit.
func TestFormPlaceAndAmount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, body := do(t, e.client("lvchun"), "POST", e.srv.URL+"/plan/needs", form,
		"category=education&item=电脑&quantity=20&quantity_unit=台&township=宝华镇&amount=9999999999万&asked_on=2020-10-01&needed_by=2021-06-30&contact=李老师")
	for _, want := range []string{"乡镇：宝华镇不在绿春县（在红河县）", "估算金额过大：单项金额不能超过"} {
		if !strings.Contains(body, want) {
			t.Errorf("need form lacks %q", want)
		}
	}
	_, body = do(t, e.client("chengjiaqiao"), "POST", e.srv.URL+"/contributions", form,
		"date_from=2020-10-01&county_code=532531000000&form=cash&sector=教育&amount=9999999999万&delivery=delivered")
	if !strings.Contains(body, "过大：单项金额不能超过") {
		t.Error("the contribution form does not tell a too large amount as such")
	}
}

// TestFiltersFollowRegistry: the list's filters come from the store's
// registry cache, and a unit added on /registry/orgs, or renamed, is
// offered by the very next list page.
func TestFiltersFollowRegistry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.client("admin")
	page := func() string {
		t.Helper()
		_, body := do(t, admin, "GET", e.srv.URL+"/contributions", "", "")
		return body
	}
	if body := page(); !strings.Contains(body, "程家桥街道") || strings.Contains(body, "缓存测试街道") {
		t.Fatal("the unit filter does not offer the demo's units, or offers one not yet added")
	}
	if resp, _ := do(t, admin, "POST", e.srv.URL+"/registry/orgs", form, "name=缓存测试街道&kind=街道&side=east"); resp.StatusCode != 303 {
		t.Fatalf("adding a unit: status %d", resp.StatusCode)
	}
	if !strings.Contains(page(), ">缓存测试街道</option>") {
		t.Error("a unit added is not offered by the next list page")
	}
	o, err := e.db.OrgByName(ctx, "缓存测试街道")
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := do(t, admin, "POST", fmt.Sprintf("%s/registry/orgs/%d", e.srv.URL, o.ID), form, "name=缓存测试新街道&kind=街道&side=east"); resp.StatusCode != 303 {
		t.Fatalf("renaming the unit: status %d", resp.StatusCode)
	}
	if body := page(); !strings.Contains(body, ">缓存测试新街道</option>") || strings.Contains(body, ">缓存测试街道</option>") {
		t.Error("a unit renamed is offered under its old name")
	}
}
