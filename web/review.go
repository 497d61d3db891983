package web

import (
	"net/http"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	ctx := r.Context()
	year := r.URL.Query().Get("year")
	if len(year) != 4 {
		year = ""
	}
	from, to := "", ""
	if year != "" {
		from, to = year+"-01-01", year+"-12-31"
	}
	totals, err := s.DB.CountyTotals(ctx, from, to)
	if err != nil {
		return err
	}
	// Every paired county gets a row, with zeros where nothing is approved yet.
	paired, err := s.DB.PairedCounties(ctx)
	if err != nil {
		return err
	}
	for _, c := range paired {
		found := false
		for _, t := range totals {
			found = found || t.CountyCode == c.Code
		}
		if !found {
			totals = append(totals, store.CountyTotal{CountyCode: c.Code, CountyName: c.Name, Totals: ledger.Totals{ByForm: map[string]int64{}}})
		}
	}
	var sum ledger.Totals
	sum.ByForm = map[string]int64{}
	for _, t := range totals {
		sum.Plus(t.Totals)
	}
	data := map[string]any{"Title": "首页", "CountyTotals": totals, "Sum": sum, "Forms": ledger.Forms, "Year": year}
	// 待办: what waits for u (store/remind.go), the office's per unit too.
	waiting, err := s.DB.Reminders(ctx, u)
	if err != nil {
		return err
	}
	data["Waiting"] = waiting
	recent, _, err := s.DB.ListActivities(ctx, u, store.RecordFilter{Limit: 8})
	if err != nil {
		return err
	}
	data["Recent"] = recent
	s.render(w, r, http.StatusOK, "home", data)
	return nil
}

func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !ledger.CanReview(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以审核")
	}
	items, err := s.DB.ReviewQueue(r.Context(), u, ledger.StatusSubmitted)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "queue", map[string]any{"Title": "审核队列", "Items": items, "Review": true, "KindBase": kindBase})
	return nil
}

func (s *Server) myRecords(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !u.CanRecord() {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能填报记录")
	}
	items, err := s.DB.ReviewQueue(r.Context(), u, ledger.StatusDraft, ledger.StatusReturned, ledger.StatusSubmitted)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "queue", map[string]any{"Title": "我的填报（草稿、已退回、待审核）", "Items": items, "KindBase": kindBase})
	return nil
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	n, verr := s.DB.VerifyAudit(r.Context(), u)
	if xiezuo.ErrorCode(verr) == xiezuo.EFORBIDDEN {
		return verr
	}
	data := map[string]any{"Title": "审计日志校验", "Checked": n, "Tab": "audit", "Keyed": s.DB.AuditKeyed()}
	if verr != nil {
		data["Broken"] = verr.Error()
	}
	cp, err := s.DB.AuditCheckpoint(r.Context())
	if err != nil {
		return err
	}
	data["Checkpoint"] = cp
	q := r.URL.Query()
	f := store.AuditFilter{Entity: q.Get("entity"), Actor: q.Get("user"), From: q.Get("from"), To: q.Get("to")}
	f.EntityID, _ = strconv.ParseInt(q.Get("entity_id"), 10, 64)
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	for _, d := range []*string{&f.From, &f.To} {
		if nd, ok := normalizeDate(*d); ok {
			*d = nd
		}
	}
	entries, n, err := s.DB.AuditEntries(r.Context(), u, f)
	if xiezuo.ErrorCode(err) == xiezuo.EINVALID {
		data["Error"] = xiezuo.ErrorMessage(err)
	} else if err != nil {
		return err
	}
	data["Entries"], data["Q"] = entries, q
	data["Pager"] = newPager(r.URL, f.Offset, f.Limit, int(n))
	s.render(w, r, http.StatusOK, "audit", data)
	return nil
}
