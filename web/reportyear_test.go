package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// TestFarFutureRecordLeavesReportsWorking (issue 9, fault 6): an approved
// record dated 2202, written before dates were bounded (here straight
// through SQL), used to make the reports' default year 2202 and every
// report answer 422. The default year is now this year or the newest year
// with data before it; the record stays where it is.
func TestFarFutureRecordLeavesReportsWorking(t *testing.T) {
	t.Parallel()
	e := newEnvAt(t, time.Date(2026, 12, 1, 10, 0, 0, 0, xiezuo.China))
	id := e.submitted("chengjiaqiao")
	if err := e.db.Transition(ctx, e.user("reviewer"), ledger.KindContribution, id, ledger.ActionApprove, ""); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE contributions SET date_from = '2202-09-01', date_to = '2202-09-01' WHERE id = $1`,
		`UPDATE activities SET date_from = '2202-09-01', date_to = '2202-09-04' WHERE id = (SELECT MIN(id) FROM activities WHERE status = 'approved' AND $1 > 0)`,
	} {
		if _, err := e.db.SQL().ExecContext(ctx, q, id); err != nil {
			t.Fatal(err)
		}
	}
	office := e.client("admin")
	for path, want := range map[string]string{
		"/dashboard":                   `/api/v1/dashboard?year=2020&amp;`, // the demo's year: none in 2026, and 2202 is not yet
		"/dashboard?year=all":          "全部年度",
		"/scorecard":                   `/scorecard/coverage?year=2020"`,
		"/scorecard/compliance":        "2020",
		"/scorecard/coverage":          "2020",
		"/rectifications":              "2020",
		"/api/v1/dashboard":            `"filter":{"year":2020,`,
		"/api/v1/dashboard?format=csv": "考核领域",
	} {
		resp, body := do(t, office, "GET", e.srv.URL+path, "", "")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want 200 with %q: %.300s", path, resp.StatusCode, want, body)
		}
	}
	resp, body := do(t, e.client(""), "GET", e.srv.URL+"/public", "", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<option value="2020" selected>`) {
		t.Errorf("/public: %d: %.300s", resp.StatusCode, body)
	}
}

// TestRecordDatesBounded (issue 9, fault 6): forms and the API refuse a
// date before 1996 or after the end of next year, naming the field.
func TestRecordDatesBounded(t *testing.T) {
	t.Parallel()
	e := newEnvAt(t, time.Date(2026, 12, 1, 10, 0, 0, 0, xiezuo.China))
	c := e.client("chengjiaqiao")
	for _, date := range []string{"2202-09-01", "1995-12-31", "2028-01-01"} {
		f := url.Values{"date_from": {date}, "givers": {"上海龙舜投资管理有限公司"}, "county_code": {"532531000000"},
			"form": {"cash"}, "sector": {"education"}, "delivery": {"pledged"}, "amount": {"100"}}
		resp, body := do(t, c, "POST", e.srv.URL+"/contributions", form, f.Encode())
		if resp.StatusCode != 422 || !strings.Contains(body, "日期应在1996年至2027年之间") {
			t.Errorf("form %s: %d", date, resp.StatusCode)
		}
	}
	f := url.Values{"date_from": {"2027-12-31"}, "givers": {"上海龙舜投资管理有限公司"}, "county_code": {"532531000000"},
		"form": {"cash"}, "sector": {"education"}, "delivery": {"pledged"}, "amount": {"100"}}
	if resp, body := do(t, c, "POST", e.srv.URL+"/contributions", form, f.Encode()); resp.StatusCode != 303 {
		t.Errorf("a pledge for next year: %d %.300s", resp.StatusCode, body)
	}
	tok, _ := e.db.CreateToken(ctx, nil, e.user("lvchun").ID, "", 0)
	auth := []string{"Authorization", "Bearer " + tok}
	body := `{"date":"2202-09-01","county_code":"532531000000","kind":"义诊","count":216,"count_unit":"人次"}`
	resp, text := do(t, &http.Client{}, "POST", e.srv.URL+"/api/v1/batches", "application/json", body, auth...)
	if resp.StatusCode != 422 || !strings.Contains(text, `"date":"日期应在1996年至2027年之间"`) {
		t.Errorf("API batch in 2202: %d %s", resp.StatusCode, text)
	}
}
