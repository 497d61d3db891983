package web_test

import (
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
