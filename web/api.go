package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

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
	out := map[string]any{"items": items, "totals": tot}
	_ = f.Validate() // the page size ListContributions used
	if store.NewestFirst(f) && len(items) == f.Limit {
		out["next"] = ledger.Cursor(items[len(items)-1])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// decode reads a JSON body into v: the one reader of JSON bodies. The
// body is one JSON document (white space may follow, nothing else) with
// only known fields, within the body limit (limitBody); any other body is
// refused with a Chinese message.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		_, err := dec.Token()
		if err == io.EOF {
			return nil
		} else if e := tooLarge(r, err); e != nil {
			return e
		}
		return xiezuo.Errorf(xiezuo.EINVALID, "请求内容只能是一个 JSON 对象，其后不能再有其他内容")
	}
	if e := tooLarge(r, err); e != nil {
		return e
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == io.EOF:
		return xiezuo.Errorf(xiezuo.EINVALID, "请求内容为空：应为一个 JSON 对象")
	case errors.As(err, &typ) && typ.Field != "":
		return xiezuo.Errorf(xiezuo.EINVALID, "请求内容不是有效的 JSON：字段“%s”的类型不正确（应为%s）", typ.Field, jsonKind(typ.Type.Kind()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return xiezuo.Errorf(xiezuo.EINVALID, "请求内容不是有效的 JSON：未知字段“%s”", name)
	case errors.As(err, &syn):
		return xiezuo.Errorf(xiezuo.EINVALID, "请求内容不是有效的 JSON：第 %d 个字节处格式错误", syn.Offset)
	case errors.As(err, &typ):
		return xiezuo.Errorf(xiezuo.EINVALID, "请求内容不是有效的 JSON：应为一个对象")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return xiezuo.Errorf(xiezuo.EINVALID, "请求内容不是有效的 JSON：内容不完整")
	}
	return xiezuo.Errorf(xiezuo.EINVALID, "请求内容不是有效的 JSON")
}

// jsonKind names a Go kind as JSON input for a message.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "整数"
	case reflect.Float32, reflect.Float64:
		return "数字"
	case reflect.String:
		return "字符串"
	case reflect.Bool:
		return " true 或 false"
	case reflect.Slice, reflect.Array:
		return "数组"
	}
	return "对象"
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
	f := recordFilterOf(q)
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
