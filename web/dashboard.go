package web

import (
	"net/http"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/spreadsheet"
)

// dashboardFilter reads year (default: store's DefaultYear, this year or
// the newest before it with approved records) and county from the query
// string.
func (s *Server) dashboardFilter(r *http.Request) (report.Filter, error) {
	q := r.URL.Query()
	year := 0
	switch y := q.Get("year"); y {
	case "all":
	case "":
		latest, err := s.DB.DefaultYear(r.Context())
		if err != nil {
			return report.Filter{}, err
		}
		year = latest
	default:
		n, err := strconv.Atoi(y)
		if err != nil {
			return report.Filter{}, xiezuo.Errorf(xiezuo.EINVALID, "年度“%s”无效", y)
		}
		year = n
	}
	f := report.ForYear(year, q.Get("county"))
	return f, f.Validate()
}

// dashboardData is what the dashboard and the public view show.
func (s *Server) dashboardData(r *http.Request, public bool) (map[string]any, error) {
	f, err := s.dashboardFilter(r)
	if err != nil {
		return nil, err
	}
	sums, err := s.DB.DashboardSums(r.Context(), f)
	if err != nil {
		return nil, err
	}
	d := report.NewDashboard(sums)
	counties, err := s.DB.PairedCounties(r.Context())
	if err != nil {
		return nil, err
	}
	if public { // aggregates only, and no links into the ledger
		for i := range d.Areas {
			for j := range d.Areas[i].Figures {
				d.Areas[i].Figures[j].Href = ""
			}
		}
		for _, as := range [][]report.Amount{d.Months, d.Givers, d.Delivery} {
			for i := range as {
				as[i].Href = ""
			}
		}
	}
	bars := func(as []report.Amount) []report.Bar {
		out := make([]report.Bar, len(as))
		for i, a := range as {
			out[i] = report.Bar{Label: a.Label, Value: a.Fen, Href: a.Href}
		}
		return out
	}
	var countyBars []report.Bar
	for _, c := range d.Counties {
		href := ""
		if !public {
			scope := f
			scope.CountyCode = c.CountyCode
			href = "/contributions?" + scope.Query()
		}
		countyBars = append(countyBars, report.Bar{Label: c.CountyName, Value: c.TotalFen, Href: href})
	}
	channels, err := s.consumptionChannels(r, f, d, public)
	if err != nil {
		return nil, err
	}
	title := "全部年度"
	if f.Year != 0 {
		title = strconv.Itoa(f.Year) + "年"
	}
	for _, c := range counties {
		if c.Code == f.CountyCode {
			title += " · " + c.Name
		}
	}
	data := map[string]any{
		"Title": "统计看板", "Scope": title, "D": d, "Counties": counties, "Public": public, "MoneyAreas": report.MoneyAreas,
		"Year": strconv.Itoa(f.Year), "County": f.CountyCode, "ConsumptionChannels": channels,
		"MonthChart":    report.Chart{Title: "各月帮扶投入（万元）", Unit: "万元", Money: true, Bars: bars(d.Months)}.Columns(),
		"CountyChart":   report.Chart{Title: "各受援县帮扶投入（万元）", Unit: "万元", Money: true, Bars: countyBars}.Rows(),
		"GiverChart":    report.Chart{Title: "帮扶单位投入排行（万元）", Unit: "万元", Money: true, Bars: bars(d.Givers)}.Rows(),
		"DeliveryChart": report.Chart{Title: "认捐与到位（万元）", Unit: "万元", Money: true, Bars: bars(d.Delivery)}.Rows(),
	}
	return data, nil
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	data, err := s.dashboardData(r, false)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "dashboard", data)
	return nil
}

// publicPage is the read-only view of aggregate figures for anyone, signed
// in or not.
func (s *Server) publicPage(w http.ResponseWriter, r *http.Request) {
	data, err := s.dashboardData(r, true)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	data["Title"] = "公开数据"
	if data["Bulletins"], err = s.DB.Bulletins(r.Context(), nil); err != nil { // published issues only
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard", data)
}

// apiDashboard serves every dashboard figure as JSON, or as CSV (one row a
// figure) with format=csv.
func (s *Server) apiDashboard(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	f, err := s.dashboardFilter(r)
	if err != nil {
		return err
	}
	sums, err := s.DB.DashboardSums(r.Context(), f)
	if err != nil {
		return err
	}
	d := report.NewDashboard(sums)
	channels, err := s.consumptionChannels(r, f, d, true)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") != "csv" {
		writeJSON(w, http.StatusOK, struct {
			*report.Dashboard
			Channels []channelFigure `json:"consumption_channels,omitempty"` // 消费帮扶 by the channel of the orders that posted it
		}{d, channels})
		return nil
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="dashboard.csv"`)
	cw := spreadsheet.NewCSVWriter(w) // BOM, and no cell runs as a formula

	cw.Write([]string{"考核领域", "指标代码", "指标", "单位", "数值", "原始值（金额为分）"})
	for _, a := range d.Areas {
		for _, fg := range a.Figures {
			cw.Write([]string{a.Label, fg.Code, fg.Label, fg.Unit, fg.Text(), strconv.FormatInt(fg.Value, 10)})
		}
	}
	for _, c := range d.Counties {
		for _, area := range report.MoneyAreas {
			cw.Write([]string{report.AreaLabel(area), "county:" + c.CountyCode, c.CountyName, "万元", xiezuo.FormatWan(c.ByArea[area]), strconv.FormatInt(c.ByArea[area], 10)})
		}
	}
	for _, m := range d.Months {
		cw.Write([]string{"各月", "month:" + m.Key, m.Label, "万元", xiezuo.FormatWan(m.Fen), strconv.FormatInt(m.Fen, 10)})
	}
	for _, g := range d.Givers {
		cw.Write([]string{"帮扶单位", "giver:" + g.Key, g.Label, "万元", xiezuo.FormatWan(g.Fen), strconv.FormatInt(g.Fen, 10)})
	}
	for _, a := range d.Delivery {
		cw.Write([]string{"认捐与到位", "delivery:" + a.Key, a.Label, "万元", xiezuo.FormatWan(a.Fen), strconv.FormatInt(a.Fen, 10)})
	}
	for _, c := range channels {
		cw.Write([]string{"消费帮扶渠道", "channel:" + c.Code, c.Label, "万元", xiezuo.FormatWan(c.Fen), strconv.FormatInt(c.Fen, 10)})
	}
	cw.Flush()
	return cw.Error()
}
