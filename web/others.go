package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// listFilter reads the filter the smaller lists share.
func listFilter(r *http.Request) store.RecordFilter {
	q := r.URL.Query()
	f := store.RecordFilter{CountyCode: q.Get("county"), Status: ledger.Status(q.Get("status")), Section: q.Get("section"), From: q.Get("from"), To: q.Get("to"), Limit: 200}
	f.UnitID, _ = strconv.ParseInt(q.Get("unit"), 10, 64)
	f.State = q.Get("state")
	return f
}

// listPage renders one of the smaller lists with the filter bar.
func (s *Server) listPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User, page, title string, items any) error {
	data, err := s.choices(r.Context(), u)
	if err != nil {
		return err
	}
	data["Title"], data["Items"], data["Q"] = title, items, r.URL.Query()
	s.render(w, r, http.StatusOK, page, data)
	return nil
}

func activityFromQuery(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.URL.Query().Get("activity_id"), 10, 64)
	return id
}

// ---- agreements

func (s *Server) agreementEditor() *editor[*ledger.Agreement] {
	return &editor[*ledger.Agreement]{
		kind: ledger.KindAgreement, page: "agreement_form", base: "/agreements",
		header: func(a *ledger.Agreement) *ledger.Header { return &a.Header },
		blank: func(r *http.Request, u *xiezuo.User) *ledger.Agreement {
			return &ledger.Agreement{Header: ledger.Header{UnitID: u.OrgID}, ActivityID: activityFromQuery(r)}
		},
		load: func(ctx context.Context, u *xiezuo.User, id int64) (*ledger.Agreement, error) {
			return s.DB.Agreement(ctx, u, id)
		},
		values: func(a *ledger.Agreement) map[string]string {
			ids := make([]string, len(a.PairingIDs))
			for i, id := range a.PairingIDs {
				ids[i] = strconv.FormatInt(id, 10)
			}
			return map[string]string{"unit_id": itoa64(a.UnitID), "title": a.Title, "signed_on": a.SignedOn, "pledged": fenInput(a.PledgedFen),
				"pairing_ids": strings.Join(ids, "\n"), "activity_id": itoa64(a.ActivityID), "note": a.Note}
		},
		read: func(f *formReader, u *xiezuo.User, a *ledger.Agreement) {
			a.UnitID = defaultUnit(u, f.id("unit_id"))
			a.Title, a.Note = f.str("title"), f.str("note")
			a.SignedOn = f.date("signed_on", "签订日期")
			a.Year = 0
			a.PledgedFen = f.yuan("pledged", "协议金额")
			a.PairingIDs = nil
			for _, v := range f.r.PostForm["pairing_ids"] {
				if id, err := strconv.ParseInt(v, 10, 64); err == nil {
					a.PairingIDs = append(a.PairingIDs, id)
				}
			}
			a.ActivityID = f.id("activity_id")
		},
		validate: func(a *ledger.Agreement) error { return a.Validate() },
		save:     s.DB.SaveAgreement,
	}
}

// pairingScope limits a unit user's pairing choices to its own unit's.
func pairingScope(u *xiezuo.User) int64 {
	if ledger.CanRecordForAnyUnit(u) {
		return 0
	}
	return u.OrgID
}

func (s *Server) agreementShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := s.DB.Agreement(r.Context(), u, id)
	if err != nil {
		return err
	}
	return s.recordPage(w, r, "agreement_show", ledger.KindAgreement, a.Header, map[string]any{"R": a})
}

func (s *Server) agreementList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	items, err := s.DB.ListAgreements(r.Context(), u, listFilter(r))
	if err != nil {
		return err
	}
	var total int64
	for _, a := range items {
		total += a.PledgedFen
	}
	return s.listPage(w, r, u, "agreement_list", "协议", map[string]any{"Rows": items, "Pledged": total})
}

// ---- projects

func (s *Server) projectEditor() *editor[*ledger.Project] {
	return &editor[*ledger.Project]{
		kind: ledger.KindProject, page: "project_form", base: "/projects",
		header: func(p *ledger.Project) *ledger.Header { return &p.Header },
		blank: func(r *http.Request, u *xiezuo.User) *ledger.Project {
			return &ledger.Project{Header: ledger.Header{UnitID: u.OrgID}, CountyCode: u.CountyCode, WorkState: "planned", FundingSource: "上海市财政援助资金"}
		},
		load: func(ctx context.Context, u *xiezuo.User, id int64) (*ledger.Project, error) {
			return s.DB.Project(ctx, u, id)
		},
		values: func(p *ledger.Project) map[string]string {
			v := map[string]string{"unit_id": itoa64(p.UnitID), "title": p.Title, "county_code": p.CountyCode, "township": p.TownshipName,
				"village": p.VillageName, "sector": p.Sector, "funding_source": p.FundingSource, "budget": fenInput(p.BudgetFen),
				"start_on": p.StartOn, "deadline": p.Deadline, "progress": strconv.Itoa(p.Progress), "work_state": p.WorkState,
				"completed_on": p.CompletedOn, "note": p.Note}
			var ms []string
			for _, m := range p.Milestones {
				ms = append(ms, strings.TrimSpace(m.DueOn+" "+m.Title+" "+m.DoneOn))
			}
			v["milestones"] = strings.Join(ms, "\n")
			return v
		},
		read: func(f *formReader, u *xiezuo.User, p *ledger.Project) {
			p.UnitID = defaultUnit(u, f.id("unit_id"))
			p.Title, p.Sector, p.FundingSource, p.WorkState, p.Note = f.str("title"), f.str("sector"), f.str("funding_source"), f.str("work_state"), f.str("note")
			p.CountyCode = f.region("county_code", "所在县", registry.LevelCounty, "")
			p.TownshipCode = f.region("township", "乡镇", registry.LevelTownship, p.CountyCode)
			within := p.TownshipCode
			if within == "" {
				within = p.CountyCode
			}
			p.VillageCode = f.region("village", "村", registry.LevelVillage, within)
			p.BudgetFen = f.yuan("budget", "项目预算")
			p.StartOn, p.Deadline, p.CompletedOn = f.date("start_on", "开工日期"), f.date("deadline", "完成时限"), f.date("completed_on", "完工日期")
			p.Progress = int(f.int64("progress", "进度"))
			p.Milestones = parseMilestones(f)
		},
		validate: func(p *ledger.Project) error { return p.Validate() },
		save:     s.DB.SaveProject,
	}
}

// parseMilestones reads one milestone a line: "2020-11-10 完成验收 [2020-11-08]".
func parseMilestones(f *formReader) []ledger.Milestone {
	var out []ledger.Milestone
	for i, line := range strings.Split(f.str("milestones"), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		due, ok := normalizeDate(fields[0])
		if !ok || len(fields) < 2 {
			f.p.Add("milestones", "第"+strconv.Itoa(i+1)+"行应为“日期 节点名称 [完成日期]”")
			continue
		}
		m := ledger.Milestone{DueOn: due, Title: strings.Join(fields[1:], " ")}
		if n := len(fields); n > 2 {
			if done, ok := normalizeDate(fields[n-1]); ok {
				m.DoneOn, m.Title = done, strings.Join(fields[1:n-1], " ")
			}
		}
		out = append(out, m)
	}
	return out
}

func (s *Server) projectShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.DB.Project(r.Context(), u, id)
	if err != nil {
		return err
	}
	return s.recordPage(w, r, "project_show", ledger.KindProject, p.Header, map[string]any{"R": p, "Overdue": p.Overdue(ledger.Today())})
}

func (s *Server) projectList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	items, err := s.DB.ListProjects(r.Context(), u, listFilter(r))
	if err != nil {
		return err
	}
	var budget int64
	overdue := 0
	today := ledger.Today()
	for _, p := range items {
		budget += p.BudgetFen
		if p.Overdue(today) {
			overdue++
		}
	}
	return s.listPage(w, r, u, "project_list", "项目", map[string]any{"Rows": items, "Budget": budget, "Overdue": overdue, "Today": today})
}

// ---- labour records

func (s *Server) labourEditor() *editor[*ledger.LabourRecord] {
	return &editor[*ledger.LabourRecord]{
		kind: ledger.KindLabour, page: "labour_form", base: "/labour",
		header: func(l *ledger.LabourRecord) *ledger.Header { return &l.Header },
		blank: func(r *http.Request, u *xiezuo.User) *ledger.LabourRecord {
			return &ledger.LabourRecord{Header: ledger.Header{UnitID: u.OrgID}, CountyCode: u.CountyCode, ActivityID: activityFromQuery(r)}
		},
		load: func(ctx context.Context, u *xiezuo.User, id int64) (*ledger.LabourRecord, error) {
			return s.DB.Labour(ctx, u, id)
		},
		values: func(l *ledger.LabourRecord) map[string]string {
			return map[string]string{"unit_id": itoa64(l.UnitID), "date_from": l.DateFrom, "date_to": l.DateTo, "county_code": l.CountyCode,
				"kind": l.Kind, "trained": itoa64(l.Trained), "placed": itoa64(l.Placed), "poor_count": itoa64(l.PoorCount),
				"destination": l.Destination, "activity_id": itoa64(l.ActivityID), "note": l.Note}
		},
		read: func(f *formReader, u *xiezuo.User, l *ledger.LabourRecord) {
			l.UnitID = defaultUnit(u, f.id("unit_id"))
			l.DateFrom, l.DateTo = f.date("date_from", "开始日期"), f.date("date_to", "截止日期")
			l.CountyCode = f.region("county_code", "县", registry.LevelCounty, "")
			l.Kind, l.Destination, l.Note = f.str("kind"), f.str("destination"), f.str("note")
			l.Trained, l.Placed, l.PoorCount = f.int64("trained", "培训人数"), f.int64("placed", "就业人数"), f.int64("poor_count", "建档立卡人数")
			l.ActivityID = f.id("activity_id")
		},
		validate: func(l *ledger.LabourRecord) error { return l.Validate() },
		save:     s.DB.SaveLabour,
	}
}

func (s *Server) labourShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l, err := s.DB.Labour(r.Context(), u, id)
	if err != nil {
		return err
	}
	return s.recordPage(w, r, "labour_show", ledger.KindLabour, l.Header, map[string]any{"R": l})
}

func (s *Server) labourList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	items, err := s.DB.ListLabour(r.Context(), u, listFilter(r))
	if err != nil {
		return err
	}
	var trained, placed, poor int64
	for _, l := range items {
		trained, placed, poor = trained+l.Trained, placed+l.Placed, poor+l.PoorCount
	}
	return s.listPage(w, r, u, "labour_list", "劳务协作", map[string]any{"Rows": items, "Trained": trained, "Placed": placed, "Poor": poor})
}

// ---- beneficiary batches

func (s *Server) batchEditor() *editor[*ledger.Batch] {
	return &editor[*ledger.Batch]{
		kind: ledger.KindBatch, page: "batch_form", base: "/batches",
		header: func(b *ledger.Batch) *ledger.Header { return &b.Header },
		blank: func(r *http.Request, u *xiezuo.User) *ledger.Batch {
			return &ledger.Batch{Header: ledger.Header{UnitID: u.OrgID}, CountyCode: u.CountyCode, CountUnit: "人", ActivityID: activityFromQuery(r)}
		},
		load: func(ctx context.Context, u *xiezuo.User, id int64) (*ledger.Batch, error) {
			return s.DB.Batch(ctx, u, id)
		},
		values: func(b *ledger.Batch) map[string]string {
			return map[string]string{"unit_id": itoa64(b.UnitID), "date": b.Date, "county_code": b.CountyCode, "kind": b.Kind, "label": b.Label,
				"count": itoa64(b.Count), "count_unit": b.CountUnit, "activity_id": itoa64(b.ActivityID), "note": b.Note}
		},
		read: func(f *formReader, u *xiezuo.User, b *ledger.Batch) {
			b.UnitID = defaultUnit(u, f.id("unit_id"))
			b.Date = f.date("date", "日期")
			b.CountyCode = f.region("county_code", "县", registry.LevelCounty, "")
			b.Kind, b.Label, b.CountUnit, b.Note = f.str("kind"), f.str("label"), f.str("count_unit"), f.str("note")
			b.Count = f.int64("count", "人数")
			b.ActivityID = f.id("activity_id")
		},
		validate: func(b *ledger.Batch) error { return b.Validate() },
		save:     s.DB.SaveBatch,
	}
}

func (s *Server) batchShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.DB.Batch(r.Context(), u, id)
	if err != nil {
		return err
	}
	return s.recordPage(w, r, "batch_show", ledger.KindBatch, b.Header, map[string]any{"R": b})
}

func (s *Server) batchList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	items, err := s.DB.ListBatches(r.Context(), u, listFilter(r))
	if err != nil {
		return err
	}
	return s.listPage(w, r, u, "batch_list", "受益批次", map[string]any{"Rows": items})
}
