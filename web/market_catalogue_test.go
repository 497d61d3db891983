package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/store"
)

// multipartFiles is a multipart body with the files under field.
func multipartFiles(t *testing.T, field string, files map[string][]byte) (string, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, data := range files {
		fw, err := mw.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return mw.FormDataContentType(), body.String()
}

// Product photos over HTTP: a photo over 2 MB or not an image is refused
// naming the file, nothing stored; a good one shows on the shop's card
// (lazy, fixed size) and the product page, served with its ETag (304 on
// revalidation) to whoever may see the product; someone else's product
// is forbidden to change, a draft product's photo not found to buyers.
func TestProductPhotosWeb(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sup, buyer := e.client("zhenghua"), e.client("cjq-caigou")
	var rice, draft int64
	e.db.SQL().QueryRow(`SELECT id FROM products WHERE name = '梯田红米'`).Scan(&rice)
	e.db.SQL().QueryRow(`SELECT id FROM products WHERE name = '百香果原浆'`).Scan(&draft)
	upload := func(c *http.Client, id int64, files map[string][]byte) string {
		ct, body := multipartFiles(t, "photos", files)
		resp, text := do(t, c, "POST", fmt.Sprintf("%s/market/products/%d/photos", e.srv.URL, id), ct, body)
		if resp.StatusCode != http.StatusSeeOther {
			return fmt.Sprint(resp.StatusCode)
		}
		_, page := do(t, c, "GET", fmt.Sprintf("%s/market/products/%d/edit", e.srv.URL, id), "", "")
		_ = text
		return page
	}
	stored := func() (n int) {
		e.db.SQL().QueryRow(`SELECT COUNT(*) FROM product_photos`).Scan(&n)
		return n
	}
	png := testdb.PNG(t)
	jpegBig := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{1}, market.MaxProductPhotoBytes+10)...)
	if page := upload(sup, rice, map[string][]byte{"大图.jpg": jpegBig, "红米.png": png}); !strings.Contains(page, "“大图.jpg”：图片不能超过2MB") || stored() != 0 {
		t.Fatalf("a too big photo: %d stored; page: %.300s", stored(), page)
	}
	if page := upload(sup, rice, map[string][]byte{"假图.png": []byte("<?php system($_GET['c']); ?>")}); !strings.Contains(page, "“假图.png”：只接受 JPEG、PNG 或 WebP 图片") || stored() != 0 {
		t.Fatalf("a fake image: %d stored", stored())
	}
	if got := upload(e.client("lvchun"), rice, map[string][]byte{"红米.png": png}); got != "403" {
		t.Fatalf("the county uploading to a supplier's product: %s", got)
	}
	if page := upload(sup, rice, map[string][]byte{"红米.png": png}); !strings.Contains(page, "已上传 1 张图片") || stored() != 1 {
		t.Fatalf("a good photo: %d stored", stored())
	}
	var pid int64
	e.db.SQL().QueryRow(`SELECT id FROM product_photos`).Scan(&pid)
	src := fmt.Sprintf("/market/products/%d/photos/%d", rice, pid)
	_, shop := do(t, buyer, "GET", e.srv.URL+"/market?q=%E7%BA%A2%E7%B1%B3", "", "")
	if !regexp.MustCompile(`<img src="` + regexp.QuoteMeta(src) + `" alt="" loading="lazy" decoding="async" width="400" height="300">`).MatchString(shop) {
		t.Fatalf("the shop's card has no lazy photo of fixed size: %s", shop)
	}
	if _, all := do(t, buyer, "GET", e.srv.URL+"/market", "", ""); !strings.Contains(all, `class="thumb none"`) {
		t.Error("a product without photos has no placeholder of the same size")
	}
	if _, page := do(t, buyer, "GET", fmt.Sprintf("%s/market/products/%d", e.srv.URL, rice), "", ""); !strings.Contains(page, `id="gallery"`) || !strings.Contains(page, src) {
		t.Fatal("the product page has no gallery")
	}
	resp, body := do(t, buyer, "GET", e.srv.URL+src, "", "")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || body != string(png) || resp.Header.Get("Content-Type") != "image/png" || len(etag) != 66 ||
		!strings.HasPrefix(resp.Header.Get("Cache-Control"), "private") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("photo: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := do(t, buyer, "GET", e.srv.URL+src, "", "", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation: %d", resp.StatusCode)
	}
	// A draft product's photo: its supplier's and the office's, not a buyer's.
	ph, err := e.db.AddProductPhotos(ctx, e.user("admin"), draft, []store.PhotoUpload{{Name: "原浆.png", Data: png}})
	if err != nil {
		t.Fatal(err)
	}
	draftSrc := fmt.Sprintf("%s/market/products/%d/photos/%d", e.srv.URL, draft, ph[0].ID)
	for who, want := range map[string]int{"cjq-caigou": 404, "zhenghua": 404, "viewer": 404, "admin": 200, "caizheng": 200} {
		if resp, _ := do(t, e.client(who), "GET", draftSrc, "", ""); resp.StatusCode != want {
			t.Errorf("%s reads a draft product's photo: %d, want %d", who, resp.StatusCode, want)
		}
	}
	// The photo of one product is not served under another's id.
	if resp, _ := do(t, buyer, "GET", fmt.Sprintf("%s/market/products/%d/photos/%d", e.srv.URL, rice, ph[0].ID), "", ""); resp.StatusCode != 404 {
		t.Errorf("a photo under another product: %d", resp.StatusCode)
	}
}

// Ratings over HTTP: a pending order cannot be rated; bad stars are
// named on the order page (422); the buyer rates an accepted order once;
// the rating shows on the order, the product's and supplier's averages,
// and the supplier's ratings page.
func TestOrderRatingWeb(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	buyer, sup := e.client("cjq-caigou"), e.client("zhenghua")
	var rice int64
	e.db.SQL().QueryRow(`SELECT id FROM products WHERE name = '梯田红米'`).Scan(&rice)
	orders, err := e.db.Checkout(ctx, e.user("cjq-caigou"), []market.CartLine{{Product: &market.Product{ID: rice}, Qty: 2}}, "")
	if err != nil {
		t.Fatal(err)
	}
	o := orders[0]
	orderURL := fmt.Sprintf("%s/market/orders/%d", e.srv.URL, o.ID)
	rate := func(c *http.Client, q, d, s, comment string) (*http.Response, string) {
		return do(t, c, "POST", orderURL+"/rate", form, fmt.Sprintf("quality=%s&delivery=%s&service=%s&comment=%s", q, d, s, comment))
	}
	if resp, _ := rate(buyer, "5", "5", "5", ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("rating a pending order: %d", resp.StatusCode)
	}
	if _, page := do(t, buyer, "GET", orderURL, "", ""); !strings.Contains(page, "验收后才能评价") || strings.Contains(page, `action="/market/orders/`+fmt.Sprint(o.ID)+`/rate"`) {
		t.Fatal("a pending order offers a rating, or the refusal is not shown")
	}
	steps := []struct {
		who string
		a   market.OrderAction
		in  market.OrderInput
	}{{"zhenghua", market.OrderConfirm, market.OrderInput{}}, {"zhenghua", market.OrderShip, market.OrderInput{Carrier: "顺丰速运", TrackingNo: "SF9"}},
		{"cjq-caigou", market.OrderReceive, market.OrderInput{}}}
	for _, s := range steps {
		if err := e.db.OrderTransition(ctx, e.user(s.who), o.ID, s.a, s.in); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.db.OrderTransition(ctx, e.user("cjq-caigou"), o.ID, market.OrderAccept, market.OrderInput{},
		store.OrderFile{Field: "invoice_ref", Name: "发票.png", Data: testdb.PNG(t)}); err != nil {
		t.Fatal(err)
	}
	if _, page := do(t, buyer, "GET", orderURL, "", ""); !strings.Contains(page, "评价本订单") {
		t.Fatal("an accepted order offers no rating to its buyer")
	}
	if _, page := do(t, sup, "GET", orderURL, "", ""); strings.Contains(page, "评价本订单") {
		t.Fatal("the supplier is offered to rate its own order")
	}
	resp, page := rate(buyer, "6", "", "3", strings.Repeat("好", 301))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "请为商品质量打1至5星") || !strings.Contains(page, "请为物流时效打1至5星") || !strings.Contains(page, "不能超过300") {
		t.Fatalf("bad stars: %d %s", resp.StatusCode, page)
	}
	if resp, _ := rate(sup, "5", "5", "5", ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the supplier rates: %d", resp.StatusCode)
	}
	if resp, _ := rate(buyer, "5", "4", "4", "%E7%B1%B3%E5%BE%88%E9%A6%99"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("rating: %d", resp.StatusCode)
	}
	if _, page := do(t, buyer, "GET", orderURL, "", ""); !strings.Contains(page, "感谢评价") || !strings.Contains(page, "米很香") || !strings.Contains(page, "★★★★★") {
		t.Fatal("the rating is not on the order page")
	}
	// Twice: refused, the first kept.
	guanli := e.client("cjq-guanli")
	rate(guanli, "1", "1", "1", "")
	if _, page := do(t, guanli, "GET", orderURL, "", ""); !strings.Contains(page, "已经评价过") {
		t.Fatalf("a second rating was not refused: %s", page)
	}
	var n, q int
	e.db.SQL().QueryRow(`SELECT COUNT(*), MAX(quality) FROM order_ratings`).Scan(&n, &q)
	if n != 1 || q != 5 {
		t.Fatalf("%d ratings, quality %d", n, q)
	}
	if _, page := do(t, e.client("viewer"), "GET", fmt.Sprintf("%s/market/products/%d", e.srv.URL, rice), "", ""); !strings.Contains(page, "<strong>4.3</strong>") || !strings.Contains(page, "1 条评价") {
		t.Fatal("the product page has no average")
	}
	if _, page := do(t, sup, "GET", e.srv.URL+"/market/ratings", "", ""); !strings.Contains(page, "米很香") || !strings.Contains(page, o.No) {
		t.Fatal("the supplier does not see its rating")
	}
	if resp, _ := do(t, buyer, "GET", e.srv.URL+"/market/ratings", "", ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a buyer reads the ratings list: %d", resp.StatusCode)
	}
}

// The catalogue import page over HTTP: a supplier's upload is reported
// on the page; a hostile row is named with its column and the error
// book downloads; the export is a workbook whose first sheet is the
// template's.
func TestCatalogueImportWeb(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sup := e.client("zhenghua")
	post := func(name, csv string) string {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte(csv))
		mw.Close()
		resp, _ := do(t, sup, "POST", e.srv.URL+"/market/products/import", mw.FormDataContentType(), body.String())
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d", resp.StatusCode)
		}
		_, page := do(t, sup, "GET", e.srv.URL+resp.Header.Get("Location"), "", "")
		return page
	}
	head := "供应商,商品名称,品类,产地,规格,单位,单价（元）,库存,起订量\n"
	if page := post("目录.csv", head+",梯田黑米,粮油,大兴镇,5斤/袋,袋,55,100,1\n"); !strings.Contains(page, "新增或更新 1 件") {
		t.Fatalf("good upload: %s", page)
	}
	page := post("坏目录.csv", head+",\"=cmd|' /C calc'!A0\",粮油,大兴镇,,袋,55,100,1\n,负米,粮油,大兴镇,,袋,0,-3,1\n")
	if !strings.Contains(page, "【商品名称】") || !strings.Contains(page, "【库存】库存不能为负数") || !strings.Contains(page, "全部未导入") {
		t.Fatalf("hostile upload: %s", page)
	}
	m := regexp.MustCompile(`/market/catalogue/batches/(\d+)/errors.xlsx`).FindString(page)
	if resp, _ := do(t, sup, "GET", e.srv.URL+m, "", ""); m == "" || resp.StatusCode != 200 {
		t.Fatalf("error book %q", m)
	}
	resp, body := do(t, sup, "GET", e.srv.URL+"/market/products/export.xlsx", "", "")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(f.GetSheetName(0))
	if len(rows) != 4 || rows[0][0] != "供应商" || rows[0][6] != "单价（元）" { // 正华's three products
		t.Fatalf("export rows: %v", rows)
	}
	for _, r := range rows[1:] {
		if r[0] != "绿春县正华农产品加工厂" {
			t.Fatalf("a supplier exported another's product: %v", r)
		}
	}
}

// TestSupplierProductList: 商品管理 lists a supplier's own products only
// (the shop shows the others'), as its export does.
func TestSupplierProductList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, page := do(t, e.client("zhenghua"), "GET", e.srv.URL+"/market/products", "", "")
	if !strings.Contains(page, "草果八角香料礼盒") || strings.Contains(page, "勐拉百香果") || strings.Contains(page, "绿春古树茶") {
		t.Error("a supplier's 商品管理 lists other suppliers' products")
	}
	if _, page := do(t, e.client("admin"), "GET", e.srv.URL+"/market/products", "", ""); !strings.Contains(page, "勐拉百香果") {
		t.Error("the office's 商品管理 lacks a product")
	}
}
