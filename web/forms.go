package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func urlPathEscape(s string) string { return url.PathEscape(s) }

// formReader reads a posted form into typed values, collecting a Chinese
// problem per bad field. Values keeps the raw input to show the form again.
type formReader struct {
	s      *Server
	ctx    context.Context
	r      *http.Request
	p      xiezuo.Problems
	Values map[string]string
}

func (s *Server) readForm(r *http.Request) *formReader {
	_ = r.ParseForm()
	f := &formReader{s: s, ctx: r.Context(), r: r, p: xiezuo.Problems{}, Values: map[string]string{}}
	for k, v := range r.PostForm {
		f.Values[k] = strings.Join(v, "\n")
	}
	return f
}

func (f *formReader) str(name string) string { return strings.TrimSpace(f.r.PostFormValue(name)) }

// date accepts 2020-09-01, 2020/9/1, 2020.9.1 and 2020年9月1日.
func (f *formReader) date(name, label string) string {
	v := f.str(name)
	if v == "" {
		return ""
	}
	if d, ok := normalizeDate(v); ok {
		return d
	}
	f.p.Add(name, label+xiezuo.DateProblem(v))
	return v
}

// normalizeDate accepts what people type or paste (see xiezuo.ParseDate).
func normalizeDate(v string) (string, bool) { return xiezuo.ParseDate(v, 0) }

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func (f *formReader) int64(name, label string) int64 {
	v := strings.ReplaceAll(f.str(name), ",", "")
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		f.p.Add(name, label+"须为整数")
	}
	return n
}

func (f *formReader) id(name string) int64 {
	n, _ := strconv.ParseInt(f.str(name), 10, 64)
	return n
}

// yuan reads an amount in 元 (or 万元 with the 万 suffix) as fen.
func (f *formReader) yuan(name, label string) int64 {
	v := f.str(name)
	if v == "" {
		return 0
	}
	n, ok := xiezuo.ParseYuan(v)
	switch {
	case ok:
	case yuanTooLarge(v): // 9999999999万 is an amount, only too large
		f.p.Add(name, label+"过大：单项金额不能超过"+xiezuo.FormatYuan(xiezuo.MaxFen)+"元（100亿元）")
	default:
		f.p.Add(name, label+"格式不正确：请填写元，最多两位小数，如 30000 或 3万")
	}
	return n
}

// yuanTooLarge reports whether v is a plain amount in 元 or 万元 (the
// forms xiezuo.ParseYuan reads) above xiezuo.MaxFen.
func yuanTooLarge(v string) bool {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "元"))
	scale := 100.0
	if strings.HasSuffix(v, "万") {
		v, scale = strings.TrimSuffix(v, "万"), 1_000_000
	}
	v = strings.NewReplacer(",", "", "，", "", " ", "").Replace(v)
	x, err := strconv.ParseFloat(v, 64)
	return err == nil && x > 0 && x*scale > float64(xiezuo.MaxFen)
}

// orgs reads unit names (one per line, or separated by 、，,;；) and resolves
// each by name or alias.
func (f *formReader) orgs(name, label string) []ledger.Org {
	var out []ledger.Org
	for _, n := range splitNames(f.str(name)) {
		o, err := f.s.DB.OrgByName(f.ctx, n)
		if err != nil {
			f.p.Add(name, label+"“"+n+"”不在单位名录中，请先在基础信息中登记或使用全称")
			continue
		}
		out = append(out, ledger.Org{ID: o.ID, Name: o.Name})
	}
	return out
}

func splitNames(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == '\n' || r == '\r' || r == '、' || r == '，' || r == ',' || r == ';' || r == '；'
	})
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// region resolves what the user typed (code, official or short name) to a
// 12-digit code of the level, within a county or township when given.
func (f *formReader) region(name, label string, level int, within string) string {
	v := f.str(name)
	if v == "" {
		return ""
	}
	if registry.ValidCode(v) {
		return v
	}
	reg, err := f.s.DB.ResolveRegion(f.ctx, v, level, within)
	if err != nil {
		f.p.Add(name, label+"：“"+v+"”"+strings.TrimPrefix(xiezuo.ErrorMessage(err), "地区“"+v+"”"))
		f.regionElsewhere(name, label, v, level, within)
		return ""
	}
	return reg.Code
}

// regionElsewhere tells a place that exists but not within the region the
// form asks for as what it is (“乡镇：宝华镇不在绿春县（在红河县）”), instead of
// “找不到地区”; only on that error path.
func (f *formReader) regionElsewhere(name, label, v string, level int, within string) {
	if within == "" {
		return
	}
	there, err := f.s.DB.ResolveRegion(f.ctx, v, level, "")
	if err != nil {
		return
	}
	in, err := f.s.DB.Region(f.ctx, within)
	if err != nil {
		return
	}
	msg := label + "：" + there.Name + "不在" + in.Name
	if c, err := f.s.DB.Region(f.ctx, there.Code[:6]+"000000"); err == nil && c.Code != in.Code {
		msg += "（在" + c.Name + "）"
	}
	f.p[name] = msg
}

// merge folds the record's own validation problems under the form's, so the
// user sees every problem at once; it returns nil when there are none.
func (f *formReader) merge(validate func() error) error {
	if len(f.p) == 0 {
		return nil
	}
	for k, v := range xiezuo.ErrorFields(validate()) {
		f.p.Add(k, v)
	}
	return f.p.Err()
}

// formData is what every form template gets.
type formData map[string]any

// filterChoices is what a list's filter bar offers: the paired counties,
// the enumerations and, with orgs, the east units by name (no aliases). A few
// statements, whatever the data.
func (s *Server) filterChoices(ctx context.Context, orgs bool) (formData, error) {
	counties, err := s.DB.PairedCounties(ctx)
	if err != nil {
		return nil, err
	}
	data := formData{
		"Counties": counties,
		"Forms":    ledger.Forms, "Sectors": ledger.Sectors, "Deliveries": ledger.Deliveries, "Sections": ledger.Sections,
		"ActivityKinds": ledger.ActivityKinds, "FundingSources": ledger.FundingSources, "ProjectStates": ledger.ProjectStates,
		"LabourKinds": ledger.LabourKinds, "BatchKinds": ledger.BatchKinds, "Statuses": ledger.Statuses,
	}
	if orgs {
		os, err := s.DB.EastUnits(ctx) // the units that record
		if err != nil {
			return nil, err
		}
		data["Orgs"] = os
	}
	return data, nil
}

// choices is what a record's form offers: filterChoices with every unit,
// the units u may record for, the townships of the paired counties and
// the pairings in u's scope.
func (s *Server) choices(ctx context.Context, u *xiezuo.User) (formData, error) {
	data, err := s.filterChoices(ctx, false)
	if err != nil {
		return nil, err
	}
	orgs, err := s.DB.FindOrgs(ctx, store.OrgFilter{Limit: 5000})
	if err != nil {
		return nil, err
	}
	townships, err := s.townships(ctx, data["Counties"].([]registry.Region), true)
	if err != nil {
		return nil, err
	}
	pairings, err := s.DB.Pairings(ctx, store.PairingFilter{OrgID: pairingScope(u)})
	if err != nil {
		return nil, err
	}
	units := orgs
	if !ledger.CanRecordForAnyUnit(u) {
		units = nil
		for _, o := range orgs {
			if o.ID == u.OrgID {
				units = append(units, o)
			}
		}
	}
	data["Orgs"], data["Units"], data["Pairings"], data["Townships"] = orgs, units, pairings, townships
	return data, nil
}

// townships are the townships of the counties, with their paths or not.
func (s *Server) townships(ctx context.Context, counties []registry.Region, paths bool) ([]registry.Region, error) {
	if len(counties) == 0 {
		return nil, nil
	}
	codes := make([]string, len(counties))
	for i, c := range counties {
		codes[i] = c.Code
	}
	return s.DB.SearchRegions(ctx, store.RegionFilter{Parents: codes, Limit: 1000, NoPaths: !paths})
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, xiezuo.Errorf(xiezuo.ENOTFOUND, "记录不存在")
	}
	return id, nil
}

// defaultUnit is the unit a new record belongs to: the user's own, or for
// the office the one chosen in the form.
func defaultUnit(u *xiezuo.User, chosen int64) int64 {
	if ledger.CanRecordForAnyUnit(u) && chosen != 0 {
		return chosen
	}
	return u.OrgID
}

// fenInput shows fen in a form field as 元 without thousands separators.
func fenInput(fen int64) string {
	if fen == 0 {
		return ""
	}
	s := strconv.FormatInt(fen/100, 10)
	if c := fen % 100; c != 0 {
		s += "." + pad2(int(c))
		s = strings.TrimSuffix(s, "0")
	}
	return s
}

func itoa64(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}
