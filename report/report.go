// Package report turns the approved ledger into what the office hands to
// leaders: figures by assessment area, the scorecard, the bulletin (简报)
// and charts. It defines the shapes and the rules (which record counts in
// which area); the store computes the sums and the web and file edges
// present them. It has no I/O.
package report

import (
	"net/url"
	"strconv"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// Area is one row of the annual assessment (考核).
type Area struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Areas in the order of the assessment.
var Areas = []Area{
	{"leadership", "组织领导"}, {"talent", "人才交流"}, {"funds", "资金/项目"}, {"industry", "产业合作"},
	{"labour", "劳务协作"}, {"xieshou", "携手奔小康"}, {"consumption", "消费帮扶"}, {"social", "社会帮扶"},
}

// AreaLabel returns the Chinese name of an area code ("" if unknown).
func AreaLabel(code string) string {
	for _, a := range Areas {
		if a.Code == code {
			return a.Label
		}
	}
	return ""
}

// MoneyAreas are the areas contributions' money counts in
// (ledger.ContributionArea is the rule).
var MoneyAreas = ledger.ContributionAreas

// Activity kinds counted as visits (互访) and as meetings (联席会议, 签约)
// in 组织领导, and as exchanges of people (培训, 义诊, 课堂) in 人才交流.
var (
	VisitKinds   = []string{"考察调研", "接待来访", "慰问"}
	MeetingKinds = []string{"座谈会议", "签约仪式"}
	TalentKinds  = []string{"培训讲座", "义诊巡诊", "远程课堂"}
	// Pairings counted in 携手奔小康: streets with townships, enterprises with villages.
	XieshouPairs = []string{"携手奔小康", "村企结对"}
)

// Filter is the scope of a dashboard or scorecard: a period (From..To,
// civil dates, either may be empty) and optionally one county.
type Filter struct {
	Year       int    `json:"year,omitempty"`
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
	CountyCode string `json:"county_code,omitempty"`
}

// ForYear returns the filter of a whole calendar year (0: all years).
func ForYear(year int, county string) Filter {
	f := Filter{Year: year, CountyCode: county}
	if year > 0 {
		y := strconv.Itoa(year)
		f.From, f.To = y+"-01-01", y+"-12-31"
	}
	return f
}

// Validate checks the filter's dates and county code.
func (f *Filter) Validate() error {
	p := xiezuo.Problems{}
	if f.From != "" && !xiezuo.ValidDate(f.From) {
		p.Add("from", "起始日期"+xiezuo.DateProblem(f.From))
	}
	if f.To != "" && !xiezuo.ValidDate(f.To) {
		p.Add("to", "截止日期"+xiezuo.DateProblem(f.To))
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		p.Add("to", "截止日期不能早于起始日期")
	}
	if f.CountyCode != "" && (len(f.CountyCode) != 12 || f.CountyCode[6:] != "000000") {
		p.Add("county", "受援县代码应为12位县级区划代码")
	}
	if f.Year != 0 && (f.Year < 1996 || f.Year > 2100) {
		p.Add("year", "年度应在1996至2100之间")
	}
	return p.Err()
}

// Query returns the list-page query that selects what the filter covers,
// plus extra (key, value) pairs: the drill-down of a figure.
func (f Filter) Query(extra ...string) string {
	q := url.Values{}
	q.Set("status", "approved")
	if f.CountyCode != "" {
		q.Set("county", f.CountyCode)
	}
	if f.From != "" {
		q.Set("from", f.From)
	}
	if f.To != "" {
		q.Set("to", f.To)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Add(extra[i], extra[i+1])
	}
	return q.Encode()
}

// Figure is one number of the dashboard: money (fen) or a count, and the
// list of records it sums.
type Figure struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Unit  string `json:"unit"` // 万元, 人, 次, 个, 份, 对
	Value int64  `json:"value"`
	Money bool   `json:"money,omitempty"` // Value is fen, shown in 万元
	Href  string `json:"href,omitempty"`
}

// Text shows the value as a report does: 万元 with two decimals, or the count.
func (f Figure) Text() string {
	if f.Money {
		return xiezuo.FormatWan(f.Value)
	}
	return strconv.FormatInt(f.Value, 10)
}

// AreaFigures are the figures of one assessment area.
type AreaFigures struct {
	Area
	Figures []Figure `json:"figures"`
}

// CountyRow is the money of one county by area.
type CountyRow struct {
	CountyCode string           `json:"county_code"`
	CountyName string           `json:"county_name"`
	ByArea     map[string]int64 `json:"by_area_fen"`
	TotalFen   int64            `json:"total_fen"`
	Count      int64            `json:"count"`
}

// Amount is a labelled sum of money with its drill-down.
type Amount struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Fen   int64  `json:"fen"`
	Count int64  `json:"count"`
	Href  string `json:"href,omitempty"`
}

// Dashboard is every figure of one scope, from approved records only.
type Dashboard struct {
	Filter    Filter        `json:"filter"`
	Areas     []AreaFigures `json:"areas"`
	Counties  []CountyRow   `json:"counties"`
	Months    []Amount      `json:"months"`     // 1..12 of the year (empty for all years)
	Givers    []Amount      `json:"top_givers"` // by east unit, largest first
	Delivery  []Amount      `json:"delivery"`   // pledged, delivered
	TotalFen  int64         `json:"total_fen"`
	TotalRows int64         `json:"total_count"`
}

// Figure returns the figure with code in area (nil if none).
func (d *Dashboard) Figure(area, code string) *Figure {
	for i := range d.Areas {
		if d.Areas[i].Code != area {
			continue
		}
		for j := range d.Areas[i].Figures {
			if d.Areas[i].Figures[j].Code == code {
				return &d.Areas[i].Figures[j]
			}
		}
	}
	return nil
}
