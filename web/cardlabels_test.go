package web

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestLabelCells: a list's cells carry their column's name for the phone
// cards; matrices with grouped headers and tables of other classes do not.
func TestLabelCells(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"list",
			`<table class="grid" id="x"><thead><tr><th>日期</th><th class="num">金额<small>（元）</small></th><th class="noprint"></th></tr></thead>` +
				`<tbody><tr><td class="nowrap"><a href="/c/1">9月1日</a></td><td class="num">1.00</td><td><form class="inline"></form></td></tr>` +
				`<tr><td colspan="3" class="muted">没有</td></tr></tbody>` +
				`<tfoot><tr class="total"><th>合计</th><th class="num">1.00</th><th></th></tr></tfoot></table>`,
			`<table data-cards class="grid" id="x"><thead><tr><th>日期</th><th class="num">金额<small>（元）</small></th><th class="noprint"></th></tr></thead>` +
				`<tbody><tr><td data-label="日期" class="nowrap"><a href="/c/1">9月1日</a></td><td data-label="金额（元）" class="num">1.00</td><td><form class="inline"></form></td></tr>` +
				`<tr><td colspan="3" class="muted">没有</td></tr></tbody>` +
				`<tfoot><tr class="total"><th>合计</th><th data-label="金额（元）" class="num">1.00</th><th></th></tr></tfoot></table>`},
		{"colspan in a body row shifts the columns",
			`<table class="grid"><thead><tr><th>a</th><th>b</th><th>c</th></tr></thead><tbody><tr><td colspan="2">x</td><td>y</td></tr></tbody></table>`,
			`<table data-cards class="grid"><thead><tr><th>a</th><th>b</th><th>c</th></tr></thead><tbody><tr><td colspan="2">x</td><td data-label="c">y</td></tr></tbody></table>`},
		{"grouped header stays a grid",
			`<table class="grid score"><thead><tr><th rowspan="2">a</th><th colspan="2">b</th></tr><tr><th>c</th><th>d</th></tr></thead><tbody><tr><td>1</td><td>2</td><td>3</td></tr></tbody></table>`,
			""},
		{"key-value table untouched",
			`<table class="kv"><thead><tr><th>a</th></tr></thead><tr><th>用户名</th><td>x</td></tr></table>`,
			""},
		{"nested table labels its own cells",
			`<table class="grid"><thead><tr><th>外</th></tr></thead><tbody><tr><td><table class="kv"><tr><td>内</td></tr></table></td></tr></tbody></table>`,
			`<table data-cards class="grid"><thead><tr><th>外</th></tr></thead><tbody><tr><td data-label="外"><table class="kv"><tr><td>内</td></tr></table></td></tr></tbody></table>`},
		{"quotes in a header stay inside the attribute",
			`<table class="grid"><thead><tr><th>"引号"</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>`,
			`<table data-cards class="grid"><thead><tr><th>"引号"</th></tr></thead><tbody><tr><td data-label="&#34;引号&#34;">1</td></tr></tbody></table>`},
	} {
		want := tc.want
		if want == "" {
			want = tc.in
		}
		if got := string(labelCells([]byte(tc.in))); got != want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, want)
		}
	}
	if s := strings.Repeat("x", 10); string(labelCells([]byte(s))) != s {
		t.Error("a page without tables changed")
	}
}

// TestTableTags: the scan finds the tags, with the offsets, that the
// regular expression it replaced found.
func TestTableTags(t *testing.T) {
	re := regexp.MustCompile(`<(/?)(table|thead|tbody|tfoot|tr|th|td)\b([^>]*)>`)
	for _, in := range []string{
		`<table class="grid"><thead><tr><th>a</th></tr></thead><tbody><tr><td colspan="2">x</td></tr></tbody><tfoot></tfoot></table>`,
		`<tdx><th1><TD><td-x><td_y></ table><table
 class="a"><<td>><td`, `<a><b>text</b> < td <tr`, `<td>`, `<`, ``, `</tr`, `<tr>1 <th a=">"> x`,
	} {
		var got [][]int
		for m := range tableTags([]byte(in)) {
			got = append(got, m[:])
		}
		want := re.FindAllSubmatchIndex([]byte(in), -1)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q:\n got %v\nwant %v", in, got, want)
		}
	}
}
