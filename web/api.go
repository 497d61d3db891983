package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	writeJSON(w, http.StatusOK, u)
	return nil
}

// apiContributions is GET /api/v1/contributions: the list contract outside
// tools rely on (see openapi.yaml).
func (s *Server) apiContributions(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	f := contributionFilter(r.URL.Query())
	items, tot, err := s.DB.ListContributions(r.Context(), u, f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []*ledger.Contribution{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "totals": tot})
	return nil
}

func (s *Server) apiContribution(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.DB.Contribution(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// decode reads a JSON body (at most 1 MiB) into v.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return xiezuo.Errorf(xiezuo.EINVALID, "请求内容不是有效的 JSON：%v", err)
	}
	return nil
}

func (s *Server) apiContributionCreate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	var c ledger.Contribution
	if err := decode(r, &c); err != nil {
		return err
	}
	c.ID = 0
	if c.UnitID == 0 {
		c.UnitID = u.OrgID
	}
	if err := s.DB.SaveContribution(r.Context(), u, &c); err != nil {
		return err
	}
	saved, err := s.DB.Contribution(r.Context(), u, c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, saved)
	return nil
}

func (s *Server) apiContributionUpdate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	old, err := s.DB.Contribution(r.Context(), u, id)
	if err != nil {
		return err
	}
	var c ledger.Contribution
	if err := decode(r, &c); err != nil {
		return err
	}
	c.Header = old.Header
	if err := s.DB.SaveContribution(r.Context(), u, &c); err != nil {
		return err
	}
	saved, err := s.DB.Contribution(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, saved)
	return nil
}

func (s *Server) apiActivities(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	q := r.URL.Query()
	f := store.RecordFilter{CountyCode: q.Get("county"), Status: ledger.Status(q.Get("status")), Section: q.Get("section"), From: q.Get("from"), To: q.Get("to")}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	items, n, err := s.DB.ListActivities(r.Context(), u, f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []*ledger.Activity{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "totals": map[string]int64{"count": n}})
	return nil
}

func (s *Server) apiActivity(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := s.DB.Activity(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) apiActivityCreate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	var a ledger.Activity
	if err := decode(r, &a); err != nil {
		return err
	}
	a.ID = 0
	if a.UnitID == 0 {
		a.UnitID = u.OrgID
	}
	if err := s.DB.SaveActivity(r.Context(), u, &a); err != nil {
		return err
	}
	saved, err := s.DB.Activity(r.Context(), u, a.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, saved)
	return nil
}

func (s *Server) apiTransition(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, &body); err != nil {
			return err
		}
	}
	kind := ledger.Kind(r.PathValue("kind"))
	if err := s.DB.Transition(r.Context(), u, kind, id, ledger.Action(r.PathValue("action")), body.Reason); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "kind": kind, "id": id})
	return nil
}

func (s *Server) apiDelete(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.DB.DeleteRecord(r.Context(), u, ledger.Kind(r.PathValue("kind")), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiRegions(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	q := r.URL.Query()
	level, _ := strconv.Atoi(q.Get("level"))
	limit, _ := strconv.Atoi(q.Get("limit"))
	rs, err := s.DB.SearchRegions(r.Context(), store.RegionFilter{Query: q.Get("q"), Level: level, Parent: q.Get("parent"), Within: q.Get("within"), Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": rs})
	return nil
}

func (s *Server) apiOrgs(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	os, err := s.DB.FindOrgs(r.Context(), store.OrgFilter{Query: q.Get("q"), Side: q.Get("side"), Kind: q.Get("kind"), Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": os})
	return nil
}

func (s *Server) apiCountyTotals(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	q := r.URL.Query()
	ts, err := s.DB.CountyTotals(r.Context(), q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	type row struct {
		CountyCode string `json:"county_code"`
		CountyName string `json:"county_name"`
		ledger.Totals
	}
	out := []row{}
	for _, t := range ts {
		out = append(out, row{t.CountyCode, t.CountyName, t.Totals})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	b, err := assets.ReadFile("static/openapi.yaml")
	if err != nil {
		http.Error(w, "missing", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Write(b)
}
