package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// A buyer unit's own management (issue 12, item 2) and the office's 832
// list (item 5): the unit's management account manages its purchasers
// (/market/unit) and, as a 主管预算单位, checks its subordinate units'
// filings (/market/subunits); the office keeps the 832 counties whose
// products count as the paired counties' do (/market/counties832), which
// 监管 reads. The rules are package market's (buyers.go); the store
// enforces them.

// marketBuyerRoutes registers the pages; marketRoutes calls it.
func (s *Server) marketBuyerRoutes(mux *router) {
	mux.HandleFunc("GET /market/unit", s.page(s.unitPage))
	mux.HandleFunc("POST /market/unit/purchasers", s.page(s.unitAddPurchaser))
	mux.HandleFunc("POST /market/unit/purchasers/{id}/{action}", s.page(s.unitPurchaserAction)) // disable|enable|code
	mux.HandleFunc("GET /market/subunits", s.page(s.subunitsPage))
	mux.HandleFunc("POST /market/subunits/{id}/check", s.page(s.subunitCheck))
	mux.HandleFunc("GET /market/counties832", s.page(s.counties832Page))
	mux.HandleFunc("POST /market/counties832", s.page(s.counties832Add))
	mux.HandleFunc("POST /market/counties832/{code}/remove", s.page(s.counties832Remove))
}

// unitPage lists the unit's accounts for its management account, with
// the form to add a purchaser.
func (s *Server) unitPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.renderUnit(w, r, u, http.StatusOK, nil, nil, nil)
}

// renderUnit shows the unit's accounts; values and formErr are the add
// form's (nil: empty); code is a code issued now, shown this once.
func (s *Server) renderUnit(w http.ResponseWriter, r *http.Request, u *xiezuo.User, status int, values map[string]string, formErr error, code *imports.IssuedCode) error {
	if !market.CanManagePurchasers(u, u.OrgID) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有采购单位管理账号可以管理本单位的采购人账号")
	}
	ctx := r.Context()
	accs, err := s.DB.UnitAccounts(ctx, u, u.OrgID)
	if err != nil {
		return err
	}
	data, err := s.marketData(r, u, "本单位账号", "unit")
	if err != nil {
		return err
	}
	opened, active := 0, 0
	for _, a := range accs {
		if a.Role == xiezuo.RolePurchaser {
			opened++
			if a.ActivatedAt != "" {
				active++
			}
		}
	}
	if values == nil {
		values = map[string]string{}
	}
	data["Accounts"], data["Opened"], data["Active"], data["F"], data["Code"] = accs, opened, active, values, code
	data["Now"] = s.DB.Now().UTC().Format(time.RFC3339)
	data["CodeDays"] = int(store.ActivationCodeLife.Hours() / 24)
	if formErr != nil {
		data["Error"], data["Errors"] = xiezuo.ErrorMessage(formErr), xiezuo.ErrorFields(formErr)
	}
	s.render(w, r, status, "market_unit", data)
	return nil
}

// issuedCode is a code issued now to account id, as the page shows it.
func (s *Server) issuedCode(r *http.Request, id int64, code string) (*imports.IssuedCode, error) {
	acc, err := s.DB.UserByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	expires := s.DB.Now().Add(store.ActivationCodeLife).In(xiezuo.China).Format("2006-01-02")
	return &imports.IssuedCode{Unit: acc.OrgName, Role: acc.Role, DisplayName: acc.DisplayName, Username: acc.Username, Code: code, Expires: expires}, nil
}

// unitAddPurchaser opens a purchaser account and shows its code once.
func (s *Server) unitAddPurchaser(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanManagePurchasers(u, u.OrgID) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有采购单位管理账号可以为本单位添加采购人")
	}
	f := s.readForm(r)
	values := map[string]string{"display_name": f.str("display_name"), "username": f.str("username"), "phone": f.str("phone")}
	id, code, err := s.DB.AddPurchaser(r.Context(), u, &store.NewBuyerAccount{DisplayName: values["display_name"], Username: values["username"], Phone: values["phone"]})
	if err != nil {
		if c := xiezuo.ErrorCode(err); c == xiezuo.EINVALID || c == xiezuo.ECONFLICT {
			return s.renderUnit(w, r, u, statusOf(err), values, err, nil)
		}
		return err
	}
	ic, err := s.issuedCode(r, id, code)
	if err != nil {
		return err
	}
	s.flash(r, "已添加采购人“"+ic.DisplayName+"”。请把用户名和激活码交给本人，在“账号激活”页设置密码。")
	return s.renderUnit(w, r, u, http.StatusCreated, nil, nil, ic)
}

// unitPurchaserAction disables or re-enables a purchaser of the unit,
// or issues it a new activation code (shown once).
func (s *Server) unitPurchaserAction(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	switch action := r.PathValue("action"); action {
	case "disable", "enable":
		name, err := s.DB.SetPurchaserDisabled(r.Context(), u, id, action == "disable")
		if err != nil {
			return err
		}
		if action == "disable" {
			s.flash(r, "已停用“"+name+"”的账号：该账号不能再登录，已登录的也随即退出。")
		} else {
			s.flash(r, "已重新启用“"+name+"”的账号。")
		}
		http.Redirect(w, r, "/market/unit", http.StatusSeeOther)
		return nil
	case "code":
		code, err := s.DB.IssueActivationCode(r.Context(), u, id)
		if err != nil {
			return err
		}
		ic, err := s.issuedCode(r, id, code)
		if err != nil {
			return err
		}
		s.flash(r, "已为“"+ic.DisplayName+"”发放新的激活码，原激活码随即失效。")
		return s.renderUnit(w, r, u, http.StatusCreated, nil, nil, ic)
	}
	return xiezuo.Errorf(xiezuo.ENOTFOUND, "没有这个操作")
}

// subunitView is a subordinate unit's line with its figures as shown.
type subunitView struct {
	shareView
	Reason string // the reason typed, kept after a refused check
}

// subunitsPage is a 主管预算单位's view of its subordinate units' filings
// for the year, each with its check and the forms to approve or return.
func (s *Server) subunitsPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.renderSubunits(w, r, u, http.StatusOK, 0, "", nil)
}

// renderSubunits shows the page; failed is the unit whose check was
// refused with err (reason as typed).
func (s *Server) renderSubunits(w http.ResponseWriter, r *http.Request, u *xiezuo.User, status int, failed int64, reason string, err error) error {
	if u.Role != xiezuo.RoleBuyerAdmin || u.OrgID == 0 {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有主管预算单位的管理账号可以审核下属单位的填报")
	}
	year, yerr := s.supervisionYear(r.URL.Query())
	if y, e := strconv.Atoi(r.PostFormValue("year")); r.Method == http.MethodPost && e == nil {
		year = y
	}
	if yerr != nil {
		return yerr
	}
	rep, rerr := s.DB.Supervision(r.Context(), u, year, store.SupervisionOptions{})
	if rerr != nil {
		return rerr
	}
	data, derr := s.marketData(r, u, fmt.Sprintf("%d年下属单位填报", year), "subunits")
	if derr != nil {
		return derr
	}
	var subs []subunitView
	counts := map[market.CheckStatus]int{}
	unfiled := 0
	for _, l := range rep.Units {
		if l.ParentID != u.OrgID || l.UnitID == u.OrgID {
			continue
		}
		v := subunitView{shareView: shareView{l, market.ProgressText(l.ReservedFen, l.PurchasedFen), market.FormatPercent(l.RatioBP)}}
		if l.UnitID == failed {
			v.Reason = reason
		}
		counts[l.Check]++
		if !l.Filed {
			unfiled++
		}
		subs = append(subs, v)
	}
	data["Subs"], data["Year"], data["Years"] = subs, year, shareYears(s.DB.Today())
	data["Pending"], data["Approved"], data["Returned"], data["Unfiled"] = counts[market.CheckPending], counts[market.CheckApproved], counts[market.CheckReturned], unfiled
	data["Failed"] = failed
	if err != nil {
		data["Error"], data["Errors"] = xiezuo.ErrorMessage(err), xiezuo.ErrorFields(err)
	}
	s.render(w, r, status, "market_subunits", data)
	return nil
}

// subunitCheck approves a subordinate unit's filing or returns it with a
// reason.
func (s *Server) subunitCheck(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := s.readForm(r)
	year, _ := strconv.Atoi(f.str("year"))
	c := &market.ShareCheck{UnitID: id, Year: year, Status: market.CheckStatus(f.str("status")), Reason: f.str("reason"), FiledAt: f.str("filed_at")}
	if err := s.DB.CheckShare(r.Context(), u, c); err != nil {
		if code := xiezuo.ErrorCode(err); code == xiezuo.EINVALID || code == xiezuo.ECONFLICT {
			return s.renderSubunits(w, r, u, statusOf(err), id, c.Reason, err)
		}
		return err
	}
	org, err := s.DB.Org(r.Context(), id)
	if err != nil {
		return err
	}
	if c.Status == market.CheckApproved {
		s.flash(r, fmt.Sprintf("已审核通过“%s”的%d年填报。", org.Name, year))
	} else {
		s.flash(r, fmt.Sprintf("已退回“%s”的%d年填报，该单位将看到退回原因并重新填报。", org.Name, year))
	}
	http.Redirect(w, r, fmt.Sprintf("/market/subunits?year=%d#u%d", year, id), http.StatusSeeOther)
	return nil
}

// counties832Page lists the paired counties and the office's 832 list;
// the office adds and removes counties, 监管 reads.
func (s *Server) counties832Page(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.renderCounties832(w, r, u, http.StatusOK, "", nil)
}

func (s *Server) renderCounties832(w http.ResponseWriter, r *http.Request, u *xiezuo.User, status int, typed string, formErr error) error {
	if !market.CanSupervise(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和监管部门（区财政局）可以查看832县名单")
	}
	list, err := s.DB.Counties832(r.Context())
	if err != nil {
		return err
	}
	data, err := s.marketData(r, u, "832县名单", "counties832")
	if err != nil {
		return err
	}
	paired := map[string]bool{}
	for _, c := range data["Counties"].([]registry.Region) {
		paired[c.Code] = true
	}
	data["List"], data["Paired"], data["Typed"], data["CanKeep"] = list, paired, typed, market.CanKeep832(u)
	if formErr != nil {
		data["Error"], data["Errors"] = xiezuo.ErrorMessage(formErr), xiezuo.ErrorFields(formErr)
	}
	s.render(w, r, status, "market_counties832", data)
	return nil
}

// counties832Add adds the county typed (name, path or 12-digit code).
func (s *Server) counties832Add(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanKeep832(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以维护832县名单")
	}
	typed := s.readForm(r).str("county")
	// One county, or a list pasted from a document: a line each, or
	// separated by 、，,；;.
	texts := strings.FieldsFunc(typed, func(c rune) bool { return strings.ContainsRune("\n\r、，,；;", c) })
	added, listed, err := s.DB.Add832Counties(r.Context(), u, texts)
	if err == nil && len(added) == 0 && len(listed) > 0 {
		err = &xiezuo.Error{Code: xiezuo.ECONFLICT, Message: "所填的县都已在832县名单中", Fields: map[string]string{"county": "“" + listed[0].Name + "”等已在名单中"}}
	}
	if err != nil {
		if code := xiezuo.ErrorCode(err); code == xiezuo.EINVALID || code == xiezuo.ECONFLICT {
			return s.renderCounties832(w, r, u, statusOf(err), typed, err)
		}
		return err
	}
	names := func(rs []registry.Region) string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.Name + "（" + r.Code + "）"
		}
		return strings.Join(out, "、")
	}
	msg := "已将" + names(added) + "加入832县名单：其产品的采购计入预留份额完成情况。"
	if len(listed) > 0 {
		msg += "已在名单中、未重复加入：" + names(listed) + "。"
	}
	s.flash(r, msg)
	http.Redirect(w, r, "/market/counties832", http.StatusSeeOther)
	return nil
}

// counties832Remove takes a county off the list.
func (s *Server) counties832Remove(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanKeep832(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以维护832县名单")
	}
	name, err := s.DB.Remove832County(r.Context(), u, r.PathValue("code"))
	if err != nil {
		return err
	}
	s.flash(r, "已将“"+name+"”移出832县名单。")
	http.Redirect(w, r, "/market/counties832", http.StatusSeeOther)
	return nil
}
