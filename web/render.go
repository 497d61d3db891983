package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/people"
	"github.com/xiezuo/xiezuo/plan"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/report"
)

var funcs = template.FuncMap{
	"yuan":    xiezuo.FormatYuan,
	"wan":     xiezuo.FormatWan,
	"dateCN":  xiezuo.FormatDateCN,
	"rangeCN": xiezuo.FormatRangeCN,
	"formLabel": func(code string) string {
		return ledger.LabelOf(ledger.Forms, code)
	},
	"sectorLabel":   func(code string) string { return ledger.LabelOf(ledger.Sectors, code) },
	"deliveryLabel": func(code string) string { return ledger.LabelOf(ledger.Deliveries, code) },
	"stateLabel":    func(code string) string { return ledger.LabelOf(ledger.ProjectStates, code) },
	"sideLabel":     registry.SideLabel,
	"levelLabel":    registry.LevelLabel,
	"join":          joinOrgs,
	"joinStr":       strings.Join,
	"catLabel":      market.CategoryLabel,
	"needCat":       plan.CategoryLabel,
	"outcomeLabel":  plan.OutcomeLabel,
	"channelLabel":  market.ChannelLabel,
	"fileRef":       fileRef,
	"activityKinds": func() []string { return ledger.ActivityKinds },
	"areaLabel":     report.AreaLabel,
	"stateText":     report.StateLabel,
	"reportState":   report.ReportStateLabel,
	"pct":           func(f float64) float64 { return f * 100 },
	"areaSum": func(d *report.Dashboard, area string) int64 {
		var sum int64
		for _, c := range d.Counties {
			sum += c.ByArea[area]
		}
		return sum
	},
	// qs writes a query string into a link: html/template would escape
	// its & and = as data otherwise.
	"qs":       func(q url.Values) template.URL { return template.URL(q.Encode()) },
	"sortLink": sortLink,
	"countyAreaQuery": func(f report.Filter, county, area string) template.URL {
		f.CountyCode = county
		return template.URL(f.Query("area", area))
	},
	"canEdit": func(u *xiezuo.User, h ledger.Header) bool { return ledger.CanEdit(u, h) },
	"canSubmit": func(u *xiezuo.User, h ledger.Header) bool {
		_, err := ledger.Transition(u, h, ledger.ActionSubmit, "")
		return err == nil
	},
	"canReview": func(u *xiezuo.User, h ledger.Header) bool {
		_, err := ledger.Transition(u, h, ledger.ActionApprove, "")
		return err == nil
	},
	"canReopen": ledger.CanReopen,
	"may":       may,
	"add":       func(a, b int) int { return a + b },
	"sub":       func(a, b int) int { return a - b },
	"today":     printDate,
	"int64":     func(n int) int64 { return int64(n) },
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"percent": func(part, whole int64) int {
		if whole <= 0 {
			return 0
		}
		return int(part * 100 / whole)
	},
}

// roleRules are the policy rules that depend on the user alone, by the
// name templates ask them with: {{if may "bulletins" .User}}.
var roleRules = map[string]func(*xiezuo.User) bool{
	"review":          ledger.CanReview,
	"registry":        ledger.CanManageRegistry,
	"bulletins":       ledger.CanEditBulletins,
	"targets":         ledger.CanSetTargets,
	"rectifications":  ledger.CanEditRectifications,
	"audit":           ledger.CanReadAuditLog,
	"settle-imports":  ledger.CanSettleImport,
	"register":        people.CanSeeRegister,
	"register-export": people.CanExport,
	"erase":           people.CanErase,
	"teams":           people.CanManageTeams,
	"outbox":          ledger.CanSeeOutbox,
}

// may asks the policy rule named rule about u (an unknown name is a
// template error, not a silent no).
func may(rule string, u *xiezuo.User) (bool, error) {
	f, ok := roleRules[rule]
	if !ok {
		return false, fmt.Errorf("no policy rule %q", rule)
	}
	return f(u), nil
}

// parsePages parses each page template together with the layout and the
// shared partials, so every page is one self-contained template set.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var shared []string
	var pages []string
	for _, n := range names {
		base := path.Base(n)
		if strings.HasPrefix(base, "_") {
			shared = append(shared, n)
		} else {
			pages = append(pages, n)
		}
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		t, err := template.New(path.Base(p)).Funcs(funcs).ParseFS(assets, append([]string{p}, shared...)...)
		if err != nil {
			return nil, err
		}
		out[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return out, nil
}

// navItem is one entry of the navigation bar.
type navItem struct {
	Href, Label string
	Also        string // another page of the item's (its path and below)
	Active      bool
	Badge       int
}

// render executes page with data (a map) plus User, Nav and Flash, writing
// status. Rendering into a buffer first means a template error never sends
// half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data map[string]any) {
	t, ok := s.pages[page]
	if !ok {
		http.Error(w, "页面不存在", http.StatusInternalServerError)
		return
	}
	u := xiezuo.UserFromContext(r.Context())
	if data == nil {
		data = map[string]any{}
	}
	data["User"] = u
	data["Nav"] = s.nav(r, u)
	if flash := s.Sessions.PopString(r.Context(), "flash"); flash != "" {
		data["Flash"] = flash
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.Log.Error("render", "page", page, "err", err)
		http.Error(w, "页面渲染失败", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(labelCells(buf.Bytes()))
}

func (s *Server) nav(r *http.Request, u *xiezuo.User) []navItem {
	if u == nil {
		return nil
	}
	if u.Role.MarketOnly() { // the market is all they have
		items := []navItem{{Href: "/market", Label: "商城"}, {Href: "/market/orders", Label: "订单"}}
		if u.Role == xiezuo.RoleSupplier {
			items = append(items, navItem{Href: "/market/products", Label: "商品管理"}, navItem{Href: "/market/products/import", Label: "目录导入导出"}, navItem{Href: "/market/ratings", Label: "评价"})
		}
		if market.CanCheckout(u) {
			items = append(items, navItem{Href: "/market/cart", Label: "采购单"})
		}
		if u.Role == xiezuo.RoleBuyerAdmin {
			items = append(items, navItem{Href: "/market/share", Label: "预留份额"})
			items = append(items, navItem{Href: "/market/purchases", Label: "商城外采购"})
			items = append(items, navItem{Href: "/market/unit", Label: "本单位账号"}, navItem{Href: "/market/subunits", Label: "下属单位填报"})
			items = append(items, navItem{Href: "/market/lots", Also: "/market/pledges", Label: "认购与认捐"}) // market_lots.go
		}
		return activeNav(items, r.URL.Path)
	}
	items := []navItem{
		{Href: "/", Label: "首页"},
		{Href: "/dashboard", Label: "统计看板"},
		{Href: "/scorecard", Label: "考核"},
		{Href: "/contributions", Label: "帮扶投入"},
		{Href: "/activities", Label: "活动"},
		{Href: "/agreements", Label: "协议"},
		{Href: "/projects", Label: "项目"},
		{Href: "/labour", Label: "劳务协作"},
		{Href: "/batches", Label: "受益批次"},
	}
	if people.CanSeeRegister(u) {
		items = append(items, navItem{Href: "/people", Also: "/teams", Label: "人员名册"})
	}
	items = append(items, navItem{Href: "/bulletins", Label: "简报"}, navItem{Href: "/market", Label: "消费帮扶"}, navItem{Href: "/plan/needs", Also: "/plan", Label: "需求与计划"})
	if ledger.CanReview(u) {
		items = append(items, navItem{Href: "/review", Label: "审核"})
	}
	if u.Role == xiezuo.RoleCounty {
		items = append(items, navItem{Href: "/receipts", Label: "待确认收到"})
	}
	if u.CanRecord() {
		items = append(items, navItem{Href: "/mine", Label: "我的填报"}, navItem{Href: "/imports", Label: "导入"})
	}
	items = append(items, navItem{Href: "/registry/orgs", Label: "基础信息"})
	return activeNav(items, r.URL.Path)
}

// activeNav marks the item of path p: the longest href that is p or a
// parent of it; failing that, the first whose first path segment is p's
// (基础信息 /registry/orgs for /registry/users); the home page only for /.
func activeNav(items []navItem, p string) []navItem {
	best := -1
	for i, it := range items {
		for _, h := range []string{it.Href, it.Also} {
			if h != "" && h != "/" && (p == h || strings.HasPrefix(p, h+"/")) && (best < 0 || len(h) > len(items[best].Href)) {
				best = i
			}
		}
	}
	for i, it := range items {
		if best >= 0 {
			break
		}
		h := it.Href
		if (h == "/" && p == "/") || (h != "/" && strings.HasPrefix(p, "/"+strings.SplitN(h, "/", 3)[1]+"/")) {
			best = i
		}
	}
	if best >= 0 {
		items[best].Active = true
	}
	return items
}

// flash stores a one-time message shown on the next page.
func (s *Server) flash(r *http.Request, msg string) {
	s.Sessions.Put(r.Context(), "flash", msg)
}
