package web

import (
	"context"
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

// decode reads a JSON body (at most 1 MiB) into v.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return xiezuo.Errorf(xiezuo.EINVALID, "请求内容不是有效的 JSON：%v", err)
	}
	return nil
}

// apiRoutes registers the JSON API of one record kind over the same
// editor the forms use: GET /api/v1{base}/{id}, POST /api/v1{base} (a new
// draft), PUT /api/v1{base}/{id}. The review state in a body is ignored:
// records change state only through the review actions.
func apiRoutes[T any](mux *router, s *Server, e *editor[T]) {
	prefix := "/api/v1" + e.base
	mux.HandleFunc("GET "+prefix+"/{id}", s.api(func(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		rec, err := e.load(r.Context(), u, id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, rec)
		return nil
	}))
	mux.HandleFunc("POST "+prefix, s.api(func(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
		rec := e.blank(r, u)
		if err := decode(r, rec); err != nil {
			return err
		}
		h := e.header(rec)
		*h = ledger.Header{UnitID: h.UnitID}
		if h.UnitID == 0 {
			h.UnitID = u.OrgID
		}
		return e.saveAndShow(w, r, u, rec, http.StatusCreated)
	}))
	mux.HandleFunc("PUT "+prefix+"/{id}", s.api(func(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		stored, err := e.load(r.Context(), u, id)
		if err != nil {
			return err
		}
		old := *e.header(stored)
		rec := e.blank(r, u) // PUT replaces the whole record
		if err := decode(r, rec); err != nil {
			return err
		}
		h := e.header(rec)
		unit := h.UnitID
		*h = old
		if ledger.CanRecordForAnyUnit(u) && unit != 0 {
			h.UnitID = unit
		}
		return e.saveAndShow(w, r, u, rec, http.StatusOK)
	}))
}

// saveAndShow validates and saves rec, then writes it as stored.
func (e *editor[T]) saveAndShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User, rec T, status int) error {
	if err := ledger.CheckSave(u, *e.header(rec)); err != nil {
		return err
	}
	if err := e.validate(rec); err != nil {
		return err
	}
	if err := e.save(r.Context(), u, rec); err != nil {
		return err
	}
	saved, err := e.load(r.Context(), u, e.header(rec).ID)
	if err != nil {
		return err
	}
	writeJSON(w, status, saved)
	return nil
}

// recordFilter reads the list filter shared by the smaller record lists.
func recordFilter(r *http.Request) store.RecordFilter {
	q := r.URL.Query()
	f := store.RecordFilter{CountyCode: q.Get("county"), Status: ledger.Status(q.Get("status")), Section: q.Get("section"), From: q.Get("from"), To: q.Get("to")}
	f.UnitID, _ = strconv.ParseInt(q.Get("unit"), 10, 64)
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	return f
}

// apiList answers a list request with {"items": […]} (never null).
func apiList[T any](list func(ctx context.Context, u *xiezuo.User, f store.RecordFilter) ([]T, error)) func(http.ResponseWriter, *http.Request, *xiezuo.User) error {
	return func(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
		items, err := list(r.Context(), u, recordFilter(r))
		if err != nil {
			return err
		}
		if items == nil {
			items = []T{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": items})
		return nil
	}
}

func (s *Server) apiActivities(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	items, n, err := s.DB.ListActivities(r.Context(), u, recordFilter(r))
	if err != nil {
		return err
	}
	if items == nil {
		items = []*ledger.Activity{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "totals": map[string]int64{"count": n}})
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
