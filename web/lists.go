package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

// recordFilterOf reads the parameters every smaller list (page, export
// and API) shares: county, status, section, dates, unit and keyword.
func recordFilterOf(q url.Values) store.RecordFilter {
	f := store.RecordFilter{CountyCode: q.Get("county"), Status: ledger.Status(q.Get("status")), Section: q.Get("section"), From: q.Get("from"), To: q.Get("to"),
		Query: q.Get("q"), Sort: q.Get("sort"), Dir: q.Get("dir")}
	f.UnitID, _ = strconv.ParseInt(q.Get("unit"), 10, 64)
	return f
}

// listFilter reads the filter the smaller lists share.
func listFilter(r *http.Request) store.RecordFilter {
	q := r.URL.Query()
	f := recordFilterOf(q)
	f.Limit = 200
	f.State = q.Get("state")
	return f
}

// filtered reports whether a list request narrows the list (any filter
// parameter set): its empty state is then “没有符合条件的记录”.
func filtered(r *http.Request) bool {
	for k, v := range r.URL.Query() {
		if k != "page" && k != "sort" && len(v) > 0 && v[0] != "" {
			return true
		}
	}
	return false
}

// listPage renders one of the smaller lists with the filter bar.
func (s *Server) listPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User, page, title string, items any) error {
	data, err := s.filterChoices(r.Context(), false)
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
