package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/plan"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// Needs ↔ resources → matches → pledge/project, and the yearly plan
// (issue 13, item 4: 需求与计划). The rules are package plan's (Fit,
// Flags, NeedTransition, MatchSide, CanDeliver, CanEditPlan); the store
// enforces them; these pages only ask.

func (s *Server) planRoutes(mux *router) {
	mux.HandleFunc("GET /plan", s.page(s.planPage)) // the yearly plan per county/year (printable)
	mux.HandleFunc("POST /plan/items", s.page(s.planItemSave))
	mux.HandleFunc("GET /plan/items/{id}", s.page(s.planItemEdit))
	mux.HandleFunc("POST /plan/items/{id}", s.page(s.planItemSave))
	mux.HandleFunc("POST /plan/items/{id}/delete", s.page(s.planItemDelete))
	mux.HandleFunc("GET /plan/needs", s.page(s.needList))
	mux.HandleFunc("GET /plan/needs/new", s.page(s.needNew))
	mux.HandleFunc("POST /plan/needs", s.page(s.needSave))
	mux.HandleFunc("GET /plan/needs/{id}", s.page(s.needShow))
	mux.HandleFunc("GET /plan/needs/{id}/edit", s.page(s.needEdit))
	mux.HandleFunc("POST /plan/needs/{id}", s.page(s.needSave))
	mux.HandleFunc("POST /plan/needs/{id}/{action}", s.page(s.needAction)) // approve|return|close|met
	mux.HandleFunc("GET /plan/review", s.page(s.needQueue))
	mux.HandleFunc("GET /plan/resources", s.page(s.resourceList))
	mux.HandleFunc("GET /plan/resources/new", s.page(s.resourceNew))
	mux.HandleFunc("POST /plan/resources", s.page(s.resourceSave))
	mux.HandleFunc("GET /plan/resources/{id}", s.page(s.resourceShow))
	mux.HandleFunc("GET /plan/resources/{id}/edit", s.page(s.resourceEdit))
	mux.HandleFunc("POST /plan/resources/{id}", s.page(s.resourceSave))
	mux.HandleFunc("GET /plan/matches", s.page(s.matchList))
	mux.HandleFunc("POST /plan/matches", s.page(s.matchAnswer)) // need_id, resource_id, answer=accept|decline, reason
	mux.HandleFunc("POST /plan/matches/{id}/deliver", s.page(s.matchDeliver))
}

func usesPlan(u *xiezuo.User) error {
	if !plan.CanUse(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能使用需求与计划")
	}
	return nil
}

// planData is what every plan page gets: its title and tab, the paired
// counties and the categories.
func (s *Server) planData(r *http.Request, u *xiezuo.User, title, tab string) (formData, error) {
	if err := usesPlan(u); err != nil {
		return nil, err
	}
	counties, err := s.DB.PairedCounties(r.Context())
	if err != nil {
		return nil, err
	}
	return formData{"Title": title, "Tab": tab, "Counties": counties, "Categories": plan.Categories, "NeedStatuses": plan.NeedStatuses,
		"ResourceForms": plan.ResourceForms, "ItemKinds": plan.ItemKinds, "Q": r.URL.Query(), "Today": s.DB.Today()}, nil
}

// --- needs ---

// needPageSize is how many needs /plan/needs shows a page.
const needPageSize = 50

func (s *Server) needList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	data, err := s.planData(r, u, "需求清单", "needs")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	year, _ := strconv.Atoi(q.Get("year"))
	offset, _ := strconv.Atoi(q.Get("offset"))
	f := store.NeedFilter{County: q.Get("county"), Category: q.Get("category"), Status: plan.NeedStatus(q.Get("status")), Year: year,
		Limit: needPageSize, Offset: max(offset, 0)}
	items, err := s.DB.Needs(r.Context(), u, f)
	if err != nil {
		return err
	}
	total, fen, err := s.DB.NeedTotals(r.Context(), u, f)
	if err != nil {
		return err
	}
	data["Items"], data["AmountFen"], data["Total"], data["F"] = items, fen, total, f
	data["Pager"] = newPager(r.URL, f.Offset, f.Limit, total)
	data["CanPost"] = plan.CanPostNeed(u, "")
	s.render(w, r, http.StatusOK, "plan_needs", data)
	return nil
}

// planFail is a plan action that failed (item 3 of the fix list): the
// page it came from is shown again with the error as an alert (as a form
// shows it: formStatus) and what was typed (a reason, a date) kept.
type planFail struct {
	Action                      string // approve, return, close, met, accept, decline, deliver
	NeedID, ResourceID, MatchID int64
	Reason, Date                string
}

// planFailed shows again the page back names (the need, the resource,
// the review queue, else the matches) with err and what was typed.
func (s *Server) planFailed(w http.ResponseWriter, r *http.Request, u *xiezuo.User, back string, fail *planFail, err error) error {
	if fields := xiezuo.ErrorFields(err); len(fields) == 1 {
		for _, m := range fields {
			err = &xiezuo.Error{Code: xiezuo.ErrorCode(err), Message: m, Fields: fields} // the field's own words: 请填写退回理由…
		}
	}
	path, _, _ := strings.Cut(backOr(back, "/plan/matches"), "?")
	id := func(prefix string) int64 {
		n, _ := strconv.ParseInt(strings.TrimPrefix(path, prefix), 10, 64)
		return n
	}
	switch {
	case path == "/plan/review":
		return s.renderQueue(w, r, u, fail, err)
	case strings.HasPrefix(path, "/plan/needs/") && id("/plan/needs/") > 0:
		return s.renderNeed(w, r, u, id("/plan/needs/"), fail, err)
	case strings.HasPrefix(path, "/plan/resources/") && id("/plan/resources/") > 0:
		return s.renderResource(w, r, u, id("/plan/resources/"), fail, err)
	}
	return s.renderMatches(w, r, u, fail, err)
}

func (s *Server) needQueue(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.renderQueue(w, r, u, &planFail{}, nil)
}

func (s *Server) renderQueue(w http.ResponseWriter, r *http.Request, u *xiezuo.User, fail *planFail, failed error) error {
	data, err := s.planData(r, u, "需求审核", "review")
	if err != nil {
		return err
	}
	items, err := s.DB.ModerationQueue(r.Context(), u)
	if err != nil {
		return err
	}
	data["Items"], data["Fail"] = items, fail
	data["Caps"] = capRows()
	s.render(w, r, formStatus(data, failed), "plan_review", data)
	return nil
}

// capRows lists the amount rule (plan.UnitCaps) for the queue's note.
func capRows() []ledgerChoiceFen {
	var out []ledgerChoiceFen
	for _, c := range plan.Categories {
		out = append(out, ledgerChoiceFen{Label: c.Label, Fen: plan.UnitCaps[c.Code]})
	}
	return out
}

type ledgerChoiceFen struct {
	Label string
	Fen   int64
}

func needValues(n *plan.Need) map[string]string {
	return map[string]string{"county_code": n.CountyCode, "township": n.TownshipName, "village": n.VillageName, "institution": n.Institution,
		"category": n.Category, "item": n.Item, "quantity": itoa64(n.Quantity), "quantity_unit": n.Unit, "amount": fenInput(n.AmountFen),
		"asked_on": n.AskedOn, "needed_by": n.NeededBy, "contact": n.Contact, "note": n.Note}
}

func (s *Server) needForm(w http.ResponseWriter, r *http.Request, u *xiezuo.User, n *plan.Need, values map[string]string, formErr error) error {
	title := "提出需求"
	if n.ID != 0 {
		title = fmt.Sprintf("修改需求（编号%d）", n.ID)
	}
	data, err := s.planData(r, u, title, "needs")
	if err != nil {
		return err
	}
	counties := data["Counties"].([]registry.Region)
	if u.Role == xiezuo.RoleCounty { // its own county's towns only
		counties = slices.DeleteFunc(slices.Clone(counties), func(c registry.Region) bool { return c.Code != u.CountyCode })
	}
	townships, err := s.townships(r.Context(), counties, true)
	if err != nil {
		return err
	}
	action := "/plan/needs"
	if n.ID != 0 {
		action += "/" + itoa64(n.ID)
	}
	data["F"], data["N"], data["Action"], data["Townships"], data["Back"] = values, n, action, townships, "/plan/needs"
	if u.Role == xiezuo.RoleCounty {
		for _, c := range data["Counties"].([]registry.Region) {
			if c.Code == u.CountyCode {
				data["CountyFixed"] = c.Name
			}
		}
		if data["CountyFixed"] == nil {
			data["CountyFixed"] = u.CountyCode
		}
	}
	status := formStatus(data, formErr)
	s.render(w, r, status, "plan_need_form", data)
	return nil
}

func (s *Server) needNew(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !plan.CanPostNeed(u, "") {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有受援县用户和协作办可以提出需求")
	}
	n := &plan.Need{CountyCode: u.CountyCode, AskedOn: s.DB.Today()}
	return s.needForm(w, r, u, n, needValues(n), nil)
}

func (s *Server) needEdit(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := s.DB.Need(r.Context(), u, id)
	if err != nil {
		return err
	}
	if err := plan.CheckEditNeed(u, n); err != nil {
		return err
	}
	return s.needForm(w, r, u, n, needValues(n), nil)
}

func (s *Server) needSave(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	n := &plan.Need{}
	if r.PathValue("id") != "" {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if n, err = s.DB.Need(r.Context(), u, id); err != nil {
			return err
		}
		if err := plan.CheckEditNeed(u, n); err != nil {
			return err
		}
	} else if !plan.CanPostNeed(u, "") {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有受援县用户和协作办可以提出需求")
	}
	f := s.readForm(r)
	if u.Role == xiezuo.RoleCounty {
		n.CountyCode = u.CountyCode
	} else {
		n.CountyCode = f.region("county_code", "所在县", registry.LevelCounty, "")
	}
	n.TownshipCode = f.region("township", "乡镇", registry.LevelTownship, n.CountyCode)
	within := n.TownshipCode
	if within == "" {
		within = n.CountyCode
	}
	n.VillageCode = f.region("village", "村", registry.LevelVillage, within)
	n.Institution, n.Category, n.Item, n.Unit = f.str("institution"), f.str("category"), f.str("item"), f.str("quantity_unit")
	n.Quantity = f.int64("quantity", "数量")
	n.AmountFen = f.yuan("amount", "估算金额")
	n.AskedOn, n.NeededBy = f.date("asked_on", "提出日期"), f.date("needed_by", "需要日期")
	n.Contact, n.Note = f.str("contact"), f.str("note")
	today := s.DB.Today()
	return s.saveForm(w, r, f, func() error { return n.Validate(today) }, func() error { return s.DB.SaveNeed(r.Context(), u, n) },
		func(err error) error { return s.needForm(w, r, u, n, f.Values, err) },
		func() (string, string) {
			return fmt.Sprintf("需求已提交（编号%d），等待协作办审核", n.ID), "/plan/needs/" + itoa64(n.ID)
		})
}

// saveForm ends a plan form: the domain's check (with the form's own
// problems), then the store's save; a problem shows the form again with
// the user's input (again), success flashes a message and goes on (done:
// asked after the save, which gives the record its id).
func (s *Server) saveForm(w http.ResponseWriter, r *http.Request, f *formReader, validate, save func() error,
	again func(error) error, done func() (msg, to string)) error {
	err := f.merge(validate)
	if err == nil {
		err = save()
	}
	if err != nil {
		if !formFailed(err) {
			return err
		}
		return again(err)
	}
	msg, to := done()
	s.flash(r, msg)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (s *Server) needShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderNeed(w, r, u, id, &planFail{}, nil)
}

func (s *Server) renderNeed(w http.ResponseWriter, r *http.Request, u *xiezuo.User, id int64, fail *planFail, failed error) error {
	n, err := s.DB.Need(r.Context(), u, id)
	if err != nil {
		return err
	}
	data, err := s.planData(r, u, fmt.Sprintf("需求（编号%d）", n.ID), "needs")
	if err != nil {
		return err
	}
	matches, err := s.DB.Proposals(r.Context(), u, store.MatchFilter{NeedID: n.ID})
	if err != nil {
		return err
	}
	hist, err := s.DB.AuditHistory(r.Context(), u, "need", n.ID)
	if err != nil && xiezuo.ErrorCode(err) != xiezuo.EFORBIDDEN {
		return err
	}
	data["N"], data["Matches"], data["History"], data["Back"] = n, matches, hist, "/plan/needs"
	data["CanEdit"] = plan.CheckEditNeed(u, n) == nil
	_, closeErr := plan.NeedTransition(u, n, plan.NeedClose, "理由")
	data["CanClose"] = closeErr == nil
	data["Here"], data["Fail"], data["Answers"] = "/plan/needs/"+itoa64(n.ID), fail, answerable(u, matches)
	s.render(w, r, formStatus(data, failed), "plan_need", data)
	return nil
}

func (s *Server) needAction(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := r.PathValue("action")
	reason := r.PostFormValue("reason")
	if err := s.DB.NeedAction(r.Context(), u, id, a, reason); err != nil {
		if !formFailed(err) {
			return err
		}
		return s.planFailed(w, r, u, backOr(r.PostFormValue("back"), "/plan/needs/"+itoa64(id)), &planFail{Action: a, NeedID: id, Reason: reason}, err)
	}
	done := map[string]string{plan.NeedApprove: "审核通过并发布", plan.NeedReturn: "退回", plan.NeedClose: "关闭", plan.NeedMetAct: "标为已满足"}[a]
	if a == plan.NeedClose && !u.IsOffice() {
		done = "撤回（关闭）"
	}
	s.flash(r, fmt.Sprintf("需求（编号%d）已%s", id, done))
	http.Redirect(w, r, backOr(r.PostFormValue("back"), "/plan/needs/"+itoa64(id)), http.StatusSeeOther)
	return nil
}

// --- resources ---

func (s *Server) resourceList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	data, err := s.planData(r, u, "资源清单", "resources")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	items, err := s.DB.Resources(r.Context(), u, store.ResourceFilter{Category: q.Get("category"), Open: q.Get("open") == "1"})
	if err != nil {
		return err
	}
	var fen int64
	for _, x := range items {
		fen += x.AmountFen
	}
	data["Items"], data["AmountFen"], data["CanPost"] = items, fen, plan.CanPostResource(u, 0)
	s.render(w, r, http.StatusOK, "plan_resources", data)
	return nil
}

func resourceValues(x *plan.Resource) map[string]string {
	v := map[string]string{"org": x.OrgName, "category": x.Category, "form": x.Form, "item": x.Item, "quantity": itoa64(x.Quantity),
		"quantity_unit": x.Unit, "amount": fenInput(x.AmountFen), "available_from": x.AvailableFrom, "available_until": x.AvailableUntil,
		"contact": x.Contact, "note": x.Note}
	for _, c := range x.Counties {
		v["county_"+c] = "1"
	}
	if x.Closed {
		v["closed"] = "1"
	}
	return v
}

func (s *Server) resourceForm(w http.ResponseWriter, r *http.Request, u *xiezuo.User, x *plan.Resource, values map[string]string, formErr error) error {
	title := "发布资源"
	if x.ID != 0 {
		title = fmt.Sprintf("修改资源（编号%d）", x.ID)
	}
	data, err := s.planData(r, u, title, "resources")
	if err != nil {
		return err
	}
	action := "/plan/resources"
	if x.ID != 0 {
		action += "/" + itoa64(x.ID)
	}
	data["F"], data["X"], data["Action"], data["Back"], data["AnyUnit"] = values, x, action, "/plan/resources", u.IsOffice()
	status := formStatus(data, formErr)
	s.render(w, r, status, "plan_resource_form", data)
	return nil
}

func (s *Server) resourceNew(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !plan.CanPostResource(u, 0) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有报送单位和协作办可以发布资源")
	}
	x := &plan.Resource{OrgID: u.OrgID, OrgName: u.OrgName, Form: "in_kind", AvailableFrom: s.DB.Today()}
	return s.resourceForm(w, r, u, x, resourceValues(x), nil)
}

func (s *Server) resourceEdit(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	x, err := s.DB.Resource(r.Context(), u, id)
	if err != nil {
		return err
	}
	if !plan.CanPostResource(u, x.OrgID) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只能修改本单位发布的资源")
	}
	return s.resourceForm(w, r, u, x, resourceValues(x), nil)
}

func (s *Server) resourceSave(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	x := &plan.Resource{}
	if r.PathValue("id") != "" {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if x, err = s.DB.Resource(r.Context(), u, id); err != nil {
			return err
		}
		if !plan.CanPostResource(u, x.OrgID) {
			return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只能修改本单位发布的资源")
		}
	} else if !plan.CanPostResource(u, 0) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有报送单位和协作办可以发布资源")
	}
	f := s.readForm(r)
	x.OrgID = u.OrgID
	if u.IsOffice() {
		if o := f.orgs("org", "提供单位"); len(o) == 1 {
			x.OrgID, x.OrgName = o[0].ID, o[0].Name
		} else if len(o) == 0 && f.str("org") == "" {
			x.OrgID = 0
		}
	}
	x.Category, x.Form, x.Item, x.Unit = f.str("category"), f.str("form"), f.str("item"), f.str("quantity_unit")
	x.Quantity = f.int64("quantity", "数量")
	x.AmountFen = f.yuan("amount", "金额")
	x.AvailableFrom, x.AvailableUntil = f.date("available_from", "可提供起始日期"), f.date("available_until", "可提供截止日期")
	x.Contact, x.Note, x.Closed = f.str("contact"), f.str("note"), f.str("closed") == "1"
	x.Counties = nil
	counties, err := s.DB.PairedCounties(r.Context())
	if err != nil {
		return err
	}
	for _, c := range counties {
		if f.str("county_"+c.Code) == "1" {
			x.Counties = append(x.Counties, c.Code)
		}
	}
	today := s.DB.Today()
	return s.saveForm(w, r, f, func() error { return x.Validate(today) }, func() error { return s.DB.SaveResource(r.Context(), u, x) },
		func(err error) error { return s.resourceForm(w, r, u, x, f.Values, err) },
		func() (string, string) {
			return fmt.Sprintf("资源已保存（编号%d）", x.ID), "/plan/resources/" + itoa64(x.ID)
		})
}

func (s *Server) resourceShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderResource(w, r, u, id, &planFail{}, nil)
}

func (s *Server) renderResource(w http.ResponseWriter, r *http.Request, u *xiezuo.User, id int64, fail *planFail, failed error) error {
	x, err := s.DB.Resource(r.Context(), u, id)
	if err != nil {
		return err
	}
	data, err := s.planData(r, u, fmt.Sprintf("资源（编号%d）", x.ID), "resources")
	if err != nil {
		return err
	}
	matches, err := s.DB.Proposals(r.Context(), u, store.MatchFilter{ResourceID: x.ID})
	if err != nil {
		return err
	}
	data["X"], data["Matches"], data["Back"], data["Here"] = x, matches, "/plan/resources", "/plan/resources/"+itoa64(x.ID)
	data["CanEdit"], data["Fail"], data["Answers"] = plan.CanPostResource(u, x.OrgID), fail, answerable(u, matches)
	s.render(w, r, formStatus(data, failed), "plan_resource", data)
	return nil
}

// --- matches ---

func (s *Server) matchList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.renderMatches(w, r, u, &planFail{}, nil)
}

func (s *Server) renderMatches(w http.ResponseWriter, r *http.Request, u *xiezuo.User, fail *planFail, failed error) error {
	data, err := s.planData(r, u, "匹配", "matches")
	if err != nil {
		return err
	}
	mine := u.Role == xiezuo.RoleUnit || u.Role == xiezuo.RoleCounty
	matches, err := s.DB.Proposals(r.Context(), u, store.MatchFilter{Mine: mine})
	if err != nil {
		return err
	}
	data["Matches"], data["Mine"], data["Here"], data["Fail"], data["Answers"] = matches, mine, "/plan/matches", fail, answerable(u, matches)
	s.render(w, r, formStatus(data, failed), "plan_matches", data)
	return nil
}

// answerable reports whether u can do anything in the 答复 column of
// matches (the "matches" template): accept or decline a proposal for its
// side, record a pledge 到位, or is told what it waits for.
func answerable(u *xiezuo.User, matches []plan.Match) bool {
	for _, m := range matches {
		if m.Need == nil || m.Resource == nil {
			continue
		}
		side := plan.MatchSide(u, m.Need, m.Resource)
		switch {
		case m.Status == plan.MatchProposed && side != "" && !(side == plan.SideUnit && m.UnitAccepted || side == plan.SideCounty && m.CountyAccepted):
			return true
		case m.ContributionID != 0 && !m.PledgeDelivered && plan.CanDeliver(u, m.Resource):
			return true
		case m.PledgeDelivered && !m.PledgeReceived:
			return true
		}
	}
	return false
}

func (s *Server) matchAnswer(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	f := s.readForm(r)
	need, res := f.id("need_id"), f.id("resource_id")
	accept := f.str("answer") == "accept"
	m, err := s.DB.AnswerMatch(r.Context(), u, need, res, accept, f.str("reason"))
	switch {
	case err != nil && !formFailed(err):
		return err
	case err != nil:
		a := "decline"
		if accept {
			a = "accept"
		}
		return s.planFailed(w, r, u, f.str("back"), &planFail{Action: a, NeedID: need, ResourceID: res, Reason: f.str("reason")}, err)
	case m.Status == plan.MatchConfirmed && m.ContributionID != 0:
		s.flash(r, fmt.Sprintf("匹配已确认，生成认捐（帮扶投入编号%d），已列入%d年计划", m.ContributionID, m.Need.Year()))
	case m.Status == plan.MatchConfirmed:
		s.flash(r, fmt.Sprintf("匹配已确认，生成项目草稿（编号%d），由%s补充后提交审核", m.ProjectID, m.Resource.OrgName))
	case m.Status == plan.MatchDeclined:
		s.flash(r, "已谢绝该匹配")
	default:
		s.flash(r, "已接受，等待另一方确认")
	}
	http.Redirect(w, r, backOr(f.str("back"), "/plan/matches"), http.StatusSeeOther)
	return nil
}

func (s *Server) matchDeliver(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := s.readForm(r)
	typed := f.str("delivered_on")
	on := f.date("delivered_on", "到位日期")
	if on == "" {
		on = s.DB.Today()
	}
	err = f.merge(func() error { return nil })
	if err == nil {
		err = s.DB.DeliverMatch(r.Context(), u, id, on)
	}
	if err != nil {
		if !formFailed(err) {
			return err
		}
		return s.planFailed(w, r, u, f.str("back"), &planFail{Action: "deliver", MatchID: id, Date: typed}, err)
	}
	s.flash(r, "已登记到位，等待受援县确认收到")
	http.Redirect(w, r, backOr(f.str("back"), "/plan/matches"), http.StatusSeeOther)
	return nil
}

// --- the yearly plan ---

func (s *Server) planPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.renderPlan(w, r, u, nil, nil)
}

func (s *Server) renderPlan(w http.ResponseWriter, r *http.Request, u *xiezuo.User, values map[string]string, formErr error) error {
	q := r.URL.Query()
	year, _ := strconv.Atoi(q.Get("year"))
	if year == 0 {
		y, err := s.DB.DefaultPlanYear(r.Context())
		if err != nil {
			return err
		}
		year = y
	}
	county := q.Get("county")
	if county == "" && u.Role == xiezuo.RoleCounty {
		county = u.CountyCode
	}
	data, err := s.planData(r, u, fmt.Sprintf("%d年计划", year), "plan")
	if err != nil {
		return err
	}
	items, err := s.DB.PlanItems(r.Context(), u, county, year)
	if err != nil {
		return err
	}
	name := "全部受援县"
	for _, c := range data["Counties"].([]registry.Region) {
		if c.Code == county {
			name = c.Name
		}
	}
	if values == nil {
		values = map[string]string{"year": strconv.Itoa(year), "county_code": county, "kind": plan.OutcomeProject, "target_count": "1"}
	}
	data["Items"], data["Sum"], data["Year"], data["County"], data["CountyName"] = items, plan.Sum(items), year, county, name
	data["CanEdit"], data["F"] = plan.CanEditPlan(u), values
	data["Prev"], data["Next"] = planLink(county, year-1), planLink(county, year+1)
	status := formStatus(data, formErr)
	s.render(w, r, status, "plan", data)
	return nil
}

func planLink(county string, year int) string {
	v := url.Values{"year": {strconv.Itoa(year)}}
	if county != "" {
		v.Set("county", county)
	}
	return "/plan?" + v.Encode()
}

func itemValues(it *plan.Item) map[string]string {
	return map[string]string{"year": strconv.Itoa(it.Year), "county_code": it.CountyCode, "township": it.TownshipName, "kind": it.Kind,
		"title": it.Title, "category": it.Category, "unit": it.UnitName, "target": fenInput(it.TargetFen), "target_count": itoa64(it.TargetCount),
		"contribution_id": itoa64(it.ContributionID), "project_id": itoa64(it.ProjectID), "note": it.Note}
}

func (s *Server) planItemEdit(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !plan.CanEditPlan(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以编制年度计划")
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	it, err := s.DB.PlanItem(r.Context(), u, id)
	if err != nil {
		return err
	}
	return s.itemForm(w, r, u, it, itemValues(it), nil)
}

func (s *Server) itemForm(w http.ResponseWriter, r *http.Request, u *xiezuo.User, it *plan.Item, values map[string]string, formErr error) error {
	data, err := s.planData(r, u, fmt.Sprintf("修改计划项（编号%d）", it.ID), "plan")
	if err != nil {
		return err
	}
	data["F"], data["It"], data["Back"] = values, it, planLink(it.CountyCode, it.Year)
	status := formStatus(data, formErr)
	s.render(w, r, status, "plan_item_form", data)
	return nil
}

func (s *Server) planItemSave(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !plan.CanEditPlan(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以编制年度计划")
	}
	it := &plan.Item{}
	if r.PathValue("id") != "" {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if it, err = s.DB.PlanItem(r.Context(), u, id); err != nil {
			return err
		}
	}
	f := s.readForm(r)
	it.Year = int(f.int64("year", "计划年度"))
	it.CountyCode = f.region("county_code", "所在县", registry.LevelCounty, "")
	it.TownshipCode = f.region("township", "乡镇", registry.LevelTownship, it.CountyCode)
	it.Kind, it.Title, it.Category, it.Note = f.str("kind"), f.str("title"), f.str("category"), f.str("note")
	it.UnitID = 0
	if f.str("unit") != "" {
		if o := f.orgs("unit", "负责单位"); len(o) == 1 {
			it.UnitID = o[0].ID
		}
	}
	it.TargetFen, it.TargetCount = f.yuan("target", "计划金额"), f.int64("target_count", "计划个数")
	it.ContributionID, it.ProjectID = f.int64("contribution_id", "帮扶投入编号"), f.int64("project_id", "项目编号")
	today := s.DB.Today()
	return s.saveForm(w, r, f, func() error { return it.Validate(today) }, func() error { return s.DB.SavePlanItem(r.Context(), u, it) },
		func(err error) error {
			if it.ID != 0 {
				return s.itemForm(w, r, u, it, f.Values, err)
			}
			q := r.URL.Query()
			q.Set("year", f.str("year"))
			q.Set("county", it.CountyCode)
			r.URL.RawQuery = q.Encode()
			return s.renderPlan(w, r, u, f.Values, err)
		},
		func() (string, string) {
			return fmt.Sprintf("计划项已保存（编号%d）", it.ID), planLink(it.CountyCode, it.Year)
		})
}

func (s *Server) planItemDelete(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	it, err := s.DB.PlanItem(r.Context(), u, id)
	if err != nil {
		return err
	}
	if err := s.DB.DeletePlanItem(r.Context(), u, id); err != nil {
		if !formFailed(err) {
			return err
		}
		s.flash(r, "操作未完成："+xiezuo.ErrorMessage(err))
	} else {
		s.flash(r, fmt.Sprintf("计划项（编号%d）已删除", id))
	}
	http.Redirect(w, r, planLink(it.CountyCode, it.Year), http.StatusSeeOther)
	return nil
}

// backOr is the posted back link (same-site) or def.
func backOr(back, def string) string {
	if back == "" {
		return def
	}
	return safeNext(back)
}

func init() {
	// matchSide is the side u answers match m for ("" none: plan.MatchSide).
	funcs["matchSide"] = func(u *xiezuo.User, m plan.Match) string {
		if m.Need == nil || m.Resource == nil {
			return ""
		}
		return plan.MatchSide(u, m.Need, m.Resource)
	}
	// answered reports whether side has already accepted m.
	funcs["answered"] = func(side string, m plan.Match) bool {
		return side == plan.SideUnit && m.UnitAccepted || side == plan.SideCounty && m.CountyAccepted
	}
	// percent1 is part of whole in percent with one decimal (0.5 for
	// 80,000 of 16,410,000), rounded down so 99.96 is not 100.0.
	funcs["percent1"] = func(part, whole int64) string {
		if whole <= 0 {
			return "0.0"
		}
		tenths := part * 1000 / whole
		return strconv.FormatInt(tenths/10, 10) + "." + strconv.FormatInt(tenths%10, 10)
	}
	funcs["canDeliver"] = func(u *xiezuo.User, m plan.Match) bool { return m.Resource != nil && plan.CanDeliver(u, m.Resource) }
}
