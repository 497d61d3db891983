package web

import (
	"net/http"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// Purchases made outside the shop (issue 12): an 扶贫832平台 order export,
// imported per unit and month by the office, 监管 or a unit's management
// account; the same export again counts nothing twice.

func (s *Server) marketPurchaseRoutes(mux *router) {
	mux.HandleFunc("GET /market/purchases", s.page(s.purchasesPage))
	mux.HandleFunc("POST /market/purchases", s.page(s.purchasesImport))
	mux.HandleFunc("GET /market/purchases/template.xlsx", s.page(s.purchasesTemplate))
	mux.HandleFunc("POST /market/purchases/record", s.page(s.purchaseRecord))
}

// purchaseRecord records one purchase of another channel — a union's
// order, a fair's or an outlet's sales, a targeted purchase — from its
// voucher: counted at once (已验收), in the ledger like a shop order.
func (s *Server) purchaseRecord(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if err := mayImportPurchases(u); err != nil {
		return err
	}
	f := s.readForm(r)
	channel, ref := f.str("channel"), f.str("ref")
	if channel == "shop" || channel == "p832" || !market.ValidChannel(channel) {
		f.p.Add("channel", "请选择渠道（工会采购、企业采购、展销会、直营店/专柜、定向采购、认领/认购）")
	}
	if ref == "" {
		f.p.Add("ref", "请填写凭证号或单号，同一单据不会重复登记")
	}
	buyer := int64(0)
	if name := f.str("buyer"); name == "" {
		f.p.Add("buyer", "请填写采购单位")
	} else if o, err := s.DB.OrgByName(r.Context(), name); err != nil {
		f.p.Add("buyer", "“"+name+"”不在单位名录中")
	} else {
		buyer = o.ID
	}
	forUnit := int64(0)
	if name := f.str("for_unit"); name != "" {
		if o, err := s.DB.OrgByName(r.Context(), name); err != nil {
			f.p.Add("for_unit", "“"+name+"”不在单位名录中")
		} else {
			forUnit = o.ID
		}
	}
	county := f.region("county", "产地县", registry.LevelCounty, "")
	qty, amount := f.int64("qty", "数量"), f.yuan("amount", "金额")
	o := &market.Order{Channel: channel, OrderedOn: f.date("date", "日期"), BuyerUnitID: buyer, ForUnitID: forUnit, Status: market.OrderAccepted, TotalFen: amount,
		Lines: []market.OrderLine{{ProductName: f.str("product"), OriginCode: county, Qty: qty, AmountFen: amount}}}
	if qty > 0 && amount%qty == 0 {
		o.Lines[0].PriceFen = amount / qty
	}
	o.PledgeID = f.id("pledge_id") // the buyer's own 认捐 it fulfils, if any (market_lots.go)
	for field, label := range map[string]string{"supplier": "供应商", "product": "商品名称", "county": "产地县", "date": "日期"} {
		if f.str(field) == "" {
			f.p.Add(field, "请填写"+label)
		}
	}
	if qty <= 0 {
		f.p.Add("qty", "数量须为正整数")
	}
	if amount <= 0 {
		f.p.Add("amount", "请填写金额（元）")
	}
	if err := f.merge(func() error { return nil }); err != nil { // the order's own rules: RecordPurchase
		return s.renderPurchasesForm(w, r, u, f.Values, err)
	}
	supplier, err := s.DB.EnsureSupplierOrg(r.Context(), u, f.str("supplier"), county)
	res := ""
	if err == nil {
		o.SupplierID = supplier
		res, err = s.DB.RecordPurchase(r.Context(), u, o, ref, channel+"|"+ref)
	}
	if err != nil {
		if formFailed(err) {
			return s.renderPurchasesForm(w, r, u, f.Values, err)
		}
		return err
	}
	if res == store.PurchaseUnchanged {
		s.flash(r, "这张单据（"+market.ChannelLabel(channel)+" "+ref+"）已登记过，没有重复计入")
	} else {
		s.flash(r, "已登记"+market.ChannelLabel(channel)+" "+o.No+"，已计入消费帮扶")
	}
	http.Redirect(w, r, "/market/orders/"+itoa64(o.ID), http.StatusSeeOther)
	return nil
}

// mayImportPurchases is who sees the page: the office, 监管, management accounts.
func mayImportPurchases(u *xiezuo.User) error {
	if !ledger.CanImport(u, imports.Purchase832Spec.Kind, 0) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办、监管单位和采购单位的管理账号可以导入832平台订单")
	}
	return nil
}

func (s *Server) purchasesPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if err := mayImportPurchases(u); err != nil {
		return err
	}
	return s.renderPurchases(w, r, u, nil)
}

func (s *Server) renderPurchases(w http.ResponseWriter, r *http.Request, u *xiezuo.User, formErr error) error {
	return s.renderPurchasesPage(w, r, u, formErr, nil, nil)
}

// renderPurchasesForm shows the page again with the one-purchase form as
// typed and its problems.
func (s *Server) renderPurchasesForm(w http.ResponseWriter, r *http.Request, u *xiezuo.User, values map[string]string, formErr error) error {
	return s.renderPurchasesPage(w, r, u, nil, values, formErr)
}

func (s *Server) renderPurchasesPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User, uploadErr error, values map[string]string, formErr error) error {
	data, err := s.marketData(r, u, "商城外采购", "purchases")
	if err != nil {
		return err
	}
	if id, _ := strconv.ParseInt(r.URL.Query().Get("batch"), 10, 64); id > 0 {
		b, err := s.DB.ImportBatchByID(r.Context(), u, id)
		if err != nil {
			return err
		}
		if ledger.Kind(b.Kind) != imports.Purchase832Spec.Kind {
			return xiezuo.Errorf(xiezuo.ENOTFOUND, "导入批次（编号%d）不是832平台订单", id)
		}
		problems, err := s.DB.ImportProblems(r.Context(), u, id)
		if err != nil {
			return err
		}
		data["Batch"], data["Problems"] = b, problems
	}
	recent, total, err := s.DB.Orders(r.Context(), u, store.OrderFilter{Channel: "p832", Limit: 20})
	if err != nil {
		return err
	}
	data["Recent"], data["RecentTotal"], data["Columns"] = recent, total, imports.Purchase832Spec.Columns
	data["Channels"] = market.Channels[2:]                                                               // not the shop, not 832 (imported above)
	if data["Pledges"], err = s.DB.Pledges(r.Context(), u, store.PledgeFilter{Open: true}); err != nil { // 认捐 a voucher may fulfil
		return err
	}
	if values == nil {
		values = map[string]string{"date": s.DB.Today()}
		if u.Role == xiezuo.RoleBuyerAdmin {
			if o, err := s.DB.Org(r.Context(), u.OrgID); err == nil {
				values["buyer"] = o.Name
			}
		}
	}
	data["F"] = values
	status := http.StatusOK
	if uploadErr != nil {
		data["Error"], status = xiezuo.ErrorMessage(uploadErr), statusOf(uploadErr)
	}
	if formErr != nil {
		data["FormError"], data["Errors"], status = xiezuo.ErrorMessage(formErr), xiezuo.ErrorFields(formErr), statusOf(formErr)
	}
	s.render(w, r, status, "market_purchases", data)
	return nil
}

// purchasesImport imports an uploaded 832 export at once (an export of a
// unit's month is a few hundred rows) and shows its report.
func (s *Server) purchasesImport(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if err := mayImportPurchases(u); err != nil {
		return err
	}
	tmp, name, size, done, err := uploadedFile(r, "请选择832平台导出的订单文件（.xlsx 或 .csv）")
	if err != nil {
		if formFailed(err) {
			return s.renderPurchases(w, r, u, err)
		}
		return err
	}
	defer done()
	opt := imports.Options{Mode: r.FormValue("mode"), DryRun: r.FormValue("dry_run") == "1"}
	b, err := imports.Purchases832(r.Context(), s.DB, u, name, tmp, size, opt)
	if b == nil {
		if formFailed(err) {
			return s.renderPurchases(w, r, u, err)
		}
		return err
	}
	http.Redirect(w, r, "/market/purchases?batch="+itoa64(b.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) purchasesTemplate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if err := mayImportPurchases(u); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", contentDisposition("832平台订单导入模板.xlsx"))
	return imports.Template(r.Context(), s.DB, w, imports.Purchase832Spec)
}
