package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/spreadsheet"
	"github.com/xiezuo/xiezuo/store"
)

// Reserved shares and supervision (issue 12 items 2 and 5): a buyer
// unit's management account files its budget and ratio and sees its
// progress; the office and 监管 (区财政局) see every unit's share against
// its purchases, the sums per county, channel and month, the flags, and
// download the monthly 通报.

// marketSupervisionRoutes registers the pages; marketRoutes calls it.
func (s *Server) marketSupervisionRoutes(mux *router) {
	mux.HandleFunc("GET /market/supervision", s.page(s.supervisionPage))
	mux.HandleFunc("GET /market/supervision.xlsx", s.page(s.supervisionXLSX))
	mux.HandleFunc("POST /market/supervision/ratio", s.page(s.supervisionRatio))
	mux.HandleFunc("GET /market/share", s.page(s.sharePage))
	mux.HandleFunc("POST /market/share", s.page(s.shareFile))
}

// supervisionYear reads ?year= (default: this year).
func (s *Server) supervisionYear(q url.Values) (int, error) {
	v := strings.TrimSpace(q.Get("year"))
	if v == "" {
		y, _ := strconv.Atoi(s.DB.Today()[:4])
		return y, nil
	}
	y, err := strconv.Atoi(v)
	if err != nil {
		return 0, xiezuo.Errorf(xiezuo.EINVALID, "年度参数无效：%s", v)
	}
	return y, nil
}

// shareView is a unit's line as the pages show it.
type shareView struct {
	store.ShareLine
	Progress, Ratio string
}

// parentView is a supervising unit's line as the pages show it.
type parentView struct {
	store.ParentTotal
	Progress string
}

// sumView is a county, channel or month with the link to its orders.
type sumView struct {
	store.PurchaseSum
	Href  string
	Share string // of the year's purchases
}

// flagGroup is the flags of one kind with its Chinese name.
type flagGroup struct {
	Code, Label string
	Flags       []market.Flag
}

// supervisionData turns a report into what the templates show.
func supervisionData(data formData, rep *store.SupervisionReport) {
	y := strconv.Itoa(rep.Year)
	units := make([]shareView, len(rep.Units))
	for i, l := range rep.Units {
		units[i] = shareView{l, market.ProgressText(l.ReservedFen, l.PurchasedFen), market.FormatPercent(l.RatioBP)}
	}
	parents := make([]parentView, len(rep.Parents))
	for i, p := range rep.Parents {
		parents[i] = parentView{p, market.ProgressText(p.ReservedFen, p.PurchasedFen)}
	}
	share := func(fen int64) string {
		if rep.PurchasedFen <= 0 {
			return ""
		}
		return market.FormatPercent(fen * 10000 / rep.PurchasedFen)
	}
	orders := func(v url.Values) string { return "/market/orders?" + v.Encode() }
	var counties, channels, months []sumView
	for _, c := range rep.Counties {
		counties = append(counties, sumView{c, "", share(c.Fen)})
	}
	for _, c := range rep.Channels {
		channels = append(channels, sumView{c, orders(url.Values{"channel": {c.Code}, "from": {y + "-01-01"}, "to": {y + "-12-31"}}), share(c.Fen)})
	}
	var maxMonth int64
	for _, m := range rep.Months {
		maxMonth = max(maxMonth, m.Fen)
		t, _ := time.Parse("2006-01", m.Code)
		last := t.AddDate(0, 1, -1).Format(xiezuo.DateLayout)
		months = append(months, sumView{m, orders(url.Values{"from": {m.Code + "-01"}, "to": {last}}), share(m.Fen)})
	}
	var groups []flagGroup
	for _, k := range market.FlagKinds {
		g := flagGroup{Code: k.Code, Label: k.Label}
		for _, f := range rep.Flags {
			if f.Kind == k.Code {
				g.Flags = append(g.Flags, f)
			}
		}
		groups = append(groups, g)
	}
	data["Rep"], data["Units"], data["Parents"], data["CountySums"], data["ChannelSums"], data["MonthSums"] = rep, units, parents, counties, channels, months
	data["MaxMonth"], data["FlagGroups"], data["MaxFlags"] = maxMonth, groups, store.MaxFlagsPerKind
	data["TotalProgress"] = market.ProgressText(rep.ReservedFen, rep.PurchasedFen)
	returned := 0 // filings the 主管 returned still count until refiled: said beside the total
	for _, l := range rep.Units {
		if l.Check == market.CheckReturned {
			returned++
		}
	}
	data["ReturnedFilings"] = returned
	data["Ratio"] = market.FormatPercent(rep.RatioBP)
	data["RatioInput"] = strings.TrimSuffix(strings.TrimSuffix(market.FormatPercent(rep.RatioBP), "%"), ".00")
	data["Year"] = rep.Year
	data["AllOrders"] = orders(url.Values{"from": {y + "-01-01"}, "to": {y + "-12-31"}})
}

// bar is one month's bar of the month chart (SVG drawn on the server).
type bar struct {
	X, Y, H, TX int
	Label       string
}

// monthBars are the month chart's bars: 12 columns 50 wide, the highest
// month 120 high over a baseline at 140.
func monthBars(ms []store.PurchaseSum) []bar {
	var top int64
	for _, m := range ms {
		top = max(top, m.Fen)
	}
	out := make([]bar, len(ms))
	for i, m := range ms {
		h := 0
		if top > 0 {
			h = int(m.Fen * 120 / top)
		}
		out[i] = bar{X: i*50 + 10, Y: 140 - h, H: h, TX: i*50 + 25, Label: m.Label}
	}
	return out
}

// supervisionPage is 监管's view: every unit's reserved share against its
// purchases, ranked; the supervising units; the sums per county, channel
// and month; the flags. A buyer unit's management account is sent to
// its own page.
func (s *Server) supervisionPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanSupervise(u) {
		if u.Role == xiezuo.RoleBuyerAdmin {
			http.Redirect(w, r, "/market/share", http.StatusSeeOther)
			return nil
		}
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和监管部门（区财政局）可以查看消费帮扶监管")
	}
	q := r.URL.Query()
	year, err := s.supervisionYear(q)
	if err != nil {
		return err
	}
	rep, err := s.DB.Supervision(r.Context(), u, year, store.SupervisionOptions{ReportDate: strings.TrimSpace(q.Get("report"))})
	if err != nil {
		return err
	}
	data, err := s.marketData(r, u, fmt.Sprintf("%d年消费帮扶监管", year), "supervision")
	if err != nil {
		return err
	}
	supervisionData(data, rep)
	data["Bars"] = monthBars(rep.Months)
	data["CanSetRatio"] = market.CanSetRatio(u)
	data["Years"] = shareYears(s.DB.Today())
	data["NoticeMonths"], data["NoticeMonth"] = noticeMonths(year, s.DB.Today()), latestMonth(year, s.DB.Today())
	s.render(w, r, http.StatusOK, "market_supervision", data)
	return nil
}

// ledgerLastYear is the last year a filing may be for.
func ledgerLastYear(today string) int { return ledger.LastYear(today) }

// shareYears are the years a share may be filed for, newest first.
func shareYears(today string) []int {
	last, _ := strconv.Atoi(today[:4])
	var out []int
	for y := last + 1; y >= market.FirstShareYear; y-- {
		out = append(out, y)
	}
	return out
}

// supervisionXLSX is the monthly 通报 as a workbook: the units' shares and
// purchases ranked, the supervising units, the sums per county, channel
// and month, and the flags.
func (s *Server) supervisionXLSX(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanSupervise(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办和监管部门（区财政局）可以下载消费帮扶通报")
	}
	q := r.URL.Query()
	year, err := s.supervisionYear(q)
	if err != nil {
		return err
	}
	month := 0 // the whole year; ?month= the year to that month's end (the monthly 通报)
	if q.Get("month") != "" {
		if month, err = s.noticeMonth(q, year); err != nil {
			return err
		}
	}
	rep, err := s.DB.Supervision(r.Context(), u, year, store.SupervisionOptions{ReportDate: strings.TrimSpace(q.Get("report")), Month: month})
	if err != nil {
		return err
	}
	b, err := spreadsheet.NewBook()
	if err != nil {
		return err
	}
	title := fmt.Sprintf("%d年预算单位消费帮扶预留份额执行情况通报（截至%s）", year, xiezuo.FormatDateCN(rep.Burst.ReportDate))
	sh, err := b.AddSheet("预留份额执行", []float64{8, 30, 24, 12, 16, 10, 16, 16, 12, 10})
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error { return sh.Freeze(2) },
		func() error { return sh.Title(title) },
		func() error {
			return sh.Header([]string{"排名", "预算单位", "主管预算单位", "填报情况", "食堂农副产品预算（元）", "预留比例", "预留份额（元）", "已采购（元）", "完成比例", "订单数"}, nil)
		},
	}
	for _, l := range rep.Units {
		rank, filed, ratio := "", l.Filing(), ""
		if l.Rank > 0 {
			rank = strconv.Itoa(l.Rank)
		}
		if l.Filed && !l.NoCanteen {
			ratio = market.FormatPercent(l.RatioBP)
		}
		if l.Check != market.CheckNone { // the supervising unit's check
			filed += "（主管" + l.Check.Label() + "）"
		}
		l := l
		steps = append(steps, func() error {
			return sh.Row(rank, l.UnitName, l.ParentName, filed, spreadsheet.Money(l.BudgetFen), ratio, spreadsheet.Money(l.ReservedFen),
				spreadsheet.Money(l.PurchasedFen), market.ProgressText(l.ReservedFen, l.PurchasedFen), l.Orders)
		})
	}
	steps = append(steps, func() error {
		return sh.Total("", "合计", "", "", nil, "", spreadsheet.Money(rep.ReservedFen), spreadsheet.Money(rep.PurchasedFen),
			market.ProgressText(rep.ReservedFen, rep.PurchasedFen), rep.OrderCount)
	}, sh.Close)
	for _, f := range steps {
		if err := f(); err != nil {
			return err
		}
	}
	if len(rep.Parents) > 0 {
		ps, err := b.AddSheet("主管预算单位", []float64{30, 12, 16, 16, 12})
		if err != nil {
			return err
		}
		if err := ps.Header([]string{"主管预算单位", "下属单位数", "预留份额（元）", "已采购（元）", "完成比例"}, nil); err != nil {
			return err
		}
		for _, p := range rep.Parents {
			if err := ps.Row(p.UnitName, int64(p.Units), spreadsheet.Money(p.ReservedFen), spreadsheet.Money(p.PurchasedFen),
				market.ProgressText(p.ReservedFen, p.PurchasedFen)); err != nil {
				return err
			}
		}
		if err := ps.Close(); err != nil {
			return err
		}
	}
	sums := []struct {
		name, col string
		rows      []store.PurchaseSum
	}{{"按产地县", "产地县", rep.Counties}, {"按渠道", "采购渠道", rep.Channels}, {"按月份", "月份", rep.Months}}
	for _, g := range sums {
		gs, err := b.AddSheet(g.name, []float64{20, 12, 16})
		if err != nil {
			return err
		}
		if err := gs.Header([]string{g.col, "订单数", "金额（元）"}, nil); err != nil {
			return err
		}
		for _, x := range g.rows {
			if err := gs.Row(x.Label, x.N, spreadsheet.Money(x.Fen)); err != nil {
				return err
			}
		}
		if err := gs.Total("合计", rep.OrderCount, spreadsheet.Money(rep.PurchasedFen)); err != nil {
			return err
		}
		if err := gs.Close(); err != nil {
			return err
		}
	}
	fs, err := b.AddSheet("异常提示", []float64{22, 20, 80})
	if err != nil {
		return err
	}
	if err := fs.Header([]string{"类型", "订单号", "说明"}, nil); err != nil {
		return err
	}
	for _, f := range rep.Flags {
		if err := fs.Row(ledger.LabelOf(market.FlagKinds, f.Kind), f.OrderNo, f.Message); err != nil {
			return err
		}
	}
	if err := fs.Close(); err != nil {
		return err
	}
	setDownload(w, "xlsx", fmt.Sprintf("%d年消费帮扶通报_%s", year, strings.ReplaceAll(rep.Burst.ReportDate, "-", "")))
	_, err = b.WriteTo(w)
	return err
}

// supervisionRatio sets the year's lowest reserved ratio (the office).
func (s *Server) supervisionRatio(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanSetRatio(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以设置预留比例")
	}
	f := s.readForm(r)
	year, err := strconv.Atoi(f.str("year"))
	if err != nil {
		return xiezuo.Errorf(xiezuo.EINVALID, "请选择年度")
	}
	bp, ok := percentBP(f.str("ratio"))
	if !ok {
		return &xiezuo.Error{Code: xiezuo.EINVALID, Message: "预留比例请填写百分数，如 10 或 12.5", Fields: map[string]string{"ratio": "预留比例请填写百分数，如 10 或 12.5"}}
	}
	if err := s.DB.SetDefaultRatio(r.Context(), u, year, bp); err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("已将%d年预留比例设为%s", year, market.FormatPercent(bp)))
	http.Redirect(w, r, fmt.Sprintf("/market/supervision?year=%d", year), http.StatusSeeOther)
	return nil
}

// percentBP reads a percent with at most two decimals ("10", "12.5",
// "12.5%") as basis points.
func percentBP(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 || w > 100 || f < 0 {
		return 0, false
	}
	return w*100 + f, true
}

// sharePage is a buyer unit's own page: the year's filing form and its
// progress (with its subordinate units, if it supervises any).
func (s *Server) sharePage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.shareForm(w, r, u, nil, nil)
}

func (s *Server) shareForm(w http.ResponseWriter, r *http.Request, u *xiezuo.User, values map[string]string, formErr error) error {
	if u.Role != xiezuo.RoleBuyerAdmin || u.OrgID == 0 {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有采购单位管理账号填报预留份额")
	}
	year, err := s.supervisionYear(r.URL.Query())
	if y, yerr := strconv.Atoi(values["year"]); values != nil && yerr == nil && y >= market.FirstShareYear && y <= ledgerLastYear(s.DB.Today()) {
		year = y
	}
	if err != nil {
		return err
	}
	rep, err := s.DB.Supervision(r.Context(), u, year, store.SupervisionOptions{})
	if err != nil {
		return err
	}
	data, err := s.marketData(r, u, fmt.Sprintf("%d年预留份额", year), "share")
	if err != nil {
		return err
	}
	supervisionData(data, rep)
	data["Bars"] = monthBars(rep.Months)
	var own *shareView
	for _, l := range data["Units"].([]shareView) {
		if l.UnitID == u.OrgID {
			l := l
			own = &l
		}
	}
	data["Own"] = own
	data["Years"] = shareYears(s.DB.Today())
	if values == nil {
		values = map[string]string{"year": strconv.Itoa(year), "ratio": data["RatioInput"].(string)}
		if f := rep.Filing; f != nil {
			if f.NoCanteen {
				values["no_canteen"] = "1"
			} else {
				values["budget"] = fenInput(f.BudgetFen)
				values["ratio"] = strings.TrimSuffix(strings.TrimSuffix(market.FormatPercent(f.RatioBP), "%"), ".00")
			}
		}
	}
	data["F"] = values
	status := http.StatusOK
	if formErr != nil {
		data["Error"], data["Errors"], status = xiezuo.ErrorMessage(formErr), xiezuo.ErrorFields(formErr), statusOf(formErr)
	}
	s.render(w, r, status, "market_share", data)
	return nil
}

// shareFile files the year's budget and ratio of the account's unit.
func (s *Server) shareFile(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !market.CanFileShare(u, u.OrgID) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有采购单位管理账号可以填报预留份额")
	}
	f := s.readForm(r)
	year, _ := strconv.Atoi(f.str("year"))
	filing := &market.ShareFiling{UnitID: u.OrgID, Year: year, NoCanteen: f.str("no_canteen") != ""}
	if !filing.NoCanteen {
		filing.BudgetFen = f.yuan("budget", "食堂农副产品年度预算")
		if v := f.str("ratio"); v != "" {
			bp, ok := percentBP(v)
			if !ok {
				f.p.Add("ratio", "预留比例请填写百分数，如 10 或 12.5")
			}
			filing.RatioBP = bp
		}
	}
	err := f.merge(func() error {
		ratio, _, err := s.DB.ShareRatio(r.Context(), year)
		if err != nil {
			return err
		}
		c := *filing
		return c.Validate(s.DB.Today(), ratio)
	})
	if err == nil {
		err = s.DB.FileShare(r.Context(), u, filing)
	}
	if err != nil {
		if c := xiezuo.ErrorCode(err); c != xiezuo.EINVALID {
			return err
		}
		if fields := xiezuo.ErrorFields(err); fields["ratio_bp"] != "" {
			fields["ratio"] = fields["ratio_bp"]
		}
		if fields := xiezuo.ErrorFields(err); fields["budget_fen"] != "" {
			fields["budget"] = fields["budget_fen"]
		}
		return s.shareForm(w, r, u, f.Values, err)
	}
	msg := fmt.Sprintf("已填报%d年预留份额：%s元", year, xiezuo.FormatYuan(filing.Reserved()))
	if filing.NoCanteen {
		msg = fmt.Sprintf("已填报%d年：本单位无食堂", year)
	}
	s.flash(r, msg)
	http.Redirect(w, r, fmt.Sprintf("/market/share?year=%d", year), http.StatusSeeOther)
	return nil
}
