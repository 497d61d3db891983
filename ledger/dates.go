package ledger

import (
	"strconv"

	"github.com/xiezuo/xiezuo"
)

// FirstYear is the first year a record may be dated: East–West cooperation
// (东西部扶贫协作) began in 1996.
const FirstYear = 1996

// PlanYears is how many years past this one a planned date (a project's
// deadline, a milestone's due date) may reach.
const PlanYears = 10

// LastYear is the last year a record may be dated on day today (YYYY-MM-DD
// in China, see xiezuo.China): the end of next year, for what is pledged or
// planned late in a year. A date beyond it is a typo (2202 for 2022) that
// would otherwise become the newest year of every report.
//
// The services pass today in: the domain never reads the clock itself.
func LastYear(today string) int { return yearOf(today) + 1 }

// YearsMessage is the Chinese message for a date of label outside
// FirstYear to last: “日期应在1996年至2027年之间”.
func YearsMessage(label string, last int) string {
	return label + "应在" + strconv.Itoa(FirstYear) + "年至" + strconv.Itoa(last) + "年之间"
}

// checkDate adds a problem for field when date is not a civil date from
// the start of FirstYear to the end of last. It reports whether it is.
func checkDate(p xiezuo.Problems, field, label, date string, last int) bool {
	if !xiezuo.ValidDate(date) {
		p.Add(field, label+xiezuo.DateProblem(date))
		return false
	}
	if y := yearOf(date); y < FirstYear || y > last {
		p.Add(field, YearsMessage(label, last))
		return false
	}
	return true
}

// yearOf is the year of a YYYY-MM-DD date, 0 when there is none.
func yearOf(date string) int {
	if len(date) < 4 {
		return 0
	}
	y, _ := strconv.Atoi(date[:4])
	return y
}
