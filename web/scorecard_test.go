package web_test

import (
	"regexp"
	"strings"
	"testing"
)

// Issue 10, fault 2: the 考核 page's 合计 agrees with its columns: records
// outside the county columns show as 未分县, and a total scored on part
// of its 实绩 says so.
func TestScorecardTotalsAgree(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("reviewer")
	_, body := do(t, c, "GET", e.srv.URL+"/scorecard?year=2020&asof=2020-10-31", "", "")
	if !strings.Contains(body, "未分县") {
		t.Fatal("no 未分县 column although the demo has records outside the counties")
	}
	// Targets for 绿春县 only: the total's percent is on 绿春县's 实绩.
	if resp, _ := do(t, c, "POST", e.srv.URL+"/scorecard/targets?year=2020", form, "t_532531000000_visits=4"); resp.StatusCode != 303 {
		t.Fatalf("targets: %d", resp.StatusCode)
	}
	_, body = do(t, c, "GET", e.srv.URL+"/scorecard?year=2020&asof=2020-10-31", "", "")
	row := regexp.MustCompile(`(?s)<tr><td class="nowrap">[^<]*</td><td>考察互访.*?</tr>`).FindString(body)
	if row == "" || !strings.Contains(row, "按有目标的县实绩") {
		t.Fatalf("考察互访 row does not say the total is scored on 绿春县 only: %.600s", row)
	}
}
