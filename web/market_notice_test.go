package web_test

import (
	"archive/zip"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/report"
)

// noticeOrders buys on the demo as its accounts would: 程家桥街道's
// purchaser buys 梯田红米 in the shop (20 袋, accepted today), and its
// union's purchase of 绿春古树茶 made in March is recorded by 区财政局
// (accepted). It returns the two orders' totals.
func noticeOrders(t *testing.T, e *env) (shop, union int64) {
	t.Helper()
	var rice, supplier int64
	if err := e.db.SQL().QueryRow(`SELECT p.id, p.supplier_id FROM products p WHERE p.name = '梯田红米'`).Scan(&rice, &supplier); err != nil {
		t.Fatal(err)
	}
	buyer, seller := e.user("cjq-caigou"), e.user("zhenghua")
	os, err := e.db.Checkout(ctx, buyer, []market.CartLine{{Product: &market.Product{ID: rice}, Qty: 20}}, "")
	if err != nil || len(os) != 1 {
		t.Fatalf("checkout: %v", err)
	}
	o := os[0]
	for _, step := range []struct {
		u  *xiezuo.User
		a  market.OrderAction
		in market.OrderInput
	}{{seller, market.OrderConfirm, market.OrderInput{}}, {seller, market.OrderShip, market.OrderInput{Carrier: "顺丰速运", TrackingNo: "SF1001"}},
		{buyer, market.OrderReceive, market.OrderInput{}}, {buyer, market.OrderAccept, market.OrderInput{InvoiceRef: "发票 No.0001"}}} {
		if err := e.db.OrderTransition(ctx, step.u, o.ID, step.a, step.in); err != nil {
			t.Fatalf("%s: %v", step.a, err)
		}
	}
	year := e.db.Today()[:4]
	u := &market.Order{Channel: "union", OrderedOn: year + "-03-16", BuyerUnitID: o.BuyerUnitID, SupplierID: supplier, Status: market.OrderAccepted, TotalFen: 128000,
		Lines: []market.OrderLine{{ProductName: "绿春古树茶", Category: "tea", OriginCode: "532531000000", Unit: "罐", Qty: 10, PriceFen: 12800, AmountFen: 128000}}}
	if _, err := e.db.RecordPurchase(ctx, e.user("caizheng"), u, "GH-0316", "test:union:0316"); err != nil {
		t.Fatal(err)
	}
	return o.TotalFen, 128000
}

// TestSupervisionDocx: 区财政局 and the office download the month's 通报 as
// Word from the supervision page's form; it opens as a .docx; a bad month
// is told in Chinese; nobody else may.
func TestSupervisionDocx(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	noticeOrders(t, e)
	sup := e.client("caizheng")
	today := e.db.Today()
	year, month := today[:4], strings.TrimLeft(today[5:7], "0")
	resp, page := do(t, sup, "GET", e.srv.URL+"/market/supervision", "", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `action="/market/supervision.docx"`) ||
		!strings.Contains(page, `formaction="/market/supervision.xlsx"`) || !strings.Contains(page, `<option value="`+month+`" selected>`+year+`年`+month+`月</option>`) {
		t.Fatalf("the supervision page offers no 通报 form: %d", resp.StatusCode)
	}
	for _, c := range []*http.Client{sup, e.client("admin")} {
		resp, body := do(t, c, "GET", e.srv.URL+"/market/supervision.docx?year="+year+"&month="+month, "", "")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" {
			t.Fatalf("docx: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, url.PathEscape(year+"年"+month+"月消费帮扶通报.docx")) || !strings.Contains(cd, `filename="xiezuo.docx"`) {
			t.Errorf("file name: %s", cd)
		}
		zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		var doc string
		for _, f := range zr.File {
			if f.Name == "word/document.xml" {
				rc, _ := f.Open()
				b, _ := io.ReadAll(rc)
				rc.Close()
				doc = string(b)
			}
		}
		for _, want := range []string{"消费帮扶工作通报", "程家桥街道", "本平台商城", "工会采购"} {
			if !strings.Contains(doc, want) {
				t.Errorf("the 通报 lacks %q", want)
			}
		}
	}
	// The month's .xlsx is the same report.
	if resp, _ := do(t, sup, "GET", e.srv.URL+"/market/supervision.xlsx?year="+year+"&month="+month, "", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("xlsx of the month: %d", resp.StatusCode)
	}
	for _, bad := range []struct{ q, want string }{{"month=13", "月份参数无效"}, {"month=abc", "月份参数无效"}, {"year=2000", "年度应在"}} {
		resp, body := do(t, sup, "GET", e.srv.URL+"/market/supervision.docx?"+bad.q, "", "")
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, bad.want) {
			t.Errorf("%s: %d, want 422 saying %q", bad.q, resp.StatusCode, bad.want)
		}
	}
	if resp, _ := do(t, e.client("cjq-guanli"), "GET", e.srv.URL+"/market/supervision.docx", "", ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a buyer unit downloads the 通报: %d", resp.StatusCode)
	}
}

var (
	reFigureLink  = regexp.MustCompile(`data-figure="consumption"><a href="([^"]+)">([^<]+)</a>`)
	reCountyLink  = regexp.MustCompile(`data-county="(\d+)" data-area="consumption"><a href="([^"]+)">([^<]+)</a>`)
	reChannelLink = regexp.MustCompile(`data-channel="([a-z0-9]+)"><a href="([^"]+)">([^<]+)</a>`)
	reListTotal   = regexp.MustCompile(`<th[^>]*class="num">([0-9,.\-]+)</th><th colspan="2" class="num">([0-9,.\-]+) 万元</th>`)
)

// TestDashboardConsumptionLinks: every 消费帮扶 figure of the dashboard —
// the area's total, each county's, each channel's (the shop's and the
// union's orders, and the records no order posted) — links to the
// contributions list whose total is that figure, this year (orders
// only), in 2020 (records only) and over all years (both).
func TestDashboardConsumptionLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	shop, union := noticeOrders(t, e)
	c := e.client("viewer")
	year := e.db.Today()[:4]
	follow := func(what, href, figure string) string {
		t.Helper()
		resp, body := do(t, c, "GET", e.srv.URL+html.UnescapeString(href), "", "")
		m := reListTotal.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil {
			i := strings.Index(body, "<tfoot>")
			t.Fatalf("%s: %s gives %d, no total: %s", what, href, resp.StatusCode, body[max(i, 0):min(len(body), max(i, 0)+600)])
		}
		if m[2] != figure {
			t.Errorf("%s: the dashboard says %s 万元, its list (%s) totals %s 万元", what, figure, html.UnescapeString(href), m[2])
		}
		return m[1]
	}
	for _, scope := range []string{year, "2020", "all"} {
		_, page := do(t, c, "GET", e.srv.URL+"/dashboard?year="+scope, "", "")
		total := reFigureLink.FindStringSubmatch(page)
		if total == nil {
			t.Fatalf("%s: no linked 消费帮扶 figure", scope)
		}
		follow(scope+" 消费帮扶", total[1], total[2])
		counties := reCountyLink.FindAllStringSubmatch(page, -1)
		if len(counties) == 0 {
			t.Fatalf("%s: no county's 消费帮扶 linked", scope)
		}
		for _, m := range counties {
			follow(scope+" county "+m[1], m[2], m[3])
		}
		channels := reChannelLink.FindAllStringSubmatch(page, -1)
		got := map[string]string{}
		for _, m := range channels {
			got[m[1]] = follow(scope+" channel "+m[1], m[2], m[3])
		}
		switch scope {
		case "2020": // the demo's 认购 of 170 亩 and 晨讯's 定向采购 (demo/market_lots.go), the rest entered
			if got["subscription"] != "676,940.00" || got["targeted"] != "49,900.00" || got["none"] == "" || len(got) != 3 {
				t.Errorf("2020 channels %v, want 认购 676,940.00, 定向采购 49,900.00 and the records entered", got)
			}
		case year: // the shop's and the union's orders, exactly
			if got["shop"] != xiezuo.FormatYuan(shop) || got["union"] != xiezuo.FormatYuan(union) || len(got) != 2 {
				t.Errorf("%s channels %v, want shop %s, union %s and no rest", year, got, xiezuo.FormatYuan(shop), xiezuo.FormatYuan(union))
			}
		case "all":
			if got["shop"] != xiezuo.FormatYuan(shop) || got["none"] == "" || got["none"] == "0.00" {
				t.Errorf("all years channels %v", got)
			}
		}
	}
	// The channel figures add up to the area's (the store's running sums).
	sums, ok, err := e.db.ConsumptionChannels(ctx, report.ForYear(0, ""))
	if err != nil || !ok || len(sums) != 4 { // shop, union; the demo's subscription, targeted
		t.Fatalf("ConsumptionChannels: %+v %v %v", sums, ok, err)
	}
	// The API gives the same split, as JSON and as CSV rows.
	_, js := do(t, c, "GET", e.srv.URL+"/api/v1/dashboard?year=2020", "", "")
	var api struct {
		Channels []struct {
			Code string `json:"code"`
			Fen  int64  `json:"fen"`
		} `json:"consumption_channels"`
	}
	if err := json.Unmarshal([]byte(js), &api); err != nil || len(api.Channels) != 3 || api.Channels[0].Code != "subscription" || api.Channels[0].Fen != 67_694_000 {
		t.Errorf("API 2020 channels %+v, %v", api.Channels, err)
	}
	if _, csv := do(t, c, "GET", e.srv.URL+"/api/v1/dashboard?year=2020&format=csv", "", ""); !strings.Contains(csv, "channel:targeted,定向采购,万元,4.99,4990000") {
		t.Errorf("the CSV lacks the channel rows:\n%s", csv)
	}
	// A bad channel on the list is told.
	resp, body := do(t, c, "GET", e.srv.URL+"/contributions?channel=bogus", "", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "采购渠道参数无效") {
		t.Errorf("bad channel: %d", resp.StatusCode)
	}
}
