package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Issue 10, fault 5: list filters take dates as people type or paste
// them (2020年9月1日, 2020/9/30), not only the browser's date picker.
func TestFilterDatesTyped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("viewer")
	total := regexp.MustCompile(`合计（筛选结果共 \d+ 笔[^<]*`)
	_, iso := do(t, c, "GET", e.srv.URL+"/contributions?county=532531000000&from=2020-09-01&to=2020-09-30", "", "")
	_, typed := do(t, c, "GET", e.srv.URL+"/contributions?county=532531000000&from="+url.QueryEscape("2020年9月1日")+"&to="+url.QueryEscape("2020/9/30"), "", "")
	want := total.FindString(iso)
	if want == "" || strings.Contains(want, "共 0 笔") || total.FindString(typed) != want {
		t.Fatalf("typed dates: %q, ISO dates: %q", total.FindString(typed), want)
	}
	if !strings.Contains(typed, `value="2020-09-01"`) {
		t.Error("the filter form does not show the date it used")
	}
	resp, page := do(t, c, "GET", e.srv.URL+"/scorecard?year=2020&asof="+url.QueryEscape("2020年10月31日"), "", "")
	if resp.StatusCode != 200 || !strings.Contains(page, "截至2020年10月31日") {
		t.Fatalf("scorecard as of a typed date: %d", resp.StatusCode)
	}
}
