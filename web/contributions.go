package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/report"
	"github.com/xiezuo/xiezuo/store"
)

func (s *Server) contributionEditor() *editor[*ledger.Contribution] {
	return &editor[*ledger.Contribution]{
		kind: ledger.KindContribution, page: "contribution_form", base: "/contributions",
		header: func(c *ledger.Contribution) *ledger.Header { return &c.Header },
		blank: func(r *http.Request, u *xiezuo.User) *ledger.Contribution {
			c := &ledger.Contribution{Header: ledger.Header{UnitID: u.OrgID}, Delivery: "delivered", CountyCode: u.CountyCode}
			if id, _ := strconv.ParseInt(r.URL.Query().Get("activity_id"), 10, 64); id > 0 {
				if a, err := s.DB.Activity(r.Context(), u, id); err == nil {
					c.ActivityID, c.ActivityTitle, c.DateFrom, c.DateTo, c.CountyCode, c.UnitID = a.ID, a.Title, a.DateFrom, a.DateTo, a.CountyCode, a.UnitID
				}
			}
			return c
		},
		load: func(ctx context.Context, u *xiezuo.User, id int64) (*ledger.Contribution, error) {
			return s.DB.Contribution(ctx, u, id)
		},
		values: func(c *ledger.Contribution) map[string]string {
			names := make([]string, len(c.Givers))
			for i, g := range c.Givers {
				names[i] = g.Name
			}
			return map[string]string{
				"unit_id": itoa64(c.UnitID), "date_from": c.DateFrom, "date_to": c.DateTo, "givers": strings.Join(names, "\n"),
				"county_code": c.CountyCode, "township": c.TownshipName, "village": c.VillageName, "institution": c.Institution,
				"form": c.Form, "sector": c.Sector, "delivery": c.Delivery, "amount": fenInput(c.AmountFen),
				"quantity": itoa64(c.Quantity), "quantity_unit": c.QuantityUnit, "item": c.Item, "beneficiaries": itoa64(c.Beneficiaries),
				"activity_id": itoa64(c.ActivityID), "note": c.Note,
			}
		},
		read: func(f *formReader, u *xiezuo.User, c *ledger.Contribution) {
			c.UnitID = defaultUnit(u, f.id("unit_id"))
			if c.ID == 0 && c.UnitID == 0 {
				c.UnitID = u.OrgID
			}
			c.DateFrom = f.date("date_from", "日期")
			c.DateTo = f.date("date_to", "截止日期")
			c.Givers = f.orgs("givers", "帮扶单位")
			c.CountyCode = f.region("county_code", "受援县", registry.LevelCounty, "")
			c.TownshipCode = f.region("township", "受援乡镇", registry.LevelTownship, c.CountyCode)
			within := c.TownshipCode
			if within == "" {
				within = c.CountyCode
			}
			c.VillageCode = f.region("village", "受援村", registry.LevelVillage, within)
			c.Institution = f.str("institution")
			c.Form, c.Sector, c.Delivery = f.str("form"), f.str("sector"), f.str("delivery")
			c.AmountFen = f.yuan("amount", "金额")
			c.Quantity = f.int64("quantity", "数量")
			c.QuantityUnit = f.str("quantity_unit")
			c.Item = f.str("item")
			c.Beneficiaries = f.int64("beneficiaries", "受益人数")
			c.ActivityID = f.id("activity_id")
			c.Note = f.str("note")
		},
		validate: func(c *ledger.Contribution) error { return c.Validate(s.DB.Today()) },
		save:     s.DB.SaveContribution,
	}
}

func (s *Server) contributionShow(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.DB.Contribution(r.Context(), u, id)
	if err != nil {
		return err
	}
	return s.recordPage(w, r, "contribution_show", ledger.KindContribution, c.Header, map[string]any{"C": c, "CanReceive": ledger.CanConfirmReceipt(u, c)})
}

func (s *Server) contributionReceive(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.DB.ConfirmReceipt(r.Context(), u, id); err != nil {
		return err
	}
	s.flash(r, "已确认收到该笔帮扶")
	if r.FormValue("back") == "/receipts" { // confirmed from the list of deliveries waiting
		http.Redirect(w, r, "/receipts", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/contributions/%d", id), http.StatusSeeOther)
	return nil
}

// contributionFilter reads the list filter from the query string; the same
// parameters serve the page and the API.
func contributionFilter(q url.Values) ledger.ContributionFilter {
	f := ledger.ContributionFilter{
		CountyCode: strings.TrimSpace(q.Get("county")), TownshipCode: strings.TrimSpace(q.Get("township")), Form: q.Get("form"), Sector: q.Get("sector"),
		Status: ledger.Status(q.Get("status")), Delivery: q.Get("delivery"), From: q.Get("from"), To: q.Get("to"),
		Query: q.Get("q"), Area: q.Get("area"), Sort: q.Get("sort"), Dir: q.Get("dir"), Channel: strings.TrimSpace(q.Get("channel")),
	}
	f.UnitID, _ = strconv.ParseInt(q.Get("unit"), 10, 64)
	f.GiverID, _ = strconv.ParseInt(q.Get("giver"), 10, 64)
	f.ActivityID, _ = strconv.ParseInt(q.Get("activity"), 10, 64)
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.After, f.Before = q.Get("after"), q.Get("before")
	for _, d := range []*string{&f.From, &f.To} {
		if nd, ok := normalizeDate(*d); ok {
			*d = nd
		}
	}
	return f
}

func (s *Server) contributionList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	q := r.URL.Query()
	f := contributionFilter(q)
	items, tot, err := s.DB.ListContributions(r.Context(), u, f)
	data, cerr := s.filterChoices(r.Context(), true)
	if cerr != nil {
		return cerr
	}
	if err != nil {
		if xiezuo.ErrorCode(err) != xiezuo.EINVALID {
			return err
		}
		data["Error"] = xiezuo.ErrorMessage(err)
	}
	if data["Townships"], err = s.DB.PairedTownships(r.Context()); err != nil {
		return err
	}
	if f.Validate() == nil && f.TownshipCode != "" && q.Get("county") == "" {
		q.Set("county", f.CountyCode) // implied by the township: shown chosen
	}
	data["Title"], data["Items"], data["Totals"], data["Filter"], data["Q"] = "帮扶投入", items, tot, f, q
	data["Pager"] = contributionPager(r.URL, f, items, int(tot.Count))
	data["FormTotals"] = formTotals(tot)
	data["FilterText"] = s.filterText(r.Context(), f, append(data["Counties"].([]registry.Region), data["Townships"].([]registry.Region)...)...)
	data["Printed"] = s.DB.Today()
	s.render(w, r, http.StatusOK, "contribution_list", data)
	return nil
}

// receiptList lists the approved deliveries of the user's county (all
// counties for the office) that nobody has confirmed received yet, with a
// 确认收到 button each.
func (s *Server) receiptList(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	q := r.URL.Query()
	f := contributionFilter(q)
	f.AwaitingReceipt = true
	if f.Limit == 0 {
		f.Limit = 100
	}
	items, tot, err := s.DB.ListContributions(r.Context(), u, f)
	if err != nil {
		return err
	}
	data := map[string]any{"Title": "待确认收到", "Items": items, "Totals": tot, "Q": q,
		"Pager": newPager(r.URL, f.Offset, f.Limit, int(tot.Count))}
	s.render(w, r, http.StatusOK, "receipts", data)
	return nil
}

// filterText describes a contributions filter in words for printed and
// exported lists; the regions a page has loaded are named without SQL.
func (s *Server) filterText(ctx context.Context, f ledger.ContributionFilter, known ...registry.Region) string {
	var more []string
	if f.TownshipCode != "" {
		more = append(more, "乡镇："+s.regionName(ctx, f.TownshipCode, known))
	}
	if f.Area != "" {
		more = append(more, "考核领域："+report.AreaLabel(f.Area))
	}
	if f.GiverID != 0 {
		if o, err := s.DB.Org(ctx, f.GiverID); err == nil {
			more = append(more, "帮扶单位："+o.Name)
		}
	}
	if f.Form != "" {
		more = append(more, "形式："+ledger.LabelOf(ledger.Forms, f.Form))
	}
	if f.Channel != "" {
		more = append(more, channelWords(f.Channel))
	}
	if f.Sector != "" {
		more = append(more, "领域："+ledger.LabelOf(ledger.Sectors, f.Sector))
	}
	if f.Delivery != "" {
		more = append(more, ledger.LabelOf(ledger.Deliveries, f.Delivery))
	}
	if f.UnitID != 0 {
		if o, err := s.DB.Org(ctx, f.UnitID); err == nil {
			more = append(more, "填报单位："+o.Name)
		}
	}
	if f.Query != "" {
		more = append(more, "关键词："+f.Query)
	}
	return s.filterWords(ctx, known, f.CountyCode, f.Status, f.From, f.To, more...)
}

// filterWords joins the parts every list filter has — county (by name),
// status, date range — with the list's own, or says 全部.
func (s *Server) filterWords(ctx context.Context, known []registry.Region, county string, status ledger.Status, from, to string, more ...string) string {
	var parts []string
	if county != "" {
		parts = append(parts, "受援县："+s.regionName(ctx, county, known))
	}
	if status != "" {
		parts = append(parts, "状态："+status.Label())
	}
	parts = append(parts, more...)
	if from != "" || to != "" {
		parts = append(parts, "日期："+strings.TrimSpace(xiezuo.FormatDateCN(from)+" 至 "+xiezuo.FormatDateCN(to)))
	}
	if len(parts) == 0 {
		return "全部"
	}
	return strings.Join(parts, "；")
}

// regionName names a region code: from known if it is there, else from
// the registry, else the code itself.
func (s *Server) regionName(ctx context.Context, code string, known []registry.Region) string {
	for _, r := range known {
		if r.Code == code {
			return r.Name
		}
	}
	if reg, err := s.DB.Region(ctx, code); err == nil {
		return reg.Name
	}
	return code
}

// formTotal is one form's share of a total, for the totals row.
type formTotal struct {
	Label string
	Fen   int64
}

func formTotals(t ledger.Totals) []formTotal {
	var out []formTotal
	for _, f := range ledger.Forms {
		if v, ok := t.ByForm[f.Code]; ok {
			out = append(out, formTotal{f.Label, v})
		}
	}
	return out
}

// pager links the previous and next page of a list, keeping the filter.
type pager struct {
	From, To, Total int
	Prev, Next      string
}

// contributionPager pages the contribution list: in the newest-first
// order by keyset cursors (a page at any depth costs what the first does),
// the offset kept only to number the rows; in any other order by offset.
func contributionPager(u *url.URL, f ledger.ContributionFilter, items []*ledger.Contribution, total int) pager {
	p := newPager(u, f.Offset, f.Limit, total)
	if !store.NewestFirst(f) || len(items) == 0 {
		return p
	}
	link := func(off int, key string, c *ledger.Contribution) string {
		q := u.Query()
		q.Del("after")
		q.Del("before")
		q.Set("offset", strconv.Itoa(off))
		if off == 0 {
			q.Del("offset")
		} else {
			q.Set(key, ledger.Cursor(c))
		}
		return u.Path + "?" + q.Encode()
	}
	if p.Next != "" {
		p.Next = link(f.Offset+f.Limit, "after", items[len(items)-1])
	}
	if p.Prev != "" {
		p.Prev = link(max(f.Offset-f.Limit, 0), "before", items[0])
	}
	return p
}

func newPager(u *url.URL, offset, limit, total int) pager {
	p := pager{From: offset + 1, To: min(offset+limit, total), Total: total}
	if total == 0 {
		p.From = 0
	}
	link := func(off int) string {
		q := u.Query()
		q.Set("offset", strconv.Itoa(off))
		return u.Path + "?" + q.Encode()
	}
	if offset > 0 {
		p.Prev = link(max(offset-limit, 0))
	}
	if offset+limit < total {
		p.Next = link(offset + limit)
	}
	return p
}
