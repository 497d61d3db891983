package xiezuo

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"
)

var (
	reYMD      = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)
	reMD       = regexp.MustCompile(`^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)
	reDayOnly  = regexp.MustCompile(`^(\d{1,2})\s*日?$`)
	reCompact  = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	reSerial   = regexp.MustCompile(`^\d{5}(\.\d+)?$`)
	rangeSplit = regexp.MustCompile(`\s*(?:至|到|~|～|—|–|--)\s*|\s+-\s+`)
)

// China is China's time zone (UTC+8 all year, no daylight saving): civil
// dates such as today's, reporting deadlines and the times shown to users
// are China's. It is the one definition; nothing else builds a zone.
var China = time.FixedZone("CST", 8*3600)

// excelEpoch is day 0 of Excel's 1900 date system (it counts 1900-02-29,
// which did not exist, so serials from 61 on are one day ahead).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// ParseDate reads a civil date as people type it or Excel stores it:
// 2020-09-01, 2020/9/1, 2020.9.1, 2020年9月1日, 20200901, an Excel serial
// (44075), or 9月1日 / 9/1 with defaultYear. It returns YYYY-MM-DD.
func ParseDate(s string, defaultYear int) (string, bool) {
	s = strings.TrimSpace(width.Narrow.String(s))
	if s == "" {
		return "", false
	}
	var y, m, d int
	if g := reYMD.FindStringSubmatch(s); g != nil {
		y, m, d = atoi(g[1]), atoi(g[2]), atoi(g[3])
	} else if g := reCompact.FindStringSubmatch(s); g != nil {
		y, m, d = atoi(g[1]), atoi(g[2]), atoi(g[3])
	} else if reSerial.MatchString(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 1 || f > 2958465 { // 9999-12-31
			return "", false
		}
		t := excelEpoch.AddDate(0, 0, int(f))
		return t.Format(DateLayout), true
	} else if g := reMD.FindStringSubmatch(s); g != nil && defaultYear > 0 {
		y, m, d = defaultYear, atoi(g[1]), atoi(g[2])
	} else {
		return "", false
	}
	out := strconv.Itoa(y) + "-" + pad2(m) + "-" + pad2(d)
	return out, y >= 1900 && y <= 9999 && ValidDate(out)
}

// ParseDateRange reads a date or a range as the bulletin writes them:
// "2020年9月1日至4日", "8月31日至9月3日", "2020-09-01~2020-09-04". The end
// takes its missing year and month from the start. to is "" for one day.
func ParseDateRange(s string, defaultYear int) (from, to string, ok bool) {
	s = strings.TrimSpace(width.Narrow.String(s))
	parts := rangeSplit.Split(s, 2)
	from, ok = ParseDate(parts[0], defaultYear)
	if !ok || len(parts) == 1 {
		return from, "", ok
	}
	end := strings.TrimSpace(parts[1])
	fy, _ := strconv.Atoi(from[:4])
	if g := reDayOnly.FindStringSubmatch(end); g != nil {
		end = from[:8] + pad2(atoi(g[1]))
	}
	to, ok = ParseDate(end, fy)
	if !ok || to < from {
		return from, "", false
	}
	return from, to, true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func pad2(n int) string {
	if n < 10 && n >= 0 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// ExcelSerial returns the Excel 1900-system serial of a civil date.
func ExcelSerial(date string) (float64, bool) {
	t, err := time.Parse(DateLayout, date)
	if err != nil {
		return 0, false
	}
	return t.Sub(excelEpoch).Hours() / 24, true
}

// LocalTime shows an RFC 3339 time (as stored, in UTC) in China time to
// the minute; "" stays "", and text that is not such a time is shown as is.
func LocalTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.In(China).Format(TimeLayoutCN)
}

// TimeLayoutCN is how screens show a moment: 2026年12月2日 14:02 (China
// time, 24 hours). Machine-readable outputs (API JSON, CSV) keep RFC 3339.
const TimeLayoutCN = "2006年1月2日 15:04"

// DateProblem says why s is not a date ParseDate reads (with no default
// year), as the end of a message after a field's label: “2020-13-45”不是
// 有效日期：月份应在1–12之间. A date that has a date's shape but does not
// exist is told what is wrong with it, not that its format is. It returns
// "" for a valid date YYYY-MM-DD; other ways of writing a valid date are
// told the form that fields taking only YYYY-MM-DD (the API's) want.
func DateProblem(s string) string {
	if d, ok := ParseDate(s, 0); ok {
		if d == s {
			return ""
		}
		return "“" + s + "”应写成 " + d
	}
	n := strings.TrimSpace(width.Narrow.String(s))
	g := reYMD.FindStringSubmatch(n)
	if g == nil {
		g = reCompact.FindStringSubmatch(n)
	}
	if g == nil {
		return "“" + s + "”不是日期，请写成 2020-09-01 或 2020年9月1日"
	}
	y, m, d := atoi(g[1]), atoi(g[2]), atoi(g[3])
	why := ""
	switch days := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day(); {
	case y < 1900 || y > 9999:
		why = "年份应在1900–9999之间"
	case m < 1 || m > 12:
		why = "月份应在1–12之间"
	case d < 1 || d > 31:
		why = "日应在1–31之间"
	case d > days:
		why = strconv.Itoa(y) + "年" + strconv.Itoa(m) + "月只有" + strconv.Itoa(days) + "天"
	}
	return "“" + s + "”不是有效日期：" + why
}
