package web

import (
	"net/http"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// Subscriptions and pledges (认领/认购 and 认捐, issue 12): a lot such as
// 临空园区's 170 亩 of 梯田红米 with its subscribers' shares, fulfilled at
// harvest into counted orders; a pledge such as the 爱心企业's 约20万元采购
// 清单, 到位 as its orders are accepted. The rules are package market's
// (CanManageLot, CheckShare, CheckHarvest, CanManagePledge, PledgeFits,
// PledgeLine); the store enforces them; these pages only ask.

func (s *Server) marketLotRoutes(mux *router) {
	mux.HandleFunc("GET /market/lots", s.page(s.lotList))
	mux.HandleFunc("POST /market/lots", s.page(s.lotSave))
	mux.HandleFunc("GET /market/lots/{id}", s.page(s.lotShow))
	mux.HandleFunc("GET /market/lots/{id}/edit", s.page(s.lotEdit))
	mux.HandleFunc("POST /market/lots/{id}", s.page(s.lotSave))
	mux.HandleFunc("POST /market/lots/{id}/shares", s.page(s.shareSave))
	mux.HandleFunc("POST /market/lots/{id}/shares/{sid}", s.page(s.shareSave))
	mux.HandleFunc("POST /market/lots/{id}/shares/{sid}/delete", s.page(s.shareDelete))
	mux.HandleFunc("POST /market/lots/{id}/fulfil", s.page(s.lotFulfil))
	mux.HandleFunc("GET /market/pledges", s.page(s.pledgeList))
	mux.HandleFunc("POST /market/pledges", s.page(s.pledgeSave))
	mux.HandleFunc("GET /market/pledges/{id}", s.page(s.pledgeShow))
	mux.HandleFunc("POST /market/pledges/{id}", s.page(s.pledgeSave))
	mux.HandleFunc("POST /market/pledges/{id}/delete", s.page(s.pledgeDelete))
	mux.HandleFunc("POST /market/pledges/{id}/orders", s.page(s.pledgeOrder))
}

// seesLots is who has the lots pages: the office, 监管, buyer units'
// accounts (their unit's lots) and suppliers (lots of their produce).
func seesLots(u *xiezuo.User) error {
	if market.CanSupervise(u) || u.Role == xiezuo.RoleBuyerAdmin || u.Role == xiezuo.RolePurchaser || u.Role == xiezuo.RoleSupplier {
		return nil
	}
	return xiezuo.Errorf(xiezuo.EFORBIDDEN, "认购与认捐只对协作办、监管单位、采购单位和供应商开放")
}

// seesPledges is who has the pledges pages: the office, 监管 and buyer
// units' accounts (their unit's pledges).
func seesPledges(u *xiezuo.User) error {
	if market.CanSupervise(u) || u.Role == xiezuo.RoleBuyerAdmin || u.Role == xiezuo.RolePurchaser {
		return nil
	}
	return xiezuo.Errorf(xiezuo.EFORBIDDEN, "认捐只对协作办、监管单位和采购单位开放")
}

// mayCreateLots: the office, and management accounts for their own unit.
func mayCreateLots(u *xiezuo.User) bool {
	return market.CanManageLot(u, u.OrgID) || u.IsOffice()
}

// formStatus is the page's status and messages for a form error.
func formStatus(data formData, err error) int {
	if err == nil {
		return http.StatusOK
	}
	data["Error"], data["Errors"] = xiezuo.ErrorMessage(err), xiezuo.ErrorFields(err)
	return statusOf(err)
}

func (s *Server) lotList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if err := seesLots(u); err != nil {
		return err
	}
	return s.renderLots(w, r, u, nil, nil)
}

func (s *Server) renderLots(w http.ResponseWriter, r *http.Request, u *xiezuo.User, values map[string]string, formErr error) error {
	data, err := s.marketData(r, u, "认购与认捐", "subs")
	if err != nil {
		return err
	}
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	lots, err := s.DB.Lots(r.Context(), u, store.LotFilter{Year: year})
	if err != nil {
		return err
	}
	var total, subscribed int64
	for _, l := range lots {
		total += l.TotalFen
		subscribed += l.SubscribedFen()
	}
	if values == nil {
		values = map[string]string{"year": s.DB.Today()[:4], "unit": "亩"}
		if u.Role == xiezuo.RoleBuyerAdmin {
			if o, err := s.DB.Org(r.Context(), u.OrgID); err == nil {
				values["organiser"] = o.Name
			}
		}
	}
	data["Items"], data["TotalFen"], data["SubscribedFen"], data["Year"] = lots, total, subscribed, year
	data["CanCreate"], data["F"], data["SeesPledges"] = mayCreateLots(u), values, seesPledges(u) == nil
	status := formStatus(data, formErr)
	s.render(w, r, status, "market_lots", data)
	return nil
}

// lotForm is the edit form of a lot.
func (s *Server) lotForm(w http.ResponseWriter, r *http.Request, u *xiezuo.User, l *store.LotView, values map[string]string, formErr error) error {
	data, err := s.marketData(r, u, "修改认购 "+l.Name, "subs")
	if err != nil {
		return err
	}
	if values == nil {
		values = lotValues(&l.Lot, l.SupplierName, l.OriginName, l.OrganiserName)
	}
	data["L"], data["F"], data["Back"] = l, values, "/market/lots/"+itoa64(l.ID)
	data["Organisers"] = u.IsOffice()
	status := formStatus(data, formErr)
	s.render(w, r, status, "market_lots_form", data)
	return nil
}

func lotValues(l *market.Lot, supplier, origin, organiser string) map[string]string {
	v := map[string]string{"name": l.Name, "supplier": supplier, "origin": origin, "organiser": organiser, "year": strconv.Itoa(l.Year),
		"unit": l.Unit, "quantity": itoa64(l.Quantity), "price": fenInput(l.PriceFen), "yield_unit": l.YieldUnit}
	if l.YieldPerUnit > 0 {
		v["yield_per_unit"] = itoa64(l.YieldPerUnit)
	}
	return v
}

func (s *Server) lotEdit(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l, err := s.DB.Lot(r.Context(), u, id)
	if err != nil {
		return err
	}
	if !market.CanManageLot(u, l.OrganiserID) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和组织认购的单位的管理账号可以修改认购")
	}
	return s.lotForm(w, r, u, l, nil, nil)
}

// lotSave creates (POST /market/lots) or edits a lot from its form.
func (s *Server) lotSave(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	var old *store.LotView
	if r.PathValue("id") != "" {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if old, err = s.DB.Lot(r.Context(), u, id); err != nil {
			return err
		}
		if !market.CanManageLot(u, old.OrganiserID) {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和组织认购的单位的管理账号可以修改认购")
		}
	} else if !mayCreateLots(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和采购单位的管理账号可以登记认购")
	}
	f := s.readForm(r)
	l := &market.Lot{Name: f.str("name"), Unit: f.str("unit"), YieldUnit: f.str("yield_unit")}
	if old != nil {
		l.ID = old.ID
	}
	l.Year = int(f.int64("year", "年度"))
	l.Quantity = f.int64("quantity", "可认购数量")
	l.PriceFen = f.yuan("price", "认购单价")
	l.YieldPerUnit = f.int64("yield_per_unit", "单位产量")
	l.OriginCode = f.region("origin", "产地", 0, "")
	if name := f.str("supplier"); name != "" {
		if o, err := s.DB.OrgByName(r.Context(), name); err != nil {
			f.p.Add("supplier_id", "供应商“"+name+"”不在单位名录中，请先登记供应商或使用全称")
		} else {
			l.SupplierID = o.ID
		}
	}
	switch {
	case u.Role == xiezuo.RoleBuyerAdmin: // its own unit's
		l.OrganiserID = u.OrgID
	case f.str("organiser") != "":
		if o, err := s.DB.OrgByName(r.Context(), f.str("organiser")); err != nil {
			f.p.Add("organiser_id", "组织认购的单位“"+f.str("organiser")+"”不在单位名录中")
		} else {
			l.OrganiserID = o.ID
		}
	}
	today := s.DB.Today()
	err := f.merge(func() error { return l.Validate(today) })
	if err == nil {
		err = s.DB.SaveLot(r.Context(), u, l)
	}
	if err != nil {
		if !formFailed(err) {
			return err
		}
		if old != nil {
			return s.lotForm(w, r, u, old, f.Values, err)
		}
		return s.renderLots(w, r, u, f.Values, err)
	}
	s.flash(r, "认购“"+l.Name+"”已保存，请登记认购人")
	http.Redirect(w, r, "/market/lots/"+itoa64(l.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) lotShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.renderLot(w, r, u, "", nil, nil)
}

// renderLot shows lot {id}; form names the form that failed ("share",
// "fulfil") with its values and error.
func (s *Server) renderLot(w http.ResponseWriter, r *http.Request, u *xiezuo.User, form string, values map[string]string, formErr error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l, err := s.DB.Lot(r.Context(), u, id)
	if err != nil {
		return err
	}
	data, err := s.marketData(r, u, l.Name+"认购", "subs")
	if err != nil {
		return err
	}
	var produce int64
	for _, sh := range l.Shares {
		produce += sh.Units * l.YieldPerUnit
	}
	f := map[string]string{"kind": "org", "harvest_on": s.DB.Today()}
	if form != "" {
		f = values
	}
	data["L"], data["F"], data["Form"], data["Produce"], data["Back"] = l, f, form, produce, "/market/lots"
	data["CanManage"] = market.CanManageLot(u, l.OrganiserID) && l.Status == market.LotOpen
	status := formStatus(data, formErr)
	s.render(w, r, status, "market_lots_show", data)
	return nil
}

// managedLot reads lot {id} for a change: not found unless u may see it,
// forbidden unless u may manage it (market.CanManageLot), before any
// input is read.
func (s *Server) managedLot(r *http.Request, u *xiezuo.User) (int64, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, err
	}
	l, err := s.DB.Lot(r.Context(), u, id)
	if err != nil {
		return 0, err
	}
	if !market.CanManageLot(u, l.OrganiserID) {
		return 0, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和组织认购的单位的管理账号可以登记认购人和交付")
	}
	return id, nil
}

// shareSave adds a share (POST …/shares) or changes one (…/shares/{sid}):
// an organisation of the registry by name, or a person.
func (s *Server) shareSave(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := s.managedLot(r, u)
	if err != nil {
		return err
	}
	f := s.readForm(r)
	sh := &market.Share{Name: f.str("name"), Units: f.int64("units", "认购数量")}
	if sid := r.PathValue("sid"); sid != "" {
		if sh.ID, err = strconv.ParseInt(sid, 10, 64); err != nil || sh.ID <= 0 {
			return xiezuo.Errorf(xiezuo.ENOTFOUND, "认购记录不存在")
		}
	}
	if f.str("kind") != "person" && sh.Name != "" {
		if o, err := s.DB.OrgByName(r.Context(), sh.Name); err != nil {
			f.p.Add("name", "“"+sh.Name+"”不在单位名录中：请先在基础信息中登记该单位，或以个人名义认购")
		} else {
			sh.OrgID = o.ID
		}
	}
	if sh.Name == "" {
		f.p.Add("name", "请填写认购单位或个人的名称")
	}
	if err = f.merge(func() error { return nil }); err == nil {
		err = s.DB.SaveShare(r.Context(), u, id, sh)
	}
	if err != nil {
		if !formFailed(err) {
			return err
		}
		return s.renderLot(w, r, u, "share", f.Values, err)
	}
	s.flash(r, "已登记“"+sh.Name+"”认购 "+itoa64(sh.Units))
	http.Redirect(w, r, "/market/lots/"+itoa64(id)+"#shares", http.StatusSeeOther)
	return nil
}

func (s *Server) shareDelete(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sid, _ := strconv.ParseInt(r.PathValue("sid"), 10, 64)
	if err := s.DB.DeleteShare(r.Context(), u, id, sid); err != nil {
		return err
	}
	s.flash(r, "已删除这条认购")
	http.Redirect(w, r, "/market/lots/"+itoa64(id)+"#shares", http.StatusSeeOther)
	return nil
}

// lotFulfil fulfils the lot at harvest: every share becomes a counted order.
func (s *Server) lotFulfil(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := s.managedLot(r, u)
	if err != nil {
		return err
	}
	f := s.readForm(r)
	on := f.date("harvest_on", "交付日期")
	if on == "" {
		f.p.Add("harvest_on", "请填写交付日期（收获交付的日期）")
	}
	var orders []market.Order
	if err = f.merge(func() error { return nil }); err == nil {
		orders, err = s.DB.FulfilLot(r.Context(), u, id, on)
	}
	if err != nil {
		if xiezuo.ErrorCode(err) != xiezuo.EINVALID {
			return err
		}
		return s.renderLot(w, r, u, "fulfil", f.Values, err)
	}
	var sum int64
	for _, o := range orders {
		sum += o.TotalFen
	}
	s.flash(r, "已交付：生成"+strconv.Itoa(len(orders))+"个认领/认购订单，合计"+xiezuo.FormatYuan(sum)+"元，已计入消费帮扶")
	http.Redirect(w, r, "/market/lots/"+itoa64(id), http.StatusSeeOther)
	return nil
}

func (s *Server) pledgeList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if err := seesPledges(u); err != nil {
		return err
	}
	return s.renderPledges(w, r, u, nil, nil)
}

func (s *Server) renderPledges(w http.ResponseWriter, r *http.Request, u *xiezuo.User, values map[string]string, formErr error) error {
	data, err := s.marketData(r, u, "认购与认捐", "subs")
	if err != nil {
		return err
	}
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	items, err := s.DB.Pledges(r.Context(), u, store.PledgeFilter{Year: year})
	if err != nil {
		return err
	}
	var sum market.PledgeProgress
	for _, p := range items {
		sum.PledgedFen += p.Progress.PledgedFen
		sum.DeliveredFen += p.Progress.DeliveredFen
		sum.OutstandingFen += p.Progress.OutstandingFen
	}
	if values == nil {
		values = map[string]string{"pledged_on": s.DB.Today()}
		if u.Role == xiezuo.RoleBuyerAdmin {
			if o, err := s.DB.Org(r.Context(), u.OrgID); err == nil {
				values["giver"] = o.Name
			}
		}
	}
	data["Items"], data["Sum"], data["F"], data["Year"] = items, sum, values, year
	data["CanCreate"] = u.IsOffice() || u.Role == xiezuo.RoleBuyerAdmin
	status := formStatus(data, formErr)
	s.render(w, r, status, "market_pledges", data)
	return nil
}

func (s *Server) pledgeShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.renderPledge(w, r, u, nil, nil)
}

func (s *Server) renderPledge(w http.ResponseWriter, r *http.Request, u *xiezuo.User, values map[string]string, formErr error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.DB.Pledge(r.Context(), u, id)
	if err != nil {
		return err
	}
	data, err := s.marketData(r, u, "认捐 "+p.GiverName, "subs")
	if err != nil {
		return err
	}
	if values == nil {
		values = map[string]string{"giver": p.GiverName, "county": p.CountyName, "amount": fenInput(p.AmountFen), "pledged_on": p.PledgedOn, "note": p.Note}
	}
	canManage := market.CanManagePledge(u, p.GiverID)
	// The giver's orders that could count towards it (not yet this pledge's).
	var candidates []market.Order
	if canManage || (u.Role == xiezuo.RolePurchaser && u.OrgID == p.GiverID) {
		mine := map[int64]bool{}
		for _, o := range p.Orders {
			mine[o.ID] = true
		}
		recent, _, err := s.DB.Orders(r.Context(), u, store.OrderFilter{BuyerUnitID: p.GiverID, Limit: 100})
		if err != nil {
			return err
		}
		for _, o := range recent {
			if !mine[o.ID] && o.Status != market.OrderCancelled && o.Status != market.OrderReturned && market.PledgeFits(&p.Pledge, &o) == nil {
				candidates = append(candidates, o)
			}
		}
		data["CanLink"] = true
	}
	data["P"], data["F"], data["Candidates"], data["CanManage"], data["Back"] = p, values, candidates, canManage, "/market/pledges"
	status := formStatus(data, formErr)
	s.render(w, r, status, "market_pledges_show", data)
	return nil
}

// pledgeSave records (POST /market/pledges) or edits a pledge.
func (s *Server) pledgeSave(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	pl := &market.Pledge{}
	if r.PathValue("id") != "" {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		old, err := s.DB.Pledge(r.Context(), u, id)
		if err != nil {
			return err
		}
		if !market.CanManagePledge(u, old.GiverID) {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和认捐单位的管理账号可以修改认捐")
		}
		pl.ID = id
	} else if !u.IsOffice() && u.Role != xiezuo.RoleBuyerAdmin {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和采购单位的管理账号可以登记认捐")
	}
	f := s.readForm(r)
	if u.Role == xiezuo.RoleBuyerAdmin {
		pl.GiverID = u.OrgID
	} else if name := f.str("giver"); name != "" {
		if o, err := s.DB.OrgByName(r.Context(), name); err != nil {
			f.p.Add("giver_id", "认捐单位“"+name+"”不在单位名录中，请先在基础信息中登记或使用全称")
		} else {
			pl.GiverID = o.ID
		}
	}
	pl.CountyCode = f.region("county", "受援县", registry.LevelCounty, "")
	pl.AmountFen = f.yuan("amount", "认捐金额")
	pl.PledgedOn = f.date("pledged_on", "认捐日期")
	pl.Note = f.str("note")
	err := f.merge(pl.Validate)
	if err == nil {
		err = s.DB.SavePledge(r.Context(), u, pl)
	}
	if err != nil {
		if !formFailed(err) {
			return err
		}
		if pl.ID != 0 {
			return s.renderPledge(w, r, u, f.Values, err)
		}
		return s.renderPledges(w, r, u, f.Values, err)
	}
	s.flash(r, "认捐已保存：尚未到位的金额计为认捐，订单验收后转为到位")
	http.Redirect(w, r, "/market/pledges/"+itoa64(pl.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) pledgeDelete(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.DB.DeletePledge(r.Context(), u, id); err != nil {
		return err
	}
	s.flash(r, "已删除这项认捐")
	http.Redirect(w, r, "/market/pledges", http.StatusSeeOther)
	return nil
}

// pledgeOrder counts one of the giver's orders towards the pledge, or
// (remove=1) takes it off again.
func (s *Server) pledgeOrder(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.DB.Pledge(r.Context(), u, id)
	if err != nil {
		return err
	}
	if !market.CanManagePledge(u, p.GiverID) && !(u.Role == xiezuo.RolePurchaser && u.OrgID == p.GiverID) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有认捐单位和协作办可以把订单计入认捐")
	}
	f := s.readForm(r)
	order := f.id("order_id")
	if order <= 0 {
		return s.renderPledge(w, r, u, nil, xiezuo.Errorf(xiezuo.EINVALID, "请选择要计入认捐的订单"))
	}
	to := id
	if f.str("remove") == "1" {
		to = 0
	}
	if err := s.DB.SetOrderPledge(r.Context(), u, order, to); err != nil {
		if !formFailed(err) {
			return err
		}
		return s.renderPledge(w, r, u, nil, err)
	}
	if to == 0 {
		s.flash(r, "订单已不再计入这项认捐")
	} else {
		s.flash(r, "订单已计入这项认捐，验收后转为到位")
	}
	http.Redirect(w, r, "/market/pledges/"+itoa64(id), http.StatusSeeOther)
	return nil
}

func init() {
	funcs["bp"] = market.FormatPercent                     // basis points as 12.34%
	funcs["mul"] = func(a, b int64) int64 { return a * b } // a share's produce
}
