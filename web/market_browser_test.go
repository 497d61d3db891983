package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/xiezuo/xiezuo/ledger"
)

// TestBrowserMarket runs the market's critical path in a real browser, as
// issue 12 describes it: a supplier of 绿春县 lists 梯田红米; the county
// certifies it; a purchaser of 程家桥街道 buys 20 袋; the supplier
// confirms and ships; the purchaser accepts with the invoice; 绿春县's
// consumption total rises by exactly that amount; the unit's finance
// settles it.
func TestBrowserMarket(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	today := e.db.Today()
	year := today[:4]
	consumption := func() int64 {
		t.Helper()
		rows, err := e.db.CountyTotals(ctx, year+"-01-01", year+"-12-31")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range rows {
			if c.CountyCode == "532531000000" {
				return c.ByForm["consumption"]
			}
		}
		return 0
	}
	before := consumption()
	var productURL, orderURL string

	t.Run("the supplier lists a product", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "zhenghua")
		b.do(chromedp.Navigate(e.srv.URL+"/market/products/new"),
			chromedp.SendKeys(`input[name=name]`, "梯田红米（新米）"),
			chromedp.SetValue(`select[name=category]`, "grain_oil"),
			chromedp.SendKeys(`input[name=origin]`, "大兴镇"),
			chromedp.SendKeys(`input[name=spec]`, "5斤/袋"),
			chromedp.SendKeys(`input[name=price]`, "45"),
			chromedp.SendKeys(`input[name=stock]`, "100"),
			chromedp.Click(`form.form button[type=submit]`),
			chromedp.WaitVisible(`.flash`))
		b.shot("market-1-listed")
		if got := b.text(`h1 .st`); got != "待认定" {
			t.Fatalf("new product status %q", got)
		}
		productURL, _ = chromedp.Run(b.ctx, chromedp.Location())
	})
	t.Run("the county certifies it", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "lvchun")
		b.do(chromedp.Navigate(productURL),
			chromedp.SendKeys(`input[name=cert_no]`, "绿扶认〔2020〕099号"),
			chromedp.SendKeys(`input[name=valid_until]`, strconv.Itoa(atoi(year)+1)+"-12-31"),
			chromedp.Click(`form[action$="/certify"] button`),
			chromedp.WaitVisible(`.flash`))
		if got := b.text(`h1 .st`); got != "在售" {
			t.Fatalf("certified product status %q", got)
		}
	})
	t.Run("a purchaser buys 20 袋", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "cjq-caigou")
		b.do(chromedp.Navigate(e.srv.URL+"/market?q=%E7%BA%A2%E7%B1%B3"), chromedp.WaitVisible(`.product`))
		if !strings.Contains(b.text(`.products`), "梯田红米（新米）") {
			t.Fatal("the certified product is not found by 红米")
		}
		b.do(chromedp.Navigate(productURL),
			chromedp.SetValue(`input[name=qty]`, "20"),
			chromedp.Click(`form[action="/market/cart"] button`),
			chromedp.WaitVisible(`.flash`),
			chromedp.Navigate(e.srv.URL+"/market/cart"))
		if got := b.text(`#cart tfoot .num`); got != "900.00" {
			t.Fatalf("cart total %q", got)
		}
		b.do(chromedp.Click(`form[action="/market/checkout"] button`), chromedp.WaitVisible(`.flash`))
		b.shot("market-2-ordered")
		orderURL, _ = chromedp.Run(b.ctx, chromedp.Location())
		if !strings.Contains(orderURL, "/market/orders/") || b.text(`h1 .st`) != "待确认" {
			t.Fatalf("after checkout at %s", orderURL)
		}
	})
	// Each step waits for the order's new status, not for a flash: the
	// page it leaves has one too, so a flash alone let a step read the old
	// page (the flows failed at random).
	t.Run("the supplier confirms and ships", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "zhenghua")
		b.do(chromedp.Navigate(orderURL), chromedp.Click(`form[action$="/confirm"] button`))
		b.waitText(`h1 .st`, "待发货")
		b.do(chromedp.SendKeys(`input[name=carrier]`, "顺丰速运"),
			chromedp.SendKeys(`input[name=tracking_no]`, "SF1234567890"),
			chromedp.Click(`form[action$="/ship"] button`))
		b.waitText(`h1 .st`, "已发货")
	})
	t.Run("the purchaser accepts with the invoice", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "cjq-caigou")
		invoice := filepath.Join(t.TempDir(), "发票.png")
		if err := os.WriteFile(invoice, pngFile(t), 0o644); err != nil {
			t.Fatal(err)
		}
		b.do(chromedp.Navigate(orderURL), chromedp.Click(`form[action$="/receive"] button`))
		b.waitText(`h1 .st`, "待验收")
		b.do(chromedp.SetUploadFiles(`input[name=invoice]`, []string{invoice}),
			chromedp.Click(`form[action$="/accept"] button`))
		b.waitText(`h1 .st`, "已验收")
		b.shot("market-3-accepted")
		// The invoice is the order's: its parties open it, others do not learn it is there.
		attr, err := chromedp.Run(b.ctx, chromedp.AttributeValue(`//a[text()="查看发票"]`, "href"))
		link := attr.Value
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := do(t, e.client("cjq-caigou"), "GET", e.srv.URL+link, "", ""); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("invoice for the buyer: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if resp, _ := do(t, e.client("xinhualu"), "GET", e.srv.URL+link, "", ""); resp.StatusCode != 404 {
			t.Fatalf("invoice for another unit: %d", resp.StatusCode)
		}
		if got := consumption() - before; got != 90000 {
			t.Fatalf("绿春县 consumption rose by %d fen, want 90000 (20 袋 × 45 元)", got)
		}
	})
	t.Run("the unit's finance settles it", func(t *testing.T) {
		b := newBrowser(t, e.srv.URL, "cjq-guanli")
		b.do(chromedp.Navigate(orderURL),
			chromedp.SendKeys(`input[name=payment_ref]`, "国库支付 2020-0915"),
			chromedp.Click(`form[action$="/settle"] button`))
		b.waitText(`h1 .st`, "已结算")
		if got := consumption() - before; got != 90000 {
			t.Fatalf("after settling, consumption rose by %d fen", got)
		}
	})
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// TestMarketAPI: the shop through its JSON API — a retried checkout with
// the same Idempotency-Key makes one order and takes stock once; a cart
// beyond the stock is refused naming the product; the supplier confirms.
func TestMarketAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var rice, stock int64
	if err := e.db.SQL().QueryRow(`SELECT id, stock FROM products WHERE name = '梯田红米'`).Scan(&rice, &stock); err != nil {
		t.Fatal(err)
	}
	buyer := e.client("cjq-caigou")
	checkout := func(key, body string) (int, string) {
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/market/checkout", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, text := send(t, buyer, req)
		return resp.StatusCode, text
	}
	cart := fmt.Sprintf(`{"lines":[{"product_id":%d,"qty":3}]}`, rice)
	code1, first := checkout("order-2020-0915-a", cart)
	code2, again := checkout("order-2020-0915-a", cart)
	var a, b struct {
		Orders []struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		} `json:"orders"`
	}
	json.Unmarshal([]byte(first), &a)
	json.Unmarshal([]byte(again), &b)
	if code1 != 201 || code2 != 201 || len(a.Orders) != 1 || len(b.Orders) != 1 || a.Orders[0].ID != b.Orders[0].ID || a.Orders[0].Status != "pending" {
		t.Fatalf("retry: %d %s / %d %s", code1, first, code2, again)
	}
	var left int64
	e.db.SQL().QueryRow(`SELECT stock FROM products WHERE id = $1`, rice).Scan(&left)
	if left != stock-3 {
		t.Fatalf("stock %d after a retried checkout of 3 from %d", left, stock)
	}
	if code, text := checkout("", cart); code != 422 || !strings.Contains(text, "Idempotency-Key") {
		t.Fatalf("no key: %d %s", code, text)
	}
	if code, text := checkout("too-much", fmt.Sprintf(`{"lines":[{"product_id":%d,"qty":%d}]}`, rice, left+1)); code/100 != 4 || !strings.Contains(text, "梯田红米") {
		t.Fatalf("beyond stock: %d %s", code, text)
	}
	resp, text := do(t, e.client("zhenghua"), "POST", fmt.Sprintf("%s/api/v1/market/orders/%d/confirm", e.srv.URL, a.Orders[0].ID), "application/json", "")
	if resp.StatusCode != 200 || !strings.Contains(text, `"status":"to_ship"`) {
		t.Fatalf("confirm: %d %s", resp.StatusCode, text)
	}
}

// A unit's management account uploads its 832 export on the market page:
// the report says what was imported and the order is listed.
func TestMarketPurchasesUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client("cjq-guanli")
	csv := "订单编号,下单日期,采购单位,供应商,商品名称,产地县,数量,金额(元),订单状态\n" +
		"8322020091500001,2020-09-15,程家桥街道,绿春县正华农产品加工厂,梯田红米,绿春县,10,499.00,已完成\n"
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("mode", "all")
	fw, _ := mw.CreateFormFile("file", "程家桥街道9月832订单.csv")
	fw.Write([]byte(csv))
	mw.Close()
	resp, _ := do(t, c, "POST", e.srv.URL+"/market/purchases", mw.FormDataContentType(), body.String())
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/market/purchases?batch=") {
		t.Fatalf("upload: %d → %q", resp.StatusCode, loc)
	}
	_, page := do(t, c, "GET", e.srv.URL+loc, "", "")
	if !strings.Contains(page, "导入 1 行") || !strings.Contains(page, "P832-8322020091500001") {
		t.Fatalf("report page lacks the import or the order:\n%.2000s", page)
	}
	// The bulletin's 晨讯科技 buys 1万斤 of 红米 directly (定向采购): the
	// office records the voucher once; 绿春县's consumption rises by it.
	consumption := func() int64 {
		rows, _ := e.db.CountyTotals(ctx, "2020-01-01", "2020-12-31")
		for _, r := range rows {
			if r.CountyCode == "532531000000" {
				return r.ByForm["consumption"]
			}
		}
		return 0
	}
	before := consumption()
	voucher := url.Values{"channel": {"targeted"}, "ref": {"晨讯-2020-红米"}, "buyer": {"晨讯科技集团"}, "date": {"2020年9月18日"},
		"supplier": {"绿春县正华农产品加工厂"}, "county": {"绿春县"}, "product": {"梯田红米"}, "qty": {"10000"}, "amount": {"5万"}}.Encode()
	admin := e.client("admin")
	if resp, _ := do(t, admin, "POST", e.srv.URL+"/market/purchases/record", form, voucher); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("record: %d", resp.StatusCode)
	}
	if got := consumption() - before; got != 5_000_000 {
		t.Fatalf("绿春县 consumption rose by %d fen, want 5,000,000", got)
	}
	resp2, _ := do(t, admin, "POST", e.srv.URL+"/market/purchases/record", form, voucher)
	if resp2.StatusCode != http.StatusSeeOther || consumption()-before != 5_000_000 {
		t.Fatalf("the same voucher again: %d, +%d fen", resp2.StatusCode, consumption()-before)
	}
	if resp, page := do(t, admin, "GET", e.srv.URL+resp2.Header.Get("Location"), "", ""); resp.StatusCode != 200 || !strings.Contains(page, "已登记过") {
		t.Fatalf("the same voucher again leads to %s: %d", resp2.Header.Get("Location"), resp.StatusCode)
	}
	bad := url.Values{"channel": {"shop"}, "ref": {""}, "buyer": {"不存在的单位"}, "qty": {"0"}}.Encode()
	if resp, body := do(t, admin, "POST", e.srv.URL+"/market/purchases/record", form, bad); resp.StatusCode != 422 || !strings.Contains(body, "请选择渠道") || !strings.Contains(body, "不在单位名录中") {
		t.Fatalf("bad voucher: %d", resp.StatusCode)
	}
	// A union buys with union funds: counted once in the county's total,
	// and to the union and to its unit (both givers); only a union's
	// purchase may name a unit.
	givenBy := func(name string) (n, fen int64) {
		o, err := e.db.OrgByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		_, tot, err := e.db.ListContributions(ctx, e.user("admin"), ledger.ContributionFilter{GiverID: o.ID, From: "2020-01-01", To: "2020-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		return tot.Count, tot.AmountFen
	}
	before = consumption()
	unitN, unitFen := givenBy("程家桥街道")
	union := url.Values{"channel": {"union"}, "ref": {"工会采购单 2020-031"}, "buyer": {"长宁区总工会"}, "for_unit": {"程家桥街道"}, "date": {"2020-10-12"},
		"supplier": {"绿春县绿鑫生态茶叶有限公司"}, "county": {"绿春县"}, "product": {"绿春古树茶"}, "qty": {"100"}, "amount": {"12800"}}
	if resp, body := do(t, admin, "POST", e.srv.URL+"/market/purchases/record", form, union.Encode()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("union voucher: %d %.600s", resp.StatusCode, body)
	}
	if got := consumption() - before; got != 1_280_000 {
		t.Fatalf("绿春县 consumption rose by %d fen for the union's purchase, want 1,280,000 (once)", got)
	}
	if n, fen := givenBy("程家桥街道"); n != unitN+1 || fen != unitFen+1_280_000 {
		t.Fatalf("the union's unit gave %d records, %d fen; want %d, %d", n, fen, unitN+1, unitFen+1_280_000)
	}
	if n, _ := givenBy("长宁区总工会"); n != 1 {
		t.Fatalf("the union gave %d records, want 1", n)
	}
	union.Set("channel", "enterprise")
	union.Set("ref", "企业采购单 1")
	if resp, body := do(t, admin, "POST", e.srv.URL+"/market/purchases/record", form, union.Encode()); resp.StatusCode != 422 || !strings.Contains(body, "只有工会采购可以写明工会所属单位") {
		t.Fatalf("a unit named on an enterprise purchase: %d", resp.StatusCode)
	}
}
