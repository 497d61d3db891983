package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/store"
	"github.com/xiezuo/xiezuo/word"
)

// The monthly 消费帮扶 通报 as a Word document (issue 12 item 5): the
// supervision report of a chosen month — the year to its end, the month's
// own sums beside — in the bulletin's style, for 监管 (区财政局) and the
// office, offered on /market/supervision beside the .xlsx.

// marketNoticeRoutes registers the download; marketRoutes calls it.
func (s *Server) marketNoticeRoutes(mux *router) {
	mux.HandleFunc("GET /market/supervision.docx", s.page(s.supervisionDocx))
}

// noticeMonth reads ?month= for year: 1–12, default the latest month of
// the year up to today (12 for a past year).
func (s *Server) noticeMonth(q url.Values, year int) (int, error) {
	v := strings.TrimSpace(q.Get("month"))
	if v == "" {
		return latestMonth(year, s.DB.Today()), nil
	}
	m, err := strconv.Atoi(v)
	if err != nil || m < 1 || m > 12 {
		return 0, xiezuo.Errorf(xiezuo.EINVALID, "月份参数无效：%s（应为1至12）", v)
	}
	return m, nil
}

// latestMonth is the last month of year up to today: this month in this
// year, December in a past year, January in a year to come.
func latestMonth(year int, today string) int {
	y, _ := strconv.Atoi(today[:4])
	switch {
	case year < y:
		return 12
	case year > y:
		return 1
	}
	m, _ := strconv.Atoi(today[5:7])
	return m
}

// noticeMonths are the months a 通报 may be made for in year.
func noticeMonths(year int, today string) []int {
	out := make([]int, latestMonth(year, today))
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// supervisionDocx is the month's 通报 as .docx.
func (s *Server) supervisionDocx(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanSupervise(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和监管部门（区财政局）可以下载消费帮扶通报")
	}
	q := r.URL.Query()
	year, err := s.supervisionYear(q)
	if err != nil {
		return err
	}
	month, err := s.noticeMonth(q, year)
	if err != nil {
		return err
	}
	rep, err := s.DB.Supervision(r.Context(), u, year, store.SupervisionOptions{Month: month})
	if err != nil {
		return err
	}
	n := &word.Notice{Report: rep, Issued: s.DB.Today()}
	var buf bytes.Buffer
	if err := word.SupervisionNotice(&buf, n); err != nil {
		return xiezuo.Internal(err)
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	w.Header().Set("Content-Disposition", contentDisposition(n.Filename()))
	_, err = w.Write(buf.Bytes())
	return err
}
