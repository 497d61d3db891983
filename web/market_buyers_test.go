package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// A unit's management account on /market/unit: a purchaser added with a
// bad phone is refused naming the field; added properly, its code is
// shown once and it is listed 待激活; disabled, it is listed 已停用.
func TestUnitPurchasersPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("jyj-guanli")
	resp, page := do(t, c, "GET", e.srv.URL+"/market/unit", "", "")
	if resp.StatusCode != 200 || !strings.Contains(page, "jyj-caigou") || strings.Contains(page, "yzx-caigou") {
		t.Fatalf("unit page: %d", resp.StatusCode)
	}
	bad := url.Values{"display_name": {"孙悦"}, "username": {"jyj-caigou2"}, "phone": {"12345"}}.Encode()
	resp, page = do(t, c, "POST", e.srv.URL+"/market/unit/purchasers", form, bad)
	if resp.StatusCode != 422 || !strings.Contains(page, "“12345”不是手机号") || !strings.Contains(page, `value="jyj-caigou2"`) {
		t.Fatalf("bad phone: %d", resp.StatusCode)
	}
	taken := url.Values{"display_name": {"孙悦"}, "username": {"YZX-caigou"}}.Encode()
	if resp, page = do(t, c, "POST", e.srv.URL+"/market/unit/purchasers", form, taken); resp.StatusCode != 409 || !strings.Contains(page, "已被其他账号使用") {
		t.Fatalf("taken name: %d", resp.StatusCode)
	}
	good := url.Values{"display_name": {"孙悦"}, "username": {"jyj-caigou2"}, "phone": {"13801620030"}}.Encode()
	resp, page = do(t, c, "POST", e.srv.URL+"/market/unit/purchasers", form, good)
	code := regexp.MustCompile(`id="new-code">([A-Z0-9-]{17})<`).FindStringSubmatch(page)
	if resp.StatusCode != 201 || code == nil || !strings.Contains(page, "待激活") {
		t.Fatalf("add: %d %v", resp.StatusCode, code)
	}
	id := e.user("jyj-caigou2").ID
	if resp, _ := do(t, c, "POST", e.srv.URL+"/market/unit/purchasers/"+itoa(id)+"/disable", form, ""); resp.StatusCode != 303 {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if _, page = do(t, c, "GET", e.srv.URL+"/market/unit", "", ""); !strings.Contains(page, "已停用") || !strings.Contains(page, "/enable") {
		t.Fatal("the disabled purchaser is not shown disabled")
	}
	// Another unit's purchaser is not there for it.
	if resp, _ := do(t, c, "POST", e.srv.URL+"/market/unit/purchasers/"+itoa(e.user("yzx-caigou").ID)+"/code", form, ""); resp.StatusCode != 404 {
		t.Fatalf("another unit's purchaser: %d", resp.StatusCode)
	}
}

// The 主管预算单位 returns a subordinate's filing with a reason: the unit
// sees the reason on its share page, 监管 sees the check; a return
// without a reason is refused in Chinese.
func TestSubunitChecksPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	year := e.db.Today()[:4]
	jyj := e.client("jyj-guanli")
	resp, page := do(t, jyj, "GET", e.srv.URL+"/market/subunits", "", "")
	if resp.StatusCode != 200 || !strings.Contains(page, "长宁区第一中心小学") || !strings.Contains(page, "长宁区实验幼儿园") || !strings.Contains(page, "审核通过") {
		t.Fatalf("subunits: %d", resp.StatusCode)
	}
	if strings.Contains(page, "长宁区中心医院") {
		t.Fatal("another 主管's unit is listed")
	}
	unit := itoa(e.user("yzx-guanli").OrgID)
	noReason := url.Values{"status": {"returned"}, "year": {year}, "reason": {""}}.Encode()
	if resp, page = do(t, jyj, "POST", e.srv.URL+"/market/subunits/"+unit+"/check", form, noReason); resp.StatusCode != 422 || !strings.Contains(page, "退回时请填写退回原因") {
		t.Fatalf("no reason: %d", resp.StatusCode)
	}
	ret := url.Values{"status": {"returned"}, "year": {year}, "reason": {"预算与上年决算不符，请核对"}}.Encode()
	if resp, _ = do(t, jyj, "POST", e.srv.URL+"/market/subunits/"+unit+"/check", form, ret); resp.StatusCode != 303 {
		t.Fatalf("return: %d", resp.StatusCode)
	}
	if _, page = do(t, e.client("yzx-guanli"), "GET", e.srv.URL+"/market/share", "", ""); !strings.Contains(page, "已退回本单位") || !strings.Contains(page, "预算与上年决算不符，请核对") {
		t.Fatal("the unit does not see the return and its reason")
	}
	if _, page = do(t, e.client("caizheng"), "GET", e.srv.URL+"/market/supervision", "", ""); !strings.Contains(page, "主管审核") || !strings.Contains(page, "预算与上年决算不符，请核对") ||
		!strings.Contains(page, "个被主管单位退回、待重新填报的单位") {
		t.Fatal("监管 does not see the check, or that the total holds returned filings")
	}
	// The unit files again: back to 待审核.
	refile := url.Values{"year": {year}, "budget": {"700000"}, "ratio": {"10"}}.Encode()
	if resp, _ = do(t, e.client("yzx-guanli"), "POST", e.srv.URL+"/market/share", form, refile); resp.StatusCode != 303 {
		t.Fatalf("refile: %d", resp.StatusCode)
	}
	if _, page = do(t, jyj, "GET", e.srv.URL+"/market/subunits", "", ""); !strings.Contains(page, "待审核") {
		t.Fatal("a filing made again is not 待审核")
	}
}

// The office's 832 list: a township refused naming its level, a county
// added by name, listed, removed; 监管 reads it without the forms.
func TestCounties832Page(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.client("admin")
	if resp, page := do(t, admin, "POST", e.srv.URL+"/market/counties832", form, "county=532531101000"); resp.StatusCode != 422 || !strings.Contains(page, "是乡镇一级") {
		t.Fatalf("a township: %d", resp.StatusCode)
	}
	if resp, page := do(t, admin, "POST", e.srv.URL+"/market/counties832", form, "county="+url.QueryEscape("元阳县")); resp.StatusCode != 409 || !strings.Contains(page, "已在832县名单中") {
		t.Fatalf("listed twice: %d", resp.StatusCode)
	}
	if resp, _ := do(t, admin, "POST", e.srv.URL+"/market/counties832/532528000000/remove", form, ""); resp.StatusCode != 303 {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	// A list pasted at once: the new one added, the listed one told, not refused.
	resp, _ := do(t, admin, "POST", e.srv.URL+"/market/counties832", form, "county="+url.QueryEscape("红河州元阳县\n玛多县、"))
	if resp.StatusCode != 303 {
		t.Fatalf("add: %d", resp.StatusCode)
	}
	if _, page := do(t, admin, "GET", e.srv.URL+resp.Header.Get("Location"), "", ""); !strings.Contains(page, "已将元阳县（532528000000）加入832县名单") || !strings.Contains(page, "未重复加入：玛多县") {
		t.Error("the flash after a pasted list")
	}
	if resp, page := do(t, admin, "POST", e.srv.URL+"/market/counties832", form, "county="+url.QueryEscape("达日县，大兴镇")); resp.StatusCode != 422 || !strings.Contains(page, "是乡镇一级") {
		t.Fatalf("a list with a township: %d", resp.StatusCode)
	}
	_, page := do(t, e.client("caizheng"), "GET", e.srv.URL+"/market/counties832", "", "")
	if !strings.Contains(page, "532528000000") || !strings.Contains(page, "玛多县") || strings.Contains(page, "加入名单") || strings.Contains(page, "移出名单") {
		t.Fatal("监管's view of the list")
	}
}
