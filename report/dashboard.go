package report

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/xiezuo/xiezuo/ledger"
)

// TopGivers is how many east units the dashboard ranks.
const TopGivers = 10

// Tally is a number of records and the money they hold (fen).
type Tally struct {
	Count int64 `json:"count"`
	Fen   int64 `json:"fen"`
}

// GiverSum is the approved money of one east unit.
type GiverSum struct {
	OrgID int64  `json:"org_id"`
	Name  string `json:"name"`
	Tally
}

// Counts are the records behind the dashboard's figures other than
// contributions' money, counted with the same filters as the lists the
// figures link to.
type Counts struct {
	Visits, Meetings, Talent int64    // activities of VisitKinds, MeetingKinds, TalentKinds (one trip once)
	People                   int64    // posted people whose term overlaps the period
	Projects, Completed      int64    // projects with the deadline in the period; completed ones
	Trained, Placed          int64    // people in labour records
	Pairs                    [2]int64 // pairings of each XieshouPairs kind
	Agreements, PledgedFen   int64
}

// Sums are what the approved records of a scope add up to, as the store
// reads them: codes, ids, record names and numbers. NewDashboard names
// each figure and links it to the list it sums.
type Sums struct {
	Filter    Filter
	Counties  []CountyRow      // money by county (code order) and area
	Months    [12]Tally        // money by month of the date (across years for all years)
	Delivery  map[string]Tally // money by delivery code (pledged, delivered)
	Givers    []GiverSum       // at most TopGivers, largest first
	Counts    Counts
	TotalFen  int64
	TotalRows int64
}

// Area returns the money of the scope in one area, over all counties.
func (s *Sums) Area(code string) int64 {
	var sum int64
	for _, c := range s.Counties {
		sum += c.ByArea[code]
	}
	return sum
}

// figureDef is one figure of the dashboard: what it is called, what it
// takes from the sums and which list it links to.
type figureDef struct {
	area, code, label, unit string
	money                   bool
	value                   func(*Sums) int64
	href                    func(Filter) string
}

func moneyDef(area, code, label string) figureDef {
	return figureDef{area: area, code: code, label: label, unit: "万元", money: true,
		value: func(s *Sums) int64 { return s.Area(code) },
		href:  func(f Filter) string { return "/contributions?" + f.Query("area", code) }}
}

func countDef(area, code, label, unit string, value func(*Sums) int64, href func(Filter) string) figureDef {
	return figureDef{area: area, code: code, label: label, unit: unit, value: value, href: href}
}

// tripsOf links to the trips of activity kinds in the scope.
func tripsOf(kinds []string) func(Filter) string {
	return func(f Filter) string {
		var kv []string
		for _, k := range kinds {
			kv = append(kv, "kind", k)
		}
		return "/activities?" + f.Query(append(kv, "trip", "1")...)
	}
}

// list links to a ledger list of the scope, with extra (key, value) pairs.
func list(path string, extra ...string) func(Filter) string {
	return func(f Filter) string { return path + "?" + f.Query(extra...) }
}

// registryLink links to a registry list: the scope's county, plus extra
// pairs (empty values left out). Registry lists have no status.
func registryLink(path string, extra func(Filter) []string) func(Filter) string {
	return func(f Filter) string {
		v := url.Values{}
		kv := extra(f)
		if f.CountyCode != "" {
			kv = append([]string{"county", f.CountyCode}, kv...)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				v.Add(kv[i], kv[i+1])
			}
		}
		return path + "?" + v.Encode()
	}
}

func pairsLink(kind string) func(Filter) string {
	return registryLink("/registry/pairings", func(f Filter) []string {
		kv := []string{"kind", kind}
		if f.Year != 0 {
			kv = append(kv, "year", strconv.Itoa(f.Year))
		}
		return kv
	})
}

// figureDefs are the dashboard's figures, area by area, in order.
var figureDefs = []figureDef{
	countDef("leadership", "visits", "考察互访", "次", func(s *Sums) int64 { return s.Counts.Visits }, tripsOf(VisitKinds)),
	countDef("leadership", "meetings", "座谈会议和签约", "次", func(s *Sums) int64 { return s.Counts.Meetings }, tripsOf(MeetingKinds)),
	countDef("talent", "people", "援派干部人才", "人", func(s *Sums) int64 { return s.Counts.People },
		registryLink("/registry/people", func(f Filter) []string { return []string{"from", f.From, "to", f.To} })),
	countDef("talent", "talent", "培训、义诊和远程课堂", "次", func(s *Sums) int64 { return s.Counts.Talent }, tripsOf(TalentKinds)),
	moneyDef("funds", "funds", "财政帮扶资金"),
	countDef("funds", "projects", "项目（截止期在期内）", "个", func(s *Sums) int64 { return s.Counts.Projects }, list("/projects")),
	countDef("funds", "completed", "其中已完工", "个", func(s *Sums) int64 { return s.Counts.Completed }, list("/projects", "state", "completed")),
	moneyDef("industry", "industry", "产业帮扶投入"),
	countDef("labour", "trained", "培训人数", "人", func(s *Sums) int64 { return s.Counts.Trained }, list("/labour")),
	countDef("labour", "placed", "转移就业人数", "人", func(s *Sums) int64 { return s.Counts.Placed }, list("/labour")),
	countDef("xieshou", "pairs_township", "街镇与乡镇结对", "对", func(s *Sums) int64 { return s.Counts.Pairs[0] }, pairsLink(XieshouPairs[0])),
	countDef("xieshou", "pairs_village", "企业与村结对", "对", func(s *Sums) int64 { return s.Counts.Pairs[1] }, pairsLink(XieshouPairs[1])),
	countDef("xieshou", "agreements", "签订协议", "份", func(s *Sums) int64 { return s.Counts.Agreements }, list("/agreements")),
	{area: "xieshou", code: "pledged", label: "协议约定金额", unit: "万元", money: true,
		value: func(s *Sums) int64 { return s.Counts.PledgedFen }, href: list("/agreements")},
	moneyDef("consumption", "consumption", "消费帮扶金额"),
	moneyDef("social", "social", "捐款捐物折款"),
}

// Metrics lists the figures of the dashboard, in its order: those that
// can carry a target.
func Metrics() []Metric {
	out := make([]Metric, len(figureDefs))
	for i, fd := range figureDefs {
		out[i] = Metric{Area: Area{Code: fd.area, Label: AreaLabel(fd.area)}, Code: fd.code, Label: fd.label, Unit: fd.unit, Money: fd.money}
	}
	return out
}

// NewDashboard names the sums of a scope and links each figure, month,
// giver and delivery state to the list of records it sums.
func NewDashboard(s *Sums) *Dashboard {
	f := s.Filter
	d := &Dashboard{Filter: f, Counties: s.Counties, TotalFen: s.TotalFen, TotalRows: s.TotalRows}
	for _, a := range Areas {
		af := AreaFigures{Area: a}
		for _, fd := range figureDefs {
			if fd.area == a.Code {
				af.Figures = append(af.Figures, Figure{Code: fd.code, Label: fd.label, Unit: fd.unit, Value: fd.value(s), Money: fd.money, Href: fd.href(f)})
			}
		}
		d.Areas = append(d.Areas, af)
	}
	if f.Year != 0 {
		for i, m := range s.Months {
			month := fmt.Sprintf("%d-%02d", f.Year, i+1)
			scope := f
			scope.From, scope.To = month+"-01", month+"-"+strconv.Itoa(lastDay(f.Year, i+1))
			d.Months = append(d.Months, Amount{Key: month, Label: strconv.Itoa(i+1) + "月", Fen: m.Fen, Count: m.Count, Href: "/contributions?" + scope.Query()})
		}
	}
	for _, g := range s.Givers {
		key := strconv.FormatInt(g.OrgID, 10)
		d.Givers = append(d.Givers, Amount{Key: key, Label: g.Name, Fen: g.Fen, Count: g.Count, Href: "/contributions?" + f.Query("giver", key)})
	}
	for _, c := range ledger.Deliveries {
		t := s.Delivery[c.Code]
		d.Delivery = append(d.Delivery, Amount{Key: c.Code, Label: c.Label, Fen: t.Fen, Count: t.Count, Href: "/contributions?" + f.Query("delivery", c.Code)})
	}
	return d
}

// lastDay is the number of days in a month.
func lastDay(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
