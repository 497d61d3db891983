package web_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo/report"
)

// consumption2020 is 绿春县's approved 消费帮扶 of 2020 in the dashboard's sums.
func consumption2020(t *testing.T, e *env) int64 {
	t.Helper()
	s, err := e.db.DashboardSums(ctx, report.ForYear(2020, "532531000000"))
	if err != nil {
		t.Fatal(err)
	}
	return s.Area("consumption")
}

// wantPage checks a response's status and that its page says each of want.
func wantPage(t *testing.T, what string, resp *http.Response, body string, status int, want ...string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d; %.300s", what, resp.StatusCode, status, body)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: the page lacks %q", what, w)
		}
	}
}

// A lot through its forms: every bad input gets its Chinese error, the
// fulfilment counts the shares once, a second is refused.
func TestLotForms(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.client("admin")
	resp, body := do(t, admin, "POST", e.srv.URL+"/market/lots", form, url.Values{"year": {"2020"}, "unit": {"亩"}, "supplier": {"不存在的加工厂"},
		"organiser": {"程家桥街道"}, "origin": {"大兴镇"}, "quantity": {"十"}, "price": {"0"}}.Encode())
	wantPage(t, "a bad lot", resp, body, 422, "未保存", "认购项目名称不能为空", "供应商“不存在的加工厂”不在单位名录中", "可认购数量须为整数", "认购单价须大于0元")
	lot := url.Values{"name": {"梯田红米"}, "year": {"2020"}, "unit": {"亩"}, "supplier": {"绿春县正华农产品加工厂"}, "organiser": {"程家桥街道"},
		"origin": {"大兴镇"}, "quantity": {"10"}, "price": {"3982"}, "yield_per_unit": {"350"}, "yield_unit": {"斤"}}
	resp, _ = do(t, admin, "POST", e.srv.URL+"/market/lots", form, lot.Encode())
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/market/lots/\d+$`).MatchString(loc) {
		t.Fatalf("new lot: %d → %q", resp.StatusCode, loc)
	}
	share := func(kind, name, units string) (*http.Response, string) {
		return do(t, admin, "POST", e.srv.URL+loc+"/shares", form, url.Values{"kind": {kind}, "name": {name}, "units": {units}}.Encode())
	}
	resp, body = share("org", "不在名录的公司", "2")
	wantPage(t, "an unknown organisation", resp, body, 422, "“不在名录的公司”不在单位名录中")
	if resp, _ := share("org", "新华路街道", "6"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("新华路街道's share: %d", resp.StatusCode)
	}
	resp, body = share("person", "张三", "5")
	wantPage(t, "over the lot", resp, body, 422, "“张三”认购5亩，超过剩余可认购的4亩")
	resp, body = share("org", "新华路街道", "1")
	wantPage(t, "twice", resp, body, 422, "“新华路街道”已认购6亩")
	if resp, _ := share("person", "张三", "4"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("张三's share: %d", resp.StatusCode)
	}
	_, page := do(t, admin, "GET", e.srv.URL+loc, "", "")
	wantPage(t, "the lot", &http.Response{StatusCode: 200}, page, 200, "剩余可认购", "张三", "新华路街道", "39,820.00", "收获交付")
	resp, body = do(t, admin, "POST", e.srv.URL+loc+"/fulfil", form, "harvest_on=")
	wantPage(t, "no harvest date", resp, body, 422, "请填写交付日期")
	resp, body = do(t, admin, "POST", e.srv.URL+loc+"/fulfil", form, "harvest_on=2099-10-20")
	wantPage(t, "a harvest in the future", resp, body, 422, "交付日期不能晚于今天")
	before := consumption2020(t, e)
	if resp, _ := do(t, admin, "POST", e.srv.URL+loc+"/fulfil", form, url.Values{"harvest_on": {"2020年10月25日"}}.Encode()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("fulfil: %d", resp.StatusCode)
	}
	if got := consumption2020(t, e) - before; got != 10*398200 {
		t.Errorf("绿春县's 2020 consumption rose by %d fen, want %d", got, 10*398200)
	}
	_, page = do(t, admin, "GET", e.srv.URL+loc, "", "")
	wantPage(t, "the fulfilled lot", &http.Response{StatusCode: 200}, page, 200, "已交付", "2020年10月25日", "/market/orders/")
	if strings.Contains(page, `action="`+loc+`/fulfil"`) {
		t.Error("a fulfilled lot still offers its fulfilment")
	}
	resp, body = do(t, admin, "POST", e.srv.URL+loc+"/fulfil", form, "harvest_on=2020-10-26")
	wantPage(t, "a second fulfilment", resp, body, 409, "不能再修改或重复交付")
	if got := consumption2020(t, e) - before; got != 10*398200 {
		t.Errorf("after a second fulfilment 2020 rose by %d fen", got)
	}
}

// A pledge through its forms, and the voucher form's 认捐 choice.
func TestPledgeForms(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.client("admin")
	resp, body := do(t, admin, "POST", e.srv.URL+"/market/pledges", form, url.Values{"giver": {"不存在的爱心企业"}, "amount": {"二十万"}, "pledged_on": {"2020-02-30"}}.Encode())
	wantPage(t, "a bad pledge", resp, body, 422, "认捐单位“不存在的爱心企业”不在单位名录中", "认捐金额格式不正确", "认捐日期")
	resp, _ = do(t, admin, "POST", e.srv.URL+"/market/pledges", form, url.Values{"giver": {"程家桥街道"}, "county": {"532531000000"}, "amount": {"1000"},
		"pledged_on": {"2020-09-20"}, "note": {"红米采购清单"}}.Encode())
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/market/pledges/") {
		t.Fatalf("new pledge: %d → %q", resp.StatusCode, loc)
	}
	pledgeID := strings.TrimPrefix(loc, "/market/pledges/")
	_, page := do(t, admin, "GET", e.srv.URL+loc, "", "")
	wantPage(t, "the pledge", &http.Response{StatusCode: 200}, page, 200, "1,000.00", "0.00%", "认捐 1,000.00 元")
	// The voucher form offers it; another buyer cannot fulfil it.
	_, page = do(t, admin, "GET", e.srv.URL+"/market/purchases", "", "")
	if !strings.Contains(page, `name="pledge_id"`) || !strings.Contains(page, "未到位1,000.00元") {
		t.Error("the voucher form does not offer the open pledge")
	}
	voucher := url.Values{"channel": {"targeted"}, "ref": {"认捐-1"}, "buyer": {"新华路街道"}, "date": {"2020-09-25"}, "supplier": {"绿春县正华农产品加工厂"},
		"county": {"绿春县"}, "product": {"梯田红米"}, "qty": {"100"}, "amount": {"400"}, "pledge_id": {pledgeID}}
	resp, body = do(t, admin, "POST", e.srv.URL+"/market/purchases/record", form, voucher.Encode())
	wantPage(t, "another buyer's pledge", resp, body, 422, "只能计入采购单位自己的认捐")
	voucher.Set("buyer", "程家桥街道")
	if resp, _ := do(t, admin, "POST", e.srv.URL+"/market/purchases/record", form, voucher.Encode()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the buyer's own pledge: %d", resp.StatusCode)
	}
	_, page = do(t, admin, "GET", e.srv.URL+loc, "", "")
	wantPage(t, "the pledge after an order", &http.Response{StatusCode: 200}, page, 200, "400.00", "600.00", "40.00%", "TARGETED-认捐-1")
}

// TestCheckoutPledge: a purchaser counts a shop checkout towards its
// unit's open pledge from the cart; an order from outside the pledge's
// county stands, and the page says it was not counted and why.
func TestCheckoutPledge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, buyer := e.client("admin"), e.client("cjq-caigou")
	pledge := func(county string) string {
		resp, _ := do(t, admin, "POST", e.srv.URL+"/market/pledges", form, url.Values{"giver": {"程家桥街道"}, "county": {county}, "amount": {"2000"},
			"pledged_on": {e.db.Today()}}.Encode())
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/market/pledges/") {
			t.Fatalf("new pledge: %d → %q", resp.StatusCode, loc)
		}
		return strings.TrimPrefix(loc, "/market/pledges/")
	}
	lvchunPledge, jinpingPledge := pledge("532531000000"), pledge("532530000000")
	var rice int64
	if err := e.db.SQL().QueryRow(`SELECT id FROM products WHERE name = '梯田红米'`).Scan(&rice); err != nil {
		t.Fatal(err)
	}
	checkout := func(pledgeID string) (orderID int64, flash string) {
		t.Helper()
		if resp, _ := do(t, buyer, "POST", e.srv.URL+"/market/cart", form, url.Values{"product_id": {itoa(rice)}, "qty": {"2"}}.Encode()); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add to cart: %d", resp.StatusCode)
		}
		_, page := do(t, buyer, "GET", e.srv.URL+"/market/cart", "", "")
		if !strings.Contains(page, `name="pledge_id"`) || !strings.Contains(page, "未到位2,000.00元（金平") {
			t.Fatal("the cart does not offer the unit's open pledges")
		}
		resp, _ := do(t, buyer, "POST", e.srv.URL+"/market/checkout", form, url.Values{"key": {"k-" + pledgeID}, "pledge_id": {pledgeID}}.Encode())
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/market/orders/") {
			t.Fatalf("checkout: %d → %q", resp.StatusCode, loc)
		}
		_, page = do(t, buyer, "GET", e.srv.URL+loc, "", "")
		orderID, _ = strconv.ParseInt(strings.TrimPrefix(loc, "/market/orders/"), 10, 64)
		return orderID, page
	}
	pledgeOf := func(order int64) string {
		var p sql.NullInt64
		if err := e.db.SQL().QueryRow(`SELECT pledge_id FROM orders WHERE id = $1`, order).Scan(&p); err != nil {
			t.Fatal(err)
		}
		return strconv.FormatInt(p.Int64, 10)
	}
	id, page := checkout(lvchunPledge)
	if !strings.Contains(page, "已计入认捐") || pledgeOf(id) != lvchunPledge {
		t.Errorf("a 绿春县 order towards the 绿春县 pledge: order's pledge %s", pledgeOf(id))
	}
	id, page = checkout(jinpingPledge)
	if !strings.Contains(page, "未计入认捐") || !strings.Contains(page, "产地不在这项认捐的受援县内") || pledgeOf(id) != "0" {
		t.Errorf("a 绿春县 order towards the 金平县 pledge: order's pledge %s", pledgeOf(id))
	}
	// A step with a field missing is told on the order's page, in the
	// supplier's words, and the order stays where it was.
	supplier, orderURL := e.client("zhenghua"), e.srv.URL+"/market/orders/"+strconv.FormatInt(id, 10)
	if resp, _ := do(t, supplier, "POST", orderURL+"/confirm", form, ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	resp, _ := do(t, supplier, "POST", orderURL+"/ship", form, "carrier="+url.QueryEscape("顺丰速运"))
	if _, page := do(t, supplier, "GET", e.srv.URL+resp.Header.Get("Location"), "", ""); resp.StatusCode != http.StatusSeeOther ||
		!strings.Contains(page, "未能发货") || !strings.Contains(page, "待发货") {
		t.Errorf("ship without a tracking number: %d", resp.StatusCode)
	}
	if resp, _ := do(t, buyer, "POST", e.srv.URL+"/market/cart", form, "product_id="+itoa(rice)+"&qty=-3"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a negative quantity: %d", resp.StatusCode)
	} else if _, page := do(t, buyer, "GET", e.srv.URL+resp.Header.Get("Location"), "", ""); !strings.Contains(page, "请填写购买数量") {
		t.Error("a negative quantity is not told on the product page")
	}
}
