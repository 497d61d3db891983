package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
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
	data := map[string]any{"Title": "单位名录", "Orgs": orgs, "Q": q, "Kinds": registry.OrgKinds, "F": values, "Tab": "orgs"}
	status := http.StatusOK
	if formErr != nil {
		data["Error"], data["Errors"] = xiezuo.ErrorMessage(formErr), xiezuo.ErrorFields(formErr)
		status = statusOf(formErr)
	}
	s.render(w, r, status, "orgs", data)
	return nil
}

func (s *Server) orgCreate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	f := s.readForm(r)
	o := registry.Organisation{Name: f.str("name"), Kind: f.str("kind"), Side: f.str("side"), USCC: f.str("uscc"), Aliases: splitNames(f.str("aliases"))}
	o.RegionCode = f.region("region", "所在地区", 0, "")
	err := f.merge(o.Validate)
	if err == nil {
		err = s.DB.SaveOrg(r.Context(), u, &o)
	}
	if err != nil {
		if c := xiezuo.ErrorCode(err); c == xiezuo.EINVALID || c == xiezuo.ECONFLICT {
			return s.orgPage(w, r, u, f.Values, err)
		}
		return err
	}
	s.flash(r, "已登记单位："+o.Name)
	http.Redirect(w, r, "/registry/orgs?q="+urlQueryEscape(o.Name), http.StatusSeeOther)
	return nil
}

func (s *Server) pairingList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.pairingPage(w, r, u, nil, nil)
}

func (s *Server) pairingPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User, values map[string]string, formErr error) error {
	ps, err := s.DB.Pairings(r.Context(), store.PairingFilter{Kind: r.URL.Query().Get("kind")})
	if err != nil {
		return err
	}
	orgs, err := s.DB.FindOrgs(r.Context(), store.OrgFilter{Limit: 5000})
	if err != nil {
		return err
	}
	data := map[string]any{"Title": "结对关系", "Pairings": ps, "Kinds": registry.PairingKinds, "Orgs": orgs, "F": values, "Q": r.URL.Query(), "Tab": "pairings"}
	status := http.StatusOK
	if formErr != nil {
		data["Error"], data["Errors"] = xiezuo.ErrorMessage(formErr), xiezuo.ErrorFields(formErr)
		status = statusOf(formErr)
	}
	s.render(w, r, status, "pairings", data)
	return nil
}

func (s *Server) pairingCreate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	f := s.readForm(r)
	p := registry.Pairing{Kind: f.str("kind"), Note: f.str("note")}
	if o := f.orgs("east", "东部单位"); len(o) == 1 {
		p.EastOrgID = o[0].ID
	}
	if o := f.orgs("west", "西部单位"); len(o) == 1 {
		p.WestOrgID = o[0].ID
	}
	p.YearFrom = int(f.int64("year_from", "起始年份"))
	p.YearTo = int(f.int64("year_to", "结束年份"))
	err := f.merge(p.Validate)
	if err == nil {
		err = s.DB.SavePairing(r.Context(), u, &p)
	}
	if err != nil {
		if c := xiezuo.ErrorCode(err); c == xiezuo.EINVALID || c == xiezuo.ECONFLICT {
			return s.pairingPage(w, r, u, f.Values, err)
		}
		return err
	}
	s.flash(r, "已登记结对关系")
	http.Redirect(w, r, "/registry/pairings", http.StatusSeeOther)
	return nil
}

func (s *Server) peopleList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	ps, err := s.DB.People(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "people", map[string]any{"Title": "援派干部人才", "People": ps, "Tab": "people"})
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
