package report

import (
	"strconv"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
)

// Target is one yearly assessment target: a county's goal for a figure.
type Target struct {
	Year       int    `json:"year"`
	CountyCode string `json:"county_code"`
	Metric     string `json:"metric"` // a Figure code of the dashboard
	Value      int64  `json:"value"`  // fen for money figures
}

// Metric is a figure that can carry a target.
type Metric struct {
	Area  Area
	Code  string
	Label string
	Unit  string
	Money bool
}

// Progress states of a scorecard cell.
const (
	StateDone     = "done"     // target met
	StateOnTrack  = "on_track" // at least the share of the year elapsed
	StateBehind   = "behind"
	StateNoTarget = ""
)

// StateLabel is a state in Chinese.
func StateLabel(s string) string {
	switch s {
	case StateDone:
		return "已完成"
	case StateOnTrack:
		return "进度正常"
	case StateBehind:
		return "滞后"
	}
	return "未设目标"
}

// Cell is one county's (or the total's) target and actual for a metric.
type Cell struct {
	Target, Actual int64
	// Scored is the part of Actual measured against Target: all of it for
	// a county; for the total, that of the counties with a target.
	Scored    int64
	HasTarget bool
	Money     bool
	Href      string
}

// Percent is Scored/Target in whole percent (0 without a target).
func (c Cell) Percent() int64 {
	if !c.HasTarget || c.Target == 0 {
		return 0
	}
	return c.Scored * 100 / c.Target
}

// Text shows a value as the dashboard does.
func (c Cell) Text(v int64) string {
	if c.Money {
		return xiezuo.FormatWan(v)
	}
	return strconv.FormatInt(v, 10)
}

// State judges the cell against the share of the year elapsed (0..1).
func (c Cell) State(elapsed float64) string {
	switch {
	case !c.HasTarget:
		return StateNoTarget
	case c.Scored >= c.Target:
		return StateDone
	case float64(c.Scored) >= float64(c.Target)*elapsed:
		return StateOnTrack
	}
	return StateBehind
}

// ScoreRow is one metric across the counties and in total.
type ScoreRow struct {
	Metric
	Cells []Cell // one per county, in Scorecard.Counties order
	// Unassigned is what the total holds beyond the county columns: records
	// with no county, or with a county not among them. The counties and
	// Unassigned add up to Total.Actual.
	Unassigned Cell
	Total      Cell
}

// PartlyScored reports whether the total's percent is computed on fewer
// records than its 实绩 shows (only the counties with a target count).
func (c Cell) PartlyScored() bool { return c.HasTarget && c.Scored != c.Actual }

// Scorecard is a year's targets against the approved records up to AsOf.
type Scorecard struct {
	Year     int
	AsOf     string
	Elapsed  float64 // share of the year up to AsOf
	Counties []Area  // Code = county code, Label = name
	Rows     []ScoreRow
	// HasUnassigned: some row has records outside the county columns (the
	// page then shows a 未分县 column).
	HasUnassigned bool
	Overdue       []OverdueProject
	// Open 问题整改 items of the year, by due date.
	Rectifications []*ledger.Rectification
}

// OverdueProject is a project past its deadline and not completed on AsOf.
type OverdueProject struct {
	ID         int64
	Title      string
	CountyName string
	UnitName   string
	Deadline   string
	Progress   int
	DaysLate   int
}

// ScoreSums are what a scorecard compares, as the store reads them: the
// approved sums of the year up to AsOf in total and for each county, the
// year's targets, the projects overdue on AsOf and the open 问题整改 items.
type ScoreSums struct {
	Year           int
	AsOf           string
	Total          *Sums
	Counties       []*Sums // in the order of the counties asked for
	Targets        []Target
	Overdue        []OverdueProject // most overdue first
	Rectifications []*ledger.Rectification
}

// NewScorecard sets the year's targets against the sums, metric by metric,
// for counties (Code = county code, Label = name; the order of
// s.Counties), for what lies outside them (未分县), and in total: the
// total's 实绩 is everything, its target the sum of the county targets,
// and its percent only the 实绩 of the counties with a target (Scored).
func NewScorecard(s *ScoreSums, counties []Area) *Scorecard {
	sc := &Scorecard{Year: s.Year, AsOf: s.AsOf, Counties: counties, Overdue: s.Overdue, Rectifications: s.Rectifications}
	if at, err := time.Parse(time.DateOnly, s.AsOf); err == nil {
		sc.Elapsed = float64(at.YearDay()) / float64(time.Date(s.Year, 12, 31, 0, 0, 0, 0, time.UTC).YearDay())
	}
	goal := map[[2]string]int64{}
	for _, t := range s.Targets {
		goal[[2]string{t.CountyCode, t.Metric}] = t.Value
	}
	total := NewDashboard(s.Total)
	per := make([]*Dashboard, len(s.Counties))
	for i, c := range s.Counties {
		per[i] = NewDashboard(c)
	}
	for _, m := range Metrics() {
		row := ScoreRow{Metric: m}
		row.Total.Money = m.Money
		if f := total.Figure(m.Area.Code, m.Code); f != nil {
			row.Total.Actual, row.Total.Href = f.Value, f.Href
		}
		for i, c := range counties {
			cell := Cell{Money: m.Money}
			if i < len(per) {
				if f := per[i].Figure(m.Area.Code, m.Code); f != nil {
					cell.Actual, cell.Href = f.Value, f.Href
				}
			}
			cell.Target, cell.HasTarget = goal[[2]string{c.Code, m.Code}]
			cell.Scored = cell.Actual
			if cell.HasTarget {
				row.Total.Target += cell.Target
				row.Total.Scored += cell.Actual
				row.Total.HasTarget = true
			}
			row.Cells = append(row.Cells, cell)
			row.Unassigned.Actual -= cell.Actual
		}
		row.Unassigned.Money = m.Money
		row.Unassigned.Actual += row.Total.Actual
		sc.HasUnassigned = sc.HasUnassigned || row.Unassigned.Actual != 0
		sc.Rows = append(sc.Rows, row)
	}
	return sc
}

// TenChecks are the “十有” of a pairing's year, in order: 有协议, 有计划,
// 有资金, 有项目, 有干部, 有人才, 有互访, 有联席会议, 有举措, 有成效.
var TenChecks = []string{"有协议", "有计划", "有资金", "有项目", "有干部", "有人才", "有互访", "有联席会议", "有举措", "有成效"}

// TenCheckRules says, for the page, what each check looks for in the
// approved records of the year.
var TenCheckRules = []string{
	"签订了本结对的年度协议",
	"年度计划（需求与计划）中有东部单位负责、在西部一方的项目或认捐",
	"东部单位向西部一方投入到位的资金或物资",
	"东部单位在西部一方实施的项目",
	"东部单位派驻西部一方所在县的干部",
	"东部单位派驻西部一方所在县的专业技术人才",
	"东部单位赴西部一方所在县考察或接待来访",
	"东部单位与西部一方所在县召开座谈会议或签约",
	"东部单位在西部一方所在县开展捐赠、培训、义诊、课堂、展销或公益活动",
	"投入到位并有受益人数",
}

// Coverage is one pairing's “十有” for a year.
type Coverage struct {
	PairingID int64
	Kind      string
	East      string
	West      string
	Has       [10]bool
}

// Missing lists the checks the pairing lacks.
func (c Coverage) Missing() []string {
	var out []string
	for i, ok := range c.Has {
		if !ok {
			out = append(out, TenChecks[i])
		}
	}
	return out
}

// Reporting states of a unit's month (报送情况).
const (
	ReportNone     = "none"      // 未报送: no record dated in the month
	ReportUnsent   = "unsent"    // 未提交: records, none submitted
	ReportOnTime   = "on_time"   // 按时: submitted by the deadline
	ReportLate     = "late"      // 逾期: some submitted after it
	ReportByOffice = "by_office" // 代录: entered by the office
	DeadlineDay    = 5           // records of a month are due on this day of the next
)

// ReportStateLabel is a reporting state in Chinese.
func ReportStateLabel(s string) string {
	switch s {
	case ReportNone:
		return "未报送"
	case ReportUnsent:
		return "未提交"
	case ReportOnTime:
		return "按时"
	case ReportLate:
		return "逾期"
	case ReportByOffice:
		return "代录"
	}
	return ""
}

// Compliance is one reporting unit's year: a state per month (1…12) and
// the months due so far.
type Compliance struct {
	OrgID   int64
	OrgName string
	Months  [12]string
	Records [12]int
}

// Count is how many of the unit's months are in state s.
func (c Compliance) Count(s string) int {
	n := 0
	for _, m := range c.Months {
		if m == s {
			n++
		}
	}
	return n
}
