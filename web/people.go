package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/people"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// The registers of the people helped and the posted teams (package
// people). The store masks ID numbers and audits every view; these pages
// only show what it gives.

// peopleRoutes registers the registers' and the teams' pages.
func (s *Server) peopleRoutes(mux *router) {
	mux.HandleFunc("GET /people", s.page(s.registerList))
	mux.HandleFunc("GET /people/export.xlsx", s.page(s.registerExport))
	mux.HandleFunc("GET /people/{id}", s.page(s.personShow))
	editorRoutes(mux, s, s.personEditor()) // GET /people/new, POST /people, GET /people/{id}/edit, POST /people/{id}
	mux.HandleFunc("GET /people/{id}/erase", s.page(s.personErasePage))
	mux.HandleFunc("POST /people/{id}/erase", s.page(s.personErase))
	mux.HandleFunc("GET /registry/teams", s.page(s.teamList))
	mux.HandleFunc("GET /registry/teams/{id}", s.page(s.teamShow))
	editorRoutes(mux, s, s.teamEditor()) // GET /registry/teams/new, POST /registry/teams, GET /registry/teams/{id}/edit, POST /registry/teams/{id}
}

// registerPageSize is how many people a register page shows.
const registerPageSize = 50

func registerFilter(r *http.Request) store.BeneficiaryFilter {
	q := r.URL.Query()
	f := store.BeneficiaryFilter{Kind: people.Kind(q.Get("kind")), County: q.Get("county"), Status: q.Get("status"), Limit: registerPageSize}
	if !f.Kind.Valid() {
		f.Kind = people.KindPatient
	}
	f.BatchID, _ = strconv.ParseInt(q.Get("batch"), 10, 64)
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	return f
}

// statusChoices are the states a register's list filters by.
func statusChoices(k people.Kind) []people.Choice {
	switch k {
	case people.KindPatient:
		return people.Stages
	case people.KindHousehold:
		return people.HouseholdStatuses
	case people.KindTrainee:
		return []people.Choice{{Code: "placed", Label: "已就业"}, {Code: "unplaced", Label: "未就业"}}
	}
	return nil
}

func (s *Server) registerList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !people.CanSeeRegister(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能查看人员名册")
	}
	f := registerFilter(r)
	pg, err := s.DB.ListBeneficiaries(r.Context(), u, f)
	if err != nil {
		return err
	}
	data, err := s.filterChoices(r.Context(), false)
	if err != nil {
		return err
	}
	batches, err := s.DB.ListBatches(r.Context(), u, store.RecordFilter{Limit: 500})
	if err != nil {
		return err
	}
	q := r.URL.Query()
	q.Set("kind", string(f.Kind))
	data["Title"], data["Q"], data["Kind"], data["Kinds"], data["Page"] = f.Kind.Label()+"名册", q, f.Kind, people.Kinds, pg
	data["StatusChoices"], data["Batches"] = statusChoices(f.Kind), batches
	data["Pager"] = newPager(r.URL, f.Offset, registerPageSize, int(pg.Total))
	s.render(w, r, http.StatusOK, "people_list", data)
	return nil
}

func (s *Server) registerExport(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !people.CanExport(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以导出人员名册")
	}
	ctx := r.Context()
	f := registerFilter(r)
	items, err := s.DB.ExportBeneficiaries(ctx, u, f)
	if err != nil {
		return err
	}
	now := time.Now()
	meta := imports.ExportMeta{User: u.DisplayName + "（" + u.Username + "）", At: now, Filter: s.filterWords(ctx, nil, f.County, "", "", "", "名册："+f.Kind.Label())}
	cp, err := s.DB.AuditCheckpoint(ctx)
	if err != nil {
		return err
	}
	meta.Checkpoint = cp.Short()
	setDownload(w, "xlsx", f.Kind.Label()+"名册_含个人信息_"+now.In(xiezuo.China).Format("20060102"))
	w.Header().Set("Cache-Control", "no-store")
	return imports.WriteTable(w, imports.RegisterTable(f.Kind, items), meta)
}

func (s *Server) personShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.DB.Beneficiary(r.Context(), u, id)
	if err != nil {
		return err
	}
	data := map[string]any{"Title": fmt.Sprintf("%s（编号%d）", b.Kind.Label(), b.ID), "R": b, "CanEdit": !b.Erased() && people.CanSave(u, b.UnitID, b.CountyCode),
		"CanErase": !b.Erased() && people.CanErase(u), "Back": "/people?kind=" + string(b.Kind)}
	if ledger.CanReadAuditLog(u) {
		hist, err := s.DB.AuditHistory(r.Context(), u, "beneficiary", id)
		if err != nil {
			return err
		}
		// Views are many (every page and form opened): the changes show
		// here, the views are counted and listed in the audit log.
		changes, views := hist[:0:0], 0
		for _, e := range hist {
			if e.Action == "view" {
				views++
			} else {
				changes = append(changes, e)
			}
		}
		data["History"], data["Views"] = changes, views
	}
	s.render(w, r, http.StatusOK, "person_show", data)
	return nil
}

func (s *Server) personErasePage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !people.CanErase(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以应本人要求删除个人信息")
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.DB.Beneficiary(r.Context(), u, id)
	if err != nil {
		return err
	}
	if b.Erased() {
		return xiezuo.Errorf(xiezuo.ECONFLICT, "此人的个人信息已删除")
	}
	s.render(w, r, http.StatusOK, "person_erase", map[string]any{"Title": "应本人要求删除个人信息", "R": b, "Fields": erasedLabels})
	return nil
}

// erasedLabels name the fields an erasure clears (people.PersonalFields).
var erasedLabels = []string{"姓名", "性别", "身份证号码", "出生日期", "联系电话", "村", "救治阶段", "医院", "学校", "年级", "就业单位", "就业地", "建档立卡状态", "所获帮扶", "备注"}

func (s *Server) personErase(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if r.PostFormValue("confirm") != "yes" {
		s.flash(r, "未删除：请勾选确认")
		http.Redirect(w, r, fmt.Sprintf("/people/%d/erase", id), http.StatusSeeOther)
		return nil
	}
	if err := s.DB.EraseBeneficiary(r.Context(), u, id); err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("名册人员（编号%d）的个人信息已删除；该条保留为匿名记录，批次人数和合计不变", id))
	http.Redirect(w, r, fmt.Sprintf("/people/%d", id), http.StatusSeeOther)
	return nil
}

func (s *Server) personEditor() *editor[*people.Beneficiary] {
	idOf := func(r *http.Request, name string) int64 {
		n, _ := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
		return n
	}
	return &editor[*people.Beneficiary]{
		page: "person_form", base: "/people", label: "名册人员",
		header: func(b *people.Beneficiary) *ledger.Header { return &ledger.Header{ID: b.ID, UnitID: b.UnitID} },
		blank: func(r *http.Request, u *xiezuo.User) *people.Beneficiary {
			k := people.Kind(r.URL.Query().Get("kind"))
			if !k.Valid() {
				k = people.KindPatient
			}
			return &people.Beneficiary{Kind: k, UnitID: u.OrgID, CountyCode: u.CountyCode, BatchID: idOf(r, "batch_id"), ActivityID: idOf(r, "activity_id")}
		},
		load: s.DB.Beneficiary,
		may: func(u *xiezuo.User, b *people.Beneficiary) error {
			if !people.CanSeeRegister(u) {
				return xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能登记人员名册")
			}
			if b.ID != 0 && b.Erased() {
				return xiezuo.Errorf(xiezuo.ECONFLICT, "此人的个人信息已应本人要求删除，不能修改")
			}
			if b.ID != 0 && !people.CanSave(u, b.UnitID, b.CountyCode) {
				return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只能修改本单位登记的人员")
			}
			return nil
		},
		values: func(b *people.Beneficiary) map[string]string {
			placed, registered := "", ""
			if b.Placed {
				placed = "1"
			}
			if b.Registered {
				registered = "1"
			}
			return map[string]string{"kind": string(b.Kind), "unit_id": itoa64(b.UnitID), "name": b.Name, "gender": b.Gender, "id_number": b.IDNumber,
				"birth_date": b.BirthDate, "phone": b.Phone, "county_code": b.CountyCode, "village": b.VillageName, "batch_id": itoa64(b.BatchID),
				"activity_id": itoa64(b.ActivityID), "project_id": itoa64(b.ProjectID), "contribution_id": itoa64(b.ContributionID),
				"stage": b.Stage, "hospital": b.Hospital, "school": b.School, "grade": b.Grade, "donor": b.DonorName,
				"amount_per_term": fenInput(b.AmountPerTermFen), "course": b.Course, "placed": placed, "employer": b.Employer,
				"destination": b.Destination, "months_employed": itoa64(b.MonthsEmployed), "registered": registered,
				"household_status": b.HouseholdStatus, "help": b.Help, "note": b.Note}
		},
		read: func(f *formReader, u *xiezuo.User, b *people.Beneficiary) {
			if k := people.Kind(f.str("kind")); b.ID == 0 || k.Valid() {
				b.Kind = k
			}
			if b.ID == 0 {
				b.UnitID = defaultUnit(u, f.id("unit_id"))
			} else if ledger.CanRecordForAnyUnit(u) && f.id("unit_id") != 0 {
				b.UnitID = f.id("unit_id")
			}
			b.Name, b.Gender, b.IDNumber, b.Phone = f.str("name"), f.str("gender"), f.str("id_number"), f.str("phone")
			if b.BirthDate = f.str("birth_date"); !people.IsMaskedBirth(b.BirthDate) { // a masked year goes back as it is
				b.BirthDate = f.date("birth_date", "出生日期")
			}
			b.CountyCode = f.region("county_code", "县", registry.LevelCounty, "")
			b.VillageCode = f.region("village", "村", registry.LevelVillage, b.CountyCode)
			b.BatchID, b.ActivityID, b.ProjectID, b.ContributionID = f.id("batch_id"), f.id("activity_id"), f.id("project_id"), f.id("contribution_id")
			b.Stage, b.Hospital, b.School, b.Grade = f.str("stage"), f.str("hospital"), f.str("school"), f.str("grade")
			b.DonorOrgID = 0
			if d := f.str("donor"); d != "" {
				if o, err := s.DB.OrgByName(f.ctx, d); err == nil {
					b.DonorOrgID = o.ID
				} else {
					f.p.Add("donor", "结对资助单位“"+d+"”不在单位名录中")
				}
			}
			b.AmountPerTermFen = f.yuan("amount_per_term", "每学期资助金额")
			b.Course, b.Employer, b.Destination = f.str("course"), f.str("employer"), f.str("destination")
			b.Placed, b.Registered = f.str("placed") == "1", f.str("registered") == "1"
			b.MonthsEmployed = f.int64("months_employed", "就业月数")
			b.HouseholdStatus, b.Help, b.Note = f.str("household_status"), f.str("help"), f.str("note")
		},
		more: func(ctx context.Context, u *xiezuo.User, data formData) error {
			bs, err := s.DB.ListBatches(ctx, u, store.RecordFilter{Limit: 500})
			data["Batches"], data["RegisterKinds"], data["Stages"], data["HouseholdStatuses"], data["Genders"] = bs, people.Kinds, people.Stages, people.HouseholdStatuses, people.Genders
			data["FullID"] = people.CanSeeFullID(u)
			return err
		},
		validate: func(b *people.Beneficiary) error { return b.Validate(s.DB.Today()) },
		save:     s.DB.SaveBeneficiary,
	}
}

func (s *Server) teamList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !people.CanSeeTeams(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能查看援派团队")
	}
	q := r.URL.Query()
	pf := store.PeopleFilter{County: q.Get("county"), From: q.Get("from"), To: q.Get("to")}
	ts, err := s.DB.Teams(r.Context(), pf)
	if err != nil {
		return err
	}
	n, err := s.DB.TalentHeadcount(r.Context(), pf)
	if err != nil {
		return err
	}
	data, err := s.filterChoices(r.Context(), false)
	if err != nil {
		return err
	}
	data["Title"], data["Teams"], data["Q"], data["Headcount"], data["Tab"] = "援派团队", ts, q, n, "teams"
	s.render(w, r, http.StatusOK, "team_list", data)
	return nil
}

func (s *Server) teamShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := s.DB.Team(r.Context(), u, id)
	if err != nil {
		return err
	}
	data := map[string]any{"Title": t.Name, "T": t, "Back": "/registry/teams", "Tab": "teams"}
	if ledger.CanReadAuditLog(u) {
		hist, err := s.DB.AuditHistory(r.Context(), u, "team", id)
		if err != nil {
			return err
		}
		data["History"] = hist
	}
	s.render(w, r, http.StatusOK, "team_show", data)
	return nil
}

func (s *Server) teamEditor() *editor[*people.Team] {
	return &editor[*people.Team]{
		page: "team_form", base: "/registry/teams", label: "援派团队",
		header: func(t *people.Team) *ledger.Header { return &ledger.Header{ID: t.ID} },
		blank:  func(r *http.Request, u *xiezuo.User) *people.Team { return &people.Team{} },
		load: func(ctx context.Context, u *xiezuo.User, id int64) (*people.Team, error) {
			return s.DB.Team(ctx, u, id)
		},
		may: func(u *xiezuo.User, t *people.Team) error {
			if !people.CanManageTeams(u) {
				return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办管理员可以登记援派团队")
			}
			return nil
		},
		values: func(t *people.Team) map[string]string {
			ids := make([]string, len(t.MemberIDs))
			for i, id := range t.MemberIDs {
				ids[i] = strconv.FormatInt(id, 10)
			}
			return map[string]string{"name": t.Name, "kind": t.Kind, "org": t.OrgName, "dest": t.DestName, "term_from": t.TermFrom,
				"term_to": t.TermTo, "members": strings.Join(ids, "\n"), "other_count": itoa64(t.OtherCount), "note": t.Note}
		},
		read: func(f *formReader, u *xiezuo.User, t *people.Team) {
			t.Name, t.Kind, t.Note = f.str("name"), f.str("kind"), f.str("note")
			t.OrgID = 0
			if n := f.str("org"); n != "" {
				if o, err := s.DB.OrgByName(f.ctx, n); err == nil {
					t.OrgID = o.ID
				} else {
					f.p.Add("org_id", "派出单位“"+n+"”不在单位名录中") // the domain's field: told once
				}
			}
			t.DestCode = f.str("dest")
			if !registry.ValidCode(t.DestCode) && t.DestCode != "" {
				if reg, err := s.DB.ResolveRegion(f.ctx, t.DestCode, 0, ""); err == nil {
					t.DestCode = reg.Code
				} else {
					f.p.Add("dest_code", "派驻地“"+t.DestCode+"”不是已知地区")
				}
			}
			t.TermFrom, t.TermTo = f.date("term_from", "派驻开始日期"), f.date("term_to", "派驻结束日期")
			t.MemberIDs = nil
			for _, v := range f.r.PostForm["members"] {
				if id, err := strconv.ParseInt(v, 10, 64); err == nil {
					t.MemberIDs = append(t.MemberIDs, id)
				}
			}
			t.OtherCount = f.int64("other_count", "未具名成员人数")
		},
		more: func(ctx context.Context, u *xiezuo.User, data formData) error {
			ps, err := s.DB.People(ctx, store.PeopleFilter{})
			data["People"], data["TeamKinds"] = ps, people.TeamKinds
			return err
		},
		validate: func(t *people.Team) error { return t.Validate() },
		save:     s.DB.SaveTeam,
	}
}
