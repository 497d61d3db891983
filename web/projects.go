package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
)

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
		validate: func(p *ledger.Project) error { return p.Validate(s.DB.Today()) },
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
	return s.recordPage(w, r, "project_show", ledger.KindProject, p.Header, map[string]any{"R": p, "Overdue": p.Overdue(s.DB.Today())})
}

func (s *Server) projectList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	items, err := s.DB.ListProjects(r.Context(), u, listFilter(r))
	if err != nil {
		return err
	}
	var budget int64
	overdue := 0
	today := s.DB.Today()
	for _, p := range items {
		budget += p.BudgetFen
		if p.Overdue(today) {
			overdue++
		}
	}
	return s.listPage(w, r, u, "project_list", "项目", map[string]any{"Rows": items, "Budget": budget, "Overdue": overdue, "Today": today})
}
