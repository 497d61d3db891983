package web

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/store"
)

// The market (消费帮扶商城, issue 12): the catalogue of the paired
// counties' certified products, suppliers' admission, a purchaser's
// cart and checkout, and the orders each party handles. The rules are
// package market's; the store enforces them; these pages only ask.

// marketRoutes registers the market's pages; routes.go calls it.
func (s *Server) marketRoutes(mux *router) {
	mux.HandleFunc("GET /market", s.page(s.marketCatalogue))
	mux.HandleFunc("GET /market/products", s.page(s.productList))
	mux.HandleFunc("GET /market/products/new", s.page(s.productNew))
	mux.HandleFunc("POST /market/products", s.page(s.productSave))
	mux.HandleFunc("GET /market/products/{id}", s.page(s.productShow))
	mux.HandleFunc("GET /market/products/{id}/edit", s.page(s.productEdit))
	mux.HandleFunc("POST /market/products/{id}", s.page(s.productSave))
	mux.HandleFunc("POST /market/products/{id}/{action}", s.page(s.productAction)) // certify|delist|relist|suspend|restore
	mux.HandleFunc("GET /market/suppliers", s.page(s.supplierList))
	mux.HandleFunc("POST /market/suppliers", s.page(s.supplierCreate))
	mux.HandleFunc("GET /market/suppliers/{id}", s.page(s.supplierShow))
	mux.HandleFunc("POST /market/suppliers/{id}/{action}", s.page(s.supplierAction)) // recommend|admit|suspend|readmit
	mux.HandleFunc("GET /market/cart", s.page(s.cartPage))
	mux.HandleFunc("POST /market/cart", s.page(s.cartAdd))
	mux.HandleFunc("POST /market/cart/remove", s.page(s.cartRemove))
	mux.HandleFunc("POST /market/checkout", s.page(s.checkout))
	mux.HandleFunc("GET /market/orders", s.page(s.orderList))
	mux.HandleFunc("GET /market/orders/{id}", s.page(s.orderShow))
	mux.HandleFunc("POST /market/orders/{id}/{action}", s.page(s.orderAction)) // confirm|ship|receive|settle|cancel|return
	mux.HandleFunc("POST /market/orders/{id}/accept", s.page(s.orderAccept))   // with the invoice and inspection photo uploaded
	mux.HandleFunc("GET /market/orders/{id}/files/{fid}", s.page(s.orderFile))
	s.marketCatalogueRoutes(mux) // market_catalogue.go: catalogue import/export, photos, ratings
	s.marketAPIRoutes(mux)
	s.marketPurchaseRoutes(mux)
	s.marketAccountRoutes(mux)
	s.marketSupervisionRoutes(mux)
	s.marketNoticeRoutes(mux)
	s.marketBuyerRoutes(mux)
	s.marketLotRoutes(mux) // 认领/认购 and 认捐: market_lots.go
}

// orderSteps are the steps an order route takes.
var orderSteps = []market.OrderAction{market.OrderConfirm, market.OrderShip, market.OrderReceive, market.OrderAccept, market.OrderSettle, market.OrderCancel, market.OrderReturn}

// marketData is what every market page gets: the paired counties, the
// categories, the tabs u has (tab is the current one) and the
// purchaser's cart size.
func (s *Server) marketData(r *http.Request, u *xiezuo.User, title, tab string) (formData, error) {
	counties, err := s.DB.PairedCounties(r.Context())
	if err != nil {
		return nil, err
	}
	oversees := u.IsOffice() || u.Role == xiezuo.RoleCounty || u.Role == xiezuo.RoleSupervisor
	return formData{"Title": title, "Tab": tab, "Counties": counties, "Categories": market.Categories, "Units": market.Units,
		"CartCount": len(readCart(s.Sessions.GetString(r.Context(), "cart"))), "Today": s.DB.Today(),
		"CanBuyNav": market.CanCheckout(u), "ManagesProducts": oversees || u.Role == xiezuo.RoleSupplier, "SeesSuppliers": oversees,
		"ImportsPurchases": mayImportPurchases(u) == nil}, nil
}

// productFilter reads the catalogue's filter from a query string.
func productFilter(q url.Values) (store.ProductFilter, error) {
	f := store.ProductFilter{Query: strings.TrimSpace(q.Get("q")), CountyCode: q.Get("county"), Category: q.Get("category"),
		Status: market.ProductStatus(q.Get("status"))}
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	p := xiezuo.Problems{}
	for _, b := range []struct {
		key, label string
		into       *int64
	}{{"min", "最低价", &f.MinPriceFen}, {"max", "最高价", &f.MaxPriceFen}} {
		if v := strings.TrimSpace(q.Get(b.key)); v != "" {
			n, ok := xiezuo.ParseYuan(v)
			if !ok {
				p.Add(b.key, b.label+"请填写元，如 50 或 49.9")
			}
			*b.into = n
		}
	}
	return f, p.Err()
}

// marketCatalogue is the shop: the listed, certified products of admitted
// suppliers, searched and filtered; a purchaser adds them to the cart.
func (s *Server) marketCatalogue(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.productPage(w, r, u, true)
}

// productList is the products u manages or oversees, every status: a
// supplier's own, a county's, all for the office and 监管.
func (s *Server) productList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.productPage(w, r, u, false)
}

// productPage lists products by the query's filter: the shop (what is
// sellable today, 24 a page, as cards) or the management list (any
// status, 50 a page, as a table).
func (s *Server) productPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User, shop bool) error {
	title, tab, page := "商品管理", "products", "market_products"
	if shop {
		title, tab, page = "消费帮扶商城", "shop", "market"
	}
	data, err := s.marketData(r, u, title, tab)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f, ferr := productFilter(q)
	f.Limit = 50
	if shop {
		f.SellableOn, f.Status, f.Limit = s.DB.Today(), "", 24
	} else if u.Role == xiezuo.RoleSupplier {
		f.SupplierID = u.OrgID // a supplier manages its own products; the shop shows the others'
	}
	var items []market.Product
	var total int
	if ferr == nil {
		items, total, ferr = s.DB.Products(r.Context(), u, f)
	}
	if ferr != nil {
		if xiezuo.ErrorCode(ferr) != xiezuo.EINVALID {
			return ferr
		}
		data["Error"] = xiezuo.ErrorMessage(ferr)
	}
	data["Items"], data["Q"], data["Pager"], data["Statuses"] = items, q, newPager(r.URL, f.Offset, f.Limit, total), market.ProductStatuses
	data["CanBuy"], data["CanAdd"] = market.CanCheckout(u), u.Role == xiezuo.RoleSupplier || u.IsOffice()
	if err := s.firstPhotos(r, items, data); err != nil { // market_catalogue.go
		return err
	}
	s.render(w, r, http.StatusOK, page, data)
	return nil
}

func (s *Server) productShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.DB.Product(r.Context(), u, id)
	if err != nil {
		return err
	}
	data, err := s.marketData(r, u, p.Name, "shop")
	if err != nil {
		return err
	}
	sup, err := s.DB.Supplier(r.Context(), u, p.SupplierID)
	if err != nil && xiezuo.ErrorCode(err) != xiezuo.ENOTFOUND {
		return err
	}
	today := s.DB.Today()
	data["P"], data["Supplier"], data["Back"] = p, sup, "/market"
	if sup != nil {
		if why := market.Sellable(p, sup, today); why != nil {
			data["NotSellable"] = xiezuo.ErrorMessage(why)
		}
		county := sup.CountyCode
		var acts []market.ProductAction
		for _, a := range []market.ProductAction{market.ProductCertify, market.ProductDelist, market.ProductRelist, market.ProductSuspend, market.ProductRestore} {
			in := market.ProductInput{Cert: market.Certification{No: "x", CountyCode: county, ValidUntil: today}, Reason: "x", Today: today}
			if _, err := market.ProductTransition(u, p, county, a, in); err == nil || xiezuo.ErrorCode(err) == xiezuo.EINVALID {
				acts = append(acts, a)
			}
		}
		data["Actions"] = acts
	}
	data["CanEdit"] = market.CanEditProduct(u, p)
	data["CanBuy"] = market.CanCheckout(u)
	if err := s.productPhotos(r, u, p, data); err != nil { // market_catalogue.go
		return err
	}
	s.render(w, r, http.StatusOK, "market_product", data)
	return nil
}

// productForm shows the product form with values (from p, or as typed).
func (s *Server) productForm(w http.ResponseWriter, r *http.Request, u *xiezuo.User, p *market.Product, values map[string]string, formErr error) error {
	data, err := s.marketData(r, u, "新增商品", "products")
	if err != nil {
		return err
	}
	if p.ID != 0 {
		data["Title"] = "修改商品"
	}
	if u.IsOffice() { // the office lists for any admitted supplier
		sups, _, err := s.DB.Suppliers(r.Context(), u, store.SupplierFilter{Status: market.SupplierAdmitted, Limit: 500})
		if err != nil {
			return err
		}
		data["Suppliers"] = sups
	}
	if values == nil {
		values = map[string]string{"supplier_id": itoa64(p.SupplierID), "name": p.Name, "category": p.Category, "origin": p.OriginName,
			"spec": p.Spec, "unit": p.Unit, "price": fenInput(p.PriceFen), "stock": itoa64(p.Stock), "min_order": itoa64(max(p.MinOrder, 1))}
		if p.OriginName == "" {
			values["origin"] = p.OriginCode
		}
	}
	data["F"], data["P"] = values, p
	if err := s.productPhotos(r, u, p, data); err != nil { // market_catalogue.go
		return err
	}
	status := http.StatusOK
	if formErr != nil {
		data["Error"], data["Errors"], status = xiezuo.ErrorMessage(formErr), xiezuo.ErrorFields(formErr), statusOf(formErr)
	}
	s.render(w, r, status, "market_product_form", data)
	return nil
}

func (s *Server) productNew(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if u.Role != xiezuo.RoleSupplier && !u.IsOffice() {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有供应商和协作办可以新增商品")
	}
	p := &market.Product{Unit: "袋", MinOrder: 1}
	if u.Role == xiezuo.RoleSupplier {
		p.SupplierID = u.OrgID
	}
	return s.productForm(w, r, u, p, nil, nil)
}

func (s *Server) productEdit(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.DB.Product(r.Context(), u, id)
	if err != nil {
		return err
	}
	if !market.CanEditProduct(u, p) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有本商品的供应商和协作办可以修改")
	}
	return s.productForm(w, r, u, p, nil, nil)
}

// productSave creates (POST /market/products) or updates a product.
func (s *Server) productSave(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	p := &market.Product{}
	if r.PathValue("id") != "" {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if p, err = s.DB.Product(r.Context(), u, id); err != nil {
			return err
		}
		if !market.CanEditProduct(u, p) {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有本商品的供应商和协作办可以修改")
		}
	} else if u.Role != xiezuo.RoleSupplier && !u.IsOffice() {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有供应商和协作办可以新增商品")
	}
	f := s.readForm(r)
	if p.ID == 0 {
		p.SupplierID = u.OrgID
		if u.IsOffice() {
			p.SupplierID = f.id("supplier_id")
		}
	}
	p.Name, p.Category, p.Spec, p.Unit = f.str("name"), f.str("category"), f.str("spec"), f.str("unit")
	p.PriceFen = f.yuan("price", "单价")
	p.Stock = f.int64("stock", "库存")
	p.MinOrder = f.int64("min_order", "起订量")
	county := ""
	if sup, err := s.DB.Supplier(r.Context(), u, p.SupplierID); err == nil {
		county = sup.CountyCode
	}
	p.OriginCode = f.region("origin", "产地", 0, county)
	if err := f.merge(func() error { return p.Validate(county) }); err != nil {
		return s.productForm(w, r, u, p, f.Values, err)
	}
	if err := s.DB.SaveProduct(r.Context(), u, p); err != nil {
		if xiezuo.ErrorCode(err) == xiezuo.EINVALID || xiezuo.ErrorCode(err) == xiezuo.ECONFLICT {
			return s.productForm(w, r, u, p, f.Values, err)
		}
		return err
	}
	s.flash(r, "商品已保存。新商品须由产地县认定后才能上架销售。")
	http.Redirect(w, r, "/market/products/"+itoa64(p.ID), http.StatusSeeOther)
	return nil
}

// productAction applies a listing step (认定, 下架, 重新上架, 暂停, 解除暂停).
func (s *Server) productAction(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := market.ProductAction(r.PathValue("action"))
	if !slices.Contains([]market.ProductAction{market.ProductCertify, market.ProductDelist, market.ProductRelist, market.ProductSuspend, market.ProductRestore}, a) {
		return xiezuo.Errorf(xiezuo.ENOTFOUND, "没有这个操作")
	}
	f := s.readForm(r)
	in := market.ProductInput{Cert: market.Certification{No: f.str("cert_no"), ValidUntil: f.date("valid_until", "有效期至")}, Reason: f.str("reason"), Today: s.DB.Today()}
	if p, err := s.DB.Product(r.Context(), u, id); err == nil {
		if sup, err := s.DB.Supplier(r.Context(), u, p.SupplierID); err == nil {
			in.Cert.CountyCode = sup.CountyCode
		}
	}
	if err := f.merge(func() error { return nil }); err != nil {
		return err
	}
	if err := s.DB.ProductTransition(r.Context(), u, id, a, in); err != nil {
		return err
	}
	s.flash(r, "已"+a.Label())
	http.Redirect(w, r, "/market/products/"+itoa64(id), http.StatusSeeOther)
	return nil
}

// supplierList lists the suppliers u may see, with the application form
// for the office and the county.
func (s *Server) supplierList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.supplierPage(w, r, u, nil, nil)
}

func (s *Server) supplierPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User, values map[string]string, formErr error) error {
	data, err := s.marketData(r, u, "供应商", "suppliers")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.SupplierFilter{CountyCode: q.Get("county"), Status: market.SupplierStatus(q.Get("status")), Query: q.Get("q"), Limit: 100}
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	items, total, err := s.DB.Suppliers(r.Context(), u, f)
	if err != nil {
		return err
	}
	if values == nil {
		values = map[string]string{"county_code": u.CountyCode}
	}
	data["Items"], data["Q"], data["Pager"], data["Statuses"], data["F"] = items, q, newPager(r.URL, f.Offset, f.Limit, total), market.SupplierStatuses, values
	data["CanApply"] = u.IsOffice() || u.Role == xiezuo.RoleCounty
	status := http.StatusOK
	if formErr != nil {
		data["Error"], data["Errors"], status = xiezuo.ErrorMessage(formErr), xiezuo.ErrorFields(formErr), statusOf(formErr)
	}
	s.render(w, r, status, "market_suppliers", data)
	return nil
}

// supplierCreate registers a supplier's application (the office, or the
// county for its own county).
func (s *Server) supplierCreate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !u.IsOffice() && u.Role != xiezuo.RoleCounty {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和受援县可以登记供应商")
	}
	f := s.readForm(r)
	sup := &market.Supplier{Name: f.str("name"), USCC: strings.ToUpper(f.str("uscc")), CountyCode: f.str("county_code"),
		FarmerLink: f.str("farmer_link"), Contact: f.str("contact"), Phone: f.str("phone")}
	if u.Role == xiezuo.RoleCounty {
		sup.CountyCode = u.CountyCode
	}
	err := f.merge(sup.Validate)
	if err == nil {
		err = s.DB.CreateSupplier(r.Context(), u, sup)
	}
	if err == nil {
		s.flash(r, "已登记供应商“"+sup.Name+"”的申请")
		http.Redirect(w, r, "/market/suppliers/"+itoa64(sup.ID), http.StatusSeeOther)
		return nil
	}
	if c := xiezuo.ErrorCode(err); c != xiezuo.EINVALID && c != xiezuo.ECONFLICT {
		return err
	}
	return s.supplierPage(w, r, u, f.Values, err)
}

func (s *Server) supplierShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sup, err := s.DB.Supplier(r.Context(), u, id)
	if err != nil {
		return err
	}
	data, err := s.marketData(r, u, sup.Name, "suppliers")
	if err != nil {
		return err
	}
	products, _, err := s.DB.Products(r.Context(), u, store.ProductFilter{SupplierID: id, Limit: 200})
	if err != nil {
		return err
	}
	var acts []market.SupplierAction
	for _, a := range []market.SupplierAction{market.SupplierRecommend, market.SupplierAdmit, market.SupplierSuspend, market.SupplierReadmit} {
		if _, err := market.SupplierTransition(u, sup, a, "x"); err == nil {
			acts = append(acts, a)
		}
	}
	data["S"], data["Products"], data["Actions"], data["Back"] = sup, products, acts, "/market/suppliers"
	if err := s.supplierRating(r, u, sup, data); err != nil { // market_catalogue.go
		return err
	}
	s.render(w, r, http.StatusOK, "market_supplier", data)
	return nil
}

func (s *Server) supplierAction(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := market.SupplierAction(r.PathValue("action"))
	if !slices.Contains([]market.SupplierAction{market.SupplierRecommend, market.SupplierAdmit, market.SupplierSuspend, market.SupplierReadmit}, a) {
		return xiezuo.Errorf(xiezuo.ENOTFOUND, "没有这个操作")
	}
	if err := s.DB.SupplierTransition(r.Context(), u, id, a, strings.TrimSpace(r.PostFormValue("reason"))); err != nil {
		return err
	}
	s.flash(r, "已"+a.Label())
	http.Redirect(w, r, "/market/suppliers/"+itoa64(id), http.StatusSeeOther)
	return nil
}

// The cart lives in the session as "id:qty,id:qty" (products in the order
// they were added).
type cartItem struct {
	ProductID, Qty int64
}

func readCart(s string) []cartItem {
	var out []cartItem
	for _, part := range strings.Split(s, ",") {
		id, qty, ok := strings.Cut(part, ":")
		i, err1 := strconv.ParseInt(id, 10, 64)
		n, err2 := strconv.ParseInt(qty, 10, 64)
		if ok && err1 == nil && err2 == nil && i > 0 && n > 0 {
			out = append(out, cartItem{i, n})
		}
	}
	return out
}

func writeCart(items []cartItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = itoa64(it.ProductID) + ":" + itoa64(it.Qty)
	}
	return strings.Join(parts, ",")
}

// cartLine is a cart item as the cart page shows it.
type cartLine struct {
	P         *market.Product
	Qty       int64
	AmountFen int64
	Problem   string
}

func (s *Server) cartPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanCheckout(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有采购单位的采购人可以使用采购单")
	}
	data, err := s.marketData(r, u, "采购单", "cart")
	if err != nil {
		return err
	}
	var lines []cartLine
	var total int64
	for _, it := range readCart(s.Sessions.GetString(r.Context(), "cart")) {
		p, err := s.DB.Product(r.Context(), u, it.ProductID)
		if err != nil {
			continue // no longer to be seen: dropped at checkout too
		}
		l := cartLine{P: p, Qty: it.Qty, AmountFen: p.PriceFen * it.Qty}
		if sup, err := s.DB.Supplier(r.Context(), u, p.SupplierID); err != nil {
			l.Problem = "供应商不可用"
		} else if why := market.Sellable(p, sup, s.DB.Today()); why != nil {
			l.Problem = xiezuo.ErrorMessage(why)
		} else if it.Qty < p.MinOrder {
			l.Problem = "低于起订量 " + itoa64(p.MinOrder) + p.Unit
		}
		total += l.AmountFen
		lines = append(lines, l)
	}
	key := make([]byte, 12)
	rand.Read(key)
	pledges, err := s.DB.Pledges(r.Context(), u, store.PledgeFilter{GiverID: u.OrgID, Open: true})
	if err != nil {
		return err
	}
	data["Lines"], data["TotalFen"], data["Key"], data["Back"], data["Pledges"] = lines, total, hex.EncodeToString(key), "/market", pledges
	s.render(w, r, http.StatusOK, "market_cart", data)
	return nil
}

// cartAdd adds a quantity of a product to the purchaser's cart.
func (s *Server) cartAdd(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanCheckout(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有采购单位的采购人可以加入采购单")
	}
	f := s.readForm(r)
	id, qty := f.id("product_id"), f.int64("qty", "数量")
	if qty <= 0 || qty > market.MaxQuantity { // told on the product's page
		s.flash(r, "未加入采购单：请填写购买数量（正整数）")
		http.Redirect(w, r, "/market/products/"+itoa64(id), http.StatusSeeOther)
		return nil
	}
	p, err := s.DB.Product(r.Context(), u, id)
	if err != nil {
		return err
	}
	items := readCart(s.Sessions.GetString(r.Context(), "cart"))
	found := false
	for i := range items {
		if items[i].ProductID == id {
			items[i].Qty += qty
			found = true
		}
	}
	if !found {
		if len(items) >= 50 {
			return xiezuo.Errorf(xiezuo.EINVALID, "采购单最多50种商品，请先下单")
		}
		items = append(items, cartItem{id, qty})
	}
	s.Sessions.Put(r.Context(), "cart", writeCart(items))
	s.flash(r, "已将 "+itoa64(qty)+p.Unit+"“"+p.Name+"”加入采购单")
	back := r.PostFormValue("back")
	if back != "/market/cart" && !strings.HasPrefix(back, "/market/products/") {
		back = "/market"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

func (s *Server) cartRemove(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanCheckout(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有采购单位的采购人可以使用采购单")
	}
	id, _ := strconv.ParseInt(r.PostFormValue("product_id"), 10, 64)
	items := slices.DeleteFunc(readCart(s.Sessions.GetString(r.Context(), "cart")), func(it cartItem) bool { return it.ProductID == id })
	s.Sessions.Put(r.Context(), "cart", writeCart(items))
	http.Redirect(w, r, "/market/cart", http.StatusSeeOther)
	return nil
}

// checkout places the cart's orders, one per supplier; the form's key
// makes a resubmitted form return the same orders.
func (s *Server) checkout(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	items := readCart(s.Sessions.GetString(r.Context(), "cart"))
	lines := make([]market.CartLine, len(items))
	for i, it := range items {
		lines[i] = market.CartLine{Product: &market.Product{ID: it.ProductID}, Qty: it.Qty}
	}
	pledge, _ := strconv.ParseInt(r.PostFormValue("pledge_id"), 10, 64)
	orders, err := s.DB.Checkout(r.Context(), u, lines, r.PostFormValue("key"))
	if err != nil {
		return err
	}
	s.Sessions.Remove(r.Context(), "cart")
	nos := make([]string, len(orders))
	var notes []string
	for i, o := range orders {
		nos[i] = o.No
		// The orders stand whatever the pledge says: one that does not fit
		// it is told, and may be counted towards another from its pledge.
		if pledge <= 0 {
			continue
		}
		if err := s.DB.SetOrderPledge(r.Context(), u, o.ID, pledge); err == nil {
			notes = append(notes, "订单"+o.No+"已计入认捐")
		} else if code := xiezuo.ErrorCode(err); code == xiezuo.EINVALID || code == xiezuo.ENOTFOUND || code == xiezuo.ECONFLICT {
			why := xiezuo.ErrorFields(err)["pledge_id"]
			if why == "" {
				why = xiezuo.ErrorMessage(err)
			}
			notes = append(notes, "订单"+o.No+"未计入认捐："+why)
		} else {
			return err
		}
	}
	s.flash(r, "已下单："+strings.Join(nos, "、")+"。请等待供应商确认。"+strings.Join(notes, "；"))
	if len(orders) == 1 {
		http.Redirect(w, r, "/market/orders/"+itoa64(orders[0].ID), http.StatusSeeOther)
	} else {
		http.Redirect(w, r, "/market/orders", http.StatusSeeOther)
	}
	return nil
}

// orderList is the orders u may see: a buyer's own unit's, a supplier's
// own, all for the office and 监管.
func (s *Server) orderList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	data, err := s.marketData(r, u, "订单", "orders")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.OrderFilter{Status: market.OrderStatus(q.Get("status")), Channel: q.Get("channel"), From: q.Get("from"), To: q.Get("to"), Limit: 50}
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	items, total, err := s.DB.Orders(r.Context(), u, f)
	if err != nil {
		if xiezuo.ErrorCode(err) != xiezuo.EINVALID {
			return err
		}
		data["Error"] = xiezuo.ErrorMessage(err)
	}
	var sum int64
	for _, o := range items {
		sum += o.TotalFen
	}
	data["Items"], data["Q"], data["Pager"], data["PageFen"] = items, q, newPager(r.URL, f.Offset, f.Limit, total), sum
	data["Statuses"], data["Channels"] = market.OrderStatuses, market.Channels
	s.render(w, r, http.StatusOK, "market_orders", data)
	return nil
}

// orderActions are the steps u may take on o now (inputs aside).
func orderActions(u *xiezuo.User, o *market.Order, today string) []market.OrderAction {
	var out []market.OrderAction
	in := market.OrderInput{Carrier: "x", TrackingNo: "x", InvoiceRef: "x", PaymentRef: "x", PaidOn: today, Reason: "x", Today: today}
	for _, a := range orderSteps {
		if _, err := market.Transition(o, a, u, in); err == nil {
			out = append(out, a)
		}
	}
	return out
}

func (s *Server) orderShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := s.DB.Order(r.Context(), u, id)
	if err != nil {
		return err
	}
	data, err := s.marketData(r, u, "订单 "+o.No, "orders")
	if err != nil {
		return err
	}
	origins := map[string]string{} // the lines' places by name
	for _, l := range o.Lines {
		if _, ok := origins[l.OriginCode]; !ok {
			origins[l.OriginCode] = s.regionName(r.Context(), l.OriginCode, nil)
		}
	}
	data["O"], data["Origins"], data["Actions"], data["Back"] = o, origins, orderActions(u, o, s.DB.Today()), "/market/orders"
	data["Counts"] = market.Counts(o.Status)
	if err := s.orderRating(r, u, o, data); err != nil { // market_catalogue.go
		return err
	}
	s.render(w, r, http.StatusOK, "market_order", data)
	return nil
}

func (s *Server) orderAction(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := market.OrderAction(r.PathValue("action"))
	if !slices.Contains(orderSteps, a) {
		return xiezuo.Errorf(xiezuo.ENOTFOUND, "没有这个操作")
	}
	f := s.readForm(r)
	in := market.OrderInput{Carrier: f.str("carrier"), TrackingNo: f.str("tracking_no"), InvoiceRef: f.str("invoice_ref"),
		InspectionRef: f.str("inspection_ref"), PaymentRef: f.str("payment_ref"), PaidOn: f.date("paid_on", "付款日期"),
		Reason: f.str("reason"), Today: s.DB.Today()}
	if err = f.merge(func() error { return nil }); err == nil {
		err = s.DB.OrderTransition(r.Context(), u, id, a, in)
	}
	if code := xiezuo.ErrorCode(err); code == xiezuo.EINVALID || code == xiezuo.ECONFLICT { // told on the order's page
		why, fields := xiezuo.ErrorMessage(err), xiezuo.ErrorFields(err)
		if len(fields) == 1 {
			for _, m := range fields {
				why = m // the field's own words: 请填写承运商…
			}
		}
		s.flash(r, "未能"+a.Label()+"："+why)
		http.Redirect(w, r, "/market/orders/"+itoa64(id), http.StatusSeeOther)
		return nil
	} else if err != nil {
		return err
	}
	msg := "订单已" + strings.TrimSuffix(a.Label(), "订单") // 已确认, 已发货…
	if a == market.OrderAccept {
		msg += "，已计入消费帮扶"
	}
	s.flash(r, msg)
	http.Redirect(w, r, "/market/orders/"+itoa64(id), http.StatusSeeOther)
	return nil
}

// orderAccept is 验收: the purchaser uploads the invoice (required) and an
// inspection photo, stored with the step in one transaction.
func (s *Server) orderAccept(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var files []store.OrderFile
	// The body limit (uploadLimits) is limitBody's.
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if e := tooLarge(r, err); e != nil {
			return e
		}
	} else {
		for field, input := range map[string]string{"invoice_ref": "invoice", "inspection_ref": "inspection"} {
			if f, h, err := r.FormFile(input); err == nil {
				data, _ := io.ReadAll(f)
				f.Close()
				files = append(files, store.OrderFile{Field: field, Name: h.Filename, Data: data})
			}
		}
	}
	in := market.OrderInput{Today: s.DB.Today()}
	if err := s.DB.OrderTransition(r.Context(), u, id, market.OrderAccept, in, files...); err != nil {
		if xiezuo.ErrorCode(err) == xiezuo.EINVALID && xiezuo.ErrorFields(err)["invoice_ref"] != "" && len(files) == 0 {
			err = xiezuo.Errorf(xiezuo.EINVALID, "验收须上传发票（照片或 PDF）")
		}
		if !formFailed(err) {
			return err
		}
		s.flash(r, "未验收："+xiezuo.ErrorMessage(err))
	} else {
		s.flash(r, "订单已验收，已计入消费帮扶")
	}
	http.Redirect(w, r, "/market/orders/"+itoa64(id), http.StatusSeeOther)
	return nil
}

// orderFile serves a file of an order to those who may see the order.
func (s *Server) orderFile(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	fid, _ := strconv.ParseInt(r.PathValue("fid"), 10, 64)
	f, err := s.DB.OrderFileData(r.Context(), u, id, fid)
	if err != nil {
		return err
	}
	serveStored(w, r, storedFile{ContentType: f.ContentType, SHA256: f.SHA256, Name: f.Name, Data: f.Data, MaxAge: 86400})
	return nil
}

// fileRef is the file id of an order's reference to one of its files
// ("file:12"), 0 for a reference typed as text.
func fileRef(ref string) int64 {
	n, _ := strconv.ParseInt(strings.TrimPrefix(ref, "file:"), 10, 64)
	if !strings.HasPrefix(ref, "file:") {
		return 0
	}
	return n
}
