package xiezuo

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"
)

// MaxFen bounds any single amount: 100亿元. Larger is a typing error.
const MaxFen int64 = 100_0000_0000_00

// FormatYuan shows fen as 元 with two decimals and thousands separators.
func FormatYuan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	s := groupThousands(strconv.FormatInt(fen/100, 10)) + "." + twoDigits(fen%100)
	if neg {
		return "-" + s
	}
	return s
}

// FormatWan shows fen as 万元 with two decimals (rounded half up).
func FormatWan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	hundredths := (fen + 5000) / 10000 // 1 万元 = 1,000,000 fen; 0.01 万元 = 10,000 fen
	s := groupThousands(strconv.FormatInt(hundredths/100, 10)) + "." + twoDigits(hundredths%100)
	if neg {
		return "-" + s
	}
	return s
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

func groupThousands(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// ParseYuan reads an amount typed or pasted by a user: "100000", "1,000.5",
// "7.1万", "￥3.75万元". It returns fen. Empty input is an error; the caller
// decides whether the field is optional.
func ParseYuan(s string) (int64, bool) {
	s = strings.TrimSpace(width.Narrow.String(s))
	for _, p := range []string{"¥", "￥", "RMB", "人民币"} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	s = strings.TrimSpace(strings.TrimSuffix(s, "元"))
	wan := false
	if strings.HasSuffix(s, "万") {
		wan = true
		s = strings.TrimSuffix(s, "万")
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, ",", ""), "，", "")
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return 0, false
	}
	intPart, frac, _ := strings.Cut(s, ".")
	scale := 2
	if wan {
		scale = 6
	}
	if intPart == "" || len(frac) > scale || len(intPart) > 11 {
		return 0, false
	}
	for _, r := range intPart + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	frac += strings.Repeat("0", scale-len(frac))
	n, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return 0, false
	}
	// 万 with 6 decimals counts 0.01 元, as 元 with 2 decimals does: n is fen.
	if n > MaxFen {
		return 0, false
	}
	return n, true
}

// DateLayout is the civil date format used everywhere.
const DateLayout = "2006-01-02"

// ValidDate reports whether s is a civil date YYYY-MM-DD.
func ValidDate(s string) bool {
	t, err := time.Parse(DateLayout, s)
	return err == nil && t.Format(DateLayout) == s
}

// FormatDateCN shows a civil date as 2020年9月1日.
func FormatDateCN(s string) string {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return s
	}
	return strconv.Itoa(t.Year()) + "年" + strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
}

// FormatRangeCN shows a date range as 2020年9月1日至4日 / 8月31日至9月3日.
func FormatRangeCN(from, to string) string {
	if to == "" || to == from {
		return FormatDateCN(from)
	}
	a, err1 := time.Parse(DateLayout, from)
	b, err2 := time.Parse(DateLayout, to)
	if err1 != nil || err2 != nil {
		return from + "至" + to
	}
	switch {
	case a.Year() != b.Year():
		return FormatDateCN(from) + "至" + FormatDateCN(to)
	case a.Month() != b.Month():
		return FormatDateCN(from) + "至" + strconv.Itoa(int(b.Month())) + "月" + strconv.Itoa(b.Day()) + "日"
	}
	return FormatDateCN(from) + "至" + strconv.Itoa(b.Day()) + "日"
}
