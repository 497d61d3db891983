package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo/ledger"
)

func contains(t *testing.T, what, page string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
	for _, n := range not {
		if strings.Contains(page, n) {
			t.Errorf("%s has %q", what, n)
		}
	}
}

// TestWordingHistory: the change history shows money as 元, times as
// 年月日 时:分 in China, and the person (with the unit) who acted.
func TestWordingHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.draft("xinhualu")
	admin := e.user("admin")
	c, err := e.db.Contribution(ctx, admin, id)
	if err != nil {
		t.Fatal(err)
	}
	c.AmountFen = 2800000_00
	if err := e.db.SaveContribution(ctx, admin, c); err != nil {
		t.Fatal(err)
	}
	_, page := do(t, e.client("admin"), "GET", fmt.Sprintf("%s/contributions/%d", e.srv.URL, id), "", "")
	i := strings.Index(page, "变更记录")
	if i < 0 {
		t.Fatal("no history")
	}
	hist := page[i:]
	contains(t, "history", hist, []string{"金额：1,000.00元 → 2,800,000.00元", "新华路街道填报员", "协作办管理员（长宁区对口支援与合作交流工作领导小组办公室）"},
		[]string{"金额（分）", "100000", ">admin<", ">xinhualu<"})
	if !regexp.MustCompile(`<td[^>]*class="nowrap">\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}</td>`).MatchString(hist) {
		t.Errorf("history time not 年月日 时:分: %.600s", hist)
	}
	// The imports list and a batch's page name the person who imported.
	b := e.importBatch("chengjiaqiao")
	for _, u := range []string{"/imports", fmt.Sprintf("/imports/%d", b)} {
		_, page := do(t, e.client("admin"), "GET", e.srv.URL+u, "", "")
		contains(t, u, page, []string{"程家桥街道填报员"}, []string{"<td>chengjiaqiao</td>", ">chengjiaqiao /"})
	}
}

// TestWordingLists: one rule for empty money (—), the short county name on
// screen with the official one on hover and in print, the labour list's
// empty state, an activity's 人数.
func TestWordingLists(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	office := e.client("admin")
	lvchun := e.user("lvchun")
	p := &ledger.Project{Header: ledger.Header{UnitID: lvchun.OrgID}, Title: "未定预算的项目", CountyCode: "532531000000", Sector: "industry",
		FundingSource: "上海市财政援助资金", Deadline: "2021-06-30", WorkState: "planned"}
	if err := e.db.SaveProject(ctx, lvchun, p); err != nil {
		t.Fatal(err)
	}
	_, page := do(t, office, "GET", e.srv.URL+"/projects", "", "")
	i := strings.Index(page, "未定预算的项目")
	if i < 0 {
		t.Fatal("project not listed")
	}
	row := page[i : i+strings.Index(page[i:], "</tr>")]
	contains(t, "project row", row, []string{"—"}, []string{"0.00"})
	_, page = do(t, office, "GET", fmt.Sprintf("%s/projects/%d", e.srv.URL, p.ID), "", "")
	contains(t, "project page", page, []string{"<tr><th>预算</th><td>"}, []string{"0.00 元"})

	_, page = do(t, office, "GET", e.srv.URL+"/dashboard?year=2020", "", "")
	contains(t, "dashboard", page, []string{`title="金平苗族瑶族傣族自治县"`, `<span class="place-short">金平县</span>`}, []string{"<td>金平苗族瑶族傣族自治县", "<th>金平苗族瑶族傣族自治县"})

	_, page = do(t, office, "GET", e.srv.URL+"/labour?county=532530000000", "", "")
	contains(t, "filtered labour", page, []string{"没有符合条件的记录"}, []string{"本期简报未载"})
	_, page = do(t, office, "GET", e.srv.URL+"/labour", "", "")
	contains(t, "labour", page, []string{"本期简报未载劳务协作数字"}, nil)

	u := e.user("chengjiaqiao")
	a := &ledger.Activity{Header: ledger.Header{UnitID: u.OrgID}, Kind: ledger.ActivityKinds[0], Title: "考察", DateFrom: "2021-04-01",
		Section: "扶贫协作", CountyCode: "532531000000", Narrative: "考察。", Headcount: 12}
	if err := e.db.SaveActivity(ctx, u, a); err != nil {
		t.Fatal(err)
	}
	_, page = do(t, office, "GET", fmt.Sprintf("%s/activities/%d", e.srv.URL, a.ID), "", "")
	contains(t, "activity", page, []string{"<th>人数</th><td>12人</td>"}, nil)
}

// TestWordingFormDates: a date typed or pasted as 2020年9月1日 is taken by
// the form (the input is text, not type=date that would refuse it) and
// saved; a date that does not exist is told so.
func TestWordingFormDates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("chengjiaqiao")
	_, page := do(t, c, "GET", e.srv.URL+"/contributions/new", "", "")
	contains(t, "form", page, []string{`name="date_from"`, "2020年9月1日"}, []string{`type="date" name="date_from"`})
	v := url.Values{"date_from": {"2020年9月1日"}, "givers": {"上海龙舜投资管理有限公司"}, "county_code": {"532531000000"},
		"form": {"cash"}, "sector": {"education"}, "delivery": {"delivered"}, "amount": {"100"}}
	resp, _ := do(t, c, "POST", e.srv.URL+"/contributions", form, v.Encode())
	if resp.StatusCode != 303 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	_, page = do(t, c, "GET", e.srv.URL+resp.Header.Get("Location"), "", "")
	contains(t, "saved", page, []string{"2020年9月1日"}, nil)
	v.Set("date_from", "2020-13-45")
	resp, page = do(t, c, "POST", e.srv.URL+"/contributions", form, v.Encode())
	if resp.StatusCode != 422 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	contains(t, "bad date", page, []string{"月份应在1–12之间"}, []string{"格式应为"})
}
