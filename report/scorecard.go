package report

import (
	"strconv"

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

// Metrics lists the figures of the dashboard, in its order, as targets
// are set for them (from a dashboard, so labels and units agree).
func Metrics(d *Dashboard) []Metric {
	var out []Metric
	for _, a := range d.Areas {
		for _, f := range a.Figures {
			out = append(out, Metric{Area: a.Area, Code: f.Code, Label: f.Label, Unit: f.Unit, Money: f.Money})
		}
	}
	return out
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
	Total Cell
}

// Scorecard is a year's targets against the approved records up to AsOf.
type Scorecard struct {
	Year     int
	AsOf     string
	Elapsed  float64 // share of the year up to AsOf
	Counties []Area  // Code = county code, Label = name
	Rows     []ScoreRow
	Overdue  []OverdueProject
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
