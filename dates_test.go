package xiezuo

import (
	"testing"
	"time"
)

func TestChina(t *testing.T) {
	t.Parallel()
	// 16:30 UTC on New Year's Eve is already the new year in China.
	at := time.Date(2020, 12, 31, 16, 30, 0, 0, time.UTC).In(China)
	if at.Year() != 2021 || at.Format("2006-01-02 15:04") != "2021-01-01 00:30" {
		t.Errorf("in China: %s", at)
	}
	if _, off := at.Zone(); off != 8*3600 {
		t.Errorf("offset %d", off)
	}
}

// TestLocalTime: screens show 2026年12月2日 14:02, China time, 24 hours.
func TestLocalTime(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"2026-12-02T06:02:00Z": "2026年12月2日 14:02",
		"2026-12-01T18:14:09Z": "2026年12月2日 02:14",
		"":                     "",
		"不是时间":                 "不是时间",
	} {
		if got := LocalTime(in); got != want {
			t.Errorf("LocalTime(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDateProblem: a date that does not exist is told so, not that its
// format is wrong.
func TestDateProblem(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"2020-09-01":  "",
		"2020年9月1日":   "“2020年9月1日”应写成 2020-09-01",
		"2020-13-45":  "“2020-13-45”不是有效日期：月份应在1–12之间",
		"2021-02-29":  "“2021-02-29”不是有效日期：2021年2月只有28天",
		"2020/4/31":   "“2020/4/31”不是有效日期：2020年4月只有30天",
		"2020-01-00":  "“2020-01-00”不是有效日期：日应在1–31之间",
		"20201301":    "“20201301”不是有效日期：月份应在1–12之间",
		"0200-01-01":  "“0200-01-01”不是有效日期：年份应在1900–9999之间",
		"九月一日":        "“九月一日”不是日期，请写成 2020-09-01 或 2020年9月1日",
		"2020-09-01x": "“2020-09-01x”不是日期，请写成 2020-09-01 或 2020年9月1日",
	} {
		if got := DateProblem(in); got != want {
			t.Errorf("DateProblem(%q) = %q, want %q", in, got, want)
		}
	}
}
