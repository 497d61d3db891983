package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/report"
)

// scorecardScope reads year (default: store's DefaultYear, this year or
// the newest before it with approved records) and the as-of date, and
// lists the paired counties.
func (s *Server) scorecardScope(r *http.Request) (int, string, []report.Area, error) {
	q := r.URL.Query()
	year, err := strconv.Atoi(q.Get("year"))
	if err != nil || year == 0 {
		if year, err = s.DB.DefaultYear(r.Context()); err != nil {
			return 0, "", nil, err
		}
	}
	asOf := q.Get("asof")
	if nd, ok := normalizeDate(asOf); ok {
		asOf = nd
	}
	paired, err := s.DB.PairedCounties(r.Context())
	if err != nil {
		return 0, "", nil, err
	}
	counties := make([]report.Area, len(paired))
	for i, c := range paired {
		counties[i] = report.Area{Code: c.Code, Label: c.ShortName}
	}
	return year, asOf, counties, nil
}

func (s *Server) scorecardPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	year, asOf, counties, err := s.scorecardScope(r)
	if err != nil {
		return err
	}
	codes := make([]string, len(counties))
	for i, c := range counties {
		codes[i] = c.Code
	}
	ss, err := s.DB.ScorecardSums(r.Context(), year, asOf, codes)
	if err != nil {
		return err
	}
	sc := report.NewScorecard(ss, counties)
	s.render(w, r, http.StatusOK, "scorecard", map[string]any{"Title": "考核进度", "SC": sc, "Year": strconv.Itoa(year)})
	return nil
}

// targetsPage is the office's form of a year's targets: one input per
// figure and county (money in 万元).
func (s *Server) targetsPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.targetsForm(w, r, u, nil, nil)
}

func (s *Server) targetsForm(w http.ResponseWriter, r *http.Request, u *xiezuo.User, values map[string]string, formErr error) error {
	year, _, counties, err := s.scorecardScope(r)
	if err != nil {
		return err
	}
	if values == nil {
		ts, err := s.DB.Targets(r.Context(), year)
		if err != nil {
			return err
		}
		money := map[string]bool{}
		for _, m := range report.Metrics() {
			money[m.Code] = m.Money
		}
		values = map[string]string{}
		for _, t := range ts {
			v := strconv.FormatInt(t.Value, 10)
			if money[t.Metric] {
				v = strings.TrimSuffix(strings.TrimRight(strings.ReplaceAll(xiezuo.FormatWan(t.Value), ",", ""), "0"), ".")
			}
			values[targetField(t.CountyCode, t.Metric)] = v
		}
	}
	return s.registryPage(w, r, "targets", formErr, map[string]any{"Title": "考核目标", "Year": year, "Counties": counties,
		"Metrics": report.Metrics(), "F": values, "Editable": ledger.CanSetTargets(u)})
}

// targetScope is what setting targets needs: the office's user, the year,
// the paired counties and the figures that take targets.
func (s *Server) targetScope(r *http.Request, u *xiezuo.User) (int, []report.Area, []report.Metric, error) {
	if !ledger.CanSetTargets(u) {
		return 0, nil, nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以设置考核目标")
	}
	year, _, counties, err := s.scorecardScope(r)
	if err != nil {
		return 0, nil, nil, err
	}
	return year, counties, report.Metrics(), nil
}

func targetField(county, metric string) string { return "t_" + county + "_" + metric }

// targetsSave stores the form: an empty input removes the target.
func (s *Server) targetsSave(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	year, counties, metrics, err := s.targetScope(r, u)
	if err != nil {
		return err
	}
	f := s.readForm(r)
	var ts []report.Target
	for _, c := range counties {
		for _, m := range metrics {
			name := targetField(c.Code, m.Code)
			v := strings.TrimSpace(strings.ReplaceAll(f.str(name), ",", ""))
			t := report.Target{Year: year, CountyCode: c.Code, Metric: m.Code, Value: -1}
			if v != "" {
				label := c.Label + "·" + m.Label
				if m.Money {
					v = strings.TrimSuffix(strings.TrimSuffix(v, "元"), "万")
					n, ok := xiezuo.ParseYuan(v + "万")
					if !ok || n < 0 {
						f.p.Add(name, label+"：“"+f.str(name)+"”不是万元金额")
					}
					t.Value = n
				} else {
					n, err := strconv.ParseInt(v, 10, 64)
					if err != nil || n < 0 {
						f.p.Add(name, label+"：“"+f.str(name)+"”不是非负整数")
					}
					t.Value = n
				}
			}
			ts = append(ts, t)
		}
	}
	err = f.p.Err()
	if err == nil {
		err = s.DB.SaveTargets(r.Context(), u, ts, metrics)
	}
	if err != nil {
		if formFailed(err) {
			return s.targetsForm(w, r, u, f.Values, err)
		}
		return err
	}
	s.flash(r, strconv.Itoa(year)+"年考核目标已保存")
	http.Redirect(w, r, "/scorecard?year="+strconv.Itoa(year), http.StatusSeeOther)
	return nil
}

// coveragePage is the “十有” checklist of the year's pairings.
func (s *Server) coveragePage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	year, _, _, err := s.scorecardScope(r)
	if err != nil {
		return err
	}
	cov, err := s.DB.TenCoverage(r.Context(), year)
	if err != nil {
		return err
	}
	var counts [10]int
	complete := 0
	for _, c := range cov {
		for i, ok := range c.Has {
			if ok {
				counts[i]++
			}
		}
		if len(c.Missing()) == 0 {
			complete++
		}
	}
	s.render(w, r, http.StatusOK, "coverage", map[string]any{"Title": "结对“十有”", "Year": year, "Cov": cov, "Counts": counts,
		"Complete": complete, "Checks": report.TenChecks, "Rules": report.TenCheckRules})
	return nil
}

// compliancePage shows which units reported each month of the year.
func (s *Server) compliancePage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	year, asOf, _, err := s.scorecardScope(r)
	if err != nil {
		return err
	}
	if end := strconv.Itoa(year) + "-12-31"; asOf == "" || asOf > end {
		asOf = min(s.DB.Today(), end)
	}
	rows, err := s.DB.Compliance(r.Context(), year, asOf)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "compliance", map[string]any{"Title": "报送情况", "Year": year, "AsOf": asOf, "Rows": rows,
		"DeadlineDay": report.DeadlineDay, "Months12": []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}})
	return nil
}

// targetsTemplate is the blank targets sheet.
func (s *Server) targetsTemplate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	setDownload(w, "xlsx", "考核目标导入模板")
	return imports.Template(r.Context(), s.DB, w, imports.TargetSpec)
}

// targetsImport reads an uploaded targets sheet into the year's targets.
func (s *Server) targetsImport(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	year, counties, metrics, err := s.targetScope(r, u)
	if err != nil {
		return err
	}
	// The body limit (uploadLimits) is limitBody's.
	file, hdr, err := r.FormFile("file")
	if e := tooLarge(r, err); e != nil {
		return e
	} else if err != nil {
		return s.targetsForm(w, r, u, nil, xiezuo.Errorf(xiezuo.EINVALID, "请选择要导入的 Excel 或 CSV 文件（不超过10MB）"))
	}
	defer file.Close()
	n, err := imports.Targets(r.Context(), s.DB, u, hdr.Filename, file, hdr.Size, year, metrics, counties)
	if err != nil {
		if formFailed(err) {
			return s.targetsForm(w, r, u, nil, err)
		}
		return err
	}
	s.flash(r, "已从 "+hdr.Filename+" 导入 "+strconv.Itoa(n)+" 项考核目标")
	http.Redirect(w, r, "/scorecard/targets?year="+strconv.Itoa(year), http.StatusSeeOther)
	return nil
}
