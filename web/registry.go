package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

func (s *Server) orgList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.orgPage(w, r, u, nil, nil)
}

func (s *Server) orgPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User, values map[string]string, formErr error) error {
	q := r.URL.Query()
	orgs, err := s.DB.FindOrgs(r.Context(), store.OrgFilter{Query: q.Get("q"), Side: q.Get("side"), Kind: q.Get("kind"), Limit: 2000})
	if err != nil {
		return err
	}
	return s.registryPage(w, r, "orgs", formErr, map[string]any{"Title": "单位名录", "Orgs": orgs, "Q": q, "Kinds": registry.OrgKinds, "F": values, "Tab": "orgs"})
}

// orgEdit shows one organisation in the registry form, for the admin.
func (s *Server) orgEdit(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !ledger.CanManageRegistry(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办管理员可以维护基础信息")
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := s.DB.Org(r.Context(), id)
	if err != nil {
		return err
	}
	return s.orgForm(w, r, o, map[string]string{"name": o.Name, "aliases": strings.Join(o.Aliases, "、"), "kind": o.Kind, "side": o.Side,
		"region": o.RegionCode, "uscc": o.USCC}, nil)
}

func (s *Server) orgForm(w http.ResponseWriter, r *http.Request, o *registry.Organisation, values map[string]string, formErr error) error {
	return s.registryPage(w, r, "org_edit", formErr, map[string]any{"Title": "修改单位：" + o.Name, "O": o, "Kinds": registry.OrgKinds, "F": values, "Tab": "orgs"})
}

// orgCreate registers a new organisation (POST /registry/orgs) or saves
// changes to one (POST /registry/orgs/{id}).
func (s *Server) orgCreate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	f := s.readForm(r)
	o := registry.Organisation{Name: f.str("name"), Kind: f.str("kind"), Side: f.str("side"), USCC: f.str("uscc"), Aliases: splitNames(f.str("aliases"))}
	if r.PathValue("id") != "" {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		o.ID = id
	}
	o.RegionCode = f.region("region", "所在地区", 0, "")
	err := f.merge(o.Validate)
	if err == nil {
		err = s.DB.SaveOrg(r.Context(), u, &o)
	}
	if err != nil {
		if formFailed(err) && o.ID != 0 {
			return s.orgForm(w, r, &o, f.Values, err)
		} else if formFailed(err) {
			return s.orgPage(w, r, u, f.Values, err)
		}
		return err
	}
	s.flash(r, "已保存单位："+o.Name)
	http.Redirect(w, r, "/registry/orgs?q="+urlQueryEscape(o.Name), http.StatusSeeOther)
	return nil
}

func (s *Server) pairingList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.pairingPage(w, r, u, nil, nil)
}

func (s *Server) pairingPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User, values map[string]string, formErr error) error {
	q := r.URL.Query()
	year, _ := strconv.Atoi(q.Get("year"))
	ps, err := s.DB.Pairings(r.Context(), store.PairingFilter{Kind: q.Get("kind"), County: q.Get("county"), Year: year})
	if err != nil {
		return err
	}
	orgs, err := s.DB.FindOrgs(r.Context(), store.OrgFilter{Limit: 5000})
	if err != nil {
		return err
	}
	counties, err := s.DB.PairedCounties(r.Context())
	if err != nil {
		return err
	}
	n := 0
	for _, p := range ps {
		n += p.PartyCount
	}
	return s.registryPage(w, r, "pairings", formErr, map[string]any{"Title": "结对关系", "Pairings": ps, "PairCount": n, "Kinds": registry.PairingKinds, "Orgs": orgs,
		"F": values, "Q": q, "Tab": "pairings", "Counties": counties})
}

func (s *Server) pairingCreate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	f := s.readForm(r)
	p := registry.Pairing{Kind: f.str("kind"), Note: f.str("note")}
	if o := f.orgs("east", "东部单位"); len(o) == 1 {
		p.EastOrgID = o[0].ID
	}
	for _, o := range f.orgs("partners", "共同结对单位") {
		p.Partners = append(p.Partners, registry.Party{ID: o.ID})
	}
	p.PartyCount = int(f.int64("party_count", "结对数"))
	if v := f.str("west"); v != "" {
		var err error
		if p.WestOrgID, p.WestRegionCode, err = s.DB.ResolveWestParty(r.Context(), v, p.PartyCount); err != nil {
			f.p.Add("west", "西部结对方："+xiezuo.ErrorMessage(err))
		}
	}
	p.YearFrom = int(f.int64("year_from", "起始年份"))
	p.YearTo = int(f.int64("year_to", "结束年份"))
	err := f.merge(p.Validate)
	if err == nil {
		err = s.DB.SavePairing(r.Context(), u, &p)
	}
	if err != nil {
		if formFailed(err) {
			return s.pairingPage(w, r, u, f.Values, err)
		}
		return err
	}
	s.flash(r, "已登记结对关系")
	http.Redirect(w, r, "/registry/pairings", http.StatusSeeOther)
	return nil
}

func (s *Server) peopleList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.peoplePage(w, r, u, nil, nil)
}

func (s *Server) peoplePage(w http.ResponseWriter, r *http.Request, u *xiezuo.User, values map[string]string, formErr error) error {
	q := r.URL.Query()
	pf := store.PeopleFilter{County: q.Get("county"), From: q.Get("from"), To: q.Get("to")}
	ps, err := s.DB.People(r.Context(), pf)
	if err != nil {
		return err
	}
	// The dashboard's 援派干部人才 links here: the same headcount, each
	// person once, alone or in a team (store.TalentHeadcount).
	headcount, err := s.DB.TalentHeadcount(r.Context(), pf)
	if err != nil {
		return err
	}
	counties, err := s.DB.PairedCounties(r.Context())
	if err != nil {
		return err
	}
	orgs, err := s.DB.FindOrgs(r.Context(), store.OrgFilter{Side: registry.SideEast, Limit: 5000})
	if err != nil {
		return err
	}
	return s.registryPage(w, r, "people", formErr, map[string]any{"Title": "援派干部人才", "People": ps, "Tab": "people",
		"Kinds": registry.PersonKinds, "Orgs": orgs, "F": values, "Q": q, "Counties": counties, "Headcount": headcount})
}

// registryPage renders a registry list with its entry form and the form's errors.
func (s *Server) registryPage(w http.ResponseWriter, r *http.Request, page string, formErr error, data map[string]any) error {
	status := http.StatusOK
	if formErr != nil {
		data["Error"], data["Errors"] = xiezuo.ErrorMessage(formErr), xiezuo.ErrorFields(formErr)
		status = statusOf(formErr)
	}
	s.render(w, r, status, page, data)
	return nil
}

// formFailed reports whether err is one to show beside the form (bad input
// or a conflict) rather than on the error page.
func formFailed(err error) bool {
	c := xiezuo.ErrorCode(err)
	return c == xiezuo.EINVALID || c == xiezuo.ECONFLICT
}

func (s *Server) personCreate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	f := s.readForm(r)
	p := registry.Person{Name: f.str("name"), Kind: f.str("kind"), Post: f.str("post"), Note: f.str("note")}
	if o := f.orgs("org", "派出单位"); len(o) == 1 {
		p.OrgID = o[0].ID
	}
	p.DestCode = f.region("dest", "派驻地", 0, "")
	p.TermFrom, p.TermTo = f.date("term_from", "任期开始"), f.date("term_to", "任期结束")
	err := f.merge(p.Validate)
	if err == nil {
		err = s.DB.SavePerson(r.Context(), u, &p)
	}
	if err != nil {
		if formFailed(err) {
			return s.peoplePage(w, r, u, f.Values, err)
		}
		return err
	}
	s.flash(r, "已登记："+p.Name)
	http.Redirect(w, r, "/registry/people", http.StatusSeeOther)
	return nil
}

func (s *Server) userList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.usersPage(w, r, u, nil, nil)
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User, values map[string]string, formErr error) error {
	users, err := s.DB.Users(r.Context(), u)
	if err != nil {
		return err
	}
	orgs, err := s.DB.FindOrgs(r.Context(), store.OrgFilter{Limit: 5000})
	if err != nil {
		return err
	}
	counties, err := s.DB.PairedCounties(r.Context())
	if err != nil {
		return err
	}
	return s.registryPage(w, r, "users", formErr, map[string]any{"Title": "用户", "Users": users, "Tab": "users",
		"Roles": xiezuo.Roles, "Orgs": orgs, "Counties": counties, "F": values})
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	f := s.readForm(r)
	nu := store.NewUser{Username: f.str("username"), DisplayName: f.str("display_name"), Password: f.r.PostFormValue("password"),
		Role: xiezuo.Role(f.str("role")), CountyCode: f.str("county_code")}
	if f.str("org") != "" {
		if o := f.orgs("org", "所属单位"); len(o) == 1 {
			nu.OrgID = o[0].ID
		}
	}
	delete(f.Values, "password")
	var err error
	if len(f.p) > 0 {
		err = f.p.Err()
	} else {
		_, err = s.DB.CreateUser(r.Context(), u, nu)
	}
	if err != nil {
		if formFailed(err) {
			return s.usersPage(w, r, u, f.Values, err)
		}
		return err
	}
	s.flash(r, "已创建用户："+nu.Username)
	http.Redirect(w, r, "/registry/users", http.StatusSeeOther)
	return nil
}

func (s *Server) regionList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	q := r.URL.Query()
	level, _ := strconv.Atoi(q.Get("level"))
	f := store.RegionFilter{Query: strings.TrimSpace(q.Get("q")), Level: level, Parent: q.Get("parent"), Limit: 200}
	var rs []registry.Region
	var err error
	if f.Query != "" || f.Parent != "" || f.Level != 0 {
		if rs, err = s.DB.SearchRegions(r.Context(), f); err != nil {
			return err
		}
	}
	n, err := s.DB.RegionCount(r.Context())
	if err != nil {
		return xiezuo.Internal(err)
	}
	s.render(w, r, http.StatusOK, "regions", map[string]any{"Title": "行政区划", "Regions": rs, "Q": q, "Count": n, "Tab": "regions"})
	return nil
}
