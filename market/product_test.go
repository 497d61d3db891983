package market

import (
	"testing"

	"github.com/xiezuo/xiezuo"
)

const today = "2026-11-20"

func goodProduct() Product {
	return Product{ID: 101, SupplierID: supplierID, Name: "梯田红米", Category: "grain_oil", OriginCode: adi,
		Spec: "5斤/袋", Unit: "袋", PriceFen: 5980, Stock: 100, MinOrder: 1,
		Cert: Certification{No: "YN-LC-2026-018", CountyCode: lvchun, ValidUntil: "2027-06-30"}, Status: ProductListed}
}

func TestCategories(t *testing.T) {
	t.Parallel()
	want := []string{"粮油", "茶叶", "肉禽蛋", "干货调味", "果蔬", "中药材", "手工艺品/非遗文创", "其他"}
	if len(Categories) != len(want) {
		t.Fatalf("%d categories", len(Categories))
	}
	seen := map[string]bool{}
	for i, c := range Categories {
		if c.Label != want[i] || CategoryLabel(c.Code) != want[i] || !ValidCategory(c.Code) || seen[c.Code] {
			t.Errorf("category %d: %+v", i, c)
		}
		for _, r := range c.Code {
			if r > 127 {
				t.Errorf("category code %q is not ASCII", c.Code)
			}
		}
		seen[c.Code] = true
	}
	if ValidCategory("粮油") || CategoryLabel("nope") != "nope" {
		t.Error("labels are not codes; unknown codes show as themselves")
	}
}

func TestProductValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mod    func(*Product)
		county string
		field  string
		want   []string
	}{
		{"valid, village origin", nil, lvchun, "", nil},
		{"county origin", func(p *Product) { p.OriginCode = lvchun }, lvchun, "", nil},
		{"township origin", func(p *Product) { p.OriginCode = daxing }, lvchun, "", nil},
		{"draft without certificate", func(p *Product) { p.Status, p.Cert = ProductDraft, Certification{} }, lvchun, "", nil},
		{"no supplier", func(p *Product) { p.SupplierID = 0 }, lvchun, "supplier_id", []string{"供应商"}},
		{"supplier county unknown", nil, "", "supplier_id", []string{"供应商"}},
		{"no name", func(p *Product) { p.Name = "" }, lvchun, "name", []string{"商品名称"}},
		{"unknown category", func(p *Product) { p.Category = "rice" }, lvchun, "category", []string{"品类"}},
		{"origin missing", func(p *Product) { p.OriginCode = "" }, lvchun, "origin_code", []string{"产地"}},
		{"origin a province", func(p *Product) { p.OriginCode = "530000000000" }, lvchun, "origin_code", []string{"产地", "县、乡镇或村"}},
		{"origin malformed", func(p *Product) { p.OriginCode = "53253110120X" }, lvchun, "origin_code", []string{"产地", "12位"}},
		{"origin outside the county", func(p *Product) { p.OriginCode = jinping }, lvchun, "origin_code", []string{"产地", "供应商所在县"}},
		{"village of another county", func(p *Product) { p.OriginCode = "532530101201" }, lvchun, "origin_code", []string{"供应商所在县"}},
		{"no unit", func(p *Product) { p.Unit = "" }, lvchun, "unit", []string{"计量单位"}},
		{"unit too long", func(p *Product) { p.Unit = "一二三四五六七八九十一" }, lvchun, "unit", []string{"计量单位", "10"}},
		{"price 0", func(p *Product) { p.PriceFen = 0 }, lvchun, "price_fen", []string{"单价", "大于0"}},
		{"price negative", func(p *Product) { p.PriceFen = -1 }, lvchun, "price_fen", []string{"单价"}},
		{"price huge", func(p *Product) { p.PriceFen = xiezuo.MaxFen + 1 }, lvchun, "price_fen", []string{"单价", "100亿"}},
		{"negative stock", func(p *Product) { p.Stock = -1 }, lvchun, "stock", []string{"库存", "负数"}},
		{"zero stock is fine", func(p *Product) { p.Stock = 0 }, lvchun, "", nil},
		{"min order 0", func(p *Product) { p.MinOrder = 0 }, lvchun, "min_order", []string{"起订量"}},
		{"bad status", func(p *Product) { p.Status = "sold" }, lvchun, "status", []string{"商品状态"}},
		{"listed without certificate", func(p *Product) { p.Cert = Certification{} }, lvchun, "cert_no", []string{"认定编号"}},
		{"certificate of another county", func(p *Product) { p.Cert.CountyCode = jinping }, lvchun, "cert_county_code", []string{"认定县", "供应商所在县"}},
		{"certificate county a town", func(p *Product) { p.Cert.CountyCode = daxing }, lvchun, "cert_county_code", []string{"认定县", "县级"}},
		{"bad certificate date", func(p *Product) { p.Cert.ValidUntil = "2027-02-30" }, lvchun, "cert_valid_until", []string{"认定有效期", "2月只有28天"}},
		{"certificate date as typed", func(p *Product) { p.Cert.ValidUntil = "2027/6/30" }, lvchun, "cert_valid_until", []string{"认定有效期", "2027-06-30"}},
		{"draft with half a certificate", func(p *Product) { p.Status, p.Cert.ValidUntil = ProductDraft, "" }, lvchun, "cert_valid_until", []string{"认定有效期"}},
	}
	for _, c := range cases {
		p := goodProduct()
		if c.mod != nil {
			c.mod(&p)
		}
		code := ""
		if c.field != "" {
			code = xiezuo.EINVALID
		}
		checkErr(t, c.name, p.Validate(c.county), code, c.field, c.want...)
	}
	p := goodProduct()
	p.Status = ""
	p.Cert = Certification{}
	if err := p.Validate(lvchun); err != nil || p.Status != ProductDraft {
		t.Errorf("new product: %v, status %q", err, p.Status)
	}
}

func TestSellable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		modP func(*Product)
		modS func(*Supplier)
		day  string
		want []string // "" error when nil
	}{
		{"sellable", nil, nil, today, nil},
		{"last day of the certificate", nil, nil, "2027-06-30", nil},
		{"certificate expired", nil, nil, "2027-07-01", []string{"梯田红米", "认定", "2027年6月30日到期"}},
		{"not certified", func(p *Product) { p.Status, p.Cert = ProductDraft, Certification{} }, nil, today, []string{"梯田红米", "尚未认定"}},
		{"listed but certificate lost", func(p *Product) { p.Cert = Certification{} }, nil, today, []string{"梯田红米", "尚未认定"}},
		{"product suspended", func(p *Product) { p.Status = ProductSuspended }, nil, today, []string{"梯田红米", "暂停"}},
		{"product delisted", func(p *Product) { p.Status = ProductDelisted }, nil, today, []string{"梯田红米", "下架"}},
		{"no stock", func(p *Product) { p.Stock = 0 }, nil, today, []string{"梯田红米", "售罄"}},
		{"supplier suspended", nil, func(s *Supplier) { s.Status = SupplierSuspended }, today, []string{"正华农产品加工厂", "已暂停"}},
		{"supplier only recommended", nil, func(s *Supplier) { s.Status = SupplierRecommended }, today, []string{"尚未准入"}},
	}
	for _, c := range cases {
		p, s := goodProduct(), goodSupplier()
		if c.modP != nil {
			c.modP(&p)
		}
		if c.modS != nil {
			c.modS(&s)
		}
		err := Sellable(&p, &s, c.day)
		code := ""
		if c.want != nil {
			code = xiezuo.ECONFLICT
		}
		checkErr(t, c.name, err, code, "", c.want...)
	}
	p := goodProduct()
	if err := Certified(&p, "2027-06-30"); err != nil {
		t.Errorf("Certified on its last day: %v", err)
	}
	checkErr(t, "Certified after", Certified(&p, "2027-07-01"), xiezuo.ECONFLICT, "", "到期")
}

func TestProductTransition(t *testing.T) {
	t.Parallel()
	cert := Certification{No: "YN-LC-2026-018", CountyCode: lvchun, ValidUntil: "2027-06-30"}
	steps := []struct {
		user  string
		from  ProductStatus
		a     ProductAction
		in    ProductInput
		to    ProductStatus
		code  string
		field string
	}{
		{"county", ProductDraft, ProductCertify, ProductInput{Cert: cert, Today: today}, ProductListed, "", ""},
		{"admin", "", ProductCertify, ProductInput{Cert: cert, Today: today}, ProductListed, "", ""},
		{"county", ProductListed, ProductCertify, ProductInput{Cert: cert, Today: today}, ProductListed, "", ""},
		{"county", ProductDelisted, ProductCertify, ProductInput{Cert: cert, Today: today}, ProductDelisted, "", ""},
		{"county", ProductSuspended, ProductCertify, ProductInput{Cert: cert, Today: today}, "", xiezuo.ECONFLICT, ""},
		{"other-county", ProductDraft, ProductCertify, ProductInput{Cert: cert, Today: today}, "", xiezuo.EFORBIDDEN, ""},
		{"supplier", ProductDraft, ProductCertify, ProductInput{Cert: cert, Today: today}, "", xiezuo.EFORBIDDEN, ""},
		{"county", ProductDraft, ProductCertify, ProductInput{Today: today}, "", xiezuo.EINVALID, "cert_no"},
		{"county", ProductDraft, ProductCertify, ProductInput{Cert: Certification{No: "1", CountyCode: jinping, ValidUntil: "2027-01-01"}, Today: today}, "", xiezuo.EINVALID, "cert_county_code"},
		{"county", ProductDraft, ProductCertify, ProductInput{Cert: Certification{No: "1", CountyCode: lvchun, ValidUntil: "2026-11-19"}, Today: today}, "", xiezuo.EINVALID, "cert_valid_until"},
		{"supplier", ProductListed, ProductDelist, ProductInput{}, ProductDelisted, "", ""},
		{"other-supplier", ProductListed, ProductDelist, ProductInput{}, "", xiezuo.EFORBIDDEN, ""},
		{"county", ProductListed, ProductDelist, ProductInput{}, "", xiezuo.EFORBIDDEN, ""},
		{"supplier", ProductDraft, ProductDelist, ProductInput{}, "", xiezuo.ECONFLICT, ""},
		{"supplier", ProductDelisted, ProductRelist, ProductInput{Today: today}, ProductListed, "", ""},
		{"supplier", ProductDelisted, ProductRelist, ProductInput{Today: "2027-07-01"}, "", xiezuo.ECONFLICT, ""},
		{"supplier", ProductSuspended, ProductRelist, ProductInput{Today: today}, "", xiezuo.ECONFLICT, ""},
		{"county", ProductListed, ProductSuspend, ProductInput{Reason: "抽检不合格"}, ProductSuspended, "", ""},
		{"county", ProductDelisted, ProductSuspend, ProductInput{Reason: "抽检不合格"}, ProductSuspended, "", ""},
		{"county", ProductListed, ProductSuspend, ProductInput{}, "", xiezuo.EINVALID, "reason"},
		{"other-county", ProductListed, ProductSuspend, ProductInput{Reason: "x"}, "", xiezuo.EFORBIDDEN, ""},
		{"supplier", ProductListed, ProductSuspend, ProductInput{Reason: "x"}, "", xiezuo.EFORBIDDEN, ""},
		{"reviewer", ProductSuspended, ProductRestore, ProductInput{}, ProductDelisted, "", ""},
		{"county", ProductListed, ProductRestore, ProductInput{}, "", xiezuo.ECONFLICT, ""},
		{"admin", ProductListed, "sell", ProductInput{}, "", xiezuo.EINVALID, ""},
	}
	for _, s := range steps {
		p := goodProduct()
		p.Status = s.from
		got, err := ProductTransition(users[s.user], &p, lvchun, s.a, s.in)
		if got != s.to || xiezuo.ErrorCode(err) != s.code {
			t.Errorf("%s %s on %q = %q, %v; want %q, %q", s.user, s.a, s.from, got, err, s.to, s.code)
		}
		if s.field != "" {
			if _, ok := xiezuo.ErrorFields(err)[s.field]; !ok {
				t.Errorf("%s %s on %q: no message for %s in %v", s.user, s.a, s.from, s.field, err)
			}
		}
	}
	p := goodProduct()
	if got := allowed(func(u *xiezuo.User) bool { return CanEditProduct(u, &p) }); got != "admin reviewer supplier" {
		t.Errorf("CanEditProduct: %q", got)
	}
}
