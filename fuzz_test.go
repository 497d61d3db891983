package xiezuo

import "testing"

func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"100000", "7.1万", "3.75万元", "1,000,000", "98888元", "￥10万", "１２３", "-5", "1e9", "万", ".5", "5.", "0.001万", "人民币 5 万元"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, ok := ParseYuan(s)
		if ok && (fen < 0 || fen > MaxFen) {
			t.Fatalf("ParseYuan(%q) = %d outside 0..MaxFen", s, fen)
		}
	})
}

func FuzzParseDateRange(f *testing.F) {
	for _, s := range []string{"2020-09-01", "2020年9月1日", "9月1日至4日", "8月31日至9月3日", "44075", "20200901", "2020/9/1~2020/9/4", "至", "9月", "99999999999"} {
		f.Add(s, 2020)
	}
	f.Fuzz(func(t *testing.T, s string, year int) {
		from, to, ok := ParseDateRange(s, year)
		if ok && (!ValidDate(from) || (to != "" && (!ValidDate(to) || to < from))) {
			t.Fatalf("ParseDateRange(%q, %d) = %q, %q", s, year, from, to)
		}
	})
}
