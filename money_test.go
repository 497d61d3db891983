package xiezuo

import "testing"

func TestParseYuan(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		fen  int64
		good bool
	}{
		{"100000", 10000000, true},
		{"1,000.5", 100050, true},
		{"7.1万", 7100000, true},
		{"3.75万元", 3750000, true},
		{"￥98888", 9888800, true},
		{"0.01", 1, true},
		{"67.7万", 67700000, true},
		{"1.001", 0, false},
		{"-5", 0, false},
		{"abc", 0, false},
		{"", 0, false},
		{"100000000000", 0, false}, // 1000亿元 is over MaxFen
		{"１０万", 10000000, true},
		{"10万元", 10000000, true},
		{"1,000,000", 100000000, true},
		{"98888元", 9888800, true},
		{"人民币 5 万元", 5000000, true},
	} {
		fen, ok := ParseYuan(tc.in)
		if ok != tc.good || fen != tc.fen {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d, %v", tc.in, fen, ok, tc.fen, tc.good)
		}
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	if got := FormatYuan(123456789); got != "1,234,567.89" {
		t.Errorf("FormatYuan = %q", got)
	}
	if got := FormatWan(7100000); got != "7.10" {
		t.Errorf("FormatWan = %q", got)
	}
	if got := FormatWan(9888800); got != "9.89" {
		t.Errorf("FormatWan(98888元) = %q", got)
	}
	if got := FormatRangeCN("2020-08-31", "2020-09-03"); got != "2020年8月31日至9月3日" {
		t.Errorf("FormatRangeCN = %q", got)
	}
	if got := FormatRangeCN("2020-09-01", "2020-09-04"); got != "2020年9月1日至4日" {
		t.Errorf("FormatRangeCN = %q", got)
	}
}

func TestParseDates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in       string
		from, to string
		ok       bool
	}{
		{"2020-09-01", "2020-09-01", "", true},
		{"2020/9/1", "2020-09-01", "", true},
		{"2020年9月1日", "2020-09-01", "", true},
		{"２０２０年９月１日", "2020-09-01", "", true},
		{"20200901", "2020-09-01", "", true},
		{"44075", "2020-09-01", "", true},
		{"9月1日", "2020-09-01", "", true},
		{"9月1日至4日", "2020-09-01", "2020-09-04", true},
		{"8月31日至9月3日", "2020-08-31", "2020-09-03", true},
		{"2020年8月30日至9月3日", "2020-08-30", "2020-09-03", true},
		{"2020-09-01~2020-09-04", "2020-09-01", "2020-09-04", true},
		{"2020-02-30", "", "", false},
		{"9月4日至1日", "2020-09-04", "", false},
		{"明天", "", "", false},
		{"", "", "", false},
	} {
		from, to, ok := ParseDateRange(tc.in, 2020)
		if ok != tc.ok || (ok && (from != tc.from || to != tc.to)) {
			t.Errorf("ParseDateRange(%q) = %q, %q, %v; want %q, %q, %v", tc.in, from, to, ok, tc.from, tc.to, tc.ok)
		}
	}
	if s, _ := ExcelSerial("2020-09-01"); s != 44075 {
		t.Errorf("ExcelSerial = %v", s)
	}
}

// TestTextControlCharacters: a text field refuses control characters and
// bidirectional overrides (a name that displays as something else), and
// keeps line breaks and tabs.
func TestTextControlCharacters(t *testing.T) {
	for s, ok := range map[string]bool{
		"演示-李某一":              true,
		"第一行\n第二行\t备注":        true,
		"演示-\x00\x07\x1b[31m": false,
		"演示-\u202e嘿":          false,
		"a\u2066b":            false,
	} {
		p := Problems{}
		v := s
		p.Text("name", "姓名", &v, 50, true)
		if (len(p) == 0) != ok {
			t.Errorf("%q: problems %v", s, p)
		}
	}
}
